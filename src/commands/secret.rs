//! `keyward secret set|list|rm|get`. Values come from a prompt, stdin or an
//! environment variable, never from argv.

use std::io::{IsTerminal, Read};

use crate::cli::{SecretCommand, SecretSetArgs};
use crate::commands::Ctx;
use crate::commands::render::{SecretDoc, SecretsDoc, StoredDoc};
use crate::error::{Error, Result};
use crate::keychain::Role;
use crate::names::check_name;
use crate::output::{print_bytes, print_line, table};
use crate::prompt;
use crate::secret::SecretBytes;
use crate::time;

/// Largest value accepted: API keys, PEM keys and service-account JSON fit many times over.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Dispatches the secret subcommands.
pub fn cmd_secret(ctx: &Ctx, cmd: SecretCommand) -> Result<()> {
    match cmd {
        SecretCommand::Set(args) => set(ctx, &args),
        SecretCommand::List => list(ctx),
        SecretCommand::Rm { name } => remove(ctx, &name),
        SecretCommand::Get { name } => get(ctx, &name),
    }
}

fn set(ctx: &Ctx, args: &SecretSetArgs) -> Result<()> {
    check_name(&args.name)?;
    if !args.refused_value.is_empty() {
        return Err(Error::usage(
            "a secret value is never accepted as an argument: it would show in the process list and \
             your shell history; nothing was stored",
        )
        .hint(format!("pipe it:   printf %s \"$VALUE\" | keyward secret set {} --stdin", args.name))
        .hint(format!("or name a variable:   keyward secret set {} --from-env VAR", args.name))
        .hint("or run on a terminal to be prompted without echo; consider the typed value exposed"));
    }
    let mut kc = ctx.open(Role::Owner("setting a secret"))?;
    let value = read_value(ctx, args)?;
    let version = kc.set_secret(&args.name, &value)?;
    if value.len() < crate::mask::MIN_MASKED_LEN {
        ctx.out.warn(format!(
            "{} is only {} byte(s) long: values shorter than {} bytes are not masked in `keyward run` \
             output (`keyward inspect` keeps warning); if this is a real secret, check that it was not cut short",
            args.name,
            value.len(),
            crate::mask::MIN_MASKED_LEN
        ));
    }
    ctx.out.verbose(format!(
        "sealed {} bytes under keychain `{}`'s DEK",
        value.len(),
        kc.name()
    ));
    if ctx.out.json {
        ctx.out.json_doc(&StoredDoc {
            keychain: kc.name(),
            name: &args.name,
            version,
        });
    }
    ctx.out.info(format!(
        "Stored {} (version {version}) in keychain `{}`.",
        args.name,
        kc.name()
    ));
    Ok(())
}

fn read_value(ctx: &Ctx, args: &SecretSetArgs) -> Result<SecretBytes> {
    let value = if args.stdin {
        read_stdin()?
    } else if let Some(var) = &args.from_env {
        let is_name = !var.is_empty()
            && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !var.as_bytes()[0].is_ascii_digit();
        if !is_name {
            // Probably the value itself was passed: never echo it.
            return Err(Error::usage(
                "--from-env takes the NAME of an environment variable (e.g. STRIPE_KEY), not a value; nothing was stored",
            )
            .hint(format!("export the value as a variable, then: keyward secret set {} --from-env VAR", args.name)));
        }
        // The name is not echoed: it may be a value that happens to look like one.
        let raw = std::env::var_os(var).ok_or_else(|| {
            Error::general(
                "--from-env: that variable is not set in keyward's environment; nothing was stored",
            )
            .code("env-var-unset")
            .hint("export it first; --from-env takes the variable's NAME, not its value")
        })?;
        SecretBytes::new(std::os::unix::ffi::OsStringExt::into_vec(raw))
    } else if prompt::interactive(ctx.no_input) {
        prompt::password(&format!("Value for {}", args.name), false)?
    } else {
        return Err(prompt::needs_input(
            &format!("a value for {}", args.name),
            "pass --stdin (and pipe the value in) or --from-env VAR",
        ));
    };
    if value.expose().contains(&0) {
        return Err(Error::general(format!(
            "the value for {} contains a NUL byte, which an environment variable cannot hold; nothing was stored",
            args.name
        ))
.code("nul-in-value")
        .hint("store it encoded (for example base64) and decode it in the package"));
    }
    if value.is_empty() {
        return Err(Error::general(format!(
            "the value for {} is empty; nothing was stored",
            args.name
        ))
        .code("empty-value")
        .hint("use `keyward secret rm NAME` to remove a secret"));
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(Error::general(format!(
            "the value for {} is larger than {} KiB; nothing was stored",
            args.name,
            MAX_VALUE_BYTES / 1024
        ))
        .code("value-too-large"));
    }
    Ok(value)
}

