//! The filter language over the contacts, companies and deals lists.

use super::{api, names, world};
use serde_json::Value;

#[tokio::test]
async fn every_operator_related_and_custom_fields_filter_contacts() {
    let w = world().await;
    let (c, _) = w.t.sign_in(&w.owner).await;
    let t = &w.t;
    let cases: &[(&str, &[&str])] = &[
        (
            "lifecycle_stage = customer",
            &["Ada Lovelace", "Cleo Patra"],
        ),
        (
            "lifecycle_stage != customer",
            &["=2+3 Evil", "Bob Builder", "Eve Adams"],
        ),
        (
            "lifecycle_stage in (lead, SUBSCRIBER)",
            &["Bob Builder", "Eve Adams"],
        ),
        ("owner = me", &["Ada Lovelace", "Eve Adams"]),
        ("owner is empty", &["=2+3 Evil"]),
        ("name contains \"ADA\"", &["Ada Lovelace", "Eve Adams"]),
        ("name starts_with cl", &["Cleo Patra"]),
        ("first_name > C", &["Cleo Patra", "Eve Adams"]),
        ("email = ADA@acme.test", &["Ada Lovelace"]),
        ("email contains acme", &["Ada Lovelace", "Cleo Patra"]),
        ("email is empty", &["=2+3 Evil", "Eve Adams"]),
        ("title is empty", &["=2+3 Evil", "Bob Builder"]),
        (
            "title is not empty",
            &["Ada Lovelace", "Cleo Patra", "Eve Adams"],
        ),
        (
            "title != CEO",
            &["=2+3 Evil", "Ada Lovelace", "Bob Builder", "Eve Adams"],
        ),
        ("title contains \"r&d\"", &["Eve Adams"]),
        ("tag = vip", &["Ada Lovelace", "Cleo Patra"]),
        ("tag != vip", &["=2+3 Evil", "Bob Builder", "Eve Adams"]),
        ("tag in (partner, newsletter)", &["Cleo Patra", "Eve Adams"]),
        ("tag is empty", &["=2+3 Evil", "Bob Builder"]),
        (
            "company.industry = Software",
            &["Ada Lovelace", "Cleo Patra"],
        ),
        ("company.name starts_with glob", &["Bob Builder"]),
        (
            "company.custom.tier = gold",
            &["Ada Lovelace", "Cleo Patra"],
        ),
        ("deals.open_amount > 10000", &["Ada Lovelace"]),
        (
            "deals.open_amount <= 5000",
            &["=2+3 Evil", "Bob Builder", "Cleo Patra", "Eve Adams"],
        ),
        (
            "deals.count >= 1",
            &["Ada Lovelace", "Bob Builder", "Cleo Patra"],
        ),
        ("deals.status = won", &["Cleo Patra"]),
        (
            "deals.status != open",
            &["=2+3 Evil", "Cleo Patra", "Eve Adams"],
        ),
        (
            "deals.stage = proposal",
            &["Ada Lovelace", "Bob Builder", "Cleo Patra"],
        ),
        ("deals.amount >= 50000", &["Cleo Patra"]),
        // The example: company industry is X and has an open deal over 10k.
        (
            "company.industry = \"Software\" AND deals.open_amount > 10000",
            &["Ada Lovelace"],
        ),
        (
            "created_at > 2026-03-01T09:00:02Z",
            &["=2+3 Evil", "Eve Adams"],
        ),
        (
            "created_at = 2026-03-01",
            &[
                "=2+3 Evil",
                "Ada Lovelace",
                "Bob Builder",
                "Cleo Patra",
                "Eve Adams",
            ],
        ),
        ("created_at < 2026-03-01", &[]),
        (
            "NOT (lifecycle_stage = customer OR tag = newsletter)",
            &["=2+3 Evil", "Bob Builder"],
        ),
        (
            "lifecycle_stage = customer AND owner = me OR tag = newsletter",
            &["Ada Lovelace", "Eve Adams"],
        ),
        // Custom fields, each with its type's semantics.
        (
            "custom.score >= 50",
            &["Ada Lovelace", "Cleo Patra", "Eve Adams"],
        ),
        ("custom.score < 50", &["Bob Builder"]),
        ("custom.score = 55", &["Cleo Patra"]),
        ("custom.score is empty", &["=2+3 Evil"]),
        ("custom.plan = pro", &["Ada Lovelace"]),
        (
            "custom.plan in (pro, free)",
            &["Ada Lovelace", "Bob Builder"],
        ),
        ("custom.active = true", &["Ada Lovelace"]),
        ("custom.active = no", &["Bob Builder"]),
        ("custom.renewal > 2026-01-01", &["Ada Lovelace"]),
        ("custom.langs = fr", &["Ada Lovelace"]),
        (
            "custom.langs != fr",
            &["=2+3 Evil", "Bob Builder", "Cleo Patra", "Eve Adams"],
        ),
        ("custom.langs in (de, fr)", &["Ada Lovelace", "Bob Builder"]),
        (
            "custom.langs is empty",
            &["=2+3 Evil", "Cleo Patra", "Eve Adams"],
        ),
        ("custom.revenue > 1000", &["Ada Lovelace"]),
        ("custom.revenue > 1500", &[]),
        ("custom.nickname starts_with \"@count\"", &["Ada Lovelace"]),
        ("custom.nickname contains \"%\"", &[]),
    ];
    let mut failures = Vec::new();
    for (filter, want) in cases {
        let got = names(&c, t, filter).await;
        if got != *want {
            failures.push(format!("{filter}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn companies_and_deals_lists_filter_and_sort() {
    let w = world().await;
    let (c, _) = w.t.sign_in(&w.agent).await;
    let t = &w.t;
    let list = |body: &Value, key: &str| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i[key].as_str().unwrap().to_owned())
            .collect()
    };
    let (s, body) = api(&c, t, "/companies?filter=industry%20%3D%20Software").await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(list(&body, "name"), ["Acme"]);
    assert_eq!(body["items"][0]["contact_count"], 2);
    let (_, body) = api(
        &c,
        t,
        "/companies?filter=contacts.count%20%3C%202&sort=name",
    )
    .await;
    assert_eq!(list(&body, "name"), ["Globex"]);
    let (_, body) = api(&c, t, "/companies?filter=deals.open_amount%20%3E%2010000").await;
    assert_eq!(list(&body, "name"), ["Acme"]);
    let (_, body) = api(&c, t, "/companies?sort=-name").await;
    assert_eq!(list(&body, "name"), ["Globex", "Acme"]);

    let (s, body) = api(&c, t, "/deals?sort=amount:desc").await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        list(&body, "title"),
        ["Won renewal", "Big rollout", "Small pilot"]
    );
    assert_eq!(body["items"][1]["stage"]["name"], "Proposal");
    assert_eq!(body["items"][1]["pipeline"]["name"], "Sales");
    assert_eq!(body["items"][1]["company"]["name"], "Acme");
    let (_, body) = api(
        &c,
        t,
        "/deals?filter=status%20%3D%20open%20AND%20amount%20%3E%2010000",
    )
    .await;
    assert_eq!(list(&body, "title"), ["Big rollout"]);
    let (_, body) = api(&c, t, "/deals?filter=company.industry%20%3D%20Software").await;
    assert_eq!(list(&body, "title"), ["Big rollout"]);
    let (_, body) = api(&c, t, "/deals?filter=pipeline%20%3D%20sales&sort=title").await;
    assert_eq!(
        list(&body, "title"),
        ["Big rollout", "Small pilot", "Won renewal"]
    );

    // Contacts embed their company on request, and show tags and owner names.
    let (_, body) = api(
        &c,
        t,
        "/contacts?include=company&filter=tag%20%3D%20vip&sort=name",
    )
    .await;
    assert_eq!(body["items"][0]["company"]["id"], w.acme.to_string());
    assert_eq!(body["items"][0]["company"]["name"], "Acme");
    assert_eq!(body["items"][0]["tags"], serde_json::json!(["vip"]));
    assert_eq!(body["items"][0]["id"], w.ada.to_string());
    assert_eq!(body["items"][0]["owner_name"], "Test Person");
    assert_eq!(
        body["items"][1]["tags"],
        serde_json::json!(["partner", "vip"])
    );
}

#[tokio::test]
async fn bad_filters_get_422_naming_the_field_and_change_nothing() {
    let w = world().await;
    let (c, csrf) = w.t.sign_in(&w.owner).await;
    let t = &w.t;
    let cases = [
        ("nonsense = 1", "unknown field `nonsense` at column 1"),
        ("custom.nope = 1", "there is no custom field `nope`"),
        (
            "name = x AND company.nope = x",
            "unknown field `company.nope` at column 14",
        ),
        (
            "custom.score > abc",
            "`custom.score` at column 1: expects a number",
        ),
        ("lifecycle_stage = royalty", "`royalty` is not one of"),
        ("owner = bob", "expects a user id or `me`"),
        ("tag > 3", "the operator `>` does not apply"),
        ("custom.plan = platinum", "`platinum` is not an option"),
        (
            "lifecycle_stage = ",
            "expected a value after `=` at column 19",
        ),
        ("(name = x", "expected `)` to close the `(` at column 1"),
    ];
    for (filter, want) in cases {
        let q = serde_urlencoded::to_string([("filter", filter)]).unwrap();
        let res = c
            .get(t.url(&format!("/api/v1/contacts?{q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{filter}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "invalid_filter", "{filter}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(want), "{filter}: {detail}");
    }
    for (q, field) in [
        ("sort=bogus", "sort"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=zzz", "cursor"),
    ] {
        let (s, body) = api(&c, t, &format!("/contacts?{q}")).await;
        assert_eq!(s, 422, "{q}");
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    }
    // A segment with a bad filter is refused and nothing is stored.
    let res = c
        .post(t.url("/api/v1/segments"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name": "Broken", "object_type": "contact", "filter": "custom.nope = 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "invalid_filter");
    let (_, list) = api(&c, t, "/segments").await;
    assert_eq!(list["items"], serde_json::json!([]));
    // The export refuses before streaming anything.
    let (s, body) = api(&c, t, "/contacts/export.csv?filter=nonsense%20%3D%201").await;
    assert_eq!(s, 422);
    assert_eq!(body["code"], "invalid_filter");
}
