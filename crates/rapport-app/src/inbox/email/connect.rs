//! From stored settings to live connections: the IMAP and SMTP accounts `rapport-mail` opens,
//! with their hosts resolved through the egress guard (DESIGN.md invariant 5: a loopback,
//! private or link-local address is refused unless the operator allowed it, and the addresses
//! checked are the ones connected to), the secrets opened from the vault, and the check run
//! when settings are saved, whose errors name the server and what went wrong.

use super::settings::{EmailSecrets, EmailSettings, ServerSettings};
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::vault::KeyOwner;
use rapport_domain::{InboxId, OrgId};
use rapport_egress::EgressError;
use rapport_mail::imap::{Account, Folder};
use rapport_mail::smtp::SmtpAccount;
use rapport_store::ConnectionTrait;
use rapport_vault::{ExposeSecret, SecretString};
use std::net::SocketAddr;

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
        secrets: &EmailSecrets,
    ) -> Result<Account, EgressError> {
        let server = &settings.imap;
        Ok(Account {
            host: server.host.clone(),
            port: server.port,
            username: server.username.clone().unwrap_or_default(),
            password: secrets.imap_password.clone(),
            security: server.security.transport(),
            extra_roots: Vec::new(),
            addresses: self.mail_addresses(server).await?,
        })
    }

    /// The SMTP account of an inbox, its host vetted by the egress guard.
    pub(crate) async fn smtp_account(
        &self,
        settings: &EmailSettings,
        secrets: &EmailSecrets,
    ) -> Result<SmtpAccount, EgressError> {
        let server = &settings.smtp;
        let username = server.username.clone().filter(|u| !u.is_empty());
        Ok(SmtpAccount {
            host: server.host.clone(),
            port: server.port,
            security: server.security.transport(),
            password: username
                .as_ref()
                .map(|_| secrets.smtp_password.clone())
                .filter(|p| !p.is_empty()),
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
        secrets: &EmailSecrets,
    ) -> AppResult<()> {
        let imap = async {
            let account = self
                .imap_account(settings, secrets)
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
                .smtp_account(settings, secrets)
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
