//! A data-subject access export of a contact with a long history: `MESSAGES` messages
//! (default 10,000) from one customer through the API channel, `FILES` of them (default 50)
//! carrying a 64 KiB file, plus notes and tasks on the contact; other customers' mail beside it
//! (`NOISE`, default 2,000 messages from 200 people) so the queries have to pick. Then
//! `GET /api/v1/contacts/{id}/personal-data` is timed `RUNS` times (default 3) end to end:
//! collecting every row through the data map, decrypting the files, writing JSON, CSVs and the
//! ZIP, and the download.
//!
//! Run: `cargo bench -p rapport-web --bench dsar_export` (SQLite; set
//! `RAPPORT_TEST_DATABASE_URL` to a PostgreSQL URL for PostgreSQL). Results go to stdout and,
//! by hand, to docs/BENCHMARKS.md. Nothing here asserts a timing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{cpu, env, peak_rss_mib};
use futures::StreamExt;
use rapport_domain::Role;
use sea_orm::DbBackend;
use serde_json::{Value, json};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let messages = env("MESSAGES", 10_000);
    let files = env("FILES", 50);
    let noise = env("NOISE", 2_000);
    let runs = env("RUNS", 3);
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

    // The files first (uploads), then every message; each file rides on one message.
    let mut uploads = Vec::new();
    for i in 0..files {
        let body = vec![b'a' + (i % 26) as u8; 64 * 1024];
        let up: Value = c
            .post(t.url(&format!("/api/v1/uploads?filename=statement-{i}.txt")))
            .header("x-csrf-token", &csrf)
            .header("content-type", "text/plain")
            .body(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        uploads.push(up["id"].clone());
    }
    let seeded = Instant::now();
    let total = messages + noise;
    futures::stream::iter(0..total)
        .map(|i| {
            let (c, url, csrf, uploads) = (&c, &url, &csrf, &uploads);
            async move {
                let (who, n) = if i < messages {
                    ("the-customer".to_owned(), i)
                } else {
                    (format!("other-{}", i % 200), i)
                };
                let mut body = json!({
                    "contact": { "identifier": who, "name": "Bench Customer" },
                    "content": format!("Message {n}: the invoice for last month is still missing, can you resend it?"),
                });
                if i < uploads.len() {
                    body["attachments"] = json!([uploads[i]]);
                }
                let res = c
                    .post(url)
                    .header("x-csrf-token", csrf)
                    .header("idempotency-key", format!("bench-{i}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "{}", res.text().await.unwrap());
                let out: Value = res.json().await.unwrap();
                out["contact_id"].as_str().map(str::to_owned)
            }
        })
        .buffer_unordered(16)
        .for_each(|_| async {})
        .await;
    // The customer's contact id, from their first message's repeat.
    let first: Value = c
        .post(&url)
        .header("x-csrf-token", &csrf)
        .header("idempotency-key", "bench-0")
        .json(&json!({ "contact": { "identifier": "the-customer" }, "content": "x" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let contact = first["contact_id"].as_str().unwrap().to_owned();
    for i in 0..20 {
        c.post(t.url("/api/v1/notes"))
            .header("x-csrf-token", &csrf)
            .json(&json!({ "record_type": "contact", "record_id": contact, "body": format!("Call note {i}") }))
            .send()
            .await
            .unwrap();
    }
    println!(
        "{db_name}: seeded {messages} messages ({files} with a 64 KiB file) for one contact and \
         {noise} for others in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    let mut times = Vec::new();
    for run in 1..=runs {
        let (cpu_before, started) = (cpu(), Instant::now());
        let res = c
            .get(t.url(&format!("/api/v1/contacts/{contact}/personal-data")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let zip = res.bytes().await.unwrap();
        let (wall, spent) = (started.elapsed(), cpu() - cpu_before);
        times.push(wall.as_secs_f64());
        println!(
            "{db_name} export run {run}: {:.2} s wall, {:.2} s CPU (this process), ZIP {:.1} MiB, \
             peak RSS {:.0} MiB",
            wall.as_secs_f64(),
            spent.as_secs_f64(),
            zip.len() as f64 / (1024.0 * 1024.0),
            peak_rss_mib(),
        );
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{db_name}: export of a contact with {messages} messages, median {:.2} s over {runs} runs",
        times[times.len() / 2]
    );
}
