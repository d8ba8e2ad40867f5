//! The members page: who belongs to the org and with which role, inviting people (showing the
//! link once when it could not be emailed), changing roles, removing members, and withdrawing
//! open invitations.

use super::{
    Choice, CsrfOnly, FormProblem, done, form_problem, parse_grant, parse_id, role_choices,
    role_label, tr_of,
};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{FlashMsg, PageCtx, UiSession, app_page, initials};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_domain::{InvitationId, Role, RoleId, UserId};
use serde::Deserialize;
use std::collections::HashMap;

/// One member, preformatted.
pub struct MemberRow {
    id: String,
    name: String,
    email: String,
    initials: String,
    role: &'static str,
    role_label: String,
    custom_role: Option<String>,
    custom_role_id: String,
    mfa: bool,
    joined: String,
    is_self: bool,
    /// Whether the actor may change or remove this member (only owners touch owners).
    manageable: bool,
}

/// One open invitation.
pub struct InvitationRow {
    id: String,
    email: String,
    role: &'static str,
    role_label: String,
    custom_role: Option<String>,
    invited_by: String,
    sent: String,
    expires: String,
}

/// What the invite form shows back.
#[derive(Debug, Default)]
pub struct InviteEcho {
    email: String,
    role: String,
    custom_role: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_members.html")]
pub struct MembersPage {
    page: PageCtx,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    role_choices: Vec<Choice>,
    custom_roles: Vec<Choice>,
    errors: Vec<String>,
    field_errors: Vec<&'static str>,
    invite: InviteEcho,
    /// An invitation link that was not emailed: shown once, to copy.
    sent_link: Option<String>,
    sent_to: String,
}

impl MembersPage {
    /// Whether `field` of the invite form is in error.
    pub fn has_error(&self, field: &str) -> bool {
        self.field_errors.contains(&field)
    }
}

/// Invite form body.
#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    custom_role: String,
}

/// Role change form body.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    custom_role: String,
}

/// What a render adds to the plain page.
#[derive(Default)]
struct Extras {
    problem: FormProblem,
    invite: InviteEcho,
    sent: Option<(String, String)>,
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    extras: Extras,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let invitations = state.app.open_invitations(actor).await?;
        let members = state.app.members(actor).await?;
        // Custom roles are offered only to those who may read them (`roles.manage`).
        let roles = match state.app.roles(actor).await {
            Err(AppError::Forbidden) => Vec::new(),
            other => other?,
        };
        let (jar, page) = app_page(state, info, "members", jar).await?;
        Ok::<_, AppError>((jar, page, members, invitations, roles))
    }
    .await;
    let (jar, mut page, members, invitations, roles) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let mfa: HashMap<UserId, bool> = members
        .iter()
        .map(|m| (m.user.id, m.has_second_factor))
        .collect();
    let tr = &page.tr;
    let names: HashMap<UserId, String> = members
        .iter()
        .map(|m| (m.user.id, m.user.name.clone()))
        .collect();
    let role_names: HashMap<RoleId, String> =
        roles.iter().map(|r| (r.id, r.name.clone())).collect();
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            id: m.user.id.to_string(),
            initials: initials(&m.user.name),
            role: m.access.role.as_str(),
            role_label: role_label(tr, m.access.role),
            custom_role_id: m
                .access
                .custom_role
                .as_ref()
                .map(|(id, _)| id.to_string())
                .unwrap_or_default(),
            custom_role: m.access.custom_role.map(|(_, name)| name),
            mfa: mfa.get(&m.user.id).copied().unwrap_or(false),
            joined: tr.date(&m.joined_at),
            is_self: m.user.id == actor.user_id,
            manageable: m.access.role != Role::Owner || actor.role == Role::Owner,
            name: m.user.name,
            email: m.user.email,
        })
        .collect();
    let invitations = invitations
        .into_iter()
        .map(|i| InvitationRow {
            id: i.id.to_string(),
            email: i.email,
            role: i.role.as_str(),
            role_label: role_label(tr, i.role),
            custom_role: i.custom_role.and_then(|id| role_names.get(&id).cloned()),
            invited_by: names
                .get(&i.invited_by)
                .cloned()
                .unwrap_or_else(|| tr.t("members.former_member")),
            sent: tr.date(&i.created_at),
            expires: tr.datetime(&i.expires_at),
        })
        .collect();
    let custom_roles = roles
        .into_iter()
        .map(|r| Choice {
            value: r.id.to_string(),
            label: r.name,
        })
        .collect();
    let status = extras.problem.status();
    let (sent_link, sent_to) = match extras.sent {
        Some((link, to)) => {
            page.flash.push(FlashMsg {
                kind: "success",
                text: tr.tf("invitations.created_copy", &[("email", &to)]),
            });
            (Some(link), to)
        }
        None => (None, String::new()),
    };
    let role_choices = role_choices(&page.tr, actor.role);
    (
        status,
        jar,
        MembersPage {
            page,
            members,
            invitations,
            role_choices,
            custom_roles,
            errors: extras.problem.messages,
            field_errors: extras.problem.fields,
            invite: extras.invite,
            sent_link,
            sent_to,
        },
    )
        .into_response()
}

