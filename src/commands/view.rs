//! `keyward list`, `inspect` and `status`: read-only views, except that a package found
//! changed is revoked on the spot, so every view tells the truth about what `run` does.

use std::collections::BTreeSet;
use std::path::Path;

use crate::commands::Ctx;
use crate::commands::render::{
    self, InspectDoc, ListDoc, ListedDoc, MovedSource, PackageKey, RevokedPackage, StatusDoc,
    Unreadable, state_word,
};
use crate::error::{Error, Result};
use crate::keychain::{Endpoints, Installed, Keychain, PinCheck, Role, decide};
use crate::output::{print_line, sanitize, table};
use crate::registry::Origin;

/// Everything the views need: the keychain and its packages, re-verified.
struct View {
    kc: Keychain,
    packages: Vec<(Installed, Result<PinCheck>)>,
    tampered: Vec<String>,
    present: BTreeSet<String>,
}

fn gather(ctx: &Ctx, only: Option<&str>) -> Result<View> {
    let mut kc = ctx.open(Role::Any)?;
    let (selected, tampered) = match only {
        Some(arg) => {
            let inst = kc.package(arg)?;
            let tampered = inst.tampered.clone();
            (vec![inst], tampered)
        }
        None => {
            let loaded = kc.packages()?;
            (loaded.packages, loaded.tampered)
        }
    };
    let mut packages = Vec::new();
    for mut inst in selected {
        let check = kc.verify_pin(&mut inst, &ctx.out);
        packages.push((inst, check));
    }
    let present = kc.secret_names()?;
    Ok(View {
        kc,
        packages,
        tampered,
        present,
    })
}

/// `keyward list`.
pub fn cmd_list(ctx: &Ctx) -> Result<()> {
    let view = gather(ctx, None)?;
    let mut rows = Vec::new();
    let mut docs = Vec::new();
    let origins: Vec<Option<Origin>> = view
        .packages
        .iter()
        .map(|(inst, _)| origin_of(ctx, inst))
        .collect();
    let any_source = origins.iter().any(Option::is_some);
    for ((inst, check), origin) in view.packages.iter().zip(&origins) {
        let state = match check {
            Err(_) => "unreadable",
            Ok(_) => state_word(inst, &view.present),
        };
        let granted = inst.granted_requested().len();
        let requested = inst.manifest.keys.len();
        docs.push(ListedDoc {
            name: inst.name(),
            version: &inst.row.version,
            state,
            keys_granted: granted,
            keys_requested: requested,
            path: &inst.row.path,
            digest: &inst.row.digest,
            source: origin.as_ref().map(|o| o.source.as_str()),
            owner_declared: origin.as_ref().is_some_and(Origin::owner_declared),
        });
        let mut row = vec![
            inst.name().to_owned(),
            inst.row.version.clone(),
            crate::output::paint_state(state, ctx.out.color_stdout),
            format!("{granted}/{requested}"),
        ];
        if any_source {
            row.push(origin.as_ref().map_or_else(String::new, origin_text));
        }
        rows.push(row);
    }
    warn_tampered(ctx, &view.tampered);
    if ctx.out.json {
        ctx.out.json_doc(&ListDoc {
            keychain: view.kc.name(),
            packages: docs,
        });
    } else if rows.is_empty() {
        ctx.out.info(format!(
            "No packages in keychain `{}`; add one with `keyward install PATH`.",
            view.kc.name()
        ));
    } else {
        let mut header = vec!["PACKAGE", "VERSION", "STATE", "KEYS"];
        if any_source {
            header.push("SOURCE");
        }
        print_line(&table(&header, &rows));
    }
    Ok(())
}

/// Where a store package came from (none for a local package folder).
fn origin_of(ctx: &Ctx, inst: &Installed) -> Option<Origin> {
    crate::registry::origin(&ctx.vault_path, &inst.row.path, &inst.row.manifest)
}

/// `npm:x@1.0.0`, plus `(owner-declared)` when the owner declared its keys.
fn origin_text(o: &Origin) -> String {
    if o.owner_declared() {
        format!("{} (owner-declared)", sanitize(&o.source))
    } else {
        sanitize(&o.source).into_owned()
    }
}

fn warn_tampered(ctx: &Ctx, tampered: &[String]) {
    for what in tampered {
        ctx.out.warn(format!(
            "{what} failed verification and is ignored (the vault was modified outside keyward)"
        ));
    }
}

