//! Installed packages: loaded with every MAC checked, resolved by name or path, approved,
//! revoked, uninstalled.
//!
//! Storage is `vault::packages`; the opt-in rule is `grants::decide`. This module keeps
//! the invariant that a key's shared copy exists exactly while some grant the owner
//! made needs it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::json;

use super::grants::{self, Pin};
use super::{Action, Keychain, Keys, Scope, Writer};
use crate::crypto;
use crate::digest::{self, Entry};
use crate::error::{Error, Result};
use crate::keys::{Slot, ValueAt};
use crate::manifest::{self, Manifest};
use crate::secret::Key32;
use crate::vault::packages::{self as rows, By, GrantRow, InstallationRow};
use crate::vault::{Id, db};

/// One installation whose row verified, with its valid grants.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The verified row.
    pub row: InstallationRow,
    /// The manifest pinned with it.
    pub manifest: Manifest,
    /// Keys with a valid grant for the current pin.
    pub granted: BTreeSet<String>,
    /// Grant rows of it that failed their MAC (ignored; named by `inspect`).
    pub tampered: Vec<String>,
}

impl Installed {
    /// Whether its grants were revoked because its code changed.
    pub fn revoked(&self) -> bool {
        self.row.revoked_reason.is_some()
    }

    /// The manifest's name.
    pub fn name(&self) -> &str {
        &self.row.name
    }

    /// The files recorded with the pin.
    pub fn pinned_entries(&self) -> Vec<Entry> {
        serde_json::from_slice(&self.row.files).unwrap_or_default()
    }

    /// The pinned entries when there are at most `max`, else `None`: parsing stops at
    /// entry `max + 1`, so a 30,000-file list costs `run` a few dozen entries' parse.
    pub fn pinned_entries_up_to(&self, max: usize) -> Option<Vec<Entry>> {
        entries_up_to(&self.row.files, max)
    }

    /// The state of each key the manifest requests, given the keys that have a value.
    pub fn key_states(&self, present: &BTreeSet<String>) -> Vec<KeyState> {
        key_states(&self.manifest, &self.granted, present)
    }

    /// The keys it holds a grant for that its manifest requests, in manifest order.
    pub fn granted_requested(&self) -> Vec<String> {
        self.manifest
            .keys
            .iter()
            .filter(|k| self.granted.contains(&k.name))
            .map(|k| k.name.clone())
            .collect()
    }

    /// Exit 7 naming its grant rows that failed their MAC, if any.
    pub fn ensure_untampered(&self, keychain: &Keychain) -> Result<()> {
        keychain.ensure_untampered(&self.tampered)
    }
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

/// The state of each key `manifest` requests.
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

/// All installations of a keychain, and what failed verification.
pub struct Loaded {
    /// Verified installations, by name.
    pub packages: Vec<Installed>,
    /// Rows whose MAC failed: treated as absent, reported by the caller.
    pub tampered: Vec<String>,
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

/// The error for a key the manifest does not request.
pub fn not_requested(manifest: &Manifest, key: &str, consequence: &str) -> Error {
    Error::denied(format!(
        "`{}` does not request {key}; a package gets only keys its manifest asks for{consequence}",
        manifest.name
    ))
    .code("not-requested")
    .hint(format!("requested keys: {}", requested_list(manifest)))
}

impl Keychain {
    /// Every installation of the keychain, each with its MACs checked (one snapshot).
    pub fn packages(&self) -> Result<Loaded> {
        let _snapshot = self.snapshot()?;
        let mut grants: BTreeMap<Id, Vec<GrantRow>> = BTreeMap::new();
        for grant in self.vault.grants(&self.row.id)? {
            grants.entry(grant.installation_id).or_default().push(grant);
        }
        let mut loaded = Loaded {
            packages: Vec::new(),
            tampered: Vec::new(),
        };
        for row in self.vault.installations(&self.row.id)? {
            let of_row = grants.remove(&row.id).unwrap_or_default();
            match self.verified(row, of_row) {
                Ok(inst) => {
                    loaded.tampered.extend(inst.tampered.iter().cloned());
                    loaded.packages.push(inst);
                }
                Err(what) => loaded.tampered.push(what),
            }
        }
        Ok(loaded)
    }

