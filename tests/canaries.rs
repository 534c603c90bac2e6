//! Canaries, beyond what `leaks.rs` and `audit.rs` check (the secret commands' output
//! with `-v`/`--json`, every argv while they run, the vault folder once keyward has
//! closed it, the audit log and `run`'s errors):
//!
//! - every other command's stdout and stderr, each with `-v`, `--json`, both, and
//!   `RUST_BACKTRACE=1`, as the owner and as a token holder, including refusals and
//!   integrity errors;
//! - the raw bytes of `vault.db`, `-wal` and `-shm` *while* the WAL holds the writes
//!   (a reader keeps it from being checkpointed), and every file under the test's
//!   folder (HOME, TMPDIR, XDG_DATA_HOME): never the value, nor its hex or base64;
//! - the environment and the parent's (keyward's) `/proc/PID/cmdline` as seen by a
//!   package that requests the canary's key without the grant, with and without
//!   `--inherit-env` and `--no-mask`.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Stdio};

use base64::Engine;
use serde_json::json;

use crate::common::pkg::{contains_bytes, parse_env0, write_file};
use crate::common::{TestEnv, keyward_bin, run_no_stdin};

/// The value under watch, built at run time so no argv of the test holds it.
fn canary() -> String {
    ["CANARY", "e41d07", "watched"].join("-")
}

/// The canary and the encodings a careless copy could take: hex, base64, base64url.
fn disguises() -> Vec<(String, Vec<u8>)> {
    let c = canary().into_bytes();
    let hex: String = c.iter().map(|b| format!("{b:02x}")).collect();
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&c);
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&c);
    vec![
        ("the value".into(), c),
        ("its hex".into(), hex.clone().into_bytes()),
        ("its upper-case hex".into(), hex.to_uppercase().into_bytes()),
        // Without the last 2 characters: base64 of a prefix-aligned copy also matches.
        (
            "its base64".into(),
            b64.as_bytes()[..b64.len() - 2].to_vec(),
        ),
        (
            "its base64url".into(),
            url.as_bytes()[..url.len() - 2].to_vec(),
        ),
    ]
}

fn assert_clean(bytes: &[u8], what: &str) {
    for (form, needle) in disguises() {
        assert!(
            !contains_bytes(bytes, &needle),
            "{what} holds {form} of the canary"
        );
    }
}

/// A vault where the canary is stored, granted to `granted` (so it also has a shared
/// copy) and requested but not granted by `ungranted`; a keychain `ci` with a token.
struct World {
    env: TestEnv,
    token: String,
    granted: std::path::PathBuf,
}

fn world() -> World {
    let env = TestEnv::with_vault();
    env.set_secret("CANARY_KEY", &canary());
    env.set_secret("OTHER_KEY", "other-value-7a1b");
    let granted = env.write_package(
        "granted",
        &json!({"name": "granted", "version": "1", "keys": ["CANARY_KEY"],
                "run": ["sh", "./main.sh"]}),
    );
    // Prints the value on both streams and fails: masking must hide it in both.
    write_file(
        &granted,
        "main.sh",
        "printf '%s\\n' \"$CANARY_KEY\"; printf 'err %s\\n' \"$CANARY_KEY\" >&2; exit 3\n",
        false,
    );
    env.install(None, &granted, &["CANARY_KEY"]);
    let ungranted = env.write_package(
        "ungranted",
        &json!({"name": "ungranted", "version": "1",
                "keys": ["OTHER_KEY", {"name": "CANARY_KEY", "optional": true}],
                "run": ["sh", "./main.sh"]}),
    );
    write_file(
        &ungranted,
        "main.sh",
        "env -0 > \"$1\"; cat /proc/$PPID/cmdline > \"$2\"\n",
        false,
    );
    env.install(None, &ungranted, &["OTHER_KEY"]);
    let token = env.create_keychain("ci");
    // The token's keychain gets the canary too, granted to a package there.
    env.set_secret_in("ci", "CANARY_KEY", &canary());
    env.install(Some("ci"), &granted, &["CANARY_KEY"]);
    World {
        env,
        token,
        granted,
    }
}

