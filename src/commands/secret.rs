//! `keyward secret set|list|rm|get`. Values come from a prompt, stdin or an
//! environment variable, never from argv.

use std::io::{IsTerminal, Read};

use serde_json::json;

use crate::audit::{self, Event};
use crate::cli::{SecretCommand, SecretSetArgs};
use crate::commands::Ctx;
use crate::crypto::{self, label};
use crate::error::{Error, Result};
use crate::names::check_name;
use crate::output::{print_bytes, print_line, table};
use crate::prompt;
use crate::secret::SecretBytes;
use crate::session::KeychainKeys;
use crate::time;
use crate::vault::db;
use crate::vault::{Id, packages, write};

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

/// AAD of a secret value: binds it to its vault, keychain, name and version.
pub fn secret_aad(vault_id: &[u8], keychain: &Id, name: &str, version: u64) -> Vec<u8> {
    crypto::value_aad(label::SECRET, vault_id, keychain, name, version)
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
    let mut s = ctx.session()?;
    let mk = s.require_owner("setting a secret")?.clone();
    let kc = s.keychain(ctx.keychain.as_deref())?;
    let value = read_value(ctx, args)?;
    let keys = s.owner_keys(&mk, &kc)?;
    let vid = s.vault.id;
    let version = s
        .vault
        .write(|tx| store_value(tx, &vid, &kc.id, &keys, &args.name, &value))?;
    ctx.out.verbose(format!(
        "sealed {} bytes under keychain `{}`'s DEK",
        value.len(),
        kc.name
    ));
    if ctx.out.json {
        ctx.out
            .json_doc(&json!({"keychain": kc.name, "name": args.name, "version": version}));
    }
    ctx.out.info(format!(
        "Stored {} (version {version}) in keychain `{}`.",
        args.name, kc.name
    ));
    Ok(())
}

