//! Dynamic shell completion of names: keychains, installed packages, secrets. Values are
//! never read: only names, which the vault stores in the clear, from a read-only
//! connection that never unlocks anything.
//!
//! Enabled with `source <(COMPLETE=bash keyward)` (zsh, fish, elvish, powershell alike);
//! the static scripts in `completions/` complete commands and flags only.

use std::path::PathBuf;

use clap_complete::CompletionCandidate;
use rusqlite::{Connection, OpenFlags};

fn vault_path() -> Option<PathBuf> {
    std::env::var_os("KEYWARD_VAULT")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(crate::vault::default_path)
}

/// Runs `sql` (one text column, `?1` = the keychain name) against the vault read-only.
fn names(sql: &str) -> Vec<CompletionCandidate> {
    let Some(path) = vault_path() else {
        return Vec::new();
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(path, flags) else {
        return Vec::new();
    };
    let keychain = std::env::var("KEYWARD_KEYCHAIN").unwrap_or_else(|_| "default".into());
    let Ok(mut stmt) = conn.prepare(sql) else {
        return Vec::new();
    };
    let rows = stmt.query_map(
        rusqlite::params_from_iter(sql.contains("?1").then_some(&keychain)),
        |r| r.get::<_, String>(0),
    );
    rows.map(|rows| rows.flatten().map(CompletionCandidate::new).collect())
        .unwrap_or_default()
}

/// Keychain names.
pub fn keychains() -> Vec<CompletionCandidate> {
    names("SELECT name FROM keychains ORDER BY name")
}

/// Packages installed in the current keychain (`KEYWARD_KEYCHAIN` or `default`).
pub fn packages() -> Vec<CompletionCandidate> {
    names(
        "SELECT i.name FROM installations i JOIN keychains k ON k.id = i.keychain_id
         WHERE k.name = ?1 ORDER BY i.name",
    )
}

/// Secret names in the current keychain.
pub fn secrets() -> Vec<CompletionCandidate> {
    names(
        "SELECT s.name FROM secrets s JOIN keychains k ON k.id = s.keychain_id
         WHERE k.name = ?1 ORDER BY s.name",
    )
}
