//! Teams, org settings, the access review and the audit log.

use super::{get, ids_after, invite, post, post_ok};
use rapport_domain::Role;
use rapport_testkit::spawn_app;

#[tokio::test]
async fn teams_are_created_renamed_staffed_and_deleted() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let (c, csrf) = t.sign_in(&owner).await;

    let (status, html) = get(&c, &t, "/admin/teams").await;
    assert_eq!(status, 200);
    assert!(html.contains("No teams yet"));

    let res = post(&c, &t, "/admin/teams", &[("_csrf", &csrf), ("name", "  ")]).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Name: this field is required.")
    );

    let owner_id = owner.id.to_string();
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Billing"),
        ("description", "Invoices and refunds"),
        ("members", owner_id.as_str()),
    ];
    let html = post_ok(&c, &t, "/admin/teams", &form, "/admin/teams").await;
    assert!(html.contains("Billing") && html.contains("Invoices and refunds"));
    let team = ids_after(&html, "id=\"team-title-").pop().unwrap();
    assert_eq!(
        post(&c, &t, "/admin/teams", &form).await.status(),
        409,
        "names are unique"
    );

    let members = format!("/admin/teams/{team}/members");
    let agent_id = agent.id.to_string();
    let add = [
        ("_csrf", csrf.as_str()),
        ("user", agent_id.as_str()),
        ("member", "1"),
    ];
    let html = post_ok(&c, &t, &members, &add, "/admin/teams").await;
    let card = html.split(&format!("id=\"team-{team}\"")).nth(1).unwrap();
    assert_eq!(
        card.matches("class=\"adm-chip\"").count(),
        2,
        "both on the team"
    );
    let off = [
        ("_csrf", csrf.as_str()),
        ("user", owner_id.as_str()),
        ("member", "0"),
    ];
    let html = post_ok(&c, &t, &members, &off, "/admin/teams").await;
    let card = html.split(&format!("id=\"team-{team}\"")).nth(1).unwrap();
    assert_eq!(card.matches("class=\"adm-chip\"").count(), 1);

    let rename = [
        ("_csrf", csrf.as_str()),
        ("name", "Billing & Refunds"),
        ("description", ""),
    ];
    let html = post_ok(
        &c,
        &t,
        &format!("/admin/teams/{team}"),
        &rename,
        "/admin/teams",
    )
    .await;
    assert!(html.contains("Billing &amp; Refunds") || html.contains("Billing &#38; Refunds"));

    let html = post_ok(
        &c,
        &t,
        &format!("/admin/teams/{team}/delete"),
        &[("_csrf", &csrf)],
        "/admin/teams",
    )
    .await;
    assert!(html.contains("No teams yet"));
}

