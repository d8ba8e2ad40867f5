//! Canned responses (saved replies), org-scoped like every tenant table. Lists are ordered by
//! short code and paged by it (codes are unique per org), behind `ux_canned_responses_org_code`.

use crate::entity::canned_response as canned;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{CannedResponseId, InboxId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// A stored canned response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedRecord {
    /// Id.
    pub id: CannedResponseId,
    /// What agents type after `/` (validated, lowercase).
    pub short_code: String,
    /// Shown in the picker.
    pub title: String,
    /// The template.
    pub body: String,
    /// The one inbox it is offered in; `None`: every inbox.
    pub inbox_id: Option<InboxId>,
    /// Who wrote it (cleared when they are deleted).
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<canned::Model> for CannedRecord {
    fn from(m: canned::Model) -> Self {
        Self {
            id: CannedResponseId::from_uuid(m.id),
            short_code: m.short_code,
            title: m.title,
            body: m.body,
            inbox_id: m.inbox_id.map(InboxId::from_uuid),
            created_by: m.created_by.map(UserId::from_uuid),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn model(scope: OrgScope, r: &CannedRecord) -> canned::ActiveModel {
    canned::ActiveModel {
        id: Set(r.id.as_uuid()),
        org_id: Set(scope.uuid()),
        short_code: Set(r.short_code.clone()),
        title: Set(r.title.clone()),
        body: Set(r.body.clone()),
        inbox_id: Set(r.inbox_id.map(|i| i.as_uuid())),
        created_by: Set(r.created_by.map(|u| u.as_uuid())),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

/// Which responses to list.
#[derive(Debug, Clone, Default)]
pub struct CannedFilter {
    /// Only those offered in this inbox (its own and the org-wide ones).
    pub inbox: Option<InboxId>,
    /// Only those whose short code or title starts with this (case-insensitive).
    pub prefix: Option<String>,
    /// Only codes after this one (the previous page's last).
    pub after: Option<String>,
    /// At most this many.
    pub limit: u64,
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `\` as the escape character (short codes
/// contain `_`, which would otherwise match any character).
fn like_prefix(v: &str) -> LikeExpr {
    let escaped = v
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("{escaped}%")).escape('\\')
}

/// Stores a new response. A short code the org already uses is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &CannedRecord,
) -> StoreResult<()> {
    canned::Entity::insert(model(scope, r))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes every column of `r` (a taken short code is a `Conflict`).
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &CannedRecord,
) -> StoreResult<()> {
    let res = canned::Entity::update_many()
        .set(model(scope, r))
        .filter(canned::Column::OrgId.eq(scope.uuid()))
        .filter(canned::Column::Id.eq(r.id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One response of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CannedResponseId,
) -> StoreResult<CannedRecord> {
    canned::Entity::find()
        .filter(canned::Column::OrgId.eq(scope.uuid()))
        .filter(canned::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// The org's responses by short code, filtered; at most `filter.limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    filter: &CannedFilter,
) -> StoreResult<Vec<CannedRecord>> {
    let mut q = canned::Entity::find().filter(canned::Column::OrgId.eq(scope.uuid()));
    if let Some(inbox) = filter.inbox {
        q = q.filter(
            Condition::any()
                .add(canned::Column::InboxId.is_null())
                .add(canned::Column::InboxId.eq(inbox.as_uuid())),
        );
    }
    if let Some(prefix) = filter.prefix.as_deref().filter(|p| !p.is_empty()) {
        // Codes are stored lowercase; titles are compared lowercased on both databases
        // (PostgreSQL's LIKE is case-sensitive, SQLite's is not).
        q = q.filter(
            Condition::any()
                .add(canned::Column::ShortCode.like(like_prefix(prefix)))
                .add(
                    Expr::expr(Func::lower(Expr::col(canned::Column::Title)))
                        .like(like_prefix(prefix)),
                ),
        );
    }
    if let Some(after) = &filter.after {
        q = q.filter(canned::Column::ShortCode.gt(after.as_str()));
    }
    Ok(q.order_by_asc(canned::Column::ShortCode)
        .limit(filter.limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Deletes a response.
pub async fn delete(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CannedResponseId,
) -> StoreResult<()> {
    let res = canned::Entity::delete_many()
        .filter(canned::Column::OrgId.eq(scope.uuid()))
        .filter(canned::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
