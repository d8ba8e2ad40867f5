//! A retention run over a large inbox: `MESSAGES` messages (default 1,000,000) in
//! conversations of 10 messages each, spread over `CONTACTS` contacts (default 20,000), of
//! which `EXPIRED_PERCENT` (default 10) were last active 400 days ago, past the default
//! 12-month policy. Seeded in bulk with SQL, then the retention pass (`App::run_retention`,
//! what the hourly `privacy.retention` job runs) is timed while `WRITERS` clients (default 4)
//! keep posting customer messages through the API channel: their latency before and during
//! the run shows whether the purge blocks the inbox. Passes repeat until nothing is left
//! to purge (one pass purges at most 40 batches of 500 conversations per org).
//!
//! Run: `cargo bench -p rapport-web --bench retention` (SQLite; set
//! `RAPPORT_TEST_DATABASE_URL` to a PostgreSQL URL for PostgreSQL). Results go to stdout and,
//! by hand, to docs/BENCHMARKS.md. Nothing here asserts a timing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{env, percentile};
use rapport_domain::Role;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as SqlValue};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

async fn exec(t: &rapport_testkit::TestApp, sql: &str, values: Vec<SqlValue>) -> u64 {
    let backend = t.db.db.db_backend();
    let sql = if backend == DbBackend::Sqlite {
        sql.replace('$', "?")
    } else {
        sql.to_owned()
    };
    t.db.db
        .conn()
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap()
        .rows_affected()
}

/// Posts customer messages until `stop`; each post's latency.
async fn writer(
    c: reqwest::Client,
    url: String,
    csrf: String,
    n: usize,
    stop: Arc<AtomicBool>,
) -> Vec<Duration> {
    let mut out = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let sent = Instant::now();
        let res = c
            .post(&url)
            .header("x-csrf-token", &csrf)
            .header(
                "idempotency-key",
                format!("w{n}-{i}-{}", uuid::Uuid::now_v7()),
            )
            .json(&json!({
                "contact": { "identifier": format!("live-{n}-{}", i % 50) },
                "content": "Is my refund on its way?",
            }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        res.bytes().await.unwrap();
        out.push(sent.elapsed());
        i += 1;
    }
    out
}

/// Runs writers for as long as `work` takes; their latencies, sorted.
async fn under_load<F: std::future::Future<Output = ()>>(
    writers: usize,
    target: (&reqwest::Client, &str, &str),
    work: F,
) -> Vec<Duration> {
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..writers)
        .map(|n| {
            tokio::spawn(writer(
                target.0.clone(),
                target.1.to_owned(),
                target.2.to_owned(),
                n,
                stop.clone(),
            ))
        })
        .collect();
    work.await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    all
}

fn latency(label: &str, l: &[Duration]) {
    println!(
        "  {label}: {} posts, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        l.len(),
        percentile(l, 0.50),
        percentile(l, 0.99),
        l.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    );
}