/// `keyward inspect PACKAGE [--diff]`.
pub fn cmd_inspect(ctx: &Ctx, package_arg: &str, diff: bool) -> Result<()> {
    let view = gather(ctx, Some(package_arg))?;
    let (inst, check) = view
        .packages
        .into_iter()
        .next()
        .expect("gather resolved one package");
    let check = check?;
    for warning in &inst.manifest.warnings {
        ctx.out.warn(warning);
    }
    let states = inst.key_states(&view.present);
    let short = view.kc.short_values(&inst.granted)?;
    let origin = origin_of(ctx, &inst);
    let endpoints = endpoint_states(&view.kc, &inst)?;
    if ctx.out.json {
        ctx.out.json_doc(&InspectDoc {
            name: inst.name(),
            version: &inst.row.version,
            description: inst.manifest.description.as_deref(),
            path: &inst.row.path,
            pinned_digest: &inst.row.digest,
            current_digest: &check.current,
            matches: !check.changed(&inst),
            state: state_word(&inst, &view.present),
            revoked_at: inst.row.revoked_at.map(crate::time::rfc3339),
            keys: &states,
            env: &inst.manifest.env,
            run: &inst.manifest.run,
            short_values: &short,
            changes: diff.then(|| render::change_docs(&check.changes)),
            source: origin.as_ref().map(|o| o.source.as_str()),
            manifest_origin: origin.as_ref().map(|o| o.manifest.as_str()),
            owner_declared: origin.as_ref().is_some_and(Origin::owner_declared),
            endpoints: &endpoints,
        });
    } else {
        let color = ctx.out.color_stdout;
        let mut text = inspect_text(&inst, &check, &states, &view.present, diff, color);
        if let Some(o) = &origin {
            let at = text.find("  pinned").unwrap_or(0);
            let how = match o.manifest.as_str() {
                "package" => "manifest: the package's own",
                "server.json" => "manifest: from its MCP server.json",
                "owner-declared" => "manifest: owner-declared",
                _ => "manifest: none declared, no keys",
            };
            text.insert_str(at, &format!("  source   {} ({how})\n", sanitize(&o.source)));
        }
        if !endpoints.is_empty() {
            let shown: Vec<String> = endpoints
                .iter()
                .map(|e| {
                    let off = if e.enabled { "" } else { " (disabled)" };
                    format!("{}{off}", sanitize(&e.endpoint))
                })
                .collect();
            text.push_str(&format!("\n  endpoints {}", shown.join(", ")));
        }
        print_line(&text);
        for key in &short {
            ctx.out.warn(format!(
                "{key} is shorter than 4 bytes, so run cannot mask it in output"
            ));
        }
    }
    view.kc.ensure_untampered(&view.tampered)
}

/// The package's endpoints (found in its files, or enabled by name) and whether the
/// gateway serves each.
fn endpoint_states(kc: &Keychain, inst: &Installed) -> Result<Vec<render::EndpointState>> {
    let found = crate::endpoints::discover(Path::new(&inst.row.path), &inst.row.manifest);
    let now = kc.endpoints(inst)?;
    let mut all: BTreeSet<String> = found.endpoints.into_iter().collect();
    if let Endpoints::Only(set) = &now {
        all.extend(set.iter().cloned());
    }
    Ok(all
        .into_iter()
        .map(|endpoint| render::EndpointState {
            enabled: match &now {
                Endpoints::All => true,
                Endpoints::Only(set) => set.contains(&endpoint),
            },
            endpoint,
        })
        .collect())
}

fn inspect_text(
    inst: &Installed,
    check: &PinCheck,
    states: &[crate::keychain::KeyState],
    present: &BTreeSet<String>,
    diff: bool,
    color: bool,
) -> String {
    let m = &inst.manifest;
    let matches = if check.changed(inst) {
        "CHANGED since the pin"
    } else {
        "matches the pin"
    };
    let mut t = format!("{} {}\n", m.name, m.version);
    if let Some(d) = &m.description {
        t.push_str(&format!("  {}\n", sanitize(d)));
    }
    t.push_str(&format!(
        "  path     {}\n  pinned   {}\n  current  {} ({matches})\n",
        sanitize(&inst.row.path),
        inst.row.digest,
        check.current
    ));
    t.push_str(&format!(
        "  state    {}\n  run      {}\n",
        crate::output::paint_state(state_word(inst, present), color),
        sanitize(&m.run.join(" "))
    ));
    if !m.env.is_empty() {
        t.push_str(&format!("  env      {}\n", m.env.join(" ")));
    }
    if m.keys.is_empty() {
        t.push_str("Requests no keys.");
    } else {
        t.push_str(&render::key_lines(states));
    }
    if diff {
        if check.changes.is_empty() {
            t.push_str("\nNo files changed since the pin.");
        } else {
            t.push_str(&format!(
                "\nChanged since the pin ({} file(s)):\n",
                check.changes.len()
            ));
            t.push_str(&render::change_lines(&check.changes));
        }
    }
    t
}

