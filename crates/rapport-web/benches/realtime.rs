//! Realtime latency over real HTTP on loopback: an agent's open event stream
//! (`GET /api/v1/realtime`) and `MESSAGES` customer messages (default 2,000) posted through the
//! API channel, first one at a time, then by `CONCURRENCY` clients (default 8) at once. For
//! each message: the time from its POST returning to its `message.created` arriving on the
//! stream (zero when the event beat the response). On PostgreSQL the same again with the POSTs
//! sent to a second server process on the same database (events cross via LISTEN/NOTIFY).
//!
//! Run: `cargo bench -p rapport-web --bench realtime` (SQLite; set `RAPPORT_TEST_DATABASE_URL`
//! to a PostgreSQL URL for PostgreSQL). Results go to stdout and, by hand, to
//! docs/BENCHMARKS.md. Nothing here asserts a timing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{env, percentile, signed_in};
use futures::StreamExt;
use rapport_domain::Role;
use rapport_testkit::TestApp;
use sea_orm::DbBackend;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Arrival times of `message.created` events by message id.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// Reads the stream in the background, noting when each message's event arrived.
async fn watch(c: &reqwest::Client, t: &TestApp) -> Arrivals {
    let res = c.get(t.url("/api/v1/realtime")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let arrivals: Arrivals = Arc::default();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let seen = arrivals.clone();
    tokio::spawn(async move {
        let mut ready = Some(ready_tx);
        let mut res = res;
        let mut buf = String::new();
        while let Ok(Some(chunk)) = res.chunk().await {
            let now = Instant::now();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                if block.contains("event: ready")
                    && let Some(tx) = ready.take()
                {
                    let _ = tx.send(());
                }
                if !block.contains("event: message.created") {
                    continue;
                }
                let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) else {
                    continue;
                };
                let v: Value = serde_json::from_str(data).unwrap();
                if let Some(id) = v["payload"]["message_id"].as_str() {
                    seen.lock().unwrap().insert(id.to_owned(), now);
                }
            }
        }
    });
    ready_rx.await.unwrap();
    arrivals
}

#[allow(clippy::too_many_arguments)]
async fn run(
    label: &str,
    poster: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    inbox: &str,
    arrivals: &Arrivals,
    messages: usize,
    concurrency: usize,
    round: usize,
) {
    let url = poster.url(&format!("/api/v1/inboxes/{inbox}/messages"));
    let returned: Vec<(String, Instant)> = futures::stream::iter(0..messages)
        .map(|i| {
            let (c, url) = (c, &url);
            async move {
                let body = json!({
                    "contact": { "identifier": format!("rt-{round}-{}", i % 200), "name": "Bench Customer" },
                    "content": format!("Message {i}: is anyone there?"),
                });
                let res = c
                    .post(url)
                    .header("x-csrf-token", csrf)
                    .header("idempotency-key", format!("rt-{round}-{i}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success());
                let v: Value = res.json().await.unwrap();
                let done = Instant::now();
                (v["message"]["id"].as_str().unwrap().to_owned(), done)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    // Wait until every event arrived (bounded: a lost event is reported, not waited for).
    let give_up = Instant::now() + Duration::from_secs(30);
    loop {
        let have = {
            let seen = arrivals.lock().unwrap();
            returned
                .iter()
                .filter(|(id, _)| seen.contains_key(id))
                .count()
        };
        if have == returned.len() || Instant::now() > give_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = arrivals.lock().unwrap();
    let mut lat: Vec<Duration> = returned
        .iter()
        .filter_map(|(id, done)| seen.get(id).map(|at| at.saturating_duration_since(*done)))
        .collect();
    let missing = returned.len() - lat.len();
    lat.sort();
    println!(
        "{label}: {} messages at c={concurrency}: POST return → event on the stream p50 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms; {missing} not received",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
}

#[tokio::main]
async fn main() {
    let messages = env("MESSAGES", 2_000);
    let concurrency = env("CONCURRENCY", 8);
    let t = rapport_testkit::spawn_app().await;
    let pg = t.db.db.db_backend() == DbBackend::Postgres;
    let db_name = if pg { "PostgreSQL" } else { "SQLite" };
    let stop = CancellationToken::new();
    tokio::spawn(rapport_app::realtime::feed::run(
        t.app.clone(),
        stop.clone(),
    ));
    let owner = t.create_org_with("Bench Org", Role::Owner).await;
    let (c, csrf) = signed_in(&t, &owner.email, &owner.password).await;
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
    let inbox = inbox["id"].as_str().unwrap().to_owned();
    let (agent_client, _) = signed_in(&t, &owner.email, &owner.password).await;
    let arrivals = watch(&agent_client, &t).await;

    let same = format!("{db_name} realtime, same process");
    run(&same, &t, &c, &csrf, &inbox, &arrivals, messages / 4, 1, 0).await;
    run(
        &same,
        &t,
        &c,
        &csrf,
        &inbox,
        &arrivals,
        messages,
        concurrency,
        1,
    )
    .await;
    if pg {
        let second = t.second_process().await;
        tokio::spawn(rapport_app::realtime::feed::run(
            second.app.clone(),
            stop.clone(),
        ));
        let (c2, csrf2) = signed_in(&second, &owner.email, &owner.password).await;
        let other = format!("{db_name} realtime, POST to a second process");
        run(
            &other,
            &second,
            &c2,
            &csrf2,
            &inbox,
            &arrivals,
            messages / 4,
            1,
            2,
        )
        .await;
        run(
            &other,
            &second,
            &c2,
            &csrf2,
            &inbox,
            &arrivals,
            messages,
            concurrency,
            3,
        )
        .await;
    }
    stop.cancel();
}
