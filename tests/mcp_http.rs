//! `mcp import` of HTTP servers (issue #12): literal `headers` move into the vault and
//! the entry becomes `keyward run` of a bridge package; the official MCP SDK's stdio
//! client then reaches a real MCP SDK server over Streamable HTTP (and HTTP+SSE) that
//! checks the `Authorization` header. The canaries must be absent from every config,
//! backup, argv and stderr.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::common::net;
use crate::common::{PATH, TestEnv, keyward_bin, stderr_of, stdout_of};
use crate::mcp::{canary, entry, jsonc, walk, write};

/// A Streamable HTTP (`/mcp`, stateful) and HTTP+SSE (`/sse`) MCP server built on the
/// SDK. Every request must carry `Authorization: Bearer T` for a T in EXPECTED_TOKENS
/// (else 401). Tool `whoami` answers with the header it got, the `X-Team` header, and
/// how many processes of this machine have a token in their argv.
const SERVER_MJS: &str = r#"import http from "node:http";
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
const tokens = process.env.EXPECTED_TOKENS.split(",");
function argvHits() {
  let hits = 0;
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1");
      if (tokens.some((t) => argv.includes(t))) hits++;
    } catch {}
  }
  return hits;
}
function newServer(req) {
  const s = new McpServer({ name: "auth-check", version: "1.0.0" });
  s.tool("whoami", async () => ({ content: [{ type: "text",
    text: `authorized as ${req.headers.authorization}; team=${req.headers["x-team"] || "-"}; argv_hits=${argvHits()}` }] }));
  return s;
}
const sessions = {};
const streams = {};
async function body(req) {
  const parts = [];
  for await (const c of req) parts.push(c);
  return JSON.parse(Buffer.concat(parts).toString());
}
http.createServer(async (req, res) => {
  const auth = req.headers.authorization || "";
  if (!tokens.some((t) => auth === `Bearer ${t}`)) {
    res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthorized"}');
    return;
  }
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/mcp") {
    const sid = req.headers["mcp-session-id"];
    let t = sid && sessions[sid];
    if (!t) {
      if (sid) { res.writeHead(404).end(); return; }
      t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => { sessions[id] = t; } });
      await newServer(req).connect(t);
    }
    await t.handleRequest(req, res, req.method === "POST" ? await body(req) : undefined);
  } else if (url.pathname === "/sse") {
    const t = new SSEServerTransport("/messages", res);
    streams[t.sessionId] = t;
    await newServer(req).connect(t);
  } else if (url.pathname === "/messages") {
    await streams[url.searchParams.get("sessionId")].handlePostMessage(req, res);
  } else {
    res.writeHead(404).end();
  }
}).listen(0, "127.0.0.1", function () { console.log(JSON.stringify({ port: this.address().port })); });
"#;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server; returns it and its port.
fn start_server(sdk: &Path, tokens: &[String]) -> (Server, u16) {
    // Beside the SDK, so node resolves it; the same text every run.
    let script = sdk.join("http-server.mjs");
    if std::fs::read_to_string(&script).ok().as_deref() != Some(SERVER_MJS) {
        std::fs::write(&script, SERVER_MJS).unwrap();
    }
    let mut child = std::process::Command::new("node")
        .arg(&script)
        .env_clear()
        .env("PATH", PATH)
        .env("EXPECTED_TOKENS", tokens.join(","))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the MCP HTTP server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = serde_json::from_str::<serde_json::Value>(&line).expect("the server's port")["port"]
        .as_u64()
        .unwrap();
    (Server(child), u16::try_from(port).unwrap())
}