/// Reads all of stdin (bounded) and drops one trailing newline.
fn read_stdin() -> Result<SecretBytes> {
    let mut value = SecretBytes::new(Vec::with_capacity(256));
    // One byte past the largest value plus "\r\n", so an over-long input is seen as
    // over-long instead of being cut to a size that happens to fit.
    let limit = u64::try_from(MAX_VALUE_BYTES + 3).unwrap_or(u64::MAX);
    std::io::stdin()
        .lock()
        .take(limit)
        .read_to_end(value.expose_mut())
        .map_err(|e| Error::general(format!("cannot read stdin: {e}")).code("stdin-unreadable"))?;
    let buf = value.expose_mut();
    if buf.len() > MAX_VALUE_BYTES + 2 {
        return Err(Error::general(format!(
            "the value on stdin is larger than {} KiB; nothing was stored",
            MAX_VALUE_BYTES / 1024
        ))
        .code("value-too-large"));
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(value)
}

fn list(ctx: &Ctx) -> Result<()> {
    let kc = ctx.open(Role::Any)?;
    let secrets = kc.secrets()?;
    // Which packages use each key: those that request it and hold a verified grant.
    let loaded = kc.packages()?;
    let used_by = |name: &str| -> Vec<&str> {
        loaded
            .packages
            .iter()
            .filter(|p| p.granted.contains(name) && p.manifest.requests(name).is_some())
            .map(|p| p.name())
            .collect()
    };
    if ctx.out.json {
        let secrets = secrets
            .iter()
            .map(|r| SecretDoc {
                name: &r.name,
                version: r.version,
                created: time::rfc3339(r.created),
                updated: time::rfc3339(r.updated),
                used_by: used_by(&r.name),
            })
            .collect();
        ctx.out.json_doc(&SecretsDoc {
            keychain: kc.name(),
            secrets,
        });
        return Ok(());
    }
    if secrets.is_empty() {
        ctx.out.info(format!(
            "Keychain `{}` has no secrets; add one with `keyward secret set NAME`.",
            kc.name()
        ));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = secrets
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.version.to_string(),
                time::rfc3339(r.created),
                time::rfc3339(r.updated),
                used_by(&r.name).join(", "),
            ]
        })
        .collect();
    print_line(&table(
        &["NAME", "VERSION", "CREATED", "UPDATED", "USED BY"],
        &rows,
    ));
    Ok(())
}

fn remove(ctx: &Ctx, name: &str) -> Result<()> {
    check_name(name)?;
    let mut kc = ctx.open(Role::Owner("removing a secret"))?;
    if !kc.remove_secret(name)? {
        return Err(suggest_secret(&kc, name, kc.no_secret(name)));
    }
    ctx.out
        .info(format!("Removed {name} from keychain `{}`.", kc.name()));
    Ok(())
}

fn get(ctx: &Ctx, name: &str) -> Result<()> {
    check_name(name)?;
    let kc = ctx.open(Role::Owner("reading a secret's value"))?;
    let (version, value) = kc
        .secret_value(name)
        .map_err(|e| suggest_secret(&kc, name, e))?;
    if ctx.out.json {
        // Built by hand into a zeroizing buffer: a serde_json::Value would keep a copy
        // of the value that is never wiped.
        let text = std::str::from_utf8(value.expose()).map_err(|_| {
            Error::general(format!("{name} is not UTF-8 and cannot be shown in JSON"))
                .code("not-utf8")
                .hint("drop --json to get the raw bytes")
        })?;
        let quoted =
            zeroize::Zeroizing::new(serde_json::to_string(text).expect("a str serialises"));
        let mut doc = zeroize::Zeroizing::new(String::with_capacity(quoted.len() + 64));
        // Pretty-printed like every other document on stdout.
        doc.push_str(&format!(
            "{{\n  \"name\": {},\n  \"version\": {version},\n  \"value\": ",
            serde_json::json!(name)
        ));
        doc.push_str(&quoted);
        doc.push_str("\n}");
        print_line(&doc);
        return Ok(());
    }
    print_bytes(value.expose());
    if std::io::stdout().is_terminal() {
        print_bytes(b"\n");
    }
    Ok(())
}

/// To a not-found secret adds the stored name it most likely misspells.
fn suggest_secret(kc: &crate::keychain::Keychain, name: &str, err: Error) -> Error {
    if err.kind != crate::error::Kind::NotFound {
        return err;
    }
    let names = kc.secret_names().unwrap_or_default();
    match crate::names::nearest(name, names.iter().map(String::as_str)) {
        Some(near) => err.hint(format!("did you mean {near}?")),
        None => err,
    }
}
