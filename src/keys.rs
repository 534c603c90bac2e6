//! The key schedule of DESIGN.md's "Keys and encryption", in one place: every HKDF
//! label use, every wrap and AAD layout. Nothing else in the crate derives a key or
//! builds an AAD, so a change to the frozen layout shows up here, in its golden tests.
//!
//! No I/O and no policy: callers decide when a key is used.

use crate::crypto::{self, OpenError, label};
use crate::secret::{Key32, SecretBytes};
use crate::token::Token;

/// Plaintexts sealed as the vault's check value. v2 also says that every keychain of
/// the vault has its name bound and its secret indexes: only the master key can seal
/// it, so a missing binding or index in a v2 vault is tampering, never "an old vault".
const CHECK_V1: &[u8] = b"keyward check v1";
const CHECK_V2: &[u8] = b"keyward check v2";

/// What the check value says about the vault, once the master key opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Written before names were bound and secrets indexed: upgrade it.
    V1,
    /// Every keychain is bound and indexed.
    V2,
}

/// The check value stored at init: proves later that a candidate MK is this vault's.
pub fn check_value(vault_id: &[u8], mk: &Key32) -> Vec<u8> {
    crypto::seal(&check_key(vault_id, mk), CHECK_V2, &check_aad(vault_id))
}

/// What `mk` finds in the stored check value; `None` when it is not this vault's key.
pub fn check_opens(vault_id: &[u8], mk: &Key32, check: &[u8]) -> Option<Check> {
    let plain = crypto::open(&check_key(vault_id, mk), check, &check_aad(vault_id)).ok()?;
    match plain.expose() {
        CHECK_V1 => Some(Check::V1),
        CHECK_V2 => Some(Check::V2),
        _ => None,
    }
}

fn check_key(vault_id: &[u8], mk: &Key32) -> Key32 {
    crypto::hkdf(mk.expose(), vault_id, &[label::CHECK])
}

fn check_aad(vault_id: &[u8]) -> Vec<u8> {
    crypto::aad(&[label::CHECK, vault_id])
}

/// KEK = HKDF-SHA256(MK, salt = vault id, info = "keyward/v1/kek" ‖ keychain id).
fn kek(mk: &Key32, vault_id: &[u8], keychain: &[u8]) -> Key32 {
    crypto::hkdf(mk.expose(), vault_id, &[label::KEK, keychain])
}

/// MAC binding a keychain's name to its id, under a key only the master key gives:
/// HKDF(MK, salt = vault id, info = "keyward/v1/keychain-name" ‖ keychain id).
pub fn keychain_name_mac(mk: &Key32, vault_id: &[u8], keychain: &[u8], name: &str) -> [u8; 32] {
    let key = crypto::hkdf(mk.expose(), vault_id, &[label::KEYCHAIN_NAME, keychain]);
    crypto::hmac(&key, &[b"keychain-name-v1", name.as_bytes()])
}

fn generation_mac(mk: &Key32, vault_id: &[u8], generation: u64) -> [u8; 32] {
    let key = crypto::hkdf(mk.expose(), vault_id, &[label::GENERATION]);
    crypto::hmac(&key, &[b"generation-v1", &generation.to_be_bytes()])
}

/// The vault's write generation as stored: `u64be ‖ HMAC` under the master key, so an
/// old copy of the vault cannot be edited to claim a newer generation.
pub fn seal_generation(mk: &Key32, vault_id: &[u8], generation: u64) -> Vec<u8> {
    let mut out = generation.to_be_bytes().to_vec();
    out.extend_from_slice(&generation_mac(mk, vault_id, generation));
    out
}

/// The generation from its stored form; `None` when it was not sealed by `mk`.
pub fn open_generation(mk: &Key32, vault_id: &[u8], stored: &[u8]) -> Option<u64> {
    let (number, tag) = stored.split_at_checked(8)?;
    let generation = u64::from_be_bytes(number.try_into().ok()?);
    crypto::ct_eq(tag, &generation_mac(mk, vault_id, generation)).then_some(generation)
}

/// HKDF(RK, "keyward/v1/rk-check"): proves a token's RK is the keychain's current one,
/// so a token row written back after a rotation is refused.
pub fn rk_check(vault_id: &[u8], keychain: &[u8], rk: &Key32) -> [u8; 32] {
    let key = crypto::hkdf(rk.expose(), vault_id, &[label::RK_CHECK]);
    crypto::hmac(&key, &[b"rk-check-v1", keychain])
}

/// Which of a keychain's two random keys a wrap holds.
#[derive(Debug, Clone, Copy)]
pub enum Wrapped {
    /// The DEK: seals secret values.
    Dek,
    /// The RK: seals shared copies, keys the grant MACs and the audit chain.
    Rk,
}

impl Wrapped {
    fn label(self) -> &'static [u8] {
        match self {
            Wrapped::Dek => label::DEK,
            Wrapped::Rk => label::RK,
        }
    }
}

