//! Where the master key (MK) comes from: the OS keyring, a passphrase (Argon2id), or
//! `KEYWARD_MASTER_KEY`. This module moves key bytes between those places and
//! memory; it never writes one in plaintext anywhere else.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::{self, label};
use crate::error::{Error, Result};
use crate::secret::Key32;
use crate::token::hex;

/// Keyring service name for every vault's entry.
pub const KEYRING_SERVICE: &str = "keyward";

/// How the vault's MK is kept between runs; chosen at `init`, stored in the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager).
    Keyring,
    /// Wrapped under Argon2id of a passphrase stored nowhere.
    Passphrase,
    /// Printed once at init; supplied later in KEYWARD_MASTER_KEY.
    Env,
    /// Wrapped by an OpenBao (or HashiCorp Vault) Transit key; only the ciphertext is kept.
    Openbao,
}

impl Backend {
    /// The name stored in the vault and shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Keyring => "keyring",
            Backend::Passphrase => "passphrase",
            Backend::Env => "env",
            Backend::Openbao => "openbao",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Backend::Keyring,
            Backend::Passphrase,
            Backend::Env,
            Backend::Openbao,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first fix for a keyring failure, by its cause (the error's code).
fn keyring_fix(err: &Error) -> &'static str {
    match err.code {
        "no-dbus" => {
            "this session has no D-Bus session bus (usual over SSH, in containers and on servers): \
             run keyward inside a desktop session, or start one with a Secret Service \
             (`scripts/keyring-session bash` in keyward's repository)"
        }
        "keyring-locked" => {
            "a Secret Service answers but has no unlocked keyring: unlock it (log in to the desktop, \
             or `gnome-keyring-daemon --unlock` with its password on stdin), or create a default \
             keyring in your keyring app"
        }
        _ => "start a Secret Service (e.g. gnome-keyring-daemon) in this session",
    }
}

/// The three ways out when the vault cannot be unlocked, named in every such error.
pub fn unlock_fixes(err: Error) -> Error {
    let first = keyring_fix(&err);
    err.hint(first)
        .hint("or re-create the vault with `keyward init --backend passphrase`")
        .hint(
            "or set KEYWARD_MASTER_KEY to the vault's master key (base64url), which \
               `keyward rekey --backend env` prints wherever the vault still unlocks",
        )
}

/// The ways out when `init` cannot store the key: no vault exists yet, so the fixes
/// are the other backends, not another key.
fn init_fixes(err: Error) -> Error {
    let first = keyring_fix(&err);
    err.hint(first)
        .hint("or keep the key under a passphrase: `keyward init --backend passphrase`")
        .hint("or print it once and pass it in KEYWARD_MASTER_KEY: `keyward init --backend env`")
}

// ---- KEYWARD_MASTER_KEY -------------------------------------------------------------

/// base64url (no padding) of the MK, as `init --backend env` prints it.
pub fn encode_master_key(mk: &Key32) -> Zeroizing<String> {
    Zeroizing::new(URL_SAFE_NO_PAD.encode(mk.expose()))
}

/// Parses KEYWARD_MASTER_KEY; accepts padded or unpadded base64url.
pub fn decode_master_key(text: &str) -> Result<Key32> {
    let text = text.trim();
    let bytes = Zeroizing::new(
        URL_SAFE_NO_PAD
            .decode(text)
            .or_else(|_| URL_SAFE.decode(text))
            .map_err(|_| bad_env_key())?,
    );
    Key32::try_from_slice(&bytes).ok_or_else(bad_env_key)
}

fn bad_env_key() -> Error {
    Error::locked(
        "KEYWARD_MASTER_KEY is not a master key: expected 43 base64url characters (32 bytes)",
    )
    .hint("set it to exactly what `keyward init --backend env` printed")
}

// ---- OS keyring ---------------------------------------------------------------------

/// The small versioned record kept in the keyring entry. v2 adds the vault's write
/// generation, so a whole-file rollback of the vault is seen at unlock.
#[derive(Serialize, Deserialize)]
struct KeyringRecord {
    v: u32,
    mk: String,
    #[serde(default)]
    generation: u64,
}

fn keyring_account(vault_id: &[u8]) -> String {
    format!("vault:{}", hex(vault_id))
}

fn keyring_entry(vault_id: &[u8]) -> Result<keyring::Entry> {
    if let Err(cause) = keyring::Entry::store_status() {
        return Err(keyring_unreachable(cause));
    }
    keyring::Entry::new(KEYRING_SERVICE, &keyring_account(vault_id))
        .map_err(|e| keyring_unreachable(&e))
}

/// Explains a keyring failure without ever formatting secret bytes: some
/// `keyring::Error` variants carry the raw secret, so only safe variants are shown.
/// The caller adds the fixes that fit (unlocking, or choosing a backend at init).
fn keyring_unreachable(err: &keyring::Error) -> Error {
    unreachable_because(describe_keyring_error(err))
}

fn unreachable_because(cause: String) -> Error {
    if cause.contains("Failed to connect to address") || cause.contains("DBUS_SESSION_BUS_ADDRESS")
    {
        Error::locked(format!(
            "the OS keyring cannot be reached: there is no D-Bus session bus to find a Secret Service on ({cause})"
        ))
        .code("no-dbus")
    } else if cause.contains("result not returned from SS API") || cause.contains("locked") {
        // What the Secret Service says when it runs but has no unlocked collection.
        Error::locked(format!(
            "the OS keyring cannot be used: a Secret Service runs, but it has no unlocked keyring (collection) \
             to keep the key in ({cause})"
        ))
        .code("keyring-locked")
    } else {
        Error::locked(format!("the OS keyring cannot be reached: {cause}"))
            .code("keyring-unreachable")
    }
}

fn describe_keyring_error(err: &keyring::Error) -> String {
    use keyring::Error as E;
    match err {
        E::PlatformFailure(e) | E::NoStorageAccess(e) => error_chain(e.as_ref()),
        E::NoDefaultStore => "no credential store is available on this system".into(),
        E::NoEntry => "no entry".into(),
        E::BadEncoding(_) | E::BadDataFormat(..) => "the stored entry is malformed".into(),
        E::BadStoreFormat(s) => format!("the store is malformed: {s}"),
        E::TooLong(attr, limit) => format!("{attr} is longer than {limit}"),
        E::Invalid(attr, why) => format!("{attr} {why}"),
        E::NotSupportedByStore(why) => format!("not supported: {why}"),
        _ => "unknown keyring error".into(),
    }
}

/// An error and its sources, each distinct text once (each layer of the chain tends to
/// repeat the one below it).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// Stores the MK for `vault_id` in the OS keyring, with the vault's write generation.
pub fn keyring_store(vault_id: &[u8], mk: &Key32, generation: u64) -> Result<()> {
    let entry = keyring_entry(vault_id).map_err(init_fixes)?;
    let encoded = encode_master_key(mk);
    let mut record = KeyringRecord {
        v: 2,
        mk: encoded.to_string(),
        generation,
    };
    let bytes = Zeroizing::new(
        serde_json::to_vec(&record).expect("a struct of numbers and a string serialises"),
    );
    record.mk.zeroize();
    entry
        .set_secret(&bytes)
        .map_err(|e| init_fixes(keyring_unreachable(&e)))
}

/// Reads the MK for `vault_id` from the OS keyring, and the write generation recorded
/// with it (0 in records from before generations).
pub fn keyring_load(vault_id: &[u8]) -> Result<(Key32, u64)> {
    let raw = match keyring_read(vault_id).map_err(unlock_fixes)? {
        Some(raw) => raw,
        None => {
            return Err(unlock_fixes(Error::locked(format!(
                "the OS keyring has no master key for this vault (service `{KEYRING_SERVICE}`, \
                 account `{}`)",
                keyring_account(vault_id)
            ))));
        }
    };
    let mut record: KeyringRecord =
        serde_json::from_slice(&raw).map_err(|_| bad_keyring_record())?;
    let key = if record.v == 1 || record.v == 2 {
        decode_master_key(&record.mk).ok()
    } else {
        None
    };
    record.mk.zeroize();
    key.map(|k| (k, record.generation))
        .ok_or_else(bad_keyring_record)
}

/// The bytes of the entry the `keyring` crate keeps for `vault_id` (service and
/// username attributes), read in a plain Secret Service session.
///
/// Why plain: the `keyring` crate always negotiates the DH session, and the
/// `secret-service` crate computes it with a schoolbook modular power that cost 30.7 M
/// instructions (about 7 ms, nine tenths of a keyring `run`) for every unlock. The DH
/// session hides the value only from whoever can read the user's D-Bus session bus
/// traffic: a process of the same user (or root), which can as well ask the Secret
/// Service for the entry itself (SECURITY.md, "OS keyring"). So reads, the hot path,
/// go plain; writes (`init`, `rekey`, a generation update) still go through `keyring`.
fn keyring_read(vault_id: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>> {
    use secret_service::EncryptionType;
    use secret_service::blocking::SecretService;
    let failed = |e: secret_service::Error| unreachable_because(error_chain(&e));
    let ss = SecretService::connect(EncryptionType::Plain).map_err(failed)?;
    let account = keyring_account(vault_id);
    let attributes = std::collections::HashMap::from([
        ("service", KEYRING_SERVICE),
        ("username", account.as_str()),
    ]);
    let found = ss.search_items(attributes).map_err(failed)?;
    if !found.locked.is_empty() {
        // As the `keyring` crate does: ask the service to unlock (it may prompt).
        let locked: Vec<_> = found.locked.iter().collect();
        ss.unlock_all(&locked).map_err(failed)?;
    }
    let mut items = found.unlocked.iter().chain(found.locked.iter());
    let (Some(item), None) = (items.next(), items.next()) else {
        return if found.unlocked.is_empty() && found.locked.is_empty() {
            Ok(None)
        } else {
            Err(unreachable_because(format!(
                "more than one entry for service `{KEYRING_SERVICE}`, account `{account}`; \
                 remove the extra ones (seahorse, or `secret-tool clear`)"
            )))
        };
    };
    item.get_secret()
        .map(|raw| Some(Zeroizing::new(raw)))
        .map_err(failed)
}

/// Removes the keyring entry (used to undo a failed init).
pub fn keyring_delete(vault_id: &[u8]) {
    let _ = keyring_remove(vault_id);
}

/// Removes the keyring entry, saying why when it cannot; an absent entry is removed.
pub fn keyring_remove(vault_id: &[u8]) -> Result<()> {
    let entry = keyring_entry(vault_id)?;
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_unreachable(&e)),
    }
}

