//! Configuration: built-in defaults, then a TOML file (`--config`), then `RAPPORT_*`
//! environment variables, then command-line flags — each layer overriding the one before.

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use rapport_app::context::{OidcProviderConfig, SmtpConfig, SmtpSecurity};
use rapport_app::vault::KekSource;
use rapport_app::{AppConfig, DatabaseTarget};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Flags shared by every subcommand that touches data.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DataArgs {
    /// Directory for the embedded database and other local data [env: RAPPORT_DATA_DIR]
    /// [default: ./rapport-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: postgres://… for PostgreSQL, sqlite://PATH for an existing SQLite file;
    /// unset means the embedded SQLite database in the data directory [env: RAPPORT_DATABASE_URL]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// TOML configuration file (keys as in the README's configuration table) [env: RAPPORT_CONFIG]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The merged configuration. Its `Debug` leaves out the secrets (the KEK, the SMTP password,
/// OIDC client secrets), so it can be logged.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Listen address.
    pub bind: String,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Database URL; `None` means embedded SQLite.
    pub database_url: Option<String>,
    /// Seed the demo organization.
    pub demo: bool,
    /// `text` or `json`.
    pub log_format: String,
    /// Outbox dispatch period in milliseconds.
    pub outbox_interval_ms: u64,
    /// Concurrent job workers.
    pub workers: usize,
    /// Mark cookies `Secure` (set when TLS terminates in front of Rapport).
    pub secure_cookies: bool,
    /// Largest request body in bytes.
    pub body_limit_bytes: usize,
    /// Minutes of inactivity before a session ends.
    pub session_idle_minutes: u64,
    /// The address users reach Rapport at (links in mail, security keys, OIDC redirects);
    /// unset: `http://localhost:PORT` from `bind`.
    pub public_url: Option<String>,
    /// Take client addresses from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// The key-encryption key as base64 (32 bytes); unset: a key file in `data_dir/keys`,
    /// created with mode 0600 on first start.
    pub kek: Option<String>,
    /// Older key-encryption keys (base64, comma-separated), still needed until
    /// `rapport admin rotate-keys` ran.
    pub kek_previous: Option<String>,
    /// SMTP server for system mail (password resets, invitations); unset: no mail.
    pub smtp_host: Option<String>,
    /// SMTP port.
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_security: String,
    /// SMTP user name.
    pub smtp_username: Option<String>,
    /// SMTP password.
    pub smtp_password: Option<String>,
    /// Sender of system mail.
    pub smtp_from: String,
    /// Sign-in providers (`[[oidc]]` tables in the TOML file).
    pub oidc: Vec<OidcSection>,
    /// Providers whose mailboxes connect with OAuth (`[[mail_oauth]]` tables).
    pub mail_oauth: Vec<crate::config_mail_oauth::MailOAuthSection>,
    /// Let webhooks and integrations call loopback, private and link-local addresses (off:
    /// only public addresses, so a URL cannot reach into the server's own network).
    pub egress_allow_private: bool,
    /// Private hosts or addresses allowed anyway (comma-separated).
    pub egress_allowed_hosts: Option<String>,
    /// Seconds one outbound call may take.
    pub egress_timeout_seconds: u64,
    /// Seconds a mailbox reader's lease lasts (another process takes over a crashed one's
    /// mailbox after this).
    pub mail_lease_seconds: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |set: bool| if set { "**redacted**" } else { "unset" };
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "**set**"),
            )
            .field("demo", &self.demo)
            .field("log_format", &self.log_format)
            .field("workers", &self.workers)
            .field("public_url", &self.public_url)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("kek", &redacted(self.kek.is_some()))
            .field("kek_previous", &redacted(self.kek_previous.is_some()))
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &redacted(self.smtp_password.is_some()))
            .field("smtp_from", &self.smtp_from)
            .field("oidc", &self.oidc)
            .field("mail_oauth", &self.mail_oauth)
            .field("egress_allow_private", &self.egress_allow_private)
            .field("egress_allowed_hosts", &self.egress_allowed_hosts)
            .finish_non_exhaustive()
    }
}

