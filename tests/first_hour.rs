//! "A newcomer's first hour": what someone trying keyward for the first time meets at a
//! terminal, driven through a pseudo-terminal as they would type it.

use crate::common::term::{Term, sh_quote};
use crate::common::{TestEnv, keyward_bin};

fn keyward_line(args: &[&str]) -> String {
    let mut line = sh_quote(keyward_bin().to_str().unwrap());
    for arg in args {
        line.push(' ');
        line.push_str(&sh_quote(arg));
    }
    line
}

/// A package requesting REQ_KEY and the optional OPT_KEY.
fn optional_key_package(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.package_path("opt");
    crate::common::write_manifest(
        &dir,
        serde_json::json!({
            "name": "opt-pkg", "version": "1",
            "keys": ["REQ_KEY", {"name": "OPT_KEY", "optional": true}],
            "run": ["sh", "./run.sh"],
        })
        .to_string(),
    );
    std::fs::write(dir.join("run.sh"), "echo hi\n").unwrap();
    dir
}

#[test]
fn install_empty_answer_skips_an_optional_key_instead_of_asking_again() {
    let env = TestEnv::with_vault();
    let dir = optional_key_package(&env);
    let mut term = Term::spawn(
        &env,
        &keyward_line(&["install", dir.to_str().unwrap()]),
        &[],
    );
    term.expect("Approve keys for opt-pkg");
    // Down to OPT_KEY, select it, confirm.
    term.send("\x1b[B");
    term.send(" ");
    term.send("\r");
    term.expect("Value for OPT_KEY (empty to skip)");
    term.send("\r");
    term.expect("Value for REQ_KEY (empty to skip)");
    term.send("\r");
    let (status, screen) = term.finish();
    assert_eq!(status, 0, "{screen}");
    assert_eq!(
        screen
            .matches("Value for OPT_KEY (empty to skip): [hidden]")
            .count(),
        1,
        "asked twice: {screen}"
    );
    assert!(screen.contains("Approved: REQ_KEY, OPT_KEY"), "{screen}");
    assert!(screen.contains("No value for REQ_KEY yet"), "{screen}");
    assert!(env.secret_names().is_empty());
}

#[test]
fn secret_set_at_a_terminal_says_why_an_empty_value_is_refused() {
    let env = TestEnv::with_vault();
    let mut term = Term::spawn(&env, &keyward_line(&["secret", "set", "EMPTY_KEY"]), &[]);
    term.expect("Value for EMPTY_KEY");
    term.send("\r");
    let (status, screen) = term.finish();
    assert_eq!(status, 1, "{screen}");
    assert!(screen.contains("error[empty-value]"), "{screen}");
    assert!(screen.contains("nothing was typed"), "{screen}");
    assert_eq!(
        screen.matches("Value for EMPTY_KEY: [hidden]").count(),
        1,
        "{screen}"
    );
    assert!(env.secret_names().is_empty());
}

// ---- item 2: config export -o FILE [PACKAGE…] ------------------------------------

