//! Installed packages as the commands see them: loaded with every MAC checked,
//! resolved by name or path, re-hashed against their pin, approved, revoked.
//!
//! Storage is `vault::packages`; the opt-in rule is `grants::decide`. This module keeps
//! the invariant that a key's shared copy exists exactly while some grant needs it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use rusqlite::Transaction;
use serde_json::json;

use crate::audit::{self, Event};
use crate::crypto::{self, label};
use crate::digest::{self, Change, Entry, TreeDigest};
use crate::error::{Error, Result};
use crate::grants;
use crate::manifest::{self, Manifest};
use crate::output::Output;
use crate::secret::Key32;
use crate::session::KeychainKeys;
use crate::vault::db;
use crate::vault::packages::{self as rows, GrantRow, InstallationRow};
use crate::vault::{Id, KeychainRow, Vault};

/// One installation whose row verified, with its valid grants.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The verified row.
    pub row: InstallationRow,
    /// The manifest pinned with it.
    pub manifest: Manifest,
    /// Keys with a valid grant for the current pin.
    pub granted: BTreeSet<String>,
}

impl Installed {
    /// Whether its grants were revoked because its code changed.
    pub fn revoked(&self) -> bool {
        self.row.revoked_reason.is_some()
    }

    /// The files recorded with the pin.
    pub fn pinned_entries(&self) -> Vec<Entry> {
        serde_json::from_slice(&self.row.files).unwrap_or_default()
    }
}

/// All installations of a keychain, and what failed verification.
pub struct Loaded {
    /// Verified installations, by name.
    pub packages: Vec<Installed>,
    /// Rows whose MAC failed: treated as absent, reported by the caller.
    pub tampered: Vec<String>,
    /// Names of the installations among them.
    pub tampered_packages: BTreeSet<String>,
}

/// Loads a keychain's installations, dropping (and listing) any row whose MAC fails.
pub fn load(vault: &Vault, kc: &KeychainRow, rk: &Key32) -> Result<Loaded> {
    // One read transaction: installations and grants from the same snapshot, so a
    // concurrent re-pin cannot make a valid grant look forged.
    let snapshot = vault
        .conn()
        .unchecked_transaction()
        .map_err(|e| vault.sql(e))?;
    let loaded = load_rows(vault, kc, rk);
    drop(snapshot);
    loaded
}

fn load_rows(vault: &Vault, kc: &KeychainRow, rk: &Key32) -> Result<Loaded> {
    let gk = grants::grant_key(&vault.id, rk);
    let mut tampered = Vec::new();
    let mut tampered_packages = BTreeSet::new();
    let mut by_id: BTreeMap<Id, Installed> = BTreeMap::new();
    for row in vault.installations(&kc.id)? {
        let mac_ok = crypto::ct_eq(&grants::installation_mac(&gk, &row), &row.mac);
        let parsed = manifest::parse(
            &row.manifest,
            Path::new(&row.path).join(digest::MANIFEST_FILE).as_path(),
        );
        match (mac_ok, parsed) {
            (true, Ok(manifest)) => {
                by_id.insert(
                    row.id,
                    Installed {
                        row,
                        manifest,
                        granted: BTreeSet::new(),
                    },
                );
            }
            _ => {
                tampered.push(format!("installation of `{}`", row.name));
                tampered_packages.insert(row.name.clone());
            }
        }
    }
    for grant in vault.grants(&kc.id)? {
        let Some(inst) = by_id.get_mut(&grant.installation_id) else {
            continue;
        };
        let expected = grants::grant_mac(&gk, inst.row.pin(), &grant.key);
        if crypto::ct_eq(&expected, &grant.mac) {
            inst.granted.insert(grant.key);
        } else {
            tampered.push(format!("grant of {} to `{}`", grant.key, inst.row.name));
        }
    }
    let mut packages: Vec<Installed> = by_id.into_values().collect();
    packages.sort_by(|a, b| a.row.name.cmp(&b.row.name));
    Ok(Loaded {
        packages,
        tampered,
        tampered_packages,
    })
}

