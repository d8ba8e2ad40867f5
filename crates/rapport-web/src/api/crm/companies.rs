//! `/api/v1/companies` (create) and `/api/v1/companies/{id}` (read, PATCH, delete).

use super::{IncludeQuery, nullable};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::crm::companies::CompanyPatch;
use rapport_app::crm::input::CustomValue;
use rapport_app::records::{CompanyRecord, LinkedContact};
use rapport_domain::{CompanyId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A contact linked to a company.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompanyContact {
    /// Contact id.
    pub id: uuid::Uuid,
    /// Display name.
    pub display_name: String,
    /// Job title.
    pub title: Option<String>,
    /// Primary email.
    pub email: Option<String>,
    /// Role at the company.
    pub role: Option<String>,
    /// Whether this is the contact's primary company.
    pub primary: bool,
}

impl From<LinkedContact> for CompanyContact {
    fn from(c: LinkedContact) -> Self {
        Self {
            id: c.id.as_uuid(),
            display_name: c.display_name,
            title: c.title,
            email: c.email,
            role: c.role,
            primary: c.is_primary,
        }
    }
}

/// A company.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Company {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Primary domain.
    pub domain: Option<String>,
    /// Every domain, the primary first.
    pub domains: Vec<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Size band.
    pub size: Option<String>,
    /// Main phone (E.164).
    pub phone: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<String>,
    /// Owner (a member).
    pub owner_id: Option<uuid::Uuid>,
    /// Custom-field values by key.
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    /// Linked contacts (with `?include=contacts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<CompanyContact>>,
    /// Who created it.
    pub created_by: Option<uuid::Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<CompanyRecord> for Company {
    fn from(c: CompanyRecord) -> Self {
        let d = c.data;
        Self {
            id: c.id.as_uuid(),
            domain: d.domains.first().cloned(),
            domains: d.domains,
            name: d.name,
            industry: d.industry,
            size: d.size,
            phone: d.phone,
            street: d.street,
            city: d.city,
            region: d.region,
            postal_code: d.postal_code,
            country: d.country,
            owner_id: d.owner_id.map(|u| u.as_uuid()),
            custom: d.custom,
            contacts: None,
            created_by: c.created_by.map(|u| u.as_uuid()),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A company to create, or the changes to one. On PATCH, absent members keep their value and
/// `null` clears; `domains` replaces the stored list; `custom` merges by key.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyBody {
    /// Name (required on create).
    #[serde(default)]
    pub name: Option<String>,
    /// Domains or website addresses, the primary first (`https://www.acme.com` → `acme.com`;
    /// unique in the org).
    #[serde(default)]
    pub domains: Option<Vec<String>>,
    /// Industry.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
    /// Size band (`11-50`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub size: Option<Option<String>>,
    /// Main phone; numbers without `+` are read in the org's default country.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// Street.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub street: Option<Option<String>>,
    /// City.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub city: Option<Option<String>>,
    /// State or region.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    /// Postal code.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub postal_code: Option<Option<String>>,
    /// ISO 3166 alpha-2 country (`DE`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    /// Owner (a member's user id).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub owner_id: Option<Option<uuid::Uuid>>,
    /// Custom-field values by key, typed per the field.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

impl From<CompanyBody> for CompanyPatch {
    fn from(b: CompanyBody) -> Self {
        Self {
            name: b.name,
            domains: b.domains,
            industry: b.industry,
            size: b.size,
            phone: b.phone,
            street: b.street,
            city: b.city,
            region: b.region,
            postal_code: b.postal_code,
            country: b.country,
            owner_id: b.owner_id.map(|o| o.map(UserId::from_uuid)),
            custom: b.custom.map(|m| {
                m.into_iter()
                    .map(|(k, v)| (k, CustomValue::Json(v)))
                    .collect()
            }),
        }
    }
}

const INCLUDES: &[&str] = &["contacts"];

async fn render(
    state: &WebState,
    actor: &rapport_app::Actor,
    c: CompanyRecord,
    include: &[String],
) -> Result<Company, ApiError> {
    let id = c.id;
    let mut out = Company::from(c);
    if include.iter().any(|i| i == "contacts") {
        let linked = state.app.company_contacts(actor, id).await?;
        out.contacts = Some(linked.into_iter().map(Into::into).collect());
    }
    Ok(out)
}

/// Creates a company (needs `contacts.write`).
#[utoipa::path(post, path = "/companies", tag = "companies", request_body = CompanyBody,
    params(IncludeQuery),
    responses(
        (status = 201, description = "Created", body = Company),
        (status = 403, description = "Needs contacts.write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another company has one of the domains", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (each named)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_company(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<IncludeQuery>,
    ApiJson(body): ApiJson<CompanyBody>,
) -> Result<(StatusCode, Json<Company>), ApiError> {
    let include = q.names(INCLUDES)?;
    let c = state.app.create_company(&actor, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(render(&state, &actor, c, &include).await?),
    ))
}

/// One company; `?include=contacts` lists its contacts.
#[utoipa::path(get, path = "/companies/{id}", tag = "companies",
    params(("id" = uuid::Uuid, Path, description = "Company id"), IncludeQuery),
    responses(
        (status = 200, description = "The company", body = Company),
        (status = 404, description = "No such company in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_company(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(q): ApiQuery<IncludeQuery>,
) -> Result<Json<Company>, ApiError> {
    let include = q.names(INCLUDES)?;
    let c = state.app.company(&actor, CompanyId::from_uuid(id)).await?;
    Ok(Json(render(&state, &actor, c, &include).await?))
}

/// Changes a company: only the members sent change (needs `contacts.write`).
#[utoipa::path(patch, path = "/companies/{id}", tag = "companies", request_body = CompanyBody,
    params(("id" = uuid::Uuid, Path, description = "Company id"), IncludeQuery),
    responses(
        (status = 200, description = "The changed company", body = Company),
        (status = 404, description = "No such company in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another company has one of the domains", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (each named); nothing changed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_company(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(q): ApiQuery<IncludeQuery>,
    ApiJson(body): ApiJson<CompanyBody>,
) -> Result<Json<Company>, ApiError> {
    let include = q.names(INCLUDES)?;
    let c = state
        .app
        .update_company(&actor, CompanyId::from_uuid(id), &body.into())
        .await?;
    Ok(Json(render(&state, &actor, c, &include).await?))
}

/// Deletes a company with its domains, contact links and timeline; its contacts stay (needs
/// `contacts.write`).
#[utoipa::path(delete, path = "/companies/{id}", tag = "companies",
    params(("id" = uuid::Uuid, Path, description = "Company id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such company in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_company(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_company(&actor, CompanyId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
