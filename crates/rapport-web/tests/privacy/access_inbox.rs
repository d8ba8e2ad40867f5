//! [`super::access`]'s guard list and `perform` for the shared-inbox API: the inbox and the
//! conversation an operation acts on are the owner's, created first, so only the call itself
//! is the actor's.

use super::Browser;
use rapport_domain::Permission::{
    ConversationsAssign as Assign, ConversationsRead as Read, ConversationsReply as Reply,
    MembersManage, SettingsManage,
};
use rapport_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use super::access::Guard::{self, AnyMember, Needs};

/// Every inbox operation and what guards it.
pub const INBOX_ACTIONS: &[(&str, &str, Guard)] = &[
    ("GET", "/inboxes", Needs(Read)),
    ("POST", "/inboxes", Needs(SettingsManage)),
    ("GET", "/inboxes/{id}", Needs(Read)),
    ("PATCH", "/inboxes/{id}", Needs(SettingsManage)),
    ("DELETE", "/inboxes/{id}", Needs(SettingsManage)),
    ("POST", "/inboxes/{id}/messages", Needs(Reply)),
    ("GET", "/inboxes/{id}/email", Needs(SettingsManage)),
    ("PUT", "/inboxes/{id}/email", Needs(SettingsManage)),
    ("GET", "/mail-quarantine", Needs(SettingsManage)),
    ("POST", "/mail-quarantine/{id}/retry", Needs(SettingsManage)),
    ("DELETE", "/mail-quarantine/{id}", Needs(SettingsManage)),
    ("GET", "/conversations", Needs(Read)),
    ("POST", "/conversations/bulk", Needs(Reply)),
    ("GET", "/conversations/{id}", Needs(Read)),
    ("POST", "/conversations/{id}/status", Needs(Reply)),
    ("POST", "/conversations/{id}/priority", Needs(Reply)),
    ("POST", "/conversations/{id}/assign", Needs(Assign)),
    ("POST", "/conversations/{id}/labels", Needs(Reply)),
    ("POST", "/conversations/{id}/follow", Needs(Read)),
    ("DELETE", "/conversations/{id}/follow", Needs(Read)),
    ("POST", "/conversations/{id}/read", Needs(Read)),
    ("POST", "/conversations/{id}/merge", Needs(Reply)),
    ("POST", "/conversations/{id}/move", Needs(Assign)),
    ("GET", "/labels", Needs(Read)),
    ("GET", "/conversations/{id}/messages", Needs(Read)),
    ("POST", "/conversations/{id}/messages", Needs(Reply)),
    ("POST", "/messages/{id}/split", Needs(Reply)),
    ("POST", "/uploads", Needs(Reply)),
    ("GET", "/conversation-views", Needs(Read)),
    ("POST", "/conversation-views", Needs(Read)),
    ("GET", "/conversation-views/{id}", Needs(Read)),
    ("DELETE", "/conversation-views/{id}", Needs(Read)),
    ("GET", "/attachments/{id}", Needs(Read)),
    ("GET", "/attachments/{id}/content", Needs(Read)),
    ("GET", "/canned-responses", Needs(Read)),
    ("POST", "/canned-responses", Needs(SettingsManage)),
    ("GET", "/canned-responses/{id}", Needs(Read)),
    ("PATCH", "/canned-responses/{id}", Needs(SettingsManage)),
    ("DELETE", "/canned-responses/{id}", Needs(SettingsManage)),
    (
        "POST",
        "/conversations/{id}/canned-responses/{canned_id}/render",
        Needs(Read),
    ),
    ("GET", "/automation-rules", Needs(SettingsManage)),
    ("POST", "/automation-rules", Needs(SettingsManage)),
    ("GET", "/automation-rules/{id}", Needs(SettingsManage)),
    ("PATCH", "/automation-rules/{id}", Needs(SettingsManage)),
    ("DELETE", "/automation-rules/{id}", Needs(SettingsManage)),
    ("GET", "/automation-rules/{id}/runs", Needs(SettingsManage)),
    ("GET", "/webhook-secret", Needs(SettingsManage)),
    ("POST", "/webhook-secret/rotate", Needs(SettingsManage)),
    ("GET", "/sla-policies", Needs(SettingsManage)),
    ("POST", "/sla-policies", Needs(SettingsManage)),
    ("GET", "/sla-policies/{id}", Needs(SettingsManage)),
    ("PATCH", "/sla-policies/{id}", Needs(SettingsManage)),
    ("DELETE", "/sla-policies/{id}", Needs(SettingsManage)),
    ("PUT", "/users/{id}/capacity", Needs(MembersManage)),
    ("GET", "/me/workload", AnyMember),
    ("PUT", "/me/availability", AnyMember),
    ("GET", "/realtime", Needs(Read)),
    ("POST", "/conversations/{id}/presence", Needs(Read)),
];

fn fresh() -> String {
    uuid::Uuid::now_v7().simple().to_string()[20..].to_owned()
}

