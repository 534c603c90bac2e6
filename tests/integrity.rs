//! Exit 7 (integrity): a tampered or swapped ciphertext is caught and named, and a file
//! that is not a keyward vault is refused, named, and left byte for byte as it was.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use rusqlite::{Connection, params};

use crate::common::{TestEnv, dir_snapshot, sqlite, stderr_of};

/// The sealed value of `name` in `keychain`, read with rusqlite.
fn sealed(env: &TestEnv, keychain: &str, name: &str) -> Vec<u8> {
    let conn = Connection::open(env.vault()).unwrap();
    conn.query_row(
        "SELECT s.value FROM secrets s JOIN keychains k ON k.id = s.keychain_id
         WHERE k.name = ?1 AND s.name = ?2",
        params![keychain, name],
        |r| r.get(0),
    )
    .unwrap()
}

/// Overwrites the sealed value of `name` in `keychain`.
fn write_sealed(env: &TestEnv, keychain: &str, name: &str, value: &[u8]) {
    let conn = Connection::open(env.vault()).unwrap();
    let n = conn
        .execute(
            "UPDATE secrets SET value = ?3 WHERE name = ?2
             AND keychain_id = (SELECT id FROM keychains WHERE name = ?1)",
            params![keychain, name, value],
        )
        .unwrap();
    assert_eq!(n, 1, "exactly one row was tampered with");
}

/// Asserts `secret get NAME` (in `keychain`) fails with 7, naming the secret, and
/// prints nothing on stdout.
fn assert_get_is_integrity_error(env: &TestEnv, keychain: &str, name: &str) {
    let assert = env
        .cmd()
        .args(["-k", keychain, "secret", "get", name])
        .assert()
        .code(7)
        .stdout("");
    let stderr = stderr_of(&assert);
    assert!(
        stderr.starts_with("keyward: error[integrity]: "),
        "{stderr}"
    );
    assert!(stderr.contains(name), "the error names {name}: {stderr}");
    assert!(stderr.contains(env.vault().to_str().unwrap()), "{stderr}");
}

#[test]
fn flipped_ciphertext_byte_makes_secret_get_exit_7_naming_the_secret() {
    let env = TestEnv::with_vault();
    env.set_secret("TAMPERED_KEY", "original-value-123");
    env.set_secret("UNTOUCHED_KEY", "untouched-value");

    let mut value = sealed(&env, "default", "TAMPERED_KEY");
    assert!(value.len() > 24 + 16, "nonce(24) ‖ ciphertext");
    value[24 + 3] ^= 0x01; // one bit of the ciphertext proper, past the nonce
    write_sealed(&env, "default", "TAMPERED_KEY", &value);

    assert_get_is_integrity_error(&env, "default", "TAMPERED_KEY");
    assert_eq!(env.get_secret("UNTOUCHED_KEY"), "untouched-value");
}

#[test]
fn flipped_nonce_byte_makes_secret_get_exit_7() {
    let env = TestEnv::with_vault();
    env.set_secret("NONCE_KEY", "value");
    let mut value = sealed(&env, "default", "NONCE_KEY");
    value[0] ^= 0x80;
    write_sealed(&env, "default", "NONCE_KEY", &value);
    assert_get_is_integrity_error(&env, "default", "NONCE_KEY");
}

#[test]
fn truncated_ciphertext_makes_secret_get_exit_7() {
    let env = TestEnv::with_vault();
    env.set_secret("SHORT_KEY", "value");
    write_sealed(&env, "default", "SHORT_KEY", &[0u8; 10]);
    assert_get_is_integrity_error(&env, "default", "SHORT_KEY");
}

#[test]
fn ciphertexts_swapped_between_two_keys_exit_7() {
    let env = TestEnv::with_vault();
    env.set_secret("FIRST_KEY", "first-value");
    env.set_secret("SECOND_KEY", "second-value");
    let first = sealed(&env, "default", "FIRST_KEY");
    let second = sealed(&env, "default", "SECOND_KEY");
    write_sealed(&env, "default", "FIRST_KEY", &second);
    write_sealed(&env, "default", "SECOND_KEY", &first);

    assert_get_is_integrity_error(&env, "default", "FIRST_KEY");
    assert_get_is_integrity_error(&env, "default", "SECOND_KEY");
}

