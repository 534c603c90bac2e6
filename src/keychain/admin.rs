//! The vault's keychains themselves: creating the vault, creating, listing and
//! removing keychains, and rotating their tokens. All of it needs the master key.

use std::path::Path;

use serde_json::json;

use super::audit::{self, Event};
use super::{Action, Keychain};
use crate::error::{Error, Result};
use crate::keys::{self, TokenKeys, Wrapped};
use crate::keystore::Backend;
use crate::secret::Key32;
use crate::token::Token;
use crate::unlock::{Access, Unlocked};
use crate::vault::{self, Id, KeychainRow, TokenRow, Vault, db, write};

/// A keychain as `keychain list` shows it.
pub struct KeychainSummary {
    /// Its name.
    pub name: String,
    /// How many tokens open it.
    pub tokens: u64,
    /// How many secrets it holds.
    pub secrets: usize,
    /// Unix seconds.
    pub created: i64,
}

/// A new keychain row with fresh DEK and RK wrapped under the keychain's KEK.
fn new_keychain(vault_id: &Id, mk: &Key32, name: &str) -> (KeychainRow, Key32, Key32) {
    let id = vault::new_id();
    let dek = Key32::random();
    let rk = Key32::random();
    let row = KeychainRow {
        id,
        name: name.to_owned(),
        created: crate::time::now(),
        dek: keys::wrap(mk, vault_id, &id, Wrapped::Dek, &dek),
        rk: keys::wrap(mk, vault_id, &id, Wrapped::Rk, &rk),
        name_mac: keys::keychain_name_mac(mk, vault_id, &id, name).to_vec(),
    };
    (row, dek, rk)
}

/// Everything a new keychain starts with besides its row: the RK check and its two
/// empty indexes.
fn start_keychain(
    tx: &rusqlite::Transaction<'_>,
    vault_id: &Id,
    keychain: &Id,
    dek: &Key32,
    rk: &Key32,
) -> Result<()> {
    write::meta(
        tx,
        &rk_check_key(keychain),
        &keys::rk_check(vault_id, keychain, rk),
    )
    .map_err(db)?;
    let empty = super::index::Index::new();
    let sik = keys::secret_index_key(vault_id, dek);
    super::index::save(tx, super::index::Kind::Secrets, keychain, &sik, &empty)?;
    let shk = keys::shared_index_key(vault_id, rk);
    super::index::save(tx, super::index::Kind::Shared, keychain, &shk, &empty)
}

/// The `meta` key of a keychain's RK check.
pub(crate) fn rk_check_key(keychain: &Id) -> String {
    format!("rk_check:{}", crate::token::hex(keychain))
}

/// A new bearer token for a keychain whose RK is `rk`, and the row that verifies it.
pub(super) fn new_token(vault_id: &Id, keychain_id: Id, rk: &Key32) -> (Token, TokenRow) {
    let token = Token::generate(keychain_id);
    let keys = TokenKeys::derive(vault_id, &token);
    let row = TokenRow {
        id: token.token_id,
        keychain_id,
        verifier: keys.verifier.expose().to_vec(),
        rk: keys.wrap_rk(rk),
    };
    (token, row)
}

/// Creates the vault file with its check value and the `default` keychain. `slot` is
/// the backend's material kept in the vault: the passphrase slot, or the OpenBao record.
pub fn init_vault(
    path: &Path,
    id: Id,
    mk: &Key32,
    backend: Backend,
    slot: Option<&[u8]>,
) -> Result<()> {
    Vault::create(path, id, |tx| fill_new_vault(tx, &id, mk, backend, slot)).map(drop)
}

