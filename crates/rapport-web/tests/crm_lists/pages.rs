//! Keyset pagination, CSV export and tenant isolation of the lists.

use super::seed::{C, Seed, base};
use super::{api, world};
use chrono::Duration;
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use serde_json::{Value, json};
use std::collections::HashSet;

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_never_skip_or_repeat_rows_in_any_sort_order() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Pager", Role::Owner).await;
    let s = Seed {
        db: t.app.db(),
        org: owner.org_id.as_uuid(),
    };
    const FIRST: [&str; 4] = ["Kim", "Lee", "Max", "Kim"];
    const TITLES: [Option<&str>; 3] = [None, Some("Engineer"), Some("Manager")];
    for i in 0..23i64 {
        // Five rows share each creation time; names, titles and emails repeat too.
        s.contact(C {
            first: FIRST[(i % 4) as usize],
            last: "Same",
            title: TITLES[(i % 3) as usize],
            email: None,
            at: base() + Duration::seconds(i / 5),
            ..C::default()
        })
        .await;
    }
    let (c, _) = t.sign_in(&owner).await;
    for sort in [
        "",
        "created_at:asc",
        "name",
        "-name",
        "title",
        "title:desc",
        "email",
        "updated_at",
        "-lifecycle_stage",
    ] {
        let (status, all) = api(&c, &t, &format!("/contacts?limit=200&sort={sort}")).await;
        assert_eq!(status, 200, "{sort}: {all}");
        let want = ids(&all);
        assert_eq!(want.len(), 23);
        assert!(all["next_cursor"].is_null());
        let mut got = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut q = vec![("limit", "4".to_owned()), ("sort", sort.to_owned())];
            if let Some(cur) = &cursor {
                q.push(("cursor", cur.clone()));
            }
            let q = serde_urlencoded::to_string(&q).unwrap();
            let (status, page) = api(&c, &t, &format!("/contacts?{q}")).await;
            assert_eq!(status, 200, "{sort}: {page}");
            got.extend(ids(&page));
            pages += 1;
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 6, "{sort}");
        assert_eq!(got, want, "{sort}: paging matches one big page");
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), 23);
    }
    // Newest first by default, oldest first when asked.
    let (_, page) = api(&c, &t, "/contacts?limit=200").await;
    let times: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    // A cursor made for another sort order is refused.
    let (_, page) = api(&c, &t, "/contacts?limit=2&sort=name").await;
    let cur = page["next_cursor"].as_str().unwrap();
    let (s, body) = api(
        &c,
        &t,
        &format!("/contacts?limit=2&sort=title&cursor={cur}"),
    )
    .await;
    assert_eq!(s, 422, "{body}");
}

#[tokio::test]
async fn csv_export_has_every_matching_row_with_custom_columns_and_defused_formulas() {
    let w = world().await;
    let t = &w.t;
    let (c, _) = t.sign_in(&w.owner).await;
    let res = c
        .get(t.url("/api/v1/contacts/export.csv?filter=tag%20%3D%20vip&sort=name"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("contacts.csv")
    );
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("id,name,first_name,last_name,email,phone,title,company,owner,lifecycle_stage,source,tags,created_at,updated_at,custom.active,custom.langs,custom.nickname,custom.plan,custom.renewal,custom.revenue,custom.score"), "{}", lines[0]);
    assert!(
        lines[1].contains(
            ",Ada Lovelace,Ada,Lovelace,ada@acme.test,,CTO,Acme,Test Person,customer,,vip,"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(",true,en; fr,'@countess,pro,2026-06-01,1500.00,80"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",Cleo Patra,"), "{}", lines[2]);

    // Everything, newest first; a name a spreadsheet would run as a formula is defused.
    let text = c
        .get(t.url("/api/v1/contacts/export.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text.lines().count(), 6);
    assert!(text.contains(",'=2+3 Evil,'=2+3,Evil,"), "{text}");
    assert!(!text.contains(",=2+3"));

    let deals = c
        .get(t.url("/api/v1/deals/export.csv?sort=amount:desc"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first = deals.lines().nth(1).unwrap();
    assert!(
        first.contains(",Won renewal,50000.00,EUR,Sales,Proposal,won,"),
        "{deals}"
    );
    let companies = c
        .get(t.url("/api/v1/companies/export.csv?filter=name%20%3D%20Acme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        companies
            .lines()
            .nth(1)
            .unwrap()
            .contains(",Acme,,Software,"),
        "{companies}"
    );
    assert!(companies.lines().next().unwrap().ends_with(",custom.tier"));

    // Agents may read lists but not export them.
    let (agent, _) = t.sign_in(&w.agent).await;
    let (s, body) = api(&agent, t, "/contacts/export.csv").await;
    assert_eq!(s, 403);
    assert_eq!(body["code"], "forbidden");
    let (s, _) = api(&agent, t, "/contacts").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn another_org_sees_none_of_the_rows_segments_or_related_ids() {
    let w = world().await;
    let t = &w.t;
    let (a, csrf) = t.sign_in(&w.owner).await;
    let seg: Value = a
        .post(t.url("/api/v1/segments"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "Shared VIPs", "object_type": "contact", "filter": "tag = vip", "shared": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seg_id = seg["id"].as_str().unwrap().to_owned();

    let other = t.create_org_with("Elsewhere", Role::Owner).await;
    let (b, _) = t.sign_in(&other).await;
    for path in ["/contacts?limit=200", "/companies", "/deals"] {
        let (s, body) = api(&b, t, path).await;
        assert_eq!(s, 200);
        assert_eq!(body["items"], json!([]), "{path}");
    }
    let (_, body) = api(
        &b,
        t,
        &format!("/contacts?filter=company%20%3D%20{}", w.acme),
    )
    .await;
    assert_eq!(body["items"], json!([]));
    for path in [
        format!("/segments/{seg_id}"),
        format!("/contacts?segment={seg_id}"),
        format!("/contacts/export.csv?segment={seg_id}"),
    ] {
        let (s, body) = api(&b, t, &path).await;
        assert_eq!(s, 404, "{path}: {body}");
    }
    let (_, body) = api(&b, t, "/segments").await;
    assert_eq!(body["items"], json!([]));
    // B's export holds only the header.
    let text = b
        .get(t.url("/api/v1/contacts/export.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    // A custom field of A's org is unknown in B's.
    let (s, body) = api(&b, t, "/contacts?filter=custom.score%20%3E%201").await;
    assert_eq!(s, 422);
    assert_eq!(body["code"], "invalid_filter");
}
