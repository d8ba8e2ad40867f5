//! An email inbox's settings: the address it answers from, the IMAP mailbox it reads and the
//! SMTP server it sends through. What is not secret lives in the inbox's `settings` JSON; the
//! two passwords are sealed together by the vault (`inbox.secret`, bound to the inbox id).
//! Everything is validated field by field, so a form shows every mistake at once.

use crate::error::{AppError, AppResult};
use rapport_domain::Email;
use rapport_mail::transport::Security;
use serde::{Deserialize, Serialize};

/// The longest host name.
const MAX_HOST: usize = 253;
/// The longest user name (an address, usually).
const MAX_USERNAME: usize = 320;
/// The longest password.
const MAX_PASSWORD: usize = 1024;
/// The longest folder name.
const MAX_FOLDER: usize = 255;
/// The longest display name.
const MAX_DISPLAY_NAME: usize = 100;

/// How a mail connection is secured, as settings spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    Tls,
    /// Plain, upgraded with STARTTLS (IMAP 143, SMTP 587).
    Starttls,
    /// No TLS (a relay on a trusted network; tests).
    None,
}

impl MailSecurity {
    /// Parses `tls`, `starttls` or `none`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" => Some(Self::Tls),
            "starttls" => Some(Self::Starttls),
            "none" | "plain" => Some(Self::None),
            _ => None,
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tls => "tls",
            Self::Starttls => "starttls",
            Self::None => "none",
        }
    }

    pub(crate) fn transport(self) -> Security {
        match self {
            Self::Tls => Security::Tls,
            Self::Starttls => Security::StartTls,
            Self::None => Security::Plain,
        }
    }
}

/// One server: where and as whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSettings {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub security: MailSecurity,
    /// User name (none: the SMTP server takes mail without authentication).
    pub username: Option<String>,
}

/// What an email inbox stores in its settings (nothing secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    /// The address customers write to and replies come from.
    pub address: String,
    /// The name replies are sent under (the inbox's name when absent).
    pub display_name: Option<String>,
    /// The mailbox read for new mail.
    pub imap: ServerSettings,
    /// The folder read (`INBOX` unless set).
    pub folder: String,
    /// The server replies are sent through.
    pub smtp: ServerSettings,
    /// The folder a copy of each sent reply is saved in (none: no copy).
    #[serde(default)]
    pub sent_folder: Option<String>,
    /// The OAuth connection both servers log in through (none: the sealed passwords).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthLogin>,
    /// Mail that arrived before this day is not taken in when the mailbox is read from the
    /// start (none: all of it). Set from the backfill window when the inbox is connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill_since: Option<chrono::NaiveDate>,
}

/// The longest backfill window, in days (ten years).
pub const MAX_BACKFILL_DAYS: u32 = 3650;

/// An inbox that signs in with an OAuth connection (Gmail, Microsoft 365) instead of passwords.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthLogin {
    /// `google` or `microsoft`.
    pub provider: String,
    /// The connection (`oauth_connections.id`).
    pub connection: uuid::Uuid,
}

impl EmailSettings {
    /// The first day of a backfill window of `days` ending `today` (0: today only).
    pub fn window_from(today: chrono::NaiveDate, days: Option<u32>) -> Option<chrono::NaiveDate> {
        days.map(|d| today - chrono::Days::new(u64::from(d.min(MAX_BACKFILL_DAYS))))
    }

    /// Reads stored settings.
    pub fn from_json(v: &serde_json::Value) -> AppResult<Self> {
        serde_json::from_value(v.clone())
            .map_err(|e| AppError::Internal(format!("email inbox settings: {e}")))
    }

    /// The JSON stored on the inbox.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// The passwords, sealed together.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct EmailSecrets {
    /// IMAP password.
    pub imap_password: String,
    /// SMTP password (empty: no authentication).
    pub smtp_password: String,
}

impl EmailSecrets {
    /// Reads opened secrets.
    pub(crate) fn from_json(json: &str) -> AppResult<Self> {
        serde_json::from_str(json).map_err(|e| AppError::Internal(format!("email secrets: {e}")))
    }
}

impl std::fmt::Debug for EmailSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmailSecrets(…)")
    }
}