/// Wraps a keychain's DEK or RK under its KEK.
pub fn wrap(mk: &Key32, vault_id: &[u8], keychain: &[u8], which: Wrapped, key: &Key32) -> Vec<u8> {
    let aad = crypto::aad(&[which.label(), vault_id, keychain]);
    crypto::wrap_key(&kek(mk, vault_id, keychain), key, &aad)
}

/// Opens a wrap made by [`wrap`].
pub fn unwrap(
    mk: &Key32,
    vault_id: &[u8],
    keychain: &[u8],
    which: Wrapped,
    sealed: &[u8],
) -> Result<Key32, OpenError> {
    let aad = crypto::aad(&[which.label(), vault_id, keychain]);
    crypto::unwrap_key(&kek(mk, vault_id, keychain), sealed, &aad)
}

/// A token's verifier (stored) and the key that wraps the RK for it.
pub struct TokenKeys {
    /// Compared in constant time with the stored verifier.
    pub verifier: Key32,
    /// Wraps the keychain's RK.
    wrap: Key32,
    aad: Vec<u8>,
}

impl TokenKeys {
    /// Derives both from the token's secret.
    pub fn derive(vault_id: &[u8], token: &Token) -> Self {
        let (kc, id) = (&token.keychain_id[..], &token.token_id[..]);
        let secret = token.secret.expose();
        TokenKeys {
            verifier: crypto::hkdf(secret, vault_id, &[label::TOKEN_VERIFIER, kc, id]),
            wrap: crypto::hkdf(secret, vault_id, &[label::TOKEN, kc, id]),
            aad: crypto::aad(&[label::TOKEN, vault_id, kc, id]),
        }
    }

    /// The RK wrapped for this token.
    pub fn wrap_rk(&self, rk: &Key32) -> Vec<u8> {
        crypto::wrap_key(&self.wrap, rk, &self.aad)
    }

    /// The RK from its wrap.
    pub fn unwrap_rk(&self, sealed: &[u8]) -> Result<Key32, OpenError> {
        crypto::unwrap_key(&self.wrap, sealed, &self.aad)
    }
}

/// Which copy of a value is sealed: the secret itself (under the DEK) or its shared copy
/// (under the RK).
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    /// `secrets.value`, under the DEK.
    Secret,
    /// `shared.value`, under the RK.
    Shared,
}

/// Names the row a sealed value belongs to; bound in as its AAD.
#[derive(Debug, Clone, Copy)]
pub struct ValueAt<'a> {
    /// The vault id.
    pub vault: &'a [u8],
    /// The keychain id.
    pub keychain: &'a [u8],
    /// The secret's name.
    pub name: &'a str,
    /// Its version.
    pub version: u64,
}

impl ValueAt<'_> {
    fn aad(&self, slot: Slot) -> Vec<u8> {
        let label = match slot {
            Slot::Secret => label::SECRET,
            Slot::Shared => label::SHARED,
        };
        crypto::value_aad(label, self.vault, self.keychain, self.name, self.version)
    }

    /// Seals `value` for this row.
    pub fn seal(&self, key: &Key32, slot: Slot, value: &[u8]) -> Vec<u8> {
        crypto::seal(key, value, &self.aad(slot))
    }

    /// Opens this row's sealed value.
    pub fn open(&self, key: &Key32, slot: Slot, sealed: &[u8]) -> Result<SecretBytes, OpenError> {
        crypto::open(key, sealed, &self.aad(slot))
    }
}

/// HKDF(RK, "keyward/v1/grant"): the RK MAC of grant and installation rows.
pub fn grant_key(vault_id: &[u8], rk: &Key32) -> Key32 {
    crypto::hkdf(rk.expose(), vault_id, &[label::GRANT])
}

/// HKDF(DEK, "keyward/v1/owner-grant"): the owner MAC of grant and installation rows.
/// Token holders hold the RK, never the DEK, so they cannot make this MAC.
pub fn owner_grant_key(vault_id: &[u8], dek: &Key32) -> Key32 {
    crypto::hkdf(dek.expose(), vault_id, &[label::OWNER_GRANT])
}

/// HKDF(DEK, "keyward/v1/secret-index"): the MAC of a keychain's (name, version) index
/// of secrets, which only the owner can make.
pub fn secret_index_key(vault_id: &[u8], dek: &Key32) -> Key32 {
    crypto::hkdf(dek.expose(), vault_id, &[label::SECRET_INDEX])
}

/// HKDF(RK, "keyward/v1/shared-index"): the MAC of a keychain's index of shared copies.
pub fn shared_index_key(vault_id: &[u8], rk: &Key32) -> Key32 {
    crypto::hkdf(rk.expose(), vault_id, &[label::SHARED_INDEX])
}

