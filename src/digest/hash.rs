//! The parallel hashing of a package's files while the walk goes on: reading,
//! capturing the manifest, detecting files that change under us, and the progress bar.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rustix::fs::{FileType, Mode, OFlags};
use sha2::{Digest, Sha256};

use super::error::{DigestError, changed, open_error};
use super::{MANIFEST_FILE, Options};

/// Read buffer per hashing thread: large enough that syscalls do not dominate on big
/// files, small enough to stay in L2 and to be cheap to keep per thread.
const READ_BUF: usize = 256 * 1024;

/// Below this many bytes hashing takes well under a second: a bar would only flicker.
const PROGRESS_MIN_BYTES: u64 = 256 * 1024 * 1024;

/// How much of the manifest is kept in memory. One byte over the manifest limit is
/// enough for the parser to refuse an oversized file, without a hostile package being
/// able to make keyward hold gigabytes.
const MANIFEST_CAPTURE: usize = crate::manifest::MAX_MANIFEST_BYTES + 1;

/// The parts of a file's stat that must not change between the walk and the hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stat {
    pub(super) size: u64,
    pub(super) mtime: i64,
    pub(super) mtime_nsec: i64,
    pub(super) ctime: i64,
    pub(super) ctime_nsec: i64,
    pub(super) ino: u64,
    pub(super) dev: u64,
    pub(super) exec: bool,
}

impl Stat {
    // The fields' widths differ between architectures: a cast that is a no-op on one
    // is a conversion on another.
    #[allow(clippy::unnecessary_cast)]
    pub(super) fn from_raw(st: &rustix::fs::Stat) -> Stat {
        Stat {
            // Sizes of regular files are never negative.
            size: st.st_size.max(0) as u64,
            mtime: st.st_mtime as i64,
            mtime_nsec: st.st_mtime_nsec as i64,
            ctime: st.st_ctime as i64,
            ctime_nsec: st.st_ctime_nsec as i64,
            ino: st.st_ino as u64,
            dev: st.st_dev as u64,
            exec: st.st_mode & 0o100 != 0,
        }
    }
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
pub(super) struct Hashing<'a> {
    /// Files are opened relative to the root's descriptor, see [`hash_one`].
    root: BorrowedFd<'a>,
    done: Mutex<Vec<Hashed>>,
    /// The failure with the lowest node index, so that the error reported does not
    /// depend on thread timing.
    failed: Mutex<Option<(usize, DigestError)>>,
    pub(super) cancel: AtomicBool,
    progress: Option<Progress>,
}

impl<'a> Hashing<'a> {
    pub(super) fn new(root: BorrowedFd<'a>, opts: &Options) -> Self {
        Hashing {
            root,
            done: Mutex::new(Vec::new()),
            failed: Mutex::new(None),
            cancel: AtomicBool::new(false),
            progress: opts.progress.then(Progress::new),
        }
    }

    pub(super) fn spawn<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        node: usize,
        rel: &str,
        stat: Stat,
    ) {
        if let Some(progress) = &self.progress {
            progress.found(stat.size);
        }
        let rel = rel.to_owned();
        scope.spawn(move |_| self.run(node, &rel, &stat));
    }

    /// Takes a file's hash from the verification cache instead of reading it.
    pub(super) fn known(&self, node: usize, sha: [u8; 32]) {
        locked(&self.done).push(Hashed {
            node,
            sha,
            captured: None,
        });
    }

    /// Hashes one file on the calling thread.
    pub(super) fn inline(&self, node: usize, rel: &str, stat: &Stat) {
        if let Some(progress) = &self.progress {
            progress.found(stat.size);
        }
        self.run(node, rel, stat);
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

    pub(super) fn finish(self, nodes: usize) -> Result<Hashes, DigestError> {
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
    root: BorrowedFd<'_>,
    rel: &str,
    walked: &Stat,
    capture: bool,
    bar: Option<&ProgressBar>,
) -> Result<([u8; 32], Option<Vec<u8>>), DigestError> {
    let file = open_no_follow(root, rel).map_err(|e| open_error(rel, e.into()))?;
    let read =
        BUF.with_borrow_mut(|buf| read_and_hash(&file, rel, walked.size, capture, bar, buf))?;
    // One fstat, after reading, checks both the type and the stat: a fstat before
    // reading costs 5% on small files, and whatever a non-regular file swapped in
    // after the walk was, reading it cannot block (O_NONBLOCK) nor run long (reads
    // stop at the walk's size).
    let after = rustix::fs::fstat(&file).map_err(|errno| DigestError::Io {
        path: rel.to_owned(),
        action: "read the metadata of",
        source: errno.into(),
    })?;
    if FileType::from_raw_mode(after.st_mode) != FileType::RegularFile {
        return Err(changed(rel, "it is no longer a regular file"));
    }
    check_unchanged(rel, walked, &Stat::from_raw(&after), read.bytes)?;
    Ok((read.sha, read.captured))
}

/// Opens `rel` relative to the root's descriptor (a shorter path walk than from `/`),
/// without following a final symlink (one swapped in after the walk) and without
/// blocking (a FIFO swapped in after the walk would otherwise hang us).
///
/// The folders on the way are resolved again, and one of them could have been swapped
/// for a symlink since the walk. That is safe: the fstat after reading must show the
/// inode and device the walk's stat (relative to the real folder) saw, so a different
/// file is refused, and the same inode reached another way has the same content.
/// Opening relative to each folder's own descriptor would save the few components
/// but keep one descriptor open per folder with files waiting to be hashed: thousands
/// on a wide tree, past the usual limit of 1024.
fn open_no_follow(root: BorrowedFd<'_>, rel: &str) -> rustix::io::Result<File> {
    let flags =
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    rustix::fs::openat(root, rel, flags, Mode::empty()).map(File::from)
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
