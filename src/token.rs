//! Keychain bearer tokens: `kw_` ‖ base64url(keychain id ‖ token id ‖ 32 random bytes)
//! ‖ 8 hex digits of CRC32 over everything before them.
//!
//! The checksum lets keyward refuse a mistyped or truncated token before it opens the
//! vault, and lets secret scanners recognise a keyward token. It is not a MAC: the
//! vault's verifier decides whether the token is genuine.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::secret::Key32;

/// Every token starts with this.
pub const PREFIX: &str = "kw_";
const ID_LEN: usize = 16;
const PAYLOAD_LEN: usize = ID_LEN * 2 + 32;

/// A parsed bearer token. The random part is secret; the ids are not.
pub struct Token {
    /// The keychain the token opens.
    pub keychain_id: [u8; ID_LEN],
    /// Which of the keychain's tokens this is.
    pub token_id: [u8; ID_LEN],
    /// The 32 random bytes; only derived keys are ever stored.
    pub secret: Key32,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("keychain_id", &hex(&self.keychain_id))
            .field("token_id", &hex(&self.token_id))
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Why a string is not a keyward token. Never echoes the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenFormatError {
    /// Does not start with `kw_`.
    #[error("KEYWARD_TOKEN does not start with `kw_`, so it is not a keyward token")]
    Prefix,
    /// Wrong length or not base64url.
    #[error("KEYWARD_TOKEN is malformed (wrong length or characters); it may be truncated")]
    Encoding,
    /// The CRC32 does not match.
    #[error("KEYWARD_TOKEN fails its checksum; it was mistyped or truncated")]
    Checksum,
}

impl Token {
    /// A fresh token for `keychain_id` with a random id and secret.
    pub fn generate(keychain_id: [u8; ID_LEN]) -> Self {
        let mut token_id = [0u8; ID_LEN];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut token_id);
        Token {
            keychain_id,
            token_id,
            secret: Key32::random(),
        }
    }

    /// The string handed to the user, printed once.
    pub fn encode(&self) -> Zeroizing<String> {
        let mut payload = Zeroizing::new(Vec::with_capacity(PAYLOAD_LEN));
        payload.extend_from_slice(&self.keychain_id);
        payload.extend_from_slice(&self.token_id);
        payload.extend_from_slice(self.secret.expose());
        let mut out = Zeroizing::new(String::with_capacity(PREFIX.len() + 86 + 8));
        out.push_str(PREFIX);
        URL_SAFE_NO_PAD.encode_string(&payload[..], &mut out);
        let crc = crc32fast::hash(out.as_bytes());
        out.push_str(&format!("{crc:08x}"));
        out
    }

    /// Parses and checks the format; says nothing about whether the vault accepts it.
    pub fn parse(text: &str) -> Result<Self, TokenFormatError> {
        let text = text.trim();
        let body = text.strip_prefix(PREFIX).ok_or(TokenFormatError::Prefix)?;
        if !body.is_ascii() || body.len() < 8 {
            return Err(TokenFormatError::Encoding);
        }
        let (b64, crc_hex) = body.split_at(body.len() - 8);
        let crc = u32::from_str_radix(crc_hex, 16).map_err(|_| TokenFormatError::Encoding)?;
        if crc32fast::hash(&text.as_bytes()[..text.len() - 8]) != crc {
            return Err(TokenFormatError::Checksum);
        }
        let payload = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(b64)
                .map_err(|_| TokenFormatError::Encoding)?,
        );
        if payload.len() != PAYLOAD_LEN {
            return Err(TokenFormatError::Encoding);
        }
        let id = |range: std::ops::Range<usize>| -> [u8; ID_LEN] {
            payload[range].try_into().expect("range is ID_LEN long")
        };
        Ok(Token {
            keychain_id: id(0..ID_LEN),
            token_id: id(ID_LEN..2 * ID_LEN),
            secret: Key32::try_from_slice(&payload[2 * ID_LEN..]).expect("32 bytes remain"),
        })
    }
}

/// Lower-case hex of `bytes`, for ids in messages and keyring account names.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let token = Token::generate([7; 16]);
        let text = token.encode();
        assert!(text.starts_with("kw_"));
        let parsed = Token::parse(&text).unwrap();
        assert_eq!(parsed.keychain_id, [7; 16]);
        assert_eq!(parsed.token_id, token.token_id);
        assert_eq!(parsed.secret.expose(), token.secret.expose());
    }

    #[test]
    fn rejects_bad_prefix_checksum_and_length() {
        let text = Token::generate([1; 16]).encode().to_string();
        assert_eq!(
            Token::parse(&text[1..]).unwrap_err(),
            TokenFormatError::Prefix
        );
        let mut flipped = text.clone().into_bytes();
        flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(
            Token::parse(&flipped).unwrap_err(),
            TokenFormatError::Checksum
        );
        assert_eq!(
            Token::parse("kw_abc").unwrap_err(),
            TokenFormatError::Encoding
        );
        assert!(Token::parse(&text[..text.len() - 1]).is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let token = Token::generate([1; 16]);
        let shown = format!("{token:?}");
        assert!(shown.contains("redacted"));
        assert!(!shown.contains(&hex(token.secret.expose())));
    }
}
