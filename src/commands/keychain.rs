//! `keyward keychain create|list|rm|token`.

use crate::cli::KeychainCommand;
use crate::commands::Ctx;
use crate::commands::render::{KeychainDoc, KeychainsDoc, TokenDoc};
use crate::error::{Error, Result};
use crate::keychain::{self, Role};
use crate::output::{print_line, table};
use crate::prompt;
use crate::time;

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
    let token = keychain::create_keychain(ctx.unlock()?, name, no_token)?;
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
                ctx.out.json_doc(&TokenDoc {
                    keychain: name,
                    token: None,
                });
            }
            ctx.out.info(format!(
                "Created keychain `{name}` without a token; issue one with `keyward keychain token {name} --rotate`."
            ));
        }
    }
    Ok(())
}

fn print_token(ctx: &Ctx, name: &str, token: &str) {
    if ctx.out.json {
        ctx.out.json_doc(&TokenDoc {
            keychain: name,
            token: Some(token),
        });
    } else {
        print_line(token);
    }
}

fn list(ctx: &Ctx) -> Result<()> {
    let keychains = keychain::list_keychains(&ctx.unlock()?)?;
    if ctx.out.json {
        let keychains = keychains
            .iter()
            .map(|k| KeychainDoc {
                name: &k.name,
                tokens: k.tokens,
                secrets: k.secrets,
                created: time::rfc3339(k.created),
            })
            .collect();
        ctx.out.json_doc(&KeychainsDoc { keychains });
        return Ok(());
    }
    let rows: Vec<Vec<String>> = keychains
        .into_iter()
        .map(|k| {
            vec![
                k.name,
                k.tokens.to_string(),
                k.secrets.to_string(),
                time::rfc3339(k.created),
            ]
        })
        .collect();
    print_line(&table(&["NAME", "TOKENS", "SECRETS", "CREATED"], &rows));
    Ok(())
}

fn remove(ctx: &Ctx, name: &str, yes: bool) -> Result<()> {
    let unlocked = ctx.unlock()?;
    unlocked.require_owner("removing a keychain")?;
    unlocked.named_keychain(name)?;
    if name == "default" {
        return Err(Error::general("the `default` keychain cannot be removed")
            .code("default-keychain")
            .hint("remove its secrets with `keyward secret rm NAME` instead"));
    }
    if !yes {
        if !prompt::interactive(ctx.no_input) {
            return Err(prompt::needs_input(
                &format!("confirmation to remove keychain `{name}`"),
                "pass --yes to remove it without asking",
            ));
        }
        let doomed = keychain::Keychain::open(ctx.unlock()?, Some(name), Role::Any)?;
        let count = doomed.secret_count()?;
        drop(doomed);
        if !prompt::confirm(&format!(
            "Remove keychain `{name}` and its {count} secret(s)?"
        ))? {
            return Err(Error::general(format!(
                "you declined to remove keychain `{name}`; nothing was removed"
            ))
            .code("declined")
            .hint(format!(
                "to remove it without being asked: keyward keychain rm {name} --yes"
            )));
        }
    }
    keychain::remove_keychain(unlocked, name)?;
    ctx.out.info(format!(
        "Removed keychain `{name}`, its secrets and its tokens."
    ));
    Ok(())
}

fn rotate_token(ctx: &Ctx, name: &str, rotate: bool) -> Result<()> {
    if !rotate {
        return Err(Error::usage("tokens are shown only once and cannot be read back")
            .hint(format!("issue a new one with `keyward keychain token {name} --rotate`; the old one stops working")));
    }
    let unlocked = ctx.unlock()?;
    unlocked.require_owner("rotating a token")?;
    let mut kc = keychain::Keychain::open(unlocked, Some(name), Role::Owner("rotating a token"))?;
    let token = kc.rotate_token()?;
    print_token(ctx, name, &token);
    ctx.out.info(format!(
        "Rotated the token of `{name}`; the previous token no longer unlocks anything."
    ));
    Ok(())
}
