//! Per-keychain indexes of (name, version): one of the secrets under a MAC only the
//! owner can make, one of the shared copies under the RK. Each is rewritten in the same
//! transaction as the rows it lists and checked on every read of a value, so a secret
//! or shared row copied back from an older copy of the vault (a rotated-away value) is
//! refused instead of handed out.
//!
//! Stored in `meta` as `MAC ‖ JSON {name: version}`.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use crate::crypto;
use crate::error::Result;
use crate::secret::Key32;
use crate::token::hex;
use crate::vault::{Id, Vault, corrupt_in_tx, db, write};

/// Which index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `secrets`, MAC'd under HKDF(DEK, secret-index).
    Secrets,
    /// `shared`, MAC'd under HKDF(RK, shared-index).
    Shared,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Secrets => "secret_index",
            Kind::Shared => "shared_index",
        }
    }
}

/// Names and versions.
pub(super) type Index = BTreeMap<String, u64>;

fn meta_key(kind: Kind, keychain: &Id) -> String {
    format!("{}:{}", kind.label(), hex(keychain))
}

fn mac(kind: Kind, keychain: &Id, key: &Key32, body: &[u8]) -> [u8; 32] {
    crypto::hmac(
        key,
        &[b"keyward-index-v1", kind.label().as_bytes(), keychain, body],
    )
}

fn open(kind: Kind, keychain: &Id, key: &Key32, stored: &[u8]) -> Option<Index> {
    if stored.len() < 32 {
        return None;
    }
    let (tag, body) = stored.split_at(32);
    if !crypto::ct_eq(tag, &mac(kind, keychain, key, body)) {
        return None;
    }
    serde_json::from_slice(body).ok()
}

fn what(kind: Kind) -> &'static str {
    match kind {
        Kind::Secrets => "secrets",
        Kind::Shared => "shared copies",
    }
}

/// The index as stored now (read outside a transaction); exit 7 when it is missing or
/// does not verify.
pub(super) fn read(vault: &Vault, kind: Kind, keychain: &Id, key: &Key32) -> Result<Index> {
    let stored = vault.meta(&meta_key(kind, keychain))?;
    stored
        .as_deref()
        .and_then(|s| open(kind, keychain, key, s))
        .ok_or_else(|| {
            vault.corrupt(&format!(
                "the index of the keychain's {} is missing or does not verify",
                what(kind)
            ))
        })
}

/// Reads the index inside a write transaction; exit 7 when it is missing or forged.
pub(super) fn read_in(
    tx: &Transaction<'_>,
    kind: Kind,
    keychain: &Id,
    key: &Key32,
) -> Result<Index> {
    let stored = write::meta_in(tx, &meta_key(kind, keychain)).map_err(db)?;
    stored
        .as_deref()
        .and_then(|s| open(kind, keychain, key, s))
        .ok_or_else(|| {
            corrupt_in_tx(&format!(
                "the index of the keychain's {} is missing or does not verify; nothing was changed",
                what(kind)
            ))
        })
}

/// Stores `index`, replacing what was there.
pub(super) fn save(
    tx: &Transaction<'_>,
    kind: Kind,
    keychain: &Id,
    key: &Key32,
    index: &Index,
) -> Result<()> {
    let body = serde_json::to_vec(index).expect("a map of names to numbers serialises");
    let mut stored = mac(kind, keychain, key, &body).to_vec();
    stored.extend_from_slice(&body);
    Ok(write::meta(tx, &meta_key(kind, keychain), &stored).map_err(db)?)
}

/// Records `name` at `version` (`None`: gone) in the index, inside the transaction.
pub(super) fn set(
    tx: &Transaction<'_>,
    kind: Kind,
    keychain: &Id,
    key: &Key32,
    name: &str,
    version: Option<u64>,
) -> Result<()> {
    let mut index = read_in(tx, kind, keychain, key)?;
    match version {
        Some(v) => index.insert(name.to_owned(), v),
        None => index.remove(name),
    };
    save(tx, kind, keychain, key, &index)
}

/// Exit 7 unless the index lists `name` at exactly `version`.
pub(super) fn expect(
    vault: &Vault,
    index: &Index,
    kind: Kind,
    name: &str,
    version: u64,
) -> Result<()> {
    match index.get(name) {
        Some(v) if *v == version => Ok(()),
        recorded => Err(vault.corrupt(&format!(
            "{name} is at version {version}, but the keychain's index of {} records {}: the row was copied back from an older vault or edited, so it is not used",
            what(kind),
            recorded.map_or_else(|| "no such entry".to_owned(), |v| format!("version {v}"))
        ))),
    }
}
