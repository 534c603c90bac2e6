//! The walk of a package tree in digest order, and the checks on what it finds:
//! names, symlink targets, special files and the size limits.

use std::fs::{self, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::Limits;
use super::error::{DigestError, SpecialKind};
use super::hash::Stat;

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
    pub(super) root: &'a Path,
    pub(super) limits: &'a Limits,
    pub(super) nodes: Vec<Node>,
    pub(super) total_bytes: u64,
    pub(super) on_file: &'a mut OnFile<'a>,
}

impl Walker<'_> {
    pub(super) fn walk_root(&mut self) -> Result<(), DigestError> {
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
