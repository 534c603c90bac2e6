//! Sourced secrets: values read from OpenBao / HashiCorp Vault KV v2 and stored like any
//! other (sealed under the DEK), with a row saying where they came from and which KV
//! version was stored. Rows carry an owner MAC (HKDF(DEK, "keyward/v1/source")): a row
//! pointed at another path by someone who can write the vault file is refused, so
//! `secret sync` never fetches from a path the owner did not choose.

use rusqlite::{Transaction, params};

use super::{Keychain, Writer, owner_only};
use crate::crypto::{self, label};
use crate::error::Result;
use crate::secret::{Key32, SecretBytes};
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
    mac: Vec<u8>,
}

fn source_key(vault_id: &[u8], dek: &Key32) -> Key32 {
    crypto::hkdf(dek.expose(), vault_id, &[label::SOURCE])
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

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Deletes a secret's source row, if any (a value set by hand, or removed).
pub(super) fn delete_row(tx: &Transaction<'_>, keychain: &Id, name: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM secret_sources WHERE keychain_id = ?1 AND name = ?2",
        params![&keychain[..], name],
    )
    .map(drop)
    .map_err(db)
}

impl Keychain {
    /// The keychain's sourced secrets, by name; the owner's rows say whether they verify.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        let vault = &self.vault;
        let mut stmt = vault
            .conn()
            .prepare(
                "SELECT name, source, kv_version, secret_version, synced, mac FROM secret_sources
                 WHERE keychain_id = ?1 ORDER BY name",
            )
            .map_err(|e| vault.sql(e))?;
        let rows = stmt
            .query_map([&self.row.id[..]], |r| {
                Ok(SourceRow {
                    name: r.get(0)?,
                    source: r.get(1)?,
                    kv_version: to_u64(r.get(2)?),
                    secret_version: to_u64(r.get(3)?),
                    synced: r.get(4)?,
                    verified: false,
                    mac: r.get(5)?,
                })
            })
            .map_err(|e| vault.sql(e))?;
        let mut rows: Vec<SourceRow> = rows
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| vault.sql(e))?;
        if let Ok((dek, _)) = owner_only(&self.keys) {
            let key = source_key(&vault.id, dek);
            for row in &mut rows {
                let mac = row_mac(
                    &key,
                    &self.row.id,
                    &row.name,
                    &row.source,
                    row.kv_version,
                    row.secret_version,
                );
                row.verified = crypto::ct_eq(&mac, &row.mac);
            }
        }
        Ok(rows)
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
        let key = source_key(self.scope.vault_id, dek);
        let kc = &self.scope.row.id;
        let mac = row_mac(&key, kc, name, source, kv_version, version);
        self.tx
            .execute(
                "INSERT INTO secret_sources (keychain_id, name, source, kv_version, secret_version, synced, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    &kc[..],
                    name,
                    source,
                    to_i64(kv_version),
                    to_i64(version),
                    crate::time::now(),
                    &mac[..]
                ],
            )
            .map_err(db)?;
        Ok(version)
    }
}
