//! The email channel (issue 6), on `rapport-mail`'s parsing, threading, IMAP and SMTP:
//!
//! - `settings`: what an email inbox stores (address, IMAP and SMTP servers; passwords sealed);
//! - `connect`: accounts from settings, hosts vetted by the egress guard, the save-time check;
//! - `sync`: the supervisor that keeps one reader per mailbox (lease, checkpoint, IDLE);
//! - `receive`: one fetched message into the ingest pipeline, or quarantine;
//! - `send`: the adapter that sends agents' replies over SMTP, threaded;
//! - this module: the use cases settings managers call (change the settings, see the sync
//!   state, retry or discard quarantined mail).

mod batch;
mod connect;
mod oauth;
mod receive;
mod send;
pub mod settings;
pub mod sync;

pub(crate) use connect::MailLogin;
pub use rapport_mail::quote;
pub use receive::Receive;
pub use send::EmailChannel;
pub use settings::{EmailInput, EmailSettings, MailSecurity, OAuthLogin};
pub use sync::MailSync;

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::event::EventKind;
use rapport_domain::inbox::ChannelKind;
use rapport_domain::{InboxId, Permission};
use rapport_store::outbox;
use rapport_store::repo::inboxes::{self, InboxRecord};
use rapport_store::repo::mail_sync::{self, FolderState, Quarantined};
use rapport_vault::ExposeSecret;
use serde_json::json;

/// The most quarantined messages listed at once.
pub const QUARANTINE_PAGE: u64 = 200;

/// An email inbox's settings and how its mailbox reads.
#[derive(Debug, Clone)]
pub struct EmailStatus {
    /// The inbox.
    pub inbox: InboxRecord,
    /// Its settings (no passwords).
    pub settings: EmailSettings,
    /// Each folder's checkpoint, count and last error.
    pub folders: Vec<FolderState>,
    /// Messages waiting in quarantine.
    pub quarantined: u64,
    /// The OAuth connection it signs in with, if any (its status says whether the grant
    /// still stands).
    pub oauth: Option<rapport_store::repo::oauth_connections::OAuthConnection>,
}

fn not_email() -> AppError {
    AppError::Conflict("this is not an email inbox".into())
}

impl App {
    async fn email_inbox(&self, actor: &Actor, id: InboxId) -> AppResult<InboxRecord> {
        let inbox = inboxes::get(self.db().conn(), actor.scope(), id).await?;
        if inbox.channel != ChannelKind::Email {
            return Err(not_email());
        }
        Ok(inbox)
    }

    /// An email inbox's settings and sync state (needs `settings.manage`: host and user names
    /// are configuration).
    pub async fn email_status(&self, actor: &Actor, id: InboxId) -> AppResult<EmailStatus> {
        actor.require(Permission::SettingsManage)?;
        let inbox = self.email_inbox(actor, id).await?;
        let conn = self.db().conn();
        let scope = actor.scope();
        let settings = EmailSettings::from_json(&inbox.settings)?;
        let folders = mail_sync::folders(conn, scope, id).await?;
        let quarantined = mail_sync::quarantined_count(conn, scope, id).await?;
        let oauth = match &settings.oauth {
            Some(o) => Some(self.oauth_connection(actor.org_id, o.connection).await?),
            None => None,
        };
        Ok(EmailStatus {
            inbox,
            settings,
            folders,
            quarantined,
            oauth,
        })
    }

