//! Narrowing the window between verification and launch (hardening item 10).
//!
//! `run` hashes the package tree, then launches it. Without more, a file renamed over
//! the entry point after it was hashed runs with the keys. [`Guard`] is opened *before*
//! the tree is hashed and checked right before the package is spawned:
//!
//! - The entry point (the first `./` element of the manifest's `run`) is opened and
//!   held. An ELF entry point that is the program itself is executed through that
//!   descriptor (`/proc/self/fd/N`, `argv[0]` kept), so a rename after the check
//!   changes nothing. A script (or a `./` argument of an interpreter) is opened again by
//!   name by its interpreter, so right before spawning its path must still be the held
//!   inode, unchanged (ctime, mtime, size, mode), and the held content must hash to the
//!   pinned SHA-256 with the pinned exec bit.
//! - For small trees (the ones `run` hashes on one thread) every file, folder and
//!   symlink is held from before hashing, and right before spawning each path must
//!   still be the same inode, not modified since.
//!
//! A mismatch is `package-changed` (exit 125), without revoking: the next run hashes
//! the tree again and revokes if it differs. What remains is in docs/deliver.md.

use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, Mode, OFlags, Stat};
use sha2::{Digest, Sha256};

use crate::digest::{Entry, EntryKind};
use crate::manifest::Manifest;

/// Trees at most this many entries and bytes are held whole (what `run` hashes on one
/// thread: holding them costs well under a millisecond).
pub const SMALL_ENTRIES: usize = 64;
pub const SMALL_BYTES: u64 = 1 << 20;

/// What a held inode looked like when it was opened.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Identity {
    dev: u64,
    ino: u64,
    mode: u32,
    size: i64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Identity {
    fn of(st: &Stat) -> Self {
        #[allow(clippy::unnecessary_cast)] // the field types differ between targets
        Identity {
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            mode: st.st_mode as u32,
            size: st.st_size as i64,
            mtime: (st.st_mtime as i64, st.st_mtime_nsec as i64),
            ctime: (st.st_ctime as i64, st.st_ctime_nsec as i64),
        }
    }
}

/// One path of the tree, held open (files and folders) or stat'ed (symlinks).
struct Held {
    rel: String,
    path: PathBuf,
    fd: Option<OwnedFd>,
    id: Identity,
}

/// The entry point, held open from before hashing.
struct EntryPoint {
    rel: String,
    path: PathBuf,
    file: File,
    id: Identity,
    /// An ELF binary that is `argv[0]`: executed through the descriptor.
    exec_fd: bool,
}

/// Held descriptors of a package, from before its tree is hashed until its launch.
#[derive(Default)]
pub struct Guard {
    entry: Option<EntryPoint>,
    tree: Vec<Held>,
}

impl Guard {
    /// Opens the entry point of `manifest` in `dir` and, for small pinned trees, every
    /// path of the tree. Call it before hashing. Paths that cannot be opened are left
    /// out (hashing then fails, or finds the change).
    pub fn open(dir: &Path, manifest: &Manifest, pinned: &[Entry]) -> Self {
        let entry = manifest
            .run
            .iter()
            .enumerate()
            .find_map(|(i, a)| Some((i, a.strip_prefix("./")?)))
            .and_then(|(i, rel)| open_entry(dir, rel, i == 0));
        let small = pinned.len() <= SMALL_ENTRIES
            && pinned.iter().map(|e| e.size).sum::<u64>() <= SMALL_BYTES;
        let tree = if small {
            pinned.iter().filter_map(|e| hold(dir, e)).collect()
        } else {
            Vec::new()
        };
        Guard { entry, tree }
    }

    /// The program to execute and the `argv[0]` it gets: the held descriptor for an
    /// ELF entry point, else `argv[0]` itself.
    pub fn program(&self, argv0: &OsString) -> (OsString, Option<OsString>) {
        match &self.entry {
            Some(e) if e.exec_fd => (
                format!("/proc/self/fd/{}", e.file.as_raw_fd()).into(),
                Some(argv0.clone()),
            ),
            _ => (argv0.clone(), None),
        }
    }