/// Writes a new version of a secret, refreshes its shared copy when a grant needs one,
/// and records it in the audit log. Runs inside the caller's write transaction.
pub(crate) fn store_value(
    tx: &rusqlite::Transaction<'_>,
    vid: &[u8],
    kc: &Id,
    keys: &KeychainKeys,
    name: &str,
    value: &SecretBytes,
) -> Result<u64> {
    let current = write::secret_in(tx, kc, name).map_err(db)?;
    let version = current.map_or(1, |(v, _)| v + 1);
    let sealed = crypto::seal(
        &keys.dek,
        value.expose(),
        &secret_aad(vid, kc, name, version),
    );
    write::secret(tx, kc, name, version, &sealed, time::now()).map_err(db)?;
    // A granted key's shared copy follows its value, so token holders get the new one.
    // Only a grant the owner made earns a shared copy (a token holder can forge the other
    // MAC, and would otherwise be handed this value the next time the owner sets it).
    let owner_gk = crate::grants::owner_grant_key(vid, &keys.dek);
    if crate::package::granted_in_tx(tx, kc, name, crate::package::GrantCheck::Owner(&owner_gk))? {
        let aad = crypto::value_aad(label::SHARED, vid, kc, name, version);
        let shared = crypto::seal(&keys.rk, value.expose(), &aad);
        packages::put_shared(tx, kc, name, version, &shared).map_err(db)?;
    }
    let detail = json!({"name": name, "version": version});
    audit::append(
        tx,
        vid,
        kc,
        &keys.rk,
        Event {
            action: "secret-set",
            package: None,
            detail,
        },
    )?;
    Ok(version)
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
        .hint("store it encoded (for example base64) and decode it in the package"));
    }
    if value.is_empty() {
        return Err(Error::general(format!(
            "the value for {} is empty; nothing was stored",
            args.name
        ))
        .hint("use `keyward secret rm NAME` to remove a secret"));
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(Error::general(format!(
            "the value for {} is larger than {} KiB; nothing was stored",
            args.name,
            MAX_VALUE_BYTES / 1024
        )));
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
        .map_err(|e| Error::general(format!("cannot read stdin: {e}")))?;
    let buf = value.expose_mut();
    if buf.len() > MAX_VALUE_BYTES + 2 {
        return Err(Error::general(format!(
            "the value on stdin is larger than {} KiB; nothing was stored",
            MAX_VALUE_BYTES / 1024
        )));
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
    let s = ctx.session()?;
    let kc = s.keychain(ctx.keychain.as_deref())?;
    let secrets = s.vault.secrets(&kc.id)?;
    // Which packages use each key: those that request it and hold a verified grant.
    let loaded = crate::package::load(&s.vault, &kc, &s.rk(&kc)?)?;
    let used_by = |name: &str| -> Vec<String> {
        loaded
            .packages
            .iter()
            .filter(|p| p.granted.contains(name) && p.manifest.requests(name).is_some())
            .map(|p| p.row.name.clone())
            .collect()
    };
    if ctx.out.json {
        let items: Vec<_> = secrets
            .iter()
            .map(|r| {
                json!({"name": r.name, "version": r.version, "created": time::rfc3339(r.created),
                "updated": time::rfc3339(r.updated), "used_by": used_by(&r.name)})
            })
            .collect();
        ctx.out
            .json_doc(&json!({"keychain": kc.name, "secrets": items}));
        return Ok(());
    }
    if secrets.is_empty() {
        ctx.out.info(format!(
            "Keychain `{}` has no secrets; add one with `keyward secret set NAME`.",
            kc.name
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
    let mut s = ctx.session()?;
    let mk = s.require_owner("removing a secret")?.clone();
    let kc = s.keychain(ctx.keychain.as_deref())?;
    let rk = s.owner_keys(&mk, &kc)?.rk;
    let vid = s.vault.id;
    let existed = s.vault.write(|tx| {
        if !write::delete_secret(tx, &kc.id, name).map_err(db)? {
            return Ok(false);
        }
        // Without a value there is nothing to share: `run` must now say missing-secret.
        packages::delete_shared(tx, &kc.id, name).map_err(db)?;
        let detail = json!({"name": name});
        audit::append(
            tx,
            &vid,
            &kc.id,
            &rk,
            Event {
                action: "secret-rm",
                package: None,
                detail,
            },
        )?;
        Ok(true)
    })?;
    if !existed {
        return Err(missing(name, &kc.name));
    }
    ctx.out
        .info(format!("Removed {name} from keychain `{}`.", kc.name));
    Ok(())
}

fn missing(name: &str, keychain: &str) -> Error {
    Error::not_found(format!("keychain `{keychain}` has no secret named {name}"))
        .hint("see `keyward secret list`")
}

fn get(ctx: &Ctx, name: &str) -> Result<()> {
    check_name(name)?;
    let s = ctx.session()?;
    let mk = s.require_owner("reading a secret's value")?.clone();
    let kc = s.keychain(ctx.keychain.as_deref())?;
    let row = s
        .vault
        .secret(&kc.id, name)?
        .ok_or_else(|| missing(name, &kc.name))?;
    let keys = s.owner_keys(&mk, &kc)?;
    let value = crypto::open(&keys.dek, &row.value, &secret_aad(&s.vault.id, &kc.id, name, row.version))
        .map_err(|_| {
            s.vault.corrupt(&format!(
                "secret {name} in keychain `{}` does not decrypt (its row was altered, swapped or corrupted)",
                kc.name
            ))
        })?;
    if ctx.out.json {
        // Built by hand into a zeroizing buffer: a serde_json::Value would keep a copy
        // of the value that is never wiped.
        let text = std::str::from_utf8(value.expose()).map_err(|_| {
            Error::general(format!("{name} is not UTF-8 and cannot be shown in JSON"))
                .hint("drop --json to get the raw bytes")
        })?;
        let quoted =
            zeroize::Zeroizing::new(serde_json::to_string(text).expect("a str serialises"));
        let mut doc = zeroize::Zeroizing::new(String::with_capacity(quoted.len() + 64));
        doc.push_str(&format!(
            "{{\"name\":{},\"version\":{},\"value\":",
            json!(name),
            row.version
        ));
        doc.push_str(&quoted);
        doc.push('}');
        print_line(&doc);
        return Ok(());
    }
    print_bytes(value.expose());
    if std::io::stdout().is_terminal() {
        print_bytes(b"\n");
    }
    Ok(())
}
