//! The per-keychain audit log: an HMAC chain under HKDF(RK, "keyward/v1/audit").
//!
//! Each entry's MAC covers the previous entry's MAC and the entry itself, and the vault
//! keeps a MAC'd pointer to the newest entry, so an edited, inserted or deleted row
//! (the last one included) breaks verification. Entries hold names, digests and
//! statuses, never secret values.

use rusqlite::Transaction;
use serde_json::Value;

use super::Scope;
use crate::crypto;
use crate::error::{Error, Result};
use crate::keys::audit_key;
use crate::secret::Key32;
use crate::token::hex;
use crate::vault::packages::{self, AuditRow};
use crate::vault::{Id, Vault, write};

/// What an entry records. The names are stored and shown: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The vault was created (the first entry of `default`).
    Init,
    /// A keychain was created (the first entry of its log).
    KeychainCreate,
    /// A keychain was removed (recorded in `default`).
    KeychainRm,
    /// A keychain's token was replaced.
    TokenRotate,
    /// A secret got a new version.
    SecretSet,
    /// A secret was removed.
    SecretRm,
    /// A package was installed.
    Install,
    /// An installed package was re-pinned.
    Update,
    /// Keys were approved.
    Approve,
    /// Keys were revoked by the owner.
    Revoke,
    /// A package was uninstalled.
    Uninstall,
    /// A package's grants were revoked because its code changed.
    AutoRevoke,
    /// A masked run is about to launch (recorded first: a run that cannot be recorded
    /// does not start).
    RunStart,
    /// A package was launched (`--no-mask`), or a masked run ended.
    Run,
    /// A config file was applied.
    ConfigApply,
    /// The master key was re-wrapped for another backend (recorded in `default`).
    Rekey,
    /// A running package read one key over its run socket (`deliver: socket`).
    KeyRead,
    /// The gateway served one call (`keyward serve`).
    Call,
    /// The owner changed an installation's endpoint permissions.
    Endpoints,
}

impl Action {
    /// Whether it records an owner decision (moves the vault's write generation), as
    /// opposed to a run or a revocation any opener's run may record.
    pub fn is_decision(self) -> bool {
        !matches!(
            self,
            Action::Run | Action::RunStart | Action::AutoRevoke | Action::KeyRead
        )
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Init => "init",
            Action::KeychainCreate => "keychain-create",
            Action::KeychainRm => "keychain-rm",
            Action::TokenRotate => "token-rotate",
            Action::SecretSet => "secret-set",
            Action::SecretRm => "secret-rm",
            Action::Install => "install",
            Action::Update => "update",
            Action::Approve => "approve",
            Action::Revoke => "revoke",
            Action::Uninstall => "uninstall",
            Action::AutoRevoke => "auto-revoke",
            Action::RunStart => "run-start",
            Action::Run => "run",
            Action::ConfigApply => "config-apply",
            Action::Rekey => "rekey",
            Action::KeyRead => "key-read",
            Action::Call => "call",
            Action::Endpoints => "endpoints",
        }
    }
}

/// One entry as `log` shows it.
pub type AuditEntry = AuditRow;

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

/// The vault's record of the newest entry: `u64be(seq) ‖ its MAC ‖ HMAC over both`.
/// It lets a deleted last entry be noticed, and lets the next entry chain onto the
/// entry that really was last, so a deletion stays visible after later writes.
struct Head {
    seq: u64,
    mac: Vec<u8>,
}

const HEAD_LEN: usize = 8 + 32 + 32;

fn head_mac(key: &Key32, keychain: &Id, seq: u64, mac: &[u8]) -> [u8; 32] {
    crypto::hmac(
        key,
        &[b"keyward-audit-head-v1", keychain, &seq.to_be_bytes(), mac],
    )
}

fn head_meta_key(keychain: &Id) -> String {
    format!("audit_head:{}", hex(keychain))
}

impl Head {
    /// Parses and authenticates a stored head; `None` when absent, malformed or forged.
    fn open(key: &Key32, keychain: &Id, stored: Option<&[u8]>) -> Option<Head> {
        let bytes = stored.filter(|b| b.len() == HEAD_LEN)?;
        let seq = u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"));
        let mac = bytes[8..40].to_vec();
        crypto::ct_eq(&bytes[40..], &head_mac(key, keychain, seq, &mac))
            .then_some(Head { seq, mac })
    }

