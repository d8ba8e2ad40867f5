//! Custom fields: definitions, values of every type, required fields, unknown keys, and the
//! expression index of a filterable field.

use super::{fields_of, messages_of, refused, signed_in};
use crate::privacy::{Browser, query};
use rapport_domain::Role;
use rapport_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

async fn define(b: &Browser, t: &TestApp, body: Value) -> Value {
    b.api_ok(t, Method::POST, "/custom-fields", Some(body))
        .await
}

/// Whether the database has an index named `name`.
async fn has_index(t: &TestApp, name: &str) -> bool {
    let pg = t.db.db.db_backend() == sea_orm::DbBackend::Postgres;
    let sql = if pg {
        "SELECT indexname FROM pg_indexes WHERE indexname = $1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name = $1"
    };
    !query(t, sql, vec![name.into()]).await.is_empty()
}

#[tokio::test]
async fn every_field_type_validates_and_stores_its_shape() {
    let (t, _owner, b) = signed_in().await;
    let fields = [
        json!({ "object_type": "contact", "label": "Nickname", "field_type": "text" }),
        json!({ "object_type": "contact", "label": "Score", "field_type": "number" }),
        json!({ "object_type": "contact", "label": "Budget", "field_type": "currency", "currency": "EUR" }),
        json!({ "object_type": "contact", "label": "Birthday", "field_type": "date" }),
        json!({ "object_type": "contact", "label": "Industry", "field_type": "select",
                "options": [{ "label": "SaaS" }, { "value": "retail", "label": "Retail" }] }),
        json!({ "object_type": "contact", "label": "Interests", "field_type": "multi_select",
                "options": [{ "label": "Golf" }, { "label": "Chess" }] }),
        json!({ "object_type": "contact", "label": "Newsletter", "field_type": "boolean" }),
        json!({ "object_type": "contact", "label": "Website", "field_type": "url" }),
        json!({ "object_type": "contact", "label": "Assistant email", "field_type": "email" }),
        json!({ "object_type": "contact", "label": "Fax", "key": "fax_number", "field_type": "phone" }),
    ];
    for f in fields {
        define(&b, &t, f).await;
    }
    let list = b
        .api_ok(&t, Method::GET, "/custom-fields?object_type=contact", None)
        .await;
    let keys: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "nickname",
            "score",
            "budget",
            "birthday",
            "industry",
            "interests",
            "newsletter",
            "website",
            "assistant_email",
            "fax_number"
        ]
    );
    assert_eq!(
        list["items"][4]["options"][0],
        json!({ "value": "saas", "label": "SaaS" })
    );

    let good = json!({
        "nickname": "Annie", "score": 42, "budget": "10,000.50", "birthday": "1990-02-28",
        "industry": "Retail", "interests": ["golf", "Chess"], "newsletter": true,
        "website": "https://ann.example", "assistant_email": "Pa@Example.org", "fax_number": "+49 30 1234567",
    });
    let c = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Ann", "custom": good })),
        )
        .await;
    assert_eq!(
        c["custom"],
        json!({
            "nickname": "Annie", "score": 42, "budget": 1_000_050, "birthday": "1990-02-28",
            "industry": "retail", "interests": ["golf", "chess"], "newsletter": true,
            "website": "https://ann.example", "assistant_email": "pa@example.org", "fax_number": "+49301234567",
        })
    );
    let id = c["id"].as_str().unwrap();

    let bad = json!({
        "nickname": 5, "score": "many", "budget": "1.234", "birthday": "1990-02-30",
        "industry": "Mining", "interests": ["golf", "polo"], "newsletter": "maybe",
        "website": "javascript:alert(1)", "assistant_email": "nope", "fax_number": "12",
    });
    let p = refused(
        &b,
        &t,
        Method::PATCH,
        &format!("/contacts/{id}"),
        json!({ "custom": bad }),
        422,
        "validation_failed",
    )
    .await;
    let mut got = fields_of(&p);
    got.sort();
    let mut want: Vec<String> = bad
        .as_object()
        .unwrap()
        .keys()
        .map(|k| format!("custom.{k}"))
        .collect();
    want.sort();
    assert_eq!(got, want, "{}", messages_of(&p));
    let after = b
        .api_ok(&t, Method::GET, &format!("/contacts/{id}"), None)
        .await;
    assert_eq!(after["custom"], c["custom"], "nothing stored changed");

    // null clears one value and leaves the others.
    let p = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/contacts/{id}"),
            Some(json!({ "custom": { "nickname": null } })),
        )
        .await;
    assert!(p["custom"].get("nickname").is_none());
    assert_eq!(p["custom"]["score"], 42);
}

