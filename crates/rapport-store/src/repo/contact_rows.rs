//! A contact's child rows (emails, phones, identities, tags, company links): written whole
//! from a [`ContactData`] after the old rows are deleted, so they always match it.

use super::contacts::ContactData;
use crate::entity::{contact_company, contact_email, contact_identity, contact_phone, contact_tag};
use crate::error::StoreResult;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::ContactId;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Deletes every child row of a contact.
pub(crate) async fn delete_children(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ContactId,
) -> StoreResult<()> {
    let (org, c) = (scope.uuid(), id.as_uuid());
    contact_email::Entity::delete_many()
        .filter(contact_email::Column::OrgId.eq(org))
        .filter(contact_email::Column::ContactId.eq(c))
        .exec(db)
        .await?;
    contact_phone::Entity::delete_many()
        .filter(contact_phone::Column::OrgId.eq(org))
        .filter(contact_phone::Column::ContactId.eq(c))
        .exec(db)
        .await?;
    contact_identity::Entity::delete_many()
        .filter(contact_identity::Column::OrgId.eq(org))
        .filter(contact_identity::Column::ContactId.eq(c))
        .exec(db)
        .await?;
    contact_tag::Entity::delete_many()
        .filter(contact_tag::Column::OrgId.eq(org))
        .filter(contact_tag::Column::ContactId.eq(c))
        .exec(db)
        .await?;
    contact_company::Entity::delete_many()
        .filter(contact_company::Column::OrgId.eq(org))
        .filter(contact_company::Column::ContactId.eq(c))
        .exec(db)
        .await?;
    Ok(())
}

/// Inserts the child rows of `d`, marking the primary email, phone and company.
pub(crate) async fn write_children(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ContactId,
    d: &ContactData,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let (org, c) = (scope.uuid(), id.as_uuid());
    let primary_email = d.primary_email().map(str::to_owned);
    if !d.emails.is_empty() {
        contact_email::Entity::insert_many(d.emails.iter().map(|e| contact_email::ActiveModel {
            org_id: Set(org),
            email: Set(e.email.clone()),
            contact_id: Set(c),
            is_primary: Set(Some(&e.email) == primary_email.as_ref()),
        }))
        .exec_without_returning(db)
        .await?;
    }
    let primary_phone = d.primary_phone().map(str::to_owned);
    if !d.phones.is_empty() {
        contact_phone::Entity::insert_many(d.phones.iter().map(|p| contact_phone::ActiveModel {
            contact_id: Set(c),
            e164: Set(p.e164.clone()),
            org_id: Set(org),
            raw: Set(p.raw.clone()),
            label: Set(p.label.clone()),
            is_primary: Set(Some(&p.e164) == primary_phone.as_ref()),
        }))
        .exec_without_returning(db)
        .await?;
    }
    if !d.identities.is_empty() {
        contact_identity::Entity::insert_many(d.identities.iter().map(|i| {
            contact_identity::ActiveModel {
                org_id: Set(org),
                channel: Set(i.channel.clone()),
                identifier: Set(i.identifier.clone()),
                contact_id: Set(c),
                created_at: Set(now),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    if !d.tags.is_empty() {
        contact_tag::Entity::insert_many(d.tags.iter().map(|t| contact_tag::ActiveModel {
            contact_id: Set(c),
            tag: Set(t.clone()),
            org_id: Set(org),
        }))
        .exec_without_returning(db)
        .await?;
    }
    let primary_company = d.primary_company();
    if !d.companies.is_empty() {
        contact_company::Entity::insert_many(d.companies.iter().map(|l| {
            contact_company::ActiveModel {
                contact_id: Set(c),
                company_id: Set(l.company_id.as_uuid()),
                org_id: Set(org),
                is_primary: Set(Some(l.company_id) == primary_company),
                role: Set(l.role.clone()),
                created_at: Set(now),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}
