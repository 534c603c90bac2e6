//! Secrets of one keychain: set, remove, read, list, and the shared-copy invariant (a
//! key's copy under the RK exists exactly while a grant the owner made needs it).

use std::collections::BTreeSet;

use serde_json::json;

use super::index::{self, Kind};
use super::{Action, Keychain, Writer, owner_only, packages::value_at};
use crate::error::{Error, Result};
use crate::keys::Slot;
use crate::secret::SecretBytes;
use crate::vault::packages as rows;
use crate::vault::{SecretRow, db, write};

impl Keychain {
    /// Stores a new version of a secret and returns its version (owner only).
    pub fn set_secret(&mut self, name: &str, value: &SecretBytes) -> Result<u64> {
        self.write(|w| w.store_value(name, value))
    }

    /// Removes a secret and its shared copy; `false` when there was none (owner only).
    pub fn remove_secret(&mut self, name: &str) -> Result<bool> {
        owner_only(&self.keys)?;
        self.write(|w| {
            let kc = &w.scope.row.id;
            if !write::delete_secret(w.tx, kc, name).map_err(db)? {
                w.changed_nothing();
                return Ok(false);
            }
            // Without a value there is nothing to share: `run` must now say missing-secret.
            rows::delete_shared(w.tx, kc, name).map_err(db)?;
            super::sources::delete_row(w.tx, kc, name)?;
            let (sik, shk) = w.scope.keys.index_keys()?;
            index::set(w.tx, Kind::Secrets, kc, sik, name, None)?;
            index::set(w.tx, Kind::Shared, kc, shk, name, None)?;
            w.record(Action::SecretRm, None, json!({"name": name}))?;
            Ok(true)
        })
    }

    /// A secret's version and value (owner only), or exit 4.
    pub fn secret_value(&self, name: &str) -> Result<(u64, SecretBytes)> {
        let (dek, _) = owner_only(&self.keys)?;
        let (sik, _) = self.keys.index_keys()?;
        let recorded = index::read(&self.vault, Kind::Secrets, &self.row.id, sik)?;
        let row = self
            .vault
            .secret(&self.row.id, name)?
            .ok_or_else(|| self.no_secret(name))?;
        index::expect(&self.vault, &recorded, Kind::Secrets, name, row.version)?;
        let value = value_at(&self.scope(), name, row.version)
            .open(dek, Slot::Secret, &row.value)
            .map_err(|_| {
                self.vault.corrupt(&format!(
                    "secret {name} in keychain `{}` does not decrypt (its row was altered, swapped or corrupted)",
                    self.row.name
                ))
            })?;
        Ok((row.version, value))
    }

    /// The error for a secret the keychain does not hold.
    pub fn no_secret(&self, name: &str) -> Error {
        Error::not_found(format!(
            "keychain `{}` has no secret named {name}",
            self.row.name
        ))
        .hint("see `keyward secret list`")
    }

    /// The names of the keychain's secrets (which keys have a value).
    pub fn secret_names(&self) -> Result<BTreeSet<String>> {
        Ok(self.vault.secret_names(&self.row.id)?)
    }

    /// The keychain's secret rows (sealed values, never opened here), by name.
    pub fn secrets(&self) -> Result<Vec<SecretRow>> {
        Ok(self.vault.secrets(&self.row.id)?)
    }

    /// Of `names`, those whose values are too short to mask in output. Owner only: a
    /// token holder gets an empty list.
    pub fn short_values<'n>(
        &self,
        names: impl IntoIterator<Item = &'n String>,
    ) -> Result<Vec<String>> {
        if !self.is_owner() {
            return Ok(Vec::new());
        }
        let mut short = Vec::new();
        for name in names {
            if let Ok((_, v)) = self.secret_value(name)
                && v.len() < crate::mask::MIN_MASKED_LEN
            {
                short.push(name.clone());
            }
        }
        Ok(short)
    }
}

impl Writer<'_> {
    /// Writes a new version of a secret, refreshes its shared copy when a grant the
    /// owner made needs one, and records it. Owner only.
    pub(super) fn store_value(&mut self, name: &str, value: &SecretBytes) -> Result<u64> {
        self.store_value_from(name, value, None)
    }

    /// [`Self::store_value`] for a value read from `source` (`openbao:…`, its KV
    /// version), which the audit entry names. Either way the secret's source row is
    /// dropped: a value set by hand no longer follows a source; the caller writes the
    /// row again for a sourced value.
    pub(super) fn store_value_from(
        &mut self,
        name: &str,
        value: &SecretBytes,
        source: Option<(&str, u64)>,
    ) -> Result<u64> {
        let (dek, _) = self.owner()?;
        let kc = &self.scope.row.id;
        let current = write::secret_in(self.tx, kc, name).map_err(db)?;
        let version = current.map_or(1, |(v, _)| v + 1);
        let at = self.value_at(name, version);
        let sealed = at.seal(dek, Slot::Secret, value.expose());
        write::secret(self.tx, kc, name, version, &sealed, crate::time::now()).map_err(db)?;
        let (sik, shk) = self.scope.keys.index_keys()?;
        index::set(self.tx, Kind::Secrets, kc, sik, name, Some(version))?;
        // Only a grant the owner made earns a shared copy (a token holder can forge the
        // other MAC, and would otherwise be handed this value the next time it is set).
        if self.owner_granted(name)? {
            let shared = at.seal(self.scope.keys.rk(), Slot::Shared, value.expose());
            rows::put_shared(self.tx, kc, name, version, &shared).map_err(db)?;
            index::set(self.tx, Kind::Shared, kc, shk, name, Some(version))?;
        }
        super::sources::delete_row(self.tx, kc, name)?;
        let detail = match source {
            None => json!({"name": name, "version": version}),
            Some((source, kv_version)) => {
                json!({"name": name, "version": version, "source": source, "kv_version": kv_version})
            }
        };
        self.record(Action::SecretSet, None, detail)?;
        Ok(version)
    }
}
