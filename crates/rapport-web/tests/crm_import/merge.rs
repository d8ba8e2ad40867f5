//! Duplicate detection and merging: the survivor keeps every linked row of both contacts.

use super::Api;
use serde_json::{Value, json};

const PEOPLE: &str = "Name,Email,Phone,Company,Tags,Title\n\
Ada Lovelace,ada@example.com,+1 415 555 0132,Acme,vip;math,Countess\n\
ada LOVELACE,ada.l@acme.io,,Acme,vip;new,Analyst\n\
Bob Stone,bob@example.com,+1 (415) 555-0132,,,\n\
Lovelace Ada,al@globex.com,,,,\n\
Ada Lovelace,ada2@globex.com,,,,\n\
Eve Ng,eve@example.com,,Acme,,\n";

async fn seeded() -> Api {
    let a = Api::new().await;
    let view = a.upload_ok("p.csv", PEOPLE).await;
    let (_, res) = a.run(view["id"].as_str().unwrap(), json!({})).await;
    assert_eq!(res["imported"], 6, "{res}");
    a
}

#[tokio::test]
async fn duplicates_are_found_by_phone_and_by_name_with_company_or_domain() {
    let a = seeded().await;
    let list: Value = a
        .get("/api/v1/contacts/duplicates")
        .await
        .json()
        .await
        .unwrap();
    let mut found: Vec<(String, String, String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut pair = [
                p["a"]["primary_email"].as_str().unwrap().to_owned(),
                p["b"]["primary_email"].as_str().unwrap().to_owned(),
            ];
            pair.sort();
            (
                p["reason"].as_str().unwrap().to_owned(),
                pair[0].clone(),
                pair[1].clone(),
                p["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "same_name_same_company".into(),
                "ada.l@acme.io".into(),
                "ada@example.com".into(),
                "Acme".into()
            ),
            (
                "same_phone".into(),
                "ada@example.com".into(),
                "bob@example.com".into(),
                "+14155550132".into()
            ),
            (
                "similar_name_same_email_domain".into(),
                "ada2@globex.com".into(),
                "al@globex.com".into(),
                "globex.com".into()
            ),
        ]
    );
}

