//! Delivering keys without the environment (DESIGN.md "Delivering keys"): the private
//! run folder of one `run`, the `files` mode's key files in it, and (in [`socket`]) the
//! `socket` mode's server. `env` mode needs none of this; see `runner::environment`.
//!
//! A run folder is `$XDG_RUNTIME_DIR/keyward/run-PID-START` (else
//! `$TMPDIR/keyward-UID/…`, else `/tmp/keyward-UID/…`), 0700 inside a 0700 base that
//! keyward checks it owns. PID and START (its start time in clock ticks since boot,
//! field 22 of `/proc/PID/stat`) are keyward's own, so a folder whose process no longer
//! exists, or is another process that reuses the pid, is known dead: every run sweeps
//! those first (a keyward killed by SIGKILL could not remove its own). keyward removes
//! its own folder when the package exits, signals included: it catches and forwards
//! them, and cleans up once the package has gone.

pub mod peer;
pub mod socket;

use std::ffi::OsString;
use std::fs::{self, DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::secret::SecretBytes;

/// The folder of one run: removed (its files overwritten first) when dropped.
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Sweeps the folders of dead runs, then creates this run's folder (0700).
    pub fn create() -> Result<RunDir> {
        let base = base_dir()?;
        sweep(&base);
        let me = std::process::id();
        let start = peer::start_time(me).ok_or_else(|| {
            Error::general("cannot read keyward's own start time from /proc/self/stat")
                .code("run-folder")
                .hint("deliver: files and socket need /proc (Linux); use --deliver env")
        })?;
        let path = base.join(format!("run-{me}-{start}"));
        DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(|e| folder_error(&path, &e))?;
        // The umask can only remove bits: make sure of 0700 exactly.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700))
            .map_err(|e| folder_error(&path, &e))?;
        Ok(RunDir { path })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one 0400 file per key, named as the key, holding its exact bytes, and
    /// returns the variables that point at them: `CREDENTIALS_DIRECTORY` and `KEY_FILE`.
    pub fn write_files(
        &self,
        values: &[(String, SecretBytes)],
    ) -> Result<Vec<(OsString, OsString)>> {
        let mut vars = vec![("CREDENTIALS_DIRECTORY".into(), self.path.clone().into())];
        for (name, value) in values {
            let file = self.path.join(name);
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o400)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&file)
                .map_err(|e| file_error(name, &self.path, &e))?;
            f.write_all(value.expose())
                .map_err(|e| file_error(name, &self.path, &e))?;
            vars.push((format!("{name}_FILE").into(), file.into()));
        }
        Ok(vars)
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        remove_run_dir(&self.path);
    }
}

fn folder_error(path: &Path, e: &std::io::Error) -> Error {
    Error::general(format!(
        "cannot create the run folder {}: {e}",
        path.display()
    ))
    .code("run-folder")
    .hint("set XDG_RUNTIME_DIR (or TMPDIR) to a folder only you can write, or use --deliver env")
}

fn file_error(name: &str, dir: &Path, e: &std::io::Error) -> Error {
    Error::general(format!(
        "cannot write the key file for {name} in the run folder {}: {e}; the package was not started",
        dir.display()
    ))
    .code("run-folder")
    .hint("check free space and permissions there, or use --deliver socket or env")
}

/// `$XDG_RUNTIME_DIR/keyward`, else `$TMPDIR/keyward-UID`, else `/tmp/keyward-UID`.
fn base_path(uid: u32) -> PathBuf {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() && p.is_dir())
    };
    match absolute("XDG_RUNTIME_DIR") {
        Some(run) => run.join("keyward"),
        None => absolute("TMPDIR")
            .unwrap_or_else(|| PathBuf::from("/tmp"))
            .join(format!("keyward-{uid}")),
    }
}

/// Sweeps dead runs' folders when the base exists and is ours (`env` runs, which
/// make no folder, still clean up after a killed `files` or `socket` run).
pub fn sweep_stale() {
    let uid = rustix::process::geteuid().as_raw();
    let base = base_path(uid);
    if fs::symlink_metadata(&base)
        .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0)
    {
        sweep(&base);
    }
}

/// The base of run folders ([`base_path`]): created 0700 when missing; refused
/// unless it is a real folder of ours, 0700.
pub fn base_dir() -> Result<PathBuf> {
    let uid = rustix::process::geteuid().as_raw();
    let base = base_path(uid);
    match DirBuilder::new().mode(0o700).create(&base) {
        Ok(()) => {
            fs::set_permissions(&base, fs::Permissions::from_mode(0o700))
                .map_err(|e| folder_error(&base, &e))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(folder_error(&base, &e)),
    }
    let meta = fs::symlink_metadata(&base).map_err(|e| folder_error(&base, &e))?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(Error::general(format!(
            "the run folder base {} is not a private folder of yours (it must be a folder, not a symlink, owned by uid {uid}, mode 0700); keyward will not put keys there",
            base.display()
        ))
        .code("run-folder")
        .hint(format!(
            "remove it if you do not know it (`rm -r {}`), or set XDG_RUNTIME_DIR or TMPDIR to a private folder",
            base.display()
        )));
    }
    Ok(base)
}

/// Removes the folders of runs whose keyward no longer exists. Best effort: a folder
/// that cannot be removed now is tried again by the next run.
pub fn sweep(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((pid, start)) = name.to_str().and_then(parse_run_name) else {
            continue;
        };
        if peer::start_time(pid) != Some(start) {
            remove_run_dir(&entry.path());
        }
    }
}

fn parse_run_name(name: &str) -> Option<(u32, u64)> {
    let (pid, start) = name.strip_prefix("run-")?.split_once('-')?;
    Some((pid.parse().ok()?, start.parse().ok()?))
}

/// Overwrites the key files with zeros, then removes the folder. Not synced: on a
/// tmpfs there is nothing to sync, and on a disk the unlinked file's dirty pages are
/// dropped unwritten, or written as zeros; an fsync here costs milliseconds a run.
fn remove_run_dir(path: &Path) {
    if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.flatten() {
            let file = entry.path();
            let Ok(meta) = fs::symlink_metadata(&file) else {
                continue;
            };
            if meta.is_file() && meta.len() > 0 {
                let _ = fs::set_permissions(&file, fs::Permissions::from_mode(0o600));
                if let Ok(mut f) = OpenOptions::new()
                    .write(true)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&file)
                {
                    let len = usize::try_from(meta.len()).unwrap_or(0).min(1 << 20);
                    let _ = f.write_all(&vec![0u8; len]);
                }
            }
        }
    }
    let _ = fs::remove_dir_all(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_names_parse() {
        assert_eq!(parse_run_name("run-123-456"), Some((123, 456)));
        assert_eq!(parse_run_name("run-123"), None);
        assert_eq!(parse_run_name("other-1-2"), None);
        assert_eq!(parse_run_name("run-x-2"), None);
    }
}
