//! B5 — no cross-tenant sharing. Every route is tried by an admin of org B (who holds every
//! permission) against org A's objects: the API's routes come from its OpenAPI document, the
//! rest from the router's own route table, so a route added tomorrow is tried tomorrow.
//!
//! - A route naming one of A's objects must answer 403 or 404 (a dead invitation or reset
//!   link: 410) and show nothing of A.
//! - Any other route must show nothing of A either, whatever its status.
//! - A route whose path parameter this test cannot fill fails the test: add it to [`PARAMS`].
//!
//! Afterwards every object of A is checked to be exactly as it was.

use super::{Browser, PASSWORD, anon_csrf, digest, drain_jobs, link_in_mail, with_mail};
use rapport_domain::{Role, SystemClock, UserId};
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::{TestApp, TestUser, hidden_value, install_tls, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

/// What a path parameter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Org,
    Member,
    Role,
    Team,
    Invitation,
    Token,
    Session,
    Credential,
    Job,
    Pipeline,
    Stage,
    Deal,
    Segment,
    /// A CSV/vCard import upload.
    Import,
    /// An invitation link's secret (filled with the stored digest of A's link, which is what
    /// someone without the link could learn; the secret itself is the capability).
    InviteLink,
    /// A password-reset link's secret (as above).
    ResetLink,
    /// A sign-in provider id (not tenant data): an unconfigured one.
    Provider,
    /// A static asset (not tenant data).
    Asset,
    /// A CRM contact.
    Contact,
    /// A CRM company.
    Company,
    /// A custom-field definition.
    CustomField,
    /// A record type in a path (`contact`; not tenant data).
    WorkRecordType,
    /// A contact (its timeline and activity page).
    WorkContact,
    /// A company.
    WorkCompany,
    /// A deal.
    WorkDeal,
    /// A note.
    WorkNote,
    /// A task.
    WorkTask,
    /// A notification (of A's owner).
    WorkNotification,
    /// An inbox.
    Inbox,
    /// A conversation.
    Conversation,
    /// A message of a conversation.
    Message,
    /// A canned response.
    CannedResponse,
    /// A file on a message.
    Attachment,
    /// A saved conversation view.
    View,
    /// An automation rule.
    AutomationRule,
    /// An SLA policy.
    SlaPolicy,
    /// A quarantined mail.
    QuarantinedMail,
    /// A satisfaction survey link (a bearer link of no org).
    CsatLink,
    /// A legal hold.
    LegalHold,
}

impl Kind {
    /// Whether the parameter names one of A's objects (the route must refuse: 403/404).
    fn is_tenant_object(self) -> bool {
        !matches!(
            self,
            Self::InviteLink
                | Self::ResetLink
                | Self::Provider
                | Self::CsatLink
                | Self::Asset
                | Self::WorkRecordType
        )
    }

    fn is_link(self) -> bool {
        matches!(self, Self::InviteLink | Self::ResetLink)
    }
}

/// Path parameters by the path before them and their name. A route with a parameter missing
/// here fails the test: say which of org A's objects it names.
const PARAMS: &[(&str, &str, Kind)] = &[
    ("/api/v1/tokens/", "id", Kind::Token),
    ("/api/v1/users/", "id", Kind::Member),
    ("/api/v1/teams/", "id", Kind::Team),
    ("/api/v1/roles/", "id", Kind::Role),
    ("/api/v1/system/jobs/", "id", Kind::Job),
    ("/api/v1/segments/", "id", Kind::Segment),
    ("/segments/", "id", Kind::Segment),
    ("/api/v1/imports/", "id", Kind::Import),
    ("/api/v1/contacts/", "id", Kind::Contact),
    ("/contacts/import/", "id", Kind::Import),
    ("/admin/jobs/", "id", Kind::Job),
    ("/admin/members/", "id", Kind::Member),
    ("/admin/invitations/", "id", Kind::Invitation),
    ("/admin/teams/", "id", Kind::Team),
    ("/admin/roles/", "id", Kind::Role),
    ("/settings/security/keys/", "id", Kind::Credential),
    ("/settings/security/sessions/", "id", Kind::Session),
    ("/settings/tokens/", "id", Kind::Token),
    ("/orgs/", "id", Kind::Org),
    ("/reset/", "token", Kind::ResetLink),
    ("/invite/", "token", Kind::InviteLink),
    ("/auth/oidc/", "provider", Kind::Provider),
    ("/admin/inboxes/email/oauth/", "provider", Kind::Provider),
    ("/static/", "name", Kind::Asset),
    ("/api/v1/contacts/", "id", Kind::Contact),
    ("/api/v1/companies/", "id", Kind::Company),
    ("/api/v1/custom-fields/", "id", Kind::CustomField),
    ("/contacts/", "id", Kind::Contact),
    ("/companies/", "id", Kind::Company),
    ("/admin/custom-fields/", "id", Kind::CustomField),
    ("/api/v1/pipelines/", "id", Kind::Pipeline),
    ("/api/v1/pipelines/{id}/stages/", "stage_id", Kind::Stage),
    ("/api/v1/deals/", "id", Kind::Deal),
    ("/deals/", "id", Kind::Deal),
    ("/admin/pipelines/", "id", Kind::Pipeline),
    ("/admin/pipelines/{id}/stages/", "stage_id", Kind::Stage),
    ("/api/v1/notes/", "id", Kind::WorkNote),
    ("/api/v1/tasks/", "id", Kind::WorkTask),
    ("/api/v1/notifications/", "id", Kind::WorkNotification),
    ("/api/v1/contacts/", "id", Kind::WorkContact),
    ("/api/v1/companies/", "id", Kind::WorkCompany),
    ("/api/v1/deals/", "id", Kind::WorkDeal),
    ("/records/", "type", Kind::WorkRecordType),
    ("/records/{type}/", "id", Kind::WorkContact),
    ("/notes/", "id", Kind::WorkNote),
    ("/tasks/", "id", Kind::WorkTask),
    ("/notifications/", "id", Kind::WorkNotification),
    ("/api/v1/inboxes/", "id", Kind::Inbox),
    ("/api/v1/conversations/", "id", Kind::Conversation),
    ("/api/v1/messages/", "id", Kind::Message),
    ("/inbox/conversations/", "id", Kind::Conversation),
    ("/api/v1/canned-responses/", "id", Kind::CannedResponse),
    ("/api/v1/attachments/", "id", Kind::Attachment),
    ("/api/v1/conversation-views/", "id", Kind::View),
    ("/inbox/views/", "id", Kind::View),
    (
        "/api/v1/conversations/{id}/canned-responses/",
        "canned_id",
        Kind::CannedResponse,
    ),
    ("/admin/canned-responses/", "id", Kind::CannedResponse),
    ("/api/v1/automation-rules/", "id", Kind::AutomationRule),
    ("/admin/automation/", "id", Kind::AutomationRule),
    ("/api/v1/sla-policies/", "id", Kind::SlaPolicy),
    ("/api/v1/mail-quarantine/", "id", Kind::QuarantinedMail),
    ("/admin/mail-quarantine/", "id", Kind::QuarantinedMail),
    ("/inbox/messages/", "id", Kind::Message),
    ("/admin/sla/", "id", Kind::SlaPolicy),
    ("/admin/inboxes/", "id", Kind::Inbox),
    ("/csat/", "token", Kind::CsatLink),
    ("/api/v1/privacy/legal-holds/", "id", Kind::LegalHold),
];

