//! The teams page: create, rename and delete teams, and put members on them or take them off.

use super::{Choice, CsrfOnly, Fields, FormProblem, done, form_problem, parse_id, tr_of};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, initials};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_domain::{TeamId, UserId};
use serde::Deserialize;

/// One team member.
pub struct Person {
    id: String,
    name: String,
    initials: String,
}

/// One team, preformatted.
pub struct TeamCard {
    id: String,
    name: String,
    description: String,
    members: Vec<Person>,
    /// Org members not on the team (for the "add" select).
    others: Vec<Choice>,
    created: String,
}

/// What the create form shows back.
#[derive(Debug, Default)]
pub struct TeamEcho {
    name: String,
    description: String,
    members: Vec<String>,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_teams.html")]
pub struct TeamsPage {
    page: PageCtx,
    teams: Vec<TeamCard>,
    people: Vec<Choice>,
    errors: Vec<String>,
    field_errors: Vec<&'static str>,
    create: TeamEcho,
    /// Whether the create form should start open (after a refused create).
    create_open: bool,
}

impl TeamsPage {
    /// Whether `field` of the create form is in error.
    pub fn has_error(&self, field: &str) -> bool {
        self.create_open && self.field_errors.contains(&field)
    }

    /// Whether the create form had `id` ticked.
    pub fn picked(&self, id: &str) -> bool {
        self.create.members.iter().any(|m| m == id)
    }
}

/// Rename form body.
#[derive(Debug, Deserialize)]
pub struct TeamForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

/// Add/remove member form body (`member` is `1` to add, `0` to remove).
#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    member: String,
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    problem: FormProblem,
    create: Option<TeamEcho>,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let teams = state.app.teams(actor).await?;
        let members = state.app.members(actor).await?;
        let (jar, page) = app_page(state, info, "teams", jar).await?;
        Ok::<_, AppError>((jar, page, teams, members))
    }
    .await;
    let (jar, page, teams, members) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let people: Vec<(UserId, String)> = members
        .into_iter()
        .map(|m| (m.user.id, m.user.name))
        .collect();
    let teams = teams
        .into_iter()
        .map(|t| TeamCard {
            id: t.id.to_string(),
            members: people
                .iter()
                .filter(|(id, _)| t.members.contains(id))
                .map(|(id, name)| Person {
                    id: id.to_string(),
                    initials: initials(name),
                    name: name.clone(),
                })
                .collect(),
            others: people
                .iter()
                .filter(|(id, _)| !t.members.contains(id))
                .map(|(id, name)| Choice {
                    value: id.to_string(),
                    label: name.clone(),
                })
                .collect(),
            created: page.tr.date(&t.created_at),
            name: t.name,
            description: t.description,
        })
        .collect();
    let people = people
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect();
    let status = problem.status();
    (
        status,
        jar,
        TeamsPage {
            page,
            teams,
            people,
            errors: problem.messages,
            field_errors: problem.fields,
            create_open: create.is_some(),
            create: create.unwrap_or_default(),
        },
    )
        .into_response()
}

/// `GET /admin/teams`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, &info, jar, FormProblem::default(), None).await
}

/// `POST /admin/teams`: name, description and any number of `members`.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Response {
    let form = Fields(fields);
    if !csrf_ok(form.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let picked = form.all("members");
    // An id that does not parse cannot be a member of this org: the app answers NotFound for
    // unknown members, so pass a fresh id rather than dropping the choice silently.
    let members: Vec<UserId> = picked
        .iter()
        .map(|raw| parse_id(raw).unwrap_or_default())
        .collect();
    let (name, description) = (form.get("name"), form.get("description"));
    match state
        .app
        .create_team(&info.actor, name, description, &members)
        .await
    {
        Ok(_) => done(&state, jar, "team_created", "/admin/teams"),
        Err(err) => match form_problem(&tr_of(&state, &info), err) {
            Ok(problem) => {
                let echo = TeamEcho {
                    name: name.to_owned(),
                    description: description.to_owned(),
                    members: picked,
                };
                render(&state, &headers, &info, jar, problem, Some(echo)).await
            }
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /admin/teams/{id}`: rename or re-describe.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<TeamForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(team) = parse_id::<TeamId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let result = state
        .app
        .update_team(&info.actor, team, &form.name, &form.description)
        .await;
    finish(&state, &headers, &info, jar, result, "team_updated").await
}

/// `POST /admin/teams/{id}/delete`.
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
    let Some(team) = parse_id::<TeamId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let result = state.app.delete_team(&info.actor, team).await;
    finish(&state, &headers, &info, jar, result, "team_deleted").await
}

/// `POST /admin/teams/{id}/members`: `user` and `member` (`1` adds, `0` removes).
pub async fn set_member(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<MemberForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let (Some(team), Some(user)) = (parse_id::<TeamId>(&id), parse_id::<UserId>(&form.user)) else {
        return pages::not_found(&state, &headers);
    };
    let add = form.member != "0";
    let result = state
        .app
        .set_team_member(&info.actor, team, user, add)
        .await;
    let key = if add {
        "team_member_added"
    } else {
        "team_member_removed"
    };
    finish(&state, &headers, &info, jar, result, key).await
}

/// Redirects with `key`, shows a refused change in the page, or an error page.
async fn finish(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    result: Result<(), AppError>,
    key: &'static str,
) -> Response {
    match result {
        Ok(()) => done(state, jar, key, "/admin/teams"),
        Err(err) => match form_problem(&tr_of(state, info), err) {
            Ok(problem) => render(state, headers, info, jar, problem, None).await,
            Err(err) => pages::from_app_error(state, headers, err),
        },
    }
}
