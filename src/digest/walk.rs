//! The walk of a package tree in digest order, and the checks on what it finds:
//! names, symlink targets (resolved as the kernel would), special files, the
//! top-level `.git` and the size limits.
//!
//! Every folder is opened relative to its parent's descriptor without following
//! symlinks, listed through that descriptor, and its entries are inspected relative
//! to it. A folder swapped for a symlink while the walk runs therefore fails to open
//! instead of leading the walk outside the package, and no path is ever resolved
//! from the root again (which also saves the kernel a path walk per entry).

use std::collections::HashMap;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, RawDir};
use rustix::io::Errno;

use super::Limits;
use super::error::{DigestError, SpecialKind, changed};
use super::hash::Stat;

/// The most symlinks one resolution may nest, as Linux's `MAXSYMLINKS`: a chain the
/// kernel would refuse to follow (ELOOP) is refused here too, which also bounds the
/// resolver's recursion.
pub(crate) const MAX_LINK_HOPS: usize = 40;

/// Bytes of `getdents64` buffer: about a thousand entries per call.
const DIRENT_BUF: usize = 32 * 1024;

pub(super) enum NodeKind {
    Dir,
    File(Stat),
    Symlink(String),
}

/// A record, as found by the walk, in digest order.
pub(super) struct Node {
    pub(super) path: String,
    pub(super) kind: NodeKind,
}

/// Called with each regular file's node index, path and stat, once it is recorded.
pub(super) type OnFile<'a> = dyn FnMut(usize, &str, Stat) + 'a;

pub(super) struct Walker<'a> {
    root: &'a Path,
    root_fd: BorrowedFd<'a>,
    limits: &'a Limits,
    pub(super) nodes: Vec<Node>,
    total_bytes: u64,
    /// Entries listed but not recorded yet, in every folder being walked. Each will be
    /// at least one record, so the entry limit is enforced while listing: a folder of
    /// a million entries fails at the limit instead of being held in memory whole.
    pending: usize,
    /// Reused for every listing.
    dirents: Vec<MaybeUninit<u8>>,
    on_file: &'a mut OnFile<'a>,
}

/// Opens the package root, following a symlink (the root may be a checkout path
/// that is one); everything inside it is taken as is.
pub(super) fn open_root(root: &Path) -> Result<OwnedFd, DigestError> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NONBLOCK;
    rustix::fs::openat(CWD, root, flags, Mode::empty()).map_err(|errno| {
        let path = root.display().to_string();
        if errno == Errno::NOTDIR {
            DigestError::NotADirectory { path }
        } else {
            DigestError::Io {
                path,
                action: "read the package folder",
                source: errno.into(),
            }
        }
    })
}

impl<'a> Walker<'a> {
    pub(super) fn new(
        root: &'a Path,
        root_fd: BorrowedFd<'a>,
        limits: &'a Limits,
        on_file: &'a mut OnFile<'a>,
    ) -> Self {
        Walker {
            root,
            root_fd,
            limits,
            nodes: Vec::new(),
            total_bytes: 0,
            pending: 0,
            dirents: Vec::new(),
            on_file,
        }
    }

    pub(super) fn walk_root(&mut self) -> Result<(), DigestError> {
        self.walk_dir(self.root_fd, String::new(), 0)?;
        check_links(&self.nodes)
    }

    /// `rel` is empty for the root.
    fn shown(&self, rel: &str) -> String {
        if rel.is_empty() {
            self.root.display().to_string()
        } else {
            rel.to_owned()
        }
    }

    fn push(&mut self, path: String, kind: NodeKind) -> Result<(), DigestError> {
        if self.nodes.len() >= self.limits.max_entries {
            return Err(self.too_many());
        }
        self.nodes.push(Node { path, kind });
        Ok(())
    }

    fn too_many(&self) -> DigestError {
        DigestError::TooManyEntries {
            path: self.shown(""),
            limit: self.limits.max_entries,
        }
    }

    fn walk_dir(
        &mut self,
        dir: BorrowedFd<'_>,
        rel: String,
        depth: usize,
    ) -> Result<(), DigestError> {
        self.push(rel.clone(), NodeKind::Dir)?;
        let children = self.list(dir, &rel)?;
        for (name, listed) in children {
            self.pending -= 1;
            let child = join(&rel, &name);
            if depth + 1 > self.limits.max_depth {
                return Err(DigestError::TooDeep {
                    path: child,
                    limit: self.limits.max_depth,
                });
            }
            self.visit(dir, &name, child, listed, depth + 1)?;
        }
        Ok(())
    }

