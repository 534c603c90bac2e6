//! `keyward mcp`: import on fixture configs in the exact shapes of all five clients
//! (Claude Code's `~/.claude.json` with a per-project server, Claude Desktop, Cursor,
//! VS Code's JSONC with `inputs` and comments, Codex's TOML with comments), then the
//! rewritten entries started as the clients would; `add`, `list --check`, `--undo`,
//! `--dry-run`, refusals; and `run`'s stdio for MCP servers.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::common::net::{self, EVERYTHING, EVERYTHING_VERSION};
use crate::common::{PATH, TestEnv, keyward_bin, stderr_of, stdout_of};

/// A stdio MCP server: answers each request with its server info and the names (never
/// values) of the `*_TOKEN` variables it got.
const ECHO_JS: &str = r#"// echo MCP server for keyward's tests
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const msg = JSON.parse(line);
  if (msg.id === undefined) return;
  const keys = Object.keys(process.env).filter((k) => k.endsWith('_TOKEN')).sort();
  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: {
    protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'echo', version: '1' },
    keys, args: process.argv.slice(2) } }) + '\n');
  console.log(JSON.stringify({ printed: keys.map((k) => process.env[k]) }));
});
"#;

struct World {
    env: TestEnv,
    home: PathBuf,
    proj: PathBuf,
    files: BTreeMap<&'static str, PathBuf>,
    canaries: Vec<String>,
}

pub(crate) fn canary(tag: &str) -> String {
    format!("kwcanary-{tag}-{:08x}", rand_u32())
}

fn rand_u32() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    t.subsec_nanos() ^ std::process::id().rotate_left(13)
}

pub(crate) fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The five clients' configs, in their documented shapes.
fn world(with_npm: bool) -> World {
    let env = TestEnv::with_vault();
    let home = env.root().join("home");
    let proj = env.root().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let echo = env.root().join("srv/echo.js");
    write(&echo, ECHO_JS);
    let echo = echo.display().to_string();
    let shared = canary("everything");
    let (cc_user, cursor_tok, vs_tok, codex_tok) = (
        canary("cc"),
        canary("cursor"),
        canary("vscode"),
        canary("codex"),
    );
    let everything = format!("{EVERYTHING}@{EVERYTHING_VERSION}");
    let cc_project_server = if with_npm {
        format!(
            r#""everything": {{
          "type": "stdio",
          "command": "npx",
          "args": ["-y", "{everything}"],
          "env": {{
            "EVERYTHING_API_KEY": "{shared}"
          }}
        }}"#
        )
    } else {
        format!(
            r#""proj-echo": {{
          "type": "stdio",
          "command": "node",
          "args": ["{echo}", "--project"],
          "env": {{
            "PROJ_TOKEN": "{shared}"
          }}
        }}"#
        )
    };
    let mut files = BTreeMap::new();
    let claude = home.join(".claude.json");
    write(
        &claude,
        &format!(
            r#"{{
  "numStartups": 12,
  "projects": {{
    "{proj}": {{
      "allowedTools": [],
      "mcpServers": {{
        {cc_project_server}
      }},
      "hasTrustDialogAccepted": true
    }}
  }},
  "mcpServers": {{
    "echo": {{
      "type": "stdio",
      "command": "node",
      "args": ["{echo}"],
      "env": {{
        "ECHO_TOKEN": "{cc_user}"
      }}
    }}
  }},
  "tipsHistory": {{"new-user-warmup": 1}}
}}
"#,
            proj = proj.display()
        ),
    );
    files.insert("claude-code", claude);
    if with_npm {
        let desktop = home.join(".config/Claude/claude_desktop_config.json");
        write(
            &desktop,
            &format!(
                r#"{{
  "mcpServers": {{
    "everything": {{
      "command": "npx",
      "args": ["-y", "{everything}"],
      "env": {{
        "EVERYTHING_API_KEY": "{shared}"
      }}
    }}
  }},
  "globalShortcut": "Ctrl+Space"
}}
"#
            ),
        );
        files.insert("claude-desktop", desktop);
    }
    let cursor = home.join(".cursor/mcp.json");
    write(
        &cursor,
        &format!(
            r#"{{
  "mcpServers": {{
    "desk-echo": {{
      "command": "node",
      "args": ["{echo}", "--cursor"],
      "env": {{ "CURSOR_TOKEN": "{cursor_tok}", "HOME_DIR": "${{env:HOME}}" }}
    }},
    "docs": {{ "url": "https://mcp.example.invalid/sse" }}
  }}
}}
"#
        ),
    );
    files.insert("cursor", cursor);
    let vscode = proj.join(".vscode/mcp.json");
    write(
        &vscode,
        &format!(
            r#"{{
  // Inputs are prompted by VS Code when a server starts
  "inputs": [
    {{ "type": "promptString", "id": "gh", "description": "GitHub token", "password": true }}
  ],
  "servers": {{
    // a local server with a pasted key
    "vs-echo": {{
      "type": "stdio",
      "command": "node",
      "args": ["{echo}", "--vscode"],
      "env": {{
        "VS_TOKEN": "{vs_tok}", // pasted
        "GH_TOKEN": "${{input:gh}}"
      }}
    }},
  }},
}}
"#
        ),
    );
    files.insert("vscode", vscode);
    let codex = home.join(".codex/config.toml");
    write(
        &codex,
        &format!(
            r#"# Codex settings
model = "o3"

# the echo server
[mcp_servers.codex-echo]
command = "node"
args = ["{echo}", "--codex"]

[mcp_servers.codex-echo.env]
CODEX_TOKEN = "{codex_tok}" # pasted by hand

[profiles.fast]
model = "o4-mini" # unrelated
"#
        ),
    );
    files.insert("codex", codex);
    World {
        env,
        home,
        proj,
        files,
        canaries: vec![shared, cc_user, cursor_tok, vs_tok, codex_tok],
    }
}

