//! What a list shows per row, and the batch look-ups that complete a page: tags, company
//! names, owner names, contact counts, pipeline and stage names. Each is one query for the
//! whole page (`… WHERE id IN (page ids)`), never one per row.

use super::compile::col;
use crate::error::StoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, QueryResult};
use std::collections::HashMap;

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
    /// Reads the row (names and tags filled in later).
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
            company_name: None,
            owner_id: r.try_get("", "owner_id")?,
            owner_name: None,
            lifecycle_stage: r.try_get("", "lifecycle_stage")?,
            source: r.try_get("", "source")?,
            tags: Vec::new(),
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
    /// Reads the row (counts and names filled in later).
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
            owner_name: None,
            contact_count: 0,
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
    /// Reads the row (names filled in later).
    pub fn read(r: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            id: r.try_get("", "id")?,
            title: r.try_get("", "title")?,
            amount_minor: r.try_get("", "amount_minor")?,
            currency: r.try_get("", "currency")?,
            pipeline_id: r.try_get("", "pipeline_id")?,
            pipeline_name: None,
            stage_id: r.try_get("", "stage_id")?,
            stage_name: None,
            status: r.try_get("", "status")?,
            owner_id: r.try_get("", "owner_id")?,
            owner_name: None,
            company_id: r.try_get("", "company_id")?,
            company_name: None,
            expected_close_on: r.try_get("", "expected_close_on")?,
            custom: r.try_get("", "custom")?,
            created_at: r.try_get("", "created_at")?,
            updated_at: r.try_get("", "updated_at")?,
        })
    }
}

fn distinct(ids: impl Iterator<Item = uuid::Uuid>) -> Vec<uuid::Uuid> {
    let mut v: Vec<uuid::Uuid> = ids.collect();
    v.sort();
    v.dedup();
    v
}

/// `id → name` of rows of `table` (org-scoped unless `org` is None, for users).
pub(crate) async fn names(
    db: &impl ConnectionTrait,
    table: &str,
    name_col: &str,
    org: Option<uuid::Uuid>,
    ids: impl Iterator<Item = uuid::Uuid>,
) -> StoreResult<HashMap<uuid::Uuid, String>> {
    let ids = distinct(ids);
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = Query::select();
    q.column((Alias::new(table), Alias::new("id")))
        .expr_as(col(table, name_col), Alias::new("label"))
        .from(Alias::new(table))
        .and_where(col(table, "id").is_in(ids));
    if let Some(org) = org {
        q.and_where(col(table, "org_id").eq(org));
    }
    let mut out = HashMap::new();
    for r in db.query_all(&q).await? {
        out.insert(r.try_get("", "id")?, r.try_get("", "label")?);
    }
    Ok(out)
}

/// Owner names: only users who are members of the org (a stale owner id shows no name).
pub(crate) async fn owner_names(
    db: &impl ConnectionTrait,
    org: uuid::Uuid,
    ids: impl Iterator<Item = uuid::Uuid>,
) -> StoreResult<HashMap<uuid::Uuid, String>> {
    let ids = distinct(ids);
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let q = Query::select()
        .column((Alias::new("users"), Alias::new("id")))
        .column((Alias::new("users"), Alias::new("name")))
        .from(Alias::new("users"))
        .inner_join(
            Alias::new("memberships"),
            col("memberships", "user_id").equals((Alias::new("users"), Alias::new("id"))),
        )
        .and_where(col("memberships", "org_id").eq(org))
        .and_where(col("users", "id").is_in(ids))
        .to_owned();
    let mut out = HashMap::new();
    for r in db.query_all(&q).await? {
        out.insert(r.try_get("", "id")?, r.try_get("", "name")?);
    }
    Ok(out)
}

/// Tags per contact, sorted.
pub(crate) async fn tags(
    db: &impl ConnectionTrait,
    org: uuid::Uuid,
    ids: &[uuid::Uuid],
) -> StoreResult<HashMap<uuid::Uuid, Vec<String>>> {
    let mut out: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let q = Query::select()
        .columns([Alias::new("contact_id"), Alias::new("tag")])
        .from(Alias::new("contact_tags"))
        .and_where(Expr::col(Alias::new("org_id")).eq(org))
        .and_where(Expr::col(Alias::new("contact_id")).is_in(ids.to_vec()))
        .order_by(Alias::new("tag"), sea_orm::Order::Asc)
        .to_owned();
    for r in db.query_all(&q).await? {
        out.entry(r.try_get("", "contact_id")?)
            .or_default()
            .push(r.try_get("", "tag")?);
    }
    Ok(out)
}

/// Contacts per company (primary company).
pub(crate) async fn contact_counts(
    db: &impl ConnectionTrait,
    org: uuid::Uuid,
    ids: &[uuid::Uuid],
) -> StoreResult<HashMap<uuid::Uuid, i64>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let q = Query::select()
        .column(Alias::new("company_id"))
        .expr_as(Func::count(Expr::val(1)), Alias::new("n"))
        .from(Alias::new("contacts"))
        .and_where(Expr::col(Alias::new("org_id")).eq(org))
        .and_where(Expr::col(Alias::new("company_id")).is_in(ids.to_vec()))
        .group_by_col(Alias::new("company_id"))
        .to_owned();
    for r in db.query_all(&q).await? {
        out.insert(r.try_get("", "company_id")?, r.try_get("", "n")?);
    }
    Ok(out)
}
