//! Custom roles: named permission sets an org defines on top of the built-in roles.

use crate::entity::role;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{PermissionSet, RoleId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A custom role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRecord {
    /// Id.
    pub id: RoleId,
    /// Name, unique in the org.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// What it grants.
    pub permissions: PermissionSet,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<role::Model> for RoleRecord {
    type Error = StoreError;
    fn try_from(m: role::Model) -> StoreResult<Self> {
        Ok(Self {
            id: RoleId::from_uuid(m.id),
            permissions: PermissionSet::parse_list(&m.permissions)
                .map_err(|p| StoreError::Corrupt(format!("unknown permission {p}")))?,
            name: m.name,
            description: m.description,
            created_at: m.created_at,
        })
    }
}

/// Fields of a role.
#[derive(Debug, Clone)]
pub struct RoleFields {
    /// Name (1–64 characters, unique in the org).
    pub name: String,
    /// Description (≤ 280 characters).
    pub description: String,
    /// Permissions granted.
    pub permissions: PermissionSet,
}

/// Creates a role. A taken name is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    fields: RoleFields,
    now: DateTime<Utc>,
) -> StoreResult<RoleRecord> {
    let model = role::ActiveModel {
        id: Set(RoleId::new().as_uuid()),
        org_id: Set(scope.uuid()),
        name: Set(fields.name),
        description: Set(fields.description),
        permissions: Set(fields.permissions.to_storage()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    role::Entity::insert(model)
        .exec_with_returning(db)
        .await?
        .try_into()
}

/// Replaces a role's fields.
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: RoleId,
    fields: RoleFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = role::Entity::update_many()
        .col_expr(role::Column::Name, fields.name.into())
        .col_expr(role::Column::Description, fields.description.into())
        .col_expr(
            role::Column::Permissions,
            fields.permissions.to_storage().into(),
        )
        .col_expr(role::Column::UpdatedAt, now.into())
        .filter(role::Column::OrgId.eq(scope.uuid()))
        .filter(role::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The org's custom roles by name.
pub async fn list(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<Vec<RoleRecord>> {
    role::Entity::find()
        .filter(role::Column::OrgId.eq(scope.uuid()))
        .order_by_asc(role::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// One role of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: RoleId,
) -> StoreResult<RoleRecord> {
    role::Entity::find_by_id(id.as_uuid())
        .filter(role::Column::OrgId.eq(scope.uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
}

/// Deletes a role (the caller checks it is unused).
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: RoleId) -> StoreResult<()> {
    let res = role::Entity::delete_many()
        .filter(role::Column::OrgId.eq(scope.uuid()))
        .filter(role::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
