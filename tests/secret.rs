//! `keyward secret set|list|get|rm` as the owner (KEYWARD_MASTER_KEY).

use predicates::prelude::*;

use crate::common::{TestEnv, json_secret_names, stderr_of, stdout_of};

#[test]
fn secret_get_prints_the_raw_value_without_a_trailing_newline() {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", "value with spaces\tand tab");
    env.cmd()
        .args(["secret", "get", "API_KEY"])
        .assert()
        .success()
        .stdout("value with spaces\tand tab");
}

#[test]
fn secret_set_stdin_drops_exactly_one_trailing_newline() {
    let env = TestEnv::with_vault();
    env.set_secret("ONE", "abc\n");
    env.set_secret("TWO", "abc\n\n");
    env.set_secret("CRLF", "abc\r\n");
    assert_eq!(env.get_secret("ONE"), "abc");
    assert_eq!(env.get_secret("TWO"), "abc\n");
    assert_eq!(env.get_secret("CRLF"), "abc");
}

#[test]
fn secret_set_from_env_reads_the_named_variable() {
    let env = TestEnv::with_vault();
    env.cmd()
        .env("MY_SOURCE_VAR", "from-the-environment")
        .args(["secret", "set", "FROM_ENV", "--from-env", "MY_SOURCE_VAR"])
        .assert()
        .success();
    assert_eq!(env.get_secret("FROM_ENV"), "from-the-environment");

    env.cmd()
        .args(["secret", "set", "FROM_ENV", "--from-env", "UNSET_VAR"])
        .assert()
        .code(1)
        // Says what is wrong without echoing the name, which might be a pasted value.
        .stderr(
            predicate::str::contains("not set").and(predicate::str::contains("UNSET_VAR").not()),
        );
}

