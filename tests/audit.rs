//! The audit log: what `log` shows (filters, limit, JSON), `log --verify` on an intact
//! chain and after the vault is edited with the sqlite3 CLI (exit 7 naming the first
//! bad entry), and no secret value anywhere in it, in `run`'s errors or in the argv of
//! keyward or the package while it runs.

use std::fs;
use std::process::Stdio;

use serde_json::json;

use crate::common::pkg::{
    REPLACEMENT, contains_bytes, wait_for_file, wait_with_deadline, write_file,
};
use crate::common::{TestEnv, keyward_bin, stderr_of, stdout_of};

const EXIT_PY: &str = "import sys\nsys.exit(int(sys.argv[1]))\n";

/// A vault whose default keychain's log has 9 entries: init, secret-set, install,
/// approve, run-start + run (status 0), run-start + run (status 3), run (--no-mask).
/// A masked run is recorded before it starts (fail-closed) and again when it ends.
fn vault_with_log() -> TestEnv {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", "logged-api-key-value");
    let pkg = env.write_package(
        "logged",
        &json!({"name": "logged", "version": "1", "keys": ["API_KEY"],
                "run": ["python3", "./exit.py"]}),
    );
    write_file(&pkg, "exit.py", EXIT_PY, false);
    env.install(None, &pkg, &["API_KEY"]);
    env.run_cmd(["logged", "--", "0"]).assert().code(0);
    env.run_cmd(["logged", "--", "3"]).assert().code(3);
    env.run_cmd(["logged", "--no-mask", "--", "0"])
        .assert()
        .code(0);
    env
}

fn verify(env: &TestEnv) -> assert_cmd::assert::Assert {
    env.cmd().args(["log", "--verify"]).assert()
}

/// `log --verify` exits 7 with `error[audit-broken]` naming `entry`.
fn assert_broken(env: &TestEnv, entry: &str, what: &str) {
    let out = verify(env).code(7).stdout("");
    let err = stderr_of(&out);
    assert!(
        err.contains("keyward: error[audit-broken]"),
        "{what}: {err}"
    );
    assert!(err.contains(entry), "{what}: names {entry}: {err}");
}

/// Runs `sql` on the vault and checks that it changed exactly `rows` rows.
fn tamper(env: &TestEnv, sql: &str, rows: u32) {
    let changed = env.sqlite(&format!("{sql}; SELECT changes();"));
    assert_eq!(changed, rows.to_string(), "{sql}");
}

