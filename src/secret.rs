//! Types that hold secret bytes: zeroed on drop, redacted in `Debug`, never `Copy`,
//! `Clone` only where a copy is needed, and never `Serialize`.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// A 32-byte symmetric key (MK, KEK, DEK, RK, or a derived subkey).
///
/// Security: the bytes are reachable only through [`Key32::expose`]; keep the borrow short.
#[derive(Clone, Zeroize, zeroize::ZeroizeOnDrop)]
pub struct Key32([u8; 32]);

impl Key32 {
    /// Wraps raw key bytes; the caller's copy should be zeroed or dropped.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Key32(bytes)
    }

    /// A new key from the operating system's CSPRNG.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        Key32(bytes)
    }

    /// Builds a key from a slice that must be exactly 32 bytes.
    pub fn try_from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(Key32(arr))
    }

    /// The key bytes. Do not copy them anywhere that outlives the borrow.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Key32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key32(<redacted>)")
    }
}

/// A secret value of any length (what `secret set` stores and `run` hands out).
#[derive(Clone, Default)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Takes ownership of `bytes`; they are zeroed when this value drops.
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretBytes(Zeroizing::new(bytes))
    }

    /// The value. Keep the borrow short and never log it.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Mutable access, for readers that fill the buffer in place.
    pub fn expose_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<redacted, {} bytes>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let key = Key32::from_bytes([0x41; 32]);
        let value = SecretBytes::new(b"canary-value".to_vec());
        let shown = format!("{key:?} {value:?} {key:#?} {value:#?}");
        assert!(!shown.contains("AAAA"), "{shown}");
        assert!(!shown.contains("65, 65"), "{shown}");
        assert!(!shown.contains("canary"), "{shown}");
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(Key32::random().expose(), Key32::random().expose());
    }
}
