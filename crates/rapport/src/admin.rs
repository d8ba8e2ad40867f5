//! `rapport admin …`: operator commands that work with no one signed in: create an org with
//! its owner, mint an API token, rotate the key-encryption key, verify the audit log.

use crate::config::{self, DataArgs};
use anyhow::Context;
use rapport_app::auth::api_tokens::TokenRequest;
use rapport_domain::{OrgId, PermissionSet};

/// The admin subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create an organization and its owner account; prints the org id.
    CreateOrg {
        /// Organization name.
        #[arg(long)]
        name: String,
        /// Owner's email.
        #[arg(long)]
        owner_email: String,
        /// Owner's password (at least 10 characters) [env: RAPPORT_OWNER_PASSWORD]
        #[arg(long, env = "RAPPORT_OWNER_PASSWORD", hide_env_values = true)]
        owner_password: String,
        /// Data location and database.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Create an API token for a member; prints the token (shown once).
    CreateToken {
        /// The member's email.
        #[arg(long)]
        email: String,
        /// The org id.
        #[arg(long)]
        org: String,
        /// Comma-separated permissions (e.g. contacts.read,contacts.write), or `all`.
        #[arg(long, default_value = "all")]
        scopes: String,
        /// Token label.
        #[arg(long, default_value = "command line")]
        name: String,
        /// Days until it expires (default: never).
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// Data location and database.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Install a new key-encryption key and rewrap every data key under it.
    RotateKeys {
        /// Keep the old key file (default: delete it once nothing needs it).
        #[arg(long)]
        keep_old: bool,
        /// Data location and database.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Check every org's audit chain; exits non-zero and names each altered or missing entry.
    VerifyAudit {
        /// Data location and database.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print each privacy promise with the tests that prove it, then the uncovered ones.
    PrivacyReport {
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

async fn open(data: &DataArgs) -> anyhow::Result<(rapport_app::App, rapport_app::Db)> {
    let cfg = config::load(data, None, false)?;
    crate::telemetry::init(&cfg.log_format);
    crate::serve::open_app(&cfg).await
}

fn app_err(e: rapport_app::AppError) -> anyhow::Error {
    match e {
        rapport_app::AppError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Runs an admin command. Returns the process exit status.
pub async fn run(cmd: AdminCommand) -> anyhow::Result<bool> {
    match cmd {
        AdminCommand::CreateOrg {
            name,
            owner_email,
            owner_password,
            data,
        } => {
            let (app, db) = open(&data).await?;
            let org = app
                .create_org_as_operator(&name, &owner_email, &owner_password)
                .await
                .map_err(app_err)?;
            println!("{org}");
            db.close().await;
            Ok(true)
        }
        AdminCommand::CreateToken {
            email,
            org,
            scopes,
            name,
            expires_in_days,
            data,
        } => {
            let org: OrgId = org.parse().context("--org must be an org id (a UUID)")?;
            let scopes = if scopes.trim() == "all" {
                None
            } else {
                Some(
                    PermissionSet::parse_list(&scopes)
                        .map_err(|p| anyhow::anyhow!("unknown permission `{p}`"))?,
                )
            };
            let (app, db) = open(&data).await?;
            let req = TokenRequest {
                name,
                scopes,
                expires_in_days,
            };
            let token = app
                .create_token_as_operator(&email, org, req)
                .await
                .map_err(|e| match e {
                    rapport_app::AppError::NotFound => {
                        anyhow::anyhow!("no member {email} in org {org}")
                    }
                    other => app_err(other),
                })?;
            println!("{}", token.secret);
            db.close().await;
            Ok(true)
        }
        AdminCommand::RotateKeys { keep_old, data } => {
            let (app, db) = open(&data).await?;
            let (kek, rotation) = app.rotate_keys(keep_old).await.map_err(app_err)?;
            println!(
                "key-encryption key {kek} is current: {} data keys rewrapped, {} already under it",
                rotation.rewrapped, rotation.unchanged
            );
            db.close().await;
            Ok(true)
        }
        AdminCommand::PrivacyReport { json } => {
            crate::privacy_report::print(json)?;
            Ok(true)
        }
        AdminCommand::VerifyAudit { data } => {
            let (app, db) = open(&data).await?;
            let report = app.verify_audit().await.map_err(app_err)?;
            db.close().await;
            if report.problems.is_empty() {
                println!(
                    "audit log intact: {} entries in {} organizations verified",
                    report.entries, report.orgs
                );
                Ok(true)
            } else {
                for p in &report.problems {
                    println!("TAMPERED {p}");
                }
                println!(
                    "audit log verification FAILED: {} problems in {} entries",
                    report.problems.len(),
                    report.entries
                );
                Ok(false)
            }
        }
    }
}
