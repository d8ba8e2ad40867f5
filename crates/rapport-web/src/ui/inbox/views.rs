//! Saved views in the inbox: `/inbox/views/new` (the form: name, assignee, inbox, team, label,
//! least priority, shared), saving one (then opening it), and deleting one from its list.

use crate::state::WebState;
use crate::ui::admin::{CsrfOnly, Fields, done, parse_id, tr_of};
use crate::ui::crm::{Pick, Problems, problems};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, set_flash};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::inbox::views::NewView;
use rapport_domain::inbox::Priority;
use rapport_domain::inbox::view::{ViewAssignee, ViewFilter};
use rapport_domain::{DomainError, InboxId, Permission, TeamId, UserId};

/// The form's values, as typed.
#[derive(Default)]
pub struct ViewForm {
    pub name: String,
    pub label: String,
    pub shared: bool,
    pub assignee: Vec<Pick>,
    pub inbox: Vec<Pick>,
    pub team: Vec<Pick>,
    pub priority: Vec<Pick>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox_view_form.html")]
pub struct ViewFormPage {
    pub page: PageCtx,
    pub form: ViewForm,
    pub summary: Vec<String>,
    pub can_share: bool,
}

fn picks(any: String, options: Vec<(String, String)>, chosen: &str) -> Vec<Pick> {
    std::iter::once((String::new(), any))
        .chain(options)
        .map(|(value, label)| Pick {
            chosen: value == chosen,
            value,
            label,
        })
        .collect()
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    typed: &Fields,
    problems: Problems,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let inboxes = state.app.inboxes(actor).await?;
        let teams = state.app.conversation_teams(actor).await?;
        let members = state.app.members(actor).await?;
        let (jar, page) = app_page(state, info, "inbox", jar).await?;
        Ok::<_, AppError>((jar, page, inboxes, teams, members))
    }
    .await;
    let (jar, page, inboxes, teams, members) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let tr = &page.tr;
    let mut people = vec![
        ("me".to_owned(), tr.t("inbox.views.me")),
        ("unassigned".to_owned(), tr.t("inbox.views.unassigned")),
    ];
    people.extend(
        members
            .into_iter()
            .map(|m| (m.user.id.to_string(), m.user.name)),
    );
    let form = ViewForm {
        name: typed.get("name").to_owned(),
        label: typed.get("label").to_owned(),
        shared: typed.get("shared") == "on",
        assignee: picks(tr.t("inbox.views.anyone"), people, typed.get("assignee")),
        inbox: picks(
            tr.t("inbox.views.any"),
            inboxes
                .into_iter()
                .map(|i| (i.id.to_string(), i.name))
                .collect(),
            typed.get("inbox"),
        ),
        team: picks(
            tr.t("inbox.views.any"),
            teams
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            typed.get("team"),
        ),
        priority: picks(
            tr.t("inbox.views.any"),
            Priority::ALL
                .iter()
                .filter(|p| **p != Priority::None)
                .map(|p| (p.as_str().to_owned(), tr.t(&format!("inbox.priority.{p}"))))
                .collect(),
            typed.get("priority"),
        ),
    };
    let body = ViewFormPage {
        summary: problems.summary_in(tr, "inbox.views"),
        can_share: actor.can(Permission::SettingsManage),
        form,
        page,
    };
    (problems.status(), jar, body).into_response()
}

/// `GET /inbox/views/new`.
pub async fn new(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    if !info.actor.can(Permission::ConversationsRead) {
        return pages::forbidden(&state, &headers);
    }
    let empty = Fields(Vec::new());
    render(&state, &headers, &info, jar, &empty, Problems::default()).await
}

fn bad(field: &'static str) -> AppError {
    DomainError::Invalid {
        field,
        reason: "choose one of the listed options",
    }
    .into()
}

/// The filter the form describes.
fn read_filter(f: &Fields) -> Result<ViewFilter, AppError> {
    let id = |name: &'static str| -> Result<Option<uuid::Uuid>, AppError> {
        match f.get(name).trim() {
            "" => Ok(None),
            raw => parse_id::<uuid::Uuid>(raw)
                .map(Some)
                .ok_or_else(|| bad(name)),
        }
    };
    let assignee = match f.get("assignee").trim() {
        "" => ViewAssignee::Anyone,
        "me" => ViewAssignee::Me,
        "unassigned" => ViewAssignee::Unassigned,
        _ => ViewAssignee::Member(UserId::from_uuid(
            id("assignee")?.ok_or_else(|| bad("assignee"))?,
        )),
    };
    let min_priority = match f.get("priority").trim() {
        "" => None,
        raw => Some(Priority::parse(raw).map_err(|_| bad("priority"))?),
    };
    Ok(ViewFilter {
        assignee,
        inbox_id: id("inbox")?.map(InboxId::from_uuid),
        team_id: id("team")?.map(TeamId::from_uuid),
        label: Some(f.get("label").to_owned()),
        min_priority,
    })
}

/// `POST /inbox/views`: save, then open the view.
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
    let saved = match read_filter(&f) {
        Ok(filter) => {
            let input = NewView {
                name: f.get("name").to_owned(),
                shared: f.get("shared") == "on",
                filter,
            };
            state.app.create_saved_view(&info.actor, input).await
        }
        Err(err) => Err(err),
    };
    match saved {
        Ok(view) => (
            set_flash(jar, "success", "inbox_view_saved", state.secure_cookies),
            Redirect::to(&format!("/inbox?folder=view:{}&status=open", view.id)),
        )
            .into_response(),
        Err(err) => match problems(&tr_of(&state, &info), err) {
            Ok(p) => render(&state, &headers, &info, jar, &f, p).await,
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /inbox/views/{id}/delete`.
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
    let Some(id) = parse_id::<uuid::Uuid>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_saved_view(&info.actor, id).await {
        Ok(()) => done(&state, jar, "inbox_view_deleted", "/inbox"),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