    /// One installed package, by manifest name or by the path it was installed from;
    /// only its own rows are read.
    pub fn package(&self, arg: &str) -> Result<Installed> {
        let _snapshot = self.snapshot()?;
        let mut row = self.vault.installation(&self.row.id, By::Name(arg))?;
        if row.is_none()
            && let Some(path) = std::fs::canonicalize(arg)
                .ok()
                .and_then(|p| p.to_str().map(str::to_owned))
        {
            row = self.vault.installation(&self.row.id, By::Path(&path))?;
        }
        let Some(row) = row else {
            return Err(Error::not_found(format!(
                "no package `{arg}` is installed in keychain `{}`",
                self.row.name
            ))
            .hint("see `keyward list`, or install it with `keyward install PATH`"));
        };
        let grants = self.vault.grants_of(&row.id)?;
        self.verified(row, grants).map_err(|_| {
            Error::integrity(format!(
                "the installation of `{arg}` in keychain `{}` does not verify: the vault was modified outside keyward, so it is ignored",
                self.row.name
            ))
            .hint("re-install it with `keyward install PATH` to pin and approve it again")
        })
    }

    /// A package's installation by manifest name, if one verifies (for re-installs).
    pub(super) fn installed_named(&self, name: &str) -> Result<Option<Installed>> {
        let _snapshot = self.snapshot()?;
        let Some(row) = self.vault.installation(&self.row.id, By::Name(name))? else {
            return Ok(None);
        };
        let grants = self.vault.grants_of(&row.id)?;
        Ok(self.verified(row, grants).ok())
    }

    /// A read transaction, so installations and grants come from one snapshot and a
    /// concurrent re-pin cannot make a valid grant look forged.
    fn snapshot(&self) -> Result<rusqlite::Transaction<'_>> {
        self.vault
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.vault.sql(e).into())
    }

    /// Checks an installation row and its grants; `Err` names the row that failed.
    ///
    /// The owner trusts only what the owner MAC covers: an installation row, or a grant,
    /// that a token holder could have written (its RK MAC verifies, its owner MAC does
    /// not) is tampering. A token holder checks the RK MACs, which it could forge
    /// itself, and so gains nothing beyond what its RK already reads.
    fn verified(
        &self,
        row: InstallationRow,
        grant_rows: Vec<GrantRow>,
    ) -> std::result::Result<Installed, String> {
        let gk = self.keys.gk();
        let macs = grants::InstallationMacs::of(&row);
        let mut mac_ok = crypto::ct_eq(&macs.rk(gk), &row.mac);
        if let Keys::Owner { ogk, .. } = &self.keys {
            mac_ok &= crypto::ct_eq(&macs.owner(ogk), &row.owner_mac);
        }
        let file = Path::new(&row.path).join(digest::MANIFEST_FILE);
        let manifest = match (mac_ok, manifest::parse(&row.manifest, &file)) {
            (true, Ok(manifest)) => manifest,
            _ => return Err(format!("installation of `{}`", row.name)),
        };
        let mut inst = Installed {
            row,
            manifest,
            granted: BTreeSet::new(),
            tampered: Vec::new(),
        };
        let check = GrantCheck::of(&self.keys);
        for grant in grant_rows {
            if check.verifies(inst.row.pin(), &grant) {
                inst.granted.insert(grant.key);
            } else {
                inst.tampered
                    .push(format!("grant of {} to `{}`", grant.key, inst.row.name));
            }
        }
        Ok(inst)
    }

    /// Exit 7 naming the rows that failed their MAC, if any.
    pub fn ensure_untampered(&self, tampered: &[String]) -> Result<()> {
        if tampered.is_empty() {
            return Ok(());
        }
        Err(self.vault.corrupt(&format!(
            "{} row(s) do not verify and are ignored: {}",
            tampered.len(),
            tampered.join(", ")
        )))
    }

