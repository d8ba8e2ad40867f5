//! The deal pages as members see them: the board with totals, the form, the deal page and its
//! move buttons, pipeline settings, and another org's deals.

use super::{deal, owner, sales, seed_company, seed_deal_field, stage};
use crate::privacy::Browser;
use rapport_domain::Role;
use rapport_testkit::{hidden_value, spawn_app};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_board_shows_columns_cards_and_totals_in_the_members_currency() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Board Org").await;
    let (_, stages) = sales(&t, &b).await;
    let company = seed_company(&t, org, "Initech").await;
    deal(&t, &b, json!({ "title": "TPS reports", "amount_minor": 1_250_000, "company_id": company,
                          "stage_id": stage(&stages, "Proposal"), "expected_close_on": "2027-01-15" })).await;
    deal(&t, &b, json!({ "title": "Stapler upgrade", "amount_minor": 50_050, "stage_id": stage(&stages, "Proposal") })).await;
    deal(
        &t,
        &b,
        json!({ "title": "Euro deal", "amount_minor": 300_000, "currency": "EUR" }),
    )
    .await;

    let (status, page) = b.get(&t, "/deals").await;
    assert_eq!(status, 200);
    for text in [
        "Qualification",
        "Needs analysis",
        "Negotiation",
        "Won",
        "Lost",
        "TPS reports",
        "Initech",
        "Jan 15, 2027",
        "$12,500",
        "$500.50",
    ] {
        assert!(page.contains(text), "board shows {text}");
    }
    // Proposal: $13,000.50 in total, weighted at 50 %.
    assert!(page.contains("$13,000.50"), "column total");
    assert!(page.contains("$6,500.25"), "weighted column total");
    assert!(page.contains("€3,000"), "other currencies are summed apart");
    assert!(page.contains("€300"), "weighted at 10 %");
    assert!(page.contains("id=\"dl-live\""), "moves are announced");
    assert!(page.contains("/static/deals.js"));

    let (_, filtered) = b.get(&t, "/deals?q=stapler&status=open&owner=me").await;
    assert!(filtered.contains("Stapler upgrade") && !filtered.contains("TPS reports"));
    let (_, none) = b.get(&t, "/deals?status=won").await;
    assert!(!none.contains("Stapler upgrade"));
}