/// Anonymous forms: they check the double-submit cookie, not the session's token.
const ANONYMOUS_FORMS: &[&str] = &[
    "/setup",
    "/login",
    "/login/verify",
    "/login/enroll",
    "/forgot",
    "/reset/{token}",
    "/invite/{token}",
    "/csat/{token}",
];

/// Org A: one object of every kind, all named with the marker word.
struct OrgA {
    org: String,
    owner: TestUser,
    admin: String,
    agent: TestUser,
    role: String,
    team: String,
    invitation: String,
    invite_token: String,
    reset_token: String,
    token: String,
    token_prefix: String,
    session: String,
    credential: String,
    job: String,
    contact: String,
    company: String,
    custom_field: String,
    pipeline: String,
    stage: String,
    deal: String,
    segment: String,
    legal_hold: String,
    import: String,
    imported_contact: String,
    owner_browser: Browser,
    agent_browser: reqwest::Client,
    work: WorkA,
    inbox: super::tenancy_inbox::InboxA,
}

/// A's CRM work: records, a note, a task and a notification.
struct WorkA {
    contact: String,
    company: String,
    deal: String,
    note: String,
    task: String,
    notification: String,
}

/// Every text of org A contains this word (case-insensitively).
const MARKER: &str = "aardmarker";

impl OrgA {
    fn fill(&self, kind: Kind) -> String {
        match kind {
            Kind::Org => self.org.clone(),
            Kind::Member => self.agent.id.to_string(),
            Kind::Role => self.role.clone(),
            Kind::Team => self.team.clone(),
            Kind::Invitation => self.invitation.clone(),
            Kind::Token => self.token.clone(),
            Kind::Session => self.session.clone(),
            Kind::Credential => self.credential.clone(),
            Kind::Job => self.job.clone(),
            Kind::Pipeline => self.pipeline.clone(),
            Kind::Stage => self.stage.clone(),
            Kind::Deal => self.deal.clone(),
            Kind::Segment => self.segment.clone(),
            Kind::LegalHold => self.legal_hold.clone(),
            Kind::Import => self.import.clone(),
            Kind::InviteLink => digest(&self.invite_token),
            Kind::ResetLink => digest(&self.reset_token),
            Kind::Provider => "b5-unconfigured".into(),
            Kind::CsatLink => "b5-not-a-survey-link".into(),
            Kind::Asset => "app.css".into(),
            Kind::Contact => self.contact.clone(),
            Kind::Company => self.company.clone(),
            Kind::CustomField => self.custom_field.clone(),
            Kind::WorkRecordType => "contact".into(),
            Kind::WorkContact => self.work.contact.clone(),
            Kind::WorkCompany => self.work.company.clone(),
            Kind::WorkDeal => self.work.deal.clone(),
            Kind::WorkNote => self.work.note.clone(),
            Kind::WorkTask => self.work.task.clone(),
            Kind::WorkNotification => self.work.notification.clone(),
            Kind::Inbox => self.inbox.inbox.clone(),
            Kind::Conversation => self.inbox.conversation.clone(),
            Kind::Message => self.inbox.message.clone(),
            Kind::CannedResponse => self.inbox.canned.clone(),
            Kind::Attachment => self.inbox.attachment.clone(),
            Kind::View => self.inbox.view.clone(),
            Kind::AutomationRule => self.inbox.rule.clone(),
            Kind::SlaPolicy => self.inbox.policy.clone(),
            Kind::QuarantinedMail => self.inbox.quarantined.clone(),
        }
    }

    /// Strings that must never reach org B (besides [`MARKER`]).
    fn markers(&self) -> Vec<String> {
        vec![
            self.org.clone(),
            self.owner.id.to_string(),
            self.admin.clone(),
            self.agent.id.to_string(),
            self.role.clone(),
            self.team.clone(),
            self.invitation.clone(),
            self.token.clone(),
            self.token_prefix.clone(),
            self.session.clone(),
            self.credential.clone(),
            self.job.clone(),
            self.contact.clone(),
            self.company.clone(),
            self.custom_field.clone(),
            self.pipeline.clone(),
            self.stage.clone(),
            self.deal.clone(),
            self.work.contact.clone(),
            self.work.company.clone(),
            self.work.deal.clone(),
            self.work.note.clone(),
            self.work.task.clone(),
            self.work.notification.clone(),
            self.segment.clone(),
            self.legal_hold.clone(),
            self.import.clone(),
            self.contact.clone(),
            self.inbox.inbox.clone(),
            self.inbox.conversation.clone(),
            self.inbox.message.clone(),
            self.inbox.canned.clone(),
            self.inbox.attachment.clone(),
            self.inbox.view.clone(),
            self.inbox.rule.clone(),
            self.inbox.policy.clone(),
        ]
    }
}

