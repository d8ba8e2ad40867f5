//! SLA policies over the API, on a manual clock: deadlines set when a conversation opens in a
//! covered inbox and recounted when its priority changes, the sweep's warning and breach
//! (once each, the breach told to the assignee and handed to automation rules), the first
//! reply meeting its target, waiting on the customer pausing the clock, and policies refused
//! when they could not run.

use super::canned::call;
use super::{Browser, api_inbox, post_inbound, token};
use crate::crm_work::run_job_now;
use chrono::{DateTime, Duration, Utc};
use rapport_app::AppConfig;
use rapport_domain::{ManualClock, Role};
use rapport_testkit::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn same_time(v: &Value, want: DateTime<Utc>) -> bool {
    v.as_str()
        .and_then(|s| s.parse::<DateTime<Utc>>().ok())
        .is_some_and(|t| t == want)
}

async fn conversation(t: &TestApp, b: &Browser, id: &str) -> Value {
    b.api_ok(t, Method::GET, &format!("/conversations/{id}"), None)
        .await
}

/// Runs the sweep, then dispatches what it recorded and the automation runs that follow.
async fn sweep(t: &TestApp) {
    run_job_now(t, "sla.sweep").await;
    for _ in 0..10 {
        if run_job_now(t, "outbox.dispatch").await <= 1 {
            return;
        }
    }
}

