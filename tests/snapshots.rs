//! Snapshots (insta) of every `--json` document in README.md's "JSON output" table and
//! of every code in its "Error codes" table, made by driving the real binary, so a
//! change of wording or shape shows in review as a diff of `tests/snapshots/*.snap`.
//!
//! What varies between runs is filtered out of the text before it is compared: the
//! temp dir (`[root]`), digests (`[digest]`), tokens (`[token]`), times (`[time]`),
//! vault ids (`[vault-id]`) and master keys (`[master-key]`). Everything else (field
//! names, nesting, order, the stable values, every word of an error and its hints,
//! the exit status) is in the snapshot. No fixture value is a real secret, and the
//! one value a document shows (`secret get`) is filtered too.
//!
//! Review or accept changed snapshots with `cargo insta review` (cargo-insta), or
//! rewrite them all with `INSTA_UPDATE=always cargo test --test cli snapshots` and
//! read `git diff tests/snapshots`. Under CI (`CI=true`) insta writes nothing and a
//! mismatch fails the test.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

use crate::common::term::Term;
use crate::common::{TestEnv, keyward_bin, run_no_stdin};
use crate::keyring::{keyring_cmd, keyring_session, no_keyring_cmd, secret_tool};
use crate::users::is_root;

/// The fixture value of every secret these tests store: not a secret, and filtered.
const VALUE: &str = "snapshot-fixture-value";

// ---- the harness ---------------------------------------------------------------------

/// `text` with every regex metacharacter escaped.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// insta's settings for `env`: no expression in the header, and the filters.
fn settings(env: &TestEnv) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_omit_expression(true);
    let root = env.root().to_str().expect("UTF-8 temp dir").to_owned();
    if let Ok(canonical) = fs::canonicalize(env.root()) {
        let canonical = canonical.to_str().expect("UTF-8 temp dir").to_owned();
        if canonical != root {
            s.add_filter(&regex_escape(&canonical), "[root]");
        }
    }
    s.add_filter(&regex_escape(&root), "[root]");
    // Another TestEnv's temp dir, wherever the temp dir is.
    s.add_filter(r"/[^\s'`]*keyward-test\.[A-Za-z0-9]+", "[root]");
    s.add_filter(r"kw1:[0-9a-f]{64}", "[digest]");
    s.add_filter(r"kw_[A-Za-z0-9_-]{40,}", "[token]");
    s.add_filter(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
        "[time]",
    );
    s.add_filter(r"\b[0-9a-f]{32}\b", "[vault-id]");
    s.add_filter(
        r#""master_key": "[A-Za-z0-9_-]{43}""#,
        r#""master_key": "[master-key]""#,
    );
    s.add_filter(&regex_escape(VALUE), "[value]");
    s
}

/// Compares `text` with the snapshot `name`, after `env`'s filters.
fn snapshot(env: &TestEnv, name: &str, text: &str) {
    settings(env).bind(|| insta::assert_snapshot!(name.to_owned(), text));
}

/// `out` without what dbus-daemon and gnome-keyring print around keyward (their pids,
/// uids and folders vary): their stderr lines and gnome-keyring's variables on stdout.
fn without_bus_noise(out: Output) -> Output {
    let keep = |bytes: &[u8], noise: &dyn Fn(&str) -> bool| {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !noise(l))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            .into_bytes()
    };
    Output {
        status: out.status,
        stdout: keep(&out.stdout, &|l| l.starts_with("GNOME_KEYRING_")),
        stderr: keep(&out.stderr, &|l| l.starts_with("dbus-daemon[")),
    }
}

/// Runs a prepared command to its end.
fn output(cmd: &mut Command) -> Output {
    cmd.output().expect("run keyward")
}

/// The snapshot text of a finished command: stdout (when there is any), stderr, and
/// the exit status, in jj's style.
fn transcript(out: &Output) -> String {
    let mut text = String::new();
    if !out.stdout.is_empty() {
        text.push_str("----- stdout -----\n");
        text.push_str(&String::from_utf8_lossy(&out.stdout));
        if !text.ends_with('\n') {
            text.push_str("\n[no newline at the end]\n");
        }
        text.push_str("----- stderr -----\n");
    }
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str("\n[no newline at the end]\n");
    }
    match out.status.code() {
        Some(code) => text.push_str(&format!("[exit status: {code}]")),
        None => text.push_str(&format!("[{}]", out.status)),
    }
    text
}

/// Snapshot `json_NAME` of the document `cmd` (given `--json`) prints: it must succeed
/// and print exactly one JSON document.
fn doc(env: &TestEnv, name: &str, cmd: &mut Command) {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "json_{name}: the command failed:\n{}",
        transcript(&out)
    );
    let text = String::from_utf8(out.stdout.clone()).expect("--json prints UTF-8");
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap_or_else(|e| panic!("json_{name}: stdout is not one JSON document ({e}):\n{text}"));
    snapshot(env, &format!("json_{name}"), &text);
}

/// `keyward ARGS` as the owner of `env`, from `env`'s temp dir.
fn kw(env: &TestEnv, args: &[&str]) -> Command {
    let mut cmd = env.cmd();
    cmd.args(args).current_dir(env.root());
    cmd
}

/// The snapshot name of error `code` (`error_CODE`, `-` as `_`), with `__VARIANT`.
fn error_name(code: &str, variant: Option<&str>) -> String {
    let mut name = format!("error_{}", code.replace('-', "_"));
    if let Some(v) = variant {
        name.push_str("__");
        name.push_str(v);
    }
    name
}

/// Snapshot `error_CODE[__VARIANT]` of the error `cmd` fails with: stderr must name
/// `code` and the exit status must be `status`.
fn error(env: &TestEnv, code: &str, variant: Option<&str>, status: i32, cmd: &mut Command) {
    check_error(env, code, variant, status, &output(cmd));
}