/// Every command but `secret get` (whose job is to print it), as `keyward ARGS`.
fn commands(w: &World) -> Vec<Vec<String>> {
    let cfg = w.env.root().join("keyward.json");
    fs::write(
        &cfg,
        json!({"granted": {"version": "1", "keys": ["CANARY_KEY"], "path": "pkgs/granted"}})
            .to_string(),
    )
    .unwrap();
    let bad_cfg = w.env.root().join("bad.json");
    fs::write(
        &bad_cfg,
        json!({"granted": {"version": "2", "keys": ["CANARY_KEY"], "path": "pkgs/granted"}})
            .to_string(),
    )
    .unwrap();
    let g = w.granted.to_str().unwrap().to_owned();
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    vec![
        s(&["list"]),
        s(&["inspect", "granted"]),
        s(&["inspect", "granted", "--diff"]),
        s(&["status"]),
        s(&["status", "--check"]),
        s(&["secret", "list"]),
        s(&["keychain", "list"]),
        s(&["log"]),
        s(&["log", "--verify"]),
        s(&["log", "--package", "granted", "--limit", "3"]),
        s(&["config", "export"]),
        vec!["config".into(), "apply".into(), cfg.display().to_string()],
        vec![
            "config".into(),
            "apply".into(),
            bad_cfg.display().to_string(),
        ],
        s(&["approve", "granted", "CANARY_KEY"]),
        s(&["approve", "granted", "NOT_REQUESTED"]),
        s(&["revoke", "nope", "CANARY_KEY"]),
        vec![
            "install".into(),
            g.clone(),
            "--approve".into(),
            "CANARY_KEY".into(),
        ],
        vec!["digest".into(), g],
        s(&["run", "granted"]),
        s(&["run", "granted", "--", "extra-arg"]),
        s(&["run", "no-such-package"]),
        s(&["secret", "get", "MISSING_KEY"]),
        s(&["secret", "rm", "MISSING_KEY"]),
        s(&["uninstall", "no-such-package"]),
        s(&["keychain", "rm", "no-such-keychain"]),
    ]
}

/// Runs every command in every output mode as `who` and checks both streams.
fn sweep(w: &World, who: &str) -> usize {
    let mut runs = 0;
    for args in commands(w) {
        for flags in [&[][..], &["-v"], &["--json"], &["-v", "--json"]] {
            for backtrace in [None, Some("1")] {
                let mut cmd = w.env.std_cmd(keyward_bin());
                if who == "token" {
                    cmd.env_remove("KEYWARD_MASTER_KEY")
                        .env("KEYWARD_TOKEN", &w.token);
                }
                if let Some(bt) = backtrace {
                    cmd.env("RUST_BACKTRACE", bt);
                }
                cmd.args(flags).args(&args).current_dir(w.env.root());
                let out = run_no_stdin(&mut cmd);
                let what =
                    format!("{who}: keyward {flags:?} {args:?} (RUST_BACKTRACE={backtrace:?})");
                assert_ne!(out.status.code(), Some(101), "{what} panicked");
                assert_clean(&out.stdout, &format!("stdout of {what}"));
                assert_clean(&out.stderr, &format!("stderr of {what}"));
                runs += 1;
            }
        }
    }
    runs
}

#[test]
fn canary_is_in_no_output_of_any_command_in_any_mode() {
    let w = world();
    let runs = sweep(&w, "owner") + sweep(&w, "token");
    assert!(runs > 300, "{runs} runs");
    // The same after the vault is tampered with: integrity errors name rows, not values.
    w.env
        .sqlite("UPDATE shared SET value = zeroblob(length(value))");
    w.env
        .sqlite("UPDATE secrets SET value = zeroblob(length(value)) WHERE name = 'CANARY_KEY'");
    for (who, args, refused) in [
        ("owner", &["secret", "get", "CANARY_KEY"][..], true),
        (
            "owner",
            &["-v", "--json", "secret", "get", "CANARY_KEY"],
            true,
        ),
        ("owner", &["run", "granted"], true),
        ("token", &["-v", "run", "granted"], true),
        ("owner", &["-v", "--json", "status"], false),
        ("owner", &["-v", "inspect", "granted"], false),
    ] {
        let mut cmd = w.env.std_cmd(keyward_bin());
        cmd.env("RUST_BACKTRACE", "1").current_dir(w.env.root());
        if who == "token" {
            cmd.env_remove("KEYWARD_MASTER_KEY")
                .env("KEYWARD_TOKEN", &w.token)
                .args(["-k", "ci"]);
        }
        let out = run_no_stdin(cmd.args(args));
        let what = format!("{who}: keyward {args:?} on a tampered vault");
        if refused {
            assert_ne!(out.status.code(), Some(0), "{what} succeeded: {out:?}");
        }
        assert_ne!(out.status.code(), Some(101), "{what} panicked");
        assert_clean(&out.stdout, &what);
        assert_clean(&out.stderr, &what);
    }
}

/// Every regular file under `dir`, recursively, but `skip`.
fn files_under(dir: &Path, skip: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.starts_with(skip) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            files_under(&path, skip, out);
        } else if meta.is_file() {
            out.push(path);
        }
    }
}

/// `sqlite3 VAULT` with a read transaction open: the WAL cannot be checkpointed or
/// reset while it lives, so it keeps every frame keyward writes.
fn hold_wal(env: &TestEnv) -> Child {
    let mut reader = std::process::Command::new("sqlite3")
        .arg(env.vault())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sqlite3");
    let stdin = reader.stdin.as_mut().unwrap();
    stdin
        .write_all(b"BEGIN;\nSELECT count(*) FROM secrets;\n")
        .unwrap();
    stdin.flush().unwrap();
    // Wait for the answer: the read transaction is open.
    let mut byte = [0u8; 1];
    std::io::Read::read_exact(reader.stdout.as_mut().unwrap(), &mut byte).unwrap();
    reader
}

