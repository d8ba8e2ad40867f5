//! `GET /api/v1/audit`: the org's tamper-evident audit log (needs `audit.read`).

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use rapport_app::audit::AuditQuery;
use rapport_app::records::AuditRow;
use rapport_domain::UserId;
use serde::{Deserialize, Serialize};

/// Filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Exact action (`auth.login`) or a prefix ending in `.` (`auth.`).
    pub action: Option<String>,
    /// Only entries by this user.
    pub actor_id: Option<uuid::Uuid>,
    /// Only entries about this object id.
    pub target_id: Option<String>,
    /// From (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Until, exclusive (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// One entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Id.
    pub id: uuid::Uuid,
    /// Position in the org's chain.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (user id), if a person.
    pub actor_id: Option<uuid::Uuid>,
    /// Who, as shown.
    pub actor: String,
    /// What.
    pub action: String,
    /// Object kind.
    pub target_type: String,
    /// Object id.
    pub target_id: String,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Details.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// This entry's chain hash.
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id.as_uuid(),
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id.map(|u| u.as_uuid()),
            actor: r.actor_label,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            ip: r.ip,
            user_agent: r.user_agent,
            details: serde_json::from_str(&r.details).unwrap_or_default(),
            hash: r.hash,
        }
    }
}

/// A page of entries, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditList {
    /// Entries.
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
}

/// Lists audit entries.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditParams), responses(
    (status = 200, description = "Entries", body = AuditList),
    (status = 403, description = "Needs audit.read", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_audit(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<AuditList>, ApiError> {
    let cursor = match params.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            ApiError::validation(vec![crate::error::FieldError {
                field: "cursor".into(),
                message: "not a cursor from this API".into(),
            }])
        })?),
    };
    let query = AuditQuery {
        action: params.action,
        actor_id: params.actor_id.map(UserId::from_uuid),
        target_id: params.target_id,
        since: params.since,
        until: params.until,
        cursor,
        limit: params.limit,
    };
    let page = state.app.audit_page(&actor, &query).await?;
    Ok(Json(AuditList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor.map(|c| c.to_string()),
    }))
}
