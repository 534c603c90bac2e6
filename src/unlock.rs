//! Unlocking: who is asking (owner or token holder) and with what.
//!
//! First match wins: `KEYWARD_TOKEN` (token holder), `KEYWARD_MASTER_KEY` (owner), then
//! the vault's backend (keyring, or passphrase from `KEYWARD_PASSPHRASE` or a prompt).
//! A token is checked for format before the vault is even opened. The keys themselves
//! are derived in `keys`; what a keychain then allows is `keychain`'s business.

use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keys::{self, TokenKeys};
use crate::keystore::{self, Backend};
use crate::output::Output;
use crate::prompt;
use crate::secret::Key32;
use crate::token::Token;
use crate::vault::{Id, KeychainRow, Vault};

/// Who unlocked the vault.
pub enum Access {
    /// Holds the master key: may do everything.
    Owner {
        /// The master key.
        mk: Key32,
        /// What the check value says: whether the vault still needs its upgrade.
        check: keys::Check,
        /// Unlocked through the OS keyring, whose record keeps the vault's write
        /// generation up to date after each owner decision.
        keyring: bool,
    },
    /// Holds a keychain's bearer token: may read granted keys of that keychain only.
    Token {
        /// The keychain the token opens.
        keychain_id: Id,
        /// The token's id (recorded by the gateway, compared on rotation).
        token_id: Id,
        /// That keychain's RK, unwrapped with the token.
        rk: Key32,
    },
}

/// An open, unlocked vault.
pub struct Unlocked {
    /// The vault file.
    pub vault: Vault,
    /// Who unlocked it.
    pub access: Access,
}

/// Reads a variable that holds key material; empty counts as unset.
fn secret_env(name: &str) -> Result<Option<Zeroizing<String>>> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        // Set but unreadable: refuse rather than silently fall back to another source.
        Some(v) => v
            .into_string()
            .map(|s| Some(Zeroizing::new(s)))
            .map_err(|_| {
                Error::locked(format!("{name} is set but is not valid UTF-8 text")).hint(format!(
                    "set {name} to exactly the text keyward printed, or unset it"
                ))
            }),
    }
}

impl Unlocked {
    /// Opens the vault at `path` and unlocks it by the first source that is present.
    pub fn open(
        path: &Path,
        no_input: bool,
        accept_rollback: bool,
        out: &Output,
    ) -> Result<Unlocked> {
        if let Some(text) = secret_env("KEYWARD_TOKEN")? {
            let token = Token::parse(&text).map_err(|e| {
                Error::locked(e.to_string()).hint("set KEYWARD_TOKEN to the token printed by `keychain create` or `keychain token --rotate`")
            })?;
            let vault = Vault::open(path)?;
            warn_if_exposed(path, out);
            let rk = unlock_token(&vault, &token)?;
            out.verbose("unlocked with KEYWARD_TOKEN (token holder)");
            return Ok(Unlocked {
                vault,
                access: Access::Token {
                    keychain_id: token.keychain_id,
                    token_id: token.token_id,
                    rk,
                },
            });
        }
        let vault = Vault::open(path)?;
        warn_if_exposed(path, out);
        let (mk, source, recorded) = if let Some(text) = secret_env("KEYWARD_MASTER_KEY")? {
            (
                keystore::decode_master_key(&text)?,
                "KEYWARD_MASTER_KEY",
                None,
            )
        } else {
            load_from_backend(&vault, no_input)?
        };
        let check = verify_master_key(&vault, &mk, source)?;
        if let Some(recorded) = recorded {
            refuse_rollback(&vault, &mk, recorded, accept_rollback)?;
        }
        out.verbose(format!("unlocked with {source} (owner)"));
        Ok(Unlocked {
            vault,
            access: Access::Owner {
                mk,
                check,
                keyring: recorded.is_some(),
            },
        })
    }