#[tokio::test]
async fn unknown_and_required_fields_are_refused() {
    let (t, _owner, b) = signed_in().await;
    define(
        &b,
        &t,
        json!({ "object_type": "company", "label": "Tier", "field_type": "select", "required": true,
        "options": [{ "label": "Gold" }, { "label": "Silver" }] }),
    )
    .await;
    let p = refused(
        &b,
        &t,
        Method::POST,
        "/companies",
        json!({ "name": "Acme", "custom": { "color": "red" } }),
        422,
        "validation_failed",
    )
    .await;
    let text = messages_of(&p);
    assert!(text.contains("unknown custom field `color`"), "{text}");
    assert!(text.contains("Tier is required"), "{text}");
    // A company field is no contact field.
    let p = refused(
        &b,
        &t,
        Method::POST,
        "/contacts",
        json!({ "first_name": "A", "custom": { "tier": "gold" } }),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields_of(&p), ["custom.tier"]);
    let c = b
        .api_ok(
            &t,
            Method::POST,
            "/companies",
            Some(json!({ "name": "Acme", "custom": { "tier": "Gold" } })),
        )
        .await;
    assert_eq!(c["custom"]["tier"], "gold");
    // Clearing a required field is refused; other changes leave it alone.
    let id = c["id"].as_str().unwrap();
    refused(
        &b,
        &t,
        Method::PATCH,
        &format!("/companies/{id}"),
        json!({ "custom": { "tier": null } }),
        422,
        "validation_failed",
    )
    .await;
    b.api_ok(
        &t,
        Method::PATCH,
        &format!("/companies/{id}"),
        Some(json!({ "name": "Acme 2" })),
    )
    .await;
}

