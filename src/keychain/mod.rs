//! The domain: one unlocked keychain and every operation on it.
//!
//! A [`Keychain`] is the vault, one keychain's row and the keys its opener holds: the
//! owner's DEK and RK, or a token holder's RK. Commands ask it for what they need (a
//! package, a pin check, an approval, a launch) and never touch rows or keys
//! themselves. Every write goes through [`Keychain::write`]: one `BEGIN IMMEDIATE`
//! transaction that must record at least one audit entry, or nothing is committed.
//!
//! Which MAC a keychain trusts follows who opened it (SECURITY.md): the owner acts only
//! on rows the owner MAC covers; a token holder acts on rows its RK covers and can
//! hurt nothing beyond what that RK already reads.

mod admin;
mod audit;
mod endpoints;
mod grants;
mod history;
mod index;
mod install;
mod launch;
mod packages;
mod pin;
pub mod reads;
mod rekey;
mod rotate;
mod secrets;
mod sources;
mod upgrade;
mod vcache;

#[cfg(test)]
mod tests;

use rusqlite::Transaction;

pub(crate) use admin::rk_check_key;
pub use admin::{create_keychain, init_vault, list_keychains, remove_keychain};
pub use audit::Action;
pub use endpoints::Endpoints;
pub use grants::decide;
pub use install::{InstallKind, Plan, Planned};
pub use launch::{Launch, RunHow};
pub use packages::{Installed, KeyState, key_states, not_requested, requested_list};
pub use pin::{PinCheck, hash_tree};
pub use rekey::{NewMaterial, backend_of, rekey, slot_meta_key};
pub use sources::SourceRow;

use crate::error::{Error, Result};
use crate::secret::Key32;
use crate::unlock::{Access, Unlocked};
use crate::vault::{Id, KeychainRow, Vault};

/// What the command needs of whoever opened the vault.
#[derive(Debug, Clone, Copy)]
pub enum Role<'a> {
    /// The owner: a token holder gets exit 5 saying this action needs the owner.
    Owner(&'a str),
    /// The owner or a token holder of this keychain.
    Any,
}

/// The keys of one keychain that its opener holds.
enum Keys {
    /// The owner: both keys, and the MAC keys derived from them.
    Owner {
        /// The master key: rotation wraps a new RK under the keychain's KEK.
        mk: Key32,
        dek: Key32,
        rk: Key32,
        /// HKDF(RK, grant): the MAC token holders can check (and make).
        gk: Key32,
        /// HKDF(DEK, owner-grant): the MAC only the owner can make.
        ogk: Key32,
        /// HKDF(DEK, secret-index): the owner's index of secret versions.
        sik: Key32,
        /// HKDF(RK, shared-index): the index of shared copies.
        shk: Key32,
    },
    /// A token holder: the RK only.
    Holder { rk: Key32, gk: Key32, shk: Key32 },
}

impl Keys {
    fn rk(&self) -> &Key32 {
        match self {
            Keys::Owner { rk, .. } | Keys::Holder { rk, .. } => rk,
        }
    }

    fn gk(&self) -> &Key32 {
        match self {
            Keys::Owner { gk, .. } | Keys::Holder { gk, .. } => gk,
        }
    }

    /// The owner's secret-index key and the shared-index key; a holder has no DEK.
    fn index_keys(&self) -> Result<(&Key32, &Key32)> {
        match self {
            Keys::Owner { sik, shk, .. } => Ok((sik, shk)),
            Keys::Holder { .. } => Err(holder_denied()),
        }
    }

    fn shk(&self) -> &Key32 {
        match self {
            Keys::Owner { shk, .. } | Keys::Holder { shk, .. } => shk,
        }
    }
}

/// The parts a write transaction works with, borrowed from the [`Keychain`].
struct Scope<'a> {
    vault_id: &'a Id,
    row: &'a KeychainRow,
    keys: &'a Keys,
}

/// One unlocked keychain.
pub struct Keychain {
    vault: Vault,
    row: KeychainRow,
    keys: Keys,
    /// Unlocked through the OS keyring: its record follows the write generation.
    sync_keyring: bool,
}

/// A write in progress: the transaction and the keychain it writes to.
pub struct Writer<'a> {
    tx: &'a Transaction<'a>,
    scope: Scope<'a>,
    recorded: usize,
    /// Whether an owner decision was recorded (not only runs and reads).
    decided: bool,
}

impl Keychain {
    /// Opens the keychain to act on: `requested` (from `-k`/`KEYWARD_KEYCHAIN`), else
    /// the token's own keychain for a token holder, else `default`.
    pub fn open(unlocked: Unlocked, requested: Option<&str>, role: Role<'_>) -> Result<Self> {
        if let Role::Owner(action) = role {
            unlocked.require_owner(action)?;
        }
        let mut row = unlocked.keychain(requested)?;
        let Unlocked { mut vault, access } = unlocked;
        let sync_keyring = matches!(access, Access::Owner { keyring: true, .. });
        let keys = match access {
            Access::Owner { mk, check, .. } => {
                if check == crate::keys::Check::V1 {
                    upgrade::vault(&mut vault, &mk)?;
                    row = vault.keychain_by_id(&row.id)?.ok_or_else(|| {
                        vault.corrupt("a keychain vanished while it was upgraded")
                    })?;
                }
                check_name(&vault, &mk, &row)?;
                owner_keys(&vault, &mk, &row)?
            }
            Access::Token { rk, .. } => Keys::Holder {
                gk: crate::keys::grant_key(&vault.id, &rk),
                shk: crate::keys::shared_index_key(&vault.id, &rk),
                rk,
            },
        };
        Ok(Keychain {
            vault,
            row,
            keys,
            sync_keyring,
        })
    }