impl Loaded {
    /// Finds a package by manifest name, or by the path it was installed from.
    pub fn resolve(&self, arg: &str, keychain: &str) -> Result<&Installed> {
        if let Some(p) = self.packages.iter().find(|p| p.row.name == arg) {
            return Ok(p);
        }
        if let Ok(path) = std::fs::canonicalize(arg) {
            let path = path.to_string_lossy();
            if let Some(p) = self.packages.iter().find(|p| p.row.path == path) {
                return Ok(p);
            }
        }
        if self.tampered_packages.contains(arg) {
            return Err(Error::integrity(format!(
                "the installation of `{arg}` in keychain `{keychain}` does not verify: the vault was modified outside keyward, so it is ignored"
            ))
            .hint("re-install it with `keyward install PATH` to pin and approve it again"));
        }
        Err(Error::not_found(format!(
            "no package `{arg}` is installed in keychain `{keychain}`"
        ))
        .hint("see `keyward list`, or install it with `keyward install PATH`"))
    }

    /// Exit 7 naming what failed, when any row failed its MAC.
    pub fn ensure_untampered(&self, vault: &Vault) -> Result<()> {
        ensure_untampered(vault, &self.tampered)
    }
}

/// Exit 7 naming the rows that failed their MAC, if any.
pub fn ensure_untampered(vault: &Vault, tampered: &[String]) -> Result<()> {
    if tampered.is_empty() {
        return Ok(());
    }
    Err(vault.corrupt(&format!(
        "{} row(s) do not verify and are ignored: {}",
        tampered.len(),
        tampered.join(", ")
    )))
}

/// Hashes a package directory, with a progress bar on an interactive stderr. `small`:
/// the tree is expected to be small, so hash it without starting a thread pool.
pub fn hash_tree(path: &Path, out: &Output, small: bool) -> Result<TreeDigest> {
    let progress = !out.quiet && !out.json && std::io::stderr().is_terminal();
    digest::digest_tree(path, &digest::Options { progress, small })
        .map_err(|e| Error::general(e.to_string()).code("package-files"))
}

/// Canonical package directory for `arg`, or a clear error.
pub fn package_dir(arg: &Path) -> Result<PathBuf> {
    let path = std::fs::canonicalize(arg).map_err(|e| {
        Error::not_found(format!(
            "cannot open package directory {}: {e}",
            arg.display()
        ))
        .hint("give the path of a folder holding an instant.package.json")
    })?;
    if path.to_str().is_none() {
        return Err(Error::general(format!(
            "the package path {} is not valid UTF-8; keyward records package paths as text",
            sanitize_path(&path)
        ))
        .hint("rename the folder (or a parent) to a UTF-8 name"));
    }
    if !path.is_dir() {
        return Err(
            Error::general(format!("{} is not a directory", path.display()))
                .hint("give the package's folder, not its manifest"),
        );
    }
    Ok(path)
}

fn sanitize_path(path: &Path) -> String {
    crate::output::sanitize(&path.to_string_lossy()).into_owned()
}

/// Parses the manifest bytes captured while hashing (the same bytes that were hashed).
pub fn tree_manifest(dir: &Path, tree: &TreeDigest) -> Result<Manifest> {
    let file = dir.join(digest::MANIFEST_FILE);
    let bytes = tree.manifest.as_deref().ok_or_else(|| {
        Error::general(format!("{} does not exist", file.display()))
            .hint("a package is a folder with an instant.package.json at its root")
    })?;
    manifest::parse(bytes, &file).map_err(|e| Error::general(e.to_string()))
}

/// Everything a write needs about the keychain.
pub struct Scope<'a> {
    /// The vault id (HKDF salt, AAD).
    pub vault_id: &'a [u8],
    /// The keychain.
    pub keychain: &'a KeychainRow,
    /// Its RK (owner or token holder).
    pub rk: &'a Key32,
    /// The owner's grant key, when the owner is acting.
    owner_gk: Option<Key32>,
}

