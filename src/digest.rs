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

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's file name, at the package root.
pub const MANIFEST_FILE: &str = "instant.package.json";

/// The prefix of every `kw1` digest string.
pub const DIGEST_PREFIX: &str = "kw1:";

/// Domain separation, so that no other SHA-256 input can be mistaken for a tree.
const DOMAIN: &[u8] = b"keyward-tree-v1\0";

/// Read buffer per hashing thread: large enough that syscalls do not dominate on big
/// files, small enough to stay in L2 and to be cheap to keep per thread.
const READ_BUF: usize = 256 * 1024;

/// Below this many bytes hashing takes well under a second: a bar would only flicker.
const PROGRESS_MIN_BYTES: u64 = 256 * 1024 * 1024;

/// How much of the manifest is kept in memory. One byte over the manifest limit is
/// enough for the parser to refuse an oversized file, without a hostile package being
/// able to make keyward hold gigabytes.
const MANIFEST_CAPTURE: usize = crate::manifest::MAX_MANIFEST_BYTES + 1;

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
}

/// How [`digest_tree`] behaves, apart from what it computes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Show a progress bar on stderr when the package holds over 256 MiB of files.
    /// The caller decides whether stderr is a terminal.
    pub progress: bool,
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

/// A kind of file a package may not contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialKind {
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharDevice,
    /// Anything else the OS reports that is not a file, folder or symlink.
    Unknown,
}

impl fmt::Display for SpecialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecialKind::Fifo => "FIFO (named pipe)",
            SpecialKind::Socket => "socket",
            SpecialKind::BlockDevice => "block device",
            SpecialKind::CharDevice => "character device",
            SpecialKind::Unknown => "special file of unknown type",
        })
    }
}

/// Why a package's digest could not be computed. Every variant names the offending
/// path: relative to the package root, or the root itself.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// Reading the tree failed.
    #[error(
        "{path}: cannot {action}: {source}; check that it exists and that you may read it, \
         then try again"
    )]
    Io {
        /// The path that could not be read.
        path: String,
        /// What keyward was doing, e.g. "list the folder".
        action: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// The package path is not a directory.
    #[error(
        "{path}: is not a directory; pass the package's folder (the one that holds \
         {MANIFEST_FILE})"
    )]
    NotADirectory {
        /// The path given as package root.
        path: String,
    },
    /// A symlink's target is absolute.
    #[error(
        "{path}: symlink target `{target}` is absolute; package symlinks must stay inside \
         the package — replace it with a relative link or a copy"
    )]
    SymlinkAbsolute {
        /// The link.
        path: String,
        /// Its target, escaped for display.
        target: String,
    },
    /// A symlink's target leads out of the package.
    #[error(
        "{path}: symlink target `{target}` leads outside the package; package symlinks must \
         stay inside the package — point it at something in the package or replace it with \
         a copy"
    )]
    SymlinkEscapes {
        /// The link.
        path: String,
        /// Its target, escaped for display.
        target: String,
    },
    /// A FIFO, socket or device.
    #[error(
        "{path}: is a {kind}; a package may hold only files, folders and symlinks (keyward \
         never opens anything else) — remove it or move it out of the package"
    )]
    SpecialFile {
        /// The entry.
        path: String,
        /// What it is.
        kind: SpecialKind,
    },
    /// A name (or a symlink target) that is not UTF-8 or holds control characters.
    #[error(
        "{path}: {what} `{name}` {problem}; names in a package must be UTF-8 without control \
         characters — rename it"
    )]
    BadName {
        /// The entry, escaped for display.
        path: String,
        /// The offending name or target, escaped for display.
        name: String,
        /// "name" or "symlink target".
        what: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A file or folder changed between the walk and its hashing.
    #[error(
        "{path}: changed while it was being hashed ({detail}); stop whatever is writing into \
         the package (a build, an editor, the package itself) and try again"
    )]
    ChangedWhileHashing {
        /// The entry.
        path: String,
        /// What changed.
        detail: String,
    },
    /// More records than [`Limits::max_entries`].
    #[error(
        "{path}: holds more than {limit} files, folders and links, the most a package may \
         hold; leave dependencies and build output (node_modules, target, .venv…) out of \
         the package folder"
    )]
    TooManyEntries {
        /// The package root.
        path: String,
        /// The limit that was crossed.
        limit: usize,
    },
    /// More file content than [`Limits::max_bytes`].
    #[error(
        "{path}: its files hold more than {limit} bytes, the most a package may hold; move \
         large data out of the package folder"
    )]
    TooLarge {
        /// The package root.
        path: String,
        /// The limit that was crossed.
        limit: u64,
    },
    /// An entry nested deeper than [`Limits::max_depth`].
    #[error(
        "{path}: is nested more than {limit} levels deep, the most a package may nest; \
         flatten the folder structure"
    )]
    TooDeep {
        /// The first entry found too deep.
        path: String,
        /// The limit that was crossed.
        limit: usize,
    },
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
    let hashing = Hashing::new(root, opts);
    // Files are hashed while the walk goes on: on many small files the walk is a
    // good part of the work, and it would otherwise leave a core idle.
    let (walked, nodes) = rayon::scope(|scope| {
        let mut on_file = |node, rel: &str, stat| hashing.spawn(scope, node, rel, stat);
        let mut walker = Walker {
            root,
            limits,
            nodes: Vec::new(),
            total_bytes: 0,
            on_file: &mut on_file,
        };
        let walked = walker.walk_root();
        if walked.is_err() {
            hashing.cancel.store(true, Ordering::Relaxed);
        }
        (walked, walker.nodes)
    });
    // Finished first, so that a bar already on screen is cleared whatever failed.
    let hashed = hashing.finish(nodes.len());
    walked?;
    let (hashes, manifest) = hashed?;
    Ok(assemble(nodes, &hashes, manifest))
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

