//! `keyward install PATH`: hash and pin a package, show its keys, take approvals.

use std::collections::BTreeSet;

use crate::cli::InstallArgs;
use crate::commands::render::{self, InstallDoc};
use crate::commands::{Ctx, not_requested_key};
use crate::error::Result;
use crate::keychain::{InstallKind, KeyState, Keychain, Plan, Role, key_states, requested_list};
use crate::output::sanitize;
use crate::prompt;
use crate::registry::{self, Overlay, install::Prepared};
use crate::secret::SecretBytes;

/// `keyward install`.
pub fn cmd_install(ctx: &Ctx, args: &InstallArgs) -> Result<()> {
    let mut kc = ctx.open(Role::Owner("installing a package"))?;
    let prepared = registry_folder(ctx, &kc, args)?;
    let path = prepared
        .as_ref()
        .map_or(args.path.as_path(), Prepared::path);
    let plan = kc.plan(path, &ctx.out)?;
    if let Some(p) = &prepared {
        for check in p.checks() {
            ctx.out.info(check);
        }
    }
    for warning in &plan.manifest.warnings {
        ctx.out.warn(warning);
    }
    let present = kc.secret_names()?;
    let before = previous_approvals(&kc, &plan)?;
    // Flags decide before anything is shown, so the table shows the state after the
    // install; a prompt decides after it, so the table shows the state before.
    let flagged = if args.approve_all || !args.approve.is_empty() {
        Some(choose(ctx, args, &plan, &before)?)
    } else {
        None
    };
    if !ctx.out.json {
        show_plan(ctx, &plan, &present, flagged.as_ref());
    }
    let approvals = match flagged {
        Some(approvals) => approvals,
        None => choose(ctx, args, &plan, &before)?,
    };
    let values = ask_missing_values(ctx, &approvals, &present)?;
    let changed = plan.changes_with(&approvals) || !values.is_empty();
    if changed {
        kc.install(&plan, &approvals, &values)?;
        if let Some(p) = prepared {
            p.commit(&ctx.vault_path, &plan);
        }
    }
    let present = kc.secret_names()?;
    let states = key_states(&plan.manifest, &approvals, &present);
    report(ctx, &plan, &states, changed, kc.name());
    Ok(())
}

/// What the owner approved for this package before this install: its grants now, or,
/// when a change revoked them, the keys the auto-revoke took away (from the audit log).
fn previous_approvals(kc: &Keychain, plan: &Plan) -> Result<BTreeSet<String>> {
    match &plan.previous {
        None => Ok(BTreeSet::new()),
        Some(prev) if prev.revoked() => kc.keys_before_auto_revoke(prev.name()),
        Some(prev) => Ok(prev.granted.clone()),
    }
}

/// For `npm:`/`pypi:` arguments, the store folder to install from (fetched and checked).
fn registry_folder(
    ctx: &Ctx,
    kc: &crate::keychain::Keychain,
    args: &InstallArgs,
) -> Result<Option<Prepared>> {
    let arg = args.path.to_string_lossy();
    let overlay = Overlay {
        manifest: args.manifest.clone(),
        keys: args.keys.clone(),
        run: args.run.clone(),
        ..Overlay::default()
    };
    if !registry::is_registry(&arg) {
        if overlay.given() || args.allow_build {
            return Err(crate::error::Error::usage(
                "--manifest, --key, --run and --allow-build are for registry packages (npm:NAME@VERSION, pypi:NAME==VERSION)",
            )
            .hint("a package folder declares its keys in its own instant.package.json"));
        }
        return Ok(None);
    }
    let source = registry::parse_source(&arg)?;
    let prepared = registry::install::prepare(
        kc,
        &ctx.vault_path,
        &source,
        &overlay,
        args.allow_build,
        &ctx.out,
    )?;
    Ok(Some(prepared))
}