/// The keyring account that holds `vault_id`'s master key (service [`KEYRING_SERVICE`]).
pub fn keyring_account_of(vault_id: &[u8]) -> String {
    keyring_account(vault_id)
}

fn bad_keyring_record() -> Error {
    unlock_fixes(Error::locked(
        "the OS keyring entry for this vault is not a keyward master key record",
    ))
}

// ---- Passphrase (Argon2id) ----------------------------------------------------------

/// Argon2id parameters written at init (DESIGN.md).
const ARGON_M_KIB: u32 = 64 * 1024;
const ARGON_T: u32 = 3;
const ARGON_P: u32 = 4;
/// Caps applied when reading a slot, so a tampered vault cannot make unlock take
/// gigabytes or hours.
const CAP_M_KIB: u32 = 1024 * 1024;
const CAP_T: u32 = 16;
const CAP_P: u32 = 16;

/// The passphrase slot stored in the vault's meta table.
#[derive(Serialize, Deserialize)]
pub struct PassphraseSlot {
    v: u32,
    m: u32,
    t: u32,
    p: u32,
    salt: String,
    wrapped: String,
}

fn argon_key(pass: &[u8], salt: &[u8], m: u32, t: u32, p: u32) -> Result<Key32> {
    let params = argon2::Params::new(m, t, p, Some(32)).map_err(|e| {
        Error::integrity(format!(
            "the vault's passphrase parameters are invalid: {e}"
        ))
    })?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(pass, salt, out.as_mut())
        .map_err(|e| Error::general(format!("Argon2id failed: {e}")).code("argon2"))?;
    Ok(Key32::from_bytes(*out))
}

