//! The harness every `cli` test uses: a private temp dir, a clean environment and the
//! real `keyward` binary.
//!
//! Each [`TestEnv`] owns a temp dir with its own HOME, XDG_DATA_HOME and TMPDIR, and a
//! vault path in a folder that does not exist yet. Commands start from `env_clear()`,
//! so nothing of the developer's session (their keyring, their vault, their
//! KEYWARD_* variables) can leak in. No XDG_RUNTIME_DIR or D-Bus address is passed
//! unless a test asks for the real Secret Service.

#![allow(dead_code)] // each test module uses a different part of the harness

pub mod bao;
pub mod forge;
pub mod net;
pub mod pkg;
pub mod term;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

/// Longest one keyward command may take: a hang fails the test instead of blocking it.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The only PATH commands get: system tools, nothing from the developer's session.
pub const PATH: &str = "/usr/bin:/bin";

/// The keyward binary cargo built for this test run.
pub fn keyward_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("keyward")
}

/// One isolated world: a temp dir, a vault path inside it, and (after
/// [`TestEnv::init_env_backend`]) the vault's master key.
pub struct TestEnv {
    dir: TempDir,
    master_key: Option<String>,
}

impl TestEnv {
    /// A fresh temp dir with `home/` and `tmp/`; no vault yet.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("keyward-test.")
            .tempdir()
            .expect("create a temp dir");
        for sub in ["home", "tmp"] {
            fs::create_dir(dir.path().join(sub)).expect("create a folder in the temp dir");
        }
        TestEnv {
            dir,
            master_key: None,
        }
    }

    /// A fresh environment whose vault is already created with `--backend env`.
    pub fn with_vault() -> Self {
        let mut env = Self::new();
        env.init_env_backend();
        env
    }

    /// The temp dir.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The folder keyward must create for the vault (absent until `init`).
    pub fn vault_dir(&self) -> PathBuf {
        self.root().join("vaults")
    }

    /// `KEYWARD_VAULT` of every command.
    pub fn vault(&self) -> PathBuf {
        self.vault_dir().join("vault.db")
    }

    /// The master key printed by `init --backend env`.
    pub fn master_key(&self) -> &str {
        self.master_key
            .as_deref()
            .expect("call init_env_backend() first")
    }

    /// The variables every command gets, after `env_clear()`.
    pub fn base_env(&self) -> Vec<(&'static str, OsString)> {
        let root = self.root();
        vec![
            ("PATH", PATH.into()),
            ("HOME", root.join("home").into()),
            ("XDG_DATA_HOME", root.join("xdg-data").into()),
            ("TMPDIR", root.join("tmp").into()),
            ("LANG", "C.UTF-8".into()),
            ("KEYWARD_VAULT", self.vault().into()),
        ]
    }

    /// `keyward` with the clean environment, the master key (if any) and a timeout.
    pub fn cmd(&self) -> Command {
        let mut cmd = self.cmd_without_key();
        if let Some(key) = &self.master_key {
            cmd.env("KEYWARD_MASTER_KEY", key);
        }
        cmd
    }

    /// `keyward` with the clean environment and a timeout, but no KEYWARD_MASTER_KEY.
    pub fn cmd_without_key(&self) -> Command {
        let mut cmd = Command::cargo_bin("keyward").expect("the keyward binary is built");
        cmd.env_clear();
        for (key, value) in self.base_env() {
            cmd.env(key, value);
        }
        cmd.timeout(TIMEOUT);
        cmd
    }

    /// `keyward` as a token holder: KEYWARD_TOKEN set, no master key.
    pub fn token_cmd(&self, token: &str) -> Command {
        let mut cmd = self.cmd_without_key();
        cmd.env("KEYWARD_TOKEN", token);
        cmd
    }

    /// A `std::process::Command` running `program` in the same clean environment
    /// (with the master key, if any), for children the test drives itself.
    pub fn std_cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> StdCommand {
        let mut cmd = StdCommand::new(program);
        cmd.env_clear();
        for (key, value) in self.base_env() {
            cmd.env(key, value);
        }
        if let Some(key) = &self.master_key {
            cmd.env("KEYWARD_MASTER_KEY", key);
        }
        cmd
    }

    /// Uses `key` as KEYWARD_MASTER_KEY from now on (a vault made by the test itself).
    pub fn set_master_key(&mut self, key: String) {
        self.master_key = Some(key);
    }

    /// Runs `keyward init --backend env` and keeps the printed key for later commands.
    pub fn init_env_backend(&mut self) -> String {
        let out = self
            .cmd_without_key()
            .args(["init", "--backend", "env"])
            .assert()
            .success();
        let key = String::from_utf8(out.get_output().stdout.clone()).expect("the key is UTF-8");
        assert_eq!(
            key.len(),
            43,
            "the master key is 43 base64url characters: {key:?}"
        );
        self.master_key = Some(key.clone());
        key
    }

    /// `secret set NAME --stdin` in the default keychain, as the owner.
    pub fn set_secret(&self, name: &str, value: &str) {
        self.cmd()
            .args(["secret", "set", name, "--stdin"])
            .write_stdin(value)
            .assert()
            .success();
    }

    /// `-k KEYCHAIN secret set NAME --stdin`, as the owner.
    pub fn set_secret_in(&self, keychain: &str, name: &str, value: &str) {
        self.cmd()
            .args(["-k", keychain, "secret", "set", name, "--stdin"])
            .write_stdin(value)
            .assert()
            .success();
    }

    /// `secret get NAME` in the default keychain: the raw value.
    pub fn get_secret(&self, name: &str) -> String {
        let out = self.cmd().args(["secret", "get", name]).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).expect("the value is UTF-8")
    }

    /// `keychain create NAME`: the token it printed.
    pub fn create_keychain(&self, name: &str) -> String {
        let out = self
            .cmd()
            .args(["keychain", "create", name])
            .assert()
            .success();
        let token = String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8 token");
        token.trim_end().to_owned()
    }

    /// Names in `secret list --json` of the default keychain (or the token's).
    pub fn secret_names(&self) -> Vec<String> {
        let out = self
            .cmd()
            .args(["--json", "secret", "list"])
            .assert()
            .success();
        json_secret_names(&out.get_output().stdout)
    }

    /// Runs `sqlite3 VAULT SQL` and returns its stdout, trimmed.
    pub fn sqlite(&self, sql: &str) -> String {
        sqlite(&self.vault(), sql)
    }

    /// Every file in the vault folder with its bytes.
    pub fn vault_dir_snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        dir_snapshot(&self.vault_dir())
    }
}

