//! `rekey`: the same master key, kept by another backend.
//!
//! Nothing is re-encrypted: every key below the master key stays as it is, so only the
//! vault's `meta` rows `backend` and `passphrase` change, and the OS keyring entry. The
//! steps are ordered so that a failure at any point leaves a vault that opens:
//!
//! 1. the new backend's material is made first (the keyring entry stored, the
//!    passphrase slot computed), and for `env` the key is handed out (printed);
//! 2. one transaction switches `backend` (writes or deletes the slot) and records
//!    `rekey` in `default`'s log; if it fails, a keyring entry made in step 1 for a
//!    vault that was not on the keyring is removed again, and the old backend works;
//! 3. only after the commit is the old keyring entry removed; if that fails the vault
//!    works with its new backend and the caller is told the entry is left over.

use serde_json::json;

use super::{Action, Keychain, Role};
use crate::error::{Error, Result};
use crate::keystore::{self, Backend};
use crate::secret::Key32;
use crate::unlock::Unlocked;

/// What a rekey did.
pub struct Rekeyed {
    /// The backend before.
    pub from: Backend,
    /// The backend now.
    pub to: Backend,
    /// When the vault left the keyring: the entry could not be removed (why).
    pub leftover_entry: Option<Error>,
}

/// The vault's backend as recorded in its `meta`.
pub fn backend_of(unlocked: &Unlocked) -> Result<Backend> {
    let vault = &unlocked.vault;
    vault
        .meta("backend")?
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|b| Backend::parse(&b))
        .ok_or_else(|| vault.corrupt("the backend record is missing"))
}

/// The `meta` row that holds a backend's material in the vault: the passphrase slot,
/// or the OpenBao record (the Transit ciphertext of the master key).
pub fn slot_meta_key(backend: Backend) -> &'static str {
    match backend {
        Backend::Openbao => "openbao",
        _ => "passphrase",
    }
}

/// What the new backend needs from the caller: the new passphrase, or for OpenBao a
/// function that wraps the master key under Transit (network, before any change).
pub enum NewMaterial<'a> {
    /// Nothing (keyring, env).
    None,
    /// The new passphrase.
    Passphrase(&'a [u8]),
    /// Wraps the master key with OpenBao Transit; returns the record to store.
    Openbao(Box<WrapFn<'a>>),
}

/// Wraps the master key for a backend that keeps its material remotely.
pub type WrapFn<'a> = dyn FnOnce(&Key32) -> Result<Vec<u8>> + 'a;

/// Moves the vault's master key to `to` (owner only). `material` is needed for
/// [`Backend::Passphrase`] and [`Backend::Openbao`]. `hand_out` is called with the master key after the new
/// backend's material exists and before the vault is switched: for `env` it prints the
/// key, so a vault that reads KEYWARD_MASTER_KEY never exists without its key shown.
pub fn rekey(
    unlocked: Unlocked,
    to: Backend,
    material: NewMaterial<'_>,
    hand_out: impl FnOnce(&Key32) -> Result<()>,
) -> Result<Rekeyed> {
    let mk = unlocked
        .require_owner("moving the master key to another backend")?
        .clone();
    let from = backend_of(&unlocked)?;
    let id = unlocked.vault.id;
    // 1. The new backend's material, before anything in the vault changes.
    let internal = || {
        Error::general(format!(
            "internal error: a rekey to {to} without its material"
        ))
        .code("internal")
        .hint("please report this as a bug")
    };
    let slot = match (to, material) {
        (Backend::Passphrase, NewMaterial::Passphrase(pass)) => {
            Some(keystore::passphrase_wrap(&id, &mk, pass)?)
        }
        (Backend::Openbao, NewMaterial::Openbao(wrap)) => Some(wrap(&mk)?),
        (Backend::Passphrase | Backend::Openbao, _) => return Err(internal()),
        (Backend::Keyring, _) => {
            // The switch below is an owner decision: it moves the generation one up.
            let next = crate::unlock::generation(&unlocked.vault, &mk)? + 1;
            keystore::keyring_store(&id, &mk, next)?;
            None
        }
        (Backend::Env, _) => None,
    };
    let undo_new_entry = || {
        if to == Backend::Keyring && from != Backend::Keyring {
            keystore::keyring_delete(&id);
        }
    };
    if let Err(e) = hand_out(&mk) {
        undo_new_entry();
        return Err(e);
    }
    // 2. One transaction: the switch and its audit entry.
    let switched =
        Keychain::open(unlocked, Some("default"), Role::Owner("rekey")).and_then(|mut default| {
            default.write(|w| {
                let sql = |e: rusqlite::Error| {
                    Error::general(format!("cannot switch the vault's backend: {e}"))
                        .code("rekey-failed")
                        .hint(format!(
                            "nothing was changed: the vault still uses its {from} backend"
                        ))
                };
                crate::vault::write::meta(w.tx, "backend", to.as_str().as_bytes()).map_err(sql)?;
                // A slot left behind would still open the vault the old way (an old
                // passphrase, an old Transit key): only the new backend's row stays.
                for key in ["passphrase", "openbao"] {
                    crate::vault::write::delete_meta(w.tx, key).map_err(sql)?;
                }
                if let Some(slot) = &slot {
                    crate::vault::write::meta(w.tx, slot_meta_key(to), slot).map_err(sql)?;
                }
                w.record(
                    Action::Rekey,
                    None,
                    json!({"from": from.as_str(), "to": to.as_str()}),
                )
            })
        });
    if let Err(e) = switched {
        undo_new_entry();
        return Err(e);
    }
    // 3. The old backend's material, now that nothing needs it.
    let leftover_entry = if from == Backend::Keyring && to != Backend::Keyring {
        keystore::keyring_remove(&id).err()
    } else {
        None
    };
    Ok(Rekeyed {
        from,
        to,
        leftover_entry,
    })
}
