//! The wizard and the duplicates/merge pages, as a browser sees them.

use super::Api;
use serde_json::json;

async fn page(a: &Api, path: &str) -> (u16, String) {
    let res = a.get(path).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn form(a: &Api, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut pairs: Vec<(&str, &str)> = vec![("_csrf", a.csrf.as_str())];
    pairs.extend_from_slice(fields);
    a.c.post(a.t.url(path)).form(&pairs).send().await.unwrap()
}

#[tokio::test]
async fn the_wizard_maps_previews_refuses_then_imports() {
    let a = Api::new().await;
    let (status, html) = page(&a, "/contacts/import").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Upload and preview") && html.contains("crm_import.js"),
        "{html}"
    );

    let view = a
        .upload_ok(
            "team.csv",
            "Full Name,Mail,Phone\nAda Lovelace,ada@example.com,+1 415 555 0132\nBad Row,nope,\n",
        )
        .await;
    let id = view["id"].as_str().unwrap();
    let (status, html) = page(&a, &format!("/contacts/import/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Map the columns of team.csv"), "{html}");
    assert!(html.contains("<option value=\"name\" selected>Full name (split in two)</option>"));
    assert!(html.contains("Ada Lovelace") && html.contains("+14155550132"));
    assert!(html.contains("1 problems in 1 rows"), "{html}");
    assert!(
        html.contains("Mail") && html.contains("the domain must look like example.com")
            || html.contains("an address needs an @")
    );

    // Map the phone column away: the preview follows.
    let res = form(
        &a,
        &format!("/contacts/import/{id}"),
        &[
            ("map_0", "name"),
            ("map_1", "email"),
            ("map_2", "ignore"),
            ("action", "preview"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("+14155550132"),
        "the phone column is ignored now"
    );

    // Run without skipping: refused, nothing written.
    let res = form(
        &a,
        &format!("/contacts/import/{id}"),
        &[
            ("map_0", "name"),
            ("map_1", "email"),
            ("map_2", "phone"),
            ("action", "run"),
            ("on_duplicate", "update"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Nothing was imported: 1 rows have errors"),
        "{html}"
    );
    assert_eq!(a.contacts().await, 0);

    // Run skipping the invalid row: the result page.
    let res = form(
        &a,
        &format!("/contacts/import/{id}"),
        &[
            ("map_0", "name"),
            ("map_1", "email"),
            ("map_2", "phone"),
            ("action", "run"),
            ("skip_invalid", "1"),
            ("on_duplicate", "update"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&a, &format!("/contacts/import/{id}")).await;
    assert!(html.contains("Import finished"), "{html}");
    assert!(html.contains("team.csv was imported"));
    assert!(html.contains("Download the error report"));
    assert_eq!(a.contacts().await, 1);
}

#[tokio::test]
async fn duplicates_page_links_to_a_merge_screen_that_merges() {
    let a = Api::new().await;
    let view = a.upload_ok("d.csv", "Name,Email,Company,Title\nZoë Ŝmith,z1@example.com,Acme,CEO\nzoe smith,z2@example.com,Acme,\n").await;
    a.run(view["id"].as_str().unwrap(), json!({})).await;
    let (status, html) = page(&a, "/contacts/duplicates").await;
    assert_eq!(status, 200);
    assert!(html.contains("Same name at Acme"), "{html}");
    let link = html
        .split("href=\"/contacts/merge?")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let (status, html) = page(&a, &format!("/contacts/merge?{link}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Merge contacts") && html.contains("z1@example.com, z2@example.com"),
        "{html}"
    );
    let q: Vec<(String, String)> = serde_urlencoded::from_str(&link).unwrap();
    let res = form(
        &a,
        "/contacts/merge",
        &[
            ("survivor", &q[0].1),
            ("merged", &q[1].1),
            ("f.title", "survivor"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/contacts/duplicates");
    let (_, html) = page(&a, "/contacts/duplicates").await;
    assert!(
        html.contains("The contacts were merged.") && html.contains("No duplicates found"),
        "{html}"
    );
    assert_eq!(a.contacts().await, 1);
    assert_eq!(
        a.contact_field("z2@example.com", "title").await.as_deref(),
        Some("CEO")
    );
    let (status, _) = page(&a, "/contacts/merge?a=x&b=y").await;
    assert_eq!(status, 404);
}