/// The checks and snapshot of [`error`], for an output obtained another way.
fn check_error(env: &TestEnv, code: &str, variant: Option<&str>, status: i32, out: &Output) {
    let text = transcript(out);
    assert_eq!(out.status.code(), Some(status), "exit status:\n{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = format!("error[{code}]");
    // clap's own usage errors are `error: …` with no code; a `--json` error is an object.
    let clap = code == "usage" && stderr.starts_with("error: ");
    let json = stderr.contains(&format!(r#"{{"error":{{"code":"{code}""#));
    assert!(
        clap || json || stderr.contains(&line),
        "stderr names {line}:\n{text}"
    );
    snapshot(env, &error_name(code, variant), &text);
}

/// Snapshot `json_error__CODE` of the one-line JSON error object `cmd` (given `--json`)
/// prints.
fn json_error(env: &TestEnv, code: &str, status: i32, cmd: &mut Command) {
    let out = output(cmd);
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(status), "exit status:\n{text}");
    assert!(out.stdout.is_empty(), "nothing on stdout:\n{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().expect("an error line");
    let doc: serde_json::Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("the last stderr line is one JSON object ({e}):\n{text}"));
    assert_eq!(doc["error"]["code"], code, "{text}");
    snapshot(
        env,
        &format!("json_error__{}", code.replace('-', "_")),
        &text,
    );
}

/// A package at `root/packages/snap` named `@snap/pkg` requesting API_KEY and an
/// optional OPT_KEY, with a caller variable and a description.
fn package(env: &TestEnv) -> PathBuf {
    let dir = env.make_package("snap", "@snap/pkg", &[]);
    crate::common::write_manifest(
        &dir,
        serde_json::to_string_pretty(&serde_json::json!({
            "name": "@snap/pkg",
            "version": "1.0.0",
            "description": "a snapshot fixture",
            "keys": ["API_KEY", {"name": "OPT_KEY", "optional": true, "description": "an optional key"}],
            "env": ["HTTPS_PROXY"],
            "run": ["./run.sh"],
        }))
        .unwrap(),
    );
    dir
}

/// `install DIR --yes ARGS…` as the owner, asserting success.
fn install(env: &TestEnv, dir: &Path, extra: &[&str]) {
    kw(env, &["install", dir.to_str().unwrap(), "--yes"])
        .args(extra)
        .write_stdin("")
        .assert()
        .success();
}

/// The package installed with API_KEY approved and a value for it.
fn ready_package(env: &TestEnv) -> PathBuf {
    let dir = package(env);
    env.set_secret("API_KEY", VALUE);
    install(env, &dir, &["--approve", "API_KEY"]);
    dir
}

/// Changes one file of the package after its pin.
fn change(dir: &Path) {
    fs::write(dir.join("lib/util.sh"), "echo changed\n").expect("change lib/util.sh");
}

/// A package `@snap/run` whose manifest runs `run`, installed with nothing to approve.
fn run_package(env: &TestEnv, run: &[&str]) -> PathBuf {
    let dir = env.package_path("runner");
    crate::common::write_manifest(
        &dir,
        serde_json::json!({"name": "@snap/run", "version": "1", "keys": [], "run": run})
            .to_string(),
    );
    fs::write(dir.join("data.txt"), "not a program\n").unwrap();
    install(env, &dir, &[]);
    dir
}

// ---- README tables -------------------------------------------------------------------

fn readme_section(heading: &str) -> String {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let section = readme
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("README has a `{heading}` section"));
    section.split("\n### ").next().unwrap().to_owned()
}

/// Every command of the "JSON output" table's first column (`keychain token --rotate`).
fn readme_json_commands() -> Vec<String> {
    let mut out = Vec::new();
    for line in readme_section("### JSON output").lines() {
        let Some(cell) = line.strip_prefix("| `") else {
            continue;
        };
        let cell = format!("`{}", cell.split(" |").next().unwrap());
        out.extend(cell.split('`').skip(1).step_by(2).map(str::to_owned));
    }
    out
}

/// The `(code, exit)` rows of the "Error codes" table.
fn readme_error_codes() -> Vec<(String, i32)> {
    readme_section("### Error codes")
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| {
            let mut cells = l.split('|');
            let code = cells
                .next()
                .unwrap()
                .trim()
                .trim_end_matches('`')
                .to_owned();
            let exit = cells
                .next()
                .unwrap()
                .trim()
                .parse()
                .expect("an exit status");
            (code, exit)
        })
        .collect()
}

/// `keychain token --rotate` → `keychain_token_rotate`.
fn slug(command: &str) -> String {
    command
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The names of the committed snapshots (`cli__snapshots__NAME.snap` → `NAME`).
fn snapshot_names() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    fs::read_dir(&dir)
        .expect("read tests/snapshots")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(
                name.strip_prefix("cli__snapshots__")?
                    .strip_suffix(".snap")?
                    .to_owned(),
            )
        })
        .collect()
}

fn has_snapshot(names: &BTreeSet<String>, base: &str) -> bool {
    names.contains(base) || names.iter().any(|n| n.starts_with(&format!("{base}__")))
}

/// Codes no snapshot here provokes, and why. Each is still in the table.
const NOT_PROVOKED: &[(&str, &str)] = &[
    (
        "denied",
        "the class's default: every denial keyward makes today has its own code (owner-only, \
         needs-input, not-approved, not-requested, pending), each snapshotted",
    ),
    (
        "internal",
        "a bug in keyward: no input reaches it (a manifest `new` built and refused, a passphrase rekey without one)",
    ),
    (
        "no-terminal",
        "needs a terminal that fails while it is read; a pty cannot be made to fail on cue",
    ),
    (
        "vault-write-failed",
        "needs SQLite to fail inside `init`'s first transaction on a file it just created",
    ),
    (
        "floating-version",
        "its hint names the newest version the live npm registry reports, which moves; tests/registry.rs covers it",
    ),
    (
        "registry-fetch",
        "its message carries npm's or pip's own words, which move with their versions; tests/registry.rs covers it",
    ),
    (
        "registry-integrity",
        "needs a registry mirror serving a tarball that does not match; tests/registry.rs covers it",
    ),
    (
        "not-granted",
        "raised inside a running package; tests/deliver.rs drives `keyward key` there",
    ),
    (
        "socket",
        "needs a run socket that vanishes mid-run; tests/deliver.rs covers the socket's refusals",
    ),
    (
        "socket-refused",
        "raised inside a running package by a revoked grant or an outsider; tests/deliver.rs covers it",
    ),
    (
        "run-folder",
        "needs the runtime folder to be unwritable, which root in CI is not stopped by",
    ),
    (
        "openbao-tls",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "openbao-sealed",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "openbao-token",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "openbao-denied",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "openbao-no-key",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "openbao-error",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "openbao-not-found",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "openbao-foreign",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "openbao-field",
        "an answer of a real OpenBao server; tests/openbao.rs provokes it against the real bao binary",
    ),
    (
        "vault-busy",
        "needs another process to hold the write lock for the whole 30 s busy timeout",
    ),
    (
        "vault-unwritable",
        "the suite runs as root in CI, which writes through any permission",
    ),
    (
        "database",
        "an SQLite failure that is neither corruption, a lock, a full disk nor permissions",
    ),
];

