//! A keychain's token holder and packages: it may look (`list`, `inspect`, `status`,
//! `config export`) but not decide (`approve`, `revoke`, `install`, `uninstall`,
//! `config apply`: exit 5, nothing written). Changed code is revoked whoever looks.

use std::fs;
use std::path::PathBuf;

use crate::common::{TestEnv, key_approvals, stderr_of, stdout_of};

const PKG: &str = "@acme/tokened";

/// A vault with REQ_A and REQ_B, the package installed with REQ_A approved, and a
/// token for `default` (rotated in, as `default` has none).
fn setup() -> (TestEnv, PathBuf, String) {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_A", "value-of-req-a");
    env.set_secret("REQ_B", "value-of-req-b");
    let dir = env.make_package("tokened", PKG, &["REQ_A", "REQ_B"]);
    env.install_json(&dir, &["--approve", "REQ_A"]);
    let token = env.rotate_default_token();
    assert!(token.starts_with("kw_"), "{token}");
    (env, dir, token)
}

/// `keyward --json ARGS` as the token holder; must succeed.
fn token_json(env: &TestEnv, token: &str, args: &[&str]) -> serde_json::Value {
    let out = env
        .token_cmd(token)
        .arg("--json")
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn token_holder_can_list_inspect_status_and_export() {
    let (env, dir, token) = setup();

    let list = token_json(&env, &token, &["list"]);
    assert_eq!(list["keychain"], "default");
    assert_eq!(list["packages"][0]["name"], PKG, "{list}");
    assert_eq!(list["packages"][0]["state"], "needs approval");
    assert_eq!(list["packages"][0]["keys_granted"], 1);

    for package in [PKG, dir.to_str().unwrap()] {
        let doc = token_json(&env, &token, &["inspect", package]);
        assert_eq!(
            key_approvals(&doc),
            [("REQ_A".to_owned(), true), ("REQ_B".to_owned(), false)],
            "{doc}"
        );
        assert_eq!(doc["matches"], true);
    }
    env.token_cmd(&token)
        .args(["inspect", PKG, "--diff"])
        .assert()
        .success();

    let status = token_json(&env, &token, &["status"]);
    assert_eq!(
        status["not_approved"],
        serde_json::json!([{"package": PKG, "key": "REQ_B"}])
    );
    env.token_cmd(&token)
        .args(["status", "--check"])
        .assert()
        .code(5);

    let out = env
        .token_cmd(&token)
        .args(["config", "export"])
        .assert()
        .success();
    assert_eq!(stdout_of(&out), env.config_export());
}

#[test]
fn token_holder_is_denied_package_decisions_with_exit_5() {
    let (env, dir, token) = setup();
    let other = env.make_package("other", "@acme/other", &["REQ_A"]);
    let config = env.root().join("keyward.json");
    fs::write(
        &config,
        serde_json::json!({PKG: {"keys": ["REQ_A", "REQ_B"], "path": dir}}).to_string(),
    )
    .unwrap();
    let empty = env.root().join("empty.json");
    fs::write(&empty, "{}").unwrap();
    let before = env.package_state();

    let (d, o) = (dir.to_str().unwrap(), other.to_str().unwrap());
    let (c, e) = (config.to_str().unwrap(), empty.to_str().unwrap());
    for args in [
        &["approve", PKG, "REQ_B"][..],
        &["approve", PKG, "--all"],
        &["approve", d, "REQ_B"],
        &["revoke", PKG, "REQ_A"],
        &["revoke", PKG, "--all"],
        &["install", d, "--yes"],
        &["install", d, "--approve-all"],
        &["install", o, "--yes"],
        &["uninstall", PKG],
        &["config", "apply", c],
        &["config", "apply", e, "--prune"],
        &["-k", "default", "approve", PKG, "REQ_B"],
    ] {
        let out = env.token_cmd(&token).args(args).assert().code(5).stdout("");
        let stderr = stderr_of(&out);
        assert!(
            stderr.starts_with("keyward: error[owner-only]: "),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("owner"), "{args:?}: {stderr}");
        assert!(!stderr.contains("value-of"), "{stderr}");
    }
    assert_eq!(env.package_state(), before, "nothing was written");

    let out = env
        .token_cmd(&token)
        .args(["--json", "approve", PKG, "REQ_B"])
        .assert()
        .code(5);
    let err: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(err["error"]["code"], "owner-only", "{err}");
}

#[test]
fn token_holder_views_revoke_a_changed_package() {
    let (env, dir, token) = setup();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    let list = token_json(&env, &token, &["list"]);
    assert_eq!(list["packages"][0]["state"], "revoked: changed", "{list}");
    assert!(
        env.granted_pairs().is_empty(),
        "the token holder's look revoked it"
    );
    assert!(env.shared_names().is_empty());
    // And it cannot re-approve.
    env.token_cmd(&token)
        .args(["install", dir.to_str().unwrap(), "--approve-all"])
        .assert()
        .code(5);
    assert!(env.granted_pairs().is_empty());
}

#[test]
fn token_of_another_keychain_sees_none_of_these_packages() {
    let (env, _dir, _token) = setup();
    let ci = env.create_keychain("ci");
    let list = token_json(&env, &ci, &["list"]);
    assert_eq!(list["keychain"], "ci");
    assert_eq!(list["packages"], serde_json::json!([]));
    env.token_cmd(&ci).args(["inspect", PKG]).assert().code(4);
    env.token_cmd(&ci)
        .args(["-k", "default", "list"])
        .assert()
        .code(3);
}