#[test]
fn ciphertexts_swapped_between_keychains_exit_7() {
    let env = TestEnv::with_vault();
    env.create_keychain("other");
    env.set_secret("API_KEY", "default-value");
    env.set_secret_in("other", "API_KEY", "other-value");
    let in_default = sealed(&env, "default", "API_KEY");
    let in_other = sealed(&env, "other", "API_KEY");
    write_sealed(&env, "default", "API_KEY", &in_other);
    write_sealed(&env, "other", "API_KEY", &in_default);

    assert_get_is_integrity_error(&env, "default", "API_KEY");
    assert_get_is_integrity_error(&env, "other", "API_KEY");
}

#[test]
fn ciphertext_copied_to_another_name_exits_7() {
    let env = TestEnv::with_vault();
    env.set_secret("SOURCE_KEY", "source-value");
    env.set_secret("TARGET_KEY", "target-value");
    let source = sealed(&env, "default", "SOURCE_KEY");
    write_sealed(&env, "default", "TARGET_KEY", &source);
    assert_get_is_integrity_error(&env, "default", "TARGET_KEY");
    assert_eq!(env.get_secret("SOURCE_KEY"), "source-value");
}

#[test]
fn changed_version_column_makes_secret_get_exit_7() {
    let env = TestEnv::with_vault();
    env.set_secret("VERSIONED_KEY", "v1-value");
    env.sqlite("UPDATE secrets SET version = version + 1 WHERE name = 'VERSIONED_KEY'");
    assert_get_is_integrity_error(&env, "default", "VERSIONED_KEY");
}

