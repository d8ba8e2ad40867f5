//! `/api/v1/conversations`: folder pages with filters, one conversation, and the changes
//! agents make (status and snooze, priority, assignment, labels, following, read marks,
//! merge, move, bulk actions), plus the org's labels at `/api/v1/labels`.

use super::Conversation;
use crate::api::crm::nullable;
use crate::api::work_common::bad_field;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::inbox::conversations::{Assignment, StatusChange};
use rapport_app::inbox::organize::{BulkAction, LabelChange};
use rapport_app::inbox::{AssigneeFilter, ConversationQuery};
use rapport_domain::inbox::{ConversationStatus, Priority};
use rapport_domain::{ContactId, ConversationId, InboxId, TeamId, UserId};
use serde::{Deserialize, Serialize};

/// A page of conversations.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationList {
    /// Newest activity first.
    pub items: Vec<Conversation>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// Which conversations.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConversationParams {
    /// Statuses, comma-separated (`open,pending`); omitted: every status.
    pub status: Option<String>,
    /// `me`, `none` (unassigned) or a member's id.
    pub assignee: Option<String>,
    /// Only this inbox.
    pub inbox_id: Option<uuid::Uuid>,
    /// Only this team.
    pub team_id: Option<uuid::Uuid>,
    /// Only conversations with this label.
    pub label: Option<String>,
    /// Only this contact's.
    pub contact_id: Option<uuid::Uuid>,
    /// Only those the caller follows (assigned, mentioned, replied or followed).
    pub following: Option<bool>,
    /// At or above this priority.
    pub priority: Option<Priority>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size (1–100, default 25).
    pub limit: Option<u64>,
}

fn statuses(raw: Option<&str>) -> Result<Vec<ConversationStatus>, ApiError> {
    let mut out = Vec::new();
    for s in raw.unwrap_or_default().split(',').map(str::trim) {
        if s.is_empty() || s == "all" {
            continue;
        }
        out.push(ConversationStatus::parse(s).map_err(|e| bad_field("status", &e.to_string()))?);
    }
    Ok(out)
}

fn assignee(raw: Option<&str>, me: UserId) -> Result<AssigneeFilter, ApiError> {
    Ok(match raw.map(str::trim) {
        None | Some("") | Some("any") => AssigneeFilter::Any,
        Some("me") => AssigneeFilter::User(me),
        Some("none") => AssigneeFilter::Unassigned,
        Some(id) => AssigneeFilter::User(
            id.parse()
                .map_err(|_| bad_field("assignee", "use me, none, any or a member's id"))?,
        ),
    })
}

/// Lists conversations, newest activity first (needs `conversations.read`).
#[utoipa::path(get, path = "/conversations", tag = "conversations", params(ConversationParams), responses(
    (status = 200, description = "A page", body = ConversationList),
    (status = 422, description = "A bad filter or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_conversations(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<ConversationParams>,
) -> Result<Json<ConversationList>, ApiError> {
    let query = ConversationQuery {
        statuses: statuses(p.status.as_deref())?,
        assignee: assignee(p.assignee.as_deref(), actor.user_id)?,
        inbox: p.inbox_id.map(InboxId::from_uuid),
        team: p.team_id.map(TeamId::from_uuid),
        label: p.label.filter(|l| !l.trim().is_empty()),
        contact: p.contact_id.map(ContactId::from_uuid),
        follower: p.following.unwrap_or(false).then_some(actor.user_id),
        min_priority: p.priority,
        ..Default::default()
    };
    let page = state
        .app
        .conversations(
            &actor,
            query,
            p.cursor.as_deref().filter(|c| !c.is_empty()),
            p.limit,
        )
        .await?;
    Ok(Json(ConversationList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One conversation with its followers (needs `conversations.read`).
#[utoipa::path(get, path = "/conversations/{id}", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The conversation", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_conversation(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Conversation>, ApiError> {
    let d = state
        .app
        .conversation(&actor, ConversationId::from_uuid(id))
        .await?;
    Ok(Json(d.into()))
}

/// A status change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    /// The new status.
    pub status: ConversationStatus,
    /// For `snoozed`: until when (omitted: until the customer replies).
    #[serde(default)]
    pub snooze_until: Option<DateTime<Utc>>,
}

/// Changes the status; `snoozed` may carry a time (needs `conversations.reply`).
#[utoipa::path(post, path = "/conversations/{id}/status", tag = "conversations", request_body = SetStatus,
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Changed", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A snooze time in the past", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_status(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<SetStatus>,
) -> Result<Json<Conversation>, ApiError> {
    let change = StatusChange {
        status: req.status,
        snooze_until: req.snooze_until,
    };
    let d = state
        .app
        .set_conversation_status(&actor, ConversationId::from_uuid(id), change)
        .await?;
    Ok(Json(d.into()))
}

/// A priority change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPriority {
    /// `none`, `low`, `medium`, `high` or `urgent`.
    pub priority: Priority,
}

