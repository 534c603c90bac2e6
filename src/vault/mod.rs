//! The vault: one SQLite file holding keychains, tokens and sealed secrets.
//!
//! This module owns the file (creation with safe permissions, recognising foreign or
//! corrupt files, pragmas, migrations) and typed row access. It does not decide who
//! may do what (`session`) and never sees plaintext master keys' sources (`keystore`).

pub mod cache;
mod error;
pub mod packages;
mod schema;
pub mod sources;
mod wal;

pub use error::{VaultError, VaultErrorKind};

use std::fs::{self, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::error::Error;

/// What vault functions return.
pub type Result<T, E = VaultError> = std::result::Result<T, E>;

/// The result of a closure run inside [`Vault::write`]: domain code, with the crate's
/// error (which a [`VaultError`] turns into).
type TxResult<T> = std::result::Result<T, Error>;

/// Ids of keychains and tokens: 16 random bytes.
pub type Id = [u8; 16];

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open vault file.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    /// Opened read-only because the disk is full: every write is refused up front.
    disk_full: bool,
    /// Random id fixed at creation; the HKDF salt and part of every AAD.
    pub id: Id,
}

/// A keychain row: wrapped keys, not usable without the KEK or a token.
#[derive(Debug, Clone)]
pub struct KeychainRow {
    /// Random id.
    pub id: Id,
    /// User-facing name.
    pub name: String,
    /// Unix seconds.
    pub created: i64,
    /// DEK sealed under the KEK.
    pub dek: Vec<u8>,
    /// RK sealed under the KEK.
    pub rk: Vec<u8>,
    /// Binds `name` to `id` under the master key (empty in rows from before schema 4).
    pub name_mac: Vec<u8>,
}

/// A secret row: the sealed value plus metadata that is not secret.
#[derive(Debug, Clone)]
pub struct SecretRow {
    /// Secret name.
    pub name: String,
    /// Starts at 1, incremented by every `set`; bound into the AAD.
    pub version: u64,
    /// Sealed value (nonce ‖ ciphertext); opaque here.
    pub value: Vec<u8>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub updated: i64,
}

/// A bearer token row.
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Token id (also inside the token string).
    pub id: Id,
    /// The keychain it opens.
    pub keychain_id: Id,
    /// HKDF-derived verifier.
    pub verifier: Vec<u8>,
    /// RK sealed under the token's key.
    pub rk: Vec<u8>,
}

/// A new random id.
pub fn new_id() -> Id {
    let mut id = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut id);
    id
}

/// The default vault location: `$XDG_DATA_HOME/keyward/vault.db`.
pub fn default_path() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("keyward").join("vault.db"))
}

