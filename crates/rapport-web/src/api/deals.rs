//! `/api/v1/deals/{id}` and friends: create, read (`?include=contacts,company,history`),
//! change, delete and move deals, and read their stage history. (The deal *list*,
//! `GET /api/v1/deals`, belongs to the list and filter engine.)

use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use rapport_app::crm::deal_moves::{MoveInput, Place};
use rapport_app::crm::deals::{DealDetail, DealPatch};
use rapport_app::records::HistoryRecord;
use rapport_domain::crm::{Currency, DealStatus, Money};
use rapport_domain::{DealId, PipelineId, StageId, UserId};
use serde::{Deserialize, Deserializer, Serialize};

/// A linked record's id and name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Named {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
}

/// One stage change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StageChange {
    /// The stage it left (null when the deal was created).
    pub from_stage_id: Option<uuid::Uuid>,
    /// The stage it entered.
    pub to_stage_id: uuid::Uuid,
    /// Who moved it.
    pub moved_by: Option<uuid::Uuid>,
    /// When.
    pub moved_at: DateTime<Utc>,
}

impl From<&HistoryRecord> for StageChange {
    fn from(h: &HistoryRecord) -> Self {
        Self {
            from_stage_id: h.from_stage.map(|s| s.as_uuid()),
            to_stage_id: h.to_stage.as_uuid(),
            moved_by: h.moved_by.map(|u| u.as_uuid()),
            moved_at: h.moved_at,
        }
    }
}

/// A deal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deal {
    /// Id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// Pipeline.
    pub pipeline_id: uuid::Uuid,
    /// Stage.
    pub stage_id: uuid::Uuid,
    /// Stage name.
    pub stage: String,
    /// Amount in minor units (cents), or null.
    pub amount_minor: Option<i64>,
    /// ISO 4217 currency of the amount.
    pub currency: String,
    /// The amount as a decimal string (`12500.50`), or null.
    pub amount: Option<String>,
    /// Expected close date.
    pub expected_close_on: Option<NaiveDate>,
    /// Owner (a member's user id).
    pub owner_id: Option<uuid::Uuid>,
    /// Company id.
    pub company_id: Option<uuid::Uuid>,
    /// Contact ids.
    pub contact_ids: Vec<uuid::Uuid>,
    /// `open`, `won` or `lost`.
    pub status: DealStatus,
    /// Why it was lost.
    pub lost_reason: Option<String>,
    /// When it was won or lost.
    pub closed_at: Option<DateTime<Utc>>,
    /// Order within its stage on the board.
    pub position: f64,
    /// Custom field values by key.
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// With `include=contacts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Named>>,
    /// With `include=company` (null when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<Option<Named>>,
    /// With `include=history`, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<StageChange>>,
}

/// Renders a deal with the includes asked for.
fn deal_json(d: DealDetail, include: &[&str]) -> Deal {
    let deal = d.deal;
    let amount = deal.amount_minor.and_then(|minor| {
        Currency::parse(&deal.currency)
            .ok()
            .map(|currency| Money { minor, currency }.to_decimal_string())
    });
    let stage = d
        .pipeline
        .stages
        .iter()
        .find(|s| s.id == deal.stage_id)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    Deal {
        id: deal.id.as_uuid(),
        pipeline_id: deal.pipeline_id.as_uuid(),
        stage_id: deal.stage_id.as_uuid(),
        stage,
        amount,
        contact_ids: d.contacts.iter().map(|c| c.0).collect(),
        contacts: include.contains(&"contacts").then(|| {
            d.contacts
                .iter()
                .map(|(id, name)| Named {
                    id: *id,
                    name: name.clone(),
                })
                .collect()
        }),
        company: include.contains(&"company").then(|| {
            deal.company_id
                .zip(d.company_name.clone())
                .map(|(id, name)| Named { id, name })
        }),
        history: include
            .contains(&"history")
            .then(|| d.history.iter().map(Into::into).collect()),
        title: deal.title,
        amount_minor: deal.amount_minor,
        currency: deal.currency,
        expected_close_on: deal.expected_close_on,
        owner_id: deal.owner_id.map(|u| u.as_uuid()),
        company_id: deal.company_id,
        status: deal.status,
        lost_reason: deal.lost_reason,
        closed_at: deal.closed_at,
        position: deal.position,
        custom: deal.custom,
        created_at: deal.created_at,
        updated_at: deal.updated_at,
    }
}

/// `Some(None)` for an explicit null, `None` when absent (with `#[serde(default)]`).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A deal to create, or changes to one (absent fields stay; `null` clears).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealBody {
    /// Title (required on create).
    #[serde(default)]
    pub title: Option<String>,
    /// Pipeline (create only; default: the first).
    #[serde(default)]
    pub pipeline_id: Option<uuid::Uuid>,
    /// Stage (create only; default: the pipeline's first).
    #[serde(default)]
    pub stage_id: Option<uuid::Uuid>,
    /// Amount in minor units (cents), 0 to 10^15.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub amount_minor: Option<Option<i64>>,
    /// ISO 4217 currency (default: the pipeline's).
    #[serde(default)]
    pub currency: Option<String>,
    /// Expected close date, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub expected_close_on: Option<Option<String>>,
    /// Owner: a member's user id (default on create: you).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub owner_id: Option<Option<uuid::Uuid>>,
    /// Company id.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub company_id: Option<Option<uuid::Uuid>>,
    /// Contact ids (replaces the list).
    #[serde(default)]
    pub contact_ids: Option<Vec<uuid::Uuid>>,
    /// Custom field values by key (`null` clears one).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

