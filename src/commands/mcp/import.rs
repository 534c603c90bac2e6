//! `mcp import`: literal keys moved into the vault, servers installed, entries
//! rewritten; all or nothing. What it will do is decided by [`crate::mcp::plan`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{client_of, cwd, entry_args, home, keyward_exe, write_backup};
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::keychain::{Keychain, Plan, Role};
use crate::mcp::config::{ConfigFile, Server, write_atomic};
use crate::mcp::plan::{self, Declared, Found, Item, Want};
use crate::mcp::rewrite;
use crate::mcp::{Client, found_files, line_diff};
use crate::output::{print_line, sanitize};
use crate::registry::install::Prepared;
use crate::registry::{self, Ecosystem, Overlay, Source};
use crate::secret::SecretBytes;

#[derive(Serialize)]
struct ImportedDoc {
    client: &'static str,
    file: String,
    server: String,
    package: String,
    source: String,
    keys: Vec<String>,
    references: Vec<String>,
}

#[derive(Serialize)]
struct ImportDoc {
    dry_run: bool,
    keychain: String,
    imported: Vec<ImportedDoc>,
    already_guarded: Vec<String>,
    no_literal_keys: Vec<String>,
    skipped: Vec<String>,
    backups: Vec<String>,
}

/// The exact version for a floating server: `--pin`, the prompt, or exit 5.
fn pin_version(
    ctx: &Ctx,
    server: &str,
    eco: Ecosystem,
    name: &str,
    written: Option<&str>,
    pins: &BTreeMap<String, String>,
) -> Result<Source> {
    let prefix = match eco {
        Ecosystem::Npm => "npm:",
        Ecosystem::Pypi => "pypi:",
    };
    let join = |v: &str| match eco {
        Ecosystem::Npm => format!("{prefix}{name}@{v}"),
        Ecosystem::Pypi => format!("{prefix}{name}=={v}"),
    };
    if let Some(v) = written
        && let Ok(src) = Source::parse(&join(v), |_, _| None)
    {
        return Ok(src);
    }
    if let Some(v) = pins.get(server) {
        return registry::parse_source(&join(v));
    }
    let newest = registry::latest(eco, name);
    let floating = format!(
        "server `{}` runs {name}{} with no exact version; keyward pins one release",
        sanitize(server),
        written
            .map(|v| format!("@{}", sanitize(v)))
            .unwrap_or_default()
    );
    if !crate::prompt::interactive(ctx.no_input) {
        return Err(crate::prompt::needs_input(
            &format!("the version of {name} for server `{}`", sanitize(server)),
            &format!(
                "pass --pin {}={}",
                sanitize(server),
                newest.as_deref().unwrap_or("VERSION")
            ),
        )
        .hint(floating));
    }
    ctx.out.info(&floating);
    let mut input =
        dialoguer::Input::<String>::new().with_prompt(format!("Exact version of {name} to pin"));
    if let Some(n) = &newest {
        input = input.default(n.clone());
    }
    let v = input.interact_text().map_err(|e| {
        Error::general(format!("cannot read the version from the terminal: {e}"))
            .hint(format!("pass --pin {}=VERSION", sanitize(server)))
    })?;
    registry::parse_source(&join(v.trim()))
}

fn parse_pins(pins: &[String]) -> Result<BTreeMap<String, String>> {
    pins.iter()
        .map(|p| {
            p.split_once('=')
                .map(|(s, v)| (s.to_owned(), v.to_owned()))
                .ok_or_else(|| {
                    Error::usage(format!("--pin `{}` is not SERVER=VERSION", sanitize(p)))
                        .hint("e.g. --pin everything=2026.1.26")
                })
        })
        .collect()
}

