//! The list pages: table, filter box (works without JavaScript), errors, segments sidebar.

use super::world;
use rapport_domain::Role;

async fn page(c: &reqwest::Client, t: &rapport_testkit::TestApp, path: &str) -> (u16, String) {
    let res = c.get(t.url(path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn list_pages_filter_sort_and_save_segments() {
    let w = world().await;
    let t = &w.t;
    let (c, csrf) = t.sign_in(&w.owner).await;

    let (s, html) = page(&c, t, "/contacts").await;
    assert_eq!(s, 200);
    for text in [
        "Contacts",
        "Ada Lovelace",
        "Cleo Patra",
        "Acme",
        "vip",
        "Customer",
        "Export CSV",
        "/static/crm_lists.js",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(
        html.contains("&#61;2+3 Evil") || html.contains("=2+3 Evil"),
        "names are shown escaped"
    );
    // The filter box applies a filter; headers sort.
    let (s, html) = page(&c, t, "/contacts?filter=tag+%3D+vip&sort=name%3Adesc").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Ada Lovelace")
            && html.contains("Cleo Patra")
            && !html.contains("Bob Builder")
    );
    assert!(
        html.find("Cleo Patra").unwrap() < html.find("Ada Lovelace").unwrap(),
        "name descending"
    );
    assert!(html.contains("aria-sort=\"descending\""));
    // Columns are chosen in the query.
    let (_, html) = page(&c, t, "/contacts?columns=name,custom.score").await;
    assert!(
        html.contains(">80<") || html.contains("80\n"),
        "custom column shown"
    );
    assert!(!html.contains("ada@acme.test"), "email column hidden");
    // A bad filter is explained, the text kept.
    let (s, html) = page(&c, t, "/contacts?filter=nonsense+%3D+1").await;
    assert_eq!(s, 422);
    assert!(
        html.contains("unknown field `nonsense` at column 1"),
        "{html}"
    );
    assert!(html.contains("nonsense = 1"));
    // Companies and deals lists.
    let (s, html) = page(&c, t, "/companies").await;
    assert_eq!(s, 200);
    assert!(html.contains("Acme") && html.contains("Software") && html.contains("Globex"));
    let (s, html) = page(&c, t, "/deals/list?sort=amount%3Adesc").await;
    assert_eq!(s, 200);
    assert!(html.contains("50000.00 EUR") && html.contains("Proposal"));

    // Save the current filter as a private segment; it shows in the sidebar and applies.
    let res = c
        .post(t.url("/segments"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("object_type", "contact"),
            ("name", "Key accounts"),
            ("filter", "tag = vip"),
            ("sort", "name:asc"),
            ("columns", "name,email,tags"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/contacts?segment="), "{to}");
    let (_, html) = page(&c, t, &to).await;
    assert!(html.contains("Segment saved."));
    assert!(html.contains("Key accounts") && html.contains("Private"));
    assert!(html.contains("Ada Lovelace") && !html.contains("Bob Builder"));
    let seg_id = to.trim_start_matches("/contacts?segment=").to_owned();
    // A colleague does not see a private segment.
    let peer = t.add_member(w.owner.org_id, Role::Agent).await;
    let (pc, _) = t.sign_in(&peer).await;
    let (_, html) = page(&pc, t, "/contacts").await;
    assert!(!html.contains("Key accounts"));
    assert!(!html.contains("Export CSV"), "agents cannot export");
    let (s, _) = page(&pc, t, &to).await;
    assert_eq!(s, 404);
    // A nameless segment is refused with a message.
    let res = c
        .post(t.url("/segments"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("object_type", "contact"),
            ("name", ""),
            ("filter", "tag = vip"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, html) = page(&c, t, res.headers()["location"].to_str().unwrap()).await;
    assert!(html.contains("The segment was not saved"));
    // Delete it.
    let res = c
        .post(t.url(&format!("/segments/{seg_id}/delete")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, html) = page(&c, t, "/contacts").await;
    assert!(html.contains("Segment deleted.") && !html.contains("Key accounts"));
}

#[tokio::test]
async fn an_empty_list_invites_the_first_contact() {
    let t = rapport_testkit::spawn_app().await;
    let owner = t.create_org_with("Empty", Role::Owner).await;
    let (c, _) = t.sign_in(&owner).await;
    let (s, html) = page(&c, &t, "/contacts").await;
    assert_eq!(s, 200);
    assert!(html.contains("No contacts yet") && html.contains("href=\"/contacts/new\""));
    let (_, html) = page(&c, &t, "/contacts?filter=tag+%3D+x").await;
    assert!(html.contains("Nothing matches"));
}
