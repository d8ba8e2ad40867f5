//! Organizations.

use crate::entity::org;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, OrgName, OrgSlug, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

/// An organization as the app sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRecord {
    /// Id.
    pub id: OrgId,
    /// Display name.
    pub name: String,
    /// URL slug.
    pub slug: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Whether every member must use a second factor to sign in.
    pub require_mfa: bool,
    /// When an admin last signed off the access review, and who.
    pub access_reviewed: Option<(DateTime<Utc>, UserId)>,
    /// ISO 3166 alpha-2 region for phone numbers typed without a country code (`US`).
    pub default_country: Option<String>,
}

impl From<org::Model> for OrgRecord {
    fn from(m: org::Model) -> Self {
        Self {
            id: OrgId::from_uuid(m.id),
            name: m.name,
            slug: m.slug,
            created_at: m.created_at,
            require_mfa: m.require_mfa,
            access_reviewed: m
                .access_reviewed_at
                .zip(m.access_reviewed_by.map(UserId::from_uuid)),
            default_country: m.default_country,
        }
    }
}

/// Inserts an organization. A taken slug is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    id: OrgId,
    name: &OrgName,
    slug: &OrgSlug,
    now: DateTime<Utc>,
) -> StoreResult<OrgRecord> {
    let model = org::ActiveModel {
        id: Set(id.as_uuid()),
        name: Set(name.as_str().to_owned()),
        slug: Set(slug.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    org::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(OrgRecord {
        id,
        name: name.as_str().to_owned(),
        slug: slug.as_str().to_owned(),
        created_at: now,
        require_mfa: false,
        access_reviewed: None,
        default_country: None,
    })
}

/// The organization the scope grants.
pub async fn get(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<OrgRecord> {
    org::Entity::find_by_id(scope.uuid())
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// How many organizations exist at all: zero means first-run setup is open.
pub async fn count_all(db: &impl ConnectionTrait) -> StoreResult<u64> {
    Ok(org::Entity::find().count(db).await?)
}

/// Whether a slug is taken (to pick a free one during setup and demo seeding).
pub async fn slug_taken(db: &impl ConnectionTrait, slug: &OrgSlug) -> StoreResult<bool> {
    Ok(org::Entity::find()
        .filter(org::Column::Slug.eq(slug.as_str()))
        .count(db)
        .await?
        > 0)
}

/// Serializes concurrent first-run setups. PostgreSQL needs an explicit table lock (two
/// READ COMMITTED transactions would both see zero orgs); SQLite already serializes writers.
pub async fn lock_for_setup(txn: &impl ConnectionTrait) -> StoreResult<()> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE orgs IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    Ok(())
}

/// Org settings a settings manager may change.
#[derive(Debug, Clone)]
pub struct OrgSettings {
    /// Display name.
    pub name: OrgName,
    /// Whether members must use a second factor.
    pub require_mfa: bool,
    /// Region for phone numbers without a country code (ISO alpha-2, uppercase).
    pub default_country: Option<String>,
}

/// Updates the scoped org's settings.
pub async fn update_settings(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    settings: &OrgSettings,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = org::ActiveModel {
        id: Set(scope.uuid()),
        name: Set(settings.name.as_str().to_owned()),
        require_mfa: Set(settings.require_mfa),
        default_country: Set(settings.default_country.clone()),
        updated_at: Set(now),
        ..Default::default()
    };
    org::Entity::update(model).exec(db).await?;
    Ok(())
}

/// Records an access-review sign-off.
pub async fn set_access_reviewed(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    by: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let model = org::ActiveModel {
        id: Set(scope.uuid()),
        access_reviewed_at: Set(Some(at)),
        access_reviewed_by: Set(Some(by.as_uuid())),
        ..Default::default()
    };
    org::Entity::update(model).exec(db).await?;
    Ok(())
}

/// Whether an org requires MFA, by raw id: sign-in decides this before any scope exists.
pub async fn requires_mfa(db: &impl ConnectionTrait, org: OrgId) -> StoreResult<bool> {
    Ok(org::Entity::find_by_id(org.as_uuid())
        .one(db)
        .await?
        .is_some_and(|o| o.require_mfa))
}
