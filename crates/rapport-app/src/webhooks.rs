//! Outgoing webhooks: signing the Standard Webhooks way (<https://www.standardwebhooks.com>),
//! so receivers can verify deliveries with any of that spec's libraries, and the org's signing
//! secret as settings managers see it. Automation's "call a webhook" action uses this now;
//! channel event webhooks will too.
//!
//! Each delivery carries `webhook-id` (the same on every retry, for the receiver to drop
//! repeats), `webhook-timestamp` (Unix seconds, for the receiver to refuse replays) and
//! `webhook-signature`: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body` with the secret.

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rapport_domain::Permission;
use rapport_vault::ExposeSecret;
use sha2::Sha256;

/// How a secret is shown: the spec's `whsec_` prefix and base64.
pub fn secret_text(secret: &[u8]) -> String {
    format!("whsec_{}", STANDARD.encode(secret))
}

/// The `webhook-signature` value for one delivery.
pub fn signature(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> AppResult<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .map_err(|e| AppError::Internal(format!("webhook signature: {e}")))?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The headers of one signed JSON delivery.
pub fn signed_headers(
    secret: &[u8],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> AppResult<Vec<(&'static str, String)>> {
    Ok(vec![
        ("content-type", "application/json".to_owned()),
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature(secret, id, timestamp, body)?),
    ])
}

impl App {
    /// The org's webhook signing secret as receivers configure it (needs `settings.manage`).
    pub async fn webhook_secret(&self, actor: &Actor) -> AppResult<String> {
        actor.require(Permission::SettingsManage)?;
        let secret = self
            .vault()
            .webhook_secret(self.db().conn(), actor.org_id)
            .await?;
        Ok(secret_text(secret.expose_secret()))
    }

    /// Replaces the org's webhook signing secret (needs `settings.manage`; audited). Deliveries
    /// from now on are signed with the new one.
    pub async fn rotate_webhook_secret(&self, actor: &Actor) -> AppResult<()> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        self.vault()
            .rotate_webhook_secret(&txn, actor.org_id)
            .await?;
        let event = AuditEvent::new("webhook_secret.rotated", "org", actor.org_id);
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_test_vector() {
        let secret = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = signature(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert_eq!(
            secret_text(&secret),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        );
    }
}
