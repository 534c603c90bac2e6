//! Registry access for the tests that fetch real packages: npm and pip caches under
//! `target/test-cache/` (each exact version is downloaded once per CI run), and the
//! machine's network settings (proxies, CA bundles, registry mirrors) passed through
//! the harness's clean environment.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use super::TestEnv;

/// The server-everything release the tests pin (`npm view
/// @modelcontextprotocol/server-everything versions`).
pub const EVERYTHING: &str = "@modelcontextprotocol/server-everything";
/// Its pinned version.
pub const EVERYTHING_VERSION: &str = "2026.8.31";
/// An earlier release, for an update between two pins.
pub const EVERYTHING_OTHER_VERSION: &str = "2026.8.18";
/// The official TypeScript MCP SDK, whose stdio client drives the server.
pub const MCP_SDK: &str = "@modelcontextprotocol/sdk@1.32.2";
/// The Instant API framework the gateway's Instant API tests build a project with (`npm
/// view @instant.dev/api versions`).
pub const INSTANT_API: &str = "@instant.dev/api@0.2.6";
/// A small pure-Python wheel with a console script.
pub const PYPI_PACKAGE: &str = "cowsay==6.1";
/// The uv release installed (from PyPI, once per CI run) for the tests that fetch with uv.
pub const UV: &str = "uv==0.13.9";

/// Longest a fetching command may take on a cold cache.
pub const NET_TIMEOUT: Duration = Duration::from_secs(600);

/// Variables of the test's own environment that tell npm and pip how to reach the
/// registries (never credentials of keyward).
const PASSED: &[&str] = &[
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "PIP_CERT",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_TRUSTED_HOST",
    "PIP_DEFAULT_TIMEOUT",
    "npm_config_registry",
    "NPM_CONFIG_REGISTRY",
    "UV_DEFAULT_INDEX",
    "UV_INDEX_URL",
    "UV_NATIVE_TLS",
];

/// `target/test-cache/NAME`.
pub fn cache_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-cache")
        .join(name);
    std::fs::create_dir_all(&dir).expect("create the test cache");
    dir
}

/// The variables a fetching command gets on top of the harness's clean environment.
pub fn net_env() -> Vec<(String, OsString)> {
    let mut vars: Vec<(String, OsString)> = PASSED
        .iter()
        .filter_map(|k| std::env::var_os(k).map(|v| (k.to_string(), v)))
        .collect();
    vars.push(("npm_config_cache".into(), cache_dir("npm").into()));
    vars.push(("npm_config_prefer_offline".into(), "true".into()));
    vars.push(("npm_config_update_notifier".into(), "false".into()));
    vars.push(("PIP_CACHE_DIR".into(), cache_dir("pip").into()));
    vars.push(("PIP_DISABLE_PIP_VERSION_CHECK".into(), "1".into()));
    vars.push(("UV_CACHE_DIR".into(), cache_dir("uv").into()));
    // A pip mirror of the machine is uv's too (uv does not read pip's settings).
    if let Some(index) = std::env::var_os("PIP_INDEX_URL")
        && std::env::var_os("UV_DEFAULT_INDEX").is_none()
    {
        vars.push(("UV_DEFAULT_INDEX".into(), index));
    }
    vars
}

static UV_BIN: Mutex<Option<PathBuf>> = Mutex::new(None);

