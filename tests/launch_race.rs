//! The window between verification and launch (hardening item 10): an ELF entry
//! point is executed through the descriptor that was held while it was hashed (its
//! `argv[0]` unchanged), so renaming another binary over it as soon as keyward has
//! hashed it never runs the other binary; a script swapped the same way is refused
//! (exit 125, error[package-changed]). bench/race.sh measures the same races.

use std::fs;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use serde_json::json;

use crate::common::TestEnv;
use crate::common::pkg::write_file;

/// Renames EVIL over TARGET at the first close of TARGET (keyward's hashing of it).
const WATCH_PY: &str = r#"
import ctypes, os, sys
target, evil = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init()
assert libc.inotify_add_watch(fd, target.encode(), 0x10) >= 0  # IN_CLOSE_NOWRITE
print("ready", flush=True)
os.read(fd, 4096)
os.rename(evil, target)
"#;

fn race(env: &TestEnv, pkg: &Path, entry: &str, good: &[u8], evil: &[u8]) -> Vec<(i32, String)> {
    let watch = env.root().join("watch.py");
    fs::write(&watch, WATCH_PY).unwrap();
    let mut results = Vec::new();
    for _ in 0..5 {
        write_file(pkg, ".next", good, true);
        fs::rename(pkg.join(".next"), pkg.join(entry)).unwrap();
        env.install(None, pkg, &["RACE_KEY"]);
        let evil_path = env.root().join("evil");
        write_file(env.root(), "evil", evil, true);
        let mut watcher = StdCommand::new("python3")
            .arg(&watch)
            .arg(pkg.join(entry))
            .arg(&evil_path)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = [0u8; 6];
        std::io::Read::read_exact(watcher.stdout.as_mut().unwrap(), &mut ready).unwrap();
        let out = env.run_cmd(["race", "--no-mask"]).assert();
        let _ = watcher.kill();
        let _ = watcher.wait();
        let o = out.get_output();
        results.push((
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).trim().to_owned()
                + &String::from_utf8_lossy(&o.stderr),
        ));
    }
    results
}

fn setup(run: serde_json::Value) -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::with_vault();
    env.set_secret("RACE_KEY", "race-value-0123");
    let pkg = env.write_package(
        "race",
        &json!({"name": "race", "version": "1", "keys": ["RACE_KEY"], "run": run}),
    );
    (env, pkg)
}

#[test]
fn an_elf_renamed_over_after_hashing_never_runs() {
    let (env, pkg) = setup(json!(["./prog", "good"]));
    let results = race(
        &env,
        &pkg,
        "prog",
        &fs::read("/bin/echo").unwrap(),
        &fs::read("/bin/false").unwrap(),
    );
    for (status, out) in &results {
        assert!(
            (*status == 0 && out == "good")
                || (*status == 125 && out.contains("error[package-changed]")),
            "the swapped-in binary ran, or something else happened: {status} {out}"
        );
    }
}

#[test]
fn a_script_renamed_over_after_hashing_is_refused() {
    let (env, pkg) = setup(json!(["./run.sh"]));
    let results = race(
        &env,
        &pkg,
        "run.sh",
        b"#!/bin/sh\necho good\n",
        b"#!/bin/sh\necho EVIL\n",
    );
    let refused = results
        .iter()
        .filter(|(status, out)| {
            *status == 125
                && out.contains("error[package-changed]")
                && out.contains("was not started")
        })
        .count();
    assert!(
        results.iter().all(|(_, out)| !out.contains("EVIL")),
        "{results:?}"
    );
    assert_eq!(
        refused,
        results.len(),
        "every swap is caught before launch: {results:?}"
    );
}

#[test]
fn an_elf_entry_point_keeps_its_argv0() {
    let (env, pkg) = setup(json!([
        "./bash",
        "-c",
        "tr '\\0' '\\n' < /proc/$$/cmdline | head -n 1; x=$(readlink /proc/$$/exe); echo \"$x\""
    ]));
    write_file(&pkg, "bash", fs::read("/bin/bash").unwrap(), true);
    env.install(None, &pkg, &["RACE_KEY"]);
    for mask in [true, false] {
        let mut cmd = env.run_cmd(["race"]);
        if !mask {
            cmd.arg("--no-mask");
        }
        let out = cmd.assert().success();
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let bash = pkg.join("bash").display().to_string();
        assert_eq!(
            stdout,
            format!("{bash}\n{bash}\n"),
            "argv[0] and the executable (mask={mask})"
        );
    }
}