/// `GET /admin/members`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, &info, jar, Extras::default()).await
}

/// `POST /admin/members/invite`.
pub async fn invite(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<InviteForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let tr = tr_of(&state, &info);
    let echo = InviteEcho {
        email: form.email.clone(),
        role: form.role.clone(),
        custom_role: form.custom_role.clone(),
    };
    let (role, custom_role) = match parse_grant(&form.role, &form.custom_role) {
        Ok(grant) => grant,
        Err(err) => {
            let problem = FormProblem::field(&tr, &err);
            let extras = Extras {
                problem,
                invite: echo,
                sent: None,
            };
            return render(&state, &headers, &info, jar, extras).await;
        }
    };
    match state
        .app
        .invite(&info.actor, &form.email, role, custom_role)
        .await
    {
        Ok(sent) if sent.emailed => done(&state, jar, "invitation_sent", "/admin/members"),
        Ok(sent) => {
            let extras = Extras {
                sent: Some((sent.link, sent.invitation.email)),
                ..Extras::default()
            };
            render(&state, &headers, &info, jar, extras).await
        }
        Err(err) => match form_problem(&tr, err) {
            Ok(mut problem) => {
                if problem.fields.is_empty() {
                    problem.fields.push("email");
                }
                let extras = Extras {
                    problem,
                    invite: echo,
                    sent: None,
                };
                render(&state, &headers, &info, jar, extras).await
            }
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /admin/members/{id}/role`.
pub async fn change_role(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<RoleForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(user) = parse_id::<UserId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let tr = tr_of(&state, &info);
    let result = match parse_grant(&form.role, &form.custom_role) {
        Ok((role, custom)) => {
            state
                .app
                .change_member_role(&info.actor, user, role, custom)
                .await
        }
        Err(err) => Err(err.into()),
    };
    match result {
        Ok(()) => done(&state, jar, "member_role_changed", "/admin/members"),
        Err(err) => after_error(&state, &headers, &info, jar, &tr, err).await,
    }
}

/// `POST /admin/members/{id}/remove`.
pub async fn remove(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(user) = parse_id::<UserId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let tr = tr_of(&state, &info);
    match state.app.remove_member(&info.actor, user).await {
        Ok(()) => done(&state, jar, "member_removed", "/admin/members"),
        Err(err) => after_error(&state, &headers, &info, jar, &tr, err).await,
    }
}

/// `POST /admin/invitations/{id}/revoke`.
pub async fn revoke(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(invitation) = parse_id::<InvitationId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.revoke_invitation(&info.actor, invitation).await {
        Ok(()) => done(&state, jar, "invitation_revoked", "/admin/members"),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// Shows a refused change above the members table, or the error page.
async fn after_error(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    tr: &crate::i18n::Tr,
    err: AppError,
) -> Response {
    match form_problem(tr, err) {
        Ok(problem) => {
            let extras = Extras {
                problem,
                ..Extras::default()
            };
            render(state, headers, info, jar, extras).await
        }
        Err(err) => pages::from_app_error(state, headers, err),
    }
}
