//! `mcp list [--check]`: every server of every client config found, guarded or not,
//! and the plaintext keys they still hold (names only).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{cwd, home};
use crate::commands::Ctx;
use crate::commands::render::state_word;
use crate::error::{Error, Result};
use crate::keychain::{Keychain, Role};
use crate::mcp::config::{ConfigFile, Server};
use crate::mcp::target::{Target, classify};
use crate::mcp::{Client, found_files};
use crate::output::{print_line, sanitize, table};

#[derive(Serialize)]
struct ListedServer {
    client: &'static str,
    file: String,
    server: String,
    /// Claude Code's per-project entries in ~/.claude.json: the project's path.
    project: Option<String>,
    guarded: bool,
    package: Option<String>,
    keychain: Option<String>,
    state: Option<String>,
    plaintext_keys: Vec<String>,
    references: Vec<String>,
}

pub(super) fn list(ctx: &Ctx, client: Option<Client>, check: bool) -> Result<()> {
    let clients: Vec<Client> = client.map_or_else(|| Client::ALL.to_vec(), |c| vec![c]);
    let files = found_files(&clients, &home()?, &cwd());
    let mut keychains: BTreeMap<String, Option<(Keychain, BTreeSet<String>)>> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    for (c, path) in &files {
        let f = match ConfigFile::load(*c, path) {
            Ok(f) => f,
            Err(e) => {
                ctx.out.warn(e.message.clone());
                unreadable.push(path.display().to_string());
                continue;
            }
        };
        for s in f.servers() {
            let plaintext: Vec<String> =
                s.literals().iter().map(|(k, _)| (*k).to_owned()).collect();
            let references: Vec<String> = s
                .env
                .iter()
                .chain(&s.headers)
                .filter(|(_, v)| Server::is_reference(v))
                .map(|(k, _)| k.clone())
                .chain(s.header_vars.iter().map(|(_, var)| var.clone()))
                .collect();
            let (guarded, package, keychain, state) = match classify(&s) {
                Target::Guarded { keychain, package } => {
                    let kc_name = keychain
                        .clone()
                        .or_else(|| ctx.keychain.clone())
                        .unwrap_or_else(|| "default".into());
                    let slot = keychains.entry(kc_name.clone()).or_insert_with(|| {
                        let kc =
                            Keychain::open(ctx.unlock().ok()?, Some(&kc_name), Role::Any).ok()?;
                        let present = kc.secret_names().ok()?;
                        Some((kc, present))
                    });
                    let state = match slot {
                        Some((kc, present)) => match kc.package(&package) {
                            Ok(inst) => state_word(&inst, present).to_owned(),
                            Err(_) => "not installed".to_owned(),
                        },
                        None => "unknown (vault locked)".to_owned(),
                    };
                    (true, Some(package), Some(kc_name), Some(state))
                }
                _ => (false, None, None, None),
            };
            rows.push(ListedServer {
                client: c.word(),
                file: path.display().to_string(),
                server: s.name.clone(),
                project: (s.loc.first().map(String::as_str) == Some("projects"))
                    .then(|| s.loc.get(1).cloned())
                    .flatten(),
                guarded,
                package,
                keychain,
                state,
                plaintext_keys: plaintext,
                references,
            });
        }
    }
    let plaintext: usize = rows.iter().map(|r| r.plaintext_keys.len()).sum();
    if ctx.out.json {
        ctx.out.json_doc(&serde_json::json!({
            "servers": rows,
            "plaintext_keys": plaintext,
            "unreadable": unreadable,
        }));
    } else if rows.is_empty() {
        ctx.out.info("No MCP server found in any client config.");
    } else {
        let table_rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.client.to_owned(),
                    sanitize(&r.server).into_owned(),
                    if r.guarded {
                        format!(
                            "keyward: {} ({})",
                            r.package.as_deref().unwrap_or(""),
                            r.state.as_deref().unwrap_or("")
                        )
                    } else {
                        "not guarded".to_owned()
                    },
                    if r.plaintext_keys.is_empty() {
                        "-".to_owned()
                    } else {
                        r.plaintext_keys.join(", ")
                    },
                    match &r.project {
                        Some(p) => format!("{} (project {})", r.file, sanitize(p)),
                        None => r.file.clone(),
                    },
                ]
            })
            .collect();
        print_line(&table(
            &["CLIENT", "SERVER", "GUARDED", "PLAINTEXT KEYS", "FILE"],
            &table_rows,
        ));
    }
    if check && (plaintext > 0 || !unreadable.is_empty()) {
        return Err(Error::denied(format!(
            "{plaintext} plaintext key(s) remain in MCP client configs{}",
            if unreadable.is_empty() {
                String::new()
            } else {
                format!("; {} config(s) could not be read", unreadable.len())
            }
        ))
        .code("plaintext-keys")
        .hint("move them into the vault: keyward mcp import --dry-run, then keyward mcp import"));
    }
    Ok(())
}
