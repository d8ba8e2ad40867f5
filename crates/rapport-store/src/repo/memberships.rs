//! Memberships: which users belong to an org, with which role.

use crate::entity::{membership, org};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, Role, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

/// Adds `user` to the scoped org with `role`. Already a member is a `Conflict`.
pub async fn add(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    role: Role,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = membership::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        org_id: Set(scope.uuid()),
        user_id: Set(user.as_uuid()),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    membership::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The user's role in `org`, if they are a member. Used by authorization to decide whether to
/// grant an `OrgScope`, so it takes a raw org id.
pub async fn role_of(
    db: &impl ConnectionTrait,
    org: OrgId,
    user: UserId,
) -> StoreResult<Option<Role>> {
    let found = membership::Entity::find()
        .filter(membership::Column::OrgId.eq(org.as_uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .one(db)
        .await?;
    match found {
        None => Ok(None),
        Some(m) => Role::parse(&m.role)
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {}", m.role))),
    }
}

/// The orgs a user belongs to, oldest membership first (the default org after sign-in).
pub async fn orgs_of(
    db: &impl ConnectionTrait,
    user: UserId,
) -> StoreResult<Vec<(OrgId, String, Role)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?;
    // One query for all the orgs, not one per membership.
    let orgs = org::Entity::find()
        .filter(org::Column::Id.is_in(rows.iter().map(|m| m.org_id)))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let Some(o) = orgs.iter().find(|o| o.id == m.org_id) else {
            continue;
        };
        let role = Role::parse(&m.role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {}", m.role)))?;
        out.push((OrgId::from_uuid(o.id), o.name.clone(), role));
    }
    Ok(out)
}

/// Number of members in the scoped org.
pub async fn count(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<u64> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .count(db)
        .await?)
}
