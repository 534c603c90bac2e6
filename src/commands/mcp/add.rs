//! `mcp add`: one `keyward run PACKAGE` entry written into a client's config.

use super::{NOT_COPIED, cwd, entry_args, home, write_backup};
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::keychain::Role;
use crate::mcp::config::ConfigFile;
use crate::mcp::{Client, Scope};
use crate::output::sanitize;

pub(super) fn add(
    ctx: &Ctx,
    package: &str,
    client: Client,
    scope: Scope,
    name: Option<&str>,
) -> Result<()> {
    let kc = ctx.open(Role::Any)?;
    let inst = kc.package(package)?;
    let path = client.path(scope, &home()?, &cwd()).ok_or_else(|| {
        let scope = match scope {
            Scope::Local => "local (per-project entries in ~/.claude.json: Claude Code only)",
            _ => "project",
        };
        Error::usage(format!("{} has no {scope} scope", client.word()))
            .hint("use --scope user (or project, where the client has one)")
    })?;
    let server = name.map_or_else(
        || {
            inst.name()
                .rsplit('/')
                .next()
                .unwrap_or(inst.name())
                .to_owned()
        },
        str::to_owned,
    );
    let mut file = ConfigFile::load(client, &path)?;
    let loc = client.servers_loc(scope, &file.project_key(&cwd()));
    let args = entry_args(ctx, kc.name(), inst.name());
    if let Some(existing) = file
        .servers()
        .into_iter()
        .find(|s| s.loc == loc && s.name == server)
    {
        if existing.command.as_deref() == Some("keyward") && existing.args == args {
            ctx.out.info(format!(
                "{} already has server `{server}` running keyward run {}; nothing changed.",
                path.display(),
                inst.name()
            ));
            return Ok(());
        }
        return Err(Error::general(format!(
            "{} already has a server named `{}`; it was left untouched",
            path.display(),
            sanitize(&server)
        ))
        .hint("choose another name with --name SERVER, or move it with `keyward mcp import`"));
    }
    if file.exists {
        // The backup must hold no secret: literal values of other servers are left out.
        let mut backup = file.reparse();
        for s in file.servers() {
            for (key, _) in s.literals() {
                backup.set_value(&s.loc, &s.name, key, NOT_COPIED);
            }
        }
        write_backup(&path, &backup.text())?;
    }
    file.rewrite(&loc, &server, "keyward", &args, &[], &[]);
    file.save()?;
    if ctx.out.json {
        ctx.out.json_doc(&serde_json::json!({
            "client": client.word(),
            "file": path,
            "server": server,
            "command": "keyward",
            "args": args,
        }));
    }
    ctx.out.info(format!(
        "Added server `{}` to {} ({}): keyward {}",
        sanitize(&server),
        path.display(),
        client.word(),
        args.join(" ")
    ));
    Ok(())
}