impl World {
    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.env.net_cmd();
        cmd.current_dir(&self.proj);
        cmd
    }

    fn read(&self, client: &str) -> String {
        std::fs::read_to_string(&self.files[client]).unwrap()
    }

    fn snapshot(&self) -> BTreeMap<&'static str, String> {
        self.files.keys().map(|c| (*c, self.read(c))).collect()
    }

    /// No canary in any file under HOME, the project or the store.
    fn assert_no_value_left(&self) {
        for dir in [&self.home, &self.proj, &self.env.vault_dir().join("store")] {
            for file in walk(dir) {
                let bytes = std::fs::read(&file).unwrap_or_default();
                for c in &self.canaries {
                    assert!(
                        !crate::common::pkg::contains_bytes(&bytes, c.as_bytes()),
                        "{} still holds the value {c}",
                        file.display()
                    );
                }
            }
        }
    }
}

/// A JSONC text as a value, read as VS Code reads it (comments, trailing commas).
pub(crate) fn jsonc(text: &str) -> serde_json::Value {
    jsonc_parser::cst::CstRootNode::parse(text, &Default::default())
        .expect("valid JSONC")
        .value()
        .expect("a value")
        .to_serde_value()
        .expect("plain JSON values")
}

pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let p = e.unwrap().path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.is_dir() {
            out.extend(walk(&p));
        } else if meta.is_file() {
            out.push(p);
        }
    }
    out
}

/// (command, args) of a server entry, read as the client reads its file.
pub(crate) fn entry(
    client: &str,
    text: &str,
    container: &[&str],
    name: &str,
) -> (String, Vec<String>) {
    let value: serde_json::Value = if client == "codex" {
        let doc: toml_edit::DocumentMut = text.parse().expect("valid TOML");
        let t = &doc["mcp_servers"][name];
        serde_json::json!({
            "command": t["command"].as_str(),
            "args": t["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect::<Vec<_>>(),
            "env": t.get("env").map(|_| "present"),
        })
    } else {
        let root = jsonc(text);
        let mut v = &root;
        for key in container {
            v = &v[*key];
        }
        v[name].clone()
    };
    let args = value["args"]
        .as_array()
        .unwrap_or_else(|| panic!("{client} {name}: {value}"))
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    (value["command"].as_str().unwrap().to_owned(), args)
}

/// Starts an entry as its client would (PATH holding keyward), sends one request and
/// returns the first response line and everything else the server wrote to stdout.
fn start(w: &World, command: &str, args: &[String]) -> (serde_json::Value, String) {
    assert_eq!(command, "keyward");
    let bin_dir = keyward_bin().parent().unwrap().to_path_buf();
    let out = w
        .env
        .std_cmd(command)
        .args(args)
        .env("PATH", format!("{}:{PATH}", bin_dir.display()))
        .env("KEYWARD_VAULT", "/nonexistent/the-entry-names-its-vault")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(
                b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}\n",
            )?;
            child.wait_with_output()
        })
        .expect("start the entry");
    assert!(
        out.status.success(),
        "{command} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let first = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    (first, stdout)
}

