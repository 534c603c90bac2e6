//! Rolling back one secret: its `secrets` and `shared` rows copied back from an older
//! copy of the vault (a rotated-away value) are refused by every read, because the
//! keychain's indexes of versions, written in the same transaction as the rows and
//! MAC'd (the secrets' by a key only the owner has), say which version is current.
//! And a vault from before the indexes is upgraded once, after which a missing index
//! is tampering, never "an old vault": only the master key seals the v2 check value.

use crate::common::forge::{aad, hkdf, seal};
use crate::common::{TestEnv, stderr_of};

const PKG: &str = "@acme/rollback";

/// REQ_A at version 1 granted to the package, a copy of the vault then, and REQ_A
/// rotated to version 2 since; returns the path of the old copy.
fn rotated() -> (TestEnv, std::path::PathBuf, String) {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_A", "old-value-of-req-a");
    let dir = env.make_package("rollback", PKG, &["REQ_A"]);
    env.install_json(&dir, &["--approve", "REQ_A"]);
    let token = env.rotate_default_token();
    let old = env.root().join("old-vault.db");
    env.sqlite(&format!("VACUUM INTO '{}'", old.display()));
    env.set_secret("REQ_A", "new-value-of-req-a");
    (env, old, token)
}

fn copy_back(env: &TestEnv, old: &std::path::Path, table: &str) {
    env.sqlite(&format!(
        "ATTACH '{}' AS old;
         UPDATE main.{table} SET version = (SELECT version FROM old.{table} WHERE name = 'REQ_A'),
                                 value = (SELECT value FROM old.{table} WHERE name = 'REQ_A')
         WHERE name = 'REQ_A';",
        old.display()
    ));
}

#[test]
fn a_secret_copied_back_from_an_older_vault_is_refused() {
    let (env, old, token) = rotated();
    copy_back(&env, &old, "secrets");
    copy_back(&env, &old, "shared");
    let out = env.cmd().args(["secret", "get", "REQ_A"]).assert().code(7);
    let err = stderr_of(&out);
    assert!(
        err.contains("REQ_A is at version 1") && err.contains("records version 2"),
        "{err}"
    );
    assert!(!err.contains("old-value"), "{err}");
    for cmd in [env.cmd(), env.token_cmd(&token)] {
        let mut cmd = cmd;
        let out = cmd.args(["run", PKG]).assert().code(125);
        let err = stderr_of(&out);
        assert!(err.contains("error[integrity]"), "{err}");
        assert!(!String::from_utf8_lossy(&out.get_output().stdout).contains("old-value"));
    }
}

#[test]
fn a_shared_copy_copied_back_alone_is_refused_for_the_owner_and_the_holder() {
    let (env, old, token) = rotated();
    copy_back(&env, &old, "shared");
    env.cmd().args(["run", PKG]).assert().code(125);
    env.token_cmd(&token).args(["run", PKG]).assert().code(125);
    // The current value still reads back for the owner.
    assert_eq!(env.get_secret("REQ_A"), "new-value-of-req-a");
}

#[test]
fn a_deleted_index_is_tampering_not_an_old_vault() {
    let (env, _, _) = rotated();
    env.sqlite("DELETE FROM meta WHERE key LIKE 'secret_index:%'");
    let out = env.cmd().args(["secret", "get", "REQ_A"]).assert().code(7);
    assert!(stderr_of(&out).contains("index"), "{}", stderr_of(&out));
    let out = env
        .cmd()
        .args(["secret", "set", "OTHER", "--stdin"])
        .write_stdin("other-value")
        .assert()
        .code(7);
    assert!(stderr_of(&out).contains("nothing was changed"));
}

/// Seals the vault's check value as v1, as keyward did before names and indexes.
fn make_v1(env: &TestEnv) {
    use base64::Engine;
    let mk = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(env.master_key().trim_end_matches('='))
        .unwrap();
    let vid = crate::common::forge::unhex(
        &env.sqlite("SELECT hex(value) FROM meta WHERE key = 'vault_id'"),
    );
    let key = hkdf(&mk, &vid, &[b"keyward/v1/check"]);
    let check = seal(
        &key,
        b"keyward check v1",
        &aad(&[b"keyward/v1/check", &vid]),
    );
    env.sqlite(&format!(
        "UPDATE meta SET value = X'{}' WHERE key = 'check';
         UPDATE keychains SET name_mac = x'';
         DELETE FROM meta WHERE key LIKE '%_index:%' OR key LIKE 'rk_check:%';",
        crate::common::forge::hex(&check)
    ));
}

#[test]
fn an_old_vault_is_upgraded_once_and_then_holds_like_a_new_one() {
    let (env, _, token) = rotated();
    make_v1(&env);
    // The owner's first command upgrades it: values read back, the package runs.
    assert_eq!(env.get_secret("REQ_A"), "new-value-of-req-a");
    env.cmd().args(["run", PKG]).assert().success();
    env.token_cmd(&token).args(["run", PKG]).assert().success();
    assert_eq!(
        env.sqlite("SELECT count(*) FROM meta WHERE key LIKE '%_index:%'"),
        "2"
    );
    // From now on a missing index or name binding is tampering.
    env.sqlite("UPDATE keychains SET name_mac = x''");
    env.cmd().args(["secret", "get", "REQ_A"]).assert().code(7);
}
