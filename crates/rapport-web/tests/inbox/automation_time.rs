//! Automation over time and by the clock: a time-based rule acts once on each conversation
//! that has been quiet (or waiting) long enough and matches, then waits for new activity; an
//! unbounded time rule is refused; the business-hours condition follows the SLA calendar of
//! the conversation's inbox.

use super::{api_inbox, post_inbound, token};
use crate::crm_work::run_job_now;
use chrono::{DateTime, Duration, Utc};
use rapport_app::AppConfig;
use rapport_domain::{ManualClock, Role};
use rapport_testkit::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

/// An API call with the integration token (sessions end while the clock jumps days ahead).
async fn api(
    t: &TestApp,
    tok: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = t
        .client()
        .request(method, t.url(&format!("/api/v1{path}")))
        .bearer_auth(tok);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn customer(t: &TestApp, tok: &str, inbox: &str, who: &str, key: &str) -> String {
    let body = json!({ "contact": { "identifier": who }, "content": format!("Hello from {who}") });
    let (status, r) = post_inbound(t, &t.client(), tok, inbox, key, body).await;
    assert_eq!(status, 201, "{r}");
    r["conversation_id"].as_str().unwrap().to_owned()
}

async fn labels(t: &TestApp, tok: &str, conv: &str) -> Vec<String> {
    let (_, c) = api(t, tok, Method::GET, &format!("/conversations/{conv}"), None).await;
    c["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect()
}

async fn outcomes(t: &TestApp, tok: &str, rule: &str) -> Vec<(String, String)> {
    let (_, page) = api(
        t,
        tok,
        Method::GET,
        &format!("/automation-rules/{rule}/runs"),
        None,
    )
    .await;
    let mut out: Vec<(String, String)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["conversation_id"].as_str().unwrap_or_default().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn settle(t: &TestApp) {
    for _ in 0..20 {
        if run_job_now(t, "outbox.dispatch").await <= 1 {
            return;
        }
    }
    panic!("events did not settle");
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_time_rule_acts_once_per_quiet_spell_on_matching_conversations() {
    let clock = Arc::new(ManualClock::new(at("2026-12-02T10:00:00Z")));
    let t = spawn_app_with(AppConfig::default(), clock.clone()).await;
    let owner = t.create_org_with("Timed Org", Role::Owner).await;
    let b = super::Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;

    // Unbounded time rules are refused: they would fire on every conversation every sweep.
    let nudge = |conditions: Value, match_all: bool| {
        json!({ "name": "Nudge quiet pending", "trigger": "time_based", "match_all": match_all,
            "conditions": conditions,
            "actions": [{ "type": "add_label", "label": "stale" },
                        { "type": "add_note", "text": "Quiet for two days: nudge the customer." }] })
    };
    let pending = json!({ "field": "status", "operator": "equals", "value": "pending" });
    let quiet =
        json!({ "field": "hours_since_activity", "operator": "greater_than", "value": "48" });
    for refused in [
        nudge(json!([pending]), true),
        nudge(json!([pending, quiet]), false),
        nudge(
            json!([{ "field": "hours_since_activity", "operator": "less_than", "value": "48" }]),
            true,
        ),
        nudge(
            json!([{ "field": "hours_since_activity", "operator": "contains", "value": "4" }]),
            true,
        ),
    ] {
        let (status, problem) =
            api(&t, &tok, Method::POST, "/automation-rules", Some(refused)).await;
        assert_eq!(status, 422, "{problem}");
    }
    let (status, rule) = api(
        &t,
        &tok,
        Method::POST,
        "/automation-rules",
        Some(nudge(json!([pending, quiet]), true)),
    )
    .await;
    assert_eq!(status, 201, "{rule}");
    let rule = rule["id"].as_str().unwrap().to_owned();

    let waiting = customer(&t, &tok, &inbox, "ana", "a1").await;
    let open = customer(&t, &tok, &inbox, "ben", "b1").await;
    api(
        &t,
        &tok,
        Method::POST,
        &format!("/conversations/{waiting}/status"),
        Some(json!({ "status": "pending" })),
    )
    .await;
    settle(&t).await;

    clock.advance(Duration::hours(10));
    run_job_now(&t, "automation.time_sweep").await;
    assert!(
        outcomes(&t, &tok, &rule).await.is_empty(),
        "nothing is quiet long enough yet"
    );

    clock.advance(Duration::hours(40));
    run_job_now(&t, "automation.time_sweep").await;
    settle(&t).await;
    assert_eq!(labels(&t, &tok, &waiting).await, vec!["stale"]);
    assert!(
        labels(&t, &tok, &open).await.is_empty(),
        "an open conversation does not match"
    );
    let mut want = vec![
        (waiting.clone(), "applied".to_owned()),
        (open.clone(), "skipped".to_owned()),
    ];
    want.sort();
    assert_eq!(outcomes(&t, &tok, &rule).await, want);

    // Once per quiet spell: later sweeps leave both alone.
    clock.advance(Duration::hours(3));
    run_job_now(&t, "automation.time_sweep").await;
    assert_eq!(outcomes(&t, &tok, &rule).await.len(), 2);

    // The customer writes again; the agent sets it pending; two quiet days later it runs again.
    post_inbound(
        &t,
        &t.client(),
        &tok,
        &inbox,
        "a2",
        json!({ "contact": { "identifier": "ana" }, "content": "Any news?" }),
    )
    .await;
    api(
        &t,
        &tok,
        Method::POST,
        &format!("/conversations/{waiting}/status"),
        Some(json!({ "status": "pending" })),
    )
    .await;
    settle(&t).await;
    clock.advance(Duration::hours(49));
    run_job_now(&t, "automation.time_sweep").await;
    let applied = outcomes(&t, &tok, &rule)
        .await
        .into_iter()
        .filter(|(c, o)| *c == waiting && o == "applied")
        .count();
    assert_eq!(applied, 2);
}

#[tokio::test]
async fn the_business_hours_condition_follows_the_inbox_sla_calendar() {
    // A Wednesday, 11:00 in Berlin.
    let clock = Arc::new(ManualClock::new(at("2026-12-02T10:00:00Z")));
    let t = spawn_app_with(AppConfig::default(), clock.clone()).await;
    let owner = t.create_org_with("Hours Org", Role::Owner).await;
    let b = super::Browser::sign_in(&t, &owner).await;
    let office = api_inbox(&t, &b, "Office").await;
    let always = api_inbox(&t, &b, "Always on").await;
    let tok = token(&t, &b).await;
    let day = json!([{ "start": "09:00", "end": "17:00" }]);
    let (status, policy) = api(&t, &tok, Method::POST, "/sla-policies", Some(json!({
        "name": "Office hours", "inbox_ids": [office],
        "targets": [{ "priority": "none", "first_response_minutes": 60 }],
        "business_hours": { "time_zone": "Europe/Berlin", "weekly": [day, day, day, day, day, [], []] },
    }))).await;
    assert_eq!(status, 201, "{policy}");
    let (status, rule) = api(
        &t,
        &tok,
        Method::POST,
        "/automation-rules",
        Some(json!({
            "name": "After hours", "trigger": "message_received",
            "conditions": [{ "field": "business_hours", "operator": "equals", "value": "closed" }],
            "actions": [{ "type": "add_label", "label": "after-hours" }],
        })),
    )
    .await;
    assert_eq!(status, 201, "{rule}");
    let (status, _) = api(
        &t,
        &tok,
        Method::POST,
        "/automation-rules",
        Some(json!({
            "name": "Bad", "trigger": "message_received",
            "conditions": [{ "field": "business_hours", "operator": "equals", "value": "lunch" }],
            "actions": [{ "type": "add_label", "label": "x" }],
        })),
    )
    .await;
    assert_eq!(status, 422);

    let morning = customer(&t, &tok, &office, "early", "e1").await;
    settle(&t).await;
    assert!(
        labels(&t, &tok, &morning).await.is_empty(),
        "11:00 in Berlin is open"
    );

    clock.advance(Duration::hours(10)); // 21:00 in Berlin
    let evening = customer(&t, &tok, &office, "late", "l1").await;
    let no_calendar = customer(&t, &tok, &always, "late2", "l2").await;
    settle(&t).await;
    assert_eq!(labels(&t, &tok, &evening).await, vec!["after-hours"]);
    assert!(
        labels(&t, &tok, &no_calendar).await.is_empty(),
        "an inbox without a calendar is always open"
    );
}
