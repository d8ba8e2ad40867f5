//! Invitations to join an org: single use, expiring, looked up by the SHA-256 of the token in
//! the emailed link.

use crate::entity::invitation;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{InvitationId, OrgId, Role, RoleId, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// An invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    /// Id.
    pub id: InvitationId,
    /// The org it invites to.
    pub org_id: OrgId,
    /// Who is invited (normalized email).
    pub email: String,
    /// Built-in role on acceptance.
    pub role: Role,
    /// Custom role on acceptance.
    pub custom_role: Option<RoleId>,
    /// Who sent it.
    pub invited_by: UserId,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When an admin withdrew it.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<invitation::Model> for InvitationRecord {
    type Error = StoreError;
    fn try_from(m: invitation::Model) -> StoreResult<Self> {
        Ok(Self {
            id: InvitationId::from_uuid(m.id),
            org_id: OrgId::from_uuid(m.org_id),
            role: Role::parse(&m.role)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown role {}", m.role)))?,
            custom_role: m.custom_role_id.map(RoleId::from_uuid),
            email: m.email,
            invited_by: UserId::from_uuid(m.invited_by),
            created_at: m.created_at,
            expires_at: m.expires_at,
            accepted_at: m.accepted_at,
            revoked_at: m.revoked_at,
        })
    }
}

/// Fields of a new invitation.
pub struct NewInvitation {
    /// Normalized email.
    pub email: String,
    /// Role on acceptance.
    pub role: Role,
    /// Custom role on acceptance.
    pub custom_role: Option<RoleId>,
    /// SHA-256 hex of the link token.
    pub token_hash: String,
    /// Sender.
    pub invited_by: UserId,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// Stores an invitation.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    new: NewInvitation,
    now: DateTime<Utc>,
) -> StoreResult<InvitationRecord> {
    let model = invitation::ActiveModel {
        id: Set(InvitationId::new().as_uuid()),
        org_id: Set(scope.uuid()),
        email: Set(new.email),
        role: Set(new.role.as_str().to_owned()),
        custom_role_id: Set(new.custom_role.map(|r| r.as_uuid())),
        token_hash: Set(new.token_hash),
        invited_by: Set(new.invited_by.as_uuid()),
        created_at: Set(now),
        expires_at: Set(new.expires_at),
        accepted_at: Set(None),
        revoked_at: Set(None),
    };
    invitation::Entity::insert(model)
        .exec_with_returning(db)
        .await?
        .try_into()
}

/// Invitations of the org that are neither used nor withdrawn, newest first.
pub async fn list_open(
    db: &impl ConnectionTrait,
    scope: OrgScope,
) -> StoreResult<Vec<InvitationRecord>> {
    invitation::Entity::find()
        .filter(invitation::Column::OrgId.eq(scope.uuid()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Finds an invitation by token hash. Global: the invitee has no scope yet; the token is the
/// credential.
pub async fn find_by_token_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> StoreResult<Option<InvitationRecord>> {
    invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .map(TryInto::try_into)
        .transpose()
}

/// Marks an open invitation used. Returns false when it was already used or withdrawn (a
/// concurrent second use loses here).
pub async fn mark_accepted(
    db: &impl ConnectionTrait,
    id: InvitationId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let res = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Some(now).into())
        .filter(invitation::Column::Id.eq(id.as_uuid()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Withdraws an open invitation of the org.
pub async fn revoke(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: InvitationId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Some(now).into())
        .filter(invitation::Column::OrgId.eq(scope.uuid()))
        .filter(invitation::Column::Id.eq(id.as_uuid()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
