//! What a launch gets: the double opt-in decision, then the granted values opened from
//! their shared copies. Refusals name what is missing and what to do.

use std::collections::BTreeSet;

use serde_json::json;

use super::grants::decide;
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
        let mut values = Vec::new();
        for (key, (version, copy)) in sealed.into_iter().filter(|(k, _)| d.give.contains(k)) {
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

    /// Records a run of `inst`: digest, key names, how it ended.
    pub fn record_run(
        &mut self,
        inst: &Installed,
        names: &[String],
        status: serde_json::Value,
        duration_ms: u64,
        masked: bool,
    ) -> Result<()> {
        let detail = json!({"digest": inst.row.digest, "keys": names, "status": status,
            "duration_ms": duration_ms, "masked": masked});
        self.write(|w| w.record(Action::Run, Some(inst.name()), detail))
    }
}
