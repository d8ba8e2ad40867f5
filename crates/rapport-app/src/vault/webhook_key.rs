//! The vault's part in outgoing webhooks: each org signs its webhooks with a secret derived
//! from its own data key (`webhooks`), so the secret is never stored, not even sealed, and
//! rotating it is destroying that key: the next delivery derives a new one.

use super::Vault;
use crate::error::{AppError, AppResult};
use hmac::{Hmac, Mac};
use rapport_domain::OrgId;
use rapport_store::ConnectionTrait;
use rapport_vault::{ExposeSecret, SecretBox};
use sha2::Sha256;

/// The data key webhook secrets come from.
const SUBJECT: &str = "webhooks";
/// What the derivation binds the secret to (a new scheme gets a new label).
const LABEL: &[u8] = b"rapport webhook signing v1";

impl Vault {
    /// The org's webhook signing secret (32 bytes), created with the org's first webhook.
    pub async fn webhook_secret(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
    ) -> AppResult<SecretBox<[u8]>> {
        let key = self.data_key(db, Some(org), SUBJECT).await?;
        let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret())
            .map_err(|e| AppError::Internal(format!("webhook key: {e}")))?;
        mac.update(LABEL);
        let secret: Box<[u8]> = mac.finalize().into_bytes().to_vec().into_boxed_slice();
        Ok(SecretBox::new(secret))
    }

    /// Replaces the org's webhook secret: receivers must take the new one.
    pub async fn rotate_webhook_secret(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
    ) -> AppResult<()> {
        self.shred(db, super::KeyOwner::Org(org), SUBJECT).await?;
        Ok(())
    }
}