/// The parts of a file's stat that must not change between the walk and the hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    size: u64,
    mtime: i64,
    mtime_nsec: i64,
    ino: u64,
    dev: u64,
    exec: bool,
}

impl Stat {
    fn of(meta: &Metadata) -> Stat {
        Stat {
            size: meta.size(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
            ino: meta.ino(),
            dev: meta.dev(),
            exec: meta.mode() & 0o100 != 0,
        }
    }
}

enum NodeKind {
    Dir,
    File(Stat),
    Symlink(String),
}

/// A record, as found by the walk, in digest order.
struct Node {
    path: String,
    kind: NodeKind,
}

/// Called with each regular file's node index, path and stat, once it is recorded.
type OnFile<'a> = dyn FnMut(usize, &str, Stat) + 'a;

struct Walker<'a> {
    root: &'a Path,
    limits: &'a Limits,
    nodes: Vec<Node>,
    total_bytes: u64,
    on_file: &'a mut OnFile<'a>,
}

impl Walker<'_> {
    fn walk_root(&mut self) -> Result<(), DigestError> {
        let root_shown = self.root.display().to_string();
        // The root itself may be a symlink (e.g. a checkout path); everything inside
        // it is taken as is.
        let meta = fs::metadata(self.root).map_err(|source| DigestError::Io {
            path: root_shown.clone(),
            action: "read the package folder",
            source,
        })?;
        if !meta.is_dir() {
            return Err(DigestError::NotADirectory { path: root_shown });
        }
        self.walk_dir(String::new(), &meta, 0)
    }

    /// `rel` is empty for the root.
    fn shown(&self, rel: &str) -> String {
        if rel.is_empty() {
            self.root.display().to_string()
        } else {
            rel.to_owned()
        }
    }

    fn abs(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.root.to_path_buf()
        } else {
            self.root.join(rel)
        }
    }

    fn push(&mut self, path: String, kind: NodeKind) -> Result<(), DigestError> {
        if self.nodes.len() >= self.limits.max_entries {
            return Err(DigestError::TooManyEntries {
                path: self.shown(""),
                limit: self.limits.max_entries,
            });
        }
        self.nodes.push(Node { path, kind });
        Ok(())
    }

    fn walk_dir(&mut self, rel: String, meta: &Metadata, depth: usize) -> Result<(), DigestError> {
        let abs = self.abs(&rel);
        self.push(rel.clone(), NodeKind::Dir)?;
        let children = self.read_children(&abs, &rel)?;
        self.check_same_dir(&abs, &rel, meta)?;
        for (name, child_meta) in children {
            let child = join(&rel, &name);
            if depth + 1 > self.limits.max_depth {
                return Err(DigestError::TooDeep {
                    path: child,
                    limit: self.limits.max_depth,
                });
            }
            self.visit(child, &child_meta, depth + 1)?;
        }
        Ok(())
    }

    fn visit(&mut self, rel: String, meta: &Metadata, depth: usize) -> Result<(), DigestError> {
        let ft = meta.file_type();
        if ft.is_dir() {
            self.walk_dir(rel, meta, depth)
        } else if ft.is_file() {
            self.total_bytes = self.total_bytes.saturating_add(meta.size());
            if self.total_bytes > self.limits.max_bytes {
                return Err(DigestError::TooLarge {
                    path: self.shown(""),
                    limit: self.limits.max_bytes,
                });
            }
            let (node, stat) = (self.nodes.len(), Stat::of(meta));
            self.push(rel, NodeKind::File(stat))?;
            (self.on_file)(node, &self.nodes[node].path, stat);
            Ok(())
        } else if ft.is_symlink() {
            let target = self.link_target(&rel)?;
            self.push(rel, NodeKind::Symlink(target))
        } else {
            Err(DigestError::SpecialFile {
                path: rel,
                kind: special_kind(&ft),
            })
        }
    }

    /// The folder's entries, sorted by name bytes, each with its lstat.
    fn read_children(&self, abs: &Path, rel: &str) -> Result<Vec<(String, Metadata)>, DigestError> {
        let io_err = |action: &'static str, path: String| {
            move |source| DigestError::Io {
                path,
                action,
                source,
            }
        };
        let listing = fs::read_dir(abs).map_err(io_err("list the folder", self.shown(rel)))?;
        let mut children = Vec::new();
        for entry in listing {
            let entry = entry.map_err(io_err("list the folder", self.shown(rel)))?;
            let os_name = entry.file_name();
            if rel.is_empty() && os_name == ".git" {
                continue;
            }
            let name = checked_name(rel, os_name.as_encoded_bytes())?;
            // DirEntry::metadata is an fstatat relative to the open folder, without
            // following symlinks: cheaper than a path lstat and never leaves the tree.
            let meta = entry
                .metadata()
                .map_err(io_err("read the metadata of", join(rel, &name)))?;
            children.push((name, meta));
        }
        children.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(children)
    }

    /// A folder swapped for a symlink (or another folder) while it was listed would
    /// let the walk record something outside the package.
    fn check_same_dir(&self, abs: &Path, rel: &str, walked: &Metadata) -> Result<(), DigestError> {
        let now = if rel.is_empty() {
            fs::metadata(abs)
        } else {
            fs::symlink_metadata(abs)
        };
        let same = now
            .as_ref()
            .is_ok_and(|m| m.is_dir() && m.ino() == walked.ino() && m.dev() == walked.dev());
        if same {
            return Ok(());
        }
        Err(DigestError::ChangedWhileHashing {
            path: self.shown(rel),
            detail: "the folder was replaced while it was listed".to_owned(),
        })
    }

    fn link_target(&self, rel: &str) -> Result<String, DigestError> {
        let raw = fs::read_link(self.abs(rel)).map_err(|source| DigestError::Io {
            path: rel.to_owned(),
            action: "read the symlink",
            source,
        })?;
        let Some(target) = raw.to_str() else {
            return Err(DigestError::BadName {
                path: rel.to_owned(),
                name: escape_name(raw.as_os_str().as_encoded_bytes()),
                what: "symlink target",
                problem: "is not valid UTF-8",
            });
        };
        if target.starts_with('/') {
            return Err(DigestError::SymlinkAbsolute {
                path: rel.to_owned(),
                target: escape_name(target.as_bytes()),
            });
        }
        if link_escapes(rel, target) {
            return Err(DigestError::SymlinkEscapes {
                path: rel.to_owned(),
                target: escape_name(target.as_bytes()),
            });
        }
        Ok(target.to_owned())
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

fn special_kind(ft: &fs::FileType) -> SpecialKind {
    if ft.is_fifo() {
        SpecialKind::Fifo
    } else if ft.is_socket() {
        SpecialKind::Socket
    } else if ft.is_block_device() {
        SpecialKind::BlockDevice
    } else if ft.is_char_device() {
        SpecialKind::CharDevice
    } else {
        SpecialKind::Unknown
    }
}

/// Whether a relative `target` of the link at `link` climbs above the package root at
/// any point, resolved lexically: `a/../../x` escapes even if `x` would exist inside.
fn link_escapes(link: &str, target: &str) -> bool {
    // The link's folder is as deep as the link's path has slashes.
    let mut depth = link.matches('/').count();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            _ => depth += 1,
        }
    }
    false
}