/// Changes the priority (needs `conversations.reply`).
#[utoipa::path(post, path = "/conversations/{id}/priority", tag = "conversations", request_body = SetPriority,
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Changed", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_priority(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<SetPriority>,
) -> Result<Json<Conversation>, ApiError> {
    let d = state
        .app
        .set_conversation_priority(&actor, ConversationId::from_uuid(id), req.priority)
        .await?;
    Ok(Json(d.into()))
}

/// An assignment (absent members stay; null clears).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// The member (null: unassign).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assignee_id: Option<Option<uuid::Uuid>>,
    /// The team (null: none).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub team_id: Option<Option<uuid::Uuid>>,
}

impl Assign {
    fn change(&self) -> Assignment {
        Assignment {
            assignee: self.assignee_id.map(|u| u.map(UserId::from_uuid)),
            team: self.team_id.map(|t| t.map(TeamId::from_uuid)),
        }
    }
}

/// Assigns a member and/or team; the member is notified (needs `conversations.assign`).
#[utoipa::path(post, path = "/conversations/{id}/assign", tag = "conversations", request_body = Assign,
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Assigned", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a member or team of this org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn assign(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<Assign>,
) -> Result<Json<Conversation>, ApiError> {
    if req.assignee_id.is_none() && req.team_id.is_none() {
        return Err(bad_field("assignee_id", "send assignee_id and/or team_id"));
    }
    let d = state
        .app
        .assign_conversation(&actor, ConversationId::from_uuid(id), req.change())
        .await?;
    Ok(Json(d.into()))
}

/// A label change: `labels` replaces the set; `add` and `remove` adjust it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLabels {
    /// The new set.
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    /// Labels to add.
    #[serde(default)]
    pub add: Vec<String>,
    /// Labels to remove.
    #[serde(default)]
    pub remove: Vec<String>,
}

impl SetLabels {
    fn change(self) -> LabelChange {
        LabelChange {
            set: self.labels,
            add: self.add,
            remove: self.remove,
        }
    }
}

/// Changes the labels (needs `conversations.reply`).
#[utoipa::path(post, path = "/conversations/{id}/labels", tag = "conversations", request_body = SetLabels,
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Changed", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad label", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_labels(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<SetLabels>,
) -> Result<Json<Conversation>, ApiError> {
    let d = state
        .app
        .label_conversation(&actor, ConversationId::from_uuid(id), &req.change())
        .await?;
    Ok(Json(d.into()))
}

/// Follows a conversation (needs `conversations.read`).
#[utoipa::path(post, path = "/conversations/{id}/follow", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Following", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn follow(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Conversation>, ApiError> {
    let d = state
        .app
        .follow_conversation(&actor, ConversationId::from_uuid(id), true)
        .await?;
    Ok(Json(d.into()))
}

/// Stops following a conversation (needs `conversations.read`).
#[utoipa::path(delete, path = "/conversations/{id}/follow", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Not following", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unfollow(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Conversation>, ApiError> {
    let d = state
        .app
        .follow_conversation(&actor, ConversationId::from_uuid(id), false)
        .await?;
    Ok(Json(d.into()))
}

/// Marks the conversation read for the caller (needs `conversations.read`).
#[utoipa::path(post, path = "/conversations/{id}/read", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 204, description = "Marked read"),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mark_read(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .mark_conversation_read(&actor, ConversationId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The conversation to merge in.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// Its messages, notes, labels and followers move here; it is then deleted.
    pub source_id: uuid::Uuid,
}

