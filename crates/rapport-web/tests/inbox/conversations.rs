//! Working a conversation: folders and paging, assignment with its notification, status and
//! snooze (woken by the sweep), priority, replies delivered by their job (exactly once with a
//! key), private notes with mentions, and read marks.

use super::{Browser, api_inbox, from, post_inbound, token};
use crate::crm_work::{run_job_now, run_jobs};
use chrono::{Duration, TimeZone, Utc};
use rapport_app::AppConfig;
use rapport_domain::{ManualClock, Role};
use rapport_testkit::{spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn folders_filter_and_page_without_gaps_or_repeats() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Folders Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let sales = api_inbox(&t, &b, "Sales").await;
    let support = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let c = t.client();
    let mut all = Vec::new();
    for i in 0..23 {
        let inbox = if i % 2 == 0 { &sales } else { &support };
        let (_, r) = post_inbound(
            &t,
            &c,
            &tok,
            inbox,
            &format!("k{i}"),
            from(&format!("p{i}"), "P", "hi"),
        )
        .await;
        all.push(r["conversation_id"].as_str().unwrap().to_owned());
    }
    all.reverse(); // newest activity first

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/conversations?limit=10&cursor={c}"),
            None => "/conversations?limit=10".into(),
        };
        let page = b.api_ok(&t, Method::GET, &path, None).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, all);

    let page = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations?inbox_id={sales}&limit=100"),
            None,
        )
        .await;
    assert_eq!(ids(&page).len(), 12);
    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{}/assign", all[0]),
        Some(json!({ "assignee_id": owner.id })),
    )
    .await;
    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{}/status", all[1]),
        Some(json!({ "status": "pending" })),
    )
    .await;
    let mine = b
        .api_ok(&t, Method::GET, "/conversations?assignee=me", None)
        .await;
    assert_eq!(ids(&mine), vec![all[0].clone()]);
    let unassigned = b
        .api_ok(
            &t,
            Method::GET,
            "/conversations?assignee=none&limit=100",
            None,
        )
        .await;
    assert_eq!(ids(&unassigned).len(), 22);
    let pending = b
        .api_ok(&t, Method::GET, "/conversations?status=pending", None)
        .await;
    assert_eq!(ids(&pending), vec![all[1].clone()]);
    let active = b
        .api_ok(
            &t,
            Method::GET,
            "/conversations?status=open,pending&limit=100",
            None,
        )
        .await;
    assert_eq!(ids(&active).len(), 23);
    let following = b
        .api_ok(&t, Method::GET, "/conversations?following=true", None)
        .await;
    assert_eq!(ids(&following), vec![all[0].clone()]);

    for bad in [
        "/conversations?status=done",
        "/conversations?cursor=zzz",
        "/conversations?assignee=bob",
    ] {
        assert_eq!(
            b.api(&t, Method::GET, bad, None).await.status(),
            422,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn assignment_notifies_the_assignee_and_writes_the_thread() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Assign Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let a = Browser::sign_in(&t, &agent).await;
    let outsider = t.create_org_with("Other Org", Role::Owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let (_, r) = post_inbound(&t, &t.client(), &tok, &inbox, "k", from("p", "Pat", "hi")).await;
    let conv = r["conversation_id"].as_str().unwrap();

    let team = b
        .api_ok(
            &t,
            Method::POST,
            "/teams",
            Some(json!({ "name": "Tier 1" })),
        )
        .await;
    let assigned = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/assign"),
            Some(json!({ "assignee_id": agent.id, "team_id": team["id"] })),
        )
        .await;
    assert_eq!(assigned["assignee"]["id"], agent.id.to_string());
    assert_eq!(assigned["team"]["name"], "Tier 1");
    assert_eq!(assigned["followers"], json!([agent.id.to_string()]));

    let notes = a.api_ok(&t, Method::GET, "/notifications", None).await;
    let n = &notes["items"][0];
    assert_eq!(n["title"], "Conversation #1 was assigned to you");
    assert_eq!(n["link"], format!("/inbox/conversations/{conv}"));

    let thread = a
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    let line = thread["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(line["kind"], "activity");
    assert_eq!(line["metadata"]["event"], "assigned");

    let refused = b
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/assign"),
            Some(json!({ "assignee_id": outsider.id })),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let cleared = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/assign"),
            Some(json!({ "assignee_id": null })),
        )
        .await;
    assert!(cleared["assignee"].is_null());
    assert_eq!(cleared["team"]["name"], "Tier 1");

    // A viewer may read but not assign.
    let viewer = t.add_member(owner.org_id, Role::Viewer).await;
    let v = Browser::sign_in(&t, &viewer).await;
    v.api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    let res = v
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/assign"),
            Some(json!({ "assignee_id": viewer.id })),
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn snoozed_conversations_wake_at_their_time_or_on_the_customers_reply() {
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let t = spawn_app_with(AppConfig::default(), clock.clone()).await;
    let owner = t.create_org_with("Snooze Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let c = t.client();
    let (_, one) = post_inbound(&t, &c, &tok, &inbox, "a", from("p1", "One", "hi")).await;
    let (_, two) = post_inbound(&t, &c, &tok, &inbox, "b", from("p2", "Two", "hi")).await;
    let (one, two) = (
        one["conversation_id"].as_str().unwrap(),
        two["conversation_id"].as_str().unwrap(),
    );

    let past = b
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{one}/status"),
            Some(json!({ "status": "snoozed", "snooze_until": start - Duration::minutes(1) })),
        )
        .await;
    assert_eq!(past.status(), 422);
    let until = start + Duration::hours(2);
    let snoozed = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{one}/status"),
            Some(json!({ "status": "snoozed", "snooze_until": until })),
        )
        .await;
    assert_eq!(snoozed["status"], "snoozed");
    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{two}/status"),
        Some(json!({ "status": "snoozed" })),
    )
    .await;

    clock.advance(Duration::hours(1));
    run_job_now(&t, "inbox.snooze_wake").await;
    let still = b
        .api_ok(&t, Method::GET, &format!("/conversations/{one}"), None)
        .await;
    assert_eq!(still["status"], "snoozed");
    clock.advance(Duration::hours(1));
    run_job_now(&t, "inbox.snooze_wake").await;
    let woke = b
        .api_ok(&t, Method::GET, &format!("/conversations/{one}"), None)
        .await;
    assert_eq!(woke["status"], "open");
    assert!(woke["snoozed_until"].is_null());

    // Snoozed until the customer replies: only their message wakes it.
    let quiet = b
        .api_ok(&t, Method::GET, &format!("/conversations/{two}"), None)
        .await;
    assert_eq!(quiet["status"], "snoozed");
    post_inbound(&t, &c, &tok, &inbox, "c", from("p2", "Two", "hello?")).await;
    let back = b
        .api_ok(&t, Method::GET, &format!("/conversations/{two}"), None)
        .await;
    assert_eq!(back["status"], "open");

    let urgent = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{two}/priority"),
            Some(json!({ "priority": "urgent" })),
        )
        .await;
    assert_eq!(urgent["priority"], "urgent");
    let high_up = b
        .api_ok(&t, Method::GET, "/conversations?priority=high", None)
        .await;
    assert_eq!(ids(&high_up), vec![two.to_owned()]);
}

