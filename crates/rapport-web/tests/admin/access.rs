//! Who may reach the administration pages: members without the permission get 403 on every
//! page and form; an admin of another org gets 404 for this org's ids, never its data.

use super::{get, ids_after, invite, post, post_ok};
use rapport_domain::Role;
use rapport_testkit::{TestApp, TestUser, spawn_app};

/// Ids of one org's objects, made through the pages by its owner.
struct Objects {
    member: TestUser,
    team: String,
    role: String,
    invitation: String,
}

async fn seed(t: &TestApp, owner: &TestUser) -> Objects {
    let member = t.add_member(owner.org_id, Role::Agent).await;
    let (c, csrf) = t.sign_in(owner).await;
    let html = post_ok(
        &c,
        t,
        "/admin/teams",
        &[("_csrf", &csrf), ("name", "Secret team")],
        "/admin/teams",
    )
    .await;
    let team = ids_after(&html, "id=\"team-title-").pop().unwrap();
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Secret role"),
        ("permissions", "contacts.read"),
    ];
    let html = post_ok(&c, t, "/admin/roles", &form, "/admin/roles").await;
    let role = ids_after(&html, "id=\"role-").pop().unwrap();
    invite(&c, t, &csrf, "secret-invitee@example.test", "agent").await;
    let (_, html) = get(&c, t, "/admin/members").await;
    let invitation = ids_after(&html, "id=\"invitation-").pop().unwrap();
    Objects {
        member,
        team,
        role,
        invitation,
    }
}

/// Every POST route with its form, for the objects `o` (`other` is a second member id).
fn posts(o: &Objects, csrf: &str, other: &str) -> Vec<(String, Vec<(String, String)>)> {
    let f = |pairs: &[(&str, &str)]| {
        let mut v = vec![("_csrf".to_owned(), csrf.to_owned())];
        v.extend(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        v
    };
    let m = o.member.id.to_string();
    vec![
        (format!("/admin/members/{m}/role"), f(&[("role", "viewer")])),
        (format!("/admin/members/{m}/remove"), f(&[])),
        (
            format!("/admin/invitations/{}/revoke", o.invitation),
            f(&[]),
        ),
        (
            format!("/admin/teams/{}", o.team),
            f(&[("name", "Renamed")]),
        ),
        (
            format!("/admin/teams/{}/members", o.team),
            f(&[("user", other), ("member", "1")]),
        ),
        (format!("/admin/teams/{}/delete", o.team), f(&[])),
        (
            format!("/admin/roles/{}", o.role),
            f(&[("name", "Renamed"), ("permissions", "contacts.read")]),
        ),
        (format!("/admin/roles/{}/delete", o.role), f(&[])),
    ]
}

const PAGES: [&str; 9] = [
    "/admin/members",
    "/admin/teams",
    "/admin/roles",
    "/admin/roles/new",
    "/admin/settings",
    "/admin/access-review",
    "/admin/access-review.csv",
    "/admin/audit",
    "/admin/audit.csv",
];

#[tokio::test]
async fn members_without_the_permission_get_403_on_every_page_and_form() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let o = seed(&t, &owner).await;
    for role in [Role::Viewer, Role::Agent] {
        let who = t.add_member(owner.org_id, role).await;
        let (c, csrf) = t.sign_in(&who).await;
        for path in PAGES {
            assert_eq!(get(&c, &t, path).await.0, 403, "{role:?} GET {path}");
        }
        assert_eq!(
            get(&c, &t, &format!("/admin/roles/{}/edit", o.role))
                .await
                .0,
            403
        );
        let mut forms = posts(&o, &csrf, &who.id.to_string());
        let c2 = csrf.clone();
        let plain = |pairs: &[(&str, &str)]| {
            let mut v = vec![("_csrf".to_owned(), c2.clone())];
            v.extend(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
            v
        };
        forms.push((
            "/admin/members/invite".into(),
            plain(&[("email", "x@example.test"), ("role", "viewer")]),
        ));
        forms.push(("/admin/teams".into(), plain(&[("name", "Mine")])));
        forms.push((
            "/admin/roles".into(),
            plain(&[("name", "Mine"), ("permissions", "contacts.read")]),
        ));
        forms.push(("/admin/settings".into(), plain(&[("name", "Mine")])));
        forms.push((
            "/admin/access-review/sign-off".into(),
            plain(&[("confirm", "yes")]),
        ));
        for (path, form) in forms {
            let res = c.post(t.url(&path)).form(&form).send().await.unwrap();
            assert_eq!(res.status(), 403, "{role:?} POST {path}");
        }
        let home = get(&c, &t, "/").await.1;
        assert!(
            !home.contains("href=\"/admin/members\""),
            "no admin navigation"
        );
    }
    // Nothing changed.
    let (c, _) = t.sign_in(&owner).await;
    let (_, html) = get(&c, &t, "/admin/teams").await;
    assert!(html.contains("Secret team") && !html.contains("Mine"));
}

#[tokio::test]
async fn another_orgs_ids_are_404_and_reveal_nothing() {
    let t = spawn_app().await;
    let owner_a = t.create_org_with("Org A", Role::Owner).await;
    let a = seed(&t, &owner_a).await;
    let owner_b = t.create_org_with("Org B", Role::Owner).await;
    let b_member = t.add_member(owner_b.org_id, Role::Agent).await;
    let (c, csrf) = t.sign_in(&owner_b).await;
    let html = post_ok(
        &c,
        &t,
        "/admin/teams",
        &[("_csrf", &csrf), ("name", "B team")],
        "/admin/teams",
    )
    .await;
    let b_team = ids_after(&html, "id=\"team-title-").pop().unwrap();

    let mut forms = posts(&a, &csrf, &b_member.id.to_string());
    // Mixed: B's own team with A's member, and B's member given A's custom role.
    let mixed = |pairs: &[(&str, &str)]| {
        let mut v = vec![("_csrf".to_owned(), csrf.clone())];
        v.extend(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        v
    };
    let a_member = a.member.id.to_string();
    forms.push((
        format!("/admin/teams/{b_team}/members"),
        mixed(&[("user", &a_member), ("member", "1")]),
    ));
    forms.push((
        format!("/admin/members/{}/role", b_member.id),
        mixed(&[("role", "agent"), ("custom_role", &a.role)]),
    ));
    for (path, form) in forms {
        let res = c.post(t.url(&path)).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 404, "POST {path}");
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("Secret") && !body.contains("Org A"),
            "POST {path} leaks nothing"
        );
    }
    let (status, body) = get(&c, &t, &format!("/admin/roles/{}/edit", a.role)).await;
    assert_eq!(status, 404);
    assert!(!body.contains("Secret role"));
    assert_eq!(get(&c, &t, "/admin/roles/not-an-id/edit").await.0, 404);
    assert_eq!(
        post(&c, &t, "/admin/teams/not-an-id/delete", &[("_csrf", &csrf)])
            .await
            .status(),
        404
    );

    // Org B's pages show none of org A's objects, and A's are untouched.
    for path in [
        "/admin/members",
        "/admin/teams",
        "/admin/roles",
        "/admin/audit",
        "/admin/access-review",
    ] {
        let (status, html) = get(&c, &t, path).await;
        assert_eq!(status, 200);
        assert!(
            !html.contains("Secret") && !html.contains(&owner_a.email),
            "{path}"
        );
    }
    let (ca, _) = t.sign_in(&owner_a).await;
    let (_, html) = get(&ca, &t, "/admin/teams").await;
    assert!(html.contains("Secret team"));
    let (_, html) = get(&ca, &t, "/admin/members").await;
    assert!(html.contains("secret-invitee@example.test") && html.contains(&a.member.email));
}

