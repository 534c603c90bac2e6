//! The `kw1` package digest: a SHA-256 over a canonical encoding of a package's tree.
//!
//! This module owns the walk of a package directory, the rules on what a package may
//! contain (no escaping symlinks, no FIFOs, sockets or devices, UTF-8 names, size
//! limits), the parallel hashing of its files, the `kw1` encoding itself (a contract
//! other implementations must match byte for byte, see DESIGN.md "Package digest"),
//! and the file-level diff between two digests' entry lists.
//!
//! The manifest is captured while it is hashed, so the bytes that are parsed are the
//! bytes that were pinned: nothing can swap the manifest between hashing and parsing.

use std::collections::BTreeMap;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub mod cache;
mod error;
mod hash;
mod walk;

pub use cache::{Cached, Known, digest_tree_cached};
pub use error::{DigestError, SpecialKind};

use hash::Hashing;
use walk::{Node, NodeKind, OnFile, Walker};

/// Why [`TreeDigest::manifest`] is `None`: what, if anything, is at the manifest's
/// place, so that the caller can say more than "does not exist".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestMissing {
    /// There is no top-level [`MANIFEST_FILE`].
    Absent,
    /// It is a symlink, hashed as a link and never followed: the manifest must be the
    /// file itself, so that the bytes parsed are the bytes hashed.
    Symlink {
        /// The link's target as stored (relative, inside the package).
        target: String,
    },
    /// It is not a regular file: a folder (anything else fails the digest).
    NotAFile,
}

/// The manifest's file name, at the package root.
pub const MANIFEST_FILE: &str = "instant.package.json";

/// The prefix of every `kw1` digest string.
pub const DIGEST_PREFIX: &str = "kw1:";

/// Domain separation, so that no other SHA-256 input can be mistaken for a tree.
const DOMAIN: &[u8] = b"keyward-tree-v1\0";

/// What a tree entry is, as recorded in the digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum EntryKind {
    /// A directory (the root included).
    Dir,
    /// A regular file; `exec` is the owner's execute bit.
    File {
        /// `mode & 0o100`.
        exec: bool,
    },
    /// A symbolic link, recorded by its target and never followed.
    Symlink {
        /// The link's target as stored, always relative and inside the package.
        target: String,
    },
}

/// One record of the digest, kept so that two digests can be compared file by file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Names from the root joined by `/`; the root is `""`.
    pub path: String,
    /// What the entry is.
    pub kind: EntryKind,
    /// The file's size in bytes; 0 for directories and symlinks.
    pub size: u64,
    /// Lowercase hex SHA-256 of a file's content; empty for directories and symlinks.
    pub sha256: String,
}

/// The result of [`digest_tree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeDigest {
    /// `kw1:` followed by 64 lowercase hex digits.
    pub digest: String,
    /// Every record in digest order, the root (path `""`) first.
    pub entries: Vec<Entry>,
    /// The bytes of the top-level [`MANIFEST_FILE`] exactly as hashed, when it is a
    /// regular file. A manifest larger than
    /// [`MAX_MANIFEST_BYTES`](crate::manifest::MAX_MANIFEST_BYTES) is cut to one byte
    /// over that limit (it is hashed whole), which is enough for the parser to refuse it.
    pub manifest: Option<Vec<u8>>,
    /// Why [`manifest`](Self::manifest) is `None`; `None` exactly when it is `Some`.
    pub manifest_missing: Option<ManifestMissing>,
}

/// How [`digest_tree`] behaves, apart from what it computes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Show a progress bar on stderr when the package holds over 256 MiB of files.
    /// The caller decides whether stderr is a terminal.
    pub progress: bool,
    /// The caller expects a small tree (its last pin was small): hash on this thread and
    /// never start the thread pool, whose start-up costs more than hashing a few files
    /// (`run`'s overhead). The digest is the same either way.
    pub small: bool,
}

/// The size limits of a package. The product always uses [`Limits::DEFAULT`]; tests
/// and tools may pass smaller ones to [`digest_tree_with_limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most records (directories, files, symlinks, the root included).
    pub max_entries: usize,
    /// Most bytes of regular-file content, in total.
    pub max_bytes: u64,
    /// Most path components of any entry.
    pub max_depth: usize,
}

