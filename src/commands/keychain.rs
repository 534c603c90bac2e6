//! `keyward keychain create|list|rm|token`.

use serde_json::json;

use crate::audit::{self, Event};
use crate::cli::KeychainCommand;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::output::{print_line, table};
use crate::prompt;
use crate::session::{self, Session};
use crate::time;
use crate::vault::db;
use crate::vault::write;

/// Dispatches the keychain subcommands.
pub fn cmd_keychain(ctx: &Ctx, cmd: KeychainCommand) -> Result<()> {
    match cmd {
        KeychainCommand::Create { name, no_token } => create(ctx, &name, no_token),
        KeychainCommand::List => list(ctx),
        KeychainCommand::Rm { name, yes } => remove(ctx, &name, yes),
        KeychainCommand::Token { name, rotate } => rotate_token(ctx, &name, rotate),
    }
}

/// Keychain names: `^[a-z0-9][a-z0-9._-]{0,63}$`, safe in paths, URLs and shells.
fn check_keychain_name(name: &str) -> Result<()> {
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "`{name}` is not a valid keychain name: keychain names match ^[a-z0-9][a-z0-9._-]{{0,63}}$"
        )))
    }
}

fn create(ctx: &Ctx, name: &str, no_token: bool) -> Result<()> {
    check_keychain_name(name)?;
    let mut s = ctx.session()?;
    let mk = s.require_owner("creating a keychain")?.clone();
    let vid = s.vault.id;
    let token = s.vault.write(|tx| {
        if s_has(tx, name)? {
            return Err(
                Error::general(format!("keychain `{name}` already exists")).hint(format!(
                    "rotate its token with `keyward keychain token {name} --rotate`"
                )),
            );
        }
        let (row, rk) = session::new_keychain(&vid, &mk, name, time::now());
        write::keychain(tx, &row).map_err(db)?;
        let detail = json!({"keychain": name, "token": !no_token});
        audit::start(
            tx,
            &vid,
            &row.id,
            &rk,
            Event {
                action: "keychain-create",
                package: None,
                detail,
            },
        )?;
        if no_token {
            return Ok(None);
        }
        let (token, token_row) = session::new_token(&vid, row.id, &rk);
        write::replace_tokens(tx, &token_row, time::now()).map_err(db)?;
        Ok(Some(token.encode()))
    })?;
    drop(s);
    match token {
        Some(token) => {
            print_token(ctx, name, &token);
            ctx.out.info(format!(
                "Created keychain `{name}`. The token above is shown once; give it to the CI job or agent \
                 as KEYWARD_TOKEN."
            ));
        }
        None => {
            if ctx.out.json {
                ctx.out.json_doc(&json!({"keychain": name, "token": null}));
            }
            ctx.out.info(format!(
                "Created keychain `{name}` without a token; issue one with `keyward keychain token {name} --rotate`."
            ));
        }
    }
    Ok(())
}

fn s_has(tx: &rusqlite::Transaction<'_>, name: &str) -> Result<bool> {
    tx.query_row(
        "SELECT count(*) FROM keychains WHERE name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(db)
}

fn print_token(ctx: &Ctx, name: &str, token: &str) {
    if ctx.out.json {
        ctx.out.json_doc(&json!({"keychain": name, "token": token}));
    } else {
        print_line(token);
    }
}

fn list(ctx: &Ctx) -> Result<()> {
    let s = ctx.session()?;
    s.require_owner("listing keychains")?;
    let mut rows = Vec::new();
    let mut docs = Vec::new();
    for kc in s.vault.keychains()? {
        let tokens = s.vault.token_count(&kc.id)?;
        let secrets = s.vault.secrets(&kc.id)?.len();
        docs.push(json!({"name": kc.name, "tokens": tokens, "secrets": secrets, "created": time::rfc3339(kc.created)}));
        rows.push(vec![
            kc.name,
            tokens.to_string(),
            secrets.to_string(),
            time::rfc3339(kc.created),
        ]);
    }
    if ctx.out.json {
        ctx.out.json_doc(&json!({"keychains": docs}));
    } else {
        print_line(&table(&["NAME", "TOKENS", "SECRETS", "CREATED"], &rows));
    }
    Ok(())
}

fn remove(ctx: &Ctx, name: &str, yes: bool) -> Result<()> {
    let mut s = ctx.session()?;
    let mk = s.require_owner("removing a keychain")?.clone();
    let row = s.named_keychain(name)?;
    if name == "default" {
        return Err(Error::general("the `default` keychain cannot be removed")
            .hint("remove its secrets with `keyward secret rm NAME` instead"));
    }
    confirm_removal(ctx, name, yes, &s)?;
    // The removed keychain's log goes with it; the removal is recorded in `default`'s.
    let default = s.named_keychain("default")?;
    let rk = s.owner_keys(&mk, &default)?.rk;
    let vid = s.vault.id;
    s.vault.write(|tx| {
        write::delete_keychain(tx, &row.id).map_err(db)?;
        let detail = json!({"keychain": name});
        audit::append(
            tx,
            &vid,
            &default.id,
            &rk,
            Event {
                action: "keychain-rm",
                package: None,
                detail,
            },
        )
    })?;
    ctx.out.info(format!(
        "Removed keychain `{name}`, its secrets and its tokens."
    ));
    Ok(())
}

fn confirm_removal(ctx: &Ctx, name: &str, yes: bool, s: &Session) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !prompt::interactive(ctx.no_input) {
        return Err(prompt::needs_input(
            &format!("confirmation to remove keychain `{name}`"),
            "pass --yes to remove it without asking",
        ));
    }
    let count = s.vault.secrets(&s.named_keychain(name)?.id)?.len();
    if prompt::confirm(&format!(
        "Remove keychain `{name}` and its {count} secret(s)?"
    ))? {
        Ok(())
    } else {
        Err(Error::general("nothing was removed"))
    }
}

fn rotate_token(ctx: &Ctx, name: &str, rotate: bool) -> Result<()> {
    if !rotate {
        return Err(Error::usage("tokens are shown only once and cannot be read back")
            .hint(format!("issue a new one with `keyward keychain token {name} --rotate`; the old one stops working")));
    }
    let mut s = ctx.session()?;
    let mk = s.require_owner("rotating a token")?.clone();
    let row = s.named_keychain(name)?;
    let rk = s.owner_keys(&mk, &row)?.rk;
    let vid = s.vault.id;
    let token = s.vault.write(|tx| {
        let (token, token_row) = session::new_token(&vid, row.id, &rk);
        write::replace_tokens(tx, &token_row, time::now()).map_err(db)?;
        let detail = json!({"keychain": name});
        audit::append(
            tx,
            &vid,
            &row.id,
            &rk,
            Event {
                action: "token-rotate",
                package: None,
                detail,
            },
        )?;
        Ok(token.encode())
    })?;
    print_token(ctx, name, &token);
    ctx.out.info(format!(
        "Rotated the token of `{name}`; the previous token no longer unlocks anything."
    ));
    Ok(())
}
