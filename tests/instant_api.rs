//! Instant API projects under `keyward serve` (issue #14): a real project built from
//! npm's `@instant.dev/api` at an exact version, its manifest in the seed's shape with no
//! `run`, installed with keyward's own `install`, started through keyward's launcher,
//! read over HTTP with a keychain token and over MCP by the official TypeScript SDK's
//! streamable-HTTP client.

use std::path::PathBuf;
use std::process::Command;

use crate::common::net;
use crate::common::{PATH, TestEnv, write_manifest};
use crate::gateway::Gateway;

const VALUE: &str = "ia-canary-5e4d3c2b1a09";
const MASK: &str = "<concealed by keyward>";

/// An Instant API project, as its authors write it: `functions/`, `package.json`, the
/// framework in `node_modules` (copied from the test cache), and the seed's manifest.
fn project(env: &TestEnv) -> PathBuf {
    let cache = net::instant_api();
    let dir = env.root().join("weather");
    std::fs::create_dir_all(dir.join("functions")).unwrap();
    std::fs::write(
        dir.join("package.json"),
        format!(
            r#"{{"name": "weather", "private": true, "dependencies": {{"@instant.dev/api": "{}"}}}}"#,
            net::INSTANT_API.rsplit('@').next().unwrap()
        ),
    )
    .unwrap();
    write_manifest(
        &dir,
        r#"{"name": "@acme/weather", "version": "v1", "timeout": 30,
            "keychain": {"required": [{"name": "API_KEY", "description": "the forecast source"}],
                         "optional": [{"name": "EXTRA", "description": "extra detail"}]}}"#,
    );
    let function = |name: &str, doc: &str, param: &str, body: &str| {
        std::fs::write(
            dir.join("functions").join(format!("{name}.mjs")),
            format!(
                "/**\n * {doc}\n * @param {{string}} {param} The input\n * @returns {{object}} result\n */\n\
                 export async function GET ({param} = 'world', context) {{\n  return {body};\n}}\n"
            ),
        )
        .unwrap();
    };
    function(
        "hello",
        "Says hello with the forecast key",
        "name",
        "{ hello: name, key: context.keychain.key('API_KEY') }",
    );
    function(
        "read",
        "Reads one key",
        "which",
        "{ value: context.keychain.key(which) }",
    );
    function(
        "env",
        "Shows what the process environment holds",
        "which",
        "{ env: process.env[which] ?? null }",
    );
    let status = Command::new("cp")
        .arg("-a")
        .arg(cache.join("node_modules"))
        .arg(&dir)
        .status()
        .expect("run cp");
    assert!(status.success(), "copy node_modules into the project");
    dir
}