#[test]
fn import_moves_every_value_out_of_all_five_clients_and_the_entries_still_start() {
    let w = world(true);
    let before = w.snapshot();

    // list --check sees the plaintext keys (names only).
    let list = w.cmd().args(["mcp", "list", "--check"]).assert().code(5);
    let text = stdout_of(&list) + &stderr_of(&list);
    for name in [
        "ECHO_TOKEN",
        "EVERYTHING_API_KEY",
        "CURSOR_TOKEN",
        "VS_TOKEN",
        "CODEX_TOKEN",
    ] {
        assert!(text.contains(name), "{name}: {text}");
    }
    for c in &w.canaries {
        assert!(!text.contains(c.as_str()), "list shows no value: {text}");
    }

    // --dry-run: the plan and the diff, values concealed, nothing written.
    let dry = w
        .cmd()
        .args(["mcp", "import", "--dry-run"])
        .assert()
        .success();
    let text = stdout_of(&dry) + &stderr_of(&dry);
    assert!(text.contains("<concealed by keyward>"), "{text}");
    assert!(text.contains(&format!(
        "keyward install npm:{EVERYTHING}@{EVERYTHING_VERSION}"
    )));
    assert!(text.contains("+       \"command\": \"keyward\","), "{text}");
    for c in &w.canaries {
        assert!(!text.contains(c.as_str()), "dry run shows no value: {text}");
    }
    assert_eq!(w.snapshot(), before, "--dry-run changes nothing");

    let out = w.cmd().args(["mcp", "import"]).assert().success();
    let text = stderr_of(&out);
    assert!(text.contains("left alone (references): GH_TOKEN"), "{text}");
    assert!(text.contains("left alone (references): HOME_DIR"), "{text}");
    w.assert_no_value_left();

    // Unrelated fields and comments are unchanged, byte for byte.
    let proj = w.proj.display().to_string();
    let keep: &[(&str, &[String])] = &[
        (
            "claude-code",
            &[
                format!("{{\n  \"numStartups\": 12,\n  \"projects\": {{\n    \"{proj}\": {{\n      \"allowedTools\": [],\n      \"mcpServers\": {{\n        \"everything\": {{\n          \"type\": \"stdio\",\n"),
                "      },\n      \"hasTrustDialogAccepted\": true\n    }\n  },\n  \"mcpServers\": {\n    \"echo\": {\n      \"type\": \"stdio\",\n".into(),
                "  \"tipsHistory\": {\"new-user-warmup\": 1}\n}\n".into(),
            ],
        ),
        ("claude-desktop", &["  \"globalShortcut\": \"Ctrl+Space\"\n}\n".into()]),
        (
            "cursor",
            &["    \"docs\": { \"url\": \"https://mcp.example.invalid/sse\" }\n  }\n}\n".into(), "\"HOME_DIR\": \"${env:HOME}\"".into()],
        ),
        (
            "vscode",
            &[
                "{\n  // Inputs are prompted by VS Code when a server starts\n  \"inputs\": [\n    { \"type\": \"promptString\", \"id\": \"gh\", \"description\": \"GitHub token\", \"password\": true }\n  ],\n  \"servers\": {\n    // a local server with a pasted key\n    \"vs-echo\": {\n      \"type\": \"stdio\",\n".into(),
                "        \"GH_TOKEN\": \"${input:gh}\"\n      }\n    },\n  },\n}\n".into(),
            ],
        ),
        (
            "codex",
            &[
                "# Codex settings\nmodel = \"o3\"\n\n# the echo server\n[mcp_servers.codex-echo]\n".into(),
                "[profiles.fast]\nmodel = \"o4-mini\" # unrelated\n".into(),
            ],
        ),
    ];
    for (client, parts) in keep {
        let text = w.read(client);
        for part in *parts {
            assert!(
                before[client].contains(part.as_str()),
                "fixture {client} has {part:?}"
            );
            assert!(
                text.contains(part.as_str()),
                "{client} keeps {part:?}:\n{text}"
            );
        }
    }

    // Backups: 0600, references instead of values.
    for (client, file) in &w.files {
        let backup = PathBuf::from(format!("{}.keyward-backup", file.display()));
        let meta = std::fs::metadata(&backup).unwrap_or_else(|_| panic!("{client} backup"));
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{client}");
        let text = std::fs::read_to_string(&backup).unwrap();
        assert!(text.contains("keyward:default/"), "{client}: {text}");
    }

    // The rewritten entries start the servers, with their keys and no env block.
    let vault = std::fs::canonicalize(w.env.vault())
        .unwrap()
        .display()
        .to_string();
    let cases: &[(&str, &[&str], &str, &str, &str)] = &[
        (
            "claude-code",
            &["mcpServers"],
            "echo",
            "mcp-echo",
            "ECHO_TOKEN",
        ),
        (
            "cursor",
            &["mcpServers"],
            "desk-echo",
            "mcp-desk-echo",
            "CURSOR_TOKEN",
        ),
        ("vscode", &["servers"], "vs-echo", "mcp-vs-echo", "VS_TOKEN"),
        (
            "codex",
            &["mcp_servers"],
            "codex-echo",
            "mcp-codex-echo",
            "CODEX_TOKEN",
        ),
    ];
    for (client, container, name, package, key) in cases {
        let (command, args) = entry(client, &w.read(client), container, name);
        assert_eq!(
            args,
            ["--vault", vault.as_str(), "run", package],
            "{client}"
        );
        let (reply, stdout) = start(&w, &command, &args);
        assert_eq!(
            reply["result"]["serverInfo"]["name"], "echo",
            "{client}: {reply}"
        );
        assert_eq!(
            reply["result"]["keys"],
            serde_json::json!([key]),
            "{client}: {reply}"
        );
        // The server printed the value it got; keyward masked it.
        assert!(
            stdout.contains(r#"{"printed":["<concealed by keyward>"]}"#),
            "{client}: {stdout}"
        );
    }
    let codex = w.read("codex");
    assert!(!codex.contains("[mcp_servers.codex-echo.env]"), "{codex}");

    // The npm entries (Claude Code's per-project one and Claude Desktop's) start the real
    // server under the real MCP client.
    let client = net::mcp_client();
    for (cfg, container) in [
        ("claude-code", vec!["projects", proj.as_str(), "mcpServers"]),
        ("claude-desktop", vec!["mcpServers"]),
    ] {
        let (command, args) = entry(cfg, &w.read(cfg), &container, "everything");
        assert_eq!(args.last().unwrap(), EVERYTHING);
        let bin_dir = keyward_bin().parent().unwrap().to_path_buf();
        let out = w
            .env
            .std_cmd("node")
            .arg(client.join("client.mjs"))
            .arg(&command)
            .args(&args)
            .env("PATH", format!("{}:{PATH}", bin_dir.display()))
            .env("MCP_TOOL", "get-env")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cfg}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains(r#"\"EVERYTHING_API_KEY\": \"<concealed by keyward>\""#),
            "{cfg}: {stdout}"
        );
    }

    // list: guarded, no plaintext; a second import changes nothing and says so.
    let list = w
        .cmd()
        .args(["mcp", "list", "--check", "--json"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&list)).unwrap();
    let guarded = doc["servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["guarded"] == true && s["state"] == "ready")
        .count();
    assert_eq!(guarded, 6, "{doc}");
    let after = w.snapshot();
    let again = w.cmd().args(["mcp", "import"]).assert().success();
    assert!(
        stderr_of(&again).contains("Nothing to import; nothing changed"),
        "{}",
        stderr_of(&again)
    );
    assert_eq!(w.snapshot(), after, "a second import changes nothing");

    // --undo puts each original back, byte for byte, values read from the vault.
    for client in ["claude-code", "vscode", "codex"] {
        w.cmd()
            .args(["mcp", "import", "--undo"])
            .arg(&w.files[client])
            .assert()
            .success();
        assert_eq!(w.read(client), before[client], "{client} is back as it was");
    }
}

#[test]
fn an_unparsable_config_is_left_untouched_and_nothing_is_written() {
    let w = world(false);
    let broken = "{\n  \"mcpServers\": {\n    \"x\": {\"command\": \"node\",, }\n";
    write(&w.files["cursor"], broken);
    let before = w.snapshot();
    let out = w.cmd().args(["mcp", "import"]).assert().code(1);
    let err = stderr_of(&out);
    assert!(
        err.contains("error[config-unparsable]") && err.contains("left untouched"),
        "{err}"
    );
    assert!(err.contains(".cursor/mcp.json"), "names the file: {err}");
    assert_eq!(w.snapshot(), before, "no file was changed");
    let secrets = stdout_of(
        &w.env
            .cmd()
            .args(["secret", "list", "--json"])
            .assert()
            .success(),
    );
    assert!(!secrets.contains("_TOKEN"), "no value moved: {secrets}");
}

#[test]
fn a_floating_npx_server_needs_a_pinned_version() {
    let w = world(false);
    write(
        &w.files["cursor"],
        "{\n  \"mcpServers\": {\n    \"everything\": {\n      \"command\": \"npx\",\n      \"args\": [\"-y\", \"@modelcontextprotocol/server-everything\"],\n      \"env\": {\"EVERYTHING_API_KEY\": \"kwcanary-floating\"}\n    }\n  }\n}\n",
    );
    let before = w.snapshot();
    let out = w.cmd().args(["mcp", "import"]).assert().code(5);
    let err = stderr_of(&out);
    assert!(err.contains("--pin everything="), "names the flag: {err}");
    assert!(err.contains("no exact version"), "{err}");
    assert_eq!(w.snapshot(), before);
    let dry = w
        .cmd()
        .args([
            "mcp",
            "import",
            "--dry-run",
            "--pin",
            &format!("everything={EVERYTHING_VERSION}"),
        ])
        .assert()
        .success();
    assert!(
        stdout_of(&dry).contains(&format!("npm:{EVERYTHING}@{EVERYTHING_VERSION}")),
        "{}",
        stdout_of(&dry)
    );
}

#[test]
fn mcp_add_writes_a_keyward_entry_and_keeps_the_rest() {
    let w = world(false);
    let pkg = w.env.root().join("pkgs/tool");
    write(
        &pkg.join("instant.package.json"),
        r#"{"name": "@acme/tool", "version": "1", "keys": ["TOOL_TOKEN"], "run": ["cat"]}"#,
    );
    w.env
        .cmd()
        .args(["install"])
        .arg(&pkg)
        .args(["--approve", "TOOL_TOKEN"])
        .assert()
        .success();
    let before = w.read("cursor");
    let vault = std::fs::canonicalize(w.env.vault())
        .unwrap()
        .display()
        .to_string();
    w.cmd()
        .args(["mcp", "add", "@acme/tool", "--client", "cursor"])
        .assert()
        .success();
    let after = w.read("cursor");
    let (command, args) = entry("cursor", &after, &["mcpServers"], "tool");
    assert_eq!(command, "keyward");
    assert_eq!(args, ["--vault", vault.as_str(), "run", "@acme/tool"]);
    let root = jsonc(&after);
    assert!(
        root["mcpServers"]["tool"].get("env").is_none(),
        "no env block: {after}"
    );
    let docs = r#""docs": { "url": "https://mcp.example.invalid/sse" }"#;
    let prefix = &before[..before.find(docs).unwrap() + docs.len()];
    assert!(
        after.starts_with(prefix),
        "everything before the new entry is unchanged:\n{before}\n{after}"
    );
    let backup =
        std::fs::read_to_string(format!("{}.keyward-backup", w.files["cursor"].display())).unwrap();
    assert!(
        !backup.contains(&w.canaries[2]),
        "the backup holds no value: {backup}"
    );
    let again = w
        .cmd()
        .args(["mcp", "add", "@acme/tool", "--client", "cursor"])
        .assert()
        .success();
    assert!(stderr_of(&again).contains("nothing changed"));
    assert_eq!(w.read("cursor"), after);

    // Other clients' shapes: VS Code's `servers` with a type, Codex's TOML table, a
    // keychain that is not `default`.
    w.env.create_keychain("agents");
    w.env
        .cmd()
        .args(["-k", "agents", "install"])
        .arg(&pkg)
        .args(["--approve", "TOOL_TOKEN"])
        .assert()
        .success();
    w.cmd()
        .args([
            "-k",
            "agents",
            "mcp",
            "add",
            "@acme/tool",
            "--client",
            "vscode",
            "--scope",
            "project",
            "--name",
            "t",
        ])
        .assert()
        .success();
    let vs = w.read("vscode");
    assert!(vs.contains("// a local server with a pasted key"), "{vs}");
    let root = jsonc(&vs);
    assert_eq!(root["servers"]["t"]["type"], "stdio");
    assert_eq!(
        root["servers"]["t"]["args"],
        serde_json::json!(["--vault", vault, "-k", "agents", "run", "@acme/tool"])
    );
    w.cmd()
        .args(["mcp", "add", "@acme/tool", "--client", "codex"])
        .assert()
        .success();
    let codex = w.read("codex");
    assert!(
        codex.starts_with("# Codex settings\nmodel = \"o3\"\n"),
        "{codex}"
    );
    let (command, args) = entry("codex", &codex, &["mcp_servers"], "tool");
    assert_eq!(
        (command.as_str(), args.last().unwrap().as_str()),
        ("keyward", "@acme/tool")
    );

    // A package that is not installed: exit 4, file untouched.
    let before = w.read("cursor");
    w.cmd()
        .args(["mcp", "add", "@acme/none", "--client", "cursor"])
        .assert()
        .code(4);
    assert_eq!(w.read("cursor"), before);
}

#[test]
fn run_passes_an_mcp_servers_stdio_byte_exact_and_fails_in_one_line_without_prompting() {
    let env = TestEnv::with_vault();
    let pkg = env.root().join("pkgs/cat");
    write(
        &pkg.join("instant.package.json"),
        r#"{"name": "cat-server", "version": "1", "keys": [{"name": "CAT_TOKEN", "optional": true}], "run": ["cat"]}"#,
    );
    env.cmd()
        .arg("install")
        .arg(&pkg)
        .arg("--yes")
        .assert()
        .success();
    let mut input = Vec::new();
    for i in 0..2000u32 {
        input.extend_from_slice(
            format!("{{\"jsonrpc\":\"2.0\",\"id\":{i},\"params\":\"é\\u0000\"}}\n").as_bytes(),
        );
    }
    input.extend_from_slice(b"\xff\xfe\x00 no newline at the end");
    let out = env
        .cmd()
        .args(["run", "cat-server"])
        .write_stdin(input.clone())
        .assert()
        .success();
    assert_eq!(
        out.get_output().stdout,
        input,
        "stdio passes through byte for byte"
    );

    // A required key that is not approved: exit 125, an error line, no prompt.
    write(
        &pkg.join("instant.package.json"),
        r#"{"name": "cat-server", "version": "2", "keys": ["CAT_TOKEN"], "run": ["cat"]}"#,
    );
    env.cmd()
        .arg("install")
        .arg(&pkg)
        .arg("--yes")
        .assert()
        .success();
    let out = env
        .cmd()
        .args(["run", "cat-server"])
        .write_stdin("{}\n")
        .assert()
        .code(125);
    assert!(
        out.get_output().stdout.is_empty(),
        "nothing on the protocol stream"
    );
    let err = stderr_of(&out);
    assert!(err.starts_with("keyward: error[not-approved]: "), "{err}");
}
