//! Pins: hashing a package folder, checking it against its pin, and revoking a package
//! whose code changed before anyone can use its grants.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Action, Installed, Keychain, Writer};
use crate::digest::{self, Change, Entry, ManifestMissing, TreeDigest};
use crate::error::{Error, Result};
use crate::manifest::{self, Manifest};
use crate::output::Output;
use crate::vault::db;
use crate::vault::packages as rows;

/// Hashes a package directory, with a progress bar on an interactive stderr. `small`:
/// the tree is expected to be small, so hash it without starting a thread pool.
pub fn hash_tree(path: &Path, out: &Output, small: bool) -> Result<TreeDigest> {
    let progress = !out.quiet && !out.json && std::io::stderr().is_terminal();
    digest::digest_tree(path, &digest::Options { progress, small })
        .map_err(|e| Error::general(e.to_string()).code("package-files"))
}

/// Canonical package directory for `arg`, or a clear error.
pub(super) fn package_dir(arg: &Path) -> Result<PathBuf> {
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
            crate::output::sanitize(&path.to_string_lossy())
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

/// Parses the manifest bytes captured while hashing (the same bytes that were hashed).
pub(super) fn tree_manifest(dir: &Path, tree: &TreeDigest) -> Result<Manifest> {
    let file = dir.join(digest::MANIFEST_FILE);
    let bytes = tree.manifest.as_deref().ok_or_else(|| {
        let what = match &tree.manifest_missing {
            Some(ManifestMissing::Symlink { target }) => format!(
                "is a symlink (to `{}`); keyward reads the manifest only from a regular file in the package",
                crate::output::sanitize(target)
            ),
            Some(ManifestMissing::NotAFile) => "is not a regular file".to_owned(),
            Some(ManifestMissing::Absent) | None => "does not exist".to_owned(),
        };
        Error::general(format!("{} {what}", file.display()))
            .code("no-manifest")
            .hint("a package is a folder with an instant.package.json file at its root")
    })?;
    manifest::parse(bytes, &file).map_err(|e| Error::general(e.to_string()))
}

/// The result of re-hashing an installed package.
pub struct PinCheck {
    /// The digest computed now.
    pub current: String,
    /// Files added, removed, changed since the pin.
    pub changes: Vec<Change>,
    /// The tree just hashed, every record in digest order: the pinned entries
    /// themselves when the digest matches, without parsing the pinned list.
    pub entries: Vec<Entry>,
}

impl PinCheck {
    /// Whether the code differs from the pin.
    pub fn changed(&self, inst: &Installed) -> bool {
        self.current != inst.row.digest
    }
}

impl Keychain {
    /// Re-hashes `inst` and, when its code changed, revokes its grants in the vault
    /// (recorded in the audit log) before anyone can use them. Returns the check.
    pub fn verify_pin(&mut self, inst: &mut Installed, out: &Output) -> Result<PinCheck> {
        let tree = hash_tree(Path::new(&inst.row.path), out, small_pin(inst))?;
        self.settle_pin(inst, tree)
    }

    /// Compares a freshly computed tree with `inst`'s pin and, when it differs, revokes
    /// `inst`'s grants (recorded) before anyone can use them.
    pub(super) fn settle_pin(
        &mut self,
        inst: &mut Installed,
        tree: TreeDigest,
    ) -> Result<PinCheck> {
        let changes = if tree.digest == inst.row.digest {
            Vec::new()
        } else {
            digest::diff(&inst.pinned_entries(), &tree.entries)
        };
        let check = PinCheck {
            current: tree.digest,
            changes,
            entries: tree.entries,
        };
        if check.changed(inst) && !inst.revoked() {
            self.write(|w| w.auto_revoke(inst, &check))?;
            inst.granted.clear();
            inst.row.revoked_reason = Some("changed".into());
        }
        Ok(check)
    }
}

/// Whether `inst`'s pinned tree is small (hashed on one thread, never cached).
///
/// `run`'s hot path: the pinned file list is parsed only when it is short (to pick one
/// thread or a pool, a speed choice only) or when the digest differs (for the
/// file-by-file diff), never for an unchanged big tree.
pub(super) fn small_pin(inst: &Installed) -> bool {
    inst.pinned_entries_up_to(crate::guard::SMALL_ENTRIES)
        .is_some_and(|entries| is_small(&entries))
}

impl Writer<'_> {
    /// Marks `inst` revoked because its code changed, deleting every grant.
    fn auto_revoke(&mut self, inst: &Installed, check: &PinCheck) -> Result<()> {
        // Hashing happened outside this transaction: if the owner re-pinned (or removed)
        // the package meanwhile, that newer decision stands and this stale one is dropped.
        let now = rows::installation_in(self.tx, &inst.row.id).map_err(db)?;
        if now
            .as_ref()
            .is_none_or(|r| r.digest != inst.row.digest || r.updated != inst.row.updated)
        {
            self.changed_nothing();
            return Ok(());
        }
        let keys = self.revoke(inst, None)?;
        if let Some(mut row) = rows::installation_in(self.tx, &inst.row.id).map_err(db)? {
            row.revoked_reason = Some("changed".into());
            row.revoked_at = Some(crate::time::now());
            self.put_installation(&mut row)?;
        }
        let detail = json!({"old_digest": inst.row.digest, "new_digest": check.current, "keys": keys,
            "files_changed": check.changes.len()});
        self.record(Action::AutoRevoke, Some(inst.name()), detail)
    }
}

/// Whether a pinned tree is small enough to re-hash on one thread faster than a thread
/// pool starts (a few dozen files, under a MiB).
fn is_small(entries: &[Entry]) -> bool {
    entries.len() <= crate::guard::SMALL_ENTRIES
        && entries.iter().map(|e| e.size).sum::<u64>() <= crate::guard::SMALL_BYTES
}
