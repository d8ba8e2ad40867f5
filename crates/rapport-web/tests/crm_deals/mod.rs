//! Deals and pipelines over HTTP: the default pipeline, deal CRUD with exact amounts, moves
//! with history and won/lost status, stage deletion, bad input that changes nothing, the
//! board's totals, tenant isolation and concurrent moves. SQLite and PostgreSQL.

mod api;
mod moves;
mod pages;

use crate::privacy::{Browser, execute, query};
use rapport_domain::{OrgId, Role};
use rapport_testkit::TestApp;
use reqwest::Method;
use sea_orm::Value as SqlValue;
use serde_json::{Value, json};

/// An owner's browser in a fresh org.
pub async fn owner(t: &TestApp, org: &str) -> (Browser, OrgId) {
    let user = t.create_org_with(org, Role::Owner).await;
    (Browser::sign_in(t, &user).await, user.org_id)
}

/// The org's pipelines (creating the default one).
pub async fn pipelines(t: &TestApp, b: &Browser) -> Vec<Value> {
    b.api_ok(t, Method::GET, "/pipelines", None).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// The default pipeline's id and its stage ids by name.
pub async fn sales(t: &TestApp, b: &Browser) -> (String, Vec<(String, String)>) {
    let p = pipelines(t, b).await.remove(0);
    let stages = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (p["id"].as_str().unwrap().to_owned(), stages)
}

/// The id of the stage called `name`.
pub fn stage(stages: &[(String, String)], name: &str) -> String {
    stages.iter().find(|(n, _)| n == name).unwrap().1.clone()
}

/// Creates a deal through the API; returns its JSON.
pub async fn deal(t: &TestApp, b: &Browser, body: Value) -> Value {
    b.api_ok(t, Method::POST, "/deals", Some(body)).await
}

fn now() -> SqlValue {
    SqlValue::ChronoDateTimeUtc(Some(chrono::Utc::now()))
}

/// A company row (the records slice owns the table; deals only link to it).
pub async fn seed_company(t: &TestApp, org: OrgId, name: &str) -> String {
    let id = uuid::Uuid::now_v7();
    execute(
        t,
        "INSERT INTO companies (id, org_id, name, custom, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            id.into(),
            org.as_uuid().into(),
            name.into(),
            SqlValue::Json(Some(Box::new(json!({})))),
            now(),
            now(),
        ],
    )
    .await;
    id.to_string()
}

/// A contact row.
pub async fn seed_contact(t: &TestApp, org: OrgId, first: &str, last: &str) -> String {
    let id = uuid::Uuid::now_v7();
    execute(
        t,
        "INSERT INTO contacts (id, org_id, first_name, last_name, display_name, lifecycle_stage, \
         social, custom, consent_marketing, consent_ai, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'lead', $6, $7, $8, $9, $10, $11)",
        vec![
            id.into(),
            org.as_uuid().into(),
            first.into(),
            last.into(),
            format!("{first} {last}").into(),
            SqlValue::Json(Some(Box::new(json!({})))),
            SqlValue::Json(Some(Box::new(json!({})))),
            false.into(),
            true.into(),
            now(),
            now(),
        ],
    )
    .await;
    id.to_string()
}

/// A custom field definition for deals.
pub async fn seed_deal_field(t: &TestApp, org: OrgId, key: &str, field_type: &str, options: Value) {
    execute(
        t,
        "INSERT INTO custom_fields (id, org_id, object_type, key, label, field_type, options, \
         required, filterable, position, created_at, updated_at) \
         VALUES ($1, $2, 'deal', $3, $4, $5, $6, $7, $8, 0, $9, $10)",
        vec![
            uuid::Uuid::now_v7().into(),
            org.as_uuid().into(),
            key.into(),
            key.replace('_', " ").into(),
            field_type.into(),
            SqlValue::Json(Some(Box::new(options))),
            false.into(),
            false.into(),
            now(),
            now(),
        ],
    )
    .await;
}

/// How many rows of `table` the org has.
pub async fn count(t: &TestApp, table: &str, org: OrgId) -> i64 {
    let rows = query(
        t,
        &format!("SELECT COUNT(*) AS n FROM {table} WHERE org_id = $1"),
        vec![org.as_uuid().into()],
    )
    .await;
    rows[0].try_get::<i64>("", "n").unwrap()
}