/// An email inbox's settings as a form or API call gives them (validated by
/// [`EmailInput::validate`]). Passwords are write-only: a password left empty on a change
/// keeps the stored one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailInput {
    /// The inbox's address.
    pub address: String,
    /// Sender name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// IMAP host.
    pub imap_host: String,
    /// IMAP port (993 with `tls`, else 143, when absent).
    #[serde(default)]
    pub imap_port: Option<u16>,
    /// `tls` (default), `starttls` or `none`.
    #[serde(default)]
    pub imap_security: Option<String>,
    /// IMAP user name.
    pub imap_username: String,
    /// IMAP password.
    #[serde(default)]
    pub imap_password: Option<String>,
    /// The folder read (`INBOX` when absent).
    #[serde(default)]
    pub folder: Option<String>,
    /// The folder a copy of each sent reply is saved in, e.g. `Sent` (absent: no copy).
    #[serde(default)]
    pub sent_folder: Option<String>,
    /// SMTP host.
    pub smtp_host: String,
    /// SMTP port (465 for `tls`, 587 otherwise, when absent).
    #[serde(default)]
    pub smtp_port: Option<u16>,
    /// `tls`, `starttls` or `none`.
    #[serde(default)]
    pub smtp_security: Option<String>,
    /// SMTP user name (empty: no authentication).
    #[serde(default)]
    pub smtp_username: Option<String>,
    /// SMTP password.
    #[serde(default)]
    pub smtp_password: Option<String>,
    /// How many days of the mail already in the mailbox to take in when it is connected (0:
    /// only mail that arrives from now on; absent: all of it). Ignored on a change.
    #[serde(default)]
    pub backfill_days: Option<u32>,
}

fn host(field: &str, raw: &str, errors: &mut Vec<(String, String)>) -> String {
    let h = raw.trim().trim_start_matches('[').trim_end_matches(']');
    if h.is_empty() {
        errors.push((field.into(), "enter the server's host name".into()));
    } else if h.len() > MAX_HOST || h.chars().any(|c| c.is_whitespace() || c == '/' || c == '@') {
        errors.push((field.into(), "not a valid host name".into()));
    }
    h.to_ascii_lowercase()
}

fn security(field: &str, raw: Option<&str>, errors: &mut Vec<(String, String)>) -> MailSecurity {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => MailSecurity::Tls,
        Some(s) => MailSecurity::parse(s).unwrap_or_else(|| {
            errors.push((field.into(), "choose tls, starttls or none".into()));
            MailSecurity::Tls
        }),
    }
}

fn port(field: &str, given: Option<u16>, default: u16, errors: &mut Vec<(String, String)>) -> u16 {
    match given {
        Some(0) => {
            errors.push((field.into(), "ports run from 1 to 65535".into()));
            default
        }
        Some(p) => p,
        None => default,
    }
}

fn bounded(
    field: &str,
    raw: &str,
    max: usize,
    required: bool,
    errors: &mut Vec<(String, String)>,
) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() {
        if required {
            errors.push((field.into(), "this field is required".into()));
        }
        return None;
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        errors.push((field.into(), format!("at most {max} visible characters")));
    }
    Some(v.to_owned())
}

