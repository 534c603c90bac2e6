//! Endpoint permissions of an installation, and the gateway's audit entries.
//!
//! Stored in one `meta` row per installation (`endpoints:<installation id>`), so no
//! schema change: the JSON list, then its RK MAC (the gateway, a token holder, checks
//! it) and its owner MAC (owner commands check both, as for installation rows). No row
//! means every endpoint, the default. Only the owner writes the row.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Action, Installed, Keychain, Keys};
use crate::crypto;
use crate::error::{Error, Result};
use crate::secret::Key32;
use crate::token::hex;
use crate::vault::{Id, db, write};

/// Which endpoints of an installation the gateway serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoints {
    /// Every endpoint (no row, or `"permissions": {}`).
    All,
    /// Only these (`"METHOD /path"`, normalised).
    Only(BTreeSet<String>),
}

impl Endpoints {
    /// The config file's `"permissions"` value.
    pub fn to_permissions(&self) -> serde_json::Value {
        match self {
            Endpoints::All => json!({}),
            Endpoints::Only(list) => json!({"endpoints": list}),
        }
    }
}

fn meta_key(installation: &Id) -> String {
    format!("endpoints:{}", hex(installation))
}

fn mac(key: &Key32, keychain: &Id, installation: &Id, body: &[u8], owner: bool) -> [u8; 32] {
    let mut msg = Vec::with_capacity(64 + body.len());
    let domain: &[u8] = if owner {
        b"keyward/v1/endpoints-owner"
    } else {
        b"keyward/v1/endpoints"
    };
    crypto::put_lp(&mut msg, domain);
    crypto::put_lp(&mut msg, keychain);
    crypto::put_lp(&mut msg, installation);
    crypto::put_lp(&mut msg, body);
    crypto::hmac(key, &[&msg])
}

impl Keychain {
    /// The endpoints `inst` may serve; a row whose MAC fails is tampering (exit 7).
    pub fn endpoints(&self, inst: &Installed) -> Result<Endpoints> {
        let Some(stored) = self.vault.meta(&meta_key(&inst.row.id))? else {
            return Ok(Endpoints::All);
        };
        let tampered = || {
            self.vault.corrupt(&format!(
                "the endpoint permissions of `{}` do not verify (changed outside keyward)",
                inst.name()
            ))
        };
        if stored.len() < 64 {
            return Err(tampered());
        }
        let (body, macs) = stored.split_at(stored.len() - 64);
        let (rk_mac, owner_mac) = macs.split_at(32);
        let mut ok = crypto::ct_eq(
            &mac(self.keys.gk(), &self.row.id, &inst.row.id, body, false),
            rk_mac,
        );
        if let Keys::Owner { ogk, .. } = &self.keys {
            ok &= crypto::ct_eq(&mac(ogk, &self.row.id, &inst.row.id, body, true), owner_mac);
        }
        if !ok {
            return Err(tampered());
        }
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| tampered())?;
        match value.get("endpoints").and_then(|v| v.as_array()) {
            None => Ok(Endpoints::All),
            Some(list) => Ok(Endpoints::Only(
                list.iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect(),
            )),
        }
    }

    /// Sets the endpoints `inst` may serve (owner only) and records it; returns
    /// whether anything changed.
    pub fn set_endpoints(&mut self, inst: &Installed, endpoints: &Endpoints) -> Result<bool> {
        if &self.endpoints(inst)? == endpoints {
            return Ok(false);
        }
        let keychain = self.row.id;
        let key = meta_key(&inst.row.id);
        self.write(|w| {
            let (_, ogk) = w.owner()?;
            let body = serde_json::to_vec(&endpoints.to_permissions())
                .map_err(|e| Error::general(format!("cannot encode endpoints: {e}")))?;
            let mut stored = body.clone();
            stored.extend_from_slice(&mac(
                w.scope.keys.gk(),
                &keychain,
                &inst.row.id,
                &body,
                false,
            ));
            stored.extend_from_slice(&mac(ogk, &keychain, &inst.row.id, &body, true));
            write::meta(w.tx, &key, &stored).map_err(db)?;
            w.record(
                Action::Endpoints,
                Some(inst.name()),
                json!({"permissions": endpoints.to_permissions()}),
            )
        })?;
        Ok(true)
    }

    /// Records one gateway call; the caller refuses the call (503) when this fails.
    pub fn record_call(&mut self, package: &str, detail: serde_json::Value) -> Result<()> {
        self.write(|w| w.record(Action::Call, Some(package), detail))
    }
}
