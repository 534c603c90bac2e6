//! `install` with no terminal: the approval flags decide. Without `--approve`,
//! `--approve-all` or `--yes` a package that requests keys is refused with exit 5
//! naming the flags, at once (stdin is /dev/null and the run is bounded in time);
//! `--yes` installs it with nothing approved.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{TestEnv, key_approvals, keyward_bin, run_no_stdin};

const PKG: &str = "@acme/no-tty";

fn setup() -> (TestEnv, PathBuf) {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_A", "value-of-req-a");
    let dir = env.make_package("no-tty", PKG, &["REQ_A", "REQ_B"]);
    (env, dir)
}

/// `keyward ARGS` with stdin at /dev/null, no terminal anywhere, bounded in time.
fn run(env: &TestEnv, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let mut cmd = env.std_cmd(keyward_bin());
    cmd.args(args);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    run_no_stdin(&mut cmd)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn assert_needs_approval_flags(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "exit 5: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
    assert!(stderr.contains("keyward: error[needs-input]: "), "{stderr}");
    assert!(
        stderr.contains("--approve KEY"),
        "names --approve: {stderr}"
    );
    assert!(
        stderr.contains("--approve-all"),
        "names --approve-all: {stderr}"
    );
    assert!(
        stderr.contains("REQ_A") && stderr.contains("REQ_B"),
        "{stderr}"
    );
}

#[test]
fn install_without_approval_flags_and_no_terminal_exits_5_naming_both_flags() {
    let (env, dir) = setup();
    let before = env.package_state();
    for extra in [&[][..], &[("KEYWARD_NO_INPUT", "1")]] {
        let out = run(&env, &["install", s(&dir)], extra);
        assert_needs_approval_flags(&out);
    }
    let out = run(&env, &["--no-input", "install", s(&dir)], &[]);
    assert_needs_approval_flags(&out);
    assert_eq!(env.package_state(), before, "nothing was installed");
    assert!(env.listed_names().is_empty());

    let out = run(&env, &["--json", "install", s(&dir)], &[]);
    assert_eq!(out.status.code(), Some(5));
    assert!(out.stdout.is_empty());
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "needs-input", "{err}");
    let hints = err["error"]["hints"].to_string();
    assert!(hints.contains("--approve-all"), "{err}");
}

#[test]
fn install_with_yes_and_no_terminal_installs_with_nothing_approved() {
    let (env, dir) = setup();
    let out = run(&env, &["install", s(&dir), "--yes"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Not approved"),
        "says what run will refuse: {stderr}"
    );
    assert!(
        stderr.contains(&format!("keyward approve {PKG} REQ_A REQ_B")),
        "{stderr}"
    );

    let listed = env.listed(PKG).unwrap();
    assert_eq!(listed["state"], "needs approval", "{listed}");
    assert_eq!(listed["keys_granted"], 0);
    assert_eq!(
        key_approvals(&env.inspect_json(PKG)),
        [("REQ_A".to_owned(), false), ("REQ_B".to_owned(), false)]
    );
    assert!(env.granted_pairs().is_empty());
    assert!(env.shared_names().is_empty());
}

#[test]
fn install_with_approve_and_no_terminal_approves_only_the_named_keys() {
    let (env, dir) = setup();
    let out = run(&env, &["install", s(&dir), "--approve", "REQ_A"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        key_approvals(&env.inspect_json(PKG)),
        [("REQ_A".to_owned(), true), ("REQ_B".to_owned(), false)]
    );

    let (env, dir) = setup();
    let out = run(&env, &["install", s(&dir), "--approve-all"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = env.listed(PKG).unwrap();
    assert_eq!(listed["keys_granted"], 2);
    // REQ_B has no value yet: approved, but run would refuse it.
    assert_eq!(listed["state"], "needs secret", "{listed}");
}

#[test]
fn install_of_a_package_requesting_no_keys_needs_no_flag() {
    let env = TestEnv::with_vault();
    let dir = env.make_package("keyless", "@acme/keyless", &[]);
    let out = run(&env, &["install", s(&dir)], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.listed("@acme/keyless").unwrap()["state"], "ready");
}

#[test]
fn reinstall_of_unchanged_code_without_flags_keeps_the_grants() {
    let (env, dir) = setup();
    env.install_json(&dir, &["--approve", "REQ_A"]);
    let before = env.package_state();
    let out = run(&env, &["install", s(&dir)], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("nothing changed"), "{stderr}");
    assert_eq!(env.package_state(), before);
}

#[test]
fn reinstall_of_changed_code_without_flags_asks_again_and_exits_5() {
    let (env, dir) = setup();
    env.install_json(&dir, &["--approve", "REQ_A"]);
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    let before = env.package_state();
    let out = run(&env, &["install", s(&dir)], &[]);
    assert_needs_approval_flags(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("~ lib/util.sh"),
        "shows the change first: {stderr}"
    );
    assert_eq!(
        env.package_state(),
        before,
        "the refused update wrote nothing"
    );
}