#[test]
fn log_lists_entries_with_package_filter_limit_and_json() {
    let env = vault_with_log();
    let entries = env.log_entries(None);
    let actions: Vec<_> = entries.iter().map(|e| e["action"].clone()).collect();
    assert_eq!(
        actions,
        json!([
            "init",
            "secret-set",
            "install",
            "approve",
            "run-start",
            "run",
            "run-start",
            "run",
            "run"
        ])
        .as_array()
        .unwrap()
        .clone()
    );
    let seqs: Vec<_> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let runs: Vec<_> = entries.iter().filter(|e| e["action"] == "run").collect();
    for run in &runs {
        assert_eq!(run["package"], "logged");
        assert_eq!(run["detail"]["keys"], json!(["API_KEY"]));
        assert!(
            run["detail"]["digest"]
                .as_str()
                .is_some_and(|d| d.starts_with("kw1:") && d.len() == 68),
            "{run}"
        );
    }
    assert_eq!(runs[0]["detail"]["status"], 0);
    assert_eq!(runs[1]["detail"]["status"], 3);
    assert_eq!(runs[0]["detail"]["masked"], true);
    assert_eq!(runs[2]["detail"]["masked"], false);

    let out = env
        .cmd()
        .args(["--json", "log", "--package", "logged"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let filtered = doc["entries"].as_array().unwrap();
    assert_eq!(
        filtered.len(),
        7,
        "install, approve and 3 runs (2 of them masked): {doc}"
    );
    assert!(filtered.iter().all(|e| e["package"] == "logged"));

    let out = env
        .cmd()
        .args(["--json", "log", "--limit", "2"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let seqs: Vec<_> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [8, 9], "the newest two");

    let out = env.cmd().arg("log").assert().success();
    let text = stdout_of(&out);
    assert!(text.contains("SEQ") && text.contains("ACTION"), "{text}");
    assert!(text.matches("run").count() >= 3, "{text}");
}

#[test]
fn log_verify_passes_on_an_untouched_log() {
    let env = vault_with_log();
    let out = verify(&env).success();
    assert!(stdout_of(&out).contains("9 entries"), "{}", stdout_of(&out));
    let out = env
        .cmd()
        .args(["--json", "log", "--verify"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["verified"], true);
    assert_eq!(doc["entries"], 9);
    // A keychain's log verifies for its token holder too.
    let token = env.create_keychain("ci");
    env.token_cmd(&token)
        .args(["log", "--verify"])
        .assert()
        .success();
    verify(&env).success();
}

#[test]
fn log_verify_exits_7_when_an_entry_is_edited() {
    for (sql, what) in [
        (
            r#"UPDATE audit SET detail = replace(detail, '"status":3', '"status":0') WHERE seq = 8"#,
            "detail edited",
        ),
        (
            "UPDATE audit SET at = at - 3600 WHERE seq = 8",
            "time edited",
        ),
        (
            "UPDATE audit SET action = 'approve' WHERE seq = 8",
            "action edited",
        ),
        (
            "UPDATE audit SET package = 'other' WHERE seq = 8",
            "package edited",
        ),
        (
            "UPDATE audit SET mac = randomblob(32) WHERE seq = 8",
            "mac replaced",
        ),
    ] {
        let env = vault_with_log();
        verify(&env).success();
        tamper(&env, sql, 1);
        assert_broken(&env, "entry 8", what);
    }
}

#[test]
fn log_verify_exits_7_when_an_entry_in_the_middle_is_deleted() {
    let env = vault_with_log();
    tamper(&env, "DELETE FROM audit WHERE seq = 4", 1);
    assert_broken(
        &env,
        "entry 5",
        "entry 4 deleted: 5 is the first that fails",
    );
}

#[test]
fn log_verify_exits_7_when_the_last_entry_is_deleted() {
    let env = vault_with_log();
    tamper(&env, "DELETE FROM audit WHERE seq = 9", 1);
    assert_broken(&env, "entry 9", "last entry deleted");
}

#[test]
fn log_verify_exits_7_when_an_entry_is_inserted() {
    let cols = "keychain_id, seq, at, action, package, detail, mac";
    for (sql, entry, what) in [
        (
            format!(
                "INSERT INTO audit ({cols}) SELECT keychain_id, seq + 1000, at, action, package, detail, mac FROM audit WHERE seq = 5"
            ),
            "entry 1005",
            "copy of entry 5 as 1005",
        ),
        (
            format!(
                "INSERT INTO audit ({cols}) SELECT keychain_id, 10, at, 'run', package, detail, randomblob(32) FROM audit WHERE seq = 9"
            ),
            "entry 10",
            "made-up entry 10",
        ),
        (
            format!(
                "INSERT INTO audit ({cols}) SELECT keychain_id, 10, at, action, package, detail, mac FROM audit WHERE seq = 9"
            ),
            "entry 10",
            "entry 9 replayed as 10",
        ),
    ] {
        let env = vault_with_log();
        tamper(&env, &sql, 1);
        assert_broken(&env, entry, what);
    }
}

#[test]
fn log_verify_exits_7_when_the_head_record_is_deleted_or_the_log_emptied() {
    let env = vault_with_log();
    tamper(&env, "DELETE FROM meta WHERE key LIKE 'audit_head:%'", 1);
    let out = verify(&env).code(7);
    assert!(stderr_of(&out).contains("error[audit-broken]"));

    let env = vault_with_log();
    tamper(&env, "DELETE FROM audit", 9);
    let out = verify(&env).code(7);
    assert!(stderr_of(&out).contains("error[audit-broken]"));

    // Both wiped: an empty log is still a broken one (every log starts with its
    // keychain's creation), and keyward writing again does not start a fresh chain.
    let env = vault_with_log();
    tamper(&env, "DELETE FROM audit", 9);
    tamper(&env, "DELETE FROM meta WHERE key LIKE 'audit_head:%'", 1);
    let out = verify(&env).code(7);
    assert!(stderr_of(&out).contains("wiped"), "{}", stderr_of(&out));
    env.run_cmd(["logged", "--", "0"]).assert().code(0);
    verify(&env).code(7);
}

#[test]
fn log_verify_still_exits_7_after_the_last_entry_was_deleted_and_keyward_ran_again() {
    let env = vault_with_log();
    tamper(&env, "DELETE FROM audit WHERE seq = 9", 1);
    assert_broken(&env, "entry 9", "last entry deleted");
    // The owner runs the package again: keyward appends to the log it finds.
    env.run_cmd(["logged", "--", "0"]).assert().code(0);
    assert_broken(&env, "entry 9", "last entry deleted, then a run appended");
}

// ---------------------------------------------------------------------------------
// 8. A canary value never reaches the log, run's errors or any argv
// ---------------------------------------------------------------------------------

const CANARY: &str = "kw-canary-5e1f0c9a7b3d";
const CANARY_ROTATED: &str = "kw-canary-rotated-44d2e8";

/// `pid FILE RELEASE`: writes "PID PPID" to FILE, prints it, waits until RELEASE exists;
/// `fail`: raises an exception naming the value; `echo`: prints the value.
const CANARY_PY: &str = r#"
import os, sys, time
mode = sys.argv[1]
if mode == "pid":
    line = "%d %d\n" % (os.getpid(), os.getppid())
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(line)
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    print(line, end="", flush=True)
    deadline = time.time() + 30
    while not os.path.exists(sys.argv[3]) and time.time() < deadline:
        time.sleep(0.02)
elif mode == "fail":
    raise RuntimeError("the key is " + os.environ["CANARY_KEY"])
else:
    print(os.environ["CANARY_KEY"])
"#;

/// The NUL-separated argv of a live process.
fn cmdline(pid: u32) -> Vec<u8> {
    fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_else(|e| panic!("read cmdline of {pid}: {e}"))
}

/// Runs `canary pid …` (with `flags`), reads the cmdlines of keyward and the package
/// while the package waits, then lets it finish. Returns (keyward's, package's) argv.
fn cmdlines_while_running(env: &TestEnv, flags: &[&str], tag: &str) -> (Vec<u8>, Vec<u8>) {
    let pid_file = env.root().join(format!("{tag}.pid"));
    let release = env.root().join(format!("{tag}.release"));
    let mut child = env
        .std_cmd(keyward_bin())
        .arg("run")
        .arg("canary")
        .args(flags)
        .arg("--")
        .arg("pid")
        .args([&pid_file, &release])
        .current_dir(env.root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = wait_for_file(&pid_file, &mut child);
    let mut ids = line.split_whitespace().map(|n| n.parse::<u32>().unwrap());
    let (pid, ppid) = (ids.next().unwrap(), ids.next().unwrap());
    let keyward = cmdline(child.id());
    let package = cmdline(pid);
    if flags.contains(&"--no-mask") {
        assert_eq!(pid, child.id(), "--no-mask: keyward became the package");
    } else {
        assert_eq!(ppid, child.id(), "masked: keyward is the package's parent");
        assert!(contains_bytes(&keyward, b"canary"), "keyward's argv");
    }
    assert!(contains_bytes(&package, b"main.py"), "the package's argv");
    fs::write(&release, "").unwrap();
    let status = wait_with_deadline(&mut child, "keyward run canary");
    assert!(status.success(), "{tag}: {status}");
    (keyward, package)
}

#[test]
fn canary_value_is_never_in_the_audit_log_run_errors_or_process_argv() {
    let env = TestEnv::with_vault();
    env.set_secret("CANARY_KEY", CANARY);
    let canary = env.write_package(
        "canary",
        &json!({"name": "canary", "version": "1", "keys": ["CANARY_KEY"],
                "run": ["python3", "./main.py"]}),
    );
    write_file(&canary, "main.py", CANARY_PY, false);
    env.install(None, &canary, &["CANARY_KEY"]);
    // Packages that fail in each way keyward reports, all wanting the canary.
    let greedy = env.write_package(
        "greedy",
        &json!({"name": "greedy", "version": "1", "keys": ["CANARY_KEY"], "run": ["env"]}),
    );
    env.install(None, &greedy, &[]);
    let needy = env.write_package(
        "needy",
        &json!({"name": "needy", "version": "1", "keys": ["CANARY_KEY", "MISSING_KEY"],
                "run": ["env"]}),
    );
    env.install(None, &needy, &["CANARY_KEY", "MISSING_KEY"]);
    let notfound = env.write_package(
        "notfound",
        &json!({"name": "notfound", "version": "1", "keys": ["CANARY_KEY"],
                "run": ["keyward-no-such-command"]}),
    );
    env.install(None, &notfound, &["CANARY_KEY"]);
    let notexec = env.write_package(
        "notexec",
        &json!({"name": "notexec", "version": "1", "keys": ["CANARY_KEY"],
                "run": ["./data.txt"]}),
    );
    write_file(&notexec, "data.txt", "not a program\n", false);
    env.install(None, &notexec, &["CANARY_KEY"]);

    // While the package runs, neither argv holds the value.
    for (flags, tag) in [(&[][..], "masked"), (&["--no-mask"][..], "nomask")] {
        let (keyward, package) = cmdlines_while_running(&env, flags, tag);
        for (who, argv) in [("keyward", &keyward), ("package", &package)] {
            assert!(
                !contains_bytes(argv, CANARY.as_bytes()),
                "{tag}: the value is in the {who}'s argv"
            );
        }
    }

    // Every failing run, in text, -v and --json, says nothing of the value.
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut failing = |label: &str, mut cmd: assert_cmd::Command, code: i32| {
        let out = cmd.assert().code(code);
        let o = out.get_output();
        let mut all = o.stdout.clone();
        all.extend_from_slice(&o.stderr);
        outputs.push((label.to_owned(), all));
    };
    let run = |pre: &[&str], args: &[&str]| {
        let mut cmd = env.cmd();
        cmd.args(pre).arg("run").args(args).current_dir(env.root());
        cmd
    };
    for pre in [&[][..], &["-v"], &["--json"]] {
        failing("raises", run(pre, &["canary", "--", "fail"]), 1);
        failing("not-approved", run(pre, &["greedy"]), 125);
        failing("missing-secret", run(pre, &["needy"]), 125);
        failing("127", run(pre, &["notfound"]), 127);
        failing("127 --no-mask", run(pre, &["notfound", "--no-mask"]), 127);
        failing("126", run(pre, &["notexec"]), 126);
        failing("126 --no-mask", run(pre, &["notexec", "--no-mask"]), 126);
        failing("unknown", run(pre, &["no-such-package"]), 125);
        let mut locked = run(pre, &["canary", "--", "echo"]);
        locked.env("KEYWARD_MASTER_KEY", "A".repeat(43));
        failing("locked", locked, 125);
    }
    // The value rotates; the package changes (auto-revoke), then stays defunct.
    env.set_secret("CANARY_KEY", CANARY_ROTATED);
    env.run_cmd(["canary", "--", "echo"]).assert().success();
    fs::write(canary.join("main.py"), format!("{CANARY_PY}\n# changed\n")).unwrap();
    for pre in [&[][..], &["-v"], &["--json"]] {
        failing("package-changed", run(pre, &["canary", "--", "echo"]), 125);
    }
    let raised = &outputs[0].1;
    assert!(
        contains_bytes(raised, format!("the key is {REPLACEMENT}").as_bytes()),
        "the traceback is masked: {}",
        String::from_utf8_lossy(raised)
    );
    for (label, bytes) in &outputs {
        for value in [CANARY, CANARY_ROTATED] {
            assert!(
                !contains_bytes(bytes, value.as_bytes()),
                "{label}: the value is in run's output: {}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    // The audit log, as keyward shows it and as sqlite3 reads it.
    let actions: Vec<_> = env
        .log_entries(None)
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(actions.iter().any(|a| a == "auto-revoke"), "{actions:?}");
    assert!(
        actions.iter().filter(|a| *a == "run").count() >= 3,
        "{actions:?}"
    );
    let json_log = stdout_of(&env.cmd().args(["--json", "log"]).assert().success());
    let text_log = stdout_of(&env.cmd().arg("log").assert().success());
    let raw = env
        .sqlite("SELECT hex(keychain_id), seq, at, action, package, detail, hex(mac) FROM audit");
    for value in [CANARY, CANARY_ROTATED] {
        let hex: String = value.bytes().map(|b| format!("{b:02X}")).collect();
        for (what, text) in [
            ("log --json", &json_log),
            ("log", &text_log),
            ("audit table", &raw),
        ] {
            assert!(!text.contains(value), "{what} holds the value");
            assert!(
                !text.to_uppercase().contains(&hex),
                "{what} holds the value in hex"
            );
        }
    }
    // And no file of the vault holds it in the clear.
    for (name, bytes) in env.vault_dir_snapshot() {
        for value in [CANARY, CANARY_ROTATED] {
            assert!(
                !contains_bytes(&bytes, value.as_bytes()),
                "{name} holds the value"
            );
        }
    }
}

#[test]
fn a_run_that_cannot_be_recorded_does_not_start() {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", "fail-closed-api-key");
    let marker = env.root().join("started");
    let pkg = env.write_package(
        "closed",
        &json!({"name": "closed", "version": "1", "keys": ["API_KEY"],
                "run": ["sh", "./touch.sh"]}),
    );
    write_file(
        &pkg,
        "touch.sh",
        format!("touch '{}'\n", marker.display()),
        false,
    );
    env.install(None, &pkg, &["API_KEY"]);
    // Every new audit entry is refused, as a full or broken audit device would.
    env.sqlite("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit device refused'); END");
    for extra in [&[][..], &["--no-mask"][..]] {
        let out = env
            .run_cmd(["closed"].iter().chain(extra))
            .assert()
            .code(125);
        let err = stderr_of(&out);
        assert!(err.contains("error[audit]"), "{err}");
        assert!(err.contains("was not started"), "{err}");
        assert!(!marker.exists(), "the package ran without an audit record");
    }
}
