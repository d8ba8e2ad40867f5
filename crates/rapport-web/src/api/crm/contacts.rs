//! `/api/v1/contacts` (create) and `/api/v1/contacts/{id}` (read, PATCH, delete).

use super::IncludeQuery;
use super::companies::Company;
pub use super::contact_body::ContactBody;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::records::{CompanyRecord, ContactRecord};
use rapport_domain::crm::LifecycleStage;
use rapport_domain::{CompanyId, ContactId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One email address.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactEmail {
    /// Lowercase address.
    pub email: String,
    /// Whether mail goes here first.
    pub primary: bool,
}

/// One phone number.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactPhone {
    /// E.164 (`+14155550132`).
    pub e164: String,
    /// As typed.
    pub raw: String,
    /// `mobile`, `work` …
    pub label: Option<String>,
    /// Whether it is the main number.
    pub primary: bool,
}

/// A channel identity.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// `whatsapp`, `telegram` …
    pub channel: String,
    /// The channel's id for the person.
    pub identifier: String,
}

/// A link to a company.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompanyLinkView {
    /// The company.
    pub company_id: uuid::Uuid,
    /// Whether it is the contact's primary company.
    pub primary: bool,
    /// The contact's role there.
    pub role: Option<String>,
    /// The company itself (with `?include=companies`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<Company>,
}