fn show_plan(
    ctx: &Ctx,
    plan: &Plan,
    present: &BTreeSet<String>,
    flagged: Option<&BTreeSet<String>>,
) {
    let m = &plan.manifest;
    let mut text = format!(
        "Package {} {}\n  path    {}\n  digest  {}",
        m.name,
        m.version,
        sanitize(&plan.dir),
        plan.tree.digest
    );
    if let Some(desc) = &m.description {
        text.push_str(&format!("\n  about   {}", sanitize(desc)));
    }
    text.push_str(&format!("\n  run     {}", sanitize(&m.run.join(" "))));
    if !m.env.is_empty() {
        // The caller's values of these pass with no approval step: the owner must see
        // them before trusting the package (a `GITHUB_TOKEN` here would reach it).
        text.push_str(&format!(
            "\n  env     {} (passed from the caller's environment as they are)",
            m.env.join(" ")
        ));
    }
    if plan.kind == InstallKind::Updated {
        text.push_str(&update_text(plan));
    }
    if !m.keys.is_empty() {
        let (approvals, heading) = match flagged {
            Some(approvals) => (approvals.clone(), "\nRequested keys, after this install:\n"),
            None => (plan.kept_grants(), "\nRequested keys:\n"),
        };
        let states = key_states(m, &approvals, present);
        text.push_str(heading);
        text.push_str(&render::key_lines(&states));
    }
    ctx.out.info(text);
}

/// What an update does, in sentences that are all true at once: a move, a revocation
/// found earlier, and a change are separate facts.
fn update_text(plan: &Plan) -> String {
    let prev = plan.previous.as_ref().expect("updates have a previous pin");
    let moved = prev.row.path != plan.dir;
    let mut text = String::new();
    if moved {
        text.push_str(&format!(
            "\nThis is a different folder: `{}` was installed from {}.",
            plan.manifest.name,
            sanitize(&prev.row.path)
        ));
    }
    if plan.changes.is_empty() {
        if prev.revoked() {
            text.push_str(&format!(
                "\nIts grants were revoked when its code changed; the code matches the pin {} again.",
                prev.row.digest
            ));
        } else {
            text.push_str("\nIts code is identical to the pinned code.");
        }
    } else {
        text.push_str(&format!(
            "\nChanged since the pin {} ({} file(s)):\n{}",
            prev.row.digest,
            plan.changes.len(),
            render::change_lines(&plan.changes)
        ));
    }
    if !plan.new_keys.is_empty() {
        text.push_str(&format!(
            "\nNewly requested keys: {}",
            plan.new_keys.join(", ")
        ));
    }
    text.push_str(match (prev.revoked(), moved) {
        (true, _) => "\nApprove again for this code.",
        (false, true) => {
            "\nApprovals belong to one folder: installing from here ends the old grants; approve again."
        }
        (false, false) => "\nEvery grant of the old pin is revoked; approve again for this code.",
    });
    text
}

