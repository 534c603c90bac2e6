//! `keyward secret set|list|rm|get`. Values come from a prompt, stdin or an
//! environment variable, never from argv.

use std::io::{IsTerminal, Read};

use crate::cli::{SecretCommand, SecretSetArgs};
use crate::commands::Ctx;
use crate::commands::render::{SecretDoc, SecretsDoc, StoredDoc, SyncDoc, SyncedDoc};
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
        SecretCommand::Sync { names, all } => sync(ctx, &names, all),
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
    let source = match &args.from_openbao {
        Some(text) => Some(crate::openbao::Source::parse(text)?),
        None => None,
    };
    let mut kc = ctx.open(Role::Owner("setting a secret"))?;
    let (version, from) = match &source {
        Some(source) => {
            let client = crate::openbao::Client::from_env()?;
            let (value, kv_version) = client.kv_read(source)?;
            check_value(&args.name, &value)?;
            warn_short(ctx, &args.name, &value);
            let version = kc.set_sourced(&args.name, &value, &source.display(), kv_version)?;
            (version, Some((source.display(), kv_version)))
        }
        None => {
            let value = read_value(ctx, args)?;
            warn_short(ctx, &args.name, &value);
            ctx.out.verbose(format!(
                "sealed {} bytes under keychain `{}`'s DEK",
                value.len(),
                kc.name()
            ));
            (kc.set_secret(&args.name, &value)?, None)
        }
    };
    if ctx.out.json {
        ctx.out.json_doc(&StoredDoc {
            keychain: kc.name(),
            name: &args.name,
            version,
            source: from.as_ref().map(|(s, _)| s.as_str()),
            kv_version: from.as_ref().map(|(_, v)| *v),
        });
    }
    let origin = match &from {
        Some((s, v)) => format!(", from {s} (KV version {v}); `keyward secret sync` follows it"),
        None => String::new(),
    };
    ctx.out.info(format!(
        "Stored {} (version {version}) in keychain `{}`{origin}.",
        args.name,
        kc.name()
    ));
    Ok(())
}

fn warn_short(ctx: &Ctx, name: &str, value: &SecretBytes) {
    if value.len() < crate::mask::MIN_MASKED_LEN {
        ctx.out.warn(format!(
            "{} is only {} byte(s) long: values shorter than {} bytes are not masked in `keyward run` \
             output (`keyward inspect` keeps warning); if this is a real secret, check that it was not cut short",
            name,
            value.len(),
            crate::mask::MIN_MASKED_LEN
        ));
    }
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
    check_value(&args.name, &value)?;
    Ok(value)
}

/// The rules every stored value keeps, wherever it came from.
pub(crate) fn check_value(name: &str, value: &SecretBytes) -> Result<()> {
    if value.expose().contains(&0) {
        return Err(Error::general(format!(
            "the value for {name} contains a NUL byte, which an environment variable cannot hold; nothing was stored"
        ))
.code("nul-in-value")
        .hint("store it encoded (for example base64) and decode it in the package"));
    }
    if value.is_empty() {
        return Err(
            Error::general(format!("the value for {name} is empty; nothing was stored"))
                .code("empty-value")
                .hint("use `keyward secret rm NAME` to remove a secret"),
        );
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(Error::general(format!(
            "the value for {name} is larger than {} KiB; nothing was stored",
            MAX_VALUE_BYTES / 1024
        ))
        .code("value-too-large"));
    }
    Ok(())
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
    let sources = kc.sources()?;
    let source_of = |name: &str| sources.iter().find(|s| s.name == name);
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
                source: source_of(&r.name).map(|s| s.source.as_str()),
                kv_version: source_of(&r.name).map(|s| s.kv_version),
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
            let mut row = vec![
                r.name.clone(),
                r.version.to_string(),
                time::rfc3339(r.created),
                time::rfc3339(r.updated),
                used_by(&r.name).join(", "),
            ];
            if !sources.is_empty() {
                row.push(source_of(&r.name).map_or_else(String::new, |s| {
                    format!(
                        "{} (KV v{})",
                        crate::output::sanitize(&s.source),
                        s.kv_version
                    )
                }));
            }
            row
        })
        .collect();
    let mut header = vec!["NAME", "VERSION", "CREATED", "UPDATED", "USED BY"];
    if !sources.is_empty() {
        header.push("SOURCE (SYNCED)");
    }
    print_line(&table(&header, &rows));
    Ok(())
}