#[test]
fn every_readme_json_document_and_error_code_has_a_snapshot() {
    let names = snapshot_names();
    let commands = readme_json_commands();
    assert!(
        commands.iter().any(|c| c == "keychain token --rotate") && commands.len() > 15,
        "the JSON output table was parsed: {commands:?}"
    );
    let missing: Vec<_> = commands
        .iter()
        .filter(|c| !has_snapshot(&names, &format!("json_{}", slug(c))))
        .collect();
    assert!(
        missing.is_empty(),
        "README's JSON output table lists documents with no tests/snapshots/cli__snapshots__json_*.snap: {missing:?}"
    );

    let codes = readme_error_codes();
    assert!(
        codes.iter().any(|(c, e)| c == "not-approved" && *e == 5) && codes.len() > 40,
        "the error-code table was parsed: {codes:?}"
    );
    let exempt: BTreeSet<&str> = NOT_PROVOKED.iter().map(|(c, _)| *c).collect();
    let missing: Vec<_> = codes
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| !exempt.contains(c) && !has_snapshot(&names, &error_name(c, None)))
        .collect();
    assert!(
        missing.is_empty(),
        "README's error-code table lists codes with no tests/snapshots/cli__snapshots__error_*.snap: {missing:?}"
    );
    let stale: Vec<_> = exempt
        .iter()
        .filter(|c| {
            has_snapshot(&names, &error_name(c, None)) || !codes.iter().any(|(code, _)| code == *c)
        })
        .collect();
    assert!(
        stale.is_empty(),
        "NOT_PROVOKED names codes that have a snapshot or left the table: {stale:?}"
    );
}

/// Every error snapshot shows the exit status README's table gives its code (for
/// `run`, 125/126/127 as documented).
#[test]
fn every_error_snapshot_shows_the_exit_status_of_its_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for (code, exit) in readme_error_codes() {
        let base = error_name(&code, None);
        for entry in fs::read_dir(&dir).unwrap() {
            let file = entry.unwrap().file_name().into_string().unwrap();
            let Some(name) = file
                .strip_prefix("cli__snapshots__")
                .and_then(|n| n.strip_suffix(".snap"))
            else {
                continue;
            };
            if name != base && !name.starts_with(&format!("{base}__")) {
                continue;
            }
            let text = fs::read_to_string(dir.join(&file)).unwrap();
            let shown = text
                .lines()
                .last()
                .and_then(|l| l.strip_prefix("[exit status: "))
                .and_then(|l| l.strip_suffix(']'))
                .unwrap_or_else(|| panic!("{file} ends with its exit status"));
            let run = name.contains("__run");
            let allowed: &[i32] = if run { &[125, 126, 127] } else { &[exit] };
            let shown: i32 = shown.parse().unwrap();
            assert!(
                allowed.contains(&shown) || (code == "usage" && shown == 2),
                "{file}: exit {shown}, README says {exit} for `{code}`"
            );
        }
    }
}

// ---- JSON documents ------------------------------------------------------------------

#[test]
fn json_init() {
    let env = TestEnv::new();
    doc(
        &env,
        "init__env",
        env.cmd_without_key()
            .args(["--json", "init", "--backend", "env"]),
    );
    let env = TestEnv::new();
    doc(
        &env,
        "init__passphrase",
        env.cmd_without_key()
            .args(["--json", "init", "--backend", "passphrase"])
            .env("KEYWARD_PASSPHRASE", "snapshot passphrase"),
    );
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let env = TestEnv::new();
    doc(
        &env,
        "init",
        keyring_cmd(&env, &session).args(["--json", "init"]),
    );
    clear_keyring_entry(&env, &session);
}

/// Removes the keyring entry of `env`'s vault from the test session's keyring.
fn clear_keyring_entry(env: &TestEnv, session: &[(&'static str, std::ffi::OsString)]) {
    let id = env.sqlite("SELECT lower(hex(value)) FROM meta WHERE key = 'vault_id'");
    secret_tool(
        session,
        &[
            "clear",
            "service",
            "keyward",
            "username",
            &format!("vault:{id}"),
        ],
    );
}

#[test]
fn json_rekey() {
    let env = TestEnv::with_vault();
    doc(
        &env,
        "rekey__passphrase",
        kw(&env, &["--json", "rekey", "--backend", "passphrase"])
            .env("KEYWARD_NEW_PASSPHRASE", "snapshot passphrase")
            .env("KEYWARD_PASSPHRASE", "snapshot passphrase"),
    );
    doc(
        &env,
        "rekey__env",
        kw(&env, &["--json", "rekey", "--backend", "env"])
            .env("KEYWARD_PASSPHRASE", "snapshot passphrase"),
    );
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let mut cmd = keyring_cmd(&env, &session);
    cmd.env("KEYWARD_MASTER_KEY", env.master_key());
    doc(
        &env,
        "rekey",
        cmd.args(["--json", "rekey", "--backend", "keyring"]),
    );
    clear_keyring_entry(&env, &session);
}

#[test]
fn json_keychain_create_and_token() {
    let env = TestEnv::with_vault();
    doc(
        &env,
        "keychain_create",
        &mut kw(&env, &["--json", "keychain", "create", "agent"]),
    );
    doc(
        &env,
        "keychain_create__no_token",
        &mut kw(
            &env,
            &["--json", "keychain", "create", "quiet", "--no-token"],
        ),
    );
    doc(
        &env,
        "keychain_token_rotate",
        &mut kw(&env, &["--json", "keychain", "token", "agent", "--rotate"]),
    );
}

#[test]
fn json_keychain_list() {
    let env = TestEnv::with_vault();
    env.create_keychain("agent");
    env.set_secret_in("agent", "API_KEY", VALUE);
    doc(
        &env,
        "keychain_list",
        &mut kw(&env, &["--json", "keychain", "list"]),
    );
}

#[test]
fn json_secret_set_list_get() {
    let env = TestEnv::with_vault();
    doc(
        &env,
        "secret_set",
        kw(&env, &["--json", "secret", "set", "API_KEY", "--stdin"]).write_stdin(VALUE),
    );
    env.set_secret("API_KEY", VALUE);
    env.set_secret("OTHER_KEY", VALUE);
    install(&env, &package(&env), &["--approve", "API_KEY"]);
    doc(
        &env,
        "secret_list",
        &mut kw(&env, &["--json", "secret", "list"]),
    );
    doc(
        &env,
        "secret_get",
        &mut kw(&env, &["--json", "secret", "get", "API_KEY"]),
    );
}

#[test]
fn json_install() {
    let env = TestEnv::with_vault();
    let dir = package(&env);
    let path = dir.to_str().unwrap();
    doc(
        &env,
        "install",
        &mut kw(&env, &["--json", "install", path, "--yes"]),
    );
    doc(
        &env,
        "install__unchanged",
        &mut kw(&env, &["--json", "install", path, "--approve", "API_KEY"]),
    );
    change(&dir);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("instant.package.json")).unwrap()).unwrap();
    manifest["keys"]
        .as_array_mut()
        .unwrap()
        .push("NEW_KEY".into());
    crate::common::write_manifest(&dir, serde_json::to_string_pretty(&manifest).unwrap());
    doc(
        &env,
        "install__updated",
        &mut kw(&env, &["--json", "install", path, "--yes"]),
    );
}