/// Runs the `sqlite3` CLI on `db` and returns its stdout, trimmed; panics on failure.
pub fn sqlite(db: &Path, sql: &str) -> String {
    let out = StdCommand::new("sqlite3")
        .arg(db)
        .arg(sql)
        .stdin(Stdio::null())
        .output()
        .expect("sqlite3 is installed (scripts/test installs it)");
    assert!(
        out.status.success(),
        "sqlite3 {} {sql:?} failed: {}",
        db.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("sqlite3 prints UTF-8")
        .trim()
        .to_owned()
}

/// The `name`s of a `secret list --json` document.
pub fn json_secret_names(stdout: &[u8]) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(stdout).expect("stdout is one JSON doc");
    doc["secrets"]
        .as_array()
        .expect("`secrets` is an array")
        .iter()
        .map(|s| s["name"].as_str().expect("`name` is a string").to_owned())
        .collect()
}

/// Every regular file directly in `dir`, by name, with its bytes.
pub fn dir_snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("read the folder")
        .map(|entry| {
            let entry = entry.expect("read a folder entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = fs::read(entry.path()).unwrap_or_default();
            (name, bytes)
        })
        .collect()
}

/// The permission bits (`0o777` part) of `path`.
pub fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Stdout of a finished command, as text.
pub fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// Stderr of a finished command, as text.
pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// Runs `cmd` with stdin at `/dev/null` and stdout/stderr captured, killing it and
/// failing the test if it has not finished within [`TIMEOUT`] (a prompt that blocks).
pub fn run_no_stdin(cmd: &mut StdCommand) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the command");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the command") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let args: Vec<_> = cmd.get_args().collect();
            panic!(
                "{:?} {args:?} did not finish within {TIMEOUT:?}: it blocked",
                cmd.get_program()
            );
        }
        thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

// ---------------------------------------------------------------------------------
// Packages: fixtures, JSON views of the vault, and an independent `kw1` encoder.

