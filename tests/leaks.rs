//! A canary secret value must never show up where it does not belong: in the stdout or
//! stderr of any command but `secret get`, in error messages, in `-v` output, in the
//! argv of any process, or in plaintext in the vault folder.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crate::common::{TestEnv, stderr_of, stdout_of};

/// The value stored in the vault. Built at run time so that the test binary's own
/// argv can never contain it.
fn canary() -> String {
    ["CANARY", "7f3a9c", "value"].join("-")
}

/// A value typed (wrongly) as an argument: it is in that one process's argv by the
/// user's mistake, and must not be echoed back.
fn typed_canary() -> String {
    ["CANARY", "7f3a9c", "typed"].join("-")
}

/// Watches the argv of every process on the machine (`/proc/*/cmdline`) until stopped,
/// collecting any that contains `needle`.
struct ArgvWatcher {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<(usize, Vec<String>)>,
}

impl ArgvWatcher {
    fn start(needle: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::spawn(move || {
            let mut scans = 0;
            let mut seen = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                for entry in fs::read_dir("/proc").expect("read /proc").flatten() {
                    let Ok(raw) = fs::read(entry.path().join("cmdline")) else {
                        continue;
                    };
                    let argv = String::from_utf8_lossy(&raw).replace('\0', " ");
                    if argv.contains(&needle) {
                        seen.push(argv);
                    }
                }
                scans += 1;
                thread::sleep(Duration::from_millis(1));
            }
            (scans, seen)
        });
        ArgvWatcher { stop, handle }
    }

    /// Stops watching; fails the test if any argv held the needle.
    fn assert_never_seen(self) {
        self.stop.store(true, Ordering::Relaxed);
        let (scans, seen) = self.handle.join().expect("the watcher thread");
        assert!(scans > 0, "the watcher never scanned /proc");
        assert!(
            seen.is_empty(),
            "a process had the canary in its argv: {seen:?}"
        );
    }
}

/// Runs `args` and asserts the canary is in neither stdout nor stderr.
fn assert_no_canary(env: &TestEnv, args: &[&str]) {
    let assert = env.cmd().args(args).assert();
    let (stdout, stderr) = (stdout_of(&assert), stderr_of(&assert));
    for needle in [canary(), typed_canary()] {
        assert!(
            !stdout.contains(&needle),
            "{args:?} stdout leaks it: {stdout}"
        );
        assert!(
            !stderr.contains(&needle),
            "{args:?} stderr leaks it: {stderr}"
        );
    }
}

#[test]
fn canary_value_never_appears_in_output_errors_or_any_argv() {
    let watcher = ArgvWatcher::start(canary());
    let env = TestEnv::with_vault();
    // Stored through stdin, with -v: the value reaches keyward only through the pipe.
    let set = env
        .cmd()
        .args(["-v", "secret", "set", "CANARY_KEY", "--stdin"])
        .write_stdin(canary())
        .assert()
        .success();
    assert!(!stdout_of(&set).contains(&canary()) && !stderr_of(&set).contains(&canary()));
    env.cmd()
        .args([
            "-v",
            "secret",
            "set",
            "CANARY_FROM_ENV",
            "--from-env",
            "CANARY_SOURCE",
        ])
        .env("CANARY_SOURCE", canary())
        .assert()
        .success();
    env.create_keychain("ci");
    env.set_secret("OTHER_KEY", "other-value");

    for args in [
        &["secret", "list"][..],
        &["-v", "secret", "list"],
        &["--json", "secret", "list"],
        &["-v", "--json", "secret", "list"],
        &["keychain", "list"],
        &["-v", "keychain", "list"],
        &["--json", "keychain", "list"],
        &["-v", "keychain", "create", "more"],
        &["-v", "keychain", "token", "ci", "--rotate"],
        // errors: a missing secret, a wrong name, a missing keychain, a denied action
        &["secret", "get", "MISSING_KEY"],
        &["-v", "--json", "secret", "get", "MISSING_KEY"],
        &["secret", "get", "canary_key"],
        &["secret", "rm", "MISSING_KEY"],
        &["-k", "nope", "secret", "get", "CANARY_KEY"],
        &["-k", "ci", "secret", "get", "CANARY_KEY"],
        &["keychain", "rm", "ci"],
        &["secret", "set", "CANARY_KEY"],
        &["-v", "secret", "rm", "OTHER_KEY"],
    ] {
        assert_no_canary(&env, args);
    }

    // `secret get` prints the value on stdout (that is its job), never on stderr.
    let get = env
        .cmd()
        .args(["-v", "secret", "get", "CANARY_KEY"])
        .assert()
        .success();
    assert_eq!(stdout_of(&get), canary());
    assert!(!stderr_of(&get).contains(&canary()), "{}", stderr_of(&get));

    watcher.assert_never_seen();
}