/// The folder holding the `uv` binary of [`UV`], installed from PyPI with pip into the
/// test cache once per CI run.
pub fn uv_bin() -> PathBuf {
    let mut guard = UV_BIN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = guard.as_ref() {
        return dir.clone();
    }
    let target = cache_dir(&format!("uv-bin-{}", UV.replace("==", "-")));
    let bin = target.join("bin");
    if !bin.join("uv").is_file() {
        let out = std::process::Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--target"])
            .arg(&target)
            .arg(UV)
            .env_clear()
            .env("PATH", super::PATH)
            .env("HOME", &target)
            .envs(net_env())
            .output()
            .expect("run pip to install uv");
        assert!(
            out.status.success() && bin.join("uv").is_file(),
            "pip install {UV} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    *guard = Some(bin.clone());
    bin
}

impl TestEnv {
    /// `keyward` with the clean environment plus registry access, and a long timeout.
    pub fn net_cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        for (k, v) in net_env() {
            cmd.env(k, v);
        }
        cmd.timeout(NET_TIMEOUT);
        cmd
    }
}

static SDK: Mutex<Option<PathBuf>> = Mutex::new(None);
static INSTANT: Mutex<Option<PathBuf>> = Mutex::new(None);
static HTTP_CLIENT: Mutex<bool> = Mutex::new(false);

/// `npm install --ignore-scripts SPEC` into `dir` (a test cache), unless `marker` (a path
/// under `dir`) is already there. npm missing or failing fails the test.
fn npm_install_once(dir: &std::path::Path, spec: &str, marker: &str) {
    if dir.join(marker).is_file() {
        return;
    }
    let out = std::process::Command::new("npm")
        .args([
            "install",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(dir)
        .arg(spec)
        .env_clear()
        .env("PATH", super::PATH)
        .env("HOME", dir)
        .envs(net_env())
        .output()
        .unwrap_or_else(|e| panic!("run npm to install {spec} (is npm installed?): {e}"));
    assert!(
        out.status.success(),
        "npm install {spec} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A folder whose `node_modules` holds [`INSTANT_API`] and its dependencies, installed
/// once per CI run: the tests copy it into the Instant API projects they build.
pub fn instant_api() -> PathBuf {
    let mut guard = INSTANT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = guard.as_ref() {
        return dir.clone();
    }
    let dir = cache_dir("instant-api");
    npm_install_once(
        &dir,
        INSTANT_API,
        "node_modules/@instant.dev/api/package.json",
    );
    *guard = Some(dir.clone());
    dir
}

/// `http-client.mjs` next to the MCP SDK: a streamable-HTTP MCP client for
/// `argv[2]` (a URL), with `Authorization: Bearer $MCP_TOKEN`; it lists the tools,
/// calls the tool named by MCP_TOOL with the JSON arguments MCP_ARGS, and prints
/// `{"tools": [...], "text": "...", "isError": bool}` (or `{"error": "..."}` when the
/// call is refused).
pub fn mcp_http_client() -> PathBuf {
    let dir = mcp_client();
    // Written once per test binary, before any test runs it.
    let mut written = HTTP_CLIENT.lock().unwrap_or_else(|e| e.into_inner());
    if *written {
        return dir;
    }
    std::fs::write(
        dir.join("http-client.mjs"),
        r#"import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
const transport = new StreamableHTTPClientTransport(new URL(process.argv[2]), {
  requestInit: { headers: { Authorization: `Bearer ${process.env.MCP_TOKEN}` } },
});
const client = new Client({ name: "keyward-test", version: "1.0.0" });
await client.connect(transport);
const { tools } = await client.listTools();
let out = { tools: tools.map((t) => t.name) };
try {
  const result = await client.callTool({ name: process.env.MCP_TOOL, arguments: JSON.parse(process.env.MCP_ARGS || "{}") });
  out.text = result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
  out.isError = !!result.isError;
} catch (e) {
  out.error = e.message;
}
console.log(JSON.stringify(out));
await client.close();
"#,
    )
    .expect("write http-client.mjs");
    *written = true;
    dir
}

/// The folder with the MCP SDK installed (once per CI run) and `client.mjs`: a stdio
/// MCP client that starts `argv[2..]`, lists the tools, calls the tool named by
/// MCP_TOOL, and prints `{"tools": [...], "text": "..."}`.
pub fn mcp_client() -> PathBuf {
    let mut guard = SDK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = guard.as_ref() {
        return dir.clone();
    }
    let dir = cache_dir("mcp-client");
    npm_install_once(
        &dir,
        MCP_SDK,
        "node_modules/@modelcontextprotocol/sdk/package.json",
    );
    std::fs::write(
        dir.join("client.mjs"),
        r#"import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
const [command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" });
const client = new Client({ name: "keyward-test", version: "1.0.0" });
await client.connect(transport);
const { tools } = await client.listTools();
const result = await client.callTool({ name: process.env.MCP_TOOL, arguments: {} });
const text = result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
console.log(JSON.stringify({ tools: tools.map((t) => t.name), text }));
await client.close();
"#,
    )
    .expect("write client.mjs");
    *guard = Some(dir.clone());
    dir
}
