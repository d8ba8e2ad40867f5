//! Retention. D3: conversation logs older than the org's policy (default 12 months) are
//! purged by the hourly job, younger ones stay, and an org may keep them for good. D4: a legal
//! hold on the org, a contact or a conversation keeps what it covers through purges and
//! deletion until it is released. And what the system keeps only while it works on it:
//! dispatched domain events (which carry a message's text) go with the periodic prune.

use super::{Browser, drain_jobs, execute, query};
use crate::inbox::{api_inbox, from, post_inbound, token};
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

/// A customer's conversation through the API channel: (conversation, contact).
async fn conversation(
    t: &rapport_testkit::TestApp,
    tok: &str,
    inbox: &str,
    who: &str,
) -> (String, String) {
    let (status, out) = post_inbound(
        t,
        &t.client(),
        tok,
        inbox,
        &format!("key-{who}"),
        from(who, who, &format!("Hello from {who}")),
    )
    .await;
    assert_eq!(status, 201, "{out}");
    (
        out["conversation_id"].as_str().unwrap().to_owned(),
        out["contact_id"].as_str().unwrap().to_owned(),
    )
}

/// Makes a conversation look last active `days` ago.
async fn age(t: &rapport_testkit::TestApp, conversation: &str, days: i64) {
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    let id: uuid::Uuid = conversation.parse().unwrap();
    let n = execute(
        t,
        "UPDATE conversations SET last_activity_at = $1 WHERE id = $2",
        vec![at.into(), id.into()],
    )
    .await;
    assert_eq!(n, 1);
}

/// Whether the conversation still exists, and how many of its messages.
async fn kept(t: &rapport_testkit::TestApp, conversation: &str) -> (bool, i64) {
    let id: uuid::Uuid = conversation.parse().unwrap();
    let conv = query(
        t,
        "SELECT id FROM conversations WHERE id = $1",
        vec![id.into()],
    )
    .await;
    let msgs = query(
        t,
        "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = $1",
        vec![id.into()],
    )
    .await;
    (!conv.is_empty(), msgs[0].try_get("", "n").unwrap())
}

