//! With no terminal, or with `--no-input`, anything that would prompt fails at once
//! with exit 5 naming the flag or variable that answers it. Every command here runs
//! with stdin at /dev/null and a timeout, so a prompt that blocks fails the test.

use std::path::Path;
use std::process::{Command as StdCommand, Output};

use crate::common::{TestEnv, keyward_bin, run_no_stdin};

const PASSPHRASE: &str = "correct horse battery staple";

/// `keyward ARGS` in `env`'s clean environment, stdin /dev/null, bounded in time.
fn run(env: &TestEnv, args: &[&str]) -> Output {
    run_no_stdin(env.std_cmd(keyward_bin()).args(args))
}

fn assert_denied_naming(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "exit 5 expected: {stderr}");
    assert!(stderr.contains(what), "the error names {what}: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
}

/// A vault made with `--backend passphrase` (KEYWARD_PASSPHRASE given at init only).
fn passphrase_vault() -> TestEnv {
    let env = TestEnv::new();
    env.cmd()
        .env("KEYWARD_PASSPHRASE", PASSPHRASE)
        .args(["init", "--backend", "passphrase"])
        .assert()
        .success();
    env
}

#[test]
fn secret_set_without_stdin_flag_and_no_terminal_exits_5_naming_stdin() {
    let env = TestEnv::with_vault();
    let out = run(&env, &["secret", "set", "PROMPTED_KEY"]);
    assert_denied_naming(&out, "--stdin");
    assert!(env.secret_names().is_empty());
}

#[test]
fn secret_set_with_no_input_flag_exits_5_naming_stdin() {
    let env = TestEnv::with_vault();
    let out = run(&env, &["--no-input", "secret", "set", "PROMPTED_KEY"]);
    assert_denied_naming(&out, "--stdin");
}

#[test]
fn keyward_no_input_1_in_the_environment_is_accepted_and_refuses_to_prompt() {
    let env = TestEnv::with_vault();
    let out = run_no_stdin(
        env.std_cmd(keyward_bin())
            .env("KEYWARD_NO_INPUT", "1")
            .args(["secret", "set", "PROMPTED_KEY"]),
    );
    assert_denied_naming(&out, "--stdin");
}

#[test]
fn init_passphrase_without_keyward_passphrase_exits_5_naming_it_and_creates_nothing() {
    let env = TestEnv::new();
    let out = run(&env, &["init", "--backend", "passphrase"]);
    assert_denied_naming(&out, "KEYWARD_PASSPHRASE");
    assert!(!env.vault().exists(), "no vault is left behind");
}

#[test]
fn passphrase_vault_unlock_without_keyward_passphrase_exits_5_naming_it() {
    let env = passphrase_vault();
    for args in [
        &["secret", "list"][..],
        &["--no-input", "secret", "list"],
        &["secret", "get", "ANY_KEY"],
    ] {
        let out = run(&env, args);
        assert_denied_naming(&out, "KEYWARD_PASSPHRASE");
    }
}

#[test]
fn keychain_rm_without_yes_exits_5_naming_yes_and_keeps_the_keychain() {
    let env = TestEnv::with_vault();
    env.create_keychain("ci");
    env.set_secret_in("ci", "CI_KEY", "v");
    for args in [
        &["keychain", "rm", "ci"][..],
        &["--no-input", "keychain", "rm", "ci"],
    ] {
        let out = run(&env, args);
        assert_denied_naming(&out, "--yes");
    }
    env.cmd()
        .args(["-k", "ci", "secret", "get", "CI_KEY"])
        .assert()
        .success()
        .stdout("v");
}

// ---- on a real terminal, --no-input still never prompts ----------------------------

/// Runs `keyward ARGS` on a pseudo-terminal made by `script(1)`, so stdin and stderr
/// are terminals; bounded in time like every other command.
fn run_on_a_terminal(env: &TestEnv, args: &[&str]) -> Output {
    let mut line = shell_quote(&keyward_bin());
    for arg in args {
        line.push(' ');
        line.push_str(&shell_quote(Path::new(arg)));
    }
    let mut cmd: StdCommand = env.std_cmd("script");
    cmd.args(["--quiet", "--return", "--command", &line, "/dev/null"]);
    run_no_stdin(&mut cmd)
}

fn shell_quote(text: &Path) -> String {
    format!("'{}'", text.to_str().unwrap().replace('\'', r"'\''"))
}

#[test]
fn no_input_flag_refuses_to_prompt_even_on_a_terminal() {
    let env = TestEnv::with_vault();
    let out = run_on_a_terminal(&env, &["--no-input", "secret", "set", "PROMPTED_KEY"]);
    // script(1) merges the child's stdout and stderr into its own stdout.
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(text.contains("--stdin"), "{text}");
    assert!(!text.contains("Value for"), "it prompted: {text}");

    let env = passphrase_vault();
    let out = run_on_a_terminal(&env, &["--no-input", "secret", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(text.contains("KEYWARD_PASSPHRASE"), "{text}");
}