#[tokio::test]
async fn org_settings_rename_and_refuse_mfa_without_a_second_factor() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let (c, csrf) = t.sign_in(&owner).await;
    let (status, html) = get(&c, &t, "/admin/settings").await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"Northwind\""));

    let html = post_ok(
        &c,
        &t,
        "/admin/settings",
        &[("_csrf", &csrf), ("name", "Northwind Traders")],
        "/admin/settings",
    )
    .await;
    assert!(
        html.contains("class=\"org-name\">Northwind Traders<"),
        "the top bar shows the new name"
    );

    let res = post(
        &c,
        &t,
        "/admin/settings",
        &[("_csrf", &csrf), ("name", ""), ("require_mfa", "on")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post(
        &c,
        &t,
        "/admin/settings",
        &[
            ("_csrf", &csrf),
            ("name", "Northwind"),
            ("require_mfa", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("two-factor authentication for your own account first"));
    assert!(html.contains("href=\"/settings/security\""));
    assert!(html.contains(">Optional<"), "nothing was saved");
}

#[tokio::test]
async fn access_review_lists_everyone_exports_csv_and_signs_off_into_the_audit_log() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let viewer = t.add_member(owner.org_id, Role::Viewer).await;
    let (c, csrf) = t.sign_in(&owner).await;

    let (status, html) = get(&c, &t, "/admin/access-review").await;
    assert_eq!(status, 200);
    for who in [&owner, &agent, &viewer] {
        assert!(html.contains(&who.email), "{} is listed", who.email);
    }
    assert!(html.contains("Never"));

    let res = c
        .get(t.url("/admin/access-review.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"access-review-{today}.csv\"")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "a header and one row per member: {csv}");
    for who in [&owner, &agent, &viewer] {
        assert_eq!(lines.iter().filter(|l| l.contains(&who.email)).count(), 1);
    }

    // Signing off needs the box ticked.
    let res = post(&c, &t, "/admin/access-review/sign-off", &[("_csrf", &csrf)]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Tick the box"));
    let signed = [("_csrf", csrf.as_str()), ("confirm", "yes")];
    let html = post_ok(
        &c,
        &t,
        "/admin/access-review/sign-off",
        &signed,
        "/admin/access-review",
    )
    .await;
    assert!(html.contains("Last signed off on") && html.contains("Test Person"));

    let (status, html) = get(&c, &t, "/admin/audit?action=access_review.").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Signed off the access review")
            && html.contains("Exported the access review")
    );
    assert!(!html.contains("Signed in"), "filtered to access reviews");
}

#[tokio::test]
async fn audit_log_filters_pages_and_exports() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let admin = t.add_member(owner.org_id, Role::Admin).await;
    let (c, csrf) = t.sign_in(&owner).await;
    let (a, a_csrf) = t.sign_in(&admin).await;
    invite(&c, &t, &csrf, "new@example.test", "viewer").await;
    post_ok(
        &a,
        &t,
        "/admin/teams",
        &[("_csrf", &a_csrf), ("name", "Ops")],
        "/admin/teams",
    )
    .await;

    let (status, html) = get(&c, &t, "/admin/audit").await;
    assert_eq!(status, 200);
    for label in ["Signed in", "Invited a member", "Created a team"] {
        assert!(html.contains(label), "{label} is listed");
    }
    let (_, html) = get(&c, &t, "/admin/audit?action=team.").await;
    assert!(html.contains("Created a team") && !html.contains("Invited a member"));
    assert!(
        html.contains("value=\"team.\" selected"),
        "the filter stays selected"
    );
    let (_, html) = get(&c, &t, &format!("/admin/audit?actor={}", admin.id)).await;
    assert!(html.contains("Created a team") && !html.contains("Invited a member"));
    let (_, html) = get(&c, &t, "/admin/audit?since=2999-01-01").await;
    assert!(html.contains("No entries match these filters"));
    let (_, html) = get(&c, &t, "/admin/audit?until=2000-01-01&action=auth.").await;
    assert!(html.contains("No entries match these filters"));

    // The export carries the same filters.
    let res = c
        .get(t.url("/admin/audit.csv?action=team."))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"audit-log-")
    );
    let csv = res.text().await.unwrap();
    assert_eq!(
        csv.lines().count(),
        2,
        "header and the one team entry: {csv}"
    );
    assert!(csv.contains("team.created"));

    // More than a page: older entries come by cursor.
    let team = ids_after(&get(&c, &t, "/admin/teams").await.1, "id=\"team-title-")
        .pop()
        .unwrap();
    let path = format!("/admin/teams/{team}/members");
    let owner_id = owner.id.to_string();
    for member in ["1", "0"].iter().cycle().take(50) {
        let form = [
            ("_csrf", csrf.as_str()),
            ("user", owner_id.as_str()),
            ("member", *member),
        ];
        assert_eq!(post(&c, &t, &path, &form).await.status(), 303);
    }
    let (_, first) = get(&c, &t, "/admin/audit?action=team.").await;
    assert_eq!(first.matches("id=\"audit-").count(), 50);
    let cursor = first
        .split("cursor=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, older) = get(
        &c,
        &t,
        &format!("/admin/audit?action=team.&cursor={cursor}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(older.contains("Created a team") && older.matches("id=\"audit-").count() >= 1);
    assert!(!older.contains("rel=\"next\""), "the last page");
}