impl EmailInput {
    /// Validates into settings and secrets. `stored` supplies passwords left empty on change;
    /// a new inbox must be given the IMAP password.
    pub fn validate(
        &self,
        stored: Option<&EmailSecrets>,
    ) -> AppResult<(EmailSettings, EmailSecrets)> {
        let mut errors = Vec::new();
        let address = match Email::parse(&self.address) {
            Ok(e) => e.as_str().to_owned(),
            Err(_) => {
                errors.push(("address".into(), "not an email address".into()));
                String::new()
            }
        };
        let display_name = self
            .display_name
            .as_deref()
            .and_then(|n| bounded("display_name", n, MAX_DISPLAY_NAME, false, &mut errors));
        let imap_security = security("imap_security", self.imap_security.as_deref(), &mut errors);
        let imap_default = if imap_security == MailSecurity::Tls {
            993
        } else {
            143
        };
        let imap = ServerSettings {
            host: host("imap_host", &self.imap_host, &mut errors),
            port: port("imap_port", self.imap_port, imap_default, &mut errors),
            security: imap_security,
            username: bounded(
                "imap_username",
                &self.imap_username,
                MAX_USERNAME,
                true,
                &mut errors,
            ),
        };
        let smtp_security = security("smtp_security", self.smtp_security.as_deref(), &mut errors);
        let smtp_default = if smtp_security == MailSecurity::Tls {
            465
        } else {
            587
        };
        let smtp = ServerSettings {
            host: host("smtp_host", &self.smtp_host, &mut errors),
            port: port("smtp_port", self.smtp_port, smtp_default, &mut errors),
            security: smtp_security,
            username: self
                .smtp_username
                .as_deref()
                .and_then(|u| bounded("smtp_username", u, MAX_USERNAME, false, &mut errors)),
        };
        let folder = self
            .folder
            .as_deref()
            .and_then(|f| bounded("folder", f, MAX_FOLDER, false, &mut errors))
            .unwrap_or_else(|| "INBOX".to_owned());
        let sent_folder = self
            .sent_folder
            .as_deref()
            .and_then(|f| bounded("sent_folder", f, MAX_FOLDER, false, &mut errors));
        let password = |field: &str,
                        given: &Option<String>,
                        kept: Option<&String>,
                        errors: &mut Vec<(String, String)>| {
            match given.as_deref().filter(|p| !p.is_empty()) {
                Some(p) if p.len() > MAX_PASSWORD || p.contains('\0') => {
                    errors.push((field.into(), format!("at most {MAX_PASSWORD} bytes")));
                    String::new()
                }
                Some(p) => p.to_owned(),
                None => kept.cloned().unwrap_or_default(),
            }
        };
        let imap_password = password(
            "imap_password",
            &self.imap_password,
            stored.map(|s| &s.imap_password),
            &mut errors,
        );
        if imap_password.is_empty() && !errors.iter().any(|(f, _)| f == "imap_password") {
            errors.push(("imap_password".into(), "enter the mailbox password".into()));
        }
        let smtp_password = password(
            "smtp_password",
            &self.smtp_password,
            stored.map(|s| &s.smtp_password),
            &mut errors,
        );
        if smtp.username.is_some()
            && smtp_password.is_empty()
            && !errors.iter().any(|(f, _)| f == "smtp_password")
        {
            errors.push((
                "smtp_password".into(),
                "enter the SMTP password (or leave the SMTP user name empty)".into(),
            ));
        }
        if self.backfill_days.is_some_and(|d| d > MAX_BACKFILL_DAYS) {
            errors.push((
                "backfill_days".into(),
                format!("at most {MAX_BACKFILL_DAYS} days"),
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::InvalidInput(errors));
        }
        Ok((
            EmailSettings {
                address,
                display_name,
                imap,
                folder,
                smtp,
                sent_folder,
                oauth: None,
                backfill_since: None,
            },
            EmailSecrets {
                imap_password,
                smtp_password,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EmailInput {
        EmailInput {
            address: "Support@Example.com".into(),
            imap_host: "imap.example.com".into(),
            imap_username: "support@example.com".into(),
            imap_password: Some("secret".into()),
            smtp_host: "smtp.example.com".into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_follow_the_security_chosen() {
        let (s, secrets) = input().validate(None).unwrap();
        assert_eq!(s.address, "support@example.com");
        assert_eq!((s.imap.port, s.imap.security), (993, MailSecurity::Tls));
        assert_eq!((s.smtp.port, s.smtp.security), (465, MailSecurity::Tls));
        assert_eq!(s.folder, "INBOX");
        assert_eq!(secrets.imap_password, "secret");
        let starttls = EmailInput {
            imap_security: Some("STARTTLS".into()),
            smtp_security: Some("starttls".into()),
            ..input()
        };
        let (s, _) = starttls.validate(None).unwrap();
        assert_eq!((s.imap.port, s.smtp.port), (143, 587));
    }

    #[test]
    fn every_mistake_is_named_at_once() {
        let bad = EmailInput {
            address: "nope".into(),
            imap_host: "imap example".into(),
            imap_password: None,
            smtp_host: String::new(),
            smtp_security: Some("ssl3".into()),
            smtp_username: Some("me".into()),
            ..input()
        };
        let Err(AppError::InvalidInput(errors)) = bad.validate(None) else {
            panic!("must be refused");
        };
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        for f in [
            "address",
            "imap_host",
            "imap_password",
            "smtp_host",
            "smtp_security",
            "smtp_password",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn an_empty_password_on_change_keeps_the_stored_one() {
        let stored = EmailSecrets {
            imap_password: "kept".into(),
            smtp_password: String::new(),
        };
        let change = EmailInput {
            imap_password: Some(String::new()),
            ..input()
        };
        let (_, secrets) = change.validate(Some(&stored)).unwrap();
        assert_eq!(secrets.imap_password, "kept");
    }
}
