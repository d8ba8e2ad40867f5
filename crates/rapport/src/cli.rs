//! The command-line interface: subcommands and their flags.

use crate::config::{self, DataArgs};
use anyhow::Context;
use clap::{Parser, Subcommand};

/// Rapport: self-hosted, privacy-first customer engagement — CRM and shared inbox in one binary.
#[derive(Debug, Parser)]
#[command(name = "rapport", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server, the job workers and the scheduler (applies migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DataArgs),
    /// Operator commands: create orgs and tokens, rotate keys, verify the audit log.
    #[command(subcommand)]
    Admin(crate::admin::AdminCommand),
}

/// Flags of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [env: RAPPORT_BIND] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Seed a demo organization and print its login (re-running resets the demo password)
    /// [env: RAPPORT_DEMO]
    #[arg(long)]
    pub demo: bool,
    /// Data location and database.
    #[command(flatten)]
    pub data: DataArgs,
}

/// Runs the parsed command line. `Ok(false)` means a check failed (exit status 1).
pub async fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::Serve(args) => {
            let cfg = config::load(&args.data, args.bind.as_deref(), args.demo)?;
            crate::telemetry::init(&cfg.log_format);
            crate::serve::run(cfg).await.map(|()| true)
        }
        Command::Admin(cmd) => crate::admin::run(cmd).await,
        Command::Migrate(args) => {
            let cfg = config::load(&args, None, false)?;
            crate::telemetry::init(&cfg.log_format);
            let target = cfg.database_target()?;
            let db = rapport_app::Db::connect(&target)
                .await
                .with_context(|| format!("opening {}", target.describe()))?;
            db.migrate().await.context("applying migrations")?;
            db.close().await;
            println!("migrations applied to {}", target.describe());
            Ok(true)
        }
    }
}
