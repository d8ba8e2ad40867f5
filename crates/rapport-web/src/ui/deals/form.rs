//! The deal form: `/deals/new` (prefilled by `?company=`, `?contact=`, `?pipeline=`) and
//! `/deals/{id}/edit`, and their submissions.

use super::form_input::{DealEcho, read};
use super::{deal_problem, tr_for};
use crate::state::WebState;
use crate::ui::admin::{Choice, Fields, FormProblem, parse_id};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, set_flash};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::auth::SessionInfo;
use rapport_app::records::Linked;
use rapport_app::{Actor, AppError};
use rapport_domain::DealId;
use rapport_domain::crm::{Currency, Money};
use serde::Deserialize;

/// A custom field input.
pub struct CustomInput {
    key: String,
    label: String,
    field_type: String,
    value: String,
    options: Vec<Choice>,
    required: bool,
}

/// A stage choice, grouped by pipeline.
pub struct StageGroup {
    pipeline: String,
    stages: Vec<Choice>,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "deal_form.html")]
pub struct DealFormPage {
    page: PageCtx,
    /// Empty when creating.
    id: String,
    echo: DealEcho,
    stage_groups: Vec<StageGroup>,
    owners: Vec<Choice>,
    companies: Vec<Choice>,
    contacts: Vec<Choice>,
    custom: Vec<CustomInput>,
    errors: Vec<String>,
    field_errors: Vec<&'static str>,
}

impl DealFormPage {
    /// Whether `field` is in error.
    pub fn has_error(&self, field: &str) -> bool {
        self.field_errors.contains(&field)
    }

    /// Whether contact `id` is picked.
    pub fn picked(&self, id: &str) -> bool {
        self.echo.contact_ids.iter().any(|c| c == id)
    }
}

/// Prefill query of `/deals/new`.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    company: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    pipeline: String,
}

