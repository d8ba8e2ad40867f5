//! The inbox settings page (`/admin/inboxes`, `settings.manage`): the org's inboxes with their
//! team, how they assign new conversations, whether a reply reopens a resolved conversation,
//! and for an API inbox the address integrations post to; add, edit in place, delete (with its
//! conversations, after a confirmation that says so). Email inboxes' parts are in
//! `email_inboxes`.

use super::email_inboxes::{self, EmailCard, EmailForm};
use crate::state::WebState;
use crate::ui::admin::{CsrfOnly, Fields, done, parse_id, tr_of};
use crate::ui::crm::{Problems, problems};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::inbox::InboxRecord;
use rapport_app::inbox::inboxes::{InboxPatch, NewInbox};
use rapport_domain::inbox::ChannelKind;
use rapport_domain::inbox::assignment::AutoAssign;
use rapport_domain::{DomainError, InboxId, Permission, TeamId};

pub(super) const PAGE: &str = "/admin/inboxes";

/// An inbox as the form holds it.
#[derive(Debug, Clone, Default)]
pub struct InboxForm {
    /// "" for a new inbox.
    pub id: String,
    pub name: String,
    pub team: String,
    pub auto_assign: String,
    pub reopen_resolved: bool,
    /// Refused: show it open.
    pub open: bool,
}

/// An inbox as the page shows it.
pub struct InboxCard {
    pub name: String,
    pub channel: String,
    pub team: String,
    pub assign: String,
    pub endpoint: String,
    pub reopen: bool,
    pub form: InboxForm,
    /// An email inbox's mailbox, status and quarantine.
    pub email: Option<EmailCard>,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_inboxes.html")]
pub struct InboxesPage {
    page: PageCtx,
    inboxes: Vec<InboxCard>,
    add: InboxForm,
    /// The "connect a mailbox" form.
    email_add: EmailForm,
    /// (value, label) of connection security.
    securities: Vec<(String, String)>,
    /// (id, name).
    teams: Vec<(String, String)>,
    /// (value, label).
    modes: Vec<(String, String)>,
    summary: Vec<String>,
    /// (id, label) of the providers whose mailboxes connect with OAuth.
    oauth_providers: Vec<(String, String)>,
}

fn form_of(r: &InboxRecord) -> InboxForm {
    InboxForm {
        id: r.id.to_string(),
        name: r.name.clone(),
        team: r.team_id.map(|t| t.to_string()).unwrap_or_default(),
        auto_assign: r.auto_assign.clone(),
        reopen_resolved: r.reopen_resolved,
        open: false,
    }
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    echo: Option<InboxForm>,
    email_echo: Option<EmailForm>,
    problems: Problems,
) -> Response {
    if !info.actor.can(Permission::SettingsManage) {
        return pages::forbidden(state, headers);
    }
    let actor = &info.actor;
    let loaded = async {
        let inboxes = state.app.inboxes(actor).await?;
        let teams = state.app.teams(actor).await?;
        let (jar, page) = app_page(state, info, "inboxes", jar).await?;
        Ok::<_, AppError>((jar, page, inboxes, teams))
    }
    .await;
    let (jar, page, inboxes, teams) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let tr = &page.tr;
    let teams: Vec<(String, String)> = teams
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let modes: Vec<(String, String)> = AutoAssign::ALL
        .iter()
        .map(|m| (m.as_str().to_owned(), tr.t(&format!("inboxes.assign.{m}"))))
        .collect();
    let mut email_cards = Vec::with_capacity(inboxes.len());
    for r in &inboxes {
        email_cards.push(match r.channel {
            ChannelKind::Email => match email_inboxes::card(state, actor, tr, r).await {
                Ok(card) => Some(card),
                Err(err) => return pages::from_app_error(state, headers, err),
            },
            _ => None,
        });
    }
    let mut cards: Vec<InboxCard> = inboxes
        .iter()
        .zip(email_cards)
        .map(|(r, email)| InboxCard {
            email,
            name: r.name.clone(),
            channel: tr.t(&format!("automation.channel.{}", r.channel)),
            team: r
                .team_id
                .and_then(|t| teams.iter().find(|(id, _)| *id == t.to_string()))
                .map_or_else(|| tr.t("inboxes.no_team"), |(_, n)| n.clone()),
            assign: tr.t(&format!("inboxes.assign.{}", r.auto_assign)),
            endpoint: match r.channel {
                ChannelKind::Api => format!("/api/v1/inboxes/{}/messages", r.id),
                _ => String::new(),
            },
            reopen: r.reopen_resolved,
            form: form_of(r),
        })
        .collect();
    let mut add = InboxForm {
        auto_assign: AutoAssign::None.as_str().into(),
        reopen_resolved: true,
        ..Default::default()
    };
    let mut email_add = EmailForm {
        imap_security: "tls".into(),
        smtp_security: "tls".into(),
        folder: "INBOX".into(),
        backfill: "30".into(),
        ..Default::default()
    };
    if let Some(echo) = email_echo {
        match cards
            .iter_mut()
            .find(|c| !echo.id.is_empty() && c.form.id == echo.id)
        {
            Some(InboxCard {
                email: Some(card), ..
            }) => card.form = echo,
            _ => email_add = echo,
        }
    }
    let securities = ["tls", "starttls", "none"]
        .iter()
        .map(|s| {
            (
                (*s).to_owned(),
                tr.t(&format!("inboxes.email.security.{s}")),
            )
        })
        .collect();
    if let Some(echo) = echo {
        match cards
            .iter_mut()
            .find(|c| !echo.id.is_empty() && c.form.id == echo.id)
        {
            Some(c) => c.form = echo,
            None => add = echo,
        }
    }
    let summary = problems.summary_in(tr, "inboxes");
    let oauth_providers = state
        .app
        .oauth_providers()
        .into_iter()
        .map(|(id, _)| {
            (
                id.to_owned(),
                page.tr.t(&format!("inboxes.email.oauth_{id}")),
            )
        })
        .collect();
    let body = InboxesPage {
        oauth_providers,
        inboxes: cards,
        add,
        email_add,
        securities,
        teams,
        modes,
        summary,
        page,
    };
    (problems.status(), jar, body).into_response()
}

/// `GET /admin/inboxes`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(
        &state,
        &headers,
        &info,
        jar,
        None,
        None,
        Problems::default(),
    )
    .await
}

