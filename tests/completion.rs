//! Dynamic completion (`COMPLETE=bash keyward …`) offers names from the vault, never
//! values, without unlocking anything.

use crate::common::TestEnv;

/// The candidates bash would be offered for the last word of `words`.
fn candidates(env: &TestEnv, words: &[&str]) -> String {
    let mut cmd = env.cmd_without_key();
    cmd.env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .arg("--")
        .args(words);
    let out = cmd.output().expect("run keyward");
    assert!(out.status.success(), "completion failed: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8 candidates")
}

#[test]
fn completes_secret_keychain_and_package_names_but_never_values() {
    let env = TestEnv::with_vault();
    env.set_secret("STRIPE_SECRET_KEY", "CANARY-completion-value-91c2");
    env.create_keychain("ci");
    let pkg = env.root().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(
        pkg.join("instant.package.json"),
        r#"{"name":"@acme/tool","version":"1","keys":["STRIPE_SECRET_KEY"],"run":["true"]}"#,
    )
    .unwrap();
    env.cmd()
        .args(["install"])
        .arg(&pkg)
        .arg("--yes")
        .assert()
        .success();

    let secrets = candidates(&env, &["keyward", "secret", "get", ""]);
    assert!(
        secrets.lines().any(|l| l == "STRIPE_SECRET_KEY"),
        "{secrets}"
    );
    let keychains = candidates(&env, &["keyward", "keychain", "rm", ""]);
    assert!(keychains.lines().any(|l| l == "ci") && keychains.lines().any(|l| l == "default"));
    let packages = candidates(&env, &["keyward", "run", ""]);
    assert!(packages.lines().any(|l| l == "@acme/tool"), "{packages}");
    for text in [&secrets, &keychains, &packages] {
        assert!(
            !text.contains("CANARY"),
            "a value leaked into completion: {text}"
        );
    }
}