#[tokio::test]
async fn a_merge_moves_every_linked_row_to_the_survivor() {
    let a = seeded().await;
    let org = a.user.org_id.as_uuid();
    let survivor = a.contact_id("ada@example.com").await;
    let merged = a.contact_id("ada.l@acme.io").await;
    let now = chrono::Utc::now();
    let id = || uuid::Uuid::now_v7();
    let (pipeline, stage, shared_deal, own_deal) = (id(), id(), id(), id());
    a.exec("INSERT INTO pipelines (id, org_id, name, position, currency, created_at, updated_at) VALUES ($1, $2, 'Sales', 0, 'EUR', $3, $3)", vec![pipeline.into(), org.into(), now.into()]).await;
    a.exec("INSERT INTO pipeline_stages (id, org_id, pipeline_id, name, position, probability, kind, created_at, updated_at) VALUES ($1, $2, $3, 'New', 0, 10, 'open', $4, $4)", vec![stage.into(), org.into(), pipeline.into(), now.into()]).await;
    for deal in [shared_deal, own_deal] {
        a.exec("INSERT INTO deals (id, org_id, pipeline_id, stage_id, title, currency, status, position, custom, created_at, updated_at) VALUES ($1, $2, $3, $4, 'Deal', 'EUR', 'open', 1.0, $5, $6, $6)", vec![deal.into(), org.into(), pipeline.into(), stage.into(), json!({}).into(), now.into()]).await;
    }
    for (deal, contact) in [
        (shared_deal, survivor),
        (shared_deal, merged),
        (own_deal, merged),
    ] {
        a.exec(
            "INSERT INTO deal_contacts (org_id, deal_id, contact_id) VALUES ($1, $2, $3)",
            vec![org.into(), deal.into(), contact.into()],
        )
        .await;
    }
    a.exec("INSERT INTO notes (id, org_id, record_type, record_id, body, pinned, created_at, updated_at) VALUES ($1, $2, 'contact', $3, 'met at the fair', $4, $5, $5)", vec![id().into(), org.into(), merged.into(), false.into(), now.into()]).await;
    let (shared_task, own_task) = (id(), id());
    for task in [shared_task, own_task] {
        a.exec("INSERT INTO tasks (id, org_id, title, body, created_at, updated_at) VALUES ($1, $2, 'Call', '', $3, $3)", vec![task.into(), org.into(), now.into()]).await;
    }
    for (task, contact) in [
        (shared_task, survivor),
        (shared_task, merged),
        (own_task, merged),
    ] {
        a.exec("INSERT INTO task_links (org_id, task_id, record_type, record_id) VALUES ($1, $2, 'contact', $3)", vec![org.into(), task.into(), contact.into()]).await;
    }
    a.exec("INSERT INTO activities (id, org_id, record_type, record_id, kind, data, occurred_at) VALUES ($1, $2, 'contact', $3, 'note.created', $4, $5)", vec![id().into(), org.into(), merged.into(), json!({}).into(), now.into()]).await;

    let res = a
        .post(
            "/api/v1/contacts/merge",
            json!({"survivor_id": survivor, "merged_id": survivor}),
        )
        .await;
    assert_eq!(res.status(), 422, "a contact cannot merge with itself");
    let res = a.post("/api/v1/contacts/merge", json!({"survivor_id": survivor, "merged_id": merged, "fields": {"title": "merged", "nope": "survivor"}})).await;
    assert_eq!(res.status(), 422, "unknown field");

    let res = a.post("/api/v1/contacts/merge", json!({"survivor_id": survivor, "merged_id": merged, "fields": {"title": "merged", "first_name": "survivor", "last_name": "survivor"}})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["title"], "Analyst");
    assert_eq!(body["display_name"], "Ada Lovelace");
    assert_eq!(body["primary_email"], "ada@example.com");
    assert_eq!(body["emails"], json!(["ada@example.com", "ada.l@acme.io"]));
    assert_eq!(body["tags"], json!(["math", "new", "vip"]));

    let n = |table: &str, col: &str, who: uuid::Uuid| {
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {col} = $1");
        (sql, vec![sea_orm::Value::from(who)])
    };
    for (table, col, want) in [
        ("deal_contacts", "contact_id", 2),
        ("notes", "record_id", 1),
        ("task_links", "record_id", 2),
        ("contact_emails", "contact_id", 2),
        ("contact_tags", "contact_id", 3),
        ("contact_companies", "contact_id", 1),
    ] {
        let (sql, v) = n(table, col, survivor);
        assert_eq!(a.count(&sql, v).await, want, "{table} of the survivor");
        let (sql, v) = n(table, col, merged);
        assert_eq!(a.count(&sql, v).await, 0, "{table} of the merged contact");
    }
    let (sql, v) = n("activities", "record_id", survivor);
    assert_eq!(
        a.count(&sql, v).await,
        2,
        "the moved entry and contact.merged"
    );
    assert_eq!(
        a.count(
            "SELECT COUNT(*) AS n FROM activities WHERE kind = 'contact.merged'",
            vec![]
        )
        .await,
        1
    );
    assert_eq!(
        a.count(
            "SELECT COUNT(*) AS n FROM outbox_events WHERE kind = 'contact.merged'",
            vec![]
        )
        .await,
        1
    );
    let (sql, v) = n("contacts", "id", merged);
    assert_eq!(a.count(&sql, v).await, 0, "the merged contact is gone");
    let res = a
        .post(
            "/api/v1/contacts/merge",
            json!({"survivor_id": survivor, "merged_id": merged}),
        )
        .await;
    assert_eq!(res.status(), 404);
}
