//! The `[[mail_oauth]]` tables: Google and Microsoft apps whose accounts' mailboxes can be
//! connected with OAuth (XOAUTH2 for IMAP and SMTP). Each is a preset that knows the
//! provider's documented endpoints and mail servers; every URL and host can be overridden
//! (a sovereign cloud, or a local fake in tests).

use anyhow::Context;
use rapport_integrations::oauth::{OAuthProvider, ProviderKind};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// One `[[mail_oauth]]` table (its `Debug` leaves out the client secret).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailOAuthSection {
    /// `google` or `microsoft`.
    pub provider: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// Microsoft tenant id (default `common`).
    #[serde(default)]
    pub tenant: Option<String>,
    /// Consent endpoint override.
    #[serde(default)]
    pub auth_url: Option<String>,
    /// Token endpoint override.
    #[serde(default)]
    pub token_url: Option<String>,
    /// IMAP host override.
    #[serde(default)]
    pub imap_host: Option<String>,
    /// IMAP port override.
    #[serde(default)]
    pub imap_port: Option<u16>,
    /// IMAP over TLS (default true; false only for a loopback test server).
    #[serde(default)]
    pub imap_tls: Option<bool>,
    /// SMTP host override.
    #[serde(default)]
    pub smtp_host: Option<String>,
    /// SMTP port override.
    #[serde(default)]
    pub smtp_port: Option<u16>,
    /// SMTP security override (`tls`, `starttls`, `none`).
    #[serde(default)]
    pub smtp_security: Option<String>,
}

impl std::fmt::Debug for MailOAuthSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailOAuthSection")
            .field("provider", &self.provider)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl MailOAuthSection {
    /// The provider as the app uses it.
    pub fn provider(&self) -> anyhow::Result<OAuthProvider> {
        let kind = ProviderKind::parse(&self.provider).with_context(|| {
            format!(
                "mail_oauth provider must be google or microsoft (not `{}`)",
                self.provider
            )
        })?;
        anyhow::ensure!(
            !self.client_id.is_empty() && !self.client_secret.is_empty(),
            "mail_oauth `{}` needs client_id and client_secret",
            self.provider
        );
        if let Some(s) = &self.smtp_security {
            anyhow::ensure!(
                ["tls", "starttls", "none"].contains(&s.as_str()),
                "mail_oauth smtp_security must be tls, starttls or none (not `{s}`)"
            );
        }
        let mut p = OAuthProvider::preset(
            kind,
            self.client_id.clone(),
            SecretString::from(self.client_secret.clone()),
            self.tenant.as_deref(),
        );
        let over = |slot: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                slot.clone_from(v);
            }
        };
        over(&mut p.auth_url, &self.auth_url);
        over(&mut p.token_url, &self.token_url);
        over(&mut p.mail.imap_host, &self.imap_host);
        over(&mut p.mail.smtp_host, &self.smtp_host);
        over(&mut p.mail.smtp_security, &self.smtp_security);
        p.mail.imap_port = self.imap_port.unwrap_or(p.mail.imap_port);
        p.mail.smtp_port = self.smtp_port.unwrap_or(p.mail.smtp_port);
        p.mail.imap_tls = self.imap_tls.unwrap_or(p.mail.imap_tls);
        Ok(p)
    }
}
