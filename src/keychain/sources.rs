//! Sourced secrets: values read from OpenBao / HashiCorp Vault KV v2 and stored like any
//! other (sealed under the DEK), with a row saying where they came from and which KV
//! version was stored. Rows carry an owner MAC (HKDF(DEK, "keyward/v1/source")): a row
//! pointed at another path by someone who can write the vault file is refused, so
//! `secret sync` never fetches from a path the owner did not choose.

use rusqlite::Transaction;

use super::{Keychain, Writer, owner_only};
use crate::crypto;
use crate::error::Result;
use crate::secret::{Key32, SecretBytes};
use crate::vault::sources::{self as rows, SourceRecord};
use crate::vault::{Id, db};

/// One sourced secret as stored.
#[derive(Debug, Clone)]
pub struct SourceRow {
    /// The secret's name.
    pub name: String,
    /// `openbao:MOUNT/PATH#FIELD`.
    pub source: String,
    /// The KV version whose value was stored.
    pub kv_version: u64,
    /// The keychain's version of the secret that holds it.
    pub secret_version: u64,
    /// When the value was stored from OpenBao (unix seconds).
    pub synced: i64,
    /// Whether the owner MAC verified (always `false` for a token holder, who cannot
    /// check it).
    pub verified: bool,
}

fn row_mac(
    key: &Key32,
    keychain: &[u8],
    name: &str,
    source: &str,
    kv_version: u64,
    secret_version: u64,
) -> [u8; 32] {
    let mut msg = Vec::with_capacity(96 + source.len());
    crypto::put_lp(&mut msg, b"keyward-source-v1");
    crypto::put_lp(&mut msg, keychain);
    crypto::put_lp(&mut msg, name.as_bytes());
    crypto::put_lp(&mut msg, source.as_bytes());
    msg.extend_from_slice(&kv_version.to_be_bytes());
    msg.extend_from_slice(&secret_version.to_be_bytes());
    crypto::hmac(key, &[&msg])
}

/// Deletes a secret's source row, if any (a value set by hand, or removed).
pub(super) fn delete_row(tx: &Transaction<'_>, keychain: &Id, name: &str) -> Result<()> {
    Ok(rows::delete_source(tx, keychain, name).map_err(db)?)
}

impl Keychain {
    /// The keychain's sourced secrets, by name; the owner's rows say whether they verify.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        let key = owner_only(&self.keys)
            .ok()
            .map(|(dek, _)| crate::keys::source_key(&self.vault.id, dek));
        let rows = self.vault.sources(&self.row.id)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let verified = key.as_ref().is_some_and(|key| {
                    let mac = row_mac(
                        key,
                        &self.row.id,
                        &r.name,
                        &r.source,
                        r.kv_version,
                        r.secret_version,
                    );
                    crypto::ct_eq(&mac, &r.mac)
                });
                SourceRow {
                    name: r.name,
                    source: r.source,
                    kv_version: r.kv_version,
                    secret_version: r.secret_version,
                    synced: r.synced,
                    verified,
                }
            })
            .collect())
    }

    /// One secret's source row, if it has one.
    pub fn source_of(&self, name: &str) -> Result<Option<SourceRow>> {
        Ok(self.sources()?.into_iter().find(|r| r.name == name))
    }

    /// Stores a value read from `source` at KV version `kv_version` as a new version of
    /// `name`, and remembers the source (owner only). One transaction, one audit entry.
    pub fn set_sourced(
        &mut self,
        name: &str,
        value: &SecretBytes,
        source: &str,
        kv_version: u64,
    ) -> Result<u64> {
        self.write(|w| w.store_sourced(name, value, source, kv_version))
    }
}

impl Writer<'_> {
    fn store_sourced(
        &mut self,
        name: &str,
        value: &SecretBytes,
        source: &str,
        kv_version: u64,
    ) -> Result<u64> {
        let version = self.store_value_from(name, value, Some((source, kv_version)))?;
        let (dek, _) = self.owner()?;
        let key = crate::keys::source_key(self.scope.vault_id, dek);
        let kc = &self.scope.row.id;
        let mac = row_mac(&key, kc, name, source, kv_version, version);
        let record = SourceRecord {
            name: name.to_owned(),
            source: source.to_owned(),
            kv_version,
            secret_version: version,
            synced: crate::time::now(),
            mac: mac.to_vec(),
        };
        rows::put_source(self.tx, kc, &record).map_err(db)?;
        Ok(version)
    }
}
