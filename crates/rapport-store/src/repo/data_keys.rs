//! The vault's wrapped data keys: one per org (and system keys with no org), plus per-subject
//! keys (a contact's own key) that erasure can destroy to crypto-shred.

use crate::entity::data_key;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use rapport_domain::OrgId;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::OnConflict,
};

/// A stored wrapped key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKeyRow {
    /// Row id.
    pub id: uuid::Uuid,
    /// The org, or `None` for a system key.
    pub org_id: Option<OrgId>,
    /// What the key protects (`org`, `system:audit`, `contact:<id>`).
    pub subject: String,
    /// Which key-encryption key wrapped it.
    pub kek_id: String,
    /// The wrapped key's text form.
    pub wrapped: String,
}

impl From<data_key::Model> for WrappedKeyRow {
    fn from(m: data_key::Model) -> Self {
        Self {
            id: m.id,
            org_id: m.org_id.map(OrgId::from_uuid),
            subject: m.subject,
            kek_id: m.kek_id,
            wrapped: m.wrapped,
        }
    }
}

fn filter_owner(
    q: sea_orm::Select<data_key::Entity>,
    org: Option<OrgId>,
    subject: &str,
) -> sea_orm::Select<data_key::Entity> {
    let q = q.filter(data_key::Column::Subject.eq(subject));
    match org {
        Some(org) => q.filter(data_key::Column::OrgId.eq(org.as_uuid())),
        None => q.filter(data_key::Column::OrgId.is_null()),
    }
}

/// The wrapped key for (org, subject), if one exists.
pub async fn find(
    db: &impl ConnectionTrait,
    org: Option<OrgId>,
    subject: &str,
) -> StoreResult<Option<WrappedKeyRow>> {
    Ok(filter_owner(data_key::Entity::find(), org, subject)
        .one(db)
        .await?
        .map(Into::into))
}

/// Stores a wrapped key unless one already exists for (org, subject); returns the stored one
/// (so two processes creating the same key at once agree on a single key).
pub async fn insert_or_get(
    db: &impl ConnectionTrait,
    org: Option<OrgId>,
    subject: &str,
    kek_id: &str,
    wrapped: String,
    now: DateTime<Utc>,
) -> StoreResult<WrappedKeyRow> {
    let model = data_key::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        org_id: Set(org.map(|o| o.as_uuid())),
        subject: Set(subject.to_owned()),
        kek_id: Set(kek_id.to_owned()),
        wrapped: Set(wrapped),
        created_at: Set(now),
        rotated_at: Set(None),
    };
    if org.is_some() {
        data_key::Entity::insert(model)
            .on_conflict(
                OnConflict::columns([data_key::Column::OrgId, data_key::Column::Subject])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    } else {
        // System keys: the partial unique index on (subject) WHERE org_id IS NULL decides a
        // race; the loser reads the winner's key below.
        data_key::Entity::insert(model)
            .on_conflict(
                OnConflict::column(data_key::Column::Subject)
                    .target_and_where(data_key::Column::OrgId.is_null())
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    find(db, org, subject)
        .await?
        .ok_or(crate::error::StoreError::NotFound)
}

/// Every wrapped key, oldest first (key rotation walks them).
pub async fn all(db: &impl ConnectionTrait) -> StoreResult<Vec<WrappedKeyRow>> {
    Ok(data_key::Entity::find()
        .order_by_asc(data_key::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Replaces a key's wrapping (rotation). The key itself is unchanged.
pub async fn rewrap(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
    kek_id: &str,
    wrapped: String,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    data_key::Entity::update_many()
        .col_expr(data_key::Column::KekId, kek_id.into())
        .col_expr(data_key::Column::Wrapped, wrapped.into())
        .col_expr(data_key::Column::RotatedAt, Some(now).into())
        .filter(data_key::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Destroys a key: whatever it encrypted can never be read again (crypto-shredding).
pub async fn destroy(
    db: &impl ConnectionTrait,
    org: Option<OrgId>,
    subject: &str,
) -> StoreResult<bool> {
    let mut q = data_key::Entity::delete_many().filter(data_key::Column::Subject.eq(subject));
    q = match org {
        Some(org) => q.filter(data_key::Column::OrgId.eq(org.as_uuid())),
        None => q.filter(data_key::Column::OrgId.is_null()),
    };
    Ok(q.exec(db).await?.rows_affected > 0)
}
