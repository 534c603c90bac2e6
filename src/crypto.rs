//! Primitives: XChaCha20-Poly1305 seal/open with bound AAD, HKDF-SHA256 subkeys and
//! HMAC-SHA256. No I/O and no policy: the vault decides what is sealed under what.
//!
//! The labels and the AAD layout are frozen (DESIGN.md "Keys and encryption"):
//! changing a byte here makes every existing vault unreadable.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::secret::{Key32, SecretBytes};

/// HKDF info labels. Frozen.
pub mod label {
    /// Derives the key that seals the vault's check value.
    pub const CHECK: &[u8] = b"keyward/v1/check";
    /// Prefix of the per-keychain KEK label; the keychain id follows.
    pub const KEK: &[u8] = b"keyward/v1/kek";
    /// AAD label of a secret value sealed under the DEK.
    pub const SECRET: &[u8] = b"keyward/v1/secret";
    /// AAD label of a shared copy sealed under the RK.
    pub const SHARED: &[u8] = b"keyward/v1/shared";
    /// AAD label of the DEK wrapped under the KEK.
    pub const DEK: &[u8] = b"keyward/v1/dek";
    /// AAD label of the RK wrapped under the KEK.
    pub const RK: &[u8] = b"keyward/v1/rk";
    /// Prefix of the label deriving a token's wrapping key (keychain id, token id follow).
    pub const TOKEN: &[u8] = b"keyward/v1/token";
    /// Prefix of the label deriving a token's verifier.
    pub const TOKEN_VERIFIER: &[u8] = b"keyward/v1/token-verifier";
    /// AAD label of the master key wrapped under a passphrase.
    pub const PASSPHRASE: &[u8] = b"keyward/v1/passphrase";
    /// Derives the grant/installation MAC key from the RK.
    pub const GRANT: &[u8] = b"keyward/v1/grant";
    /// Derives the owner-only grant MAC key from the DEK.
    pub const OWNER_GRANT: &[u8] = b"keyward/v1/owner-grant";
    /// Derives the audit-chain MAC key from the RK.
    pub const AUDIT: &[u8] = b"keyward/v1/audit";
    /// Derives the key binding a keychain's name to its id from the MK.
    pub const KEYCHAIN_NAME: &[u8] = b"keyward/v1/keychain-name";
    /// Derives the owner's secret-index MAC key from the DEK.
    pub const SECRET_INDEX: &[u8] = b"keyward/v1/secret-index";
    /// Derives the shared-copy index MAC key from the RK.
    pub const SHARED_INDEX: &[u8] = b"keyward/v1/shared-index";
    /// Derives the key of the vault's write-generation MAC from the MK.
    pub const GENERATION: &[u8] = b"keyward/v1/generation";
    /// Derives the key of the RK check from the RK.
    pub const RK_CHECK: &[u8] = b"keyward/v1/rk-check";
    /// Derives the owner MAC key of a secret's OpenBao source row from the DEK.
    pub const SOURCE: &[u8] = b"keyward/v1/source";
    /// Derives the RK MAC key of a verification-cache row from the RK.
    pub const VERIFY_CACHE: &[u8] = b"keyward/v1/verify-cache";
    /// Derives the owner MAC key of a verification-cache row from the DEK.
    pub const OWNER_VERIFY_CACHE: &[u8] = b"keyward/v1/owner-verify-cache";
}

/// Nonce length of XChaCha20-Poly1305.
pub const NONCE_LEN: usize = 24;
/// Authentication tag length.
pub const TAG_LEN: usize = 16;

/// Sealing or opening failed: the key is wrong or the bytes or their AAD were altered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("authentication failed: wrong key, or the data or its context was altered")]
pub struct OpenError;

