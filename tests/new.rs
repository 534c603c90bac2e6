//! `keyward new`: writes a manifest keyward's own `install` accepts (and a placeholder
//! run.sh for the default `run`), refuses to overwrite one, checks the flags by the
//! manifest's rules before writing anything, and needs no vault.

use std::fs;
use std::path::Path;

use serde_json::json;

use crate::common::pkg::REPLACEMENT;
use crate::common::{TestEnv, mode, stderr_of, stdout_of};

const MANIFEST: &str = "instant.package.json";

/// `keyward new` with no master key, run from the test's temp dir.
fn new_cmd(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.cmd_without_key();
    cmd.arg("new").current_dir(env.root());
    cmd
}

fn read_manifest(dir: &Path) -> serde_json::Value {
    let bytes = fs::read(dir.join(MANIFEST)).expect("the manifest was written");
    serde_json::from_slice(&bytes).expect("the manifest is JSON")
}

#[test]
fn new_writes_a_package_that_installs_and_runs() {
    let mut env = TestEnv::new();
    // The folder does not exist yet; its name becomes the package name.
    let dir = env.root().join("pkgs").join("Stripe Charge");
    let assert = new_cmd(&env)
        .arg(&dir)
        .args(["--key", "STRIPE_SECRET_KEY", "--key", "OPENAI_API_KEY"])
        .assert()
        .success()
        .stdout("");
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("instant.package.json: stripe-charge"),
        "{stderr}"
    );
    assert!(stderr.contains("Wrote"), "{stderr}");
    let install = format!("keyward install '{}'", dir.display());
    assert!(stderr.contains(&install), "{stderr}");
    assert!(stderr.contains("keyward run stripe-charge"), "{stderr}");
    assert_eq!(
        read_manifest(&dir),
        json!({
            "name": "stripe-charge",
            "version": "0.1.0",
            "keys": ["STRIPE_SECRET_KEY", "OPENAI_API_KEY"],
            "run": ["sh", "./run.sh"],
        })
    );
    assert_ne!(mode(&dir.join("run.sh")) & 0o100, 0, "run.sh is executable");
    assert!(!env.vault_dir().exists(), "new needs no vault");

    env.init_env_backend();
    let values = ["sk_live_new_test_value_1", "sk-openai-new-test-value-2"];
    env.set_secret("STRIPE_SECRET_KEY", values[0]);
    env.set_secret("OPENAI_API_KEY", values[1]);
    env.install(None, &dir, &["STRIPE_SECRET_KEY", "OPENAI_API_KEY"]);
    let assert = env.run_cmd(["stripe-charge"]).assert().success();
    let stdout = stdout_of(&assert);
    assert!(stdout.contains("hello from stripe-charge"), "{stdout}");
    assert!(stdout.contains("STRIPE_SECRET_KEY: given"), "{stdout}");
    assert!(stdout.contains("OPENAI_API_KEY: given"), "{stdout}");
    for value in values {
        assert!(!stdout.contains(value), "{stdout}");
    }
    // The placeholder prints names only: nothing needed masking.
    assert!(!stdout.contains(REPLACEMENT), "{stdout}");
}

#[test]
fn new_placeholder_says_which_keys_it_did_not_get() {
    let mut env = TestEnv::new();
    let dir = env.root().join("opt-tool");
    new_cmd(&env)
        .arg(&dir)
        .args(["--key", "NOT_APPROVED_KEY"])
        .assert()
        .success();
    // Make the key optional by hand, so run starts without it.
    let mut m = read_manifest(&dir);
    m["keys"] = json!([{"name": "NOT_APPROVED_KEY", "optional": true}]);
    fs::write(dir.join(MANIFEST), m.to_string()).unwrap();
    env.init_env_backend();
    env.install(None, &dir, &[]);
    let stdout = stdout_of(&env.run_cmd(["opt-tool"]).assert().success());
    assert!(stdout.contains("NOT_APPROVED_KEY: not given"), "{stdout}");
}

#[test]
fn new_without_keys_writes_a_package_that_runs() {
    let mut env = TestEnv::new();
    let dir = env.root().join("nokeys");
    new_cmd(&env).arg(&dir).assert().success();
    assert_eq!(read_manifest(&dir)["keys"], json!([]));
    env.init_env_backend();
    env.install(None, &dir, &[]);
    let stdout = stdout_of(&env.run_cmd(["nokeys"]).assert().success());
    assert!(stdout.contains("no keys requested"), "{stdout}");
}

#[test]
fn new_never_overwrites_a_manifest() {
    let env = TestEnv::new();
    let dir = env.root().join("taken");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(MANIFEST), "{\"mine\": true}").unwrap();
    for json in [false, true] {
        let mut cmd = new_cmd(&env);
        if json {
            cmd.arg("--json");
        }
        let assert = cmd
            .arg(&dir)
            .args(["--key", "A_KEY"])
            .assert()
            .code(1)
            .stdout("");
        let stderr = stderr_of(&assert);
        assert!(stderr.contains("already exists"), "{stderr}");
        assert!(stderr.contains("never overwrites"), "{stderr}");
        if json {
            let doc: serde_json::Value =
                serde_json::from_str(stderr.trim()).unwrap_or_else(|e| panic!("{e}: {stderr}"));
            assert_eq!(doc["error"]["code"], "manifest-exists", "{doc}");
        } else {
            assert!(stderr.contains("hint: "), "{stderr}");
        }
    }
    assert_eq!(fs::read(dir.join(MANIFEST)).unwrap(), b"{\"mine\": true}");
    assert!(!dir.join("run.sh").exists(), "nothing else was written");
}

