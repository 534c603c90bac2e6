//! Rows of installed packages, grants, shared copies and the audit log. Typed access
//! only: MACs are computed and checked by `grants` and `audit`, not here.

use rusqlite::{OptionalExtension, Transaction, params};

use super::Result;
use super::{Id, Vault, id_col, u64_col};

/// An installed package in one keychain.
#[derive(Debug, Clone)]
pub struct InstallationRow {
    /// Random id.
    pub id: Id,
    /// Owning keychain.
    pub keychain_id: Id,
    /// The manifest's `name`.
    pub name: String,
    /// Absolute package directory.
    pub path: String,
    /// The manifest's `version` at pin time.
    pub version: String,
    /// The exact manifest bytes that were hashed at pin time.
    pub manifest: Vec<u8>,
    /// Pinned `kw1:` digest.
    pub digest: String,
    /// JSON of the pinned tree's entries, to explain later changes file by file.
    pub files: Vec<u8>,
    /// Why its grants were revoked (`changed`), or `None` while active.
    pub revoked_reason: Option<String>,
    /// When that happened.
    pub revoked_at: Option<i64>,
    /// Bumped by every revocation and re-pin. Grant MACs include it, so a grant row
    /// saved before a revocation and written back later no longer verifies.
    pub generation: u64,
    /// First install, unix seconds.
    pub installed: i64,
    /// Last pin, unix seconds.
    pub updated: i64,
    /// HMAC under the keychain's grant key (RK-derived): token holders can make it.
    pub mac: Vec<u8>,
    /// HMAC under the owner grant key (DEK-derived) of everything but the revocation,
    /// which token holders may record: only the owner can make it.
    pub owner_mac: Vec<u8>,
}

/// One approved key of one installation.
#[derive(Debug, Clone)]
pub struct GrantRow {
    /// The installation.
    pub installation_id: Id,
    /// The key name.
    pub key: String,
    /// Unix seconds.
    pub created: i64,
    /// HMAC binding keychain, installation, key and the pinned digest (RK-derived key).
    pub mac: Vec<u8>,
    /// The same MAC under a key derived from the DEK: token holders (who hold the RK)
    /// cannot forge it, so only grants the owner made can earn a shared copy.
    pub owner_mac: Vec<u8>,
}

/// One audit entry.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// 1, 2, 3, … per keychain.
    pub seq: u64,
    /// Unix seconds.
    pub at: i64,
    /// `install`, `approve`, `run`, …
    pub action: String,
    /// Package name, when the entry concerns one.
    pub package: Option<String>,
    /// JSON detail: names, digests, statuses.
    pub detail: String,
    /// Chained HMAC.
    pub mac: Vec<u8>,
}

/// How one installation is looked up.
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    /// The manifest's name.
    Name(&'a str),
    /// The canonical package directory.
    Path(&'a str),
}

const INSTALLATION_COLS: &str = "id, keychain_id, name, path, version, manifest, digest, files, \
     revoked_reason, revoked_at, generation, installed, updated, mac, owner_mac";

fn installation_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InstallationRow> {
    Ok(InstallationRow {
        id: id_col(r, 0)?,
        keychain_id: id_col(r, 1)?,
        name: r.get(2)?,
        path: r.get(3)?,
        version: r.get(4)?,
        manifest: r.get(5)?,
        digest: r.get(6)?,
        files: r.get(7)?,
        revoked_reason: r.get(8)?,
        revoked_at: r.get(9)?,
        generation: u64_col(r, 10)?,
        installed: r.get(11)?,
        updated: r.get(12)?,
        mac: r.get(13)?,
        owner_mac: r.get(14)?,
    })
}

fn grant_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GrantRow> {
    Ok(GrantRow {
        installation_id: id_col(r, 0)?,
        key: r.get(1)?,
        created: r.get(2)?,
        mac: r.get(3)?,
        owner_mac: r.get(4)?,
    })
}

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: u64_col(r, 0)?,
        at: r.get(1)?,
        action: r.get(2)?,
        package: r.get(3)?,
        detail: r.get(4)?,
        mac: r.get(5)?,
    })
}

