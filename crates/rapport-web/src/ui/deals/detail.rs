//! `GET /deals/{id}`: one deal (amount, stage progress, won/lost, properties, contacts and
//! company, stage history), and its move and delete forms.

use super::money::format;
use super::{deal_problem, fmt_date, member_names, tr_for};
use crate::state::WebState;
use crate::ui::admin::{Choice, CsrfOnly, done, parse_id};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, set_flash};
use crate::ui::pages;
use crate::ui::work::{TimelineQuery, TimelineView, timeline_for};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::crm::deal_moves::MoveInput;
use rapport_domain::crm::{DealStatus, RecordType, StageKind};
use rapport_domain::{DealId, Permission, StageId};
use serde::Deserialize;

/// One stage in the progress bar.
pub struct Step {
    id: String,
    name: String,
    probability: i32,
    kind: &'static str,
    /// `done`, `current` or `todo`.
    state: &'static str,
}

/// One history line.
pub struct HistoryLine {
    text: String,
    at: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "deal_detail.html")]
pub struct DealPage {
    page: PageCtx,
    id: String,
    title: String,
    amount: String,
    status: &'static str,
    status_label: String,
    stage_name: String,
    pipeline_name: String,
    steps: Vec<Step>,
    won_stage: String,
    lost_stage: String,
    open_stages: Vec<Choice>,
    lost_reason: String,
    facts: Vec<(String, String)>,
    contacts: Vec<Choice>,
    company: Option<Choice>,
    history: Vec<HistoryLine>,
    can_write: bool,
    errors: Vec<String>,
    timeline: TimelineView,
}