    fn seal(&self, key: &Key32, keychain: &Id) -> Vec<u8> {
        let mut out = self.seq.to_be_bytes().to_vec();
        out.extend_from_slice(&self.mac);
        out.extend_from_slice(&head_mac(key, keychain, self.seq, &self.mac));
        out
    }
}

/// One thing that happened, before it is chained.
pub(super) struct Event<'a> {
    pub action: Action,
    pub package: Option<&'a str>,
    /// Names, digests, statuses. Never values.
    pub detail: &'a Value,
}

/// Starts a new keychain's log with its creation. Every log begins this way, so an
/// empty log, or one without its head record, is a wiped log.
pub(super) fn start(
    tx: &Transaction<'_>,
    vault_id: &[u8],
    keychain: &Id,
    rk: &Key32,
    event: Event<'_>,
) -> Result<()> {
    write_entry(tx, vault_id, keychain, rk, event, true)
}

/// Appends an entry to the scope's keychain log inside the caller's transaction.
pub(super) fn append(
    tx: &Transaction<'_>,
    scope: &Scope<'_>,
    action: Action,
    package: Option<&str>,
    detail: &Value,
) -> Result<()> {
    let event = Event {
        action,
        package,
        detail,
    };
    write_entry(
        tx,
        scope.vault_id,
        &scope.row.id,
        scope.keys.rk(),
        event,
        false,
    )
}

/// Appends an entry under an explicit RK (the new one, at rotation).
pub(super) fn append_with(
    tx: &Transaction<'_>,
    vault_id: &[u8],
    keychain: &Id,
    rk: &Key32,
    action: Action,
    detail: &Value,
) -> Result<()> {
    let event = Event {
        action,
        package: None,
        detail,
    };
    write_entry(tx, vault_id, keychain, rk, event, false)
}

fn write_entry(
    tx: &Transaction<'_>,
    vault_id: &[u8],
    keychain: &Id,
    rk: &Key32,
    event: Event<'_>,
    first: bool,
) -> Result<()> {
    let db = |e: rusqlite::Error| {
        Error::general(format!("cannot write the audit log: {e}"))
            .code("audit")
            .hint("nothing was changed (the whole transaction was rolled back); retry")
    };
    let key = audit_key(vault_id, rk);
    let tail = packages::audit_tail(tx, keychain).map_err(db)?;
    let stored = write::meta_in(tx, &head_meta_key(keychain)).map_err(db)?;
    let head = Head::open(&key, keychain, stored.as_deref());
    // Chain onto the entry the head names, not onto whatever row is last now: if rows were
    // deleted or inserted, the new entry then fails verification too and the break stays
    // visible. Without a valid head (tampered), chain onto the last row and leave the head
    // broken, for the same reason.
    let tail_seq = tail.as_ref().map_or(0, |(seq, _)| *seq);
    let (seq, prev) = match (&head, tail) {
        (Some(h), _) => (h.seq.max(tail_seq) + 1, h.mac.clone()),
        (None, Some((seq, mac))) => (seq + 1, mac),
        (None, None) => (1, Vec::new()),
    };
    let mut row = AuditRow {
        seq,
        at: crate::time::now(),
        action: event.action.as_str().to_owned(),
        package: event.package.map(str::to_owned),
        detail: event.detail.to_string(),
        mac: Vec::new(),
    };
    row.mac = entry_mac(&key, keychain, &prev, &row).to_vec();
    packages::put_audit(tx, keychain, &row).map_err(db)?;
    // Only a valid head moves forward, and only a keychain's creation makes the first:
    // a wiped or forged head stays broken, so `log --verify` keeps saying so.
    if head.is_some() || (first && tail_seq == 0) {
        let head = Head {
            seq: row.seq,
            mac: row.mac.clone(),
        };
        write::meta(tx, &head_meta_key(keychain), &head.seal(&key, keychain)).map_err(db)?;
    }
    Ok(())
}

