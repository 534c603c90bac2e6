//! The per-keychain audit log: an HMAC chain under HKDF(RK, "keyward/v1/audit").
//!
//! Each entry's MAC covers the previous entry's MAC and the entry itself, and the vault
//! keeps a MAC'd pointer to the newest entry, so an edited, inserted or deleted row
//! (the last one included) breaks verification. Entries hold names, digests and
//! statuses, never secret values.

use rusqlite::Transaction;
use serde_json::Value;

use crate::crypto::{self, label};
use crate::error::{Error, Result};
use crate::secret::Key32;
use crate::token::hex;
use crate::vault::packages::{self, AuditRow};
use crate::vault::{Id, Vault, write};

/// One thing that happened, before it is chained.
pub struct Event<'a> {
    /// `init`, `secret-set`, `install`, `approve`, `run`, …
    pub action: &'a str,
    /// The package concerned, if any.
    pub package: Option<&'a str>,
    /// Names, digests, statuses. Never values.
    pub detail: Value,
}

fn audit_key(vault_id: &[u8], rk: &Key32) -> Key32 {
    crypto::hkdf(rk.expose(), vault_id, &[label::AUDIT])
}

fn entry_mac(key: &Key32, keychain: &Id, prev: &[u8], row: &AuditRow) -> [u8; 32] {
    let mut msg = Vec::with_capacity(128 + row.detail.len());
    crypto::put_lp(&mut msg, b"keyward-audit-v1");
    crypto::put_lp(&mut msg, prev);
    crypto::put_lp(&mut msg, keychain);
    msg.extend_from_slice(&row.seq.to_be_bytes());
    msg.extend_from_slice(&row.at.to_be_bytes());
    crypto::put_lp(&mut msg, row.action.as_bytes());
    msg.push(u8::from(row.package.is_some()));
    crypto::put_lp(&mut msg, row.package.as_deref().unwrap_or("").as_bytes());
    crypto::put_lp(&mut msg, row.detail.as_bytes());
    crypto::hmac(key, &[&msg])
}

fn head_mac(key: &Key32, keychain: &Id, seq: u64, mac: &[u8]) -> [u8; 32] {
    crypto::hmac(
        key,
        &[b"keyward-audit-head-v1", keychain, &seq.to_be_bytes(), mac],
    )
}

fn head_meta_key(keychain: &Id) -> String {
    format!("audit_head:{}", hex(keychain))
}

/// Appends `event` to `keychain`'s log inside the caller's transaction.
pub fn append(
    tx: &Transaction<'_>,
    vault_id: &[u8],
    keychain: &Id,
    rk: &Key32,
    event: Event<'_>,
) -> Result<()> {
    let db = |e: rusqlite::Error| Error::general(format!("cannot write the audit log: {e}"));
    let key = audit_key(vault_id, rk);
    let (prev_seq, prev_mac) = packages::audit_tail(tx, keychain)
        .map_err(db)?
        .unwrap_or((0, Vec::new()));
    let mut row = AuditRow {
        seq: prev_seq + 1,
        at: crate::time::now(),
        action: event.action.to_owned(),
        package: event.package.map(str::to_owned),
        detail: event.detail.to_string(),
        mac: Vec::new(),
    };
    row.mac = entry_mac(&key, keychain, &prev_mac, &row).to_vec();
    packages::put_audit(tx, keychain, &row).map_err(db)?;
    let mut head = row.seq.to_be_bytes().to_vec();
    head.extend_from_slice(&head_mac(&key, keychain, row.seq, &row.mac));
    write::meta(tx, &head_meta_key(keychain), &head).map_err(db)
}

/// Checks the whole chain; `Err` names the first entry that does not verify.
pub fn verify(vault: &Vault, keychain: &Id, rk: &Key32) -> Result<usize> {
    let key = audit_key(&vault.id, rk);
    let rows = vault.audit(keychain)?;
    let mut prev: Vec<u8> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let expected_seq = i as u64 + 1;
        let ok = row.seq == expected_seq
            && crypto::ct_eq(&entry_mac(&key, keychain, &prev, row), &row.mac);
        if !ok {
            return Err(broken(
                vault,
                &format!(
                    "entry {} ({} at {}) does not verify: it was edited, or an entry before it was deleted or inserted",
                    row.seq,
                    row.action,
                    crate::time::rfc3339(row.at)
                ),
            ));
        }
        prev.clone_from(&row.mac);
    }
    let head = vault.meta(&head_meta_key(keychain))?;
    let last = rows.last();
    match (head, last) {
        (None, None) => Ok(0),
        (Some(head), Some(last)) if head.len() == 40 => {
            let seq = u64::from_be_bytes(head[..8].try_into().expect("8 bytes"));
            if seq == last.seq
                && crypto::ct_eq(&head[8..], &head_mac(&key, keychain, seq, &last.mac))
            {
                Ok(rows.len())
            } else {
                Err(broken(
                    vault,
                    &format!(
                        "the log ends at entry {} but the vault recorded entry {seq} as the newest: entries were deleted or appended",
                        last.seq
                    ),
                ))
            }
        }
        _ => Err(broken(
            vault,
            "the log's head record does not match its entries",
        )),
    }
}

fn broken(vault: &Vault, what: &str) -> Error {
    Error::integrity(format!("the audit log of {} is broken: {what}", vault.path().display()))
        .code("audit-broken")
        .hint("the vault was modified outside keyward; restore it from a backup and review recent activity")
}
