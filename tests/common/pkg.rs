//! Fixture packages for the `run` and audit tests: a folder with an
//! `instant.package.json` (and any scripts) under the test's temp dir, installed with
//! `install PATH --approve KEY…`, and helpers to read what the package saw.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

use super::{TIMEOUT, TestEnv};

/// What masking puts in place of a granted value.
pub const REPLACEMENT: &str = "<concealed by keyward>";

impl TestEnv {
    /// `ROOT/pkgs/DIR` holding `manifest` as its instant.package.json; returns the
    /// canonical path (what keyward pins and exports as KEYWARD_PACKAGE_DIR).
    pub fn write_package(&self, dir: &str, manifest: &serde_json::Value) -> PathBuf {
        let path = self.root().join("pkgs").join(dir);
        fs::create_dir_all(&path).expect("create the package folder");
        fs::write(
            path.join("instant.package.json"),
            serde_json::to_vec_pretty(manifest).expect("serialise the manifest"),
        )
        .expect("write instant.package.json");
        fs::canonicalize(&path).expect("canonical package path")
    }

    /// `install PATH --approve KEY…` (`--yes` when approving none) in the default
    /// keychain (or the one named), as the owner, with no terminal.
    pub fn install(&self, keychain: Option<&str>, pkg: &Path, approve: &[&str]) {
        let mut cmd = self.cmd();
        if let Some(kc) = keychain {
            cmd.args(["-k", kc]);
        }
        cmd.arg("install").arg(pkg);
        for key in approve {
            cmd.args(["--approve", key]);
        }
        if approve.is_empty() {
            cmd.arg("--yes");
        }
        cmd.write_stdin("").assert().success();
    }

    /// `keyward run ARGS…` as the owner (a clean environment, the master key).
    pub fn run_cmd<I, S>(&self, args: I) -> assert_cmd::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.cmd();
        cmd.arg("run").args(args).current_dir(self.root());
        cmd
    }

    /// `keyward --json log` of the default keychain (or the one named): its entries.
    pub fn log_entries(&self, keychain: Option<&str>) -> Vec<serde_json::Value> {
        let mut cmd = self.cmd();
        if let Some(kc) = keychain {
            cmd.args(["-k", kc]);
        }
        let out = cmd.args(["--json", "log"]).assert().success();
        let doc: serde_json::Value =
            serde_json::from_slice(&out.get_output().stdout).expect("log --json is one JSON doc");
        doc["entries"]
            .as_array()
            .expect("`entries` is an array")
            .clone()
    }
}

/// Writes `bytes` to `dir/name`, executable (0755) or not (0644).
pub fn write_file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>, exec: bool) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).expect("write a package file");
    let mode = if exec { 0o755 } else { 0o644 };
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod a package file");
    path
}

/// The NAME=VALUE records printed by `env -0`, by name.
pub fn parse_env0(bytes: &[u8]) -> BTreeMap<String, String> {
    bytes
        .split(|&b| b == 0)
        .filter(|rec| !rec.is_empty())
        .map(|rec| {
            let rec = String::from_utf8(rec.to_vec()).expect("env -0 records are UTF-8 here");
            let (name, value) = rec.split_once('=').expect("NAME=VALUE");
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// Whether `haystack` contains `needle` anywhere.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// `haystack` with every `from` replaced by `to`, left to right, not overlapping.
pub fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// How many times `needle` occurs in `haystack`, not overlapping.
pub fn count_bytes(haystack: &[u8], needle: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        if haystack[i..].starts_with(needle) {
            n += 1;
            i += needle.len();
        } else {
            i += 1;
        }
    }
    n
}

/// Quotes `s` for `sh -c` (the command string `script -c` runs).
pub fn sh_quote(s: impl AsRef<OsStr>) -> String {
    let s = String::from_utf8_lossy(s.as_ref().as_bytes()).into_owned();
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Waits for `child`, killing it and failing if it runs longer than [`TIMEOUT`].
pub fn wait_with_deadline(child: &mut Child, what: &str) -> ExitStatus {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("wait for keyward") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Polls until `path` holds a whole line (written by the package `child` runs); fails
/// if `child` ends first or after [`TIMEOUT`].
pub fn wait_for_file(path: &Path, child: &mut Child) -> String {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Ok(text) = fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        if let Some(status) = child.try_wait().expect("poll keyward") {
            panic!(
                "keyward ended ({status}) before {} appeared",
                path.display()
            );
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} did not appear within {TIMEOUT:?}", path.display());
        }
        thread::sleep(Duration::from_millis(10));
    }
}
