//! C5 — role-based access control, and access reviews. Every API operation is listed with
//! what guards it; each built-in role and a custom role try every one, and the outcome is
//! derived from the role's permissions (`Role::permissions()`), so the test stays right as
//! roles and permissions change. The access review (page and CSV) must list every member
//! with exactly the permissions they hold, and signing it off is audited.

use super::{Browser, PASSWORD, drain_jobs, enrol_totp};
use rapport_domain::{Permission, PermissionSet, Role, UserId};
use rapport_testkit::{TestApp, TestUser, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// What an API operation requires of the caller.
#[derive(Debug, Clone, Copy)]
pub enum Guard {
    /// This permission.
    Needs(Permission),
    /// Any member (their own things, or what every member may see).
    AnyMember,
    /// Not an action on the org's data (signing in or out, first-run setup).
    NotGuarded(&'static str),
}

use Guard::{AnyMember, Needs, NotGuarded};
use Permission::{
    AuditRead, ContactsRead, ContactsWrite, DataExport, DealsRead, DealsWrite, MembersManage,
    PrivacyManage, RolesManage, SettingsManage, SystemManage,
};

/// Every API operation. An operation missing here fails the test: add it with its guard.
const ACTIONS: &[(&str, &str, Guard)] = &[
    (
        "POST",
        "/setup",
        NotGuarded("first-run setup, before anyone is a member"),
    ),
    ("POST", "/auth/login", NotGuarded("signing in")),
    (
        "POST",
        "/auth/logout",
        NotGuarded("ends the caller's own session"),
    ),
    ("GET", "/me", AnyMember),
    ("GET", "/tokens", AnyMember),
    ("POST", "/tokens", AnyMember),
    ("DELETE", "/tokens/{id}", AnyMember),
    ("GET", "/users", AnyMember),
    ("POST", "/users", Needs(MembersManage)),
    ("GET", "/users/{id}", AnyMember),
    ("GET", "/users/{id}/personal-data", Needs(PrivacyManage)),
    ("GET", "/me/personal-data", AnyMember),
    ("GET", "/privacy/retention", Needs(PrivacyManage)),
    (
        "PUT",
        "/privacy/retention/conversations",
        Needs(PrivacyManage),
    ),
    ("GET", "/privacy/retention/runs", Needs(PrivacyManage)),
    ("GET", "/privacy/legal-holds", Needs(PrivacyManage)),
    ("POST", "/privacy/legal-holds", Needs(PrivacyManage)),
    (
        "POST",
        "/privacy/legal-holds/{id}/release",
        Needs(PrivacyManage),
    ),
    ("PATCH", "/users/{id}", Needs(RolesManage)),
    ("DELETE", "/users/{id}", Needs(MembersManage)),
    ("GET", "/teams", Needs(MembersManage)),
    ("POST", "/teams", Needs(MembersManage)),
    ("DELETE", "/teams/{id}", Needs(MembersManage)),
    ("GET", "/roles", Needs(RolesManage)),
    ("POST", "/roles", Needs(RolesManage)),
    ("PATCH", "/roles/{id}", Needs(RolesManage)),
    ("DELETE", "/roles/{id}", Needs(RolesManage)),
    ("GET", "/audit", Needs(AuditRead)),
    ("GET", "/system/queue", Needs(SystemManage)),
    ("GET", "/system/jobs", Needs(SystemManage)),
    ("POST", "/imports", Needs(Permission::ContactsWrite)),
    ("GET", "/imports/{id}", Needs(Permission::ContactsWrite)),
    (
        "POST",
        "/imports/{id}/run",
        Needs(Permission::ContactsWrite),
    ),
    (
        "GET",
        "/imports/{id}/errors.csv",
        Needs(Permission::ContactsWrite),
    ),
    (
        "GET",
        "/contacts/duplicates",
        Needs(Permission::ContactsRead),
    ),
    ("POST", "/contacts/merge", Needs(Permission::ContactsWrite)),
    ("GET", "/contacts/{id}/vcard", Needs(Permission::DataExport)),
    ("GET", "/contacts/{id}/personal-data", Needs(PrivacyManage)),
    ("GET", "/contacts/export.vcf", Needs(Permission::DataExport)),
    ("POST", "/system/jobs/{id}/retry", Needs(SystemManage)),
    ("POST", "/contacts", Needs(ContactsWrite)),
    ("GET", "/contacts/{id}", Needs(ContactsRead)),
    ("PATCH", "/contacts/{id}", Needs(ContactsWrite)),
    ("DELETE", "/contacts/{id}", Needs(ContactsWrite)),
    ("POST", "/companies", Needs(ContactsWrite)),
    ("GET", "/companies/{id}", Needs(ContactsRead)),
    ("PATCH", "/companies/{id}", Needs(ContactsWrite)),
    ("DELETE", "/companies/{id}", Needs(ContactsWrite)),
    ("GET", "/custom-fields", Needs(ContactsRead)),
    ("POST", "/custom-fields", Needs(SettingsManage)),
    ("PATCH", "/custom-fields/{id}", Needs(SettingsManage)),
    ("DELETE", "/custom-fields/{id}", Needs(SettingsManage)),
    ("GET", "/pipelines", Needs(DealsRead)),
    ("POST", "/pipelines", Needs(SettingsManage)),
    ("GET", "/pipelines/{id}", Needs(DealsRead)),
    ("PATCH", "/pipelines/{id}", Needs(SettingsManage)),
    ("DELETE", "/pipelines/{id}", Needs(SettingsManage)),
    ("POST", "/pipelines/{id}/stages", Needs(SettingsManage)),
    (
        "PATCH",
        "/pipelines/{id}/stages/{stage_id}",
        Needs(SettingsManage),
    ),
    (
        "DELETE",
        "/pipelines/{id}/stages/{stage_id}",
        Needs(SettingsManage),
    ),
    ("POST", "/deals", Needs(DealsWrite)),
    ("GET", "/deals/{id}", Needs(DealsRead)),
    ("PATCH", "/deals/{id}", Needs(DealsWrite)),
    ("DELETE", "/deals/{id}", Needs(DealsWrite)),
    ("POST", "/deals/{id}/move", Needs(DealsWrite)),
    ("GET", "/deals/{id}/history", Needs(DealsRead)),
    ("GET", "/notes", Needs(ContactsRead)),
    ("POST", "/notes", Needs(ContactsWrite)),
    ("PATCH", "/notes/{id}", Needs(ContactsWrite)),
    ("DELETE", "/notes/{id}", Needs(ContactsWrite)),
    ("GET", "/tasks", Needs(ContactsRead)),
    ("POST", "/tasks", Needs(ContactsWrite)),
    ("GET", "/tasks/{id}", Needs(ContactsRead)),
    ("PATCH", "/tasks/{id}", Needs(ContactsWrite)),
    ("DELETE", "/tasks/{id}", Needs(ContactsWrite)),
    ("POST", "/tasks/{id}/complete", Needs(ContactsWrite)),
    ("POST", "/tasks/{id}/reopen", Needs(ContactsWrite)),
    ("GET", "/notifications", AnyMember),
    ("POST", "/notifications/{id}/read", AnyMember),
    ("POST", "/notifications/read-all", AnyMember),
    ("GET", "/contacts/{id}/timeline", Needs(ContactsRead)),
    ("GET", "/companies/{id}/timeline", Needs(ContactsRead)),
    ("GET", "/deals/{id}/timeline", Needs(DealsRead)),
    ("GET", "/contacts", Needs(ContactsRead)),
    ("GET", "/companies", Needs(ContactsRead)),
    ("GET", "/deals", Needs(DealsRead)),
    ("GET", "/contacts/export.csv", Needs(DataExport)),
    ("GET", "/companies/export.csv", Needs(DataExport)),
    ("GET", "/deals/export.csv", Needs(DataExport)),
    ("GET", "/segments", AnyMember),
    ("POST", "/segments", Needs(ContactsRead)),
    ("GET", "/segments/{id}", Needs(ContactsRead)),
    ("PATCH", "/segments/{id}", Needs(ContactsRead)),
    ("DELETE", "/segments/{id}", Needs(ContactsRead)),
];

/// Every operation: [`ACTIONS`] and the inbox's.
fn all_actions() -> impl Iterator<Item = &'static (&'static str, &'static str, Guard)> {
    ACTIONS
        .iter()
        .chain(super::access_inbox::INBOX_ACTIONS.iter())
}

/// The custom role: a viewer who also manages members and reads the audit log.
fn custom_permissions() -> PermissionSet {
    let mut set = Role::Viewer.permissions();
    set.insert(MembersManage);
    set.insert(AuditRead);
    set
}

fn names(set: PermissionSet) -> Vec<String> {
    set.iter().map(|p| p.as_str().to_owned()).collect()
}

/// A unique suffix for names and emails.
fn fresh() -> String {
    uuid::Uuid::now_v7().simple().to_string()[20..].to_owned()
}

/// Calls the operation `(method, path)` as `actor`, creating what it acts on first (as the
/// owner, so only the call itself is the actor's).
async fn perform(
    t: &TestApp,
    owner: &Browser,
    actor: &Browser,
    method: &str,
    path: &str,
) -> reqwest::Response {
    let id = |v: Value| v["id"].as_str().unwrap().to_owned();
    let new_agent = || async {
        let body = json!({
            "email": format!("target-{}@example.test", fresh()), "name": "Target",
            "password": PASSWORD, "role": "agent",
        });
        id(owner.api_ok(t, Method::POST, "/users", Some(body)).await)
    };
    let new_role = || async {
        let body = json!({ "name": format!("Role {}", fresh()), "permissions": ["contacts.read"] });
        id(owner.api_ok(t, Method::POST, "/roles", Some(body)).await)
    };
    // Imports: the owner uploads (raw CSV) what the actor acts on.
    let upload = |who: &Browser, csv: String| {
        who.client
            .post(t.url("/api/v1/imports?filename=c5.csv"))
            .header("x-csrf-token", &who.csrf)
            .body(csv)
            .send()
    };
    let new_upload = || async {
        let csv = format!("Name,Email\nC5 Person,c5-{}@example.test\n", fresh());
        id(upload(owner, csv).await.unwrap().json().await.unwrap())
    };
    // Two contacts at one new company: a duplicate pair (survivor, merged).
    let new_pair = || async {
        let company = format!("C5 Co {}", fresh());
        let csv = format!("Name,Company\nC5 Twin,{company}\nC5 Twin,{company}\n");
        let upload_id = id(upload(owner, csv).await.unwrap().json().await.unwrap());
        owner
            .api_ok(
                t,
                Method::POST,
                &format!("/imports/{upload_id}/run"),
                Some(json!({})),
            )
            .await;
        let dupes = owner
            .api_ok(t, Method::GET, "/contacts/duplicates", None)
            .await;
        let pair = dupes["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["detail"] == company.as_str())
            .unwrap()
            .clone();
        (id(pair["a"].clone()), id(pair["b"].clone()))
    };
    if super::access_inbox::is_inbox(path) {
        return super::access_inbox::perform_inbox(t, owner, actor, method, path).await;
    }
    if (method, path) == ("POST", "/imports") {
        let csv = format!("Name,Email\nC5 Person,c5-{}@example.test\n", fresh());
        return upload(actor, csv).await.unwrap();
    }
    let (concrete, body): (String, Option<Value>) = match (method, path) {
        ("GET", "/imports/{id}") => (format!("/imports/{}", new_upload().await), None),
        ("POST", "/imports/{id}/run") => (
            format!("/imports/{}/run", new_upload().await),
            Some(json!({})),
        ),
        ("GET", "/imports/{id}/errors.csv") => {
            (format!("/imports/{}/errors.csv", new_upload().await), None)
        }
        ("POST", "/contacts/merge") => {
            let (survivor, merged) = new_pair().await;
            (
                "/contacts/merge".into(),
                Some(json!({ "survivor_id": survivor, "merged_id": merged })),
            )
        }
        ("GET", "/contacts/{id}/vcard") => {
            (format!("/contacts/{}/vcard", new_pair().await.0), None)
        }
        ("GET", "/contacts/{id}/personal-data") => (
            format!("/contacts/{}/personal-data", new_pair().await.0),
            None,
        ),
        ("POST", "/tokens") => ("/tokens".into(), Some(json!({ "name": "c5" }))),
        ("DELETE", "/tokens/{id}") => {
            let token = actor
                .api_ok(t, Method::POST, "/tokens", Some(json!({ "name": "c5" })))
                .await;
            (format!("/tokens/{}", id(token)), None)
        }
        ("POST", "/users") => (
            "/users".into(),
            Some(json!({
                "email": format!("new-{}@example.test", fresh()), "name": "New",
                "password": PASSWORD, "role": "viewer",
            })),
        ),
        ("GET", "/users/{id}") => {
            let me = actor.api_ok(t, Method::GET, "/me", None).await;
            (format!("/users/{}", id(me)), None)
        }
        ("GET", "/users/{id}/personal-data") => {
            (format!("/users/{}/personal-data", new_agent().await), None)
        }
        ("PATCH", "/users/{id}") => (
            format!("/users/{}", new_agent().await),
            Some(json!({ "role": "viewer" })),
        ),
        ("DELETE", "/users/{id}") => (format!("/users/{}", new_agent().await), None),
        ("POST", "/teams") => (
            "/teams".into(),
            Some(json!({ "name": format!("Team {}", fresh()) })),
        ),
        ("DELETE", "/teams/{id}") => {
            let team = owner
                .api_ok(
                    t,
                    Method::POST,
                    "/teams",
                    Some(json!({ "name": format!("Team {}", fresh()) })),
                )
                .await;
            (format!("/teams/{}", id(team)), None)
        }
        ("POST", "/roles") => (
            "/roles".into(),
            Some(json!({ "name": format!("Role {}", fresh()), "permissions": ["contacts.read"] })),
        ),
        ("PATCH", "/roles/{id}") => (
            format!("/roles/{}", new_role().await),
            Some(json!({ "name": format!("Role {}", fresh()), "permissions": ["contacts.read"] })),
        ),
        ("DELETE", "/roles/{id}") => (format!("/roles/{}", new_role().await), None),
        ("POST", "/system/jobs/{id}/retry") => {
            let me = owner.api_ok(t, Method::GET, "/me", None).await;
            let org = me["org_id"].as_str().unwrap().parse().unwrap();
            let job = t
                .app
                .queue()
                .enqueue(
                    "no.such.handler",
                    json!({}),
                    rapport_jobs::EnqueueOptions {
                        org_id: Some(org),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .unwrap();
            drain_jobs(t).await;
            (format!("/system/jobs/{job}/retry"), None)
        }
        ("POST", "/contacts") => ("/contacts".into(), Some(json!({ "first_name": "C5" }))),
        ("POST", "/companies") => ("/companies".into(), Some(json!({ "name": "C5 company" }))),
        ("POST", "/custom-fields") => (
            "/custom-fields".into(),
            Some(json!({
                "object_type": "contact", "label": format!("F {}", fresh()), "field_type": "text",
            })),
        ),
        (_, "/contacts/{id}") => {
            let c = owner
                .api_ok(
                    t,
                    Method::POST,
                    "/contacts",
                    Some(json!({ "first_name": "C5" })),
                )
                .await;
            let body = (method == "PATCH").then(|| json!({ "title": "Changed" }));
            (format!("/contacts/{}", id(c)), body)
        }
        (_, "/companies/{id}") => {
            let c = owner
                .api_ok(
                    t,
                    Method::POST,
                    "/companies",
                    Some(json!({ "name": "C5 company" })),
                )
                .await;
            let body = (method == "PATCH").then(|| json!({ "industry": "Changed" }));
            (format!("/companies/{}", id(c)), body)
        }
        (_, "/custom-fields/{id}") => {
            let f = owner
                .api_ok(
                    t,
                    Method::POST,
                    "/custom-fields",
                    Some(json!({
                        "object_type": "contact", "label": format!("F {}", fresh()),
                        "field_type": "text",
                    })),
                )
                .await;
            let body = (method == "PATCH").then(|| json!({ "label": "Changed" }));
            (format!("/custom-fields/{}", id(f)), body)
        }
        (m, p)
            if p.starts_with("/notes")
                || p.starts_with("/tasks")
                || p.starts_with("/notifications/{id}")
                || p.ends_with("/timeline") =>
        {
            return perform_work(t, owner, actor, m, p).await;
        }
        ("POST", "/segments") => (
            "/segments".into(),
            Some(
                json!({ "name": format!("Segment {}", fresh()), "object_type": "contact", "filter": "tag = vip" }),
            ),
        ),
        ("GET", "/segments/{id}") => {
            let body = json!({ "name": format!("Segment {}", fresh()), "object_type": "contact", "shared": true });
            let seg = owner.api_ok(t, Method::POST, "/segments", Some(body)).await;
            (format!("/segments/{}", id(seg)), None)
        }
        ("PATCH" | "DELETE", "/segments/{id}") => {
            // Only a segment's owner changes it: the actor's own (as the owner when the actor
            // may not create one, so the call itself is what gets refused).
            let body = json!({ "name": format!("Segment {}", fresh()), "object_type": "contact" });
            let res = actor
                .api(t, Method::POST, "/segments", Some(body.clone()))
                .await;
            let seg = if res.status() == 201 {
                res.json::<Value>().await.unwrap()
            } else {
                owner.api_ok(t, Method::POST, "/segments", Some(body)).await
            };
            let patch =
                (method == "PATCH").then(|| json!({ "name": format!("Renamed {}", fresh()) }));
            (format!("/segments/{}", id(seg)), patch)
        }
        ("POST", "/pipelines") => (
            "/pipelines".into(),
            Some(json!({ "name": format!("Pipeline {}", fresh()) })),
        ),
        ("GET" | "PATCH" | "DELETE", "/pipelines/{id}") | ("POST", "/pipelines/{id}/stages") => {
            let p = new_pipeline(t, owner).await;
            let concrete = path.replace("{id}", p["id"].as_str().unwrap());
            let body = match method {
                "PATCH" => Some(json!({ "name": format!("Pipeline {}", fresh()) })),
                "POST" => Some(json!({ "name": "Stage" })),
                _ => None,
            };
            (concrete, body)
        }
        (_, "/pipelines/{id}/stages/{stage_id}") => {
            let p = new_pipeline(t, owner).await;
            let concrete = format!(
                "/pipelines/{}/stages/{}",
                p["id"].as_str().unwrap(),
                p["stages"][1]["id"].as_str().unwrap()
            );
            let body = (method == "PATCH").then(|| json!({ "probability": 30 }));
            (concrete, body)
        }
        ("POST", "/deals") => ("/deals".into(), Some(json!({ "title": "c5 deal" }))),
        (_, p) if p.starts_with("/deals/{id}") => {
            let deal = owner
                .api_ok(
                    t,
                    Method::POST,
                    "/deals",
                    Some(json!({ "title": "c5 deal" })),
                )
                .await;
            let concrete = p.replace("{id}", deal["id"].as_str().unwrap());
            let body = match (method, p) {
                ("PATCH", _) => Some(json!({ "title": "c5 deal 2" })),
                ("POST", "/deals/{id}/move") => {
                    let pipelines = owner.api_ok(t, Method::GET, "/pipelines", None).await;
                    Some(json!({ "stage_id": pipelines["items"][0]["stages"][1]["id"] }))
                }
                _ => None,
            };
            (concrete, body)
        }
        ("PUT", "/privacy/retention/conversations") => {
            (path.to_owned(), Some(json!({ "days": 365 })))
        }
        // On a contact of its own: a hold on the whole org would stop the deletions tried later.
        ("POST", "/privacy/legal-holds") => (
            path.to_owned(),
            Some(
                json!({ "target_type": "contact", "target_id": new_pair().await.0, "reason": "c5 matter" }),
            ),
        ),
        ("POST", "/privacy/legal-holds/{id}/release") => {
            let hold = owner
                .api_ok(
                    t,
                    Method::POST,
                    "/privacy/legal-holds",
                    Some(
                        json!({ "target_type": "contact", "target_id": new_pair().await.0, "reason": "c5 matter" }),
                    ),
                )
                .await;
            (path.replace("{id}", hold["id"].as_str().unwrap()), None)
        }
        (_, p) if !p.contains('{') => (p.to_owned(), None),
        _ => panic!("{method} {path}: perform() does not know how to call it; add it"),
    };
    actor.api(t, method.parse().unwrap(), &concrete, body).await
}

/// A fresh pipeline of the owner's org (with the default stages).
async fn new_pipeline(t: &TestApp, owner: &Browser) -> Value {
    let body = json!({ "name": format!("Pipeline {}", fresh()) });
    owner
        .api_ok(t, Method::POST, "/pipelines", Some(body))
        .await
}

#[tokio::test]
async fn pp_c5_each_role_is_refused_what_it_lacks() {
    // The email inbox's operations run against a mailbox on loopback.
    let mut config = rapport_app::AppConfig::default();
    config.egress.allow_private = true;
    let t =
        rapport_testkit::spawn_app_with(config, std::sync::Arc::new(rapport_domain::SystemClock))
            .await;
    let owner = t.create_org_with("Roles Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &owner).await;

    // Every operation of the API is in ACTIONS.
    let spec: Value = t
        .client()
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            if !all_actions().any(|(m, p, _)| *m == method && p == path) {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "API operations without an entry in ACTIONS (crates/rapport-web/tests/privacy/access.rs): \
         {missing:?}; add each with the permission it needs"
    );

    let custom = custom_permissions();
    let role = ob
        .api_ok(
            &t,
            Method::POST,
            "/roles",
            Some(json!({ "name": "Auditor", "permissions": names(custom) })),
        )
        .await;
    let custom_member = t.add_member(owner.org_id, Role::Agent).await;
    ob.api_ok(
        &t,
        Method::PATCH,
        &format!("/users/{}", custom_member.id),
        Some(json!({ "role": "agent", "custom_role_id": role["id"] })),
    )
    .await;
    let mut actors: Vec<(String, TestUser, PermissionSet)> = Vec::new();
    for r in [Role::Viewer, Role::Agent, Role::Admin, Role::Owner] {
        let user = t.add_member(owner.org_id, r).await;
        actors.push((r.as_str().to_owned(), user, r.permissions()));
    }
    actors.push(("custom role Auditor".into(), custom_member, custom));

    let mut wrong = Vec::new();
    let mut refused = 0;
    for (label, user, held) in &actors {
        let actor = Browser::sign_in(&t, user).await;
        let me = actor.api_ok(&t, Method::GET, "/me", None).await;
        assert_eq!(me["permissions"], json!(names(*held)), "{label}");
        for (method, path, guard) in all_actions() {
            let allowed = match guard {
                NotGuarded(why) => {
                    assert!(
                        !why.is_empty(),
                        "{method} {path}: say why it is not guarded"
                    );
                    continue;
                }
                AnyMember => true,
                Needs(p) => held.contains(*p),
            };
            let res = perform(&t, &ob, &actor, method, path).await;
            let status = res.status().as_u16();
            let body = super::body_text(res).await;
            if allowed && !(200..300).contains(&status) {
                wrong.push(format!(
                    "{label}: {method} {path} holds {guard:?} but got {status}: {body}"
                ));
            }
            if !allowed {
                refused += 1;
                if status != 403 || !body.contains("\"forbidden\"") {
                    wrong.push(format!(
                        "{label}: {method} {path} lacks {guard:?} but got {status}: {body}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(refused >= 20, "only {refused} refusals were tried");
}

/// A minimal RFC 4180 reader (quoted cells, doubled quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

/// One member as the review should show them.
#[derive(Debug, PartialEq)]
struct Grant {
    role: String,
    custom_role: String,
    permissions: BTreeSet<String>,
    mfa: bool,
    teams: BTreeSet<String>,
}

#[tokio::test]
async fn pp_c5_access_review_lists_every_grant() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Review Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &owner).await;
    let custom = custom_permissions();
    let role = ob
        .api_ok(
            &t,
            Method::POST,
            "/roles",
            Some(json!({ "name": "Auditor", "permissions": names(custom) })),
        )
        .await;
    let mut people: Vec<(TestUser, Role, Option<PermissionSet>)> =
        vec![(owner.clone(), Role::Owner, None)];
    for r in [Role::Admin, Role::Agent, Role::Viewer, Role::Agent] {
        people.push((t.add_member(owner.org_id, r).await, r, None));
    }
    // The last agent holds the custom role.
    let custom_user = people[4].0.id;
    ob.api_ok(
        &t,
        Method::PATCH,
        &format!("/users/{custom_user}"),
        Some(json!({ "role": "agent", "custom_role_id": role["id"] })),
    )
    .await;
    people[4].2 = Some(custom);
    let team_members: Vec<UserId> = vec![people[2].0.id, custom_user];
    ob.api_ok(
        &t,
        Method::POST,
        "/teams",
        Some(json!({ "name": "Support", "members": team_members })),
    )
    .await;
    // The viewer uses an authenticator app.
    let viewer = Browser::sign_in(&t, &people[3].0).await;
    enrol_totp(&t, &viewer).await;

    let expected: BTreeMap<String, Grant> = people
        .iter()
        .enumerate()
        .map(|(i, (user, role, custom))| {
            let held = custom.unwrap_or(role.permissions());
            let grant = Grant {
                role: role.as_str().to_owned(),
                custom_role: if custom.is_some() {
                    "Auditor".into()
                } else {
                    String::new()
                },
                permissions: names(held).into_iter().collect(),
                mfa: i == 3,
                teams: if team_members.contains(&user.id) {
                    ["Support".to_owned()].into()
                } else {
                    BTreeSet::new()
                },
            };
            (user.email.clone(), grant)
        })
        .collect();

    // The CSV: one row per member, every permission each one holds.
    let res = ob
        .client
        .get(t.url("/admin/access-review.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rows = parse_csv(&res.text().await.unwrap());
    assert_eq!(
        rows[0],
        [
            "name",
            "email",
            "role",
            "custom_role",
            "permissions",
            "mfa",
            "teams",
            "joined_at"
        ]
    );
    let listed: BTreeMap<String, Grant> = rows[1..]
        .iter()
        .map(|r| {
            let split = |s: &str, sep: &str| -> BTreeSet<String> {
                s.split(sep)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            (
                r[1].clone(),
                Grant {
                    role: r[2].clone(),
                    custom_role: r[3].clone(),
                    permissions: split(&r[4], " "),
                    mfa: r[5] == "yes",
                    teams: split(&r[6], "; "),
                },
            )
        })
        .collect();
    assert_eq!(listed, expected, "the CSV lists every grant");

    // The page: every member, with exactly their permissions.
    let (status, html) = ob.get(&t, "/admin/access-review").await;
    assert_eq!(status, 200);
    assert!(html.contains("has not been signed off yet"));
    let body = html
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    let mut shown = BTreeMap::new();
    for row in body.split("<tr>").skip(1) {
        let email = super::between(row, "adm-person-email\">", "<").unwrap();
        let perms: BTreeSet<String> = row
            .split("<li><code>")
            .skip(1)
            .map(|s| s.split('<').next().unwrap().to_owned())
            .collect();
        shown.insert(email, perms);
    }
    let want: BTreeMap<String, BTreeSet<String>> = expected
        .iter()
        .map(|(e, g)| (e.clone(), g.permissions.clone()))
        .collect();
    assert_eq!(shown, want, "the page lists every grant");

    // Signing off is audited with every member's grants; so was the export.
    let res = ob
        .form(&t, "/admin/access-review/sign-off", &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    let log = ob
        .api_ok(&t, Method::GET, "/audit?action=access_review.", None)
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[0], "access_review.signed_off", "{actions:?}");
    assert!(actions.contains(&"access_review.exported"), "{actions:?}");
    let signed = &log["items"][0];
    assert_eq!(signed["actor"], owner.email);
    let members = signed["details"]["members"].as_array().unwrap();
    assert_eq!(members.len(), people.len());
    for (user, role, custom) in &people {
        let entry = members
            .iter()
            .find(|m| m["user"] == user.id.to_string())
            .unwrap_or_else(|| panic!("{} missing from the sign-off", user.email));
        let held = custom.unwrap_or(role.permissions());
        assert_eq!(entry["role"], role.as_str());
        assert_eq!(entry["permissions"], held.len());
    }
    let (_, html) = ob.get(&t, "/admin/access-review").await;
    assert!(
        html.contains("Last signed off on") && html.contains("by Test Person."),
        "the page shows who signed off"
    );
}

/// [`perform`] for notes, tasks, notifications and timelines: the records, notes and tasks are
/// the owner's; the notification is the actor's own.
async fn perform_work(
    t: &TestApp,
    owner: &Browser,
    actor: &Browser,
    method: &str,
    path: &str,
) -> reqwest::Response {
    let id = |v: Value| v["id"].as_str().unwrap().to_owned();
    let me = owner.api_ok(t, Method::GET, "/me", None).await;
    let org: rapport_domain::OrgId = me["org_id"].as_str().unwrap().parse().unwrap();
    let ada = crate::crm_work::contact(t, org, "C5 Ada", None).await;
    let new_note = || async {
        id(owner
            .api_ok(
                t,
                Method::POST,
                "/notes",
                Some(json!({ "record_type": "contact", "record_id": ada, "body": "c5" })),
            )
            .await)
    };
    let new_task = || async {
        id(owner
            .api_ok(t, Method::POST, "/tasks", Some(json!({ "title": "c5" })))
            .await)
    };
    let (concrete, body): (String, Option<Value>) = match (method, path) {
        ("GET", "/notes") => (format!("/notes?record_type=contact&record_id={ada}"), None),
        ("POST", "/notes") => (
            "/notes".into(),
            Some(json!({ "record_type": "contact", "record_id": ada, "body": "c5" })),
        ),
        ("PATCH", "/notes/{id}") => (
            format!("/notes/{}", new_note().await),
            Some(json!({ "body": "c5 edit" })),
        ),
        ("DELETE", "/notes/{id}") => (format!("/notes/{}", new_note().await), None),
        ("POST", "/tasks") => ("/tasks".into(), Some(json!({ "title": "c5" }))),
        ("PATCH", "/tasks/{id}") => (
            format!("/tasks/{}", new_task().await),
            Some(json!({ "title": "c5 edit" })),
        ),
        (_, "/tasks/{id}" | "/tasks/{id}/complete" | "/tasks/{id}/reopen") => {
            (path.replace("{id}", &new_task().await), None)
        }
        ("POST", "/notifications/{id}/read") => {
            let who = actor.api_ok(t, Method::GET, "/me", None).await;
            let user =
                rapport_domain::UserId::from_uuid(who["id"].as_str().unwrap().parse().unwrap());
            let n = crate::crm_work::notification(t, org, user, "c5").await;
            (format!("/notifications/{n}/read"), None)
        }
        ("GET", "/contacts/{id}/timeline") => (format!("/contacts/{ada}/timeline"), None),
        ("GET", "/companies/{id}/timeline") => {
            let c = crate::crm_work::company(t, org, "C5 Co").await;
            (format!("/companies/{c}/timeline"), None)
        }
        ("GET", "/deals/{id}/timeline") => {
            let d = crate::crm_work::deal(t, org, "C5 Deal").await;
            (format!("/deals/{d}/timeline"), None)
        }
        (_, p) => (p.to_owned(), None),
    };
    actor.api(t, method.parse().unwrap(), &concrete, body).await
}
