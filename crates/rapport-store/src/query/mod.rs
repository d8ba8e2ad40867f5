//! Lists of contacts, companies and deals: the filter language compiled to SQL (same API on
//! SQLite and PostgreSQL), keyset pages with opaque cursors, and the rows lists display.
//!
//! Queries are written with sea-query against the migration's table and column names, so this
//! module depends on no record repository. Each page is one filtered, index-ordered query plus
//! one look-up per related thing shown (tags, company names, owners …), never one per row.

pub mod compile;
mod custom_filter;
pub mod fields;
pub mod list;
pub mod rows;
pub mod values;

use crate::connect::Db;
use crate::error::StoreError;
use crate::scope::OrgScope;
pub use fields::{CustomDef, custom_defs};
pub use list::{Cursor, DEFAULT_LIMIT, MAX_LIMIT, PageSpec, Sort};
use rapport_domain::crm::{Filter, FilterError, RecordType};
pub use rows::{CompanyRow, ContactRow, DealRow};

/// Why a list request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The filter does not parse or names a field, operator or value that does not fit.
    #[error("{0}")]
    Filter(#[from] FilterError),
    /// The sort order is unknown.
    #[error("{0}")]
    Sort(String),
    /// The cursor is malformed or belongs to another sort order.
    #[error("the cursor is not valid for this list (start again from the first page)")]
    Cursor,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for QueryError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

/// One page of rows and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Cursor of the next page (`None` on the last page).
    pub next_cursor: Option<String>,
}

/// A list request.
#[derive(Debug, Clone)]
pub struct ListRequest<'a> {
    /// The filter, if any.
    pub filter: Option<&'a Filter>,
    /// Order, size and start.
    pub page: PageSpec,
    /// The signed-in user (`owner = me`).
    pub me: uuid::Uuid,
}

/// Compiles `filter` for `object` in this org (loads the custom-field definitions it needs).
/// Used to validate a filter before saving it in a segment, and by the lists.
pub async fn compile_for(
    db: &Db,
    scope: OrgScope,
    object: RecordType,
    filter: &Filter,
    me: uuid::Uuid,
) -> Result<sea_orm::Condition, QueryError> {
    let customs = custom_defs(db.conn(), scope, object).await?;
    let needs_company = filter
        .conditions()
        .iter()
        .any(|c| c.field.starts_with("company.custom."));
    let company_customs = if needs_company && object != RecordType::Company {
        custom_defs(db.conn(), scope, RecordType::Company).await?
    } else {
        Vec::new()
    };
    let ctx = compile::Ctx {
        backend: db.backend(),
        org: scope.uuid(),
        me,
        customs: &customs,
        company_customs: &company_customs,
    };
    Ok(compile::compile(&ctx, object, filter)?)
}

async fn page(
    db: &Db,
    scope: OrgScope,
    object: RecordType,
    req: &ListRequest<'_>,
    columns: &[&str],
) -> Result<(Vec<sea_orm::QueryResult>, Option<String>), QueryError> {
    let cond = match req.filter {
        Some(f) => Some(compile_for(db, scope, object, f, req.me).await?),
        None => None,
    };
    list::page_rows(
        db.conn(),
        db.backend(),
        scope.uuid(),
        object,
        cond,
        &req.page,
        columns,
    )
    .await
}

/// A page of contacts with their tags, company names and owner names.
pub async fn list_contacts(
    db: &Db,
    scope: OrgScope,
    req: &ListRequest<'_>,
) -> Result<Page<ContactRow>, QueryError> {
    let (rows, next_cursor) =
        page(db, scope, RecordType::Contact, req, rows::CONTACT_COLUMNS).await?;
    let mut items = rows
        .iter()
        .map(ContactRow::read)
        .collect::<Result<Vec<_>, _>>()?;
    let conn = db.conn();
    let org = scope.uuid();
    let ids: Vec<uuid::Uuid> = items.iter().map(|r| r.id).collect();
    let mut tags = rows::tags(conn, org, &ids).await?;
    let companies = rows::names(
        conn,
        "companies",
        "name",
        Some(org),
        items.iter().filter_map(|r| r.company_id),
    )
    .await?;
    let owners = rows::owner_names(conn, org, items.iter().filter_map(|r| r.owner_id)).await?;
    for r in &mut items {
        r.tags = tags.remove(&r.id).unwrap_or_default();
        r.company_name = r.company_id.and_then(|c| companies.get(&c).cloned());
        r.owner_name = r.owner_id.and_then(|o| owners.get(&o).cloned());
    }
    Ok(Page { items, next_cursor })
}

/// A page of companies with contact counts and owner names.
pub async fn list_companies(
    db: &Db,
    scope: OrgScope,
    req: &ListRequest<'_>,
) -> Result<Page<CompanyRow>, QueryError> {
    let (rows, next_cursor) =
        page(db, scope, RecordType::Company, req, rows::COMPANY_COLUMNS).await?;
    let mut items = rows
        .iter()
        .map(CompanyRow::read)
        .collect::<Result<Vec<_>, _>>()?;
    let conn = db.conn();
    let org = scope.uuid();
    let ids: Vec<uuid::Uuid> = items.iter().map(|r| r.id).collect();
    let counts = rows::contact_counts(conn, org, &ids).await?;
    let owners = rows::owner_names(conn, org, items.iter().filter_map(|r| r.owner_id)).await?;
    for r in &mut items {
        r.contact_count = counts.get(&r.id).copied().unwrap_or(0);
        r.owner_name = r.owner_id.and_then(|o| owners.get(&o).cloned());
    }
    Ok(Page { items, next_cursor })
}

/// A page of deals with pipeline, stage, company and owner names.
pub async fn list_deals(
    db: &Db,
    scope: OrgScope,
    req: &ListRequest<'_>,
) -> Result<Page<DealRow>, QueryError> {
    let (rows, next_cursor) = page(db, scope, RecordType::Deal, req, rows::DEAL_COLUMNS).await?;
    let mut items = rows
        .iter()
        .map(DealRow::read)
        .collect::<Result<Vec<_>, _>>()?;
    let conn = db.conn();
    let org = Some(scope.uuid());
    let pipelines = rows::names(
        conn,
        "pipelines",
        "name",
        org,
        items.iter().map(|r| r.pipeline_id),
    )
    .await?;
    let stages = rows::names(
        conn,
        "pipeline_stages",
        "name",
        org,
        items.iter().map(|r| r.stage_id),
    )
    .await?;
    let companies = rows::names(
        conn,
        "companies",
        "name",
        org,
        items.iter().filter_map(|r| r.company_id),
    )
    .await?;
    let owners =
        rows::owner_names(conn, scope.uuid(), items.iter().filter_map(|r| r.owner_id)).await?;
    for r in &mut items {
        r.pipeline_name = pipelines.get(&r.pipeline_id).cloned();
        r.stage_name = stages.get(&r.stage_id).cloned();
        r.company_name = r.company_id.and_then(|c| companies.get(&c).cloned());
        r.owner_name = r.owner_id.and_then(|o| owners.get(&o).cloned());
    }
    Ok(Page { items, next_cursor })
}