#[tokio::test]
async fn a_custom_role_opens_exactly_the_pages_its_permissions_allow() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let (c, csrf) = t.sign_in(&owner).await;
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "People manager"),
        ("permissions", "members.manage"),
    ];
    let html = post_ok(&c, &t, "/admin/roles", &form, "/admin/roles").await;
    let role = ids_after(&html, "id=\"role-").pop().unwrap();
    let assign = format!("/admin/members/{}/role", agent.id);
    let grant = [
        ("_csrf", csrf.as_str()),
        ("role", "agent"),
        ("custom_role", role.as_str()),
    ];
    post_ok(&c, &t, &assign, &grant, "/admin/members").await;

    let (pc, pcsrf) = t.sign_in(&agent).await;
    let (status, html) = get(&pc, &t, "/admin/members").await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("Change role") && !html.contains("name=\"custom_role\""),
        "role changes and custom roles need roles.manage"
    );
    assert!(html.contains("href=\"/admin/teams\"") && !html.contains("href=\"/admin/roles\""));
    assert_eq!(get(&pc, &t, "/admin/teams").await.0, 200);
    for path in [
        "/admin/roles",
        "/admin/settings",
        "/admin/audit",
        "/admin/access-review",
    ] {
        assert_eq!(get(&pc, &t, path).await.0, 403, "{path}");
    }
    let res = post(&pc, &t, &assign, &[("_csrf", &pcsrf), ("role", "admin")]).await;
    assert_eq!(res.status(), 403, "no role changes without roles.manage");
    // Nobody hands out more than they hold (even a viewer reads contacts, which this role
    // cannot).
    let res = post(
        &pc,
        &t,
        "/admin/members/invite",
        &[
            ("_csrf", &pcsrf),
            ("email", "boss@example.test"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Permissions: you cannot grant permissions")
    );
}
