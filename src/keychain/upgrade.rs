//! The one-time upgrade of a vault whose check value is v1 (written before keychain
//! names were bound and secrets indexed): every keychain gets its name MAC, its RK
//! check and both indexes, and the check value is re-sealed as v2, in one transaction.
//!
//! Only the master key can seal a v2 check, so from then on a missing binding or index
//! is tampering. What a v1 vault held when it was upgraded is trusted as it was: an
//! attacker who edited it before the upgrade is not detected by the upgrade itself.

use super::admin::rk_check_key;
use super::index::{self, Index, Kind};
use super::{check_name, owner_keys};
use crate::error::Result;
use crate::keys;
use crate::secret::Key32;
use crate::vault::{Vault, db, write};

/// Upgrades the vault to check v2 (see the module docs).
pub(super) fn vault(vault: &mut Vault, mk: &Key32) -> Result<()> {
    let vid = vault.id;
    let mut work = Vec::new();
    for mut row in vault.keychains()? {
        if row.name_mac.is_empty() {
            row.name_mac = keys::keychain_name_mac(mk, &vid, &row.id, &row.name).to_vec();
        } else {
            check_name(vault, mk, &row)?;
        }
        let keys = owner_keys(vault, mk, &row)?;
        let (sik, _) = keys.index_keys()?;
        let (sik, shk, rk) = (sik.clone(), keys.shk().clone(), keys.rk().clone());
        let secrets: Index = vault
            .secrets(&row.id)?
            .into_iter()
            .map(|s| (s.name, s.version))
            .collect();
        let shared: Index = vault.shared_versions(&row.id)?.into_iter().collect();
        let check = keys::rk_check(&vid, &row.id, &rk);
        work.push((row, sik, shk, secrets, shared, check));
    }
    vault.write(|tx| {
        for (row, sik, shk, secrets, shared, check) in &work {
            write::update_keychain(tx, row).map_err(db)?;
            index::save(tx, Kind::Secrets, &row.id, sik, secrets)?;
            index::save(tx, Kind::Shared, &row.id, shk, shared)?;
            if write::meta_in(tx, &rk_check_key(&row.id))
                .map_err(db)?
                .is_none()
            {
                write::meta(tx, &rk_check_key(&row.id), check).map_err(db)?;
            }
        }
        Ok(write::meta(tx, "check", &keys::check_value(&vid, mk)).map_err(db)?)
    })
}
