//! Token rotation: a new RK, not only a new token. Everything the RK covers moves to
//! the new key in one transaction (the wrapped RK, the shared copies, the RK MACs of
//! installations and grants, the audit chain, the RK check), so a former holder who
//! kept the old RK decrypts nothing sealed from now on, and its old token row, written
//! back, is refused.

use serde_json::json;
use zeroize::Zeroizing;

use super::admin::{new_token, rk_check_key};
use super::audit::{self, Action};
use super::grants;
use super::index::{self, Kind};
use super::{Keychain, Keys, holder_denied};
use crate::crypto;
use crate::error::Result;
use crate::keys::{self, Slot, ValueAt, Wrapped};
use crate::secret::Key32;
use crate::vault::packages as rows;
use crate::vault::{corrupt_in_tx, db, write};

impl Keychain {
    /// Replaces the keychain's RK and token; returns the new token (owner only).
    pub fn rotate_token(&mut self) -> Result<Zeroizing<String>> {
        let Keys::Owner {
            mk,
            rk: old_rk,
            gk: old_gk,
            shk: old_shk,
            ..
        } = &self.keys
        else {
            return Err(holder_denied());
        };
        let new_rk = Key32::random();
        let new_gk = keys::grant_key(&self.vault.id, &new_rk);
        let new_shk = keys::shared_index_key(&self.vault.id, &new_rk);
        let vid = self.vault.id;
        let kc = self.row.id;
        let mut row = self.row.clone();
        row.rk = keys::wrap(mk, &vid, &kc, Wrapped::Rk, &new_rk);
        let (token, token_row) = new_token(&vid, kc, &new_rk);
        let name = self.row.name.clone();
        let generation = self.vault.write(|tx| {
            write::update_keychain(tx, &row).map_err(db)?;
            for (key, version, sealed) in rows::shared_in(tx, &kc).map_err(db)? {
                let at = ValueAt {
                    vault: &vid,
                    keychain: &kc,
                    name: &key,
                    version,
                };
                let value = at.open(old_rk, Slot::Shared, &sealed).map_err(|_| {
                    corrupt_in_tx(&format!(
                        "the shared copy of {key} does not decrypt; nothing was rotated"
                    ))
                })?;
                let resealed = at.seal(&new_rk, Slot::Shared, value.expose());
                rows::put_shared(tx, &kc, &key, version, &resealed).map_err(db)?;
            }
            // Rows whose RK MAC verified move to the new key; any other stays broken.
            let installations = rows::installations_in(tx, &kc).map_err(db)?;
            for mut inst in installations.iter().cloned() {
                if crypto::ct_eq(&grants::installation_mac(old_gk, &inst), &inst.mac) {
                    inst.mac = grants::installation_mac(&new_gk, &inst).to_vec();
                    rows::set_installation_mac(tx, &inst).map_err(db)?;
                }
            }
            for mut grant in rows::grants_in(tx, &kc).map_err(db)? {
                let Some(inst) = installations.iter().find(|i| i.id == grant.installation_id)
                else {
                    continue;
                };
                if crypto::ct_eq(
                    &grants::grant_mac(old_gk, inst.pin(), &grant.key),
                    &grant.mac,
                ) {
                    grant.mac = grants::grant_mac(&new_gk, inst.pin(), &grant.key).to_vec();
                    rows::set_grant_mac(tx, &grant).map_err(db)?;
                }
            }
            let shared = index::read_in(tx, Kind::Shared, &kc, old_shk)?;
            index::save(tx, Kind::Shared, &kc, &new_shk, &shared)?;
            audit::rechain(tx, &vid, &kc, old_rk, &new_rk)?;
            write::meta(tx, &rk_check_key(&kc), &keys::rk_check(&vid, &kc, &new_rk)).map_err(db)?;
            write::replace_tokens(tx, &token_row, crate::time::now()).map_err(db)?;
            let detail = json!({"keychain": name, "rk": "new"});
            audit::append_with(tx, &vid, &kc, &new_rk, Action::TokenRotate, &detail)?;
            super::next_generation(tx, &vid, mk)
        })?;
        if self.sync_keyring {
            let _ = crate::keystore::keyring_store(&vid, mk, generation);
        }
        self.row = row;
        if let Keys::Owner { rk, gk, shk, .. } = &mut self.keys {
            *rk = new_rk;
            *gk = new_gk;
            *shk = new_shk;
        }
        Ok(token.encode())
    }
}
