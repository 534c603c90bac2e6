//! A package whose code changed after approval: every command that re-hashes it revokes
//! its grants on the spot (`revoked: changed`), `inspect --diff` names exactly what
//! changed, `status` counts it, and re-installing shows the change and, with
//! `--approve`, restores the grants for the new code.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{TestEnv, key_approvals, stderr_of};

const PKG: &str = "@acme/changing";

/// An installed, ready package requesting REQ_A and REQ_B, both approved with values.
fn installed() -> (TestEnv, PathBuf) {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_A", "value-of-req-a");
    env.set_secret("REQ_B", "value-of-req-b");
    let dir = env.make_package("changing", PKG, &["REQ_A", "REQ_B"]);
    fs::write(dir.join("README"), "docs\n").unwrap();
    env.install_json(&dir, &["--approve-all"]);
    assert_eq!(env.listed(PKG).unwrap()["state"], "ready");
    (env, dir)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn auto_revokes(env: &TestEnv) -> usize {
    env.sqlite("SELECT count(*) FROM audit WHERE action = 'auto-revoke'")
        .parse()
        .unwrap()
}

/// The `+ `, `- ` and `~ ` lines of a text diff.
fn diff_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("+ ") || l.starts_with("- ") || l.starts_with("~ "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn changed_file_is_named_exactly_by_inspect_diff() {
    let (env, dir) = installed();
    let pinned = env.listed(PKG).unwrap()["digest"].clone();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();

    let out = env
        .cmd()
        .args(["inspect", PKG, "--diff"])
        .assert()
        .success();
    let text = crate::common::stdout_of(&out);
    assert_eq!(diff_lines(&text), ["~ lib/util.sh"], "{text}");
    assert!(text.contains("CHANGED since the pin"), "{text}");
    assert!(text.contains("revoked: changed"), "{text}");

    let doc = env.json(&["inspect", PKG, "--diff"]);
    assert_eq!(
        doc["changes"],
        serde_json::json!([{"change": "changed", "path": "lib/util.sh"}]),
        "{doc}"
    );
    assert_eq!(doc["matches"], false);
    assert_eq!(doc["pinned_digest"], pinned, "the pin is kept for the diff");
    assert_ne!(doc["current_digest"], pinned);
    assert_eq!(doc["state"], "revoked: changed");
    assert!(doc["revoked_at"].is_string(), "{doc}");
    assert_eq!(
        key_approvals(&doc),
        [("REQ_A".to_owned(), false), ("REQ_B".to_owned(), false)]
    );
    assert!(env.granted_pairs().is_empty(), "every grant row is deleted");
    assert!(env.shared_names().is_empty(), "and every shared copy");
}

#[test]
fn added_and_removed_files_are_listed_by_inspect_diff() {
    let (env, dir) = installed();
    fs::remove_file(dir.join("README")).unwrap();
    fs::create_dir(dir.join("new")).unwrap();
    fs::write(dir.join("new/file.txt"), "new\n").unwrap();
    let doc = env.json(&["inspect", PKG, "--diff"]);
    assert_eq!(
        doc["changes"],
        serde_json::json!([
            {"change": "removed", "path": "README"},
            {"change": "added", "path": "new"},
            {"change": "added", "path": "new/file.txt"},
        ]),
        "{doc}"
    );
}

#[test]
fn unchanged_package_inspect_diff_lists_nothing() {
    let (env, _dir) = installed();
    let doc = env.json(&["inspect", PKG, "--diff"]);
    assert_eq!(doc["changes"], serde_json::json!([]));
    assert_eq!(doc["matches"], true);
    assert_eq!(doc["state"], "ready");
    let out = env
        .cmd()
        .args(["inspect", PKG, "--diff"])
        .assert()
        .success();
    assert!(crate::common::stdout_of(&out).contains("No files changed since the pin."));
}

#[test]
fn changed_package_counts_as_revoked_in_status() {
    let (env, dir) = installed();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();

    let status = env.json(&["status"]);
    assert_eq!(
        status["revoked_changed"],
        serde_json::json!([{"package": PKG, "path": s(&dir)}]),
        "{status}"
    );
    assert_eq!(status["pending"], 1, "{status}");
    assert_eq!(status["not_approved"], serde_json::json!([]), "{status}");
    let out = env.cmd().args(["status", "--check"]).assert().code(5);
    let text = crate::common::stdout_of(&out);
    assert!(
        text.contains("Packages revoked because their code changed (1)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("keyward inspect {PKG} --diff")),
        "{text}"
    );

    let listed = env.listed(PKG).unwrap();
    assert_eq!(listed["state"], "revoked: changed", "{listed}");
    assert_eq!(listed["keys_granted"], 0);
}

#[test]
fn first_command_to_see_the_change_revokes_once_and_logs_it() {
    let (env, dir) = installed();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    assert_eq!(auto_revokes(&env), 0);
    assert_eq!(env.listed(PKG).unwrap()["state"], "revoked: changed");
    assert_eq!(auto_revokes(&env), 1, "list revoked it and logged it");
    assert!(env.granted_pairs().is_empty());
    env.json(&["status"]);
    env.json(&["inspect", PKG]);
    assert_eq!(auto_revokes(&env), 1, "once only");
}

#[test]
fn approve_on_a_changed_package_exits_6_and_grants_nothing() {
    let (env, dir) = installed();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    let out = env.cmd().args(["approve", PKG, "REQ_A"]).assert().code(6);
    let stderr = stderr_of(&out);
    assert!(stderr.contains("error[package-changed]"), "{stderr}");
    assert!(stderr.contains("--diff"), "says how to review: {stderr}");
    assert!(env.granted_pairs().is_empty());
    assert_eq!(env.listed(PKG).unwrap()["state"], "revoked: changed");
}

#[test]
fn reverting_the_change_does_not_restore_revoked_grants() {
    let (env, dir) = installed();
    let original = fs::read(dir.join("lib/util.sh")).unwrap();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    env.json(&["list"]);
    fs::write(dir.join("lib/util.sh"), original).unwrap();
    let doc = env.inspect_json(PKG);
    assert_eq!(doc["matches"], true, "{doc}");
    assert_eq!(doc["state"], "revoked: changed", "{doc}");
    assert!(env.granted_pairs().is_empty());
}

#[test]
fn reinstall_shows_the_change_and_approve_restores_the_grants() {
    let (env, dir) = installed();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    env.json(&["status"]);

    let out = env
        .cmd()
        .args([
            "install",
            s(&dir),
            "--approve",
            "REQ_A",
            "--approve",
            "REQ_B",
        ])
        .assert()
        .success();
    let stderr = stderr_of(&out);
    assert!(stderr.contains("Changed since the pin"), "{stderr}");
    assert_eq!(diff_lines(&stderr), ["~ lib/util.sh"], "{stderr}");
    assert!(stderr.contains("updated"), "{stderr}");

    let doc = env.inspect_json(PKG);
    assert_eq!(doc["matches"], true);
    assert_eq!(doc["state"], "ready", "{doc}");
    assert_eq!(
        key_approvals(&doc),
        [("REQ_A".to_owned(), true), ("REQ_B".to_owned(), true)]
    );
    assert_eq!(env.listed(PKG).unwrap()["state"], "ready");
    assert_eq!(env.json(&["status"])["pending"], 0);
    assert_eq!(env.shared_names(), ["REQ_A", "REQ_B"]);
}

#[test]
fn reinstall_json_reports_the_changes_and_new_keys() {
    let (env, dir) = installed();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    crate::common::write_manifest(
        &dir,
        crate::common::manifest_json(PKG, &["REQ_A", "REQ_B", "REQ_C"]),
    );
    let report = env.install_json(&dir, &["--approve", "REQ_A"]);
    assert_eq!(report["status"], "updated", "{report}");
    assert_eq!(
        report["changes"],
        serde_json::json!([
            {"change": "changed", "path": "instant.package.json"},
            {"change": "changed", "path": "lib/util.sh"},
        ])
    );
    assert_eq!(report["new_keys"], serde_json::json!(["REQ_C"]));
    assert_eq!(
        key_approvals(&env.inspect_json(PKG)),
        [
            ("REQ_A".to_owned(), true),
            ("REQ_B".to_owned(), false),
            ("REQ_C".to_owned(), false)
        ]
    );
}

#[test]
fn reinstall_with_yes_alone_restores_no_grant() {
    let (env, dir) = installed();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    let report = env.install_json(&dir, &[]);
    assert_eq!(report["status"], "updated");
    let listed = env.listed(PKG).unwrap();
    assert_eq!(listed["state"], "needs approval", "{listed}");
    assert_eq!(listed["keys_granted"], 0);
    assert!(env.granted_pairs().is_empty());
}