#[test]
fn json_approve_revoke_uninstall() {
    let env = TestEnv::with_vault();
    install(&env, &package(&env), &[]);
    doc(
        &env,
        "approve",
        &mut kw(
            &env,
            &["--json", "approve", "@snap/pkg", "API_KEY", "OPT_KEY"],
        ),
    );
    doc(
        &env,
        "revoke",
        &mut kw(&env, &["--json", "revoke", "@snap/pkg", "OPT_KEY"]),
    );
    doc(
        &env,
        "uninstall",
        &mut kw(&env, &["--json", "uninstall", "@snap/pkg"]),
    );
}

#[test]
fn json_list() {
    let env = TestEnv::with_vault();
    ready_package(&env);
    let other = env.make_package("other", "other-pkg", &["OTHER_KEY"]);
    install(&env, &other, &[]);
    doc(&env, "list", &mut kw(&env, &["--json", "list"]));
}

#[test]
fn json_inspect() {
    let env = TestEnv::with_vault();
    let dir = ready_package(&env);
    doc(
        &env,
        "inspect",
        &mut kw(&env, &["--json", "inspect", "@snap/pkg"]),
    );
    change(&dir);
    fs::write(dir.join("added.txt"), "new\n").unwrap();
    doc(
        &env,
        "inspect__diff_changed",
        &mut kw(&env, &["--json", "inspect", "@snap/pkg", "--diff"]),
    );
}

#[test]
fn json_status() {
    let env = TestEnv::with_vault();
    install(&env, &package(&env), &["--approve", "API_KEY"]);
    let changed = env.make_package("changed", "changed-pkg", &[]);
    install(&env, &changed, &[]);
    change(&changed);
    let other = env.make_package("other", "other-pkg", &["OTHER_KEY"]);
    install(&env, &other, &[]);
    let gone = env.make_package("gone", "gone-pkg", &[]);
    install(&env, &gone, &[]);
    fs::remove_dir_all(&gone).unwrap();
    doc(&env, "status", &mut kw(&env, &["--json", "status"]));
}

#[test]
fn json_config_export_and_apply() {
    let env = TestEnv::with_vault();
    ready_package(&env);
    doc(
        &env,
        "config_export",
        &mut kw(&env, &["--json", "config", "export"]),
    );
    let other = env.make_package("other", "other-pkg", &["OTHER_KEY"]);
    let config = env.root().join("keyward.json");
    fs::write(
        &config,
        serde_json::json!({
            "other-pkg": {"version": "1.0.0", "keys": ["OTHER_KEY"], "path": "packages/other"},
        })
        .to_string(),
    )
    .unwrap();
    assert!(other.exists());
    doc(
        &env,
        "config_apply",
        &mut kw(
            &env,
            &["--json", "config", "apply", "keyward.json", "--prune"],
        ),
    );
}

#[test]
fn json_log() {
    let env = TestEnv::with_vault();
    ready_package(&env);
    doc(&env, "log", &mut kw(&env, &["--json", "log"]));
    doc(
        &env,
        "log__verify",
        &mut kw(&env, &["--json", "log", "--verify"]),
    );
}

// ---- error codes ---------------------------------------------------------------------

#[test]
fn error_error() {
    let env = TestEnv::with_vault();
    let dir = env.package_path("broken");
    crate::common::write_manifest(&dir, r#"{"name": "broken", "version": "1", "run": ["x"],}"#);
    error(
        &env,
        "error",
        None,
        1,
        &mut kw(&env, &["install", dir.to_str().unwrap(), "--yes"]),
    );
}

#[test]
fn error_usage() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "usage",
        None,
        2,
        &mut kw(&env, &["secret", "frobnicate"]),
    );
    error(
        &env,
        "usage",
        Some("token_without_rotate"),
        2,
        &mut kw(&env, &["keychain", "token", "default"]),
    );
    error(&env, "usage", Some("run"), 125, &mut kw(&env, &["run"]));
    json_error(
        &env,
        "usage",
        2,
        &mut kw(&env, &["--json", "secret", "set"]),
    );
}

#[test]
fn error_invalid_name() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "invalid-name",
        None,
        2,
        kw(&env, &["secret", "set", "stripe_key", "--stdin"]).write_stdin(VALUE),
    );
    error(
        &env,
        "invalid-name",
        Some("reserved"),
        2,
        kw(&env, &["secret", "set", "PATH", "--stdin"]).write_stdin(VALUE),
    );
}