    /// The keychain's name.
    pub fn name(&self) -> &str {
        &self.row.name
    }

    /// The vault file.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Whether the owner opened it.
    pub fn is_owner(&self) -> bool {
        matches!(self.keys, Keys::Owner { .. })
    }

    fn scope(&self) -> Scope<'_> {
        Scope {
            vault_id: &self.vault.id,
            row: &self.row,
            keys: &self.keys,
        }
    }

    /// Runs `f` in one write transaction. `f` must record what it did
    /// ([`Writer::record`]); a write that records nothing is refused and rolled back.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let Keychain {
            vault,
            row,
            keys,
            sync_keyring,
        } = self;
        let vault_id = vault.id;
        let keys: &Keys = keys;
        let (value, generation) = vault.write(|tx| {
            let mut w = Writer {
                tx,
                scope: Scope {
                    vault_id: &vault_id,
                    row,
                    keys,
                },
                recorded: 0,
                decided: false,
            };
            let value = f(&mut w)?;
            if w.recorded == 0 {
                return Err(Error::general(
                    "internal error: a write to the vault recorded no audit entry; nothing was changed",
                )
                .hint("please report this as a bug"));
            }
            let generation = match (w.decided, keys) {
                (true, Keys::Owner { mk, .. }) => Some(next_generation(tx, &vault_id, mk)?),
                _ => None,
            };
            Ok((value, generation))
        })?;
        // After the commit: the keyring then never records a write the vault lacks. A
        // failure here only means a later rollback to this write is not seen.
        if let (Some(generation), true, Keys::Owner { mk, .. }) = (generation, *sync_keyring, keys)
        {
            let _ = crate::keystore::keyring_store(&vault_id, mk, generation);
        }
        Ok(value)
    }
}

impl Writer<'_> {
    /// Appends an audit entry to this keychain's log, inside this transaction.
    pub fn record(
        &mut self,
        action: Action,
        package: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<()> {
        audit::append(self.tx, &self.scope, action, package, &detail)?;
        self.recorded = self.recorded.saturating_add(1);
        self.decided |= action.is_decision();
        Ok(())
    }

    /// Declares that this transaction wrote nothing after all (a stale decision was
    /// dropped), so it needs no audit entry.
    pub(super) fn changed_nothing(&mut self) {
        self.recorded = usize::MAX;
    }

    fn owner(&self) -> Result<(&Key32, &Key32)> {
        owner_only(self.scope.keys)
    }
}

/// Moves the vault's write generation one up, inside the transaction (owner only: it
/// is sealed under the master key).
pub(crate) fn next_generation(tx: &Transaction<'_>, vault_id: &Id, mk: &Key32) -> Result<u64> {
    use crate::vault::{corrupt_in_tx, db, write};
    let current = match write::meta_in(tx, "generation").map_err(db)? {
        None => 0,
        Some(stored) => crate::keys::open_generation(mk, vault_id, &stored).ok_or_else(|| {
            corrupt_in_tx("the write generation does not verify; nothing was changed")
        })?,
    };
    let next = current + 1;
    write::meta(
        tx,
        "generation",
        &crate::keys::seal_generation(mk, vault_id, next),
    )
    .map_err(db)?;
    Ok(next)
}

/// The DEK and owner grant key, or an internal error: commands that reach an owner-only
/// operation opened the keychain with [`Role::Owner`].
fn owner_only(keys: &Keys) -> Result<(&Key32, &Key32)> {
    match keys {
        Keys::Owner { dek, ogk, .. } => Ok((dek, ogk)),
        Keys::Holder { .. } => Err(holder_denied()),
    }
}

fn holder_denied() -> Error {
    Error::denied("this needs the vault's owner")
        .code("owner-only")
        .hint("run it without KEYWARD_TOKEN, as the owner")
}

/// Checks that `row`'s name is the one the owner gave it: names are stored in the
/// clear, and without this, swapping two keychains' names would send the owner's
/// `-k prod secret set` into the keychain whose token an attacker holds.
pub(crate) fn check_name(vault: &Vault, mk: &Key32, row: &KeychainRow) -> Result<()> {
    let mac = crate::keys::keychain_name_mac(mk, &vault.id, &row.id, &row.name);
    if crate::crypto::ct_eq(&mac, &row.name_mac) {
        return Ok(());
    }
    Err(vault.corrupt(&format!(
        "keychain `{}` is not the keychain of that name (its name was changed outside keyward, e.g. swapped with another's)",
        row.name
    )))
}

fn owner_keys(vault: &Vault, mk: &Key32, row: &KeychainRow) -> Result<Keys> {
    use crate::keys::{Wrapped, unwrap};
    let bad = || vault.corrupt(&format!("the keys of keychain `{}` do not open", row.name));
    let dek = unwrap(mk, &vault.id, &row.id, Wrapped::Dek, &row.dek).map_err(|_| bad())?;
    let rk = unwrap(mk, &vault.id, &row.id, Wrapped::Rk, &row.rk).map_err(|_| bad())?;
    Ok(Keys::Owner {
        mk: mk.clone(),
        gk: crate::keys::grant_key(&vault.id, &rk),
        ogk: crate::keys::owner_grant_key(&vault.id, &dek),
        sik: crate::keys::secret_index_key(&vault.id, &dek),
        shk: crate::keys::shared_index_key(&vault.id, &rk),
        dek,
        rk,
    })
}