/// Fills the path parameters of `template`; `Err` names a parameter without a mapping.
fn fill(template: &str, a: &OrgA) -> Result<(String, Vec<Kind>), String> {
    let mut path = String::new();
    let mut kinds = Vec::new();
    let mut at = 0;
    while let Some(open) = template[at..].find('{').map(|i| i + at) {
        let close = template[open..].find('}').map(|i| i + open).unwrap();
        let (prefix, name) = (&template[..open], &template[open + 1..close]);
        let Some((_, _, kind)) = PARAMS.iter().find(|(p, n, _)| *p == prefix && *n == name) else {
            return Err(format!(
                "{template}: parameter `{{{name}}}` after `{prefix}` has no mapping in PARAMS \
                 (crates/rapport-web/tests/privacy/tenancy.rs); add which of org A's objects it \
                 names so the cross-tenant test covers this route"
            ));
        };
        path.push_str(&template[at..open]);
        path.push_str(&a.fill(*kind));
        kinds.push(*kind);
        at = close + 1;
    }
    path.push_str(&template[at..]);
    Ok((path, kinds))
}

/// One route to try.
struct Route {
    method: Method,
    template: String,
    api: bool,
    /// For API operations: whether it takes a body, and its query parameters.
    has_body: bool,
    query: Vec<String>,
}

/// Every API operation in the OpenAPI document and every other route in the route table.
async fn all_routes(t: &TestApp) -> Vec<Route> {
    let spec: Value = t
        .client()
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut routes = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            if !matches!(
                method,
                Method::GET | Method::POST | Method::PUT | Method::PATCH | Method::DELETE
            ) {
                continue;
            }
            let query = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "query")
                        .map(|p| p["name"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            routes.push(Route {
                method,
                template: format!("/api/v1{path}"),
                api: true,
                has_body: op.get("requestBody").is_some(),
                query,
            });
        }
    }
    routes.push(Route {
        method: Method::GET,
        template: "/api/v1/openapi.json".into(),
        api: true,
        has_body: false,
        query: Vec::new(),
    });
    for (method, path) in rapport_web::ui_route_table() {
        routes.push(Route {
            method,
            template: path.to_owned(),
            api: false,
            has_body: false,
            query: Vec::new(),
        });
    }
    routes
}

/// A JSON body that passes validation, so what answers is the authorization.
fn api_body(method: &Method, template: &str) -> Value {
    if let Some(body) = super::tenancy_inbox::api_body(method.as_str(), template) {
        return body;
    }
    match (method.as_str(), template) {
        ("POST", "/api/v1/setup") => json!({
            "org_name": "B5 probe", "name": "B5 probe", "email": "b5-setup@example.test",
            "password": PASSWORD,
        }),
        ("POST", "/api/v1/auth/login") => {
            json!({ "email": "b5-nobody@example.test", "password": PASSWORD })
        }
        ("POST", "/api/v1/tokens") => json!({ "name": "B5 probe" }),
        ("POST", "/api/v1/users") => json!({
            "email": "b5-new@example.test", "name": "B5 probe", "password": PASSWORD,
            "role": "viewer",
        }),
        ("PATCH", "/api/v1/users/{id}") => json!({ "role": "viewer" }),
        ("POST", "/api/v1/teams") => json!({ "name": "B5 probe team" }),
        ("PATCH", "/api/v1/notes/{id}") => json!({ "body": "B5 probe" }),
        ("PATCH", "/api/v1/tasks/{id}") => json!({ "title": "B5 probe" }),
        ("POST", "/api/v1/roles") => {
            json!({ "name": "B5 probe role", "permissions": ["contacts.read"] })
        }
        ("PATCH", "/api/v1/roles/{id}") => {
            json!({ "name": "B5 probe role 2", "permissions": ["contacts.read"] })
        }
        ("POST", "/api/v1/pipelines") => json!({ "name": "B5 probe pipeline" }),
        ("PATCH", "/api/v1/pipelines/{id}") => json!({ "name": "B5 probe pipeline 2" }),
        ("POST", "/api/v1/pipelines/{id}/stages") => json!({ "name": "B5 stage" }),
        ("PATCH", "/api/v1/pipelines/{id}/stages/{stage_id}") => json!({ "name": "B5 stage" }),
        ("POST", "/api/v1/deals") => json!({ "title": "B5 deal" }),
        ("PATCH", "/api/v1/deals/{id}") => json!({ "title": "B5 deal 2" }),
        ("POST", "/api/v1/deals/{id}/move") => {
            json!({ "stage_id": "01a21d66-0000-7000-8000-000000000000" })
        }
        _ => json!({}),
    }
}