async fn unread_titles(t: &TestApp, b: &Browser) -> Vec<String> {
    let page = b.api_ok(t, Method::GET, "/notifications", None).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn deadlines_follow_the_conversation_and_the_sweep_warns_and_breaches_once() {
    let start = at("2026-11-30T09:00:00Z");
    let clock = Arc::new(ManualClock::new(start));
    let t = spawn_app_with(AppConfig::default(), clock.clone()).await;
    let owner = t.create_org_with("SLA Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let ab = Browser::sign_in(&t, &agent).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let policy = b
        .api_ok(
            &t,
            Method::POST,
            "/sla-policies",
            Some(json!({
                "name": "Standard", "inbox_ids": [inbox],
                "targets": [
                    { "priority": "urgent", "first_response_minutes": 10, "resolution_minutes": 60 },
                    { "priority": "none", "first_response_minutes": 60, "resolution_minutes": 480 },
                ],
            })),
        )
        .await;
    assert_eq!(policy["warn_percent"], 80);
    assert_eq!(
        policy["targets"][0]["priority"], "none",
        "sorted by priority"
    );
    b.api_ok(
        &t,
        Method::POST,
        "/automation-rules",
        Some(json!({ "name": "Flag breaches", "trigger": "sla_breached",
            "actions": [{ "type": "add_label", "label": "sla-breached" }] })),
    )
    .await;

    let tok = token(&t, &b).await;
    let body = json!({ "contact": { "identifier": "ada" }, "content": "Help!" });
    let (_, posted) = post_inbound(&t, &t.client(), &tok, &inbox, "k1", body).await;
    let id = posted["conversation_id"].as_str().unwrap().to_owned();
    let c = conversation(&t, &b, &id).await;
    assert!(
        same_time(
            &c["sla"]["first_response_due_at"],
            start + Duration::minutes(60)
        ),
        "{c}"
    );
    assert!(same_time(
        &c["sla"]["resolution_due_at"],
        start + Duration::hours(8)
    ));

    let path = |p: &str| format!("/conversations/{id}/{p}");
    b.api_ok(
        &t,
        Method::POST,
        &path("priority"),
        Some(json!({ "priority": "urgent" })),
    )
    .await;
    b.api_ok(
        &t,
        Method::POST,
        &path("assign"),
        Some(json!({ "assignee_id": agent.id })),
    )
    .await;
    let c = conversation(&t, &b, &id).await;
    assert!(
        same_time(
            &c["sla"]["first_response_due_at"],
            start + Duration::minutes(10)
        ),
        "recounted from the start"
    );

    clock.advance(Duration::minutes(9));
    sweep(&t).await;
    let c = conversation(&t, &b, &id).await;
    assert_eq!(c["sla"]["state"], "warning");
    assert!(
        !unread_titles(&t, &ab)
            .await
            .iter()
            .any(|n| n.contains("SLA"))
    );

    clock.advance(Duration::minutes(2));
    sweep(&t).await;
    let c = conversation(&t, &b, &id).await;
    assert_eq!(c["sla"]["state"], "breached");
    assert_eq!(
        c["labels"],
        json!(["sla-breached"]),
        "the rule on sla_breached ran"
    );
    let breached: Vec<String> = unread_titles(&t, &ab)
        .await
        .into_iter()
        .filter(|n| n.contains("SLA breached on conversation #1"))
        .collect();
    assert_eq!(breached.len(), 1, "the assignee is told");
    sweep(&t).await;
    let again = unread_titles(&t, &ab).await;
    assert_eq!(
        again.iter().filter(|n| n.contains("SLA breached")).count(),
        1,
        "once"
    );

    // The first reply meets its target; waiting on the customer pauses resolution.
    ab.api_ok(
        &t,
        Method::POST,
        &path("messages"),
        Some(json!({ "content": "On it" })),
    )
    .await;
    b.api_ok(
        &t,
        Method::POST,
        &path("status"),
        Some(json!({ "status": "pending" })),
    )
    .await;
    let c = conversation(&t, &b, &id).await;
    assert!(same_time(
        &c["sla"]["first_response_met_at"],
        start + Duration::minutes(11)
    ));
    assert_eq!(c["sla"]["state"], "paused");
    clock.advance(Duration::hours(2));
    b.api_ok(
        &t,
        Method::POST,
        &path("status"),
        Some(json!({ "status": "open" })),
    )
    .await;
    let c = conversation(&t, &b, &id).await;
    // 49 minutes were left at 09:11; back at 11:11, due at 12:00.
    assert!(
        same_time(&c["sla"]["resolution_due_at"], at("2026-11-30T12:00:00Z")),
        "{c}"
    );
    b.api_ok(
        &t,
        Method::POST,
        &path("status"),
        Some(json!({ "status": "resolved" })),
    )
    .await;
    let c = conversation(&t, &b, &id).await;
    assert!(same_time(
        &c["sla"]["resolution_met_at"],
        at("2026-11-30T11:11:00Z")
    ));
    assert_eq!(c["sla"]["state"], "met");
}

#[tokio::test]
async fn business_hours_count_and_policies_are_managed_and_checked() {
    // A Saturday.
    let clock = Arc::new(ManualClock::new(at("2026-11-28T12:00:00Z")));
    let t = spawn_app_with(AppConfig::default(), clock).await;
    let owner = t.create_org_with("Hours Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let other = t.create_org_with("Other Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &other).await;
    let theirs = api_inbox(&t, &ob, "Theirs").await;
    let support = api_inbox(&t, &b, "Support").await;
    let sales = api_inbox(&t, &b, "Sales").await;
    let week = |open: &str, close: &str| {
        let day = json!([{ "start": open, "end": close }]);
        json!([day, day, day, day, day, [], []])
    };
    let targets = json!([{ "priority": "none", "first_response_minutes": 120 }]);
    let hours = json!({ "time_zone": "Europe/Berlin", "weekly": week("09:00", "17:00"),
        "holidays": [{ "date": "2026-12-25", "yearly": true, "name": "Christmas Day" }] });
    let refused = [
        json!({ "name": "X", "targets": [] }),
        json!({ "name": "X", "targets": [{ "priority": "none" }] }),
        json!({ "name": "X", "targets": [{ "priority": "high", "first_response_minutes": 0 }] }),
        json!({ "name": "X", "targets": [
            { "priority": "high", "first_response_minutes": 5 },
            { "priority": "high", "resolution_minutes": 50 }] }),
        json!({ "name": "X", "targets": targets, "warn_percent": 100 }),
        json!({ "name": "X", "targets": targets, "inbox_ids": [theirs] }),
        json!({ "name": "X", "targets": targets,
            "business_hours": { "time_zone": "Mars/Olympus", "weekly": week("09:00", "17:00") } }),
        json!({ "name": "X", "targets": targets,
            "business_hours": { "time_zone": "UTC", "weekly": week("17:00", "09:00") } }),
        json!({ "name": "X", "targets": targets,
            "business_hours": { "time_zone": "UTC", "weekly": [[], [], [], [], [], [], []] } }),
        json!({ "targets": targets }),
    ];
    for body in refused {
        let (status, problem) =
            call(&t, &b, Method::POST, "/sla-policies", Some(body.clone())).await;
        assert_eq!(status, 422, "{body} → {problem}");
    }

    let office = b
        .api_ok(
            &t,
            Method::POST,
            "/sla-policies",
            Some(
                json!({ "name": "Office hours", "targets": targets, "business_hours": hours,
                "inbox_ids": [support] }),
            ),
        )
        .await;
    let office_id = office["id"].as_str().unwrap().to_owned();
    assert_eq!(
        office["business_hours"]["holidays"][0]["name"],
        "Christmas Day"
    );
    // A conversation opened on Saturday is due two working hours into Monday (Berlin).
    let tok = token(&t, &b).await;
    let body = json!({ "contact": { "identifier": "sat" }, "content": "Weekend question" });
    let (_, posted) = post_inbound(&t, &t.client(), &tok, &support, "sat-1", body).await;
    let id = posted["conversation_id"].as_str().unwrap().to_owned();
    let c = conversation(&t, &b, &id).await;
    assert!(
        same_time(
            &c["sla"]["first_response_due_at"],
            at("2026-11-30T10:00:00Z")
        ),
        "09:00 Berlin is 08:00 UTC; two hours later: {c}"
    );

    // A second policy takes Support over; the first one then covers nothing.
    let all_day = b
        .api_ok(
            &t,
            Method::POST,
            "/sla-policies",
            Some(json!({ "name": "Around the clock", "targets": targets,
                "inbox_ids": [support, sales] })),
        )
        .await;
    assert_eq!(all_day["business_hours"], Value::Null);
    let office = b
        .api_ok(&t, Method::GET, &format!("/sla-policies/{office_id}"), None)
        .await;
    assert_eq!(office["inbox_ids"], json!([]));
    let list = b.api_ok(&t, Method::GET, "/sla-policies", None).await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Around the clock", "Office hours"]);
    let renamed = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/sla-policies/{office_id}"),
            Some(json!({ "name": "Office", "warn_percent": 50 })),
        )
        .await;
    assert_eq!(renamed["warn_percent"], 50);
    assert_eq!(
        renamed["targets"],
        targets_with_nulls(),
        "unchanged fields stay"
    );

    // Deleting the policy that covers a conversation takes its deadlines away.
    let all_day_id = all_day["id"].as_str().unwrap();
    b.api_ok(
        &t,
        Method::DELETE,
        &format!("/sla-policies/{all_day_id}"),
        None,
    )
    .await;
    b.api_ok(
        &t,
        Method::DELETE,
        &format!("/sla-policies/{office_id}"),
        None,
    )
    .await;
    let (status, _) = call(
        &t,
        &b,
        Method::GET,
        &format!("/sla-policies/{office_id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let c = conversation(&t, &b, &id).await;
    assert_eq!(c["sla"], Value::Null);
    let audit = b.api_ok(&t, Method::GET, "/audit?limit=20", None).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "sla_policy.created",
        "sla_policy.updated",
        "sla_policy.deleted",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

fn targets_with_nulls() -> Value {
    json!([{ "priority": "none", "first_response_minutes": 120, "resolution_minutes": null }])
}