#[test]
fn error_locked() {
    let env = TestEnv::with_vault();
    let other = TestEnv::with_vault();
    error(
        &env,
        "locked",
        Some("wrong_master_key"),
        3,
        kw(&env, &["secret", "list"]).env("KEYWARD_MASTER_KEY", other.master_key()),
    );
    error(
        &env,
        "locked",
        Some("no_master_key"),
        3,
        env.cmd_without_key()
            .args(["secret", "list"])
            .current_dir(env.root()),
    );
    env.create_keychain("other");
    let own = env.rotate_default_token();
    error(
        &env,
        "locked",
        Some("token_other_keychain"),
        3,
        env.token_cmd(&own).args(["-k", "other", "list"]),
    );
    let token = other.rotate_default_token();
    error(
        &env,
        "locked",
        Some("wrong_token"),
        3,
        env.token_cmd(&token).args(["list"]),
    );
    json_error(
        &env,
        "locked",
        3,
        kw(&env, &["--json", "secret", "list"]).env("KEYWARD_MASTER_KEY", other.master_key()),
    );
}

#[test]
fn error_no_dbus() {
    let env = TestEnv::new();
    error(&env, "no-dbus", None, 3, no_keyring_cmd(&env).arg("init"));
}

#[test]
fn error_keyring_locked() {
    let env = TestEnv::new();
    // A private session bus: the Secret Service is started on demand, with no keyring.
    let mut cmd = env.std_cmd("dbus-run-session");
    cmd.arg("--").arg(keyward_bin()).arg("init");
    let out = without_bus_noise(run_no_stdin(&mut cmd));
    check_error(&env, "keyring-locked", None, 3, &out);
}

#[test]
fn error_keyring_unreachable() {
    let env = TestEnv::new();
    // A session bus with no service to activate: nothing answers for the Secret Service.
    let config = env.root().join("bus.conf");
    fs::write(
        &config,
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
    )
    .unwrap();
    let mut cmd = env.std_cmd("dbus-run-session");
    cmd.arg("--config-file")
        .arg(&config)
        .arg("--")
        .arg(keyward_bin())
        .arg("init");
    let out = without_bus_noise(run_no_stdin(&mut cmd));
    check_error(&env, "keyring-unreachable", None, 3, &out);
}

#[test]
fn error_not_found() {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", VALUE);
    error(
        &env,
        "not-found",
        Some("near_match"),
        4,
        &mut kw(&env, &["secret", "get", "API_KY"]),
    );
    error(
        &env,
        "not-found",
        Some("package"),
        4,
        &mut kw(&env, &["inspect", "@snap/nothing"]),
    );
    error(
        &env,
        "not-found",
        Some("keychain"),
        4,
        &mut kw(&env, &["-k", "nope", "secret", "list"]),
    );
    let empty = TestEnv::new();
    error(
        &empty,
        "not-found",
        Some("vault"),
        4,
        empty
            .cmd_without_key()
            .args(["secret", "list"])
            .env("KEYWARD_MASTER_KEY", env.master_key()),
    );
    json_error(
        &env,
        "not-found",
        4,
        &mut kw(&env, &["--json", "secret", "get", "API_KY"]),
    );
}

#[test]
fn error_no_folder() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "no-folder",
        None,
        4,
        &mut kw(&env, &["config", "export", "-o", "missing/keyward.json"]),
    );
}

#[test]
fn error_missing_secret() {
    let env = TestEnv::with_vault();
    install(&env, &package(&env), &["--approve", "API_KEY"]);
    error(
        &env,
        "missing-secret",
        Some("run"),
        125,
        &mut env.run_cmd(["@snap/pkg"]),
    );
    json_error(
        &env,
        "missing-secret",
        125,
        &mut kw(&env, &["--json", "run", "@snap/pkg"]),
    );
}

#[test]
fn error_needs_input() {
    let env = TestEnv::with_vault();
    env.create_keychain("agent");
    error(
        &env,
        "needs-input",
        None,
        5,
        kw(&env, &["secret", "set", "API_KEY"]).write_stdin(""),
    );
    error(
        &env,
        "needs-input",
        Some("keychain_rm"),
        5,
        kw(&env, &["keychain", "rm", "agent"]).write_stdin(""),
    );
}

#[test]
fn error_owner_only() {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", VALUE);
    let token = env.rotate_default_token();
    error(
        &env,
        "owner-only",
        None,
        5,
        env.token_cmd(&token).args(["secret", "get", "API_KEY"]),
    );
    json_error(
        &env,
        "owner-only",
        5,
        env.token_cmd(&token)
            .args(["--json", "secret", "get", "API_KEY"]),
    );
}

#[test]
fn error_not_approved() {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", VALUE);
    install(&env, &package(&env), &[]);
    error(
        &env,
        "not-approved",
        Some("run"),
        125,
        &mut env.run_cmd(["@snap/pkg"]),
    );
    json_error(
        &env,
        "not-approved",
        125,
        &mut kw(&env, &["--json", "run", "@snap/pkg"]),
    );
}

#[test]
fn error_not_requested() {
    let env = TestEnv::with_vault();
    install(&env, &package(&env), &[]);
    error(
        &env,
        "not-requested",
        None,
        5,
        &mut kw(&env, &["approve", "@snap/pkg", "OTHER_KEY"]),
    );
}

#[test]
fn error_pending() {
    let env = TestEnv::with_vault();
    install(&env, &package(&env), &[]);
    error(
        &env,
        "pending",
        None,
        5,
        &mut kw(&env, &["status", "--check"]),
    );
}

#[test]
fn error_package_changed() {
    let env = TestEnv::with_vault();
    let dir = ready_package(&env);
    change(&dir);
    error(
        &env,
        "package-changed",
        Some("run"),
        125,
        &mut env.run_cmd(["@snap/pkg"]),
    );
    error(
        &env,
        "package-changed",
        Some("approve"),
        6,
        &mut kw(&env, &["approve", "@snap/pkg", "API_KEY"]),
    );
    json_error(
        &env,
        "package-changed",
        125,
        &mut kw(&env, &["--json", "run", "@snap/pkg"]),
    );
    let env = TestEnv::with_vault();
    package(&env);
    let config = env.root().join("keyward.json");
    let digest = format!("kw1:{}", "0".repeat(64));
    fs::write(
        &config,
        serde_json::json!({"@snap/pkg": {"keys": [], "path": "packages/snap", "sha256": digest}})
            .to_string(),
    )
    .unwrap();
    error(
        &env,
        "package-changed",
        Some("config_apply"),
        6,
        &mut kw(&env, &["config", "apply", "keyward.json"]),
    );
}