/// Checks the whole chain; `Err` names the first entry that does not verify.
pub(super) fn verify(vault: &Vault, keychain: &Id, rk: &Key32) -> Result<usize> {
    let key = audit_key(&vault.id, rk);
    let rows = vault.audit(keychain)?;
    let mut prev: Vec<u8> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let expected_seq = i as u64 + 1;
        if row.seq > expected_seq {
            let gap = if row.seq == expected_seq + 1 {
                format!("entry {expected_seq} was")
            } else {
                format!("entries {expected_seq} to {} were", row.seq - 1)
            };
            return Err(broken(
                vault,
                &format!(
                    "entry {} follows entry {}: {gap} deleted, or entry {} was inserted",
                    row.seq,
                    expected_seq - 1,
                    row.seq
                ),
            ));
        }
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
    let stored = vault.meta(&head_meta_key(keychain))?;
    match (Head::open(&key, keychain, stored.as_deref()), rows.last()) {
        (None, None) if stored.is_none() => Err(broken(
            vault,
            "the log is empty, but every keychain's log begins with its creation: it was wiped",
        )),
        (Some(head), Some(last)) if head.seq == last.seq && crypto::ct_eq(&head.mac, &last.mac) => {
            Ok(rows.len())
        }
        (Some(head), Some(last)) => Err(broken(
            vault,
            &format!(
                "the log ends at entry {} but the vault recorded entry {} as the newest: entries were deleted or appended",
                last.seq, head.seq
            ),
        )),
        _ => Err(broken(
            vault,
            "the log's head record is missing or does not match its entries",
        )),
    }
}

fn broken(vault: &Vault, what: &str) -> Error {
    Error::integrity(format!("the audit log of {} is broken: {what}", vault.path().display()))
        .code("audit-broken")
        .hint("the vault was modified outside keyward; restore it from a backup and review recent activity")
}

impl super::Keychain {
    /// The keychain's audit log, oldest first.
    pub fn log(&self) -> Result<Vec<AuditEntry>> {
        Ok(self.vault.audit(&self.row.id)?)
    }

    /// Checks the keychain's audit chain; the number of entries, or exit 7 naming the
    /// first entry that does not verify.
    pub fn verify_log(&self) -> Result<usize> {
        verify(&self.vault, &self.row.id, self.keys.rk())
    }
}

/// Moves a keychain's log to a new RK (token rotation): the entries that verify under
/// the old key, from the first on, are re-MAC'd in a chain under the new one, and so is
/// the head when the whole log verified. From the first entry that does not verify on,
/// nothing is re-MAC'd, so a break stays visible where it was.
pub(super) fn rechain(
    tx: &Transaction<'_>,
    vault_id: &[u8],
    keychain: &Id,
    old_rk: &Key32,
    new_rk: &Key32,
) -> Result<()> {
    let (old, new) = (audit_key(vault_id, old_rk), audit_key(vault_id, new_rk));
    let rows = packages::audit_in(tx, keychain).map_err(db_error)?;
    let (mut prev_old, mut prev_new) = (Vec::new(), Vec::new());
    let mut intact = true;
    for (i, row) in rows.iter().enumerate() {
        let ok = row.seq == i as u64 + 1
            && crypto::ct_eq(&entry_mac(&old, keychain, &prev_old, row), &row.mac);
        if !ok {
            intact = false;
            break;
        }
        let mac = entry_mac(&new, keychain, &prev_new, row).to_vec();
        packages::set_audit_mac(tx, keychain, row.seq, &mac).map_err(db_error)?;
        prev_old.clone_from(&row.mac);
        prev_new = mac;
    }
    let stored = write::meta_in(tx, &head_meta_key(keychain)).map_err(db_error)?;
    let head = Head::open(&old, keychain, stored.as_deref());
    if let (true, Some(head), Some(last)) = (intact, head, rows.last())
        && head.seq == last.seq
        && crypto::ct_eq(&head.mac, &last.mac)
    {
        let moved = Head {
            seq: head.seq,
            mac: prev_new,
        };
        write::meta(tx, &head_meta_key(keychain), &moved.seal(&new, keychain)).map_err(db_error)?;
    }
    Ok(())
}

fn db_error(e: rusqlite::Error) -> Error {
    Error::general(format!("cannot write the audit log: {e}"))
        .hint("nothing was changed (the whole transaction was rolled back); retry")
}
