//! Companies with their web domains, the lookup that auto-links contacts by email domain, and
//! the contacts linked to a company (its detail page and `?include=contacts`).

use crate::entity::{company, company_domain, contact, contact_company};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{CompanyId, ContactId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Map, Value};

/// Everything about a company that a user writes, already validated and normalized.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompanyData {
    /// Name.
    pub name: String,
    /// Bare lowercase domains, the primary one first (mirrored in `companies.domain`).
    pub domains: Vec<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Size band (`11-50`).
    pub size: Option<String>,
    /// Main phone in E.164.
    pub phone: Option<String>,
    /// Street address.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<String>,
    /// The member responsible for the company.
    pub owner_id: Option<UserId>,
    /// Custom-field values by key.
    pub custom: Map<String, Value>,
}

/// A stored company.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyRecord {
    /// Id.
    pub id: CompanyId,
    /// What users wrote.
    pub data: CompanyData,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A contact linked to a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedContact {
    /// The contact.
    pub id: ContactId,
    /// Its display name.
    pub display_name: String,
    /// Its job title.
    pub title: Option<String>,
    /// Its primary email.
    pub email: Option<String>,
    /// Its role at the company.
    pub role: Option<String>,
    /// Whether the company is the contact's primary one.
    pub is_primary: bool,
}

fn row(
    scope: OrgScope,
    id: CompanyId,
    d: &CompanyData,
    now: DateTime<Utc>,
) -> company::ActiveModel {
    company::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        name: Set(d.name.clone()),
        domain: Set(d.domains.first().cloned()),
        industry: Set(d.industry.clone()),
        size: Set(d.size.clone()),
        phone: Set(d.phone.clone()),
        street: Set(d.street.clone()),
        city: Set(d.city.clone()),
        region: Set(d.region.clone()),
        postal_code: Set(d.postal_code.clone()),
        country: Set(d.country.clone()),
        owner_id: Set(d.owner_id.map(|u| u.as_uuid())),
        custom: Set(Value::Object(d.custom.clone())),
        updated_at: Set(now),
        ..Default::default()
    }
}

