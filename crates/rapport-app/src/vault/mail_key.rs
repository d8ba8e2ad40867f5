//! The vault's part in email threading: the key that tags the conversation ids in our
//! Message-IDs and reply addresses (`rapport_mail::thread`). It is derived from the org's own
//! data key (`mail.thread`), so it is never stored, and a reply can only be tied to a
//! conversation of the org whose key signed the address it answers.

use super::Vault;
use crate::error::{AppError, AppResult};
use hmac::{Hmac, Mac};
use rapport_domain::OrgId;
use rapport_store::ConnectionTrait;
use rapport_vault::{ExposeSecret, SecretBox};
use sha2::Sha256;

/// The data key thread keys come from.
const SUBJECT: &str = "mail.thread";
/// What the derivation binds the key to (a new scheme gets a new label).
const LABEL: &[u8] = b"rapport mail thread tag v1";

impl Vault {
    /// The org's thread-tagging key (32 bytes), created with its first email inbox.
    pub async fn mail_thread_key(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
    ) -> AppResult<SecretBox<[u8]>> {
        let key = self.data_key(db, Some(org), SUBJECT).await?;
        let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret())
            .map_err(|e| AppError::Internal(format!("mail thread key: {e}")))?;
        mac.update(LABEL);
        let secret: Box<[u8]> = mac.finalize().into_bytes().to_vec().into_boxed_slice();
        Ok(SecretBox::new(secret))
    }
}