    /// The folder's entries with their type as listed, sorted by name bytes. Names
    /// are checked and counted as they come, so neither a bad name nor a huge folder
    /// costs more than the listing up to it.
    fn list(
        &mut self,
        dir: BorrowedFd<'_>,
        rel: &str,
    ) -> Result<Vec<(String, FileType)>, DigestError> {
        if self.dirents.len() < DIRENT_BUF {
            self.dirents.resize(DIRENT_BUF, MaybeUninit::uninit());
        }
        let mut buf = std::mem::take(&mut self.dirents);
        let listed = self.list_into(dir, rel, &mut buf);
        self.dirents = buf;
        let mut children = listed?;
        children.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(children)
    }

    fn list_into(
        &mut self,
        dir: BorrowedFd<'_>,
        rel: &str,
        buf: &mut [MaybeUninit<u8>],
    ) -> Result<Vec<(String, FileType)>, DigestError> {
        let mut children = Vec::new();
        let mut listing = RawDir::new(dir, buf);
        while let Some(entry) = listing.next() {
            let entry = entry.map_err(|errno| DigestError::Io {
                path: self.shown(rel),
                action: "list the folder",
                source: errno.into(),
            })?;
            let raw = entry.file_name().to_bytes();
            if raw == b"." || raw == b".." {
                continue;
            }
            if rel.is_empty() && raw == b".git" && is_git_folder(dir, entry.file_type())? {
                continue;
            }
            let name = checked_name(rel, raw)?;
            if self.nodes.len() + self.pending >= self.limits.max_entries {
                return Err(self.too_many());
            }
            self.pending += 1;
            children.push((name, entry.file_type()));
        }
        Ok(children)
    }

    /// Records one entry. The listed type says what to do without a stat for folders,
    /// symlinks and special files; a regular file gets its one stat here (size, mode,
    /// mtime, inode: what hashing checks again), and so does a type the filesystem
    /// did not report. Whatever the entry has become since the listing is what the
    /// stat, open or readlink that follows finds.
    fn visit(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &str,
        rel: String,
        listed: FileType,
        depth: usize,
    ) -> Result<(), DigestError> {
        let (kind, stat) = match listed {
            FileType::RegularFile | FileType::Unknown => {
                let st = stat_at(dir, name, &rel)?;
                (FileType::from_raw_mode(st.st_mode), Some(st))
            }
            other => (other, None),
        };
        match kind {
            FileType::Directory => {
                let sub = open_dir(dir, name, &rel)?;
                self.walk_dir(sub.as_fd(), rel, depth)
            }
            FileType::RegularFile => {
                let st = match stat {
                    Some(st) => st,
                    None => stat_at(dir, name, &rel)?,
                };
                self.file(rel, Stat::from_raw(&st))
            }
            FileType::Symlink => {
                let target = link_target(dir, name, &rel)?;
                self.push(rel, NodeKind::Symlink(target))
            }
            special => Err(DigestError::SpecialFile {
                path: rel,
                kind: special_kind(special),
            }),
        }
    }

    fn file(&mut self, rel: String, stat: Stat) -> Result<(), DigestError> {
        self.total_bytes = self.total_bytes.saturating_add(stat.size);
        if self.total_bytes > self.limits.max_bytes {
            return Err(DigestError::TooLarge {
                path: self.shown(""),
                limit: self.limits.max_bytes,
            });
        }
        let node = self.nodes.len();
        self.push(rel, NodeKind::File(stat))?;
        (self.on_file)(node, &self.nodes[node].path, stat);
        Ok(())
    }
}

/// An error from a call on an entry just listed: gone means it changed under us.
fn entry_error(rel: &str, action: &'static str, errno: Errno) -> DigestError {
    if errno == Errno::NOENT {
        return changed(rel, "it was removed while its folder was listed");
    }
    DigestError::Io {
        path: rel.to_owned(),
        action,
        source: errno.into(),
    }
}

