//! Moving deals: history, won/lost status and reopening, board order, stage deletion, the
//! timeline of the deal, its company and contacts, and concurrent moves of one deal.

use super::{count, deal, owner, sales, seed_company, seed_contact, stage};
use crate::privacy::query;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn moves_record_history_close_won_and_lost_deals_and_reopen_them() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Mover Org").await;
    let (_, stages) = sales(&t, &b).await;
    let company = seed_company(&t, org, "Globex").await;
    let contact = seed_contact(&t, org, "Hank", "Scorpio").await;
    let d = deal(
        &t,
        &b,
        json!({ "title": "Doomsday device", "amount_minor": 99_900,
                                   "company_id": company, "contact_ids": [contact] }),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_owned();
    let mv = |stage_id: String, extra: Value| {
        let mut body = json!({ "stage_id": stage_id });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };

    let moved = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/deals/{id}/move"),
            Some(mv(stage(&stages, "Proposal"), json!({}))),
        )
        .await;
    assert_eq!(moved["stage"], "Proposal");
    assert_eq!(moved["status"], "open");

    let lost = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/deals/{id}/move"),
            Some(mv(
                stage(&stages, "Lost"),
                json!({ "lost_reason": "Went with a competitor" }),
            )),
        )
        .await;
    assert_eq!(lost["status"], "lost");
    assert_eq!(lost["lost_reason"], "Went with a competitor");
    assert!(lost["closed_at"].is_string());

    let reopened = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/deals/{id}/move"),
            Some(mv(stage(&stages, "Negotiation"), json!({}))),
        )
        .await;
    assert_eq!(reopened["status"], "open");
    assert!(reopened["closed_at"].is_null());
    assert!(reopened["lost_reason"].is_null());

    let won = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/deals/{id}/move"),
            Some(mv(
                stage(&stages, "Won"),
                json!({ "lost_reason": "ignored" }),
            )),
        )
        .await;
    assert_eq!(won["status"], "won");
    assert!(
        won["lost_reason"].is_null(),
        "a reason belongs to lost deals only"
    );

    let history = b
        .api_ok(&t, Method::GET, &format!("/deals/{id}/history"), None)
        .await;
    let chain: Vec<(Value, Value)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from_stage_id"].clone(), h["to_stage_id"].clone()))
        .collect();
    let s = |n: &str| json!(stage(&stages, n));
    assert_eq!(
        chain,
        vec![
            (Value::Null, s("Qualification")),
            (s("Qualification"), s("Proposal")),
            (s("Proposal"), s("Lost")),
            (s("Lost"), s("Negotiation")),
            (s("Negotiation"), s("Won")),
        ]
    );
    // The move shows on the deal's, the company's and the contact's timelines.
    for record in [id.clone(), company.clone(), contact.clone()] {
        let rows = query(
            &t,
            "SELECT kind, data FROM activities WHERE org_id = $1 AND record_id = $2 ORDER BY occurred_at, id",
            vec![org.as_uuid().into(), record.parse::<uuid::Uuid>().unwrap().into()],
        )
        .await;
        let kinds: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "kind").unwrap())
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| *k == "deal.stage_changed").count(),
            4,
            "{record}: {kinds:?}"
        );
        assert_eq!(kinds[0], "deal.created");
        let last: Value = rows.last().unwrap().try_get("", "data").unwrap();
        assert_eq!(last["to"], "Won");
        assert_eq!(last["from"], "Negotiation");
    }
    let events = query(
        &t,
        "SELECT COUNT(*) AS n FROM outbox_events WHERE org_id = $1 AND kind = 'deal.stage_changed'",
        vec![org.as_uuid().into()],
    )
    .await;
    assert_eq!(events[0].try_get::<i64>("", "n").unwrap(), 4);
}

