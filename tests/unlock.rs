//! Unlocking with the wrong key or passphrase: exit 3 (locked), a message that says
//! the key does not match this vault, and a vault left byte for byte as it was.

use predicates::prelude::*;

use crate::common::{TestEnv, stderr_of};

const PASSPHRASE: &str = "correct horse battery staple";

#[test]
fn wrong_master_key_exits_3_says_it_does_not_match_and_leaves_the_vault_unchanged() {
    let env = TestEnv::with_vault();
    env.set_secret("STRIPE_SECRET_KEY", "sk_test_wrong_key");
    // A well-formed key that belongs to another vault.
    let other_key = TestEnv::new().init_env_backend();
    assert_ne!(other_key, env.master_key());
    let before = env.vault_dir_snapshot();

    for args in [
        &["secret", "list"][..],
        &["secret", "get", "STRIPE_SECRET_KEY"],
        &["secret", "set", "NEW_KEY", "--stdin"],
        &["keychain", "create", "ci"],
    ] {
        let assert = env
            .cmd()
            .env("KEYWARD_MASTER_KEY", &other_key)
            .args(args)
            .write_stdin("new-value")
            .assert()
            .code(3)
            .stdout("");
        let stderr = stderr_of(&assert);
        assert!(
            stderr.contains("does not match this vault"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(env.vault().to_str().unwrap()), "{stderr}");
    }

    assert_eq!(
        env.vault_dir_snapshot(),
        before,
        "the vault folder is byte-for-byte unchanged"
    );
    assert_eq!(env.get_secret("STRIPE_SECRET_KEY"), "sk_test_wrong_key");
}

#[test]
fn wrong_master_key_with_json_is_one_locked_error_object_on_stderr() {
    let env = TestEnv::with_vault();
    let other_key = TestEnv::new().init_env_backend();
    let assert = env
        .cmd()
        .env("KEYWARD_MASTER_KEY", &other_key)
        .args(["--json", "secret", "list"])
        .assert()
        .code(3)
        .stdout("");
    let doc: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stderr).expect("stderr is one JSON object");
    assert_eq!(doc["error"]["code"], "locked");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not match this vault")
    );
    assert!(doc["error"]["hints"].is_array());
}

#[test]
fn malformed_master_key_exits_3_and_does_not_echo_it() {
    let env = TestEnv::with_vault();
    let bad = "not-a-master-key-but-looks-secret";
    env.cmd()
        .env("KEYWARD_MASTER_KEY", bad)
        .args(["secret", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("KEYWARD_MASTER_KEY"))
        .stderr(predicate::str::contains(bad).not());
}

#[test]
fn env_backend_vault_without_master_key_exits_3_naming_keyward_master_key() {
    let env = TestEnv::with_vault();
    env.cmd_without_key()
        .args(["secret", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("KEYWARD_MASTER_KEY"));
}

#[test]
fn wrong_passphrase_exits_3_and_leaves_the_vault_unchanged() {
    let env = TestEnv::new();
    env.cmd()
        .env("KEYWARD_PASSPHRASE", PASSPHRASE)
        .args(["init", "--backend", "passphrase"])
        .assert()
        .success();
    let before = env.vault_dir_snapshot();

    env.cmd()
        .env("KEYWARD_PASSPHRASE", "incorrect horse battery staple")
        .args(["secret", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "passphrase does not unlock this vault",
        ));

    assert_eq!(
        env.vault_dir_snapshot(),
        before,
        "the vault folder is byte-for-byte unchanged"
    );
}

#[test]
fn missing_vault_exits_4_naming_the_path() {
    let env = TestEnv::new();
    env.cmd()
        .env("KEYWARD_MASTER_KEY", TestEnv::new().init_env_backend())
        .args(["secret", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(env.vault().to_str().unwrap()));
    assert!(!env.vault_dir().exists(), "a read command creates nothing");
}

#[test]
fn master_key_env_comes_before_the_passphrase_and_never_falls_back_to_it() {
    let env = TestEnv::new();
    env.cmd()
        .env("KEYWARD_PASSPHRASE", PASSPHRASE)
        .args(["init", "--backend", "passphrase"])
        .assert()
        .success();
    // A wrong KEYWARD_MASTER_KEY is used first; the right passphrase does not rescue it.
    env.cmd()
        .env("KEYWARD_MASTER_KEY", TestEnv::new().init_env_backend())
        .env("KEYWARD_PASSPHRASE", PASSPHRASE)
        .args(["secret", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("KEYWARD_MASTER_KEY"));
}
