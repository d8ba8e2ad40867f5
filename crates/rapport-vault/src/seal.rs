//! Sealing secrets with a [`DataKey`]: [`seal`], [`open`] and the string helpers.
//!
//! Each seal draws a fresh random 96-bit nonce, which is safe for up to about 2^32 seals under
//! one key. The associated data (`aad`) is not stored; it binds a ciphertext to where it
//! belongs, e.g. `b"org:<uuid>|user_totp:<uuid>"`. Opening with different associated data
//! fails, so a ciphertext copied into another row or column does not decrypt.

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretBox, SecretString};

use crate::dek::DataKey;
use crate::error::{VaultError, VaultResult};
use crate::util::{NONCE_LEN, TAG_LEN, b64url_decode, b64url_encode, decrypt, encrypt};

const TEXT_PREFIX: &str = "v1.";
const WHAT: &str = "sealed value";

/// A sealed secret: `nonce || ciphertext || tag`. Not secret itself.
///
/// Its text form, for a database column, is `v1.<base64url without padding>`
/// ([`Display`](fmt::Display) and [`FromStr`]); [`Sealed::as_bytes`] and
/// [`Sealed::from_bytes`] give the binary form for blob columns.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(Vec<u8>);

impl Sealed {
    /// The binary form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Parses the binary form (checks only its length; authenticity is checked by [`open`]).
    pub fn from_bytes(bytes: Vec<u8>) -> VaultResult<Self> {
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(VaultError::bad_format(WHAT, "shorter than nonce and tag"));
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TEXT_PREFIX}{}", b64url_encode(&self.0))
    }
}

impl FromStr for Sealed {
    type Err = VaultError;