/// A manifest named `name` requesting `keys` (all required), running `./run.sh`.
pub fn manifest_json(name: &str, keys: &[&str]) -> String {
    serde_json::json!({
        "name": name,
        "version": "1.0.0",
        "description": "a test package",
        "keys": keys,
        "run": ["./run.sh"],
    })
    .to_string()
}

/// Writes `dir/instant.package.json` with exactly `bytes`, creating `dir`.
pub fn write_manifest(dir: &Path, bytes: impl AsRef<[u8]>) {
    fs::create_dir_all(dir).expect("create the package folder");
    fs::write(dir.join("instant.package.json"), bytes).expect("write the manifest");
}

/// Writes a package at `dir`: the manifest of [`manifest_json`], an executable
/// `run.sh` and a `lib/util.sh`.
pub fn write_package(dir: &Path, name: &str, keys: &[&str]) {
    write_manifest(dir, manifest_json(name, keys));
    fs::write(
        dir.join("run.sh"),
        "#!/bin/sh\nexec sh \"$(dirname \"$0\")/lib/util.sh\"\n",
    )
    .expect("write run.sh");
    fs::set_permissions(dir.join("run.sh"), fs::Permissions::from_mode(0o755))
        .expect("chmod run.sh");
    fs::create_dir_all(dir.join("lib")).expect("create lib/");
    fs::write(dir.join("lib/util.sh"), "echo util\n").expect("write lib/util.sh");
}

/// The `keys[*]` of an `inspect --json` document, as (name, approved).
pub fn key_approvals(inspect: &serde_json::Value) -> Vec<(String, bool)> {
    inspect["keys"]
        .as_array()
        .expect("`keys` is an array")
        .iter()
        .map(|k| {
            (
                k["name"].as_str().expect("key name").to_owned(),
                k["approved"].as_bool().expect("`approved` is a bool"),
            )
        })
        .collect()
}

impl TestEnv {
    /// `root/packages/DIR`, where the package tests keep their packages.
    pub fn package_path(&self, dir: &str) -> PathBuf {
        self.root().join("packages").join(dir)
    }

    /// Writes a package (see [`write_package`]) at `root/packages/DIR` and returns its path.
    pub fn make_package(&self, dir: &str, name: &str, keys: &[&str]) -> PathBuf {
        let path = self.package_path(dir);
        write_package(&path, name, keys);
        path
    }

    /// `keyward --json ARGS` as the owner; asserts success and parses stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let assert = self.cmd().arg("--json").args(args).assert().success();
        serde_json::from_slice(&assert.get_output().stdout)
            .unwrap_or_else(|e| panic!("`{}` prints one JSON document: {e}", args.join(" ")))
    }

    /// `install PATH --yes --json ARGS…`: the JSON report.
    pub fn install_json(&self, dir: &Path, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["install", dir.to_str().expect("UTF-8 path"), "--yes"];
        args.extend_from_slice(extra);
        self.json(&args)
    }

    /// `inspect PACKAGE --json`.
    pub fn inspect_json(&self, package: &str) -> serde_json::Value {
        self.json(&["inspect", package])
    }

    /// The one package of `list --json` named `name`, if listed.
    pub fn listed(&self, name: &str) -> Option<serde_json::Value> {
        let doc = self.json(&["list"]);
        doc["packages"]
            .as_array()
            .expect("`packages` is an array")
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
    }

    /// Names in `list --json`.
    pub fn listed_names(&self) -> Vec<String> {
        let doc = self.json(&["list"]);
        doc["packages"]
            .as_array()
            .expect("`packages` is an array")
            .iter()
            .map(|p| p["name"].as_str().expect("name").to_owned())
            .collect()
    }

    /// `config export` stdout, as the owner, run from the test's cwd.
    pub fn config_export(&self) -> String {
        stdout_of(&self.cmd().args(["config", "export"]).assert().success())
    }

    /// Number of audit entries in the whole vault.
    pub fn audit_len(&self) -> usize {
        self.sqlite("SELECT count(*) FROM audit")
            .parse()
            .expect("a count")
    }

    /// Every grant row, one `package|key|created|mac` line each, sorted.
    pub fn grant_rows(&self) -> String {
        self.sqlite(
            "SELECT i.name, g.key, g.created, hex(g.mac) FROM grants g
             JOIN installations i ON i.id = g.installation_id ORDER BY i.name, g.key",
        )
    }

    /// `package|key` of every grant row, sorted.
    pub fn granted_pairs(&self) -> Vec<String> {
        let out = self.sqlite(
            "SELECT i.name || '|' || g.key FROM grants g
             JOIN installations i ON i.id = g.installation_id ORDER BY i.name, g.key",
        );
        out.lines().map(str::to_owned).collect()
    }

    /// Names of the keys that have a shared copy (any keychain), sorted.
    pub fn shared_names(&self) -> Vec<String> {
        let out = self.sqlite("SELECT name FROM shared ORDER BY name");
        out.lines().map(str::to_owned).collect()
    }

    /// Every installation row with its MAC, one line each.
    pub fn installation_rows(&self) -> String {
        self.sqlite(
            "SELECT name, path, version, digest, revoked_reason, revoked_at, installed,
                    updated, hex(mac) FROM installations ORDER BY name",
        )
    }

    /// What a refused command must leave alone: the export, the grant and installation
    /// rows (MACs and timestamps included), the shared copies and the audit length.
    pub fn package_state(&self) -> String {
        format!(
            "export:\n{}\ngrants:\n{}\ninstallations:\n{}\nshared: {:?}\naudit: {}",
            self.config_export(),
            self.grant_rows(),
            self.installation_rows(),
            self.shared_names(),
            self.audit_len()
        )
    }

    /// `keychain token default --rotate`: a token for the default keychain.
    pub fn rotate_default_token(&self) -> String {
        let out = self
            .cmd()
            .args(["keychain", "token", "default", "--rotate"])
            .assert()
            .success();
        stdout_of(&out).trim_end().to_owned()
    }
}

