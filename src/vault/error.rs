//! What went wrong with the vault file, as data: the path and a kind. No hints and no
//! exit codes here: `crate::error` turns a [`VaultError`] into what the user reads.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A failure of the vault file.
#[derive(Debug)]
pub struct VaultError {
    /// The vault file; `None` when raised inside a write transaction, whose caller
    /// (`Vault::write`) names it.
    pub path: Option<PathBuf>,
    /// What failed.
    pub kind: VaultErrorKind,
}

/// What failed.
#[derive(Debug)]
pub enum VaultErrorKind {
    /// Nothing at the path.
    Missing,
    /// The path exists but cannot be read.
    CannotRead(String),
    /// Not a keyward vault (a directory, another program's SQLite file, random bytes).
    NotAVault(&'static str),
    /// A keyward vault whose content does not hold together.
    Corrupt(String),
    /// Another process held the write lock longer than the busy timeout.
    Busy(Duration),
    /// The file or its folder cannot be written.
    CannotWrite(String),
    /// No room left on the disk.
    DiskFull,
    /// Written by a newer keyward.
    Newer {
        /// Its schema version.
        found: i32,
        /// The newest this build knows.
        known: i32,
    },
    /// The file system cannot hold a WAL-mode database.
    NoWal,
    /// `init` found a file where the vault would go.
    Exists,
    /// A folder for the vault could not be made (or made private).
    Folder(String),
    /// The new file could not be created (or made private).
    Create(String),
    /// Any other SQLite failure.
    Database(String),
}

impl VaultError {
    /// An error about the file at `path`.
    pub fn at(path: &Path, kind: VaultErrorKind) -> Self {
        VaultError {
            path: Some(path.to_owned()),
            kind,
        }
    }

    /// An error raised inside a write transaction (its path is added by the caller).
    pub fn in_tx(kind: VaultErrorKind) -> Self {
        VaultError { path: None, kind }
    }
}

impl fmt::Display for VaultError {
    /// One line naming the path; inside a transaction the text is written so that the
    /// path can be put in front of it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self
            .path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        match &self.kind {
            VaultErrorKind::Missing => write!(f, "no vault at {p}"),
            VaultErrorKind::CannotRead(e) => write!(f, "cannot read {p}: {e}"),
            VaultErrorKind::NotAVault(why) => write!(f, "{p} is not a keyward vault: {why}"),
            VaultErrorKind::Corrupt(what) => {
                write!(f, "{p} is corrupt or was tampered with: {what}")
            }
            VaultErrorKind::Busy(wait) => write!(
                f,
                "{p} stayed locked by another keyward process for {}s",
                wait.as_secs()
            ),
            VaultErrorKind::CannotWrite(e) => write!(f, "{p}: cannot write it: {e}"),
            VaultErrorKind::DiskFull => write!(f, "{p}: disk full; nothing changed"),
            VaultErrorKind::Newer { found, known } => write!(
                f,
                "{p} was written by a newer keyward (schema {found}, this one knows {known})"
            ),
            VaultErrorKind::NoWal => {
                write!(f, "{p}: the file system does not support SQLite's WAL mode")
            }
            VaultErrorKind::Exists => write!(
                f,
                "a file already exists at {p}; init never overwrites a vault"
            ),
            VaultErrorKind::Folder(e) | VaultErrorKind::Create(e) => write!(f, "{e}"),
            VaultErrorKind::Database(e) => write!(f, "{p}: database error: {e}"),
        }
    }
}

impl std::error::Error for VaultError {}