    /// Right before spawning: every held path is still the inode that was held, not
    /// modified since; a script entry point still holds the pinned content. `Err`
    /// names the first path that changed.
    pub fn recheck(&self, pinned: &[Entry]) -> Result<(), String> {
        for h in &self.tree {
            let now = match &h.fd {
                Some(fd) => rustix::fs::fstat(fd).ok().map(|s| Identity::of(&s)),
                None => Some(h.id),
            };
            if now != Some(h.id) || !same_inode(&h.path, &h.id) {
                return Err(h.rel.clone());
            }
        }
        let Some(e) = &self.entry else {
            return Ok(());
        };
        let now = rustix::fs::fstat(e.file.as_fd())
            .ok()
            .map(|s| Identity::of(&s));
        if now != Some(e.id) {
            return Err(e.rel.clone());
        }
        if e.exec_fd {
            // What runs is the held descriptor, which was not modified since it was opened.
            return Ok(());
        }
        if !same_inode(&e.path, &e.id) || !content_matches(e, pinned) {
            return Err(e.rel.clone());
        }
        Ok(())
    }
}

fn open_entry(dir: &Path, rel: &str, is_program: bool) -> Option<EntryPoint> {
    let path = dir.join(rel);
    let fd = rustix::fs::openat(
        CWD,
        &path,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    )
    .ok()?;
    let st = rustix::fs::fstat(&fd).ok()?;
    if rustix::fs::FileType::from_raw_mode(st.st_mode) != rustix::fs::FileType::RegularFile {
        return None;
    }
    let mut file = File::from(fd);
    let mut magic = [0u8; 4];
    let elf = file.read_exact(&mut magic).is_ok() && magic == *b"\x7fELF";
    let exec_fd = elf && is_program && Path::new("/proc/self/fd").is_dir();
    Some(EntryPoint {
        rel: rel.to_owned(),
        path,
        file,
        id: Identity::of(&st),
        exec_fd,
    })
}

fn hold(dir: &Path, e: &Entry) -> Option<Held> {
    let path = dir.join(&e.path);
    let (fd, st) = match e.kind {
        EntryKind::Symlink { .. } => {
            let st = rustix::fs::statat(CWD, &path, AtFlags::SYMLINK_NOFOLLOW).ok()?;
            (None, st)
        }
        EntryKind::Dir | EntryKind::File { .. } => {
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
            let fd = rustix::fs::openat(CWD, &path, flags, Mode::empty()).ok()?;
            let st = rustix::fs::fstat(&fd).ok()?;
            (Some(fd), st)
        }
    };
    Some(Held {
        rel: e.path.clone(),
        path,
        fd,
        id: Identity::of(&st),
    })
}

/// Whether `path` (not followed) is still the inode `id` names, unmodified.
fn same_inode(path: &Path, id: &Identity) -> bool {
    rustix::fs::statat(CWD, path, AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|s| Identity::of(&s) == *id)
}