/// The `kw1` digest of the tree at `root`, computed from DESIGN.md "Package digest"
/// alone (it shares no code with keyward): the expected value for the CLI's digest.
pub fn kw1_digest(root: &Path) -> String {
    use sha2::{Digest, Sha256};
    use std::os::unix::ffi::OsStrExt;

    fn lp(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&u32::try_from(bytes.len()).unwrap().to_be_bytes());
        out.extend_from_slice(bytes);
    }

    fn walk(abs: &Path, rel: &str, records: &mut Vec<Vec<u8>>) {
        let mut rec = b"D".to_vec();
        lp(&mut rec, rel.as_bytes());
        records.push(rec);
        let mut names: Vec<_> = fs::read_dir(abs)
            .expect("list a fixture folder")
            .map(|e| e.expect("a fixture entry").file_name())
            .collect();
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        for name in names {
            // DESIGN.md: only the top-level `.git` *folder* is left out.
            if rel.is_empty()
                && name == ".git"
                && fs::symlink_metadata(abs.join(&name)).is_ok_and(|m| m.is_dir())
            {
                continue;
            }
            let name = name.to_str().expect("fixture names are UTF-8");
            let child = if rel.is_empty() {
                name.to_owned()
            } else {
                format!("{rel}/{name}")
            };
            let path = abs.join(name);
            let meta = fs::symlink_metadata(&path).expect("lstat a fixture entry");
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).expect("read a fixture link");
                let mut rec = b"L".to_vec();
                lp(&mut rec, child.as_bytes());
                lp(&mut rec, target.as_os_str().as_bytes());
                records.push(rec);
            } else if meta.is_dir() {
                walk(&path, &child, records);
            } else if meta.is_file() {
                let content = fs::read(&path).expect("read a fixture file");
                let mut rec = b"F".to_vec();
                lp(&mut rec, child.as_bytes());
                rec.push(u8::from(meta.permissions().mode() & 0o100 != 0));
                rec.extend_from_slice(&(content.len() as u64).to_be_bytes());
                rec.extend_from_slice(&Sha256::digest(&content));
                records.push(rec);
            } else {
                panic!("{child}: the encoder handles files, folders and symlinks only");
            }
        }
    }

    let mut records = Vec::new();
    walk(root, "", &mut records);
    let mut hasher = Sha256::new();
    hasher.update(b"keyward-tree-v1\0");
    for rec in &records {
        hasher.update(rec);
    }
    hasher.update(b"E");
    hasher.update((records.len() as u64).to_be_bytes());
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("kw1:{hex}")
}