/// Appends `u32be(len(x)) ‖ x`, the length-prefix used by every AAD and digest record.
pub fn put_lp(out: &mut Vec<u8>, x: &[u8]) {
    let len = u32::try_from(x.len()).expect("lp fields are names and ids, far below 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(x);
}

/// Builds an AAD of length-prefixed fields: `lp(f0) lp(f1) …`.
pub fn aad(fields: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(fields.iter().map(|f| f.len() + 4).sum());
    for field in fields {
        put_lp(&mut out, field);
    }
    out
}

/// AAD of a value sealed under `label` (SECRET under the DEK, SHARED under the RK):
/// `lp(label) lp(vault id) lp(keychain id) lp(name) u64be(version)`.
pub fn value_aad(
    label: &[u8],
    vault_id: &[u8],
    keychain: &[u8],
    name: &str,
    version: u64,
) -> Vec<u8> {
    let mut out = aad(&[label, vault_id, keychain, name.as_bytes()]);
    out.extend_from_slice(&version.to_be_bytes());
    out
}

/// Encrypts `plaintext` under `key` with a fresh random nonce; returns `nonce ‖ ciphertext`.
pub fn seal(key: &Key32, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// Decrypts `nonce ‖ ciphertext` produced by [`seal`] with the same key and AAD.
pub fn open(key: &Key32, sealed: &[u8], aad: &[u8]) -> Result<SecretBytes, OpenError> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(OpenError);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(SecretBytes::new)
        .map_err(|_| OpenError)
}

/// Seals a 32-byte key (a DEK or RK wrapped under a KEK or token key).
pub fn wrap_key(kek: &Key32, key: &Key32, aad: &[u8]) -> Vec<u8> {
    seal(kek, key.expose(), aad)
}

/// Opens a key sealed by [`wrap_key`].
pub fn unwrap_key(kek: &Key32, sealed: &[u8], aad: &[u8]) -> Result<Key32, OpenError> {
    let plain = open(kek, sealed, aad)?;
    Key32::try_from_slice(plain.expose()).ok_or(OpenError)
}

/// HKDF-SHA256(ikm, salt, info) → 32 bytes.
pub fn hkdf(ikm: &[u8], salt: &[u8], info: &[&[u8]]) -> Key32 {
    let hk = Hkdf::<Sha256>::new(Some(salt), ikm);
    let mut out = Zeroizing::new([0u8; 32]);
    hk.expand_multi_info(info, out.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    Key32::from_bytes(*out)
}

/// HMAC-SHA256 over the concatenation of `parts`.
pub fn hmac(key: &Key32, parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose())
        .expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Constant-time equality for MACs and verifiers.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip() {
        let key = Key32::random();
        let sealed = seal(&key, b"value", b"ctx");
        assert_eq!(open(&key, &sealed, b"ctx").unwrap().expose(), b"value");
    }

    #[test]
    fn tamper_wrong_key_or_aad_fails() {
        let key = Key32::random();
        let sealed = seal(&key, b"value", b"ctx");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert_eq!(open(&key, &bad, b"ctx").unwrap_err(), OpenError, "byte {i}");
        }
        assert!(open(&Key32::random(), &sealed, b"ctx").is_err());
        assert!(open(&key, &sealed, b"ctx2").is_err());
        assert!(open(&key, &sealed[..10], b"ctx").is_err());
    }

    #[test]
    fn aad_fields_are_unambiguous() {
        assert_ne!(aad(&[b"ab", b"c"]), aad(&[b"a", b"bc"]));
        assert_eq!(aad(&[b"ab"]), vec![0, 0, 0, 2, b'a', b'b']);
    }

    #[test]
    fn hkdf_separates_labels_and_salts() {
        let a = hkdf(b"ikm", b"salt", &[label::KEK, b"1"]);
        let b = hkdf(b"ikm", b"salt", &[label::KEK, b"2"]);
        let c = hkdf(b"ikm", b"salt2", &[label::KEK, b"1"]);
        assert_ne!(a.expose(), b.expose());
        assert_ne!(a.expose(), c.expose());
        // RFC 5869 structure: same inputs, same output.
        assert_eq!(
            a.expose(),
            hkdf(b"ikm", b"salt", &[label::KEK, b"1"]).expose()
        );
    }

    #[test]
    fn ct_eq_compares_lengths_and_bytes() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