#[test]
fn config_export_to_a_file_writes_paths_relative_to_it_that_apply_reads_back() {
    let env = TestEnv::with_vault();
    env.set_secret("A_KEY", "value-of-a");
    let proj = std::fs::canonicalize(env.root()).unwrap().join("proj");
    crate::common::write_package(&proj.join("tools/a"), "pkg-a", &["A_KEY"]);
    crate::common::write_package(&proj.join("tools/b"), "pkg-b", &["A_KEY"]);
    for dir in ["tools/a", "tools/b"] {
        env.cmd()
            .args([
                "install",
                proj.join(dir).to_str().unwrap(),
                "--approve",
                "A_KEY",
            ])
            .assert()
            .success();
    }
    std::fs::create_dir_all(proj.join("ci")).unwrap();
    let elsewhere = env.root().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    // From a third folder, only pkg-a, into proj/ci/keyward.json.
    let out = env
        .cmd()
        .current_dir(&elsewhere)
        .args(["config", "export", "-o"])
        .arg(proj.join("ci/keyward.json"))
        .arg("pkg-a")
        .assert()
        .success();
    assert!(crate::common::stdout_of(&out).is_empty());
    assert!(
        crate::common::stderr_of(&out).contains("relative to its folder"),
        "{}",
        crate::common::stderr_of(&out)
    );
    let file = proj.join("ci/keyward.json");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(doc["pkg-a"]["path"], "../tools/a", "{doc}");
    assert_eq!(doc["pkg-a"]["keys"], serde_json::json!(["A_KEY"]));
    assert!(doc.get("pkg-b").is_none(), "only the named package: {doc}");

    // A fresh vault applies that file from yet another folder.
    let fresh = TestEnv::with_vault();
    fresh.set_secret("A_KEY", "value-of-a");
    fresh
        .cmd()
        .current_dir(&elsewhere)
        .args(["config", "apply"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(
        crate::common::key_approvals(&fresh.inspect_json("pkg-a")),
        [("A_KEY".to_owned(), true)]
    );

    // An unknown package is not found; nothing is written.
    env.cmd()
        .args(["config", "export", "-o"])
        .arg(proj.join("ci/other.json"))
        .arg("pkg-zzz")
        .assert()
        .code(4);
    assert!(!proj.join("ci/other.json").exists());
}

// ---- item 10, 11, 12: JSON documents and errors -----------------------------------

#[test]
fn json_usage_error_names_the_missing_argument_and_the_subcommand_help() {
    let out = TestEnv::new()
        .cmd()
        .args(["--json", "install"])
        .assert()
        .code(2);
    let err: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("<PATH>"), "{err}");
    let hints = err["error"]["hints"].to_string();
    assert!(hints.contains("keyward install --help"), "{err}");
}

#[test]
fn config_apply_json_lists_missing_values_as_status_does() {
    let env = TestEnv::with_vault();
    let proj = env.root().join("proj");
    crate::common::write_package(&proj.join("tools/a"), "pkg-a", &["A_KEY"]);
    std::fs::write(
        proj.join("keyward.json"),
        r#"{"pkg-a": {"keys": ["A_KEY"], "path": "tools/a"}}"#,
    )
    .unwrap();
    let applied = env.json(&[
        "config",
        "apply",
        proj.join("keyward.json").to_str().unwrap(),
    ]);
    let status = env.json(&["status"]);
    let expected = serde_json::json!([{"package": "pkg-a", "key": "A_KEY"}]);
    assert_eq!(applied["missing_values"], expected, "{applied}");
    assert_eq!(status["missing_values"], expected, "{status}");
}

#[test]
fn every_json_document_on_stdout_is_pretty_printed_and_errors_are_one_line() {
    let env = TestEnv::with_vault();
    env.set_secret("A_KEY", "value-of-a");
    for args in [
        &["secret", "get", "A_KEY"][..],
        &["secret", "list"],
        &["status"],
    ] {
        let out = env.cmd().arg("--json").args(args).assert().success();
        let text = crate::common::stdout_of(&out);
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
        assert!(
            text.starts_with("{\n  \"") && text.trim_end().ends_with("\n}"),
            "{args:?} is not pretty-printed: {text}"
        );
    }
    let out = env
        .cmd()
        .args(["--json", "secret", "get", "NO_SUCH_KEY"])
        .assert()
        .code(4);
    let text = crate::common::stderr_of(&out);
    assert_eq!(text.trim_end().lines().count(), 1, "{text}");
    serde_json::from_str::<serde_json::Value>(&text).unwrap();
}

// ---- item 4: re-approval pre-selects what was approved before -----------------------

#[test]
fn reinstall_after_a_change_preselects_the_optional_keys_approved_before() {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_KEY", "value-of-req");
    let dir = optional_key_package(&env);
    let path = dir.to_str().unwrap();
    env.cmd()
        .args([
            "install",
            path,
            "--approve",
            "REQ_KEY",
            "--approve",
            "OPT_KEY",
        ])
        .assert()
        .success();
    std::fs::write(dir.join("run.sh"), "echo changed\n").unwrap();
    // run finds the change and revokes every grant (the audit log keeps their names).
    env.cmd().args(["run", "opt-pkg"]).assert().code(125);
    assert!(env.granted_pairs().is_empty());

    let mut term = Term::spawn(&env, &keyward_line(&["install", path]), &[]);
    term.expect("Approve keys for opt-pkg");
    term.expect("[x] OPT_KEY (optional)");
    term.send("\r");
    term.expect("Value for OPT_KEY (empty to skip)");
    term.send("\r");
    let (status, screen) = term.finish();
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("Approved: REQ_KEY, OPT_KEY"), "{screen}");
    assert_eq!(
        crate::common::key_approvals(&env.inspect_json("opt-pkg")),
        [("REQ_KEY".to_owned(), true), ("OPT_KEY".to_owned(), true)]
    );
}