impl Vault {
    /// All installations of a keychain, by name.
    pub fn installations(&self, keychain: &Id) -> Result<Vec<InstallationRow>> {
        let sql = format!(
            "SELECT {INSTALLATION_COLS} FROM installations WHERE keychain_id = ?1 ORDER BY name"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([&keychain[..]], installation_row)
            .map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql(e))
    }

    /// One installation of a keychain, by manifest name or by package path.
    pub fn installation(&self, keychain: &Id, by: By<'_>) -> Result<Option<InstallationRow>> {
        let (column, value) = match by {
            By::Name(name) => ("name", name),
            By::Path(path) => ("path", path),
        };
        let sql = format!(
            "SELECT {INSTALLATION_COLS} FROM installations WHERE keychain_id = ?1 AND {column} = ?2 \
             ORDER BY name LIMIT 1"
        );
        self.conn
            .query_row(&sql, params![&keychain[..], value], installation_row)
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// The grant rows of one installation.
    pub fn grants_of(&self, installation: &Id) -> Result<Vec<GrantRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT installation_id, key, created, mac, owner_mac FROM grants
                 WHERE installation_id = ?1 ORDER BY key",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([&installation[..]], grant_row)
            .map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql(e))
    }

    /// Every grant row of a keychain's installations.
    pub fn grants(&self, keychain: &Id) -> Result<Vec<GrantRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT g.installation_id, g.key, g.created, g.mac, g.owner_mac FROM grants g
                 JOIN installations i ON i.id = g.installation_id
                 WHERE i.keychain_id = ?1 ORDER BY g.key",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([&keychain[..]], grant_row)
            .map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql(e))
    }

    /// The shared copy of a key: (secret version, sealed value).
    pub fn shared(&self, keychain: &Id, name: &str) -> Result<Option<(u64, Vec<u8>)>> {
        self.conn
            .query_row(
                "SELECT version, value FROM shared WHERE keychain_id = ?1 AND name = ?2",
                params![&keychain[..], name],
                |r| Ok((u64_col(r, 0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// (name, version) of every shared copy of a keychain.
    pub fn shared_versions(&self, keychain: &Id) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, version FROM shared WHERE keychain_id = ?1")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([&keychain[..]], |r| Ok((r.get(0)?, u64_col(r, 1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql(e))
    }

    /// The audit log of a keychain, oldest first.
    pub fn audit(&self, keychain: &Id) -> Result<Vec<AuditRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at, action, package, detail, mac FROM audit
                 WHERE keychain_id = ?1 ORDER BY seq",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([&keychain[..]], audit_row)
            .map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql(e))
    }
}

/// One installation by id, read inside a write transaction.
pub fn installation_in(tx: &Transaction<'_>, id: &Id) -> rusqlite::Result<Option<InstallationRow>> {
    tx.query_row(
        &format!("SELECT {INSTALLATION_COLS} FROM installations WHERE id = ?1"),
        [&id[..]],
        installation_row,
    )
    .optional()
}

/// Inserts or replaces an installation (by id).
pub fn put_installation(tx: &Transaction<'_>, row: &InstallationRow) -> rusqlite::Result<()> {
    tx.execute(
        &format!("INSERT OR REPLACE INTO installations ({INSTALLATION_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        params![
            &row.id[..],
            &row.keychain_id[..],
            row.name,
            row.path,
            row.version,
            row.manifest,
            row.digest,
            row.files,
            row.revoked_reason,
            row.revoked_at,
            i64::try_from(row.generation).unwrap_or(i64::MAX),
            row.installed,
            row.updated,
            row.mac,
            row.owner_mac
        ],
    )
    .map(drop)
}

/// Deletes an installation and, by cascade, its grants.
pub fn delete_installation(tx: &Transaction<'_>, id: &Id) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM installations WHERE id = ?1", [&id[..]])
        .map(drop)
}

/// Inserts a grant (replacing one for the same key).
pub fn put_grant(tx: &Transaction<'_>, row: &GrantRow) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO grants (installation_id, key, created, mac, owner_mac)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            &row.installation_id[..],
            row.key,
            row.created,
            row.mac,
            row.owner_mac
        ],
    )
    .map(drop)
}

