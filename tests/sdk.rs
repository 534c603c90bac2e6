//! The SDKs (`sdk/node/keyward.js`, `sdk/python/keyward.py`) through the examples that
//! use them (`examples/sdk-node`, `examples/sdk-python`): the same package, unchanged,
//! reads its keys under `deliver` env, files and socket; a key it never requested and
//! a required key not provided fail with the SDK's two messages.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use sha2::{Digest, Sha256};

use crate::common::{TestEnv, run_no_stdin};

const SECRET: &[u8] = b"sk_test_sdk_canary_51Hx";
/// Not UTF-8: the socket sends it as `value_b64`, the SDKs return bytes.
const ACCOUNT: &[u8] = b"\xff\xfeacct_binary";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fingerprint(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{} bytes, sha256 {hex}", bytes.len())
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn examples_carry_the_sdks_unchanged() {
    for (example, sdk) in [
        ("examples/sdk-node/keyward.js", "sdk/node/keyward.js"),
        ("examples/sdk-python/keyward.py", "sdk/python/keyward.py"),
    ] {
        assert_eq!(
            fs::read(repo().join(example)).unwrap(),
            fs::read(repo().join(sdk)).unwrap(),
            "{example} is a copy of {sdk}: copy it again"
        );
    }
}

#[test]
fn both_sdks_read_their_keys_under_every_mode() {
    let env = TestEnv::with_vault();
    env.cmd()
        .args(["secret", "set", "STRIPE_SECRET_KEY", "--stdin"])
        .write_stdin(SECRET)
        .assert()
        .success();
    env.cmd()
        .args(["secret", "set", "STRIPE_ACCOUNT", "--stdin"])
        .write_stdin(ACCOUNT)
        .assert()
        .success();
    for lang in ["node", "python"] {
        let pkg = env.root().join("pkgs").join(format!("sdk-{lang}"));
        copy_dir(&repo().join(format!("examples/sdk-{lang}")), &pkg);
        let name = format!("@example/sdk-{lang}");
        env.install(None, &pkg, &["STRIPE_SECRET_KEY"]);
        for approved_account in [false, true] {
            if approved_account {
                env.cmd()
                    .args(["approve", &name, "STRIPE_ACCOUNT"])
                    .assert()
                    .success();
            }
            for mode in ["env", "files", "socket"] {
                let label = format!("{lang} {mode} account={approved_account}");
                let out = env
                    .run_cmd([name.as_str(), "--deliver", mode, "--no-mask"])
                    .assert()
                    .success();
                let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
                let account = if !approved_account {
                    "not given".to_owned()
                } else if lang == "node" && mode == "env" {
                    // Node decodes its environment as UTF-8, lossily: a documented
                    // limit of env mode for values that are not text.
                    fingerprint(String::from_utf8_lossy(ACCOUNT).as_bytes())
                } else {
                    fingerprint(ACCOUNT)
                };
                let want = format!(
                    "deliver: {mode}\nSTRIPE_SECRET_KEY: {}\nSTRIPE_ACCOUNT: {account}\n\
                     OPENAI_API_KEY: not-requested: Key \"OPENAI_API_KEY\" was not requested by this package: \
                     add it to \"keys\" in instant.package.json, then re-install the package so the owner can approve it\n",
                    fingerprint(SECRET)
                );
                assert_eq!(stdout, want, "{label}");
            }
        }
        // Outside keyward, a required key not provided is the SDK's other message.
        let program = if lang == "node" { "node" } else { "python3" };
        let main = if lang == "node" { "main.js" } else { "main.py" };
        let mut cmd = StdCommand::new(program);
        cmd.arg(main)
            .current_dir(&pkg)
            .env_clear()
            .env("PATH", "/usr/bin:/bin");
        let out = run_no_stdin(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{lang} outside keyward");
        assert!(
            stderr.contains("Required key \"STRIPE_SECRET_KEY\" was not provided: run the package with `keyward run`"),
            "{lang}: {stderr}"
        );
    }
    // Every socket read of the SDKs is audited.
    let reads = env
        .log_entries(None)
        .into_iter()
        .filter(|e| e["action"] == "key-read")
        .count();
    assert_eq!(
        reads,
        2 * (1 + 2),
        "per language: 1 read, then 2 once STRIPE_ACCOUNT is approved"
    );
}
