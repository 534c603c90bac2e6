//! What the performance work must not change: a run's record is durable and whole
//! whatever the vault does with its WAL, and the benchmark's fixture generator works.
//! (Benchmarks themselves never run in the test suite: `scripts/bench`.)

use std::fs;
use std::process::Command as StdCommand;

use serde_json::json;

use crate::common::{TestEnv, keyward_bin, sqlite};

fn run_pkg(env: &TestEnv) {
    env.set_secret("API_KEY", "perf-path-api-key-value");
    let pkg = env.write_package(
        "truepkg",
        &json!({"name": "truepkg", "version": "1", "keys": ["API_KEY"], "run": ["true"]}),
    );
    env.install(None, &pkg, &["API_KEY"]);
}

#[test]
fn a_run_record_left_in_the_wal_is_read_by_the_next_command_and_checkpointed_by_an_owner_command() {
    let env = TestEnv::with_vault();
    run_pkg(&env);
    env.run_cmd(["truepkg", "--no-mask"]).assert().success();
    env.run_cmd(["truepkg"]).assert().success();
    // `run` leaves its committed records in the WAL rather than paying a checkpoint.
    let wal = env.vault_dir().join("vault.db-wal");
    assert!(
        fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "run left its records in {}",
        wal.display()
    );
    // Every later command sees them, and the chain verifies.
    let runs = env
        .log_entries(None)
        .iter()
        .filter(|e| e["action"] == "run")
        .count();
    assert_eq!(runs, 2, "both runs are in the log");
    env.cmd().args(["log", "--verify"]).assert().success();
    // An owner command closes with a checkpoint: the vault file alone holds the runs.
    env.cmd().arg("list").assert().success();
    assert!(
        !wal.exists(),
        "the owner command checkpointed and removed the WAL"
    );
    let copy = env.root().join("copy.db");
    fs::copy(env.vault(), &copy).unwrap();
    let n = sqlite(&copy, "SELECT count(*) FROM audit WHERE action = 'run'");
    assert_eq!(n.trim(), "2");
}

/// Each run leaves its record in the WAL, and the next opener re-reads that WAL whole:
/// it must stay short however many runs there are, or every run gets slower.
#[test]
fn the_wal_runs_leave_behind_stays_short_however_many_runs() {
    let env = TestEnv::with_vault();
    run_pkg(&env);
    let wal = env.vault_dir().join("vault.db-wal");
    let mut longest = 0;
    for _ in 0..40 {
        env.run_cmd(["truepkg", "--no-mask"]).assert().success();
        longest = longest.max(fs::metadata(&wal).map_or(0, |m| m.len()));
    }
    // 64 frames of 4 KiB pages (where a run folds it in), plus one run's own frames.
    let bound = (64 + 16) * (4096 + 24);
    assert!(
        longest > 0 && longest <= bound,
        "the WAL reached {longest} bytes over 40 runs (bound {bound})"
    );
    let runs = env
        .log_entries(None)
        .iter()
        .filter(|e| e["action"] == "run")
        .count();
    assert_eq!(runs, 40, "no run record lost to the folding");
    env.cmd().args(["log", "--verify"]).assert().success();
}

#[test]
fn a_run_that_cannot_be_recorded_still_does_not_start_with_a_wal_left_by_an_earlier_run() {
    let env = TestEnv::with_vault();
    run_pkg(&env);
    let marker = env.root().join("started");
    let pkg = env.write_package(
        "marker",
        &json!({"name": "marker", "version": "1", "keys": [],
                "run": ["/bin/sh", "-c", format!("touch '{}'", marker.display())]}),
    );
    env.install(None, &pkg, &[]);
    env.run_cmd(["truepkg", "--no-mask"]).assert().success();
    assert!(env.vault_dir().join("vault.db-wal").exists());
    // Every new audit entry is refused, as a full or broken audit device would.
    env.sqlite("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit device refused'); END");
    for extra in [&[][..], &["--no-mask"][..]] {
        let out = env
            .run_cmd(["marker"].iter().chain(extra))
            .assert()
            .code(125);
        assert!(crate::common::stderr_of(&out).contains("error[audit]"));
        assert!(!marker.exists(), "the package ran without an audit record");
    }
}

#[test]
fn the_benchmark_fixture_generator_makes_every_fixture() {
    let env = TestEnv::new();
    let dir = env.root().join("bench");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/bench");
    let out = StdCommand::new("python3")
        .arg(script)
        .arg("--fixtures-only")
        .env("KEYWARD_BIN", keyward_bin())
        .env("BENCH_SCALE", "tiny")
        .env("BENCH_DIR", &dir)
        .env("HOME", env.root().join("home"))
        .env("TMPDIR", env.root().join("tmp"))
        .env_remove("KEYWARD_VAULT")
        .env_remove("KEYWARD_MASTER_KEY")
        .env_remove("KEYWARD_TOKEN")
        .output()
        .expect("python3 runs scripts/bench");
    assert!(
        out.status.success(),
        "scripts/bench --fixtures-only failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("fixtures.json")).unwrap()).unwrap();
    // Each vault runs its small package, and holds what its figure needs beside it.
    for (vault, packages) in [("one", 1), ("many", 4), ("neighbour", 2)] {
        let path = dir.join(vault).join("vault.db");
        let key = meta["keys"][path.to_str().unwrap()].as_str().unwrap();
        let kw = |args: &[&str]| {
            StdCommand::new(keyward_bin())
                .args(args)
                .env("KEYWARD_VAULT", &path)
                .env("KEYWARD_MASTER_KEY", key)
                .env("KEYWARD_NO_INPUT", "1")
                .env("HOME", env.root().join("home"))
                .output()
                .unwrap()
        };
        let run = kw(&["run", "small", "--no-mask"]);
        assert!(
            run.status.success(),
            "{vault}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let list = kw(&["--json", "list"]);
        let doc: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        let n = doc["packages"].as_array().map_or(0, Vec::len);
        assert_eq!(n, packages, "{vault}: {doc}");
    }
    // Deterministic trees: the same digest every time they are made.
    let files = fs::read_dir(dir.join("small-files/d0000")).unwrap().count();
    assert_eq!(files, 10);
}
