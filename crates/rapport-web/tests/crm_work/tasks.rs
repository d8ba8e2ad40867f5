//! Tasks: CRUD over the API with links, reminders relative to the due time, complete and
//! reopen on the linked records' timelines, who may list whose tasks, and the tasks page
//! (grouping in the member's time zone, quick add, check off).

use super::{Browser, contact, deal, location};
use chrono::{DateTime, Duration, Utc};
use rapport_domain::{ManualClock, Role};
use rapport_testkit::{spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

fn kinds(items: &Value) -> Vec<String> {
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn tasks_crud_links_complete_and_reopen() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Task Org", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let b = Browser::sign_in(&t, &owner).await;
    let ab = Browser::sign_in(&t, &agent).await;
    let ada = contact(&t, owner.org_id, "Ada", None).await;
    let big = deal(&t, owner.org_id, "Big renewal").await;
    let due = "2030-01-15T10:00:00Z";

    let task = b
        .api_ok(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({
                "title": "Send the proposal",
                "body": "with the new prices",
                "due_at": due,
                "remind_before_minutes": 15,
                "assignee_id": agent.id,
                "links": [
                    { "record_type": "contact", "record_id": ada },
                    { "record_type": "deal", "record_id": big },
                ],
            })),
        )
        .await;
    let id = task["id"].as_str().unwrap().to_owned();
    assert_eq!(task["remind_at"], "2030-01-15T09:45:00Z");
    assert_eq!(task["assignee_name"], "Test Person");
    assert_eq!(task["done"], false);
    let mut names: Vec<&str> = task["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Ada", "Big renewal"]);

    // The assignee sees it in their list; the owner's own list is empty.
    let mine = ab.api_ok(&t, Method::GET, "/tasks", None).await;
    assert_eq!(mine["items"][0]["id"], id.as_str());
    let owners = b.api_ok(&t, Method::GET, "/tasks", None).await;
    assert!(owners["items"].as_array().unwrap().is_empty());
    let all = b.api_ok(&t, Method::GET, "/tasks?assignee=any", None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    // An agent may not list everyone's.
    let res = ab.api(&t, Method::GET, "/tasks?assignee=any", None).await;
    assert_eq!(res.status(), 403);

    let tl = b
        .api_ok(&t, Method::GET, &format!("/contacts/{ada}/timeline"), None)
        .await;
    assert_eq!(kinds(&tl), ["task.created"]);
    assert_eq!(tl["items"][0]["task"]["title"], "Send the proposal");

    // Complete: on both timelines, done state shown; completing twice adds nothing.
    let done = ab
        .api_ok(&t, Method::POST, &format!("/tasks/{id}/complete"), None)
        .await;
    assert_eq!(done["done"], true);
    assert_eq!(done["done_by"], agent.id.to_string());
    ab.api_ok(&t, Method::POST, &format!("/tasks/{id}/complete"), None)
        .await;
    for path in [
        format!("/contacts/{ada}/timeline"),
        format!("/deals/{big}/timeline"),
    ] {
        let tl = b.api_ok(&t, Method::GET, &path, None).await;
        assert_eq!(kinds(&tl), ["task.completed", "task.created"], "{path}");
        assert_eq!(tl["items"][0]["task"]["done"], true);
    }
    let open = ab.api_ok(&t, Method::GET, "/tasks?status=open", None).await;
    assert!(open["items"].as_array().unwrap().is_empty());
    let closed = ab.api_ok(&t, Method::GET, "/tasks?status=done", None).await;
    assert_eq!(closed["items"].as_array().unwrap().len(), 1);
    let reopened = ab
        .api_ok(&t, Method::POST, &format!("/tasks/{id}/reopen"), None)
        .await;
    assert_eq!(reopened["done"], false);
    assert!(reopened["done_at"].is_null());

    // Edit: title, links replaced, reminder now absolute.
    let edited = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/tasks/{id}"),
            Some(json!({
                "title": "Send the final proposal",
                "remind_at": "2030-01-14T08:00:00Z",
                "links": [{ "record_type": "contact", "record_id": ada }],
            })),
        )
        .await;
    assert_eq!(edited["title"], "Send the final proposal");
    assert_eq!(edited["remind_at"], "2030-01-14T08:00:00Z");
    assert_eq!(edited["due_at"], due);
    assert_eq!(edited["links"].as_array().unwrap().len(), 1);
    let got = b
        .api_ok(&t, Method::GET, &format!("/tasks/{id}"), None)
        .await;
    assert_eq!(got["title"], "Send the final proposal");

    // Bad input: each names its field, and changes nothing.
    for (body, field) in [
        (json!({ "title": "" }), "title"),
        (
            json!({ "title": "x", "remind_before_minutes": 15 }),
            "remind_at",
        ),
        (
            json!({ "title": "x", "links": [{ "record_type": "ticket", "record_id": ada }] }),
            "record_type",
        ),
        (
            json!({ "title": "x", "remind_at": due, "remind_before_minutes": 5 }),
            "remind_at",
        ),
    ] {
        let res = b.api(&t, Method::POST, "/tasks", Some(body.clone())).await;
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    let res = b
        .api(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({ "title": "x", "links": [{ "record_type": "deal", "record_id": uuid::Uuid::now_v7() }] })),
        )
        .await;
    assert_eq!(res.status(), 404);
    let stranger = t.create_org_with("Elsewhere", Role::Owner).await;
    let res = b
        .api(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({ "title": "x", "assignee_id": stranger.id })),
        )
        .await;
    assert_eq!(res.status(), 404, "assignees are members of the org");
    let all = b
        .api_ok(&t, Method::GET, "/tasks?assignee=any&status=all", None)
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    // Delete: gone, and off the timelines.
    b.api_ok(&t, Method::DELETE, &format!("/tasks/{id}"), None)
        .await;
    let res = b.api(&t, Method::GET, &format!("/tasks/{id}"), None).await;
    assert_eq!(res.status(), 404);
    let tl = b
        .api_ok(&t, Method::GET, &format!("/contacts/{ada}/timeline"), None)
        .await;
    assert!(kinds(&tl).is_empty());
}