fn checked_name(parent: &str, raw: &[u8]) -> Result<String, DigestError> {
    let bad = |problem| DigestError::BadName {
        path: join(parent, &escape_name(raw)),
        name: escape_name(raw),
        what: "name",
        problem,
    };
    let name = std::str::from_utf8(raw).map_err(|_| bad("is not valid UTF-8"))?;
    // char::is_control is exactly C0, DEL and C1.
    if name.chars().any(char::is_control) {
        return Err(bad("contains a control character"));
    }
    Ok(name.to_owned())
}

/// Renders a name for an error message: valid UTF-8 as is, control characters and
/// invalid bytes as escapes, so a hostile name cannot drive the user's terminal.
fn escape_name(raw: &[u8]) -> String {
    let mut out = String::new();
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() || c == '`' || c == '\\' {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// One file's hashing result.
struct Hashed {
    node: usize,
    sha: [u8; 32],
    captured: Option<Vec<u8>>,
}

/// One hash per node (zero for non-files), and the captured manifest.
type Hashes = (Vec<[u8; 32]>, Option<Vec<u8>>);

/// What the hashing jobs share while the walk spawns them.
struct Hashing<'a> {
    root: &'a Path,
    done: Mutex<Vec<Hashed>>,
    /// The failure with the lowest node index, so that the error reported does not
    /// depend on thread timing.
    failed: Mutex<Option<(usize, DigestError)>>,
    cancel: AtomicBool,
    progress: Option<Progress>,
}

impl<'a> Hashing<'a> {
    fn new(root: &'a Path, opts: &Options) -> Self {
        Hashing {
            root,
            done: Mutex::new(Vec::new()),
            failed: Mutex::new(None),
            cancel: AtomicBool::new(false),
            progress: opts.progress.then(Progress::new),
        }
    }

    fn spawn<'s>(&'s self, scope: &rayon::Scope<'s>, node: usize, rel: &str, stat: Stat) {
        if let Some(progress) = &self.progress {
            progress.found(stat.size);
        }
        let rel = rel.to_owned();
        scope.spawn(move |_| self.run(node, &rel, &stat));
    }

    fn run(&self, node: usize, rel: &str, stat: &Stat) {
        if self.cancel.load(Ordering::Relaxed) {
            return;
        }
        let capture = rel == MANIFEST_FILE;
        let bar = self.progress.as_ref().map(|p| &p.bar);
        match hash_one(self.root, rel, stat, capture, bar) {
            Ok((sha, captured)) => locked(&self.done).push(Hashed {
                node,
                sha,
                captured,
            }),
            Err(err) => {
                self.cancel.store(true, Ordering::Relaxed);
                let mut failed = locked(&self.failed);
                if failed.as_ref().is_none_or(|(first, _)| node < *first) {
                    *failed = Some((node, err));
                }
            }
        }
    }

    fn finish(self, nodes: usize) -> Result<Hashes, DigestError> {
        if let Some(progress) = &self.progress {
            progress.bar.finish_and_clear();
        }
        if let Some((_, err)) = into_inner(self.failed) {
            return Err(err);
        }
        let mut hashes = vec![[0u8; 32]; nodes];
        let mut manifest = None;
        for h in into_inner(self.done) {
            hashes[h.node] = h.sha;
            manifest = manifest.or(h.captured);
        }
        Ok((hashes, manifest))
    }
}