#[tokio::main]
async fn main() {
    let messages = env("MESSAGES", 1_000_000);
    let contacts = env("CONTACTS", 20_000);
    let expired_percent = env("EXPIRED_PERCENT", 10);
    let writers = env("WRITERS", 4);
    let conversations = messages / 10;
    let t = rapport_testkit::spawn_app().await;
    let pg = t.db.db.db_backend() == DbBackend::Postgres;
    let db_name = if pg { "PostgreSQL" } else { "SQLite" };
    let owner = t.create_org_with("Bench Org", Role::Owner).await;
    let (c, csrf) = common::signed_in(&t, &owner.email, &owner.password).await;
    let inbox: Value = c
        .post(t.url("/api/v1/inboxes"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "Bench" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let inbox_id: uuid::Uuid = inbox["id"].as_str().unwrap().parse().unwrap();
    let url = t.url(&format!("/api/v1/inboxes/{inbox_id}/messages"));
    let org = owner.org_id.as_uuid();

    // Bulk seed: numbers from a recursive CTE, ids from the database's own generator.
    let seeded = Instant::now();
    let new_id = if pg {
        "gen_random_uuid()"
    } else {
        "randomblob(16)"
    };
    let now = chrono::Utc::now();
    let old = now - chrono::Duration::days(400);
    let count = |n: usize| {
        format!(
            "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {}) ",
            n - 1
        )
    };
    exec(
        &t,
        "CREATE TABLE bench_contacts (n BIGINT PRIMARY KEY, id UUID NOT NULL)",
        vec![],
    )
    .await;
    exec(
        &t,
        &format!(
            "{}INSERT INTO bench_contacts (n, id) SELECT i, {new_id} FROM seq",
            count(contacts)
        ),
        vec![],
    )
    .await;
    exec(
        &t,
        "INSERT INTO contacts (id, org_id, first_name, last_name, display_name, lifecycle_stage, social, \
         custom, consent_marketing, consent_ai, created_at, updated_at) \
         SELECT id, $1, 'Customer', '', 'Customer', 'customer', '{}', '{}', false, true, $2, $2 FROM bench_contacts",
        vec![org.into(), old.into()],
    )
    .await;
    let expired = conversations * expired_percent / 100;
    exec(
        &t,
        &format!(
            "{}INSERT INTO conversations (id, org_id, number, inbox_id, contact_id, subject, status, \
             priority, last_activity_at, last_message_preview, message_count, created_at, updated_at) \
             SELECT {new_id}, $1, i + 1, $2, bc.id, 'Where is my order?', 'resolved', 'none', \
             CASE WHEN i < $3 THEN $4 ELSE $5 END, 'Where is my order?', 10, $4, $4 \
             FROM seq JOIN bench_contacts bc ON bc.n = i % $6",
            count(conversations)
        ),
        vec![
            org.into(),
            inbox_id.into(),
            (expired as i64).into(),
            old.into(),
            now.into(),
            (contacts as i64).into(),
        ],
    )
    .await;
    exec(
        &t,
        &format!(
            "{}INSERT INTO messages (id, org_id, conversation_id, kind, direction, sender_type, sender_id, \
             body, status, metadata, created_at) \
             SELECT {new_id}, $1, c.id, 'message', 'incoming', 'contact', c.contact_id, \
             'Hello, my order has not arrived yet. Could you check where it is?', 'received', '{{}}', \
             c.last_activity_at FROM conversations c CROSS JOIN seq WHERE c.org_id = $1",
            count(10)
        ),
        vec![org.into()],
    )
    .await;
    exec(&t, "DROP TABLE bench_contacts", vec![]).await;
    // Live conversations number on from the seeded ones.
    exec(
        &t,
        "INSERT INTO org_counters (org_id, name, value) VALUES ($1, 'conversation', $2)",
        vec![org.into(), (conversations as i64).into()],
    )
    .await;
    if !pg {
        // As after any bulk load: the WAL folded into the file, or every commit pays for it.
        exec(&t, "PRAGMA wal_checkpoint(TRUNCATE)", vec![]).await;
    }
    println!(
        "{db_name}: seeded {messages} messages in {conversations} conversations of {contacts} \
         contacts ({expired} conversations = {}% expired) in {:.1} s",
        expired_percent,
        seeded.elapsed().as_secs_f64()
    );

    let target = (&c, url.as_str(), csrf.as_str());
    let before = under_load(writers, target, tokio::time::sleep(Duration::from_secs(5))).await;
    let started = Instant::now();
    let mut purged = 0u64;
    let mut passes = 0;
    let during = under_load(writers, target, async {
        loop {
            passes += 1;
            let n = t.app.run_retention().await.unwrap();
            purged += n;
            if n == 0 {
                break;
            }
        }
    })
    .await;
    let wall = started.elapsed().as_secs_f64();
    println!(
        "{db_name} retention: {purged} conversations ({} messages) purged in {passes} passes, \
         {wall:.1} s = {:.0} messages/s; inbox writes by {writers} clients:",
        purged * 10,
        (purged * 10) as f64 / wall,
    );
    latency("before the run", &before);
    latency("during the run", &during);
}