fn stat_at(dir: BorrowedFd<'_>, name: &str, rel: &str) -> Result<rustix::fs::Stat, DigestError> {
    rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
        .map_err(|e| entry_error(rel, "read the metadata of", e))
}

/// Opens a subfolder without following a symlink: one swapped in since the listing
/// (or a FIFO, which O_DIRECTORY refuses without opening) fails here.
pub(super) fn open_dir(dir: BorrowedFd<'_>, name: &str, rel: &str) -> Result<OwnedFd, DigestError> {
    let flags =
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    rustix::fs::openat(dir, name, flags, Mode::empty()).map_err(|errno| {
        if errno == Errno::LOOP || errno == Errno::NOTDIR {
            changed(rel, "the folder was replaced while it was listed")
        } else {
            entry_error(rel, "list the folder", errno)
        }
    })
}

fn read_link(dir: BorrowedFd<'_>, name: &str, rel: &str) -> Result<Vec<u8>, DigestError> {
    match rustix::fs::readlinkat(dir, name, Vec::new()) {
        Ok(target) => Ok(target.into_bytes()),
        // Not a symlink any more.
        Err(Errno::INVAL) => Err(changed(rel, "it was replaced while its folder was listed")),
        Err(errno) => Err(entry_error(rel, "read the symlink", errno)),
    }
}

fn link_target(dir: BorrowedFd<'_>, name: &str, rel: &str) -> Result<String, DigestError> {
    let target =
        String::from_utf8(read_link(dir, name, rel)?).map_err(|bad| DigestError::BadName {
            path: rel.to_owned(),
            name: escape_name(bad.as_bytes()),
            what: "symlink target",
            problem: "is not valid UTF-8",
        })?;
    if target.starts_with('/') {
        return Err(DigestError::SymlinkAbsolute {
            path: rel.to_owned(),
            target: escape_name(target.as_bytes()),
        });
    }
    if link_escapes(rel, &target) {
        return Err(DigestError::SymlinkEscapes {
            path: rel.to_owned(),
            target: escape_name(target.as_bytes()),
        });
    }
    Ok(target)
}

/// Whether the top-level `.git` is the folder left out of the digest. Leaving it out
/// unread is only sound for a real folder: a symlink there could point anywhere. A
/// regular file (`gitdir: …` in worktrees and submodules) is hashed like any other
/// file; a symlink or special file is refused, described in the error.
fn is_git_folder(root: BorrowedFd<'_>, listed: FileType) -> Result<bool, DigestError> {
    const GIT: &str = ".git";
    let kind = match listed {
        FileType::Directory => return Ok(true),
        FileType::Unknown => match rustix::fs::statat(root, GIT, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => FileType::from_raw_mode(st.st_mode),
            // Gone since the listing: there is nothing left out.
            Err(Errno::NOENT) => return Ok(true),
            Err(errno) => return Err(entry_error(GIT, "read the metadata of", errno)),
        },
        other => other,
    };
    let what = match kind {
        FileType::Directory => return Ok(true),
        // A worktree's or submodule's `.git` file (`gitdir: …`) is not the folder that
        // is left out: it is hashed like any other file.
        FileType::RegularFile => return Ok(false),
        FileType::Symlink => match rustix::fs::readlinkat(root, GIT, Vec::new()) {
            Ok(target) => format!("a symlink to `{}`", escape_name(target.as_bytes())),
            Err(_) => "a symlink".to_owned(),
        },
        special => format!("a {}", special_kind(special)),
    };
    Err(DigestError::GitNotAFolder {
        path: GIT.to_owned(),
        what,
    })
}

fn special_kind(ft: FileType) -> SpecialKind {
    match ft {
        FileType::Fifo => SpecialKind::Fifo,
        FileType::Socket => SpecialKind::Socket,
        FileType::BlockDevice => SpecialKind::BlockDevice,
        FileType::CharacterDevice => SpecialKind::CharDevice,
        _ => SpecialKind::Unknown,
    }
}