/// A panicking job poisons nothing we care about: rayon re-raises its panic anyway.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn into_inner<T>(mutex: Mutex<T>) -> T {
    mutex.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// A progress bar that stays hidden until the walk has found enough bytes for
/// hashing to take a noticeable time.
struct Progress {
    bar: ProgressBar,
    shown: AtomicBool,
}

impl Progress {
    fn new() -> Self {
        let style = ProgressStyle::with_template(
            "hashing {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        // The template is a constant; should it ever fail to parse, a plain bar will do.
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        Progress {
            bar: bar.with_style(style),
            shown: AtomicBool::new(false),
        }
    }

    fn found(&self, bytes: u64) {
        self.bar.inc_length(bytes);
        let big = self.bar.length().unwrap_or(0) >= PROGRESS_MIN_BYTES;
        if big && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

thread_local! {
    /// Reused across files: small files must not pay for a fresh large buffer each.
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn hash_one(
    root: &Path,
    rel: &str,
    walked: &Stat,
    capture: bool,
    bar: Option<&ProgressBar>,
) -> Result<([u8; 32], Option<Vec<u8>>), DigestError> {
    let file = open_no_follow(&root.join(rel)).map_err(|e| open_error(rel, e))?;
    let read =
        BUF.with_borrow_mut(|buf| read_and_hash(&file, rel, walked.size, capture, bar, buf))?;
    // One fstat, after reading, checks both the type and the stat: a fstat before
    // reading costs 5% on small files, and whatever a non-regular file swapped in
    // after the walk was, reading it cannot block (O_NONBLOCK) nor run long (reads
    // stop at the walk's size).
    let after = file.metadata().map_err(|source| DigestError::Io {
        path: rel.to_owned(),
        action: "read the metadata of",
        source,
    })?;
    if !after.is_file() {
        return Err(changed(rel, "it is no longer a regular file"));
    }
    check_unchanged(rel, walked, &Stat::of(&after), read.bytes)?;
    Ok((read.sha, read.captured))
}

/// Opens without following a final symlink (one swapped in after the walk) and
/// without blocking (a FIFO swapped in after the walk would otherwise hang us).
fn open_no_follow(path: &Path) -> io::Result<File> {
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

fn open_error(rel: &str, source: io::Error) -> DigestError {
    if source.raw_os_error() == Some(libc::ELOOP) {
        return changed(rel, "it was replaced by a symlink");
    }
    if source.kind() == io::ErrorKind::NotFound {
        return changed(rel, "it was removed");
    }
    DigestError::Io {
        path: rel.to_owned(),
        action: "open",
        source,
    }
}

fn changed(rel: &str, detail: &str) -> DigestError {
    DigestError::ChangedWhileHashing {
        path: rel.to_owned(),
        detail: detail.to_owned(),
    }
}

struct FileHash {
    sha: [u8; 32],
    bytes: u64,
    captured: Option<Vec<u8>>,
}

fn read_and_hash(
    file: &File,
    rel: &str,
    expected: u64,
    capture: bool,
    bar: Option<&ProgressBar>,
    buf: &mut Vec<u8>,
) -> Result<FileHash, DigestError> {
    if buf.len() < READ_BUF {
        buf.resize(READ_BUF, 0);
    }
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let mut captured = capture.then(Vec::new);
    // No read to confirm EOF: growth shows in the fstat that follows, and small files
    // are dominated by syscalls.
    while bytes < expected {
        let n = read_some(file, buf).map_err(|source| DigestError::Io {
            path: rel.to_owned(),
            action: "read",
            source,
        })?;
        bytes += n as u64;
        if n == 0 {
            break;
        }
        // More than the walk saw: it grew, and there is no point reading on.
        if bytes > expected {
            return Err(changed(rel, "it grew while it was read"));
        }
        consume(&buf[..n], &mut hasher, captured.as_mut(), bar);
    }
    Ok(FileHash {
        sha: hasher.finalize().into(),
        bytes,
        captured,
    })
}

fn consume(
    chunk: &[u8],
    hasher: &mut Sha256,
    kept: Option<&mut Vec<u8>>,
    bar: Option<&ProgressBar>,
) {
    hasher.update(chunk);
    if let Some(kept) = kept {
        let room = MANIFEST_CAPTURE.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    if let Some(bar) = bar {
        bar.inc(chunk.len() as u64);
    }
}

fn read_some(mut file: &File, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn check_unchanged(rel: &str, walked: &Stat, now: &Stat, read: u64) -> Result<(), DigestError> {
    let detail = if now.ino != walked.ino || now.dev != walked.dev {
        "it was replaced by another file"
    } else if now.size != walked.size || read != walked.size {
        "its size changed"
    } else if (now.mtime, now.mtime_nsec) != (walked.mtime, walked.mtime_nsec) {
        "it was modified"
    } else if now.exec != walked.exec {
        "its execute bit changed"
    } else {
        return Ok(());
    };
    Err(changed(rel, detail))
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
    let entries = nodes
        .into_iter()
        .zip(hashes)
        .map(|(node, sha)| encode(&mut hasher, node, sha))
        .collect();
    hasher.update(b"E");
    hasher.update(count.to_be_bytes());
    TreeDigest {
        digest: format!("{DIGEST_PREFIX}{}", to_hex(&hasher.finalize())),
        entries,
        manifest,
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
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{PermissionsExt, symlink};
    use std::process::Command;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    /// An encoder written from DESIGN.md alone, sharing no code with the module.
    #[derive(Default)]
    struct SpecEncoder {
        records: Vec<u8>,
        count: u64,
    }

    impl SpecEncoder {
        fn lp(&mut self, x: &[u8]) {
            self.records
                .extend_from_slice(&(x.len() as u32).to_be_bytes());
            self.records.extend_from_slice(x);
        }
        fn dir(&mut self, path: &str) {
            self.records.push(b'D');
            self.lp(path.as_bytes());
            self.count += 1;
        }
        fn file(&mut self, path: &str, exec: bool, content: &[u8]) {
            self.records.push(b'F');
            self.lp(path.as_bytes());
            self.records.push(exec as u8);
            self.records
                .extend_from_slice(&(content.len() as u64).to_be_bytes());
            self.records.extend_from_slice(&Sha256::digest(content));
            self.count += 1;
        }
        fn link(&mut self, path: &str, target: &str) {
            self.records.push(b'L');
            self.lp(path.as_bytes());
            self.lp(target.as_bytes());
            self.count += 1;
        }
        fn finish(self) -> String {
            let mut input = b"keyward-tree-v1\0".to_vec();
            input.extend_from_slice(&self.records);
            input.push(b'E');
            input.extend_from_slice(&self.count.to_be_bytes());
            let hex: String = Sha256::digest(&input)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("kw1:{hex}")
        }
    }

    fn write(root: &Path, rel: &str, content: &[u8], mode: u32) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("fixture paths have a parent")).unwrap();
        fs::write(&path, content).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn digest(root: &Path) -> String {
        digest_tree(root, &Options::default()).unwrap().digest
    }

    fn digest_err(root: &Path) -> DigestError {
        digest_tree(root, &Options::default()).unwrap_err()
    }

    fn run(cmd: &mut Command) {
        let status = cmd.status().unwrap();
        assert!(status.success(), "{cmd:?} failed");
    }

    /// The golden tree: one of each kind of record, plus both `.git` cases.
    fn golden_fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a.txt", b"hello\n", 0o644);
        write(root, "run.sh", b"#!/bin/sh\necho hi\n", 0o755);
        write(root, "sub/nested.txt", b"nested", 0o600);
        write(root, "sub/.git", b"gitdir: ../elsewhere\n", 0o644);
        fs::create_dir(root.join("empty")).unwrap();
        symlink("sub/nested.txt", root.join("link")).unwrap();
        write(root, ".git/HEAD", b"ref: refs/heads/main\n", 0o644);
        dir
    }

    /// The golden digest, pinned so that other implementations can check themselves.
    const GOLDEN: &str = "kw1:8beeb04882aa70fb766a3ab051301de40e6cb4f8e47b6968203984ef6bd3042d";

    #[test]
    fn golden_vector_matches_the_spec() {
        let dir = golden_fixture();
        let mut enc = SpecEncoder::default();
        enc.dir("");
        enc.file("a.txt", false, b"hello\n");
        enc.dir("empty");
        enc.link("link", "sub/nested.txt");
        enc.file("run.sh", true, b"#!/bin/sh\necho hi\n");
        enc.dir("sub");
        enc.file("sub/.git", false, b"gitdir: ../elsewhere\n");
        enc.file("sub/nested.txt", false, b"nested");
        let expected = enc.finish();
        let tree = digest_tree(dir.path(), &Options::default()).unwrap();
        assert_eq!(tree.digest, expected);
        assert_eq!(tree.digest, GOLDEN);
        let paths: Vec<&str> = tree.entries.iter().map(|e| e.path.as_str()).collect();
        let order = [
            "",
            "a.txt",
            "empty",
            "link",
            "run.sh",
            "sub",
            "sub/.git",
            "sub/nested.txt",
        ];
        assert_eq!(paths, order);
        assert_eq!(tree.manifest, None);
    }

    #[test]
    fn entries_describe_each_record() {
        let dir = golden_fixture();
        let tree = digest_tree(dir.path(), &Options::default()).unwrap();
        let by_path = |p: &str| tree.entries.iter().find(|e| e.path == p).unwrap().clone();
        assert_eq!(by_path("run.sh").kind, EntryKind::File { exec: true });
        assert_eq!(by_path("a.txt").size, 6);
        assert_eq!(by_path("a.txt").sha256, to_hex(&Sha256::digest(b"hello\n")));
        let target = "sub/nested.txt".to_owned();
        assert_eq!(by_path("link").kind, EntryKind::Symlink { target });
        assert_eq!(by_path("empty").kind, EntryKind::Dir);
    }

    #[test]
    fn manifest_bytes_are_the_hashed_bytes() {
        let dir = golden_fixture();
        let json = br#"{"name": "x", "version": "1", "run": ["./x"]}"#;
        write(dir.path(), MANIFEST_FILE, json, 0o644);
        write(dir.path(), "sub/instant.package.json", b"{}", 0o644);
        let tree = digest_tree(dir.path(), &Options::default()).unwrap();
        assert_eq!(tree.manifest.as_deref(), Some(&json[..]));
    }

    #[test]
    fn oversized_manifest_is_captured_only_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b' '; 1 << 20];
        write(dir.path(), MANIFEST_FILE, &big, 0o644);
        let tree = digest_tree(dir.path(), &Options::default()).unwrap();
        let kept = tree.manifest.unwrap();
        assert_eq!(kept.len(), crate::manifest::MAX_MANIFEST_BYTES + 1);
        assert_eq!(tree.entries[1].size, 1 << 20);
    }

    #[test]
    fn copy_and_mtimes_do_not_change_the_digest() {
        let dir = golden_fixture();
        let before = digest(dir.path());
        let copy = tempfile::tempdir().unwrap();
        let dest = copy.path().join("pkg");
        run(Command::new("cp").arg("-a").arg(dir.path()).arg(&dest));
        assert_eq!(digest(&dest), before);
        for rel in ["a.txt", "run.sh", "sub", "sub/nested.txt", "empty"] {
            run(Command::new("touch")
                .args(["-d", "2001-02-03 04:05:06"])
                .arg(dest.join(rel)));
        }
        assert_eq!(digest(&dest), before);
    }

    #[test]
    fn content_mode_and_names_change_the_digest() {
        let dir = golden_fixture();
        let root = dir.path();
        let mut seen = vec![digest(root)];
        let mut expect_new = |what: &str| {
            let d = digest(root);
            assert!(!seen.contains(&d), "{what} did not change the digest");
            seen.push(d);
        };
        fs::set_permissions(root.join("a.txt"), fs::Permissions::from_mode(0o744)).unwrap();
        expect_new("chmod +x");
        fs::create_dir(root.join("another-empty")).unwrap();
        expect_new("a new empty folder");
        fs::rename(root.join("a.txt"), root.join("b.txt")).unwrap();
        expect_new("a rename");
        fs::write(root.join("b.txt"), b"hellO\n").unwrap();
        expect_new("one changed byte");
    }

    #[test]
    fn group_and_other_bits_are_ignored() {
        let dir = golden_fixture();
        let before = digest(dir.path());
        let path = dir.path().join("a.txt");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o611)).unwrap();
        assert_eq!(digest(dir.path()), before);
    }

    #[test]
    fn one_file_differs_from_two() {
        let one = tempfile::tempdir().unwrap();
        write(one.path(), "f", b"foo\nbar", 0o644);
        let two = tempfile::tempdir().unwrap();
        write(two.path(), "f", b"foo", 0o644);
        write(two.path(), "g", b"bar", 0o644);
        assert_ne!(digest(one.path()), digest(two.path()));
        // Length prefixes keep names from running into each other.
        let ab = tempfile::tempdir().unwrap();
        write(ab.path(), "ab/c", b"", 0o644);
        let a = tempfile::tempdir().unwrap();
        write(a.path(), "a/bc", b"", 0o644);
        assert_ne!(digest(ab.path()), digest(a.path()));
    }

    #[test]
    fn nested_git_is_hashed_and_top_level_git_is_not() {
        let dir = golden_fixture();
        let before = digest(dir.path());
        write(dir.path(), ".git/objects/x", b"anything", 0o644);
        assert_eq!(digest(dir.path()), before);
        write(dir.path(), "sub/.git", b"changed", 0o644);
        assert_ne!(digest(dir.path()), before);
    }

    #[test]
    fn top_level_git_of_any_type_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x", b"x", 0o644);
        let before = digest(dir.path());
        run(Command::new("mkfifo").arg(dir.path().join(".git")));
        assert_eq!(digest(dir.path()), before);
    }

    #[test]
    fn absolute_symlink_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        symlink("/etc/passwd", dir.path().join("passwd")).unwrap();
        let err = digest_err(dir.path());
        assert!(matches!(&err, DigestError::SymlinkAbsolute { path, .. } if path == "passwd"));
        assert!(err.to_string().contains("/etc/passwd"), "{err}");
    }

