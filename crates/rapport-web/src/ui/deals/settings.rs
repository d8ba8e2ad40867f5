//! `/admin/pipelines`: create pipelines, rename them, and edit their stages (name,
//! probability, kind, order), deleting a stage with deals by moving them to another.

use super::{deal_problem, tr_for};
use crate::state::WebState;
use crate::ui::admin::{Choice, CsrfOnly, FormProblem, done, parse_id};
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
use rapport_app::crm::pipelines::StageInput;
use rapport_domain::crm::StageKind;
use rapport_domain::{Permission, PipelineId, StageId};
use serde::Deserialize;

/// One stage row.
pub struct StageRow {
    id: String,
    name: String,
    probability: i32,
    kind: &'static str,
    position: usize,
    first: bool,
    last: bool,
    /// Other stages of the pipeline (where its deals can go).
    others: Vec<Choice>,
}

/// One pipeline.
pub struct PipelineCard {
    id: String,
    name: String,
    currency: String,
    stages: Vec<StageRow>,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_pipelines.html")]
pub struct PipelinesPage {
    page: PageCtx,
    pipelines: Vec<PipelineCard>,
    kinds: Vec<Choice>,
    errors: Vec<String>,
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    problem: FormProblem,
) -> Response {
    let actor = &info.actor;
    if let Err(err) = actor.require(Permission::SettingsManage) {
        return pages::from_app_error(state, headers, err);
    }
    let loaded = async {
        let pipelines = state.app.pipelines(actor).await?;
        let (jar, page) = app_page(state, info, "pipelines", jar).await?;
        Ok::<_, AppError>((jar, page, pipelines))
    }
    .await;
    let (jar, page, pipelines) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let kinds = StageKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: page.tr.t(&format!("crm_deals.kind.{k}")),
        })
        .collect();
    let pipelines = pipelines
        .into_iter()
        .map(|p| {
            let n = p.stages.len();
            PipelineCard {
                id: p.id.to_string(),
                stages: p
                    .stages
                    .iter()
                    .enumerate()
                    .map(|(i, s)| StageRow {
                        id: s.id.to_string(),
                        name: s.name.clone(),
                        probability: s.probability,
                        kind: s.kind.as_str(),
                        position: i,
                        first: i == 0,
                        last: i + 1 == n,
                        others: p
                            .stages
                            .iter()
                            .filter(|o| o.id != s.id)
                            .map(|o| Choice {
                                value: o.id.to_string(),
                                label: o.name.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                name: p.name,
                currency: p.currency,
            }
        })
        .collect();
    let status = problem.status();
    (
        status,
        jar,
        PipelinesPage {
            page,
            pipelines,
            kinds,
            errors: problem.messages,
        },
    )
        .into_response()
}

/// Pipeline and stage form bodies (all fields optional; empty means unchanged).
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    probability: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    move_deals_to: String,
}

impl SettingsForm {
    fn stage(&self) -> Result<StageInput, AppError> {
        let opt = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
        let probability = match opt(&self.probability) {
            None => None,
            Some(p) => Some(p.parse::<i32>().map_err(|_| {
                AppError::from(rapport_domain::DomainError::Invalid {
                    field: "probability",
                    reason: "use a whole percentage from 0 to 100",
                })
            })?),
        };
        Ok(StageInput {
            name: opt(&self.name),
            probability,
            kind: opt(&self.kind),
            position: opt(&self.position).and_then(|p| p.parse().ok()),
        })
    }
}

/// `GET /admin/pipelines`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, &info, jar, FormProblem::default()).await
}

/// Redirects with `key`, shows a refused change in the page, or an error page.
async fn finish<T>(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    result: Result<T, AppError>,
    key: &'static str,
) -> Response {
    match result {
        Ok(_) => done(state, jar, key, "/admin/pipelines"),
        Err(err) => match deal_problem(&tr_for(state, info), err) {
            Ok(problem) => render(state, headers, info, jar, problem).await,
            Err(err) => pages::from_app_error(state, headers, err),
        },
    }
}

/// `POST /admin/pipelines`: name and currency; starts with the default stages.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<SettingsForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let result = state
        .app
        .create_pipeline(&info.actor, &form.name, &form.currency, &[])
        .await;
    finish(&state, &headers, &info, jar, result, "pipeline_created").await
}

/// `POST /admin/pipelines/{id}`: rename or change the currency.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<SettingsForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<PipelineId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let name = (!form.name.trim().is_empty()).then_some(form.name.as_str());
    let currency = (!form.currency.trim().is_empty()).then_some(form.currency.as_str());
    let result = state
        .app
        .update_pipeline(&info.actor, id, name, currency)
        .await;
    finish(&state, &headers, &info, jar, result, "pipeline_saved").await
}

/// `POST /admin/pipelines/{id}/delete`.
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
    let Some(id) = parse_id::<PipelineId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let result = state.app.delete_pipeline(&info.actor, id).await;
    finish(&state, &headers, &info, jar, result, "pipeline_deleted").await
}

/// `POST /admin/pipelines/{id}/stages`: add a stage.
pub async fn add_stage(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<SettingsForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<PipelineId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let result = match form.stage() {
        Ok(input) => state.app.add_stage(&info.actor, id, &input).await,
        Err(e) => Err(e),
    };
    finish(&state, &headers, &info, jar, result, "stage_added").await
}

/// `POST /admin/pipelines/{id}/stages/{stage_id}`: rename, re-weigh, re-kind or reorder.
pub async fn update_stage(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path((id, stage_id)): Path<(String, String)>,
    UiForm(form): UiForm<SettingsForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let (Some(id), Some(stage)) = (parse_id::<PipelineId>(&id), parse_id::<StageId>(&stage_id))
    else {
        return pages::not_found(&state, &headers);
    };
    let result = match form.stage() {
        Ok(input) => state.app.update_stage(&info.actor, id, stage, &input).await,
        Err(e) => Err(e),
    };
    finish(&state, &headers, &info, jar, result, "stage_saved").await
}

/// `POST /admin/pipelines/{id}/stages/{stage_id}/delete`: with `move_deals_to` when it holds
/// deals.
pub async fn delete_stage(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path((id, stage_id)): Path<(String, String)>,
    UiForm(form): UiForm<SettingsForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let (Some(id), Some(stage)) = (parse_id::<PipelineId>(&id), parse_id::<StageId>(&stage_id))
    else {
        return pages::not_found(&state, &headers);
    };
    let move_to = if form.move_deals_to.trim().is_empty() {
        None
    } else {
        Some(parse_id::<StageId>(&form.move_deals_to).unwrap_or_default())
    };
    let result = state
        .app
        .delete_stage(&info.actor, id, stage, move_to)
        .await;
    finish(&state, &headers, &info, jar, result, "stage_deleted").await
}
