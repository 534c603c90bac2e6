//! MCP client configs: where each client keeps its servers, reading and rewriting them
//! ([`config`]), what package a server's command stands for ([`target`]), an HTTP
//! server as a bridge package ([`http`], [`bridge`]), and what an import will do
//! ([`plan`]) and write ([`rewrite`]).
//!
//! None of this is on `run`'s path: the parsers are only reached from `keyward mcp`.

pub mod bridge;
pub mod config;
pub mod http;
pub mod plan;
pub mod rewrite;
pub mod target;

use std::path::{Path, PathBuf};

/// The MCP clients keyward knows the configs of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Client {
    /// Claude Code: ~/.claude.json (also per project), .mcp.json
    ClaudeCode,
    /// Claude Desktop: claude_desktop_config.json
    ClaudeDesktop,
    /// Cursor: ~/.cursor/mcp.json, .cursor/mcp.json
    Cursor,
    /// VS Code: the user profile's mcp.json, .vscode/mcp.json (JSONC)
    Vscode,
    /// Codex: ~/.codex/config.toml
    Codex,
}

/// `--scope` of `mcp add`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// The user's own config file
    User,
    /// The project's config file, in the current folder
    Project,
    /// Claude Code only: the current folder's entry in ~/.claude.json
    /// (`projects[PATH].mcpServers`), as `claude mcp add --scope local` writes
    Local,
}

impl Client {
    /// Every client, in a fixed order.
    pub const ALL: [Client; 5] = [
        Client::ClaudeCode,
        Client::ClaudeDesktop,
        Client::Cursor,
        Client::Vscode,
        Client::Codex,
    ];

    /// The `--client` word.
    pub fn word(self) -> &'static str {
        match self {
            Client::ClaudeCode => "claude-code",
            Client::ClaudeDesktop => "claude-desktop",
            Client::Cursor => "cursor",
            Client::Vscode => "vscode",
            Client::Codex => "codex",
        }
    }

    /// The config file for `scope`, or `None` when the client has no such scope.
    pub fn path(self, scope: Scope, home: &Path, cwd: &Path) -> Option<PathBuf> {
        let macos = cfg!(target_os = "macos");
        let app_support = home.join("Library/Application Support");
        let xdg_config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map_or_else(|| home.join(".config"), PathBuf::from);
        match (self, scope) {
            (Client::ClaudeCode, Scope::User) => Some(home.join(".claude.json")),
            (Client::ClaudeCode, Scope::Project) => Some(cwd.join(".mcp.json")),
            (Client::ClaudeDesktop, Scope::User) => Some(if macos {
                app_support.join("Claude/claude_desktop_config.json")
            } else {
                xdg_config.join("Claude/claude_desktop_config.json")
            }),
            (Client::Cursor, Scope::User) => Some(home.join(".cursor/mcp.json")),
            (Client::Cursor, Scope::Project) => Some(cwd.join(".cursor/mcp.json")),
            (Client::Vscode, Scope::User) => Some(if macos {
                app_support.join("Code/User/mcp.json")
            } else {
                xdg_config.join("Code/User/mcp.json")
            }),
            (Client::Vscode, Scope::Project) => Some(cwd.join(".vscode/mcp.json")),
            (Client::Codex, Scope::User) => Some(
                std::env::var_os("CODEX_HOME")
                    .filter(|v| !v.is_empty())
                    .map_or_else(|| home.join(".codex"), PathBuf::from)
                    .join("config.toml"),
            ),
            (Client::ClaudeCode, Scope::Local) => Some(home.join(".claude.json")),
            (Client::ClaudeDesktop | Client::Codex, Scope::Project) => None,
            (_, Scope::Local) => None,
        }
    }

    /// Where servers go in the file of `scope`: `mcpServers`, `servers`, `mcp_servers`,
    /// or (Claude Code, local scope) `projects[PROJECT].mcpServers`.
    pub fn servers_loc(self, scope: Scope, project: &str) -> Vec<String> {
        let top = match self {
            Client::Vscode => "servers",
            Client::Codex => "mcp_servers",
            _ => "mcpServers",
        };
        match scope {
            Scope::Local => vec!["projects".into(), project.to_owned(), top.into()],
            _ => vec![top.into()],
        }
    }

    /// The client whose config `file` looks like, by its name.
    pub fn guess(file: &Path) -> Option<Client> {
        let name = file.file_name()?.to_str()?;
        let parent = file
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("");
        match (name, parent) {
            (".claude.json" | ".mcp.json", _) => Some(Client::ClaudeCode),
            ("claude_desktop_config.json", _) => Some(Client::ClaudeDesktop),
            (_, ".cursor") => Some(Client::Cursor),
            ("mcp.json", ".vscode" | "User") => Some(Client::Vscode),
            (n, _) if n.ends_with(".toml") => Some(Client::Codex),
            _ => None,
        }
    }
}

/// The config files of `clients` that exist, user scope first.
pub fn found_files(clients: &[Client], home: &Path, cwd: &Path) -> Vec<(Client, PathBuf)> {
    let mut out = Vec::new();
    for &client in clients {
        for scope in [Scope::User, Scope::Project] {
            if let Some(path) = client.path(scope, home, cwd)
                && path.is_file()
                && !out.iter().any(|(_, p)| *p == path)
            {
                out.push((client, path));
            }
        }
    }
    out
}

/// The backup of a config file: `FILE.keyward-backup`.
pub fn backup_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".keyward-backup");
    file.with_file_name(name)
}

/// A line diff of two texts (`-`/`+`, with two lines of context), for `--dry-run`.
pub fn line_diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Trim the common head and tail, then LCS over what is left (config files are small).
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut lcs = vec![vec![0u32; mb.len() + 1]; ma.len() + 1];
    for i in (0..ma.len()).rev() {
        for j in (0..mb.len()).rev() {
            lcs[i][j] = if ma[i] == mb[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    for line in &a[head.saturating_sub(2)..head] {
        out.push(format!("  {line}"));
    }
    let (mut i, mut j) = (0, 0);
    while i < ma.len() || j < mb.len() {
        if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
            out.push(format!("  {}", ma[i]));
            i += 1;
            j += 1;
        } else if j < mb.len() && (i == ma.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+ {}", mb[j]));
            j += 1;
        } else {
            out.push(format!("- {}", ma[i]));
            i += 1;
        }
    }
    for line in a[a.len() - tail..].iter().take(2) {
        out.push(format!("  {line}"));
    }
    out.join("\n")
}
