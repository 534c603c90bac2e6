//! `keyward run`: the package's exact environment (allowlist, `env` names, granted
//! keys), revocation before launch when its code changed, exit statuses (the package's
//! own, 128+N, 126, 127, 125), token-only runs, arguments, stdin, cwd and signal
//! forwarding.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::json;

use crate::common::pkg::{REPLACEMENT, parse_env0, wait_for_file, wait_with_deadline, write_file};
use crate::common::{PATH, TestEnv, keyward_bin, stderr_of, stdout_of};

// ---------------------------------------------------------------------------------
// 1. The child's environment
// ---------------------------------------------------------------------------------

const CI_API_KEY: &str = "ci-api-key-value-7f3a";
const CI_OPT_KEY: &str = "ci-opt-key-value-91b2";

/// A vault with keychain `ci` (its token is returned) holding API_KEY and OPT_KEY, and
/// `envdump` (prints its environment with `env -0`) installed in `ci`: API_KEY
/// approved; OPT_KEY (optional) requested, with a value, but not approved; NOVAL_KEY
/// (optional) approved but with no value in the keychain.
fn env_dump_setup() -> (TestEnv, String, PathBuf) {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("ci");
    env.set_secret_in("ci", "API_KEY", CI_API_KEY);
    env.set_secret_in("ci", "OPT_KEY", CI_OPT_KEY);
    let pkg = env.write_package(
        "envdump",
        &json!({
            "name": "envdump",
            "version": "1",
            "keys": ["API_KEY",
                     {"name": "OPT_KEY", "optional": true},
                     {"name": "NOVAL_KEY", "optional": true}],
            "env": ["HTTPS_PROXY", "ABSENT_PROXY"],
            "run": ["/usr/bin/env", "-0"]
        }),
    );
    env.install(Some("ci"), &pkg, &["API_KEY", "NOVAL_KEY"]);
    (env, token, pkg)
}