/// One `[[oidc]]` provider (its `Debug` leaves out the client secret).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct OidcSection {
    /// URL-safe id; `google` and `microsoft` are presets that know their issuer.
    pub id: String,
    /// Button label (default: the id, capitalized).
    #[serde(default)]
    pub name: Option<String>,
    /// Issuer URL (required unless a preset).
    #[serde(default)]
    pub issuer: Option<String>,
    /// Microsoft tenant id (preset `microsoft`; default `organizations`).
    #[serde(default)]
    pub tenant: Option<String>,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
}

impl std::fmt::Debug for OidcSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSection")
            .field("id", &self.id)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./rapport-data"),
            database_url: None,
            demo: false,
            log_format: "text".into(),
            outbox_interval_ms: 1000,
            workers: 2,
            secure_cookies: false,
            body_limit_bytes: 1024 * 1024,
            session_idle_minutes: 8 * 60,
            public_url: None,
            trust_forwarded_for: false,
            kek: None,
            kek_previous: None,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_from: "Rapport <no-reply@localhost>".into(),
            oidc: Vec::new(),
            mail_oauth: Vec::new(),
            egress_allow_private: false,
            egress_allowed_hosts: None,
            egress_timeout_seconds: 10,
            mail_lease_seconds: 90,
        }
    }
}

/// Flag values that override everything (only the ones given).
#[derive(Debug, Default, Serialize)]
struct FlagLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    demo: Option<bool>,
}

/// Loads the configuration for a subcommand.
pub fn load(data: &DataArgs, bind: Option<&str>, demo: bool) -> anyhow::Result<Config> {
    let file = data
        .config
        .clone()
        .or_else(|| std::env::var_os("RAPPORT_CONFIG").map(PathBuf::from));
    let flags = FlagLayer {
        bind: bind.map(str::to_owned),
        data_dir: data.data_dir.clone(),
        database_url: data.database_url.clone(),
        demo: demo.then_some(true),
    };
    merge(file.as_deref(), Env::prefixed("RAPPORT_"), flags)
}

fn merge(
    file: Option<&Path>,
    env: impl figment::Provider,
    flags: FlagLayer,
) -> anyhow::Result<Config> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = file {
        anyhow::ensure!(
            path.is_file(),
            "configuration file {} does not exist",
            path.display()
        );
        figment = figment.merge(Toml::file_exact(path));
    }
    let cfg: Config = figment
        .merge(env)
        .merge(Serialized::defaults(flags))
        .extract()
        .context("invalid configuration")?;
    anyhow::ensure!(cfg.workers <= 64, "workers must be between 0 and 64");
    anyhow::ensure!(
        cfg.outbox_interval_ms >= 50,
        "outbox_interval_ms must be at least 50"
    );
    Ok(cfg)
}

impl Config {
    /// The database to open.
    pub fn database_target(&self) -> anyhow::Result<DatabaseTarget> {
        Ok(DatabaseTarget::resolve(
            self.database_url.as_deref(),
            &self.data_dir,
        )?)
    }

    /// The app-layer settings.
    pub fn app_config(&self) -> anyhow::Result<AppConfig> {
        Ok(AppConfig {
            session_idle: Duration::from_secs(self.session_idle_minutes.max(1) * 60),
            outbox_interval: Duration::from_millis(self.outbox_interval_ms),
            workers: self.workers,
            public_url: self.public_url(),
            smtp: self.smtp()?,
            oidc: self.oidc()?,
            blob_dir: self.data_dir.join("blobs"),
            egress: rapport_egress::EgressPolicy {
                allow_private: self.egress_allow_private,
                allowed_hosts: self
                    .egress_allowed_hosts
                    .iter()
                    .flat_map(|list| list.split(','))
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            egress_timeout: Duration::from_secs(self.egress_timeout_seconds.clamp(1, 120)),
            mail_lease: Duration::from_secs(self.mail_lease_seconds.clamp(3, 3600)),
            mail_oauth: self
                .mail_oauth
                .iter()
                .map(crate::config_mail_oauth::MailOAuthSection::provider)
                .collect::<anyhow::Result<_>>()?,
            ..AppConfig::default()
        })
    }

    /// The public URL, explicit or derived from the listen address.
    pub fn public_url(&self) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let port = self.bind.rsplit(':').next().unwrap_or("8080");
        format!("http://localhost:{port}")
    }

