//! The deals and pipelines API: defaults, CRUD, exact amounts, refusals that change nothing.

use super::{
    count, deal, owner, pipelines, sales, seed_company, seed_contact, seed_deal_field, stage,
};
use crate::privacy::Browser;
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_new_org_gets_one_default_pipeline_even_when_asked_concurrently() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Default Pipeline Org").await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (client, csrf, url) = (b.client.clone(), b.csrf.clone(), t.url("/api/v1/pipelines"));
        tasks.push(tokio::spawn(async move {
            client
                .get(url)
                .header("x-csrf-token", csrf)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let all = pipelines(&t, &b).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["name"], "Sales");
    let stages: Vec<(String, i64, String)> = all[0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["probability"].as_i64().unwrap(),
                s["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, i64, String)> = [
        ("Qualification", 10, "open"),
        ("Needs analysis", 25, "open"),
        ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"),
        ("Won", 100, "won"),
        ("Lost", 0, "lost"),
    ]
    .iter()
    .map(|(n, p, k)| ((*n).to_owned(), *p, (*k).to_owned()))
    .collect();
    assert_eq!(stages, want);
    assert_eq!(super::count(&t, "pipeline_stages", org).await, 6);
}

#[tokio::test]
async fn deals_are_created_read_changed_and_deleted_with_exact_amounts() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Deal Crud Org").await;
    let (pipeline, stages) = sales(&t, &b).await;
    let company = seed_company(&t, org, "Acme Rockets").await;
    let ada = seed_contact(&t, org, "Ada", "Lovelace").await;
    let bob = seed_contact(&t, org, "Bob", "Builder").await;
    seed_deal_field(&t, org, "budget_code", "text", json!([])).await;
    seed_deal_field(
        &t,
        org,
        "segment",
        "select",
        json!([{ "value": "smb", "label": "SMB" }, { "value": "ent", "label": "Enterprise" }]),
    )
    .await;

    let created = deal(
        &t,
        &b,
        json!({
            "title": "Rocket fuel, annual", "amount_minor": 1_250_050, "currency": "eur",
            "expected_close_on": "2027-03-31", "company_id": company,
            "contact_ids": [ada, bob], "custom": { "budget_code": "RF-7", "segment": "Enterprise" },
        }),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["pipeline_id"], pipeline);
    assert_eq!(created["stage_id"], stage(&stages, "Qualification"));
    assert_eq!(created["stage"], "Qualification");
    assert_eq!(created["amount_minor"], 1_250_050);
    assert_eq!(created["currency"], "EUR");
    assert_eq!(created["amount"], "12500.50");
    assert_eq!(created["status"], "open");
    assert_eq!(
        created["custom"],
        json!({ "budget_code": "RF-7", "segment": "ent" })
    );
    assert_eq!(created["company"]["name"], "Acme Rockets");

    let got = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/deals/{id}?include=contacts,company,history"),
            None,
        )
        .await;
    let names: Vec<&str> = got["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada Lovelace", "Bob Builder"]);
    assert_eq!(got["history"].as_array().unwrap().len(), 1);
    assert!(got["history"][0]["from_stage_id"].is_null());
    let plain = b
        .api_ok(&t, Method::GET, &format!("/deals/{id}"), None)
        .await;
    assert!(plain.get("contacts").is_none() && plain.get("history").is_none());

    // A yen amount has no minor digits.
    let patched = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/deals/{id}"),
            Some(json!({ "title": "Rocket fuel", "amount_minor": 1500, "currency": "JPY",
                         "contact_ids": [ada], "company_id": null, "custom": { "budget_code": null } })),
        )
        .await;
    assert_eq!(patched["title"], "Rocket fuel");
    assert_eq!(patched["amount"], "1500");
    assert_eq!(patched["contact_ids"], json!([ada]));
    assert!(patched["company_id"].is_null());
    assert_eq!(patched["custom"], json!({ "segment": "ent" }));
    assert_eq!(
        patched["expected_close_on"], "2027-03-31",
        "untouched fields stay"
    );

    let changes = crate::privacy::query(
        &t,
        "SELECT data FROM activities WHERE org_id = $1 AND kind = 'field.changed'",
        vec![org.as_uuid().into()],
    )
    .await;
    let fields: Vec<String> = changes
        .iter()
        .map(|r| {
            r.try_get::<Value>("", "data").unwrap()["field"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for f in [
        "title",
        "amount_minor",
        "currency",
        "company_id",
        "contacts",
        "custom",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
    }

    let res = b
        .api(&t, Method::DELETE, &format!("/deals/{id}"), None)
        .await;
    assert_eq!(res.status(), 204);
    let res = b.api(&t, Method::GET, &format!("/deals/{id}"), None).await;
    assert_eq!(res.status(), 404);
    assert_eq!(count(&t, "deal_stage_history", org).await, 0);
    assert_eq!(count(&t, "deal_contacts", org).await, 0);
}

/// Posts `body` and expects a 422 naming `field`.
async fn refused(
    t: &rapport_testkit::TestApp,
    b: &Browser,
    method: Method,
    path: &str,
    body: Value,
    field: &str,
) {
    let res = b.api(t, method.clone(), path, Some(body.clone())).await;
    let status = res.status().as_u16();
    let problem: Value = res.json().await.unwrap();
    assert_eq!(status, 422, "{method} {path} {body}: {problem}");
    assert_eq!(problem["code"], "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&field),
        "{body}: want {field}, got {fields:?}"
    );
}

#[tokio::test]
async fn bad_input_is_refused_by_field_and_changes_nothing() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Strict Org").await;
    let (_, stages) = sales(&t, &b).await;
    let other = b
        .api_ok(
            &t,
            Method::POST,
            "/pipelines",
            Some(json!({ "name": "Partners", "currency": "GBP" })),
        )
        .await;
    let other_stage = other["stages"][0]["id"].as_str().unwrap().to_owned();
    let (stranger, stranger_org) = owner(&t, "Stranger Org").await;
    let their_contact = seed_contact(&t, stranger_org, "Eve", "Elsewhere").await;
    let their_company = seed_company(&t, stranger_org, "Elsewhere Inc").await;
    let outsider = t.create_org_with("Outsider Org", Role::Owner).await;
    let _ = stranger;

    let existing = deal(
        &t,
        &b,
        json!({ "title": "Keep me", "amount_minor": 100, "currency": "USD" }),
    )
    .await;
    let id = existing["id"].as_str().unwrap().to_owned();
    let before = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/deals/{id}?include=contacts,history"),
            None,
        )
        .await;
    let deals_before = count(&t, "deals", org).await;

    let cases = [
        (json!({ "title": "x", "amount_minor": -1 }), "amount_minor"),
        (
            json!({ "title": "x", "amount_minor": 1_000_000_000_000_001_i64 }),
            "amount_minor",
        ),
        (json!({ "title": "x", "currency": "ABC" }), "currency"),
        (json!({ "title": "" }), "title"),
        (
            json!({ "title": "x", "expected_close_on": "2027-02-30" }),
            "expected_close_on",
        ),
        (
            json!({ "title": "x", "contact_ids": [their_contact] }),
            "contact_ids",
        ),
        (
            json!({ "title": "x", "company_id": their_company }),
            "company_id",
        ),
        (
            json!({ "title": "x", "owner_id": outsider.id.to_string() }),
            "owner_id",
        ),
        (
            json!({ "title": "x", "custom": { "nope": 1 } }),
            "custom.nope",
        ),
        (json!({ "title": "x", "amount_minor": "12" }), "body"),
    ];
    for (body, field) in &cases {
        refused(&t, &b, Method::POST, "/deals", body.clone(), field).await;
        if body["title"] != "" {
            refused(
                &t,
                &b,
                Method::PATCH,
                &format!("/deals/{id}"),
                body.clone(),
                field,
            )
            .await;
        }
    }
    // A stage of another pipeline than the one named.
    let (sales_id, _) = sales(&t, &b).await;
    refused(
        &t,
        &b,
        Method::POST,
        "/deals",
        json!({ "title": "x", "pipeline_id": sales_id, "stage_id": other_stage }),
        "stage_id",
    )
    .await;
    // Moves to a stage that is not the org's, or next to a deal of another stage.
    let (_, their_stages) = sales(&t, &stranger_b(&t, stranger_org).await).await;
    refused(
        &t,
        &b,
        Method::POST,
        &format!("/deals/{id}/move"),
        json!({ "stage_id": their_stages[1].1 }),
        "stage_id",
    )
    .await;
    refused(
        &t,
        &b,
        Method::POST,
        &format!("/deals/{id}/move"),
        json!({ "stage_id": stage(&stages, "Proposal"), "before_id": id }),
        "before_id",
    )
    .await;
    let res = b
        .api(
            &t,
            Method::GET,
            &format!("/deals/{id}?include=everything"),
            None,
        )
        .await;
    assert_eq!(res.status(), 422);

    assert_eq!(
        count(&t, "deals", org).await,
        deals_before,
        "no deal was created"
    );
    let after = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/deals/{id}?include=contacts,history"),
            None,
        )
        .await;
    assert_eq!(before, after, "the deal is exactly as it was");
    let changes = crate::privacy::query(
        &t,
        "SELECT COUNT(*) AS n FROM activities WHERE org_id = $1 AND kind = 'field.changed'",
        vec![org.as_uuid().into()],
    )
    .await;
    assert_eq!(changes[0].try_get::<i64>("", "n").unwrap(), 0);
}

