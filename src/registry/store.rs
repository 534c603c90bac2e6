//! keyward's store: `store/` beside the vault, one folder per installation of a registry
//! package, read-only once hashed. A folder being filled is removed again unless the
//! install that filled it commits ([`StoreDir::keep`]).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::{Error, Result};

/// The store folder for the vault at `vault_path`: `store/` in the vault's folder.
pub fn root(vault_path: &Path) -> PathBuf {
    vault_path
        .parent()
        .map_or_else(|| PathBuf::from("store"), |p| p.join("store"))
}

/// Whether `path` is a folder directly inside the store `root`.
pub fn contains(root: &Path, path: &Path) -> bool {
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    path.parent() == Some(root.as_path())
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.starts_with('.'))
}

/// A store folder being filled; removed on drop unless kept.
pub struct StoreDir {
    path: PathBuf,
    keep: bool,
}

impl StoreDir {
    /// Creates `root/STEM-RANDOM` (0700 root, created when missing).
    pub fn create(root: &Path, stem: &str) -> Result<StoreDir> {
        let io = |what: &str, e: std::io::Error| {
            Error::general(format!(
                "cannot {what} in the store {}: {e}",
                root.display()
            ))
            .hint("check that the vault's folder is writable, or pass --vault PATH")
        };
        fs::create_dir_all(root).map_err(|e| io("create the folder", e))?;
        let _ = fs::set_permissions(root, fs::Permissions::from_mode(0o700));
        let suffix: u32 = rand::random();
        let path = root.join(format!("{stem}-{suffix:08x}"));
        fs::create_dir(&path).map_err(|e| io("create a package folder", e))?;
        let path = fs::canonicalize(&path).map_err(|e| io("resolve a package folder", e))?;
        Ok(StoreDir { path, keep: false })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The install committed: the folder stays.
    pub fn keep(mut self) -> PathBuf {
        self.keep = true;
        self.path.clone()
    }
}

impl Drop for StoreDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = remove(&self.path);
        }
    }
}

/// Makes a tree read-only: every write bit off, files and folders (symlinks untouched).
pub fn make_read_only(dir: &Path) -> Result<()> {
    set_writable(dir, false).map_err(|e| {
        Error::general(format!("cannot make {} read-only: {e}", dir.display()))
            .hint("check the store folder's owner and permissions")
    })
}

fn set_writable(path: &Path, writable: bool) -> std::io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode();
    if meta.is_dir() {
        if writable {
            fs::set_permissions(path, fs::Permissions::from_mode(mode | 0o700))?;
        }
        for entry in fs::read_dir(path)? {
            set_writable(&entry?.path(), writable)?;
        }
    }
    if !writable {
        fs::set_permissions(path, fs::Permissions::from_mode(mode & !0o222))?;
    }
    Ok(())
}

/// Removes a store folder, read-only or not.
pub fn remove(dir: &Path) -> std::io::Result<()> {
    if fs::symlink_metadata(dir).is_err() {
        return Ok(());
    }
    let _ = set_writable(dir, true);
    fs::remove_dir_all(dir)
}

/// Runs a registry client (`npm`, `python3 -m pip`) with stdin closed and keyward's own
/// credentials taken out of its environment. `what` says what it was doing, for errors.
pub fn tool(program: &str, args: &[&str], what: &str) -> Result<Output> {
    run_tool(Command::new(program), program, args, what)
}

/// [`tool`], run in the folder `dir`.
pub fn tool_in(dir: &Path, program: &str, args: &[&str], what: &str) -> Result<Output> {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir);
    run_tool(cmd, program, args, what)
}

fn run_tool(mut cmd: Command, program: &str, args: &[&str], what: &str) -> Result<Output> {
    cmd.args(args).stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("KEYWARD_") {
            cmd.env_remove(key);
        }
    }
    cmd.output().map_err(|e| {
        let fix = if e.kind() == std::io::ErrorKind::NotFound {
            format!("install {program} (keyward fetches with the ecosystem's own client) or put it on PATH")
        } else {
            format!("check that {program} can be run")
        };
        Error::general(format!("cannot run `{program}` to {what}: {e}")).hint(fix)
    })
}

/// The last lines of a tool's stderr, made safe to print.
pub fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(6);
    crate::output::sanitize(&lines[start..].join("\n  | ")).into_owned()
}
