//! Claude Code's three places for servers (issue #12): `--scope user` (`mcpServers` of
//! `~/.claude.json`), `--scope project` (`.mcp.json` in the project) and `--scope local`
//! (`projects[PATH].mcpServers` of `~/.claude.json`, as `claude mcp add --scope local`
//! writes), on a fixture in the file's documented shape. Every edit is one insertion:
//! the rest of the file is unchanged byte for byte.

use std::path::Path;

use crate::common::{TestEnv, stdout_of};
use crate::mcp::{entry, jsonc, write};

/// `~/.claude.json` as Claude Code writes it (two-space indent, per-project state).
fn claude_json(proj: &Path) -> String {
    format!(
        r#"{{
  "numStartups": 42,
  "installMethod": "native",
  "autoUpdates": true,
  "projects": {{
    "{proj}": {{
      "allowedTools": [],
      "history": [],
      "mcpContextUris": [],
      "mcpServers": {{
        "existing": {{
          "type": "stdio",
          "command": "node",
          "args": ["server.js"],
          "env": {{}}
        }}
      }},
      "enabledMcpjsonServers": [],
      "disabledMcpjsonServers": [],
      "hasTrustDialogAccepted": true,
      "projectOnboardingSeenCount": 1
    }},
    "/other/project": {{
      "allowedTools": [],
      "mcpServers": {{}}
    }}
  }},
  "mcpServers": {{}},
  "userID": "0123abcd"
}}
"#,
        proj = proj.display()
    )
}

/// The text `after` adds to `before`, which must be its only change.
fn inserted(before: &str, after: &str) -> String {
    let head = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let tail = before[head..]
        .bytes()
        .rev()
        .zip(after[head..].bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert_eq!(
        head + tail,
        before.len(),
        "the edit is one insertion, the rest byte for byte:\n{before}\n---\n{after}"
    );
    after[head..after.len() - tail].to_owned()
}

#[test]
fn claude_code_user_project_and_local_scopes() {
    let env = TestEnv::with_vault();
    let home = env.root().join("home");
    let proj = std::fs::canonicalize(env.root()).unwrap().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let claude = home.join(".claude.json");
    write(&claude, &claude_json(&proj));
    let pkg = env.root().join("pkgs/tool");
    write(
        &pkg.join("instant.package.json"),
        r#"{"name": "@acme/tool", "version": "1", "keys": ["TOOL_TOKEN"], "run": ["cat"]}"#,
    );
    env.cmd()
        .arg("install")
        .arg(&pkg)
        .args(["--approve", "TOOL_TOKEN"])
        .assert()
        .success();
    let vault = std::fs::canonicalize(env.vault())
        .unwrap()
        .display()
        .to_string();
    let want = ["--vault", vault.as_str(), "run", "@acme/tool"];
    let add = |dir: &Path, scope: &str| {
        let mut cmd = env.cmd();
        cmd.current_dir(dir).args([
            "mcp",
            "add",
            "@acme/tool",
            "--client",
            "claude-code",
            "--scope",
            scope,
        ]);
        cmd
    };
    let proj_s = proj.display().to_string();

    // local: into the project's entry, beside the server already there.
    let before = std::fs::read_to_string(&claude).unwrap();
    add(&proj, "local").assert().success();
    let after = std::fs::read_to_string(&claude).unwrap();
    let added = inserted(&before, &after);
    assert!(added.contains("\"tool\""), "{added}");
    let (command, args) = entry(
        "claude-code",
        &after,
        &["projects", proj_s.as_str(), "mcpServers"],
        "tool",
    );
    assert_eq!(command, "keyward");
    assert_eq!(args, want);
    let root = jsonc(&after);
    assert!(
        root["mcpServers"].as_object().unwrap().is_empty(),
        "user scope untouched"
    );
    assert_eq!(
        root["projects"][&proj_s]["mcpServers"]["existing"]["command"],
        "node"
    );
    // Again: nothing changes.
    add(&proj, "local").assert().success();
    assert_eq!(std::fs::read_to_string(&claude).unwrap(), after);

    // local, from a folder with no entry yet: the project's entry is created.
    let fresh = proj.join("sub");
    std::fs::create_dir_all(&fresh).unwrap();
    add(&fresh, "local").assert().success();
    let third = std::fs::read_to_string(&claude).unwrap();
    inserted(&after, &third);
    let fresh_s = fresh.display().to_string();
    let (_, args) = entry(
        "claude-code",
        &third,
        &["projects", fresh_s.as_str(), "mcpServers"],
        "tool",
    );
    assert_eq!(args, want);

    // user: the top-level mcpServers.
    add(&proj, "user").assert().success();
    let fourth = std::fs::read_to_string(&claude).unwrap();
    inserted(&third, &fourth);
    let (_, args) = entry("claude-code", &fourth, &["mcpServers"], "tool");
    assert_eq!(args, want);

    // project: .mcp.json in the project folder.
    add(&proj, "project").assert().success();
    let mcp_json = std::fs::read_to_string(proj.join(".mcp.json")).unwrap();
    let (_, args) = entry("claude-code", &mcp_json, &["mcpServers"], "tool");
    assert_eq!(args, want);

    // local is Claude Code's alone.
    let mut cmd = env.cmd();
    cmd.current_dir(&proj)
        .args([
            "mcp",
            "add",
            "@acme/tool",
            "--client",
            "cursor",
            "--scope",
            "local",
        ])
        .assert()
        .code(2);

    // list reads all of them, and says which project an entry belongs to.
    let mut cmd = env.cmd();
    let list = cmd
        .current_dir(&proj)
        .args(["mcp", "list", "--client", "claude-code", "--json"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&list)).unwrap();
    let mut seen: Vec<(String, String, bool)> = doc["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["server"].as_str().unwrap().to_owned(),
                s["project"].as_str().unwrap_or("-").to_owned(),
                s["guarded"].as_bool().unwrap(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("existing".into(), proj_s.clone(), false),
            ("tool".into(), "-".into(), true),
            ("tool".into(), "-".into(), true),
            ("tool".into(), proj_s.clone(), true),
            ("tool".into(), fresh_s.clone(), true),
        ],
        "{doc}"
    );
}
