//! Org A's shared-inbox objects for the B5 probe in [`super::tenancy`]: an API inbox, a
//! conversation with a customer's message and a private note, a canned response, an
//! automation rule and an SLA policy, all marked.

use super::Browser;
use rapport_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// A's inbox, its conversation and the customer's message.
pub struct InboxA {
    pub inbox: String,
    pub conversation: String,
    pub message: String,
    pub canned: String,
    pub rule: String,
    pub policy: String,
    /// A file on A's private note.
    pub attachment: String,
    /// A's shared saved view.
    pub view: String,
    /// A quarantined mail of A's inbox (seeded in the table: B must be refused before its
    /// bytes would be read).
    pub quarantined: String,
}

/// The content of A's file.
pub const FILE_CONTENT: &str = "Aardmarker file content";

/// Seeds A's inbox objects as A's owner.
pub async fn seed(t: &TestApp, owner: &Browser) -> InboxA {
    let inbox = owner
        .api_ok(
            t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Aardmarker inbox" })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let posted: Value = owner
        .client
        .post(t.url(&format!("/api/v1/inboxes/{inbox}/messages")))
        .header("x-csrf-token", &owner.csrf)
        .header("idempotency-key", "aardmarker-1")
        .json(&json!({
            "contact": { "identifier": "aardmarker-customer", "name": "Aardmarker Customer" },
            "content": "Aardmarker message", "subject": "Aardmarker subject",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = posted["conversation_id"].as_str().unwrap().to_owned();
    let file: Value = owner
        .client
        .post(t.url("/api/v1/uploads?filename=aardmarker-file.txt"))
        .header("x-csrf-token", &owner.csrf)
        .header("content-type", "text/plain")
        .body(FILE_CONTENT)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let attachment = file["id"].as_str().unwrap().to_owned();
    owner
        .api_ok(
            t,
            Method::POST,
            &format!("/conversations/{conversation}/messages"),
            Some(json!({
                "content": "Aardmarker private note", "private": true, "attachments": [attachment],
            })),
        )
        .await;
    owner
        .api_ok(
            t,
            Method::POST,
            &format!("/conversations/{conversation}/labels"),
            Some(json!({ "add": ["aardmarker"] })),
        )
        .await;
    let canned = owner
        .api_ok(
            t,
            Method::POST,
            "/canned-responses",
            Some(json!({
                "short_code": "aardmarker", "title": "Aardmarker reply",
                "body": "Hi {{ contact.first_name }}, Aardmarker here.", "inbox_id": inbox,
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rule = owner
        .api_ok(
            t,
            Method::POST,
            "/automation-rules",
            Some(json!({
                "name": "Aardmarker rule", "trigger": "message_received",
                "conditions": [{ "field": "content", "operator": "contains", "value": "aardmarker" }],
                "actions": [{ "type": "add_label", "label": "aardmarker" }],
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let policy = owner
        .api_ok(
            t,
            Method::POST,
            "/sla-policies",
            Some(json!({
                "name": "Aardmarker policy", "inbox_ids": [inbox],
                "targets": [{ "priority": "none", "first_response_minutes": 60 }],
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let view = owner
        .api_ok(
            t,
            Method::POST,
            "/conversation-views",
            Some(json!({
                "name": "Aardmarker view", "shared": true,
                "filter": { "inbox_id": inbox, "label": "aardmarker" },
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let quarantined = uuid::Uuid::now_v7();
    super::execute(
        t,
        "INSERT INTO mail_quarantine (id, org_id, inbox_id, folder, uid, blob, size, error, \
         attempts, created_at, updated_at) \
         SELECT $1, org_id, id, 'INBOX', 7, $2, 10, 'Aardmarker quarantine', 1, $3, $3 \
         FROM inboxes WHERE id = $4",
        vec![
            quarantined.into(),
            "0".repeat(64).into(),
            chrono::Utc::now().into(),
            uuid::Uuid::parse_str(&inbox).unwrap().into(),
        ],
    )
    .await;
    InboxA {
        quarantined: quarantined.to_string(),
        view,
        attachment,
        canned,
        rule,
        policy,
        inbox,
        conversation,
        message: posted["message"]["id"].as_str().unwrap().to_owned(),
    }
}

/// Bodies that pass validation, so what answers B is the authorization.
pub fn api_body(method: &str, template: &str) -> Option<Value> {
    Some(match (method, template) {
        ("POST", "/api/v1/inboxes") => json!({ "name": "B5 probe inbox" }),
        ("PATCH", "/api/v1/inboxes/{id}") => json!({ "name": "B5 probe inbox 2" }),
        ("PUT", "/api/v1/inboxes/{id}/email") => json!({
            "address": "b5@example.test", "imap_host": "imap.example.test",
            "imap_username": "b5", "imap_password": "b5-probe", "smtp_host": "smtp.example.test",
        }),
        ("POST", "/api/v1/inboxes/{id}/messages") => {
            json!({ "contact": { "identifier": "b5-probe" }, "content": "B5 probe" })
        }
        ("POST", "/api/v1/conversations/{id}/status") => json!({ "status": "resolved" }),
        ("POST", "/api/v1/conversations/{id}/priority") => json!({ "priority": "urgent" }),
        ("POST", "/api/v1/conversations/{id}/assign") => json!({ "assignee_id": null }),
        ("POST", "/api/v1/conversations/{id}/labels") => json!({ "add": ["b5"] }),
        ("POST", "/api/v1/conversations/{id}/presence") => json!({ "state": "typing" }),
        ("POST", "/api/v1/conversations/{id}/merge") => {
            json!({ "source_id": "01a21d66-0000-7000-8000-000000000000" })
        }
        ("POST", "/api/v1/conversations/{id}/move") => {
            json!({ "inbox_id": "01a21d66-0000-7000-8000-000000000000" })
        }
        ("POST", "/api/v1/conversations/{id}/messages") => json!({ "content": "B5 probe" }),
        ("POST", "/api/v1/conversation-views") => {
            json!({ "name": "B5 probe view", "filter": { "label": "b5" } })
        }
        ("POST", "/api/v1/canned-responses") => {
            json!({ "short_code": "b5-probe", "title": "B5 probe", "body": "B5 probe" })
        }
        ("PATCH", "/api/v1/canned-responses/{id}") => json!({ "title": "B5 probe 2" }),
        ("POST", "/api/v1/automation-rules") => json!({
            "name": "B5 probe rule", "trigger": "message_received",
            "actions": [{ "type": "add_label", "label": "b5" }],
        }),
        ("PATCH", "/api/v1/automation-rules/{id}") => json!({ "enabled": false }),
        ("POST", "/api/v1/sla-policies") => json!({
            "name": "B5 probe policy",
            "targets": [{ "priority": "none", "first_response_minutes": 5 }],
        }),
        ("PATCH", "/api/v1/sla-policies/{id}") => json!({ "name": "B5 probe policy 2" }),
        ("PUT", "/api/v1/users/{id}/capacity") => json!({ "capacity": 3 }),
        ("PUT", "/api/v1/me/availability") => json!({ "availability": "away" }),
        _ => return None,
    })
}
