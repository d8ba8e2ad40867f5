//! What a list shows per row. The related values (tags, company, owner, pipeline and stage
//! names, contact counts) are read by the page query itself, see [`super::related`].

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::QueryResult;

/// A contact as lists show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ContactRow {
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
    /// Primary company.
    pub company_id: Option<uuid::Uuid>,
    /// Its name.
    pub company_name: Option<String>,
    /// Owner.
    pub owner_id: Option<uuid::Uuid>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Lifecycle stage.
    pub lifecycle_stage: String,
    /// Source.
    pub source: Option<String>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Custom values.
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The columns [`ContactRow`] reads.
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "display_name",
    "first_name",
    "last_name",
    "primary_email",
    "primary_phone",
    "title",
    "company_id",
    "owner_id",
    "lifecycle_stage",
    "source",
    "custom",
    "created_at",
    "updated_at",
];

impl ContactRow {
    /// Reads the row, with the related values of [`super::related::contact`].
    pub fn read(r: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            id: r.try_get("", "id")?,
            name: r.try_get("", "display_name")?,
            first_name: r.try_get("", "first_name")?,
            last_name: r.try_get("", "last_name")?,
            email: r.try_get("", "primary_email")?,
            phone: r.try_get("", "primary_phone")?,
            title: r.try_get("", "title")?,
            company_id: r.try_get("", "company_id")?,
            company_name: r.try_get("", "company_name")?,
            owner_id: r.try_get("", "owner_id")?,
            owner_name: r.try_get("", "owner_name")?,
            lifecycle_stage: r.try_get("", "lifecycle_stage")?,
            source: r.try_get("", "source")?,
            tags: super::related::split_tags(r.try_get("", "tags")?),
            custom: r.try_get("", "custom")?,
            created_at: r.try_get("", "created_at")?,
            updated_at: r.try_get("", "updated_at")?,
        })
    }
}

/// A company as lists show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CompanyRow {
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
    /// Country (ISO 3166 alpha-2).
    pub country: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Owner.
    pub owner_id: Option<uuid::Uuid>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Contacts whose primary company this is.
    pub contact_count: i64,
    /// Custom values.
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The columns [`CompanyRow`] reads.
pub const COMPANY_COLUMNS: &[&str] = &[
    "id",
    "name",
    "domain",
    "industry",
    "size",
    "country",
    "city",
    "owner_id",
    "custom",
    "created_at",
    "updated_at",
];

impl CompanyRow {
    /// Reads the row, with the related values of [`super::related::company`].
    pub fn read(r: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            id: r.try_get("", "id")?,
            name: r.try_get("", "name")?,
            domain: r.try_get("", "domain")?,
            industry: r.try_get("", "industry")?,
            size: r.try_get("", "size")?,
            country: r.try_get("", "country")?,
            city: r.try_get("", "city")?,
            owner_id: r.try_get("", "owner_id")?,
            owner_name: r.try_get("", "owner_name")?,
            contact_count: r.try_get("", "contact_count")?,
            custom: r.try_get("", "custom")?,
            created_at: r.try_get("", "created_at")?,
            updated_at: r.try_get("", "updated_at")?,
        })
    }
}

/// A deal as lists show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DealRow {
    /// Id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// Amount in minor units.
    pub amount_minor: Option<i64>,
    /// Currency.
    pub currency: String,
    /// Pipeline.
    pub pipeline_id: uuid::Uuid,
    /// Its name.
    pub pipeline_name: Option<String>,
    /// Stage.
    pub stage_id: uuid::Uuid,
    /// Its name.
    pub stage_name: Option<String>,
    /// `open`, `won` or `lost`.
    pub status: String,
    /// Owner.
    pub owner_id: Option<uuid::Uuid>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Company.
    pub company_id: Option<uuid::Uuid>,
    /// Its name.
    pub company_name: Option<String>,
    /// Expected close.
    pub expected_close_on: Option<NaiveDate>,
    /// Custom values.
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The columns [`DealRow`] reads.
pub const DEAL_COLUMNS: &[&str] = &[
    "id",
    "title",
    "amount_minor",
    "currency",
    "pipeline_id",
    "stage_id",
    "status",
    "owner_id",
    "company_id",
    "expected_close_on",
    "custom",
    "created_at",
    "updated_at",
];

impl DealRow {
    /// Reads the row, with the related values of [`super::related::deal`].
    pub fn read(r: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            id: r.try_get("", "id")?,
            title: r.try_get("", "title")?,
            amount_minor: r.try_get("", "amount_minor")?,
            currency: r.try_get("", "currency")?,
            pipeline_id: r.try_get("", "pipeline_id")?,
            pipeline_name: r.try_get("", "pipeline_name")?,
            stage_id: r.try_get("", "stage_id")?,
            stage_name: r.try_get("", "stage_name")?,
            status: r.try_get("", "status")?,
            owner_id: r.try_get("", "owner_id")?,
            owner_name: r.try_get("", "owner_name")?,
            company_id: r.try_get("", "company_id")?,
            company_name: r.try_get("", "company_name")?,
            expected_close_on: r.try_get("", "expected_close_on")?,
            custom: r.try_get("", "custom")?,
            created_at: r.try_get("", "created_at")?,
            updated_at: r.try_get("", "updated_at")?,
        })
    }
}
