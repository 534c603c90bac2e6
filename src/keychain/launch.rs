//! What a launch gets: the double opt-in decision, then the granted values opened from
//! their shared copies. Refusals name what is missing and what to do.

use std::collections::BTreeSet;

use serde_json::json;

use super::grants::decide;
use super::index::{self, Kind as Index};
use super::packages::value_at;
use super::{Action, Installed, Keychain};
use crate::error::{Error, Kind, Result};
use crate::keys::Slot;
use crate::secret::SecretBytes;

/// The keys a package is launched with.
pub struct Launch {
    /// Granted key names, in manifest order.
    pub names: Vec<String>,
    /// Their values, in the same order.
    pub values: Vec<(String, SecretBytes)>,
}

impl Keychain {
    /// Decides which keys `inst` gets and opens their shared copies; refuses with
    /// `not-approved` or `missing-secret` when a required key cannot be given.
    pub fn launch(&self, inst: &Installed) -> Result<Launch> {
        let mut present = BTreeSet::new();
        let mut sealed = Vec::new();
        for key in &inst.manifest.keys {
            if let Some(copy) = self.vault.shared(&self.row.id, &key.name)? {
                present.insert(key.name.clone());
                sealed.push((key.name.clone(), copy));
            }
        }
        let d = decide(&inst.manifest, &inst.granted, &present);
        let name = inst.name();
        if !d.not_approved.is_empty() {
            return Err(Error::new(
                Kind::Denied,
                format!(
                    "{name} needs {} approved; it was not started",
                    d.not_approved.join(", ")
                ),
            )
            .code("not-approved")
            .hint(format!(
                "the owner approves with `keyward approve {name} {}`",
                d.not_approved.join(" ")
            )));
        }
        if !d.missing.is_empty() {
            let mut err = Error::new(
                Kind::NotFound,
                format!(
                    "keychain `{}` has no value for {}; {name} was not started",
                    self.row.name,
                    d.missing.join(", ")
                ),
            )
            .code("missing-secret");
            for key in &d.missing {
                err = err.hint(format!("keyward secret set {key}"));
            }
            return Err(err);
        }
        let scope = self.scope();
        let shared = index::read(&self.vault, Index::Shared, &self.row.id, self.keys.shk())?;
        // The owner also holds the index only it can write: a shared copy must be of
        // the secret's current version.
        let secrets = match self.keys.index_keys() {
            Ok((sik, _)) => Some(index::read(&self.vault, Index::Secrets, &self.row.id, sik)?),
            Err(_) => None,
        };
        let mut values = Vec::new();
        for (key, (version, copy)) in sealed.into_iter().filter(|(k, _)| d.give.contains(k)) {
            index::expect(&self.vault, &shared, Index::Shared, &key, version)?;
            if let Some(secrets) = &secrets {
                index::expect(&self.vault, secrets, Index::Secrets, &key, version)?;
            }
            let value = value_at(&scope, &key, version)
                .open(self.keys.rk(), Slot::Shared, &copy)
                .map_err(|_| {
                    self.vault
                        .corrupt(&format!("the shared copy of {key} does not decrypt"))
                })?;
            values.push((key, value));
        }
        Ok(Launch {
            names: d.give,
            values,
        })
    }

    /// Records that `inst` is about to be launched with `names`, before anything is
    /// launched: fail-closed, as an audit device is. Exec'd runs (`--no-mask`, keys in
    /// the environment) are recorded once, here; runs keyward supervises also record
    /// how they ended ([`Self::record_exit`]).
    pub fn record_launch(&mut self, inst: &Installed, names: &[String], how: RunHow) -> Result<()> {
        let (action, status) = if how.supervised {
            (Action::RunStart, json!("started"))
        } else {
            (Action::Run, json!("exec"))
        };
        let detail = json!({"digest": inst.row.digest, "keys": names, "status": status,
            "duration_ms": 0, "masked": how.masked, "deliver": how.deliver.as_str()});
        self.write(|w| w.record(action, Some(inst.name()), detail))
            .map_err(|e| {
                Error::general(format!(
                    "the run of {} cannot be recorded in the audit log, so it was not started: {}",
                    inst.name(),
                    e.message
                ))
                .code("audit")
                .hint("a run that cannot be recorded never starts; fix the cause above and retry")
            })
    }

    /// Records how a supervised run of `inst` ended.
    pub fn record_exit(
        &mut self,
        inst: &Installed,
        names: &[String],
        status: serde_json::Value,
        duration_ms: u64,
        how: RunHow,
    ) -> Result<()> {
        let detail = json!({"digest": inst.row.digest, "keys": names, "status": status,
            "duration_ms": duration_ms, "masked": how.masked, "deliver": how.deliver.as_str()});
        self.write(|w| w.record(Action::Run, Some(inst.name()), detail))
    }
}

/// How a run goes, as its audit entries record it.
#[derive(Debug, Clone, Copy)]
pub struct RunHow {
    /// Output masked.
    pub masked: bool,
    /// keyward stays the parent (masking, or `deliver: files`/`socket`).
    pub supervised: bool,
    /// How the keys reach the package.
    pub deliver: crate::manifest::Deliver,
}
