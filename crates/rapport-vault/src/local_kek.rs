//! [`LocalKek`]: a key-encryption key held by this process, from a key file or an environment
//! variable.
//!
//! The key is 32 random bytes, written as standard base64 plus a newline. It wraps data keys
//! with AES-256-GCM under a random nonce; the wrapped form is `nonce || ciphertext || tag`
//! (60 bytes). Its id is `local-` and the hex of the first 8 bytes of a SHA-256 over the key,
//! so ids tell keys apart without revealing them.
//!
//! See [`key_file`](mod@crate::key_file) for how key files are created and which permissions are
//! accepted.

use std::fmt;
use std::path::Path;

use aes_gcm::KeyInit;
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::dek::{DATA_KEY_LEN, DataKey};
use crate::error::{VaultError, VaultResult};
use crate::kek::KekProvider;
use crate::key_file;
use crate::util::{Cipher, decrypt, encrypt, hex};
use crate::wrapped::WrappedKey;

/// Length of a local KEK in bytes.
pub const KEK_LEN: usize = 32;

/// Associated data of every wrap, so a KEK's ciphertexts cannot pass for anything else.
const WRAP_AAD: &[u8] = b"rapport-vault/dek/v1";

/// A key-encryption key held in memory. Its key schedule is wiped on drop.
pub struct LocalKek {
    id: String,
    cipher: Cipher,
}

impl LocalKek {
    /// Loads the key file at `path`, or creates it (and missing parent directories) with a
    /// fresh key if there is none. This is the default KEK: `<data dir>/vault.key`, say.
    ///
    /// The file is written to a temporary file with mode 0600 and then linked into place, so
    /// a crash never leaves a partial key file, and two processes starting at once end up
    /// with the same key.
    pub fn load_or_create(path: impl AsRef<Path>) -> VaultResult<Self> {
        let key = key_file::load_or_create(path.as_ref())?;
        Ok(Self::from_key(&key))
    }

    /// Loads an existing key file (e.g. a mounted secret).
    ///
    /// On Unix the file must not be accessible by group or other users (mode 0600 or 0400);
    /// otherwise this fails with [`VaultError::InsecureKeyFile`] rather than using a key that
    /// may have leaked.
    pub fn from_file(path: impl AsRef<Path>) -> VaultResult<Self> {
        let key = key_file::load(path.as_ref())?;
        Ok(Self::from_key(&key))
    }

    /// Parses a key given as standard base64 of 32 bytes, e.g. from the `RAPPORT_KEK`
    /// environment variable. Surrounding whitespace is ignored.
    pub fn from_base64(encoded: &str) -> VaultResult<Self> {
        Ok(Self::from_key(&*decode_key(encoded)?))
    }

    fn from_key(key: &[u8; KEK_LEN]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"rapport-vault/kek-id/v1\0");
        hasher.update(key);
        let digest = hasher.finalize();
        Self {
            id: format!("local-{}", hex(&digest[..8])),
            cipher: Cipher::new(key.into()),
        }
    }

    #[cfg(test)]
    pub(crate) fn generate_for_tests() -> Self {
        let mut key = Zeroizing::new([0u8; KEK_LEN]);
        crate::util::fill_random(&mut *key).unwrap();
        Self::from_key(&key)
    }
}

/// Decodes the text form of a local KEK (standard base64 of 32 bytes).
pub(crate) fn decode_key(encoded: &str) -> VaultResult<Zeroizing<[u8; KEK_LEN]>> {
    const WHAT: &str = "key-encryption key";
    let bytes = Zeroizing::new(
        STANDARD
            .decode(encoded.trim())
            .map_err(|_| VaultError::bad_format(WHAT, "invalid base64"))?,
    );
    let mut key = Zeroizing::new([0u8; KEK_LEN]);
    if bytes.len() != KEK_LEN {
        return Err(VaultError::bad_format(WHAT, "must be base64 of 32 bytes"));
    }
    key.copy_from_slice(&bytes);
    Ok(key)
}

/// Encodes a local KEK as its file content: standard base64 and a newline.
pub(crate) fn encode_key(key: &[u8; KEK_LEN]) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(64));
    STANDARD.encode_string(key, &mut text);
    text.push('\n');
    text
}

