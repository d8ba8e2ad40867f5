//! C7 — the audit log is tamper-evident: editing a past entry, deleting one from the middle
//! or deleting the newest one, with nothing but database access, is found by verification,
//! which names the org, the position and the entry. (`tests/cli.rs` of the `rapport` crate
//! proves the same through `rapport admin verify-audit`.)

use super::{Browser, execute, query};
use rapport_app::audit::AuditProblem;
use rapport_domain::{OrgId, Role};
use rapport_testkit::{TestApp, spawn_app};
use reqwest::Method;
use sea_orm::Value as SqlValue;
use serde_json::json;

/// An org with at least `n` audit entries (sign-in, then teams created).
async fn org_with_entries(t: &TestApp, name: &str, n: usize) -> OrgId {
    let owner = t.create_org_with(name, Role::Owner).await;
    let b = Browser::sign_in(t, &owner).await;
    for i in 1..n {
        b.api_ok(
            t,
            Method::POST,
            "/teams",
            Some(json!({ "name": format!("Team {i}") })),
        )
        .await;
    }
    owner.org_id
}

/// The id of the entry at `seq` in `org`'s chain.
async fn entry_id(t: &TestApp, org: OrgId, seq: i64) -> String {
    let rows = query(
        t,
        "SELECT id FROM audit_log WHERE org_id = $1 AND seq = $2",
        vec![SqlValue::from(org.as_uuid()), seq.into()],
    )
    .await;
    rows[0]
        .try_get_by_index::<uuid::Uuid>(0)
        .unwrap()
        .to_string()
}

async fn problems_of(t: &TestApp, org: OrgId) -> Vec<AuditProblem> {
    t.app
        .verify_audit()
        .await
        .unwrap()
        .problems
        .into_iter()
        .filter(|p| p.org_id == org)
        .collect()
}

#[tokio::test]
async fn pp_c7_editing_an_audit_row_is_detected() {
    let t = spawn_app().await;
    let edited = org_with_entries(&t, "Edited Org", 4).await;
    let relabelled = org_with_entries(&t, "Relabelled Org", 3).await;
    let gap = org_with_entries(&t, "Gap Org", 4).await;
    let cut = org_with_entries(&t, "Cut Org", 3).await;
    let intact = org_with_entries(&t, "Intact Org", 3).await;

    let report = t.app.verify_audit().await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.orgs, 5);
    assert!(report.entries >= 17, "{}", report.entries);

    // An edited detail.
    let id = entry_id(&t, edited, 2).await;
    let n = execute(
        &t,
        "UPDATE audit_log SET details = $1 WHERE org_id = $2 AND seq = 2",
        vec![
            r#"{"name":"Nothing to see"}"#.into(),
            SqlValue::from(edited.as_uuid()),
        ],
    )
    .await;
    assert_eq!(n, 1);
    let found = problems_of(&t, edited).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].seq, found[0].entry_id.as_deref()),
        (2, Some(id.as_str()))
    );
    assert!(found[0].problem.contains("changed"), "{}", found[0]);
    let shown = found[0].to_string();
    assert!(
        shown.contains(&edited.to_string()) && shown.contains(&id) && shown.contains("#2"),
        "the report names org, position and entry: {shown}"
    );

    // A different actor.
    let id = entry_id(&t, relabelled, 1).await;
    execute(
        &t,
        "UPDATE audit_log SET actor_label = $1 WHERE org_id = $2 AND seq = 1",
        vec![
            "someone-else@example.test".into(),
            SqlValue::from(relabelled.as_uuid()),
        ],
    )
    .await;
    let found = problems_of(&t, relabelled).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].entry_id.as_deref(), Some(id.as_str()));

    // An entry deleted from the middle.
    let n = execute(
        &t,
        "DELETE FROM audit_log WHERE org_id = $1 AND seq = 2",
        vec![SqlValue::from(gap.as_uuid())],
    )
    .await;
    assert_eq!(n, 1);
    let found = problems_of(&t, gap).await;
    assert!(
        found
            .iter()
            .any(|p| p.seq == 2 && p.problem.contains("missing")),
        "{found:?}"
    );
    let next = entry_id(&t, gap, 3).await;
    assert!(
        found
            .iter()
            .any(|p| p.entry_id.as_deref() == Some(next.as_str()) && p.problem.contains("link")),
        "the entry after the gap no longer links: {found:?}"
    );

    // The newest entry deleted (the head remembers it).
    let last = query(
        &t,
        "SELECT MAX(seq) FROM audit_log WHERE org_id = $1",
        vec![SqlValue::from(cut.as_uuid())],
    )
    .await[0]
        .try_get_by_index::<i64>(0)
        .unwrap();
    execute(
        &t,
        "DELETE FROM audit_log WHERE org_id = $1 AND seq = $2",
        vec![SqlValue::from(cut.as_uuid()), last.into()],
    )
    .await;
    let found = problems_of(&t, cut).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].seq, last);
    assert!(found[0].problem.contains("deleted"), "{}", found[0]);

    assert!(
        problems_of(&t, intact).await.is_empty(),
        "an untouched org verifies"
    );
    let report = t.app.verify_audit().await.unwrap();
    assert!(report.problems.len() >= 5);
}
