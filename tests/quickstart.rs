//! The README's quickstart, followed line by line as a new user would: on a terminal
//! (`script` gives each command one), answering the prompts, in a fresh vault whose
//! master key goes to the real Secret Service, with the package from `examples/`.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use crate::common::{PATH, TestEnv, keyward_bin};
use crate::keyring::keyring_session;

/// The commands of the first ```sh block under `## Quickstart`, comments removed.
fn quickstart_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let section = readme
        .split("## Quickstart")
        .nth(1)
        .expect("README has a Quickstart section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .expect("a ```sh block")
        .split("```")
        .next()
        .unwrap();
    block
        .lines()
        .map(|l| l.split("  #").next().unwrap().trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// What each step must do: (line starts with, exit status, text the output must hold,
/// keystrokes for its prompts).
const STEPS: &[(&str, i32, &str, &str)] = &[
    ("keyward init", 0, "OS keyring", ""),
    (
        "keyward secret set STRIPE_SECRET_KEY",
        0,
        "Stored STRIPE_SECRET_KEY",
        "sk_test_quickstart_4242\r",
    ),
    (
        "mkdir -p ~/keyward-try && cp -R examples/hello-keys",
        0,
        "",
        "",
    ),
    (
        "keyward install ~/keyward-try/hello-keys",
        0,
        "Approved: STRIPE_SECRET_KEY",
        "\r",
    ),
    (
        "keyward run @example/hello-keys",
        0,
        "STRIPE_SECRET_KEY: given (23 bytes), value: <concealed by keyward>",
        "",
    ),
    ("echo", 0, "", ""),
    (
        "keyward run @example/hello-keys",
        125,
        "error[package-changed]",
        "",
    ),
    (
        "keyward status",
        0,
        "revoked because their code changed",
        "",
    ),
    (
        "keyward inspect @example/hello-keys --diff",
        0,
        "~ hello.sh",
        "",
    ),
    (
        "keyward install ~/keyward-try/hello-keys",
        0,
        "~ hello.sh",
        "\r",
    ),
];

#[test]
fn readme_quickstart_works_as_written() {
    let Some((_guard, session)) = keyring_session() else {
        return;
    };
    let lines = quickstart_lines();
    assert_eq!(
        lines.len(),
        STEPS.len(),
        "the quickstart changed; update STEPS: {lines:#?}"
    );
    let env = TestEnv::new();
    let work = env.root().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let copied = StdCommand::new("cp")
        .args(["-R", concat!(env!("CARGO_MANIFEST_DIR"), "/examples")])
        .arg(&work)
        .status()
        .expect("run cp");
    assert!(copied.success());
    let tracked = crate::common::dir_snapshot(&work.join("examples/hello-keys"));
    let bin_dir = keyward_bin().parent().unwrap().to_path_buf();
    for (line, (start, code, expect, keys)) in lines.iter().zip(STEPS) {
        assert!(
            line.starts_with(start),
            "step `{line}` should start with `{start}`"
        );
        let mut cmd = StdCommand::new("script");
        cmd.args(["-qefc", line, "/dev/null"])
            .current_dir(&work)
            .env_clear();
        for (k, v) in env.base_env() {
            cmd.env(k, v);
        }
        // NO_COLOR: the expected texts are plain; a terminal would otherwise get colour.
        cmd.env("NO_COLOR", "1");
        cmd.env("PATH", format!("{}:{PATH}", bin_dir.display()))
            .env("TERM", "dumb");
        for (k, v) in &session {
            cmd.env(k, v);
        }
        let out = type_into(cmd, keys);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(*code),
            "`{line}` exit status; output:\n{text}"
        );
        assert!(
            text.contains(expect),
            "`{line}` should print `{expect}`; output:\n{text}"
        );
        assert!(
            !text.contains("sk_test_quickstart_4242"),
            "`{line}` showed the secret:\n{text}"
        );
    }
    // The quickstart edits a scratch copy, never the repository's tracked example.
    assert_eq!(
        crate::common::dir_snapshot(&work.join("examples/hello-keys")),
        tracked,
        "the quickstart changed files under examples/"
    );
}

/// Runs `cmd` (a `script` wrapper), typing `keys` after its prompt appears.
fn type_into(mut cmd: StdCommand, keys: &str) -> std::process::Output {
    use std::io::Write;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run script(1)");
    let mut stdin = child.stdin.take().unwrap();
    // Give the prompt time to draw: keystrokes typed before it starts are still read,
    // but dialoguer clears pending input on some terminals.
    std::thread::sleep(std::time::Duration::from_millis(if keys.is_empty() {
        0
    } else {
        700
    }));
    let _ = stdin.write_all(keys.as_bytes());
    // Keep stdin open until the command ends: script(1) would send EOF to the prompt.
    let out = child.wait_with_output().expect("wait for script(1)");
    drop(stdin);
    out
}
