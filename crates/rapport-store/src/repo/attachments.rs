//! Attachment rows: uploaded (pending, `message_id` null), then claimed by the message that
//! carries them in that message's transaction. Reads and claims are org-scoped; the sweep of
//! old pending rows is the one instance-wide query (a system job), and it returns the org of
//! each blob it released so the caller deletes only what no other row names.

use crate::entity::attachment as row;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{AttachmentId, MessageId, OrgId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// A stored attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    /// Id.
    pub id: AttachmentId,
    /// Its org.
    pub org_id: OrgId,
    /// The message carrying it; `None` while it is only uploaded.
    pub message_id: Option<MessageId>,
    /// The member (or integration's member) who uploaded it; `None` for a channel's file.
    pub uploaded_by: Option<UserId>,
    /// Where the encrypted bytes are in the blob store.
    pub blob: String,
    /// The file name (already made safe).
    pub filename: String,
    /// `type/subtype`.
    pub content_type: String,
    /// Bytes (plaintext).
    pub size: u64,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

impl From<row::Model> for AttachmentRecord {
    fn from(m: row::Model) -> Self {
        Self {
            id: AttachmentId::from_uuid(m.id),
            org_id: OrgId::from_uuid(m.org_id),
            message_id: m.message_id.map(MessageId::from_uuid),
            uploaded_by: m.uploaded_by.map(UserId::from_uuid),
            blob: m.blob,
            filename: m.filename,
            content_type: m.content_type,
            size: u64::try_from(m.size).unwrap_or_default(),
            created_at: m.created_at,
        }
    }
}

/// Stores a pending attachment (its blob is written by the caller).
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    a: &AttachmentRecord,
) -> StoreResult<()> {
    let m = row::ActiveModel {
        id: Set(a.id.as_uuid()),
        org_id: Set(scope.uuid()),
        message_id: Set(a.message_id.map(|m| m.as_uuid())),
        uploaded_by: Set(a.uploaded_by.map(|u| u.as_uuid())),
        blob: Set(a.blob.clone()),
        filename: Set(a.filename.clone()),
        content_type: Set(a.content_type.clone()),
        size: Set(i64::try_from(a.size).unwrap_or(i64::MAX)),
        created_at: Set(a.created_at),
    };
    row::Entity::insert(m).exec_without_returning(db).await?;
    Ok(())
}

/// One attachment of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: AttachmentId,
) -> StoreResult<AttachmentRecord> {
    row::Entity::find()
        .filter(row::Column::OrgId.eq(scope.uuid()))
        .filter(row::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

fn uploaded_by(uploader: Option<UserId>) -> sea_orm::sea_query::SimpleExpr {
    match uploader {
        Some(u) => row::Column::UploadedBy.eq(u.as_uuid()),
        None => row::Column::UploadedBy.is_null(),
    }
}

/// The unsent uploads among `ids` of `uploader` (`None`: staged by a channel), in the order
/// given; `NotFound` unless every id is one.
pub async fn pending(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[AttachmentId],
    uploader: Option<UserId>,
) -> StoreResult<Vec<AttachmentRecord>> {
    let uuids: Vec<uuid::Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
    let rows = row::Entity::find()
        .filter(row::Column::OrgId.eq(scope.uuid()))
        .filter(row::Column::Id.is_in(uuids))
        .filter(row::Column::MessageId.is_null())
        .filter(uploaded_by(uploader))
        .all(db)
        .await?;
    if rows.len() != ids.len() {
        return Err(StoreError::NotFound);
    }
    let mut out: Vec<AttachmentRecord> = rows.into_iter().map(Into::into).collect();
    out.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
    Ok(out)
}

/// Puts the unsent uploads `ids` of `uploader` on `message` (stored in the same transaction).
/// `NotFound` when any of them was taken meanwhile: the caller rolls back.
pub async fn claim(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[AttachmentId],
    uploader: Option<UserId>,
    message: MessageId,
) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let uuids: Vec<uuid::Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
    let res = row::Entity::update_many()
        .col_expr(row::Column::MessageId, Expr::value(message.as_uuid()))
        .filter(row::Column::OrgId.eq(scope.uuid()))
        .filter(row::Column::Id.is_in(uuids))
        .filter(row::Column::MessageId.is_null())
        .filter(uploaded_by(uploader))
        .exec(db)
        .await?;
    if usize::try_from(res.rows_affected).unwrap_or_default() != ids.len() {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Whether any row of the org still names `blob`: an attachment, or a quarantined mail (its
/// raw bytes live in the same store).
pub async fn blob_in_use(db: &impl ConnectionTrait, org: OrgId, blob: &str) -> StoreResult<bool> {
    let attached = row::Entity::find()
        .filter(row::Column::OrgId.eq(org.as_uuid()))
        .filter(row::Column::Blob.eq(blob))
        .count(db)
        .await?
        > 0;
    if attached {
        return Ok(true);
    }
    let sql = "SELECT 1 AS one FROM mail_quarantine WHERE org_id = $1 AND blob = $2 LIMIT 1";
    Ok(db
        .query_one_raw(crate::repo::raw::stmt(
            db,
            sql,
            vec![org.as_uuid().into(), blob.into()],
        ))
        .await?
        .is_some())
}

/// Deletes up to `limit` attachments not on any message since before `before` (unsent uploads
/// and files of deleted messages), returning the (org, blob) of each for the blob store.
pub async fn sweep_unattached(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<(OrgId, String)>> {
    let rows = row::Entity::find()
        .filter(row::Column::MessageId.is_null())
        .filter(row::Column::CreatedAt.lt(before))
        .order_by_asc(row::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    row::Entity::delete_many()
        .filter(row::Column::Id.is_in(ids))
        .filter(row::Column::MessageId.is_null())
        .exec(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (OrgId::from_uuid(r.org_id), r.blob))
        .collect())
}
