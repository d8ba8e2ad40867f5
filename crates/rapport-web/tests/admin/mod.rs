//! The organization administration pages end to end: members and invitations, custom roles,
//! teams, org settings, the access review and the audit log, plus who may open them (403 for
//! members without the permission, 404 for another org's ids).

mod access;
mod pages;

use rapport_app::AppConfig;
use rapport_app::mail::{SmtpConfig, SmtpSecurity};
use rapport_domain::{Role, SystemClock};
use rapport_testkit::{TestApp, spawn_app, spawn_app_with};
use std::sync::Arc;

async fn get(c: &reqwest::Client, t: &TestApp, path: &str) -> (u16, String) {
    let res = c.get(t.url(path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post(
    c: &reqwest::Client,
    t: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(t.url(path)).form(form).send().await.unwrap()
}

/// Posts and expects `303` to `to`; returns the page it leads to (with its flash).
async fn post_ok(
    c: &reqwest::Client,
    t: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    to: &str,
) -> String {
    let res = post(c, t, path, form).await;
    assert_eq!(
        res.status(),
        303,
        "POST {path}: {}",
        res.text().await.unwrap()
    );
    assert_eq!(res.headers()["location"], to);
    let (status, html) = get(c, t, to).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("alert-success"),
        "a success flash after POST {path}"
    );
    html
}

/// Every 36-character id that follows `prefix` (`id="role-`).
fn ids_after(html: &str, prefix: &str) -> Vec<String> {
    html.split(prefix)
        .skip(1)
        .map(|rest| rest.chars().take(36).collect())
        .collect()
}

/// The value of the input with `id`.
fn input_value(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[start..];
    let v = rest.find("value=\"")? + "value=\"".len();
    Some(rest[v..v + rest[v..].find('"')?].to_owned())
}

/// Invites `email` as `role` through the form (no mail configured); returns the link shown.
async fn invite(c: &reqwest::Client, t: &TestApp, csrf: &str, email: &str, role: &str) -> String {
    let res = post(
        c,
        t,
        "/admin/members/invite",
        &[("_csrf", csrf), ("email", email), ("role", role)],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("data-testid=\"invite-link\""), "{html}");
    input_value(&html, "invite-link").expect("the link is shown to copy")
}

#[tokio::test]
async fn invitation_link_is_shown_once_and_previews_the_invitation() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let (c, csrf) = t.sign_in(&owner).await;

    // A bad address comes back in the form with the field marked.
    let res = post(
        &c,
        &t,
        "/admin/members/invite",
        &[
            ("_csrf", &csrf),
            ("email", "not-an-email"),
            ("role", "agent"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("alert-error") && html.contains("value=\"not-an-email\""));
    assert!(
        html.contains("adm-grow has-error"),
        "the email field is marked"
    );

    let link = invite(&c, &t, &csrf, "grace@example.test", "agent").await;
    let public = t.app.config().public_url.clone();
    assert!(
        link.starts_with(&format!("{public}/invite/")),
        "{link} starts with {public}"
    );
    let token = link.rsplit('/').next().unwrap();
    let preview = t.app.preview_invitation(token).await.unwrap();
    assert_eq!(preview.email, "grace@example.test");
    assert_eq!(preview.role, Role::Agent);
    assert_eq!(preview.org_name, "Northwind");

    // Shown once: the members page lists the invitation but never the link again.
    let (status, html) = get(&c, &t, "/admin/members").await;
    assert_eq!(status, 200);
    assert!(html.contains("grace@example.test") && !html.contains(token));
    let invitation = ids_after(&html, "id=\"invitation-")
        .pop()
        .expect("listed as open");

    // Inviting a member again is refused in the page.
    let res = post(
        &c,
        &t,
        "/admin/members/invite",
        &[("_csrf", &csrf), ("email", &owner.email), ("role", "agent")],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("already a member"));

    // Revoking kills the link.
    let html = post_ok(
        &c,
        &t,
        &format!("/admin/invitations/{invitation}/revoke"),
        &[("_csrf", &csrf)],
        "/admin/members",
    )
    .await;
    assert!(!html.contains("grace@example.test") && html.contains("No open invitations"));
    assert!(t.app.preview_invitation(token).await.is_err());
}

#[tokio::test]
async fn with_mail_configured_the_invitation_is_sent_not_shown() {
    let config = AppConfig {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Rapport <no-reply@example.test>".into(),
        }),
        ..AppConfig::default()
    };
    let t = spawn_app_with(config, Arc::new(SystemClock)).await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let (c, csrf) = t.sign_in(&owner).await;
    let html = post_ok(
        &c,
        &t,
        "/admin/members/invite",
        &[
            ("_csrf", &csrf),
            ("email", "ada@example.test"),
            ("role", "viewer"),
        ],
        "/admin/members",
    )
    .await;
    assert!(html.contains("Invitation sent by email."));
    assert!(html.contains("ada@example.test") && !html.contains("/invite/"));
}

#[tokio::test]
async fn admins_change_roles_and_remove_members() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let (c, csrf) = t.sign_in(&owner).await;

    let (_, html) = get(&c, &t, "/admin/members").await;
    assert!(html.contains(&agent.email) && html.contains(&owner.email));
    let path = format!("/admin/members/{}/role", agent.id);
    let html = post_ok(
        &c,
        &t,
        &path,
        &[("_csrf", &csrf), ("role", "admin"), ("custom_role", "")],
        "/admin/members",
    )
    .await;
    assert!(html.contains("The member’s role was changed."));
    let (agent_client, _) = t.sign_in(&agent).await;
    assert_eq!(
        get(&agent_client, &t, "/admin/members").await.0,
        200,
        "now an admin"
    );

    // The last owner cannot step down.
    let own = format!("/admin/members/{}/role", owner.id);
    let res = post(&c, &t, &own, &[("_csrf", &csrf), ("role", "agent")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("at least one owner"));
    // An unknown role is a form error, not a crash.
    let res = post(&c, &t, &path, &[("_csrf", &csrf), ("role", "root")]).await;
    assert_eq!(res.status(), 422);
    // A wrong CSRF token is refused.
    let res = post(&c, &t, &path, &[("_csrf", "nope"), ("role", "viewer")]).await;
    assert_eq!(res.status(), 403);

    let remove = format!("/admin/members/{}/remove", agent.id);
    let html = post_ok(&c, &t, &remove, &[("_csrf", &csrf)], "/admin/members").await;
    assert!(!html.contains(&agent.email));
    assert_eq!(
        get(&agent_client, &t, "/admin/members").await.0,
        303,
        "signed out of the org"
    );
}

#[tokio::test]
async fn custom_roles_are_defined_assigned_and_shown_in_the_matrix() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let (c, csrf) = t.sign_in(&owner).await;

    let (status, html) = get(&c, &t, "/admin/roles").await;
    assert_eq!(status, 200);
    assert!(html.contains("No custom roles yet") && html.contains("contacts.read"));
    assert_eq!(get(&c, &t, "/admin/roles/new").await.0, 200);

    // No permission ticked: refused, with the name kept.
    let res = post(
        &c,
        &t,
        "/admin/roles",
        &[("_csrf", &csrf), ("name", "Auditor")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"Auditor\"") && html.contains("alert-error"));

    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Auditor"),
        ("description", "Reads the audit trail"),
        ("permissions", "audit.read"),
        ("permissions", "reports.read"),
    ];
    let html = post_ok(&c, &t, "/admin/roles", &form, "/admin/roles").await;
    assert!(html.contains("Auditor") && html.contains("Reads the audit trail"));
    let role = ids_after(&html, "id=\"role-")
        .pop()
        .expect("the role is listed");
    let matrix = html.split("adm-matrix").nth(1).unwrap();
    assert!(matrix.contains(">Owner<") && matrix.contains(">Auditor<"));
    assert!(matrix.contains("✓"));

    let taken = post(&c, &t, "/admin/roles", &form).await;
    assert_eq!(taken.status(), 409, "names are unique");

    // Assign it: the agent now reads the audit log but no longer manages contacts.
    let assign = format!("/admin/members/{}/role", agent.id);
    let html = post_ok(
        &c,
        &t,
        &assign,
        &[("_csrf", &csrf), ("role", "agent"), ("custom_role", &role)],
        "/admin/members",
    )
    .await;
    assert!(html.contains("adm-role-agent") && html.contains(">Auditor</span>"));
    let (agent_client, _) = t.sign_in(&agent).await;
    assert_eq!(get(&agent_client, &t, "/admin/audit").await.0, 200);
    assert_eq!(get(&agent_client, &t, "/admin/access-review").await.0, 200);
    assert_eq!(get(&agent_client, &t, "/admin/members").await.0, 403);

    // Edit: the form shows what the role grants; redefine it.
    let (status, html) = get(&c, &t, &format!("/admin/roles/{role}/edit")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("value=\"audit.read\" checked")
            && !html.contains("value=\"data.export\" checked")
    );
    let edit = [
        ("_csrf", csrf.as_str()),
        ("name", "Auditors"),
        ("permissions", "audit.read"),
    ];
    let html = post_ok(
        &c,
        &t,
        &format!("/admin/roles/{role}"),
        &edit,
        "/admin/roles",
    )
    .await;
    assert!(html.contains("Auditors"));

    // Held roles cannot be deleted; free ones can.
    let delete = format!("/admin/roles/{role}/delete");
    let res = post(&c, &t, &delete, &[("_csrf", &csrf)]).await;
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("members still hold this role")
    );
    post_ok(
        &c,
        &t,
        &assign,
        &[("_csrf", &csrf), ("role", "viewer")],
        "/admin/members",
    )
    .await;
    let html = post_ok(&c, &t, &delete, &[("_csrf", &csrf)], "/admin/roles").await;
    assert!(html.contains("No custom roles yet"));
}