impl Limits {
    /// DESIGN.md's limits: 200,000 entries, 4 GiB, depth 256.
    pub const DEFAULT: Limits = Limits {
        max_entries: 200_000,
        max_bytes: 4 << 30,
        max_depth: 256,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// A difference between two entry lists, by path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", content = "path", rename_all = "lowercase")]
pub enum Change {
    /// Only in the new list.
    Added(String),
    /// Only in the old list.
    Removed(String),
    /// In both, with a different kind, exec bit, size, content or target.
    Changed(String),
}

impl Change {
    /// The path the change is about.
    pub fn path(&self) -> &str {
        match self {
            Change::Added(p) | Change::Removed(p) | Change::Changed(p) => p,
        }
    }
}

/// Computes the `kw1` digest of the package at `root` with [`Limits::DEFAULT`].
pub fn digest_tree(root: &Path, opts: &Options) -> Result<TreeDigest, DigestError> {
    digest_tree_with_limits(root, opts, &Limits::DEFAULT)
}

/// [`digest_tree`] with explicit limits.
pub fn digest_tree_with_limits(
    root: &Path,
    opts: &Options,
    limits: &Limits,
) -> Result<TreeDigest, DigestError> {
    let root_fd = walk::open_root(root)?;
    let (nodes, hashes, manifest) = walk_and_hash(root, root_fd.as_fd(), opts, limits)?;
    Ok(assemble(nodes, &hashes, manifest))
}

/// The records in digest order, one hash per record, and the captured manifest.
type Walked = (Vec<Node>, Vec<[u8; 32]>, Option<Vec<u8>>);

/// Walks the tree under `root_fd` and hashes every file: the records in digest order,
/// one hash per record, and the captured manifest.
fn walk_and_hash(
    root: &Path,
    root_fd: BorrowedFd<'_>,
    opts: &Options,
    limits: &Limits,
) -> Result<Walked, DigestError> {
    let hashing = Hashing::new(root_fd, opts);
    let walk = |on_file: &mut OnFile<'_>| {
        let mut walker = Walker::new(root, root_fd, limits, on_file);
        let walked = walker.walk_root();
        if walked.is_err() {
            hashing.cancel.store(true, Ordering::Relaxed);
        }
        (walked, walker.nodes)
    };
    let (walked, nodes) = if opts.small {
        walk(&mut |node, rel: &str, stat| hashing.inline(node, rel, &stat))
    } else {
        // Files are hashed while the walk goes on: on many small files the walk is a
        // good part of the work, and it would otherwise leave a core idle.
        rayon::scope(|scope| {
            walk(&mut |node, rel: &str, stat| hashing.spawn(scope, node, rel, stat))
        })
    };
    // Finished first, so that a bar already on screen is cleared whatever failed.
    let hashed = hashing.finish(nodes.len());
    walked?;
    let (hashes, manifest) = hashed?;
    Ok((nodes, hashes, manifest))
}

/// Lists what differs between two entry lists, sorted by path.
pub fn diff(old: &[Entry], new: &[Entry]) -> Vec<Change> {
    let old: BTreeMap<&str, &Entry> = old.iter().map(|e| (e.path.as_str(), e)).collect();
    let new: BTreeMap<&str, &Entry> = new.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut changes = Vec::new();
    for (path, before) in &old {
        match new.get(path) {
            None => changes.push(Change::Removed((*path).to_owned())),
            Some(after) if after != before => changes.push(Change::Changed((*path).to_owned())),
            Some(_) => {}
        }
    }
    for path in new.keys().filter(|p| !old.contains_key(*p)) {
        changes.push(Change::Added((*path).to_owned()));
    }
    changes.sort_by(|a, b| a.path().cmp(b.path()));
    changes
}

/// Lowercase hex, without pulling in a crate for eight lines.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

fn lp(hasher: &mut Sha256, bytes: &[u8]) {
    // Paths and targets are bounded by PATH_MAX-ish OS limits, far below 4 GiB.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    hasher.update(len.to_be_bytes());
    hasher.update(bytes);
}

/// Encodes the records in walk order and builds the entry list.
fn assemble(nodes: Vec<Node>, hashes: &[[u8; 32]], manifest: Option<Vec<u8>>) -> TreeDigest {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    let count = nodes.len() as u64;
    let entries: Vec<Entry> = nodes
        .into_iter()
        .zip(hashes)
        .map(|(node, sha)| encode(&mut hasher, node, sha))
        .collect();
    hasher.update(b"E");
    hasher.update(count.to_be_bytes());
    let manifest_missing = match &manifest {
        Some(_) => None,
        None => Some(manifest_missing(&entries)),
    };
    TreeDigest {
        digest: format!("{DIGEST_PREFIX}{}", to_hex(&hasher.finalize())),
        entries,
        manifest,
        manifest_missing,
    }
}

/// What is at the manifest's place when no manifest was captured.
fn manifest_missing(entries: &[Entry]) -> ManifestMissing {
    match entries
        .iter()
        .find(|e| e.path == MANIFEST_FILE)
        .map(|e| &e.kind)
    {
        None => ManifestMissing::Absent,
        Some(EntryKind::Symlink { target }) => ManifestMissing::Symlink {
            target: target.clone(),
        },
        // A regular file is always captured when it is hashed.
        Some(EntryKind::Dir | EntryKind::File { .. }) => ManifestMissing::NotAFile,
    }
}

/// Feeds one record to the digest and returns its entry.
fn encode(hasher: &mut Sha256, node: Node, sha: &[u8; 32]) -> Entry {
    let (kind, size, sha256) = match node.kind {
        NodeKind::Dir => {
            hasher.update(b"D");
            lp(hasher, node.path.as_bytes());
            (EntryKind::Dir, 0, String::new())
        }
        NodeKind::File(stat) => {
            hasher.update(b"F");
            lp(hasher, node.path.as_bytes());
            hasher.update([u8::from(stat.exec)]);
            hasher.update(stat.size.to_be_bytes());
            hasher.update(sha);
            (EntryKind::File { exec: stat.exec }, stat.size, to_hex(sha))
        }
        NodeKind::Symlink(target) => {
            hasher.update(b"L");
            lp(hasher, node.path.as_bytes());
            lp(hasher, target.as_bytes());
            (EntryKind::Symlink { target }, 0, String::new())
        }
    };
    Entry {
        path: node.path,
        kind,
        size,
        sha256,
    }
}

#[cfg(test)]
mod tests;
