//! Reads of a running package's keys (`deliver: socket`): whether a grant still holds,
//! re-read from the vault for every read, and the `key-read` audit entry each read
//! needs before its value leaves keyward.

use serde_json::json;

use super::{Action, Installed, Keychain};
use crate::error::Result;

/// Whether a grant seen at launch still holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantNow {
    /// Same installation, same pin, not revoked, key still granted.
    Holds,
    /// The key's grant was revoked (or the package uninstalled).
    Revoked,
    /// The package was revoked because its code changed, or re-pinned to other code.
    Changed,
}

impl Keychain {
    /// Re-reads `launched`'s installation and grants from the vault (every MAC
    /// checked) and says whether `key` is still granted to the code that was launched.
    pub fn grant_now(&self, launched: &Installed, key: &str) -> Result<GrantNow> {
        let now = match self.package(&launched.row.name) {
            Ok(now) => now,
            Err(e) if e.kind == crate::error::Kind::NotFound => return Ok(GrantNow::Revoked),
            Err(e) => return Err(e),
        };
        if now.row.id != launched.row.id {
            return Ok(GrantNow::Revoked);
        }
        if now.revoked() || now.row.digest != launched.row.digest {
            return Ok(GrantNow::Changed);
        }
        Ok(if now.granted.contains(key) {
            GrantNow::Holds
        } else {
            GrantNow::Revoked
        })
    }

    /// Records that process `pid` of the run of `inst` read `key` (fail-closed: a read
    /// that cannot be recorded is refused by the caller).
    pub fn record_key_read(&mut self, inst: &Installed, key: &str, pid: u32) -> Result<()> {
        let detail = json!({"key": key, "pid": pid, "digest": inst.row.digest});
        self.write(|w| w.record(Action::KeyRead, Some(inst.name()), detail))
    }
}