    /// Approves `keys` for `inst` and records it (owner only).
    pub fn approve(&mut self, inst: &Installed, keys: &[String]) -> Result<()> {
        self.write(|w| {
            w.approve(&inst.row, &inst.manifest, keys)?;
            let detail = json!({"keys": keys, "digest": inst.row.digest});
            w.record(Action::Approve, Some(inst.name()), detail)
        })
    }

    /// Revokes `keys` (`None`: all) of `inst` and records it; returns what was revoked.
    pub fn revoke(&mut self, inst: &Installed, keys: Option<&[String]>) -> Result<Vec<String>> {
        self.write(|w| {
            let revoked = w.revoke(inst, keys)?;
            w.record(Action::Revoke, Some(inst.name()), json!({"keys": revoked}))?;
            Ok(revoked)
        })
    }

    /// Removes `inst`, its grants and the shared copies only it needed.
    pub fn uninstall(&mut self, inst: &Installed) -> Result<()> {
        self.write(|w| w.uninstall(inst))
    }
}

/// Which MAC proves a grant: the owner's (DEK-derived), or the RK-derived one that
/// token holders can also compute.
#[derive(Clone, Copy)]
enum GrantCheck<'a> {
    Owner(&'a Key32),
    Holder(&'a Key32),
}

impl<'a> GrantCheck<'a> {
    /// The strongest check the opener can make.
    fn of(keys: &'a Keys) -> Self {
        match keys {
            Keys::Owner { ogk, .. } => GrantCheck::Owner(ogk),
            Keys::Holder { gk, .. } => GrantCheck::Holder(gk),
        }
    }

    /// Whether `grant`'s MAC of this kind binds it to `pin`.
    fn verifies(self, pin: Pin<'_>, grant: &GrantRow) -> bool {
        let (key, stored) = match self {
            GrantCheck::Owner(k) => (k, &grant.owner_mac),
            GrantCheck::Holder(k) => (k, &grant.mac),
        };
        crypto::ct_eq(&grants::grant_mac(key, pin, &grant.key), stored)
    }
}

impl Writer<'_> {
    fn gk(&self) -> &Key32 {
        self.scope.keys.gk()
    }

    /// Re-MACs and stores an installation row. A token holder can only re-make the RK
    /// MAC; the owner MAC it leaves does not cover the revocation, the one thing a
    /// holder's write changes.
    pub(super) fn put_installation(&self, row: &mut InstallationRow) -> Result<()> {
        let macs = grants::InstallationMacs::of(row);
        let (mac, owner_mac) = match self.scope.keys {
            Keys::Owner { ogk, .. } => (macs.rk(self.gk()), Some(macs.owner(ogk))),
            Keys::Holder { .. } => (macs.rk(self.gk()), None),
        };
        row.mac = mac.to_vec();
        if let Some(owner_mac) = owner_mac {
            row.owner_mac = owner_mac.to_vec();
        }
        Ok(rows::put_installation(self.tx, row).map_err(db)?)
    }

    /// Whether an active installation holds a grant of `key` that passes `check`, read
    /// inside this transaction.
    fn granted(&self, key: &str, check: GrantCheck<'_>) -> Result<bool> {
        let keychain = &self.scope.row.id;
        for rows::KeyGrant {
            grant,
            digest,
            revoked,
            generation,
        } in rows::grants_of_key(self.tx, keychain, key).map_err(db)?
        {
            let pin = Pin {
                keychain,
                installation: &grant.installation_id,
                digest: &digest,
                generation,
            };
            if !revoked && check.verifies(pin, &grant) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether a grant the owner made still needs `key`'s shared copy (owner only).
    pub(super) fn owner_granted(&self, key: &str) -> Result<bool> {
        let (_, ogk) = self.owner()?;
        self.granted(key, GrantCheck::Owner(ogk))
    }

    /// Deletes the shared copies of `keys` that no verified grant of an active
    /// installation needs any more.
    fn collect_shared(&self, keys: &[String]) -> Result<()> {
        let check = GrantCheck::of(self.scope.keys);
        for key in keys {
            if !self.granted(key, check)? {
                let kc = &self.scope.row.id;
                rows::delete_shared(self.tx, kc, key).map_err(db)?;
                let shk = self.scope.keys.shk();
                super::index::set(self.tx, super::index::Kind::Shared, kc, shk, key, None)?;
            }
        }
        Ok(())
    }

    /// Deletes grants (`None`: all of them) and the shared copies no grant needs any more.
    pub(super) fn revoke(&self, inst: &Installed, keys: Option<&[String]>) -> Result<Vec<String>> {
        // The grants as they are now, inside the transaction: an approval committed since
        // `inst` was loaded is revoked (and its shared copy collected) too.
        let current: BTreeSet<String> = rows::grant_keys(self.tx, &inst.row.id).map_err(db)?;
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
                    rows::delete_grants(self.tx, &inst.row.id, Some(key)).map_err(db)?;
                }
            }
            // Also removes rows that failed their MAC: a full revoke leaves nothing behind.
            None => rows::delete_grants(self.tx, &inst.row.id, None).map_err(db)?,
        }
        // A token holder (revoking a changed package at `run`) cannot move the owner-MAC'd
        // generation; the installation is marked revoked instead, and the owner's next
        // re-pin moves it.
        if let Keys::Owner { ogk, .. } = self.scope.keys {
            self.next_generation(&inst.row.id, ogk)?;
        }
        self.collect_shared(&targets)?;
        Ok(targets)
    }

    /// Moves an installation to a new generation: grant rows saved before now (a revoked
    /// grant someone writes back) stop verifying. Remaining grants whose owner MAC
    /// verifies are re-MAC'd; any other row is tampering and is refused, never
    /// re-MAC'd (re-MACing it would launder a grant a token holder wrote).
    fn next_generation(&self, id: &Id, ogk: &Key32) -> Result<()> {
        let Some(mut row) = rows::installation_in(self.tx, id).map_err(db)? else {
            return Ok(());
        };
        let old: Vec<GrantRow> = rows::grants_of_installation(self.tx, id).map_err(db)?;
        if let Some(forged) = old
            .iter()
            .find(|g| !GrantCheck::Owner(ogk).verifies(row.pin(), g))
        {
            return Err(crate::vault::corrupt_in_tx(&format!(
                "the grant of {} to `{}` does not verify (it was written outside keyward); nothing was changed",
                forged.key, row.name
            ))
            .hint(format!(
                "revoke everything with `keyward revoke {} --all`, which deletes the forged row, then approve again",
                row.name
            )));
        }
        rows::delete_grants(self.tx, id, None).map_err(db)?;
        row.generation += 1;
        self.put_installation(&mut row)?;
        for mut grant in old {
            grant.mac = grants::grant_mac(self.gk(), row.pin(), &grant.key).to_vec();
            grant.owner_mac = grants::grant_mac(ogk, row.pin(), &grant.key).to_vec();
            rows::put_grant(self.tx, &grant).map_err(db)?;
        }
        Ok(())
    }

    /// Approves keys for an installation (owner only: the shared copy needs the DEK).
    pub(super) fn approve(
        &self,
        row: &InstallationRow,
        manifest: &Manifest,
        keys: &[String],
    ) -> Result<()> {
        if let Some(key) = keys.iter().find(|k| manifest.requests(k).is_none()) {
            return Err(not_requested(manifest, key, ""));
        }
        let (_, ogk) = self.owner()?;
        // Grants bind to the pin as it is now, inside the transaction.
        let row = rows::installation_in(self.tx, &row.id)
            .map_err(db)?
            .filter(|now| now.digest == row.digest && now.revoked_reason.is_none())
            .ok_or_else(|| {
                Error::general(format!(
                    "`{}` was re-pinned or revoked meanwhile; nothing was approved",
                    row.name
                ))
                .hint("run the command again")
            })?;
        for key in keys {
            let grant = GrantRow {
                installation_id: row.id,
                key: key.clone(),
                created: crate::time::now(),
                mac: grants::grant_mac(self.gk(), row.pin(), key).to_vec(),
                owner_mac: grants::grant_mac(ogk, row.pin(), key).to_vec(),
            };
            rows::put_grant(self.tx, &grant).map_err(db)?;
            self.sync_shared(key)?;
        }
        Ok(())
    }

    /// Writes the shared copy of `key` from its current value, when it has one.
    fn sync_shared(&self, key: &str) -> Result<()> {
        let (dek, _) = self.owner()?;
        let kc = &self.scope.row.id;
        let Some((version, sealed)) =
            crate::vault::write::secret_in(self.tx, kc, key).map_err(db)?
        else {
            return Ok(());
        };
        let at = self.value_at(key, version);
        let value = at.open(dek, Slot::Secret, &sealed).map_err(|_| {
            Error::integrity(format!(
                "secret {key} does not decrypt; the vault was tampered with"
            ))
        })?;
        let shared = at.seal(self.scope.keys.rk(), Slot::Shared, value.expose());
        rows::put_shared(self.tx, kc, key, version, &shared).map_err(db)?;
        let shk = self.scope.keys.shk();
        super::index::set(
            self.tx,
            super::index::Kind::Shared,
            kc,
            shk,
            key,
            Some(version),
        )
    }

    /// Where a value of this keychain lives, for its AAD.
    pub(super) fn value_at<'k>(&self, name: &'k str, version: u64) -> ValueAt<'k>
    where
        Self: 'k,
    {
        value_at(&self.scope, name, version)
    }

    /// Removes an installation, its grants and the shared copies only it needed.
    pub(super) fn uninstall(&mut self, inst: &Installed) -> Result<()> {
        self.revoke(inst, None)?;
        rows::delete_installation(self.tx, &inst.row.id).map_err(db)?;
        self.record(
            Action::Uninstall,
            Some(inst.name()),
            json!({"digest": inst.row.digest}),
        )
    }
}

