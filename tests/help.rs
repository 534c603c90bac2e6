//! `--help` teaches: every command and subcommand exits 0 and shows an example, and a
//! bare `keyward` says where to start.

use clap::CommandFactory;

use crate::common::TestEnv;

/// Every visible command path: `["init"]`, `["secret", "set"]`, …
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd
            .get_subcommands()
            .filter(|s| s.get_name() != "help" && !s.is_hide_set())
        {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_owned());
            out.push(path.clone());
            walk(sub, &path, out);
        }
    }
    let mut out = Vec::new();
    walk(&keyward::cli::Cli::command(), &[], &mut out);
    out
}

#[test]
fn every_command_help_exits_0_and_shows_an_example() {
    let env = TestEnv::new();
    let paths = command_paths();
    assert!(paths.len() > 20, "expected every command, got {paths:?}");
    for path in paths {
        let out = env.cmd().args(&path).arg("--help").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "keyward {} --help failed",
            path.join(" ")
        );
        assert!(
            text.contains("Examples:\n  ") && text.contains("keyward"),
            "keyward {} --help shows no example:\n{text}",
            path.join(" ")
        );
    }
}

#[test]
fn bare_keyward_says_to_start_with_init() {
    let out = TestEnv::new().cmd().output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("keyward init"), "{text}");
    assert_eq!(out.status.code(), Some(2), "no command is a usage error");
}

#[test]
fn mistyped_command_suggests_the_right_one() {
    let out = TestEnv::new().cmd().arg("instal").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("install"));
}