/// What the caller exports on top of the harness's base environment (PATH, HOME,
/// XDG_DATA_HOME, TMPDIR, LANG, KEYWARD_VAULT, KEYWARD_MASTER_KEY).
fn caller_extras(token: Option<&str>) -> Vec<(&'static str, String)> {
    let mut vars: Vec<(&'static str, String)> = [
        // the rest of the allowlist
        ("USER", "tester"),
        ("LOGNAME", "tester"),
        ("TZ", "UTC"),
        ("TERM", "dumb"),
        ("COLORTERM", "truecolor"),
        ("NO_COLOR", "1"),
        ("LC_ALL", "C.UTF-8"),
        ("LC_TIME", "C"),
        // not in the allowlist
        ("LCX_NOT_A_LOCALE", "x"),
        ("FOO", "bar"),
        ("HTTP_PROXY", "http://not-listed.example"),
        // in the manifest's `env`
        ("HTTPS_PROXY", "http://proxy.example:3128"),
        // requested keys: their names come only from the keychain
        ("API_KEY", "caller-api-key"),
        ("OPT_KEY", "caller-opt-key"),
        ("NOVAL_KEY", "caller-noval-key"),
        // keyward's own variables never pass; the package's own are keyward's
        ("KEYWARD_KEYCHAIN", "ci"),
        ("KEYWARD_PASSPHRASE", "caller-passphrase"),
        ("KEYWARD_SOMETHING", "x"),
        ("KEYWARD_PACKAGE", "caller-package"),
        ("KEYWARD_PACKAGE_DIR", "/caller/dir"),
        ("PYTHONDONTWRITEBYTECODE", "0"),
        ("KEYWARD_KEYS", "CALLER_KEY"),
        // where other delivery modes point: set only by keyward, in those modes
        ("CREDENTIALS_DIRECTORY", "/caller/credentials"),
        ("API_KEY_FILE", "/caller/credentials/API_KEY"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect();
    if let Some(token) = token {
        vars.push(("KEYWARD_TOKEN", token.to_owned()));
    }
    vars
}

/// The environment `envdump` printed, run as the owner (`token: None`) or as the
/// token holder (with KEYWARD_TOKEN *and* KEYWARD_MASTER_KEY exported).
fn dumped_env(
    env: &TestEnv,
    token: Option<&str>,
    inherit: bool,
    mask: bool,
) -> BTreeMap<String, String> {
    let mut cmd = env.cmd();
    for (k, v) in caller_extras(token) {
        cmd.env(k, v);
    }
    cmd.arg("run").arg("envdump");
    if inherit {
        cmd.arg("--inherit-env");
    }
    if !mask {
        cmd.arg("--no-mask");
    }
    let out = cmd.assert().success();
    parse_env0(&out.get_output().stdout)
}

fn modes() -> Vec<(Option<&'static str>, bool, &'static str)> {
    // (token placeholder, mask, label); the token itself is filled in per vault.
    vec![
        (None, false, "owner --no-mask"),
        (None, true, "owner masked"),
        (Some("token"), false, "token --no-mask"),
        (Some("token"), true, "token masked"),
    ]
}

#[test]
fn run_env_is_exactly_allowlist_env_names_granted_keys_and_package_vars() {
    let (env, token, pkg) = env_dump_setup();
    let root = env.root();
    for (who, mask, label) in modes() {
        let token = who.map(|_| token.as_str());
        let got = dumped_env(&env, token, false, mask);
        for absent in [
            "KEYWARD_TOKEN",
            "KEYWARD_MASTER_KEY",
            "KEYWARD_PASSPHRASE",
            "KEYWARD_VAULT",
            "OPT_KEY",
            "NOVAL_KEY",
            "FOO",
        ] {
            assert!(
                !got.contains_key(absent),
                "{label}: {absent} reached the package: {got:?}"
            );
        }
        let api_key = if mask { REPLACEMENT } else { CI_API_KEY };
        let want: BTreeMap<String, String> = [
            ("PATH", PATH.to_owned()),
            ("HOME", root.join("home").display().to_string()),
            ("TMPDIR", root.join("tmp").display().to_string()),
            ("LANG", "C.UTF-8".into()),
            ("USER", "tester".into()),
            ("LOGNAME", "tester".into()),
            ("TZ", "UTC".into()),
            ("TERM", "dumb".into()),
            ("COLORTERM", "truecolor".into()),
            ("NO_COLOR", "1".into()),
            ("LC_ALL", "C.UTF-8".into()),
            ("LC_TIME", "C".into()),
            ("HTTPS_PROXY", "http://proxy.example:3128".into()),
            ("API_KEY", api_key.into()),
            ("KEYWARD_PACKAGE", "envdump".into()),
            ("KEYWARD_PACKAGE_DIR", pkg.display().to_string()),
            ("PYTHONDONTWRITEBYTECODE", "1".into()),
            ("KEYWARD_KEYS", "API_KEY,OPT_KEY,NOVAL_KEY".into()),
            ("KEYWARD_REQUIRED", "API_KEY".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(got, want, "{label}: the package's environment");
    }
}

#[test]
fn run_inherit_env_passes_callers_env_but_never_keyward_vars_or_callers_key_values() {
    let (env, token, pkg) = env_dump_setup();
    for (who, mask, label) in modes() {
        let token = who.map(|_| token.as_str());
        let got = dumped_env(&env, token, true, mask);
        for absent in [
            "KEYWARD_TOKEN",
            "KEYWARD_MASTER_KEY",
            "KEYWARD_PASSPHRASE",
            "KEYWARD_VAULT",
            "KEYWARD_KEYCHAIN",
            "KEYWARD_SOMETHING",
            "OPT_KEY",
            "NOVAL_KEY",
        ] {
            assert!(
                !got.contains_key(absent),
                "{label} --inherit-env: {absent} reached the package: {got:?}"
            );
        }
        // Everything the caller had, minus KEYWARD_* and requested keys' names...
        let mut want: BTreeMap<String, String> = env
            .base_env()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_string_lossy().into_owned()))
            .chain(
                caller_extras(token)
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v)),
            )
            .filter(|(k, _)| {
                !k.starts_with("KEYWARD_")
                    && ![
                        "API_KEY",
                        "OPT_KEY",
                        "NOVAL_KEY",
                        "CREDENTIALS_DIRECTORY",
                        "API_KEY_FILE",
                    ]
                    .contains(&k.as_str())
            })
            .collect();
        // ...plus the granted key from the keychain and the package's own variables.
        let api_key = if mask { REPLACEMENT } else { CI_API_KEY };
        want.insert("API_KEY".into(), api_key.into());
        want.insert("KEYWARD_PACKAGE".into(), "envdump".into());
        want.insert("KEYWARD_PACKAGE_DIR".into(), pkg.display().to_string());
        want.insert("PYTHONDONTWRITEBYTECODE".into(), "1".into());
        want.insert("KEYWARD_KEYS".into(), "API_KEY,OPT_KEY,NOVAL_KEY".into());
        want.insert("KEYWARD_REQUIRED".into(), "API_KEY".into());
        assert!(want.contains_key("FOO") && want.contains_key("XDG_DATA_HOME"));
        assert_eq!(
            got, want,
            "{label} --inherit-env: the package's environment"
        );
    }
}