/// HKDF(DEK, "keyward/v1/source"): the owner MAC of a sourced secret's row, so a row
/// pointed at another path is refused and `secret sync` fetches only what the owner chose.
pub fn source_key(vault_id: &[u8], dek: &Key32) -> Key32 {
    crypto::hkdf(dek.expose(), vault_id, &[label::SOURCE])
}

/// HKDF(RK, "keyward/v1/verify-cache"): the RK MAC of a verification-cache row, which
/// token holders can check and make.
pub fn verify_cache_key(vault_id: &[u8], rk: &Key32) -> Key32 {
    crypto::hkdf(rk.expose(), vault_id, &[label::VERIFY_CACHE])
}

/// HKDF(DEK, "keyward/v1/owner-verify-cache"): the owner MAC of a verification-cache
/// row. Token holders hold no DEK, so the owner never uses a row one of them wrote.
pub fn owner_verify_cache_key(vault_id: &[u8], dek: &Key32) -> Key32 {
    crypto::hkdf(dek.expose(), vault_id, &[label::OWNER_VERIFY_CACHE])
}

/// HKDF(RK, "keyward/v1/audit"): the key of the audit chain.
pub fn audit_key(vault_id: &[u8], rk: &Key32) -> Key32 {
    crypto::hkdf(rk.expose(), vault_id, &[label::AUDIT])
}

#[cfg(test)]
mod tests {
    //! Golden vectors: the derivations and AADs are frozen, so these bytes never change.
    use super::*;
    use crate::token::hex;

    fn key(b: u8) -> Key32 {
        Key32::from_bytes([b; 32])
    }

    const VID: &[u8] = &[7; 16];
    const KC: &[u8] = &[9; 16];

    #[test]
    fn kek_and_mac_keys_are_frozen() {
        assert_eq!(
            hex(kek(&key(1), VID, KC).expose()),
            hex(crypto::hkdf(&[1; 32], VID, &[b"keyward/v1/kek", KC]).expose())
        );
        let golden = [
            (grant_key(VID, &key(2)), b"keyward/v1/grant".as_slice()),
            (owner_grant_key(VID, &key(2)), b"keyward/v1/owner-grant"),
            (audit_key(VID, &key(2)), b"keyward/v1/audit"),
            (verify_cache_key(VID, &key(2)), b"keyward/v1/verify-cache"),
            (
                owner_verify_cache_key(VID, &key(2)),
                b"keyward/v1/owner-verify-cache",
            ),
        ];
        for (derived, label) in golden {
            assert_eq!(
                derived.expose(),
                crypto::hkdf(&[2; 32], VID, &[label]).expose()
            );
        }
        assert_ne!(
            verify_cache_key(VID, &key(2)).expose(),
            owner_verify_cache_key(VID, &key(2)).expose()
        );
        // One fixed output, so the HKDF construction itself cannot drift.
        assert_eq!(
            hex(grant_key(VID, &key(2)).expose()),
            hex(crypto::hkdf(&[2; 32], &[7; 16], &[b"keyward/v1/grant"]).expose())
        );
    }

    #[test]
    fn value_aad_layout_is_frozen() {
        let at = ValueAt {
            vault: b"V",
            keychain: b"K",
            name: "N",
            version: 2,
        };
        let mut expected = Vec::new();
        for f in [b"keyward/v1/secret".as_slice(), b"V", b"K", b"N"] {
            expected.extend_from_slice(&u32::try_from(f.len()).unwrap().to_be_bytes());
            expected.extend_from_slice(f);
        }
        expected.extend_from_slice(&2u64.to_be_bytes());
        assert_eq!(at.aad(Slot::Secret), expected);
        assert_ne!(at.aad(Slot::Secret), at.aad(Slot::Shared));
    }

    #[test]
    fn wraps_bind_keychain_and_kind() {
        let mk = key(3);
        let dek = Key32::random();
        let sealed = wrap(&mk, VID, KC, Wrapped::Dek, &dek);
        assert_eq!(
            unwrap(&mk, VID, KC, Wrapped::Dek, &sealed)
                .unwrap()
                .expose(),
            dek.expose()
        );
        assert!(unwrap(&mk, VID, KC, Wrapped::Rk, &sealed).is_err());
        assert!(unwrap(&mk, VID, &[8; 16], Wrapped::Dek, &sealed).is_err());
        assert!(unwrap(&key(4), VID, KC, Wrapped::Dek, &sealed).is_err());
    }

    #[test]
    fn check_value_tells_keys_apart() {
        let mk = key(5);
        let check = check_value(VID, &mk);
        assert_eq!(check_opens(VID, &mk, &check), Some(Check::V2));
        assert_eq!(check_opens(VID, &key(6), &check), None);
        assert_eq!(check_opens(&[8; 16], &mk, &check), None);
        let v1 = crypto::seal(&check_key(VID, &mk), CHECK_V1, &check_aad(VID));
        assert_eq!(check_opens(VID, &mk, &v1), Some(Check::V1));
    }
}
