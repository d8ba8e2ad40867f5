//! From stored settings to live connections: the IMAP and SMTP accounts `rapport-mail` opens,
//! with their hosts resolved through the egress guard (DESIGN.md invariant 5: a loopback,
//! private or link-local address is refused unless the operator allowed it, and the addresses
//! checked are the ones connected to), the secrets opened from the vault, and the check run
//! when settings are saved, whose errors name the server and what went wrong.

use super::settings::{EmailSecrets, EmailSettings, ServerSettings};
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::oauth_connections::TokenError;
use crate::vault::KeyOwner;
use rapport_domain::{InboxId, OrgId};
use rapport_egress::EgressError;
use rapport_mail::imap::{Account, Folder, ImapError, Secret};
use rapport_mail::smtp::SmtpAccount;
use rapport_store::ConnectionTrait;
use rapport_store::repo::inboxes::InboxRecord;
use rapport_vault::{ExposeSecret, SecretString};
use std::net::SocketAddr;

/// What logs in to an inbox's servers: its stored passwords, or an access token of the OAuth
/// connection it signs in with.
pub(crate) enum MailLogin {
    /// IMAP and SMTP passwords.
    Passwords(EmailSecrets),
    /// An OAuth 2.0 access token (XOAUTH2 on both servers).
    Token(SecretString),
}

impl MailLogin {
    fn imap(&self) -> Secret {
        match self {
            Self::Passwords(s) => Secret::Password(s.imap_password.clone()),
            Self::Token(t) => Secret::OAuth2Token(t.expose_secret().to_owned()),
        }
    }

    fn smtp(&self) -> Option<Secret> {
        match self {
            Self::Passwords(s) => Some(s.smtp_password.clone())
                .filter(|p| !p.is_empty())
                .map(Secret::Password),
            Self::Token(t) => Some(Secret::OAuth2Token(t.expose_secret().to_owned())),
        }
    }
}

/// What binds an inbox's sealed passwords to it.
fn aad(inbox: InboxId) -> String {
    format!("inbox_secret:{inbox}")
}

impl App {
    /// Seals an email inbox's passwords for storage on the inbox.
    pub(crate) async fn seal_email_secrets(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        inbox: InboxId,
        secrets: &EmailSecrets,
    ) -> AppResult<String> {
        let json = serde_json::to_string(secrets)
            .map_err(|e| AppError::Internal(format!("email secrets: {e}")))?;
        self.vault()
            .seal(
                db,
                KeyOwner::Org(org),
                &aad(inbox),
                &SecretString::from(json),
            )
            .await
    }

    /// Opens an inbox's channel secret (the delivery job hands it to the adapter).
    pub(crate) async fn open_inbox_secret(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        inbox: InboxId,
        sealed: &str,
    ) -> AppResult<String> {
        let opened = self
            .vault()
            .open(db, KeyOwner::Org(org), &aad(inbox), sealed)
            .await?;
        Ok(opened.expose_secret().to_owned())
    }

    /// Opens what [`App::seal_email_secrets`] sealed.
    pub(crate) async fn open_email_secrets(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        inbox: InboxId,
        sealed: &str,
    ) -> AppResult<EmailSecrets> {
        let json = self.open_inbox_secret(db, org, inbox, sealed).await?;
        EmailSecrets::from_json(&json)
    }

    /// How an inbox logs in now: with its OAuth connection's access token (refreshed when
    /// close to its end, or when a server just `refused` it), else with its sealed passwords.
    pub(crate) async fn mail_login(
        &self,
        org: OrgId,
        inbox: InboxId,
        sealed: Option<&str>,
        settings: &EmailSettings,
        refused: bool,
    ) -> Result<MailLogin, TokenError> {
        if let Some(oauth) = &settings.oauth {
            return self
                .oauth_access_token(org, oauth.connection, refused)
                .await
                .map(MailLogin::Token);
        }
        let sealed = sealed.ok_or_else(|| {
            TokenError::Revoked("the inbox has no stored password; enter it again".into())
        })?;
        let secrets = self
            .open_email_secrets(self.db().conn(), org, inbox, sealed)
            .await?;
        Ok(MailLogin::Passwords(secrets))
    }