/// Which MAC proves a grant: the owner's (DEK-derived), or the RK-derived one that
/// token holders can also compute.
#[derive(Clone, Copy)]
pub enum GrantCheck<'a> {
    /// Verify `owner_mac` under the owner's grant key.
    Owner(&'a Key32),
    /// Verify `mac` under the RK-derived grant key.
    Holder(&'a Key32),
}

/// Whether an active installation of `keychain` holds a grant of `key` that passes `check`,
/// read inside the caller's transaction.
pub fn granted_in_tx(
    tx: &Transaction<'_>,
    keychain: &Id,
    key: &str,
    check: GrantCheck<'_>,
) -> Result<bool> {
    for rows::KeyGrant {
        grant,
        digest,
        revoked,
        generation,
    } in rows::grants_of_key(tx, keychain, key).map_err(db)?
    {
        if revoked {
            continue;
        }
        let (mac_key, stored) = match check {
            GrantCheck::Owner(k) => (k, &grant.owner_mac),
            GrantCheck::Holder(k) => (k, &grant.mac),
        };
        let pin = grants::Pin {
            keychain,
            installation: &grant.installation_id,
            digest: &digest,
            generation,
        };
        let expected = grants::grant_mac(mac_key, pin, key);
        if crypto::ct_eq(&expected, stored) {
            return Ok(true);
        }
    }
    Ok(false)
}

impl<'a> Scope<'a> {
    /// A scope for a token holder (or an owner who only revokes).
    pub fn holder(vault_id: &'a [u8], keychain: &'a KeychainRow, rk: &'a Key32) -> Self {
        Scope {
            vault_id,
            keychain,
            rk,
            owner_gk: None,
        }
    }

    /// A scope for the owner, who can also make grants that earn shared copies.
    pub fn owner(vault_id: &'a [u8], keychain: &'a KeychainRow, keys: &'a KeychainKeys) -> Self {
        let owner_gk = Some(grants::owner_grant_key(vault_id, &keys.dek));
        Scope {
            vault_id,
            keychain,
            rk: &keys.rk,
            owner_gk,
        }
    }

    fn gk(&self) -> Key32 {
        grants::grant_key(self.vault_id, self.rk)
    }

    /// Deletes the shared copies of `keys` that no verified grant of an active
    /// installation needs any more.
    fn collect_shared(&self, tx: &Transaction<'_>, keys: &[String]) -> Result<()> {
        let gk = self.gk();
        let check = match &self.owner_gk {
            Some(ok) => GrantCheck::Owner(ok),
            None => GrantCheck::Holder(&gk),
        };
        for key in keys {
            if !granted_in_tx(tx, &self.keychain.id, key, check)? {
                rows::delete_shared(tx, &self.keychain.id, key).map_err(db)?;
            }
        }
        Ok(())
    }

    /// Re-MACs and stores an installation row.
    pub fn put_installation(&self, tx: &Transaction<'_>, row: &mut InstallationRow) -> Result<()> {
        row.mac = grants::installation_mac(&self.gk(), row).to_vec();
        rows::put_installation(tx, row).map_err(db)
    }

    /// Appends an audit entry to this keychain's log.
    pub fn audit(
        &self,
        tx: &Transaction<'_>,
        action: &str,
        package: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<()> {
        audit::append(
            tx,
            self.vault_id,
            &self.keychain.id,
            self.rk,
            Event {
                action,
                package,
                detail,
            },
        )
    }

    /// Deletes grants (`None`: all of them) and the shared copies no grant needs any more.
    pub fn revoke(
        &self,
        tx: &Transaction<'_>,
        inst: &Installed,
        keys: Option<&[String]>,
    ) -> Result<Vec<String>> {
        // The grants as they are now, inside the transaction: an approval committed since
        // `inst` was loaded is revoked (and its shared copy collected) too.
        let current: BTreeSet<String> = rows::grant_keys(tx, &inst.row.id).map_err(db)?;
        let targets: Vec<String> = match keys {
            Some(keys) => keys
                .iter()
                .filter(|k| current.contains(*k))
                .cloned()
                .collect(),
            None => current.into_iter().collect(),
        };
        match keys {
            Some(_) => {
                for key in &targets {
                    rows::delete_grants(tx, &inst.row.id, Some(key)).map_err(db)?;
                }
            }
            // Also removes rows that failed their MAC: a full revoke leaves nothing behind.
            None => rows::delete_grants(tx, &inst.row.id, None).map_err(db)?,
        }
        self.next_generation(tx, &inst.row.id)?;
        self.collect_shared(tx, &targets)?;
        Ok(targets)
    }

    /// Moves an installation to a new generation: grant rows saved before now (a revoked
    /// grant someone writes back) stop verifying. Remaining grants that verify are
    /// re-MAC'd; any that do not are deleted.
    fn next_generation(&self, tx: &Transaction<'_>, id: &Id) -> Result<()> {
        let Some(mut row) = rows::installation_in(tx, id).map_err(db)? else {
            return Ok(());
        };
        let gk = self.gk();
        let old: Vec<GrantRow> = rows::grants_of_installation(tx, id).map_err(db)?;
        let kept: Vec<GrantRow> = old
            .into_iter()
            .filter(|g| crypto::ct_eq(&grants::grant_mac(&gk, row.pin(), &g.key), &g.mac))
            .collect();
        rows::delete_grants(tx, id, None).map_err(db)?;
        row.generation += 1;
        self.put_installation(tx, &mut row)?;
        for mut grant in kept {
            grant.mac = grants::grant_mac(&gk, row.pin(), &grant.key).to_vec();
            if let Some(owner_gk) = &self.owner_gk {
                grant.owner_mac = grants::grant_mac(owner_gk, row.pin(), &grant.key).to_vec();
            }
            rows::put_grant(tx, &grant).map_err(db)?;
        }
        Ok(())
    }

    /// Marks `inst` revoked because its code changed, deleting every grant.
    pub fn auto_revoke(
        &self,
        tx: &Transaction<'_>,
        inst: &Installed,
        current: &str,
        changes: &[Change],
    ) -> Result<()> {
        // Hashing happened outside this transaction: if the owner re-pinned (or removed)
        // the package meanwhile, that newer decision stands and this stale one is dropped.
        let now = rows::installation_in(tx, &inst.row.id).map_err(db)?;
        if now
            .as_ref()
            .is_none_or(|r| r.digest != inst.row.digest || r.updated != inst.row.updated)
        {
            return Ok(());
        }
        let keys = self.revoke(tx, inst, None)?;
        let Some(mut row) = rows::installation_in(tx, &inst.row.id).map_err(db)? else {
            return Ok(());
        };
        row.revoked_reason = Some("changed".into());
        row.revoked_at = Some(crate::time::now());
        self.put_installation(tx, &mut row)?;
        let detail = json!({"old_digest": inst.row.digest, "new_digest": current, "keys": keys, "files_changed": changes.len()});
        self.audit(tx, "auto-revoke", Some(&inst.row.name), detail)
    }
}

/// Approves keys for an installation (owner only: the shared copy needs the DEK).
pub fn approve(
    tx: &Transaction<'_>,
    scope: &Scope<'_>,
    dek: &KeychainKeys,
    row: &InstallationRow,
    manifest: &Manifest,
    keys: &[String],
) -> Result<()> {
    for key in keys {
        if manifest.requests(key).is_none() {
            return Err(Error::denied(format!(
                "`{}` does not request {key}; a package gets only keys its manifest asks for",
                row.name
            ))
            .code("not-requested")
            .hint(format!("requested keys: {}", requested_list(manifest))));
        }
    }
    // Grants bind to the pin as it is now, inside the transaction.
    let row = rows::installation_in(tx, &row.id)
        .map_err(db)?
        .filter(|now| now.digest == row.digest && now.revoked_reason.is_none())
        .ok_or_else(|| {
            Error::general(format!(
                "`{}` was re-pinned or revoked meanwhile; nothing was approved",
                row.name
            ))
            .hint("run the command again")
        })?;
    let gk = scope.gk();
    let owner_gk = grants::owner_grant_key(scope.vault_id, &dek.dek);
    for key in keys {
        let grant = GrantRow {
            installation_id: row.id,
            key: key.clone(),
            created: crate::time::now(),
            mac: grants::grant_mac(&gk, row.pin(), key).to_vec(),
            owner_mac: grants::grant_mac(&owner_gk, row.pin(), key).to_vec(),
        };
        rows::put_grant(tx, &grant).map_err(db)?;
        sync_shared(tx, scope, dek, key)?;
    }
    Ok(())
}

/// Writes the shared copy of `key` from its current value, when it has one.
fn sync_shared(
    tx: &Transaction<'_>,
    scope: &Scope<'_>,
    keys: &KeychainKeys,
    key: &str,
) -> Result<()> {
    let kc = &scope.keychain.id;
    let row = crate::vault::write::secret_in(tx, kc, key).map_err(db)?;
    let Some((version, sealed)) = row else {
        return Ok(());
    };
    let value = crypto::open(
        &keys.dek,
        &sealed,
        &crypto::value_aad(label::SECRET, scope.vault_id, kc, key, version),
    )
    .map_err(|_| {
        Error::integrity(format!(
            "secret {key} does not decrypt; the vault was tampered with"
        ))
    })?;
    let shared = crypto::seal(
        &keys.rk,
        value.expose(),
        &crypto::value_aad(label::SHARED, scope.vault_id, kc, key, version),
    );
    rows::put_shared(tx, kc, key, version, &shared).map_err(db)
}

/// `A, B (optional)`, for messages.
pub fn requested_list(manifest: &Manifest) -> String {
    if manifest.keys.is_empty() {
        return "none".into();
    }
    manifest
        .keys
        .iter()
        .map(|k| {
            if k.optional {
                format!("{} (optional)", k.name)
            } else {
                k.name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A requested key as shown by install, inspect and status.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyState {
    /// Key name.
    pub name: String,
    /// Whether `run` can start without it.
    pub optional: bool,
    /// From the manifest.
    pub description: Option<String>,
    /// Whether the owner approved it for the current pin.
    pub approved: bool,
    /// Whether the keychain holds a value for it.
    pub value_present: bool,
}

/// The state of each key the manifest requests.
pub fn key_states(
    manifest: &Manifest,
    granted: &BTreeSet<String>,
    present: &BTreeSet<String>,
) -> Vec<KeyState> {
    manifest
        .keys
        .iter()
        .map(|k| KeyState {
            name: k.name.clone(),
            optional: k.optional,
            description: k.description.clone(),
            approved: granted.contains(&k.name),
            value_present: present.contains(&k.name),
        })
        .collect()
}

/// Lines describing key states, for text output.
pub fn key_lines(states: &[KeyState]) -> String {
    let rows: Vec<Vec<String>> = states
        .iter()
        .map(|k| {
            vec![
                k.name.clone(),
                if k.optional { "optional" } else { "required" }.into(),
                if k.approved {
                    "approved"
                } else {
                    "not approved"
                }
                .into(),
                if k.value_present {
                    "value present"
                } else {
                    "no value"
                }
                .into(),
                crate::output::sanitize(k.description.as_deref().unwrap_or("")).into_owned(),
            ]
        })
        .collect();
    crate::output::table(&["KEY", "NEED", "APPROVAL", "VALUE", "DESCRIPTION"], &rows)
}

/// Lines for a file diff: `+ added`, `- removed`, `~ changed`.
pub fn change_lines(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| match c {
            Change::Added(p) => format!("  + {}", crate::output::sanitize(p)),
            Change::Removed(p) => format!("  - {}", crate::output::sanitize(p)),
            Change::Changed(p) => format!("  ~ {}", crate::output::sanitize(p)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// JSON for a file diff.
pub fn change_json(changes: &[Change]) -> serde_json::Value {
    changes
        .iter()
        .map(|c| match c {
            Change::Added(p) => json!({"change": "added", "path": p}),
            Change::Removed(p) => json!({"change": "removed", "path": p}),
            Change::Changed(p) => json!({"change": "changed", "path": p}),
        })
        .collect()
}

/// The result of re-hashing an installed package.
pub struct PinCheck {
    /// The digest computed now.
    pub current: String,
    /// Files added, removed, changed since the pin.
    pub changes: Vec<Change>,
}

impl PinCheck {
    /// Whether the code differs from the pin.
    pub fn changed(&self, inst: &Installed) -> bool {
        self.current != inst.row.digest
    }
}

/// Re-hashes `inst` and, when its code changed, revokes its grants in the vault
/// (recorded in the audit log) before anyone can use them. Returns the check.
pub fn verify_pin(
    vault: &mut Vault,
    scope: &Scope<'_>,
    inst: &mut Installed,
    out: &Output,
) -> Result<PinCheck> {
    // Parsed once; the file-by-file diff is only worked out when the digest differs
    // (this is `run`'s hot path).
    let pinned = inst.pinned_entries();
    let tree = hash_tree(Path::new(&inst.row.path), out, is_small(&pinned))?;
    let changes = if tree.digest == inst.row.digest {
        Vec::new()
    } else {
        digest::diff(&pinned, &tree.entries)
    };
    let check = PinCheck {
        current: tree.digest,
        changes,
    };
    if check.changed(inst) && !inst.revoked() {
        vault.write(|tx| scope.auto_revoke(tx, inst, &check.current, &check.changes))?;
        inst.granted.clear();
        inst.row.revoked_reason = Some("changed".into());
    }
    Ok(check)
}

/// Whether a pinned tree is small enough to re-hash on one thread faster than a thread
/// pool starts (a few dozen files, under a MiB).
fn is_small(entries: &[Entry]) -> bool {
    entries.len() <= 64 && entries.iter().map(|e| e.size).sum::<u64>() <= 1 << 20
}

/// The one-word state shown by `list`.
pub fn state_word(inst: &Installed, present: &BTreeSet<String>) -> &'static str {
    if inst.revoked() {
        return "revoked: changed";
    }
    let d = grants::decide(&inst.manifest, &inst.granted, present);
    if !d.not_approved.is_empty() {
        "needs approval"
    } else if !d.missing.is_empty() {
        "needs secret"
    } else {
        "ready"
    }
}