/// Which keys to approve: flags, else the prompt, else (no terminal) exit 5.
fn choose(
    ctx: &Ctx,
    args: &InstallArgs,
    plan: &Plan,
    before: &BTreeSet<String>,
) -> Result<BTreeSet<String>> {
    let m = &plan.manifest;
    if args.approve_all {
        return Ok(m.keys.iter().map(|k| k.name.clone()).collect());
    }
    if !args.approve.is_empty() {
        let mut chosen = plan.kept_grants();
        for key in &args.approve {
            if m.requests(key).is_none() {
                return Err(not_requested_key(m, key, "; nothing was installed"));
            }
            chosen.insert(key.clone());
        }
        return Ok(chosen);
    }
    if m.keys.is_empty() || plan.kind == InstallKind::Unchanged || args.yes {
        return Ok(plan.kept_grants());
    }
    if !prompt::interactive(ctx.no_input) {
        return Err(prompt::needs_input(
            &format!(
                "approval of the keys `{}` requests ({})",
                m.name,
                requested_list(m)
            ),
            "pass --approve KEY (repeatable) or --approve-all; or --yes to install without approving",
        ));
    }
    let items: Vec<(String, bool)> = m
        .keys
        .iter()
        .map(|k| {
            let label = match &k.description {
                Some(d) => format!(
                    "{}{} — {}",
                    k.name,
                    if k.optional { " (optional)" } else { "" },
                    sanitize(d)
                ),
                None => format!("{}{}", k.name, if k.optional { " (optional)" } else { "" }),
            };
            // Pre-selected: what was approved before (an update, optional keys too),
            // plus required keys that are new or of a first install.
            let was = before.contains(&k.name);
            let fresh = before.is_empty() || plan.new_keys.contains(&k.name);
            (label, was || (fresh && !k.optional))
        })
        .collect();
    let picked = prompt::select(
        &format!(
            "Approve keys for {} (space toggles, enter confirms)",
            m.name
        ),
        &items,
    )?;
    Ok(picked.into_iter().map(|i| m.keys[i].name.clone()).collect())
}

/// On a terminal, asks for values of approved keys the keychain lacks (empty skips).
fn ask_missing_values(
    ctx: &Ctx,
    approvals: &BTreeSet<String>,
    present: &BTreeSet<String>,
) -> Result<Vec<(String, SecretBytes)>> {
    let mut values = Vec::new();
    if !prompt::interactive(ctx.no_input) {
        return Ok(values);
    }
    for key in approvals.iter().filter(|k| !present.contains(*k)) {
        let prompt = format!("Value for {key} (empty to skip)");
        if let Some(value) = prompt::password_or_skip(&prompt)? {
            values.push((key.clone(), value));
        }
    }
    Ok(values)
}

fn report(ctx: &Ctx, plan: &Plan, states: &[KeyState], changed: bool, keychain: &str) {
    let m = &plan.manifest;
    if ctx.out.json {
        ctx.out.json_doc(&InstallDoc {
            package: &m.name,
            version: &m.version,
            path: &plan.dir,
            digest: &plan.tree.digest,
            status: plan.kind.word(),
            changed,
            changes: render::change_docs(&plan.changes),
            new_keys: &plan.new_keys,
            keys: states,
        });
        return;
    }
    let missing: Vec<&str> = states
        .iter()
        .filter(|k| k.approved && !k.value_present)
        .map(|k| k.name.as_str())
        .collect();
    let mut text = match (plan.kind, changed) {
        (InstallKind::Unchanged, false) => format!(
            "{} is already installed with this code; nothing changed.",
            m.name
        ),
        (kind, _) => format!("{} {} ({}).", m.name, kind.word(), plan.tree.digest),
    };
    let approved: Vec<&str> = states
        .iter()
        .filter(|k| k.approved)
        .map(|k| k.name.as_str())
        .collect();
    if !approved.is_empty() {
        text.push_str(&format!("\nApproved: {}", approved.join(", ")));
    }
    for key in missing {
        text.push_str(&format!(
            "\nNo value for {key} yet: keyward secret set {key}"
        ));
    }
    let pending: Vec<&str> = states
        .iter()
        .filter(|k| !k.approved && !k.optional)
        .map(|k| k.name.as_str())
        .collect();
    let ready = states
        .iter()
        .all(|k| k.optional || (k.approved && k.value_present));
    if ready {
        let k = if keychain == "default" {
            String::new()
        } else {
            format!("-k {keychain} ")
        };
        text.push_str(&format!("\nRun it: keyward {k}run {}", m.name));
    }
    if !pending.is_empty() {
        text.push_str(&format!(
            "\nNot approved (run refuses until they are): {}",
            pending.join(", ")
        ));
        text.push_str(&format!(
            "\n  keyward approve {} {}",
            m.name,
            pending.join(" ")
        ));
    }
    ctx.out.info(text);
}
