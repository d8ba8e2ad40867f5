//! What the system keeps only while it works on it: dispatched domain events (which carry
//! what changed, a message's text included) go with the periodic prune, undispatched ones stay.

use super::{Browser, drain_jobs, execute, query};
use rapport_app::AppConfig;
use rapport_domain::{Role, SystemClock};
use rapport_jobs::EnqueueOptions;
use rapport_testkit::spawn_app_with;
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;

async fn events(t: &rapport_testkit::TestApp) -> (i64, i64) {
    let rows = query(
        t,
        "SELECT COUNT(*) AS n, COUNT(dispatched_at) AS d FROM outbox_events",
        vec![],
    )
    .await;
    let n: i64 = rows[0].try_get("", "n").unwrap();
    let d: i64 = rows[0].try_get("", "d").unwrap();
    (n, d)
}

/// Runs one job of `kind` now (the scheduler is not running in tests).
async fn run(t: &rapport_testkit::TestApp, kind: &str) {
    t.app
        .queue()
        .enqueue(kind, serde_json::json!({}), EnqueueOptions::default())
        .await
        .unwrap();
    drain_jobs(t).await;
}

#[tokio::test]
async fn dispatched_events_are_pruned_and_pending_ones_kept() {
    let config = AppConfig {
        keep_done_jobs: std::time::Duration::ZERO,
        ..AppConfig::default()
    };
    let t = spawn_app_with(config, Arc::new(SystemClock)).await;
    let owner = t.create_org_with("Prune Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    for name in ["Ana", "Bo"] {
        b.api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": name })),
        )
        .await;
    }
    run(&t, rapport_app::events::DISPATCH_JOB).await;
    let (all, dispatched) = events(&t).await;
    assert!(
        dispatched >= 2 && dispatched == all,
        "{dispatched} of {all}"
    );
    // One event still waiting for its subscribers.
    execute(
        &t,
        "UPDATE outbox_events SET dispatched_at = NULL WHERE id = (SELECT id FROM outbox_events ORDER BY id LIMIT 1)",
        vec![],
    )
    .await;

    run(&t, rapport_app::runtime::PRUNE_JOBS).await;
    assert_eq!(
        events(&t).await,
        (1, 0),
        "the pending event stays, the rest go"
    );
}
