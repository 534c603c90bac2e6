//! Keychain bearer tokens (KEYWARD_TOKEN): what a token holder may do (list names in
//! its own keychain), what it may not (exit 5), rotation (old token: exit 3), and
//! malformed tokens refused (exit 3) before the vault is even opened.

use predicates::prelude::*;

use crate::common::{TestEnv, json_secret_names, stdout_of};

/// A vault with `default` (DEFAULT_KEY) and `ci` (CI_KEY, CI_OTHER); returns ci's token.
fn vault_with_ci_keychain() -> (TestEnv, String) {
    let env = TestEnv::with_vault();
    env.set_secret("DEFAULT_KEY", "default-value");
    let token = env.create_keychain("ci");
    env.set_secret_in("ci", "CI_KEY", "ci-value-1");
    env.set_secret_in("ci", "CI_OTHER", "ci-value-2");
    (env, token)
}

/// `token` with its `n`-th character replaced, so the CRC32 no longer matches.
fn with_changed_char(token: &str, n: usize) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[n] = if bytes[n] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn token_unlocks_secret_list_of_its_own_keychain_by_default() {
    let (env, token) = vault_with_ci_keychain();
    let assert = env
        .token_cmd(&token)
        .args(["--json", "secret", "list"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(doc["keychain"], "ci");
    assert_eq!(
        json_secret_names(&assert.get_output().stdout),
        ["CI_KEY", "CI_OTHER"]
    );
    assert!(!stdout_of(&assert).contains("ci-value"), "names only");

    env.token_cmd(&token)
        .args(["-k", "ci", "secret", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CI_KEY"));
}

#[test]
fn token_cannot_list_another_keychain() {
    let (env, token) = vault_with_ci_keychain();
    for args in [
        &["-k", "default", "secret", "list"][..],
        &["--keychain", "default", "secret", "list"],
    ] {
        env.token_cmd(&token)
            .args(args)
            .assert()
            .code(3)
            .stdout("")
            .stderr(predicate::str::contains("DEFAULT_KEY").not());
    }
    env.token_cmd(&token)
        .env("KEYWARD_KEYCHAIN", "default")
        .args(["secret", "list"])
        .assert()
        .code(3);
}

#[test]
fn token_holder_is_denied_owner_actions_with_exit_5() {
    let (env, token) = vault_with_ci_keychain();
    let before = env.vault_dir_snapshot();
    for args in [
        &["secret", "set", "CI_KEY", "--stdin"][..],
        &["secret", "set", "NEW_KEY", "--stdin"],
        &["secret", "rm", "CI_KEY"],
        &["secret", "get", "CI_KEY"],
        &["keychain", "create", "another"],
        &["keychain", "token", "ci", "--rotate"],
        &["keychain", "list"],
        &["keychain", "rm", "ci", "--yes"],
    ] {
        env.token_cmd(&token)
            .args(args)
            .write_stdin("new-value")
            .assert()
            .code(5)
            .stdout("")
            .stderr(predicate::str::contains("ci-value").not());
    }
    assert_eq!(env.vault_dir_snapshot(), before, "nothing was written");
    env.cmd()
        .args(["-k", "ci", "secret", "get", "CI_KEY"])
        .assert()
        .success()
        .stdout("ci-value-1");
}

#[test]
fn token_takes_precedence_over_master_key() {
    let (env, token) = vault_with_ci_keychain();
    // Both set: the token wins, so an owner action is denied.
    env.cmd()
        .env("KEYWARD_TOKEN", &token)
        .args(["-k", "ci", "secret", "get", "CI_KEY"])
        .assert()
        .code(5);
}

#[test]
fn rotated_token_stops_working_and_the_new_one_works() {
    let (env, old) = vault_with_ci_keychain();
    let assert = env
        .cmd()
        .args(["keychain", "token", "ci", "--rotate"])
        .assert()
        .success();
    let new = stdout_of(&assert).trim_end().to_owned();
    assert!(new.starts_with("kw_"));
    assert_ne!(new, old);

    env.token_cmd(&old)
        .args(["secret", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("KEYWARD_TOKEN"));
    env.token_cmd(&new)
        .args(["secret", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CI_KEY"));
}

#[test]
fn token_of_another_vault_exits_3() {
    let (env, _) = vault_with_ci_keychain();
    let (_other_env, other_token) = vault_with_ci_keychain();
    env.token_cmd(&other_token)
        .args(["secret", "list"])
        .assert()
        .code(3);
}

#[test]
fn malformed_token_exits_3() {
    let (env, token) = vault_with_ci_keychain();
    let bad_prefix = format!("kx_{}", &token[3..]);
    let bad_checksum = with_changed_char(&token, 10);
    let truncated = token[..token.len() - 1].to_owned();
    for bad in [&bad_prefix, &bad_checksum, &truncated] {
        env.token_cmd(bad)
            .args(["secret", "list"])
            .assert()
            .code(3)
            .stdout("")
            .stderr(predicate::str::contains("KEYWARD_TOKEN"));
    }
}

#[test]
fn malformed_token_exits_3_before_the_vault_is_opened() {
    let (env, token) = vault_with_ci_keychain();
    let nowhere = env.root().join("no-such-dir/vault.db");
    // Baseline: a well-formed token with a missing vault gets as far as opening it.
    env.token_cmd(&token)
        .env("KEYWARD_VAULT", &nowhere)
        .args(["secret", "list"])
        .assert()
        .code(4);
    // A malformed one is refused first: 3, not 4.
    for bad in [format!("kx_{}", &token[3..]), with_changed_char(&token, 10)] {
        env.token_cmd(&bad)
            .env("KEYWARD_VAULT", &nowhere)
            .args(["secret", "list"])
            .assert()
            .code(3);
    }
    assert!(!nowhere.parent().unwrap().exists());
}

#[test]
fn malformed_token_error_does_not_echo_the_token() {
    let (env, token) = vault_with_ci_keychain();
    let bad = with_changed_char(&token, 10);
    env.token_cmd(&bad)
        .args(["secret", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(&bad[3..20]).not());
}

/// A KEYWARD_TOKEN that is set but not UTF-8 is refused (exit 3), never skipped in
/// favour of the next unlock source.
#[test]
fn non_utf8_token_is_refused_not_skipped() {
    use std::os::unix::ffi::OsStringExt;
    let env = crate::common::TestEnv::with_vault();
    let bad = std::ffi::OsString::from_vec(b"kw_\xff\xfe".to_vec());
    let out = env
        .cmd()
        .env("KEYWARD_TOKEN", bad)
        .args(["secret", "list"])
        .assert()
        .code(3);
    assert!(crate::common::stderr_of(&out).contains("KEYWARD_TOKEN"));
}
