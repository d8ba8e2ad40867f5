//! Automation's "call a webhook" action against a real receiver on loopback: the delivery is
//! signed (Standard Webhooks) with the org's secret, carries the conversation and the message
//! that triggered the rule, is retried under the same id when the receiver fails, and ends in
//! the rule's run log; a receiver's refusal is not retried. Without the operator's permission,
//! private and loopback targets are refused when the rule is saved.

use super::{Browser, api_inbox, from, post_inbound, token};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rapport_app::AppConfig;
use rapport_domain::{ManualClock, Role};
use rapport_jobs::worker::Outcome;
use rapport_testkit::{TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// What the receiver saw: each request's headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on 127.0.0.1: `/flaky` fails once with 503 and then accepts, `/gone`
/// always answers 410.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let record = |seen: &Seen, headers: HeaderMap, body: String| {
        let mut all = seen.lock().unwrap();
        all.push((headers, body));
        all.len()
    };
    let app = axum::Router::new()
        .route(
            "/flaky",
            axum::routing::post(
                move |State(seen): State<Seen>, headers: HeaderMap, body: String| async move {
                    let calls = seen
                        .lock()
                        .unwrap()
                        .iter()
                        .filter(|(_, b)| b.contains("\"Refund webhook\""))
                        .count();
                    record(&seen, headers, body);
                    if calls == 0 {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::NO_CONTENT
                    }
                },
            ),
        )
        .route(
            "/gone",
            axum::routing::post(
                move |State(seen): State<Seen>, headers: HeaderMap, body: String| async move {
                    record(&seen, headers, body);
                    (StatusCode::GONE, "this hook was removed")
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, seen)
}

/// Runs due jobs until none is left; how each ended.
async fn drain(t: &TestApp) -> Vec<Outcome> {
    t.app
        .queue()
        .enqueue(
            "outbox.dispatch",
            json!({}),
            rapport_jobs::EnqueueOptions::default(),
        )
        .await
        .unwrap();
    let pool = rapport_jobs::WorkerPool::new(
        t.app.queue().clone(),
        t.app.job_handlers(),
        rapport_jobs::WorkerConfig::default(),
        "webhook-test",
    );
    let mut outcomes = Vec::new();
    while let Some(outcome) = pool.run_once("webhook-test/w0").await.unwrap() {
        outcomes.push(outcome);
    }
    outcomes
}

fn verify(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let header = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_owned();
    let signed = format!(
        "{}.{}.{}",
        header("webhook-id"),
        header("webhook-timestamp"),
        body
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    header("webhook-signature") == expected
}

async fn outcomes(b: &Browser, t: &TestApp, rule: &str) -> Vec<String> {
    let mut out: Vec<String> = super::automation::runs(t, b, rule)
        .await
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r["outcome"].as_str().unwrap(),
                r["detail"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out
}

fn webhook_rule(name: &str, word: &str, url: &str) -> Value {
    json!({ "name": name, "trigger": "message_received",
        "conditions": [{ "field": "content", "operator": "contains", "value": word }],
        "actions": [{ "type": "add_label", "label": "hooked" }, { "type": "call_webhook", "url": url }] })
}

#[tokio::test]
async fn a_webhook_is_signed_retried_under_one_id_and_logged() {
    let start: DateTime<Utc> = "2026-12-01T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let mut config = AppConfig::default();
    config.egress.allow_private = true;
    let t = spawn_app_with(config, clock.clone()).await;
    let owner = t.create_org_with("Hooked Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let (base, seen) = receiver().await;

    let flaky = b
        .api_ok(
            &t,
            Method::POST,
            "/automation-rules",
            Some(webhook_rule(
                "Refund webhook",
                "refund",
                &format!("{base}/flaky"),
            )),
        )
        .await;
    let gone = b
        .api_ok(
            &t,
            Method::POST,
            "/automation-rules",
            Some(webhook_rule(
                "Removed hook",
                "cancel",
                &format!("{base}/gone"),
            )),
        )
        .await;
    let secret = b.api_ok(&t, Method::GET, "/webhook-secret", None).await;
    assert_eq!(secret["scheme"], "standard-webhooks-v1");
    let secret = secret["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");

    let (status, posted) = post_inbound(
        &t,
        &t.client(),
        &tok,
        &inbox,
        "m1",
        from("cust-7", "Ana Lima", "I want a refund for order 1234"),
    )
    .await;
    assert_eq!(status, 201, "{posted}");
    let conv = posted["conversation_id"].as_str().unwrap().to_owned();
    let first = drain(&t).await;
    assert!(first.contains(&Outcome::Retrying), "{first:?}");

    // The receiver failed: the delivery waits for its backoff, then goes again.
    clock.advance(chrono::Duration::minutes(1));
    let second = drain(&t).await;
    assert!(
        !second.contains(&Outcome::Retrying),
        "{second:?} {:?}",
        seen.lock().unwrap()
    );
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "one failed and one accepted attempt");
        let (h1, body1) = &seen[0];
        let (h2, body2) = &seen[1];
        assert_eq!(h1["webhook-id"], h2["webhook-id"], "a retry keeps its id");
        assert_eq!(h1["content-type"], "application/json");
        for (headers, body) in [(h1, body1), (h2, body2)] {
            assert!(verify(&secret, headers, body), "signature does not verify");
        }
        assert_eq!(
            h2["webhook-timestamp"].to_str().unwrap(),
            (start + chrono::Duration::minutes(1))
                .timestamp()
                .to_string()
        );
        let sent: Value = serde_json::from_str(body2).unwrap();
        assert_eq!(sent["type"], "automation.rule_matched");
        let data = &sent["data"];
        assert_eq!(data["rule"]["name"], "Refund webhook");
        assert_eq!(data["rule"]["trigger"], "message_received");
        assert_eq!(data["conversation"]["id"], conv);
        assert_eq!(data["conversation"]["inbox"]["name"], "Support");
        assert_eq!(data["conversation"]["labels"], json!(["hooked"]));
        assert!(
            data["conversation"]["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/inbox/conversations/{conv}"))
        );
        assert_eq!(data["contact"]["name"], "Ana Lima");
        assert_eq!(data["message"]["text"], "I want a refund for order 1234");
        assert_eq!(data["message"]["direction"], "incoming");
        // A forged or altered body does not verify.
        assert!(!verify(&secret, h2, &body2.replace("1234", "9999")));
    }
    assert_eq!(
        outcomes(&b, &t, flaky["id"].as_str().unwrap()).await,
        vec![
            "applied: add_label, call_webhook".to_owned(),
            "delivered: call_webhook: delivered (HTTP 204)".to_owned(),
        ]
    );

    // A receiver that refuses (4xx) is not retried; the log says what it answered.
    post_inbound(
        &t,
        &t.client(),
        &tok,
        &inbox,
        "m2",
        from("cust-8", "Ben Okafor", "Please cancel my plan"),
    )
    .await;
    let third = drain(&t).await;
    assert!(!third.contains(&Outcome::Retrying), "{third:?}");
    assert_eq!(seen.lock().unwrap().len(), 3);
    let log = outcomes(&b, &t, gone["id"].as_str().unwrap()).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log[1]
            .starts_with("undelivered: call_webhook: refused with HTTP 410: this hook was removed"),
        "{log:?}"
    );

    // Rotating the secret signs later deliveries with the new one.
    let rotated = b
        .api_ok(&t, Method::POST, "/webhook-secret/rotate", None)
        .await;
    let rotated = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(rotated, secret);
    post_inbound(
        &t,
        &t.client(),
        &tok,
        &inbox,
        "m3",
        from("cust-9", "Cy Tan", "Another refund please"),
    )
    .await;
    drain(&t).await;
    let seen = seen.lock().unwrap();
    let (headers, body) = seen.last().unwrap();
    assert!(verify(&rotated, headers, body));
    assert!(!verify(&secret, headers, body));
}