#[tokio::test]
async fn replies_are_delivered_once_and_notes_reach_the_colleagues_they_mention() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Reply Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let a = Browser::sign_in(&t, &agent).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let (_, r) = post_inbound(
        &t,
        &t.client(),
        &tok,
        &inbox,
        "k",
        from("p", "Pat", "Where is my parcel?"),
    )
    .await;
    let conv = r["conversation_id"].as_str().unwrap();

    let reply = |key: &'static str| {
        b.client
            .post(t.url(&format!("/api/v1/conversations/{conv}/messages")))
            .header("x-csrf-token", &b.csrf)
            .header("idempotency-key", key)
            .json(&json!({ "content": "It ships today." }))
            .send()
    };
    let first = reply("r-1").await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "queued");
    let again = reply("r-1").await.unwrap();
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);

    assert_eq!(
        run_jobs(&t).await,
        1,
        "one delivery job, however often the reply was posted"
    );
    let thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    let replies: Vec<&Value> = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "outgoing" && m["kind"] == "message")
        .collect();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["status"], "sent");
    let conv_now = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert!(conv_now["first_reply_at"].is_string());
    assert!(conv_now["waiting_since"].is_null());

    let note = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(json!({ "content": "Can you check **stock**? <script>x</script>", "private": true, "mentions": [agent.id] })),
        )
        .await;
    assert_eq!(note["kind"], "note");
    let html = note["html"].as_str().unwrap();
    assert!(
        html.contains("<strong>stock</strong>") && !html.contains("<script"),
        "{html}"
    );
    let inbox_of_agent = a.api_ok(&t, Method::GET, "/notifications", None).await;
    let me = b.api_ok(&t, Method::GET, "/me", None).await;
    assert_eq!(
        inbox_of_agent["items"][0]["title"],
        format!(
            "{} mentioned you in conversation #1",
            me["name"].as_str().unwrap()
        )
    );
    let following = a
        .api_ok(&t, Method::GET, "/conversations?following=true", None)
        .await;
    assert_eq!(ids(&following), vec![conv.to_owned()]);

    let stranger = t.create_org_with("Stranger Org", Role::Owner).await;
    let res = b
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(json!({ "content": "psst", "private": true, "mentions": [stranger.id] })),
        )
        .await;
    assert_eq!(res.status(), 422);

    // Unread until read.
    let page = a.api_ok(&t, Method::GET, "/conversations", None).await;
    assert_eq!(page["items"][0]["unread"], true);
    a.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{conv}/read"),
        None,
    )
    .await;
    let page = a.api_ok(&t, Method::GET, "/conversations", None).await;
    assert_eq!(page["items"][0]["unread"], false);
}
