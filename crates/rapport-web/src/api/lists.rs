//! `GET /api/v1/contacts`, `/companies`, `/deals`: filtered, sorted, keyset-paged lists (the
//! filter language is described in the OpenAPI document), and their CSV exports
//! (`…/export.csv`, streamed).

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use rapport_app::lists::ListParams;
use rapport_app::lists::{CompanyRow, ContactRow, DealRow};
use rapport_domain::SegmentId;
use rapport_domain::crm::RecordType;
use serde::{Deserialize, Serialize};

/// List parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Filter expression, e.g. `lifecycle_stage = customer AND owner = me AND
    /// company.industry = "Software" AND (custom.score >= 50 OR tag = vip) AND
    /// deals.open_amount > 10000`. Operators: `=`, `!=`, `>`, `>=`, `<`, `<=`, `contains`,
    /// `starts_with`, `in (a, b)`, `is empty`, `is not empty`; `AND`, `OR`, `NOT`, parentheses.
    pub filter: Option<String>,
    /// A saved segment whose filter (and sort) applies as well.
    pub segment: Option<uuid::Uuid>,
    /// `field`, `-field`, `field:asc` or `field:desc` (default `created_at:desc`).
    pub sort: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `company`: embed each contact's company (contacts only).
    pub include: Option<String>,
}

/// Export parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Filter expression (as for the list).
    pub filter: Option<String>,
    /// A saved segment.
    pub segment: Option<uuid::Uuid>,
    /// Sort (as for the list).
    pub sort: Option<String>,
}

impl ListQuery {
    fn params(&self) -> ListParams {
        ListParams {
            filter: self.filter.clone(),
            segment: self.segment.map(SegmentId::from_uuid),
            sort: self.sort.clone(),
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }
}

/// A related record, embedded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Related {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: Option<String>,
}

