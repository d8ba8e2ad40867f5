//! The email channel's sync state (`mail_folders`) and quarantine (`mail_quarantine`).
//!
//! A folder's row is its checkpoint (`UIDVALIDITY` + last UID) and its lease: a process reads a
//! mailbox only while it holds the lease (`lease_holder`, `lease_until` in milliseconds), and a
//! checkpoint is written only by the holder, so two processes sharing a database never read
//! one mailbox at once and a process that lost its lease cannot move the checkpoint back.

use crate::error::StoreResult;
use crate::repo::raw::stmt;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{InboxId, OrgId};
use sea_orm::{ConnectionTrait, QueryResult};

/// A folder's sync state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderState {
    /// The folder.
    pub folder: String,
    /// `UIDVALIDITY` when it was last read (none before the first batch).
    pub uid_validity: Option<u32>,
    /// The highest UID taken.
    pub last_uid: u32,
    /// The CONDSTORE `HIGHESTMODSEQ` every change was read up to, if known.
    pub modseq: Option<u64>,
    /// Messages taken in so far.
    pub imported: i64,
    /// What the last attempt said when it failed (cleared by the next success).
    pub last_error: Option<String>,
    /// When a batch last completed.
    pub last_synced_at: Option<DateTime<Utc>>,
}

fn folder_state(r: &QueryResult) -> StoreResult<FolderState> {
    let validity: Option<i64> = r.try_get("", "uid_validity")?;
    let last: i64 = r.try_get("", "last_uid")?;
    let modseq: Option<i64> = r.try_get("", "highest_modseq")?;
    Ok(FolderState {
        folder: r.try_get("", "folder")?,
        uid_validity: validity.and_then(|v| u32::try_from(v).ok()),
        last_uid: u32::try_from(last).unwrap_or(0),
        modseq: modseq.and_then(|m| u64::try_from(m).ok()),
        imported: r.try_get("", "imported")?,
        last_error: r.try_get("", "last_error")?,
        last_synced_at: r.try_get("", "last_synced_at")?,
    })
}

/// The sync state of every folder of an inbox.
pub async fn folders(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
) -> StoreResult<Vec<FolderState>> {
    let sql = "SELECT folder, uid_validity, last_uid, highest_modseq, imported, last_error, \
               last_synced_at \
               FROM mail_folders WHERE org_id = $1 AND inbox_id = $2 ORDER BY folder";
    let rows = db
        .query_all_raw(stmt(
            db,
            sql,
            vec![scope.uuid().into(), inbox.as_uuid().into()],
        ))
        .await?;
    rows.iter().map(folder_state).collect()
}

/// The sync state of one folder of an inbox (none before its first lease).
pub async fn folder(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    folder: &str,
) -> StoreResult<Option<FolderState>> {
    let sql = "SELECT folder, uid_validity, last_uid, highest_modseq, imported, last_error, \
               last_synced_at FROM mail_folders WHERE org_id = $1 AND inbox_id = $2 AND folder = $3";
    let row = db
        .query_one_raw(stmt(
            db,
            sql,
            vec![scope.uuid().into(), inbox.as_uuid().into(), folder.into()],
        ))
        .await?;
    row.as_ref().map(folder_state).transpose()
}

