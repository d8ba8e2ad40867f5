//! The crate's one error type, [`VaultError`].
//!
//! Messages never contain key material, plaintext or the rejected input itself (an input that
//! failed to parse might be a mistyped key), only what kind of value was wrong and why.

use std::path::PathBuf;

/// Everything that can go wrong while encrypting, decrypting or loading keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// Authenticated decryption failed. AES-GCM cannot tell these apart: the key is wrong, the
    /// associated data differs from the one used to seal (e.g. a ciphertext copied to another
    /// row), or the ciphertext was modified.
    #[error("decryption failed: wrong key, wrong associated data, or tampered ciphertext")]
    WrongKeyOrTampered,

    /// A wrapped key names a key-encryption key that this key ring does not hold.
    #[error("unknown key-encryption key {0:?}; is an older key missing from the key ring?")]
    UnknownKek(String),

    /// A stored or supplied value does not have the expected shape.
    #[error("malformed {what}: {reason}")]
    BadFormat {
        /// Which kind of value was malformed (e.g. "wrapped key").
        what: &'static str,
        /// What was wrong with it.
        reason: &'static str,
    },

    /// Reading or writing a key file failed.
    #[error("key file {}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A key file can be read or written by group or other users, so it is refused.
    #[error(
        "key file {} has mode {mode:o}, which lets other users read it; \
         run `chmod 600` on it (or `chmod 400`)",
        path.display()
    )]
    InsecureKeyFile {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },

    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,

    /// Encryption refused the input (AES-GCM's limit is about 64 GiB per message).
    #[error("plaintext too large to encrypt")]
    TooLarge,

    /// A key-encryption provider (e.g. a KMS plug-in) failed for its own reasons.
    #[error("key-encryption provider {kek_id:?} failed: {source}")]
    Provider {
        /// The provider's key id.
        kek_id: String,
        /// What went wrong, as the provider reports it. It must not contain key material.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

/// Shorthand for results of this crate.
pub type VaultResult<T> = Result<T, VaultError>;

impl VaultError {
    pub(crate) fn bad_format(what: &'static str, reason: &'static str) -> Self {
        Self::BadFormat { what, reason }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
