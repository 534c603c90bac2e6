//! `keyward init` with the env and passphrase backends, and the promises every init
//! keeps: never overwrite, stdout is the key alone, the `default` keychain exists.
//! The keyring backend is in `keyring.rs`.

use std::fs;

use predicates::prelude::*;

use crate::common::{TestEnv, stderr_of, stdout_of};

const PASSPHRASE: &str = "correct horse battery staple";

fn is_base64url(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[test]
fn init_env_backend_prints_only_the_43_char_base64url_key_on_stdout() {
    let env = TestEnv::new();
    let assert = env
        .cmd()
        .args(["init", "--backend", "env"])
        .assert()
        .success();
    let stdout = stdout_of(&assert);
    assert_eq!(
        stdout.len(),
        43,
        "stdout is the key alone, no newline: {stdout:?}"
    );
    assert!(is_base64url(&stdout), "not base64url: {stdout:?}");
    assert!(
        stderr_of(&assert).contains("KEYWARD_MASTER_KEY"),
        "the message on stderr says where the key goes"
    );
    assert!(env.vault().is_file());
}

#[test]
fn init_env_backend_round_trips_set_list_get() {
    let env = TestEnv::with_vault();
    env.set_secret("STRIPE_SECRET_KEY", "sk_test_123");
    env.set_secret("OPENAI_API_KEY", "sk-openai-456");

    let list = env.cmd().args(["secret", "list"]).assert().success();
    let table = stdout_of(&list);
    assert!(table.starts_with("NAME"), "a table with a header: {table}");
    assert!(table.contains("OPENAI_API_KEY") && table.contains("STRIPE_SECRET_KEY"));

    assert_eq!(env.get_secret("STRIPE_SECRET_KEY"), "sk_test_123");
    assert_eq!(env.get_secret("OPENAI_API_KEY"), "sk-openai-456");
}

#[test]
fn init_env_backend_json_reports_vault_id_backend_and_master_key() {
    let env = TestEnv::new();
    let assert = env
        .cmd()
        .args(["--json", "init", "--backend", "env"])
        .assert()
        .success();
    let doc: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).expect("stdout is one JSON doc");
    assert_eq!(doc["backend"], "env");
    assert_eq!(doc["vault"], env.vault().to_str().unwrap());
    let key = doc["master_key"].as_str().expect("master_key is a string");
    assert_eq!(key.len(), 43);
    let vault_id = doc["vault_id"].as_str().expect("vault_id is a string");
    assert_eq!(
        vault_id,
        env.sqlite("SELECT lower(hex(value)) FROM meta WHERE key = 'vault_id'")
    );
    assert!(
        doc.get("keyring").is_none(),
        "no keyring entry for env: {doc}"
    );

    // The key in the JSON is the one that unlocks the vault.
    env.cmd()
        .env("KEYWARD_MASTER_KEY", key)
        .args(["secret", "list"])
        .assert()
        .success();
}

#[test]
fn init_creates_the_default_keychain() {
    let env = TestEnv::with_vault();
    let assert = env
        .cmd()
        .args(["--json", "keychain", "list"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let names: Vec<_> = doc["keychains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["default"]);
    assert_eq!(
        doc["keychains"][0]["tokens"], 0,
        "default has no token until rotated in"
    );
}

#[test]
fn init_passphrase_backend_round_trips_set_list_get_with_keyward_passphrase() {
    let env = TestEnv::new();
    env.cmd()
        .env("KEYWARD_PASSPHRASE", PASSPHRASE)
        .args(["init", "--backend", "passphrase"])
        .assert()
        .success()
        .stdout("");

    env.cmd()
        .env("KEYWARD_PASSPHRASE", PASSPHRASE)
        .args(["secret", "set", "API_TOKEN", "--stdin"])
        .write_stdin("tok-passphrase-1\n")
        .assert()
        .success();
    env.cmd()
        .env("KEYWARD_PASSPHRASE", PASSPHRASE)
        .args(["secret", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("API_TOKEN"));
    env.cmd()
        .env("KEYWARD_PASSPHRASE", PASSPHRASE)
        .args(["secret", "get", "API_TOKEN"])
        .assert()
        .success()
        .stdout("tok-passphrase-1");
}

#[test]
fn init_passphrase_backend_refuses_a_passphrase_under_8_chars_and_creates_nothing() {
    let env = TestEnv::new();
    env.cmd()
        .env("KEYWARD_PASSPHRASE", "short77")
        .args(["init", "--backend", "passphrase"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("shorter than 8"));
    assert!(!env.vault().exists(), "no vault is left behind");
}

#[test]
fn init_never_overwrites_an_existing_vault() {
    let env = TestEnv::with_vault();
    env.set_secret("KEEP_ME", "still-here");
    let before = fs::read(env.vault()).unwrap();

    for backend in ["env", "passphrase", "keyring"] {
        env.cmd()
            .env("KEYWARD_PASSPHRASE", PASSPHRASE)
            .args(["init", "--backend", backend])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("already exists"))
            .stderr(predicate::str::contains(env.vault().to_str().unwrap()));
    }

    assert_eq!(
        fs::read(env.vault()).unwrap(),
        before,
        "the vault is unchanged"
    );
    assert_eq!(env.get_secret("KEEP_ME"), "still-here");
}

#[test]
fn init_uses_xdg_data_home_when_no_vault_is_given() {
    let env = TestEnv::new();
    env.cmd()
        .env_remove("KEYWARD_VAULT")
        .args(["init", "--backend", "env"])
        .assert()
        .success();
    assert!(
        env.root().join("xdg-data/keyward/vault.db").is_file(),
        "the default vault is $XDG_DATA_HOME/keyward/vault.db"
    );
}
