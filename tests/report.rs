//! `keyward report`: per package and granted key, when it was granted, last run, last
//! socket read, and the grants never used in the period, from the audit log.

use serde_json::json;

use crate::common::{TestEnv, keyward_bin, stdout_of};

#[test]
fn report_names_grants_never_read() {
    let env = TestEnv::with_vault();
    env.set_secret("USED_KEY", "used-value-1234");
    env.set_secret("IDLE_KEY", "idle-value-5678");
    env.set_secret("ENV_KEY", "env-value-9012");
    let reader = env.write_package(
        "reader",
        &json!({"name": "@acme/reader", "version": "1", "keys": ["USED_KEY", "IDLE_KEY"],
                "deliver": "socket", "run": [keyward_bin(), "key", "USED_KEY"]}),
    );
    let envpkg = env.write_package(
        "envpkg",
        &json!({"name": "envpkg", "version": "1", "keys": ["ENV_KEY"], "run": ["true"]}),
    );
    env.install(None, &reader, &["USED_KEY", "IDLE_KEY"]);
    env.install(None, &envpkg, &["ENV_KEY"]);
    // Before any run every grant is unused.
    let doc = env.json(&["report"]);
    assert_eq!(doc["never_read"].as_array().unwrap().len(), 3, "{doc}");
    env.run_cmd(["@acme/reader"]).assert().success();
    env.run_cmd(["envpkg"]).assert().success();

    let doc = env.json(&["report"]);
    let grant = |pkg: &str, key: &str| {
        doc["grants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["package"] == pkg && g["key"] == key)
            .unwrap_or_else(|| panic!("{pkg} {key} in {doc}"))
            .clone()
    };
    let used = grant("@acme/reader", "USED_KEY");
    assert_eq!(
        (
            used["reads"].as_u64(),
            used["runs"].as_u64(),
            used["used"].as_bool()
        ),
        (Some(1), Some(1), Some(true))
    );
    assert!(
        used["granted"].is_string()
            && used["last_run"].is_string()
            && used["last_read"].is_string(),
        "{used}"
    );
    let idle = grant("@acme/reader", "IDLE_KEY");
    assert_eq!(
        (idle["reads"].as_u64(), idle["used"].as_bool()),
        (Some(0), Some(false)),
        "socket: a run is not a read"
    );
    assert!(idle["last_read"].is_null());
    let delivered = grant("envpkg", "ENV_KEY");
    assert_eq!(
        delivered["used"], true,
        "env: a run delivers the key: {delivered}"
    );
    assert_eq!(
        doc["never_read"],
        json!([{"package": "@acme/reader", "key": "IDLE_KEY", "granted": idle["granted"]}])
    );

    let text = stdout_of(&env.cmd().arg("report").assert().success());
    assert!(
        text.contains("IDLE_KEY granted just now to @acme/reader, never read"),
        "{text}"
    );
    assert!(text.contains("LAST READ"), "{text}");

    // A period that starts tomorrow holds no run and no read; --package narrows.
    let tomorrow = utc_day(1);
    let doc = env.json(&["report", "--since", &tomorrow, "--package", "envpkg"]);
    assert_eq!(doc["grants"].as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(doc["never_read"][0]["key"], "ENV_KEY", "{doc}");

    let bad = env
        .cmd()
        .args(["report", "--since", "last tuesday"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("YYYY-MM-DD"));
}

/// `YYYY-MM-DD` of the UTC day `days` from today.
fn utc_day(days: i64) -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("{days} days"), "+%Y-%m-%d"])
        .output()
        .expect("run date");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