async fn write_domains(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CompanyId,
    domains: &[String],
) -> StoreResult<()> {
    company_domain::Entity::delete_many()
        .filter(company_domain::Column::OrgId.eq(scope.uuid()))
        .filter(company_domain::Column::CompanyId.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if domains.is_empty() {
        return Ok(());
    }
    company_domain::Entity::insert_many(domains.iter().map(|d| company_domain::ActiveModel {
        org_id: Set(scope.uuid()),
        domain: Set(d.clone()),
        company_id: Set(id.as_uuid()),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Inserts a company and its domains. A domain another company has is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CompanyId,
    data: &CompanyData,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut model = row(scope, id, data, now);
    model.created_by = Set(created_by.map(|u| u.as_uuid()));
    model.created_at = Set(now);
    company::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    write_domains(db, scope, id, &data.domains).await
}

/// Replaces a company's fields and domains.
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CompanyId,
    data: &CompanyData,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = company::Entity::update_many()
        .set(row(scope, id, data, now))
        .filter(company::Column::OrgId.eq(scope.uuid()))
        .filter(company::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    write_domains(db, scope, id, &data.domains).await
}

fn record(m: company::Model, domains: Vec<String>) -> CompanyRecord {
    let mut domains = domains;
    // The primary domain (mirrored on the row) first, the others alphabetically.
    domains.sort_by_key(|d| (Some(d) != m.domain.as_ref(), d.clone()));
    CompanyRecord {
        id: CompanyId::from_uuid(m.id),
        data: CompanyData {
            name: m.name,
            domains,
            industry: m.industry,
            size: m.size,
            phone: m.phone,
            street: m.street,
            city: m.city,
            region: m.region,
            postal_code: m.postal_code,
            country: m.country,
            owner_id: m.owner_id.map(UserId::from_uuid),
            custom: match m.custom {
                Value::Object(o) => o,
                _ => Map::new(),
            },
        },
        created_by: m.created_by.map(UserId::from_uuid),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Several companies of the org, in the order of `ids` (unknown ids are skipped).
pub async fn get_many(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[CompanyId],
) -> StoreResult<Vec<CompanyRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let uuids: Vec<uuid::Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
    let rows = company::Entity::find()
        .filter(company::Column::OrgId.eq(scope.uuid()))
        .filter(company::Column::Id.is_in(uuids.clone()))
        .all(db)
        .await?;
    let domains = company_domain::Entity::find()
        .filter(company_domain::Column::OrgId.eq(scope.uuid()))
        .filter(company_domain::Column::CompanyId.is_in(uuids))
        .all(db)
        .await?;
    let mut out: Vec<CompanyRecord> = rows
        .into_iter()
        .map(|m| {
            let mine = domains
                .iter()
                .filter(|d| d.company_id == m.id)
                .map(|d| d.domain.clone())
                .collect();
            record(m, mine)
        })
        .collect();
    out.sort_by_key(|c| ids.iter().position(|i| *i == c.id));
    Ok(out)
}

/// One company of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CompanyId,
) -> StoreResult<CompanyRecord> {
    get_many(db, scope, &[id])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Which of `ids` are companies of the org.
pub async fn existing(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[CompanyId],
) -> StoreResult<Vec<CompanyId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(company::Entity::find()
        .select_only()
        .column(company::Column::Id)
        .filter(company::Column::OrgId.eq(scope.uuid()))
        .filter(company::Column::Id.is_in(ids.iter().map(|i| i.as_uuid())))
        .into_tuple::<uuid::Uuid>()
        .all(db)
        .await?
        .into_iter()
        .map(CompanyId::from_uuid)
        .collect())
}

/// Deletes a company, its domains and its contact links; contacts whose primary company it
/// was keep no company (the timeline is the caller's: `activities`).
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: CompanyId) -> StoreResult<()> {
    let (org, c) = (scope.uuid(), id.as_uuid());
    contact_company::Entity::delete_many()
        .filter(contact_company::Column::OrgId.eq(org))
        .filter(contact_company::Column::CompanyId.eq(c))
        .exec(db)
        .await?;
    contact::Entity::update_many()
        .col_expr(
            contact::Column::CompanyId,
            Expr::value(Option::<uuid::Uuid>::None),
        )
        .filter(contact::Column::OrgId.eq(org))
        .filter(contact::Column::CompanyId.eq(c))
        .exec(db)
        .await?;
    company_domain::Entity::delete_many()
        .filter(company_domain::Column::OrgId.eq(org))
        .filter(company_domain::Column::CompanyId.eq(c))
        .exec(db)
        .await?;
    let res = company::Entity::delete_many()
        .filter(company::Column::OrgId.eq(org))
        .filter(company::Column::Id.eq(c))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The company that owns this bare lowercase domain.
pub async fn find_company_by_domain(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    domain: &str,
) -> StoreResult<Option<CompanyId>> {
    Ok(company_domain::Entity::find()
        .filter(company_domain::Column::OrgId.eq(scope.uuid()))
        .filter(company_domain::Column::Domain.eq(domain))
        .one(db)
        .await?
        .map(|d| CompanyId::from_uuid(d.company_id)))
}

/// Which of `domains` already belong to a company, and to which.
pub async fn domain_owners(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    domains: &[String],
) -> StoreResult<Vec<(String, CompanyId)>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    Ok(company_domain::Entity::find()
        .filter(company_domain::Column::OrgId.eq(scope.uuid()))
        .filter(company_domain::Column::Domain.is_in(domains.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.domain, CompanyId::from_uuid(d.company_id)))
        .collect())
}

/// The contacts linked to a company, primary links first, then by name (at most `limit`).
pub async fn linked_contacts(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CompanyId,
    limit: u64,
) -> StoreResult<Vec<LinkedContact>> {
    let links = contact_company::Entity::find()
        .filter(contact_company::Column::OrgId.eq(scope.uuid()))
        .filter(contact_company::Column::CompanyId.eq(id.as_uuid()))
        .order_by_desc(contact_company::Column::IsPrimary)
        .order_by_asc(contact_company::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let people = contact::Entity::find()
        .filter(contact::Column::OrgId.eq(scope.uuid()))
        .filter(contact::Column::Id.is_in(links.iter().map(|l| l.contact_id)))
        .all(db)
        .await?;
    let mut out: Vec<LinkedContact> = links
        .into_iter()
        .filter_map(|l| {
            let p = people.iter().find(|p| p.id == l.contact_id)?;
            Some(LinkedContact {
                id: ContactId::from_uuid(p.id),
                display_name: p.display_name.clone(),
                title: p.title.clone(),
                email: p.primary_email.clone(),
                role: l.role,
                is_primary: l.is_primary,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.is_primary.cmp(&a.is_primary).then_with(|| {
            a.display_name
                .to_lowercase()
                .cmp(&b.display_name.to_lowercase())
        })
    });
    Ok(out)
}

/// Company names for pickers, alphabetically (at most `limit`).
pub async fn choices(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    limit: u64,
) -> StoreResult<Vec<(CompanyId, String)>> {
    Ok(company::Entity::find()
        .select_only()
        .column(company::Column::Id)
        .column(company::Column::Name)
        .filter(company::Column::OrgId.eq(scope.uuid()))
        .order_by_asc(company::Column::Name)
        .order_by_asc(company::Column::Id)
        .limit(limit)
        .into_tuple::<(uuid::Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name)| (CompanyId::from_uuid(id), name))
        .collect())
}