fn read(f: &Fields, id: &str) -> InboxForm {
    InboxForm {
        id: id.to_owned(),
        name: f.get("name").to_owned(),
        team: f.get("team_id").trim().to_owned(),
        auto_assign: f.get("auto_assign").trim().to_owned(),
        reopen_resolved: f.get("reopen_resolved") == "on",
        open: true,
    }
}

fn parsed(form: &InboxForm) -> Result<(Option<TeamId>, AutoAssign), AppError> {
    let team = match form.team.as_str() {
        "" => None,
        t => Some(parse_id::<TeamId>(t).ok_or(DomainError::Invalid {
            field: "team_id",
            reason: "choose a team from the list",
        })?),
    };
    Ok((team, AutoAssign::parse(&form.auto_assign)?))
}

async fn refused(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    form: InboxForm,
    err: AppError,
) -> Response {
    match problems(&tr_of(state, info), err) {
        Ok(p) => render(state, headers, info, jar, Some(form), None, p).await,
        Err(err) => pages::from_app_error(state, headers, err),
    }
}

/// The page again with the refused mail settings and what was wrong with them.
pub(super) async fn refused_email(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    form: EmailForm,
    err: AppError,
) -> Response {
    match problems(&tr_of(state, info), err) {
        Ok(p) => render(state, headers, info, jar, None, Some(form), p).await,
        Err(err) => pages::from_app_error(state, headers, err),
    }
}

/// `POST /admin/inboxes`: add an API inbox.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let form = read(&f, "");
    let result = match parsed(&form) {
        Ok((team_id, auto_assign)) => {
            let input = NewInbox {
                name: form.name.clone(),
                channel: ChannelKind::Api,
                team_id,
                auto_assign,
                reopen_resolved: form.reopen_resolved,
                csat_enabled: false,
                email: None,
            };
            state.app.create_inbox(&info.actor, input).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(&state, jar, "inbox_created", PAGE),
        Err(err) => refused(&state, &headers, &info, jar, form, err).await,
    }
}

/// `POST /admin/inboxes/{id}`: change an inbox.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<InboxId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    // Another org's inbox is a 404 whatever the form holds.
    if let Err(err) = state.app.inbox(&info.actor, id).await {
        return pages::from_app_error(&state, &headers, err);
    }
    let form = read(&f, &id.to_string());
    let result = match parsed(&form) {
        Ok((team_id, auto_assign)) => {
            let patch = InboxPatch {
                name: Some(form.name.clone()),
                team_id: Some(team_id),
                auto_assign: Some(auto_assign),
                reopen_resolved: Some(form.reopen_resolved),
                csat_enabled: None,
            };
            state
                .app
                .update_inbox(&info.actor, id, patch)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(&state, jar, "inbox_saved", PAGE),
        Err(err) => refused(&state, &headers, &info, jar, form, err).await,
    }
}

/// `POST /admin/inboxes/{id}/delete`.
pub async fn delete(
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
    let Some(id) = parse_id::<InboxId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_inbox(&info.actor, id).await {
        Ok(()) => done(&state, jar, "inbox_deleted", PAGE),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
