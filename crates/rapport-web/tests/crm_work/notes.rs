//! Notes: CRUD over the API, sanitized rendering of hostile Markdown and HTML, the note on the
//! contact's company timeline, edits reflected and deletes removing the entry, permissions,
//! and the activity page's note composer.

use super::{Browser, company, contact, location};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

const HOSTILE: &str = "Met **Ada**.\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n\
[click me](javascript:alert(1)) and <a href=\"JaVaScRiPt:alert(2)\" onclick=\"alert(3)\">raw</a>\n\n\
<div style=\"position:fixed\" onmouseover=\"alert(4)\">hover</div>\n\n![pixel](https://tracker.example/p.gif)\n\n\
<iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>\n\nSee [docs](https://example.com/docs)";

fn assert_clean(html: &str) {
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "<img",
        "<iframe",
        "<style",
        "style=",
    ] {
        assert!(!lower.contains(bad), "{bad} survived in {html}");
    }
}

async fn timeline(b: &Browser, t: &rapport_testkit::TestApp, path: &str) -> Vec<Value> {
    b.api_ok(t, Method::GET, path, None).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn notes_are_sanitized_shown_on_both_timelines_edited_and_deleted() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Notes Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let acme = company(&t, owner.org_id, "Acme Ltd").await;
    let ada = contact(&t, owner.org_id, "Ada Lovelace", Some(acme)).await;

    let note = b
        .api_ok(
            &t,
            Method::POST,
            "/notes",
            Some(json!({ "record_type": "contact", "record_id": ada, "body": HOSTILE })),
        )
        .await;
    let html = note["html"].as_str().unwrap();
    assert_clean(html);
    assert!(html.contains("<strong>Ada</strong>"), "{html}");
    assert!(
        html.contains(
            r#"<a href="https://example.com/docs" rel="noopener noreferrer nofollow">docs</a>"#
        ),
        "{html}"
    );
    assert_eq!(note["body"], HOSTILE, "the source is kept as written");
    let note_id = note["id"].as_str().unwrap().to_owned();

    let list = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/notes?record_type=contact&record_id={ada}"),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // On the contact's timeline and on its company's.
    for path in [
        format!("/contacts/{ada}/timeline"),
        format!("/companies/{acme}/timeline"),
    ] {
        let items = timeline(&b, &t, &path).await;
        assert_eq!(items.len(), 1, "{path}: {items:?}");
        assert_eq!(items[0]["kind"], "note.created");
        assert_eq!(items[0]["actor_name"], "Test Person");
        assert!(
            items[0]["data"]["excerpt"]
                .as_str()
                .unwrap()
                .starts_with("Met Ada.")
        );
        assert_clean(items[0]["note"]["html"].as_str().unwrap());
    }

    // An edit shows on the timeline (it renders the note, not a copy); pinning works.
    let edited = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/notes/{note_id}"),
            Some(json!({ "body": "Renewal in *March*", "pinned": true })),
        )
        .await;
    assert_eq!(edited["pinned"], true);
    let items = timeline(&b, &t, &format!("/contacts/{ada}/timeline")).await;
    assert_eq!(
        items[0]["note"]["html"],
        "<p>Renewal in <em>March</em></p>\n"
    );
    assert_eq!(items[0]["note"]["pinned"], true);

    // Bad input changes nothing.
    let res = b
        .api(
            &t,
            Method::PATCH,
            &format!("/notes/{note_id}"),
            Some(json!({ "body": "  " })),
        )
        .await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "body");
    let big = "a".repeat(100 * 1024 + 1);
    let res = b
        .api(
            &t,
            Method::POST,
            "/notes",
            Some(json!({ "record_type": "contact", "record_id": ada, "body": big })),
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = b
        .api(
            &t,
            Method::POST,
            "/notes",
            Some(json!({ "record_type": "ticket", "record_id": ada, "body": "x" })),
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = b
        .api(
            &t,
            Method::POST,
            "/notes",
            Some(
                json!({ "record_type": "contact", "record_id": uuid::Uuid::now_v7(), "body": "x" }),
            ),
        )
        .await;
    assert_eq!(res.status(), 404);
    let items = timeline(&b, &t, &format!("/contacts/{ada}/timeline")).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["note"]["body"], "Renewal in *March*");

    // Deleting removes the entries everywhere.
    b.api_ok(&t, Method::DELETE, &format!("/notes/{note_id}"), None)
        .await;
    assert!(
        timeline(&b, &t, &format!("/contacts/{ada}/timeline"))
            .await
            .is_empty()
    );
    assert!(
        timeline(&b, &t, &format!("/companies/{acme}/timeline"))
            .await
            .is_empty()
    );
    let res = b
        .api(&t, Method::DELETE, &format!("/notes/{note_id}"), None)
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn viewers_read_notes_but_cannot_write_them() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Viewer Org", Role::Owner).await;
    let viewer = t.add_member(owner.org_id, Role::Viewer).await;
    let ob = Browser::sign_in(&t, &owner).await;
    let vb = Browser::sign_in(&t, &viewer).await;
    let ada = contact(&t, owner.org_id, "Ada", None).await;
    let note = ob
        .api_ok(
            &t,
            Method::POST,
            "/notes",
            Some(json!({ "record_type": "contact", "record_id": ada, "body": "hello" })),
        )
        .await;
    let list = vb
        .api_ok(
            &t,
            Method::GET,
            &format!("/notes?record_type=contact&record_id={ada}"),
            None,
        )
        .await;
    assert_eq!(list["items"][0]["body"], "hello");
    let res = vb
        .api(
            &t,
            Method::POST,
            "/notes",
            Some(json!({ "record_type": "contact", "record_id": ada, "body": "no" })),
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = vb
        .api(
            &t,
            Method::DELETE,
            &format!("/notes/{}", note["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(res.status(), 403);
    // The activity page shows no composer to a viewer.
    let (status, html) = vb
        .get(&t, &format!("/records/contact/{ada}/activity"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("hello"));
    assert!(!html.contains("Add note"), "no note composer for viewers");
}

#[tokio::test]
async fn the_activity_page_composer_posts_a_note_that_appears() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Composer Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let ada = contact(&t, owner.org_id, "Ada Composer", None).await;
    let page = format!("/records/contact/{ada}/activity");
    let (status, html) = b.get(&t, &page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Ada Composer") && html.contains("Nothing here yet"),
        "{html}"
    );

    let res = b
        .form(
            &t,
            &format!("/records/contact/{ada}/notes"),
            &[
                ("body", "Called **Ada**: <script>x</script>"),
                ("return_to", &page),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), page);
    let (_, html) = b.get(&t, &page).await;
    assert!(html.contains("Note added."), "flash");
    assert!(
        html.contains("Called <strong>Ada</strong>"),
        "rendered note"
    );
    assert!(!html.contains("<script>x"), "sanitized");
    assert!(html.contains("added a note") && html.contains("Today"));

    // A return_to off this site is replaced by the record's page.
    let res = b
        .form(
            &t,
            &format!("/records/contact/{ada}/notes"),
            &[("body", "second"), ("return_to", "https://evil.example/")],
        )
        .await;
    assert_eq!(location(&res), page);
    // An empty note is refused with a message, and nothing is stored.
    let res = b
        .form(
            &t,
            &format!("/records/contact/{ada}/notes"),
            &[("body", "  "), ("return_to", &page)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = b.get(&t, &page).await;
    assert!(html.contains("could not be saved"));
    assert_eq!(html.matches("added a note").count(), 2);
    // Filters narrow the feed.
    let (_, html) = b.get(&t, &format!("{page}?kinds=tasks")).await;
    assert!(html.contains("Nothing of this kind yet."));
}

#[tokio::test]
async fn deleting_a_record_removes_its_notes_and_task_links_but_keeps_the_task() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Cleanup Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let acme = company(&t, owner.org_id, "Acme Ltd").await;
    let ada = contact(&t, owner.org_id, "Ada Lovelace", Some(acme)).await;
    let note = b
        .api_ok(
            &t,
            Method::POST,
            "/notes",
            Some(json!({ "record_type": "contact", "record_id": ada, "body": "Call Ada back" })),
        )
        .await;
    let task = b
        .api_ok(
            &t,
            Method::POST,
            "/tasks",
            Some(json!({ "title": "Send the proposal", "links": [
                { "record_type": "contact", "record_id": ada },
                { "record_type": "company", "record_id": acme },
            ] })),
        )
        .await;
    b.api_ok(&t, Method::DELETE, &format!("/contacts/{ada}"), None)
        .await;

    let res = b
        .api(
            &t,
            Method::PATCH,
            &format!("/notes/{}", note["id"].as_str().unwrap()),
            Some(json!({ "body": "still here?" })),
        )
        .await;
    assert_eq!(res.status(), 404, "the contact's notes went with it");
    let company_feed = timeline(&b, &t, &format!("/companies/{acme}/timeline")).await;
    assert!(
        company_feed.iter().all(|e| e["kind"] != "note.created"),
        "no entry on the company points at a deleted note: {company_feed:?}"
    );
    let task = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/tasks/{}", task["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(task["title"], "Send the proposal", "the task stays");
    let links = task["links"].as_array().unwrap();
    assert_eq!(links.len(), 1, "only the company link is left: {links:?}");
    assert_eq!(links[0]["record_type"], "company");
}