/// Where a value of the scope's keychain lives, for its AAD.
pub(super) fn value_at<'k>(scope: &Scope<'k>, name: &'k str, version: u64) -> ValueAt<'k> {
    ValueAt {
        vault: scope.vault_id,
        keychain: &scope.row.id,
        name,
        version,
    }
}

/// A JSON list of entries when it holds at most `max` of them; `None` when longer or
/// malformed. Stops parsing at entry `max + 1`.
fn entries_up_to(files: &[u8], max: usize) -> Option<Vec<Entry>> {
    struct UpTo(usize);
    impl<'de> serde::de::DeserializeSeed<'de> for UpTo {
        type Value = Vec<Entry>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> serde::de::Visitor<'de> for UpTo {
        type Value = Vec<Entry>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a list of at most {} entries", self.0)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(e) = seq.next_element::<Entry>()? {
                if entries.len() == self.0 {
                    return Err(serde::de::Error::custom("longer"));
                }
                entries.push(e);
            }
            Ok(entries)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(files);
    serde::de::DeserializeSeed::deserialize(UpTo(max), &mut de).ok()
}

#[cfg(test)]
mod tests {
    use super::entries_up_to;

    #[test]
    fn a_pinned_list_is_parsed_only_up_to_its_bound() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"a").unwrap();
        std::fs::write(dir.path().join("b"), b"b").unwrap();
        let opts = crate::digest::Options {
            progress: false,
            small: true,
        };
        let tree = crate::digest::digest_tree(dir.path(), &opts).unwrap();
        let files = serde_json::to_vec(&tree.entries).unwrap();
        assert_eq!(tree.entries.len(), 3, "the root and two files");
        assert_eq!(entries_up_to(&files, 3), Some(tree.entries.clone()));
        assert_eq!(entries_up_to(&files, 64), Some(tree.entries));
        assert_eq!(entries_up_to(&files, 2), None, "one entry too many");
        assert_eq!(entries_up_to(b"[", 2), None, "malformed");
        assert_eq!(entries_up_to(b"[]", 0), Some(Vec::new()));
    }
}
