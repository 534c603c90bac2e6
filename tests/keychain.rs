//! `keyward keychain create|list|rm|token` as the owner. Token holders are in `token.rs`.

use predicates::prelude::*;

use crate::common::{TestEnv, stdout_of};

fn keychain_names(env: &TestEnv) -> Vec<String> {
    let assert = env
        .cmd()
        .args(["--json", "keychain", "list"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    doc["keychains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn keychain_create_prints_the_token_alone_on_stdout() {
    let env = TestEnv::with_vault();
    let assert = env
        .cmd()
        .args(["keychain", "create", "ci"])
        .assert()
        .success();
    let stdout = stdout_of(&assert);
    let token = stdout.trim_end_matches('\n');
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?}");
    assert!(token.starts_with("kw_"), "{token}");
    assert!(!token.contains(char::is_whitespace));
    assert_eq!(keychain_names(&env), ["ci", "default"]);
}

#[test]
fn keychain_create_no_token_prints_nothing_on_stdout() {
    let env = TestEnv::with_vault();
    env.cmd()
        .args(["keychain", "create", "quiet", "--no-token"])
        .assert()
        .success()
        .stdout("");
    let assert = env
        .cmd()
        .args(["--json", "keychain", "list"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let quiet = doc["keychains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "quiet")
        .expect("the keychain is listed");
    assert_eq!(quiet["tokens"], 0);
}

#[test]
fn keychain_create_twice_exits_1() {
    let env = TestEnv::with_vault();
    env.create_keychain("ci");
    env.cmd()
        .args(["keychain", "create", "ci"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("already exists"));
}

#[test]
fn keychain_create_rejects_invalid_names_with_exit_2() {
    let env = TestEnv::with_vault();
    for name in ["Upper", "-dash-first", "has space", "a/b", ""] {
        env.cmd()
            .args(["keychain", "create", name])
            .assert()
            .code(2)
            .stdout("");
    }
    assert_eq!(keychain_names(&env), ["default"]);
}

#[test]
fn keychain_list_text_shows_names_token_and_secret_counts() {
    let env = TestEnv::with_vault();
    env.create_keychain("ci");
    env.set_secret_in("ci", "ONE", "1");
    env.set_secret_in("ci", "TWO", "2");
    let assert = env.cmd().args(["keychain", "list"]).assert().success();
    let stdout = stdout_of(&assert);
    let mut lines = stdout.lines();
    assert!(lines.next().unwrap().starts_with("NAME"), "{stdout}");
    let ci: Vec<_> = lines
        .find(|l| l.starts_with("ci "))
        .expect("a row for ci")
        .split_whitespace()
        .collect();
    assert_eq!(&ci[..3], ["ci", "1", "2"], "{stdout}");
}

#[test]
fn keychain_rm_yes_removes_the_keychain_its_secrets_and_its_token() {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("ci");
    env.set_secret_in("ci", "CI_KEY", "v");
    env.cmd()
        .args(["keychain", "rm", "ci", "--yes"])
        .assert()
        .success();
    assert_eq!(keychain_names(&env), ["default"]);
    assert_eq!(env.sqlite("SELECT count(*) FROM secrets"), "0");
    assert_eq!(env.sqlite("SELECT count(*) FROM tokens"), "0");
    env.token_cmd(&token)
        .args(["secret", "list"])
        .assert()
        .code(3);
}

#[test]
fn keychain_rm_of_default_exits_1_and_of_a_missing_one_exits_4() {
    let env = TestEnv::with_vault();
    env.cmd()
        .args(["keychain", "rm", "default", "--yes"])
        .assert()
        .code(1);
    env.cmd()
        .args(["keychain", "rm", "missing", "--yes"])
        .assert()
        .code(4);
    assert_eq!(keychain_names(&env), ["default"]);
}

#[test]
fn keychain_token_without_rotate_exits_2_and_keeps_the_token() {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("ci");
    env.cmd()
        .args(["keychain", "token", "ci"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--rotate"));
    env.token_cmd(&token)
        .args(["secret", "list"])
        .assert()
        .success();
}

#[test]
fn keychain_token_rotate_gives_default_its_first_token() {
    let env = TestEnv::with_vault();
    env.set_secret("DEFAULT_KEY", "v");
    let assert = env
        .cmd()
        .args(["keychain", "token", "default", "--rotate"])
        .assert()
        .success();
    let token = stdout_of(&assert).trim_end().to_owned();
    assert!(token.starts_with("kw_"));
    env.token_cmd(&token)
        .args(["--json", "secret", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("DEFAULT_KEY"));
}
