//! Contacts and companies over the API.

use super::{fields_of, messages_of, refused, signed_in};
use crate::privacy::{Browser, query};
use rapport_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn contacts_are_created_normalized_read_patched_and_deleted() {
    let (t, owner, b) = signed_in().await;
    // Phones without a country code need the org's default country.
    let res = b
        .form(
            &t,
            "/admin/settings",
            &[("name", "Records Org"), ("default_country", "us")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let c = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({
                "first_name": " Ann ", "last_name": "Lee", "title": "CTO",
                "emails": ["Ann.Lee@Example.ORG", "ann@home.example"],
                "phones": [{ "number": "(415) 555-0132", "label": "mobile" }, { "number": "+49 30 1234567" }],
                "identities": [{ "channel": "whatsapp", "identifier": "+14155550132" }],
                "tags": ["vip", "Beta", "vip"],
                "social": { "linkedin": "https://linkedin.com/in/annlee" },
                "lifecycle_stage": "MQL",
                "owner_id": owner.id,
                "consent_marketing": true,
            })),
        )
        .await;
    assert_eq!(c["display_name"], "Ann Lee");
    assert_eq!(c["first_name"], "Ann");
    assert_eq!(c["primary_email"], "ann.lee@example.org");
    assert_eq!(
        c["emails"],
        json!([{ "email": "ann.lee@example.org", "primary": true }, { "email": "ann@home.example", "primary": false }])
    );
    assert_eq!(c["primary_phone"], "+14155550132");
    assert_eq!(c["phones"][0]["raw"], "(415) 555-0132");
    assert_eq!(c["phones"][0]["label"], "mobile");
    assert_eq!(c["phones"][1]["e164"], "+49301234567");
    assert_eq!(c["tags"], json!(["Beta", "vip"]));
    assert_eq!(c["lifecycle_stage"], "marketing_qualified");
    assert_eq!(c["owner_id"], owner.id.to_string());
    assert_eq!(c["consent_marketing"], true);
    assert_eq!(c["consent_ai"], true);
    assert_eq!(c["identities"][0]["channel"], "whatsapp");
    let id = c["id"].as_str().unwrap().to_owned();

    let got = b
        .api_ok(&t, Method::GET, &format!("/contacts/{id}"), None)
        .await;
    assert_eq!(got, c, "what was created is what is read");

    // PATCH: only what is sent changes; null clears.
    let p = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/contacts/{id}"),
            Some(json!({ "title": null, "lifecycle_stage": "customer", "emails": ["ann@home.example"] })),
        )
        .await;
    assert_eq!(p["title"], Value::Null);
    assert_eq!(p["lifecycle_stage"], "customer");
    assert_eq!(p["primary_email"], "ann@home.example");
    assert_eq!(p["last_name"], "Lee");
    assert_eq!(p["tags"], json!(["Beta", "vip"]));
    assert_eq!(p["phones"], c["phones"]);

    // Without a name, lists show the primary email.
    let anon = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "emails": ["Solo@Example.net"] })),
        )
        .await;
    assert_eq!(anon["display_name"], "solo@example.net");

    // The timeline got one entry per changed field.
    let rows = query(
        &t,
        "SELECT kind, data FROM activities WHERE record_id = $1 ORDER BY occurred_at, id",
        vec![uuid::Uuid::parse_str(&id).unwrap().into()],
    )
    .await;
    let kinds: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "kind").unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "contact.created").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "field.changed").count(),
        3,
        "{kinds:?}"
    );
    let stage_change = rows
        .iter()
        .map(|r| r.try_get::<Value>("", "data").unwrap())
        .find(|d| d["field"] == "lifecycle_stage")
        .unwrap();
    assert_eq!(
        stage_change,
        json!({ "field": "lifecycle_stage", "old": "marketing_qualified", "new": "customer" })
    );

    // Delete removes the contact, its children and its timeline.
    let res = b
        .api(&t, Method::DELETE, &format!("/contacts/{id}"), None)
        .await;
    assert_eq!(res.status(), 204);
    let res = b
        .api(&t, Method::GET, &format!("/contacts/{id}"), None)
        .await;
    assert_eq!(res.status(), 404);
    let uid: sea_orm::Value = uuid::Uuid::parse_str(&id).unwrap().into();
    for table in [
        "contact_emails",
        "contact_phones",
        "contact_identities",
        "contact_tags",
        "activities",
    ] {
        let col = if table == "activities" {
            "record_id"
        } else {
            "contact_id"
        };
        let left = query(
            &t,
            &format!("SELECT 1 FROM {table} WHERE {col} = $1"),
            vec![uid.clone()],
        )
        .await;
        assert!(
            left.is_empty(),
            "{table} still has rows of the deleted contact"
        );
    }
    // The email is free again.
    b.api_ok(
        &t,
        Method::POST,
        "/contacts",
        Some(json!({ "emails": ["ann@home.example"] })),
    )
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_changes_nothing() {
    let (t, _owner, b) = signed_in().await;
    let c = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Bo", "emails": ["bo@example.org"] })),
        )
        .await;
    let id = c["id"].as_str().unwrap();
    let p = refused(
        &b,
        &t,
        Method::PATCH,
        &format!("/contacts/{id}"),
        json!({
            "first_name": "Changed",
            "emails": ["not-an-email"],
            "phones": [{ "number": "(415) 555-0132" }],
            "lifecycle_stage": "vip",
            "custom": { "nope": 1 },
        }),
        422,
        "validation_failed",
    )
    .await;
    let fields = fields_of(&p);
    for f in ["emails", "phones", "lifecycle_stage", "custom.nope"] {
        assert!(fields.contains(&f.to_owned()), "{f} missing in {fields:?}");
    }
    let text = messages_of(&p);
    assert!(text.contains("unknown custom field `nope`"), "{text}");
    assert!(text.contains("country code"), "no default country: {text}");
    let after = b
        .api_ok(&t, Method::GET, &format!("/contacts/{id}"), None)
        .await;
    assert_eq!(after, c, "nothing stored changed");

    // Nothing to name the contact by.
    let p = refused(
        &b,
        &t,
        Method::POST,
        "/contacts",
        json!({ "title": "CEO" }),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields_of(&p), ["first_name"]);
    // Unknown members and includes are refused too.
    refused(
        &b,
        &t,
        Method::POST,
        "/contacts",
        json!({ "first_name": "X", "nickname": "x" }),
        422,
        "validation_failed",
    )
    .await;
    let res = b
        .api(
            &t,
            Method::GET,
            &format!("/contacts/{id}?include=deals"),
            None,
        )
        .await;
    assert_eq!(res.status(), 422);
    // An owner who is not a member.
    let p = refused(
        &b,
        &t,
        Method::POST,
        "/contacts",
        json!({ "first_name": "X", "owner_id": uuid::Uuid::now_v7() }),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields_of(&p), ["owner_id"]);
}