    /// Changes an email inbox's mailbox and SMTP settings (needs `settings.manage`). Empty
    /// passwords keep the stored ones; the new settings are tested before they are saved, and
    /// the mailbox's reader restarts with them.
    pub async fn update_email_settings(
        &self,
        actor: &Actor,
        id: InboxId,
        input: &EmailInput,
    ) -> AppResult<EmailSettings> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let inbox = self.email_inbox(actor, id).await?;
        if let Ok(EmailSettings { oauth: Some(o), .. }) = EmailSettings::from_json(&inbox.settings)
        {
            return Err(AppError::Conflict(format!(
                "this mailbox signs in with {}; connect the account again to renew it",
                crate::oauth_connections::provider_name(&o.provider)
            )));
        }
        let conn = self.db().conn();
        let stored = match &inbox.sealed_secret {
            Some(sealed) => Some(
                self.open_email_secrets(conn, actor.org_id, id, sealed)
                    .await?,
            ),
            None => None,
        };
        let (mut settings, secrets) = input.validate(stored.as_ref())?;
        settings.backfill_since = EmailSettings::from_json(&inbox.settings)
            .ok()
            .and_then(|s| s.backfill_since);
        self.check_mailbox(&settings, &MailLogin::Passwords(secrets.clone()))
            .await?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let mut record = inboxes::get(&txn, scope, id).await?;
        record.settings = settings.to_json();
        record.sealed_secret = Some(
            self.seal_email_secrets(&txn, actor.org_id, id, &secrets)
                .await?,
        );
        record.updated_at = now;
        inboxes::update(&txn, scope, &record).await?;
        outbox::record(
            &txn,
            scope,
            EventKind::InboxUpdated,
            json!({ "inbox_id": id }),
            now,
        )
        .await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("inbox.email_settings_changed", "inbox", id).with(json!({
                "address": settings.address,
                "imap_host": settings.imap.host,
                "smtp_host": settings.smtp.host,
                "folder": settings.folder,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(settings)
    }

    /// The org's quarantined mail, newest first (needs `settings.manage`).
    pub async fn quarantined_mail(
        &self,
        actor: &Actor,
        inbox: Option<InboxId>,
    ) -> AppResult<Vec<Quarantined>> {
        actor.require(Permission::SettingsManage)?;
        Ok(
            mail_sync::quarantined_list(self.db().conn(), actor.scope(), inbox, QUARANTINE_PAGE)
                .await?,
        )
    }

    /// Tries to store a quarantined message again (needs `settings.manage`): stored, it leaves
    /// quarantine; refused again, the new reason is kept.
    pub async fn retry_quarantined(&self, actor: &Actor, id: uuid::Uuid) -> AppResult<Receive> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let conn = self.db().conn();
        let q = mail_sync::quarantined_one(conn, scope, id).await?;
        let inbox = inboxes::get(conn, scope, q.inbox_id).await?;
        let settings = EmailSettings::from_json(&inbox.settings)?;
        let stored = self.blobs().read(actor.org_id, &q.blob).await?;
        let raw = self
            .vault()
            .open_blob(conn, actor.org_id, &q.blob, stored)
            .await?;
        let key = self.vault().mail_thread_key(conn, actor.org_id).await?;
        let outcome = match self
            .store_mail(scope, &inbox, &settings, key.expose_secret(), &raw)
            .await
        {
            Ok(r) => {
                mail_sync::unquarantine(conn, scope, id).await?;
                r
            }
            Err(e) => {
                let reason = receive::reason(&e);
                mail_sync::quarantine_failed_again(conn, scope, id, &reason, self.clock().now())
                    .await?;
                Receive::Quarantined(reason)
            }
        };
        self.audit_quarantine(actor, id, "mail.quarantine_retried")
            .await?;
        Ok(outcome)
    }

    /// Discards a quarantined message (needs `settings.manage`); its bytes go with the next
    /// blob sweep.
    pub async fn discard_quarantined(&self, actor: &Actor, id: uuid::Uuid) -> AppResult<()> {
        actor.require(Permission::SettingsManage)?;
        if !mail_sync::unquarantine(self.db().conn(), actor.scope(), id).await? {
            return Err(AppError::NotFound);
        }
        self.audit_quarantine(actor, id, "mail.quarantine_discarded")
            .await
    }

    async fn audit_quarantine(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        action: &'static str,
    ) -> AppResult<()> {
        let txn = self.db().begin().await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new(action, "mail_quarantine", id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
