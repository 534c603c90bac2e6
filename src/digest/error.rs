//! `DigestError`, the kinds of special file a package may not hold, and the helpers
//! that build the errors found while hashing.

use std::fmt;
use std::io;

use super::MANIFEST_FILE;
use super::walk::MAX_LINK_HOPS;
// Only the docs name the limits.
#[cfg(doc)]
use super::Limits;

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
    /// A symlink whose target stays inside the package lexically, but leaves it once
    /// a symlink on the way is followed, as the kernel would (`a/b/up -> ..` then
    /// `esc -> a/b/up/../../../x`).
    #[error(
        "{path}: symlink target `{target}` leads outside the package through the symlink \
         `{via}`; package symlinks must stay inside the package — point it at something in \
         the package or replace it with a copy"
    )]
    SymlinkEscapesThrough {
        /// The link.
        path: String,
        /// Its target, escaped for display.
        target: String,
        /// The last symlink followed before the target left the package.
        via: String,
    },
    /// A symlink that leads into the top-level `.git` folder, which is never hashed.
    #[error(
        "{path}: symlink target `{target}` leads into the top-level .git folder, which is \
         left out of the digest; point it at something else in the package or replace it \
         with a copy"
    )]
    SymlinkIntoGit {
        /// The link.
        path: String,
        /// Its target, escaped for display.
        target: String,
    },
    /// A symlink that goes round a loop of symlinks, or through more of them than the
    /// kernel follows.
    #[error(
        "{path}: symlink target `{target}` goes round a loop of symlinks (or through more \
         than {MAX_LINK_HOPS}), so nothing could open it; point it at a file or folder in the \
         package, or remove it"
    )]
    SymlinkLoop {
        /// A link on the loop.
        path: String,
        /// Its target, escaped for display.
        target: String,
    },
    /// The top-level `.git` is not a real folder: it is left out of the digest, so a
    /// symlink or file there could hold code that is never pinned.
    #[error(
        "{path}: is {what}, not a folder; keyward leaves only a real top-level .git folder \
         out of the digest — replace it with the repository's folder or remove it (a git \
         worktree or submodule has a .git file: install from a regular clone or a copy)"
    )]
    GitNotAFolder {
        /// `.git`.
        path: String,
        /// What it is, e.g. "a symlink to `/elsewhere`".
        what: String,
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

pub(super) fn open_error(rel: &str, source: io::Error) -> DigestError {
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

pub(super) fn changed(rel: &str, detail: &str) -> DigestError {
    DigestError::ChangedWhileHashing {
        path: rel.to_owned(),
        detail: detail.to_owned(),
    }
}
