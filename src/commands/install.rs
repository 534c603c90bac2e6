//! `keyward install PATH`: hash and pin a package, show its keys, take approvals.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::json;

use crate::cli::InstallArgs;
use crate::commands::Ctx;
use crate::commands::secret::store_value;
use crate::digest::{self, Change, TreeDigest};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::output::sanitize;
use crate::package::{self, Installed, KeyState, Scope};
use crate::prompt;
use crate::secret::SecretBytes;
use crate::vault::packages::InstallationRow;

/// What an install does to the keychain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallKind {
    /// Not installed before.
    New,
    /// Same name, same code, still active.
    Unchanged,
    /// Same name, different code, or re-pinned after a revocation.
    Updated,
}

impl InstallKind {
    fn word(self) -> &'static str {
        match self {
            InstallKind::New => "installed",
            InstallKind::Unchanged => "unchanged",
            InstallKind::Updated => "updated",
        }
    }
}

/// A computed install, before anything is written.
pub struct Plan {
    /// Canonical package directory.
    pub dir: String,
    /// The tree as hashed now.
    pub tree: TreeDigest,
    /// Its manifest (the same bytes that were hashed).
    pub manifest: Manifest,
    /// New, unchanged or updated.
    pub kind: InstallKind,
    /// Files changed since the previous pin (updates only).
    pub changes: Vec<Change>,
    /// Keys the previous pin did not request.
    pub new_keys: Vec<String>,
    /// The previous installation, if any.
    pub previous: Option<Installed>,
}

impl Plan {
    /// Computes what installing `tree` means given what is installed.
    pub fn new(
        dir: String,
        tree: TreeDigest,
        manifest: Manifest,
        previous: Option<&Installed>,
    ) -> Plan {
        let (kind, changes, new_keys) = match previous {
            None => (InstallKind::New, Vec::new(), Vec::new()),
            Some(prev) => {
                let same =
                    prev.row.digest == tree.digest && prev.row.path == dir && !prev.revoked();
                let changes = digest::diff(&prev.pinned_entries(), &tree.entries);
                let new_keys = manifest
                    .keys
                    .iter()
                    .filter(|k| prev.manifest.requests(&k.name).is_none())
                    .map(|k| k.name.clone())
                    .collect();
                let kind = if same {
                    InstallKind::Unchanged
                } else {
                    InstallKind::Updated
                };
                (kind, changes, new_keys)
            }
        };
        Plan {
            dir,
            tree,
            manifest,
            kind,
            changes,
            new_keys,
            previous: previous.cloned(),
        }
    }

    /// Grants that survive: only an unchanged install keeps its approvals.
    pub fn kept_grants(&self) -> BTreeSet<String> {
        match (&self.previous, self.kind) {
            (Some(prev), InstallKind::Unchanged) => prev.granted.clone(),
            _ => BTreeSet::new(),
        }
    }

    /// The installation row to store (MAC filled in by the writer).
    pub fn row(&self, keychain_id: crate::vault::Id) -> InstallationRow {
        let now = crate::time::now();
        let (id, installed) = match &self.previous {
            Some(prev) => (prev.row.id, prev.row.installed),
            None => (crate::vault::new_id(), now),
        };
        InstallationRow {
            id,
            keychain_id,
            name: self.manifest.name.clone(),
            path: self.dir.clone(),
            version: self.manifest.version.clone(),
            manifest: self.tree.manifest.clone().unwrap_or_default(),
            digest: self.tree.digest.clone(),
            files: serde_json::to_vec(&self.tree.entries).expect("entries serialise"),
            revoked_reason: None,
            revoked_at: None,
            generation: 0,
            installed,
            updated: now,
            mac: Vec::new(),
        }
    }
}

/// Hashes the package at `path` and plans its install against `loaded`.
pub fn plan(path: &Path, loaded: &package::Loaded, ctx: &Ctx) -> Result<Plan> {
    let dir = package::package_dir(path)?;
    let tree = package::hash_tree(&dir, &ctx.out, false)?;
    let manifest = package::tree_manifest(&dir, &tree)?;
    let previous = loaded.packages.iter().find(|p| p.row.name == manifest.name);
    Ok(Plan::new(
        dir.to_string_lossy().into_owned(),
        tree,
        manifest,
        previous,
    ))
}

