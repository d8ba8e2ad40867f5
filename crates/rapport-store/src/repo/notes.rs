//! Notes: Markdown text on one CRM record (contact, company or deal).

use crate::entity::note;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::crm::RecordType;
use rapport_domain::{NoteId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// A stored note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRecord {
    /// Id.
    pub id: NoteId,
    /// The record it is on.
    pub record_type: RecordType,
    /// Its id.
    pub record_id: uuid::Uuid,
    /// Markdown source.
    pub body: String,
    /// Who wrote it.
    pub author: Option<UserId>,
    /// Shown above the others.
    pub pinned: bool,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
}

impl From<note::Model> for NoteRecord {
    fn from(m: note::Model) -> Self {
        Self {
            id: NoteId::from_uuid(m.id),
            // The column only ever holds names written by `insert`.
            record_type: RecordType::parse(&m.record_type).unwrap_or(RecordType::Contact),
            record_id: m.record_id,
            body: m.body,
            author: m.author_id.map(UserId::from_uuid),
            pinned: m.pinned,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Stores a new note.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record: (RecordType, uuid::Uuid),
    body: &str,
    author: UserId,
    now: DateTime<Utc>,
) -> StoreResult<NoteRecord> {
    let id = NoteId::new();
    let model = note::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        record_type: Set(record.0.as_str().to_owned()),
        record_id: Set(record.1),
        body: Set(body.to_owned()),
        author_id: Set(Some(author.as_uuid())),
        pinned: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    };
    note::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(NoteRecord {
        id,
        record_type: record.0,
        record_id: record.1,
        body: body.to_owned(),
        author: Some(author),
        pinned: false,
        created_at: now,
        updated_at: now,
    })
}

/// One note of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: NoteId,
) -> StoreResult<NoteRecord> {
    note::Entity::find()
        .filter(note::Column::OrgId.eq(scope.uuid()))
        .filter(note::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// A record's notes: pinned first, then newest first (at most `limit`).
pub async fn list_for_record(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record: (RecordType, uuid::Uuid),
    limit: u64,
) -> StoreResult<Vec<NoteRecord>> {
    Ok(note::Entity::find()
        .filter(note::Column::OrgId.eq(scope.uuid()))
        .filter(note::Column::RecordType.eq(record.0.as_str()))
        .filter(note::Column::RecordId.eq(record.1))
        .order_by_desc(note::Column::Pinned)
        .order_by_desc(note::Column::CreatedAt)
        .order_by_desc(note::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The notes with these ids (one query; the timeline renders them).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[uuid::Uuid],
) -> StoreResult<Vec<NoteRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(note::Entity::find()
        .filter(note::Column::OrgId.eq(scope.uuid()))
        .filter(note::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Changes a note's text and/or pin.
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: NoteId,
    body: Option<&str>,
    pinned: Option<bool>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut q = note::Entity::update_many().col_expr(note::Column::UpdatedAt, Expr::value(now));
    if let Some(body) = body {
        q = q.col_expr(note::Column::Body, Expr::value(body.to_owned()));
    }
    if let Some(pinned) = pinned {
        q = q.col_expr(note::Column::Pinned, Expr::value(pinned));
    }
    let res = q
        .filter(note::Column::OrgId.eq(scope.uuid()))
        .filter(note::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a note.
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: NoteId) -> StoreResult<()> {
    let res = note::Entity::delete_many()
        .filter(note::Column::OrgId.eq(scope.uuid()))
        .filter(note::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes every note on one record (the record itself is being deleted; notes have no foreign
/// key to it because they attach to three record types). Returns the ids, so the caller can
/// remove the timeline entries about them on other records.
pub async fn delete_for_record(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record: (RecordType, uuid::Uuid),
) -> StoreResult<Vec<uuid::Uuid>> {
    let ids: Vec<uuid::Uuid> = note::Entity::find()
        .filter(note::Column::OrgId.eq(scope.uuid()))
        .filter(note::Column::RecordType.eq(record.0.as_str()))
        .filter(note::Column::RecordId.eq(record.1))
        .all(db)
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect();
    if !ids.is_empty() {
        note::Entity::delete_many()
            .filter(note::Column::OrgId.eq(scope.uuid()))
            .filter(note::Column::Id.is_in(ids.clone()))
            .exec(db)
            .await?;
    }
    Ok(ids)
}