#[test]
fn secret_set_again_replaces_the_value_and_bumps_the_version() {
    let env = TestEnv::with_vault();
    env.set_secret("ROTATED", "first");
    env.set_secret("ROTATED", "second");
    assert_eq!(env.get_secret("ROTATED"), "second");

    let assert = env
        .cmd()
        .args(["--json", "secret", "list"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(doc["keychain"], "default");
    let secret = &doc["secrets"][0];
    let mut fields: Vec<_> = secret
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["created", "name", "updated", "used_by", "version"],
        "no value field"
    );
    assert_eq!(secret["name"], "ROTATED");
    assert_eq!(secret["version"], 2);
    for field in ["created", "updated"] {
        let time = secret[field].as_str().expect("a timestamp string");
        assert!(
            time.ends_with('Z') && time.contains('T'),
            "RFC 3339: {time}"
        );
    }
}

#[test]
fn secret_list_json_lists_names_sorted_without_values() {
    let env = TestEnv::with_vault();
    env.set_secret("ZED_KEY", "zzz-value");
    env.set_secret("ALPHA_KEY", "aaa-value");
    let assert = env
        .cmd()
        .args(["--json", "secret", "list"])
        .assert()
        .success();
    assert_eq!(
        json_secret_names(&assert.get_output().stdout),
        ["ALPHA_KEY", "ZED_KEY"]
    );
    let stdout = stdout_of(&assert);
    assert!(!stdout.contains("zzz-value") && !stdout.contains("aaa-value"));
}

#[test]
fn secret_list_of_an_empty_keychain_prints_no_data_and_says_so_on_stderr() {
    let env = TestEnv::with_vault();
    env.cmd()
        .args(["secret", "list"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("no secrets"));
}

#[test]
fn secret_rm_removes_and_a_second_rm_exits_4() {
    let env = TestEnv::with_vault();
    env.set_secret("GONE_SOON", "v");
    env.set_secret("STAYS", "v");
    env.cmd()
        .args(["secret", "rm", "GONE_SOON"])
        .assert()
        .success();
    assert_eq!(env.secret_names(), ["STAYS"]);
    env.cmd()
        .args(["secret", "rm", "GONE_SOON"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("GONE_SOON"));
}

#[test]
fn secret_get_of_a_missing_secret_exits_4_with_a_json_error_when_asked() {
    let env = TestEnv::with_vault();
    let text = env
        .cmd()
        .args(["secret", "get", "NOT_THERE"])
        .assert()
        .code(4)
        .stdout("");
    let stderr = stderr_of(&text);
    assert!(
        stderr.starts_with("keyward: error[not-found]: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("NOT_THERE") && stderr.contains("  hint: "),
        "{stderr}"
    );

    let json = env
        .cmd()
        .args(["--json", "secret", "get", "NOT_THERE"])
        .assert()
        .code(4)
        .stdout("");
    let doc: serde_json::Value =
        serde_json::from_slice(&json.get_output().stderr).expect("stderr is one JSON object");
    assert_eq!(doc["error"]["code"], "not-found");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("NOT_THERE")
    );
    assert!(!doc["error"]["hints"].as_array().unwrap().is_empty());
}

#[test]
fn secret_names_outside_the_rule_or_reserved_exit_2() {
    let env = TestEnv::with_vault();
    for name in [
        "lower_case",
        "9STARTS_WITH_DIGIT",
        "HAS-DASH",
        "PATH",
        "LD_PRELOAD",
        "KEYWARD_X",
    ] {
        env.cmd()
            .args(["secret", "set", name, "--stdin"])
            .write_stdin("v")
            .assert()
            .code(2);
    }
    let too_long = format!("A{}", "B".repeat(128));
    env.cmd()
        .args(["secret", "set", &too_long, "--stdin"])
        .write_stdin("v")
        .assert()
        .code(2);
    assert!(env.secret_names().is_empty(), "nothing was stored");
    let longest = format!("A{}", "B".repeat(127));
    env.set_secret(&longest, "v");
    assert_eq!(env.secret_names(), [longest]);
}

#[test]
fn secret_set_refuses_an_empty_value() {
    let env = TestEnv::with_vault();
    env.cmd()
        .args(["secret", "set", "EMPTY", "--stdin"])
        .write_stdin("\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("empty"));
    assert!(env.secret_names().is_empty());
}

#[test]
fn secrets_of_one_keychain_are_not_visible_in_another() {
    let env = TestEnv::with_vault();
    env.create_keychain("ci");
    env.set_secret("SHARED_NAME", "in-default");
    env.set_secret_in("ci", "SHARED_NAME", "in-ci");
    env.set_secret_in("ci", "CI_ONLY", "ci-only");

    assert_eq!(env.get_secret("SHARED_NAME"), "in-default");
    env.cmd()
        .args(["-k", "ci", "secret", "get", "SHARED_NAME"])
        .assert()
        .success()
        .stdout("in-ci");
    assert_eq!(env.secret_names(), ["SHARED_NAME"]);
    env.cmd()
        .args(["secret", "get", "CI_ONLY"])
        .assert()
        .code(4);
    env.cmd()
        .env("KEYWARD_KEYCHAIN", "ci")
        .args(["--json", "secret", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CI_ONLY"));
}

#[test]
fn unknown_keychain_exits_4() {
    let env = TestEnv::with_vault();
    env.cmd()
        .args(["-k", "nope", "secret", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("nope"));
}

#[test]
fn secret_set_stdin_accepts_exactly_64_kib_and_refuses_more() {
    let env = TestEnv::with_vault();
    let limit = "a".repeat(64 * 1024);
    env.set_secret("AT_LIMIT", &format!("{limit}\n"));
    assert_eq!(env.get_secret("AT_LIMIT"), limit);

    env.cmd()
        .args(["secret", "set", "OVER_LIMIT", "--stdin"])
        .write_stdin(format!("{limit}b"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("64 KiB"));
    env.cmd()
        .args(["secret", "get", "OVER_LIMIT"])
        .assert()
        .code(4);
}

#[test]
fn secret_set_stdin_never_truncates_a_value_over_64_kib() {
    let env = TestEnv::with_vault();
    // read_stdin stops reading at 64 KiB + 2 bytes; if those two are "\r\n" they are
    // dropped as the trailing newline, and the rest of the input is lost.
    let input = format!("{}\r\nTHE-REST-OF-A-LONG-PEM", "a".repeat(64 * 1024));
    env.cmd()
        .args(["secret", "set", "LONG_PEM", "--stdin"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("64 KiB"));
    env.cmd()
        .args(["secret", "get", "LONG_PEM"])
        .assert()
        .code(4);
}

#[test]
fn json_usage_errors_are_one_json_object_on_stderr() {
    let env = TestEnv::with_vault();
    for args in [
        &["--json", "secret", "bogus"][..],
        &["--json", "secret", "get"],
        &["--json", "init", "--backend", "nope"],
    ] {
        let assert = env.cmd().args(args).assert().code(2).stdout("");
        let doc: serde_json::Value = serde_json::from_slice(&assert.get_output().stderr)
            .unwrap_or_else(|_| panic!("{args:?}: stderr is not JSON: {}", stderr_of(&assert)));
        assert_eq!(doc["error"]["code"], "usage", "{args:?}");
    }
}

/// An environment variable cannot hold a NUL byte, so such a value could never be
/// handed to a package: it is refused when stored, not discovered at `run`.
#[test]
fn secret_set_refuses_a_value_with_a_nul_byte() {
    let env = TestEnv::with_vault();
    let out = env
        .cmd()
        .args(["secret", "set", "NUL_KEY", "--stdin"])
        .write_stdin(&b"abc\0defgh"[..])
        .assert()
        .code(1);
    assert!(stderr_of(&out).contains("NUL"), "{}", stderr_of(&out));
    assert!(env.secret_names().is_empty());
}