pub(super) fn import(
    ctx: &Ctx,
    file: Option<&Path>,
    client: Option<Client>,
    dry_run: bool,
    pins: &[String],
) -> Result<()> {
    let pins = parse_pins(pins)?;
    let targets: Vec<(Client, PathBuf)> = match file {
        Some(f) => {
            if !f.is_file() {
                return Err(Error::not_found(format!("no config file {}", f.display()))
                    .hint("give the path of an MCP client's config"));
            }
            vec![(client_of(f, client)?, f.to_path_buf())]
        }
        None => {
            let clients: Vec<Client> = client.map_or_else(|| Client::ALL.to_vec(), |c| vec![c]);
            found_files(&clients, &home()?, &cwd())
        }
    };
    if targets.is_empty() {
        ctx.out
            .info("No MCP client config found; nothing to import.");
        if ctx.out.json {
            ctx.out
                .json_doc(&serde_json::json!({"dry_run": dry_run, "imported": []}));
        }
        return Ok(());
    }
    // Every file parses, or nothing happens.
    let files: Vec<ConfigFile> = targets
        .iter()
        .map(|(c, p)| ConfigFile::load(*c, p))
        .collect::<Result<_>>()?;
    let mut kc = ctx.open(Role::Owner("importing MCP servers"))?;
    let exe = keyward_exe();
    let mut pin = |server: &Server, eco: Ecosystem, name: &str, version: Option<&str>| {
        pin_version(ctx, &server.name, eco, name, version, &pins)
    };
    let Found {
        items,
        guarded,
        no_keys,
        skipped,
    } = plan::found(&files, &exe, &mut pin)?;
    // One value per name: across servers and against the keychain.
    let values = plan::values(&items)?;
    let present = kc.secret_names()?;
    let mut new_values = Vec::new();
    for (key, (value, server)) in &values {
        if present.contains(key) {
            let (_, stored) = kc.secret_value(key)?;
            if stored.expose() != value.as_bytes() {
                return Err(Error::general(format!(
                    "keychain `{}` already holds a different value for {key} (server {server} sets another); nothing was changed",
                    kc.name()
                ))
                .hint(format!("import into another keychain (keyward -k NAME mcp import), or remove the old value first: keyward secret rm {key}")));
            }
        } else {
            new_values.push((key.clone(), SecretBytes::new(value.as_bytes().to_vec())));
        }
    }
    // One declaration per package.
    let packages = plan::packages(&items)?;
    if items.is_empty() {
        report_nothing(ctx, dry_run, &kc, &guarded, &no_keys, &skipped);
        return Ok(());
    }
    let keychain = kc.name().to_owned();
    let backup_text =
        |fi: usize, conceal: bool| rewrite::backup_text(&files[fi], &items, fi, &keychain, conceal);
    let rewritten = |names: &BTreeMap<String, String>| -> Vec<Option<String>> {
        rewrite::rewritten(&files, &items, names, |package| {
            entry_args(ctx, &keychain, package)
        })
    };
    if dry_run {
        let names: BTreeMap<String, String> = packages
            .iter()
            .map(|(k, d)| (k.clone(), d.want.name()))
            .collect();
        let new_texts = rewritten(&names);
        let mut text = format!("Plan (dry run; nothing is changed), keychain `{keychain}`:");
        for item in &items {
            text.push_str(&format!(
                "\n  {} in {}: {}; moves {} into the vault and approves {}",
                sanitize(&item.server.name),
                files[item.file].path.display(),
                item.want.describe(),
                item.keys.join(", "),
                if item.keys.len() == 1 { "it" } else { "them" }
            ));
            if !item.refs.is_empty() {
                let r: Vec<&str> = item.refs.iter().map(|(k, _)| k.as_str()).collect();
                text.push_str(&format!("; leaves references {} alone", r.join(", ")));
            }
        }
        for (fi, new) in new_texts.iter().enumerate() {
            if let Some(new) = new {
                let old = backup_text(fi, true);
                text.push_str(&format!(
                    "\n--- {}\n+++ {} (after import)\n{}",
                    files[fi].path.display(),
                    files[fi].path.display(),
                    line_diff(&old, new)
                ));
            }
        }
        report_import(
            ctx,
            true,
            &keychain,
            &items,
            &files,
            &names,
            &guarded,
            &no_keys,
            &skipped,
            &[],
        );
        if !ctx.out.json {
            print_line(&text);
        }
        return Ok(());
    }
    // Fetch and plan every package before anything is written.
    let mut prepared: Vec<(Prepared, Plan, BTreeSet<String>)> = Vec::new();
    let mut names = BTreeMap::new();
    for (key, Declared { want, keys, env }) in &packages {
        let p = match want {
            Want::Registry(src, extra) => registry::install::prepare(
                &kc,
                &ctx.vault_path,
                src,
                &Overlay {
                    keys: keys.clone(),
                    env: env.clone(),
                    extra_args: extra.clone(),
                    fallback: true,
                    ..Overlay::default()
                },
                false,
                &ctx.out,
            )?,
            Want::Local(name, run) => Prepared::Fresh(registry::local_command(
                &ctx.vault_path,
                name,
                keys,
                env,
                run,
            )?),
        };
        let plan = kc.plan(p.path(), &ctx.out)?;
        for k in keys {
            if plan.manifest.requests(k).is_none() {
                return Err(crate::keychain::not_requested(
                    &plan.manifest,
                    k,
                    "; the server's config sets it, so nothing was changed",
                ));
            }
        }
        for check in p.checks() {
            ctx.out.info(format!("{}: {check}", plan.manifest.name));
        }
        let approvals: BTreeSet<String> = keys.iter().cloned().collect();
        names.insert(key.clone(), plan.manifest.name.clone());
        prepared.push((p, plan, approvals));
    }
    let new_texts = rewritten(&names);
    let backups: Vec<Option<String>> = files
        .iter()
        .zip(&new_texts)
        .enumerate()
        .map(|(fi, (_, n))| n.as_ref().map(|_| backup_text(fi, false)))
        .collect();
    // The vault first (all or nothing); then the backups; then the configs.
    let installs: Vec<(&Plan, &BTreeSet<String>)> = prepared
        .iter()
        .filter(|(_, plan, approvals)| plan.changes_with(approvals))
        .map(|(_, plan, approvals)| (plan, approvals))
        .collect();
    if !installs.is_empty() || !new_values.is_empty() {
        kc.install_all(&installs, &new_values)?;
    }
    for (p, plan, _) in prepared {
        p.commit(&ctx.vault_path, &plan);
    }
    let mut written = Vec::new();
    for ((f, new), backup) in files.iter().zip(&new_texts).zip(&backups) {
        let (Some(new), Some(backup)) = (new, backup) else {
            continue;
        };
        let b = write_backup(&f.path, backup)?;
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(&f.path).map_or(0o600, |m| m.permissions().mode() & 0o7777)
        };
        write_atomic(&f.path, new.as_bytes(), mode)?;
        written.push(b.display().to_string());
    }
    report_import(
        ctx, false, &keychain, &items, &files, &names, &guarded, &no_keys, &skipped, &written,
    );
    Ok(())
}