#[test]
fn error_integrity() {
    let env = TestEnv::with_vault();
    fs::write(env.vault(), vec![b'x'; 8192]).unwrap();
    for wal in ["vault.db-wal", "vault.db-shm"] {
        let _ = fs::remove_file(env.vault_dir().join(wal));
    }
    error(
        &env,
        "integrity",
        None,
        7,
        &mut kw(&env, &["secret", "list"]),
    );
    json_error(
        &env,
        "integrity",
        7,
        &mut kw(&env, &["--json", "secret", "list"]),
    );
}

#[test]
fn error_audit_broken() {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", VALUE);
    env.sqlite("UPDATE audit SET action = 'forged' WHERE seq = (SELECT max(seq) FROM audit)");
    error(
        &env,
        "audit-broken",
        None,
        7,
        &mut kw(&env, &["log", "--verify"]),
    );
}

#[test]
fn error_rolled_back() {
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let env = TestEnv::new();
    keyring_cmd(&env, &session).arg("init").assert().success();
    let set = || {
        keyring_cmd(&env, &session)
            .args(["secret", "set", "API_KEY", "--stdin"])
            .write_stdin(VALUE)
            .assert()
            .success();
    };
    set();
    let backup = env.root().join("backup.db");
    env.sqlite(&format!("VACUUM INTO '{}'", backup.display()));
    set();
    fs::copy(&backup, env.vault()).unwrap();
    fs::set_permissions(env.vault(), fs::Permissions::from_mode(0o600)).unwrap();
    error(
        &env,
        "rolled-back",
        None,
        7,
        keyring_cmd(&env, &session).args(["secret", "list"]),
    );
    clear_keyring_entry(&env, &session);
}

#[test]
fn error_audit() {
    let env = TestEnv::with_vault();
    ready_package(&env);
    env.sqlite(
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit \
         BEGIN SELECT RAISE(ABORT, 'audit device refused'); END",
    );
    error(
        &env,
        "audit",
        Some("run"),
        125,
        &mut env.run_cmd(["@snap/pkg"]),
    );
    error(
        &env,
        "audit",
        None,
        1,
        kw(&env, &["secret", "set", "OTHER_KEY", "--stdin"]).write_stdin(VALUE),
    );
}

/// As tests/disk_full.rs: the vault on a full 2 MiB tmpfs in a private mount namespace.
const DISK_FULL: &str = r#"
set -u
kw=$1 mnt=$2 out=$3
mount -t tmpfs -o size=2m,mode=0700 keyward-disk-full "$mnt" || exit 90
export KEYWARD_VAULT="$mnt/vault/vault.db" KEYWARD_NO_INPUT=1
KEYWARD_MASTER_KEY=$("$kw" init --backend env 2>/dev/null) || exit 91
export KEYWARD_MASTER_KEY
dd if=/dev/zero of="$mnt/fill" bs=4096 2>/dev/null
dd if=/dev/zero of="$mnt/fill-tail" bs=512 2>/dev/null
printf %s snapshot-fixture-value | "$kw" secret set NEW_KEY --stdin >"$out/set.out" 2>"$out/set.err"
echo $? >"$out/set.rc"
umount "$mnt"
exit 0
"#;

#[test]
fn error_disk_full() {
    let env = TestEnv::new();
    let mnt = env.root().join("mnt");
    let res = env.root().join("results");
    fs::create_dir_all(&mnt).unwrap();
    fs::create_dir_all(&res).unwrap();
    let script = env.root().join("disk-full.sh");
    fs::write(&script, DISK_FULL).unwrap();
    let mut cmd = env.std_cmd("unshare");
    if !is_root() {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--mount", "--propagation", "private", "sh"])
        .arg(&script)
        .arg(keyward_bin())
        .args([&mnt, &res]);
    let done = run_no_stdin(&mut cmd);
    assert!(
        done.status.success(),
        "the disk-full scenario could not run ({}; 90: no tmpfs, 91: init failed): {}",
        done.status,
        String::from_utf8_lossy(&done.stderr)
    );
    let read = |name: &str| fs::read(res.join(name)).unwrap_or_default();
    let status: i32 = String::from_utf8(read("set.rc"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let out = Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(status << 8),
        stdout: read("set.out"),
        stderr: read("set.err"),
    };
    check_error(&env, "disk-full", None, 1, &out);
}

#[test]
fn error_config_invalid() {
    let env = TestEnv::with_vault();
    fs::write(env.root().join("keyward.json"), "[]").unwrap();
    error(
        &env,
        "config-invalid",
        None,
        1,
        &mut kw(&env, &["config", "apply", "keyward.json"]),
    );
    fs::write(
        env.root().join("keyward.json"),
        r#"{"@snap/pkg": {"keys": []}}"#,
    )
    .unwrap();
    error(
        &env,
        "config-invalid",
        Some("no_path"),
        1,
        &mut kw(&env, &["config", "apply", "keyward.json"]),
    );
    fs::write(
        env.root().join("keyward.json"),
        r#"{"@snap/pkg": {"keys": [], "path": "packages/snap", "sha265": "kw1:0"}}"#,
    )
    .unwrap();
    error(
        &env,
        "config-invalid",
        Some("unknown_field"),
        1,
        &mut kw(&env, &["config", "apply", "keyward.json"]),
    );
}

#[test]
fn error_config_mismatch() {
    let env = TestEnv::with_vault();
    package(&env);
    fs::write(
        env.root().join("keyward.json"),
        r#"{"@snap/other": {"keys": [], "path": "packages/snap"}}"#,
    )
    .unwrap();
    error(
        &env,
        "config-mismatch",
        None,
        1,
        &mut kw(&env, &["config", "apply", "keyward.json"]),
    );
}

#[test]
fn error_version_mismatch() {
    let env = TestEnv::with_vault();
    package(&env);
    fs::write(
        env.root().join("keyward.json"),
        r#"{"@snap/pkg": {"version": "2.0.0", "keys": [], "path": "packages/snap"}}"#,
    )
    .unwrap();
    error(
        &env,
        "version-mismatch",
        None,
        1,
        &mut kw(&env, &["config", "apply", "keyward.json"]),
    );
}

#[test]
fn error_declined() {
    let env = TestEnv::with_vault();
    env.create_keychain("agent");
    let line = format!("{} keychain rm agent", keyward_bin().display());
    let key = env.master_key().to_owned();
    let mut term = Term::spawn(&env, &line, &[("KEYWARD_MASTER_KEY", &key)]);
    term.expect("agent");
    term.expect("?");
    term.send("n");
    check_error(&env, "declined", None, 1, &screen_error(term));
}

#[test]
fn error_default_keychain() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "default-keychain",
        None,
        1,
        &mut kw(&env, &["keychain", "rm", "default", "--yes"]),
    );
}