/// Takes (or renews) the lease on a folder for `holder` until `until_ms`, creating its row on
/// first use. `false`: another holder's lease has not run out.
pub async fn take_lease(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    folder: &str,
    holder: &str,
    now: DateTime<Utc>,
    until_ms: i64,
) -> StoreResult<bool> {
    let create = "INSERT INTO mail_folders (org_id, inbox_id, folder, uid_validity, last_uid, \
                  imported, lease_holder, lease_until, updated_at) \
                  VALUES ($1, $2, $3, NULL, 0, 0, NULL, 0, $4) ON CONFLICT DO NOTHING";
    db.execute_raw(stmt(
        db,
        create,
        vec![
            scope.uuid().into(),
            inbox.as_uuid().into(),
            folder.into(),
            now.into(),
        ],
    ))
    .await?;
    let take = "UPDATE mail_folders SET lease_holder = $4, lease_until = $5 \
                WHERE org_id = $1 AND inbox_id = $2 AND folder = $3 \
                AND (lease_holder = $4 OR lease_holder IS NULL OR lease_until < $6)";
    let res = db
        .execute_raw(stmt(
            db,
            take,
            vec![
                scope.uuid().into(),
                inbox.as_uuid().into(),
                folder.into(),
                holder.into(),
                until_ms.into(),
                now.timestamp_millis().into(),
            ],
        ))
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Gives the lease up (a stopping process lets another take over at once).
pub async fn release(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    folder: &str,
    holder: &str,
) -> StoreResult<()> {
    let sql = "UPDATE mail_folders SET lease_holder = NULL, lease_until = 0 \
               WHERE org_id = $1 AND inbox_id = $2 AND folder = $3 AND lease_holder = $4";
    db.execute_raw(stmt(
        db,
        sql,
        vec![
            scope.uuid().into(),
            inbox.as_uuid().into(),
            folder.into(),
            holder.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Moves the checkpoint after a committed batch, if `holder` still holds the lease; `imported`
/// is added to the running count and the last error is cleared. `false`: the lease was lost.
#[allow(clippy::too_many_arguments)]
pub async fn advance(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    folder: &str,
    holder: &str,
    uid_validity: u32,
    last_uid: u32,
    modseq: Option<u64>,
    imported: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let sql = "UPDATE mail_folders SET uid_validity = $5, last_uid = $6, \
               imported = imported + $7, last_error = NULL, last_synced_at = $8, updated_at = $8, \
               highest_modseq = $9 \
               WHERE org_id = $1 AND inbox_id = $2 AND folder = $3 AND lease_holder = $4";
    let res = db
        .execute_raw(stmt(
            db,
            sql,
            vec![
                scope.uuid().into(),
                inbox.as_uuid().into(),
                folder.into(),
                holder.into(),
                i64::from(uid_validity).into(),
                i64::from(last_uid).into(),
                imported.into(),
                now.into(),
                modseq.and_then(|m| i64::try_from(m).ok()).into(),
            ],
        ))
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Records why the last attempt failed (shown on the inbox's settings).
pub async fn record_error(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    folder: &str,
    error: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let error: String = error.chars().take(1000).collect();
    let sql = "UPDATE mail_folders SET last_error = $4, updated_at = $5 \
               WHERE org_id = $1 AND inbox_id = $2 AND folder = $3";
    db.execute_raw(stmt(
        db,
        sql,
        vec![
            scope.uuid().into(),
            inbox.as_uuid().into(),
            folder.into(),
            error.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// A message kept out of the inbox because it could not be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// Id.
    pub id: uuid::Uuid,
    /// The inbox it came to.
    pub inbox_id: InboxId,
    /// Its folder and UID there.
    pub folder: String,
    /// Its UID.
    pub uid: u32,
    /// The blob holding its raw bytes.
    pub blob: String,
    /// Its size in bytes.
    pub size: i64,
    /// Why it could not be stored (the latest attempt's reason).
    pub error: String,
    /// Attempts so far.
    pub attempts: i32,
    /// First seen.
    pub created_at: DateTime<Utc>,
    /// Last attempt.
    pub updated_at: DateTime<Utc>,
}

fn quarantined(r: &QueryResult) -> StoreResult<Quarantined> {
    let uid: i64 = r.try_get("", "uid")?;
    Ok(Quarantined {
        id: r.try_get("", "id")?,
        inbox_id: InboxId::from_uuid(r.try_get("", "inbox_id")?),
        folder: r.try_get("", "folder")?,
        uid: u32::try_from(uid).unwrap_or(0),
        blob: r.try_get("", "blob")?,
        size: r.try_get("", "size")?,
        error: r.try_get("", "error")?,
        attempts: r.try_get("", "attempts")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

const QUARANTINE_COLUMNS: &str =
    "id, inbox_id, folder, uid, blob, size, error, attempts, created_at, updated_at";

/// Keeps a message that could not be stored.
pub async fn quarantine(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    q: &Quarantined,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO mail_quarantine (org_id, {QUARANTINE_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    let error: String = q.error.chars().take(1000).collect();
    db.execute_raw(stmt(
        db,
        &sql,
        vec![
            scope.uuid().into(),
            q.id.into(),
            q.inbox_id.as_uuid().into(),
            q.folder.clone().into(),
            i64::from(q.uid).into(),
            q.blob.clone().into(),
            q.size.into(),
            error.into(),
            q.attempts.into(),
            q.created_at.into(),
            q.updated_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// How many messages of an inbox wait in quarantine.
pub async fn quarantined_count(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
) -> StoreResult<u64> {
    let sql = "SELECT COUNT(*) AS n FROM mail_quarantine WHERE org_id = $1 AND inbox_id = $2";
    let row = db
        .query_one_raw(stmt(
            db,
            sql,
            vec![scope.uuid().into(), inbox.as_uuid().into()],
        ))
        .await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The org's quarantined messages, newest first (at most `limit`), optionally of one inbox.
pub async fn quarantined_list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: Option<InboxId>,
    limit: u64,
) -> StoreResult<Vec<Quarantined>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match inbox {
        Some(inbox) => {
            let sql = format!(
                "SELECT {QUARANTINE_COLUMNS} FROM mail_quarantine WHERE org_id = $1 \
                 AND inbox_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3"
            );
            db.query_all_raw(stmt(
                db,
                &sql,
                vec![scope.uuid().into(), inbox.as_uuid().into(), limit.into()],
            ))
            .await?
        }
        None => {
            let sql = format!(
                "SELECT {QUARANTINE_COLUMNS} FROM mail_quarantine WHERE org_id = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT $2"
            );
            db.query_all_raw(stmt(db, &sql, vec![scope.uuid().into(), limit.into()]))
                .await?
        }
    };
    rows.iter().map(quarantined).collect()
}

/// One quarantined message.
pub async fn quarantined_one(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
) -> StoreResult<Quarantined> {
    let sql =
        format!("SELECT {QUARANTINE_COLUMNS} FROM mail_quarantine WHERE org_id = $1 AND id = $2");
    let row = db
        .query_one_raw(stmt(db, &sql, vec![scope.uuid().into(), id.into()]))
        .await?
        .ok_or(crate::StoreError::NotFound)?;
    quarantined(&row)
}

/// Records another failed attempt.
pub async fn quarantine_failed_again(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
    error: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let error: String = error.chars().take(1000).collect();
    let sql = "UPDATE mail_quarantine SET error = $3, attempts = attempts + 1, updated_at = $4 \
               WHERE org_id = $1 AND id = $2";
    db.execute_raw(stmt(
        db,
        sql,
        vec![scope.uuid().into(), id.into(), error.into(), now.into()],
    ))
    .await?;
    Ok(())
}

/// Removes a quarantined message (stored on retry, or discarded); `false` if it was not there.
pub async fn unquarantine(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
) -> StoreResult<bool> {
    let sql = "DELETE FROM mail_quarantine WHERE org_id = $1 AND id = $2";
    let res = db
        .execute_raw(stmt(db, sql, vec![scope.uuid().into(), id.into()]))
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Every email inbox of every org with its org (the sync supervisor is a system task: it
/// starts one reader per mailbox whatever org it belongs to).
pub async fn email_inboxes(
    db: &impl ConnectionTrait,
) -> StoreResult<Vec<(OrgId, crate::repo::inboxes::InboxRecord)>> {
    use crate::entity::inbox;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(inbox::Entity::find()
        .filter(inbox::Column::Channel.eq(rapport_domain::inbox::ChannelKind::Email.as_str()))
        .order_by_asc(inbox::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| (OrgId::from_uuid(m.org_id), m.into()))
        .collect())
}
