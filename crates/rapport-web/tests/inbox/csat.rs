//! Satisfaction surveys: resolving a conversation of an inbox with surveys on sends the customer
//! a link (not counted as the team's reply); the public page takes one 1–5 rating with a
//! comment (refusing bad input and forged forms), the conversation shows it, a later resolve
//! sends a new survey, and a link stops working after 14 days.

use super::{Browser, post_inbound, token};
use crate::privacy::anon_csrf;
use chrono::{DateTime, Duration, Utc};
use rapport_app::AppConfig;
use rapport_domain::{ManualClock, Role};
use rapport_testkit::hidden_value;
use rapport_testkit::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

async fn surveys(t: &TestApp, b: &Browser, conv: &str) -> Vec<String> {
    let thread = b
        .api_ok(
            t,
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["metadata"]["csat"] == true)
        .map(|m| {
            let text = m["content"].as_str().unwrap();
            let link = &text[text.find("/csat/").unwrap() + 6..];
            link.split_whitespace().next().unwrap().to_owned()
        })
        .collect()
}

async fn status(t: &TestApp, b: &Browser, conv: &str, status: &str) {
    b.api_ok(
        t,
        Method::POST,
        &format!("/conversations/{conv}/status"),
        Some(json!({ "status": status })),
    )
    .await;
}

/// The survey form's CSRF token (the page sets the matching cookie).
async fn form_csrf(t: &TestApp, client: &reqwest::Client, link: &str) -> String {
    let res = client
        .get(t.url(&format!("/csat/{link}")))
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    hidden_value(&html, "_csrf").unwrap_or_default()
}

async fn answer(
    t: &TestApp,
    client: &reqwest::Client,
    link: &str,
    pairs: &[(&str, &str)],
) -> (u16, String) {
    let res = client
        .post(t.url(&format!("/csat/{link}")))
        .form(pairs)
        .send()
        .await
        .unwrap();
    let code = res.status().as_u16();
    (code, res.text().await.unwrap())
}

#[tokio::test]
async fn a_resolved_conversation_sends_a_survey_whose_link_takes_a_rating() {
    let start: DateTime<Utc> = "2026-11-30T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let t = spawn_app_with(AppConfig::default(), clock.clone()).await;
    let owner = t.create_org_with("Happy Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let surveyed = b
        .api_ok(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Support", "csat_enabled": true })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let quiet = b
        .api_ok(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Quiet" })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tok = token(&t, &b).await;
    let body = |who: &str| json!({ "contact": { "identifier": who }, "content": "Help?" });
    let (_, posted) = post_inbound(&t, &t.client(), &tok, &surveyed, "s1", body("ada")).await;
    let conv = posted["conversation_id"].as_str().unwrap().to_owned();
    let (_, other) = post_inbound(&t, &t.client(), &tok, &quiet, "q1", body("bob")).await;
    let other = other["conversation_id"].as_str().unwrap().to_owned();

    status(&t, &b, &conv, "resolved").await;
    status(&t, &b, &other, "resolved").await;
    assert!(
        surveys(&t, &b, &other).await.is_empty(),
        "surveys off in that inbox"
    );
    let links = surveys(&t, &b, &conv).await;
    assert_eq!(links.len(), 1);
    let c = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert_eq!(c["first_reply_at"], Value::Null, "a survey is not a reply");
    assert_eq!(c["csat"]["rating"], Value::Null);
    assert!(c["csat"]["sent_at"].is_string());

    // The customer's browser: it keeps the form's CSRF cookie.
    let customer = t.browser();
    let page = customer
        .get(t.url(&format!("/csat/{}", links[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Happy Org") && html.contains("#1"), "{html}");
    let (code, _) = answer(
        &t,
        &customer,
        &links[0],
        &[("_csrf", "forged"), ("rating", "5")],
    )
    .await;
    assert_eq!(code, 403);
    let csrf = form_csrf(&t, &customer, &links[0]).await;
    let (code, html) = answer(
        &t,
        &customer,
        &links[0],
        &[("_csrf", &csrf), ("rating", "6")],
    )
    .await;
    assert_eq!(code, 422, "{html}");
    assert!(html.contains("Pick a rating from 1 to 5"));
    let csrf = form_csrf(&t, &customer, &links[0]).await;
    let (code, html) = answer(
        &t,
        &customer,
        &links[0],
        &[
            ("_csrf", &csrf),
            ("rating", "4"),
            ("comment", "Quick and kind"),
        ],
    )
    .await;
    assert_eq!(code, 200);
    assert!(html.contains("data-csat-thanks"));
    let c = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert_eq!(c["csat"]["rating"], 4);
    assert_eq!(c["csat"]["comment"], "Quick and kind");
    let thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    assert!(
        thread["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["content"] == "The customer rated this conversation 4/5")
    );

    // Reopened and resolved again: a new survey.
    status(&t, &b, &conv, "open").await;
    status(&t, &b, &conv, "resolved").await;
    let links = surveys(&t, &b, &conv).await;
    assert_eq!(links.len(), 2);

    // Two weeks on, the link is closed.
    clock.advance(Duration::days(15));
    let html = customer
        .get(t.url(&format!("/csat/{}", links[1])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("This survey is closed"));
    // A closed survey shows no form: the token comes from another page.
    let csrf = anon_csrf(&t, &customer).await;
    let (code, html) = answer(
        &t,
        &customer,
        &links[1],
        &[("_csrf", &csrf), ("rating", "2")],
    )
    .await;
    assert_eq!(code, 422);
    assert!(html.contains("expired"));
    let res = customer
        .get(t.url("/csat/not-a-survey-link"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}