/// The generic form every UI POST gets: valid values for every field any form reads.
fn ui_form(csrf: &str, b_admin: UserId) -> Vec<(String, String)> {
    [
        ("_csrf", csrf.to_owned()),
        ("name", "B5 probe".into()),
        ("description", String::new()),
        ("email", "b5-probe@example.test".into()),
        ("role", "viewer".into()),
        ("permissions", "contacts.read".into()),
        ("user", b_admin.to_string()),
        ("member", "1".into()),
        ("password", PASSWORD.into()),
        ("confirm", PASSWORD.into()),
        ("password_confirm", PASSWORD.into()),
        ("current_password", "not the password".into()),
        ("code", "000000".into()),
        ("time_zone", "UTC".into()),
        ("body", "B5 probe".into()),
        ("title", "B5 probe".into()),
        ("done", "1".into()),
        ("pinned", "1".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Org B's admin, re-signed-in whenever a route ended the session (sign-out routes).
struct Prober<'a> {
    t: &'a TestApp,
    user: TestUser,
    browser: Browser,
    anon: String,
    sign_ins: usize,
}

impl<'a> Prober<'a> {
    async fn new(t: &'a TestApp, user: TestUser) -> Self {
        let browser = Browser::sign_in(t, &user).await;
        let anon = anon_csrf(t, &browser.client).await;
        Self {
            t,
            user,
            browser,
            anon,
            sign_ins: 1,
        }
    }

    async fn ensure_signed_in(&mut self) {
        let me = self
            .browser
            .client
            .get(self.t.url("/api/v1/me"))
            .send()
            .await
            .unwrap();
        if me.status() != 200 {
            self.browser = Browser::sign_in(self.t, &self.user).await;
            self.anon = anon_csrf(self.t, &self.browser.client).await;
            self.sign_ins += 1;
        }
    }
}

/// What B sent and got.
struct Answer {
    status: u16,
    /// `Location` and body.
    text: String,
    /// The values B put in the path, query and body (B may see what it sent echoed back).
    sent: Vec<String>,
}

enum Body {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
}

fn json_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| json_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| json_strings(i, out)),
        _ => {}
    }
}

async fn send(p: &mut Prober<'_>, method: Method, path: &str, body: Body) -> Answer {
    p.ensure_signed_in().await;
    let c = &p.browser.client;
    let mut req = c
        .request(method.clone(), p.t.url(path))
        .header("x-csrf-token", &p.browser.csrf);
    let mut sent: Vec<String> = path
        .split(['/', '?', '&', '='])
        .map(str::to_owned)
        .collect();
    match body {
        Body::None => {}
        Body::Json(v) => {
            json_strings(&v, &mut sent);
            req = req.json(&v);
        }
        Body::Form(pairs) => {
            req = req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(&pairs).unwrap());
            sent.extend(pairs.into_iter().map(|(_, v)| v));
        }
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = format!("{location}\n{}", super::body_text(res).await);
    Answer { status, text, sent }
}

/// The marks of org A in `answer`, once what B itself sent is taken out.
fn leaks(a: &OrgA, answer: &Answer) -> Vec<String> {
    let mut text = answer.text.to_lowercase();
    for value in answer.sent.iter().filter(|v| v.len() >= 8) {
        text = text.replace(&value.to_lowercase(), "");
    }
    let mut marks = a.markers();
    marks.push(MARKER.into());
    marks
        .into_iter()
        .map(|m| m.to_lowercase())
        .filter(|m| text.contains(m.as_str()))
        .collect()
}

