//! Sign-in throttling on a manual clock: five wrong passwords lock the account for 15 minutes,
//! even against the right password; an unknown address is treated exactly the same; the API
//! says `429` with `Retry-After`; every failure is in the audit log with the client's IP.

use super::{location, password_attempt};
use crate::problem;
use chrono::Utc;
use rapport_app::AppConfig;
use rapport_domain::{ManualClock, Role};
use rapport_testkit::{TestApp, spawn_app_with};
use serde_json::{Value, json};
use std::sync::Arc;

const WRONG: &str = "not the password at all";
const LOCKED: &str = "Too many failed sign-in attempts. Try again in 15 minutes.";

/// A sign-in form answer with what varies per attempt (the address typed, the form's CSRF
/// token) blanked out, so answers for different addresses can be compared.
async fn form_answer(t: &TestApp, email: &str, password: &str) -> (u16, String) {
    let b = t.browser();
    let res = password_attempt(&b, t, email, password).await;
    let status = res.status().as_u16();
    let html = res.text().await.unwrap();
    let csrf = rapport_testkit::hidden_value(&html, "_csrf").unwrap_or_default();
    let html = html.replace(email, "EMAIL").replace(&csrf, "CSRF");
    (status, html)
}

async fn api_answer(t: &TestApp, email: &str, password: &str) -> (u16, Option<String>, Value) {
    let res = t
        .client()
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry, res.json().await.unwrap())
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_and_unknown_emails_alike() {
    let clock = ManualClock::new(Utc::now());
    let t = spawn_app_with(AppConfig::default(), Arc::new(clock.clone())).await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let member = t.add_member(owner.org_id, Role::Agent).await;
    let ghost = "ghost@example.test";

    for n in 1..=5 {
        let real = form_answer(&t, &member.email, WRONG).await;
        let unknown = form_answer(&t, ghost, WRONG).await;
        assert_eq!(real.0, 401, "wrong password {n}");
        assert!(real.1.contains("The email or password is not correct."));
        assert_eq!(
            real, unknown,
            "attempt {n}: an unknown address looks the same"
        );
    }

    // Locked: the right password is refused too, with the same page as an unknown address.
    let real = form_answer(&t, &member.email, &member.password).await;
    let unknown = form_answer(&t, ghost, WRONG).await;
    assert_eq!(real.0, 429);
    assert!(real.1.contains(LOCKED), "{}", real.1);
    assert_eq!(real, unknown, "locked: an unknown address looks the same");

    let (status, retry, body) = api_answer(&t, &member.email, &member.password).await;
    assert_eq!(status, 429);
    assert_eq!(retry.as_deref(), Some("900"), "Retry-After in seconds");
    assert_eq!(body["code"], "too_many_attempts");
    assert_eq!(
        (status, retry, body),
        api_answer(&t, ghost, WRONG).await,
        "the API answers an unknown address the same way"
    );
    let res = t
        .client()
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": member.email, "password": member.password }))
        .send()
        .await
        .unwrap();
    problem(res, 429, "too_many_attempts").await;

    // `Retry-After` is rounded up: half a second into the lock it still says 900, and a
    // client that waits exactly that long gets in (a second earlier it does not).
    clock.advance(chrono::Duration::milliseconds(500));
    let (status, retry, _) = api_answer(&t, &member.email, &member.password).await;
    assert_eq!((status, retry.as_deref()), (429, Some("900")));
    clock.advance(chrono::Duration::seconds(899));
    assert_eq!(
        form_answer(&t, &member.email, &member.password).await.0,
        429,
        "still locked a second before Retry-After ends"
    );
    clock.advance(chrono::Duration::seconds(1));
    let res = password_attempt(&t.browser(), &t, &member.email, &member.password).await;
    assert_eq!(
        res.status(),
        303,
        "the lock-out is over when Retry-After says"
    );
    assert_eq!(location(&res), "/");

    // The failures are in the audit log, with the client's address.
    let (c, _) = t.sign_in(&owner).await;
    let log: Value = c
        .get(t.url("/api/v1/audit?action=auth.login_failed"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "one entry per wrong password: {log}");
    for item in items {
        assert_eq!(item["action"], "auth.login_failed");
        assert_eq!(item["actor_id"], member.id.to_string());
        assert_eq!(item["target_id"], member.id.to_string());
        assert_eq!(item["ip"], "127.0.0.1", "{item}");
    }
    let locked: Vec<bool> = items
        .iter()
        .map(|i| i["details"]["locked"].as_bool().unwrap())
        .collect();
    assert_eq!(
        locked,
        [true, false, false, false, false],
        "newest first: the fifth failure locked the account"
    );
}