    fn smtp(&self) -> anyhow::Result<Option<SmtpConfig>> {
        let Some(host) = &self.smtp_host else {
            return Ok(None);
        };
        let security = match self.smtp_security.as_str() {
            "none" => SmtpSecurity::None,
            "starttls" => SmtpSecurity::StartTls,
            "tls" => SmtpSecurity::Tls,
            other => anyhow::bail!("smtp_security must be none, starttls or tls (not `{other}`)"),
        };
        Ok(Some(SmtpConfig {
            host: host.clone(),
            port: self.smtp_port,
            security,
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone().map(SecretString::from),
            from: self.smtp_from.clone(),
        }))
    }

    fn oidc(&self) -> anyhow::Result<Vec<OidcProviderConfig>> {
        self.oidc
            .iter()
            .map(|p| {
                anyhow::ensure!(
                    !p.id.is_empty()
                        && p.id
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "oidc provider id `{}` must be letters, digits, - or _",
                    p.id
                );
                let issuer = p
                    .issuer
                    .clone()
                    .or_else(|| OidcProviderConfig::preset_issuer(&p.id, p.tenant.as_deref()))
                    .with_context(|| format!("oidc provider `{}` needs an issuer", p.id))?;
                let name = p.name.clone().unwrap_or_else(|| {
                    let mut c = p.id.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                });
                Ok(OidcProviderConfig {
                    id: p.id.clone(),
                    name,
                    issuer,
                    client_id: p.client_id.clone(),
                    client_secret: SecretString::from(p.client_secret.clone()),
                })
            })
            .collect()
    }

    /// Where the key-encryption key comes from.
    pub fn kek_source(&self) -> KekSource {
        match &self.kek {
            Some(current) => KekSource::Given {
                current: current.clone(),
                previous: self
                    .kek_previous
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            None => KekSource::KeyDir(self.data_dir.join("keys")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_defaults_then_file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rapport.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:9000\"\ndata_dir = \"/from/file\"\nworkers = 7\nlog_format = \"json\"\n").unwrap();
        // The environment layer, as figment's Env provider would produce it.
        let env =
            Serialized::defaults(serde_json::json!({ "data_dir": "/from/env", "workers": 3 }));
        let flags = FlagLayer {
            data_dir: None,
            bind: Some("127.0.0.1:1234".into()),
            ..FlagLayer::default()
        };
        let cfg = merge(Some(&file), env, flags).unwrap();
        assert_eq!(cfg.bind, "127.0.0.1:1234", "flag beats file");
        assert_eq!(cfg.data_dir, PathBuf::from("/from/env"), "env beats file");
        assert_eq!(cfg.workers, 3, "env beats file");
        assert_eq!(cfg.log_format, "json", "file beats default");
        assert_eq!(cfg.outbox_interval_ms, 1000, "default when nothing sets it");
    }

    #[test]
    fn missing_file_and_bad_values_are_clear_errors() {
        let env = Serialized::defaults(serde_json::json!({}));
        let err = merge(
            Some(Path::new("/nope/rapport.toml")),
            env,
            FlagLayer::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("does not exist"));
        let env = Serialized::defaults(serde_json::json!({ "workers": "many" }));
        assert!(merge(None, env, FlagLayer::default()).is_err());
    }

    #[test]
    fn debug_output_leaves_out_secrets() {
        let cfg = Config {
            kek: Some("S0VLLXNlY3JldA==".into()),
            smtp_password: Some("smtp-secret-pw".into()),
            database_url: Some("postgres://u:db-secret-pw@h/db".into()),
            oidc: vec![OidcSection {
                id: "corp".into(),
                name: None,
                issuer: Some("https://id.example".into()),
                tenant: None,
                client_id: "rapport".into(),
                client_secret: "oidc-secret".into(),
            }],
            ..Config::default()
        };
        let shown = format!("{cfg:?}");
        for secret in [
            "S0VLLXNlY3JldA==",
            "smtp-secret-pw",
            "db-secret-pw",
            "oidc-secret",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("corp"));
    }

    #[test]
    fn unsupported_database_scheme_is_refused() {
        let cfg = Config {
            database_url: Some("mysql://x".into()),
            ..Config::default()
        };
        let err = cfg.database_target().unwrap_err().to_string();
        assert!(
            err.contains("unsupported database URL scheme `mysql`"),
            "{err}"
        );
    }
}