struct Fixture {
    env: TestEnv,
    home: PathBuf,
    proj: PathBuf,
    files: Vec<(&'static str, PathBuf)>,
    canaries: Vec<String>,
}

/// HTTP entries in each client's documented shape.
fn fixture(port: u16, canaries: &[String]) -> Fixture {
    let env = TestEnv::with_vault();
    let home = env.root().join("home");
    let proj = env.root().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let [cc, cc_proj, cursor, vs, codex] = canaries else {
        panic!("five canaries")
    };
    let claude = home.join(".claude.json");
    write(
        &claude,
        &format!(
            r#"{{
  "numStartups": 3,
  "projects": {{
    "{proj}": {{
      "mcpServers": {{
        "proj-remote": {{
          "type": "sse",
          "url": "{base}/sse",
          "headers": {{ "Authorization": "Bearer {cc_proj}" }}
        }}
      }},
      "hasTrustDialogAccepted": true
    }}
  }},
  "mcpServers": {{
    "remote": {{
      "type": "http",
      "url": "{base}/mcp",
      "headers": {{
        "Authorization": "Bearer {cc}"
      }}
    }}
  }}
}}
"#,
            proj = proj.display()
        ),
    );
    let cursor_file = home.join(".cursor/mcp.json");
    write(
        &cursor_file,
        &format!(
            r#"{{
  "mcpServers": {{
    "cursor-remote": {{
      "url": "{base}/mcp",
      "headers": {{ "Authorization": "Bearer {cursor}" }}
    }}
  }}
}}
"#
        ),
    );
    let vscode = proj.join(".vscode/mcp.json");
    write(
        &vscode,
        &format!(
            r#"{{
  "inputs": [
    {{ "type": "promptString", "id": "team", "description": "Team" }}
  ],
  "servers": {{
    // a remote server with a pasted token
    "vs-remote": {{
      "type": "http",
      "url": "{base}/mcp",
      "headers": {{
        "Authorization": "Bearer {vs}", // pasted
        "X-Team": "${{input:team}}"
      }}
    }}
  }}
}}
"#
        ),
    );
    let codex_file = home.join(".codex/config.toml");
    write(
        &codex_file,
        &format!(
            r#"# Codex settings
model = "o3"

[mcp_servers.codex-remote]
url = "{base}/mcp" # streamable HTTP
http_headers = {{ "Authorization" = "Bearer {codex}" }}
env_http_headers = {{ "X-Team" = "CODEX_TEAM" }}
"#
        ),
    );
    Fixture {
        env,
        home,
        proj,
        files: vec![
            ("claude-code", claude),
            ("cursor", cursor_file),
            ("vscode", vscode),
            ("codex", codex_file),
        ],
        canaries: canaries.to_vec(),
    }
}

impl Fixture {
    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.env.cmd();
        cmd.current_dir(&self.proj);
        cmd
    }

    fn read(&self, client: &str) -> String {
        let (_, path) = self.files.iter().find(|(c, _)| *c == client).unwrap();
        std::fs::read_to_string(path).unwrap()
    }

    fn assert_clean(&self, what: &str, text: &str) {
        for c in &self.canaries {
            assert!(!text.contains(c.as_str()), "{what} holds {c}:\n{text}");
        }
    }
}

