//! Contact lookups by their unique keys: an email address (imports dedupe on it, inbound mail
//! resolves by it), channel identities, and whether an owner is an org member.

use super::contacts::IdentityRow;
use crate::entity::{contact_email, contact_identity, membership};
use crate::error::StoreResult;
use crate::scope::OrgScope;
use rapport_domain::{ContactId, UserId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// The contact that has this (lowercase) email address.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    email: &str,
) -> StoreResult<Option<ContactId>> {
    Ok(contact_email::Entity::find()
        .filter(contact_email::Column::OrgId.eq(scope.uuid()))
        .filter(contact_email::Column::Email.eq(email))
        .one(db)
        .await?
        .map(|e| ContactId::from_uuid(e.contact_id)))
}

/// Which of `emails` already belong to a contact, and to which.
pub async fn email_owners(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    emails: &[String],
) -> StoreResult<Vec<(String, ContactId)>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    Ok(contact_email::Entity::find()
        .filter(contact_email::Column::OrgId.eq(scope.uuid()))
        .filter(contact_email::Column::Email.is_in(emails.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.email, ContactId::from_uuid(e.contact_id)))
        .collect())
}

/// Which of the (channel, identifier) pairs already belong to a contact, and to which.
pub async fn identity_owners(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    identities: &[IdentityRow],
) -> StoreResult<Vec<(IdentityRow, ContactId)>> {
    let mut out = Vec::new();
    for i in identities {
        if let Some(m) = contact_identity::Entity::find()
            .filter(contact_identity::Column::OrgId.eq(scope.uuid()))
            .filter(contact_identity::Column::Channel.eq(i.channel.as_str()))
            .filter(contact_identity::Column::Identifier.eq(i.identifier.as_str()))
            .one(db)
            .await?
        {
            out.push((i.clone(), ContactId::from_uuid(m.contact_id)));
        }
    }
    Ok(out)
}

/// Whether `user` is a member of the org (owners must be).
pub async fn is_member(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
) -> StoreResult<bool> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .count(db)
        .await?
        > 0)
}
