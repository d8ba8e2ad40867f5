//! API-channel ingest throughput over real HTTP on loopback: `MESSAGES` customer messages
//! (default 20,000) from `CUSTOMERS` people (default 2,000; the first message of each opens a
//! contact and a conversation, the rest continue it) posted with idempotency keys by
//! `CONCURRENCY` clients (default 16), then the same burst again (every post a repeat).
//!
//! Run: `cargo bench -p rapport-web --bench inbox_ingest` (SQLite; set
//! `RAPPORT_TEST_DATABASE_URL` to a PostgreSQL URL for PostgreSQL). Results go to stdout and,
//! by hand, to docs/BENCHMARKS.md. Nothing here asserts a timing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{env, percentile};
use futures::StreamExt;
use rapport_domain::Role;
use sea_orm::DbBackend;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let messages = env("MESSAGES", 20_000);
    let customers = env("CUSTOMERS", 2_000);
    let concurrency = env("CONCURRENCY", 16);
    let t = rapport_testkit::spawn_app().await;
    let db_name = if t.db.db.db_backend() == DbBackend::Postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
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
    let url = t.url(&format!(
        "/api/v1/inboxes/{}/messages",
        inbox["id"].as_str().unwrap()
    ));

    for pass in ["first delivery", "repeat"] {
        let started = Instant::now();
        let mut latencies: Vec<Duration> = futures::stream::iter(0..messages)
            .map(|i| {
                let (c, url, csrf) = (&c, &url, &csrf);
                async move {
                    let body = json!({
                        "contact": { "identifier": format!("customer-{}", i % customers), "name": "Bench Customer" },
                        "content": format!("Message {i}: my order has not arrived yet, can you check?"),
                    });
                    let sent = Instant::now();
                    let res = c
                        .post(url)
                        .header("x-csrf-token", csrf)
                        .header("idempotency-key", format!("bench-{i}"))
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
                    res.bytes().await.unwrap();
                    sent.elapsed()
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort();
        println!(
            "{db_name} ingest ({pass}): {messages} messages from {customers} customers at c={concurrency} \
             in {elapsed:.2} s = {:.0} msg/s; latency p50 {:.1} ms, p99 {:.1} ms",
            messages as f64 / elapsed,
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
        );
    }
}
