//! What deal pages read besides the deals themselves: the board's filtered deals, and small
//! org-scoped lookups into tables other slices own (contacts, companies, custom-field
//! definitions) so deals can validate and name what they link to without their code.

use crate::entity::deal;
use crate::error::StoreResult;
use crate::repo::deals::{DealRecord, record_of};
use crate::scope::OrgScope;
use rapport_domain::crm::{DealStatus, SelectOption};
use rapport_domain::{PipelineId, UserId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Most deals one board shows (a pipeline larger than this is for the list view).
pub const BOARD_LIMIT: u64 = 2000;

/// Board filters.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    /// Only this owner's deals.
    pub owner: Option<UserId>,
    /// Only deals with this status.
    pub status: Option<DealStatus>,
    /// Only deals whose title contains this (case-insensitive).
    pub search: Option<String>,
}

/// The deals of a pipeline matching `filter`, in board order (stage, position).
pub async fn board(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    pipeline: PipelineId,
    filter: &BoardFilter,
) -> StoreResult<Vec<DealRecord>> {
    let mut q = deal::Entity::find()
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::PipelineId.eq(pipeline.as_uuid()));
    if let Some(owner) = filter.owner {
        q = q.filter(deal::Column::OwnerId.eq(owner.as_uuid()));
    }
    if let Some(status) = filter.status {
        q = q.filter(deal::Column::Status.eq(status.as_str()));
    }
    if let Some(text) = filter.search.as_deref().filter(|s| !s.is_empty()) {
        let escaped: String = text
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        q = q.filter(
            Expr::expr(Func::lower(Expr::col(deal::Column::Title)))
                .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    q.order_by_asc(deal::Column::Position)
        .order_by_asc(deal::Column::Id)
        .limit(BOARD_LIMIT)
        .all(db)
        .await?
        .into_iter()
        .map(record_of)
        .collect()
}

/// A CRM table deals link to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    /// `contacts` (named by `display_name`).
    Contacts,
    /// `companies` (named by `name`).
    Companies,
}

impl Linked {
    fn table(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Companies => "companies",
        }
    }

    fn name_column(self) -> &'static str {
        match self {
            Self::Contacts => "display_name",
            Self::Companies => "name",
        }
    }
}

/// The (id, name) of those of `ids` that exist in the org, in no particular order. An id of
/// another org is simply absent, exactly like one that never existed.
pub async fn names_in_org(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    table: Linked,
    ids: &[uuid::Uuid],
) -> StoreResult<Vec<(uuid::Uuid, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .column(Alias::new("id"))
        .column(Alias::new(table.name_column()))
        .from(Alias::new(table.table()))
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .and_where(Expr::col(Alias::new("id")).is_in(ids.iter().copied()))
        .to_owned();
    let rows = db.query_all(&stmt).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let name: String = row.try_get("", table.name_column())?;
        out.push((id, name));
    }
    Ok(out)
}

/// The first `limit` rows of the org by name (id, name): what deal forms offer to pick from.
pub async fn first_by_name(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    table: Linked,
    limit: u64,
) -> StoreResult<Vec<(uuid::Uuid, String)>> {
    let stmt = Query::select()
        .column(Alias::new("id"))
        .column(Alias::new(table.name_column()))
        .from(Alias::new(table.table()))
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .order_by(
            Alias::new(table.name_column()),
            sea_orm::sea_query::Order::Asc,
        )
        .limit(limit)
        .to_owned();
    let rows = db.query_all(&stmt).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push((
            row.try_get("", "id")?,
            row.try_get("", table.name_column())?,
        ));
    }
    Ok(out)
}

/// Whether every one of `ids` exists in the org.
pub async fn exists_in_org(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    table: Linked,
    ids: &[uuid::Uuid],
) -> StoreResult<bool> {
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    Ok(names_in_org(db, scope, table, &unique).await?.len() == unique.len())
}

/// A custom field defined for deals.
#[derive(Debug, Clone)]
pub struct DealFieldDef {
    /// Key.
    pub key: String,
    /// Label.
    pub label: String,
    /// Type name (`text`, `number` …).
    pub field_type: String,
    /// Options of a select field.
    pub options: Vec<SelectOption>,
    /// Currency of a currency field.
    pub currency: Option<String>,
    /// Whether a value is required.
    pub required: bool,
}

/// The org's custom fields for deals, in order.
pub async fn deal_fields(
    db: &impl ConnectionTrait,
    scope: OrgScope,
) -> StoreResult<Vec<DealFieldDef>> {
    let stmt = Query::select()
        .columns(
            [
                "key",
                "label",
                "field_type",
                "options",
                "currency",
                "required",
            ]
            .map(Alias::new),
        )
        .from(Alias::new("custom_fields"))
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .and_where(Expr::col(Alias::new("object_type")).eq("deal"))
        .order_by(Alias::new("position"), sea_orm::sea_query::Order::Asc)
        .to_owned();
    let rows = db.query_all(&stmt).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let options: serde_json::Value = row.try_get("", "options")?;
        out.push(DealFieldDef {
            key: row.try_get("", "key")?,
            label: row.try_get("", "label")?,
            field_type: row.try_get("", "field_type")?,
            options: serde_json::from_value(options).unwrap_or_default(),
            currency: row.try_get("", "currency")?,
            required: row.try_get("", "required")?,
        });
    }
    Ok(out)
}
