//! Contacts with their child rows (emails, phones, channel identities, tags, company links).
//! A contact is written whole: the app builds the complete [`ContactData`] (create, or the
//! stored record with a patch applied) and the repository writes the row and reconciles the
//! children, keeping the denormalized columns lists sort and filter on (`display_name`,
//! `primary_email`, `primary_phone`, `company_id`) in step with them. Lookups by email and
//! identity are in [`super::contact_lookup`], re-exported here.

use crate::entity::{
    contact, contact_company, contact_email, contact_identity, contact_phone, contact_tag,
};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::crm::LifecycleStage;
use rapport_domain::{CompanyId, ContactId, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Map, Value};

pub use super::contact_lookup::{email_owners, find_by_email, identity_owners, is_member};
use super::contact_rows::{delete_children, write_children};

/// One email address of a contact (lowercase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailRow {
    /// The address.
    pub email: String,
    /// Whether it is the one mail goes to.
    pub is_primary: bool,
}

/// One phone number of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneRow {
    /// E.164 form (`+14155550132`).
    pub e164: String,
    /// As typed (keeps extensions).
    pub raw: String,
    /// `mobile`, `work` …
    pub label: Option<String>,
    /// Whether it is the main number.
    pub is_primary: bool,
}

/// How a channel knows the contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    /// `whatsapp`, `telegram`, `email` …
    pub channel: String,
    /// The channel's id for the person.
    pub identifier: String,
}

/// A link from a contact to a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyLink {
    /// The company.
    pub company_id: CompanyId,
    /// Whether it is the contact's main company (mirrored in `contacts.company_id`).
    pub is_primary: bool,
    /// The contact's role there (`CTO`).
    pub role: Option<String>,
}

/// Everything about a contact that a user writes, already validated and normalized.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContactData {
    /// Given name ("" when unknown).
    pub first_name: String,
    /// Family name ("" when unknown).
    pub last_name: String,
    /// Job title.
    pub title: Option<String>,
    /// The member responsible for the contact.
    pub owner_id: Option<UserId>,
    /// Funnel stage.
    pub lifecycle_stage: LifecycleStage,
    /// Where the contact came from (`web form`, `import` …).
    pub source: Option<String>,
    /// Picture address.
    pub avatar_url: Option<String>,
    /// Email addresses, the primary one first.
    pub emails: Vec<EmailRow>,
    /// Phone numbers, the primary one first.
    pub phones: Vec<PhoneRow>,
    /// Channel identities.
    pub identities: Vec<IdentityRow>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Company links, the primary one first.
    pub companies: Vec<CompanyLink>,
    /// Social handles by network (`linkedin` → URL or handle).
    pub social: Map<String, Value>,
    /// Custom-field values by key.
    pub custom: Map<String, Value>,
    /// May receive marketing.
    pub consent_marketing: bool,
    /// May be processed by AI features.
    pub consent_ai: bool,
}

