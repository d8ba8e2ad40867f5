//! Connecting a Gmail or Microsoft 365 mailbox by OAuth: the settings manager is sent to the
//! provider's consent page, comes back with a code, and Rapport trades it for tokens, learns
//! the account from the ID token, tries both mail servers with XOAUTH2, and only then stores
//! the connection (tokens sealed) and the inbox. Connecting an account again renews the grant
//! of its existing inbox (the reader restarts with it) instead of making a second inbox.
//!
//! The `state` sent to the provider is a single-use sign-in challenge bound to the user and
//! org who started, holding the provider and the PKCE verifier (sealed): a callback with
//! another session, an old or a forged state is refused.

use super::MailLogin;
use super::settings::{EmailSettings, MailSecurity, OAuthLogin, ServerSettings};
use crate::auth::signin::ChallengeState;
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::inbox::inboxes::NewInbox;
use rapport_domain::event::EventKind;
use rapport_domain::inbox::ChannelKind;
use rapport_domain::inbox::assignment::AutoAssign;
use rapport_domain::{InboxId, Permission};
use rapport_integrations::oauth::{self, OAuthError};
use rapport_store::outbox;
use rapport_store::repo::{challenges, inboxes};
use rapport_vault::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;

const PURPOSE: &str = "mail_oauth";

/// Days of existing mail taken in when a mailbox is connected by OAuth.
const OAUTH_BACKFILL_DAYS: u32 = 30;

#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    pkce_verifier: String,
}

fn refused(e: &OAuthError) -> AppError {
    AppError::Conflict(e.to_string())
}

impl App {
    /// The path the provider sends the browser back to.
    pub fn mail_oauth_callback(&self) -> String {
        self.link("/oauth/mail/callback")
    }

    /// Starts connecting a `provider` mailbox (needs `settings.manage`): the consent URL to
    /// send the browser to.
    pub async fn begin_mail_oauth(&self, actor: &Actor, provider: &str) -> AppResult<String> {
        actor.require(Permission::SettingsManage)?;
        let config = self.oauth_provider(provider)?;
        let verifier = oauth::new_pkce_verifier();
        let pending = Pending {
            provider: config.kind.id().to_owned(),
            pkce_verifier: verifier.expose_secret().to_owned(),
        };
        let state = ChallengeState {
            first_factor: PURPOSE.into(),
            webauthn: None,
            oidc: Some(
                serde_json::to_value(pending).map_err(|e| AppError::Internal(e.to_string()))?,
            ),
        };
        let token = self
            .new_challenge(PURPOSE, Some(actor.user_id), Some(actor.org_id), &state)
            .await?;
        let consent =
            oauth::authorize(config, &self.mail_oauth_callback(), &token, &verifier, None)
                .map_err(|e| refused(&e))?;
        Ok(consent.url)
    }

    /// Completes a connection from the provider's redirect (`code`, or the `error` it sent):
    /// the inbox connected (new, or the account's existing one renewed).
    pub async fn finish_mail_oauth(
        &self,
        actor: &Actor,
        state: &str,
        code: Option<&str>,
        error: Option<&str>,
    ) -> AppResult<InboxId> {
        actor.require(Permission::SettingsManage)?;
        let (record, saved) = self.load_challenge(state, PURPOSE).await?;
        challenges::delete(self.db().conn(), record.id).await?;
        if record.user_id != Some(actor.user_id) || record.org_id != Some(actor.org_id) {
            return Err(AppError::InvalidToken);
        }
        let pending: Pending = serde_json::from_value(saved.oidc.unwrap_or_default())
            .map_err(|_| AppError::InvalidToken)?;
        let config = self.oauth_provider(&pending.provider)?.clone();
        let name = config.kind.name();
        let code = match (code, error) {
            (Some(code), None) if !code.is_empty() && code.len() <= 4096 => code,
            (_, Some("access_denied")) => {
                return Err(AppError::Conflict(format!(
                    "access was not granted at {name}, so nothing was connected"
                )));
            }
            (_, Some(other)) => {
                let other: String = other.chars().take(100).collect();
                return Err(AppError::Conflict(format!("{name} answered: {other}")));
            }
            _ => return Err(AppError::InvalidToken),
        };
        let now = self.clock().now();
        let tokens = oauth::exchange_code(
            self.egress()?,
            &config,
            &self.mail_oauth_callback(),
            code,
            &SecretString::from(pending.pkce_verifier),
            now,
        )
        .await
        .map_err(|e| refused(&e))?;
        let account = tokens.account.clone().unwrap_or_default();
        let mail = &config.mail;
        let mut settings = EmailSettings {
            address: account.clone(),
            display_name: None,
            imap: ServerSettings {
                host: mail.imap_host.clone(),
                port: mail.imap_port,
                security: if mail.imap_tls {
                    MailSecurity::Tls
                } else {
                    MailSecurity::None
                },
                username: Some(account.clone()),
            },
            folder: "INBOX".into(),
            smtp: ServerSettings {
                host: mail.smtp_host.clone(),
                port: mail.smtp_port,
                security: MailSecurity::parse(&mail.smtp_security).unwrap_or(MailSecurity::Tls),
                username: Some(account.clone()),
            },
            // Gmail and Microsoft 365 keep a copy of what is sent through their SMTP servers.
            sent_folder: None,
            oauth: None,
            // A mail provider's inbox often holds years of mail: the last month is taken in.
            backfill_since: EmailSettings::window_from(now.date_naive(), Some(OAUTH_BACKFILL_DAYS)),
        };
        // Both servers must take the token before anything is stored.
        self.check_mailbox(&settings, &MailLogin::Token(tokens.access_token.clone()))
            .await?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let connection = self
            .save_oauth_grant(&txn, actor.org_id, config.kind, &account, &tokens)
            .await?;
        let existing = inboxes::list(&txn, scope).await?.into_iter().find(|i| {
            i.channel == ChannelKind::Email
                && EmailSettings::from_json(&i.settings)
                    .is_ok_and(|s| s.oauth.is_some_and(|o| o.connection == connection))
        });
        if let Some(inbox) = existing {
            // The reader restarts with the renewed grant.
            outbox::record(
                &txn,
                scope,
                EventKind::InboxUpdated,
                json!({ "inbox_id": inbox.id }),
                now,
            )
            .await?;
            txn.commit().await?;
            return Ok(inbox.id);
        }
        txn.commit().await?;
        settings.oauth = Some(OAuthLogin {
            provider: config.kind.id().to_owned(),
            connection,
        });
        let input = NewInbox {
            name: account.clone(),
            channel: ChannelKind::Email,
            team_id: None,
            auto_assign: AutoAssign::None,
            reopen_resolved: true,
            csat_enabled: false,
            email: None,
        };
        let inbox = self
            .store_inbox(actor, account, &input, Some((settings, None)))
            .await?;
        Ok(inbox.id)
    }
}
