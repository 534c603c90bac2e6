//! Getting a registry package's store folder for an install: the folder already
//! installed from the same source when it still matches its pin, else a fresh fetch.
//! After the install commits, the folder of the replaced pin is removed.

use std::path::{Path, PathBuf};

use super::{Fetched, Origin, Overlay, Source, origin, store};
use crate::error::Result;
use crate::keychain::{Installed, Keychain, Plan, hash_tree};
use crate::output::Output;

/// A folder ready to be planned.
pub enum Prepared {
    /// Fetched now (removed unless the install commits).
    Fresh(Fetched),
    /// The folder already installed from this source, unchanged.
    Existing {
        /// Its path.
        path: PathBuf,
        /// Its origin.
        origin: Origin,
    },
}

impl Prepared {
    /// The folder to plan.
    pub fn path(&self) -> &Path {
        match self {
            Prepared::Fresh(f) => f.dir.path(),
            Prepared::Existing { path, .. } => path,
        }
    }

    /// What was checked, for the owner.
    pub fn checks(&self) -> Vec<String> {
        match self {
            Prepared::Fresh(f) => f.checks.clone(),
            Prepared::Existing { origin, .. } => vec![format!(
                "already in the store, unchanged since its pin ({})",
                origin.source
            )],
        }
    }

    /// The install of `plan` committed: keep the new folder, remove the replaced one.
    pub fn commit(self, vault_path: &Path, plan: &Plan) {
        if let Prepared::Fresh(f) = self {
            f.dir.keep();
        }
        if let Some(prev) = &plan.previous {
            remove_replaced(vault_path, &prev.row.path, &plan.dir);
        }
    }
}

/// Removes the store folder `old` once the installation moved to `new`.
pub fn remove_replaced(vault_path: &Path, old: &str, new: &str) {
    if old != new && store::contains(&store::root(vault_path), Path::new(old)) {
        let _ = store::remove(Path::new(old));
    }
}

/// Removes an uninstalled installation's store folder (nothing for a local package).
pub fn remove_uninstalled(vault_path: &Path, inst: &Installed) {
    if store::contains(&store::root(vault_path), Path::new(&inst.row.path)) {
        let _ = store::remove(Path::new(&inst.row.path));
    }
}

/// The installation of `kc` from `source`, if any.
pub fn installed_from(kc: &Keychain, vault_path: &Path, source: &str) -> Result<Option<Installed>> {
    Ok(kc.packages()?.packages.into_iter().find(|inst| {
        origin(vault_path, &inst.row.path, &inst.row.manifest).is_some_and(|o| o.source == source)
    }))
}

/// The store folder to install `src` from.
pub fn prepare(
    kc: &Keychain,
    vault_path: &Path,
    src: &Source,
    overlay: &Overlay,
    allow_build: bool,
    out: &Output,
) -> Result<Prepared> {
    let existing = installed_from(kc, vault_path, &src.to_string())?;
    let intact = |inst: &Installed| {
        hash_tree(Path::new(&inst.row.path), out, false).is_ok_and(|t| t.digest == inst.row.digest)
    };
    if let Some(inst) = &existing
        && (!overlay.given()
            || (overlay.fallback
                && overlay
                    .keys
                    .iter()
                    .all(|k| inst.manifest.requests(k).is_some())))
        && intact(inst)
        && let Some(o) = origin(vault_path, &inst.row.path, &inst.row.manifest)
    {
        return Ok(Prepared::Existing {
            path: PathBuf::from(&inst.row.path),
            origin: o,
        });
    }
    out.info(format!("Fetching {src}…"));
    let fetched = super::fetch(vault_path, src, overlay, allow_build)?;
    if let Some(inst) = &existing
        && hash_tree(fetched.dir.path(), out, false).is_ok_and(|t| t.digest == inst.row.digest)
        && intact(inst)
    {
        return Ok(Prepared::Existing {
            path: PathBuf::from(&inst.row.path),
            origin: fetched.origin.clone(),
        });
    }
    Ok(Prepared::Fresh(fetched))
}