#[tokio::test]
async fn pp_b5_every_route_refuses_another_orgs_objects() {
    let sink = SmtpSink::start().await;
    let t = spawn_app_with(with_mail(&sink), Arc::new(SystemClock)).await;
    let a = seed_org_a(&t, &sink).await;

    // Org B: an owner, the prober (an admin, who holds every permission), an agent, a team.
    let b_owner = t.create_org_with("Borg Probe", Role::Owner).await;
    let b_admin = t.add_member(b_owner.org_id, Role::Admin).await;
    let b_agent = t.add_member(b_owner.org_id, Role::Agent).await;
    let mut p = Prober::new(&t, b_admin.clone()).await;
    let b_team = p
        .browser
        .api_ok(
            &t,
            Method::POST,
            "/teams",
            Some(json!({ "name": "B team" })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let audit_head = newest_audit_seq(&t, &a.owner_browser).await;

    // Every route, classified before anything is sent.
    let routes = all_routes(&t).await;
    let unmapped: Vec<String> = routes
        .iter()
        .filter_map(|r| fill(&r.template, &a).err())
        .collect();
    assert!(unmapped.is_empty(), "{}", unmapped.join("\n"));
    assert!(
        routes.len() > 60,
        "the route list looks incomplete: {}",
        routes.len()
    );

    let mut failures = Vec::new();
    let mut refused_by_id = 0;
    for r in &routes {
        let (mut path, kinds) = fill(&r.template, &a).unwrap();
        if !r.query.is_empty() {
            // Filters that name people or objects get A's.
            let pairs: Vec<(String, String)> = r
                .query
                .iter()
                .filter_map(|q| match q.as_str() {
                    "actor_id" => Some((q.clone(), a.owner.id.to_string())),
                    "target_id" => Some((q.clone(), a.agent.id.to_string())),
                    "assignee" => Some((q.clone(), a.owner.id.to_string())),
                    "record_type" => Some((q.clone(), "contact".to_owned())),
                    "record_id" => Some((q.clone(), a.work.contact.clone())),
                    "ids" => Some((q.clone(), a.contact.clone())),
                    "inbox_id" => Some((q.clone(), a.inbox.inbox.clone())),
                    "contact_id" => Some((q.clone(), a.work.contact.clone())),
                    _ => None,
                })
                .collect();
            if !pairs.is_empty() {
                path = format!("{path}?{}", serde_urlencoded::to_string(&pairs).unwrap());
            }
        }
        let body = if r.api {
            if r.has_body {
                Body::Json(api_body(&r.method, &r.template))
            } else {
                Body::None
            }
        } else if r.method == Method::POST {
            let csrf = if ANONYMOUS_FORMS.contains(&r.template.as_str()) {
                p.anon.clone()
            } else {
                p.browser.csrf.clone()
            };
            Body::Form(ui_form(&csrf, b_admin.id))
        } else {
            Body::None
        };
        let answer = send(&mut p, r.method.clone(), &path, body).await;
        let what = format!("{} {} ({})", r.method, r.template, path);
        let names_object = kinds.iter().any(|k| k.is_tenant_object());
        let names_link = kinds.iter().any(|k| k.is_link());
        if names_object {
            refused_by_id += 1;
            if !matches!(answer.status, 403 | 404) {
                failures.push(format!(
                    "{what}: {} for org A's {kinds:?} (want 403 or 404)",
                    answer.status
                ));
            }
        } else if names_link && !matches!(answer.status, 403 | 404 | 410) {
            failures.push(format!(
                "{what}: {} for a link derived from org A's (want 403, 404 or 410)",
                answer.status
            ));
        }
        let found = leaks(&a, &answer);
        if !found.is_empty() {
            failures.push(format!("{what}: {} shows org A's {found:?}", answer.status));
        }
    }
    assert!(refused_by_id >= 20, "{refused_by_id} routes name objects");

    // Org A's objects inside bodies and filters of B's own routes.
    let a_agent = a.agent.id.to_string();
    let a_agent_email = a.agent.email.clone();
    let probes: Vec<(Method, String, Body, &[u16])> = vec![
        (
            Method::POST,
            "/api/v1/users".into(),
            Body::Json(json!({ "email": a_agent_email, "role": "viewer" })),
            &[403, 404, 409, 422],
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            Body::Json(json!({
                "email": "b5-custom@example.test", "name": "B5", "password": PASSWORD,
                "role": "viewer", "custom_role_id": a.role,
            })),
            &[403, 404],
        ),
        (
            Method::POST,
            "/api/v1/teams".into(),
            Body::Json(json!({ "name": "B5 mixed", "members": [a_agent] })),
            &[403, 404],
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{}", b_agent.id),
            Body::Json(json!({ "role": "agent", "custom_role_id": a.role })),
            &[403, 404],
        ),
        (
            Method::GET,
            format!("/api/v1/audit?actor_id={}&target_id={}", a.owner.id, a.team),
            Body::None,
            &[200],
        ),
        (
            Method::GET,
            format!("/admin/audit?actor={}&target={}", a.owner.id, a.team),
            Body::None,
            &[200],
        ),
        (
            Method::GET,
            "/api/v1/system/jobs?state=dead".into(),
            Body::None,
            &[200],
        ),
        (
            Method::POST,
            "/api/v1/notes".into(),
            Body::Json(
                json!({ "record_type": "contact", "record_id": a.work.contact, "body": "B5" }),
            ),
            &[404],
        ),
        (
            Method::POST,
            "/api/v1/tasks".into(),
            Body::Json(
                json!({ "title": "B5", "links": [{ "record_type": "deal", "record_id": a.work.deal }] }),
            ),
            &[404],
        ),
        (
            Method::POST,
            "/api/v1/tasks".into(),
            Body::Json(json!({ "title": "B5", "assignee_id": a.owner.id })),
            &[404],
        ),
        (
            Method::GET,
            format!("/api/v1/tasks?assignee={}", a.owner.id),
            Body::None,
            &[404],
        ),
        (
            Method::POST,
            "/api/v1/contacts/merge".into(),
            Body::Json(json!({ "survivor_id": a.imported_contact, "merged_id": a.agent.id })),
            &[403, 404],
        ),
        (
            Method::GET,
            format!("/contacts/merge?a={}&b={}", a.imported_contact, a.agent.id),
            Body::None,
            &[403, 404],
        ),
        (
            Method::GET,
            format!("/api/v1/contacts?segment={}", a.segment),
            Body::None,
            &[404],
        ),
        (
            Method::GET,
            format!("/api/v1/contacts/export.csv?segment={}", a.segment),
            Body::None,
            &[404],
        ),
    ];
    let forms: Vec<(String, Vec<(&str, String)>)> = vec![
        (
            format!("/admin/teams/{b_team}/members"),
            vec![("user", a_agent.clone()), ("member", "1".into())],
        ),
        (
            format!("/admin/members/{}/role", b_agent.id),
            vec![("role", "agent".into()), ("custom_role", a.role.clone())],
        ),
        (
            "/admin/members/invite".into(),
            vec![
                ("email", "b5-invitee@example.test".into()),
                ("role", "agent".into()),
                ("custom_role", a.role.clone()),
            ],
        ),
        (
            "/admin/teams".into(),
            vec![("name", "B5 mixed".into()), ("members", a_agent.clone())],
        ),
    ];
    let mut probes = probes;
    for (path, fields) in forms {
        p.ensure_signed_in().await;
        let mut pairs = vec![("_csrf".to_owned(), p.browser.csrf.clone())];
        pairs.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
        probes.push((Method::POST, path, Body::Form(pairs), &[403, 404]));
    }
    for (method, path, body, allowed) in probes {
        let what = format!("{method} {path}");
        let answer = send(&mut p, method, &path, body).await;
        if !allowed.contains(&answer.status) {
            failures.push(format!(
                "{what}: {} (want one of {allowed:?}): {}",
                answer.status,
                answer.text.chars().take(300).collect::<String>()
            ));
        }
        let found = leaks(&a, &answer);
        if !found.is_empty() {
            failures.push(format!("{what}: shows org A's {found:?}"));
        }
    }

    // A's real invitation link (addressed to someone else) does not let B's admin join A.
    p.ensure_signed_in().await;
    let res = p
        .browser
        .form(&t, &format!("/invite/{}/join", a.invite_token), &[])
        .await;
    if res.status() != 409 {
        failures.push(format!(
            "joining A with A's invitation to someone else: {}",
            res.status()
        ));
    }

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        p.sign_ins <= 4,
        "only the sign-out routes should end the prober's session ({} sign-ins)",
        p.sign_ins
    );

    assert_org_a_untouched(&t, &a, audit_head).await;
}

/// The newest entry of the org's audit log (`GET /api/v1/audit` does not write to it).
async fn newest_audit_seq(t: &TestApp, owner: &Browser) -> i64 {
    let page = owner.api_ok(t, Method::GET, "/audit?limit=1", None).await;
    page["items"][0]["seq"].as_i64().unwrap()
}

/// Every object of A as it was, and A's audit chain without a single entry from B.
async fn assert_org_a_untouched(t: &TestApp, a: &OrgA, audit_head: i64) {
    let owner = &a.owner_browser;
    assert_eq!(
        newest_audit_seq(t, owner).await,
        audit_head,
        "nothing B did was recorded in (or done to) org A"
    );
    let report = t.app.verify_audit().await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    let me = owner.api_ok(t, Method::GET, "/me", None).await;
    assert_eq!(me["org_id"], a.org, "A's owner is still signed in to A");
    let users = owner.api_ok(t, Method::GET, "/users", None).await;
    let roles: Vec<(String, String)> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_owned(),
                u["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut want = vec![
        (a.owner.id.to_string(), "owner".to_owned()),
        (a.admin.clone(), "admin".to_owned()),
        (a.agent.id.to_string(), "agent".to_owned()),
    ];
    let mut got = roles;
    want.sort();
    got.sort();
    assert_eq!(got, want, "A's members and roles");
    let teams = owner.api_ok(t, Method::GET, "/teams", None).await;
    assert_eq!(teams["items"][0]["id"], a.team);
    assert_eq!(teams["items"][0]["name"], "Aardmarker Team");
    assert_eq!(
        teams["items"][0]["members"],
        json!([a.agent.id.to_string()])
    );
    let roles = owner.api_ok(t, Method::GET, "/roles", None).await;
    let custom: Vec<&Value> = roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["built_in"] == false)
        .collect();
    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0]["id"], a.role);
    assert_eq!(custom[0]["name"], "Aardmarker Reviewers");
    assert_eq!(
        custom[0]["permissions"],
        json!(["contacts.read", "audit.read"])
    );
    let tokens = owner.api_ok(t, Method::GET, "/tokens", None).await;
    assert_eq!(tokens["items"][0]["id"], a.token);
    assert!(
        tokens["items"][0]["revoked_at"].is_null(),
        "token not revoked"
    );
    let jobs = owner
        .api_ok(t, Method::GET, "/system/jobs?state=dead", None)
        .await;
    assert!(
        jobs["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["id"] == a.job),
        "A's dead job is still dead (not retried)"
    );
    let segment = owner
        .api_ok(t, Method::GET, &format!("/segments/{}", a.segment), None)
        .await;
    assert_eq!(segment["name"], "Aardmarker segment");
    assert_eq!(segment["filter"], "tag = aardmarker");
    let (_, members) = owner.get(t, "/admin/members").await;
    assert!(
        members.contains(&format!("id=\"invitation-{}", a.invitation)),
        "A's invitation is still open"
    );
    let (_, security) = owner.get(t, "/settings/security").await;
    assert!(
        security.contains("Aardmarker key"),
        "A's security key stays"
    );
    let (_, home) = owner.get(t, "/").await;
    assert!(home.contains("Aardmarker Holdings"), "A's name unchanged");
    let agent_me = a
        .agent_browser
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        agent_me.status(),
        200,
        "A's agent's session was not revoked"
    );
    assert!(
        t.app.reset_link_is_live(&a.reset_token).await.unwrap(),
        "A's reset link was not used up"
    );
    let import = owner
        .api_ok(t, Method::GET, &format!("/imports/{}", a.import), None)
        .await;
    assert_eq!(import["status"], "uploaded", "A's import did not run");
    let res = owner
        .client
        .get(t.url(&format!("/api/v1/contacts/{}/vcard", a.imported_contact)))
        .send()
        .await
        .unwrap();
    assert!(
        res.text().await.unwrap().contains("FN:Carla Aardmarker"),
        "A's contact unchanged"
    );
    let contact = owner
        .api_ok(
            t,
            Method::GET,
            &format!("/contacts/{}?include=company", a.contact),
            None,
        )
        .await;
    assert_eq!(contact["display_name"], "Pia Aardmarker");
    assert_eq!(contact["company"]["id"], a.company.as_str());
    assert_eq!(contact["custom"]["aardmarker_score"], "Aardmarker high");
    let fields = owner.api_ok(t, Method::GET, "/custom-fields", None).await;
    assert_eq!(fields["items"][0]["id"], a.custom_field.as_str());
    assert_eq!(fields["items"][0]["label"], "Aardmarker score");
    let deal = owner
        .api_ok(
            t,
            Method::GET,
            &format!("/deals/{}?include=history", a.deal),
            None,
        )
        .await;
    assert_eq!(deal["title"], "Aardmarker deal");
    assert_eq!(deal["stage_id"], a.stage);
    assert_eq!(deal["amount_minor"], 420_000);
    assert_eq!(
        deal["history"].as_array().unwrap().len(),
        1,
        "A's deal never moved"
    );
    let pipeline = owner
        .api_ok(t, Method::GET, &format!("/pipelines/{}", a.pipeline), None)
        .await;
    assert_eq!(pipeline["name"], "Aardmarker Pipeline");
    assert_eq!(pipeline["stages"].as_array().unwrap().len(), 6);
    assert_eq!(pipeline["stages"][1]["name"], "Needs analysis");
    let preview = t.app.preview_invitation(&a.invite_token).await.unwrap();
    assert_eq!(preview.email, "ivy.aardmarker@example.test");
    let tl = owner
        .api_ok(
            t,
            Method::GET,
            &format!("/contacts/{}/timeline", a.work.contact),
            None,
        )
        .await;
    let kinds: Vec<&str> = tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["task.created", "note.created"],
        "A's timeline as it was"
    );
    assert_eq!(tl["items"][1]["note"]["body"], "Aardmarker note");
    let task = owner
        .api_ok(t, Method::GET, &format!("/tasks/{}", a.work.task), None)
        .await;
    assert_eq!(task["title"], "Aardmarker task");
    assert_eq!(task["done"], false);
    let notes = owner.api_ok(t, Method::GET, "/notifications", None).await;
    assert_eq!(notes["unread_count"], 1, "A's notification still unread");
    let canned = owner
        .api_ok(
            t,
            Method::GET,
            &format!("/canned-responses/{}", a.inbox.canned),
            None,
        )
        .await;
    assert_eq!(
        canned["title"], "Aardmarker reply",
        "A's canned response as it was"
    );
    let rule = owner
        .api_ok(
            t,
            Method::GET,
            &format!("/automation-rules/{}", a.inbox.rule),
            None,
        )
        .await;
    assert_eq!(rule["name"], "Aardmarker rule", "A's rule as it was");
    assert_eq!(rule["enabled"], true);
    let policy = owner
        .api_ok(
            t,
            Method::GET,
            &format!("/sla-policies/{}", a.inbox.policy),
            None,
        )
        .await;
    assert_eq!(
        policy["name"], "Aardmarker policy",
        "A's SLA policy as it was"
    );
    assert_eq!(policy["inbox_ids"], json!([a.inbox.inbox]));
    let file = owner
        .client
        .get(t.url(&format!(
            "/api/v1/attachments/{}/content",
            a.inbox.attachment
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        file.text().await.unwrap(),
        super::tenancy_inbox::FILE_CONTENT,
        "A's file as it was"
    );
    let view = owner
        .api_ok(
            t,
            Method::GET,
            &format!("/conversation-views/{}", a.inbox.view),
            None,
        )
        .await;
    assert_eq!(view["name"], "Aardmarker view", "A's view as it was");
}

/// Builds org A through the product, one object of every kind.
async fn seed_org_a(t: &TestApp, sink: &SmtpSink) -> OrgA {
    let owner = t.create_org_with("Aardmarker Holdings", Role::Owner).await;
    let ob = Browser::sign_in(t, &owner).await;
    let res = ob
        .form(
            t,
            "/settings/profile",
            &[("name", "Olive Aardmarker"), ("time_zone", "UTC")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let add = |email: &str, name: &str, role: &str| json!({ "email": email, "name": name, "password": PASSWORD, "role": role });
    let admin = ob
        .api_ok(
            t,
            Method::POST,
            "/users",
            Some(add(
                "ada.aardmarker@example.test",
                "Ada Aardmarker",
                "admin",
            )),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let agent_id = ob
        .api_ok(
            t,
            Method::POST,
            "/users",
            Some(add(
                "abe.aardmarker@example.test",
                "Abe Aardmarker",
                "agent",
            )),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .parse::<UserId>()
        .unwrap();
    let agent = TestUser {
        id: agent_id,
        org_id: owner.org_id,
        email: "abe.aardmarker@example.test".into(),
        password: PASSWORD.into(),
    };
    let role = ob
        .api_ok(
            t,
            Method::POST,
            "/roles",
            Some(json!({
                "name": "Aardmarker Reviewers", "description": "Aardmarker auditors",
                "permissions": ["contacts.read", "audit.read"],
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let team = ob
        .api_ok(
            t,
            Method::POST,
            "/teams",
            Some(json!({
                "name": "Aardmarker Team", "description": "Aardmarker support",
                "members": [agent_id.to_string()],
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An invitation, mailed.
    let res = ob
        .form(
            t,
            "/admin/members/invite",
            &[("email", "ivy.aardmarker@example.test"), ("role", "agent")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    // A reset link for the agent, mailed.
    let anon = t.browser();
    let page = anon
        .get(t.url("/forgot"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_value(&page, "_csrf").unwrap();
    let res = anon
        .post(t.url("/forgot"))
        .form(&[("_csrf", csrf.as_str()), ("email", agent.email.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    drain_jobs(t).await;
    let invite_token = link_in_mail(sink, "ivy.aardmarker@example.test", "/invite/").await;
    let reset_token = link_in_mail(sink, &agent.email, "/reset/").await;
    let (_, members) = ob.get(t, "/admin/members").await;
    let invitation = members
        .split("id=\"invitation-")
        .nth(1)
        .unwrap()
        .chars()
        .take(36)
        .collect();

    // An API token.
    let created = ob
        .api_ok(
            t,
            Method::POST,
            "/tokens",
            Some(json!({ "name": "Aardmarker token" })),
        )
        .await;
    let token = created["id"].as_str().unwrap().to_owned();
    let token_prefix = created["prefix"].as_str().unwrap().to_owned();

    // The agent's session, from a browser with a recognizable user agent.
    install_tls();
    let agent_browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("AardmarkerBrowser/1.0")
        .build()
        .unwrap();
    let csrf = anon_csrf(t, &agent_browser).await;
    let res = agent_browser
        .post(t.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", agent.email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let logins = ob
        .api_ok(
            t,
            Method::GET,
            &format!("/audit?action=auth.login&actor_id={agent_id}"),
            None,
        )
        .await;
    let session = logins["items"][0]["target_id"].as_str().unwrap().to_owned();

    // A passkey of the owner.
    let credential = register_passkey(t, &ob, "Aardmarker key").await;

    // A dead job of A's.
    let job = t
        .app
        .queue()
        .enqueue(
            "no.such.handler",
            json!({ "note": "Aardmarker job" }),
            rapport_jobs::EnqueueOptions {
                org_id: Some(owner.org_id),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap()
        .to_string();
    drain_jobs(t).await;

    // CRM records: a custom field, a company and a contact linked to it.
    let custom_field = ob
        .api_ok(
            t,
            Method::POST,
            "/custom-fields",
            Some(json!({
                "object_type": "contact", "label": "Aardmarker score", "field_type": "text",
                "filterable": true,
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let company = ob
        .api_ok(
            t,
            Method::POST,
            "/companies",
            Some(json!({ "name": "Aardmarker Ltd", "domains": ["aardmarker.example"] })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contact = ob
        .api_ok(
            t,
            Method::POST,
            "/contacts",
            Some(json!({
                "first_name": "Pia", "last_name": "Aardmarker",
                "emails": ["pia@aardmarker.example"], "custom": { "aardmarker_score": "Aardmarker high" },
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A pipeline of its own with a deal in its second stage.
    let created = ob
        .api_ok(
            t,
            Method::POST,
            "/pipelines",
            Some(json!({ "name": "Aardmarker Pipeline", "currency": "EUR" })),
        )
        .await;
    let pipeline = created["id"].as_str().unwrap().to_owned();
    let stage = created["stages"][1]["id"].as_str().unwrap().to_owned();
    let deal = ob
        .api_ok(
            t,
            Method::POST,
            "/deals",
            Some(json!({
                "title": "Aardmarker deal", "pipeline_id": pipeline, "stage_id": stage,
                "amount_minor": 420_000,
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // CRM work: a company, a contact there, a deal, a note, a task and a notification.
    let w_company = crate::crm_work::company(t, owner.org_id, "Aardmarker Acme").await;
    let w_contact =
        crate::crm_work::contact(t, owner.org_id, "Aardmarker Ada", Some(w_company)).await;
    let w_deal = crate::crm_work::deal(t, owner.org_id, "Aardmarker Deal").await;
    let note = ob
        .api_ok(
            t,
            Method::POST,
            "/notes",
            Some(json!({ "record_type": "contact", "record_id": w_contact, "body": "Aardmarker note" })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let task = ob
        .api_ok(
            t,
            Method::POST,
            "/tasks",
            Some(json!({ "title": "Aardmarker task",
                "links": [{ "record_type": "contact", "record_id": w_contact }] })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let notification =
        crate::crm_work::notification(t, owner.org_id, owner.id, "Aardmarker notification")
            .await
            .to_string();
    let work = WorkA {
        contact: w_contact.to_string(),
        company: w_company.to_string(),
        deal: w_deal.to_string(),
        note,
        task,
        notification,
    };

    // A shared segment (every member of A sees it; nobody in B may).
    let segment = ob
        .api_ok(
            t,
            Method::POST,
            "/segments",
            Some(json!({
                "name": "Aardmarker segment", "object_type": "contact",
                "filter": "tag = aardmarker", "shared": true,
            })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A legal hold on A's contact, its reason marked.
    let legal_hold = ob
        .api_ok(
            t,
            Method::POST,
            "/privacy/legal-holds",
            Some(json!({ "target_type": "contact", "target_id": w_contact.to_string(), "reason": "Aardmarker matter" })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A contact (imported) and an upload waiting to run.
    let (import, imported_contact) = seed_crm_import(t, &ob).await;
    let inbox = super::tenancy_inbox::seed(t, &ob).await;

    OrgA {
        org: owner.org_id.to_string(),
        owner,
        admin,
        agent,
        role,
        team,
        invitation,
        invite_token,
        reset_token,
        token,
        token_prefix,
        session,
        credential,
        job,
        contact,
        company,
        custom_field,
        pipeline,
        stage,
        deal,
        segment,
        legal_hold,
        import,
        imported_contact,
        owner_browser: ob,
        agent_browser,
        work,
        inbox,
    }
}

/// Registers a software passkey for the signed-in member; returns its id.
pub async fn register_passkey(t: &TestApp, b: &Browser, name: &str) -> String {
    use webauthn_authenticator_rs::WebauthnAuthenticator;
    use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, Url};
    use webauthn_authenticator_rs::softpasskey::SoftPasskey;
    let res = b
        .client
        .post(t.url("/settings/security/keys/start"))
        .header("x-csrf-token", &b.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let start: Value = res.json().await.unwrap();
    let options: CreationChallengeResponse =
        serde_json::from_value(start["options"].clone()).unwrap();
    let origin = Url::parse(&t.app.config().public_url).unwrap();
    let mut key = SoftPasskey::new(true);
    let credential = key.do_registration(origin, options).unwrap();
    let res = b
        .client
        .post(t.url("/settings/security/keys/finish"))
        .header("x-csrf-token", &b.csrf)
        .json(&json!({
            "challenge": start["challenge"],
            "name": name,
            "credential": credential,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let body: Value = res.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// Imports one contact for org A and uploads a second file that stays unrun:
/// (upload id, contact id).
async fn seed_crm_import(t: &TestApp, ob: &Browser) -> (String, String) {
    let upload = |body: &'static str| {
        ob.client
            .post(t.url("/api/v1/imports?filename=aardmarker.csv"))
            .header("x-csrf-token", &ob.csrf)
            .body(body)
            .send()
    };
    let first: Value = upload("Name,Email\nCarla Aardmarker,carla.aardmarker@example.test\n")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = first["id"].as_str().unwrap().to_owned();
    let ran = ob
        .api_ok(
            t,
            Method::POST,
            &format!("/imports/{first}/run"),
            Some(json!({})),
        )
        .await;
    assert_eq!(ran["imported"], 1);
    let vcf = ob
        .client
        .get(t.url("/api/v1/contacts/export.vcf"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let contact = vcf
        .split("UID:urn:uuid:")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_owned();
    let second: Value = upload("Name,Email\nDora Aardmarker,dora.aardmarker@example.test\n")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (second["id"].as_str().unwrap().to_owned(), contact)
}
