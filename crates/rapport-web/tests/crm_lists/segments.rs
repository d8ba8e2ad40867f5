//! Saved segments: private to their owner or shared with the org, used by lists.

use super::{api, world};
use rapport_domain::Role;
use serde_json::{Value, json};

async fn send(
    c: &reqwest::Client,
    t: &rapport_testkit::TestApp,
    csrf: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = c
        .request(method, t.url(&format!("/api/v1{path}")))
        .header("x-csrf-token", csrf);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn names(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn private_segments_stay_private_shared_ones_are_seen_by_all() {
    let w = world().await;
    let t = &w.t;
    let (agent, agent_csrf) = t.sign_in(&w.agent).await;
    let other = t.add_member(w.owner.org_id, Role::Agent).await;
    let (peer, peer_csrf) = t.sign_in(&other).await;
    let (owner, owner_csrf) = t.sign_in(&w.owner).await;
    use reqwest::Method as M;

    let (s, private) = send(
        &agent,
        t,
        &agent_csrf,
        M::POST,
        "/segments",
        Some(json!({"name": "My customers", "object_type": "contact",
                    "filter": "lifecycle_stage = customer AND owner = me",
                    "columns": ["name", "email", "custom.score"], "sort": "-name"})),
    )
    .await;
    assert_eq!(s, 201, "{private}");
    assert_eq!(private["shared"], false);
    assert_eq!(private["sort"], "name:desc");
    assert_eq!(private["columns"], json!(["name", "email", "custom.score"]));
    let (s, shared) = send(
        &agent,
        t,
        &agent_csrf,
        M::POST,
        "/segments",
        Some(json!({"name": "VIPs", "object_type": "contact", "filter": "tag = vip", "shared": true})),
    )
    .await;
    assert_eq!(s, 201, "{shared}");
    let (p_id, s_id) = (
        private["id"].as_str().unwrap().to_owned(),
        shared["id"].as_str().unwrap().to_owned(),
    );

    // The owner of the segments sees both; a colleague only the shared one.
    let (_, mine) = api(&agent, t, "/segments?object_type=contact").await;
    assert_eq!(names(&mine), ["My customers", "VIPs"]);
    let (_, theirs) = api(&peer, t, "/segments").await;
    assert_eq!(names(&theirs), ["VIPs"]);
    let (s, _) = api(&peer, t, &format!("/segments/{p_id}")).await;
    assert_eq!(s, 404);
    let (s, _) = api(&peer, t, &format!("/contacts?segment={p_id}")).await;
    assert_eq!(s, 404);
    let (_, none) = api(&peer, t, "/segments?object_type=deal").await;
    assert_eq!(none["items"], json!([]));

    // Lists apply a segment's filter ("me" is whoever looks) and its sort.
    let (_, page) = api(&agent, t, &format!("/contacts?segment={p_id}")).await;
    assert_eq!(names(&page), ["Cleo Patra"]);
    let (_, page) = api(&peer, t, &format!("/contacts?segment={s_id}")).await;
    assert_eq!(names(&page), ["Ada Lovelace", "Cleo Patra"]);
    let (_, page) = api(
        &peer,
        t,
        &format!("/contacts?segment={s_id}&filter=owner%20%3D%20me"),
    )
    .await;
    assert_eq!(page["items"], json!([]), "segment AND typed filter");

    // Only the owner changes a segment; a colleague may not, even a shared one.
    let (s, body) = send(
        &peer,
        t,
        &peer_csrf,
        M::PATCH,
        &format!("/segments/{s_id}"),
        Some(json!({"name": "Mine now"})),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    let (s, _) = send(
        &peer,
        t,
        &peer_csrf,
        M::DELETE,
        &format!("/segments/{s_id}"),
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = send(
        &peer,
        t,
        &peer_csrf,
        M::DELETE,
        &format!("/segments/{p_id}"),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, body) = send(
        &agent,
        t,
        &agent_csrf,
        M::PATCH,
        &format!("/segments/{p_id}"),
        Some(json!({"shared": true, "filter": "custom.score > 10"})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["name"], "My customers");
    assert_eq!(body["shared"], true);
    let (s, body) = send(
        &agent,
        t,
        &agent_csrf,
        M::PATCH,
        &format!("/segments/{p_id}"),
        Some(json!({"filter": "custom.score > x"})),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(body["code"], "invalid_filter");
    let (_, kept) = api(&agent, t, &format!("/segments/{p_id}")).await;
    assert_eq!(
        kept["filter"], "custom.score > 10",
        "a refused change keeps the old filter"
    );
    let (_, theirs) = api(&peer, t, "/segments").await;
    assert_eq!(names(&theirs), ["My customers", "VIPs"]);

    // Someone who manages settings may tidy up shared segments.
    let (s, _) = send(
        &owner,
        t,
        &owner_csrf,
        M::DELETE,
        &format!("/segments/{s_id}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, _) = api(&agent, t, &format!("/segments/{s_id}")).await;
    assert_eq!(s, 404);

    // Validation names the fields.
    let (s, body) = send(
        &agent,
        t,
        &agent_csrf,
        M::POST,
        "/segments",
        Some(json!({"name": " ", "object_type": "ticket"})),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["field"], "object_type");
    let (s, body) = send(&agent, t, &agent_csrf, M::POST, "/segments", Some(json!({"name": "", "object_type": "deal", "sort": "bogus", "columns": ["Robert'); DROP"]}))).await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "columns", "sort"]);
}
