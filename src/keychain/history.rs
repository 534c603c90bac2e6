//! Read-only questions about what the owner decided before, answered from the audit log.

use std::collections::BTreeSet;

use super::{Action, Keychain};
use crate::error::Result;

impl Keychain {
    /// The keys `package` held when its grants were last revoked because its code
    /// changed: the `"keys"` of the newest `auto-revoke` entry naming it (empty when
    /// there is none).
    ///
    /// The auto-revoke deletes the grants themselves, so the audit log is the only
    /// record left of what was approved. This is used only to pre-select keys in the
    /// re-approval prompt, which the owner confirms; it grants nothing, so the entry's
    /// chain MAC is not checked here (`log --verify` does that).
    pub fn keys_before_auto_revoke(&self, package: &str) -> Result<BTreeSet<String>> {
        let log = self.log()?;
        let newest = log.iter().rev().find(|e| {
            e.action == Action::AutoRevoke.as_str() && e.package.as_deref() == Some(package)
        });
        let Some(entry) = newest else {
            return Ok(BTreeSet::new());
        };
        let detail: serde_json::Value =
            serde_json::from_str(&entry.detail).unwrap_or(serde_json::Value::Null);
        Ok(detail["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect())
    }
}