#[test]
fn value_given_as_an_argument_is_refused_with_exit_2_and_not_echoed() {
    let env = TestEnv::with_vault();
    let typed = typed_canary();
    for args in [
        vec!["secret", "set", "TYPED_KEY", typed.as_str()],
        vec!["--json", "secret", "set", "TYPED_KEY", typed.as_str()],
        vec!["secret", "set", "TYPED_KEY", "--stdin", typed.as_str()],
        vec!["secret", "set", "TYPED_KEY", typed.as_str(), "--stdin"],
        vec!["-v", "secret", "set", "TYPED_KEY", "--", typed.as_str()],
    ] {
        let assert = env
            .cmd()
            .args(&args)
            .write_stdin("from-stdin")
            .assert()
            .code(2)
            .stdout("");
        let stderr = stderr_of(&assert);
        assert!(
            !stderr.contains(&typed),
            "{args:?} echoes the value: {stderr}"
        );
        assert!(
            stderr.contains("--stdin"),
            "says what to do instead: {stderr}"
        );
    }
    assert!(env.secret_names().is_empty(), "nothing was stored");
}

#[test]
fn token_holder_errors_do_not_leak_values() {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("ci");
    env.set_secret_in("ci", "CANARY_KEY", &canary());
    for args in [
        &["secret", "get", "CANARY_KEY"][..],
        &["--json", "secret", "get", "CANARY_KEY"],
        &["-v", "secret", "list"],
        &["--json", "secret", "list"],
    ] {
        let assert = env.token_cmd(&token).args(args).assert();
        assert!(!stdout_of(&assert).contains(&canary()), "{args:?}");
        assert!(!stderr_of(&assert).contains(&canary()), "{args:?}");
    }
}

#[test]
fn canary_is_not_in_plaintext_anywhere_in_the_vault_folder() {
    let env = TestEnv::with_vault();
    env.set_secret("CANARY_KEY", &canary());
    env.set_secret("CANARY_KEY", &canary()); // an older version must not linger either
    let needle = canary().into_bytes();
    for (name, bytes) in env.vault_dir_snapshot() {
        let found = bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!found, "{name} holds the canary in plaintext");
    }
}

#[test]
fn master_key_and_tokens_never_appear_on_stderr() {
    let mut env = TestEnv::new();
    let init = env
        .cmd()
        .args(["-v", "init", "--backend", "env"])
        .assert()
        .success();
    let key = stdout_of(&init);
    assert!(
        !stderr_of(&init).contains(&key),
        "init -v echoes the key on stderr"
    );
    env.set_master_key(key.clone());

    let create = env
        .cmd()
        .args(["-v", "keychain", "create", "ci"])
        .assert()
        .success();
    let token = stdout_of(&create).trim_end().to_owned();
    assert!(!stderr_of(&create).contains(&token));

    let mut runs = Vec::new();
    for args in [
        &["-v", "secret", "list"][..],
        &["-v", "--json", "secret", "get", "MISSING_KEY"],
        &["-v", "keychain", "token", "nope", "--rotate"],
    ] {
        runs.push(env.cmd().args(args).assert());
    }
    for args in [
        &["-v", "secret", "list"][..],
        &["-v", "secret", "get", "ANY_KEY"],
        &["-v", "-k", "default", "secret", "list"],
    ] {
        runs.push(env.token_cmd(&token).args(args).assert());
    }
    // A rotated-away token's error must not echo it either.
    env.cmd()
        .args(["keychain", "token", "ci", "--rotate"])
        .assert()
        .success();
    runs.push(
        env.token_cmd(&token)
            .args(["-v", "secret", "list"])
            .assert()
            .code(3),
    );

    for run in &runs {
        let stderr = stderr_of(run);
        assert!(
            !stderr.contains(&key),
            "stderr leaks the master key: {stderr}"
        );
        assert!(!stderr.contains(&token), "stderr leaks the token: {stderr}");
        assert!(
            !stdout_of(run).contains(&key),
            "stdout leaks the master key"
        );
    }
}

/// A value passed where keyward expects something else is never printed back: as
/// `--stdin=VALUE` (clap would echo it), as `--from-env VALUE` (a variable name was
/// expected), or as the name itself.
#[test]
fn misplaced_values_are_refused_without_being_echoed() {
    let env = TestEnv::with_vault();
    // Not the shared canary: this test puts its value in argv on purpose, and another
    // test watches every process's argv for the canary.
    let value = "sk_live_misplaced_7c1e9b2d".to_owned();
    let attempts: Vec<Vec<String>> = vec![
        vec![
            "secret".into(),
            "set".into(),
            "API_KEY".into(),
            format!("--stdin={value}"),
        ],
        vec![
            "secret".into(),
            "set".into(),
            "API_KEY".into(),
            "--from-env".into(),
            value.clone(),
        ],
        vec![
            "--json".into(),
            "secret".into(),
            "set".into(),
            "API_KEY".into(),
            format!("--bogus={value}"),
        ],
        vec![
            "secret".into(),
            "set".into(),
            value.clone(),
            "--stdin".into(),
        ],
    ];
    for args in attempts {
        let out = env.cmd().args(&args).write_stdin("x").assert().failure();
        let text = format!("{}{}", stdout_of(&out), stderr_of(&out));
        assert!(!text.contains(&value), "{args:?} echoed the value: {text}");
        assert!(
            !text.contains(&value[..8]),
            "{args:?} echoed part of the value: {text}"
        );
    }
}