    /// Unlocks `vault` with a token presented to the gateway (not from the
    /// environment): the same checks as `KEYWARD_TOKEN`, in constant time.
    pub fn with_token(vault: Vault, text: &str) -> Result<Unlocked> {
        let token = Token::parse(text).map_err(|e| {
            Error::locked(e.to_string())
                .hint("send the token printed by `keychain create` or `keychain token --rotate`")
        })?;
        let rk = unlock_token(&vault, &token)?;
        Ok(Unlocked {
            vault,
            access: Access::Token {
                keychain_id: token.keychain_id,
                token_id: token.token_id,
                rk,
            },
        })
    }

    /// The master key, or exit 5 for a token holder: `action` needs the owner.
    pub fn require_owner(&self, action: &str) -> Result<&Key32> {
        match &self.access {
            Access::Owner { mk, .. } => Ok(mk),
            Access::Token { .. } => Err(Error::denied(format!(
                "{action} needs the vault's owner; a keychain token cannot do it"
            ))
            .code("owner-only")
            .hint("run it without KEYWARD_TOKEN, as the owner (keyring, passphrase or KEYWARD_MASTER_KEY)")),
        }
    }

    /// Resolves the keychain to act on: `requested` (from `-k`/`KEYWARD_KEYCHAIN`), else
    /// the token's keychain for a token holder, else `default`.
    pub fn keychain(&self, requested: Option<&str>) -> Result<KeychainRow> {
        match (&self.access, requested) {
            (Access::Token { keychain_id, .. }, requested) => {
                let row = self
                    .vault
                    .keychain_by_id(keychain_id)?
                    .ok_or_else(|| Error::locked("the token's keychain no longer exists"))?;
                match requested {
                    Some(name) if name != row.name => Err(Error::locked(format!(
                        "KEYWARD_TOKEN opens keychain `{}`, not `{name}`",
                        row.name
                    ))
                    .hint(format!(
                        "use the token of `{name}`, or drop -k / KEYWARD_KEYCHAIN"
                    ))),
                    _ => Ok(row),
                }
            }
            (Access::Owner { .. }, requested) => {
                self.named_keychain(requested.unwrap_or("default"))
            }
        }
    }

    /// Looks up a keychain by name, or exit 4.
    pub fn named_keychain(&self, name: &str) -> Result<KeychainRow> {
        self.vault.keychain(name)?.ok_or_else(|| {
            Error::not_found(format!(
                "no keychain named `{name}` in {}",
                self.vault.path().display()
            ))
            .hint("see `keyward keychain list`, or create it with `keyward keychain create NAME`")
        })
    }
}

/// The vault holds only ciphertext, but its names and grants are the owner's business:
/// say so when others can read or write the file.
fn warn_if_exposed(path: &Path, out: &Output) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        out.warn(format!(
            "{} is accessible to other users (mode {:o}); run `chmod 600` on it",
            path.display(),
            meta.permissions().mode() & 0o777
        ));
    }
}

fn unlock_token(vault: &Vault, token: &Token) -> Result<Key32> {
    let rejected = || {
        Error::locked("KEYWARD_TOKEN is not valid for this vault (it was rotated away, or belongs to another vault)")
            .hint("ask the owner for the current token: `keyward keychain token NAME --rotate`")
    };
    let row = vault.token(&token.token_id)?.ok_or_else(rejected)?;
    if row.keychain_id != token.keychain_id {
        return Err(rejected());
    }
    let keys = TokenKeys::derive(&vault.id, token);
    if !crate::crypto::ct_eq(keys.verifier.expose(), &row.verifier) {
        return Err(rejected());
    }
    let rk = keys
        .unwrap_rk(&row.rk)
        .map_err(|_| vault.corrupt("the token's wrapped key does not open"))?;
    // A token row written back after a rotation still opens the old RK: refuse it.
    let check = vault.meta(&crate::keychain::rk_check_key(&token.keychain_id))?;
    if check.is_some_and(|c| {
        !crate::crypto::ct_eq(&c, &keys::rk_check(&vault.id, &token.keychain_id, &rk))
    }) {
        return Err(rejected());
    }
    Ok(rk)
}

