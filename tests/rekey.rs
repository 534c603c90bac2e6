//! `keyward rekey --backend keyring|passphrase|env`: the same master key moves between
//! backends, values and tokens survive, the old backend stops opening the vault, and a
//! failure at any step leaves a vault that opens as before.

use crate::common::{TestEnv, stderr_of, stdout_of};
use crate::keyring::{keyring_cmd, keyring_session, keyward_accounts, no_keyring_cmd};

const PASS: &str = "correct horse battery staple";

/// Makes the vault's next `backend` write fail inside the rekey transaction.
fn break_the_switch(env: &TestEnv) {
    env.sqlite(
        "CREATE TRIGGER keyward_test_fail BEFORE INSERT ON meta WHEN NEW.key = 'backend' \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    );
}

fn log_actions(env: &TestEnv, key: &str) -> Vec<serde_json::Value> {
    let out = env
        .cmd_without_key()
        .env("KEYWARD_MASTER_KEY", key)
        .args(["--json", "log"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    doc["entries"].as_array().unwrap().clone()
}

#[test]
fn rekey_moves_the_same_key_between_env_and_passphrase_and_drops_the_old_way_in() {
    let env = TestEnv::with_vault();
    let key = env.master_key().to_owned();
    env.set_secret("A_KEY", "value-of-a");
    let token = env.create_keychain("ci");

    env.cmd()
        .env("KEYWARD_NEW_PASSPHRASE", PASS)
        .args(["rekey", "--backend", "passphrase"])
        .assert()
        .success();
    // Now the passphrase opens it; the values are the same.
    env.cmd_without_key()
        .env("KEYWARD_PASSPHRASE", PASS)
        .args(["secret", "get", "A_KEY"])
        .assert()
        .success()
        .stdout("value-of-a");

    // Back to env: the key printed alone on stdout is the same master key.
    let out = env
        .cmd_without_key()
        .env("KEYWARD_PASSPHRASE", PASS)
        .args(["rekey", "--backend", "env"])
        .assert()
        .success();
    assert_eq!(
        stdout_of(&out),
        key,
        "stdout is the key alone, and the same key"
    );
    // The passphrase slot is gone: the old passphrase opens nothing.
    let out = env
        .cmd_without_key()
        .env("KEYWARD_PASSPHRASE", PASS)
        .args(["secret", "list"])
        .assert()
        .code(3);
    assert!(
        stderr_of(&out).contains("KEYWARD_MASTER_KEY"),
        "{}",
        stderr_of(&out)
    );
    env.cmd()
        .args(["secret", "get", "A_KEY"])
        .assert()
        .success()
        .stdout("value-of-a");
    // Tokens are untouched.
    env.token_cmd(&token)
        .args(["secret", "list"])
        .assert()
        .success();

    let rekeys: Vec<String> = log_actions(&env, &key)
        .iter()
        .filter(|e| e["action"] == "rekey")
        .map(|e| e["detail"].to_string())
        .collect();
    assert_eq!(rekeys.len(), 2, "{rekeys:?}");
    assert!(rekeys[0].contains(r#""from":"env""#) && rekeys[0].contains(r#""to":"passphrase""#));
    env.cmd().args(["log", "--verify"]).assert().success();
}

#[test]
fn rekey_is_owner_only_and_refuses_a_short_passphrase() {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("ci");
    env.token_cmd(&token)
        .args(["rekey", "--backend", "env"])
        .assert()
        .code(5)
        .stdout("");
    let out = env
        .cmd()
        .env("KEYWARD_NEW_PASSPHRASE", "short")
        .args(["rekey", "--backend", "passphrase"])
        .assert()
        .code(1);
    assert!(
        stderr_of(&out).contains("error[short-passphrase]"),
        "{}",
        stderr_of(&out)
    );
    env.cmd()
        .args(["rekey", "--backend", "passphrase"])
        .assert()
        .code(5)
        .stderr(predicates::str::contains("KEYWARD_NEW_PASSPHRASE"));
}

#[test]
fn a_failed_switch_leaves_the_vault_on_its_old_backend() {
    let env = TestEnv::with_vault();
    env.set_secret("A_KEY", "value-of-a");
    break_the_switch(&env);
    let out = env
        .cmd()
        .env("KEYWARD_NEW_PASSPHRASE", PASS)
        .args(["rekey", "--backend", "passphrase"])
        .assert()
        .code(1);
    assert!(
        stderr_of(&out).contains("still uses its env backend"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(
        env.sqlite("SELECT CAST(value AS TEXT) FROM meta WHERE key = 'backend'"),
        "env"
    );
    assert_eq!(
        env.sqlite("SELECT count(*) FROM meta WHERE key = 'passphrase'"),
        "0"
    );
    env.cmd()
        .args(["secret", "get", "A_KEY"])
        .assert()
        .success()
        .stdout("value-of-a");
}

#[test]
fn rekey_to_an_unreachable_keyring_fails_and_changes_nothing() {
    let env = TestEnv::with_vault();
    let before = env.vault_dir_snapshot();
    let out = no_keyring_cmd(&env)
        .env("KEYWARD_MASTER_KEY", env.master_key())
        .args(["rekey", "--backend", "keyring"])
        .assert()
        .code(3);
    assert!(
        stderr_of(&out).contains("OS keyring"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(env.vault_dir_snapshot(), before);
}

#[test]
fn rekey_into_and_out_of_the_keyring_creates_and_then_removes_its_entry() {
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let env = TestEnv::with_vault();
    let key = env.master_key().to_owned();
    env.set_secret("A_KEY", "value-of-a");
    let account = format!(
        "vault:{}",
        env.sqlite("SELECT lower(hex(value)) FROM meta WHERE key = 'vault_id'")
    );

    // env -> keyring, with the switch failing: the new entry is removed again.
    break_the_switch(&env);
    keyring_cmd(&env, &session)
        .env("KEYWARD_MASTER_KEY", &key)
        .args(["rekey", "--backend", "keyring"])
        .assert()
        .code(1);
    assert!(!keyward_accounts(&session).contains(&account));
    env.sqlite("DROP TRIGGER keyward_test_fail");

    // env -> keyring: the vault opens with no KEYWARD_MASTER_KEY.
    keyring_cmd(&env, &session)
        .env("KEYWARD_MASTER_KEY", &key)
        .args(["rekey", "--backend", "keyring"])
        .assert()
        .success();
    assert!(keyward_accounts(&session).contains(&account));
    keyring_cmd(&env, &session)
        .args(["secret", "get", "A_KEY"])
        .assert()
        .success()
        .stdout("value-of-a");

    // keyring -> passphrase, with the switch failing: the keyring entry is kept and
    // still opens the vault.
    break_the_switch(&env);
    keyring_cmd(&env, &session)
        .env("KEYWARD_NEW_PASSPHRASE", PASS)
        .args(["rekey", "--backend", "passphrase"])
        .assert()
        .code(1);
    assert!(keyward_accounts(&session).contains(&account));
    keyring_cmd(&env, &session)
        .args(["secret", "list"])
        .assert()
        .success();
    env.sqlite("DROP TRIGGER keyward_test_fail");

    // keyring -> env: the key is printed, then the entry is removed.
    let out = keyring_cmd(&env, &session)
        .args(["rekey", "--backend", "env"])
        .assert()
        .success();
    assert_eq!(stdout_of(&out), key);
    assert!(
        stderr_of(&out).contains("Removed its OS keyring entry"),
        "{}",
        stderr_of(&out)
    );
    assert!(!keyward_accounts(&session).contains(&account));
    env.cmd()
        .args(["secret", "get", "A_KEY"])
        .assert()
        .success()
        .stdout("value-of-a");
}