async fn org_with_inbox() -> (rapport_testkit::TestApp, Browser, String, String) {
    let t = spawn_app_with(AppConfig::default(), Arc::new(SystemClock)).await;
    let owner = t.create_org_with("Retention Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    (t, b, inbox, tok)
}

#[tokio::test]
async fn pp_d3_conversation_logs_older_than_the_policy_are_purged_and_younger_ones_stay() {
    let (t, b, inbox, tok) = org_with_inbox().await;
    let (old, _) = conversation(&t, &tok, &inbox, "old-customer").await;
    let (middle, _) = conversation(&t, &tok, &inbox, "middle-customer").await;
    let (fresh, _) = conversation(&t, &tok, &inbox, "fresh-customer").await;
    age(&t, &old, 400).await;
    age(&t, &middle, 200).await;
    // Another org that keeps its logs for good loses nothing.
    let (t2_owner, t2_inbox, t2_tok) = {
        let other = t.create_org_with("Keeper Org", Role::Owner).await;
        let ob = Browser::sign_in(&t, &other).await;
        let inbox = api_inbox(&t, &ob, "Support").await;
        let tok = token(&t, &ob).await;
        (ob, inbox, tok)
    };
    let (kept_forever, _) = conversation(&t, &t2_tok, &t2_inbox, "loyal-customer").await;
    age(&t, &kept_forever, 4000).await;
    t2_owner
        .api_ok(
            &t,
            Method::PUT,
            "/privacy/retention/conversations",
            Some(json!({ "days": null })),
        )
        .await;

    // The default: 12 months. The dry run says what would go.
    let r = b.api_ok(&t, Method::GET, "/privacy/retention", None).await;
    assert_eq!(r["policies"][0]["days"], 365);
    assert_eq!(r["policies"][0]["chosen"], false);
    assert_eq!(r["preview"][0]["would_delete"], 1, "{r}");

    run(&t, rapport_app::privacy::retention::RETENTION_JOB).await;
    assert_eq!(
        kept(&t, &old).await,
        (false, 0),
        "older than 12 months: purged"
    );
    assert!(kept(&t, &middle).await.0 && kept(&t, &fresh).await.0);
    assert!(
        kept(&t, &kept_forever).await.0,
        "the other org keeps its logs"
    );
    let runs = b
        .api_ok(&t, Method::GET, "/privacy/retention/runs", None)
        .await;
    assert_eq!(runs["items"][0]["deleted"], 1, "{runs}");
    let audit = b.api_ok(&t, Method::GET, "/audit", None).await;
    assert!(audit.to_string().contains("privacy.retention_purged"));

    // A shorter policy takes the six-month-old one next time; the fresh one stays.
    let p = b
        .api_ok(
            &t,
            Method::PUT,
            "/privacy/retention/conversations",
            Some(json!({ "days": 180 })),
        )
        .await;
    assert_eq!(
        (p["days"].clone(), p["chosen"].clone()),
        (json!(180), json!(true))
    );
    run(&t, rapport_app::privacy::retention::RETENTION_JOB).await;
    assert!(!kept(&t, &middle).await.0);
    assert_eq!(kept(&t, &fresh).await, (true, 1));

    // Out of range is refused with the field named.
    let res = b
        .api(
            &t,
            Method::PUT,
            "/privacy/retention/conversations",
            Some(json!({ "days": 3 })),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("days"));
}

#[tokio::test]
async fn pp_d4_a_legal_hold_keeps_held_data_through_purges_and_deletion_until_released() {
    let (t, b, inbox, tok) = org_with_inbox().await;
    let (of_held_contact, held_contact) = conversation(&t, &tok, &inbox, "held-person").await;
    let (held_conversation, _) = conversation(&t, &tok, &inbox, "held-thread").await;
    let (unheld, _) = conversation(&t, &tok, &inbox, "free-person").await;
    for c in [&of_held_contact, &held_conversation, &unheld] {
        age(&t, c, 400).await;
    }
    let hold = |target_type: &str, id: Option<&str>| json!({ "target_type": target_type, "target_id": id, "reason": "Case 2026-114" });
    let on_contact = b
        .api_ok(
            &t,
            Method::POST,
            "/privacy/legal-holds",
            Some(hold("contact", Some(&held_contact))),
        )
        .await;
    let on_conversation = b
        .api_ok(
            &t,
            Method::POST,
            "/privacy/legal-holds",
            Some(hold("conversation", Some(&held_conversation))),
        )
        .await;

    run(&t, rapport_app::privacy::retention::RETENTION_JOB).await;
    assert!(
        kept(&t, &of_held_contact).await.0,
        "the held contact's log stays"
    );
    assert!(
        kept(&t, &held_conversation).await.0,
        "the held conversation stays"
    );
    assert!(!kept(&t, &unheld).await.0, "the rest goes");
    // Deleting a held contact is refused, and says why.
    let res = b
        .api(
            &t,
            Method::DELETE,
            &format!("/contacts/{held_contact}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("legal hold"));

    // A hold on the whole org stops every purge.
    let (newly_old, _) = conversation(&t, &tok, &inbox, "another-person").await;
    age(&t, &newly_old, 400).await;
    let on_org = b
        .api_ok(
            &t,
            Method::POST,
            "/privacy/legal-holds",
            Some(hold("org", None)),
        )
        .await;
    let r = b.api_ok(&t, Method::GET, "/privacy/retention", None).await;
    assert_eq!(r["preview"][0]["org_held"], true);
    assert_eq!(r["preview"][0]["would_delete"], 0);
    run(&t, rapport_app::privacy::retention::RETENTION_JOB).await;
    assert!(
        kept(&t, &newly_old).await.0,
        "nothing goes while the org is held"
    );

    // Released, they go with the next run.
    for h in [&on_org, &on_contact] {
        let released = b
            .api_ok(
                &t,
                Method::POST,
                &format!("/privacy/legal-holds/{}/release", h["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert!(released["released_at"].is_string());
    }
    run(&t, rapport_app::privacy::retention::RETENTION_JOB).await;
    assert!(!kept(&t, &of_held_contact).await.0);
    assert!(!kept(&t, &newly_old).await.0);
    assert!(
        kept(&t, &held_conversation).await.0,
        "its own hold still stands"
    );
    let again = b
        .api(
            &t,
            Method::POST,
            &format!(
                "/privacy/legal-holds/{}/release",
                on_org["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(
        again.status(),
        409,
        "a released hold cannot be released twice"
    );
    let holds = b
        .api_ok(&t, Method::GET, "/privacy/legal-holds", None)
        .await;
    assert_eq!(
        holds["items"][0]["id"], on_conversation["id"],
        "open holds first"
    );
}
