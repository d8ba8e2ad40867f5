//! `/api/v1/contacts/duplicates`, `/contacts/merge` and the vCard exports
//! (`/contacts/{id}/vcard`, `/contacts/export.vcf`).

use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rapport_app::crm::duplicates::DuplicateReason;
use rapport_app::crm::merge::Side;
use rapport_app::records::ContactSummary;
use rapport_domain::ContactId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A contact as duplicate detection and merging show it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactBrief {
    /// Id.
    pub id: uuid::Uuid,
    /// Display name.
    pub display_name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Title.
    pub title: Option<String>,
    /// Primary company.
    pub company_id: Option<uuid::Uuid>,
    /// Its name.
    pub company_name: Option<String>,
    /// Owner.
    pub owner_id: Option<uuid::Uuid>,
    /// Stage.
    pub lifecycle_stage: String,
    /// Source.
    pub source: Option<String>,
    /// Primary email.
    pub primary_email: Option<String>,
    /// Primary phone (E.164).
    pub primary_phone: Option<String>,
    /// Emails, primary first.
    pub emails: Vec<String>,
    /// Phones, primary first.
    pub phones: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Custom values.
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Updated.
    pub updated_at: DateTime<Utc>,
}

impl From<ContactSummary> for ContactBrief {
    fn from(c: ContactSummary) -> Self {
        Self {
            id: c.id,
            display_name: c.display_name,
            first_name: c.first_name,
            last_name: c.last_name,
            title: c.title,
            company_id: c.company_id,
            company_name: c.company_name,
            owner_id: c.owner_id,
            lifecycle_stage: c.lifecycle_stage,
            source: c.source,
            primary_email: c.primary_email,
            primary_phone: c.primary_phone,
            emails: c.emails,
            phones: c.phones,
            tags: c.tags,
            custom: c.custom,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A likely duplicate pair.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicatePair {
    /// The older contact.
    pub a: ContactBrief,
    /// The newer one.
    pub b: ContactBrief,
    /// Why they look alike.
    pub reason: DuplicateReason,
    /// The shared phone, company or email domain.
    pub detail: String,
}

/// Candidate pairs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicateList {
    /// At most 200 pairs.
    pub items: Vec<DuplicatePair>,
    /// Always null (the list is bounded).
    pub next_cursor: Option<String>,
}

/// A merge.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The contact that stays.
    pub survivor_id: uuid::Uuid,
    /// The contact merged into it and deleted.
    pub merged_id: uuid::Uuid,
    /// Per field (`first_name`, `title`, `company`, `owner`, `primary_email`, `custom.<key>` …)
    /// whose value wins; unnamed fields take the most recently updated non-empty value.
    #[serde(default)]
    pub fields: HashMap<String, Side>,
}

/// Ids to export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Comma-separated contact ids; omitted: every contact (at most 50,000).
    #[serde(default)]
    pub ids: Option<String>,
}

/// Likely duplicate contacts with the reason (needs `contacts.read`).
#[utoipa::path(get, path = "/contacts/duplicates", tag = "contacts", responses(
    (status = 200, description = "Candidate pairs", body = DuplicateList),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_duplicates(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<DuplicateList>, ApiError> {
    let pairs = state.app.contact_duplicates(&actor).await?;
    Ok(Json(DuplicateList {
        items: pairs
            .into_iter()
            .map(|p| DuplicatePair {
                a: p.a.into(),
                b: p.b.into(),
                reason: p.reason,
                detail: p.detail,
            })
            .collect(),
        next_cursor: None,
    }))
}

/// Merges two contacts (needs `contacts.write`): the survivor keeps every email, phone, tag,
/// company, deal, note, task and timeline entry of both; the other is deleted.
#[utoipa::path(post, path = "/contacts/merge", tag = "contacts", request_body = MergeRequest, responses(
    (status = 200, description = "The survivor after the merge", body = ContactBrief),
    (status = 404, description = "A contact is not in your org", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Same contact twice, or an unknown field", body = Problem, content_type = "application/problem+json"),
))]
pub async fn merge_contacts(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<MergeRequest>,
) -> Result<Json<ContactBrief>, ApiError> {
    let survivor = state
        .app
        .merge_contacts(
            &actor,
            ContactId::from_uuid(req.survivor_id),
            ContactId::from_uuid(req.merged_id),
            &req.fields,
        )
        .await?;
    Ok(Json(survivor.into()))
}

fn vcard_response(body: String, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/vcard; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// One contact as a vCard 4.0 file (needs `data.export`).
#[utoipa::path(get, path = "/contacts/{id}/vcard", tag = "contacts",
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses(
        (status = 200, description = "vCard 4.0", body = String, content_type = "text/vcard"),
        (status = 404, description = "No such contact in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn contact_vcard(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Response, ApiError> {
    let (filename, body) = state
        .app
        .contact_vcard(&actor, ContactId::from_uuid(id))
        .await?;
    Ok(vcard_response(body, &filename))
}

/// Several contacts as one vCard 4.0 file (needs `data.export`).
#[utoipa::path(get, path = "/contacts/export.vcf", tag = "contacts", params(ExportQuery), responses(
    (status = 200, description = "vCard 4.0", body = String, content_type = "text/vcard"),
    (status = 422, description = "A malformed id", body = Problem, content_type = "application/problem+json"),
))]
pub async fn export_vcards(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let mut ids = Vec::new();
    for raw in q
        .ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let id = uuid::Uuid::parse_str(raw).map_err(|_| {
            ApiError::validation(vec![FieldError {
                field: "ids".into(),
                message: format!("\"{raw}\" is not a contact id"),
            }])
        })?;
        ids.push(ContactId::from_uuid(id));
    }
    let body = state.app.contacts_vcards(&actor, &ids).await?;
    Ok(vcard_response(body, "contacts.vcf"))
}
