//! [`DataKey`]: the 256-bit data-encryption key (DEK) that seals the actual secrets.
//!
//! A DEK exists in plaintext only in memory. It is stored as a [`WrappedKey`](crate::WrappedKey)
//! (encrypted under a key-encryption key), lives on the heap so moves do not leave copies on
//! the stack, is wiped on drop, and never prints.

use std::fmt;

use aes_gcm::KeyInit;
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{VaultError, VaultResult};
use crate::util::{Cipher, fill_random};

/// Length of a data key in bytes (AES-256).
pub const DATA_KEY_LEN: usize = 32;

/// A 256-bit AES-GCM data key, e.g. one per org or one per data subject.
///
/// Deleting every wrapped copy of a subject's key makes everything sealed under it unreadable
/// ("crypto-shredding"). `DataKey` is deliberately not `Clone`; share it with `Arc` if needed.
pub struct DataKey(SecretBox<[u8; DATA_KEY_LEN]>);

impl DataKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> VaultResult<Self> {
        let mut key = Self::zeroed();
        fill_random(key.0.expose_secret_mut())?;
        Ok(key)
    }

    /// A key from raw bytes, e.g. as returned by a KMS. The caller should wipe its own copy.
    pub fn from_slice(bytes: &[u8]) -> VaultResult<Self> {
        if bytes.len() != DATA_KEY_LEN {
            return Err(VaultError::bad_format("data key", "must be 32 bytes"));
        }
        let mut key = Self::zeroed();
        key.0.expose_secret_mut().copy_from_slice(bytes);
        Ok(key)
    }

    fn zeroed() -> Self {
        Self(SecretBox::new(Box::new([0u8; DATA_KEY_LEN])))
    }

    /// The AES-256-GCM cipher keyed with this key (its key schedule is wiped on drop).
    pub(crate) fn cipher(&self) -> Cipher {
        Cipher::new(self.0.expose_secret().into())
    }
}

/// The raw key bytes, for [`KekProvider`](crate::KekProvider) implementations that wrap them.
impl ExposeSecret<[u8; DATA_KEY_LEN]> for DataKey {
    fn expose_secret(&self) -> &[u8; DATA_KEY_LEN] {
        self.0.expose_secret()
    }
}

impl Zeroize for DataKey {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// The inner `SecretBox` wipes the key when dropped.
impl ZeroizeOnDrop for DataKey {}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(**redacted**)")
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    use super::*;
    use crate::util::hex;

    #[test]
    fn generated_keys_differ() {
        let a = DataKey::generate().unwrap();
        let b = DataKey::generate().unwrap();
        assert_ne!(a.expose_secret(), b.expose_secret());
    }

    #[test]
    fn from_slice_checks_length() {
        assert!(matches!(
            DataKey::from_slice(&[1u8; 31]),
            Err(VaultError::BadFormat { .. })
        ));
        let key = DataKey::from_slice(&[7u8; 32]).unwrap();
        assert_eq!(key.expose_secret(), &[7u8; 32]);
    }

    #[test]
    fn debug_does_not_show_key() {
        let key = DataKey::generate().unwrap();
        let debug = format!("{key:?} {:#?}", key);
        assert_eq!(format!("{key:?}"), "DataKey(**redacted**)");
        let bytes = key.expose_secret();
        for encoded in [
            hex(bytes),
            STANDARD.encode(bytes),
            URL_SAFE_NO_PAD.encode(bytes),
        ] {
            assert!(!debug.contains(&encoded));
        }
        assert!(!debug.contains(&format!("{bytes:?}")));
    }

    #[test]
    fn zeroize_wipes() {
        let mut key = DataKey::from_slice(&[9u8; 32]).unwrap();
        key.zeroize();
        assert_eq!(key.expose_secret(), &[0u8; 32]);
    }
}