#[test]
fn first_install_preselects_only_required_keys() {
    let env = TestEnv::with_vault();
    let dir = optional_key_package(&env);
    let mut term = Term::spawn(
        &env,
        &keyward_line(&["install", dir.to_str().unwrap()]),
        &[],
    );
    term.expect("[x] REQ_KEY");
    term.expect("[ ] OPT_KEY (optional)");
    term.send("\r");
    term.expect("Value for REQ_KEY (empty to skip)");
    term.send("\r");
    let (status, screen) = term.finish();
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("Approved: REQ_KEY\r\n"), "{screen}");
}

// ---- item 5: re-install and run say one true thing ----------------------------------

#[test]
fn installing_a_copy_of_the_same_folder_says_it_moved_and_nothing_about_a_change() {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_KEY", "value-of-req");
    let dir = optional_key_package(&env);
    env.cmd()
        .args(["install", dir.to_str().unwrap(), "--approve", "REQ_KEY"])
        .assert()
        .success();
    let copy = env.package_path("copy");
    let copied = std::process::Command::new("cp")
        .arg("-R")
        .arg(&dir)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(copied.success());
    let out = env
        .cmd()
        .args(["install", copy.to_str().unwrap(), "--yes"])
        .assert()
        .success();
    let text = crate::common::stderr_of(&out);
    assert!(text.contains("This is a different folder"), "{text}");
    assert!(text.contains("identical to the pinned code"), "{text}");
    for wrong in [
        "revoked when its code changed",
        "matches the pin",
        "Changed since",
    ] {
        assert!(!text.contains(wrong), "`{wrong}` is not true here:\n{text}");
    }
}

#[test]
fn run_of_a_revoked_package_says_what_happened_and_what_to_do() {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_KEY", "value-of-req");
    let dir = optional_key_package(&env);
    env.cmd()
        .args(["install", dir.to_str().unwrap(), "--approve", "REQ_KEY"])
        .assert()
        .success();
    std::fs::write(dir.join("run.sh"), "echo changed\n").unwrap();
    env.cmd().args(["run", "opt-pkg"]).assert().code(125);
    // The second run finds it already revoked.
    let out = env.cmd().args(["run", "opt-pkg"]).assert().code(125);
    let text = crate::common::stderr_of(&out);
    assert!(!text.contains("defunct"), "{text}");
    assert!(text.contains("error[package-changed]"), "{text}");
    assert!(
        text.contains("its code changed after you approved it"),
        "{text}"
    );
    assert!(text.contains("keyward inspect opt-pkg --diff"), "{text}");
    assert!(text.contains("keyward install "), "{text}");
}

// ---- item 17: next steps after init and install --------------------------------------