#[tokio::test]
async fn task_lists_page_by_cursor() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Paging Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    for i in 0..5 {
        b.api_ok(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({ "title": format!("Task {i}") })),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = b
            .api_ok(
                &t,
                Method::GET,
                &format!("/tasks?limit=2&cursor={cursor}"),
                None,
            )
            .await;
        for item in page["items"].as_array().unwrap() {
            seen.push(item["title"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, ["Task 4", "Task 3", "Task 2", "Task 1", "Task 0"]);
    let res = b.api(&t, Method::GET, "/tasks?cursor=garbage", None).await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn the_tasks_page_groups_adds_and_checks_off() {
    let start: DateTime<Utc> = "2026-11-27T12:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let t = spawn_app_with(rapport_app::AppConfig::default(), clock.clone()).await;
    let owner = t.create_org_with("Page Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let ada = contact(&t, owner.org_id, "Ada Linked", None).await;
    for (title, due) in [
        ("Overdue call", Some(start - Duration::days(1))),
        ("Later today", Some(start + Duration::hours(6))),
        ("Next week", Some(start + Duration::days(7))),
        ("Someday", None),
    ] {
        b.api_ok(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({ "title": title, "due_at": due,
                "links": [{ "record_type": "contact", "record_id": ada }] })),
        )
        .await;
    }
    // Quick add through the form: the due time is in the member's zone (UTC here).
    let res = b
        .form(
            &t,
            "/tasks",
            &[
                ("title", "Quick one"),
                ("due", "2026-11-27T18:30"),
                ("remind", "15"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/tasks");
    let quick = b.api_ok(&t, Method::GET, "/tasks", None).await["items"][0].clone();
    assert_eq!(quick["title"], "Quick one");
    assert_eq!(quick["due_at"], "2026-11-27T18:30:00Z");
    assert_eq!(quick["remind_at"], "2026-11-27T18:15:00Z");

    let (status, html) = b.get(&t, "/tasks").await;
    assert_eq!(status, 200);
    let at = |s: &str| {
        html.find(s)
            .unwrap_or_else(|| panic!("{s} not on the page: {html}"))
    };
    assert!(at("Overdue") < at("Overdue call"));
    assert!(at("Overdue call") < at("Later today"));
    assert!(at("Later today") < at("Quick one"));
    assert!(at("Quick one") < at("Upcoming"));
    assert!(at("Upcoming") < at("Next week"));
    assert!(at("No due date") < at("Someday"));
    assert!(html.contains("5 open"));
    assert!(html.contains("Ada Linked"), "linked record chip");

    // Check off inline.
    let id = quick["id"].as_str().unwrap();
    let res = b
        .form(
            &t,
            &format!("/tasks/{id}/done"),
            &[("done", "1"), ("return_to", "/tasks")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = b.get(&t, "/tasks").await;
    assert!(html.contains("Task done."));
    assert!(html.contains("4 open"));
    assert!(html.find("Recently done").unwrap() < html.find("Quick one").unwrap());

    // The task's own page shows the local due time and saves edits.
    let (status, html) = b.get(&t, &format!("/tasks/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"2026-11-27T18:30\""));
    let res = b
        .form(
            &t,
            &format!("/tasks/{id}"),
            &[
                ("title", "Quick one, renamed"),
                ("due", "2026-11-28T09:00"),
                ("remind", "due"),
                ("assignee", &owner.id.to_string()),
                ("body", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let got = b
        .api_ok(&t, Method::GET, &format!("/tasks/{id}"), None)
        .await;
    assert_eq!(got["title"], "Quick one, renamed");
    assert_eq!(got["remind_at"], "2026-11-28T09:00:00Z");
    clock.advance(Duration::minutes(1));
}