/// A vault with keychains `agents` (API_KEY set, the project installed with API_KEY
/// approved) and `other`; their tokens.
fn setup() -> (TestEnv, String, String, PathBuf) {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("agents");
    let other = env.create_keychain("other");
    env.set_secret_in("agents", "API_KEY", VALUE);
    let dir = project(&env);
    env.cmd()
        .args(["-k", "agents", "install"])
        .arg(&dir)
        .args(["--approve", "API_KEY"])
        .assert()
        .success();
    (env, token, other, dir)
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn error_code(body: &str) -> String {
    json(body)["error"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

fn calls(env: &TestEnv) -> usize {
    let out = env
        .cmd()
        .args(["-k", "agents", "--json", "log", "--limit", "100000"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let entries = doc
        .as_array()
        .cloned()
        .or_else(|| doc["entries"].as_array().cloned())
        .unwrap_or_default();
    entries.iter().filter(|e| e["action"] == "call").count()
}

#[test]
fn instant_api_project_reads_its_key_through_context_keychain() {
    let (env, token, _, _) = setup();
    // The seed's manifest has no `run`: keyward's launcher serves the project.
    let shown = env
        .cmd()
        .args(["-k", "agents", "inspect", "@acme/weather"])
        .assert()
        .success();
    let shown = String::from_utf8_lossy(&shown.get_output().stdout).into_owned();
    assert!(shown.contains("keyward:instant-api"), "{shown}");
    assert!(
        shown.contains("GET /hello") && shown.contains("POST /server.mcp"),
        "{shown}"
    );

    let gw = Gateway::start(&env);
    let (status, head, body) = gw.request("GET", "/@acme/weather/hello/?name=kw", Some(&token), "");
    assert_eq!(status, 200, "{head}\n{body}");
    let doc = json(&body);
    assert_eq!(doc["hello"], "kw", "{body}");
    // Read through context.keychain.key, masked on the way out.
    assert_eq!(doc["key"], MASK, "{body}");
    assert!(!body.contains(VALUE) && !head.contains(VALUE));
    // The framework's CORS headers are dropped.
    assert!(
        !head.to_ascii_lowercase().contains("access-control-"),
        "{head}"
    );
    // A client that accepts gzip gets the body uncompressed, so it is masked too: the
    // framework compresses when asked, and keyward does not ask.
    let (status, head, body) = gw.raw(
        format!(
            "GET /@acme/weather/hello/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {token}\r\nAccept-Encoding: gzip, deflate\r\n\r\n",
            gw.port
        )
        .as_bytes(),
    );
    assert_eq!(status, 200, "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("content-encoding"),
        "{head}"
    );
    assert_eq!(json(&body)["key"], MASK, "{body}");
    // By host name, without the trailing slash (no User-Agent: no redirect).
    let (status, _, body) = gw.request_host(
        "GET",
        "/hello?name=host",
        &format!("weather.acme.localhost:{}", gw.port),
        Some(&token),
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["key"], MASK, "{body}");

    // A requested key that was not granted (EXTRA is optional): the framework's own error.
    let (status, _, body) = gw.request("GET", "/@acme/weather/read/?which=EXTRA", Some(&token), "");
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        json(&body)["error"]["message"],
        "This function requires the keychain key \"EXTRA\", which has not been provided.",
        "{body}"
    );
    // A key the package never requested: the framework's other error.
    let (status, _, body) = gw.request(
        "GET",
        "/@acme/weather/read/?which=OTHER_KEY",
        Some(&token),
        "",
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        json(&body)["error"]["message"],
        "This function is attempting to read the keychain key \"OTHER_KEY\" which it has not requested permission to access.",
        "{body}"
    );
    // The granted key is read through the keychain only: not left in process.env.
    let (status, _, body) =
        gw.request("GET", "/@acme/weather/env/?which=API_KEY", Some(&token), "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["env"], serde_json::Value::Null, "{body}");
    drop(gw);
    assert_eq!(calls(&env), 6, "one audit entry per call");
}

#[test]
fn instant_api_refusals_have_the_right_status() {
    let (env, token, other, dir) = setup();
    let gw = Gateway::start(&env);
    let hello = "/@acme/weather/hello/";
    let (status, _, body) = gw.request("GET", hello, Some(&token), "");
    assert_eq!(status, 200, "{body}");

    // No token, a wrong token: 401 with a Bearer challenge.
    let (status, head, body) = gw.request("GET", hello, None, "");
    assert_eq!(status, 401, "{body}");
    assert!(
        head.to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{head}"
    );
    let wrong = format!("kw_{}", "A".repeat(60));
    let (status, _, body) = gw.request("GET", hello, Some(&wrong), "");
    assert_eq!(status, 401, "{body}");
    // Another keychain's token: the project is not installed there.
    let (status, _, body) = gw.request("GET", hello, Some(&other), "");
    assert_eq!(
        (status, error_code(&body)),
        (403, "not-installed".into()),
        "{body}"
    );

    // A disabled endpoint.
    env.cmd()
        .args(["-k", "agents", "endpoints", "@acme/weather"])
        .args(["--disable", "GET /read"])
        .assert()
        .success();
    let (status, _, body) = gw.request(
        "GET",
        "/@acme/weather/read/?which=API_KEY",
        Some(&token),
        "",
    );
    assert_eq!(
        (status, error_code(&body)),
        (403, "endpoint-disabled".into()),
        "{body}"
    );
    let (status, _, body) = gw.request("GET", hello, Some(&token), "");
    assert_eq!(status, 200, "{body}");

    // An unapproved required key: the gateway refuses before the project runs.
    env.cmd()
        .args(["-k", "agents", "revoke", "@acme/weather", "API_KEY"])
        .assert()
        .success();
    let (status, _, body) = gw.request("GET", hello, Some(&token), "");
    assert_eq!(
        (status, error_code(&body)),
        (403, "not-approved".into()),
        "{body}"
    );
    env.cmd()
        .args(["-k", "agents", "approve", "@acme/weather", "API_KEY"])
        .assert()
        .success();
    let (status, _, body) = gw.request("GET", hello, Some(&token), "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["key"], MASK, "{body}");

    // A changed file: revoked, refused, and it stays refused.
    let file = dir.join("functions/hello.mjs");
    let mut src = std::fs::read_to_string(&file).unwrap();
    src.push_str("\n// changed\n");
    std::fs::write(&file, src).unwrap();
    for _ in 0..2 {
        let (status, _, body) = gw.request("GET", hello, Some(&token), "");
        assert_eq!(
            (status, error_code(&body)),
            (403, "package-changed".into()),
            "{body}"
        );
    }
    drop(gw);
    let shown = env
        .cmd()
        .args(["-k", "agents", "inspect", "@acme/weather"])
        .assert()
        .success();
    let shown = String::from_utf8_lossy(&shown.get_output().stdout).into_owned();
    assert!(shown.contains("revoked"), "{shown}");
}

/// Runs the streamable-HTTP MCP client against `url`; its JSON line, or its failure.
fn mcp(url: &str, token: &str, tool: &str, args: &str) -> Result<serde_json::Value, String> {
    let dir = net::mcp_http_client();
    let out = Command::new("node")
        .arg(dir.join("http-client.mjs"))
        .arg(url)
        .env_clear()
        .env("PATH", PATH)
        .env("HOME", &dir)
        .env("MCP_TOKEN", token)
        .env("MCP_TOOL", tool)
        .env("MCP_ARGS", args)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let line = stdout.lines().last().unwrap_or("");
    Ok(json(line))
}

fn names(doc: &serde_json::Value) -> Vec<String> {
    doc["tools"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn instant_api_mcp_endpoint_is_listed_and_called_by_a_real_mcp_client() {
    let (env, token, other, _) = setup();
    let gw = Gateway::start(&env);
    let url = format!("http://127.0.0.1:{}/@acme/weather/server.mcp", gw.port);
    let doc = mcp(&url, &token, "hello_get", r#"{"name": "mcp"}"#).expect("the MCP client");
    let tools = names(&doc);
    for t in ["hello_get", "read_get", "env_get"] {
        assert!(tools.contains(&t.to_owned()), "{doc}");
    }
    let text = doc["text"].as_str().unwrap_or("");
    assert_eq!(doc["isError"], false, "{doc}");
    assert!(text.contains("\"hello\": \"mcp\""), "{doc}");
    // The granted key, echoed by the tool, is concealed by keyward's masker.
    assert!(
        text.contains(MASK) && !doc.to_string().contains(VALUE),
        "{doc}"
    );

    // A tool whose endpoint is disabled is neither listed nor callable.
    env.cmd()
        .args(["-k", "agents", "endpoints", "@acme/weather"])
        .args(["--disable", "GET /read"])
        .assert()
        .success();
    let doc = mcp(&url, &token, "read_get", r#"{"which": "API_KEY"}"#).expect("the MCP client");
    let tools = names(&doc);
    assert!(
        tools.contains(&"hello_get".to_owned()) && !tools.contains(&"read_get".to_owned()),
        "{doc}"
    );
    let refused =
        doc["error"].as_str().unwrap_or("").to_owned() + doc["text"].as_str().unwrap_or("");
    assert!(refused.contains("No such tool"), "{doc}");
    assert!(!doc.to_string().contains(VALUE), "{doc}");

    // Another keychain's token: the MCP client is refused at its first request.
    let err = mcp(&url, &other, "hello_get", "{}").expect_err("refused");
    assert!(
        err.contains("403") || err.contains("not-installed"),
        "{err}"
    );
    drop(gw);
    assert!(calls(&env) >= 4, "the MCP calls are audited");
}