#[test]
fn error_empty_value() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "empty-value",
        None,
        1,
        kw(&env, &["secret", "set", "API_KEY", "--stdin"]).write_stdin(""),
    );
}

/// Typed at a prompt, the message differs from the piped one.
#[test]
fn error_empty_value_typed() {
    let env = TestEnv::with_vault();
    let line = format!("{} secret set API_KEY", keyward_bin().display());
    let key = env.master_key().to_owned();
    let mut term = Term::spawn(&env, &line, &[("KEYWARD_MASTER_KEY", &key)]);
    term.expect("Value for API_KEY");
    term.send("\n");
    check_error(&env, "empty-value", Some("typed"), 1, &screen_error(term));
}

/// What a [`Term`] showed from keyward's error line on, with its exit status.
fn screen_error(term: Term) -> Output {
    let (status, screen) = term.finish();
    let screen = screen.replace("\r\n", "\n");
    let at = screen.find("keyward: error[").unwrap_or(0);
    Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(status << 8),
        stdout: Vec::new(),
        stderr: screen.as_bytes()[at..].to_vec(),
    }
}

/// A passphrase slot whose salt is too short for Argon2id (tampered with): the
/// stretching itself fails.
#[test]
fn error_argon2() {
    let env = TestEnv::new();
    let pass = "snapshot passphrase";
    env.cmd_without_key()
        .env("KEYWARD_PASSPHRASE", pass)
        .args(["init", "--backend", "passphrase"])
        .assert()
        .success();
    env.sqlite(
        "UPDATE meta SET value = CAST(json_set(CAST(value AS TEXT), '$.salt', 'AAAA') AS BLOB) \
         WHERE key = 'passphrase'",
    );
    error(
        &env,
        "argon2",
        None,
        1,
        env.cmd_without_key()
            .env("KEYWARD_PASSPHRASE", pass)
            .args(["secret", "list"])
            .current_dir(env.root()),
    );
}

#[test]
fn error_env_var_unset() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "env-var-unset",
        None,
        1,
        &mut kw(
            &env,
            &["secret", "set", "API_KEY", "--from-env", "SNAPSHOT_UNSET"],
        ),
    );
}

#[test]
fn error_keychain_exists() {
    let env = TestEnv::with_vault();
    env.create_keychain("agent");
    error(
        &env,
        "keychain-exists",
        None,
        1,
        &mut kw(&env, &["keychain", "create", "agent"]),
    );
}

#[test]
fn error_manifest_exists() {
    let env = TestEnv::with_vault();
    let dir = package(&env);
    error(
        &env,
        "manifest-exists",
        None,
        1,
        &mut kw(&env, &["new", dir.to_str().unwrap()]),
    );
}

#[test]
fn error_no_manifest() {
    let env = TestEnv::with_vault();
    let dir = env.package_path("empty");
    fs::create_dir_all(&dir).unwrap();
    error(
        &env,
        "no-manifest",
        None,
        1,
        &mut kw(&env, &["install", dir.to_str().unwrap(), "--yes"]),
    );
}

#[test]
fn error_not_a_folder() {
    let env = TestEnv::with_vault();
    fs::write(env.root().join("a-file"), "").unwrap();
    error(
        &env,
        "not-a-folder",
        None,
        1,
        &mut kw(&env, &["new", "a-file"]),
    );
}

#[test]
fn error_not_utf8() {
    let env = TestEnv::with_vault();
    kw(&env, &["secret", "set", "BINARY_KEY", "--stdin"])
        .write_stdin(vec![0xff, 0xfe, 0x80, 0x81, 0x82])
        .assert()
        .success();
    error(
        &env,
        "not-utf8",
        None,
        1,
        &mut kw(&env, &["--json", "secret", "get", "BINARY_KEY"]),
    );
}

#[test]
fn error_nul_in_value() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "nul-in-value",
        None,
        1,
        kw(&env, &["secret", "set", "API_KEY", "--stdin"]).write_stdin(b"snap\0shot".to_vec()),
    );
}

#[test]
fn error_package_files() {
    let env = TestEnv::with_vault();
    let dir = package(&env);
    std::os::unix::fs::symlink("../../outside", dir.join("escape")).unwrap();
    error(
        &env,
        "package-files",
        None,
        1,
        &mut kw(&env, &["install", dir.to_str().unwrap(), "--yes"]),
    );
}

#[test]
fn error_rekey_failed() {
    let env = TestEnv::with_vault();
    env.sqlite(
        "CREATE TRIGGER refuse_rekey_u BEFORE UPDATE ON meta \
         BEGIN SELECT RAISE(ABORT, 'meta is read-only'); END; \
         CREATE TRIGGER refuse_rekey_i BEFORE INSERT ON meta \
         BEGIN SELECT RAISE(ABORT, 'meta is read-only'); END; \
         CREATE TRIGGER refuse_rekey_d BEFORE DELETE ON meta \
         BEGIN SELECT RAISE(ABORT, 'meta is read-only'); END;",
    );
    error(
        &env,
        "rekey-failed",
        None,
        1,
        kw(&env, &["rekey", "--backend", "passphrase"])
            .env("KEYWARD_NEW_PASSPHRASE", "snapshot passphrase")
            .env("KEYWARD_PASSPHRASE", "snapshot passphrase"),
    );
}

#[test]
fn error_short_passphrase() {
    let env = TestEnv::new();
    error(
        &env,
        "short-passphrase",
        None,
        1,
        env.cmd_without_key()
            .args(["init", "--backend", "passphrase"])
            .env("KEYWARD_PASSPHRASE", "short"),
    );
}