fn sync(ctx: &Ctx, names: &[String], all: bool) -> Result<()> {
    for name in names {
        check_name(name)?;
    }
    let mut kc = ctx.open(Role::Owner("syncing secrets from OpenBao"))?;
    let rows = kc.sources()?;
    let selected: Vec<crate::keychain::SourceRow> = if all {
        rows
    } else {
        let mut picked = Vec::new();
        for name in names {
            match rows.iter().find(|r| &r.name == name) {
                Some(r) => picked.push(r.clone()),
                None if kc.secret_names()?.contains(name) => {
                    return Err(Error::not_found(format!(
                        "{name} in keychain `{}` has no OpenBao source; nothing was synced",
                        kc.name()
                    ))
                    .code("not-sourced")
                    .hint(format!(
                        "give it one: keyward secret set {name} --from-openbao MOUNT/PATH#FIELD"
                    )));
                }
                None => return Err(suggest_secret(&kc, name, kc.no_secret(name))),
            }
        }
        picked
    };
    if let Some(bad) = selected.iter().find(|r| !r.verified) {
        return Err(Error::integrity(format!(
            "the OpenBao source recorded for {} does not verify (the vault was modified outside keyward); nothing was synced",
            bad.name
        ))
        .hint(format!(
            "set it again from the source you mean: keyward secret set {} --from-openbao MOUNT/PATH#FIELD",
            bad.name
        )));
    }
    if selected.is_empty() {
        if ctx.out.json {
            ctx.out.json_doc(&SyncDoc {
                keychain: kc.name(),
                synced: &[],
                unchanged: &[],
            });
        }
        ctx.out.info(format!(
            "Keychain `{}` has no secrets sourced from OpenBao; add one with `keyward secret set NAME --from-openbao MOUNT/PATH#FIELD`.",
            kc.name()
        ));
        return Ok(());
    }
    let client = crate::openbao::Client::from_env()?;
    let mut synced = Vec::new();
    let mut unchanged = Vec::new();
    for row in &selected {
        let source = crate::openbao::Source::parse(&row.source)?;
        let read = client.kv_read(&source).and_then(|(value, kv_version)| {
            if kv_version == row.kv_version {
                return Ok(None);
            }
            check_value(&row.name, &value)?;
            let version = kc.set_sourced(&row.name, &value, &row.source, kv_version)?;
            Ok(Some((kv_version, version)))
        });
        match read {
            Ok(None) => unchanged.push(row.name.clone()),
            Ok(Some((kv_version, version))) => synced.push(SyncedDoc {
                name: row.name.clone(),
                source: row.source.clone(),
                from_kv_version: Some(row.kv_version),
                kv_version,
                version,
            }),
            Err(e) if synced.is_empty() => return Err(e),
            Err(e) => {
                let done: Vec<&str> = synced.iter().map(|s| s.name.as_str()).collect();
                return Err(e.hint(format!(
                    "already synced before this failure: {}",
                    done.join(", ")
                )));
            }
        }
    }
    if ctx.out.json {
        ctx.out.json_doc(&SyncDoc {
            keychain: kc.name(),
            synced: &synced,
            unchanged: &unchanged,
        });
        return Ok(());
    }
    let mut text = Vec::new();
    for s in &synced {
        text.push(format!(
            "Synced {}: KV version {} -> {}, stored as version {}.",
            s.name,
            s.from_kv_version.unwrap_or(0),
            s.kv_version,
            s.version
        ));
    }
    if !unchanged.is_empty() {
        text.push(format!(
            "Unchanged (KV version as synced): {}.",
            unchanged.join(", ")
        ));
    }
    ctx.out.info(text.join("\n"));
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