/// Posts a customer message as `who` into `inbox`; the response.
async fn inbound(t: &TestApp, who: &Browser, inbox: &str, body: Value) -> reqwest::Response {
    who.client
        .post(t.url(&format!("/api/v1/inboxes/{inbox}/messages")))
        .header("x-csrf-token", &who.csrf)
        .header("idempotency-key", fresh())
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Whether `path` is one of the inbox operations.
pub fn is_inbox(path: &str) -> bool {
    INBOX_ACTIONS.iter().any(|(_, p, _)| *p == path)
}

/// The email inbox's operations, on a mailbox of their own (servers on loopback).
async fn perform_mail(
    t: &TestApp,
    owner: &Browser,
    actor: &Browser,
    method: &str,
    path: &str,
) -> reqwest::Response {
    use crate::inbox::email::{fixture_settings, mail_fixture};
    use crate::inbox::email_quarantine::quarantined;
    let fixture = mail_fixture(t, owner).await;
    let (concrete, body) = match path {
        "/inboxes/{id}/email" => (
            path.replace("{id}", &fixture.inbox),
            (method == "PUT").then(|| fixture_settings(&fixture)),
        ),
        _ => (
            path.replace("{id}", &quarantined(t, owner, &fixture).await),
            None,
        ),
    };
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    actor.api(t, method, &concrete, body).await
}

/// Calls the inbox operation `(method, path)` as `actor`.
pub async fn perform_inbox(
    t: &TestApp,
    owner: &Browser,
    actor: &Browser,
    method: &str,
    path: &str,
) -> reqwest::Response {
    let inbox = owner
        .api_ok(
            t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": format!("Inbox {}", fresh()) })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = json!({ "contact": { "identifier": fresh() }, "content": "c5" });
    let first: Value = inbound(t, owner, &inbox, customer.clone())
        .await
        .json()
        .await
        .unwrap();
    let conv = first["conversation_id"].as_str().unwrap().to_owned();
    let me = actor.api_ok(t, Method::GET, "/me", None).await;
    if path.contains("canned") {
        return perform_canned(t, owner, actor, method, path, &conv).await;
    }
    if path.starts_with("/automation-rules") {
        return perform_rule(t, owner, actor, method, path).await;
    }
    if path.starts_with("/sla-policies") {
        return perform_policy(t, owner, actor, method, path).await;
    }
    let (concrete, body) = match (method, path) {
        ("POST", "/inboxes/{id}/messages") => return inbound(t, actor, &inbox, customer).await,
        ("POST", "/inboxes") => (
            "/inboxes".into(),
            Some(json!({ "name": format!("Inbox {}", fresh()) })),
        ),
        ("PATCH", "/inboxes/{id}") => (
            format!("/inboxes/{inbox}"),
            Some(json!({ "csat_enabled": true })),
        ),
        (_, "/inboxes/{id}") => (format!("/inboxes/{inbox}"), None),
        (_, "/inboxes/{id}/email" | "/mail-quarantine/{id}" | "/mail-quarantine/{id}/retry") => {
            return perform_mail(t, owner, actor, method, path).await;
        }
        ("POST", "/conversations/bulk") => (
            path.to_owned(),
            Some(json!({ "ids": [conv], "status": "pending" })),
        ),
        ("POST", "/conversations/{id}/status") => (
            path.replace("{id}", &conv),
            Some(json!({ "status": "resolved" })),
        ),
        ("POST", "/conversations/{id}/priority") => (
            path.replace("{id}", &conv),
            Some(json!({ "priority": "high" })),
        ),
        ("POST", "/conversations/{id}/assign") => (
            path.replace("{id}", &conv),
            Some(json!({ "assignee_id": me["id"] })),
        ),
        ("POST", "/conversations/{id}/labels") => {
            (path.replace("{id}", &conv), Some(json!({ "add": ["c5"] })))
        }
        ("PUT", "/me/availability") => (path.to_owned(), Some(json!({ "availability": "online" }))),
        ("PUT", "/users/{id}/capacity") => (
            format!("/users/{}/capacity", me["id"].as_str().unwrap_or_default()),
            Some(json!({ "capacity": 5 })),
        ),
        ("POST", "/conversations/{id}/presence") => (
            path.replace("{id}", &conv),
            Some(json!({ "state": "viewing" })),
        ),
        ("POST", "/conversations/{id}/merge") => {
            let other = json!({ "contact": { "identifier": fresh() }, "content": "c5 other" });
            let second: Value = inbound(t, owner, &inbox, other).await.json().await.unwrap();
            (
                path.replace("{id}", &conv),
                Some(json!({ "source_id": second["conversation_id"] })),
            )
        }
        ("POST", "/conversations/{id}/move") => {
            let target = owner
                .api_ok(
                    t,
                    Method::POST,
                    "/inboxes",
                    Some(json!({ "name": format!("Inbox {}", fresh()) })),
                )
                .await;
            (
                path.replace("{id}", &conv),
                Some(json!({ "inbox_id": target["id"] })),
            )
        }
        ("POST", "/conversations/{id}/messages") => (
            path.replace("{id}", &conv),
            Some(json!({ "content": "c5 reply" })),
        ),
        ("POST", "/conversation-views") => (
            path.to_owned(),
            Some(json!({ "name": format!("View {}", fresh()), "filter": { "label": "c5" } })),
        ),
        (_, "/conversation-views/{id}") => {
            // A view the owner shares; to delete, the actor's own (deleting someone else's
            // shared view is for settings managers).
            let body = json!({ "name": format!("View {}", fresh()), "filter": { "label": "c5" } });
            let mut shared = body.clone();
            shared["shared"] = json!(true);
            let theirs = owner
                .api_ok(t, Method::POST, "/conversation-views", Some(shared))
                .await;
            let id = if method == "DELETE" {
                let mine = actor
                    .api(t, Method::POST, "/conversation-views", Some(body))
                    .await;
                if mine.status().is_success() {
                    mine.json::<Value>().await.unwrap()["id"].clone()
                } else {
                    theirs["id"].clone()
                }
            } else {
                theirs["id"].clone()
            };
            (path.replace("{id}", id.as_str().unwrap()), None)
        }
        ("POST", "/uploads") => (
            "/uploads?filename=c5.txt".into(),
            Some(json!({ "file": "c5" })),
        ),
        (_, "/attachments/{id}" | "/attachments/{id}/content") => {
            // The owner's file, sent on the owner's note: readable by whoever may read.
            let file: Value = owner
                .client
                .post(t.url("/api/v1/uploads?filename=c5.txt"))
                .header("x-csrf-token", &owner.csrf)
                .body("c5 file")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            owner
                .api_ok(
                    t,
                    Method::POST,
                    &format!("/conversations/{conv}/messages"),
                    Some(json!({ "content": "c5 note", "private": true, "attachments": [file["id"]] })),
                )
                .await;
            (path.replace("{id}", file["id"].as_str().unwrap()), None)
        }
        ("POST", "/messages/{id}/split") => (
            path.replace("{id}", first["message"]["id"].as_str().unwrap()),
            None,
        ),
        (_, p) => (p.replace("{id}", &conv), None),
    };
    actor.api(t, method.parse().unwrap(), &concrete, body).await
}

/// Calls a canned-response operation as `actor`; the owner writes the response it acts on.
async fn perform_canned(
    t: &TestApp,
    owner: &Browser,
    actor: &Browser,
    method: &str,
    path: &str,
    conv: &str,
) -> reqwest::Response {
    let new = || {
        let code = format!("c5-{}", fresh());
        json!({ "short_code": code, "title": "C5", "body": "Hi {{ contact.name }}" })
    };
    let canned = owner
        .api_ok(t, Method::POST, "/canned-responses", Some(new()))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let concrete = path.replace("{canned_id}", &canned);
    let concrete = if concrete.starts_with("/conversations") {
        concrete.replace("{id}", conv)
    } else {
        concrete.replace("{id}", &canned)
    };
    let body = match method {
        "POST" if path == "/canned-responses" => Some(new()),
        "PATCH" => Some(json!({ "title": "C5 changed" })),
        _ => None,
    };
    actor.api(t, method.parse().unwrap(), &concrete, body).await
}

/// Calls an automation-rule operation as `actor`; the owner writes the rule it acts on.
async fn perform_rule(
    t: &TestApp,
    owner: &Browser,
    actor: &Browser,
    method: &str,
    path: &str,
) -> reqwest::Response {
    let new = || {
        json!({ "name": format!("C5 {}", fresh()), "trigger": "message_received",
            "actions": [{ "type": "add_label", "label": "c5" }] })
    };
    let rule = owner
        .api_ok(t, Method::POST, "/automation-rules", Some(new()))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = match method {
        "POST" => Some(new()),
        "PATCH" => Some(json!({ "enabled": false })),
        _ => None,
    };
    actor
        .api(
            t,
            method.parse().unwrap(),
            &path.replace("{id}", &rule),
            body,
        )
        .await
}

/// Calls an SLA-policy operation as `actor`; the owner writes the policy it acts on.
async fn perform_policy(
    t: &TestApp,
    owner: &Browser,
    actor: &Browser,
    method: &str,
    path: &str,
) -> reqwest::Response {
    let new = || {
        json!({ "name": format!("C5 {}", fresh()),
            "targets": [{ "priority": "high", "first_response_minutes": 30 }] })
    };
    let policy = owner
        .api_ok(t, Method::POST, "/sla-policies", Some(new()))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = match method {
        "POST" => Some(new()),
        "PATCH" => Some(json!({ "warn_percent": 50 })),
        _ => None,
    };
    actor
        .api(
            t,
            method.parse().unwrap(),
            &path.replace("{id}", &policy),
            body,
        )
        .await
}