#[test]
fn http_servers_import_into_a_bridge_that_still_reaches_the_server_with_the_header() {
    let sdk = net::mcp_client();
    let canaries: Vec<String> = ["cc", "ccproj", "cursor", "vs", "codex"]
        .iter()
        .map(|t| canary(t))
        .collect();
    let (_server, port) = start_server(&sdk, &canaries);
    let f = fixture(port, &canaries);

    // list --check counts the literal headers as plaintext keys (names only).
    let list = f.cmd().args(["mcp", "list", "--check"]).assert().code(5);
    let text = stdout_of(&list) + &stderr_of(&list);
    assert!(text.contains("5 plaintext key(s)"), "{text}");
    assert!(text.contains("Authorization"), "{text}");
    f.assert_clean("mcp list", &text);

    // Plain http to a host that is not loopback is refused; nothing is changed.
    let cursor = &f.files[1].1;
    let saved = std::fs::read_to_string(cursor).unwrap();
    write(
        cursor,
        &saved.replace(
            &format!("http://127.0.0.1:{port}"),
            "http://mcp.example.com",
        ),
    );
    let before: Vec<String> = f.files.iter().map(|(c, _)| f.read(c)).collect();
    let out = f.cmd().args(["mcp", "import"]).assert().code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains("not loopback") && err.contains("nothing was changed"),
        "{err}"
    );
    f.assert_clean("the refusal", &err);
    let after: Vec<String> = f.files.iter().map(|(c, _)| f.read(c)).collect();
    assert_eq!(before, after);
    write(cursor, &saved);

    let dry = f
        .cmd()
        .args(["mcp", "import", "--dry-run"])
        .assert()
        .success();
    let text = stdout_of(&dry) + &stderr_of(&dry);
    assert!(text.contains("Bearer <concealed by keyward>"), "{text}");
    f.assert_clean("--dry-run", &text);

    let imported = f.cmd().args(["mcp", "import"]).assert().success();
    let text = stdout_of(&imported) + &stderr_of(&imported);
    f.assert_clean("mcp import", &text);
    assert!(text.contains("moved REMOTE_TOKEN"), "{text}");
    for dir in [&f.home, &f.proj, &f.env.vault_dir().join("store")] {
        for file in walk(dir) {
            let bytes = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            f.assert_clean(&file.display().to_string(), &bytes);
        }
    }
    // Backups hold references in the header's place, the scheme kept.
    let backup =
        std::fs::read_to_string(format!("{}.keyward-backup", f.files[0].1.display())).unwrap();
    assert!(
        backup.contains("\"Authorization\": \"Bearer keyward:default/REMOTE_TOKEN\""),
        "{backup}"
    );
    let secrets = stdout_of(
        &f.env
            .cmd()
            .args(["secret", "get", "REMOTE_TOKEN"])
            .assert()
            .success(),
    );
    assert_eq!(
        secrets.trim_end(),
        canaries[0],
        "the token alone is the secret"
    );

    // Unrelated fields and comments stay.
    let vs = f.read("vscode");
    assert!(
        vs.contains("// a remote server with a pasted token"),
        "{vs}"
    );
    assert!(vs.contains("\"id\": \"team\""), "{vs}");
    let root = jsonc(&vs);
    assert_eq!(root["servers"]["vs-remote"]["type"], "stdio", "{vs}");
    assert_eq!(
        root["servers"]["vs-remote"]["env"],
        serde_json::json!({"VS_REMOTE_X_TEAM": "${input:team}"}),
        "the reference stays, for VS Code to fill in"
    );
    assert!(root["servers"]["vs-remote"].get("url").is_none(), "{vs}");
    let codex = f.read("codex");
    assert!(
        codex.starts_with("# Codex settings\nmodel = \"o3\"\n"),
        "{codex}"
    );
    assert!(
        !codex.contains("http_headers") && !codex.contains("url ="),
        "{codex}"
    );
    assert!(codex.contains("env_vars = [\"CODEX_TEAM\"]"), "{codex}");
    let cc = jsonc(&f.read("claude-code"));
    assert_eq!(cc["numStartups"], 3);
    assert_eq!(cc["mcpServers"]["remote"]["type"], "stdio");

    // Each rewritten entry, started by the real MCP client, reaches the server with the
    // header: the server saw the vault's token (and its answer comes back masked).
    let proj = f.proj.display().to_string();
    let cases: &[(&str, Vec<&str>, &str, &str)] = &[
        ("claude-code", vec!["mcpServers"], "remote", "team=-"),
        (
            "claude-code",
            vec!["projects", proj.as_str(), "mcpServers"],
            "proj-remote",
            "team=-",
        ),
        ("cursor", vec!["mcpServers"], "cursor-remote", "team=-"),
        ("vscode", vec!["servers"], "vs-remote", "team=team-a"),
        ("codex", vec!["mcp_servers"], "codex-remote", "team=team-c"),
    ];
    let bin_dir = keyward_bin().parent().unwrap().to_path_buf();
    for (client, container, name, team) in cases {
        let (command, args) = entry(client, &f.read(client), container, name);
        assert_eq!(command, "keyward", "{client} {name}");
        f.assert_clean("argv", &args.join(" "));
        let started = std::time::Instant::now();
        let out = f
            .env
            .std_cmd("node")
            .arg(sdk.join("client.mjs"))
            .arg(&command)
            .args(&args)
            .env("PATH", format!("{}:{PATH}", bin_dir.display()))
            .env("KEYWARD_VAULT", "/nonexistent/the-entry-names-its-vault")
            // What VS Code does for the entry's `env`: ${input:team} filled in.
            .env("VS_REMOTE_X_TEAM", "team-a")
            // What Codex does for `env_vars`: the variable passed by name.
            .env("CODEX_TEAM", "team-c")
            .env("MCP_TOOL", "whoami")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{client} {name}: {stderr}");
        eprintln!(
            "{client} {name}: tool call through the bridge in {:?}",
            started.elapsed()
        );
        assert!(
            stdout.contains("authorized as Bearer <concealed by keyward>"),
            "{client} {name}: {stdout}"
        );
        assert!(stdout.contains(team), "{client} {name}: {stdout}");
        assert!(
            stdout.contains("argv_hits=0"),
            "no argv holds a token: {stdout}"
        );
        f.assert_clean("the client's stdout", &stdout);
        f.assert_clean("stderr", &stderr);
    }

    // A wrong token in the vault: the server refuses, the client gets an error, and
    // stderr is one line naming the status, never a value.
    let mut set = f.env.cmd();
    set.args(["secret", "set", "CURSOR_REMOTE_TOKEN", "--stdin"])
        .write_stdin("wrong-token-value")
        .assert()
        .success();
    let (command, args) = entry(
        "cursor",
        &f.read("cursor"),
        &["mcpServers"],
        "cursor-remote",
    );
    let out = f
        .env
        .std_cmd("node")
        .arg(sdk.join("client.mjs"))
        .arg(&command)
        .args(&args)
        .env("PATH", format!("{}:{PATH}", bin_dir.display()))
        .env("MCP_TOOL", "whoami")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("keyward: error[bridge]: the server refused the request (HTTP 401)"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-token-value"), "{stderr}");

    // A second import changes nothing; list --check passes.
    let again = f.cmd().args(["mcp", "import"]).assert().success();
    assert!(
        stderr_of(&again).contains("Nothing to import"),
        "{}",
        stderr_of(&again)
    );
    f.cmd().args(["mcp", "list", "--check"]).assert().success();

    // --undo puts the original back, header and all.
    f.cmd()
        .args(["mcp", "import", "--undo"])
        .arg(&f.files[3].1)
        .assert()
        .success();
    assert!(
        f.read("codex")
            .contains(&format!("\"Bearer {}\"", canaries[4]))
    );
}