async fn stranger_b(t: &rapport_testkit::TestApp, org: rapport_domain::OrgId) -> Browser {
    let user = t.add_member(org, Role::Admin).await;
    Browser::sign_in(t, &user).await
}

#[tokio::test]
async fn pipelines_and_stages_are_shaped_by_settings_managers_only() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Shape Org").await;
    let created = b
        .api_ok(
            &t,
            Method::POST,
            "/pipelines",
            Some(json!({ "name": "Renewals", "currency": "EUR",
                         "stages": [{ "name": "Due" }, { "name": "Renewed", "probability": 100, "kind": "won" }] })),
        )
        .await;
    let pid = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["currency"], "EUR");
    assert_eq!(created["stages"].as_array().unwrap().len(), 2);
    let res = b
        .api(
            &t,
            Method::POST,
            "/pipelines",
            Some(json!({ "name": "Renewals" })),
        )
        .await;
    assert_eq!(res.status(), 409, "names are unique");

    let p = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/pipelines/{pid}/stages"),
            Some(json!({ "name": "Quote", "probability": 40, "position": 1 })),
        )
        .await;
    let names: Vec<&str> = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Due", "Quote", "Renewed"]);
    let quote = p["stages"][1]["id"].as_str().unwrap().to_owned();
    let p = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/pipelines/{pid}/stages/{quote}"),
            Some(json!({ "name": "Quote sent", "probability": 60, "position": 0 })),
        )
        .await;
    assert_eq!(p["stages"][0]["name"], "Quote sent");
    assert_eq!(p["stages"][0]["probability"], 60);
    let positions: Vec<i64> = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [0, 1, 2]);
    let res = b
        .api(
            &t,
            Method::PATCH,
            &format!("/pipelines/{pid}/stages/{quote}"),
            Some(json!({ "probability": 101 })),
        )
        .await;
    assert_eq!(res.status(), 422);
    let p = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/pipelines/{pid}"),
            Some(json!({ "name": "Renewals 2027" })),
        )
        .await;
    assert_eq!(p["name"], "Renewals 2027");

    // Agents work deals but do not shape pipelines.
    let agent = t.add_member(org, Role::Agent).await;
    let ab = Browser::sign_in(&t, &agent).await;
    let res = ab
        .api(
            &t,
            Method::POST,
            "/pipelines",
            Some(json!({ "name": "Mine" })),
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = ab
        .api(&t, Method::DELETE, &format!("/pipelines/{pid}"), None)
        .await;
    assert_eq!(res.status(), 403);
    deal(
        &t,
        &ab,
        json!({ "title": "Agent deal", "pipeline_id": pid }),
    )
    .await;

    let res = b
        .api(&t, Method::DELETE, &format!("/pipelines/{pid}"), None)
        .await;
    assert_eq!(res.status(), 409, "a pipeline with deals stays");
    let audit = b
        .api_ok(&t, Method::GET, "/audit?action=pipeline.created", None)
        .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
}
