//! The per-file verification cache: re-using a file's content hash from the last
//! verification when its stat shows the kernel changed nothing about it since.
//!
//! This module owns the cached walk ([`digest_tree_cached`]), the rules on when an
//! entry may be used or recorded, and the entries' binary encoding. It holds no keys:
//! the caller stores the encoded entries under its MACs, and hands back only entries
//! whose MAC it checked (`keychain::vcache`). The trust argument is SECURITY.md's
//! "Verification cache".
//!
//! An entry is `path -> (device, inode, size, mtime, ctime, SHA-256 of the content)`.
//! It is used only when all five still match, on a filesystem where the kernel itself
//! sets ctime ([`fs_trusted`]), for a file on the package root's device. Three rules
//! make a match prove the content is the one hashed:
//!
//! - ctime: every change to an inode (write, truncate, `utimes`, chmod, link count) sets
//!   its ctime to the current time, and nothing but root (setting the clock) can set it
//!   back. A file put in place another way (rename over, hard link, delete and
//!   recreate, copy with preserved times) is another inode or has a new ctime.
//! - racy timestamps (git's rule): a file modified right after its stat can keep the
//!   same times, because the kernel stamps files from a clock that ticks (coarse clock,
//!   up to 10 ms behind; or whole seconds on filesystems of second granularity). So an
//!   entry is recorded only when its mtime and ctime are older than the moment the
//!   verification that hashed it started, minus [`RACY_MARGIN_NS`]; a younger file is
//!   hashed again at every run until it settles.
//! - shared mappings: a store to a page of a `MAP_SHARED` mapping that is already dirty
//!   updates no time until writeback write-protects the page again. Before a file is
//!   read for recording, the filesystem is synced (`syncfs`), which cleans and
//!   write-protects every dirty page, so any later store faults and stamps the file.

use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use super::hash::{Hashing, Stat};
use super::walk::{self, Node, NodeKind, Walker};
use super::{DigestError, Limits, MANIFEST_FILE, Options, TreeDigest, assemble};

/// How much older than the verification's start a file's mtime and ctime must be for
/// its entry to be recorded: a kernel tick (at most 10 ms at HZ=100), the whole second
/// a filesystem of second granularity truncates to, and room to spare.
pub const RACY_MARGIN_NS: i64 = 2_000_000_000;

/// Filesystem magic numbers (`statfs.f_type`) where the kernel keeps ctime itself and
/// writeback write-protects shared mappings: ext2/3/4, XFS, btrfs. Not tmpfs (its pages
/// are never written back, so a dirty shared mapping keeps writing without a time
/// update), nor FUSE, NFS, SMB/CIFS, overlayfs or anything else, where another party
/// (a user-space server, another machine) sets the times.
const TRUSTED_FS: &[u32] = &[0xEF53, 0x5846_5342, 0x9123_683E];

/// Entries in the pending list above this many are hashed on the thread pool.
const POOL_MIN: usize = 64;

/// Version byte of the encoded entries.
const FORMAT: u8 = 1;

/// Bytes of one entry besides its path: len, dev, ino, size, mtime, ctime, SHA-256.
const FIXED: usize = 4 + 8 * 5 + 32;

/// What the cache knows of one file: the stat fields a change would move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// `st_dev`.
    pub dev: u64,
    /// `st_ino`.
    pub ino: u64,
    /// `st_size`.
    pub size: u64,
    /// `st_mtime` in nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// `st_ctime` in nanoseconds since the epoch.
    pub ctime_ns: i64,
}

impl Stamp {
    pub(super) fn of(stat: &Stat) -> Stamp {
        Stamp {
            dev: stat.dev,
            ino: stat.ino,
            size: stat.size,
            mtime_ns: ns(stat.mtime, stat.mtime_nsec),
            ctime_ns: ns(stat.ctime, stat.ctime_nsec),
        }
    }

    /// Whether both times are older than `started` by the racy margin.
    fn settled(&self, started: i64) -> bool {
        self.mtime_ns.max(self.ctime_ns) < started.saturating_sub(RACY_MARGIN_NS)
    }
}

fn ns(secs: i64, nsec: i64) -> i64 {
    secs.saturating_mul(1_000_000_000).saturating_add(nsec)
}