#[async_trait]
impl KekProvider for LocalKek {
    fn id(&self) -> &str {
        &self.id
    }

    async fn wrap_key(&self, dek: &DataKey) -> VaultResult<WrappedKey> {
        Ok(WrappedKey {
            kek_id: self.id.clone(),
            ciphertext: encrypt(&self.cipher, dek.expose_secret(), WRAP_AAD)?,
        })
    }

    async fn unwrap_key(&self, wrapped: &WrappedKey) -> VaultResult<DataKey> {
        if wrapped.kek_id != self.id {
            return Err(VaultError::UnknownKek(wrapped.kek_id.clone()));
        }
        let plain = decrypt(&self.cipher, &wrapped.ciphertext, WRAP_AAD)?;
        if plain.len() != DATA_KEY_LEN {
            return Err(VaultError::bad_format(
                "wrapped key",
                "does not hold 32 bytes",
            ));
        }
        DataKey::from_slice(&plain)
    }
}

impl fmt::Debug for LocalKek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKek").field("id", &self.id).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[tokio::test]
    async fn wrap_unwrap() {
        let kek = LocalKek::generate_for_tests();
        let dek = DataKey::generate().unwrap();
        let wrapped = kek.wrap_key(&dek).await.unwrap();
        assert_eq!(wrapped.kek_id, kek.id());
        assert_eq!(wrapped.ciphertext.len(), 60);
        let back = kek.unwrap_key(&wrapped).await.unwrap();
        assert_eq!(back.expose_secret(), dek.expose_secret());
    }

    #[tokio::test]
    async fn tampered_or_foreign_wrap_fails() {
        let kek = LocalKek::generate_for_tests();
        let mut wrapped = kek.wrap_key(&DataKey::generate().unwrap()).await.unwrap();
        wrapped.ciphertext[20] ^= 0x80;
        let err = kek.unwrap_key(&wrapped).await.unwrap_err();
        assert!(matches!(err, VaultError::WrongKeyOrTampered));

        // Same id but another key (a forged id) is still caught by authentication.
        let other = LocalKek::generate_for_tests();
        let mut foreign = other.wrap_key(&DataKey::generate().unwrap()).await.unwrap();
        foreign.kek_id = kek.id().to_owned();
        let err = kek.unwrap_key(&foreign).await.unwrap_err();
        assert!(matches!(err, VaultError::WrongKeyOrTampered));

        let mut unknown = foreign.clone();
        unknown.kek_id = "local-0000000000000000".into();
        let err = kek.unwrap_key(&unknown).await.unwrap_err();
        assert!(matches!(err, VaultError::UnknownKek(_)));
    }

    #[test]
    fn from_base64_is_stable_and_id_hides_key() {
        let a = LocalKek::from_base64(KEY_B64).unwrap();
        let b = LocalKek::from_base64(&format!("  {KEY_B64}\n")).unwrap();
        assert_eq!(a.id(), b.id());
        assert!(a.id().starts_with("local-"));
        assert_eq!(a.id().len(), "local-".len() + 16);
        assert!(!a.id().contains("000102030405"));
        let other = LocalKek::generate_for_tests();
        assert_ne!(a.id(), other.id());
    }

    #[test]
    fn from_base64_rejects_bad_input() {
        for bad in ["", "not base64!", "AAECAwQF", &format!("{KEY_B64}AAAA")] {
            assert!(
                matches!(
                    LocalKek::from_base64(bad),
                    Err(VaultError::BadFormat { .. })
                ),
                "{bad:?}"
            );
        }
        let err = LocalKek::from_base64("AAECAwQF").unwrap_err().to_string();
        assert!(!err.contains("AAECAwQF"));
    }

    #[test]
    fn debug_shows_id_only() {
        let kek = LocalKek::from_base64(KEY_B64).unwrap();
        let debug = format!("{kek:?} {kek:#?}");
        let key = decode_key(KEY_B64).unwrap();
        assert!(debug.contains(kek.id()));
        assert!(!debug.contains(KEY_B64) && !debug.contains(KEY_B64.trim_end_matches('=')));
        assert!(!debug.contains(&hex(&*key)));
        assert!(!debug.contains(&format!("{:?}", &*key)));
    }
}
