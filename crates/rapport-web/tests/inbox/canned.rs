//! Canned responses over the API: managed, listed per inbox and by prefix, rendered for a real
//! conversation (unknown variables render empty), templates checked on save (a syntax error
//! names its line) and short codes unique per org. Permissions and the pages are in
//! [`super::canned_access`].

use super::{Browser, api_inbox, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// A customer's message in `inbox`: (conversation id, conversation number).
pub(super) async fn conversation(
    t: &TestApp,
    b: &Browser,
    inbox: &str,
    who: &str,
) -> (String, i64) {
    let tok = token(t, b).await;
    let body = json!({
        "contact": { "identifier": who, "name": "Ada King Lovelace", "email": "ada@example.org" },
        "content": "My invoice is wrong",
    });
    let (status, r) = post_inbound(t, &t.client(), &tok, inbox, who, body).await;
    assert_eq!(status, 201, "{r}");
    (
        r["conversation_id"].as_str().unwrap().to_owned(),
        r["conversation_number"].as_i64().unwrap(),
    )
}

pub(super) fn codes(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["short_code"].as_str().unwrap())
        .collect()
}

/// The status and JSON of an API call.
pub(super) async fn call(
    t: &TestApp,
    b: &Browser,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let res = b.api(t, method, path, body).await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn canned_responses_are_managed_listed_and_rendered_for_a_conversation() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Canned Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let website = api_inbox(&t, &b, "Website").await;
    let partners = api_inbox(&t, &b, "Partners").await;
    let (conv, number) = conversation(&t, &b, &website, "ada").await;

    let body = "Hi {{ contact.first_name }} {{ contact.last_name }} ({{ contact.name }}, \
                {{ contact.email }}),\n{{ agent.first_name }} / {{ agent.name }} · \
                #{{ conversation.number }} · {{ inbox.name }} · {{ org.name }}\
                [{{ contact.nickname }}{{ nope }}{{ nope.deeper.still }}]";
    let refund = b
        .api_ok(
            &t,
            Method::POST,
            "/canned-responses",
            Some(json!({ "short_code": " /Refund", "title": "Refund confirmed", "body": body })),
        )
        .await;
    assert_eq!(refund["short_code"], "refund", "normalized");
    assert_eq!(refund["inbox_id"], Value::Null, "every inbox");
    assert_eq!(refund["created_by"], owner.id.to_string());
    let refund_id = refund["id"].as_str().unwrap().to_owned();
    let vat = b
        .api_ok(
            &t,
            Method::POST,
            "/canned-responses",
            Some(json!({
                "short_code": "vat_no", "title": "VAT number",
                "body": "Our VAT number is DE298 450 113.", "inbox_id": partners,
            })),
        )
        .await;
    let vat_id = vat["id"].as_str().unwrap().to_owned();

    // Lists: by short code, per inbox, by prefix of code or title, paged.
    let all = b.api_ok(&t, Method::GET, "/canned-responses", None).await;
    assert_eq!(codes(&all), ["refund", "vat_no"]);
    assert_eq!(all["next_cursor"], Value::Null);
    let here = format!("/canned-responses?inbox_id={website}");
    assert_eq!(
        codes(&b.api_ok(&t, Method::GET, &here, None).await),
        ["refund"]
    );
    let there = format!("/canned-responses?inbox_id={partners}");
    assert_eq!(
        codes(&b.api_ok(&t, Method::GET, &there, None).await),
        ["refund", "vat_no"]
    );
    for (q, want) in [
        ("REF", vec!["refund"]),
        ("%2Fvat", vec!["vat_no"]),
        ("vat%20n", vec!["vat_no"]),
        ("vat_", vec!["vat_no"]),
        ("v%25", vec![]),
        ("r_f", vec![]),
    ] {
        let page = b
            .api_ok(&t, Method::GET, &format!("/canned-responses?q={q}"), None)
            .await;
        assert_eq!(codes(&page), want, "q={q}");
    }
    let first = b
        .api_ok(&t, Method::GET, "/canned-responses?limit=1", None)
        .await;
    assert_eq!(codes(&first), ["refund"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/canned-responses?limit=1&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(codes(&second), ["vat_no"]);
    assert_eq!(second["next_cursor"], Value::Null);

    // Rendered for the conversation: its contact, the caller, the inbox and the org; unknown
    // variables are empty.
    let render = |id: &str| format!("/conversations/{conv}/canned-responses/{id}/render");
    let out = b.api_ok(&t, Method::POST, &render(&refund_id), None).await;
    assert_eq!(
        out["body"],
        format!(
            "Hi Ada King Lovelace (Ada King Lovelace, ada@example.org),\nTest / Test Person · \
             #{number} · Website · Canned Org[]"
        )
    );
    let (status, problem) = call(&t, &b, Method::POST, &render(&vat_id), None).await;
    assert_eq!(status, 422, "kept for another inbox: {problem}");
    assert_eq!(problem["errors"][0]["field"], "canned_id");

    // Changes: partial, and null puts it back in every inbox.
    let path = format!("/canned-responses/{refund_id}");
    let changed = b
        .api_ok(
            &t,
            Method::PATCH,
            &path,
            Some(json!({ "title": "Refund sent", "inbox_id": partners })),
        )
        .await;
    assert_eq!(changed["title"], "Refund sent");
    assert_eq!(changed["short_code"], "refund");
    assert_eq!(changed["inbox_id"], partners.as_str());
    assert_eq!(
        codes(&b.api_ok(&t, Method::GET, &here, None).await),
        Vec::<&str>::new()
    );
    let changed = b
        .api_ok(&t, Method::PATCH, &path, Some(json!({ "inbox_id": null })))
        .await;
    assert_eq!(changed["inbox_id"], Value::Null);
    assert_eq!(changed["title"], "Refund sent");
    let got = b.api_ok(&t, Method::GET, &path, None).await;
    assert_eq!(got["body"], body);

    // Deleted: gone from every route.
    let vat_path = format!("/canned-responses/{vat_id}");
    let res = b.api(&t, Method::DELETE, &vat_path, None).await;
    assert_eq!(res.status(), 204);
    for (method, p) in [
        (Method::GET, vat_path.clone()),
        (Method::DELETE, vat_path.clone()),
        (Method::POST, render(&vat_id)),
    ] {
        let (status, _) = call(&t, &b, method.clone(), &p, None).await;
        assert_eq!(status, 404, "{method} {p}");
    }
    let audit = b.api_ok(&t, Method::GET, "/audit?limit=10", None).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "canned_response.created",
        "canned_response.updated",
        "canned_response.deleted",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn templates_and_short_codes_are_checked_on_save() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Checks Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let post = |body: Value| {
        let b = &b;
        let t = &t;
        async move { call(t, b, Method::POST, "/canned-responses", Some(body)).await }
    };
    let new = |code: &str, body: &str| json!({ "short_code": code, "title": "T", "body": body });

    let (status, p) = post(new("hi", "Hello\n\nThanks, {{ agent.first_name ")).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["code"], "validation_failed");
    assert_eq!(p["errors"][0]["field"], "body");
    let message = p["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("line 3: syntax error"), "{message}");
    let (status, p) = post(new("hi", "Hi\n{{ contact.name | shout }}")).await;
    assert_eq!(status, 422);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 2: unknown filter"),
        "{p}"
    );
    let (status, p) = post(new("hi", "{% include 'etc/passwd' %}")).await;
    assert_eq!(status, 422, "no loader, no include: {p}");
    let (status, p) = post(new("hi", "{% for i in range(100000) %}x{% endfor %}")).await;
    assert_eq!(status, 422, "fuel runs out: {p}");
    let (status, p) = post(new("two words", "Hi")).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "short_code");
    let (status, p) = post(new("hi", &"x".repeat(20_001))).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "body");
    let (status, _) =
        post(json!({ "short_code": "hi", "title": "T", "body": "x", "extra": 1 })).await;
    assert_eq!(status, 422, "unknown fields are refused");
    let other = t.create_org_with("Checks Other Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &other).await;
    let foreign = api_inbox(&t, &ob, "Theirs").await;
    let (status, p) =
        post(json!({ "short_code": "hi", "title": "T", "body": "x", "inbox_id": foreign })).await;
    assert_eq!(status, 422, "another org's inbox: {p}");
    assert_eq!(p["errors"][0]["field"], "inbox_id");

    // Short codes are unique per org, not across orgs.
    let (status, first) = post(new("hi", "Hi {{ contact.first_name }}")).await;
    assert_eq!(status, 201, "{first}");
    let (status, p) = post(new("HI", "Hello")).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!(p["code"], "conflict");
    let (status, second) = post(new("hello", "Hello")).await;
    assert_eq!(status, 201);
    let path = format!("/canned-responses/{}", second["id"].as_str().unwrap());
    let (status, _) = call(
        &t,
        &b,
        Method::PATCH,
        &path,
        Some(json!({ "short_code": "hi" })),
    )
    .await;
    assert_eq!(status, 409, "renaming onto a taken code");
    let (status, p) = call(
        &t,
        &b,
        Method::PATCH,
        &path,
        Some(json!({ "body": "{% if %}" })),
    )
    .await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(
        b.api_ok(&t, Method::GET, &path, None).await["body"],
        "Hello"
    );
    let (status, _) = call(
        &t,
        &ob,
        Method::POST,
        "/canned-responses",
        Some(new("hi", "Hi")),
    )
    .await;
    assert_eq!(status, 201, "another org may use the same code");
    let (status, _) = call(&t, &ob, Method::GET, &path, None).await;
    assert_eq!(status, 404, "and never sees this org's");
}
