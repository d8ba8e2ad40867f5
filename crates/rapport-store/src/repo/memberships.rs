//! Memberships: which users belong to an org, with which built-in role and optional custom
//! role.

use crate::entity::{membership, org, role, session, team_member, user, webauthn_credential};
use crate::error::{StoreError, StoreResult};
use crate::repo::users::UserRecord;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, PermissionSet, Role, RoleId, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

/// What a member may do in one org: the built-in role, the custom role that refines it, and
/// the resulting permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Built-in role (owners always keep every permission).
    pub role: Role,
    /// The custom role, when one is assigned: id and name.
    pub custom_role: Option<(RoleId, String)>,
    /// Effective permissions.
    pub permissions: PermissionSet,
}

impl Access {
    /// Computes access from the stored role name and the custom role row, if any.
    pub fn resolve(role: &str, custom: Option<&role::Model>) -> StoreResult<Self> {
        let role =
            Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("unknown role {role}")))?;
        match custom {
            Some(c) if role != Role::Owner => Ok(Self {
                role,
                custom_role: Some((RoleId::from_uuid(c.id), c.name.clone())),
                permissions: PermissionSet::parse_list(&c.permissions)
                    .map_err(|p| StoreError::Corrupt(format!("unknown permission {p}")))?,
            }),
            _ => Ok(Self {
                role,
                custom_role: None,
                permissions: role.permissions(),
            }),
        }
    }
}

/// A member as listed in settings and the access review.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    /// The user.
    pub user: UserRecord,
    /// Their access.
    pub access: Access,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
    /// Whether they have a second factor (authenticator app or security key).
    pub has_second_factor: bool,
}

/// Adds `user` to the scoped org. Already a member is a `Conflict`.
pub async fn add(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    role: Role,
    custom_role: Option<RoleId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = membership::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        org_id: Set(scope.uuid()),
        user_id: Set(user.as_uuid()),
        role: Set(role.as_str().to_owned()),
        custom_role_id: Set(custom_role.map(|r| r.as_uuid())),
        availability: Set("online".to_owned()),
        capacity: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    membership::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

async fn custom_role(
    db: &impl ConnectionTrait,
    org: uuid::Uuid,
    id: Option<uuid::Uuid>,
) -> StoreResult<Option<role::Model>> {
    let Some(id) = id else { return Ok(None) };
    Ok(role::Entity::find_by_id(id)
        .filter(role::Column::OrgId.eq(org))
        .one(db)
        .await?)
}

/// The user's access in `org`, if they are a member. Used by authorization to decide whether
/// to grant an `OrgScope`, so it takes a raw org id.
pub async fn access_of(
    db: &impl ConnectionTrait,
    org: OrgId,
    user: UserId,
) -> StoreResult<Option<Access>> {
    let found = membership::Entity::find()
        .filter(membership::Column::OrgId.eq(org.as_uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .one(db)
        .await?;
    let Some(m) = found else { return Ok(None) };
    let custom = custom_role(db, m.org_id, m.custom_role_id).await?;
    Access::resolve(&m.role, custom.as_ref()).map(Some)
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

/// Every member of the scoped org with their access, by name.
pub async fn list(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<Vec<MemberRecord>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .all(db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|m| m.user_id)))
        .all(db)
        .await?;
    let roles = role::Entity::find()
        .filter(role::Column::OrgId.eq(scope.uuid()))
        .all(db)
        .await?;
    // One query for everyone's security keys, not one per member.
    let with_keys: Vec<uuid::Uuid> = webauthn_credential::Entity::find()
        .filter(webauthn_credential::Column::UserId.is_in(rows.iter().map(|m| m.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.user_id)
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let Some(u) = users.iter().find(|u| u.id == m.user_id) else {
            continue;
        };
        let custom = m
            .custom_role_id
            .and_then(|id| roles.iter().find(|r| r.id == id));
        out.push(MemberRecord {
            user: UserRecord::from(u),
            access: Access::resolve(&m.role, custom)?,
            joined_at: m.created_at,
            has_second_factor: u.totp_enabled_at.is_some() || with_keys.contains(&u.id),
        });
    }
    out.sort_by_key(|m| m.user.name.to_lowercase());
    Ok(out)
}

/// Changes a member's role. Not a member is `NotFound`.
pub async fn set_role(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    role: Role,
    custom_role: Option<RoleId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = membership::Entity::update_many()
        .col_expr(membership::Column::Role, role.as_str().into())
        .col_expr(
            membership::Column::CustomRoleId,
            custom_role.map(|r| r.as_uuid()).into(),
        )
        .col_expr(membership::Column::UpdatedAt, now.into())
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Removes a member from the org, with their team places and their sessions in it.
pub async fn remove(db: &impl ConnectionTrait, scope: OrgScope, user: UserId) -> StoreResult<()> {
    let res = membership::Entity::delete_many()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    team_member::Entity::delete_many()
        .filter(team_member::Column::OrgId.eq(scope.uuid()))
        .filter(team_member::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::OrgId.eq(scope.uuid()))
        .filter(session::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// How many members hold `role` (an org must keep at least one owner).
pub async fn count_with_role(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    role: Role,
) -> StoreResult<u64> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::Role.eq(role.as_str()))
        .count(db)
        .await?)
}

/// How many members hold a custom role (a role in use cannot be deleted).
pub async fn count_with_custom_role(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    role: RoleId,
) -> StoreResult<u64> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::CustomRoleId.eq(role.as_uuid()))
        .count(db)
        .await?)
}

/// Number of members in the scoped org.
pub async fn count(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<u64> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .count(db)
        .await?)
}
