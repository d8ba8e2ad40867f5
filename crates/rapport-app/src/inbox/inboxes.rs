//! Inboxes: create, rename, configure and delete them (`settings.manage`); every member who
//! may read conversations sees the list. Only channels with an adapter in this build can be
//! created (see [`super::channels::creatable`]); an email inbox's mailbox is tested before it
//! is stored (`super::email`).

use super::channels;
use super::email::MailLogin;
use super::email::settings::{EmailSecrets, EmailSettings};
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::event::EventKind;
use rapport_domain::inbox::ChannelKind;
use rapport_domain::inbox::assignment::AutoAssign;
use rapport_domain::{DomainError, InboxId, Permission, TeamId, bounded_text};
use rapport_store::outbox;
use rapport_store::repo::inboxes::{self, InboxRecord};
use rapport_store::repo::teams;
use serde_json::json;

/// The longest inbox name.
pub const MAX_NAME_CHARS: usize = 100;

/// A new inbox.
#[derive(Debug, Clone)]
pub struct NewInbox {
    /// Shown to agents.
    pub name: String,
    /// Its channel.
    pub channel: ChannelKind,
    /// The team its conversations belong to.
    pub team_id: Option<TeamId>,
    /// How new conversations are assigned.
    pub auto_assign: AutoAssign,
    /// Whether a customer's message to a resolved conversation reopens it.
    pub reopen_resolved: bool,
    /// Whether resolving sends a satisfaction survey.
    pub csat_enabled: bool,
    /// An email inbox's mailbox and SMTP settings (required for the email channel, refused
    /// for the others).
    pub email: Option<super::email::EmailInput>,
}

/// Changes to an inbox (absent fields stay as they are).
#[derive(Debug, Clone, Default)]
pub struct InboxPatch {
    /// New name.
    pub name: Option<String>,
    /// New team (`Some(None)` clears it).
    pub team_id: Option<Option<TeamId>>,
    /// How new conversations are assigned.
    pub auto_assign: Option<AutoAssign>,
    /// Reopen resolved conversations on a customer's reply.
    pub reopen_resolved: Option<bool>,
    /// Send a satisfaction survey on resolve.
    pub csat_enabled: Option<bool>,
}

async fn check_team(
    db: &impl rapport_store::ConnectionTrait,
    actor: &Actor,
    team: Option<TeamId>,
) -> AppResult<()> {
    if let Some(t) = team {
        teams::get(db, actor.scope(), t).await.map_err(|_| {
            AppError::from(DomainError::Invalid {
                field: "team_id",
                reason: "no such team in this organization",
            })
        })?;
    }
    Ok(())
}

fn name_taken(e: rapport_store::StoreError) -> AppError {
    match e {
        rapport_store::StoreError::Conflict(_) => {
            AppError::Conflict("an inbox with this name already exists".into())
        }
        other => other.into(),
    }
}

impl App {
    /// The org's inboxes (needs `conversations.read`).
    pub async fn inboxes(&self, actor: &Actor) -> AppResult<Vec<InboxRecord>> {
        actor.require(Permission::ConversationsRead)?;
        Ok(inboxes::list(self.db().conn(), actor.scope()).await?)
    }