impl Vault {
    /// Creates a new vault at `path`; fails if anything already exists there.
    ///
    /// `fill` runs inside the creating transaction to write meta rows and the first
    /// keychain; if it or anything else fails, the new file is removed again.
    pub fn create(
        path: &Path,
        id: Id,
        fill: impl FnOnce(&Transaction<'_>) -> TxResult<()>,
    ) -> TxResult<Vault> {
        create_parent(path)?;
        create_file(path)?;
        let result = Self::init_schema(path, id, fill);
        if result.is_err() {
            // The file is ours (create_new succeeded), so removing it loses nothing.
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        result
    }

    fn init_schema(
        path: &Path,
        id: Id,
        fill: impl FnOnce(&Transaction<'_>) -> TxResult<()>,
    ) -> TxResult<Vault> {
        let conn = connect(path)?;
        let err = |e| sql_error(path, e);
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(VaultError::at(path, VaultErrorKind::NoWal).into());
        }
        // The new vault file and its WAL: their names must outlive a power loss too.
        wal::sync_folder(path).map_err(|e| folder_sync_error(path, e))?;
        let mut vault = Vault {
            conn,
            path: path.to_owned(),
            disk_full: false,
            id,
        };
        vault.fill_new(fill)?;
        Ok(vault)
    }

    /// Writes the schema, the vault id and what `fill` adds, in one transaction.
    fn fill_new(&mut self, fill: impl FnOnce(&Transaction<'_>) -> TxResult<()>) -> TxResult<()> {
        let path = self.path.clone();
        let err = |e| sql_error(&path, e);
        let id = self.id;
        self.write(|tx| {
            tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .map_err(err)?;
            schema::migrate(tx, 0).map_err(err)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('vault_id', ?1)",
                [&id[..]],
            )
            .map_err(err)?;
            fill(tx)
        })
    }

    /// A new vault in memory, for unit tests of the layers above storage.
    #[cfg(test)]
    pub fn create_in_memory(id: Id, fill: impl FnOnce(&Transaction<'_>) -> TxResult<()>) -> Vault {
        let conn = Connection::open_in_memory().expect("an in-memory database opens");
        conn.pragma_update(None, "foreign_keys", true)
            .expect("foreign keys can be enabled");
        let mut vault = Vault {
            conn,
            path: PathBuf::from(":memory:"),
            disk_full: false,
            id,
        };
        vault
            .fill_new(fill)
            .expect("a new in-memory vault is written");
        vault
    }

    /// Opens an existing vault, refusing anything that is not one. Never writes to a
    /// file before it is known to be a keyward vault.
    pub fn open(path: &Path) -> Result<Vault> {
        match fs::metadata(path) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Err(not_a_vault(path, "it is not a regular file")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VaultError::at(path, VaultErrorKind::Missing));
            }
            Err(e) => {
                return Err(VaultError::at(
                    path,
                    VaultErrorKind::CannotRead(e.to_string()),
                ));
            }
        }
        let mut full = false;
        let wal_before = wal::before(path);
        let (conn, app_id) = match connect(path).and_then(|c| application_id(path, c)) {
            Ok(opened) => {
                wal::make_durable(path, wal_before).map_err(|e| folder_sync_error(path, e))?;
                opened
            }
            // Opening a WAL vault creates its -shm file. On a full disk that fails, but
            // what is stored can still be read: open it read-only and immutable (no
            // writer can commit while the disk is full), and every write says why not.
            Err(e) if matches!(e.kind, VaultErrorKind::DiskFull) && !wal_has_writes(path) => {
                full = true;
                application_id(path, connect_immutable(path).map_err(|_| e)?)?
            }
            Err(e) => return Err(e),
        };
        if app_id != schema::APPLICATION_ID {
            return Err(not_a_vault(
                path,
                "it is an SQLite file of another program, or empty",
            ));
        }
        let mut vault = Vault {
            conn,
            path: path.to_owned(),
            disk_full: full,
            id: [0; 16],
        };
        vault.migrate()?;
        let id = vault
            .meta("vault_id")?
            .ok_or_else(|| corrupt(path, "the vault id is missing"))?;
        vault.id = id
            .try_into()
            .map_err(|_| corrupt(path, "the vault id is malformed"))?;
        Ok(vault)
    }

    fn migrate(&mut self) -> Result<()> {
        let version = self.user_version()?;
        if version == schema::current() {
            return Ok(());
        }
        if version > schema::current() {
            return Err(VaultError::at(
                &self.path,
                VaultErrorKind::Newer {
                    found: version,
                    known: schema::current(),
                },
            ));
        }
        if version == 0 {
            return Err(corrupt(&self.path, "it has no schema version"));
        }
        let path = self.path.clone();
        let err = |e| sql_error(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        // Another process may have migrated while we waited for the lock.
        let now: i32 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        if now < schema::current() {
            schema::migrate(&tx, now).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    fn user_version(&self) -> Result<i32> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction, committing only if it succeeds.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> TxResult<T>) -> TxResult<T> {
        if self.disk_full {
            return Err(VaultError::at(&self.path, VaultErrorKind::DiskFull).into());
        }
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error(&path, e))?;
        let value = f(&tx).map_err(|mut e| {
            if e.needs_vault_path {
                e.needs_vault_path = false;
                e.message = format!("{}{}", path.display(), e.message);
            }
            e
        })?;
        tx.commit().map_err(|e| sql_error(&path, e))?;
        Ok(value)
    }

    /// Leaves this connection's committed writes in the WAL when it closes, instead of
    /// checkpointing them into the vault file (two fsyncs of the WAL, one of the file and
    /// an unlink, more than the commit itself costs). Durability is unchanged: every
    /// commit already fsynced the WAL (`synchronous=FULL`); the next command that
    /// closes normally, or the WAL reaching 64 pages, moves them into the file. Used by
    /// `run` only, after its audit entry committed, so every owner decision still
    /// leaves a vault file that is whole on its own.
    ///
    /// The WAL is kept short: the next opener rebuilds the WAL's index by reading it
    /// whole (the first connection resets `-shm`) and then counts none of it as already
    /// checkpointed, so a WAL left by every run would grow without bound and cost each
    /// later run its length. Past [`WAL_KEEP_BYTES`] it is folded into the file and
    /// emptied here (the file's and the WAL's flushes, one run in about sixteen).
    pub fn keep_wal_on_close(&self) -> Result<()> {
        if fs::metadata(wal::path(&self.path)).is_ok_and(|m| m.len() > WAL_KEEP_BYTES) {
            // Without waiting: another connection holding the WAL (`serve`, a second
            // run) would make TRUNCATE wait out the busy timeout before the package
            // starts. Busy, it folds nothing in now; a later run does.
            let err = |e| self.sql(e);
            self.conn.busy_timeout(Duration::ZERO).map_err(err)?;
            // A fold that fails loses nothing: the run record is already committed.
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            self.conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        }
        self.conn
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .map(drop)
            .map_err(|e| self.sql(e))
    }

    /// The read connection (each statement sees a consistent snapshot).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Classifies a SQLite error on this vault.
    pub fn sql(&self, e: rusqlite::Error) -> VaultError {
        sql_error(&self.path, e)
    }

    /// An integrity error naming this vault, for the layers above (exit 7).
    pub fn corrupt(&self, what: &str) -> Error {
        corrupt(&self.path, what).into()
    }

    /// Reads a `meta` value.
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Looks up a keychain by name.
    pub fn keychain(&self, name: &str) -> Result<Option<KeychainRow>> {
        self.conn
            .query_row(
                "SELECT id, name, created, dek, rk, name_mac FROM keychains WHERE name = ?1",
                [name],
                keychain_row,
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Looks up a keychain by id.
    pub fn keychain_by_id(&self, id: &Id) -> Result<Option<KeychainRow>> {
        self.conn
            .query_row(
                "SELECT id, name, created, dek, rk, name_mac FROM keychains WHERE id = ?1",
                [&id[..]],
                keychain_row,
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// All keychains, by name.
    pub fn keychains(&self) -> Result<Vec<KeychainRow>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, created, dek, rk, name_mac FROM keychains ORDER BY name")
            .map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([], keychain_row).map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql(e))
    }

    /// Number of tokens per keychain id.
    pub fn token_count(&self, keychain: &Id) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT count(*) FROM tokens WHERE keychain_id = ?1",
                [&keychain[..]],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// A token row by id.
    pub fn token(&self, id: &Id) -> Result<Option<TokenRow>> {
        self.conn
            .query_row(
                "SELECT id, keychain_id, verifier, rk FROM tokens WHERE id = ?1",
                [&id[..]],
                |r| {
                    Ok(TokenRow {
                        id: id_col(r, 0)?,
                        keychain_id: id_col(r, 1)?,
                        verifier: r.get(2)?,
                        rk: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// One secret row.
    pub fn secret(&self, keychain: &Id, name: &str) -> Result<Option<SecretRow>> {
        self.conn
            .query_row(
                "SELECT name, version, value, created, updated FROM secrets
                 WHERE keychain_id = ?1 AND name = ?2",
                rusqlite::params![&keychain[..], name],
                secret_row,
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// The names of a keychain's secrets (which keys have a value).
    pub fn secret_names(&self, keychain: &Id) -> Result<std::collections::BTreeSet<String>> {
        Ok(self
            .secrets(keychain)?
            .into_iter()
            .map(|r| r.name)
            .collect())
    }

    /// All secret rows of a keychain, by name.
    pub fn secrets(&self, keychain: &Id) -> Result<Vec<SecretRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, version, value, created, updated FROM secrets
                 WHERE keychain_id = ?1 ORDER BY name",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([&keychain[..]], secret_row)
            .map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.sql(e))
    }
}

/// Row writers, used inside [`Vault::write`].
pub mod write {
    use super::{Id, KeychainRow, TokenRow, u64_col};
    use rusqlite::{OptionalExtension, Transaction, params};

    /// Inserts or replaces a `meta` value.
    pub fn meta(tx: &Transaction<'_>, key: &str, value: &[u8]) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )
        .map(drop)
    }

    /// Deletes a `meta` value, if there is one.
    pub fn delete_meta(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<()> {
        tx.execute("DELETE FROM meta WHERE key = ?1", [key])
            .map(drop)
    }

    /// Inserts a keychain.
    pub fn keychain(tx: &Transaction<'_>, row: &KeychainRow) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO keychains (id, name, created, dek, rk, name_mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![&row.id[..], row.name, row.created, row.dek, row.rk, row.name_mac],
        )
        .map(drop)
    }

    /// Replaces a keychain's wrapped RK and name MAC (token rotation, upgrades).
    pub fn update_keychain(tx: &Transaction<'_>, row: &KeychainRow) -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE keychains SET rk = ?2, name_mac = ?3 WHERE id = ?1",
            params![&row.id[..], row.rk, row.name_mac],
        )
        .map(drop)
    }

    /// Deletes a keychain and, by cascade, its tokens and secrets.
    pub fn delete_keychain(tx: &Transaction<'_>, id: &Id) -> rusqlite::Result<usize> {
        tx.execute("DELETE FROM keychains WHERE id = ?1", [&id[..]])
    }

    /// Replaces every token of a keychain with `row` (rotation), or adds the first one.
    pub fn replace_tokens(tx: &Transaction<'_>, row: &TokenRow, now: i64) -> rusqlite::Result<()> {
        tx.execute(
            "DELETE FROM tokens WHERE keychain_id = ?1",
            [&row.keychain_id[..]],
        )?;
        tx.execute(
            "INSERT INTO tokens (id, keychain_id, verifier, rk, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![&row.id[..], &row.keychain_id[..], row.verifier, row.rk, now],
        )
        .map(drop)
    }

    /// Writes a secret at `version`, keeping its creation time if it existed.
    pub fn secret(
        tx: &Transaction<'_>,
        keychain: &Id,
        name: &str,
        version: u64,
        sealed: &[u8],
        now: i64,
    ) -> rusqlite::Result<()> {
        let version = i64::try_from(version).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO secrets (keychain_id, name, version, value, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (keychain_id, name) DO UPDATE
             SET version = excluded.version, value = excluded.value, updated = excluded.updated",
            params![&keychain[..], name, version, sealed, now],
        )
        .map(drop)
    }

    /// A secret's (version, sealed value), read inside a write transaction.
    pub fn secret_in(
        tx: &Transaction<'_>,
        keychain: &Id,
        name: &str,
    ) -> rusqlite::Result<Option<(u64, Vec<u8>)>> {
        tx.query_row(
            "SELECT version, value FROM secrets WHERE keychain_id = ?1 AND name = ?2",
            params![&keychain[..], name],
            |r| Ok((u64_col(r, 0)?, r.get(1)?)),
        )
        .optional()
    }

    /// Whether a keychain of that name exists, read inside a write transaction.
    pub fn keychain_exists(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<bool> {
        tx.query_row(
            "SELECT count(*) FROM keychains WHERE name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    }

    /// A `meta` value, read inside a write transaction.
    pub fn meta_in(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    }

    /// Deletes a secret; returns whether it existed.
    pub fn delete_secret(
        tx: &Transaction<'_>,
        keychain: &Id,
        name: &str,
    ) -> rusqlite::Result<bool> {
        tx.execute(
            "DELETE FROM secrets WHERE keychain_id = ?1 AND name = ?2",
            params![&keychain[..], name],
        )
        .map(|n| n > 0)
    }
}

/// What dynamic shell completion lists.
#[derive(Debug, Clone, Copy)]
pub enum Listed {
    /// Keychain names.
    Keychains,
    /// Packages installed in the named keychain.
    Packages,
    /// Secret names in the named keychain.
    Secrets,
}

/// Names for shell completion, from a read-only connection that unlocks nothing: the
/// vault stores names in the clear. Any failure lists nothing.
pub fn completion_names(path: &Path, what: Listed, keychain: &str) -> Vec<String> {
    let sql = match what {
        Listed::Keychains => "SELECT name FROM keychains WHERE ?1 = ?1 ORDER BY name",
        Listed::Packages => {
            "SELECT i.name FROM installations i JOIN keychains k ON k.id = i.keychain_id
             WHERE k.name = ?1 ORDER BY i.name"
        }
        Listed::Secrets => {
            "SELECT s.name FROM secrets s JOIN keychains k ON k.id = s.keychain_id
             WHERE k.name = ?1 ORDER BY s.name"
        }
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(path, flags) else {
        return Vec::new();
    };
    let Ok(mut stmt) = conn.prepare(sql) else {
        return Vec::new();
    };
    stmt.query_map([keychain], |r| r.get::<_, String>(0))
        .map(|rows| rows.flatten().collect())
        .unwrap_or_default()
}

pub(crate) fn id_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Id> {
    let bytes: Vec<u8> = row.get(idx)?;
    bytes.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Blob,
            "id is not 16 bytes".into(),
        )
    })
}

fn keychain_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeychainRow> {
    Ok(KeychainRow {
        id: id_col(r, 0)?,
        name: r.get(1)?,
        created: r.get(2)?,
        dek: r.get(3)?,
        rk: r.get(4)?,
        name_mac: r.get(5)?,
    })
}

/// A non-negative integer column; a negative one is a malformed row, never 0.
pub(crate) fn u64_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let value: i64 = row.get(idx)?;
    u64::try_from(value).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Integer,
            "a count or version is negative".into(),
        )
    })
}

fn secret_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SecretRow> {
    Ok(SecretRow {
        name: r.get(0)?,
        version: u64_col(r, 1)?,
        value: r.get(2)?,
        created: r.get(3)?,
        updated: r.get(4)?,
    })
}

fn folder_sync_error(path: &Path, e: std::io::Error) -> VaultError {
    VaultError::at(
        path,
        VaultErrorKind::Folder(format!("cannot sync the vault folder: {e}")),
    )
}

fn application_id(path: &Path, conn: Connection) -> Result<(Connection, i32)> {
    let id = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| sql_error(path, e))?;
    Ok((conn, id))
}

/// Whether a -wal file with content lies beside the vault: its writes are not in the
/// file yet, so an immutable view (which ignores the WAL) would read older state.
fn wal_has_writes(path: &Path) -> bool {
    fs::metadata(wal::path(path)).is_ok_and(|m| m.len() > 0)
}

/// A read-only view of the vault that needs no -shm file: for reads on a full disk.
fn connect_immutable(path: &Path) -> rusqlite::Result<Connection> {
    let mut uri = String::from("file:");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(char::from(b)),
        }
    }
    uri.push_str("?immutable=1");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(uri, flags)
}

/// Whether the file system holding `path` has (next to) no room left: SQLite reports
/// some full-disk failures only as a generic I/O error.
fn disk_is_full(path: &Path) -> bool {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    rustix::fs::statvfs(dir).is_ok_and(|st| st.f_bavail.saturating_mul(st.f_frsize) < 64 * 1024)
}

fn connect(path: &Path) -> Result<Connection> {
    let err = |e| sql_error(path, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    // Per-connection settings: they write nothing to the file.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(err)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(err)?;
    // A WAL left behind by `run` (see `Vault::keep_wal_on_close`) is read whole by the
    // next opener to rebuild its index: keep it short by checkpointing from 64 pages on.
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
        .map_err(err)?;
    Ok(conn)
}

/// Pages in the WAL after which a commit also checkpoints (SQLite's default is 1000).
const WAL_AUTOCHECKPOINT_PAGES: i64 = 64;

/// The longest WAL `run` leaves behind: 64 frames of a 4 KiB page and its header.
const WAL_KEEP_BYTES: u64 = WAL_AUTOCHECKPOINT_PAGES as u64 * (4096 + 24);

fn create_parent(path: &Path) -> Result<()> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    if parent.exists() {
        return Ok(());
    }
    let folder = |what: String| VaultError::at(path, VaultErrorKind::Folder(what));
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(parent)
        .map_err(|e| {
            folder(format!(
                "cannot create the vault folder {}: {e}",
                parent.display()
            ))
        })?;
    // The umask may have taken bits away; the folder we made must be exactly 0700.
    fs::set_permissions(parent, fs::Permissions::from_mode(0o700)).map_err(|e| {
        folder(format!(
            "cannot make {} private (0700): {e}",
            parent.display()
        ))
    })
}

fn create_file(path: &Path) -> Result<()> {
    let create = |what: String| VaultError::at(path, VaultErrorKind::Create(what));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match file {
        Ok(file) => file
            .set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| {
                // Ours and still empty: remove it rather than leave a readable vault behind.
                let _ = fs::remove_file(path);
                create(format!(
                    "cannot make {} private (0600): {e}",
                    path.display()
                ))
            }),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(VaultError::at(path, VaultErrorKind::Exists))
        }
        Err(e) => Err(create(format!("cannot create {}: {e}", path.display()))),
    }
}

