//! Vault folder 0700 and every file in it 0600 (the database, -wal and -shm), from
//! creation on, even when keyward is started with umask 000.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{TestEnv, keyward_bin, mode, run_no_stdin};

/// `sh -c 'umask 000; exec keyward "$@"'`: keyward runs with umask 000.
fn with_umask_000(env: &TestEnv, program: impl AsRef<std::ffi::OsStr>) -> StdCommand {
    let mut cmd = env.std_cmd("sh");
    cmd.arg("-c")
        .arg(r#"umask 000; exec "$0" "$@""#)
        .arg(program.as_ref());
    cmd
}

fn keyward_umask_000(env: &TestEnv) -> StdCommand {
    with_umask_000(env, keyward_bin())
}

/// Asserts `dir` is 0700 and every entry in it a regular file with mode 0600; returns
/// the names it checked.
fn assert_private_folder(dir: &Path) -> Vec<String> {
    assert_eq!(mode(dir), 0o700, "{} is not 0700", dir.display());
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // A -wal or -shm may vanish between listing and stat when keyward closes.
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        assert!(meta.is_file(), "{name} is not a regular file");
        assert_eq!(mode(&path), 0o600, "{name} is {:o}, not 0600", mode(&path));
        names.push(name);
    }
    names
}

fn init_with_umask_000(env: &mut TestEnv) {
    let out = run_no_stdin(keyward_umask_000(env).args(["init", "--backend", "env"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.set_master_key(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn umask_000_wrapper_really_creates_world_writable_files() {
    // Proves the wrapper works, so the tests below do not pass vacuously.
    let env = TestEnv::new();
    let probe = env.root().join("probe");
    let out = run_no_stdin(with_umask_000(&env, "/usr/bin/touch").arg(&probe));
    assert!(out.status.success());
    assert_eq!(mode(&probe), 0o666);
}

#[test]
fn vault_folder_is_0700_and_files_0600_under_umask_000_after_init_and_set() {
    let mut env = TestEnv::new();
    init_with_umask_000(&mut env);
    let names = assert_private_folder(&env.vault_dir());
    assert!(names.contains(&"vault.db".to_owned()), "{names:?}");

    let out = run_no_stdin(keyward_umask_000(&env).env("KW_VALUE", "v1").args([
        "secret",
        "set",
        "PERM_KEY",
        "--from-env",
        "KW_VALUE",
    ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_private_folder(&env.vault_dir());
    assert_eq!(env.get_secret("PERM_KEY"), "v1");
}

#[test]
fn wal_and_shm_are_0600_while_keyward_holds_the_vault_open_under_umask_000() {
    let mut env = TestEnv::new();
    init_with_umask_000(&mut env);
    env.set_secret("EXISTING", "x"); // the WAL has had content before

    // `secret set --stdin` opens (and reads) the vault, then waits for stdin: while it
    // waits, its -wal and -shm exist, created by a process with umask 000.
    let mut child = keyward_umask_000(&env)
        .args(["secret", "set", "HELD_OPEN", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wal = env.vault_dir().join("vault.db-wal");
    let shm = env.vault_dir().join("vault.db-shm");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(wal.exists() && shm.exists()) {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("keyward never created vault.db-wal and vault.db-shm");
        }
        thread::sleep(Duration::from_millis(10));
    }
    let names = assert_private_folder(&env.vault_dir());
    assert!(
        names.contains(&"vault.db-wal".to_owned()) && names.contains(&"vault.db-shm".to_owned()),
        "{names:?}"
    );

    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"held-value").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_private_folder(&env.vault_dir());
    assert_eq!(env.get_secret("HELD_OPEN"), "held-value");
}

#[test]
fn every_folder_init_creates_is_0700_under_umask_000() {
    let env = TestEnv::new();
    let vault = env.root().join("a/b/c/vault.db");
    let out = run_no_stdin(keyward_umask_000(&env).env("KEYWARD_VAULT", &vault).args([
        "init",
        "--backend",
        "env",
    ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for dir in ["a", "a/b", "a/b/c"] {
        assert_eq!(mode(&env.root().join(dir)), 0o700, "{dir}");
    }
    assert_eq!(mode(&vault), 0o600);
}

/// A vault file others can read still works, but keyward says so and how to fix it.
#[test]
fn a_vault_readable_by_others_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let env = crate::common::TestEnv::with_vault();
    std::fs::set_permissions(env.vault(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.cmd().args(["secret", "list"]).assert().success();
    let stderr = crate::common::stderr_of(&out);
    assert!(
        stderr.contains("mode 644") && stderr.contains("chmod 600"),
        "{stderr}"
    );
}