/// Writes a planned install: the pin, the approvals (replacing any others), and the
/// audit entries. Runs inside the caller's transaction.
pub fn write_plan(
    tx: &rusqlite::Transaction<'_>,
    scope: &Scope<'_>,
    keys: &crate::session::KeychainKeys,
    plan: &Plan,
    approvals: &BTreeSet<String>,
) -> Result<()> {
    let mut row = plan.row(scope.keychain.id);
    if let Some(prev) = &plan.previous {
        // A re-pin or a changed approval set starts from no grants at all, in the
        // installation's next generation (the revoke moved it there).
        scope.revoke(tx, prev, None)?;
        let now =
            crate::vault::packages::installation_in(tx, &prev.row.id).map_err(crate::vault::db)?;
        row.generation = now.map_or(prev.row.generation + 1, |r| r.generation);
    }
    scope.put_installation(tx, &mut row)?;
    let approve: Vec<String> = approvals.iter().cloned().collect();
    package::approve(tx, scope, keys, &row, &plan.manifest, &approve)?;
    if plan.kind != InstallKind::Unchanged {
        let detail = json!({"digest": row.digest, "version": row.version, "path": row.path, "files_changed": plan.changes.len()});
        scope.audit(
            tx,
            if plan.kind == InstallKind::New {
                "install"
            } else {
                "update"
            },
            Some(&row.name),
            detail,
        )?;
    }
    if approvals != &plan.kept_grants() {
        scope.audit(
            tx,
            "approve",
            Some(&row.name),
            json!({"keys": approve, "digest": row.digest}),
        )?;
    }
    Ok(())
}

/// `keyward install`.
pub fn cmd_install(ctx: &Ctx, args: &InstallArgs) -> Result<()> {
    let (mut s, kc, keys) = ctx.owner("installing a package")?;
    let loaded = package::load(&s.vault, &kc, &keys.rk)?;
    let plan = plan(&args.path, &loaded, ctx)?;
    let present = s.vault.secret_names(&kc.id)?;
    if !ctx.out.json {
        show_plan(ctx, &plan, &present);
    }
    let approvals = choose(ctx, args, &plan)?;
    let values = ask_missing_values(ctx, &approvals, &present)?;
    let vid = s.vault.id;
    let scope = Scope::owner(&vid, &kc, &keys);
    let changed = plan.kind != InstallKind::Unchanged
        || approvals != plan.kept_grants()
        || !values.is_empty();
    if changed {
        s.vault.write(|tx| {
            for (name, value) in &values {
                store_value(tx, &vid, &kc.id, &keys, name, value)?;
            }
            write_plan(tx, &scope, &keys, &plan, &approvals)
        })?;
    }
    let present = s.vault.secret_names(&kc.id)?;
    let states = package::key_states(&plan.manifest, &approvals, &present);
    report(ctx, &plan, &states, changed);
    Ok(())
}

fn show_plan(ctx: &Ctx, plan: &Plan, present: &BTreeSet<String>) {
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
    if plan.kind == InstallKind::Updated {
        let prev = plan.previous.as_ref().expect("updates have a previous pin");
        if prev.row.path != plan.dir {
            text.push_str(&format!("\n  moved from {}", sanitize(&prev.row.path)));
        }
        if plan.changes.is_empty() {
            text.push_str(&format!(
                "\nIts grants were revoked when its code changed; the code matches the pin {} again.",
                prev.row.digest
            ));
        } else {
            text.push_str(&format!(
                "\nChanged since the pin {} ({} file(s)):",
                prev.row.digest,
                plan.changes.len()
            ));
        }
        if !plan.changes.is_empty() {
            text.push('\n');
            text.push_str(&package::change_lines(&plan.changes));
        }
        if !plan.new_keys.is_empty() {
            text.push_str(&format!(
                "\nNewly requested keys: {}",
                plan.new_keys.join(", ")
            ));
        }
        text.push_str("\nEvery grant of the old pin is revoked; approve again for this code.");
    }
    if !m.keys.is_empty() {
        let states = package::key_states(m, &plan.kept_grants(), present);
        text.push_str("\nRequested keys:\n");
        text.push_str(&package::key_lines(&states));
    }
    ctx.out.info(text);
}

/// Which keys to approve: flags, else the prompt, else (no terminal) exit 5.
fn choose(ctx: &Ctx, args: &InstallArgs, plan: &Plan) -> Result<BTreeSet<String>> {
    let m = &plan.manifest;
    if args.approve_all {
        return Ok(m.keys.iter().map(|k| k.name.clone()).collect());
    }
    if !args.approve.is_empty() {
        let mut chosen = plan.kept_grants();
        for key in &args.approve {
            if m.requests(key).is_none() {
                return Err(Error::denied(format!(
                    "`{}` does not request {key}; a package gets only keys its manifest asks for; nothing was installed",
                    m.name
                ))
                .code("not-requested")
                .hint(format!("requested keys: {}", package::requested_list(m))));
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
                package::requested_list(m)
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
            (label, !k.optional)
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
        let value = prompt::password(&format!("Value for {key} (empty to skip)"), false)?;
        if !value.is_empty() {
            values.push((key.clone(), value));
        }
    }
    Ok(values)
}

fn report(ctx: &Ctx, plan: &Plan, states: &[KeyState], changed: bool) {
    let m = &plan.manifest;
    if ctx.out.json {
        ctx.out.json_doc(&json!({
            "package": m.name, "version": m.version, "path": plan.dir, "digest": plan.tree.digest,
            "status": plan.kind.word(), "changed": changed,
            "changes": package::change_json(&plan.changes), "new_keys": plan.new_keys, "keys": states,
        }));
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
