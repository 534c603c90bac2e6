//! Rows of sourced secrets: where a value came from (`openbao:MOUNT/PATH#FIELD`) and
//! which KV version was stored. Typed access only: the MAC is `keychain::sources`'s.

use rusqlite::{Transaction, params};

use super::{Id, Result, Vault, u64_col};

/// One `secret_sources` row.
#[derive(Debug, Clone)]
pub struct SourceRecord {
    /// The secret's name.
    pub name: String,
    /// `openbao:MOUNT/PATH#FIELD`.
    pub source: String,
    /// The KV version whose value was stored.
    pub kv_version: u64,
    /// The keychain's version of the secret that holds it.
    pub secret_version: u64,
    /// When the value was stored (unix seconds).
    pub synced: i64,
    /// The owner MAC.
    pub mac: Vec<u8>,
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Vault {
    /// The sourced secrets of a keychain, by name.
    pub fn sources(&self, keychain: &Id) -> Result<Vec<SourceRecord>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, source, kv_version, secret_version, synced, mac FROM secret_sources
                 WHERE keychain_id = ?1 ORDER BY name",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([&keychain[..]], |r| {
                Ok(SourceRecord {
                    name: r.get(0)?,
                    source: r.get(1)?,
                    kv_version: u64_col(r, 2)?,
                    secret_version: u64_col(r, 3)?,
                    synced: r.get(4)?,
                    mac: r.get(5)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql(e))
    }
}

/// Inserts or replaces a secret's source row.
pub fn put_source(tx: &Transaction<'_>, keychain: &Id, row: &SourceRecord) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO secret_sources
         (keychain_id, name, source, kv_version, secret_version, synced, mac)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            &keychain[..],
            row.name,
            row.source,
            i64_of(row.kv_version),
            i64_of(row.secret_version),
            row.synced,
            row.mac
        ],
    )
    .map(drop)
}

/// Deletes a secret's source row, if any.
pub fn delete_source(tx: &Transaction<'_>, keychain: &Id, name: &str) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM secret_sources WHERE keychain_id = ?1 AND name = ?2",
        params![&keychain[..], name],
    )
    .map(drop)
}