#[test]
fn tampered_keychain_key_exits_7_naming_the_keychain() {
    let env = TestEnv::with_vault();
    env.set_secret("ANY_KEY", "value");
    let conn = Connection::open(env.vault()).unwrap();
    let mut dek: Vec<u8> = conn
        .query_row(
            "SELECT dek FROM keychains WHERE name = 'default'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let last = dek.len() - 1;
    dek[last] ^= 0x01;
    conn.execute(
        "UPDATE keychains SET dek = ?1 WHERE name = 'default'",
        [&dek],
    )
    .unwrap();
    drop(conn);
    env.cmd()
        .args(["secret", "get", "ANY_KEY"])
        .assert()
        .code(7)
        .stdout("")
        .stderr(predicate::str::contains("`default`"));
}

// ---- files that are not keyward vaults ---------------------------------------------

/// Deterministic bytes that look random (xorshift), so a failure reproduces.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// `secret list` on `file` exits 7 naming it; `init` on it exits 1; the folder holding
/// it (the file and any sibling) is byte for byte unchanged.
fn assert_refused_and_untouched(env: &TestEnv, file: &Path) {
    let folder = file.parent().unwrap();
    let before = dir_snapshot(folder);
    let shown = file.to_str().unwrap();

    for args in [
        &["secret", "list"][..],
        &["keychain", "list"],
        &["secret", "set", "NEW_KEY", "--stdin"],
    ] {
        env.cmd()
            .arg("--vault")
            .arg(file)
            .args(args)
            .write_stdin("value")
            .assert()
            .code(7)
            .stdout("")
            .stderr(predicate::str::contains("error[integrity]"))
            .stderr(predicate::str::contains(shown));
    }
    assert_eq!(
        dir_snapshot(folder),
        before,
        "{shown} was changed by a read"
    );

    env.cmd()
        .arg("--vault")
        .arg(file)
        .args(["init", "--backend", "env"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(shown));
    assert_eq!(dir_snapshot(folder), before, "{shown} was changed by init");
}

fn foreign_dir(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.root().join("foreign");
    fs::create_dir(&dir).unwrap();
    dir
}

#[test]
fn file_of_random_bytes_is_refused_with_exit_7_and_left_unchanged() {
    let env = TestEnv::with_vault(); // a master key, so unlocking is not what fails
    let file = foreign_dir(&env).join("random.bin");
    fs::write(&file, noise(8192)).unwrap();
    assert_refused_and_untouched(&env, &file);
}

#[test]
fn empty_file_is_refused_with_exit_7_and_left_unchanged() {
    let env = TestEnv::with_vault();
    let file = foreign_dir(&env).join("empty.db");
    fs::write(&file, b"").unwrap();
    assert_refused_and_untouched(&env, &file);
    assert_eq!(fs::metadata(&file).unwrap().len(), 0);
}

#[test]
fn sqlite_file_of_another_program_is_refused_with_exit_7_and_left_unchanged() {
    let env = TestEnv::with_vault();
    let file = foreign_dir(&env).join("other-program.db");
    sqlite(
        &file,
        "CREATE TABLE t(x); INSERT INTO t VALUES ('keep me');",
    );
    assert_refused_and_untouched(&env, &file);
    assert_eq!(sqlite(&file, "SELECT x FROM t"), "keep me");
}

#[test]
fn wal_mode_sqlite_file_of_another_program_is_refused_and_left_unchanged() {
    let env = TestEnv::with_vault();
    let file = foreign_dir(&env).join("other-wal.db");
    sqlite(
        &file,
        "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES ('keep me');",
    );
    assert_refused_and_untouched(&env, &file);
}

#[test]
fn directory_given_as_vault_is_refused_with_exit_7() {
    let env = TestEnv::with_vault();
    let dir = foreign_dir(&env);
    env.cmd()
        .arg("--vault")
        .arg(&dir)
        .args(["secret", "list"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains(dir.to_str().unwrap()));
}

// ---- a corrupt SQLite page ---------------------------------------------------------

/// Overwrites the b-tree page type byte of the `secrets` table's root page with an
/// invalid value, as disk corruption would; returns the vault's bytes afterwards.
fn corrupt_secrets_root_page(env: &TestEnv) -> Vec<u8> {
    let page_size: usize = env.sqlite("PRAGMA page_size").parse().unwrap();
    let root: usize = env
        .sqlite("SELECT rootpage FROM sqlite_master WHERE name = 'secrets'")
        .parse()
        .unwrap();
    let mut bytes = fs::read(env.vault()).unwrap();
    bytes[(root - 1) * page_size] = 0x77; // valid types are 2, 5, 10, 13
    fs::write(env.vault(), &bytes).unwrap();
    bytes
}

#[test]
fn corrupt_sqlite_page_makes_reads_exit_7_naming_the_path_and_leaves_it_unchanged() {
    let env = TestEnv::with_vault();
    env.set_secret("SOME_KEY", "value");
    let corrupted = corrupt_secrets_root_page(&env);
    for args in [&["secret", "list"][..], &["secret", "get", "SOME_KEY"]] {
        env.cmd()
            .args(args)
            .assert()
            .code(7)
            .stdout("")
            .stderr(predicate::str::contains(env.vault().to_str().unwrap()));
    }
    assert_eq!(fs::read(env.vault()).unwrap(), corrupted, "never rewritten");
}

#[test]
fn corrupt_sqlite_page_makes_writes_exit_7_naming_the_path_and_leaves_it_unchanged() {
    let env = TestEnv::with_vault();
    env.set_secret("SOME_KEY", "value");
    let corrupted = corrupt_secrets_root_page(&env);
    for args in [
        &["secret", "set", "NEW_KEY", "--stdin"][..],
        &["secret", "rm", "SOME_KEY"],
    ] {
        env.cmd()
            .args(args)
            .write_stdin("new-value")
            .assert()
            .code(7)
            .stdout("")
            .stderr(predicate::str::contains(env.vault().to_str().unwrap()));
    }
    assert_eq!(fs::read(env.vault()).unwrap(), corrupted, "never rewritten");
}

#[test]
fn passphrase_slot_with_huge_argon2_parameters_exits_7_without_running_them() {
    let env = TestEnv::new();
    env.cmd()
        .env("KEYWARD_PASSPHRASE", "correct horse battery staple")
        .args(["init", "--backend", "passphrase"])
        .assert()
        .success();
    // 4 GiB of memory and 2^32-1 passes: a tampered slot must be refused, not run.
    env.sqlite(
        "UPDATE meta SET value = CAST(json_set(CAST(value AS TEXT), '$.m', 4194304, \
         '$.t', 4294967295) AS BLOB) WHERE key = 'passphrase'",
    );
    env.cmd()
        .env("KEYWARD_PASSPHRASE", "correct horse battery staple")
        .timeout(std::time::Duration::from_secs(20))
        .args(["secret", "list"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("passphrase"));
}

#[test]
fn vault_missing_its_check_value_exits_7() {
    let env = TestEnv::with_vault();
    env.sqlite("DELETE FROM meta WHERE key = 'check'");
    env.cmd()
        .args(["secret", "list"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains(env.vault().to_str().unwrap()));
}

#[test]
fn vault_with_a_dropped_table_exits_7_naming_the_path() {
    let env = TestEnv::with_vault();
    env.sqlite("DROP TABLE secrets");
    env.cmd()
        .args(["secret", "list"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains(env.vault().to_str().unwrap()));
}
