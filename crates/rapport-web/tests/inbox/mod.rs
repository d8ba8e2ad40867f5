//! The shared inbox over HTTP, on SQLite and PostgreSQL: inboxes, the API channel's
//! exactly-once ingest, conversations (status, snooze, priority, assignment, labels,
//! followers, read marks, merge, split, move, bulk), replies with their delivery job and
//! private notes with mentions, canned responses, automation rules and SLA policies; the email
//! channel against real servers, and the shared real-world mail corpora through its receive path.

mod assignment;
mod attachments;
mod automation;
mod automation_time;
mod automation_webhook;
mod canned;
mod canned_access;
mod conversations;
mod csat;
mod demo;
pub mod email;
mod email_corpora;
mod email_corpus_files;
mod email_oauth;
pub mod email_quarantine;
mod exactly_once;
mod ingest;
mod mentions;
mod notify_mail;
mod organize;
mod realtime;
mod sla;
mod ui;
mod views;

pub use crate::privacy::Browser;
use rapport_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// An API inbox named `name` in the browser's org.
pub async fn api_inbox(t: &TestApp, b: &Browser, name: &str) -> String {
    let inbox = b
        .api_ok(t, Method::POST, "/inboxes", Some(json!({ "name": name })))
        .await;
    inbox["id"].as_str().unwrap().to_owned()
}

/// A member of `owner`'s org whose only grant is a custom role holding just
/// `contacts.read` (no inbox access), signed in.
pub async fn crm_only_member(
    t: &TestApp,
    owner: &rapport_testkit::TestUser,
    ob: &Browser,
) -> Browser {
    let role = ob
        .api_ok(
            t,
            Method::POST,
            "/roles",
            Some(json!({ "name": "CRM only", "permissions": ["contacts.read"] })),
        )
        .await;
    let member = t
        .add_member(owner.org_id, rapport_domain::Role::Agent)
        .await;
    ob.api_ok(
        t,
        Method::PATCH,
        &format!("/users/{}", member.id),
        Some(json!({ "role": "agent", "custom_role_id": role["id"] })),
    )
    .await;
    Browser::sign_in(t, &member).await
}

/// A bearer token with all of the user's permissions (integrations post with one).
pub async fn token(t: &TestApp, b: &Browser) -> String {
    let created = b
        .api_ok(
            t,
            Method::POST,
            "/tokens",
            Some(json!({ "name": "integration" })),
        )
        .await;
    created["secret"].as_str().unwrap().to_owned()
}

/// Posts a customer's message to an API inbox with a bearer token; status and JSON.
pub async fn post_inbound(
    t: &TestApp,
    client: &reqwest::Client,
    token: &str,
    inbox: &str,
    key: &str,
    body: Value,
) -> (u16, Value) {
    let res = client
        .post(t.url(&format!("/api/v1/inboxes/{inbox}/messages")))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A customer message body.
pub fn from(identifier: &str, name: &str, content: &str) -> Value {
    json!({ "contact": { "identifier": identifier, "name": name }, "content": content })
}

/// Rows of `table` in the org (counts what was stored).
pub async fn count(t: &TestApp, table: &str, org: rapport_domain::OrgId) -> i64 {
    use sea_orm::ConnectionTrait;
    let conn = t.db.db.conn();
    let stmt = crate::privacy::sql(
        t,
        &format!("SELECT COUNT(*) AS n FROM {table} WHERE org_id = $1"),
        vec![org.as_uuid().into()],
    );
    conn.query_one_raw(stmt)
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}