/// A contact.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Contact {
    /// Id.
    pub id: uuid::Uuid,
    /// Given name ("" when unknown).
    pub first_name: String,
    /// Family name ("" when unknown).
    pub last_name: String,
    /// "First Last", or the primary email when there is no name.
    pub display_name: String,
    /// Job title.
    pub title: Option<String>,
    /// Primary company.
    pub company_id: Option<uuid::Uuid>,
    /// Owner (a member).
    pub owner_id: Option<uuid::Uuid>,
    /// Funnel stage.
    pub lifecycle_stage: LifecycleStage,
    /// Where the contact came from.
    pub source: Option<String>,
    /// Picture address.
    pub avatar_url: Option<String>,
    /// Primary email.
    pub primary_email: Option<String>,
    /// Primary phone (E.164).
    pub primary_phone: Option<String>,
    /// Every email, the primary first.
    pub emails: Vec<ContactEmail>,
    /// Every phone, the primary first.
    pub phones: Vec<ContactPhone>,
    /// Channel identities.
    pub identities: Vec<Identity>,
    /// Tags.
    pub tags: Vec<String>,
    /// Company links, the primary first.
    pub companies: Vec<CompanyLinkView>,
    /// Social handles by network.
    #[schema(value_type = Object)]
    pub social: Map<String, Value>,
    /// Custom-field values by key.
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    /// May receive marketing.
    pub consent_marketing: bool,
    /// May be processed by AI features.
    pub consent_ai: bool,
    /// The primary company (with `?include=company`; `null` when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Company>)]
    pub company: Option<Option<Company>>,
    /// Who created it.
    pub created_by: Option<uuid::Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Contact {
    /// The JSON shape of a record, with the companies given expanded.
    pub fn of(c: ContactRecord, include: &[String], companies: &[CompanyRecord]) -> Self {
        let d = c.data;
        let find = |id: CompanyId| {
            companies
                .iter()
                .find(|x| x.id == id)
                .cloned()
                .map(Company::from)
        };
        let expand_links = include.iter().any(|i| i == "companies");
        let primary = d.primary_company();
        Self {
            id: c.id.as_uuid(),
            display_name: c.display_name,
            company_id: primary.map(|p| p.as_uuid()),
            owner_id: d.owner_id.map(|u| u.as_uuid()),
            lifecycle_stage: d.lifecycle_stage,
            primary_email: d.primary_email().map(str::to_owned),
            primary_phone: d.primary_phone().map(str::to_owned),
            company: include
                .iter()
                .any(|i| i == "company")
                .then(|| primary.and_then(find)),
            companies: d
                .companies
                .iter()
                .map(|l| CompanyLinkView {
                    company_id: l.company_id.as_uuid(),
                    primary: l.is_primary,
                    role: l.role.clone(),
                    company: if expand_links {
                        find(l.company_id)
                    } else {
                        None
                    },
                })
                .collect(),
            emails: d
                .emails
                .into_iter()
                .map(|e| ContactEmail {
                    email: e.email,
                    primary: e.is_primary,
                })
                .collect(),
            phones: d
                .phones
                .into_iter()
                .map(|p| ContactPhone {
                    e164: p.e164,
                    raw: p.raw,
                    label: p.label,
                    primary: p.is_primary,
                })
                .collect(),
            identities: d
                .identities
                .into_iter()
                .map(|i| Identity {
                    channel: i.channel,
                    identifier: i.identifier,
                })
                .collect(),
            first_name: d.first_name,
            last_name: d.last_name,
            title: d.title,
            source: d.source,
            avatar_url: d.avatar_url,
            tags: d.tags,
            social: d.social,
            custom: d.custom,
            consent_marketing: d.consent_marketing,
            consent_ai: d.consent_ai,
            created_by: c.created_by.map(|u| u.as_uuid()),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

const INCLUDES: &[&str] = &["company", "companies"];

async fn render(
    state: &WebState,
    actor: &rapport_app::Actor,
    c: ContactRecord,
    include: &[String],
) -> Result<Contact, ApiError> {
    let companies = if include.is_empty() {
        Vec::new()
    } else {
        state.app.contact_companies(actor, &c).await?
    };
    Ok(Contact::of(c, include, &companies))
}

/// Creates a contact (needs `contacts.write`).
#[utoipa::path(post, path = "/contacts", tag = "contacts", request_body = ContactBody,
    params(IncludeQuery),
    responses(
        (status = 201, description = "Created", body = Contact),
        (status = 403, description = "Needs contacts.write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another contact has one of the emails", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (each named)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_contact(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<IncludeQuery>,
    ApiJson(body): ApiJson<ContactBody>,
) -> Result<(StatusCode, Json<Contact>), ApiError> {
    let include = q.names(INCLUDES)?;
    let c = state.app.create_contact(&actor, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(render(&state, &actor, c, &include).await?),
    ))
}

/// One contact; `?include=company,companies` expands the linked companies.
#[utoipa::path(get, path = "/contacts/{id}", tag = "contacts",
    params(("id" = uuid::Uuid, Path, description = "Contact id"), IncludeQuery),
    responses(
        (status = 200, description = "The contact", body = Contact),
        (status = 404, description = "No such contact in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_contact(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(q): ApiQuery<IncludeQuery>,
) -> Result<Json<Contact>, ApiError> {
    let include = q.names(INCLUDES)?;
    let c = state.app.contact(&actor, ContactId::from_uuid(id)).await?;
    Ok(Json(render(&state, &actor, c, &include).await?))
}

/// Changes a contact: only the members sent change (needs `contacts.write`).
#[utoipa::path(patch, path = "/contacts/{id}", tag = "contacts", request_body = ContactBody,
    params(("id" = uuid::Uuid, Path, description = "Contact id"), IncludeQuery),
    responses(
        (status = 200, description = "The changed contact", body = Contact),
        (status = 404, description = "No such contact in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another contact has one of the emails", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (each named); nothing changed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_contact(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(q): ApiQuery<IncludeQuery>,
    ApiJson(body): ApiJson<ContactBody>,
) -> Result<Json<Contact>, ApiError> {
    let include = q.names(INCLUDES)?;
    let c = state
        .app
        .update_contact(&actor, ContactId::from_uuid(id), &body.into())
        .await?;
    Ok(Json(render(&state, &actor, c, &include).await?))
}

/// Deletes a contact with its emails, phones, links and timeline (needs `contacts.write`).
#[utoipa::path(delete, path = "/contacts/{id}", tag = "contacts",
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such contact in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_contact(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_contact(&actor, ContactId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