#[tokio::test]
async fn cards_are_placed_before_or_after_their_neighbours() {
    let t = spawn_app().await;
    let (b, _) = owner(&t, "Order Org").await;
    let (_, stages) = sales(&t, &b).await;
    let mut ids = Vec::new();
    for title in ["First", "Second", "Third"] {
        ids.push(
            deal(&t, &b, json!({ "title": title })).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let q = stage(&stages, "Qualification");
    let order = |html: &str| -> Vec<String> {
        html.split("data-deal-id=\"")
            .skip(1)
            .map(|s| s[..36].to_owned())
            .collect()
    };
    let (_, page) = b.get(&t, "/deals").await;
    assert_eq!(order(&page), ids);
    b.api_ok(
        &t,
        Method::POST,
        &format!("/deals/{}/move", ids[2]),
        Some(json!({ "stage_id": q, "before_id": ids[0] })),
    )
    .await;
    b.api_ok(
        &t,
        Method::POST,
        &format!("/deals/{}/move", ids[0]),
        Some(json!({ "stage_id": q, "after_id": ids[1] })),
    )
    .await;
    let (_, page) = b.get(&t, "/deals").await;
    assert_eq!(
        order(&page),
        vec![ids[2].clone(), ids[1].clone(), ids[0].clone()]
    );
    // Dropping cards into the same ever-smaller gap runs out of float precision; the column
    // is spread out again and the order stays exact.
    for i in 0..70 {
        let card = &ids[i % 2];
        b.api_ok(
            &t,
            Method::POST,
            &format!("/deals/{card}/move"),
            Some(json!({ "stage_id": q, "after_id": ids[2] })),
        )
        .await;
    }
    let (_, page) = b.get(&t, "/deals").await;
    assert_eq!(
        order(&page),
        vec![ids[2].clone(), ids[1].clone(), ids[0].clone()]
    );
    let history = b
        .api_ok(&t, Method::GET, &format!("/deals/{}/history", ids[0]), None)
        .await;
    assert_eq!(
        history["items"].as_array().unwrap().len(),
        1,
        "reordering is not a stage change"
    );
}

#[tokio::test]
async fn a_stage_with_deals_is_deleted_only_by_moving_them() {
    let t = spawn_app().await;
    let (b, org) = owner(&t, "Stage Delete Org").await;
    let (pid, stages) = sales(&t, &b).await;
    let proposal = stage(&stages, "Proposal");
    let d = deal(&t, &b, json!({ "title": "Parked", "stage_id": proposal })).await;
    let id = d["id"].as_str().unwrap().to_owned();
    let path = format!("/pipelines/{pid}/stages/{proposal}");

    let res = b.api(&t, Method::DELETE, &path, None).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "move_deals_to");
    let res = b
        .api(
            &t,
            Method::DELETE,
            &format!("{path}?move_deals_to={proposal}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 422, "not into itself");
    let other = b
        .api_ok(
            &t,
            Method::POST,
            "/pipelines",
            Some(json!({ "name": "Other" })),
        )
        .await;
    let foreign = other["stages"][0]["id"].as_str().unwrap();
    let res = b
        .api(
            &t,
            Method::DELETE,
            &format!("{path}?move_deals_to={foreign}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 422, "not into another pipeline");
    assert_eq!(
        count(&t, "pipeline_stages", org).await,
        12,
        "nothing was deleted"
    );

    let lost = stage(&stages, "Lost");
    let res = b
        .api(
            &t,
            Method::DELETE,
            &format!("{path}?move_deals_to={lost}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    let got = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/deals/{id}?include=history"),
            None,
        )
        .await;
    assert_eq!(got["stage_id"], lost);
    assert_eq!(got["status"], "lost");
    assert_eq!(got["history"][1]["from_stage_id"], proposal);
    let p = b
        .api_ok(&t, Method::GET, &format!("/pipelines/{pid}"), None)
        .await;
    let names: Vec<&str> = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Qualification",
            "Needs analysis",
            "Negotiation",
            "Won",
            "Lost"
        ]
    );
    let res = b
        .api(
            &t,
            Method::DELETE,
            &format!("/pipelines/{pid}/stages/{}", stage(&stages, "Won")),
            None,
        )
        .await;
    assert_eq!(res.status(), 204, "an empty stage goes without question");
}

#[tokio::test]
async fn concurrent_moves_of_one_deal_leave_one_unbroken_history() {
    let t = spawn_app().await;
    let (b, _) = owner(&t, "Race Org").await;
    let (_, stages) = sales(&t, &b).await;
    let id = deal(&t, &b, json!({ "title": "Contested" })).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let target = stages[(i % 5) + 1].1.clone();
        let (client, csrf) = (b.client.clone(), b.csrf.clone());
        let url = t.url(&format!("/api/v1/deals/{id}/move"));
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("x-csrf-token", csrf)
                .json(&json!({ "stage_id": target }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200, "every move succeeds");
    }
    let got = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/deals/{id}?include=history"),
            None,
        )
        .await;
    let history = got["history"].as_array().unwrap();
    assert!(history.len() >= 2);
    for pair in history.windows(2) {
        assert_eq!(
            pair[1]["from_stage_id"], pair[0]["to_stage_id"],
            "each move starts where the last ended: {history:?}"
        );
        assert_ne!(pair[1]["from_stage_id"], pair[1]["to_stage_id"]);
    }
    assert_eq!(history.last().unwrap()["to_stage_id"], got["stage_id"]);
}