    /// One inbox (needs `conversations.read`).
    pub async fn inbox(&self, actor: &Actor, id: InboxId) -> AppResult<InboxRecord> {
        actor.require(Permission::ConversationsRead)?;
        Ok(inboxes::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// Creates an inbox (needs `settings.manage`).
    pub async fn create_inbox(&self, actor: &Actor, input: NewInbox) -> AppResult<InboxRecord> {
        actor.require(Permission::SettingsManage)?;
        let name = bounded_text("name", &input.name, MAX_NAME_CHARS)?;
        let email = match (input.channel, &input.email) {
            (ChannelKind::Email, Some(email)) => {
                let (mut settings, secrets) = email.validate(None)?;
                settings.backfill_since = EmailSettings::window_from(
                    self.clock().now().date_naive(),
                    email.backfill_days,
                );
                // Tested before anything is stored: a mailbox that cannot be read is refused
                // with what went wrong.
                self.check_mailbox(&settings, &MailLogin::Passwords(secrets.clone()))
                    .await?;
                Some((settings, secrets))
            }
            (ChannelKind::Email, None) => {
                return Err(AppError::InvalidInput(vec![(
                    "email".into(),
                    "an email inbox needs its mailbox and SMTP settings".into(),
                )]));
            }
            (_, Some(_)) => {
                return Err(AppError::InvalidInput(vec![(
                    "email".into(),
                    "mail settings belong to email inboxes only".into(),
                )]));
            }
            (kind, None) if !channels::creatable(kind) => {
                return Err(DomainError::Invalid {
                    field: "channel",
                    reason: "this build connects api and email inboxes; chat channels are set up on their own pages",
                }
                .into());
            }
            (_, None) => None,
        };
        self.store_inbox(actor, name, &input, email.map(|(s, p)| (s, Some(p))))
            .await
    }

    /// Stores a validated new inbox (an email inbox's mailbox already tested; its passwords,
    /// when it has any, sealed here), with its event and audit record.
    pub(crate) async fn store_inbox(
        &self,
        actor: &Actor,
        name: String,
        input: &NewInbox,
        email: Option<(EmailSettings, Option<EmailSecrets>)>,
    ) -> AppResult<InboxRecord> {
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        check_team(&txn, actor, input.team_id).await?;
        let id = InboxId::new();
        let (settings, sealed_secret) = match &email {
            Some((settings, secrets)) => {
                // The thread key exists from the first email inbox on, so sending and reading
                // only ever read it.
                self.vault().mail_thread_key(&txn, actor.org_id).await?;
                let sealed = match secrets {
                    Some(secrets) => Some(
                        self.seal_email_secrets(&txn, actor.org_id, id, secrets)
                            .await?,
                    ),
                    None => None,
                };
                (settings.to_json(), sealed)
            }
            None => (json!({}), None),
        };
        let record = InboxRecord {
            id,
            name,
            channel: input.channel,
            settings,
            sealed_secret,
            team_id: input.team_id,
            auto_assign: input.auto_assign.as_str().into(),
            reopen_resolved: input.reopen_resolved,
            csat_enabled: input.csat_enabled,
            created_at: now,
            updated_at: now,
        };
        let scope = actor.scope();
        inboxes::insert(&txn, scope, &record)
            .await
            .map_err(name_taken)?;
        outbox::record(
            &txn,
            scope,
            EventKind::InboxCreated,
            json!({ "inbox_id": record.id, "channel": record.channel }),
            now,
        )
        .await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("inbox.created", "inbox", record.id)
                .with(json!({ "name": record.name, "channel": record.channel })),
        )
        .await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Changes an inbox (needs `settings.manage`).
    pub async fn update_inbox(
        &self,
        actor: &Actor,
        id: InboxId,
        patch: InboxPatch,
    ) -> AppResult<InboxRecord> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let mut record = inboxes::get(&txn, scope, id).await?;
        if let Some(name) = &patch.name {
            record.name = bounded_text("name", name, MAX_NAME_CHARS)?;
        }
        if let Some(team) = patch.team_id {
            check_team(&txn, actor, team).await?;
            record.team_id = team;
        }
        if let Some(v) = patch.reopen_resolved {
            record.reopen_resolved = v;
        }
        if let Some(v) = patch.auto_assign {
            record.auto_assign = v.as_str().into();
        }
        if let Some(v) = patch.csat_enabled {
            record.csat_enabled = v;
        }
        record.updated_at = now;
        inboxes::update(&txn, scope, &record)
            .await
            .map_err(name_taken)?;
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
            AuditEvent::new("inbox.updated", "inbox", id).with(json!({
                "name": record.name,
                "auto_assign": record.auto_assign,
                "reopen_resolved": record.reopen_resolved,
                "csat_enabled": record.csat_enabled,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Deletes an inbox with all its conversations (needs `settings.manage`).
    pub async fn delete_inbox(&self, actor: &Actor, id: InboxId) -> AppResult<()> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let record = inboxes::get(&txn, scope, id).await?;
        inboxes::delete(&txn, scope, id).await?;
        outbox::record(
            &txn,
            scope,
            EventKind::InboxDeleted,
            json!({ "inbox_id": id }),
            now,
        )
        .await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("inbox.deleted", "inbox", id).with(json!({ "name": record.name })),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