/// Checks every symlink by resolving its target against the walked tree as the kernel
/// would: component by component from the link's folder, following the symlinks met
/// on the way (their targets, from their own folders), `..` going to the real parent
/// of wherever that led. The lexical check alone is not enough: with `a/b/up -> ..`,
/// `esc -> a/b/up/../../../x` stays inside on paper, yet `a/b/up/..` is `a`, not
/// `a/b`, and the path leaves the package. Refusing `..` after any symlink would be
/// simpler but refuses harmless trees and still needs the same tree lookup to detect
/// loops, so the resolver it is.
///
/// A component that is missing, or a file followed by more components, ends the
/// resolution: the kernel stops there too (ENOENT, ENOTDIR) and reaches nothing, and
/// creating the missing entry later changes the digest. The one exception is the
/// top-level `.git`, which is not in the tree because it is never hashed: leading into
/// it is refused, whether it exists or not.
///
/// Each link is resolved once and remembered, so a hostile package of many long chains
/// costs time linear in the total length of its targets.
fn check_links(nodes: &[Node]) -> Result<(), DigestError> {
    let links: Vec<usize> = (0..nodes.len())
        .filter(|&i| matches!(nodes[i].kind, NodeKind::Symlink(_)))
        .collect();
    if links.is_empty() {
        return Ok(());
    }
    let mut resolver = Resolver {
        nodes,
        by_path: nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.path.as_str(), i))
            .collect(),
        done: HashMap::new(),
    };
    for link in links {
        resolver.resolve(link, 0)?;
    }
    Ok(())
}

struct Resolver<'n> {
    nodes: &'n [Node],
    by_path: HashMap<&'n str, usize>,
    /// Per link: `None` while it is being resolved (meeting it again is a loop), then
    /// the folder it leads to, or `Some(None)` when it leads to a file or nowhere.
    done: HashMap<usize, Option<Option<String>>>,
}

impl Resolver<'_> {
    /// The folder the link at node `link` leads to, if it leads to one.
    fn resolve(&mut self, link: usize, nesting: usize) -> Result<Option<String>, DigestError> {
        let nodes = self.nodes;
        let node = &nodes[link];
        let NodeKind::Symlink(target) = &node.kind else {
            return Ok(None);
        };
        let error = |make: fn(String, String) -> DigestError| {
            make(node.path.clone(), escape_name(target.as_bytes()))
        };
        match self.done.get(&link) {
            Some(Some(dest)) => return Ok(dest.clone()),
            Some(None) => {
                return Err(error(|path, target| DigestError::SymlinkLoop {
                    path,
                    target,
                }));
            }
            None => {}
        }
        if nesting >= MAX_LINK_HOPS {
            return Err(error(|path, target| DigestError::SymlinkLoop {
                path,
                target,
            }));
        }
        self.done.insert(link, None);
        // The link's folder: the walk only descends real folders, so its path is real.
        let mut here = node
            .path
            .rsplit_once('/')
            .map_or("", |(dir, _)| dir)
            .to_owned();
        let mut via: Option<String> = None;
        let mut dest = None;
        let mut parts = target.split('/');
        loop {
            let Some(part) = parts.next() else {
                dest = Some(here);
                break;
            };
            match part {
                "" | "." => {}
                ".." => {
                    if here.is_empty() {
                        let (path, target) = (node.path.clone(), escape_name(target.as_bytes()));
                        return Err(match via {
                            Some(via) => DigestError::SymlinkEscapesThrough { path, target, via },
                            None => DigestError::SymlinkEscapes { path, target },
                        });
                    }
                    here.truncate(here.rfind('/').unwrap_or(0));
                }
                name => {
                    let next = join(&here, name);
                    let Some(&found) = self.by_path.get(next.as_str()) else {
                        if next == ".git" {
                            return Err(error(|path, target| DigestError::SymlinkIntoGit {
                                path,
                                target,
                            }));
                        }
                        break;
                    };
                    match &nodes[found].kind {
                        NodeKind::Dir => here = next,
                        NodeKind::File(_) => break,
                        NodeKind::Symlink(_) => match self.resolve(found, nesting + 1)? {
                            Some(dir) => {
                                here = dir;
                                via = Some(next);
                            }
                            None => break,
                        },
                    }
                }
            }
        }
        self.done.insert(link, Some(dest.clone()));
        Ok(dest)
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

/// Whether a relative `target` of the link at `link` climbs above the package root at
/// any point, resolved lexically: `a/../../x` escapes even if `x` would exist inside.
pub(super) fn link_escapes(link: &str, target: &str) -> bool {
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