/// Merges another conversation into this one (needs `conversations.reply`).
#[utoipa::path(post, path = "/conversations/{id}/merge", tag = "conversations", request_body = Merge,
    params(("id" = uuid::Uuid, Path, description = "The conversation that stays")),
    responses(
        (status = 200, description = "Merged", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn merge(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<Merge>,
) -> Result<Json<Conversation>, ApiError> {
    let d = state
        .app
        .merge_conversations(
            &actor,
            ConversationId::from_uuid(id),
            ConversationId::from_uuid(req.source_id),
        )
        .await?;
    Ok(Json(d.into()))
}

/// Where to move it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Move {
    /// Another inbox of the org.
    pub inbox_id: uuid::Uuid,
}

/// Moves a conversation to another inbox (needs `conversations.assign`).
#[utoipa::path(post, path = "/conversations/{id}/move", tag = "conversations", request_body = Move,
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "Moved", body = Conversation),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such inbox", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn move_conversation(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<Move>,
) -> Result<Json<Conversation>, ApiError> {
    let d = state
        .app
        .move_conversation(
            &actor,
            ConversationId::from_uuid(id),
            InboxId::from_uuid(req.inbox_id),
        )
        .await?;
    Ok(Json(d.into()))
}

/// One action on a selection.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bulk {
    /// Up to 100 conversation ids.
    pub ids: Vec<uuid::Uuid>,
    /// New status.
    #[serde(default)]
    pub status: Option<ConversationStatus>,
    /// With `status: snoozed`: until when.
    #[serde(default)]
    pub snooze_until: Option<DateTime<Utc>>,
    /// New assignee (null: unassign).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assignee_id: Option<Option<uuid::Uuid>>,
    /// New team (null: none).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub team_id: Option<Option<uuid::Uuid>>,
    /// Labels to add.
    #[serde(default)]
    pub add_labels: Vec<String>,
    /// Labels to remove.
    #[serde(default)]
    pub remove_labels: Vec<String>,
}

/// What a bulk action did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    /// Changed.
    pub updated: Vec<uuid::Uuid>,
    /// Not conversations of your org.
    pub not_found: Vec<uuid::Uuid>,
}

/// Changes status, assignment and/or labels of many conversations at once: all or none
/// (needs `conversations.reply`, and `conversations.assign` to assign).
#[utoipa::path(post, path = "/conversations/bulk", tag = "conversations", request_body = Bulk, responses(
    (status = 200, description = "Done", body = BulkResult),
    (status = 422, description = "Nothing to do, too many ids, or a bad value", body = Problem, content_type = "application/problem+json"),
))]
pub async fn bulk(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<Bulk>,
) -> Result<Json<BulkResult>, ApiError> {
    let assignment = (req.assignee_id.is_some() || req.team_id.is_some()).then(|| Assignment {
        assignee: req.assignee_id.map(|u| u.map(UserId::from_uuid)),
        team: req.team_id.map(|t| t.map(TeamId::from_uuid)),
    });
    let labels =
        (!req.add_labels.is_empty() || !req.remove_labels.is_empty()).then(|| LabelChange {
            set: None,
            add: req.add_labels.clone(),
            remove: req.remove_labels.clone(),
        });
    let action = BulkAction {
        status: req.status.map(|status| StatusChange {
            status,
            snooze_until: req.snooze_until,
        }),
        assignment,
        labels,
    };
    let ids: Vec<ConversationId> = req
        .ids
        .iter()
        .copied()
        .map(ConversationId::from_uuid)
        .collect();
    let out = state
        .app
        .bulk_update_conversations(&actor, &ids, &action)
        .await?;
    Ok(Json(BulkResult {
        updated: out.updated.into_iter().map(|i| i.as_uuid()).collect(),
        not_found: out.not_found.into_iter().map(|i| i.as_uuid()).collect(),
    }))
}

/// A label in use.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LabelCount {
    /// The label.
    pub label: String,
    /// Conversations carrying it.
    pub conversations: i64,
}

/// The org's labels.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LabelList {
    /// Most used first (up to 200).
    pub items: Vec<LabelCount>,
    /// Always null (one page).
    pub next_cursor: Option<String>,
}

/// The labels in use on conversations, most used first (needs `conversations.read`).
#[utoipa::path(get, path = "/labels", tag = "conversations", responses(
    (status = 200, description = "Labels", body = LabelList),
))]
pub async fn list_labels(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<LabelList>, ApiError> {
    let items = state.app.conversation_labels(&actor).await?;
    Ok(Json(LabelList {
        items: items
            .into_iter()
            .map(|(label, conversations)| LabelCount {
                label,
                conversations,
            })
            .collect(),
        next_cursor: None,
    }))
}
