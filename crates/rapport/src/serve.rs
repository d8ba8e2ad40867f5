//! `rapport serve`: open and migrate the database, optionally seed the demo, start the job
//! runtime, serve HTTP until SIGINT/SIGTERM, then drain and stop cleanly.

use crate::config::Config;
use anyhow::Context;
use rapport_app::vault::Vault;
use rapport_app::{App, Db};
use rapport_domain::SystemClock;
use std::sync::Arc;
use std::time::Instant;

/// Runs the server until a shutdown signal.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let started = Instant::now();
    let target = cfg.database_target()?;
    let (app, db) = open_app(&cfg).await?;

    let web = rapport_web::WebConfig {
        body_limit: cfg.body_limit_bytes,
        secure_cookies: cfg.secure_cookies,
        trust_forwarded_for: cfg.trust_forwarded_for,
    };
    let router = rapport_web::router(app.clone(), &web)?;
    let listener = tokio::net::TcpListener::bind(&cfg.bind)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.bind))?;
    let addr = listener.local_addr()?;

    if cfg.demo {
        let login = app
            .seed_demo()
            .await
            .map_err(|e| anyhow::anyhow!("seeding the demo failed: {e}"))?;
        println!(
            "Demo organization {}.",
            if login.created { "created" } else { "ready" }
        );
        println!("  Sign in at http://{addr}/login");
        println!("  email:    {}", login.email);
        println!("  password: {}", login.password);
    } else if app.needs_setup().await.unwrap_or(false) {
        println!("First run: open http://{addr}/setup to create your organization.");
    }

    let process_id = format!("{}:{}:{}", hostname(), std::process::id(), &uuid_suffix());
    let background = app.start_background(&process_id);
    tracing::info!(%addr, database = %target.describe(), ms = started.elapsed().as_millis() as u64, "Rapport is listening");
    println!(
        "Rapport {} listening on http://{addr}",
        env!("CARGO_PKG_VERSION")
    );

    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("HTTP server failed")?;
    tracing::info!("shutting down: waiting for running jobs");
    background.stop().await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Opens the database (migrated), the vault and the app, as every data command needs.
pub async fn open_app(cfg: &Config) -> anyhow::Result<(App, Db)> {
    let target = cfg.database_target()?;
    let db = Db::connect_migrated(&target)
        .await
        .with_context(|| format!("opening {}", target.describe()))?;
    let vault = Vault::load(cfg.kek_source())
        .map_err(|e| anyhow::anyhow!("opening the key-encryption key: {e}"))?;
    let app = App::new(db.clone(), Arc::new(SystemClock), vault, cfg.app_config()?);
    Ok((app, db))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "rapport".into())
}

fn uuid_suffix() -> String {
    let id = rapport_domain::JobId::new().to_string();
    id.chars().rev().take(6).collect()
}