#[test]
fn init_and_install_print_the_next_step_and_the_state_after_approve() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["init", "--backend", "env"])
        .assert()
        .success();
    let text = crate::common::stderr_of(&out);
    assert!(text.contains("keyward secret set"), "{text}");
    assert!(text.contains("keyward install PATH"), "{text}");
    let key = crate::common::stdout_of(&out);
    let run = |args: &[&str]| {
        let mut cmd = env.cmd();
        cmd.env("KEYWARD_MASTER_KEY", &key).args(args);
        cmd
    };
    run(&["secret", "set", "REQ_KEY", "--stdin"])
        .write_stdin("value-of-req")
        .assert()
        .success();
    let dir = optional_key_package(&env);
    let out = run(&["install", dir.to_str().unwrap(), "--approve", "REQ_KEY"])
        .assert()
        .success();
    let text = crate::common::stderr_of(&out);
    let table = text
        .split("after this install:")
        .nth(1)
        .expect("the table is the state after the install")
        .split("Approved:")
        .next()
        .unwrap();
    let req = table.lines().find(|l| l.starts_with("REQ_KEY")).unwrap();
    assert!(
        req.contains(" approved ") && !req.contains("not approved"),
        "{text}"
    );
    assert!(text.contains("Run it: keyward run opt-pkg"), "{text}");
}

// ---- item 14: wrong-case and near-miss names get a suggestion -----------------------

#[test]
fn wrong_case_and_misspelt_names_get_the_near_match() {
    let env = TestEnv::with_vault();
    env.set_secret("STRIPE_SECRET_KEY", "sk_test_value_1234");
    let dir = env.package_path("hello");
    crate::common::write_package(&dir, "@example/hello-keys", &["STRIPE_SECRET_KEY"]);
    env.cmd()
        .args(["install", dir.to_str().unwrap(), "--yes"])
        .assert()
        .success();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["secret", "set", "stripe_secret_key", "--stdin"],
            2,
            "did you mean STRIPE_SECRET_KEY?",
        ),
        (
            &["secret", "get", "STRIPE_SECRT_KEY"],
            4,
            "did you mean STRIPE_SECRET_KEY?",
        ),
        (
            &["approve", "@example/hello-keys", "stripe_secret_key"],
            5,
            "did you mean STRIPE_SECRET_KEY?",
        ),
        (
            &["run", "@Example/Hello-Keys"],
            125,
            "did you mean @example/hello-keys?",
        ),
        (
            &["inspect", "@example/hello-key"],
            4,
            "did you mean @example/hello-keys?",
        ),
    ];
    for (args, code, hint) in cases {
        let out = env.cmd().args(*args).write_stdin("v").assert().code(*code);
        let text = crate::common::stderr_of(&out);
        assert!(text.contains(hint), "{args:?}: {text}");
        assert!(
            !text.contains("PYTHONPATH"),
            "{args:?} lists the reserved names: {text}"
        );
    }
    // A pasted value is never echoed back, upper-cased or not.
    let out = env
        .cmd()
        .args(["secret", "set", "sk_live_51HxYzAbCdEf0123", "--stdin"])
        .write_stdin("v")
        .assert()
        .code(2);
    let text = crate::common::stderr_of(&out).to_lowercase();
    assert!(!text.contains("51hxyzabcdef0123"), "{text}");
}

// ---- item 19: a value too short to mask is warned about at once ---------------------

#[test]
fn secret_set_warns_that_a_short_value_is_not_masked() {
    let env = TestEnv::with_vault();
    let out = env
        .cmd()
        .args(["secret", "set", "SHORT_KEY", "--stdin"])
        .write_stdin("abc")
        .assert()
        .success();
    let text = crate::common::stderr_of(&out);
    assert!(
        text.contains("warning: SHORT_KEY is only 3 byte(s) long"),
        "{text}"
    );
    assert!(text.contains("not masked"), "{text}");
    let out = env
        .cmd()
        .args(["secret", "set", "LONG_KEY", "--stdin"])
        .write_stdin("abcd")
        .assert()
        .success();
    assert!(!crate::common::stderr_of(&out).contains("warning"));
}

// ---- item 7: keyring failures are told apart ----------------------------------------

