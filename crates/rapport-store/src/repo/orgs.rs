//! Organizations.

use crate::entity::org;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, OrgName, OrgSlug};
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
}

impl From<org::Model> for OrgRecord {
    fn from(m: org::Model) -> Self {
        Self {
            id: OrgId::from_uuid(m.id),
            name: m.name,
            slug: m.slug,
            created_at: m.created_at,
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
    };
    org::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(OrgRecord {
        id,
        name: name.as_str().to_owned(),
        slug: slug.as_str().to_owned(),
        created_at: now,
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
