//! What an import leaves behind: a run announces itself with one outbox event, and an upload
//! nobody ran is deleted by the hourly sweep a day later (it holds personal data).

use super::Api;
use chrono::{DateTime, Duration, Utc};
use rapport_app::AppConfig;
use rapport_domain::ManualClock;
use rapport_testkit::spawn_app_with;
use serde_json::json;
use std::sync::Arc;

const CSV: &str =
    "First name,Last name,Email\nAda,Lovelace,ada@acme.test\nAlan,Turing,alan@acme.test\n";

async fn sweep(a: &Api) -> usize {
    crate::crm_work::run_job_now(&a.t, rapport_app::crm::import::SWEEP_IMPORTS).await
}

#[tokio::test]
async fn a_run_emits_one_event_and_an_abandoned_upload_is_deleted_a_day_later() {
    let start: DateTime<Utc> = "2026-11-27T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let a = Api::on(spawn_app_with(AppConfig::default(), clock.clone()).await).await;
    let org = a.user.org_id.as_uuid();

    let ran = a.upload_ok("run.csv", CSV).await;
    let ran_id = ran["id"].as_str().unwrap().to_owned();
    let (status, result) = a.run(&ran_id, json!({})).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["imported"], 2);
    let events = a
        .count(
            "SELECT COUNT(*) AS n FROM outbox_events WHERE org_id = $1 AND kind = $2",
            vec![org.into(), "contact.import_completed".into()],
        )
        .await;
    assert_eq!(events, 1, "one event for the import, none per contact");

    let left = a.upload_ok("left.csv", CSV).await;
    let left_id = left["id"].as_str().unwrap().to_owned();
    clock.advance(Duration::hours(23));
    sweep(&a).await;
    // Signed in again: the first session has expired with the clock.
    let (c, _) = super::login(&a.t, &a.user).await;
    let status = |path: String| {
        let req = c.get(a.t.url(&path));
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        status(format!("/api/v1/imports/{left_id}")).await,
        200,
        "a day to come back to it"
    );
    clock.advance(Duration::hours(2));
    sweep(&a).await;
    assert_eq!(
        status(format!("/api/v1/imports/{left_id}")).await,
        404,
        "the abandoned upload is gone"
    );
    let stored = a
        .count(
            "SELECT COUNT(*) AS n FROM crm_imports WHERE org_id = $1 AND id = $2",
            vec![org.into(), uuid::Uuid::parse_str(&left_id).unwrap().into()],
        )
        .await;
    assert_eq!(stored, 0, "its content with it");
    assert_eq!(
        status(format!("/api/v1/imports/{ran_id}")).await,
        200,
        "a finished import keeps its report"
    );
    assert_eq!(a.contacts().await, 2, "the imported contacts stay");
}