#[test]
fn no_dbus_is_named_once_and_says_what_to_do() {
    let env = TestEnv::new();
    let out = crate::keyring::no_keyring_cmd(&env)
        .arg("init")
        .assert()
        .code(3);
    let text = crate::common::stderr_of(&out);
    assert!(text.contains("error[no-dbus]"), "{text}");
    assert!(text.contains("no D-Bus session bus"), "{text}");
    assert_eq!(
        text.matches("Failed to connect").count(),
        1,
        "repeated: {text}"
    );
    assert!(text.contains("--backend passphrase"), "{text}");
    assert!(!env.vault().exists());
}

#[test]
fn a_secret_service_without_an_unlocked_keyring_is_not_called_missing() {
    let env = TestEnv::new();
    // A private session bus: the Secret Service is started on demand, with no keyring.
    let mut cmd = env.std_cmd("dbus-run-session");
    cmd.arg("--").arg(keyward_bin()).arg("init");
    let out = crate::common::run_no_stdin(&mut cmd);
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("error[keyring-locked]"), "{text}");
    assert!(text.contains("no unlocked keyring"), "{text}");
    assert!(!text.contains("start a Secret Service"), "one runs: {text}");
    assert!(!env.vault().exists());
}

// ---- item 9: distinct failures have distinct codes ----------------------------------

#[test]
fn distinct_failures_have_their_own_codes_and_hints() {
    let env = TestEnv::with_vault();
    let proj = env.root().join("proj");
    crate::common::write_package(&proj.join("tools/a"), "pkg-a", &[]);
    std::fs::write(
        proj.join("keyward.json"),
        r#"{"pkg-a": {"version": "9.9.9", "keys": [], "path": "tools/a"}}"#,
    )
    .unwrap();
    let out = env
        .cmd()
        .args([
            "config",
            "apply",
            proj.join("keyward.json").to_str().unwrap(),
        ])
        .assert()
        .code(1);
    let text = crate::common::stderr_of(&out);
    assert!(text.contains("error[version-mismatch]"), "{text}");
    assert!(text.contains("hint:"), "{text}");

    let fresh = TestEnv::new();
    let out = fresh
        .cmd()
        .env("KEYWARD_PASSPHRASE", "short")
        .args(["init", "--backend", "passphrase"])
        .assert()
        .code(1);
    assert!(crate::common::stderr_of(&out).contains("error[short-passphrase]"));

    let empty = env.root().join("no-manifest");
    std::fs::create_dir_all(&empty).unwrap();
    let out = env
        .cmd()
        .args(["install", empty.to_str().unwrap(), "--yes"])
        .assert()
        .failure();
    assert!(crate::common::stderr_of(&out).contains("error[no-manifest]"));
}

// ---- item 18: states are coloured on terminals only ---------------------------------

#[test]
fn states_are_coloured_on_a_terminal_and_with_clicolor_force_only() {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_KEY", "value-of-req");
    let ready = env.package_path("ready");
    crate::common::write_package(&ready, "pkg-ready", &["REQ_KEY"]);
    let waiting = env.package_path("waiting");
    crate::common::write_package(&waiting, "pkg-waiting", &["REQ_KEY"]);
    env.cmd()
        .args(["install", ready.to_str().unwrap(), "--approve", "REQ_KEY"])
        .assert()
        .success();
    env.cmd()
        .args(["install", waiting.to_str().unwrap(), "--yes"])
        .assert()
        .success();

    // On a terminal, colour (no NO_COLOR).
    let mut cmd = env.std_cmd("script");
    let line = keyward_line(&["list"]);
    cmd.args(["-qfec", &line, "/dev/null"]).env("TERM", "xterm");
    let (status, screen) = Term::start(cmd, &line).finish();
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("\x1b[32mready\x1b[0m"), "{screen:?}");
    assert!(
        screen.contains("\x1b[33mneeds approval\x1b[0m"),
        "{screen:?}"
    );

    // NO_COLOR on a terminal: none.
    let (_, screen) = Term::spawn(&env, &line, &[]).finish();
    assert!(!screen.contains('\x1b'), "{screen:?}");

    // Piped: none, unless CLICOLOR_FORCE.
    let out = env.cmd().arg("list").assert().success();
    assert!(!crate::common::stdout_of(&out).contains('\x1b'));
    let out = env
        .cmd()
        .env("CLICOLOR_FORCE", "1")
        .arg("status")
        .assert()
        .success();
    let text = crate::common::stdout_of(&out);
    assert!(
        text.contains("\x1b[33mRequested keys not approved"),
        "{text:?}"
    );
    let out = env
        .cmd()
        .env("CLICOLOR_FORCE", "1")
        .args(["--color", "never", "list"])
        .assert()
        .success();
    assert!(!crate::common::stdout_of(&out).contains('\x1b'));
}

