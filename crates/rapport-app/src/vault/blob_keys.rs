//! The vault's part in the blob store: each org has two data keys for files, one that seals
//! the bytes (AES-256-GCM, bound to the org and address) and one that names them. The name is
//! an HMAC of the content, not a plain hash, so equal files of one org are stored once while
//! the blob directory reveals nothing about which well-known files an org holds; and two orgs'
//! copies of one file never share a blob.

use super::{Vault, vault_err};
use crate::error::{AppError, AppResult};
use hmac::{Hmac, Mac};
use rapport_domain::OrgId;
use rapport_store::ConnectionTrait;
use rapport_vault::{ExposeSecret, Sealed};
use sha2::Sha256;

/// The data key that seals an org's files.
const SEAL_SUBJECT: &str = "blobs";
/// The data key that names them.
const ADDRESS_SUBJECT: &str = "blob-address";

fn aad(org: OrgId, address: &str) -> String {
    format!("org:{org}|blob:{address}")
}

impl Vault {
    /// The content address of `bytes` in `org`'s blob space (64 hex digits).
    pub async fn blob_address(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        bytes: &[u8],
    ) -> AppResult<String> {
        let key = self.data_key(db, Some(org), ADDRESS_SUBJECT).await?;
        let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret())
            .map_err(|e| AppError::Internal(format!("blob address key: {e}")))?;
        mac.update(bytes);
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// Encrypts a file for the blob store, bound to its org and address.
    pub async fn seal_blob(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        address: &str,
        bytes: &[u8],
    ) -> AppResult<Vec<u8>> {
        let key = self.data_key(db, Some(org), SEAL_SUBJECT).await?;
        let sealed =
            rapport_vault::seal(&key, bytes, aad(org, address).as_bytes()).map_err(vault_err)?;
        Ok(sealed.as_bytes().to_vec())
    }

    /// Decrypts what [`Vault::seal_blob`] wrote; a file moved to another org or address, or
    /// altered on disk, does not open.
    pub async fn open_blob(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        address: &str,
        stored: Vec<u8>,
    ) -> AppResult<Vec<u8>> {
        let key = self
            .data_key_for(db, Some(org), SEAL_SUBJECT, false)
            .await?;
        let sealed = Sealed::from_bytes(stored).map_err(vault_err)?;
        let plain =
            rapport_vault::open(&key, &sealed, aad(org, address).as_bytes()).map_err(vault_err)?;
        Ok(plain.expose_secret().to_vec())
    }
}
