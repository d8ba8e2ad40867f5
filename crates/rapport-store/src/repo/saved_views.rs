//! Saved views, org-scoped: a member sees their own and the org's shared ones; only the owner
//! (or a settings manager, for shared ones: checked by the app) deletes one.

use crate::entity::saved_view as row;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::view::ViewFilter;
use rapport_domain::{OrgId, UserId};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

/// A stored view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRecord {
    /// Id.
    pub id: uuid::Uuid,
    /// Its org.
    pub org_id: OrgId,
    /// Who made it.
    pub user_id: UserId,
    /// Its name in the folder pane.
    pub name: String,
    /// Every member of the org sees it.
    pub shared: bool,
    /// What it shows.
    pub filter: ViewFilter,
    /// Made.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<row::Model> for ViewRecord {
    type Error = StoreError;
    fn try_from(m: row::Model) -> StoreResult<Self> {
        Ok(Self {
            id: m.id,
            org_id: OrgId::from_uuid(m.org_id),
            user_id: UserId::from_uuid(m.user_id),
            name: m.name,
            shared: m.shared,
            filter: serde_json::from_value(m.filter)
                .map_err(|e| StoreError::Corrupt(format!("saved view filter: {e}")))?,
            created_at: m.created_at,
        })
    }
}

/// Stores a new view.
pub async fn insert(db: &impl ConnectionTrait, scope: OrgScope, v: &ViewRecord) -> StoreResult<()> {
    let filter = serde_json::to_value(&v.filter)
        .map_err(|e| StoreError::Corrupt(format!("saved view filter: {e}")))?;
    let m = row::ActiveModel {
        id: Set(v.id),
        org_id: Set(scope.uuid()),
        user_id: Set(v.user_id.as_uuid()),
        name: Set(v.name.clone()),
        shared: Set(v.shared),
        filter: Set(filter),
        created_at: Set(v.created_at),
    };
    row::Entity::insert(m).exec_without_returning(db).await?;
    Ok(())
}

fn visible_to(user: UserId) -> Condition {
    Condition::any()
        .add(row::Column::UserId.eq(user.as_uuid()))
        .add(row::Column::Shared.eq(true))
}

/// The views `user` sees: their own and the shared ones, shared first, then by name.
pub async fn visible(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
) -> StoreResult<Vec<ViewRecord>> {
    row::Entity::find()
        .filter(row::Column::OrgId.eq(scope.uuid()))
        .filter(visible_to(user))
        .order_by_desc(row::Column::Shared)
        .order_by_asc(row::Column::Name)
        .order_by_asc(row::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// One view `user` sees.
pub async fn get_visible(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    id: uuid::Uuid,
) -> StoreResult<ViewRecord> {
    row::Entity::find()
        .filter(row::Column::OrgId.eq(scope.uuid()))
        .filter(row::Column::Id.eq(id))
        .filter(visible_to(user))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
}

/// How many views `user` owns.
pub async fn count_own(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
) -> StoreResult<u64> {
    Ok(row::Entity::find()
        .filter(row::Column::OrgId.eq(scope.uuid()))
        .filter(row::Column::UserId.eq(user.as_uuid()))
        .count(db)
        .await?)
}

/// Deletes a view of the org.
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: uuid::Uuid) -> StoreResult<()> {
    let res = row::Entity::delete_many()
        .filter(row::Column::OrgId.eq(scope.uuid()))
        .filter(row::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
