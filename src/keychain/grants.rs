//! Double opt-in, as pure functions: the MACs that bind grant and installation rows to
//! their keychain and pin, and `decide`, which says which keys a package gets.
//!
//! A key reaches a package only when the manifest requests it, the owner approved it,
//! the digest matches the pin (checked by the caller) and the keychain holds a value.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::crypto;
use crate::manifest::Manifest;
use crate::secret::Key32;
use crate::vault::Id;
use crate::vault::packages::InstallationRow;

/// The RK MAC of an installation row: everything but the MACs themselves.
pub fn installation_mac(key: &Key32, row: &InstallationRow) -> [u8; 32] {
    InstallationMacs::of(row).rk(key)
}

/// An installation row with its manifest and pinned file list hashed once, for both
/// of its MACs: the list of a 30,000-file tree is 4.6 MB, hashed on every `run`.
pub struct InstallationMacs<'a> {
    row: &'a InstallationRow,
    manifest: [u8; 32],
    files: [u8; 32],
}

impl<'a> InstallationMacs<'a> {
    pub fn of(row: &'a InstallationRow) -> Self {
        InstallationMacs {
            row,
            manifest: Sha256::digest(&row.manifest).into(),
            files: Sha256::digest(&row.files).into(),
        }
    }

    /// The RK MAC.
    pub fn rk(&self, key: &Key32) -> [u8; 32] {
        self.mac(key, true)
    }

    /// The owner MAC: everything but the MACs and the revocation (which a token
    /// holder's `run` records when the code changed, and which can only take grants
    /// away).
    pub fn owner(&self, key: &Key32) -> [u8; 32] {
        self.mac(key, false)
    }

    fn mac(&self, key: &Key32, with_revocation: bool) -> [u8; 32] {
        let row = self.row;
        let mut msg = Vec::with_capacity(512);
        let domain: &[u8] = if with_revocation {
            b"installation-v1"
        } else {
            b"installation-owner-v1"
        };
        crypto::put_lp(&mut msg, domain);
        crypto::put_lp(&mut msg, &row.keychain_id);
        crypto::put_lp(&mut msg, &row.id);
        crypto::put_lp(&mut msg, row.name.as_bytes());
        crypto::put_lp(&mut msg, row.path.as_bytes());
        crypto::put_lp(&mut msg, row.version.as_bytes());
        crypto::put_lp(&mut msg, &self.manifest);
        crypto::put_lp(&mut msg, row.digest.as_bytes());
        crypto::put_lp(&mut msg, &self.files);
        if with_revocation {
            crypto::put_lp(
                &mut msg,
                row.revoked_reason.as_deref().unwrap_or("").as_bytes(),
            );
            msg.extend_from_slice(&row.revoked_at.unwrap_or(-1).to_be_bytes());
        }
        msg.extend_from_slice(&row.generation.to_be_bytes());
        msg.extend_from_slice(&row.installed.to_be_bytes());
        msg.extend_from_slice(&row.updated.to_be_bytes());
        crypto::hmac(key, &[&msg])
    }
}

/// What a grant is bound to: one installation, its pinned digest and its generation.
#[derive(Debug, Clone, Copy)]
pub struct Pin<'a> {
    /// The keychain.
    pub keychain: &'a Id,
    /// The installation.
    pub installation: &'a Id,
    /// Its pinned `kw1:` digest.
    pub digest: &'a str,
    /// Its generation (bumped by every revocation and re-pin).
    pub generation: u64,
}

impl InstallationRow {
    /// The pin its grants are bound to.
    pub fn pin(&self) -> Pin<'_> {
        Pin {
            keychain: &self.keychain_id,
            installation: &self.id,
            digest: &self.digest,
            generation: self.generation,
        }
    }
}

/// MAC of a grant: binds the key to one installation, its pinned digest and its
/// generation, so a grant cannot be moved to another package, survive a re-pin, or be
/// written back after it was revoked.
pub fn grant_mac(key: &Key32, pin: Pin<'_>, key_name: &str) -> [u8; 32] {
    let mut msg = Vec::with_capacity(128);
    crypto::put_lp(&mut msg, b"grant-v1");
    crypto::put_lp(&mut msg, pin.keychain);
    crypto::put_lp(&mut msg, pin.installation);
    crypto::put_lp(&mut msg, key_name.as_bytes());
    crypto::put_lp(&mut msg, pin.digest.as_bytes());
    msg.extend_from_slice(&pin.generation.to_be_bytes());
    crypto::hmac(key, &[&msg])
}