#[test]
fn canary_is_only_ciphertext_in_the_live_wal_shm_database_and_every_other_file() {
    let w = world();
    let reader = hold_wal(&w.env);
    let wal = w.env.vault_dir().join("vault.db-wal");
    let before = fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    // Writes that carry the value or its copies: new versions (owner and token
    // keychains), a re-grant, a rotation, runs that decrypt it.
    for _ in 0..3 {
        w.env.set_secret("CANARY_KEY", &canary());
        w.env.set_secret_in("ci", "CANARY_KEY", &canary());
    }
    w.env
        .cmd()
        .args(["revoke", "granted", "CANARY_KEY"])
        .assert()
        .success();
    w.env
        .cmd()
        .args(["approve", "granted", "CANARY_KEY"])
        .assert()
        .success();
    w.env
        .cmd()
        .args(["keychain", "token", "ci", "--rotate"])
        .assert()
        .success();
    for args in [&["run", "granted"][..], &["run", "granted", "--no-mask"]] {
        let out = run_no_stdin(w.env.std_cmd(keyward_bin()).args(args));
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: the package's own status"
        );
    }
    let live = w.env.vault_dir_snapshot();
    let wal_len = live.get("vault.db-wal").map_or(0, Vec::len) as u64;
    assert!(
        wal_len > before && live.contains_key("vault.db-shm"),
        "the WAL held the writes (from {before} to {wal_len} bytes), with its -shm: {:?}",
        live.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &live {
        assert_clean(bytes, &format!("{name} (live, WAL held open)"));
    }
    let mut reader = reader;
    drop(reader.stdin.take()); // EOF: sqlite3 ends its transaction and exits
    assert!(reader.wait().unwrap().success());
    w.env.cmd().args(["secret", "list"]).assert().success();
    for (name, bytes) in w.env.vault_dir_snapshot() {
        assert_clean(&bytes, &format!("{name} (after the checkpoint)"));
    }
    // Nothing else keyward wrote anywhere (HOME, TMPDIR, XDG_DATA_HOME, run folders)
    // holds it either; the packages' folder holds only the fixtures.
    let mut files = Vec::new();
    files_under(w.env.root(), &w.env.root().join("pkgs"), &mut files);
    assert!(!files.is_empty(), "{files:?}");
    for file in files {
        assert_clean(&fs::read(&file).unwrap(), &file.display().to_string());
    }
}

#[test]
fn ungranted_package_sees_the_canary_neither_in_its_env_nor_in_keywards_cmdline() {
    let w = world();
    let out_env = w.env.root().join("ungranted.env");
    let out_cmdline = w.env.root().join("ungranted.cmdline");
    for (who, extra) in [
        ("owner", &[][..]),
        ("owner", &["--inherit-env"]),
        ("owner", &["--no-mask"]),
        ("owner", &["--inherit-env", "--no-mask"]),
        ("token", &["--inherit-env"]),
    ] {
        let _ = fs::remove_file(&out_env);
        let _ = fs::remove_file(&out_cmdline);
        let mut cmd = w.env.std_cmd(keyward_bin());
        // A caller whose own environment holds the canary under the key's name.
        cmd.env("CANARY_KEY", canary()).current_dir(w.env.root());
        if who == "token" {
            // ci has no `ungranted`: install it there with OTHER_KEY only.
            w.env.set_secret_in("ci", "OTHER_KEY", "other-value-7a1b");
            let pkg = w.env.root().join("pkgs/ungranted");
            w.env.install(Some("ci"), &pkg, &["OTHER_KEY"]);
            cmd.env_remove("KEYWARD_MASTER_KEY")
                .env("KEYWARD_TOKEN", &w.token);
        }
        cmd.arg("run")
            .arg("ungranted")
            .args(extra)
            .arg("--")
            .args([&out_env, &out_cmdline]);
        let out = run_no_stdin(&mut cmd);
        let what = format!("{who} run ungranted {extra:?}");
        assert!(out.status.success(), "{what}: {out:?}");
        let env_bytes = fs::read(&out_env).unwrap();
        let vars = parse_env0(&env_bytes);
        assert_eq!(
            vars.get("OTHER_KEY").map(String::as_str),
            Some("other-value-7a1b"),
            "{what}: the granted key is there"
        );
        assert!(!vars.contains_key("CANARY_KEY"), "{what}: {vars:?}");
        assert_clean(&env_bytes, &format!("{what}: the package's environment"));
        let cmdline = fs::read(&out_cmdline).unwrap();
        assert!(!cmdline.is_empty(), "{what}: the parent's cmdline was read");
        assert_clean(&cmdline, &format!("{what}: /proc/$PPID/cmdline"));
    }
}
