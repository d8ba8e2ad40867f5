//! Rapport's envelope encryption of secrets.
//!
//! Tokens, passwords and API secrets are stored only as ciphertext (DESIGN.md, architecture
//! invariant 4). This crate does the cryptography for that, in two layers:
//!
//! - A **data key** ([`DataKey`], 256 bits) seals the secrets themselves with AES-256-GCM
//!   ([`seal()`], [`open()`], [`seal_str()`], [`open_string()`]). There is one per org, and one per
//!   data subject where that subject's data must be erasable by destroying its key
//!   ("crypto-shredding"). Each seal has a random nonce and takes associated data that binds
//!   the ciphertext to its row and purpose, so ciphertexts cannot be swapped between rows.
//! - A **key-encryption key** (KEK) wraps the data keys ([`WrappedKey`]). The database holds
//!   only wrapped data keys; the KEK lives outside it: a local key file created with mode
//!   0600 on first start ([`LocalKek::load_or_create`]), a key from the environment
//!   ([`LocalKek::from_base64`]) or a mounted file ([`LocalKek::from_file`]), or a KMS behind a
//!   [`KekProvider`] plug-in. A [`KeyRing`] holds the current KEK and older ones, so the KEK
//!   can be rotated without downtime by rewrapping data keys (the data stays as it is).
//!
//! Plaintext keys and secrets travel as [`secrecy`] types or types that act like them: they
//! are wiped from memory when dropped and never appear in `Debug` output or error messages.
//! Stored values have versioned text forms: `v1:<kek_id>:<base64url>` for a wrapped key and
//! `v1.<base64url>` for a sealed secret.
//!
//! **What this crate owns:** the algorithms, the stored formats and the local key file.
//! **Deliberately absent:** databases, HTTP, configuration and knowledge of orgs or
//! subjects. The store keeps wrapped keys keyed by (org, subject) and sealed values in its
//! columns; the application decides which key and which associated data apply, and which
//! path or environment variable supplies the KEK. Any IO here is the key file's.
//!
//! ```
//! use rapport_vault::{open_string, seal_str, DataKey, SecretString, ExposeSecret};
//!
//! let dek = DataKey::generate()?;
//! let aad = b"org:0190a0b1-0000-7000-8000-000000000001|user_totp:42";
//! let sealed = seal_str(&dek, &SecretString::from("JBSWY3DPEHPK3PXP"), aad)?;
//! let column = sealed.to_string(); // "v1.…"
//! let opened = open_string(&dek, &column.parse()?, aad)?;
//! assert_eq!(opened.expose_secret(), "JBSWY3DPEHPK3PXP");
//! # Ok::<(), rapport_vault::VaultError>(())
//! ```

pub mod dek;
pub mod error;
pub mod kek;
pub mod key_file;
pub mod local_kek;
pub mod seal;
mod util;
pub mod wrapped;

pub use dek::{DATA_KEY_LEN, DataKey};
pub use error::{VaultError, VaultResult};
pub use kek::{KekProvider, KeyRing};
pub use local_kek::LocalKek;
pub use seal::{Sealed, open, open_string, seal, seal_str};
pub use secrecy::{ExposeSecret, SecretBox, SecretString};
pub use wrapped::WrappedKey;
