//! The README's CI and agent recipes, run as written (each ```sh block under its
//! heading, line after line in one `sh -e -v`, so the first failing line stops it and
//! is named), from a copy of the repository's `examples/`, with no terminal.

use std::path::Path;
use std::process::Command as StdCommand;

use crate::common::{PATH, TestEnv, keyward_bin, run_no_stdin};

/// The first ```sh block after `heading` in the README.
fn block(heading: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    readme
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("README has a `{heading}` section"))
        .split("```sh\n")
        .nth(1)
        .expect("a ```sh block")
        .split("```")
        .next()
        .unwrap()
        .to_owned()
}

/// A work folder holding a copy of `examples/`, as a checkout of the repository has.
fn work_with_examples(env: &TestEnv) -> std::path::PathBuf {
    let work = env.root().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let copied = StdCommand::new("cp")
        .args(["-R", concat!(env!("CARGO_MANIFEST_DIR"), "/examples")])
        .arg(&work)
        .status()
        .expect("run cp");
    assert!(copied.success());
    work
}

/// Runs `script` with `sh -e -v` (lines echoed as written, unexpanded) in `work`, keyward on PATH; (status, stdout, stderr).
fn run_script(
    env: &TestEnv,
    work: &Path,
    script: &str,
    vars: &[(&str, &str)],
) -> (i32, String, String) {
    let bin_dir = keyward_bin().parent().unwrap().to_path_buf();
    let mut cmd = env.std_cmd("sh");
    cmd.args(["-e", "-v", "-c", script])
        .current_dir(work)
        .env("PATH", format!("{}:{PATH}", bin_dir.display()));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = run_no_stdin(&mut cmd);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn readme_ci_recipe_works_as_written() {
    let env = TestEnv::new();
    let work = work_with_examples(&env);
    let runner_temp = env.root().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let script = block("## In CI");
    assert!(
        script.contains("keyward config apply examples/keyward.json"),
        "{script}"
    );
    let (status, stdout, stderr) = run_script(
        &env,
        &work,
        &script,
        &[
            ("RUNNER_TEMP", runner_temp.to_str().unwrap()),
            ("STRIPE_KEY", "sk_test_ci_recipe_4242"),
        ],
    );
    assert_eq!(status, 0, "the CI recipe failed:\n{stderr}\n{stdout}");
    assert!(
        stdout.contains("STRIPE_SECRET_KEY: given (22 bytes), value: <concealed by keyward>"),
        "{stdout}\n{stderr}"
    );
    assert!(
        !stdout.contains("sk_test_ci_recipe_4242") && !stderr.contains("sk_test_ci_recipe_4242"),
        "the value leaked:\n{stdout}\n{stderr}"
    );
    assert!(runner_temp.join("vault.db").exists());
}

#[test]
fn examples_keyward_json_pins_the_example_as_committed() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/keyward.json");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let entry = &doc["@example/hello-keys"];
    let dir = file.parent().unwrap().join(entry["path"].as_str().unwrap());
    assert_eq!(
        entry["sha256"].as_str().unwrap(),
        crate::common::kw1_digest(&dir),
        "examples/hello-keys changed: update the sha256 in examples/keyward.json"
    );
}

#[test]
fn readme_agent_recipe_works_as_written() {
    let env = TestEnv::with_vault();
    let work = work_with_examples(&env);
    let script = block("## For agents");
    let (status, stdout, stderr) = run_script(
        &env,
        &work,
        &script,
        &[("OPENAI_API_KEY", "sk-agent-recipe-value-0042")],
    );
    assert_eq!(status, 0, "the agent recipe failed:\n{stderr}\n{stdout}");
    assert!(
        stdout.contains("OPENAI_API_KEY: given (26 bytes)"),
        "{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("summary: 3 word(s): three short words"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("sk-agent-recipe-value-0042"),
        "the value leaked:\n{stdout}"
    );
    // The token's run is in the agent keychain's log.
    let log = env.json(&["-k", "agent", "log"]);
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"run"), "{actions:?}");
}