#[test]
fn run_optional_key_goes_once_approved_and_present() {
    let (env, _token, _pkg) = env_dump_setup();
    // Approving OPT_KEY (which has a value) and giving NOVAL_KEY a value: both go.
    env.cmd()
        .args(["-k", "ci", "approve", "envdump", "OPT_KEY"])
        .assert()
        .success();
    env.set_secret_in("ci", "NOVAL_KEY", "ci-noval-value-3c4d");
    let got = dumped_env(&env, None, false, false);
    assert_eq!(got.get("OPT_KEY").map(String::as_str), Some(CI_OPT_KEY));
    assert_eq!(
        got.get("NOVAL_KEY").map(String::as_str),
        Some("ci-noval-value-3c4d")
    );
    // Revoking it takes it away again, even though the caller exports the name.
    env.cmd()
        .args(["-k", "ci", "revoke", "envdump", "OPT_KEY"])
        .assert()
        .success();
    let got = dumped_env(&env, None, false, false);
    assert!(!got.contains_key("OPT_KEY"), "{got:?}");
}

#[test]
fn run_gets_the_current_value_after_secret_set() {
    let (env, _token, _pkg) = env_dump_setup();
    env.set_secret_in("ci", "API_KEY", "ci-api-key-value-rotated");
    let got = dumped_env(&env, None, false, false);
    assert_eq!(
        got.get("API_KEY").map(String::as_str),
        Some("ci-api-key-value-rotated")
    );
}

// ---------------------------------------------------------------------------------
// 2. A changed package is refused, revoked and stays refused until re-approved
// ---------------------------------------------------------------------------------

const MARKER_PY: &str = "import sys\nopen(sys.argv[1], 'w').write('ran')\n";

/// A package `marker` whose program creates the file named by its first argument;
/// installed with API_KEY approved and set. Returns the package dir and marker path.
fn marker_setup(env: &TestEnv) -> (PathBuf, PathBuf) {
    env.set_secret("API_KEY", "marker-api-key-value");
    let pkg = env.write_package(
        "marker",
        &json!({"name": "marker", "version": "1", "keys": ["API_KEY"],
                "run": ["python3", "./main.py"]}),
    );
    write_file(&pkg, "main.py", MARKER_PY, false);
    env.install(None, &pkg, &["API_KEY"]);
    (pkg, env.root().join("marker-ran"))
}

/// `run marker -- MARKER`.
fn run_marker(env: &TestEnv, marker: &Path) -> assert_cmd::assert::Assert {
    env.run_cmd(["marker", "--"]).arg(marker).assert()
}

fn inspect(env: &TestEnv, package: &str) -> serde_json::Value {
    let out = env
        .cmd()
        .args(["--json", "inspect", package])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).expect("inspect --json is one JSON doc")
}

