//! Configuration: built-in defaults, then a TOML file (`--config`), then `RAPPORT_*`
//! environment variables, then command-line flags — each layer overriding the one before.

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use rapport_app::{AppConfig, DatabaseTarget};
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

/// The merged configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub fn app_config(&self) -> AppConfig {
        AppConfig {
            session_idle: Duration::from_secs(self.session_idle_minutes.max(1) * 60),
            outbox_interval: Duration::from_millis(self.outbox_interval_ms),
            workers: self.workers,
            ..AppConfig::default()
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