/// Sourced secrets whose KV version in OpenBao moved since they were stored.
fn moved_sources(kc: &Keychain) -> Result<Vec<MovedSource>> {
    let rows = kc.sources()?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let client = crate::openbao::Client::from_env()?;
    let mut moved = Vec::new();
    for row in rows {
        let source = crate::openbao::Source::parse(&row.source)?;
        // The value is dropped (wiped) at once: only the version is compared.
        let (_, remote) = client.kv_read(&source)?;
        if remote != row.kv_version {
            moved.push(MovedSource {
                name: row.name,
                source: row.source,
                synced_kv_version: row.kv_version,
                remote_kv_version: remote,
            });
        }
    }
    Ok(moved)
}

/// `keyward status [--check] [--remote]`.
pub fn cmd_status(ctx: &Ctx, check: bool, remote: bool) -> Result<()> {
    let view = gather(ctx, None)?;
    let moved = if remote {
        Some(moved_sources(&view.kc)?)
    } else {
        None
    };
    let mut missing = Vec::new();
    let mut unapproved = Vec::new();
    let mut revoked = Vec::new();
    let mut unreadable = Vec::new();
    for (inst, pin) in &view.packages {
        let package = inst.name().to_owned();
        if let Err(e) = pin {
            unreadable.push(Unreadable {
                package,
                error: e.message.clone(),
            });
            continue;
        }
        if inst.revoked() {
            revoked.push(RevokedPackage {
                package,
                path: inst.row.path.clone(),
            });
            continue;
        }
        let d = decide(&inst.manifest, &inst.granted, &view.present);
        let pair = |key: &String| PackageKey {
            package: package.clone(),
            key: key.clone(),
        };
        unapproved.extend(d.not_approved.iter().map(pair));
        missing.extend(
            inst.granted
                .iter()
                .filter(|k| !view.present.contains(*k) && inst.manifest.requests(k).is_some())
                .map(pair),
        );
    }
    let pending = missing.len()
        + unapproved.len()
        + revoked.len()
        + unreadable.len()
        + view.tampered.len()
        + moved.as_ref().map_or(0, Vec::len);
    warn_tampered(ctx, &view.tampered);
    let doc = StatusDoc {
        keychain: view.kc.name(),
        pending,
        missing_values: &missing,
        not_approved: &unapproved,
        revoked_changed: &revoked,
        unreadable: &unreadable,
        tampered: &view.tampered,
        sources_moved: moved.as_deref(),
    };
    if ctx.out.json {
        ctx.out.json_doc(&doc);
    } else {
        print_line(&status_text(&doc, ctx.out.color_stdout));
    }
    if check && pending > 0 {
        return Err(Error::denied(format!("{pending} item(s) need the owner")).code("pending"));
    }
    Ok(())
}

fn status_text(doc: &StatusDoc<'_>, color: bool) -> String {
    use crate::output::paint;
    let kc = doc.keychain;
    if doc.pending == 0 {
        return format!(
            "Keychain `{kc}`: {}",
            paint("nothing needs the owner.", "32", color)
        );
    }
    let mut t = format!("Keychain `{kc}`: {} item(s) need the owner.", doc.pending);
    if !doc.missing_values.is_empty() {
        t.push_str(&format!(
            "\n{}",
            paint(
                &format!(
                    "Approved keys with no value ({}):",
                    doc.missing_values.len()
                ),
                "33",
                color
            )
        ));
        for PackageKey { package: p, key: k } in doc.missing_values {
            t.push_str(&format!("\n  {k} for {p}: keyward secret set {k}"));
        }
    }
    if !doc.not_approved.is_empty() {
        t.push_str(&format!(
            "\n{}",
            paint(
                &format!("Requested keys not approved ({}):", doc.not_approved.len()),
                "33",
                color
            )
        ));
        for PackageKey { package: p, key: k } in doc.not_approved {
            t.push_str(&format!("\n  {k} for {p}: keyward approve {p} {k}"));
        }
    }
    if !doc.revoked_changed.is_empty() {
        t.push_str(&format!(
            "\n{}",
            paint(
                &format!(
                    "Packages revoked because their code changed ({}):",
                    doc.revoked_changed.len()
                ),
                "31",
                color
            )
        ));
        for RevokedPackage { package: p, path } in doc.revoked_changed {
            t.push_str(&format!(
                "\n  {p}: keyward inspect {p} --diff, then keyward install {}",
                sanitize(path)
            ));
        }
    }
    for Unreadable { package, error } in doc.unreadable {
        t.push_str(&format!("\n  {package} cannot be hashed: {error}"));
    }
    if let Some(moved) = doc.sources_moved.filter(|m| !m.is_empty()) {
        t.push_str(&format!(
            "\n{}",
            paint(
                &format!("Sourced secrets that moved in OpenBao ({}):", moved.len()),
                "33",
                color
            )
        ));
        for m in moved {
            t.push_str(&format!(
                "\n  {} ({}): KV version {} synced, {} in OpenBao: keyward secret sync {}",
                m.name,
                sanitize(&m.source),
                m.synced_kv_version,
                m.remote_kv_version,
                m.name
            ));
        }
    }
    t
}
