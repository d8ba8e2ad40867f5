//! The timeline: newest first, filters, keyset pages that neither skip nor repeat, bad
//! filters and cursors refused, permissions per record type, and another org's records,
//! notes, tasks and notifications refused (404) without a trace.

use super::{Browser, company, contact, deal};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn timeline_order_filters_and_pages() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Feed Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let ada = contact(&t, owner.org_id, "Ada", None).await;
    let mut expected = Vec::new();
    for i in 0..5 {
        let note = b
            .api_ok(
                &t,
                Method::POST,
                "/notes",
                Some(json!({ "record_type": "contact", "record_id": ada, "body": format!("note {i}") })),
            )
            .await;
        expected.push(format!("note:{}", note["id"].as_str().unwrap()));
        let task = b
            .api_ok(
                &t,
                Method::POST,
                "/tasks",
                Some(json!({ "title": format!("task {i}"),
                    "links": [{ "record_type": "contact", "record_id": ada }] })),
            )
            .await;
        expected.push(format!("task:{}", task["id"].as_str().unwrap()));
    }
    expected.reverse();

    let subject = |e: &Value| -> String {
        if e["note"].is_object() {
            format!("note:{}", e["note"]["id"].as_str().unwrap())
        } else {
            format!("task:{}", e["task"]["id"].as_str().unwrap())
        }
    };
    let mut seen = Vec::new();
    let mut times = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = b
            .api_ok(
                &t,
                Method::GET,
                &format!("/contacts/{ada}/timeline?limit=3&cursor={cursor}"),
                None,
            )
            .await;
        pages += 1;
        for e in page["items"].as_array().unwrap() {
            seen.push(subject(e));
            times.push(e["occurred_at"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen, expected, "newest first, nothing skipped or repeated");
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    let notes = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/contacts/{ada}/timeline?kinds=notes"),
            None,
        )
        .await;
    let items = notes["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|e| e["kind"] == "note.created"));
    let tasks = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/contacts/{ada}/timeline?kinds=tasks,notes&limit=100"),
            None,
        )
        .await;
    assert_eq!(tasks["items"].as_array().unwrap().len(), 10);
    let stages = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/contacts/{ada}/timeline?kinds=stages"),
            None,
        )
        .await;
    assert!(stages["items"].as_array().unwrap().is_empty());
    for bad in ["kinds=bogus", "cursor=nonsense", "limit=abc"] {
        let res = b
            .api(
                &t,
                Method::GET,
                &format!("/contacts/{ada}/timeline?{bad}"),
                None,
            )
            .await;
        assert!(
            matches!(res.status().as_u16(), 400 | 422),
            "{bad}: {}",
            res.status()
        );
    }
    // A contact id under /companies is not a company.
    let res = b
        .api(&t, Method::GET, &format!("/companies/{ada}/timeline"), None)
        .await;
    assert_eq!(res.status(), 404);

    // The activity page pages with "Older activity".
    let (status, html) = b
        .get(&t, &format!("/records/contacts/{ada}/activity"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("note 4") && html.contains("task 4"));
}

#[tokio::test]
async fn deal_timelines_need_deal_access() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Deal Org", Role::Owner).await;
    let member = t.add_member(owner.org_id, Role::Agent).await;
    let ob = Browser::sign_in(&t, &owner).await;
    let big = deal(&t, owner.org_id, "Big deal").await;
    ob.api_ok(
        &t,
        Method::POST,
        "/notes",
        Some(json!({ "record_type": "deal", "record_id": big, "body": "Budget approved" })),
    )
    .await;
    // A custom role with contacts but not deals.
    let role = ob
        .api_ok(
            &t,
            Method::POST,
            "/roles",
            Some(json!({ "name": "Contacts only", "permissions": ["contacts.read", "contacts.write"] })),
        )
        .await;
    ob.api_ok(
        &t,
        Method::PATCH,
        &format!("/users/{}", member.id),
        Some(json!({ "role": "agent", "custom_role_id": role["id"] })),
    )
    .await;
    let mb = Browser::sign_in(&t, &member).await;
    let res = mb
        .api(&t, Method::GET, &format!("/deals/{big}/timeline"), None)
        .await;
    assert_eq!(res.status(), 403);
    let res = mb
        .api(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({ "title": "x", "links": [{ "record_type": "deal", "record_id": big }] })),
        )
        .await;
    assert_eq!(res.status(), 403, "linking a deal needs deals.read");
    let tl = ob
        .api_ok(&t, Method::GET, &format!("/deals/{big}/timeline"), None)
        .await;
    assert_eq!(tl["items"][0]["note"]["body"], "Budget approved");
}

