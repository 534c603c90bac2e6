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
