//! `/api/v1/privacy/retention` and `/api/v1/privacy/legal-holds`: how long conversation logs
//! are kept, what the next purge would remove, the purge log, and legal holds that stop
//! purges for an org, a contact or a conversation (all need `privacy.manage`).

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::privacy::retention::{
    DEFAULT_CONVERSATION_DAYS, HoldRow, HoldTarget, Policy as AppPolicy, Preview as AppPreview,
    RunRow,
};
use serde::{Deserialize, Serialize};

/// A retention policy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Policy {
    /// What it governs (`conversations`: conversation logs, counted from their last activity).
    pub target: String,
    /// Days kept; null keeps it for good.
    pub days: Option<u32>,
    /// Whether the org chose it (false: the default applies).
    pub chosen: bool,
    /// The default.
    pub default_days: Option<u32>,
}

impl From<AppPolicy> for Policy {
    fn from(p: AppPolicy) -> Self {
        Self {
            target: p.target.into(),
            days: p.days,
            chosen: p.chosen,
            default_days: Some(DEFAULT_CONVERSATION_DAYS),
        }
    }
}

/// What the next purge would remove.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// What.
    pub target: String,
    /// Everything last active before this goes (null: kept for good).
    pub cutoff: Option<DateTime<Utc>>,
    /// How many would go now (held ones not counted).
    pub would_delete: u64,
    /// The oldest one's last activity.
    pub oldest: Option<DateTime<Utc>>,
    /// A hold on the whole org stops every purge.
    pub org_held: bool,
}

impl From<AppPreview> for Preview {
    fn from(p: AppPreview) -> Self {
        Self {
            target: p.target.into(),
            cutoff: p.cutoff,
            would_delete: p.would_delete,
            oldest: p.oldest,
            org_held: p.org_held,
        }
    }
}

/// The org's retention settings and a dry run.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Retention {
    /// The policies.
    pub policies: Vec<Policy>,
    /// What a run would purge now.
    pub preview: Vec<Preview>,
}

/// A new conversation retention period.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRetention {
    /// Days (30 to 3650), or null to keep conversation logs for good.
    pub days: Option<u32>,
}

/// A retention run that purged something.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Run {
    /// Id.
    pub id: uuid::Uuid,
    /// What it purged.
    pub target: String,
    /// Everything last active before this went.
    pub cutoff: DateTime<Utc>,
    /// How many went.
    pub deleted: i64,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: DateTime<Utc>,
}

impl From<RunRow> for Run {
    fn from(r: RunRow) -> Self {
        Self {
            id: r.id,
            target: r.target,
            cutoff: r.cutoff,
            deleted: r.deleted,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// Purge runs, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunList {
    /// The latest 50.
    pub items: Vec<Run>,
    /// Always null.
    pub next_cursor: Option<String>,
}

/// A legal hold.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Hold {
    /// Id.
    pub id: uuid::Uuid,
    /// `org`, `contact` or `conversation`.
    pub target_type: String,
    /// The contact or conversation (null for the org).
    pub target_id: Option<uuid::Uuid>,
    /// Why.
    pub reason: String,
    /// Who placed it.
    pub created_by: Option<uuid::Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was released (null while it holds).
    pub released_at: Option<DateTime<Utc>>,
    /// Who released it.
    pub released_by: Option<uuid::Uuid>,
}

impl From<HoldRow> for Hold {
    fn from(h: HoldRow) -> Self {
        Self {
            id: h.id,
            target_type: h.target_type,
            target_id: h.target_id,
            reason: h.reason,
            created_by: h.created_by.map(|u| u.as_uuid()),
            created_at: h.created_at,
            released_at: h.released_at,
            released_by: h.released_by.map(|u| u.as_uuid()),
        }
    }
}

/// Legal holds, open ones first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HoldList {
    /// Holds.
    pub items: Vec<Hold>,
    /// Always null.
    pub next_cursor: Option<String>,
}

/// A hold to place.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceHold {
    /// `org`, `contact` or `conversation`.
    pub target_type: String,
    /// The contact or conversation (omit for the org).
    #[serde(default)]
    pub target_id: Option<uuid::Uuid>,
    /// Why (a case or matter), at most 500 characters.
    pub reason: String,
}

/// The org's retention policies and what a run would purge now.
#[utoipa::path(get, path = "/privacy/retention", tag = "privacy", responses(
    (status = 200, description = "Policies and a dry run", body = Retention),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_retention(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Retention>, ApiError> {
    let (policies, preview) = state.app.retention(&actor).await?;
    Ok(Json(Retention {
        policies: policies.into_iter().map(Into::into).collect(),
        preview: preview.into_iter().map(Into::into).collect(),
    }))
}

/// Sets how long conversation logs are kept (audited).
#[utoipa::path(put, path = "/privacy/retention/conversations", tag = "privacy",
    request_body = SetRetention,
    responses(
        (status = 200, description = "The policy now", body = Policy),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Days out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_conversation_retention(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<SetRetention>,
) -> Result<Json<Policy>, ApiError> {
    let policy = state
        .app
        .set_conversation_retention(&actor, body.days)
        .await?;
    Ok(Json(policy.into()))
}

/// The latest purge runs.
#[utoipa::path(get, path = "/privacy/retention/runs", tag = "privacy", responses(
    (status = 200, description = "Runs that purged something, newest first", body = RunList),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_runs(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<RunList>, ApiError> {
    let items = state.app.retention_runs(&actor).await?;
    Ok(Json(RunList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// The org's legal holds.
#[utoipa::path(get, path = "/privacy/legal-holds", tag = "privacy", responses(
    (status = 200, description = "Holds, open ones first", body = HoldList),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_holds(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<HoldList>, ApiError> {
    let items = state.app.legal_holds(&actor).await?;
    Ok(Json(HoldList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Places a legal hold: what it covers survives every purge until it is released (audited).
#[utoipa::path(post, path = "/privacy/legal-holds", tag = "privacy",
    request_body = PlaceHold,
    responses(
        (status = 201, description = "The hold", body = Hold),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact or conversation in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid target or reason", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn place_hold(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<PlaceHold>,
) -> Result<(StatusCode, Json<Hold>), ApiError> {
    let target = match (body.target_type.as_str(), body.target_id) {
        ("org", None) => HoldTarget::Org,
        ("contact", Some(id)) => HoldTarget::Contact(id),
        ("conversation", Some(id)) => HoldTarget::Conversation(id),
        _ => {
            return Err(rapport_app::AppError::InvalidField {
                field: "target_type".into(),
                message: "org (without target_id), or contact or conversation with its target_id"
                    .into(),
            }
            .into());
        }
    };
    let hold = state
        .app
        .place_legal_hold(&actor, target, &body.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(hold.into())))
}

/// Releases a legal hold: what it covered goes with the next purge it is due for (audited).
#[utoipa::path(post, path = "/privacy/legal-holds/{id}/release", tag = "privacy",
    params(("id" = uuid::Uuid, Path, description = "Hold id")),
    responses(
        (status = 200, description = "The released hold", body = Hold),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hold in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already released", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn release_hold(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Hold>, ApiError> {
    Ok(Json(state.app.release_legal_hold(&actor, id).await?.into()))
}