#[tokio::test]
async fn another_orgs_work_is_not_found_and_reveals_nothing() {
    let t = spawn_app().await;
    let a = t.create_org_with("Aardvark Org", Role::Owner).await;
    let ab = Browser::sign_in(&t, &a).await;
    let acme = company(&t, a.org_id, "Aardvark Acme").await;
    let ada = contact(&t, a.org_id, "Aardvark Ada", Some(acme)).await;
    let note = ab
        .api_ok(
            &t,
            Method::POST,
            "/notes",
            Some(json!({ "record_type": "contact", "record_id": ada, "body": "aardvark secret" })),
        )
        .await;
    let task = ab
        .api_ok(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({ "title": "aardvark task",
                "links": [{ "record_type": "contact", "record_id": ada }] })),
        )
        .await;
    let (note, task) = (
        note["id"].as_str().unwrap().to_owned(),
        task["id"].as_str().unwrap().to_owned(),
    );

    let b = t.create_org_with("Borg", Role::Owner).await;
    let bb = Browser::sign_in(&t, &b).await;
    let api: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/contacts/{ada}/timeline"), None),
        (Method::GET, format!("/companies/{acme}/timeline"), None),
        (
            Method::GET,
            format!("/notes?record_type=contact&record_id={ada}"),
            None,
        ),
        (
            Method::POST,
            "/notes".into(),
            Some(json!({ "record_type": "contact", "record_id": ada, "body": "x" })),
        ),
        (
            Method::PATCH,
            format!("/notes/{note}"),
            Some(json!({ "body": "x" })),
        ),
        (Method::DELETE, format!("/notes/{note}"), None),
        (Method::GET, format!("/tasks/{task}"), None),
        (
            Method::PATCH,
            format!("/tasks/{task}"),
            Some(json!({ "title": "x" })),
        ),
        (Method::POST, format!("/tasks/{task}/complete"), None),
        (Method::POST, format!("/tasks/{task}/reopen"), None),
        (Method::DELETE, format!("/tasks/{task}"), None),
        (
            Method::POST,
            "/tasks".into(),
            Some(
                json!({ "title": "x", "links": [{ "record_type": "contact", "record_id": ada }] }),
            ),
        ),
        (Method::GET, format!("/tasks?assignee={}", a.id), None),
    ];
    for (method, path, body) in api {
        let res = bb.api(&t, method.clone(), &path, body).await;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap().to_lowercase();
        assert_eq!(status, 404, "{method} {path}: {text}");
        assert!(!text.contains("aardvark"), "{method} {path} leaks: {text}");
    }
    for (path, form) in [
        (format!("/records/contact/{ada}/notes"), vec![("body", "x")]),
        (
            format!("/records/contact/{ada}/tasks"),
            vec![("title", "x")],
        ),
        (format!("/notes/{note}"), vec![("body", "x")]),
        (format!("/notes/{note}/pin"), vec![("pinned", "1")]),
        (format!("/notes/{note}/delete"), vec![]),
        (format!("/tasks/{task}"), vec![("title", "x")]),
        (format!("/tasks/{task}/done"), vec![("done", "1")]),
        (format!("/tasks/{task}/delete"), vec![]),
    ] {
        let res = bb.form(&t, &path, &form).await;
        assert_eq!(res.status(), 404, "POST {path}");
    }
    for path in [
        format!("/records/contact/{ada}/activity"),
        format!("/tasks/{task}"),
    ] {
        let (status, html) = bb.get(&t, &path).await;
        assert_eq!(status, 404, "GET {path}");
        assert!(!html.to_lowercase().contains("aardvark"));
    }
    // A's things are unchanged.
    let tl = ab
        .api_ok(&t, Method::GET, &format!("/contacts/{ada}/timeline"), None)
        .await;
    assert_eq!(tl["items"].as_array().unwrap().len(), 2);
    assert_eq!(tl["items"][1]["note"]["body"], "aardvark secret");
    let got = ab
        .api_ok(&t, Method::GET, &format!("/tasks/{task}"), None)
        .await;
    assert_eq!(got["title"], "aardvark task");
    assert_eq!(got["done"], false);
}