/// `GET /deals/{id}`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Response {
    let Some(id) = parse_id::<DealId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    render(&state, &headers, &info, jar, id, Vec::new(), &q).await
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &rapport_app::auth::SessionInfo,
    jar: CookieJar,
    id: DealId,
    errors: Vec<String>,
    q: &TimelineQuery,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let d = state.app.deal(actor, id).await?;
        let members = member_names(state, actor).await?;
        let fields = state.app.deal_custom_fields(actor).await?;
        let timeline = timeline_for(
            state,
            actor,
            (RecordType::Deal, id.as_uuid()),
            &q.kinds,
            q.cursor.as_deref(),
            &format!("/deals/{id}"),
        )
        .await?;
        let (jar, page) = app_page(state, info, "deals", jar).await?;
        Ok::<_, AppError>((jar, page, d, members, fields, timeline))
    }
    .await;
    let (jar, page, d, members, fields, timeline) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let tr = &page.tr;
    let deal = &d.deal;
    let stages = &d.pipeline.stages;
    let current = stages
        .iter()
        .position(|s| s.id == deal.stage_id)
        .unwrap_or(0);
    let steps = stages
        .iter()
        .enumerate()
        .filter(|(i, s)| s.kind == StageKind::Open || *i == current)
        .map(|(i, s)| Step {
            id: s.id.to_string(),
            name: s.name.clone(),
            probability: s.probability,
            kind: s.kind.as_str(),
            state: if i == current {
                "current"
            } else if i < current && deal.status == DealStatus::Open {
                "done"
            } else {
                "todo"
            },
        })
        .collect();
    let first_of = |k: StageKind| {
        stages
            .iter()
            .find(|s| s.kind == k)
            .map(|s| s.id.to_string())
            .unwrap_or_default()
    };
    let stage_name = stages
        .get(current)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let name_of = |s: StageId| {
        stages.iter().find(|x| x.id == s).map_or_else(
            || tr.t("crm_deals.detail.removed_stage"),
            |x| x.name.clone(),
        )
    };
    let person = |u: Option<rapport_domain::UserId>| {
        u.and_then(|u| members.get(&u).map(|m| m.0.clone()))
            .unwrap_or_else(|| tr.t("crm_deals.detail.someone"))
    };
    let history = d
        .history
        .iter()
        .rev()
        .map(|h| HistoryLine {
            text: match h.from_stage {
                None => tr.tf(
                    "crm_deals.detail.history_created",
                    &[
                        ("stage", &name_of(h.to_stage)),
                        ("who", &person(h.moved_by)),
                    ],
                ),
                Some(from) => tr.tf(
                    "crm_deals.detail.history_moved",
                    &[
                        ("from", &name_of(from)),
                        ("to", &name_of(h.to_stage)),
                        ("who", &person(h.moved_by)),
                    ],
                ),
            },
            at: tr.datetime(&h.moved_at),
        })
        .collect();
    let none = tr.t("crm_deals.detail.none");
    let mut facts = vec![
        (tr.t("crm_deals.fields.pipeline"), d.pipeline.name.clone()),
        (tr.t("crm_deals.fields.stage"), stage_name.clone()),
        (
            tr.t("crm_deals.fields.probability"),
            format!("{}%", stages.get(current).map_or(0, |s| s.probability)),
        ),
        (tr.t("crm_deals.fields.currency"), deal.currency.clone()),
        (
            tr.t("crm_deals.fields.expected_close_on"),
            deal.expected_close_on
                .map_or_else(|| none.clone(), |c| fmt_date(tr, &c)),
        ),
        (
            tr.t("crm_deals.fields.owner"),
            deal.owner_id
                .and_then(|u| members.get(&u).map(|m| m.0.clone()))
                .unwrap_or_else(|| none.clone()),
        ),
        (
            tr.t("crm_deals.fields.created"),
            tr.datetime(&deal.created_at),
        ),
    ];
    if let Some(closed) = deal.closed_at {
        facts.push((tr.t("crm_deals.fields.closed_at"), tr.datetime(&closed)));
    }
    if let Some(obj) = deal.custom.as_object() {
        for (k, v) in obj {
            let shown = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            // Labelled by the field's definition (a deleted definition shows its key).
            let label = fields
                .iter()
                .find(|f| f.key == *k)
                .map_or_else(|| k.clone(), |f| f.label.clone());
            facts.push((label, shown));
        }
    }
    let body = DealPage {
        id: deal.id.to_string(),
        title: deal.title.clone(),
        amount: deal
            .amount_minor
            .map(|m| format(tr, m, &deal.currency, false))
            .unwrap_or_default(),
        status: deal.status.as_str(),
        status_label: tr.t(&format!("crm_deals.status.{}", deal.status)),
        stage_name,
        pipeline_name: d.pipeline.name.clone(),
        steps,
        won_stage: first_of(StageKind::Won),
        lost_stage: first_of(StageKind::Lost),
        open_stages: stages
            .iter()
            .filter(|s| s.kind == StageKind::Open)
            .map(|s| Choice {
                value: s.id.to_string(),
                label: s.name.clone(),
            })
            .collect(),
        lost_reason: deal.lost_reason.clone().unwrap_or_default(),
        facts,
        contacts: d
            .contacts
            .iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name.clone(),
            })
            .collect(),
        company: deal
            .company_id
            .zip(d.company_name.clone())
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name,
            }),
        history,
        can_write: actor.can(Permission::DealsWrite),
        timeline,
        errors,
        page,
    };
    let status = if body.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, jar, body).into_response()
}

/// Move form body.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    stage_id: String,
    #[serde(default)]
    lost_reason: String,
    /// `board` to go back to the board afterwards.
    #[serde(default)]
    return_to: String,
}

/// `POST /deals/{id}/move`: the no-script way to move (progress bar, won/lost, board select).
pub async fn move_deal(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<MoveForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<DealId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let input = MoveInput {
        stage: parse_id::<StageId>(&form.stage_id).unwrap_or_default(),
        place: None,
        lost_reason: Some(form.lost_reason),
    };
    match state.app.move_deal(&info.actor, id, &input).await {
        Ok(deal) => {
            let to = if form.return_to == "board" {
                format!("/deals?pipeline={}#deal-{id}", deal.pipeline_id)
            } else {
                format!("/deals/{id}")
            };
            (
                set_flash(jar, "success", "deal_moved", state.secure_cookies),
                Redirect::to(&to),
            )
                .into_response()
        }
        Err(err) => match deal_problem(&tr_for(&state, &info), err) {
            Ok(problem) => {
                let q = TimelineQuery::default();
                render(&state, &headers, &info, jar, id, problem.messages, &q).await
            }
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /deals/{id}/delete`.
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
    let Some(id) = parse_id::<DealId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_deal(&info.actor, id).await {
        Ok(()) => done(&state, jar, "deal_deleted", "/deals"),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
