//! Rows of the verification cache (one per installation). Typed access only: the MACs
//! are computed and checked by `keychain::vcache`, the entries read by `digest::cache`.

use rusqlite::{OptionalExtension, Transaction, params};

use super::Result;
use super::{Id, Vault};

/// The verification cache of one installation.
#[derive(Debug, Clone)]
pub struct CacheRow {
    /// The installation.
    pub installation_id: Id,
    /// The pinned digest the entries were verified against.
    pub digest: String,
    /// The boot the entries were seen in (`/proc/sys/kernel/random/boot_id`).
    pub boot_id: String,
    /// The encoded entries.
    pub entries: Vec<u8>,
    /// HMAC under HKDF(RK, verify-cache).
    pub mac: Vec<u8>,
    /// HMAC under HKDF(DEK, owner-verify-cache); empty when a token holder wrote it.
    pub owner_mac: Vec<u8>,
}

impl Vault {
    /// The verification cache of one installation, if it has one.
    pub fn verify_cache(&self, installation: &Id) -> Result<Option<CacheRow>> {
        self.conn
            .query_row(
                "SELECT digest, boot_id, entries, mac, owner_mac FROM verify_cache
                 WHERE installation_id = ?1",
                [&installation[..]],
                |r| {
                    Ok(CacheRow {
                        installation_id: *installation,
                        digest: r.get(0)?,
                        boot_id: r.get(1)?,
                        entries: r.get(2)?,
                        mac: r.get(3)?,
                        owner_mac: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))
    }
}

/// Stores an installation's verification cache, replacing the one it had. Writes
/// nothing when the installation no longer exists (uninstalled meanwhile).
pub fn put_verify_cache(tx: &Transaction<'_>, row: &CacheRow) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO verify_cache
             (installation_id, digest, boot_id, entries, mac, owner_mac)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM installations WHERE id = ?1)",
        params![
            &row.installation_id[..],
            row.digest,
            row.boot_id,
            row.entries,
            row.mac,
            row.owner_mac
        ],
    )
    .map(drop)
}
