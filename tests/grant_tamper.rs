//! Rows written with the `sqlite3` CLI, by someone who can write the vault file but
//! has no RK: a forged or moved grant does not count (and `inspect` exits 7 naming
//! it), and an installation row whose pin was edited is treated as absent.

use std::fs;
use std::path::PathBuf;

use crate::common::{TestEnv, key_approvals, kw1_digest, stderr_of, stdout_of};

const PKG: &str = "@acme/target";

/// A vault with REQ_A and REQ_B, and the package installed with REQ_A approved.
fn setup() -> (TestEnv, PathBuf) {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_A", "value-of-req-a");
    env.set_secret("REQ_B", "value-of-req-b");
    let dir = env.make_package("target", PKG, &["REQ_A", "REQ_B"]);
    env.install_json(&dir, &["--approve", "REQ_A"]);
    (env, dir)
}

fn approvals(doc: &serde_json::Value) -> Vec<(String, bool)> {
    key_approvals(doc)
}

fn a_only() -> Vec<(String, bool)> {
    vec![("REQ_A".to_owned(), true), ("REQ_B".to_owned(), false)]
}

/// `inspect PKG --json` must print the package with REQ_B not approved, then exit 7
/// naming the forged grant.
fn assert_inspect_names_tampered_grant(env: &TestEnv, cmd: &mut assert_cmd::Command) {
    let out = cmd.args(["--json", "inspect", PKG]).assert().code(7);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(approvals(&doc), a_only(), "{doc}");
    assert_eq!(doc["state"], "needs approval");
    let err: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(err["error"]["code"], "integrity", "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("grant of REQ_B to `{PKG}`")),
        "{message}"
    );
    assert!(message.contains(env.vault().to_str().unwrap()), "{message}");
}

/// Every view agrees that REQ_B is not granted, and says the vault was tampered with.
fn assert_forged_grant_ignored(env: &TestEnv) {
    assert_inspect_names_tampered_grant(env, &mut env.cmd());
    let out = env.cmd().args(["inspect", PKG]).assert().code(7);
    assert!(stderr_of(&out).starts_with("keyward: error[integrity]: "));

    let out = env.cmd().args(["--json", "list"]).assert().success();
    let list: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(list["packages"][0]["keys_granted"], 1, "{list}");
    assert_eq!(list["packages"][0]["state"], "needs approval");
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("grant of REQ_B") && stderr.contains("failed verification"),
        "{stderr}"
    );

    let status = env.json(&["status"]);
    assert_eq!(
        status["tampered"],
        serde_json::json!([format!("grant of REQ_B to `{PKG}`")]),
        "{status}"
    );
    assert_eq!(
        status["not_approved"],
        serde_json::json!([{"package": PKG, "key": "REQ_B"}])
    );

    let out = env.cmd().args(["config", "export"]).assert().code(7);
    let export: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(export[PKG]["keys"], serde_json::json!(["REQ_A"]));
    assert_eq!(
        env.shared_names(),
        ["REQ_A"],
        "no shared copy of REQ_B was made"
    );
}

#[test]
fn forged_grant_copied_from_another_key_is_not_a_grant() {
    let (env, _dir) = setup();
    env.sqlite(
        "INSERT INTO grants (installation_id, key, created, mac, owner_mac)
         SELECT installation_id, 'REQ_B', created, mac, owner_mac FROM grants WHERE key = 'REQ_A'",
    );
    assert_eq!(env.sqlite("SELECT count(*) FROM grants"), "2");
    assert_forged_grant_ignored(&env);
    // The token holder verifies MACs the same way.
    let token = env.rotate_default_token();
    assert_inspect_names_tampered_grant(&env, &mut env.token_cmd(&token));
}

#[test]
fn forged_grant_with_random_mac_is_not_a_grant() {
    let (env, _dir) = setup();
    env.sqlite(
        "INSERT INTO grants (installation_id, key, created, mac, owner_mac)
         SELECT id, 'REQ_B', installed, randomblob(32), randomblob(32) FROM installations",
    );
    assert_forged_grant_ignored(&env);
}