/// Deletes grants of an installation: one key, or all when `key` is `None`.
pub fn delete_grants(
    tx: &Transaction<'_>,
    installation: &Id,
    key: Option<&str>,
) -> rusqlite::Result<()> {
    match key {
        Some(key) => tx.execute(
            "DELETE FROM grants WHERE installation_id = ?1 AND key = ?2",
            params![&installation[..], key],
        ),
        None => tx.execute(
            "DELETE FROM grants WHERE installation_id = ?1",
            [&installation[..]],
        ),
    }
    .map(drop)
}

/// A grant row with what its MAC is checked against: its installation's pin.
pub struct KeyGrant {
    /// The row.
    pub grant: GrantRow,
    /// The installation's pinned digest.
    pub digest: String,
    /// Whether the installation is revoked.
    pub revoked: bool,
    /// The installation's generation.
    pub generation: u64,
}

/// Every grant row of an installation, verified or not.
pub fn grants_of_installation(
    tx: &Transaction<'_>,
    installation: &Id,
) -> rusqlite::Result<Vec<GrantRow>> {
    let mut stmt = tx.prepare(
        "SELECT installation_id, key, created, mac, owner_mac FROM grants WHERE installation_id = ?1",
    )?;
    let rows = stmt.query_map([&installation[..]], grant_row)?;
    rows.collect()
}

/// The keys of every grant row of an installation, verified or not.
pub fn grant_keys(
    tx: &Transaction<'_>,
    installation: &Id,
) -> rusqlite::Result<std::collections::BTreeSet<String>> {
    let mut stmt = tx.prepare("SELECT key FROM grants WHERE installation_id = ?1")?;
    let rows = stmt.query_map([&installation[..]], |r| r.get(0))?;
    rows.collect()
}

/// Every grant row for `key` in a keychain, with its installation's pinned digest and
/// revocation: what is needed to check the grant's MACs inside a transaction.
pub fn grants_of_key(
    tx: &Transaction<'_>,
    keychain: &Id,
    key: &str,
) -> rusqlite::Result<Vec<KeyGrant>> {
    let mut stmt = tx.prepare(
        "SELECT g.installation_id, g.key, g.created, g.mac, g.owner_mac, i.digest, i.revoked_reason,
                i.generation
         FROM grants g JOIN installations i ON i.id = g.installation_id
         WHERE i.keychain_id = ?1 AND g.key = ?2",
    )?;
    let rows = stmt.query_map(params![&keychain[..], key], |r| {
        Ok(KeyGrant {
            grant: grant_row(r)?,
            digest: r.get(5)?,
            revoked: r.get::<_, Option<String>>(6)?.is_some(),
            generation: u64_col(r, 7)?,
        })
    })?;
    rows.collect()
}

/// Writes the shared copy of a key.
pub fn put_shared(
    tx: &Transaction<'_>,
    keychain: &Id,
    name: &str,
    version: u64,
    sealed: &[u8],
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO shared (keychain_id, name, version, value) VALUES (?1, ?2, ?3, ?4)",
        params![
            &keychain[..],
            name,
            i64::try_from(version).unwrap_or(i64::MAX),
            sealed
        ],
    )
    .map(drop)
}

/// Deletes the shared copy of a key.
pub fn delete_shared(tx: &Transaction<'_>, keychain: &Id, name: &str) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM shared WHERE keychain_id = ?1 AND name = ?2",
        params![&keychain[..], name],
    )
    .map(drop)
}

