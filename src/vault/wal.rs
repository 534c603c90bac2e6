//! The `-wal` file's directory entry, made durable by keyward itself.
//!
//! keyward's SQLite is built with `SQLITE_DISABLE_DIRSYNC` (`.cargo/config.toml`). Stock
//! SQLite fsyncs the vault's folder on the first commit of every connection, because it
//! opens the WAL with `O_CREAT` and cannot tell whether it just made it. `run` leaves its
//! WAL in place for the next run, so that was one device flush per run spent on a
//! directory that had not changed. Here the folder is fsynced only when this connection
//! is the one that met a new WAL: none before it connected, or another file since.
//!
//! No race: a WAL-mode connection holds a shared lock on the vault file from its first
//! read until it closes, and SQLite deletes a WAL only under an exclusive lock. So once
//! the connection has read, the WAL it uses cannot change under it; comparing the file's
//! identity (inode, birth time, size) before connecting and after that first
//! read catches a WAL removed and made again in between. What it cannot tell apart, an
//! empty WAL removed and made again empty on the same inode within one clock tick, is
//! durable anyway on ext4, XFS and btrfs, whose fsync of a new file logs its name too.

use std::fs::File;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, StatxFlags};

/// The identity of a file: inode number, birth time, size. Not its change time: SQLite
/// running as root fchowns the WAL to the vault's owner on open, which sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Identity {
    ino: u64,
    born: (i64, u32),
    size: u64,
}

/// What the `-wal` file was before connecting: `None` when there was none, or when the
/// file system does not report birth times (then the folder is always synced).
pub(super) fn before(vault: &Path) -> Option<Identity> {
    identity(&path(vault))
}

/// After the connection's first read: fsyncs the vault's folder unless the WAL it now
/// uses is the very file that was there before it connected.
pub(super) fn make_durable(vault: &Path, before: Option<Identity>) -> std::io::Result<()> {
    let wal = path(vault);
    match (before, identity(&wal)) {
        (Some(was), Some(now)) if was == now => Ok(()),
        _ => sync_folder(vault),
    }
}

/// The vault's `-wal` file.
pub(super) fn path(vault: &Path) -> PathBuf {
    let mut wal = vault.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

fn identity(path: &Path) -> Option<Identity> {
    let st = rustix::fs::statx(
        CWD,
        path,
        AtFlags::SYMLINK_NOFOLLOW,
        StatxFlags::INO | StatxFlags::BTIME | StatxFlags::SIZE,
    )
    .ok()?;
    if !StatxFlags::from_bits_retain(st.stx_mask).contains(StatxFlags::BTIME) {
        return None;
    }
    Some(Identity {
        ino: st.stx_ino,
        born: (st.stx_btime.tv_sec, st.stx_btime.tv_nsec),
        size: st.stx_size,
    })
}

/// fsyncs the folder holding `vault`, so the files made in it survive a power loss.
pub(super) fn sync_folder(vault: &Path) -> std::io::Result<()> {
    let folder = vault
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    File::open(folder)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wal_removed_and_made_again_is_a_new_identity() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.db");
        assert_eq!(before(&vault), None, "no WAL yet");
        std::fs::write(path(&vault), b"frames").unwrap();
        let first = before(&vault).expect("ext4 and tmpfs report birth times");
        assert_eq!(before(&vault), Some(first), "the same file");
        std::fs::remove_file(path(&vault)).unwrap();
        std::fs::write(path(&vault), b"").unwrap();
        assert_ne!(
            before(&vault),
            Some(first),
            "a new file, whatever its inode"
        );
        make_durable(&vault, Some(first)).unwrap();
        make_durable(&vault, before(&vault)).unwrap();
    }
}