    fn from_str(text: &str) -> VaultResult<Self> {
        let body = text
            .strip_prefix(TEXT_PREFIX)
            .ok_or_else(|| VaultError::bad_format(WHAT, "expected prefix \"v1.\""))?;
        Self::from_bytes(b64url_decode(body, WHAT)?)
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

/// Encrypts `plaintext` under `dek`, bound to `aad`.
pub fn seal(dek: &DataKey, plaintext: &[u8], aad: &[u8]) -> VaultResult<Sealed> {
    encrypt(&dek.cipher(), plaintext, aad).map(Sealed)
}

/// Decrypts what [`seal`] produced with the same `dek` and `aad`.
///
/// Fails with [`VaultError::WrongKeyOrTampered`] on any other key, associated data or a
/// modified ciphertext.
pub fn open(dek: &DataKey, sealed: &Sealed, aad: &[u8]) -> VaultResult<SecretBox<[u8]>> {
    let plain = decrypt(&dek.cipher(), &sealed.0, aad)?;
    // Copy into an exactly sized box: converting the Vec could reallocate and leave an
    // unwiped copy behind. `plain` is wiped when dropped.
    Ok(SecretBox::new(Box::from(plain.as_slice())))
}

/// [`seal`] for a secret string (token, password, API secret).
pub fn seal_str(dek: &DataKey, plaintext: &SecretString, aad: &[u8]) -> VaultResult<Sealed> {
    seal(dek, plaintext.expose_secret().as_bytes(), aad)
}

/// [`open`] for what [`seal_str`] produced.
pub fn open_string(dek: &DataKey, sealed: &Sealed, aad: &[u8]) -> VaultResult<SecretString> {
    let plain = decrypt(&dek.cipher(), &sealed.0, aad)?;
    let text = std::str::from_utf8(&plain)
        .map_err(|_| VaultError::bad_format(WHAT, "plaintext is not UTF-8"))?;
    Ok(SecretString::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AAD: &[u8] = b"org:0190a0b1-0000-7000-8000-000000000001|user_totp:42";

    #[test]
    fn round_trip_bytes_and_text_form() {
        let dek = DataKey::generate().unwrap();
        let sealed = seal(&dek, b"hunter2", AAD).unwrap();
        let text = sealed.to_string();
        assert!(text.starts_with("v1."));
        assert!(!text.contains("hunter2"));
        let parsed: Sealed = text.parse().unwrap();
        assert_eq!(parsed, sealed);
        assert_eq!(
            open(&dek, &parsed, AAD).unwrap().expose_secret(),
            b"hunter2"
        );
    }

    #[test]
    fn round_trip_string_and_empty() {
        let dek = DataKey::generate().unwrap();
        let secret = SecretString::from("xoxb-token-é");
        let sealed = seal_str(&dek, &secret, AAD).unwrap();
        assert_eq!(
            open_string(&dek, &sealed, AAD).unwrap().expose_secret(),
            "xoxb-token-é"
        );
        let empty = seal(&dek, b"", AAD).unwrap();
        assert!(open(&dek, &empty, AAD).unwrap().expose_secret().is_empty());
    }

    #[test]
    fn known_answer_aes_256_gcm() {
        // GCM specification test cases 13 and 14: zero key, zero nonce, no associated data.
        let dek = DataKey::from_slice(&[0u8; 32]).unwrap();
        let hex_bytes = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let empty = [vec![0u8; 12], hex_bytes("530f8afbc74536b9a963b4f1c4cb738b")].concat();
        let opened = open(&dek, &Sealed::from_bytes(empty).unwrap(), b"").unwrap();
        assert!(opened.expose_secret().is_empty());
        let block = [
            vec![0u8; 12],
            hex_bytes("cea7403d4d606b6e074ec5d3baf39d18"),
            hex_bytes("d0d1c8a799996bf0265b98b5d48ab919"),
        ]
        .concat();
        let opened = open(&dek, &Sealed::from_bytes(block).unwrap(), b"").unwrap();
        assert_eq!(opened.expose_secret(), &[0u8; 16]);
    }

    #[test]
    fn nonces_are_fresh() {
        let dek = DataKey::generate().unwrap();
        assert_ne!(
            seal(&dek, b"same", AAD).unwrap(),
            seal(&dek, b"same", AAD).unwrap()
        );
    }

    #[test]
    fn wrong_aad_fails() {
        let dek = DataKey::generate().unwrap();
        let sealed = seal(&dek, b"secret", AAD).unwrap();
        let other_row = b"org:0190a0b1-0000-7000-8000-000000000001|user_totp:43";
        assert!(matches!(
            open(&dek, &sealed, other_row),
            Err(VaultError::WrongKeyOrTampered)
        ));
    }

    #[test]
    fn flipped_bit_fails_anywhere() {
        let dek = DataKey::generate().unwrap();
        let sealed = seal(&dek, b"secret", AAD).unwrap();
        for i in 0..sealed.as_bytes().len() {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[i] ^= 0x01;
            let tampered = Sealed::from_bytes(bytes).unwrap();
            assert!(matches!(
                open(&dek, &tampered, AAD),
                Err(VaultError::WrongKeyOrTampered)
            ));
        }
    }

    #[test]
    fn wrong_dek_fails() {
        let sealed = seal(&DataKey::generate().unwrap(), b"secret", AAD).unwrap();
        let other = DataKey::generate().unwrap();
        assert!(matches!(
            open(&other, &sealed, AAD),
            Err(VaultError::WrongKeyOrTampered)
        ));
    }

    #[test]
    fn malformed_text_is_typed() {
        for bad in ["", "v2.AAAA", "v1.!!!", "v1.AAAA"] {
            assert!(
                matches!(bad.parse::<Sealed>(), Err(VaultError::BadFormat { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_is_short_and_secrets_redacted() {
        let dek = DataKey::generate().unwrap();
        let sealed = seal(&dek, b"hunter2", AAD).unwrap();
        assert_eq!(format!("{sealed:?}"), "Sealed(35 bytes)");
        let opened = open_string(&dek, &seal(&dek, b"hunter2", AAD).unwrap(), AAD).unwrap();
        assert!(!format!("{opened:?}").contains("hunter2"));
        let bytes = open(&dek, &sealed, AAD).unwrap();
        assert!(!format!("{bytes:?}").contains("104")); // 'h'
    }
}