fn actions(env: &TestEnv) -> Vec<String> {
    env.log_entries(None)
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn run_changed_package_is_refused_revoked_and_stays_refused_until_reapproved() {
    let env = TestEnv::with_vault();
    let (pkg, marker) = marker_setup(&env);
    run_marker(&env, &marker).success();
    assert!(marker.exists(), "the approved package runs");
    fs::remove_file(&marker).unwrap();

    // One file changes: refused, nothing launched, grants revoked, audited.
    fs::write(pkg.join("main.py"), format!("{MARKER_PY}# changed\n")).unwrap();
    let refused = run_marker(&env, &marker).code(125);
    let err = stderr_of(&refused);
    assert!(
        err.contains("keyward: error[package-changed]"),
        "stderr: {err}"
    );
    assert!(err.contains("main.py"), "names the changed file: {err}");
    assert!(!marker.exists(), "the changed package was launched");
    let doc = inspect(&env, "marker");
    assert_eq!(doc["keys"][0]["name"], "API_KEY");
    assert_eq!(doc["keys"][0]["approved"], false, "grant gone: {doc}");
    let entries = env.log_entries(None);
    let revoke = entries
        .iter()
        .find(|e| e["action"] == "auto-revoke")
        .unwrap_or_else(|| panic!("no auto-revoke entry in {entries:?}"));
    assert_eq!(revoke["package"], "marker");
    assert_eq!(revoke["detail"]["keys"], json!(["API_KEY"]));

    // Restoring the file does not bring the grants back: still refused.
    fs::write(pkg.join("main.py"), MARKER_PY).unwrap();
    let still = run_marker(&env, &marker).code(125);
    assert!(
        stderr_of(&still).contains("error[package-changed]"),
        "stderr: {}",
        stderr_of(&still)
    );
    assert!(!marker.exists(), "a defunct package was launched");
    assert_eq!(inspect(&env, "marker")["keys"][0]["approved"], false);

    // Re-approving this code makes it run again.
    env.install(None, &pkg, &["API_KEY"]);
    run_marker(&env, &marker).success();
    assert!(marker.exists(), "the re-approved package runs");
    let revokes = actions(&env).iter().filter(|a| *a == "auto-revoke").count();
    assert_eq!(revokes, 1, "one change, one auto-revoke entry");
}

#[test]
fn run_refuses_when_a_file_is_added_removed_or_made_executable() {
    type Change = fn(&Path);
    let changes: [(&str, Change); 4] = [
        ("added", |p| {
            fs::write(p.join("new.py"), "x = 1\n").unwrap();
        }),
        ("removed", |p| {
            fs::remove_file(p.join("helper.py")).unwrap();
        }),
        ("made executable", |p| {
            write_file(p, "main.py", MARKER_PY, true);
        }),
        ("manifest edited", |p| {
            let m = p.join("instant.package.json");
            let text = fs::read_to_string(&m).unwrap();
            fs::write(&m, text.replace("\"version\": \"1\"", "\"version\": \"2\"")).unwrap();
        }),
    ];
    for (what, change) in changes {
        let env = TestEnv::with_vault();
        env.set_secret("API_KEY", "marker-api-key-value");
        let pkg = env.write_package(
            "marker",
            &json!({"name": "marker", "version": "1", "keys": ["API_KEY"],
                    "run": ["python3", "./main.py"]}),
        );
        write_file(&pkg, "main.py", MARKER_PY, false);
        write_file(&pkg, "helper.py", "y = 2\n", false);
        env.install(None, &pkg, &["API_KEY"]);
        let marker = env.root().join("marker-ran");
        change(&pkg);
        let out = run_marker(&env, &marker).code(125);
        assert!(
            stderr_of(&out).contains("error[package-changed]"),
            "{what}: {}",
            stderr_of(&out)
        );
        assert!(!marker.exists(), "{what}: the package was launched");
        assert_eq!(
            inspect(&env, "marker")["keys"][0]["approved"],
            false,
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------------
// 5. Exit statuses
// ---------------------------------------------------------------------------------

const EXIT_PY: &str = "\
import os, sys, time
arg = sys.argv[1]
if arg.startswith('sig'):
    os.kill(os.getpid(), int(arg[3:]))
    time.sleep(30)
sys.exit(int(arg))
";

/// `exiter`: `run exiter -- N` exits N, `-- sigN` kills itself with signal N.
fn exiter_setup(env: &TestEnv) {
    env.set_secret("API_KEY", "exiter-api-key-value");
    let pkg = env.write_package(
        "exiter",
        &json!({"name": "exiter", "version": "1", "keys": ["API_KEY"],
                "run": ["python3", "./exit.py"]}),
    );
    write_file(&pkg, "exit.py", EXIT_PY, false);
    env.install(None, &pkg, &["API_KEY"]);
}

#[test]
fn run_returns_the_packages_exit_status_0_3_255() {
    let env = TestEnv::with_vault();
    exiter_setup(&env);
    for code in [0, 3, 255] {
        env.run_cmd(["exiter", "--", &code.to_string()])
            .assert()
            .code(code);
        env.run_cmd(["exiter", "--no-mask", "--", &code.to_string()])
            .assert()
            .code(code);
    }
    let entries = env.log_entries(None);
    let statuses: Vec<_> = entries
        .iter()
        .filter(|e| e["action"] == "run" && e["detail"]["masked"] == true)
        .map(|e| e["detail"]["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [json!(0), json!(3), json!(255)],
        "audited statuses"
    );
}

#[test]
fn run_returns_128_plus_signal_when_the_package_is_killed() {
    let env = TestEnv::with_vault();
    exiter_setup(&env);
    for (sig, code) in [(15, 143), (9, 137)] {
        env.run_cmd(["exiter", "--", &format!("sig{sig}")])
            .assert()
            .code(code);
        // With --no-mask keyward *is* the package: the caller sees the signal itself.
        let out = env
            .run_cmd(["exiter", "--no-mask", "--", &format!("sig{sig}")])
            .output()
            .unwrap();
        assert_eq!(out.status.signal(), Some(sig), "--no-mask, signal {sig}");
    }
}

#[test]
fn run_returns_126_when_the_program_is_not_executable() {
    let env = TestEnv::with_vault();
    let pkg = env.write_package(
        "notexec",
        &json!({"name": "notexec", "version": "1", "run": ["./data.txt"]}),
    );
    write_file(&pkg, "data.txt", "#!/bin/sh\necho ran\n", false);
    env.install(None, &pkg, &[]);
    for flags in [&[][..], &["--no-mask"]] {
        let out = env.run_cmd(["notexec"]).args(flags).assert().code(126);
        assert_eq!(stdout_of(&out), "", "{flags:?}");
        assert!(
            stderr_of(&out).contains("keyward: error[not-executable]"),
            "{flags:?}: {}",
            stderr_of(&out)
        );
        assert!(stderr_of(&out).contains("data.txt"));
    }
}

#[test]
fn run_returns_127_when_the_program_does_not_exist() {
    let env = TestEnv::with_vault();
    for (name, program) in [
        ("nocmd", "keyward-no-such-command"),
        ("nofile", "./missing.py"),
    ] {
        let pkg = env.write_package(
            name,
            &json!({"name": name, "version": "1", "run": [program]}),
        );
        env.install(None, &pkg, &[]);
        for flags in [&[][..], &["--no-mask"]] {
            let out = env.run_cmd([name]).args(flags).assert().code(127);
            let err = stderr_of(&out);
            assert!(
                err.contains("keyward: error[command-not-found]"),
                "{name} {flags:?}: {err}"
            );
            assert!(
                err.contains(program.trim_start_matches("./")),
                "names the program: {err}"
            );
        }
    }
}

#[test]
fn run_returns_125_for_each_keyward_failure_and_launches_nothing() {
    let env = TestEnv::with_vault();
    let (pkg, marker) = marker_setup(&env);

    // not-approved: a required key is revoked.
    env.cmd()
        .args(["revoke", "marker", "API_KEY"])
        .assert()
        .success();
    let out = run_marker(&env, &marker).code(125);
    assert!(
        stderr_of(&out).contains("keyward: error[not-approved]"),
        "{}",
        stderr_of(&out)
    );
    assert!(stderr_of(&out).contains("API_KEY"), "lists the key");
    assert!(!marker.exists());

    // missing-secret: approved, but the keychain has no value.
    env.cmd()
        .args(["approve", "marker", "API_KEY"])
        .assert()
        .success();
    let needy = env.write_package(
        "needy",
        &json!({"name": "needy", "version": "1", "keys": ["API_KEY", "NEVER_SET_KEY"],
                "run": ["python3", "./main.py"]}),
    );
    write_file(&needy, "main.py", MARKER_PY, false);
    env.install(None, &needy, &["API_KEY", "NEVER_SET_KEY"]);
    let out = env.run_cmd(["needy", "--"]).arg(&marker).assert().code(125);
    assert!(
        stderr_of(&out).contains("keyward: error[missing-secret]"),
        "{}",
        stderr_of(&out)
    );
    assert!(stderr_of(&out).contains("NEVER_SET_KEY"), "lists the key");
    assert!(!marker.exists());
    run_marker(&env, &marker).success();
    fs::remove_file(&marker).unwrap();

    // unknown package
    let out = env.run_cmd(["no-such-package"]).assert().code(125);
    assert!(
        stderr_of(&out).contains("keyward: error[") && stderr_of(&out).contains("no-such-package"),
        "{}",
        stderr_of(&out)
    );

    // locked: the wrong master key (32 zero bytes), and no key at all.
    let wrong = "A".repeat(43);
    let out = env
        .run_cmd(["marker", "--"])
        .arg(&marker)
        .env("KEYWARD_MASTER_KEY", &wrong)
        .assert()
        .code(125);
    assert!(
        stderr_of(&out).contains("keyward: error[locked]"),
        "{}",
        stderr_of(&out)
    );
    let out = env
        .run_cmd(["marker", "--"])
        .arg(&marker)
        .env_remove("KEYWARD_MASTER_KEY")
        .assert()
        .code(125);
    assert!(stderr_of(&out).contains("keyward: error[locked]"));
    assert!(!marker.exists());

    // --json: the same status, and the error as one JSON object on stderr.
    env.cmd()
        .args(["revoke", "marker", "API_KEY"])
        .assert()
        .success();
    let out = env
        .cmd()
        .current_dir(env.root())
        .args(["--json", "run", "marker", "--"])
        .arg(&marker)
        .assert()
        .code(125)
        .stdout("");
    let doc: serde_json::Value =
        serde_json::from_slice(&out.get_output().stderr).expect("stderr is one JSON object");
    assert_eq!(doc["error"]["code"], "not-approved");
    env.cmd()
        .args(["approve", "marker", "API_KEY"])
        .assert()
        .success();

    // package-changed (item 2 has the details).
    fs::write(pkg.join("main.py"), "raise SystemExit(0)\n").unwrap();
    let out = run_marker(&env, &marker).code(125);
    assert!(stderr_of(&out).contains("keyward: error[package-changed]"));
    assert!(!marker.exists());
}

#[test]
fn run_refuses_missing_secret_after_the_value_is_removed() {
    let (env, _token, _pkg) = env_dump_setup();
    env.cmd()
        .args(["-k", "ci", "secret", "rm", "API_KEY"])
        .assert()
        .success();
    let out = env
        .cmd()
        .args(["-k", "ci", "run", "envdump", "--no-mask"])
        .assert()
        .code(125);
    assert!(
        !stdout_of(&out).contains(CI_API_KEY),
        "the removed value reached the package"
    );
    assert!(
        stderr_of(&out).contains("keyward: error[missing-secret]"),
        "{}",
        stderr_of(&out)
    );
}

// ---------------------------------------------------------------------------------
// 6. Token-only runs
// ---------------------------------------------------------------------------------

#[test]
fn run_with_only_a_token_gets_the_granted_keys() {
    let (env, token, pkg) = env_dump_setup();
    for mask in [false, true] {
        let mut cmd = env.token_cmd(&token);
        cmd.args(["run", "envdump"]).current_dir(env.root());
        if !mask {
            cmd.arg("--no-mask");
        }
        let out = cmd.assert().success();
        let got = parse_env0(&out.get_output().stdout);
        let api_key = if mask { REPLACEMENT } else { CI_API_KEY };
        assert_eq!(got.get("API_KEY").map(String::as_str), Some(api_key));
        assert_eq!(
            got.get("KEYWARD_PACKAGE_DIR").map(String::as_str),
            Some(pkg.to_str().unwrap())
        );
        assert!(!got.contains_key("KEYWARD_TOKEN"), "{got:?}");
        assert!(!got.contains_key("OPT_KEY"), "not approved: {got:?}");
    }
    // The run is in the token's keychain's log, readable by the token holder.
    let out = env
        .token_cmd(&token)
        .args(["--json", "log", "--package", "envdump"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let runs = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "run")
        .count();
    assert_eq!(runs, 2, "{doc}");
}

#[test]
fn run_with_a_token_cannot_run_a_package_of_another_keychain() {
    let (env, token, _pkg) = env_dump_setup();
    env.create_keychain("other");
    env.set_secret_in("other", "API_KEY", "other-api-key-value");
    let pkg = env.write_package(
        "otherdump",
        &json!({"name": "otherdump", "version": "1", "keys": ["API_KEY"],
                "run": ["/usr/bin/env", "-0"]}),
    );
    env.install(Some("other"), &pkg, &["API_KEY"]);
    for keychain in ["other", "default"] {
        let out = env
            .token_cmd(&token)
            .args(["-k", keychain, "run", "otherdump", "--no-mask"])
            .assert()
            .code(125)
            .stdout("");
        let err = stderr_of(&out);
        assert!(err.contains("`ci`"), "names the token's keychain: {err}");
        assert!(!err.contains("other-api-key-value"));
    }
    // Without -k the token's own keychain is used, where otherdump is not installed.
    let out = env
        .token_cmd(&token)
        .args(["run", "otherdump", "--no-mask"])
        .assert()
        .code(125)
        .stdout("");
    assert!(stderr_of(&out).contains("otherdump"));
}

// ---------------------------------------------------------------------------------
// Arguments, stdin, cwd
// ---------------------------------------------------------------------------------

#[test]
fn run_passes_args_stdin_and_callers_cwd_and_resolves_dot_slash_against_the_package() {
    let env = TestEnv::with_vault();
    let pkg = env.write_package(
        "echoer",
        &json!({"name": "echoer", "version": "1",
                "run": ["python3", "./echo.py", "./not-resolved-after-the-first"]}),
    );
    write_file(
        &pkg,
        "echo.py",
        "import json, os, sys\n\
         print(json.dumps({'argv': sys.argv, 'cwd': os.getcwd(), 'stdin': sys.stdin.read()}))\n",
        false,
    );
    env.install(None, &pkg, &[]);
    let cwd = env.root().join("home");
    for flags in [&[][..], &["--no-mask"]] {
        let out = env
            .run_cmd(["echoer"])
            .args(flags)
            .args(["--", "a b", "--flag", "./rel"])
            .current_dir(&cwd)
            .write_stdin("from stdin\n")
            .assert()
            .success();
        let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(
            doc["argv"],
            json!([
                pkg.join("echo.py").to_str().unwrap(),
                pkg.join("not-resolved-after-the-first").to_str().unwrap(),
                "a b",
                "--flag",
                "./rel"
            ]),
            "{flags:?}: manifest `./x` resolved against the package, ARGS as given"
        );
        assert_eq!(doc["cwd"], cwd.to_str().unwrap(), "{flags:?}");
        assert_eq!(doc["stdin"], "from stdin\n", "{flags:?}");
    }
}

// ---------------------------------------------------------------------------------
// Signals sent to keyward reach the package
// ---------------------------------------------------------------------------------

#[test]
fn run_forwards_sigterm_sigint_sighup_sent_to_keyward_to_the_package() {
    let env = TestEnv::with_vault();
    let pkg = env.write_package(
        "trapper",
        &json!({"name": "trapper", "version": "1", "run": ["python3", "./trap.py"]}),
    );
    // trap.py READY NAME: on signal NAME prints "got NAME" and exits 7.
    write_file(
        &pkg,
        "trap.py",
        "import os, signal, sys, time\n\
         name = sys.argv[2]\n\
         def on_signal(sig, frame):\n    print('got ' + name, flush=True)\n    sys.exit(7)\n\
         signal.signal(getattr(signal, 'SIG' + name), on_signal)\n\
         open(sys.argv[1], 'w').write('%d\\n' % os.getpid())\n\
         time.sleep(60)\n\
         print('not signalled', flush=True)\n",
        false,
    );
    env.install(None, &pkg, &[]);
    for name in ["TERM", "INT", "HUP"] {
        let ready = env.root().join(format!("trapper-{name}.ready"));
        let mut child = env
            .std_cmd(keyward_bin())
            .args(["run", "trapper", "--"])
            .arg(&ready)
            .arg(name)
            .current_dir(env.root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let package_pid: u32 = wait_for_file(&ready, &mut child).trim().parse().unwrap();
        assert_ne!(
            package_pid,
            child.id(),
            "masked: keyward supervises a child"
        );
        let kill = std::process::Command::new("kill")
            .args([&format!("-{name}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = wait_with_deadline(&mut child, "keyward after the signal");
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        assert_eq!(
            stdout,
            format!("got {name}\n"),
            "the package got the forwarded SIG{name}"
        );
        assert_eq!(
            status.code(),
            Some(7),
            "SIG{name}: keyward returns the package's status"
        );
    }
}

// ---------------------------------------------------------------------------------
// PACKAGE: a name or a path
// ---------------------------------------------------------------------------------

#[test]
fn run_accepts_the_package_name_or_its_installed_path() {
    let env = TestEnv::with_vault();
    let pkg = env.write_package(
        "nine",
        &json!({"name": "@acme/nine", "version": "1", "run": ["echo", "nine"]}),
    );
    env.install(None, &pkg, &[]);
    let rel = pkg.strip_prefix(env.root()).unwrap();
    for arg in [
        "@acme/nine".to_owned(),
        pkg.display().to_string(),
        format!("{}/", pkg.display()),
        format!("./{}", rel.display()),
    ] {
        env.run_cmd([&arg]).assert().success().stdout("nine\n");
    }
    // A folder that is not installed is not a package of this keychain.
    fs::create_dir(env.root().join("elsewhere")).unwrap();
    let out = env.run_cmd(["./elsewhere"]).assert().code(125);
    assert!(stderr_of(&out).contains("elsewhere"), "{}", stderr_of(&out));

    // Its folder moved away: refused (125), but nothing changed, so nothing revoked.
    let moved = env.root().join("moved");
    fs::rename(&pkg, &moved).unwrap();
    let out = env.run_cmd(["@acme/nine"]).assert().code(125).stdout("");
    assert!(
        stderr_of(&out).contains("keyward: error["),
        "{}",
        stderr_of(&out)
    );
    fs::rename(&moved, &pkg).unwrap();
    env.run_cmd(["@acme/nine"])
        .assert()
        .success()
        .stdout("nine\n");
}

/// `run`'s own command-line errors exit 125, like its other failures, so they are never
/// mistaken for a package's exit status 2.
#[test]
fn run_usage_errors_exit_125() {
    let env = TestEnv::with_vault();
    env.cmd().arg("run").assert().code(125);
    env.cmd().args(["run", "pkg", "--bogus"]).assert().code(125);
    env.cmd().args(["run", "--help"]).assert().code(0);
}