    /// Logs in to an inbox's mailbox and selects its folder. A token the server refuses is
    /// refreshed and tried once more (it may have been revoked early, or the clocks differ).
    pub(crate) async fn open_folder(
        &self,
        org: OrgId,
        inbox: &InboxRecord,
        settings: &EmailSettings,
    ) -> Result<Folder, String> {
        let mut refused = false;
        loop {
            let login = self
                .mail_login(
                    org,
                    inbox.id,
                    inbox.sealed_secret.as_deref(),
                    settings,
                    refused,
                )
                .await
                .map_err(|e| e.to_string())?;
            let account = self
                .imap_account(settings, &login)
                .await
                .map_err(|e| e.to_string())?;
            match Folder::open(&account, &settings.folder).await {
                Ok(folder) => return Ok(folder.with_window(settings.backfill_since)),
                Err(ImapError::AuthenticationFailed)
                    if matches!(login, MailLogin::Token(_)) && !refused =>
                {
                    refused = true;
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    /// The addresses of a mail server the egress policy lets this server connect to.
    async fn mail_addresses(
        &self,
        server: &ServerSettings,
    ) -> Result<Vec<SocketAddr>, EgressError> {
        rapport_egress::socket_addrs(&self.config().egress, &server.host, server.port).await
    }

    /// The IMAP account of an inbox, its host vetted by the egress guard.
    pub(crate) async fn imap_account(
        &self,
        settings: &EmailSettings,
        login: &MailLogin,
    ) -> Result<Account, EgressError> {
        let server = &settings.imap;
        Ok(Account {
            host: server.host.clone(),
            port: server.port,
            username: server.username.clone().unwrap_or_default(),
            secret: login.imap(),
            security: server.security.transport(),
            extra_roots: Vec::new(),
            addresses: self.mail_addresses(server).await?,
        })
    }

    /// The SMTP account of an inbox, its host vetted by the egress guard.
    pub(crate) async fn smtp_account(
        &self,
        settings: &EmailSettings,
        login: &MailLogin,
    ) -> Result<SmtpAccount, EgressError> {
        let server = &settings.smtp;
        let username = server.username.clone().filter(|u| !u.is_empty());
        Ok(SmtpAccount {
            host: server.host.clone(),
            port: server.port,
            security: server.security.transport(),
            secret: username.as_ref().and_then(|_| login.smtp()),
            username,
            addresses: self.mail_addresses(server).await?,
            extra_roots: Vec::new(),
        })
    }

    /// Connects to both servers as the settings say: the mailbox must open (host reachable,
    /// TLS trusted, credentials taken, folder present) and the SMTP server must take the
    /// credentials. Failures are field errors worded for the person who typed the settings.
    pub(crate) async fn check_mailbox(
        &self,
        settings: &EmailSettings,
        login: &MailLogin,
    ) -> AppResult<()> {
        let imap = async {
            let account = self
                .imap_account(settings, login)
                .await
                .map_err(|e| e.to_string())?;
            let folder = Folder::open(&account, &settings.folder)
                .await
                .map_err(|e| e.to_string())?;
            folder.close().await;
            Ok::<(), String>(())
        };
        let smtp = async {
            let account = self
                .smtp_account(settings, login)
                .await
                .map_err(|e| e.to_string())?;
            rapport_mail::smtp::check(&account)
                .await
                .map_err(|e| e.to_string())
        };
        let (imap, smtp) = tokio::join!(imap, smtp);
        let mut errors = Vec::new();
        if let Err(e) = imap {
            errors.push(("imap_host".to_owned(), e));
        }
        if let Err(e) = smtp {
            errors.push(("smtp_host".to_owned(), e));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::InvalidInput(errors))
        }
    }
}
