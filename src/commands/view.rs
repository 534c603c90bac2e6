//! `keyward list`, `inspect` and `status`: read-only views, except that a package found
//! changed is revoked on the spot, so every view tells the truth about what `run` does.

use std::collections::BTreeSet;

use serde_json::json;

use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::grants;
use crate::output::{print_line, sanitize, table};
use crate::package::{self, Installed, PinCheck, Scope};
use crate::session::Session;
use crate::vault::KeychainRow;

/// Everything the views need: the session, the keychain, its packages re-verified.
struct View {
    s: Session,
    kc: KeychainRow,
    packages: Vec<(Installed, Result<PinCheck>)>,
    tampered: Vec<String>,
    present: BTreeSet<String>,
}

fn gather(ctx: &Ctx, only: Option<&str>) -> Result<View> {
    let mut s = ctx.session()?;
    let kc = s.keychain(ctx.keychain.as_deref())?;
    let rk = s.rk(&kc)?;
    let loaded = package::load(&s.vault, &kc, &rk)?;
    let selected: Vec<Installed> = match only {
        Some(arg) => vec![loaded.resolve(arg, &kc.name)?.clone()],
        None => loaded.packages.clone(),
    };
    let vid = s.vault.id;
    let scope = Scope::holder(&vid, &kc, &rk);
    let mut packages = Vec::new();
    for mut inst in selected {
        let check = package::verify_pin(&mut s.vault, &scope, &mut inst, &ctx.out);
        packages.push((inst, check));
    }
    let present = s.vault.secret_names(&kc.id)?;
    Ok(View {
        s,
        kc,
        packages,
        tampered: loaded.tampered,
        present,
    })
}

/// `keyward list`.
pub fn cmd_list(ctx: &Ctx) -> Result<()> {
    let view = gather(ctx, None)?;
    let mut rows = Vec::new();
    let mut docs = Vec::new();
    for (inst, check) in &view.packages {
        let state = match check {
            Err(_) => "unreadable",
            Ok(_) => package::state_word(inst, &view.present),
        };
        let granted = inst
            .manifest
            .keys
            .iter()
            .filter(|k| inst.granted.contains(&k.name))
            .count();
        let keys = format!("{granted}/{}", inst.manifest.keys.len());
        docs.push(json!({"name": inst.row.name, "version": inst.row.version, "state": state,
            "keys_granted": granted, "keys_requested": inst.manifest.keys.len(), "path": inst.row.path, "digest": inst.row.digest}));
        rows.push(vec![
            inst.row.name.clone(),
            inst.row.version.clone(),
            state.to_owned(),
            keys,
        ]);
    }
    warn_tampered(ctx, &view.tampered);
    if ctx.out.json {
        ctx.out
            .json_doc(&json!({"keychain": view.kc.name, "packages": docs}));
    } else if rows.is_empty() {
        ctx.out.info(format!(
            "No packages in keychain `{}`; add one with `keyward install PATH`.",
            view.kc.name
        ));
    } else {
        print_line(&table(&["PACKAGE", "VERSION", "STATE", "KEYS"], &rows));
    }
    Ok(())
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
    let states = package::key_states(&inst.manifest, &inst.granted, &view.present);
    let short: Vec<String> = short_values(&view.s, &view.kc, &inst)?;
    if ctx.out.json {
        let mut doc = json!({
            "name": inst.row.name, "version": inst.row.version, "description": inst.manifest.description,
            "path": inst.row.path, "pinned_digest": inst.row.digest, "current_digest": check.current,
            "matches": !check.changed(&inst), "state": package::state_word(&inst, &view.present),
            "revoked_at": inst.row.revoked_at.map(crate::time::rfc3339), "keys": states,
            "env": inst.manifest.env, "run": inst.manifest.run, "short_values": short,
        });
        if diff {
            doc["changes"] = package::change_json(&check.changes);
        }
        ctx.out.json_doc(&doc);
    } else {
        print_line(&inspect_text(&inst, &check, &states, &view.present, diff));
        for key in &short {
            ctx.out.warn(format!(
                "{key} is shorter than 4 bytes, so run cannot mask it in output"
            ));
        }
    }
    package::ensure_untampered(&view.s.vault, &view.tampered)
}

/// Granted keys whose values are too short to mask (owner only; empty for a token holder).
fn short_values(s: &Session, kc: &KeychainRow, inst: &Installed) -> Result<Vec<String>> {
    let crate::session::Access::Owner { mk } = &s.access else {
        return Ok(Vec::new());
    };
    let keys = s.owner_keys(mk, kc)?;
    let mut short = Vec::new();
    for name in &inst.granted {
        if let Some(row) = s.vault.secret(&kc.id, name)? {
            let aad = crate::commands::secret::secret_aad(&s.vault.id, &kc.id, name, row.version);
            if let Ok(v) = crate::crypto::open(&keys.dek, &row.value, &aad)
                && v.len() < crate::mask::MIN_MASKED_LEN
            {
                short.push(name.clone());
            }
        }
    }
    Ok(short)
}

