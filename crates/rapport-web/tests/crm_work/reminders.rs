//! Reminders and notifications: the `crm.reminders` job sends exactly one notification and
//! one email per due reminder (run twice, still one), at the right time (a manual clock), with
//! the due time in the member's time zone; notifications are the member's own only; the bell,
//! the page and "mark all read".

use super::{Browser, run_job_now};
use chrono::{DateTime, Duration, Utc};
use rapport_app::AppConfig;
use rapport_app::context::{SmtpConfig, SmtpSecurity};
use rapport_domain::{ManualClock, Role};
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::spawn_app_with;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

fn mail_config(sink: &SmtpSink) -> AppConfig {
    AppConfig {
        smtp: Some(SmtpConfig {
            host: sink.host().into(),
            port: sink.port(),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Rapport <no-reply@example.test>".into(),
        }),
        ..AppConfig::default()
    }
}

async fn sweep(t: &rapport_testkit::TestApp) -> usize {
    run_job_now(t, rapport_app::crm::reminders::SEND_REMINDERS).await
}

async fn notifications(b: &Browser, t: &rapport_testkit::TestApp) -> Value {
    b.api_ok(t, Method::GET, "/notifications", None).await
}

#[tokio::test]
async fn a_due_reminder_sends_one_notification_and_one_email() {
    let sink = SmtpSink::start().await;
    let start: DateTime<Utc> = "2026-11-27T14:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let t = spawn_app_with(mail_config(&sink), clock.clone()).await;
    let owner = t.create_org_with("Reminder Org", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let ob = Browser::sign_in(&t, &owner).await;
    let ab = Browser::sign_in(&t, &agent).await;

    let task = ob
        .api_ok(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({
                "title": "Call Ada back",
                "due_at": start + Duration::hours(1),
                "remind_before_minutes": 15,
                "assignee_id": agent.id,
            })),
        )
        .await;
    let link = format!("/tasks/{}", task["id"].as_str().unwrap());

    // Not due yet: the sweep sends nothing.
    assert_eq!(sweep(&t).await, 1, "only the sweep ran");
    assert_eq!(notifications(&ab, &t).await["unread_count"], 0);

    // 45 minutes later the reminder is due: one notification, one mail job.
    clock.advance(Duration::minutes(45));
    assert_eq!(sweep(&t).await, 2, "the sweep and one mail");
    let mail = sink
        .wait_for_message_to(&agent.email, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(mail.subject, "Reminder: Call Ada back");
    assert!(
        mail.text_body
            .contains("Due Fri, Nov 27, 2026 at 3:00 PM (UTC)"),
        "{}",
        mail.text_body
    );
    assert!(
        mail.text_body.contains(&t.app.link(&link)),
        "{}",
        mail.text_body
    );

    // Run again (and later): still exactly one.
    assert_eq!(sweep(&t).await, 1);
    clock.advance(Duration::hours(2));
    assert_eq!(sweep(&t).await, 1);
    let list = notifications(&ab, &t).await;
    assert_eq!(list["unread_count"], 1);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "Reminder: Call Ada back");
    assert_eq!(items[0]["link"], link.as_str());
    let got = ab.api_ok(&t, Method::GET, &link, None).await;
    assert!(got["reminded_at"].is_string());
    assert_eq!(sink.messages().len(), 1, "one email in all");

    // Only the assignee sees it; nobody else can read or mark it.
    let owners = notifications(&ob, &t).await;
    assert!(owners["items"].as_array().unwrap().is_empty());
    let nid = items[0]["id"].as_str().unwrap().to_owned();
    let res = ob
        .api(
            &t,
            Method::POST,
            &format!("/notifications/{nid}/read"),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(notifications(&ab, &t).await["unread_count"], 1);

    // The bell shows the count; the page lists it; "mark all read" clears it.
    let (_, home) = ab.get(&t, "/").await;
    assert!(
        home.contains("data-unread=\"1\""),
        "the bell shows one unread"
    );
    let (status, page) = ab.get(&t, "/notifications").await;
    assert_eq!(status, 200);
    assert!(page.contains("Reminder: Call Ada back") && page.contains("1 unread"));
    let res = ab.form(&t, "/notifications/read-all", &[]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = ab.get(&t, "/notifications").await;
    assert!(page.contains("0 unread") && !page.contains("data-unread"));
    assert!(notifications(&ab, &t).await["items"][0]["read_at"].is_string());

    // A changed reminder time is sent again.
    ob.api_ok(
        &t,
        Method::PATCH,
        &link,
        Some(json!({ "remind_at": clock_now(&t) + Duration::minutes(5) })),
    )
    .await;
    clock.advance(Duration::minutes(10));
    assert_eq!(sweep(&t).await, 2, "the sweep and the second mail");
    assert_eq!(notifications(&ab, &t).await["unread_count"], 1);
}

fn clock_now(t: &rapport_testkit::TestApp) -> DateTime<Utc> {
    t.app.clock().now()
}

#[tokio::test]
async fn done_tasks_and_former_members_get_no_reminder() {
    let start: DateTime<Utc> = "2026-11-27T08:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let t = spawn_app_with(AppConfig::default(), clock.clone()).await;
    let owner = t.create_org_with("Quiet Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &owner).await;
    let task = ob
        .api_ok(
            &t,
            Method::POST,
            "/tasks",
            Some(
                json!({ "title": "Done early", "due_at": start + Duration::minutes(30),
                "remind_before_minutes": 0 }),
            ),
        )
        .await;
    ob.api_ok(
        &t,
        Method::POST,
        &format!("/tasks/{}/complete", task["id"].as_str().unwrap()),
        None,
    )
    .await;
    clock.advance(Duration::hours(1));
    assert_eq!(sweep(&t).await, 1, "no mail (and none configured)");
    assert_eq!(notifications(&ob, &t).await["unread_count"], 0);
    // Mark-read of an unknown id is a 404; read-all with nothing unread is fine.
    let res = ob
        .api(
            &t,
            Method::POST,
            &format!("/notifications/{}/read", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);
    let marked = ob
        .api_ok(&t, Method::POST, "/notifications/read-all", None)
        .await;
    assert_eq!(marked["marked"], 0);
}