/// The newest audit entry of a keychain: (seq, mac).
pub fn audit_tail(tx: &Transaction<'_>, keychain: &Id) -> rusqlite::Result<Option<(u64, Vec<u8>)>> {
    tx.query_row(
        "SELECT seq, mac FROM audit WHERE keychain_id = ?1 ORDER BY seq DESC LIMIT 1",
        [&keychain[..]],
        |r| Ok((u64_col(r, 0)?, r.get(1)?)),
    )
    .optional()
}

/// Appends an audit row.
pub fn put_audit(tx: &Transaction<'_>, keychain: &Id, row: &AuditRow) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit (keychain_id, seq, at, action, package, detail, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            &keychain[..],
            i64::try_from(row.seq).unwrap_or(i64::MAX),
            row.at,
            row.action,
            row.package,
            row.detail,
            row.mac
        ],
    )
    .map(drop)
}

/// Every installation of a keychain, read inside a write transaction.
pub fn installations_in(
    tx: &Transaction<'_>,
    keychain: &Id,
) -> rusqlite::Result<Vec<InstallationRow>> {
    let sql = format!("SELECT {INSTALLATION_COLS} FROM installations WHERE keychain_id = ?1");
    let mut stmt = tx.prepare(&sql)?;
    let rows = stmt.query_map([&keychain[..]], installation_row)?;
    rows.collect()
}

/// Every grant of a keychain's installations, read inside a write transaction.
pub fn grants_in(tx: &Transaction<'_>, keychain: &Id) -> rusqlite::Result<Vec<GrantRow>> {
    let mut stmt = tx.prepare(
        "SELECT g.installation_id, g.key, g.created, g.mac, g.owner_mac FROM grants g
         JOIN installations i ON i.id = g.installation_id WHERE i.keychain_id = ?1",
    )?;
    let rows = stmt.query_map([&keychain[..]], grant_row)?;
    rows.collect()
}

/// Replaces the RK MAC of one grant.
pub fn set_grant_mac(tx: &Transaction<'_>, grant: &GrantRow) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE grants SET mac = ?3 WHERE installation_id = ?1 AND key = ?2",
        params![&grant.installation_id[..], grant.key, grant.mac],
    )
    .map(drop)
}

/// Every shared copy of a keychain: (name, version, sealed value).
pub fn shared_in(
    tx: &Transaction<'_>,
    keychain: &Id,
) -> rusqlite::Result<Vec<(String, u64, Vec<u8>)>> {
    let mut stmt = tx.prepare("SELECT name, version, value FROM shared WHERE keychain_id = ?1")?;
    let rows = stmt.query_map([&keychain[..]], |r| {
        Ok((r.get(0)?, u64_col(r, 1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// A keychain's audit log, oldest first, read inside a write transaction.
pub fn audit_in(tx: &Transaction<'_>, keychain: &Id) -> rusqlite::Result<Vec<AuditRow>> {
    let mut stmt = tx.prepare(
        "SELECT seq, at, action, package, detail, mac FROM audit WHERE keychain_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([&keychain[..]], audit_row)?;
    rows.collect()
}

/// Replaces the MAC of one audit entry (re-chaining under a new RK).
pub fn set_audit_mac(
    tx: &Transaction<'_>,
    keychain: &Id,
    seq: u64,
    mac: &[u8],
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE audit SET mac = ?3 WHERE keychain_id = ?1 AND seq = ?2",
        params![&keychain[..], i64::try_from(seq).unwrap_or(i64::MAX), mac],
    )
    .map(drop)
}

/// Replaces the RK MAC of one installation (an UPDATE: a REPLACE would delete its
/// grants by cascade).
pub fn set_installation_mac(tx: &Transaction<'_>, row: &InstallationRow) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE installations SET mac = ?2 WHERE id = ?1",
        params![&row.id[..], row.mac],
    )
    .map(drop)
}