impl From<DealBody> for DealPatch {
    fn from(b: DealBody) -> Self {
        Self {
            title: b.title,
            pipeline_id: b.pipeline_id.map(PipelineId::from_uuid),
            stage_id: b.stage_id.map(StageId::from_uuid),
            amount_minor: b.amount_minor,
            amount: None,
            currency: b.currency,
            expected_close_on: b.expected_close_on,
            owner_id: b.owner_id.map(|o| o.map(UserId::from_uuid)),
            company_id: b.company_id,
            contact_ids: b.contact_ids,
            custom: b.custom,
            custom_is_text: false,
        }
    }
}

/// Related records to embed.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IncludeParams {
    /// Comma-separated: `contacts`, `company`, `history`.
    pub include: Option<String>,
}

fn includes(raw: Option<&str>) -> Result<Vec<&str>, ApiError> {
    let parts: Vec<&str> = raw
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = parts
        .iter()
        .find(|p| !["contacts", "company", "history"].contains(p))
    {
        return Err(ApiError::validation(vec![FieldError {
            field: "include".into(),
            message: format!("unknown include `{bad}`; use contacts, company or history"),
        }]));
    }
    Ok(parts)
}

/// A move.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The stage to move to.
    pub stage_id: uuid::Uuid,
    /// Place it just before this deal of the stage.
    #[serde(default)]
    pub before_id: Option<uuid::Uuid>,
    /// Place it just after this deal of the stage.
    #[serde(default)]
    pub after_id: Option<uuid::Uuid>,
    /// Why it was lost (kept when the stage is a lost stage).
    #[serde(default)]
    pub lost_reason: Option<String>,
}

/// A deal's stage history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryList {
    /// Changes, oldest first.
    pub items: Vec<StageChange>,
    /// Always null.
    pub next_cursor: Option<String>,
}

/// Creates a deal (needs `deals.write`).
#[utoipa::path(post, path = "/deals", tag = "deals", request_body = DealBody, responses(
    (status = 201, description = "Created", body = Deal),
    (status = 403, description = "Needs deals.write", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields (amount, currency, a stage of another pipeline, a contact or company not in your org, an unknown custom field …)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_deal(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<DealBody>,
) -> Result<(StatusCode, Json<Deal>), ApiError> {
    let d = state.app.create_deal(&actor, &req.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(deal_json(d, &["contacts", "company"])),
    ))
}

/// One deal.
#[utoipa::path(get, path = "/deals/{id}", tag = "deals",
    params(("id" = uuid::Uuid, Path, description = "Deal id"), IncludeParams),
    responses(
        (status = 200, description = "The deal", body = Deal),
        (status = 404, description = "No such deal in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_deal(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(params): ApiQuery<IncludeParams>,
) -> Result<Json<Deal>, ApiError> {
    let include = includes(params.include.as_deref())?;
    let d = state.app.deal(&actor, DealId::from_uuid(id)).await?;
    Ok(Json(deal_json(d, &include)))
}

/// Changes a deal's fields (needs `deals.write`; stages change with `/move`).
#[utoipa::path(patch, path = "/deals/{id}", tag = "deals", request_body = DealBody,
    params(("id" = uuid::Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "Changed", body = Deal),
        (status = 404, description = "No such deal in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_deal(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<DealBody>,
) -> Result<Json<Deal>, ApiError> {
    let d = state
        .app
        .update_deal(&actor, DealId::from_uuid(id), &req.into())
        .await?;
    Ok(Json(deal_json(d, &["contacts", "company"])))
}

/// Deletes a deal (needs `deals.write`).
#[utoipa::path(delete, path = "/deals/{id}", tag = "deals",
    params(("id" = uuid::Uuid, Path, description = "Deal id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such deal in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_deal(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_deal(&actor, DealId::from_uuid(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves a deal to a stage and/or a place in it (needs `deals.write`). A won or lost stage
/// closes the deal; moving it back to an open stage reopens it.
#[utoipa::path(post, path = "/deals/{id}/move", tag = "deals", request_body = MoveBody,
    params(("id" = uuid::Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "Moved", body = Deal),
        (status = 404, description = "No such deal in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown stage, or a neighbour not in that stage", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn move_deal(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<MoveBody>,
) -> Result<Json<Deal>, ApiError> {
    let place = match (req.before_id, req.after_id) {
        (Some(b), _) => Some(Place::Before(DealId::from_uuid(b))),
        (None, Some(a)) => Some(Place::After(DealId::from_uuid(a))),
        (None, None) => None,
    };
    let input = MoveInput {
        stage: StageId::from_uuid(req.stage_id),
        place,
        lost_reason: req.lost_reason,
    };
    let id = DealId::from_uuid(id);
    state.app.move_deal(&actor, id, &input).await?;
    let d = state.app.deal(&actor, id).await?;
    Ok(Json(deal_json(d, &[])))
}

/// A deal's stage history, oldest first.
#[utoipa::path(get, path = "/deals/{id}/history", tag = "deals",
    params(("id" = uuid::Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "Stage changes", body = HistoryList),
        (status = 404, description = "No such deal in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn deal_history(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<HistoryList>, ApiError> {
    let d = state.app.deal(&actor, DealId::from_uuid(id)).await?;
    Ok(Json(HistoryList {
        items: d.history.iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}
