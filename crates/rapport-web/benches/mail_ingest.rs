//! Email backlog ingestion end to end against a real Dovecot on loopback: a generated backlog
//! (`THREADS` threads, default 1,000, about three messages each; `rapport_testkit::mail_backlog`)
//! waits in the mailbox; an email inbox is connected and its reader fetches, parses, threads
//! and stores every message. Reported: messages per second from connecting to the last
//! message stored, this process's CPU time per message (Dovecot and a PostgreSQL server are
//! other processes) and the process's peak resident memory.
//!
//! Run: `cargo bench -p rapport-web --bench mail_ingest` (SQLite; set
//! `RAPPORT_TEST_DATABASE_URL` to a PostgreSQL URL for PostgreSQL). Needs `dovecot` and
//! `python3 -m aiosmtpd` (scripts/test installs them). Results go to stdout and, by hand, to
//! docs/BENCHMARKS.md. Nothing here asserts a timing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{cpu, env, peak_rss_mib};
use rapport_domain::Role;
use rapport_testkit::imap::Dovecot;
use rapport_testkit::mail_backlog;
use rapport_testkit::smtp::SmtpSink;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let threads = env("THREADS", 1_000);
    let backlog = mail_backlog::generate(threads);
    let total = backlog.messages.len();
    let imap = Dovecot::start().await;
    imap.add_user("support", "bench-mailbox-pass");
    imap.deliver_many("support", "bench-mailbox-pass", "INBOX", &backlog.messages)
        .await;
    let sink = SmtpSink::start().await;
    let mut config = rapport_app::AppConfig::default();
    config.egress.allow_private = true;
    let t = rapport_testkit::spawn_app_with(config, Arc::new(rapport_domain::SystemClock)).await;
    let db_name = if t.db.db.db_backend() == DbBackend::Postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let owner = t.create_org_with("Bench Org", Role::Owner).await;
    let (c, csrf) = common::signed_in(&t, &owner.email, &owner.password).await;
    let res = c
        .post(t.url("/api/v1/inboxes"))
        .header("x-csrf-token", &csrf)
        .json(&json!({
            "name": "Bench mail", "channel": "email",
            "email": {
                "address": "support@example.com",
                "imap_host": imap.host(), "imap_port": imap.port(), "imap_security": "none",
                "imap_username": "support", "imap_password": "bench-mailbox-pass",
                "smtp_host": sink.host(), "smtp_port": sink.port(), "smtp_security": "none",
            },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);

    let sql = "SELECT COUNT(*) FROM messages WHERE kind = 'message' AND direction = 'incoming'";
    let count = || async {
        t.db.db
            .conn()
            .query_one_raw(Statement::from_string(t.db.db.db_backend(), sql))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap()
    };
    let (cpu_before, started) = (cpu(), Instant::now());
    let sync = t.app.start_mail_sync("bench");
    let deadline = started + Duration::from_secs(600);
    while count().await < total as i64 {
        assert!(
            Instant::now() < deadline,
            "the backlog did not arrive in 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (wall, spent) = (started.elapsed(), cpu() - cpu_before);
    sync.stop().await;
    println!(
        "mail backlog ({db_name}): {total} messages in {threads} threads stored in {:.2} s = {:.0} msg/s; \
         CPU {:.2} ms per message (this process); peak RSS {:.0} MiB",
        wall.as_secs_f64(),
        total as f64 / wall.as_secs_f64(),
        spent.as_secs_f64() * 1000.0 / total as f64,
        peak_rss_mib(),
    );
}