#[test]
fn full_revoke_or_a_real_approval_clears_a_forged_grant() {
    let (env, _dir) = setup();
    let forge = "INSERT OR REPLACE INTO grants (installation_id, key, created, mac, owner_mac)
                 SELECT id, 'REQ_B', installed, randomblob(32), randomblob(32) FROM installations";
    env.sqlite(forge);
    env.cmd().args(["approve", PKG, "REQ_B"]).assert().success();
    env.cmd().args(["inspect", PKG]).assert().success();
    assert_eq!(env.listed(PKG).unwrap()["state"], "ready");

    env.cmd().args(["revoke", PKG, "REQ_B"]).assert().success();
    env.sqlite(forge);
    env.cmd().args(["revoke", PKG, "--all"]).assert().success();
    assert_eq!(env.sqlite("SELECT count(*) FROM grants"), "0");
    env.cmd().args(["inspect", PKG]).assert().success();
}

#[test]
fn grant_moved_to_another_installation_is_not_a_grant() {
    let (env, _dir) = setup();
    let other = env.make_package("other", "@acme/other", &["REQ_A"]);
    env.install_json(&other, &[]);
    env.sqlite(
        "UPDATE grants SET installation_id =
           (SELECT id FROM installations WHERE name = '@acme/other')",
    );
    let out = env
        .cmd()
        .args(["--json", "inspect", "@acme/other"])
        .assert()
        .code(7);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(approvals(&doc), [("REQ_A".to_owned(), false)], "{doc}");
    assert!(stderr_of(&out).contains("grant of REQ_A to `@acme/other`"));
    assert_eq!(
        env.listed("@acme/other").unwrap()["state"],
        "needs approval"
    );
    assert_eq!(env.listed(PKG).unwrap()["keys_granted"], 0);
}

#[test]
fn installation_with_edited_digest_is_treated_as_absent() {
    let (env, dir) = setup();
    env.cmd().args(["approve", PKG, "REQ_B"]).assert().success();
    // The attack: change the code, then re-pin it by hand so the grants look current.
    fs::write(dir.join("lib/util.sh"), "echo exfiltrate\n").unwrap();
    let forged_pin = kw1_digest(&dir);
    env.sqlite(&format!(
        "UPDATE installations SET digest = '{forged_pin}' WHERE name = '{PKG}'"
    ));

    let out = env.cmd().args(["--json", "list"]).assert().success();
    let list: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        list["packages"],
        serde_json::json!([]),
        "not listed: {list}"
    );
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains(&format!("installation of `{PKG}` failed verification")),
        "warns: {stderr}"
    );

    // Resolved among verified rows only, and reported as what it is: tampering (exit 7).
    let out = env.cmd().args(["inspect", PKG]).assert().code(7).stdout("");
    assert!(
        stderr_of(&out).contains("error[integrity]"),
        "{}",
        stderr_of(&out)
    );
    assert!(
        stderr_of(&out).contains("does not verify"),
        "{}",
        stderr_of(&out)
    );
    env.cmd().args(["approve", PKG, "REQ_A"]).assert().code(7);

    let status = env.json(&["status"]);
    assert_eq!(
        status["tampered"],
        serde_json::json!([format!("installation of `{PKG}`")]),
        "{status}"
    );
    env.cmd().args(["status", "--check"]).assert().code(5);
    let out = env.cmd().args(["config", "export"]).assert().code(7);
    assert_eq!(stdout_of(&out).trim(), "{}");
    assert!(stderr_of(&out).contains(&format!("installation of `{PKG}`")));

    // The owner re-installs: a fresh pin, and only what is approved now.
    env.install_json(&dir, &["--approve", "REQ_A"]);
    let doc = env.inspect_json(PKG);
    assert_eq!(approvals(&doc), a_only());
    assert_eq!(doc["pinned_digest"], forged_pin.as_str());
    assert_eq!(env.granted_pairs(), [format!("{PKG}|REQ_A")]);
    assert_eq!(
        env.sqlite("SELECT count(*) FROM grants"),
        "1",
        "no orphan rows"
    );
}

