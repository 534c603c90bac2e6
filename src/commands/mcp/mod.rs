//! `keyward mcp add | import | list | bridge`: MCP client configs whose servers run
//! through `keyward run`, with no key left in the client's file. One file per
//! subcommand; this one dispatches and holds what they share.

mod add;
mod import;
mod list;
mod undo;

use std::path::{Path, PathBuf};

use crate::cli::McpCommand;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::mcp::config::write_atomic;
use crate::mcp::{Client, backup_path};

/// What `mcp add`'s backup holds in place of a literal value it did not move.
pub(super) const NOT_COPIED: &str = "<not copied by keyward: move it with `keyward mcp import`>";

/// Dispatches the `mcp` subcommands.
pub fn cmd_mcp(ctx: &Ctx, cmd: &McpCommand) -> Result<()> {
    match cmd {
        McpCommand::Add {
            package,
            client,
            scope,
            name,
        } => add::add(ctx, package, *client, *scope, name.as_deref()),
        McpCommand::Import {
            file,
            client,
            dry_run,
            undo,
            pin,
        } => {
            if *undo {
                undo::undo_import(ctx, file.as_deref().expect("clap requires FILE"), *client)
            } else {
                import::import(ctx, file.as_deref(), *client, *dry_run, pin)
            }
        }
        McpCommand::List { client, check } => list::list(ctx, *client, *check),
        McpCommand::Bridge {
            url,
            header,
            transport,
        } => crate::mcp::bridge::run(url, header, *transport),
    }
}

pub(super) fn home() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| {
            Error::usage("HOME is not set, so the clients' user configs cannot be found")
                .hint("set HOME, or name the config file: keyward mcp import FILE")
        })
}

pub(super) fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// `keyward` argv for a guarded entry: `[--vault V] [-k K] run PACKAGE`.
pub(super) fn entry_args(ctx: &Ctx, keychain: &str, package: &str) -> Vec<String> {
    let mut args = Vec::new();
    if crate::vault::default_path().as_deref() != Some(ctx.vault_path.as_path()) {
        args.push("--vault".to_owned());
        args.push(
            std::fs::canonicalize(&ctx.vault_path)
                .unwrap_or_else(|_| ctx.vault_path.clone())
                .to_string_lossy()
                .into_owned(),
        );
    }
    if keychain != "default" {
        args.push("-k".to_owned());
        args.push(keychain.to_owned());
    }
    args.push("run".to_owned());
    args.push(package.to_owned());
    args
}

/// How a bridge package starts keyward: `keyward` when PATH finds this very binary
/// (so an upgrade in place keeps working), else this binary's path.
pub(super) fn keyward_exe() -> String {
    let me = std::env::current_exe().ok();
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("keyward"))
            .find(|p| p.is_file())
    });
    match (&me, on_path) {
        (Some(me), Some(p)) if std::fs::canonicalize(&p).ok().as_ref() == Some(me) => {
            "keyward".to_owned()
        }
        (Some(me), _) => me.to_string_lossy().into_owned(),
        (None, _) => "keyward".to_owned(),
    }
}

pub(super) fn client_of(file: &Path, client: Option<Client>) -> Result<Client> {
    client.or_else(|| Client::guess(file)).ok_or_else(|| {
        Error::usage(format!(
            "cannot tell which client {} belongs to",
            file.display()
        ))
        .hint("name it: --client claude-code|claude-desktop|cursor|vscode|codex")
    })
}

/// Writes `text` as `file`'s backup (0600).
pub(super) fn write_backup(file: &Path, text: &str) -> Result<PathBuf> {
    let backup = backup_path(file);
    write_atomic(&backup, text.as_bytes(), 0o600)?;
    Ok(backup)
}