#[test]
fn new_keeps_an_existing_run_sh() {
    let env = TestEnv::new();
    let dir = env.root().join("has-script");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("run.sh"), "echo mine\n").unwrap();
    let stderr = stderr_of(&new_cmd(&env).arg(&dir).assert().success());
    assert!(stderr.contains("Kept the existing"), "{stderr}");
    assert_eq!(fs::read(dir.join("run.sh")).unwrap(), b"echo mine\n");
    assert_eq!(read_manifest(&dir)["run"], json!(["sh", "./run.sh"]));
}

#[test]
fn new_defaults_to_the_current_folder_and_its_name() {
    let env = TestEnv::new();
    let dir = env.root().join("My_Tool.v2");
    fs::create_dir_all(&dir).unwrap();
    let stderr = stderr_of(&new_cmd(&env).current_dir(&dir).assert().success());
    assert!(stderr.contains("keyward install .\n"), "{stderr}");
    assert!(stderr.contains("keyward run my_tool.v2"), "{stderr}");
    assert_eq!(read_manifest(&dir)["name"], "my_tool.v2");
}

#[test]
fn new_run_takes_the_rest_of_the_command_line() {
    let env = TestEnv::new();
    let dir = env.root().join("py");
    let assert = new_cmd(&env)
        .arg(&dir)
        .args(["--name", "@acme/py", "--key", "A_KEY"])
        .args(["--run", "python3", "-u", "./main.py", "--name", "x"])
        .assert()
        .success();
    let m = read_manifest(&dir);
    assert_eq!(m["name"], "@acme/py");
    assert_eq!(
        m["run"],
        json!(["python3", "-u", "./main.py", "--name", "x"])
    );
    assert!(
        !dir.join("run.sh").exists(),
        "no placeholder for a given --run"
    );
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("warning: ./main.py does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("keyward run @acme/py"), "{stderr}");
}

#[test]
fn new_json_prints_path_name_keys_and_run() {
    let env = TestEnv::new();
    let dir = env.root().join("j");
    let assert = new_cmd(&env)
        .arg("--json")
        .arg(&dir)
        .args(["--key", "A_KEY", "--key", "B_KEY"])
        .assert()
        .success()
        .stderr("");
    let doc: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).expect("stdout is one JSON document");
    let path = fs::canonicalize(dir.join(MANIFEST)).unwrap();
    assert_eq!(
        doc,
        json!({
            "path": path.to_str().unwrap(),
            "name": "j",
            "keys": ["A_KEY", "B_KEY"],
            "run": ["sh", "./run.sh"],
        })
    );
}

#[test]
fn new_refuses_bad_flags_before_writing_anything() {
    let env = TestEnv::new();
    for (args, expected) in [
        (
            &["--name", "Bad Name"][..],
            "--name: \"Bad Name\" is not lowercase",
        ),
        (&["--name", "@acme"], "--name: "),
        (&["--key", "lower"], "--key: "),
        (&["--key", "PATH"], "is reserved"),
        (&["--key", "LD_PRELOAD"], "is reserved"),
        (&["--key", "A_KEY", "--key", "A_KEY"], "given twice"),
        (&["--run", "sh", "./../escape.sh"], "--run: argument 2"),
        (&["--run", "./.git/hooks/x"], "--run: argument 1"),
    ] {
        let dir = env.root().join("refused");
        let assert = new_cmd(&env)
            .arg(&dir)
            .args(args)
            .assert()
            .code(2)
            .stdout("");
        let stderr = stderr_of(&assert);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!dir.exists(), "{args:?}: nothing was created");
    }
}

#[test]
fn new_asks_for_a_name_when_the_folder_gives_none() {
    let env = TestEnv::new();
    let dir = env.root().join("node_modules");
    let stderr = stderr_of(&new_cmd(&env).arg(&dir).assert().code(2));
    assert!(stderr.contains("pass --name"), "{stderr}");
    assert!(!dir.exists());
    new_cmd(&env)
        .arg(&dir)
        .args(["--name", "deps-tool"])
        .assert()
        .success();
    assert_eq!(read_manifest(&dir)["name"], "deps-tool");
}

#[test]
fn new_refuses_a_dir_that_is_a_file() {
    let env = TestEnv::new();
    let file = env.root().join("plain-file");
    fs::write(&file, "x").unwrap();
    let stderr = stderr_of(&new_cmd(&env).arg(&file).assert().code(1));
    assert!(stderr.contains("is not a folder"), "{stderr}");
    assert_eq!(fs::read(&file).unwrap(), b"x");
}
