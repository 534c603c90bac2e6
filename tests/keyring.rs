//! The keyring backend against the real Secret Service, and what happens when no
//! keyring can be reached.
//!
//! Tests that need the Secret Service run under `scripts/keyring-session` (which
//! `scripts/test` uses): it starts a private gnome-keyring and exports
//! KEYWARD_TEST_KEYRING=1, and then they must pass. Without it they fail, saying how
//! to run them, unless KEYWARD_SKIP_KEYRING_TESTS=1 asks to skip them: a plain
//! `cargo test` never reports them `ok` without having checked anything.

use std::ffi::OsString;
use std::fs;
use std::process::{Command as StdCommand, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use assert_cmd::Command;

use crate::common::{PATH, TestEnv, stderr_of, stdout_of};

/// Held by every test that talks to the Secret Service, so that one test can compare
/// the keyring's entries before and after without another test adding its own.
static KEYRING: Mutex<()> = Mutex::new(());

/// The variables a Secret Service client needs to find the private session.
const SESSION_VARS: &[&str] = &[
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR",
    "GNOME_KEYRING_CONTROL",
];

/// Name and value of each variable of the keyring session.
pub(crate) type SessionVars = Vec<(&'static str, OsString)>;

/// The session's variables (and the keyring lock) when KEYWARD_TEST_KEYRING=1;
/// `None` after saying so when KEYWARD_SKIP_KEYRING_TESTS=1; else the test fails.
pub(crate) fn keyring_session() -> Option<(MutexGuard<'static, ()>, SessionVars)> {
    if std::env::var_os("KEYWARD_TEST_KEYRING").is_none_or(|v| v != "1") {
        assert!(
            std::env::var_os("KEYWARD_SKIP_KEYRING_TESTS").is_some_and(|v| v == "1"),
            "this test needs a real Secret Service: run it with `scripts/keyring-session cargo test` \
             (or scripts/test); to skip the keyring tests knowingly, set KEYWARD_SKIP_KEYRING_TESTS=1"
        );
        eprintln!("skipped (KEYWARD_SKIP_KEYRING_TESTS=1): this test needs a Secret Service");
        return None;
    }
    let vars: Vec<_> = SESSION_VARS
        .iter()
        .filter_map(|&name| Some((name, std::env::var_os(name)?)))
        .collect();
    assert!(
        vars.iter()
            .any(|(name, _)| *name == "DBUS_SESSION_BUS_ADDRESS"),
        "KEYWARD_TEST_KEYRING=1 but DBUS_SESSION_BUS_ADDRESS is not set"
    );
    let guard = KEYRING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Some((guard, vars))
}

/// `keyward` in `env`'s clean environment plus the keyring session, no master key.
pub(crate) fn keyring_cmd(env: &TestEnv, session: &[(&'static str, OsString)]) -> Command {
    let mut cmd = env.cmd_without_key();
    for (name, value) in session {
        cmd.env(name, value);
    }
    cmd
}

/// `secret-tool ARGS` in the keyring session; its stdout.
pub(crate) fn secret_tool(session: &[(&'static str, OsString)], args: &[&str]) -> String {
    let out = StdCommand::new("secret-tool")
        .env_clear()
        .env("PATH", PATH)
        .envs(session.iter().map(|(k, v)| (k, v)))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("secret-tool is installed (scripts/test installs libsecret-tools)");
    assert!(
        out.status.success(),
        "secret-tool {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// `keyward --json init` with the keyring backend; returns the keyring account name.
fn init_keyring_vault(env: &TestEnv, session: &[(&'static str, OsString)]) -> String {
    let assert = keyring_cmd(env, session)
        .args(["--json", "init"])
        .assert()
        .success();
    let doc: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).expect("stdout is one JSON doc");
    assert_eq!(doc["backend"], "keyring", "keyring is the default backend");
    assert_eq!(doc["keyring"]["service"], "keyward");
    let vault_id = doc["vault_id"].as_str().expect("vault_id").to_owned();
    assert_eq!(
        vault_id,
        env.sqlite("SELECT lower(hex(value)) FROM meta WHERE key = 'vault_id'")
    );
    let account = format!("vault:{vault_id}");
    assert_eq!(doc["keyring"]["account"], account.as_str());
    assert!(
        doc.get("master_key").is_none(),
        "the key is never printed: {doc}"
    );
    account
}

#[test]
fn init_keyring_backend_stores_the_master_key_in_the_secret_service() {
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let env = TestEnv::new();
    let account = init_keyring_vault(&env, &session);

    // The real Secret Service holds the entry, under service `keyward`.
    let record = secret_tool(
        &session,
        &["lookup", "service", "keyward", "username", &account],
    );
    let record: serde_json::Value =
        serde_json::from_str(&record).expect("the entry is a versioned JSON record");
    assert_eq!(record["v"], 2);
    assert_eq!(
        record["generation"], 0,
        "a new vault is at write 0: {record}"
    );
    let mk = record["mk"].as_str().expect("the record holds the key");
    assert_eq!(mk.len(), 43);

    // That key is this vault's master key.
    env.cmd_without_key()
        .env("KEYWARD_MASTER_KEY", mk)
        .args(["secret", "list"])
        .assert()
        .success();

    secret_tool(
        &session,
        &["clear", "service", "keyward", "username", &account],
    );
}

#[test]
fn init_keyring_backend_round_trips_set_list_get_through_the_secret_service() {
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let env = TestEnv::new();
    let init = keyring_cmd(&env, &session).arg("init").assert().success();
    assert_eq!(stdout_of(&init), "", "nothing but data on stdout");
    assert!(stderr_of(&init).contains("keyring"), "{}", stderr_of(&init));

    keyring_cmd(&env, &session)
        .args(["secret", "set", "KEYRING_KEY", "--stdin"])
        .write_stdin("from-the-keyring")
        .assert()
        .success();
    let list = keyring_cmd(&env, &session)
        .args(["-v", "secret", "list"])
        .assert()
        .success();
    assert!(stdout_of(&list).contains("KEYRING_KEY"));
    assert!(
        stderr_of(&list).contains("unlocked with the OS keyring"),
        "-v says the keyring unlocked it: {}",
        stderr_of(&list)
    );
    keyring_cmd(&env, &session)
        .args(["secret", "get", "KEYRING_KEY"])
        .assert()
        .success()
        .stdout("from-the-keyring");
}

#[test]
fn keyring_vault_whose_entry_was_deleted_exits_3_naming_the_entry() {
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let env = TestEnv::new();
    let account = init_keyring_vault(&env, &session);
    secret_tool(
        &session,
        &["clear", "service", "keyward", "username", &account],
    );
    let assert = keyring_cmd(&env, &session)
        .args(["secret", "list"])
        .assert()
        .code(3);
    let stderr = stderr_of(&assert);
    assert!(stderr.contains(&account), "{stderr}");
    assert!(stderr.contains("KEYWARD_MASTER_KEY"), "{stderr}");
}

// ---- no keyring reachable ------------------------------------------------------------

/// `keyward` with no D-Bus session at all: no DBUS_SESSION_BUS_ADDRESS, and an empty
/// XDG_RUNTIME_DIR (so there is no `$XDG_RUNTIME_DIR/bus` either). A hang fails.
pub(crate) fn no_keyring_cmd(env: &TestEnv) -> Command {
    let runtime = env.root().join("empty-runtime");
    fs::create_dir_all(&runtime).unwrap();
    let mut cmd = env.cmd_without_key();
    cmd.env("XDG_RUNTIME_DIR", &runtime)
        .timeout(Duration::from_secs(30));
    cmd
}

fn assert_names_the_three_fixes(stderr: &str) {
    assert!(
        stderr.contains("Secret Service"),
        "fix 1 (Secret Service): {stderr}"
    );
    assert!(
        stderr.contains("--backend passphrase"),
        "fix 2 (--backend passphrase): {stderr}"
    );
    assert!(
        stderr.contains("KEYWARD_MASTER_KEY"),
        "fix 3 (KEYWARD_MASTER_KEY): {stderr}"
    );
}

#[test]
fn init_without_a_reachable_keyring_exits_3_naming_three_fixes_and_leaves_no_vault() {
    let env = TestEnv::new();
    let assert = no_keyring_cmd(&env).arg("init").assert().code(3).stdout("");
    assert_names_the_three_fixes(&stderr_of(&assert));
    assert!(!env.vault().exists(), "no vault file is left behind");
    assert!(!env.vault_dir().exists(), "not even its folder");
}

#[test]
fn unlocking_a_keyring_vault_without_a_reachable_keyring_exits_3_naming_three_fixes() {
    let env = TestEnv::with_vault();
    // Make it a keyring vault; the backend choice is plain metadata.
    env.sqlite("UPDATE meta SET value = CAST('keyring' AS BLOB) WHERE key = 'backend'");
    let before = env.vault_dir_snapshot();
    let assert = no_keyring_cmd(&env)
        .args(["secret", "list"])
        .assert()
        .code(3)
        .stdout("");
    assert_names_the_three_fixes(&stderr_of(&assert));
    assert_eq!(env.vault_dir_snapshot(), before, "the vault is unchanged");
}

/// The accounts of every `keyward` entry in the Secret Service.
pub(crate) fn keyward_accounts(session: &[(&'static str, OsString)]) -> Vec<String> {
    let out = StdCommand::new("secret-tool")
        .env_clear()
        .env("PATH", PATH)
        .envs(session.iter().map(|(k, v)| (k, v)))
        .args(["search", "--all", "service", "keyward"])
        .stdin(Stdio::null())
        .output()
        .expect("run secret-tool search");
    // secret-tool prints the attributes on stdout or stderr depending on its version.
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let mut accounts: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("attribute.username = "))
        .map(str::to_owned)
        .collect();
    accounts.sort();
    accounts
}

#[test]
fn failed_keyring_init_removes_its_keyring_entry_again() {
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let env = TestEnv::new();
    // The vault's folder cannot be created: its parent is a regular file.
    let blocker = env.root().join("not-a-folder");
    fs::write(&blocker, b"").unwrap();
    let before = keyward_accounts(&session);
    keyring_cmd(&env, &session)
        .env("KEYWARD_VAULT", blocker.join("vault.db"))
        .arg("init")
        .assert()
        .code(1);
    assert_eq!(
        keyward_accounts(&session),
        before,
        "no keyring entry is left behind"
    );

    // Sanity: a successful init does add one, so the comparison above can fail.
    let account = init_keyring_vault(&env, &session);
    assert!(keyward_accounts(&session).contains(&account));
    secret_tool(
        &session,
        &["clear", "service", "keyward", "username", &account],
    );
}

#[test]
fn a_vault_rolled_back_to_an_older_copy_is_refused_until_the_owner_accepts_it() {
    let Some((_lock, session)) = keyring_session() else {
        return;
    };
    let env = TestEnv::new();
    init_keyring_vault(&env, &session);
    let set = |value: &str| {
        keyring_cmd(&env, &session)
            .args(["secret", "set", "API_KEY", "--stdin"])
            .write_stdin(value.to_owned())
            .assert()
            .success();
    };
    set("first-value-of-api-key");
    let backup = env.root().join("backup.db");
    env.sqlite(&format!("VACUUM INTO '{}'", backup.display()));
    set("rotated-value-of-api-key");
    // An older copy replaces the vault (the WAL is checkpointed on close, so the file
    // alone is the vault).
    fs::copy(&backup, env.vault()).unwrap();
    let out = keyring_cmd(&env, &session)
        .args(["secret", "get", "API_KEY"])
        .assert()
        .code(7);
    let err = stderr_of(&out);
    assert!(err.contains("error[rolled-back]"), "{err}");
    assert!(err.contains("--accept-rollback"), "{err}");
    assert!(!err.contains("value-of-api-key"), "{err}");
    // The owner accepts the restored copy on purpose: it becomes the current one.
    let out = keyring_cmd(&env, &session)
        .args(["--accept-rollback", "secret", "get", "API_KEY"])
        .assert()
        .success();
    assert_eq!(stdout_of(&out), "first-value-of-api-key");
    keyring_cmd(&env, &session)
        .args(["secret", "list"])
        .assert()
        .success();
}