fn inspect_text(
    inst: &Installed,
    check: &PinCheck,
    states: &[package::KeyState],
    present: &BTreeSet<String>,
    diff: bool,
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
        package::state_word(inst, present),
        sanitize(&m.run.join(" "))
    ));
    if !m.env.is_empty() {
        t.push_str(&format!("  env      {}\n", m.env.join(" ")));
    }
    if m.keys.is_empty() {
        t.push_str("Requests no keys.");
    } else {
        t.push_str(&package::key_lines(states));
    }
    if diff {
        if check.changes.is_empty() {
            t.push_str("\nNo files changed since the pin.");
        } else {
            t.push_str(&format!(
                "\nChanged since the pin ({} file(s)):\n",
                check.changes.len()
            ));
            t.push_str(&package::change_lines(&check.changes));
        }
    }
    t
}

/// `keyward status [--check]`.
pub fn cmd_status(ctx: &Ctx, check: bool) -> Result<()> {
    let view = gather(ctx, None)?;
    let mut missing = Vec::new();
    let mut unapproved = Vec::new();
    let mut revoked = Vec::new();
    let mut unreadable = Vec::new();
    for (inst, pin) in &view.packages {
        let name = &inst.row.name;
        if let Err(e) = pin {
            unreadable.push(json!({"package": name, "error": e.message}));
            continue;
        }
        if inst.revoked() {
            revoked.push(json!({"package": name, "path": inst.row.path}));
            continue;
        }
        let d = grants::decide(&inst.manifest, &inst.granted, &view.present);
        for key in &d.not_approved {
            unapproved.push(json!({"package": name, "key": key}));
        }
        for key in inst
            .granted
            .iter()
            .filter(|k| !view.present.contains(*k) && inst.manifest.requests(k).is_some())
        {
            missing.push(json!({"package": name, "key": key}));
        }
    }
    let pending =
        missing.len() + unapproved.len() + revoked.len() + unreadable.len() + view.tampered.len();
    warn_tampered(ctx, &view.tampered);
    if ctx.out.json {
        ctx.out.json_doc(&json!({"keychain": view.kc.name, "pending": pending, "missing_values": missing,
            "not_approved": unapproved, "revoked_changed": revoked, "unreadable": unreadable, "tampered": view.tampered}));
    } else {
        print_line(&status_text(
            &view.kc.name,
            pending,
            &missing,
            &unapproved,
            &revoked,
            &unreadable,
        ));
    }
    if check && pending > 0 {
        return Err(Error::denied(format!("{pending} item(s) need the owner")).code("pending"));
    }
    Ok(())
}

fn status_text(
    kc: &str,
    pending: usize,
    missing: &[serde_json::Value],
    unapproved: &[serde_json::Value],
    revoked: &[serde_json::Value],
    unreadable: &[serde_json::Value],
) -> String {
    if pending == 0 {
        return format!("Keychain `{kc}`: nothing needs the owner.");
    }
    let mut t = format!("Keychain `{kc}`: {pending} item(s) need the owner.");
    let pk = |v: &serde_json::Value| {
        (
            v["package"].as_str().unwrap_or("").to_owned(),
            v["key"].as_str().unwrap_or("").to_owned(),
        )
    };
    if !missing.is_empty() {
        t.push_str(&format!(
            "\nApproved keys with no value ({}):",
            missing.len()
        ));
        for (p, k) in missing.iter().map(pk) {
            t.push_str(&format!("\n  {k} for {p}: keyward secret set {k}"));
        }
    }
    if !unapproved.is_empty() {
        t.push_str(&format!(
            "\nRequested keys not approved ({}):",
            unapproved.len()
        ));
        for (p, k) in unapproved.iter().map(pk) {
            t.push_str(&format!("\n  {k} for {p}: keyward approve {p} {k}"));
        }
    }
    if !revoked.is_empty() {
        t.push_str(&format!(
            "\nPackages revoked because their code changed ({}):",
            revoked.len()
        ));
        for v in revoked {
            let (p, _) = pk(v);
            t.push_str(&format!(
                "\n  {p}: keyward inspect {p} --diff, then keyward install {}",
                sanitize(v["path"].as_str().unwrap_or(""))
            ));
        }
    }
    for v in unreadable {
        t.push_str(&format!(
            "\n  {} cannot be hashed: {}",
            v["package"].as_str().unwrap_or(""),
            v["error"].as_str().unwrap_or("")
        ));
    }
    t
}