#[tokio::test]
async fn definitions_are_validated_and_need_settings_manage() {
    let (t, owner, b) = signed_in().await;
    for (body, field) in [
        (
            json!({ "object_type": "ticket", "label": "X", "field_type": "text" }),
            "object_type",
        ),
        (
            json!({ "object_type": "contact", "label": "X", "field_type": "colour" }),
            "field_type",
        ),
        (
            json!({ "object_type": "contact", "label": "X", "field_type": "select" }),
            "options",
        ),
        (
            json!({ "object_type": "contact", "label": "X", "field_type": "currency" }),
            "currency",
        ),
        (
            json!({ "object_type": "contact", "label": "X", "key": "Bad Key", "field_type": "text" }),
            "key",
        ),
        (
            json!({ "object_type": "contact", "label": " ", "field_type": "text" }),
            "label",
        ),
    ] {
        let p = refused(
            &b,
            &t,
            Method::POST,
            "/custom-fields",
            body,
            422,
            "validation_failed",
        )
        .await;
        assert!(fields_of(&p).contains(&field.to_owned()), "{field}: {p}");
    }
    define(
        &b,
        &t,
        json!({ "object_type": "contact", "label": "Region", "field_type": "text" }),
    )
    .await;
    refused(
        &b,
        &t,
        Method::POST,
        "/custom-fields",
        json!({ "object_type": "contact", "label": "region", "field_type": "text" }),
        409,
        "conflict",
    )
    .await;
    // The same key on another record type is fine.
    define(
        &b,
        &t,
        json!({ "object_type": "company", "label": "Region", "field_type": "text" }),
    )
    .await;

    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let a = Browser::sign_in(&t, &agent).await;
    let res = a
        .api(
            &t,
            Method::POST,
            "/custom-fields",
            Some(json!({ "object_type": "contact", "label": "Y", "field_type": "text" })),
        )
        .await;
    assert_eq!(res.status(), 403);
    // Agents read the definitions their forms need.
    let list = a.api_ok(&t, Method::GET, "/custom-fields", None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

/// The status of a contacts list filtered on `custom.segment`.
async fn filter_status(b: &Browser, t: &TestApp) -> u16 {
    let path = "/contacts?filter=custom.segment%20%3D%20smb";
    b.api(t, Method::GET, path, None).await.status().as_u16()
}

#[tokio::test]
async fn a_filterable_field_has_an_index_and_a_deleted_field_leaves_no_values() {
    let (t, _owner, b) = signed_in().await;
    // Lists know a field from the moment it exists until the moment it is deleted (the
    // definitions lists compile filters against are cached per process).
    assert_eq!(filter_status(&b, &t).await, 422, "no such field yet");
    let f = define(&b, &t, json!({ "object_type": "contact", "label": "Segment", "field_type": "text", "filterable": true })).await;
    assert!(has_index(&t, "ix_contacts_cf_segment").await);
    // A number field's index (PostgreSQL names the numeric expression's index apart).
    let rank_index = if t.db.db.db_backend() == sea_orm::DbBackend::Postgres {
        "ix_contacts_cf_rank_num"
    } else {
        "ix_contacts_cf_rank"
    };
    let n = define(
        &b,
        &t,
        json!({ "object_type": "contact", "label": "Rank", "field_type": "number" }),
    )
    .await;
    assert!(!has_index(&t, rank_index).await, "not filterable, no index");
    let id = n["id"].as_str().unwrap();
    let n = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/custom-fields/{id}"),
            Some(json!({ "filterable": true, "label": "Rank (1-10)" })),
        )
        .await;
    assert_eq!(n["label"], "Rank (1-10)");
    assert_eq!(filter_status(&b, &t).await, 200, "filterable at once");
    assert_eq!(n["key"], "rank", "the key stays");
    assert!(has_index(&t, rank_index).await);
    b.api_ok(
        &t,
        Method::PATCH,
        &format!("/custom-fields/{id}"),
        Some(json!({ "filterable": false })),
    )
    .await;
    assert!(!has_index(&t, rank_index).await, "un-marked: index dropped");

    let c = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Sam", "custom": { "segment": "smb", "rank": 3 } })),
        )
        .await;
    let fid = f["id"].as_str().unwrap();
    let res = b
        .api(&t, Method::DELETE, &format!("/custom-fields/{fid}"), None)
        .await;
    assert_eq!(res.status(), 204);
    assert!(!has_index(&t, "ix_contacts_cf_segment").await);
    assert_eq!(filter_status(&b, &t).await, 422, "unknown once deleted");
    let after = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/contacts/{}", c["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        after["custom"],
        json!({ "rank": 3 }),
        "the deleted field's value is gone"
    );
    let res = b
        .api(
            &t,
            Method::PATCH,
            &format!("/custom-fields/{fid}"),
            Some(json!({ "label": "x" })),
        )
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn two_orgs_may_filter_a_key_of_different_types_each_on_its_own_index() {
    let (t, _owner, a) = signed_in().await;
    let other = t.create_org_with("Other Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &other).await;
    let text = define(&a, &t, json!({ "object_type": "contact", "label": "Score", "field_type": "text", "filterable": true })).await;
    let number = define(&b, &t, json!({ "object_type": "contact", "label": "Score", "field_type": "number", "filterable": true })).await;
    let pg = t.db.db.db_backend() == sea_orm::DbBackend::Postgres;
    // PostgreSQL compares text and numbers through different expressions: one index each.
    // SQLite's one expression serves both, so one index serves both orgs.
    let numeric_index = if pg {
        "ix_contacts_cf_score_num"
    } else {
        "ix_contacts_cf_score"
    };
    assert!(has_index(&t, "ix_contacts_cf_score").await);
    assert!(has_index(&t, numeric_index).await);
    for (browser, filter) in [
        (&a, "custom.score%20%3D%20high"),
        (&b, "custom.score%20%3E%203"),
    ] {
        let path = format!("/contacts?filter={filter}");
        assert_eq!(
            browser.api(&t, Method::GET, &path, None).await.status(),
            200
        );
    }

    let id = text["id"].as_str().unwrap();
    let res = a
        .api(&t, Method::DELETE, &format!("/custom-fields/{id}"), None)
        .await;
    assert_eq!(res.status(), 204);
    assert!(
        has_index(&t, numeric_index).await,
        "the other org's field keeps its index"
    );
    assert_eq!(has_index(&t, "ix_contacts_cf_score").await, !pg);
    let id = number["id"].as_str().unwrap();
    let res = b
        .api(&t, Method::DELETE, &format!("/custom-fields/{id}"), None)
        .await;
    assert_eq!(res.status(), 204);
    assert!(!has_index(&t, "ix_contacts_cf_score").await);
    assert!(!has_index(&t, numeric_index).await);
}