#[tokio::test]
async fn an_email_belongs_to_one_contact() {
    let (t, _owner, b) = signed_in().await;
    let first = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Cy", "emails": ["cy@example.org"] })),
        )
        .await;
    let p = refused(
        &b,
        &t,
        Method::POST,
        "/contacts",
        json!({ "first_name": "Other", "emails": ["CY@example.org"] }),
        409,
        "conflict",
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("cy@example.org"),
        "{p}"
    );
    let other = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Di" })),
        )
        .await;
    refused(
        &b,
        &t,
        Method::PATCH,
        &format!("/contacts/{}", other["id"].as_str().unwrap()),
        json!({ "emails": ["cy@example.org"] }),
        409,
        "conflict",
    )
    .await;
    // Keeping one's own email is no conflict.
    b.api_ok(
        &t,
        Method::PATCH,
        &format!("/contacts/{}", first["id"].as_str().unwrap()),
        Some(json!({ "emails": ["cy@example.org", "cy2@example.org"] })),
    )
    .await;
}

#[tokio::test]
async fn contacts_link_to_the_company_of_their_work_domain_but_never_free_mail() {
    let (t, _owner, b) = signed_in().await;
    let acme = b
        .api_ok(
            &t,
            Method::POST,
            "/companies",
            Some(json!({ "name": "Acme Inc", "domains": ["https://www.Acme.com/about", "acme.io"], "country": "de", "industry": "Software" })),
        )
        .await;
    assert_eq!(acme["domain"], "acme.com");
    assert_eq!(acme["domains"], json!(["acme.com", "acme.io"]));
    assert_eq!(acme["country"], "DE");
    let acme_id = acme["id"].as_str().unwrap();

    let ann = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts?include=company",
            Some(json!({ "first_name": "Ann", "emails": ["ann@ACME.io"] })),
        )
        .await;
    assert_eq!(ann["company_id"], acme_id);
    assert_eq!(ann["company"]["name"], "Acme Inc");
    assert_eq!(ann["companies"][0]["primary"], true);

    // Free mail never links, even when asked to create companies.
    let gmail = b
        .api_ok(
            &t, Method::POST, "/contacts",
            Some(json!({ "first_name": "Gil", "emails": ["gil@gmail.com"], "create_company_from_domain": true })),
        )
        .await;
    assert_eq!(gmail["company_id"], Value::Null);
    assert_eq!(gmail["companies"], json!([]));

    // An unknown work domain links only when asked to create the company.
    let lone = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Lou", "emails": ["lou@globex.example"] })),
        )
        .await;
    assert_eq!(lone["company_id"], Value::Null);
    let made = b
        .api_ok(
            &t, Method::POST, "/contacts?include=company",
            Some(json!({ "first_name": "Max", "emails": ["max@globex.example"], "create_company_from_domain": true })),
        )
        .await;
    assert_eq!(made["company"]["name"], "Globex");
    assert_eq!(made["company"]["domain"], "globex.example");

    // A contact gaining a work email joins that company.
    let lou = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/contacts/{}", lone["id"].as_str().unwrap()),
            Some(json!({ "emails": ["lou@globex.example", "lou@acme.com"] })),
        )
        .await;
    assert_eq!(lou["companies"].as_array().unwrap().len(), 1);
    assert_eq!(lou["company_id"], acme_id);

    // The company lists its contacts.
    let with = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/companies/{acme_id}?include=contacts"),
            None,
        )
        .await;
    let names: Vec<&str> = with["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ann", "Lou"]);

    // Explicit companies win over the domain; the company is linked on both timelines.
    let other = b
        .api_ok(
            &t,
            Method::POST,
            "/companies",
            Some(json!({ "name": "Initech" })),
        )
        .await;
    let eve = b
        .api_ok(
            &t, Method::POST, "/contacts?include=companies",
            Some(json!({ "first_name": "Eve", "emails": ["eve@acme.com"], "companies": [{ "company_id": other["id"], "role": "Advisor" }] })),
        )
        .await;
    assert_eq!(eve["company_id"], other["id"]);
    assert_eq!(eve["companies"][0]["role"], "Advisor");
    assert_eq!(eve["companies"][0]["company"]["name"], "Initech");
    let linked = query(
        &t,
        "SELECT record_type FROM activities WHERE kind = 'company.linked' AND (record_id = $1 OR subject_id = $1)",
        vec![uuid::Uuid::parse_str(eve["id"].as_str().unwrap()).unwrap().into()],
    )
    .await;
    assert_eq!(
        linked.len(),
        2,
        "on the contact's and the company's timeline"
    );

    // A domain belongs to one company.
    let p = refused(
        &b,
        &t,
        Method::POST,
        "/companies",
        json!({ "name": "Copycat", "domains": ["acme.com"] }),
        409,
        "conflict",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("acme.com"));

    // Deleting a company keeps its contacts, unlinked.
    let res = b
        .api(&t, Method::DELETE, &format!("/companies/{acme_id}"), None)
        .await;
    assert_eq!(res.status(), 204);
    let ann = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/contacts/{}", ann["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(ann["company_id"], Value::Null);
    assert_eq!(ann["companies"], json!([]));
}