#[test]
fn installation_un_revoked_with_sqlite_is_treated_as_absent() {
    let (env, dir) = setup();
    fs::write(dir.join("lib/util.sh"), "echo changed\n").unwrap();
    assert_eq!(env.listed(PKG).unwrap()["state"], "revoked: changed");
    env.sqlite("UPDATE installations SET revoked_reason = NULL, revoked_at = NULL");
    assert!(env.listed_names().is_empty());
    env.cmd().args(["inspect", PKG]).assert().code(7);
}

/// A token holder holds the RK, so it can write a grant row whose RK-derived MAC is
/// valid (here: an old row replayed). Only the owner's MAC, derived from the DEK, may
/// make the owner's own `secret set` share a value: the forged grant must earn nothing.
#[test]
fn a_grant_the_owner_did_not_make_never_earns_a_shared_copy() {
    let (env, _dir) = setup();
    env.cmd().args(["approve", PKG, "REQ_B"]).assert().success();
    let saved = env.sqlite(
        "SELECT hex(installation_id) || ',' || created || ',' || hex(mac) FROM grants WHERE key = 'REQ_B'",
    );
    let parts: Vec<&str> = saved.split(',').collect();
    assert_eq!(parts.len(), 3, "{saved}");
    env.cmd().args(["revoke", PKG, "REQ_B"]).assert().success();
    let shared_b = "SELECT count(*) FROM shared WHERE name = 'REQ_B'";
    assert_eq!(
        env.sqlite(shared_b),
        "0",
        "revoking the last grant drops the shared copy"
    );

    env.sqlite(&format!(
        "INSERT INTO grants (installation_id, key, created, mac, owner_mac)
         VALUES (x'{}', 'REQ_B', {}, x'{}', randomblob(32))",
        parts[0], parts[1], parts[2]
    ));
    env.set_secret("REQ_B", "new-value-of-req-b");
    assert_eq!(
        env.sqlite(shared_b),
        "0",
        "the owner shared a value for a grant it never made"
    );
}

/// A revoked grant written back (with its shared copy) from an old copy of the rows does
/// not count: every revocation moves the installation to a new generation, which every
/// grant MAC includes.
#[test]
fn a_revoked_grant_written_back_does_not_count() {
    let (env, _dir) = setup();
    let saved_grant = env.sqlite(
        "SELECT hex(installation_id) || ',' || created || ',' || hex(mac) || ',' || hex(owner_mac)
         FROM grants WHERE key = 'REQ_A'",
    );
    let saved_shared = env.sqlite(
        "SELECT hex(keychain_id) || ',' || version || ',' || hex(value) FROM shared WHERE name = 'REQ_A'",
    );
    let (g, s): (Vec<&str>, Vec<&str>) = (
        saved_grant.split(',').collect(),
        saved_shared.split(',').collect(),
    );
    assert_eq!((g.len(), s.len()), (4, 3), "{saved_grant} / {saved_shared}");
    env.cmd().args(["revoke", PKG, "REQ_A"]).assert().success();

    env.sqlite(&format!(
        "INSERT INTO grants (installation_id, key, created, mac, owner_mac)
         VALUES (x'{}', 'REQ_A', {}, x'{}', x'{}');
         INSERT INTO shared (keychain_id, name, version, value) VALUES (x'{}', 'REQ_A', {}, x'{}')",
        g[0], g[1], g[2], g[3], s[0], s[1], s[2]
    ));
    let out = env.cmd().args(["--json", "inspect", PKG]).assert().code(7);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(approvals(&doc)[0], ("REQ_A".to_owned(), false), "{doc}");
    assert_eq!(env.listed(PKG).unwrap()["keys_granted"], 0);
}
