//! Concurrent writers on one database: use cases that read before they write (role changes,
//! audit appends) must all succeed, not fail with "database is locked" on SQLite.

use rapport_domain::Role;
use rapport_testkit::spawn_app;
use serde_json::json;

#[tokio::test]
async fn concurrent_read_then_write_use_cases_all_succeed() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Busy Org", Role::Owner).await;
    let mut members = Vec::new();
    for _ in 0..12 {
        members.push(t.add_member(owner.org_id, Role::Agent).await);
    }
    let (c, csrf) = t.sign_in(&owner).await;
    let mut tasks = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let (c, csrf) = (c.clone(), csrf.clone());
        let url = t.url(&format!("/api/v1/users/{}", m.id));
        let role = if i % 2 == 0 { "viewer" } else { "admin" };
        tasks.push(tokio::spawn(async move {
            c.patch(url)
                .header("x-csrf-token", csrf)
                .json(&json!({ "role": role }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(
            task.await.unwrap(),
            200,
            "every concurrent role change succeeds"
        );
    }
    let report = t.app.verify_audit().await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
