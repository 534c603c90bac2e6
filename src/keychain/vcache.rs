//! `run`'s pin check with the verification cache: the per-file hashes of the last
//! verification, re-used for files the kernel shows unchanged (`digest::cache`), stored
//! in the vault under the installation's MACs.
//!
//! Which row is used follows who opened the keychain, as for installation rows: the
//! owner uses only a row whose owner MAC (DEK-derived) verifies, a token holder only one
//! whose RK MAC verifies. A row written by a holder carries no owner MAC, so the owner
//! hashes everything again and writes its own. A row that does not verify, is bound to
//! another installation, pin or boot, or does not parse is ignored (never trusted): the
//! tree is hashed in full, exactly as without a cache.
//!
//! The row is written only when the entries changed, in a transaction of its own that
//! records no audit entry: it decides nothing (no grant, no pin, no key), it only
//! remembers hashes, which a forged or stale row cannot make wrong (see SECURITY.md).

use std::io::IsTerminal;
use std::path::Path;

use super::{Installed, Keychain, Keys, PinCheck, pin};
use crate::crypto;
use crate::digest::{self, Known};
use crate::error::{Error, Result};
use crate::output::Output;
use crate::secret::Key32;
use crate::vault::cache::{self as rows, CacheRow};
use crate::vault::{Id, db};

/// Where the kernel names the current boot.
const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

impl Keychain {
    /// Re-hashes `inst` for `run`, re-using the verification cache unless `rehash`, and
    /// revokes its grants when its code changed (as [`Keychain::verify_pin`]). Small
    /// trees are hashed in full: reading them costs less than the cache.
    pub fn verify_pin_for_run(
        &mut self,
        inst: &mut Installed,
        out: &Output,
        rehash: bool,
    ) -> Result<PinCheck> {
        if pin::small_pin(inst) {
            return self.verify_pin(inst, out);
        }
        let boot = boot_id();
        let stored = match (&boot, rehash) {
            (Some(boot), false) => self.trusted_cache(inst, boot, out),
            _ => None,
        };
        let known = stored.as_ref().and_then(|row| Known::decode(&row.entries));
        if stored.is_some() && known.is_none() {
            out.verbose("the verification cache does not parse; hashing every file");
        }
        let progress = !out.quiet && !out.json && std::io::stderr().is_terminal();
        let opts = digest::Options {
            progress,
            small: false,
        };
        let cached = digest::digest_tree_cached(Path::new(&inst.row.path), &opts, known)
            .map_err(|e| Error::general(e.to_string()).code("package-files"))?;
        out.verbose(format!(
            "{}: {} file(s) unchanged since the last verification, {} hashed",
            inst.name(),
            cached.hits,
            cached.hashed
        ));
        let check = self.settle_pin(inst, cached.tree)?;
        let unchanged = stored.as_ref().map(|row| &row.entries) == cached.entries.as_ref();
        if let (false, Some(entries), Some(boot)) = (check.changed(inst), cached.entries, boot)
            && !unchanged
        {
            match self.store_cache(inst, boot, entries) {
                Ok(()) => out.verbose("verification cache stored"),
                Err(e) => out.verbose(format!(
                    "the verification cache was not stored: {}",
                    e.message
                )),
            }
        }
        Ok(check)
    }

    /// `inst`'s cache row when it verifies for the opener, is bound to the current pin
    /// and was written during this boot.
    fn trusted_cache(&self, inst: &Installed, boot: &str, out: &Output) -> Option<CacheRow> {
        let row = self.vault.verify_cache(&inst.row.id).ok().flatten()?;
        if row.digest != inst.row.digest || row.boot_id != boot {
            out.verbose("the verification cache is of another pin or boot; hashing every file");
            return None;
        }
        let (key, stored) = self.cache_check_key(&row);
        if crypto::ct_eq(&cache_mac(&key, &self.row.id, &row), stored) {
            return Some(row);
        }
        out.verbose(
            "the verification cache does not verify for you (written by a token holder, under an older key, or outside keyward); hashing every file",
        );
        None
    }

