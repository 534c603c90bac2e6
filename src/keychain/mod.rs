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
mod install;
mod launch;
mod packages;
mod pin;
pub mod reads;
mod rotate;
mod secrets;

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
    },
    /// A token holder: the RK only.
    Holder { rk: Key32, gk: Key32 },
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
}

/// A write in progress: the transaction and the keychain it writes to.
pub struct Writer<'a> {
    tx: &'a Transaction<'a>,
    scope: Scope<'a>,
    recorded: usize,
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
        let keys = match access {
            Access::Owner { mk } => {
                bind_name(&mut vault, &mk, &mut row)?;
                let keys = owner_keys(&vault, &mk, &row)?;
                upgrade_rk_check(&mut vault, &row, keys.rk())?;
                keys
            }
            Access::Token { rk, .. } => {
                let gk = crate::keys::grant_key(&vault.id, &rk);
                Keys::Holder { rk, gk }
            }
        };
        Ok(Keychain { vault, row, keys })
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
        let Keychain { vault, row, keys } = self;
        let vault_id = vault.id;
        vault.write(|tx| {
            let mut w = Writer {
                tx,
                scope: Scope {
                    vault_id: &vault_id,
                    row,
                    keys,
                },
                recorded: 0,
            };
            let value = f(&mut w)?;
            if w.recorded == 0 {
                return Err(Error::general(
                    "internal error: a write to the vault recorded no audit entry; nothing was changed",
                )
                .hint("please report this as a bug"));
            }
            Ok(value)
        })
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
    if row.name_mac.is_empty() || crate::crypto::ct_eq(&mac, &row.name_mac) {
        return Ok(());
    }
    Err(vault.corrupt(&format!(
        "keychain `{}` is not the keychain of that name (its name was changed outside keyward, e.g. swapped with another's)",
        row.name
    )))
}

/// [`check_name`], and for a keychain from before names were bound (an empty MAC),
/// binds its name now.
fn bind_name(vault: &mut Vault, mk: &Key32, row: &mut KeychainRow) -> Result<()> {
    check_name(vault, mk, row)?;
    if row.name_mac.is_empty() {
        row.name_mac = crate::keys::keychain_name_mac(mk, &vault.id, &row.id, &row.name).to_vec();
        let bound = row.clone();
        vault.write(|tx| {
            crate::vault::write::update_keychain(tx, &bound).map_err(crate::vault::db)
        })?;
    }
    Ok(())
}

/// Keychains from before rotation made a new RK have no RK check: write it, so a token
/// row written back after the next rotation is refused.
fn upgrade_rk_check(vault: &mut Vault, row: &KeychainRow, rk: &Key32) -> Result<()> {
    let key = rk_check_key(&row.id);
    if vault.meta(&key)?.is_some() {
        return Ok(());
    }
    let check = crate::keys::rk_check(&vault.id, &row.id, rk);
    vault.write(|tx| crate::vault::write::meta(tx, &key, &check).map_err(crate::vault::db))
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
        dek,
        rk,
    })
}
