//! Saved segments: a named filter, column choice and sort over contacts, companies or deals.
//! A segment is private to its owner unless shared with the org; every read here takes the
//! viewer and returns only what they may see (someone else's private segment is "not found").

use crate::error::{StoreError, StoreResult};
use crate::query::compile::col;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{SegmentId, UserId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{Condition, ConnectionTrait, QueryResult};

/// A stored segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRecord {
    /// Id.
    pub id: SegmentId,
    /// `contact`, `company` or `deal`.
    pub object_type: String,
    /// Name.
    pub name: String,
    /// Filter text (validated when saved).
    pub filter: String,
    /// Chosen columns, in order.
    pub columns: Vec<String>,
    /// Sort (`name:asc`), if not the default.
    pub sort: Option<String>,
    /// Who made it.
    pub owner_id: UserId,
    /// Visible to the whole org.
    pub shared: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The values of a segment to write.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentFields {
    /// Name.
    pub name: String,
    /// Filter text.
    pub filter: String,
    /// Columns.
    pub columns: Vec<String>,
    /// Sort.
    pub sort: Option<String>,
    /// Shared with the org.
    pub shared: bool,
}

const T: &str = "segments";
const COLUMNS: &[&str] = &[
    "id",
    "object_type",
    "name",
    "filter",
    "columns",
    "sort",
    "owner_id",
    "shared",
    "created_at",
    "updated_at",
];

fn read(r: &QueryResult) -> StoreResult<SegmentRecord> {
    let columns: serde_json::Value = r.try_get("", "columns")?;
    Ok(SegmentRecord {
        id: SegmentId::from_uuid(r.try_get("", "id")?),
        object_type: r.try_get("", "object_type")?,
        name: r.try_get("", "name")?,
        filter: r.try_get("", "filter")?,
        columns: serde_json::from_value(columns)
            .map_err(|e| StoreError::Corrupt(format!("segment columns: {e}")))?,
        sort: r.try_get("", "sort")?,
        owner_id: UserId::from_uuid(r.try_get("", "owner_id")?),
        shared: r.try_get("", "shared")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

/// Segments `viewer` may see: shared ones and their own.
fn visible(scope: OrgScope, viewer: UserId) -> SelectStatement {
    let mut q = Query::select();
    for c in COLUMNS {
        q.column((Alias::new(T), Alias::new(*c)));
    }
    q.from(Alias::new(T))
        .and_where(col(T, "org_id").eq(scope.uuid()))
        .cond_where(
            Condition::any()
                .add(col(T, "shared").eq(true))
                .add(col(T, "owner_id").eq(viewer.as_uuid())),
        );
    q
}

/// The segments `viewer` may see, optionally of one object type, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    viewer: UserId,
    object_type: Option<&str>,
) -> StoreResult<Vec<SegmentRecord>> {
    let mut q = visible(scope, viewer);
    if let Some(t) = object_type {
        q.and_where(col(T, "object_type").eq(t));
    }
    q.order_by((Alias::new(T), Alias::new("name")), sea_orm::Order::Asc)
        .order_by((Alias::new(T), Alias::new("id")), sea_orm::Order::Asc)
        .limit(500);
    db.query_all(&q).await?.iter().map(read).collect()
}

/// One segment `viewer` may see.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    viewer: UserId,
    id: SegmentId,
) -> StoreResult<SegmentRecord> {
    let mut q = visible(scope, viewer);
    q.and_where(col(T, "id").eq(id.as_uuid()));
    match db.query_one(&q).await? {
        Some(r) => read(&r),
        None => Err(StoreError::NotFound),
    }
}

/// Stores a new segment owned by `owner`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    owner: UserId,
    object_type: &str,
    f: &SegmentFields,
    now: DateTime<Utc>,
) -> StoreResult<SegmentId> {
    let id = SegmentId::new();
    let q = Query::insert()
        .into_table(Alias::new(T))
        .columns(
            COLUMNS
                .iter()
                .map(|c| Alias::new(*c))
                .chain([Alias::new("org_id")]),
        )
        .values_panic([
            Expr::val(id.as_uuid()),
            Expr::val(object_type),
            Expr::val(f.name.as_str()),
            Expr::val(f.filter.as_str()),
            Expr::val(serde_json::json!(f.columns)),
            Expr::val(f.sort.clone()),
            Expr::val(owner.as_uuid()),
            Expr::val(f.shared),
            Expr::val(now),
            Expr::val(now),
            Expr::val(scope.uuid()),
        ])
        .to_owned();
    db.execute(&q).await?;
    Ok(id)
}

/// Overwrites a segment's fields.
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: SegmentId,
    f: &SegmentFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let q = Query::update()
        .table(Alias::new(T))
        .value(Alias::new("name"), f.name.as_str())
        .value(Alias::new("filter"), f.filter.as_str())
        .value(Alias::new("columns"), serde_json::json!(f.columns))
        .value(Alias::new("sort"), f.sort.clone())
        .value(Alias::new("shared"), f.shared)
        .value(Alias::new("updated_at"), now)
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .and_where(Expr::col(Alias::new("id")).eq(id.as_uuid()))
        .to_owned();
    if db.execute(&q).await?.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a segment.
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: SegmentId) -> StoreResult<()> {
    let q = Query::delete()
        .from_table(Alias::new(T))
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .and_where(Expr::col(Alias::new("id")).eq(id.as_uuid()))
        .to_owned();
    if db.execute(&q).await?.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