    /// The key and the MAC of `row` the opener trusts.
    fn cache_check_key<'r>(&self, row: &'r CacheRow) -> (Key32, &'r [u8]) {
        let vault_id = &self.vault.id;
        match &self.keys {
            Keys::Owner { dek, .. } => (
                crate::keys::owner_verify_cache_key(vault_id, dek),
                &row.owner_mac,
            ),
            Keys::Holder { rk, .. } => (crate::keys::verify_cache_key(vault_id, rk), &row.mac),
        }
    }

    fn store_cache(&mut self, inst: &Installed, boot: String, entries: Vec<u8>) -> Result<()> {
        let vault_id = self.vault.id;
        let mut row = CacheRow {
            installation_id: inst.row.id,
            digest: inst.row.digest.clone(),
            boot_id: boot,
            entries,
            mac: Vec::new(),
            owner_mac: Vec::new(),
        };
        let rk = crate::keys::verify_cache_key(&vault_id, self.keys.rk());
        row.mac = cache_mac(&rk, &self.row.id, &row).to_vec();
        if let Keys::Owner { dek, .. } = &self.keys {
            let ok = crate::keys::owner_verify_cache_key(&vault_id, dek);
            row.owner_mac = cache_mac(&ok, &self.row.id, &row).to_vec();
        }
        self.vault
            .write(|tx| Ok(rows::put_verify_cache(tx, &row).map_err(db)?))
    }
}

/// The MAC of a cache row: binds its entries to the keychain, the installation, the
/// pinned digest and the boot, so a row cannot be moved to another installation or pin.
fn cache_mac(key: &Key32, keychain: &Id, row: &CacheRow) -> [u8; 32] {
    let mut head = Vec::with_capacity(160);
    crypto::put_lp(&mut head, b"verify-cache-v1");
    crypto::put_lp(&mut head, keychain);
    crypto::put_lp(&mut head, &row.installation_id);
    crypto::put_lp(&mut head, row.digest.as_bytes());
    crypto::put_lp(&mut head, row.boot_id.as_bytes());
    head.extend_from_slice(&(row.entries.len() as u64).to_be_bytes());
    crypto::hmac(key, &[&head, &row.entries])
}

/// The current boot's id; `None` (no cache) where the kernel does not say.
fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string(BOOT_ID).ok()?;
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> CacheRow {
        CacheRow {
            installation_id: [2; 16],
            digest: "kw1:ab".into(),
            boot_id: "boot".into(),
            entries: vec![1, 2, 3],
            mac: Vec::new(),
            owner_mac: Vec::new(),
        }
    }

    #[test]
    fn the_mac_binds_every_field() {
        let key = Key32::from_bytes([5; 32]);
        let base = cache_mac(&key, &[1; 16], &row());
        assert_ne!(base, cache_mac(&key, &[9; 16], &row()));
        let changes: [fn(&mut CacheRow); 4] = [
            |r| r.installation_id = [3; 16],
            |r| r.digest = "kw1:ac".into(),
            |r| r.boot_id = "other".into(),
            |r| r.entries.push(4),
        ];
        for change in changes {
            let mut r = row();
            change(&mut r);
            assert_ne!(base, cache_mac(&key, &[1; 16], &r));
        }
        assert_ne!(
            base,
            cache_mac(&Key32::from_bytes([6; 32]), &[1; 16], &row())
        );
        // Frozen layout.
        let mut msg = Vec::new();
        for f in [
            b"verify-cache-v1".as_slice(),
            &[1; 16],
            &[2; 16],
            b"kw1:ab",
            b"boot",
        ] {
            msg.extend_from_slice(&u32::try_from(f.len()).unwrap().to_be_bytes());
            msg.extend_from_slice(f);
        }
        msg.extend_from_slice(&3u64.to_be_bytes());
        msg.extend_from_slice(&[1, 2, 3]);
        assert_eq!(base, crypto::hmac(&key, &[&msg]));
    }
}