/// Whether the held entry point hashes to its pinned content and exec bit.
fn content_matches(e: &EntryPoint, pinned: &[Entry]) -> bool {
    let Some(pin) = pinned.iter().find(|p| p.path == e.rel) else {
        return false;
    };
    let EntryKind::File { exec } = pin.kind else {
        return false;
    };
    if exec != (e.id.mode & 0o100 != 0) {
        return false;
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut offset = 0u64;
    loop {
        match e.file.read_at(&mut buf, offset) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                offset += n as u64;
            }
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    offset == pin.size && crate::token::hex(&hasher.finalize()) == pin.sha256
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A package running `run`, with `lib/util.sh`; its guard and pinned entries.
    fn package(run: &str, entry: &[u8]) -> (tempfile::TempDir, Manifest, Vec<Entry>) {
        let dir = tempfile::tempdir().unwrap();
        let manifest = format!(r#"{{"name": "g", "version": "1", "run": {run}}}"#);
        fs::write(dir.path().join("instant.package.json"), &manifest).unwrap();
        fs::write(dir.path().join("run.sh"), entry).unwrap();
        fs::set_permissions(dir.path().join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::create_dir(dir.path().join("lib")).unwrap();
        fs::write(dir.path().join("lib/util.sh"), "echo util\n").unwrap();
        let m = crate::manifest::parse(manifest.as_bytes(), &dir.path().join("x")).unwrap();
        let opts = crate::digest::Options {
            progress: false,
            small: true,
        };
        let tree = crate::digest::digest_tree(dir.path(), &opts).unwrap();
        (dir, m, tree.entries)
    }

    const SCRIPT: &[u8] = b"#!/bin/sh\necho good\n";

    #[test]
    fn an_untouched_tree_passes() {
        let (dir, m, pinned) = package(r#"["./run.sh"]"#, SCRIPT);
        let guard = Guard::open(dir.path(), &m, &pinned);
        assert!(guard.recheck(&pinned).is_ok());
        let (program, arg0) = guard.program(&"x/run.sh".into());
        assert_eq!(
            (program, arg0),
            ("x/run.sh".into(), None),
            "a script runs by name"
        );
    }

    #[test]
    fn a_file_renamed_over_the_entry_point_is_caught() {
        let (dir, m, pinned) = package(r#"["./run.sh"]"#, SCRIPT);
        let guard = Guard::open(dir.path(), &m, &pinned);
        // Without the tree held (a large tree), the entry point itself is still checked.
        let entry_only = Guard {
            entry: Guard::open(dir.path(), &m, &pinned).entry,
            tree: Vec::new(),
        };
        let evil = dir.path().join("..evil");
        fs::write(&evil, b"#!/bin/sh\necho EVIL\n").unwrap();
        fs::rename(&evil, dir.path().join("run.sh")).unwrap();
        assert_eq!(
            guard.recheck(&pinned),
            Err(String::new()),
            "the root folder changed first"
        );
        assert_eq!(entry_only.recheck(&pinned), Err("run.sh".into()));
    }

    #[test]
    fn a_script_modified_in_place_or_a_file_added_is_caught() {
        let (dir, m, pinned) = package(r#"["sh", "./run.sh"]"#, SCRIPT);
        let guard = Guard::open(dir.path(), &m, &pinned);
        fs::write(dir.path().join("run.sh"), b"#!/bin/sh\necho EVIL\n").unwrap();
        assert_eq!(guard.recheck(&pinned), Err("run.sh".into()));
        let entry_only = Guard {
            entry: Guard::open(dir.path(), &m, &pinned).entry,
            tree: Vec::new(),
        };
        assert_eq!(
            entry_only.recheck(&pinned),
            Err("run.sh".into()),
            "held after the change: its content is not the pinned content"
        );
        let (dir, m, pinned) = package(r#"["sh", "./run.sh"]"#, SCRIPT);
        let guard = Guard::open(dir.path(), &m, &pinned);
        fs::write(dir.path().join("lib/sitecustomize.py"), b"x").unwrap();
        assert_eq!(guard.recheck(&pinned), Err("lib".into()));
    }

    #[test]
    fn an_elf_entry_point_runs_through_its_descriptor() {
        let elf = fs::read("/bin/true").unwrap();
        let (dir, m, pinned) = package(r#"["./run.sh"]"#, &elf);
        let guard = Guard::open(dir.path(), &m, &pinned);
        let (program, arg0) = guard.program(&"pkg/run.sh".into());
        assert!(
            program.to_string_lossy().starts_with("/proc/self/fd/"),
            "{program:?}"
        );
        assert_eq!(arg0, Some("pkg/run.sh".into()));
        assert!(guard.recheck(&pinned).is_ok());
    }
}
