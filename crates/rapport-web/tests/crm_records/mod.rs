//! CRM records end to end: contacts and companies over the API (create, read with
//! `?include=`, PATCH, delete), normalization (lowercase emails, E.164 phones in the org's
//! default country), auto-linking by work-email domain, duplicate emails, custom fields of
//! every type, and the record pages. Runs on SQLite, and on PostgreSQL when
//! `RAPPORT_TEST_DATABASE_URL` is set.

mod api;
mod fields;
mod pages;

use crate::privacy::Browser;
use rapport_domain::Role;
use rapport_testkit::{TestApp, TestUser, spawn_app};
use reqwest::Method;
use serde_json::Value;

/// An app with one org whose owner is signed in.
async fn signed_in() -> (TestApp, TestUser, Browser) {
    let t = spawn_app().await;
    let owner = t.create_org_with("Records Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    (t, owner, b)
}

/// The JSON of a failed call, after checking its status and problem code.
async fn refused(
    b: &Browser,
    t: &TestApp,
    method: Method,
    path: &str,
    body: Value,
    status: u16,
    code: &str,
) -> Value {
    let res = b.api(t, method, path, Some(body)).await;
    let got = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{path}: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["code"], code, "{text}");
    v
}

/// The field names of a `validation_failed` problem.
fn fields_of(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// The messages of a `validation_failed` problem, joined.
fn messages_of(problem: &Value) -> String {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}: {}", e["field"], e["message"]))
        .collect::<Vec<_>>()
        .join("\n")
}
