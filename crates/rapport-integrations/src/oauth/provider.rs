//! Who an OAuth provider is and what its mail needs. Google and Microsoft are presets: their
//! documented endpoints, scopes and mail servers, each overridable by configuration (tests
//! point them at loopback fakes; a sovereign Microsoft cloud has other hosts).

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The providers Rapport knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Google (Gmail, Google Workspace).
    Google,
    /// Microsoft identity platform (Microsoft 365, Outlook.com).
    Microsoft,
}

impl ProviderKind {
    /// Parses `google` or `microsoft`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "google" => Some(Self::Google),
            "microsoft" => Some(Self::Microsoft),
            _ => None,
        }
    }

    /// The stable id (`google`, `microsoft`), used in URLs and storage.
    pub fn id(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Microsoft => "microsoft",
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            Self::Google => "Google",
            Self::Microsoft => "Microsoft",
        }
    }

    /// The scopes that let Rapport read a mailbox over IMAP and send over SMTP, plus the ID
    /// token that names the account (and, for Microsoft, `offline_access` for a refresh token).
    pub fn mail_scopes(self) -> &'static [&'static str] {
        match self {
            // https://developers.google.com/gmail/imap/xoauth2-protocol
            Self::Google => &["openid", "email", "https://mail.google.com/"],
            // https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
            Self::Microsoft => &[
                "openid",
                "email",
                "offline_access",
                "https://outlook.office.com/IMAP.AccessAsUser.All",
                "https://outlook.office.com/SMTP.Send",
            ],
        }
    }

    /// The provider's mail servers.
    pub fn mail_servers(self) -> MailServers {
        match self {
            Self::Google => MailServers {
                imap_host: "imap.gmail.com".into(),
                imap_port: 993,
                imap_tls: true,
                smtp_host: "smtp.gmail.com".into(),
                smtp_port: 465,
                smtp_security: "tls".into(),
            },
            Self::Microsoft => MailServers {
                imap_host: "outlook.office365.com".into(),
                imap_port: 993,
                imap_tls: true,
                smtp_host: "smtp.office365.com".into(),
                smtp_port: 587,
                smtp_security: "starttls".into(),
            },
        }
    }
}

/// Where a provider's mail is read and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailServers {
    /// IMAP host.
    pub imap_host: String,
    /// IMAP port.
    pub imap_port: u16,
    /// IMAP over TLS (else plain, for a loopback test server).
    pub imap_tls: bool,
    /// SMTP host.
    pub smtp_host: String,
    /// SMTP port.
    pub smtp_port: u16,
    /// `tls`, `starttls` or `none`.
    pub smtp_security: String,
}

/// A configured provider: its endpoints and Rapport's client registration there.
#[derive(Clone)]
pub struct OAuthProvider {
    /// Which provider.
    pub kind: ProviderKind,
    /// The OAuth client id.
    pub client_id: String,
    /// The client secret (never logged).
    pub client_secret: SecretString,
    /// The consent (authorization) endpoint.
    pub auth_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The mail servers connected accounts use.
    pub mail: MailServers,
}

impl std::fmt::Debug for OAuthProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("auth_url", &self.auth_url)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl OAuthProvider {
    /// A provider with its documented endpoints; `tenant` is Microsoft's tenant id (default
    /// `common`: work, school and personal accounts).
    pub fn preset(
        kind: ProviderKind,
        client_id: String,
        client_secret: SecretString,
        tenant: Option<&str>,
    ) -> Self {
        let (auth_url, token_url) = match kind {
            // https://developers.google.com/identity/protocols/oauth2/web-server
            ProviderKind::Google => (
                "https://accounts.google.com/o/oauth2/v2/auth".to_owned(),
                "https://oauth2.googleapis.com/token".to_owned(),
            ),
            // https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
            ProviderKind::Microsoft => {
                let tenant = tenant.unwrap_or("common");
                (
                    format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize"),
                    format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"),
                )
            }
        };
        Self {
            kind,
            client_id,
            client_secret,
            auth_url,
            token_url,
            mail: kind.mail_servers(),
        }
    }
}