/// Classifies a SQLite error raised inside a [`Vault::write`] closure; `write` adds the
/// vault's path when it reaches the user.
pub fn db(e: rusqlite::Error) -> VaultError {
    let mut err = sql_error(Path::new(""), e);
    err.path = None;
    err
}

/// An integrity error (exit 7) raised inside a [`Vault::write`] closure.
pub fn corrupt_in_tx(what: &str) -> Error {
    VaultError::in_tx(VaultErrorKind::Corrupt(what.to_owned())).into()
}

fn not_a_vault(path: &Path, why: &'static str) -> VaultError {
    VaultError::at(path, VaultErrorKind::NotAVault(why))
}

fn corrupt(path: &Path, what: &str) -> VaultError {
    VaultError::at(path, VaultErrorKind::Corrupt(what.to_owned()))
}

/// Classifies SQLite failures: corrupt or foreign files, a full disk, a lock held too
/// long, a file that cannot be written, anything else.
fn sql_error(path: &Path, e: rusqlite::Error) -> VaultError {
    use rusqlite::ErrorCode;
    let kind = match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => VaultErrorKind::DiskFull,
        Some(ErrorCode::SystemIoFailure | ErrorCode::CannotOpen | ErrorCode::ReadOnly)
            if disk_is_full(path) =>
        {
            VaultErrorKind::DiskFull
        }
        Some(ErrorCode::NotADatabase) => VaultErrorKind::NotAVault("it is not an SQLite database"),
        Some(ErrorCode::DatabaseCorrupt) => {
            VaultErrorKind::Corrupt("SQLite reports corruption".into())
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            VaultErrorKind::Busy(BUSY_TIMEOUT)
        }
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
            VaultErrorKind::CannotWrite(e.to_string())
        }
        _ => match e {
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..) => {
                VaultErrorKind::Corrupt("a row has the wrong shape".into())
            }
            // A keyward vault (its application id says so) without its tables was altered.
            rusqlite::Error::SqliteFailure(_, Some(ref msg))
            | rusqlite::Error::SqlInputError { ref msg, .. }
                if msg.starts_with("no such table") || msg.starts_with("no such column") =>
            {
                VaultErrorKind::Corrupt(msg.clone())
            }
            other => VaultErrorKind::Database(other.to_string()),
        },
    };
    VaultError::at(path, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::create_in_memory(new_id(), |_| Ok(()))
    }

    #[test]
    fn a_new_vault_has_its_schema_id_and_application_id() {
        let v = vault();
        assert_eq!(v.meta("vault_id").unwrap().unwrap(), v.id.to_vec());
        let app: i32 = v
            .conn()
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(app, schema::APPLICATION_ID);
        assert_eq!(v.user_version().unwrap(), schema::current());
    }

    #[test]
    fn rows_round_trip_and_a_negative_version_is_a_malformed_row_not_zero() {
        let mut v = vault();
        let kc = KeychainRow {
            id: new_id(),
            name: "default".into(),
            created: 1,
            dek: vec![1],
            rk: vec![2],
            name_mac: vec![3],
        };
        v.write(|tx| {
            write::keychain(tx, &kc).map_err(db)?;
            Ok(write::secret(tx, &kc.id, "KEY", 4, b"sealed", 5).map_err(db)?)
        })
        .unwrap();
        let row = v.secret(&kc.id, "KEY").unwrap().unwrap();
        assert_eq!(
            (row.version, row.value.as_slice()),
            (4, b"sealed".as_slice())
        );
        assert_eq!(v.keychain("default").unwrap().unwrap().name_mac, [3]);
        v.conn()
            .execute("UPDATE secrets SET version = -1", [])
            .unwrap();
        let err = v.secret(&kc.id, "KEY").unwrap_err();
        assert!(matches!(err.kind, VaultErrorKind::Corrupt(_)), "{err}");
    }

    #[test]
    fn a_write_that_fails_changes_nothing() {
        let mut v = vault();
        let err = v
            .write(|tx| {
                write::meta(tx, "k", b"v").map_err(db)?;
                Err::<(), _>(Error::general("stop"))
            })
            .unwrap_err();
        assert_eq!(err.message, "stop");
        assert!(v.meta("k").unwrap().is_none());
    }
}