fn report_nothing(
    ctx: &Ctx,
    dry_run: bool,
    kc: &Keychain,
    guarded: &[String],
    no_keys: &[String],
    skipped: &[String],
) {
    if ctx.out.json {
        ctx.out.json_doc(&ImportDoc {
            dry_run,
            keychain: kc.name().to_owned(),
            imported: Vec::new(),
            already_guarded: guarded.to_vec(),
            no_literal_keys: no_keys.to_vec(),
            skipped: skipped.to_vec(),
            backups: Vec::new(),
        });
        return;
    }
    let mut text = format!(
        "Nothing to import; nothing changed: {} server(s) already run through keyward",
        guarded.len()
    );
    if !no_keys.is_empty() {
        text.push_str(&format!(
            ", {} hold no literal key ({})",
            no_keys.len(),
            no_keys.join(", ")
        ));
    }
    text.push('.');
    ctx.out.info(text);
    for s in skipped {
        ctx.out.warn(format!("not imported: {s}"));
    }
}

#[allow(clippy::too_many_arguments)]
fn report_import(
    ctx: &Ctx,
    dry_run: bool,
    keychain: &str,
    items: &[Item],
    files: &[ConfigFile],
    names: &BTreeMap<String, String>,
    guarded: &[String],
    no_keys: &[String],
    skipped: &[String],
    backups: &[String],
) {
    if ctx.out.json {
        ctx.out.json_doc(&ImportDoc {
            dry_run,
            keychain: keychain.to_owned(),
            imported: items
                .iter()
                .map(|i| ImportedDoc {
                    client: files[i.file].client.word(),
                    file: files[i.file].path.display().to_string(),
                    server: i.server.name.clone(),
                    package: names[&i.want.key()].clone(),
                    source: match &i.want {
                        Want::Registry(src, _) => src.to_string(),
                        Want::Local(_, run) => format!("local:{}", run.join(" ")),
                    },
                    keys: i.keys.clone(),
                    references: i.refs.iter().map(|(k, _)| k.clone()).collect(),
                })
                .collect(),
            already_guarded: guarded.to_vec(),
            no_literal_keys: no_keys.to_vec(),
            skipped: skipped.to_vec(),
            backups: backups.to_vec(),
        });
    } else if !dry_run {
        let mut text = String::new();
        for i in items {
            text.push_str(&format!(
                "Imported {} ({}): keyward run {}; moved {} into keychain `{keychain}`\n",
                sanitize(&i.server.name),
                files[i.file].client.word(),
                names[&i.want.key()],
                i.keys.join(", ")
            ));
            if !i.refs.is_empty() {
                let r: Vec<&str> = i.refs.iter().map(|(k, _)| k.as_str()).collect();
                text.push_str(&format!("  left alone (references): {}\n", r.join(", ")));
            }
        }
        for b in backups {
            text.push_str(&format!(
                "Backup (no values; undo with `keyward mcp import --undo FILE`): {b}\n"
            ));
        }
        ctx.out.info(text.trim_end());
    }
    for s in skipped {
        ctx.out.warn(format!("not imported: {s}"));
    }
}