#[tokio::test]
async fn companies_are_validated_and_patched() {
    let (t, _owner, b) = signed_in().await;
    let p = refused(
        &b,
        &t,
        Method::POST,
        "/companies",
        json!({ "name": " ", "domains": ["not a domain"], "country": "Germany", "phone": "123" }),
        422,
        "validation_failed",
    )
    .await;
    let mut fields = fields_of(&p);
    fields.sort();
    assert_eq!(fields, ["country", "domains", "name", "phone"]);
    let c = b
        .api_ok(
            &t,
            Method::POST,
            "/companies",
            Some(json!({ "name": "Umbrella", "phone": "+44 20 7946 0958", "city": "London" })),
        )
        .await;
    assert_eq!(c["phone"], "+442079460958");
    let id = c["id"].as_str().unwrap();
    let p = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/companies/{id}"),
            Some(json!({ "city": null, "size": "51-200" })),
        )
        .await;
    assert_eq!(p["city"], Value::Null);
    assert_eq!(p["size"], "51-200");
    assert_eq!(p["name"], "Umbrella");
    let rows = query(
        &t,
        "SELECT kind FROM activities WHERE record_id = $1",
        vec![uuid::Uuid::parse_str(id).unwrap().into()],
    )
    .await;
    assert_eq!(rows.len(), 3, "created + two changed fields");
}

#[tokio::test]
async fn viewers_read_but_do_not_write_and_other_orgs_see_nothing() {
    let (t, owner, b) = signed_in().await;
    let c = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Vi" })),
        )
        .await;
    let id = c["id"].as_str().unwrap();
    let viewer = t.add_member(owner.org_id, Role::Viewer).await;
    let v = Browser::sign_in(&t, &viewer).await;
    v.api_ok(&t, Method::GET, &format!("/contacts/{id}"), None)
        .await;
    let res = v
        .api(
            &t,
            Method::PATCH,
            &format!("/contacts/{id}"),
            Some(json!({ "first_name": "X" })),
        )
        .await;
    assert_eq!(res.status(), 403);
    let other = t.create_org_with("Other Org", Role::Owner).await;
    let o = Browser::sign_in(&t, &other).await;
    for method in [Method::GET, Method::DELETE] {
        let res = o.api(&t, method, &format!("/contacts/{id}"), None).await;
        assert_eq!(res.status(), 404);
    }
    // Another org's company cannot be linked.
    let theirs = o
        .api_ok(
            &t,
            Method::POST,
            "/companies",
            Some(json!({ "name": "Theirs" })),
        )
        .await;
    let p = refused(
        &b,
        &t,
        Method::POST,
        "/contacts",
        json!({ "first_name": "Z", "company_id": theirs["id"] }),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields_of(&p), ["companies"]);
}
