//! Lists, the filter language, saved segments and CSV export, end to end over HTTP on SQLite
//! and PostgreSQL: every operator, related-record and custom-field filters, clear errors for
//! bad filters, keyset pagination without skips or repeats, segment visibility, export
//! contents (formula injection defused) and tenant isolation.

mod filters;
mod pages;
mod seed;
mod segments;
mod ui;

use chrono::Duration;
use rapport_domain::Role;
use rapport_testkit::{TestApp, TestUser, spawn_app};
use seed::{C, Seed, base};
use serde_json::{Value, json};
use uuid::Uuid;

/// Org A with five contacts, two companies, three deals and custom fields of several types.
pub struct World {
    pub t: TestApp,
    pub owner: TestUser,
    pub agent: TestUser,
    pub acme: Uuid,
    pub ada: Uuid,
}

pub async fn world() -> World {
    let t = spawn_app().await;
    let owner = t.create_org_with("Listworks", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let s = Seed {
        db: t.app.db(),
        org: owner.org_id.as_uuid(),
    };
    for (key, ty, options, cur) in [
        ("score", "number", json!([]), None),
        (
            "plan",
            "select",
            json!([{"value": "free", "label": "Free"}, {"value": "pro", "label": "Pro"}]),
            None,
        ),
        ("active", "boolean", json!([]), None),
        ("renewal", "date", json!([]), None),
        (
            "langs",
            "multi_select",
            json!([{"value": "en", "label": "English"}, {"value": "fr", "label": "French"}, {"value": "de", "label": "German"}]),
            None,
        ),
        ("revenue", "currency", json!([]), Some("EUR")),
        ("nickname", "text", json!([]), None),
    ] {
        s.field("contact", key, ty, options, cur).await;
    }
    s.field(
        "company",
        "tier",
        "select",
        json!([{"value": "gold", "label": "Gold"}]),
        None,
    )
    .await;
    let acme = s
        .company("Acme", Some("Software"), json!({"tier": "gold"}))
        .await;
    let globex = s.company("Globex", Some("Retail"), json!({})).await;
    let o = owner.id.as_uuid();
    let ag = agent.id.as_uuid();
    let at = |n: i64| base() + Duration::seconds(n);
    let ada = s
        .contact(C {
            first: "Ada",
            last: "Lovelace",
            email: Some("ada@acme.test"),
            title: Some("CTO"),
            stage: "customer",
            owner: Some(o),
            company: Some(acme),
            tags: &["vip"],
            custom: json!({"score": 80, "plan": "pro", "active": true, "renewal": "2026-06-01",
                           "langs": ["en", "fr"], "revenue": 150000, "nickname": "@countess"}),
            at: at(0),
        })
        .await;
    let bob = s
        .contact(C {
            first: "Bob",
            last: "Builder",
            email: Some("bob@globex.test"),
            stage: "lead",
            owner: Some(ag),
            company: Some(globex),
            custom: json!({"score": 20, "plan": "free", "active": false, "langs": ["de"]}),
            at: at(1),
            ..C::default()
        })
        .await;
    let cleo = s
        .contact(C {
            first: "Cleo",
            last: "Patra",
            email: Some("cleo@acme.test"),
            title: Some("CEO"),
            stage: "customer",
            owner: Some(ag),
            company: Some(acme),
            tags: &["vip", "partner"],
            custom: json!({"score": 55}),
            at: at(2),
        })
        .await;
    s.contact(C {
        first: "=2+3",
        last: "Evil",
        stage: "other",
        at: at(3),
        ..C::default()
    })
    .await;
    s.contact(C {
        first: "Eve",
        last: "Adams",
        title: Some("Head of R&D"),
        stage: "subscriber",
        owner: Some(o),
        tags: &["newsletter"],
        custom: json!({"score": 50}),
        at: at(4),
        ..C::default()
    })
    .await;
    let sales = s.pipeline("Sales", "Proposal").await;
    s.deal(
        sales,
        "Big rollout",
        2_000_000,
        "open",
        Some(acme),
        &[ada],
        0,
    )
    .await;
    s.deal(
        sales,
        "Small pilot",
        500_000,
        "open",
        Some(globex),
        &[bob],
        1,
    )
    .await;
    s.deal(sales, "Won renewal", 5_000_000, "won", None, &[cleo], 2)
        .await;
    World {
        t,
        owner,
        agent,
        acme,
        ada,
    }
}

/// GET an API path; returns (status, JSON body).
pub async fn api(c: &reqwest::Client, t: &TestApp, path: &str) -> (u16, Value) {
    let res = c
        .get(t.url(&format!("/api/v1{path}")))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The `name` of every item of a contacts list filtered by `filter`, sorted.
pub async fn names(c: &reqwest::Client, t: &TestApp, filter: &str) -> Vec<String> {
    let q = serde_urlencoded::to_string([("filter", filter), ("limit", "200")]).unwrap();
    let (status, body) = api(c, t, &format!("/contacts?{q}")).await;
    assert_eq!(status, 200, "{filter}: {body}");
    let mut v: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}