// ---- item 21: man pages -------------------------------------------------------------

#[test]
fn man_pages_name_once_keep_their_columns_and_point_nowhere_missing() {
    let pages = keyward::generate::man_pages();
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for (name, page) in &pages {
        let text = String::from_utf8_lossy(page);
        assert!(
            !text.contains("\\- keyward:"),
            "{name}: NAME repeats keyward"
        );
        assert!(!text.contains(".SH EXTRA"), "{name}: groff re-flows EXTRA");
        assert!(
            !text.contains("See `man keyward`"),
            "{name} points at itself"
        );
        for line in text
            .lines()
            .filter(|l| l.starts_with("keyward\\-") && l.ends_with("(1)"))
        {
            let target = format!("{}.1", line.trim_end_matches("(1)").replace("\\-", "-"));
            assert!(
                names.contains(&target.as_str()),
                "{name} lists {line}, which does not exist"
            );
        }
    }
    let root = String::from_utf8_lossy(&pages[0].1).into_owned();
    assert!(root.contains(".SH NOTES\n.nf\nStart here:"), "{root}");
}

// ---- items 6, 13, 20, 22, 24: what the README and scripts promise ----------------------

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("read {path}: {e}"))
}

#[test]
fn readme_warns_before_the_quickstart_and_installs_as_a_newcomer_needs() {
    let readme = repo_file("README.md");
    let quickstart = readme.split("## Quickstart").nth(1).unwrap();
    let before_block = quickstart.split("```sh").next().unwrap();
    for needed in [
        "Secret Service",
        "SSH",
        "--backend passphrase",
        "scripts/keyring-session bash",
        "--backend env",
    ] {
        assert!(
            before_block.contains(needed),
            "the warning lacks `{needed}`"
        );
    }
    assert!(readme.contains("cargo install --locked --path ."));
    assert!(readme.contains("~/.cargo/bin"));
    assert!(readme.contains("man/*.1"));
    assert!(readme.contains("bash-completion` package"));
    let mkdir = readme
        .find("mkdir -p ~/.local/share/bash-completion/completions")
        .expect("mkdir -p before the completion line");
    let line = readme
        .find("keyward completions bash > ~/.local/share/bash-completion/completions/keyward")
        .unwrap();
    assert!(mkdir < line);
    // Exit status 6 says which commands return it; run's usage errors are 125.
    let exit = readme.split("### Exit codes").nth(1).unwrap();
    assert!(
        exit.contains("| 6 | package changed (grants revoked): `approve`"),
        "{exit}"
    );
    assert!(
        exit.contains("usage errors") && exit.contains("125 as well"),
        "{exit}"
    );
    // The keyring tests' skip is no longer claimed to be silent.
    assert!(readme.contains("KEYWARD_SKIP_KEYRING_TESTS=1"));
    assert!(!readme.contains("Plain `cargo test` also passes"));
}

#[test]
fn scripts_demo_shows_cargos_progress() {
    let demo = repo_file("scripts/demo");
    let build = demo
        .lines()
        .find(|l| l.starts_with("cargo build"))
        .expect("demo builds");
    assert!(
        !build.contains("--quiet") && !build.contains(" -q"),
        "{build}"
    );
    assert!(demo.contains("echo \"==> building keyward"));
}