fn choices(rows: Vec<(uuid::Uuid, String)>) -> Vec<Choice> {
    rows.into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    id: Option<DealId>,
    echo: DealEcho,
    problem: FormProblem,
) -> Response {
    let actor: &Actor = &info.actor;
    let ids =
        |raw: &[String]| -> Vec<uuid::Uuid> { raw.iter().filter_map(|r| r.parse().ok()).collect() };
    let loaded = async {
        let pipelines = state.app.pipelines(actor).await?;
        let members = state.app.members(actor).await?;
        let companies = state
            .app
            .deal_link_choices(
                actor,
                Linked::Companies,
                &ids(std::slice::from_ref(&echo.company_id)),
            )
            .await?;
        let contacts = state
            .app
            .deal_link_choices(actor, Linked::Contacts, &ids(&echo.contact_ids))
            .await?;
        let fields = state.app.deal_custom_fields(actor).await?;
        let (jar, page) = app_page(state, info, "deals", jar).await?;
        Ok::<_, AppError>((jar, page, pipelines, members, companies, contacts, fields))
    }
    .await;
    let (jar, page, pipelines, members, companies, contacts, fields) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let mut owners: Vec<Choice> = members
        .into_iter()
        .map(|m| Choice {
            value: m.user.id.to_string(),
            label: m.user.name,
        })
        .collect();
    owners.sort_by_key(|a| a.label.to_lowercase());
    let custom = fields
        .into_iter()
        .map(|f| CustomInput {
            value: echo
                .custom
                .iter()
                .find(|(k, _)| *k == f.key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            options: f
                .options
                .iter()
                .map(|o| Choice {
                    value: o.value.clone(),
                    label: o.label.clone(),
                })
                .collect(),
            key: f.key,
            label: f.label,
            field_type: f.field_type,
            required: f.required,
        })
        .collect();
    let body = DealFormPage {
        id: id.map(|i| i.to_string()).unwrap_or_default(),
        stage_groups: pipelines
            .iter()
            .map(|p| StageGroup {
                pipeline: p.name.clone(),
                stages: p
                    .stages
                    .iter()
                    .map(|s| Choice {
                        value: s.id.to_string(),
                        label: s.name.clone(),
                    })
                    .collect(),
            })
            .collect(),
        owners,
        companies: choices(companies),
        contacts: choices(contacts),
        custom,
        errors: problem.messages.clone(),
        field_errors: problem.fields.clone(),
        echo,
        page,
    };
    (problem.status(), jar, body).into_response()
}

/// `GET /deals/new`.
pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(q): Query<NewQuery>,
) -> Response {
    let pipelines = match state.app.pipelines(&info.actor).await {
        Ok(p) => p,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let pipeline = pipelines
        .iter()
        .find(|p| p.id.to_string() == q.pipeline)
        .or(pipelines.first());
    let echo = DealEcho {
        stage_id: pipeline
            .and_then(|p| p.stages.first())
            .map(|s| s.id.to_string())
            .unwrap_or_default(),
        currency: pipeline.map(|p| p.currency.clone()).unwrap_or_default(),
        owner_id: info.actor.user_id.to_string(),
        company_id: q
            .company
            .parse::<uuid::Uuid>()
            .map(|c| c.to_string())
            .unwrap_or_default(),
        contact_ids: q
            .contact
            .parse::<uuid::Uuid>()
            .map(|c| vec![c.to_string()])
            .unwrap_or_default(),
        ..DealEcho::default()
    };
    render(
        &state,
        &headers,
        &info,
        jar,
        None,
        echo,
        FormProblem::default(),
    )
    .await
}

/// `GET /deals/{id}/edit`.
pub async fn edit_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id::<DealId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let (d, defs) = match tokio::try_join!(
        state.app.deal(&info.actor, id),
        state.app.deal_custom_fields(&info.actor)
    ) {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let deal = d.deal;
    let echo = DealEcho {
        title: deal.title.clone(),
        stage_id: deal.stage_id.to_string(),
        amount: deal
            .amount_minor
            .zip(Currency::parse(&deal.currency).ok())
            .map(|(minor, currency)| Money { minor, currency }.to_decimal_string())
            .unwrap_or_default(),
        currency: deal.currency.clone(),
        expected_close_on: deal
            .expected_close_on
            .map(|c| c.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        owner_id: deal.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        company_id: deal.company_id.map(|c| c.to_string()).unwrap_or_default(),
        contact_ids: d.contacts.iter().map(|c| c.0.to_string()).collect(),
        custom: deal
            .custom
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let def = defs.iter().find(|f| f.key == *k);
                        let money = def
                            .filter(|f| f.field_type == "currency")
                            .and_then(|f| f.currency.as_deref())
                            .and_then(|c| Currency::parse(c).ok())
                            .zip(v.as_i64());
                        let text = match v {
                            _ if money.is_some() => money
                                .map(|(currency, minor)| {
                                    Money { minor, currency }.to_decimal_string()
                                })
                                .unwrap_or_default(),
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Array(items) => items
                                .iter()
                                .filter_map(|i| i.as_str())
                                .collect::<Vec<_>>()
                                .join("; "),
                            other => other.to_string(),
                        };
                        (k.clone(), text)
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    render(
        &state,
        &headers,
        &info,
        jar,
        Some(id),
        echo,
        FormProblem::default(),
    )
    .await
}

/// `POST /deals`.
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
    let (patch, echo) = read(&form, true);
    match state.app.create_deal(&info.actor, &patch).await {
        Ok(d) => (
            set_flash(jar, "success", "deal_created", state.secure_cookies),
            Redirect::to(&format!("/deals/{}", d.deal.id)),
        )
            .into_response(),
        Err(err) => match deal_problem(&tr_for(&state, &info), err) {
            Ok(problem) => render(&state, &headers, &info, jar, None, echo, problem).await,
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /deals/{id}`.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Response {
    let form = Fields(fields);
    if !csrf_ok(form.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<DealId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let (patch, echo) = read(&form, false);
    match state.app.update_deal(&info.actor, id, &patch).await {
        Ok(_) => (
            set_flash(jar, "success", "deal_saved", state.secure_cookies),
            Redirect::to(&format!("/deals/{id}")),
        )
            .into_response(),
        Err(err) => match deal_problem(&tr_for(&state, &info), err) {
            Ok(problem) => render(&state, &headers, &info, jar, Some(id), echo, problem).await,
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}
