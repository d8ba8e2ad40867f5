//! The record pages as a user sees them: the contact form and detail page, the company pages,
//! and the custom-fields admin page.

use super::signed_in;
use crate::privacy::Browser;
use rapport_domain::Role;
use rapport_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

/// Posts a form and expects `303`; returns the `Location`.
async fn post_303(b: &Browser, t: &TestApp, path: &str, pairs: &[(&str, &str)]) -> String {
    let res = b.form(t, path, pairs).await;
    let status = res.status();
    let to = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(status, 303, "POST {path}: {}", res.text().await.unwrap());
    to
}

#[tokio::test]
async fn a_contact_is_created_shown_edited_and_deleted_through_the_pages() {
    let (t, owner, b) = signed_in().await;
    b.api_ok(
        &t,
        Method::POST,
        "/custom-fields",
        Some(json!({
            "object_type": "contact", "label": "Industry", "field_type": "select",
            "options": [{ "label": "SaaS" }, { "label": "Retail" }],
        })),
    )
    .await;
    b.api_ok(&t, Method::POST, "/custom-fields", Some(json!({
        "object_type": "contact", "label": "Budget", "field_type": "currency", "currency": "EUR",
    }))).await;
    let acme = b
        .api_ok(
            &t,
            Method::POST,
            "/companies",
            Some(json!({ "name": "Acme Inc", "domains": ["acme.com"] })),
        )
        .await;

    let (status, form) = b.get(&t, "/contacts/new").await;
    assert_eq!(status, 200);
    for text in [
        "New contact",
        "First name",
        "Emails",
        "Industry",
        "Budget",
        "EUR",
        "Acme Inc",
        "Marketing",
    ] {
        assert!(form.contains(text), "the form shows {text}");
    }

    // A refused save keeps what was typed and says what is wrong beside the field.
    let res = b
        .form(
            &t,
            "/contacts/new",
            &[
                ("first_name", "Ann"),
                ("last_name", "Lee"),
                ("emails", "ann@"),
                ("phone_number", "+1 415 555 0132"),
                ("phone_label", "mobile"),
                ("custom.budget", "lots"),
                ("lifecycle_stage", "lead"),
                ("consent_ai", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("value=\"Ann\"") && page.contains("value=\"ann@\""),
        "typed values kept"
    );
    assert!(page.contains("value=\"lots\""));
    assert!(
        page.contains("Emails: &#34;ann@&#34;"),
        "the email error is listed by field"
    );
    assert!(page.contains("field-error"));
    let list = b.api(&t, Method::GET, "/custom-fields", None).await;
    assert_eq!(list.status(), 200);

    let to = post_303(
        &b,
        &t,
        "/contacts/new",
        &[
            ("first_name", "Ann"),
            ("last_name", "Lee"),
            ("title", "CTO"),
            ("emails", "Ann@Acme.com"),
            ("emails", "ann@home.example"),
            ("emails", ""),
            ("phone_number", "+1 415 555 0132"),
            ("phone_label", "mobile"),
            ("phone_number", ""),
            ("phone_label", ""),
            ("identity_channel", "telegram"),
            ("identity_identifier", "annlee"),
            ("social.linkedin", "https://linkedin.com/in/annlee"),
            ("lifecycle_stage", "opportunity"),
            ("owner_id", &owner.id.to_string()),
            ("company_id", ""),
            ("tags", "vip, beta"),
            ("custom.industry", "saas"),
            ("custom.budget", "1,250.50"),
            ("consent_marketing", "on"),
        ],
    )
    .await;
    assert!(to.starts_with("/contacts/"), "{to}");
    let (status, page) = b.get(&t, &to).await;
    assert_eq!(status, 200);
    for text in [
        "Ann Lee",
        "CTO",
        "Acme Inc",
        "Opportunity",
        "ann@acme.com",
        "ann@home.example",
        "+1 415 555 0132",
        "mobile",
        "telegram",
        "annlee",
        "LinkedIn",
        "vip",
        "beta",
        "SaaS",
        "1250.50 EUR",
        "The contact was created.",
        "{# timeline: crm_work #}",
    ] {
        if text.starts_with("{#") {
            assert!(!page.contains(text), "template comments are not sent");
            continue;
        }
        assert!(page.contains(text), "the detail page shows {text}");
    }
    assert!(
        page.contains(&format!("/companies/{}", acme["id"].as_str().unwrap())),
        "auto-linked by domain"
    );
    assert!(
        page.contains("Contact created"),
        "the created entry until the timeline is merged"
    );

    // Edit: the form is filled in; a change is saved.
    let id = to.trim_start_matches("/contacts/");
    let (status, edit) = b.get(&t, &format!("/contacts/{id}/edit")).await;
    assert_eq!(status, 200);
    assert!(edit.contains("value=\"ann@acme.com\"") && edit.contains("value=\"beta, vip\""));
    assert!(edit.contains("value=\"1250.50\""));
    post_303(
        &b,
        &t,
        &format!("/contacts/{id}/edit"),
        &[
            ("first_name", "Ann"),
            ("last_name", "Lee-Smith"),
            ("emails", "ann@acme.com"),
            ("lifecycle_stage", "customer"),
            ("company_id", acme["id"].as_str().unwrap()),
            ("custom.industry", "retail"),
            ("consent_ai", "on"),
        ],
    )
    .await;
    let (_, page) = b.get(&t, &format!("/contacts/{id}")).await;
    assert!(page.contains("Ann Lee-Smith") && page.contains("Customer") && page.contains("Retail"));
    // The timeline keeps the change history ("emails: … → …"); the record's properties don't.
    let properties = page.split("class=\"card tl\"").next().unwrap();
    assert!(
        !properties.contains("ann@home.example"),
        "the removed email is gone"
    );

    // The company page lists the contact.
    let (_, company) = b
        .get(&t, &format!("/companies/{}", acme["id"].as_str().unwrap()))
        .await;
    assert!(company.contains("Ann Lee-Smith") && company.contains("acme.com"));

    // Delete.
    let to = post_303(&b, &t, &format!("/contacts/{id}/delete"), &[]).await;
    assert_eq!(to, "/contacts");
    let (status, _) = b.get(&t, &format!("/contacts/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn companies_are_created_and_edited_through_the_pages() {
    let (t, _owner, b) = signed_in().await;
    let (status, form) = b.get(&t, "/companies/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("New company") && form.contains("Domains"));
    let res = b
        .form(
            &t,
            "/companies/new",
            &[
                ("name", "Globex"),
                ("domains", "not a domain"),
                ("country", "Germany"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("value=\"Globex\"") && page.contains("value=\"not a domain\""));
    assert!(page.contains("two-letter country code"));
    let to = post_303(
        &b,
        &t,
        "/companies/new",
        &[
            ("name", "Globex"),
            ("domains", "https://www.globex.example/, globex.io"),
            ("industry", "Energy"),
            ("size", "51-200"),
            ("city", "Springfield"),
            ("country", "us"),
        ],
    )
    .await;
    let (_, page) = b.get(&t, &to).await;
    for text in [
        "Globex",
        "globex.example",
        "globex.io",
        "Energy",
        "51-200",
        "Springfield",
        "US",
        "No contacts linked yet.",
    ] {
        assert!(page.contains(text), "the company page shows {text}");
    }
    let id = to.trim_start_matches("/companies/");
    post_303(
        &b,
        &t,
        &format!("/companies/{id}/edit"),
        &[("name", "Globex Corp"), ("domains", "globex.example")],
    )
    .await;
    let (_, page) = b.get(&t, &to).await;
    let properties = page.split("class=\"card tl\"").next().unwrap();
    assert!(properties.contains("Globex Corp") && !properties.contains("globex.io"));
    assert_eq!(
        post_303(&b, &t, &format!("/companies/{id}/delete"), &[]).await,
        "/companies"
    );
}

#[tokio::test]
async fn custom_fields_are_managed_on_their_admin_page() {
    let (t, owner, b) = signed_in().await;
    let (status, page) = b.get(&t, "/admin/custom-fields").await;
    assert_eq!(status, 200);
    assert!(page.contains("No custom fields yet"));
    let res = b
        .form(
            &t,
            "/admin/custom-fields",
            &[
                ("object_type", "contact"),
                ("label", "Plan"),
                ("field_type", "select"),
                ("options", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("add at least one option") && page.contains("value=\"Plan\""));
    let to = post_303(
        &b,
        &t,
        "/admin/custom-fields",
        &[
            ("object_type", "contact"),
            ("label", "Plan"),
            ("field_type", "select"),
            ("options", "Free\nPro\nEnterprise"),
            ("filterable", "on"),
        ],
    )
    .await;
    assert_eq!(to, "/admin/custom-fields?type=contact");
    let (_, page) = b.get(&t, &to).await;
    assert!(
        page.contains("Plan")
            && page.contains("plan")
            && page.contains("Free, Pro, Enterprise")
            && page.contains("Filterable")
    );
    let field = b
        .api_ok(&t, Method::GET, "/custom-fields?object_type=contact", None)
        .await["items"][0]
        .clone();
    let fid = field["id"].as_str().unwrap();
    post_303(
        &b,
        &t,
        &format!("/admin/custom-fields/{fid}"),
        &[
            ("label", "Plan tier"),
            ("options", "Free\nPro\nEnterprise\nPartner"),
            ("required", "on"),
        ],
    )
    .await;
    let field = b
        .api_ok(&t, Method::GET, "/custom-fields?object_type=contact", None)
        .await["items"][0]
        .clone();
    assert_eq!(field["label"], "Plan tier");
    assert_eq!(field["required"], true);
    assert_eq!(field["filterable"], false, "the box was unticked");
    assert_eq!(
        field["options"][3],
        json!({ "value": "partner", "label": "Partner" })
    );
    // The company tab is separate.
    let (_, page) = b.get(&t, "/admin/custom-fields?type=company").await;
    assert!(!page.contains("Plan tier"));
    post_303(&b, &t, &format!("/admin/custom-fields/{fid}/delete"), &[]).await;
    let (_, page) = b.get(&t, "/admin/custom-fields").await;
    assert!(!page.contains("Plan tier"));

    // Only settings managers see the page; viewers cannot open the contact form.
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let a = Browser::sign_in(&t, &agent).await;
    assert_eq!(a.get(&t, "/admin/custom-fields").await.0, 403);
    let viewer = t.add_member(owner.org_id, Role::Viewer).await;
    let v = Browser::sign_in(&t, &viewer).await;
    assert_eq!(v.get(&t, "/contacts/new").await.0, 403);
    let (_, home) = v.get(&t, "/").await;
    assert!(
        home.contains("href=\"/contacts\"") && home.contains("href=\"/companies\""),
        "nav entries"
    );
}

#[tokio::test]
async fn the_default_country_is_an_org_setting() {
    let (t, _owner, b) = signed_in().await;
    let res = b
        .form(
            &t,
            "/admin/settings",
            &[("name", "Records Org"), ("default_country", "Narnia")],
        )
        .await;
    assert_eq!(res.status(), 422);
    post_303(
        &b,
        &t,
        "/admin/settings",
        &[("name", "Records Org"), ("default_country", "de")],
    )
    .await;
    let (_, page) = b.get(&t, "/admin/settings").await;
    assert!(page.contains("value=\"DE\""));
    let c = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Jo", "phones": [{ "number": "030 1234567" }] })),
        )
        .await;
    assert_eq!(c["primary_phone"], "+49301234567");
}