/// The vault's write generation; 0 in vaults from before generations. Exit 7 when the
/// stored value was not sealed by this vault's master key.
pub(crate) fn generation(vault: &Vault, mk: &Key32) -> Result<u64> {
    match vault.meta("generation")? {
        None => Ok(0),
        Some(stored) => keys::open_generation(mk, &vault.id, &stored)
            .ok_or_else(|| vault.corrupt("the write generation does not verify")),
    }
}

/// A vault older than the keyring says it should be was replaced by an older copy of
/// itself: refused (exit 7), unless the owner accepts it, which resets the record.
fn refuse_rollback(vault: &Vault, mk: &Key32, recorded: u64, accept: bool) -> Result<()> {
    let found = generation(vault, mk)?;
    if found >= recorded {
        return Ok(());
    }
    if accept {
        return keystore::keyring_store(&vault.id, mk, found);
    }
    Err(Error::integrity(format!(
        "{} was rolled back: it is at write {found}, but the OS keyring recorded write {recorded}; an older copy of the vault replaced it",
        vault.path().display()
    ))
    .code("rolled-back")
    .hint("restore the newest copy of the vault; or, if you restored this copy on purpose, run the command again with --accept-rollback"))
}

fn load_from_backend(vault: &Vault, no_input: bool) -> Result<(Key32, &'static str, Option<u64>)> {
    let backend = vault
        .meta("backend")?
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|b| Backend::parse(&b))
        .ok_or_else(|| vault.corrupt("the backend record is missing"))?;
    match backend {
        Backend::Keyring => {
            let (mk, recorded) = keystore::keyring_load(&vault.id)?;
            Ok((mk, "the OS keyring", Some(recorded)))
        }
        Backend::Env => Err(Error::locked(
            "this vault's master key comes from KEYWARD_MASTER_KEY, which is not set",
        )
        .hint("export KEYWARD_MASTER_KEY with the key `keyward init --backend env` printed")
        .hint("or set KEYWARD_TOKEN to a keychain token")),
        Backend::Openbao => {
            let record = vault
                .meta("openbao")?
                .ok_or_else(|| vault.corrupt("the OpenBao record is missing"))?;
            Ok((
                crate::openbao::unwrap(&record, &vault.id)?,
                "OpenBao Transit",
                None,
            ))
        }
        Backend::Passphrase => {
            let slot = vault
                .meta("passphrase")?
                .ok_or_else(|| vault.corrupt("the passphrase slot is missing"))?;
            let pass = match secret_env("KEYWARD_PASSPHRASE")? {
                Some(p) => crate::secret::SecretBytes::new(p.as_bytes().to_vec()),
                None if prompt::interactive(no_input) => {
                    prompt::password("Vault passphrase", false)?
                }
                None => {
                    return Err(prompt::needs_input(
                        "the vault's passphrase",
                        "set KEYWARD_PASSPHRASE, or KEYWARD_MASTER_KEY, or run on a terminal without --no-input",
                    ));
                }
            };
            Ok((
                keystore::passphrase_unwrap(&vault.id, &slot, pass.expose())?,
                "the passphrase",
                None,
            ))
        }
    }
}

fn verify_master_key(vault: &Vault, mk: &Key32, source: &str) -> Result<keys::Check> {
    let check = vault
        .meta("check")?
        .ok_or_else(|| vault.corrupt("the check value is missing"))?;
    if let Some(found) = keys::check_opens(&vault.id, mk, &check) {
        return Ok(found);
    }
    Err(Error::locked(format!(
            "the master key from {source} does not match this vault ({})",
            vault.path().display()
        ))
        .hint("use the key of this vault, or point --vault / KEYWARD_VAULT at the vault this key belongs to"))
}
