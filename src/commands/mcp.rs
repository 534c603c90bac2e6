//! `keyward mcp add | import | list`: MCP client configs whose servers run through
//! `keyward run`, with no key left in the client's file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::McpCommand;
use crate::commands::Ctx;
use crate::commands::render::state_word;
use crate::error::{Error, Result};
use crate::keychain::{Keychain, Plan, Role};
use crate::mcp::config::{ConfigFile, Server, write_atomic};
use crate::mcp::plan::{self, Declared, Found, Item, Want};
use crate::mcp::rewrite::{self, REF_PREFIX};
use crate::mcp::target::{Target, classify};
use crate::mcp::{Client, Scope, backup_path, found_files, line_diff};
use crate::output::{print_line, sanitize, table};
use crate::registry::install::Prepared;
use crate::registry::{self, Ecosystem, Overlay, Source};
use crate::secret::SecretBytes;

/// What `mcp add`'s backup holds in place of a literal value it did not move.
const NOT_COPIED: &str = "<not copied by keyward: move it with `keyward mcp import`>";

/// Dispatches the `mcp` subcommands.
pub fn cmd_mcp(ctx: &Ctx, cmd: &McpCommand) -> Result<()> {
    match cmd {
        McpCommand::Add {
            package,
            client,
            scope,
            name,
        } => add(ctx, package, *client, *scope, name.as_deref()),
        McpCommand::Import {
            file,
            client,
            dry_run,
            undo,
            pin,
        } => {
            if *undo {
                undo_import(ctx, file.as_deref().expect("clap requires FILE"), *client)
            } else {
                import(ctx, file.as_deref(), *client, *dry_run, pin)
            }
        }
        McpCommand::List { client, check } => list(ctx, *client, *check),
        McpCommand::Bridge {
            url,
            header,
            transport,
        } => crate::mcp::bridge::run(url, header, *transport),
    }
}

fn home() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| {
            Error::usage("HOME is not set, so the clients' user configs cannot be found")
                .hint("set HOME, or name the config file: keyward mcp import FILE")
        })
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// `keyward` argv for a guarded entry: `[--vault V] [-k K] run PACKAGE`.
fn entry_args(ctx: &Ctx, keychain: &str, package: &str) -> Vec<String> {
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
fn keyward_exe() -> String {
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

fn client_of(file: &Path, client: Option<Client>) -> Result<Client> {
    client.or_else(|| Client::guess(file)).ok_or_else(|| {
        Error::usage(format!(
            "cannot tell which client {} belongs to",
            file.display()
        ))
        .hint("name it: --client claude-code|claude-desktop|cursor|vscode|codex")
    })
}

/// Writes `text` as `file`'s backup (0600).
fn write_backup(file: &Path, text: &str) -> Result<PathBuf> {
    let backup = backup_path(file);
    write_atomic(&backup, text.as_bytes(), 0o600)?;
    Ok(backup)
}

// ---------------------------------------------------------------------------------
// add

fn add(ctx: &Ctx, package: &str, client: Client, scope: Scope, name: Option<&str>) -> Result<()> {
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

// ---------------------------------------------------------------------------------
// import

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

fn import(
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

// ---------------------------------------------------------------------------------
// undo

fn undo_import(ctx: &Ctx, file: &Path, client: Option<Client>) -> Result<()> {
    let client = client_of(file, client)?;
    let backup = backup_path(file);
    if !backup.is_file() {
        return Err(
            Error::not_found(format!("no backup {} to put back", backup.display()))
                .hint("keyward mcp import keeps one beside each file it changes"),
        );
    }
    let mut restored = ConfigFile::load(client, &backup)?;
    let mut keychains: BTreeMap<String, Keychain> = BTreeMap::new();
    let mut count = 0;
    for server in restored.servers() {
        for (key, value) in server.env.iter().chain(&server.headers) {
            if value == NOT_COPIED {
                return Err(Error::general(format!(
                    "{} was made by `mcp add` and does not hold the value of {key} (server {}); it was not put back",
                    backup.display(),
                    server.name
                ))
                .hint("remove the added entry from the file by hand instead"));
            }
            // `keyward:KC/NAME`, after the part the import kept (`Bearer `).
            let Some(at) = value.find(REF_PREFIX) else {
                continue;
            };
            let (kept, reference) = (&value[..at], &value[at + REF_PREFIX.len()..]);
            let Some((kc_name, name)) = reference.split_once('/') else {
                continue;
            };
            if !keychains.contains_key(kc_name) {
                let kc = Keychain::open(
                    ctx.unlock()?,
                    Some(kc_name),
                    Role::Owner("putting a config's values back"),
                )?;
                keychains.insert(kc_name.to_owned(), kc);
            }
            let (_, secret) = keychains[kc_name].secret_value(name)?;
            let text = zeroize::Zeroizing::new(
                String::from_utf8(secret.expose().to_vec()).map_err(|_| {
                    Error::general(format!(
                        "{name} is not UTF-8 text, so it cannot go into {}",
                        file.display()
                    ))
                    .hint("set it again as text: keyward secret set NAME")
                })?,
            );
            let whole = zeroize::Zeroizing::new(format!("{kept}{}", text.as_str()));
            restored.set_value(&server.loc, &server.name, key, &whole);
            count += 1;
        }
    }
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(file).map_or(0o600, |m| m.permissions().mode() & 0o7777)
    };
    write_atomic(file, restored.text().as_bytes(), mode)?;
    let _ = std::fs::remove_file(&backup);
    if ctx.out.json {
        ctx.out
            .json_doc(&serde_json::json!({"file": file, "restored_values": count}));
    }
    ctx.out.info(format!(
        "Put {} back as it was before the import ({count} value(s) read from the vault); the packages stay installed.",
        file.display()
    ));
    Ok(())
}

// ---------------------------------------------------------------------------------
// list

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

fn list(ctx: &Ctx, client: Option<Client>, check: bool) -> Result<()> {
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
