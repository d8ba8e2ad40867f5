//! Lists of contacts, companies and deals: the filter language compiled to SQL (same API on
//! SQLite and PostgreSQL), keyset pages with opaque cursors, and the rows lists display.
//!
//! Queries are written with sea-query against the migration's table and column names, so this
//! module depends on no record repository. Each page is one filtered, index-ordered query whose
//! related values (tags, company names, owners …) are subqueries evaluated for the page's rows.

mod compare;
pub mod compile;
mod custom_filter;
pub mod def_cache;
pub mod fields;
pub mod list;
pub(crate) mod related;
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
    let customs = db.custom_defs().get(db.conn(), scope, object).await?;
    let needs_company = filter
        .conditions()
        .iter()
        .any(|c| c.field.starts_with("company.custom."));
    let company_customs = if needs_company && object != RecordType::Company {
        db.custom_defs()
            .get(db.conn(), scope, RecordType::Company)
            .await?
    } else {
        std::sync::Arc::default()
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
    selection: list::Selection<'_>,
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
        selection,
    )
    .await
}

/// A page of contacts with their tags, company names and owner names.
pub async fn list_contacts(
    db: &Db,
    scope: OrgScope,
    req: &ListRequest<'_>,
) -> Result<Page<ContactRow>, QueryError> {
    let selection = list::Selection {
        columns: rows::CONTACT_COLUMNS,
        related: related::contact(db.backend()),
    };
    let (rows, next_cursor) = page(db, scope, RecordType::Contact, req, selection).await?;
    let items = rows
        .iter()
        .map(ContactRow::read)
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

/// A page of companies with contact counts and owner names.
pub async fn list_companies(
    db: &Db,
    scope: OrgScope,
    req: &ListRequest<'_>,
) -> Result<Page<CompanyRow>, QueryError> {
    let selection = list::Selection {
        columns: rows::COMPANY_COLUMNS,
        related: related::company(),
    };
    let (rows, next_cursor) = page(db, scope, RecordType::Company, req, selection).await?;
    let items = rows
        .iter()
        .map(CompanyRow::read)
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

/// A page of deals with pipeline, stage, company and owner names.
pub async fn list_deals(
    db: &Db,
    scope: OrgScope,
    req: &ListRequest<'_>,
) -> Result<Page<DealRow>, QueryError> {
    let selection = list::Selection {
        columns: rows::DEAL_COLUMNS,
        related: related::deal(),
    };
    let (rows, next_cursor) = page(db, scope, RecordType::Deal, req, selection).await?;
    let items = rows.iter().map(DealRow::read).collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}