/// A contact in a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactItem {
    /// Id.
    pub id: uuid::Uuid,
    /// Display name.
    pub name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Primary email.
    pub email: Option<String>,
    /// Primary phone (E.164).
    pub phone: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Primary company id.
    pub company_id: Option<uuid::Uuid>,
    /// The company (with `include=company`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<Related>,
    /// Owner (user id).
    pub owner_id: Option<uuid::Uuid>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Lifecycle stage.
    pub lifecycle_stage: String,
    /// Source.
    pub source: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Custom field values by key.
    #[schema(value_type = Object)]
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl ContactItem {
    fn new(r: ContactRow, include_company: bool) -> Self {
        Self {
            company: r.company_id.filter(|_| include_company).map(|id| Related {
                id,
                name: r.company_name.clone(),
            }),
            id: r.id,
            name: r.name,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            phone: r.phone,
            title: r.title,
            company_id: r.company_id,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            lifecycle_stage: r.lifecycle_stage,
            source: r.source,
            tags: r.tags,
            custom: r.custom,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A page of contacts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactPage {
    /// The contacts.
    pub items: Vec<ContactItem>,
    /// Cursor of the next page, null on the last.
    pub next_cursor: Option<String>,
}

/// A company in a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompanyItem {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Primary domain.
    pub domain: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Size band.
    pub size: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Owner (user id).
    pub owner_id: Option<uuid::Uuid>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Contacts whose primary company this is.
    pub contact_count: i64,
    /// Custom field values by key.
    #[schema(value_type = Object)]
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<CompanyRow> for CompanyItem {
    fn from(r: CompanyRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            domain: r.domain,
            industry: r.industry,
            size: r.size,
            country: r.country,
            city: r.city,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            contact_count: r.contact_count,
            custom: r.custom,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A page of companies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompanyPage {
    /// The companies.
    pub items: Vec<CompanyItem>,
    /// Cursor of the next page, null on the last.
    pub next_cursor: Option<String>,
}

/// A deal in a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DealItem {
    /// Id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// Amount in minor units.
    pub amount_minor: Option<i64>,
    /// ISO currency.
    pub currency: String,
    /// Pipeline.
    pub pipeline: Related,
    /// Stage.
    pub stage: Related,
    /// `open`, `won` or `lost`.
    pub status: String,
    /// Owner (user id).
    pub owner_id: Option<uuid::Uuid>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Company.
    pub company: Option<Related>,
    /// Expected close date.
    pub expected_close_on: Option<NaiveDate>,
    /// Custom field values by key.
    #[schema(value_type = Object)]
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<DealRow> for DealItem {
    fn from(r: DealRow) -> Self {
        Self {
            id: r.id,
            title: r.title,
            amount_minor: r.amount_minor,
            currency: r.currency,
            pipeline: Related {
                id: r.pipeline_id,
                name: r.pipeline_name,
            },
            stage: Related {
                id: r.stage_id,
                name: r.stage_name,
            },
            status: r.status,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            company: r.company_id.map(|id| Related {
                id,
                name: r.company_name,
            }),
            expected_close_on: r.expected_close_on,
            custom: r.custom,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A page of deals.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DealPage {
    /// The deals.
    pub items: Vec<DealItem>,
    /// Cursor of the next page, null on the last.
    pub next_cursor: Option<String>,
}

fn include_company(q: &ListQuery) -> Result<bool, ApiError> {
    match q.include.as_deref().map(str::trim) {
        None | Some("") => Ok(false),
        Some("company") => Ok(true),
        Some(_) => Err(ApiError::validation(vec![crate::error::FieldError {
            field: "include".into(),
            message: "include is not valid: only `company` can be included".into(),
        }])),
    }
}

/// Only contacts embed a related record.
fn no_include(q: &ListQuery) -> Result<(), ApiError> {
    match q.include.as_deref().map(str::trim) {
        None | Some("") => Ok(()),
        Some(_) => Err(ApiError::validation(vec![crate::error::FieldError {
            field: "include".into(),
            message: "include is not valid: this list embeds nothing".into(),
        }])),
    }
}

/// Lists contacts (needs `contacts.read`).
#[utoipa::path(get, path = "/contacts", tag = "contacts", params(ListQuery), responses(
    (status = 200, description = "A page of contacts", body = ContactPage),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid filter (`invalid_filter`, the detail names the field and column), sort, limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_contacts(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ContactPage>, ApiError> {
    let include = include_company(&q)?;
    let page = state.app.list_contacts(&actor, &q.params()).await?;
    Ok(Json(ContactPage {
        items: page
            .items
            .into_iter()
            .map(|r| ContactItem::new(r, include))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Lists companies (needs `contacts.read`).
#[utoipa::path(get, path = "/companies", tag = "companies", params(ListQuery), responses(
    (status = 200, description = "A page of companies", body = CompanyPage),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid filter, sort, limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_companies(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CompanyPage>, ApiError> {
    no_include(&q)?;
    let page = state.app.list_companies(&actor, &q.params()).await?;
    Ok(Json(CompanyPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Lists deals (needs `deals.read`).
#[utoipa::path(get, path = "/deals", tag = "deals", params(ListQuery), responses(
    (status = 200, description = "A page of deals", body = DealPage),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid filter, sort, limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_deals(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<DealPage>, ApiError> {
    no_include(&q)?;
    let page = state.app.list_deals(&actor, &q.params()).await?;
    Ok(Json(DealPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Streams a list as CSV (shared by the API and the list pages' export button).
pub async fn export(
    state: &WebState,
    actor: &rapport_app::Actor,
    object: RecordType,
    filter: Option<String>,
    segment: Option<SegmentId>,
    sort: Option<String>,
) -> Result<Response, rapport_app::AppError> {
    let params = ListParams {
        filter,
        segment,
        sort,
        limit: None,
        cursor: None,
    };
    let export = state.app.export_list(actor, object, &params).await?;
    let disposition = format!("attachment; filename=\"{}\"", export.filename());
    let stream = futures::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(chunk), Some(export))),
            Ok(None) => None,
            Err(e) => {
                // Headers are sent: end the body early so the download is visibly broken.
                tracing::error!(error = %e, "CSV export failed midway");
                Some((Err(std::io::Error::other("export failed")), None))
            }
        }
    });
    let mut res = Body::from_stream(stream).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn export_api(
    state: WebState,
    actor: rapport_app::Actor,
    object: RecordType,
    q: ExportQuery,
) -> Result<Response, ApiError> {
    Ok(export(
        &state,
        &actor,
        object,
        q.filter,
        q.segment.map(SegmentId::from_uuid),
        q.sort,
    )
    .await?)
}

/// Exports matching contacts as CSV (needs `data.export` and `contacts.read`).
#[utoipa::path(get, path = "/contacts/export.csv", tag = "contacts", params(ExportQuery), responses(
    (status = 200, description = "CSV, one row per contact, custom fields as `custom.<key>` columns", content_type = "text/csv"),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
))]
pub async fn export_contacts(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    export_api(state, actor, RecordType::Contact, q).await
}

/// Exports matching companies as CSV (needs `data.export` and `contacts.read`).
#[utoipa::path(get, path = "/companies/export.csv", tag = "companies", params(ExportQuery), responses(
    (status = 200, description = "CSV, one row per company", content_type = "text/csv"),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
))]
pub async fn export_companies(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    export_api(state, actor, RecordType::Company, q).await
}

/// Exports matching deals as CSV (needs `data.export` and `deals.read`).
#[utoipa::path(get, path = "/deals/export.csv", tag = "deals", params(ExportQuery), responses(
    (status = 200, description = "CSV, one row per deal", content_type = "text/csv"),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
))]
pub async fn export_deals(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    export_api(state, actor, RecordType::Deal, q).await
}
