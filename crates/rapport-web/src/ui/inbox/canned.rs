//! The canned-responses settings page (`/admin/canned-responses`, `settings.manage`): list,
//! add, edit and delete the saved replies agents insert with `/` in the composer. A refused
//! form comes back with what was typed and the reason (a template error names its line).

use crate::state::WebState;
use crate::ui::admin::{CsrfOnly, Fields, done, parse_id, tr_of};
use crate::ui::crm::{Pick, Problems, problems};
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
use rapport_app::inbox::CannedRecord;
use rapport_app::inbox::canned::{CannedPatch, NewCanned};
use rapport_domain::{CannedResponseId, InboxId, Permission};

/// Where the page lives.
const PAGE: &str = "/admin/canned-responses";

/// The variables a body may use, shown beside the form.
const VARIABLES: &[&str] = &[
    "contact.first_name",
    "contact.last_name",
    "contact.name",
    "contact.email",
    "agent.name",
    "agent.first_name",
    "conversation.number",
    "inbox.name",
    "org.name",
];

/// What a form holds: a stored response, or what was typed into a refused form.
#[derive(Debug, Default, Clone)]
pub struct CannedForm {
    id: String,
    short_code: String,
    title: String,
    body: String,
    /// The inbox id, or "" for every inbox.
    inbox: String,
    /// The inbox's name, or "every inbox".
    inbox_label: String,
    /// The form was refused: show it open.
    open: bool,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_canned.html")]
pub struct CannedPage {
    page: PageCtx,
    items: Vec<CannedForm>,
    add: CannedForm,
    inboxes: Vec<Pick>,
    variables: Vec<String>,
    summary: Vec<String>,
}

impl CannedPage {
    /// The inbox choices with `chosen` set for `form`.
    pub fn inbox_picks(&self, form: &CannedForm) -> Vec<Pick> {
        self.inboxes
            .iter()
            .map(|p| Pick {
                chosen: p.value == form.inbox,
                ..p.clone()
            })
            .collect()
    }
}

fn form_of(r: CannedRecord, names: &[Pick], every: &str) -> CannedForm {
    let inbox = r.inbox_id.map(|i| i.to_string()).unwrap_or_default();
    let inbox_label = names
        .iter()
        .find(|p| !inbox.is_empty() && p.value == inbox)
        .map_or_else(|| every.to_owned(), |p| p.label.clone());
    CannedForm {
        id: r.id.to_string(),
        short_code: r.short_code,
        title: r.title,
        body: r.body,
        inbox,
        inbox_label,
        open: false,
    }
}

/// Renders the page; `echo` is a refused form (its `id` is "" for the add form).
async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    echo: Option<CannedForm>,
    problems: Problems,
) -> Response {
    if !info.actor.can(Permission::SettingsManage) {
        return pages::forbidden(state, headers);
    }
    let actor = &info.actor;
    let loaded = async {
        let inboxes = state.app.inboxes(actor).await?;
        let items = state.app.all_canned_responses(actor).await?;
        let (jar, page) = app_page(state, info, "canned", jar).await?;
        Ok::<_, AppError>((jar, page, inboxes, items))
    }
    .await;
    let (jar, page, inboxes, items) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let every = page.tr.t("canned.every_inbox");
    let mut picks = vec![Pick {
        value: String::new(),
        label: every.clone(),
        chosen: false,
    }];
    picks.extend(inboxes.into_iter().map(|i| Pick {
        value: i.id.to_string(),
        label: i.name,
        chosen: false,
    }));
    let mut items: Vec<CannedForm> = items
        .into_iter()
        .map(|r| form_of(r, &picks, &every))
        .collect();
    let mut add = CannedForm::default();
    if let Some(echo) = echo {
        match items
            .iter_mut()
            .find(|f| !echo.id.is_empty() && f.id == echo.id)
        {
            Some(item) => {
                *item = CannedForm {
                    inbox_label: item.inbox_label.clone(),
                    ..echo
                }
            }
            None => add = echo,
        }
    }
    let body = CannedPage {
        summary: problems.summary_in(&page.tr, "canned"),
        variables: VARIABLES.iter().map(|v| format!("{{{{ {v} }}}}")).collect(),
        items,
        add,
        inboxes: picks,
        page,
    };
    (problems.status(), jar, body).into_response()
}

/// `GET /admin/canned-responses`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, &info, jar, None, Problems::default()).await
}

/// The typed form, and the inbox it names (`Err` when the value is not an id).
fn read_form(f: &Fields, id: &str) -> (CannedForm, Result<Option<InboxId>, ()>) {
    let inbox = f.get("inbox_id").trim().to_owned();
    let parsed = if inbox.is_empty() {
        Ok(None)
    } else {
        parse_id::<InboxId>(&inbox).map(Some).ok_or(())
    };
    let echo = CannedForm {
        id: id.to_owned(),
        short_code: f.get("short_code").to_owned(),
        title: f.get("title").to_owned(),
        body: f.get("body").to_owned(),
        inbox,
        inbox_label: String::new(),
        open: true,
    };
    (echo, parsed)
}

/// Answers a refused save: the page again with the form open, or an error page.
async fn refused(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    echo: CannedForm,
    err: AppError,
) -> Response {
    match problems(&tr_of(state, info), err) {
        Ok(p) => render(state, headers, info, jar, Some(echo), p).await,
        Err(err) => pages::from_app_error(state, headers, err),
    }
}

fn no_such_inbox() -> AppError {
    AppError::from(rapport_domain::DomainError::Invalid {
        field: "inbox_id",
        reason: "no such inbox in this organization",
    })
}

/// `POST /admin/canned-responses`: add one.
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
    let (echo, inbox) = read_form(&f, "");
    let Ok(inbox_id) = inbox else {
        return refused(&state, &headers, &info, jar, echo, no_such_inbox()).await;
    };
    let new = NewCanned {
        short_code: echo.short_code.clone(),
        title: echo.title.clone(),
        body: echo.body.clone(),
        inbox_id,
    };
    match state.app.create_canned_response(&info.actor, new).await {
        Ok(_) => done(&state, jar, "canned_created", PAGE),
        Err(err) => refused(&state, &headers, &info, jar, echo, err).await,
    }
}

/// `POST /admin/canned-responses/{id}`: change one.
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
    let Some(id) = parse_id::<CannedResponseId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let (echo, inbox) = read_form(&f, &id.to_string());
    let Ok(inbox_id) = inbox else {
        return refused(&state, &headers, &info, jar, echo, no_such_inbox()).await;
    };
    let patch = CannedPatch {
        short_code: Some(echo.short_code.clone()),
        title: Some(echo.title.clone()),
        body: Some(echo.body.clone()),
        inbox_id: Some(inbox_id),
    };
    match state
        .app
        .update_canned_response(&info.actor, id, patch)
        .await
    {
        Ok(_) => done(&state, jar, "canned_saved", PAGE),
        Err(err) => refused(&state, &headers, &info, jar, echo, err).await,
    }
}

/// `POST /admin/canned-responses/{id}/delete`.
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
    let Some(id) = parse_id::<CannedResponseId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_canned_response(&info.actor, id).await {
        Ok(()) => done(&state, jar, "canned_deleted", PAGE),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
