//! Installing: hash a package, plan what installing it means against what is
//! installed, then write the pin, the approvals and the values in one transaction.
//! Shared by `install` and `config apply`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::json;

use super::pin::{hash_tree, package_dir, tree_manifest};
use super::{Action, Installed, Keychain, Writer};
use crate::digest::{self, Change, TreeDigest};
use crate::error::Result;
use crate::manifest::Manifest;
use crate::output::Output;
use crate::secret::SecretBytes;
use crate::vault::packages::{self as rows, InstallationRow};
use crate::vault::{Id, db};

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
    /// The word shown and put in `--json` (`status`).
    pub fn word(self) -> &'static str {
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
    /// Computes what installing `tree` means given the previous installation.
    fn new(dir: String, tree: TreeDigest, manifest: Manifest, previous: Option<Installed>) -> Plan {
        let (kind, changes, new_keys) = match &previous {
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
            previous,
        }
    }

    /// Grants that survive: only an unchanged install keeps its approvals.
    pub fn kept_grants(&self) -> BTreeSet<String> {
        match (&self.previous, self.kind) {
            (Some(prev), InstallKind::Unchanged) => prev.granted.clone(),
            _ => BTreeSet::new(),
        }
    }

    /// Whether installing with `approvals` changes anything.
    pub fn changes_with(&self, approvals: &BTreeSet<String>) -> bool {
        self.kind != InstallKind::Unchanged || *approvals != self.kept_grants()
    }

    /// The installation row to store (MAC filled in by the writer).
    fn row(&self, keychain_id: Id) -> InstallationRow {
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
            owner_mac: Vec::new(),
        }
    }
}

/// One package of a config apply: its plan and exactly the keys to approve.
pub type Planned = (Plan, BTreeSet<String>);

impl Keychain {
    /// Hashes the package at `path` and plans its install against what is installed.
    pub fn plan(&self, path: &Path, out: &Output) -> Result<Plan> {
        let dir = package_dir(path)?;
        let tree = hash_tree(&dir, out, false)?;
        let manifest = tree_manifest(&dir, &tree)?;
        let previous = self.installed_named(&manifest.name)?;
        Ok(Plan::new(
            dir.to_string_lossy().into_owned(),
            tree,
            manifest,
            previous,
        ))
    }

    /// Writes a planned install with `approvals` (replacing any others) and the values
    /// typed for missing keys, in one transaction.
    pub fn install(
        &mut self,
        plan: &Plan,
        approvals: &BTreeSet<String>,
        values: &[(String, SecretBytes)],
    ) -> Result<()> {
        self.write(|w| {
            for (name, value) in values {
                w.store_value(name, value)?;
            }
            w.write_plan(plan, approvals)
        })
    }

    /// Writes several planned installs with their approvals and the values of new
    /// secrets, in one transaction (`mcp import`).
    pub fn install_all(
        &mut self,
        installs: &[(&Plan, &BTreeSet<String>)],
        values: &[(String, SecretBytes)],
    ) -> Result<()> {
        self.write(|w| {
            for (name, value) in values {
                w.store_value(name, value)?;
            }
            for (plan, approvals) in installs {
                w.write_plan(plan, approvals)?;
            }
            Ok(())
        })
    }

    /// Applies a config: the changing plans and the uninstalls, all or nothing.
    pub fn apply_config(
        &mut self,
        file: &Path,
        changing: &[&Planned],
        pruned: &[&Installed],
    ) -> Result<()> {
        self.write(|w| {
            for (plan, wanted) in changing {
                w.write_plan(plan, wanted)?;
            }
            for inst in pruned {
                w.uninstall(inst)?;
            }
            let names: Vec<&str> = changing
                .iter()
                .map(|(p, _)| p.manifest.name.as_str())
                .collect();
            let gone: Vec<&str> = pruned.iter().map(|p| p.name()).collect();
            let detail =
                json!({"file": file.display().to_string(), "changed": names, "pruned": gone});
            w.record(Action::ConfigApply, None, detail)
        })
    }
}

impl Writer<'_> {
    /// Writes a planned install: the pin, the approvals (replacing any others), and the
    /// audit entries.
    fn write_plan(&mut self, plan: &Plan, approvals: &BTreeSet<String>) -> Result<()> {
        let mut row = plan.row(self.scope.row.id);
        // The gateway routes `{name}.{scope}.localhost`: two packages of one keychain
        // must not answer on the same host name (`@b/a` and `a.b`).
        let key = crate::gateway::route::host_key(&row.name);
        let installed = rows::installations_in(self.tx, &self.scope.row.id).map_err(db)?;
        if let Some(other) = installed
            .iter()
            .find(|o| o.name != row.name && crate::gateway::route::host_key(&o.name) == key)
        {
            return Err(crate::error::Error::general(format!(
                "{} would answer on the same gateway host name as the installed {} ({key}.localhost)",
                row.name, other.name
            ))
            .code("name-collision")
            .hint("rename one of the two packages, or install it in another keychain"));
        }
        if let Some(prev) = &plan.previous {
            // A re-pin or a changed approval set starts from no grants at all, in the
            // installation's next generation (the revoke moved it there).
            self.revoke(prev, None)?;
            let now = rows::installation_in(self.tx, &prev.row.id).map_err(db)?;
            row.generation = now.map_or(prev.row.generation + 1, |r| r.generation);
        }
        self.put_installation(&mut row)?;
        let approve: Vec<String> = approvals.iter().cloned().collect();
        self.approve(&row, &plan.manifest, &approve)?;
        if plan.kind != InstallKind::Unchanged {
            let detail = json!({"digest": row.digest, "version": row.version, "path": row.path, "files_changed": plan.changes.len()});
            let action = if plan.kind == InstallKind::New {
                Action::Install
            } else {
                Action::Update
            };
            self.record(action, Some(&row.name), detail)?;
        }
        if approvals != &plan.kept_grants() {
            let detail = json!({"keys": approve, "digest": row.digest});
            self.record(Action::Approve, Some(&row.name), detail)?;
        }
        Ok(())
    }
}