/// Which requested keys go to the package, and why others do not.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Requested, approved and present: these are handed out.
    pub give: Vec<String>,
    /// Required but not approved: `run` refuses (`not-approved`).
    pub not_approved: Vec<String>,
    /// Required, approved, but the keychain has no value: `run` refuses (`missing-secret`).
    pub missing: Vec<String>,
    /// Optional keys that are not approved or have no value: silently left out.
    pub optional_left_out: Vec<String>,
}

/// Double opt-in. `granted` holds keys with a valid grant for the current pin;
/// `present` holds keys the keychain has a value for. Grants for keys the manifest no
/// longer requests are ignored.
pub fn decide(
    manifest: &Manifest,
    granted: &BTreeSet<String>,
    present: &BTreeSet<String>,
) -> Decision {
    let mut d = Decision::default();
    for req in &manifest.keys {
        let approved = granted.contains(&req.name);
        let has = present.contains(&req.name);
        match (approved, has, req.optional) {
            (true, true, _) => d.give.push(req.name.clone()),
            (false, _, false) => d.not_approved.push(req.name.clone()),
            (true, false, false) => d.missing.push(req.name.clone()),
            (_, _, true) => d.optional_left_out.push(req.name.clone()),
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::KeyRequest;

    fn manifest(keys: &[(&str, bool)]) -> Manifest {
        Manifest {
            name: "pkg".into(),
            version: "1".into(),
            description: None,
            keys: keys
                .iter()
                .map(|(n, o)| KeyRequest {
                    name: (*n).into(),
                    optional: *o,
                    description: None,
                })
                .collect(),
            env: vec![],
            run: vec!["true".into()],
            timeout: crate::manifest::DEFAULT_TIMEOUT,
            deliver: crate::manifest::Deliver::Env,
            serve: None,
            warnings: vec![],
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn double_opt_in_matrix() {
        let m = manifest(&[("REQ", false), ("OPT", true)]);
        // requested + approved + present -> given
        let d = decide(&m, &set(&["REQ", "OPT"]), &set(&["REQ", "OPT"]));
        assert_eq!(d.give, vec!["REQ", "OPT"]);
        assert!(d.not_approved.is_empty() && d.missing.is_empty());
        // requested only -> not given, blocks
        let d = decide(&m, &set(&[]), &set(&["REQ", "OPT"]));
        assert!(d.give.is_empty());
        assert_eq!(d.not_approved, vec!["REQ"]);
        assert_eq!(d.optional_left_out, vec!["OPT"]);
        // approved but no value -> missing
        let d = decide(&m, &set(&["REQ"]), &set(&[]));
        assert_eq!(d.missing, vec!["REQ"]);
    }

    #[test]
    fn approved_but_no_longer_requested_is_not_given() {
        let m = manifest(&[("REQ", false)]);
        let d = decide(&m, &set(&["REQ", "GONE"]), &set(&["REQ", "GONE"]));
        assert_eq!(d.give, vec!["REQ"]);
    }

    #[test]
    fn grant_mac_binds_every_field() {
        let key = Key32::random();
        let (kc, inst, other) = ([1; 16], [2; 16], [9; 16]);
        let pin = |kc: &'static [u8; 16],
                   inst: &'static [u8; 16],
                   digest: &'static str,
                   generation| Pin {
            keychain: kc,
            installation: inst,
            digest,
            generation,
        };
        let _ = (kc, inst, other);
        let base = grant_mac(&key, pin(&[1; 16], &[2; 16], "kw1:a", 0), "K");
        assert_ne!(
            base,
            grant_mac(&key, pin(&[9; 16], &[2; 16], "kw1:a", 0), "K")
        );
        assert_ne!(
            base,
            grant_mac(&key, pin(&[1; 16], &[9; 16], "kw1:a", 0), "K")
        );
        assert_ne!(
            base,
            grant_mac(&key, pin(&[1; 16], &[2; 16], "kw1:a", 0), "K2")
        );
        assert_ne!(
            base,
            grant_mac(&key, pin(&[1; 16], &[2; 16], "kw1:b", 0), "K")
        );
        assert_ne!(
            base,
            grant_mac(&key, pin(&[1; 16], &[2; 16], "kw1:a", 1), "K")
        );
        assert_ne!(
            base,
            grant_mac(&Key32::random(), pin(&[1; 16], &[2; 16], "kw1:a", 0), "K")
        );
    }
}