/// One entry as read from an encoded cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KnownFile<'a> {
    path: &'a str,
    stamp: Stamp,
    sha: [u8; 32],
}

/// The entries the caller trusts, borrowed from their encoding. They come in the walk's
/// order, so an unchanged tree is matched by one cursor without building a map.
pub struct Known<'a> {
    files: Vec<KnownFile<'a>>,
    cursor: usize,
    index: Option<HashMap<&'a str, usize>>,
}

impl<'a> Known<'a> {
    /// Reads encoded entries; `None` when they are malformed.
    pub fn decode(blob: &'a [u8]) -> Option<Known<'a>> {
        let (&format, mut rest) = blob.split_first()?;
        if format != FORMAT {
            return None;
        }
        let mut files = Vec::new();
        while !rest.is_empty() {
            let len = usize::try_from(u32::from_le_bytes(rest.get(..4)?.try_into().ok()?)).ok()?;
            let entry = rest.get(..FIXED.checked_add(len)?)?;
            let path = std::str::from_utf8(&entry[4..4 + len]).ok()?;
            let f = &entry[4 + len..];
            let u = |i: usize| u64::from_le_bytes(f[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
            files.push(KnownFile {
                path,
                stamp: Stamp {
                    dev: u(0),
                    ino: u(1),
                    size: u(2),
                    mtime_ns: u(3).cast_signed(),
                    ctime_ns: u(4).cast_signed(),
                },
                sha: f[40..72].try_into().ok()?,
            });
            rest = &rest[entry.len()..];
        }
        Some(Known {
            files,
            cursor: 0,
            index: None,
        })
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The hash recorded for `path`, if its entry's stamp is `stamp`.
    fn hit(&mut self, path: &str, stamp: &Stamp) -> Option<[u8; 32]> {
        let found = match self.files.get(self.cursor) {
            Some(f) if f.path == path => Some(self.cursor),
            _ => {
                let files = &self.files;
                self.index
                    .get_or_insert_with(|| {
                        files.iter().enumerate().map(|(i, f)| (f.path, i)).collect()
                    })
                    .get(path)
                    .copied()
            }
        }?;
        self.cursor = found + 1;
        let file = &self.files[found];
        (file.stamp == *stamp).then_some(file.sha)
    }
}

/// Encodes entries: a version byte, then per file `u32le len ‖ path ‖ dev ‖ ino ‖ size ‖
/// mtime_ns ‖ ctime_ns` (each 8 bytes little-endian) `‖ sha256`.
fn encode(files: &[KnownFile<'_>]) -> Vec<u8> {
    let bytes: usize = files.iter().map(|f| FIXED + f.path.len()).sum();
    let mut out = Vec::with_capacity(1 + bytes);
    out.push(FORMAT);
    for f in files {
        // Paths are bounded by the walk's limits, far below 4 GiB.
        let len = u32::try_from(f.path.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(f.path.as_bytes());
        let s = &f.stamp;
        for v in [
            s.dev,
            s.ino,
            s.size,
            s.mtime_ns.cast_unsigned(),
            s.ctime_ns.cast_unsigned(),
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&f.sha);
    }
    out
}

/// Whether a filesystem of this `statfs.f_type` may back the cache (see [`TRUSTED_FS`]).
pub fn fs_trusted(f_type: u32) -> bool {
    TRUSTED_FS.contains(&f_type)
}

/// The result of [`digest_tree_cached`].
pub struct Cached {
    /// The digest, exactly as [`super::digest_tree`] computes it.
    pub tree: TreeDigest,
    /// The entries to store for the next verification; `None` when nothing may be
    /// stored (the filesystem is not trusted, or syncing it failed).
    pub entries: Option<Vec<u8>>,
    /// Files whose hash came from the cache.
    pub hits: usize,
    /// Files read and hashed.
    pub hashed: usize,
}

/// Computes the `kw1` digest of `root` (with [`Limits::DEFAULT`]), taking the hash of
/// every file whose entry in `known` still matches, and returns the entries to record.
/// `known` is `None` for a full re-hash (`run --rehash`, nothing trusted yet). The
/// manifest is always read (it is small, and never taken from the cache).
pub fn digest_tree_cached(
    root: &Path,
    opts: &Options,
    known: Option<Known<'_>>,
) -> Result<Cached, DigestError> {
    let started = now_ns();
    let root_fd = walk::open_root(root)?;
    let fd = root_fd.as_fd();
    let Some(dev) = trusted_dev(fd) else {
        let (nodes, hashes, manifest) = super::walk_and_hash(root, fd, opts, &Limits::DEFAULT)?;
        let hashed = count_files(&nodes);
        return Ok(Cached {
            tree: assemble(nodes, &hashes, manifest),
            entries: None,
            hits: 0,
            hashed,
        });
    };
    let (nodes, hashes, manifest, hits, synced) = match known {
        // Synced first, so that every file is read after its dirty pages were cleaned.
        None => {
            let synced = rustix::fs::syncfs(fd).is_ok();
            let (nodes, hashes, manifest) = super::walk_and_hash(root, fd, opts, &Limits::DEFAULT)?;
            (nodes, hashes, manifest, 0, synced)
        }
        Some(known) => with_known(root, fd, opts, dev, started, known)?,
    };
    let hashed = count_files(&nodes) - hits;
    let entries = synced.then(|| record(&nodes, &hashes, dev, started));
    Ok(Cached {
        tree: assemble(nodes, &hashes, manifest),
        entries,
        hits,
        hashed,
    })
}

/// [`super::Walked`], the number of cache hits and whether the sync succeeded.
type WalkedKnown = (Vec<Node>, Vec<[u8; 32]>, Option<Vec<u8>>, usize, bool);

/// The walk with a cache: matching files take their recorded hash; the others are
/// hashed after the walk, once the filesystem is synced if any of them will be recorded.
fn with_known(
    root: &Path,
    fd: BorrowedFd<'_>,
    opts: &Options,
    dev: u64,
    started: i64,
    mut known: Known<'_>,
) -> Result<WalkedKnown, DigestError> {
    let hashing = Hashing::new(fd, opts);
    let mut pending: Vec<(usize, String, Stat)> = Vec::new();
    let mut hits = 0;
    let mut on_file = |node: usize, rel: &str, stat: Stat| {
        let stamp = Stamp::of(&stat);
        let sha = (rel != MANIFEST_FILE && stat.dev == dev)
            .then(|| known.hit(rel, &stamp))
            .flatten();
        match sha {
            Some(sha) => {
                hashing.known(node, sha);
                hits += 1;
            }
            None => pending.push((node, rel.to_owned(), stat)),
        }
    };
    let mut walker = Walker::new(root, fd, &Limits::DEFAULT, &mut on_file);
    let walked = walker.walk_root();
    let nodes = std::mem::take(&mut walker.nodes);
    drop(walker);
    let mut synced = true;
    if walked.is_ok() {
        let recorded = |(_, rel, stat): &(usize, String, Stat)| {
            rel != MANIFEST_FILE && stat.dev == dev && Stamp::of(stat).settled(started)
        };
        if pending.iter().any(recorded) {
            synced = rustix::fs::syncfs(fd).is_ok();
        }
        if pending.len() <= POOL_MIN {
            for (node, rel, stat) in &pending {
                hashing.inline(*node, rel, stat);
            }
        } else {
            let hashing = &hashing;
            rayon::scope(|scope| {
                for (node, rel, stat) in pending {
                    hashing.spawn(scope, node, &rel, stat);
                }
            });
        }
    }
    let hashed = hashing.finish(nodes.len());
    walked?;
    let (hashes, manifest) = hashed?;
    Ok((nodes, hashes, manifest, hits, synced))
}

/// The entries to store: every settled regular file on the root's device, the manifest
/// left out.
fn record(nodes: &[Node], hashes: &[[u8; 32]], dev: u64, started: i64) -> Vec<u8> {
    let files: Vec<KnownFile<'_>> = nodes
        .iter()
        .zip(hashes)
        .filter_map(|(node, sha)| match &node.kind {
            NodeKind::File(stat) if node.path != MANIFEST_FILE && stat.dev == dev => {
                let stamp = Stamp::of(stat);
                stamp.settled(started).then_some(KnownFile {
                    path: &node.path,
                    stamp,
                    sha: *sha,
                })
            }
            _ => None,
        })
        .collect();
    encode(&files)
}

fn count_files(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::File(_)))
        .count()
}

/// The root's device when its filesystem is trusted.
fn trusted_dev(fd: BorrowedFd<'_>) -> Option<u64> {
    let fs = rustix::fs::fstatfs(fd).ok()?;
    // `f_type` is a signed word of varying width; the magic numbers are 32-bit.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let f_type = fs.f_type as u32;
    if !fs_trusted(f_type) {
        return None;
    }
    let st = rustix::fs::fstat(fd).ok()?;
    #[allow(clippy::unnecessary_cast)] // the field's type differs between targets
    Some(st.st_dev as u64)
}

/// The real-time clock in nanoseconds since the epoch (0 before it, which records nothing).
fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, ino: u64) -> KnownFile<'_> {
        KnownFile {
            path,
            stamp: Stamp {
                dev: 7,
                ino,
                size: 3,
                mtime_ns: -5,
                ctime_ns: 1_700_000_000_123_456_789,
            },
            sha: [ino as u8; 32],
        }
    }

    #[test]
    fn encoding_round_trips_and_refuses_garbage() {
        let files = [file("a", 1), file("d/é", 2)];
        let blob = encode(&files);
        assert_eq!(blob.len(), 1 + 2 * FIXED + 1 + 4);
        let known = Known::decode(&blob).unwrap();
        assert_eq!(known.files, files);
        assert!(Known::decode(&blob[..blob.len() - 1]).is_none());
        assert!(Known::decode(&[2]).is_none());
        assert!(Known::decode(&[]).is_none());
        assert!(Known::decode(&[FORMAT]).unwrap().is_empty());
    }

    #[test]
    fn a_hit_needs_the_same_path_and_stamp() {
        let files = [file("a", 1), file("b", 2), file("c", 3)];
        let blob = encode(&files);
        let mut known = Known::decode(&blob).unwrap();
        assert_eq!(known.hit("a", &files[0].stamp), Some([1; 32]));
        // Out of order: found through the map.
        assert_eq!(known.hit("c", &files[2].stamp), Some([3; 32]));
        assert_eq!(known.hit("b", &files[1].stamp), Some([2; 32]));
        assert_eq!(known.hit("x", &files[1].stamp), None);
        for change in [
            |s: &mut Stamp| s.dev += 1,
            |s: &mut Stamp| s.ino += 1,
            |s: &mut Stamp| s.size += 1,
            |s: &mut Stamp| s.mtime_ns += 1,
            |s: &mut Stamp| s.ctime_ns += 1,
        ] {
            let mut stamp = files[0].stamp;
            change(&mut stamp);
            assert_eq!(known.hit("a", &stamp), None);
        }
    }

    #[test]
    fn racy_files_are_not_settled() {
        let now = 10_000_000_000;
        let stamp = |m, c| Stamp {
            dev: 0,
            ino: 0,
            size: 0,
            mtime_ns: m,
            ctime_ns: c,
        };
        assert!(stamp(1, 1).settled(now));
        assert!(!stamp(now - RACY_MARGIN_NS, 1).settled(now));
        assert!(!stamp(1, now - RACY_MARGIN_NS).settled(now));
        assert!(!stamp(1, now + 5).settled(now));
        assert!(stamp(now - RACY_MARGIN_NS - 1, 1).settled(now));
    }

    /// The fence: only filesystems where the kernel sets ctime and writeback
    /// write-protects shared mappings back the cache.
    #[test]
    fn only_local_kernel_filesystems_are_trusted() {
        for trusted in [0xEF53, 0x5846_5342, 0x9123_683E] {
            assert!(fs_trusted(trusted), "{trusted:#x}");
        }
        for fenced in [
            0x6573_5546u32, // FUSE
            0x6969,         // NFS
            0xFE53_4D42,    // SMB2
            0xFF53_4D42,    // CIFS
            0x517B,         // SMB
            0x0102_1994,    // tmpfs: never written back
            0x794C_7630,    // overlayfs
            0x6265_6572,    // sysfs
            0x9FA0,         // proc
            0x0BD0_0BD0,    // Lustre
            0x0027_e0eb,    // cgroup
        ] {
            assert!(!fs_trusted(fenced), "{fenced:#x}");
        }
    }
}