/// Wraps the MK under a passphrase; returns the slot to store in the vault.
pub fn passphrase_wrap(vault_id: &[u8], mk: &Key32, pass: &[u8]) -> Result<Vec<u8>> {
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
    let kek = argon_key(pass, &salt, ARGON_M_KIB, ARGON_T, ARGON_P)?;
    let wrapped = crypto::wrap_key(&kek, mk, &crypto::aad(&[label::PASSPHRASE, vault_id]));
    let slot = PassphraseSlot {
        v: 1,
        m: ARGON_M_KIB,
        t: ARGON_T,
        p: ARGON_P,
        salt: URL_SAFE_NO_PAD.encode(salt),
        wrapped: URL_SAFE_NO_PAD.encode(wrapped),
    };
    Ok(serde_json::to_vec(&slot).expect("the slot serialises"))
}

/// Unwraps the MK from the stored slot; a wrong passphrase is `Locked`.
pub fn passphrase_unwrap(vault_id: &[u8], slot: &[u8], pass: &[u8]) -> Result<Key32> {
    let bad = || Error::integrity("the vault's passphrase slot is malformed or was tampered with");
    let slot: PassphraseSlot = serde_json::from_slice(slot).map_err(|_| bad())?;
    if slot.v != 1 || slot.m > CAP_M_KIB || slot.t > CAP_T || slot.p > CAP_P {
        return Err(bad().hint("its Argon2id parameters exceed keyward's caps"));
    }
    let salt = URL_SAFE_NO_PAD.decode(&slot.salt).map_err(|_| bad())?;
    let wrapped = URL_SAFE_NO_PAD.decode(&slot.wrapped).map_err(|_| bad())?;
    let kek = argon_key(pass, &salt, slot.m, slot.t, slot.p)?;
    crypto::unwrap_key(&kek, &wrapped, &crypto::aad(&[label::PASSPHRASE, vault_id])).map_err(|_| {
        Error::locked("the passphrase does not unlock this vault")
            .hint("check KEYWARD_PASSPHRASE or type it again")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_key_text_round_trip() {
        let mk = Key32::random();
        let text = encode_master_key(&mk);
        assert_eq!(text.len(), 43);
        assert_eq!(decode_master_key(&text).unwrap().expose(), mk.expose());
        assert!(decode_master_key("short").is_err());
        assert!(decode_master_key(&format!("{}AA", &*text)).is_err());
    }

    #[test]
    fn passphrase_round_trip_and_wrong_passphrase() {
        let mk = Key32::random();
        let slot = passphrase_wrap(b"vault-id", &mk, b"correct horse").unwrap();
        let back = passphrase_unwrap(b"vault-id", &slot, b"correct horse").unwrap();
        assert_eq!(back.expose(), mk.expose());
        let err = passphrase_unwrap(b"vault-id", &slot, b"wrong").unwrap_err();
        assert_eq!(err.kind, crate::error::Kind::Locked);
        let err = passphrase_unwrap(b"other-id", &slot, b"correct horse").unwrap_err();
        assert_eq!(err.kind, crate::error::Kind::Locked);
    }

    #[test]
    fn passphrase_slot_parameters_are_capped() {
        let slot = br#"{"v":1,"m":4194304,"t":3,"p":4,"salt":"AAAA","wrapped":"AAAA"}"#;
        let err = passphrase_unwrap(b"id", slot, b"x").unwrap_err();
        assert_eq!(err.kind, crate::error::Kind::Integrity);
    }
}
