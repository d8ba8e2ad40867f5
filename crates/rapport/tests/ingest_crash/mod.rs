//! Exactly once through a crash (DESIGN.md invariant 3): a burst of 10,000 inbound messages
//! is posted to an API inbox, the server is killed with SIGKILL part-way, restarted, and the
//! whole burst is sent again. Every message is then stored exactly once: none that was
//! acknowledged before the kill is lost (its re-send is a repeat), none is stored twice.

use super::{Server, http, org_with_token};
use futures::StreamExt;
use rapport_store::testing::TestDb;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const MESSAGES: usize = 10_000;
/// Acknowledged messages before the kill.
const KILL_AFTER: usize = 3_000;
const CONCURRENCY: usize = 32;
/// Distinct customers the burst comes from.
const CUSTOMERS: usize = 200;

/// Posts message `i`; `Some(status)` when the server answered.
async fn post(c: &reqwest::Client, base: &str, token: &str, inbox: &str, i: usize) -> Option<u16> {
    let body = json!({
        "contact": { "identifier": format!("cust-{}", i % CUSTOMERS) },
        "content": format!("burst message {i}"),
    });
    let res = c
        .post(format!("{base}/api/v1/inboxes/{inbox}/messages"))
        .bearer_auth(token)
        .header("idempotency-key", format!("burst-{i}"))
        .json(&body)
        .send()
        .await
        .ok()?;
    let status = res.status().as_u16();
    // A response cut off by the kill counts as unanswered.
    res.bytes().await.ok()?;
    Some(status)
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let row = db
        .db
        .conn()
        .query_one_raw(Statement::from_string(db.db.db_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sigkill_during_a_burst_of_10000_inbound_messages_loses_none_and_duplicates_none() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let data = [
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        db.url.as_str(),
    ];
    let token = org_with_token("Burst Org", &data);

    let first = Server::start(&data, &[]);
    let c = http();
    let inbox: Value = c
        .post(format!("{}/api/v1/inboxes", first.base))
        .bearer_auth(&token)
        .json(&json!({ "name": "Burst" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let inbox = inbox["id"].as_str().unwrap().to_owned();

    // The burst, killed once KILL_AFTER messages were acknowledged.
    let pid = nix::unistd::Pid::from_raw(first.child.id() as i32);
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let outcomes: Vec<(usize, Option<u16>)> = futures::stream::iter(0..MESSAGES)
        .map(|i| {
            let (c, base, token, inbox, acked) =
                (&c, &first.base, &token, &inbox, acknowledged.clone());
            async move {
                let status = post(c, base, token, inbox, i).await;
                if status == Some(201) && acked.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).unwrap();
                }
                (i, status)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    drop(first);
    let acked: Vec<usize> = outcomes
        .iter()
        .filter(|(_, s)| *s == Some(201))
        .map(|(i, _)| *i)
        .collect();
    assert!(acked.len() >= KILL_AFTER, "the burst ran until the kill");
    assert!(acked.len() < MESSAGES, "the kill cut the burst short");

    // Restart and send everything again.
    let second = Server::start(&data, &[]);
    let again: Vec<(usize, Option<u16>)> = futures::stream::iter(0..MESSAGES)
        .map(|i| {
            let (c, base, token, inbox) = (&c, &second.base, &token, &inbox);
            async move { (i, post(c, base, token, inbox, i).await) }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut lost = Vec::new();
    for (i, status) in &again {
        match status {
            Some(200) => {}
            // Stored only now: it must not have been acknowledged before the kill.
            Some(201) if !acked.contains(i) => {}
            other => lost.push(format!("message {i}: {other:?}")),
        }
    }
    assert!(lost.is_empty(), "{}", lost.join("\n"));
    assert!(second.stop().success());

    let stored = count(
        &db,
        "SELECT COUNT(*) FROM messages WHERE kind = 'message' AND direction = 'incoming'",
    )
    .await;
    let distinct = count(
        &db,
        "SELECT COUNT(DISTINCT body) FROM messages WHERE kind = 'message'",
    )
    .await;
    let receipts = count(&db, "SELECT COUNT(*) FROM inbound_receipts").await;
    assert_eq!(
        (stored, distinct, receipts),
        (MESSAGES as i64, MESSAGES as i64, MESSAGES as i64)
    );
    let contacts = count(&db, "SELECT COUNT(*) FROM contacts").await;
    assert_eq!(contacts, CUSTOMERS as i64, "one contact per customer");
    let conversations = count(&db, "SELECT COUNT(*) FROM conversations").await;
    assert_eq!(
        conversations, CUSTOMERS as i64,
        "one conversation per customer"
    );
}