/// What a new vault holds: its backend, check value, passphrase slot and `default`.
pub(super) fn fill_new_vault(
    tx: &rusqlite::Transaction<'_>,
    id: &Id,
    mk: &Key32,
    backend: Backend,
    slot: Option<&[u8]>,
) -> Result<()> {
    let sql =
        |e| Error::general(format!("cannot write the new vault: {e}")).code("vault-write-failed");
    write::meta(tx, "backend", backend.as_str().as_bytes()).map_err(sql)?;
    write::meta(tx, "check", &keys::check_value(id, mk)).map_err(sql)?;
    if let Some(slot) = slot {
        write::meta(tx, crate::keychain::slot_meta_key(backend), slot).map_err(sql)?;
    }
    let (row, dek, rk) = new_keychain(id, mk, "default");
    write::keychain(tx, &row).map_err(sql)?;
    start_keychain(tx, id, &row.id, &dek, &rk)?;
    let detail = json!({"backend": backend.as_str()});
    audit::start(tx, id, &row.id, &rk, event(Action::Init, &detail))
}

fn event(action: Action, detail: &serde_json::Value) -> Event<'_> {
    Event {
        action,
        package: None,
        detail,
    }
}

/// Creates a keychain; returns its first token unless `no_token`.
pub fn create_keychain(
    mut unlocked: Unlocked,
    name: &str,
    no_token: bool,
) -> Result<Option<zeroize::Zeroizing<String>>> {
    let mk = unlocked.require_owner("creating a keychain")?.clone();
    let vid = unlocked.vault.id;
    let sync = matches!(unlocked.access, Access::Owner { keyring: true, .. });
    let (token, generation) = unlocked.vault.write(|tx| {
        if write::keychain_exists(tx, name).map_err(db)? {
            return Err(Error::general(format!("keychain `{name}` already exists"))
                .code("keychain-exists")
                .hint(format!(
                    "rotate its token with `keyward keychain token {name} --rotate`"
                )));
        }
        let (row, dek, rk) = new_keychain(&vid, &mk, name);
        write::keychain(tx, &row).map_err(db)?;
        start_keychain(tx, &vid, &row.id, &dek, &rk)?;
        let detail = json!({"keychain": name, "token": !no_token});
        audit::start(
            tx,
            &vid,
            &row.id,
            &rk,
            event(Action::KeychainCreate, &detail),
        )?;
        let generation = super::next_generation(tx, &vid, &mk)?;
        if no_token {
            return Ok((None, generation));
        }
        let (token, token_row) = new_token(&vid, row.id, &rk);
        write::replace_tokens(tx, &token_row, crate::time::now()).map_err(db)?;
        Ok((Some(token.encode()), generation))
    })?;
    if sync {
        let _ = crate::keystore::keyring_store(&vid, &mk, generation);
    }
    Ok(token)
}

/// Every keychain with its counts (owner only).
pub fn list_keychains(unlocked: &Unlocked) -> Result<Vec<KeychainSummary>> {
    unlocked.require_owner("listing keychains")?;
    let vault = &unlocked.vault;
    vault
        .keychains()?
        .into_iter()
        .map(|kc| {
            Ok(KeychainSummary {
                tokens: vault.token_count(&kc.id)?,
                secrets: vault.secrets(&kc.id)?.len(),
                name: kc.name,
                created: kc.created,
            })
        })
        .collect()
}

/// Removes a keychain with its secrets and tokens; the removal is recorded in
/// `default`'s log, since the removed keychain's log goes with it.
pub fn remove_keychain(unlocked: Unlocked, name: &str) -> Result<()> {
    unlocked.require_owner("removing a keychain")?;
    let doomed = unlocked.named_keychain(name)?;
    if let crate::unlock::Access::Owner { mk, .. } = &unlocked.access {
        super::check_name(&unlocked.vault, mk, &doomed)?;
    }
    if name == "default" {
        return Err(Error::general("the `default` keychain cannot be removed")
            .code("default-keychain")
            .hint("remove its secrets with `keyward secret rm NAME` instead"));
    }
    let mut default = Keychain::open(unlocked, Some("default"), super::Role::Any)?;
    default.write(|w| {
        write::delete_keychain(w.tx, &doomed.id).map_err(db)?;
        w.record(Action::KeychainRm, None, json!({"keychain": name}))
    })
}

impl Keychain {
    /// How many secrets the keychain holds (for the removal prompt).
    pub fn secret_count(&self) -> Result<usize> {
        Ok(self.vault.secrets(&self.row.id)?.len())
    }
}