impl ContactData {
    /// "First Last", or the primary email, or the primary phone: what lists show and sort on.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if !name.is_empty() {
            return name.chars().take(254).collect();
        }
        self.primary_email()
            .or(self.primary_phone())
            .unwrap_or_default()
            .to_owned()
    }

    /// The primary email (or the first).
    pub fn primary_email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|e| e.is_primary)
            .or(self.emails.first())
            .map(|e| e.email.as_str())
    }

    /// The primary phone in E.164 (or the first).
    pub fn primary_phone(&self) -> Option<&str> {
        self.phones
            .iter()
            .find(|p| p.is_primary)
            .or(self.phones.first())
            .map(|p| p.e164.as_str())
    }

    /// The primary company (or the first linked).
    pub fn primary_company(&self) -> Option<CompanyId> {
        self.companies
            .iter()
            .find(|c| c.is_primary)
            .or(self.companies.first())
            .map(|c| c.company_id)
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
    /// Id.
    pub id: ContactId,
    /// What users wrote.
    pub data: ContactData,
    /// "First Last" or the primary email.
    pub display_name: String,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn row(
    scope: OrgScope,
    id: ContactId,
    d: &ContactData,
    now: DateTime<Utc>,
) -> contact::ActiveModel {
    contact::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        first_name: Set(d.first_name.clone()),
        last_name: Set(d.last_name.clone()),
        display_name: Set(d.display_name()),
        title: Set(d.title.clone()),
        company_id: Set(d.primary_company().map(|c| c.as_uuid())),
        owner_id: Set(d.owner_id.map(|u| u.as_uuid())),
        lifecycle_stage: Set(d.lifecycle_stage.as_str().to_owned()),
        source: Set(d.source.clone()),
        avatar_url: Set(d.avatar_url.clone()),
        primary_email: Set(d.primary_email().map(str::to_owned)),
        primary_phone: Set(d.primary_phone().map(str::to_owned)),
        social: Set(Value::Object(d.social.clone())),
        custom: Set(Value::Object(d.custom.clone())),
        consent_marketing: Set(d.consent_marketing),
        consent_ai: Set(d.consent_ai),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Inserts a contact and its children. A taken email or channel identity is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ContactId,
    data: &ContactData,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut model = row(scope, id, data, now);
    model.created_by = Set(created_by.map(|u| u.as_uuid()));
    model.created_at = Set(now);
    contact::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    write_children(db, scope, id, data, now).await
}

/// Replaces a contact's fields and reconciles its children.
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ContactId,
    data: &ContactData,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = contact::Entity::update_many()
        .set(row(scope, id, data, now))
        .filter(contact::Column::OrgId.eq(scope.uuid()))
        .filter(contact::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    delete_children(db, scope, id).await?;
    write_children(db, scope, id, data, now).await
}

/// One contact of the org with all its children.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ContactId,
) -> StoreResult<ContactRecord> {
    let (org, c) = (scope.uuid(), id.as_uuid());
    let m = contact::Entity::find()
        .filter(contact::Column::OrgId.eq(org))
        .filter(contact::Column::Id.eq(c))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut emails: Vec<EmailRow> = contact_email::Entity::find()
        .filter(contact_email::Column::OrgId.eq(org))
        .filter(contact_email::Column::ContactId.eq(c))
        .order_by_asc(contact_email::Column::Email)
        .all(db)
        .await?
        .into_iter()
        .map(|e| EmailRow {
            email: e.email,
            is_primary: e.is_primary,
        })
        .collect();
    emails.sort_by_key(|e| !e.is_primary);
    let mut phones: Vec<PhoneRow> = contact_phone::Entity::find()
        .filter(contact_phone::Column::OrgId.eq(org))
        .filter(contact_phone::Column::ContactId.eq(c))
        .order_by_asc(contact_phone::Column::E164)
        .all(db)
        .await?
        .into_iter()
        .map(|p| PhoneRow {
            e164: p.e164,
            raw: p.raw,
            label: p.label,
            is_primary: p.is_primary,
        })
        .collect();
    phones.sort_by_key(|p| !p.is_primary);
    let identities = contact_identity::Entity::find()
        .filter(contact_identity::Column::OrgId.eq(org))
        .filter(contact_identity::Column::ContactId.eq(c))
        .order_by_asc(contact_identity::Column::Channel)
        .order_by_asc(contact_identity::Column::Identifier)
        .all(db)
        .await?
        .into_iter()
        .map(|i| IdentityRow {
            channel: i.channel,
            identifier: i.identifier,
        })
        .collect();
    let tags = contact_tag::Entity::find()
        .filter(contact_tag::Column::OrgId.eq(org))
        .filter(contact_tag::Column::ContactId.eq(c))
        .order_by_asc(contact_tag::Column::Tag)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect();
    let mut companies: Vec<CompanyLink> = contact_company::Entity::find()
        .filter(contact_company::Column::OrgId.eq(org))
        .filter(contact_company::Column::ContactId.eq(c))
        .order_by_asc(contact_company::Column::CreatedAt)
        .order_by_asc(contact_company::Column::CompanyId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| CompanyLink {
            company_id: CompanyId::from_uuid(l.company_id),
            is_primary: l.is_primary,
            role: l.role,
        })
        .collect();
    companies.sort_by_key(|l| !l.is_primary);
    let lifecycle_stage = LifecycleStage::parse(&m.lifecycle_stage)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(ContactRecord {
        id,
        data: ContactData {
            first_name: m.first_name,
            last_name: m.last_name,
            title: m.title,
            owner_id: m.owner_id.map(UserId::from_uuid),
            lifecycle_stage,
            source: m.source,
            avatar_url: m.avatar_url,
            emails,
            phones,
            identities,
            tags,
            companies,
            social: object(m.social),
            custom: object(m.custom),
            consent_marketing: m.consent_marketing,
            consent_ai: m.consent_ai,
        },
        display_name: m.display_name,
        created_by: m.created_by.map(UserId::from_uuid),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Deletes a contact and its children (the timeline is the caller's: `activities`).
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: ContactId) -> StoreResult<()> {
    delete_children(db, scope, id).await?;
    let res = contact::Entity::delete_many()
        .filter(contact::Column::OrgId.eq(scope.uuid()))
        .filter(contact::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Adds a channel identity to a contact (an inbound message from a known email address on a
/// new channel). A taken identity is a `Conflict`.
pub async fn add_identity(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ContactId,
    identity: &IdentityRow,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = contact_identity::ActiveModel {
        org_id: Set(scope.uuid()),
        contact_id: Set(id.as_uuid()),
        channel: Set(identity.channel.clone()),
        identifier: Set(identity.identifier.clone()),
        created_at: Set(now),
    };
    contact_identity::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Takes the contact's row for this transaction, so two messages of one person cannot both
/// open a new conversation: on PostgreSQL a row lock (`FOR NO KEY UPDATE`, which does not
/// block inserts that reference the contact) held until commit; on SQLite nothing to do, as
/// every writing transaction begins `IMMEDIATE` and so already holds the database's write lock.
pub async fn lock(db: &impl ConnectionTrait, scope: OrgScope, id: ContactId) -> StoreResult<()> {
    if crate::connect::Backend::of(db) == crate::connect::Backend::Sqlite {
        return Ok(());
    }
    let found = contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .filter(contact::Column::OrgId.eq(scope.uuid()))
        .filter(contact::Column::Id.eq(id.as_uuid()))
        .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
        .into_tuple::<uuid::Uuid>()
        .one(db)
        .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}