#[tokio::test]
async fn deals_are_created_edited_and_moved_through_the_pages() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Form Org").await;
    let (_, stages) = sales(&t, &b).await;
    let company = seed_company(&t, org, "Hooli").await;
    seed_deal_field(&t, org, "po_number", "text", json!([])).await;

    let (status, form) = b.get(&t, &format!("/deals/new?company={company}")).await;
    assert!(
        form.contains("name=\"custom.po_number\""),
        "custom fields are in the form"
    );
    assert_eq!(status, 200);
    assert!(
        form.contains(&format!(
            "<option value=\"{company}\" selected>Hooli</option>"
        )),
        "prefilled company"
    );

    // Refused input comes back with the message and the typed values.
    let res = b
        .form(
            &t,
            "/deals",
            &[
                ("title", "Nucleus"),
                ("stage_id", &stage(&stages, "Qualification")),
                ("amount", "12.345"),
                ("currency", "USD"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("too many decimal places"), "{text}");
    assert!(text.contains("value=\"Nucleus\""));
    let res = b
        .form(
            &t,
            "/deals",
            &[
                ("title", "Nucleus"),
                ("stage_id", &stage(&stages, "Qualification")),
                ("custom.nope", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text().await.unwrap().contains("custom.nope"),
        "the unknown field is named"
    );

    let res = b
        .form(
            &t,
            "/deals",
            &[
                ("title", "Nucleus"),
                ("stage_id", &stage(&stages, "Qualification")),
                ("amount", "25,000.50"),
                ("currency", "usd"),
                ("company_id", &company),
                ("expected_close_on", "2027-06-30"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = b.get(&t, &location).await;
    for text in [
        "Nucleus",
        "$25,000.50",
        "Hooli",
        "Qualification",
        "Jun 30, 2027",
        "Created in Qualification",
        "{# timeline: crm_work #}",
    ] {
        if text.starts_with("{#") {
            assert!(!page.contains(text), "template comments are not rendered");
        } else {
            assert!(page.contains(text), "deal page shows {text}");
        }
    }
    let id = location.trim_start_matches("/deals/").to_owned();

    // The progress bar moves it; "Mark as lost" takes a reason; reopening clears it.
    let res = b
        .form(
            &t,
            &format!("/deals/{id}/move"),
            &[("stage_id", &stage(&stages, "Negotiation"))],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .form(
            &t,
            &format!("/deals/{id}/move"),
            &[
                ("stage_id", &stage(&stages, "Lost")),
                ("lost_reason", "Budget cut"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.get(&t, &format!("/deals/{id}")).await;
    assert!(page.contains("Budget cut") && page.contains("Reopen"));
    assert!(page.contains("moved it from Negotiation to Lost"));
    let res = b
        .form(
            &t,
            &format!("/deals/{id}/move"),
            &[
                ("stage_id", &stage(&stages, "Proposal")),
                ("return_to", "board"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/deals?pipeline=")
    );
    let got = b
        .api_ok(&t, Method::GET, &format!("/deals/{id}"), None)
        .await;
    assert_eq!(got["status"], "open");

    // Edit.
    let (_, edit) = b.get(&t, &format!("/deals/{id}/edit")).await;
    assert_eq!(hidden_value(&edit, "amount").as_deref(), None);
    assert!(edit.contains("value=\"25000.50\""));
    let res = b
        .form(
            &t,
            &format!("/deals/{id}"),
            &[
                ("title", "Nucleus 2"),
                ("amount", "30000"),
                ("currency", "USD"),
                ("company_id", ""),
                ("expected_close_on", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let got = b
        .api_ok(&t, Method::GET, &format!("/deals/{id}"), None)
        .await;
    assert_eq!(got["title"], "Nucleus 2");
    assert_eq!(got["amount_minor"], 3_000_000);
    assert!(got["company_id"].is_null());
    assert_eq!(got["stage"], "Proposal", "editing keeps the stage");

    let res = b.form(&t, &format!("/deals/{id}/delete"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(b.get(&t, &format!("/deals/{id}")).await.0, 404);
}

#[tokio::test]
async fn pipeline_settings_add_reorder_and_delete_stages() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Settings Org").await;
    let (pid, stages) = sales(&t, &b).await;
    let (status, page) = b.get(&t, "/admin/pipelines").await;
    assert_eq!(status, 200);
    assert!(page.contains("Needs analysis") && page.contains("Add stage"));

    let res = b
        .form(
            &t,
            &format!("/admin/pipelines/{pid}/stages"),
            &[("name", "Demo"), ("probability", "35"), ("kind", "open")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .form(
            &t,
            &format!("/admin/pipelines/{pid}/stages"),
            &[("name", "Broken"), ("probability", "150")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("0 to 100"));
    let (_, s) = sales(&t, &b).await;
    let demo = stage(&s, "Demo");
    let res = b
        .form(
            &t,
            &format!("/admin/pipelines/{pid}/stages/{demo}"),
            &[("position", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, s) = sales(&t, &b).await;
    assert_eq!(s[1].0, "Demo");

    deal(&t, &b, json!({ "title": "In demo", "stage_id": demo })).await;
    let res = b
        .form(
            &t,
            &format!("/admin/pipelines/{pid}/stages/{demo}/delete"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 422, "a stage with deals needs a destination");
    let res = b
        .form(
            &t,
            &format!("/admin/pipelines/{pid}/stages/{demo}/delete"),
            &[("move_deals_to", &stage(&stages, "Proposal"))],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.get(&t, "/admin/pipelines").await;
    assert!(!page.contains(">Demo<") && !page.contains("value=\"Demo\""));

    let res = b
        .form(
            &t,
            "/admin/pipelines",
            &[("name", "Upsell"), ("currency", "EUR")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.get(&t, "/admin/pipelines").await;
    assert!(page.contains("Upsell"));

    // Agents may not open the settings page.
    let agent = t.add_member(org, Role::Agent).await;
    let ab = Browser::sign_in(&t, &agent).await;
    assert_eq!(ab.get(&t, "/admin/pipelines").await.0, 403);
    let (_, board) = ab.get(&t, "/deals").await;
    assert!(
        !board.contains("/admin/pipelines\""),
        "no settings link for agents"
    );
}

#[tokio::test]
async fn another_orgs_deals_pipelines_and_stages_are_not_found() {
    let t = spawn_app().await;
    let (a, a_org) = owner(&t, "Org Alpha").await;
    let (pid, stages) = sales(&t, &a).await;
    let company = seed_company(&t, a_org, "Alpha Secret Co").await;
    let d = deal(
        &t,
        &a,
        json!({ "title": "Alpha secret deal", "company_id": company }),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_owned();
    let (b, _) = owner(&t, "Org Beta").await;
    let (_, b_stages) = sales(&t, &b).await;
    let q = stage(&stages, "Proposal");

    for (method, path, body) in [
        (Method::GET, format!("/deals/{id}"), None),
        (
            Method::PATCH,
            format!("/deals/{id}"),
            Some(json!({ "title": "mine" })),
        ),
        (Method::DELETE, format!("/deals/{id}"), None),
        (
            Method::POST,
            format!("/deals/{id}/move"),
            Some(json!({ "stage_id": b_stages[1].1 })),
        ),
        (Method::GET, format!("/deals/{id}/history"), None),
        (Method::GET, format!("/pipelines/{pid}"), None),
        (
            Method::PATCH,
            format!("/pipelines/{pid}"),
            Some(json!({ "name": "mine" })),
        ),
        (Method::DELETE, format!("/pipelines/{pid}/stages/{q}"), None),
        (
            Method::PATCH,
            format!("/pipelines/{pid}/stages/{q}"),
            Some(json!({ "name": "mine" })),
        ),
        (
            Method::POST,
            format!("/pipelines/{pid}/stages"),
            Some(json!({ "name": "mine" })),
        ),
    ] {
        let res = b.api(&t, method.clone(), &path, body).await;
        assert_eq!(res.status(), 404, "{method} {path}");
    }
    let res = b
        .api(
            &t,
            Method::POST,
            "/deals",
            Some(json!({ "title": "x", "stage_id": q })),
        )
        .await;
    assert_eq!(res.status(), 422, "A's stage is not B's");
    let res = b
        .api(
            &t,
            Method::POST,
            "/deals",
            Some(json!({ "title": "x", "company_id": company })),
        )
        .await;
    assert_eq!(res.status(), 422, "A's company is not B's");
    for path in [format!("/deals/{id}"), format!("/deals/{id}/edit")] {
        let (status, page) = b.get(&t, &path).await;
        assert_eq!(status, 404);
        assert!(!page.contains("Alpha secret"));
    }
    let (_, board) = b.get(&t, &format!("/deals?pipeline={pid}")).await;
    assert!(
        !board.contains("Alpha secret"),
        "B's board falls back to B's pipeline"
    );
    let got = a
        .api_ok(&t, Method::GET, &format!("/deals/{id}"), None)
        .await;
    assert_eq!(got["title"], "Alpha secret deal");
    assert_eq!(got["stage"], "Qualification");
}

#[tokio::test]
async fn contact_and_company_pages_list_their_deals() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Panel Org").await;
    let company = seed_company(&t, org, "Initech").await;
    let contact = super::seed_contact(&t, org, "Peter", "Gibbons").await;
    deal(
        &t,
        &b,
        json!({ "title": "TPS reports", "amount_minor": 1_250_000, "company_id": company,
                "contact_ids": [contact] }),
    )
    .await;
    for path in [
        format!("/contacts/{contact}"),
        format!("/companies/{company}"),
    ] {
        let (status, page) = b.get(&t, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            page.contains("TPS reports") && page.contains("$12,500"),
            "{path}: {page}"
        );
    }
    // A viewer of another org sees nothing of it.
    let (other, _) = owner(&t, "Other Org").await;
    let (status, _) = other.get(&t, &format!("/contacts/{contact}")).await;
    assert_eq!(status, 404);
}