#[tokio::test]
async fn private_targets_are_refused_unless_the_operator_allows_them() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Guarded Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "ftp://hooks.example.com/",
        "https://user:secret@hooks.example.com/",
    ] {
        let res = b
            .api(
                &t,
                Method::POST,
                "/automation-rules",
                Some(webhook_rule("Hook", "x", url)),
            )
            .await;
        assert_eq!(res.status(), 422, "{url}");
        let problem: Value = res.json().await.unwrap();
        assert!(problem.to_string().contains("url"), "{url}: {problem}");
    }
    let ok = b
        .api(
            &t,
            Method::POST,
            "/automation-rules",
            Some(webhook_rule(
                "Hook",
                "x",
                "https://hooks.example.com/rapport",
            )),
        )
        .await;
    assert_eq!(ok.status(), 201);

    // The editor says the same in words, on the form, without losing what was typed.
    let res = b
        .form(
            &t,
            "/admin/automation",
            &[
                ("name", "Private hook"),
                ("trigger", "message_received"),
                ("match", "all"),
                ("enabled", "on"),
                ("a_type", "call_webhook"),
                ("a_label", ""),
                ("a_priority", ""),
                ("a_status", ""),
                ("a_minutes", ""),
                ("a_text", ""),
                ("a_canned", ""),
                ("a_member", ""),
                ("a_team", ""),
                ("a_message", ""),
                ("a_url", "http://192.168.1.20/hook"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Webhook URL: 192.168.1.20 is a private, loopback or link-local address"),
        "{page}"
    );
    assert!(page.contains("value=\"http://192.168.1.20/hook\""));

    // Each org has its own secret, and rotating one leaves the other's alone.
    let mine = b.api_ok(&t, Method::GET, "/webhook-secret", None).await;
    let other = t.create_org_with("Other Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &other).await;
    let theirs = ob.api_ok(&t, Method::GET, "/webhook-secret", None).await;
    assert_ne!(mine["secret"], theirs["secret"]);
    ob.api_ok(&t, Method::POST, "/webhook-secret/rotate", None)
        .await;
    assert_eq!(
        b.api_ok(&t, Method::GET, "/webhook-secret", None).await,
        mine
    );

    // The secret is for settings managers only.
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let ab = Browser::sign_in(&t, &agent).await;
    for (method, path) in [
        (Method::GET, "/webhook-secret"),
        (Method::POST, "/webhook-secret/rotate"),
    ] {
        assert_eq!(ab.api(&t, method, path, None).await.status(), 403, "{path}");
    }
}
