//! An attacker's toolkit, written from DESIGN.md with the crates directly (not with
//! keyward's code): length prefixes, HKDF, HMAC and XChaCha20-Poly1305, for tests that
//! forge or read rows with `sqlite3` as someone holding a key would.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use hmac::Mac;
use sha2::Sha256;

/// Appends `u32be(len(x)) ‖ x`.
pub fn lp(out: &mut Vec<u8>, x: &[u8]) {
    out.extend_from_slice(&u32::try_from(x.len()).unwrap().to_be_bytes());
    out.extend_from_slice(x);
}

/// `lp(f0) lp(f1) …`.
pub fn aad(fields: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        lp(&mut out, f);
    }
    out
}

/// HKDF-SHA256 to 32 bytes.
pub fn hkdf(ikm: &[u8], salt: &[u8], info: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand_multi_info(info, &mut out)
        .unwrap();
    out
}

/// HMAC-SHA256.
pub fn hmac(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Opens `nonce ‖ ciphertext`.
pub fn open(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    chacha20poly1305::XChaCha20Poly1305::new(key.into())
        .decrypt(
            chacha20poly1305::XNonce::from_slice(sealed.get(..24)?),
            Payload {
                msg: &sealed[24..],
                aad,
            },
        )
        .ok()
}

/// Seals under a fixed nonce (tests only: the nonce is not secret, just unique here).
pub fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let nonce = [7u8; 24];
    let mut out = nonce.to_vec();
    out.extend(
        chacha20poly1305::XChaCha20Poly1305::new(key.into())
            .encrypt(
                chacha20poly1305::XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .unwrap(),
    );
    out
}

/// Upper-case hex, as `sqlite3`'s `hex()` prints.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Bytes from hex.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
