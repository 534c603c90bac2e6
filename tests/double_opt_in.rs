//! Double opt-in through the CLI: a key is granted only when the manifest requests it
//! *and* the owner approved it. Checked with `inspect --json` (each key's state),
//! `list --json` / `status --json` (what `run` would do) and the vault's rows, never
//! by running the package.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::common::{TestEnv, key_approvals, stderr_of, stdout_of, write_manifest};

const PKG: &str = "@acme/opt-in";

/// A vault holding values for REQ_A, REQ_B and UNREQUESTED, and a package (not yet
/// installed) requesting REQ_A and REQ_B.
fn setup() -> (TestEnv, PathBuf) {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_A", "value-of-req-a");
    env.set_secret("REQ_B", "value-of-req-b");
    env.set_secret("UNREQUESTED", "value-of-unrequested");
    let dir = env.make_package("opt-in", PKG, &["REQ_A", "REQ_B"]);
    (env, dir)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn approvals(env: &TestEnv) -> Vec<(String, bool)> {
    key_approvals(&env.inspect_json(PKG))
}

fn owned(pairs: &[(&str, bool)]) -> Vec<(String, bool)> {
    pairs.iter().map(|(k, a)| ((*k).to_owned(), *a)).collect()
}

#[test]
fn opt_in_requested_and_approved_key_is_granted() {
    let (env, dir) = setup();
    env.install_json(&dir, &["--approve", "REQ_A", "--approve", "REQ_B"]);

    assert_eq!(approvals(&env), owned(&[("REQ_A", true), ("REQ_B", true)]));
    let listed = env.listed(PKG).expect("listed");
    assert_eq!(listed["state"], "ready", "{listed}");
    assert_eq!(listed["keys_granted"], 2);
    assert_eq!(listed["keys_requested"], 2);
    let status = env.json(&["status"]);
    assert_eq!(status["pending"], 0, "{status}");
    env.cmd().args(["status", "--check"]).assert().success();
    assert_eq!(
        env.granted_pairs(),
        [format!("{PKG}|REQ_A"), format!("{PKG}|REQ_B")]
    );
    assert_eq!(env.shared_names(), ["REQ_A", "REQ_B"]);
}

#[test]
fn opt_in_requested_but_not_approved_key_is_not_granted() {
    let (env, dir) = setup();
    env.install_json(&dir, &["--approve", "REQ_A"]);

    assert_eq!(approvals(&env), owned(&[("REQ_A", true), ("REQ_B", false)]));
    let listed = env.listed(PKG).expect("listed");
    assert_eq!(listed["state"], "needs approval", "{listed}");
    assert_eq!(listed["keys_granted"], 1);
    let status = env.json(&["status"]);
    assert_eq!(
        status["not_approved"],
        serde_json::json!([{"package": PKG, "key": "REQ_B"}]),
        "{status}"
    );
    env.cmd().args(["status", "--check"]).assert().code(5);
    assert_eq!(env.granted_pairs(), [format!("{PKG}|REQ_A")]);
    // Without a grant there is no shared copy: a token holder cannot decrypt REQ_B.
    assert_eq!(env.shared_names(), ["REQ_A"]);
    let export: serde_json::Value = serde_json::from_str(&env.config_export()).unwrap();
    assert_eq!(export[PKG]["keys"], serde_json::json!(["REQ_A"]));
}

#[test]
fn opt_in_approved_key_no_longer_requested_after_update_is_not_granted() {
    let (env, dir) = setup();
    env.install_json(&dir, &["--approve-all"]);
    assert_eq!(approvals(&env), owned(&[("REQ_A", true), ("REQ_B", true)]));

    // The update drops REQ_B from the manifest.
    write_manifest(&dir, crate::common::manifest_json(PKG, &["REQ_A"]));
    let report = env.install_json(&dir, &[]);
    assert_eq!(report["status"], "updated", "{report}");

    assert_eq!(approvals(&env), owned(&[("REQ_A", false)]));
    assert!(!env.granted_pairs().iter().any(|p| p.ends_with("|REQ_B")));
    assert!(!env.shared_names().contains(&"REQ_B".to_owned()));
    let export: serde_json::Value = serde_json::from_str(&env.config_export()).unwrap();
    assert_eq!(export[PKG]["keys"], serde_json::json!([]));

    // Approving it again is refused: the manifest no longer asks for it.
    env.cmd()
        .args(["approve", PKG, "REQ_B"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("error[not-requested]"));
    // Approving everything now approves exactly what is still requested.
    env.cmd().args(["approve", PKG, "--all"]).assert().success();
    assert_eq!(approvals(&env), owned(&[("REQ_A", true)]));
    assert_eq!(env.granted_pairs(), [format!("{PKG}|REQ_A")]);
    assert_eq!(env.shared_names(), ["REQ_A"]);
    assert_eq!(env.listed(PKG).unwrap()["state"], "ready");
}

#[test]
fn opt_in_update_that_drops_a_key_cannot_keep_it_with_approve() {
    let (env, dir) = setup();
    env.install_json(&dir, &["--approve-all"]);
    write_manifest(&dir, crate::common::manifest_json(PKG, &["REQ_A"]));
    let before = env.package_state();
    let assert = env
        .cmd()
        .args(["install", s(&dir), "--approve", "REQ_B"])
        .assert()
        .code(5);
    let stderr = stderr_of(&assert);
    assert!(stderr.contains("error[not-requested]"), "{stderr}");
    assert!(stderr.contains("REQ_B"), "{stderr}");
    assert!(stderr.contains("nothing was installed"), "{stderr}");
    assert_eq!(
        env.package_state(),
        before,
        "a refused install writes nothing"
    );
}

#[test]
fn opt_in_approving_an_unrequested_key_is_denied_and_stores_nothing() {
    let (env, dir) = setup();
    env.install_json(&dir, &["--approve", "REQ_A"]);
    let before = env.package_state();

    for keys in [&["UNREQUESTED"][..], &["REQ_B", "UNREQUESTED"]] {
        let assert = env
            .cmd()
            .arg("approve")
            .arg(PKG)
            .args(keys)
            .assert()
            .code(5)
            .stdout("");
        let stderr = stderr_of(&assert);
        assert!(
            stderr.starts_with("keyward: error[not-requested]: "),
            "{stderr}"
        );
        assert!(stderr.contains("UNREQUESTED"), "{stderr}");
        assert!(
            stderr.contains("a package gets only keys its manifest asks for"),
            "{stderr}"
        );
        assert!(
            stderr.contains("REQ_A, REQ_B"),
            "lists what is requested: {stderr}"
        );
        assert!(!stderr.contains("value-of"), "no value in errors: {stderr}");
        // All or nothing: REQ_B, requested, is not approved either.
        assert_eq!(
            env.package_state(),
            before,
            "approve {keys:?} stored nothing"
        );
    }
    assert_eq!(approvals(&env), owned(&[("REQ_A", true), ("REQ_B", false)]));

    let assert = env
        .cmd()
        .args(["--json", "approve", PKG, "UNREQUESTED"])
        .assert()
        .code(5)
        .stdout("");
    let err: serde_json::Value = serde_json::from_slice(&assert.get_output().stderr).unwrap();
    assert_eq!(err["error"]["code"], "not-requested", "{err}");
    assert_eq!(env.package_state(), before);
}

#[test]
fn opt_in_install_approving_an_unrequested_key_installs_nothing() {
    let (env, dir) = setup();
    let before = env.package_state();
    let assert = env
        .cmd()
        .args([
            "install",
            s(&dir),
            "--approve",
            "REQ_A",
            "--approve",
            "UNREQUESTED",
        ])
        .assert()
        .code(5);
    let stderr = stderr_of(&assert);
    assert!(stderr.contains("error[not-requested]"), "{stderr}");
    assert!(
        stderr.contains("a package gets only keys its manifest asks for"),
        "{stderr}"
    );
    assert!(env.listed_names().is_empty(), "nothing was installed");
    assert_eq!(env.package_state(), before);
}

#[test]
fn opt_in_package_is_named_by_manifest_name_or_installed_path() {
    let (env, dir) = setup();
    env.install_json(&dir, &[]);
    env.cmd()
        .args(["approve", s(&dir), "REQ_B"])
        .assert()
        .success();
    assert_eq!(
        key_approvals(&env.inspect_json(s(&dir))),
        owned(&[("REQ_A", false), ("REQ_B", true)])
    );
    env.cmd()
        .args(["revoke", s(&dir), "REQ_B"])
        .assert()
        .success();
    assert_eq!(
        approvals(&env),
        owned(&[("REQ_A", false), ("REQ_B", false)])
    );
    env.cmd()
        .args(["inspect", "@acme/not-installed"])
        .assert()
        .code(4);
}

#[test]
fn opt_in_shared_copy_lives_exactly_while_some_grant_needs_it() {
    let (env, dir) = setup();
    let other = env.make_package("other", "@acme/other", &["REQ_A"]);
    env.install_json(&dir, &["--approve", "REQ_A"]);
    env.install_json(&other, &["--approve", "REQ_A"]);
    assert_eq!(env.shared_names(), ["REQ_A"]);

    env.cmd().args(["revoke", PKG, "REQ_A"]).assert().success();
    assert_eq!(env.shared_names(), ["REQ_A"], "@acme/other still needs it");
    assert_eq!(env.granted_pairs(), ["@acme/other|REQ_A"]);

    env.cmd()
        .args(["revoke", "@acme/other", "--all"])
        .assert()
        .success();
    assert!(env.shared_names().is_empty(), "no grant is left for REQ_A");
    assert_eq!(env.listed(PKG).unwrap()["state"], "needs approval");
}

#[test]
fn opt_in_uninstall_removes_the_package_its_grants_and_unneeded_shared_copies() {
    let (env, dir) = setup();
    let other = env.make_package("other", "@acme/other", &["REQ_A"]);
    env.install_json(&dir, &["--approve-all"]);
    env.install_json(&other, &["--approve-all"]);
    env.cmd().args(["uninstall", s(&dir)]).assert().success();
    assert_eq!(env.listed_names(), ["@acme/other"]);
    assert_eq!(env.granted_pairs(), ["@acme/other|REQ_A"]);
    assert_eq!(
        env.shared_names(),
        ["REQ_A"],
        "REQ_B's copy went with its last grant"
    );
    env.cmd().args(["uninstall", PKG]).assert().code(4);
    env.cmd().args(["approve", PKG, "REQ_A"]).assert().code(4);
}

/// `secret list` says which packages use each key (requested and approved), never values.
#[test]
fn secret_list_names_the_packages_that_use_each_key() {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_A", "value-a-1234");
    env.set_secret("UNUSED", "value-u-1234");
    let dir = env.make_package("user", "@acme/user", &["REQ_A"]);
    env.install_json(&dir, &["--approve", "REQ_A"]);
    let out = env
        .cmd()
        .args(["--json", "secret", "list"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let by_name = |n: &str| {
        doc["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .unwrap()["used_by"]
            .clone()
    };
    assert_eq!(by_name("REQ_A"), serde_json::json!(["@acme/user"]));
    assert_eq!(by_name("UNUSED"), serde_json::json!([]));
    let text = env.cmd().args(["secret", "list"]).assert().success();
    assert!(stdout_of(&text).contains("USED BY") && stdout_of(&text).contains("@acme/user"));
    assert!(!stdout_of(&text).contains("value-a-1234"));
}