#[test]
fn error_stdin_unreadable() {
    let env = TestEnv::with_vault();
    // A folder as stdin: opening it works, reading it fails (EISDIR).
    let folder = fs::File::open(env.root()).unwrap();
    let out = env
        .std_cmd(keyward_bin())
        .args(["secret", "set", "API_KEY", "--stdin"])
        .current_dir(env.root())
        .stdin(folder)
        .output()
        .expect("run keyward");
    check_error(&env, "stdin-unreadable", None, 1, &out);
}

#[test]
fn error_value_too_large() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "value-too-large",
        None,
        1,
        kw(&env, &["secret", "set", "API_KEY", "--stdin"]).write_stdin(vec![b'v'; 64 * 1024 + 1]),
    );
}

#[test]
fn error_vault_exists() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "vault-exists",
        None,
        1,
        env.cmd_without_key()
            .args(["init", "--backend", "env"])
            .current_dir(env.root()),
    );
}

#[test]
fn error_write_failed() {
    let env = TestEnv::with_vault();
    fs::create_dir_all(env.root().join("a-folder")).unwrap();
    error(
        &env,
        "write-failed",
        None,
        1,
        &mut kw(&env, &["config", "export", "-o", "a-folder"]),
    );
}

#[test]
fn error_command_not_found() {
    let env = TestEnv::with_vault();
    run_package(&env, &["snapshot-no-such-command"]);
    error(
        &env,
        "command-not-found",
        Some("run"),
        127,
        &mut env.run_cmd(["@snap/run"]),
    );
}

#[test]
fn error_not_executable() {
    let env = TestEnv::with_vault();
    let dir = run_package(&env, &["./data.txt"]);
    fs::set_permissions(dir.join("data.txt"), fs::Permissions::from_mode(0o644)).unwrap();
    error(
        &env,
        "not-executable",
        Some("run"),
        126,
        &mut env.run_cmd(["@snap/run"]),
    );
}

#[test]
fn error_vault_newer() {
    let env = TestEnv::with_vault();
    env.sqlite("PRAGMA user_version = 99");
    error(
        &env,
        "vault-newer",
        None,
        1,
        &mut kw(&env, &["secret", "list"]),
    );
}

#[test]
fn error_vault_unreadable() {
    let env = TestEnv::with_vault();
    let file = env.root().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let vault = file.join("vault.db");
    error(
        &env,
        "vault-unreadable",
        None,
        1,
        kw(&env, &["secret", "list"]).env("KEYWARD_VAULT", &vault),
    );
}

#[test]
fn error_vault_create_failed() {
    let env = TestEnv::new();
    let file = env.root().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let vault = file.join("sub").join("vault.db");
    error(
        &env,
        "vault-create-failed",
        None,
        1,
        kw(&env, &["init", "--backend", "env"]).env("KEYWARD_VAULT", &vault),
    );
}

fn cursor_config(env: &TestEnv, text: &str) {
    let file = env.root().join("home/.cursor/mcp.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

#[test]
fn error_config_unparsable() {
    let env = TestEnv::with_vault();
    cursor_config(&env, r#"{"mcpServers": {"x": {"command": "node",,}}}"#);
    error(
        &env,
        "config-unparsable",
        None,
        1,
        &mut kw(&env, &["mcp", "import", "--client", "cursor"]),
    );
}

#[test]
fn error_plaintext_keys() {
    let env = TestEnv::with_vault();
    cursor_config(
        &env,
        r#"{"mcpServers": {"weather": {"command": "node", "args": ["w.js"], "env": {"WEATHER_KEY": "not-a-real-key"}}}}"#,
    );
    error(
        &env,
        "plaintext-keys",
        None,
        5,
        &mut kw(&env, &["mcp", "list", "--client", "cursor", "--check"]),
    );
}

#[test]
fn error_bridge_url() {
    let env = TestEnv::new();
    // The bridge runs as a package under `run`: its failures are 125, as `run`'s are.
    error(
        &env,
        "bridge-url",
        Some("run"),
        125,
        &mut kw(
            &env,
            &["mcp", "bridge", "--url", "http://mcp.example.com/mcp"],
        ),
    );
}

#[test]
fn error_bridge() {
    let env = TestEnv::new();
    error(
        &env,
        "bridge",
        Some("run"),
        125,
        &mut kw(
            &env,
            &[
                "mcp",
                "bridge",
                "--transport",
                "sse",
                "--url",
                "http://127.0.0.1:1/sse",
            ],
        ),
    );
}

#[test]
fn error_not_in_run() {
    let env = TestEnv::with_vault();
    error(
        &env,
        "not-in-run",
        None,
        4,
        &mut kw(&env, &["key", "API_KEY"]),
    );
}

#[test]
fn error_openbao_sources_without_a_server() {
    let env = TestEnv::with_vault();
    let set = ["secret", "set", "API_KEY", "--from-openbao"];
    error(
        &env,
        "invalid-source",
        None,
        2,
        &mut kw(&env, &[&set[..], &["no-field"]].concat()),
    );
    error(
        &env,
        "openbao-config",
        None,
        3,
        kw(&env, &[&set[..], &["secret/x#f"]].concat())
            .env_remove("BAO_ADDR")
            .env_remove("VAULT_ADDR"),
    );
    error(
        &env,
        "openbao-unreachable",
        None,
        3,
        kw(&env, &[&set[..], &["secret/x#f"]].concat())
            .env("BAO_ADDR", "http://127.0.0.1:1")
            .env("BAO_TOKEN", "not-a-token"),
    );
    env.set_secret("PLAIN", "plain-value");
    error(
        &env,
        "not-sourced",
        None,
        4,
        &mut kw(&env, &["secret", "sync", "PLAIN"]),
    );
}

#[test]
fn error_name_collision() {
    let env = TestEnv::with_vault();
    let first = env.make_package("dotted", "y.x", &[]);
    env.install_json(&first, &[]);
    let second = env.make_package("scoped", "@x/y", &[]);
    error(
        &env,
        "name-collision",
        None,
        1,
        &mut kw(&env, &["install", second.to_str().unwrap(), "--yes"]),
    );
}