    #[test]
    fn escaping_symlinks_are_refused() {
        for target in ["../x", "a/../../x", "./../x", "sub/../../.."] {
            let dir = tempfile::tempdir().unwrap();
            symlink(target, dir.path().join("link")).unwrap();
            let err = digest_err(dir.path());
            assert!(
                matches!(err, DigestError::SymlinkEscapes { .. }),
                "{target}: {err}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "sub/deep/f", b"", 0o644);
        symlink("../x", dir.path().join("sub/up")).unwrap();
        symlink("a/../../f", dir.path().join("sub/deep/ok")).unwrap();
        symlink("missing", dir.path().join("dangling")).unwrap();
        digest_tree(dir.path(), &Options::default()).unwrap();
    }

    #[test]
    fn fifo_is_refused_without_being_opened() {
        let dir = tempfile::tempdir().unwrap();
        run(Command::new("mkfifo").arg(dir.path().join("pipe")));
        let root = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(digest_tree(&root, &Options::default())));
        let result = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("digest hung on a FIFO");
        let err = result.unwrap_err();
        let is_fifo = matches!(&err, DigestError::SpecialFile { path, kind: SpecialKind::Fifo } if path == "pipe");
        assert!(is_fifo, "{err}");
        assert!(err.to_string().contains("FIFO"), "{err}");
    }

    #[test]
    fn socket_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();
        let err = digest_err(dir.path());
        assert!(
            matches!(
                err,
                DigestError::SpecialFile {
                    kind: SpecialKind::Socket,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn non_utf8_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let name = OsStr::from_bytes(b"bad\xffname");
        fs::write(dir.path().join(name), b"").unwrap();
        let err = digest_err(dir.path());
        assert!(
            matches!(&err, DigestError::BadName { name, .. } if name == "bad\\xffname"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        symlink(OsStr::from_bytes(b"to\xfe"), dir.path().join("link")).unwrap();
        let err = digest_err(dir.path());
        let is_target = matches!(
            &err,
            DigestError::BadName {
                what: "symlink target",
                ..
            }
        );
        assert!(is_target, "{err}");
    }

    #[test]
    fn control_character_in_name_is_refused() {
        for name in ["line\nbreak", "esc\u{1b}[31m", "del\u{7f}", "c1\u{85}"] {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), &format!("d/{name}"), b"", 0o644);
            let err = digest_err(dir.path());
            assert!(
                matches!(&err, DigestError::BadName { path, .. } if path.starts_with("d/")),
                "{err}"
            );
            assert!(!err.to_string().chars().any(|c| c.is_control()), "{err:?}");
        }
    }

    #[test]
    fn file_appended_to_while_hashed_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("growing");
        fs::write(&path, vec![7u8; 64 << 20]).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicBool::new(false));
        let writer = {
            let (stop, started) = (stop.clone(), started.clone());
            std::thread::spawn(move || {
                use std::io::Write;
                let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
                // Bounded, so a broken test cannot fill the disk.
                for _ in 0..(256 << 20) / 4096 {
                    file.write_all(&[1u8; 4096]).unwrap();
                    started.store(true, Ordering::SeqCst);
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                }
            })
        };
        while !started.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        let result = digest_tree(dir.path(), &Options::default());
        stop.store(true, Ordering::SeqCst);
        writer.join().unwrap();
        let err = result.unwrap_err();
        assert!(
            matches!(&err, DigestError::ChangedWhileHashing { path, .. } if path == "growing"),
            "{err}"
        );
    }

    #[test]
    fn file_root_is_not_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "f", b"", 0o644);
        let err = digest_err(&dir.path().join("f"));
        assert!(matches!(err, DigestError::NotADirectory { .. }), "{err}");
        let err = digest_err(&dir.path().join("missing"));
        assert!(matches!(err, DigestError::Io { .. }), "{err}");
    }

    #[test]
    fn unreadable_file_is_an_io_error_naming_it() {
        if Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout == b"0\n")
        {
            return; // root reads anything: nothing to test
        }
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "secret", b"x", 0o000);
        let err = digest_err(dir.path());
        assert!(
            matches!(&err, DigestError::Io { path, .. } if path == "secret"),
            "{err}"
        );
    }

    fn small(max_entries: usize, max_bytes: u64, max_depth: usize) -> Limits {
        Limits {
            max_entries,
            max_bytes,
            max_depth,
        }
    }

    #[test]
    fn too_many_entries() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a", "b", "c", "d"] {
            write(dir.path(), name, b"", 0o644);
        }
        let opts = Options::default();
        digest_tree_with_limits(dir.path(), &opts, &small(5, 100, 8)).unwrap();
        let err = digest_tree_with_limits(dir.path(), &opts, &small(4, 100, 8)).unwrap_err();
        assert!(
            matches!(err, DigestError::TooManyEntries { limit: 4, .. }),
            "{err}"
        );
    }

    #[test]
    fn too_deep() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "1/2/3/4", b"", 0o644);
        let opts = Options::default();
        digest_tree_with_limits(dir.path(), &opts, &small(100, 100, 4)).unwrap();
        let err = digest_tree_with_limits(dir.path(), &opts, &small(100, 100, 3)).unwrap_err();
        assert!(
            matches!(&err, DigestError::TooDeep { path, limit: 3 } if path == "1/2/3/4"),
            "{err}"
        );
    }

    #[test]
    fn default_depth_limit_is_reached_without_overflow() {
        let dir = tempfile::tempdir().unwrap();
        let deepest = vec!["d"; 256].join("/");
        fs::create_dir_all(dir.path().join(&deepest)).unwrap();
        let tree = digest_tree(dir.path(), &Options::default()).unwrap();
        assert_eq!(
            tree.entries.last().map(|e| e.path.as_str()),
            Some(deepest.as_str())
        );
        fs::create_dir(dir.path().join(&deepest).join("d")).unwrap();
        let err = digest_err(dir.path());
        assert!(
            matches!(err, DigestError::TooDeep { limit: 256, .. }),
            "{err}"
        );
    }

    #[test]
    fn too_large() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a", &[0; 10], 0o644);
        write(dir.path(), "b", &[0; 10], 0o644);
        let opts = Options::default();
        digest_tree_with_limits(dir.path(), &opts, &small(100, 20, 8)).unwrap();
        let err = digest_tree_with_limits(dir.path(), &opts, &small(100, 19, 8)).unwrap_err();
        assert!(
            matches!(err, DigestError::TooLarge { limit: 19, .. }),
            "{err}"
        );
    }

    #[test]
    fn default_limits_match_the_design() {
        assert_eq!(
            Limits::default(),
            small(200_000, 4 * 1024 * 1024 * 1024, 256)
        );
    }

    fn entry(path: &str, sha: &str) -> Entry {
        Entry {
            path: path.to_owned(),
            kind: EntryKind::File { exec: false },
            size: 1,
            sha256: sha.to_owned(),
        }
    }

    #[test]
    fn diff_finds_added_removed_and_changed() {
        let old = [
            entry("a", "1"),
            entry("b", "1"),
            entry("c", "1"),
            entry("e", "1"),
        ];
        let mut exec = entry("e", "1");
        exec.kind = EntryKind::File { exec: true };
        let new = [entry("d", "1"), entry("c", "2"), entry("a", "1"), exec];
        let expected = vec![
            Change::Removed("b".into()),
            Change::Changed("c".into()),
            Change::Added("d".into()),
            Change::Changed("e".into()),
        ];
        assert_eq!(diff(&old, &new), expected);
        assert_eq!(diff(&new, &new), vec![]);
    }

    #[test]
    fn diff_of_real_trees() {
        let dir = golden_fixture();
        let before = digest_tree(dir.path(), &Options::default()).unwrap();
        fs::remove_file(dir.path().join("link")).unwrap();
        symlink("a.txt", dir.path().join("link")).unwrap();
        write(dir.path(), "new/file", b"", 0o644);
        fs::remove_dir(dir.path().join("empty")).unwrap();
        let after = digest_tree(dir.path(), &Options::default()).unwrap();
        let expected = vec![
            Change::Removed("empty".into()),
            Change::Changed("link".into()),
            Change::Added("new".into()),
            Change::Added("new/file".into()),
        ];
        assert_eq!(diff(&before.entries, &after.entries), expected);
    }

    #[test]
    fn errors_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        symlink("../../x", dir.path().join("up")).unwrap();
        let msg = digest_err(dir.path()).to_string();
        assert!(msg.starts_with("up: symlink target `../../x`"), "{msg}");
        assert!(msg.contains(" — "), "{msg}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Creation order, and hence directory order on disk, never matters.
        #[test]
        fn digest_ignores_creation_order(
            files in proptest::collection::btree_map("[a-c]{1,2}(/[a-c]{1,2}){0,2}", proptest::collection::vec(0u8..4, 0..16), 1..12),
            seed in 0u64..1000,
        ) {
            // A path that is also a folder of another path cannot be a file too.
            let files: Vec<_> = files.iter()
                .filter(|(p, _)| !files.keys().any(|q| q.starts_with(&format!("{p}/"))))
                .collect();
            let a = tempfile::tempdir().unwrap();
            let b = tempfile::tempdir().unwrap();
            for (path, content) in &files {
                write(a.path(), path, content, 0o644);
            }
            let mut shuffled = files.clone();
            shuffled.rotate_left(seed as usize % files.len().max(1));
            shuffled.reverse();
            for (path, content) in &shuffled {
                write(b.path(), path, content, 0o644);
            }
            let da = digest_tree(a.path(), &Options::default()).unwrap();
            let db = digest_tree(b.path(), &Options::default()).unwrap();
            proptest::prop_assert_eq!(&da.digest, &db.digest);
            proptest::prop_assert!(diff(&da.entries, &db.entries).is_empty());
        }

        #[test]
        fn escape_check_matches_a_path_model(link in "([a-b]/){0,3}l", target in "(\\.\\.|\\.|[a-b])(/(\\.\\.|\\.|[a-b]|)){0,5}") {
            let mut depth: i64 = link.matches('/').count() as i64;
            let mut escaped = false;
            for part in target.split('/') {
                match part {
                    ".." => depth -= 1,
                    "" | "." => {}
                    _ => depth += 1,
                }
                escaped |= depth < 0;
            }
            proptest::prop_assert_eq!(link_escapes(&link, &target), escaped);
        }
    }
}
