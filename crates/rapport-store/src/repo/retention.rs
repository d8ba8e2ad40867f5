//! Retention policies, legal holds and the retention runs' log, plus the two statements a run
//! is made of: find a batch of expired conversations no hold protects, and purge them (their
//! messages, labels, clocks, surveys and read marks go by cascade; receipts, which keep no key
//! to their message, explicitly; files lose their message and go with the attachment sweep).

use super::raw::stmt;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, UserId};
use sea_orm::{ConnectionTrait, QueryResult, Value};

/// One org's policy for one kind of data (`days: None` keeps it for good).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    /// What it governs (`conversations`).
    pub target: String,
    /// How many days it is kept.
    pub days: Option<i32>,
    /// Who set it.
    pub updated_by: Option<UserId>,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// A legal hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRow {
    /// Id.
    pub id: uuid::Uuid,
    /// `org`, `contact` or `conversation`.
    pub target_type: String,
    /// The contact or conversation (none for the whole org).
    pub target_id: Option<uuid::Uuid>,
    /// Why (a case number, a matter).
    pub reason: String,
    /// Who placed it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was released (none while it holds).
    pub released_at: Option<DateTime<Utc>>,
    /// Who released it.
    pub released_by: Option<UserId>,
}

/// One retention run of one org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// Id.
    pub id: uuid::Uuid,
    /// What it purged (`conversations`).
    pub target: String,
    /// Everything older than this went.
    pub cutoff: DateTime<Utc>,
    /// How many went.
    pub deleted: i64,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
}

/// The org's policies that differ from the defaults.
pub async fn policies(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<Vec<PolicyRow>> {
    let sql = "SELECT target, days, updated_by, updated_at FROM retention_policies \
               WHERE org_id = $1 ORDER BY target";
    let rows = db
        .query_all_raw(stmt(db, sql, vec![scope.uuid().into()]))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PolicyRow {
                target: r.try_get("", "target")?,
                days: r.try_get("", "days")?,
                updated_by: r
                    .try_get::<Option<uuid::Uuid>>("", "updated_by")?
                    .map(UserId::from_uuid),
                updated_at: r.try_get("", "updated_at")?,
            })
        })
        .collect()
}

/// Sets the org's policy for `target`.
pub async fn set_policy(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    target: &str,
    days: Option<i32>,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "INSERT INTO retention_policies (org_id, target, days, updated_by, updated_at) \
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, target) DO UPDATE SET \
               days = excluded.days, updated_by = excluded.updated_by, updated_at = excluded.updated_at";
    db.execute_raw(stmt(
        db,
        sql,
        vec![
            scope.uuid().into(),
            target.into(),
            days.into(),
            by.as_uuid().into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

const HOLD_COLUMNS: &str =
    "id, target_type, target_id, reason, created_by, created_at, released_at, released_by";

fn hold(r: &QueryResult) -> StoreResult<HoldRow> {
    Ok(HoldRow {
        id: r.try_get("", "id")?,
        target_type: r.try_get("", "target_type")?,
        target_id: r.try_get("", "target_id")?,
        reason: r.try_get("", "reason")?,
        created_by: r
            .try_get::<Option<uuid::Uuid>>("", "created_by")?
            .map(UserId::from_uuid),
        created_at: r.try_get("", "created_at")?,
        released_at: r.try_get("", "released_at")?,
        released_by: r
            .try_get::<Option<uuid::Uuid>>("", "released_by")?
            .map(UserId::from_uuid),
    })
}

/// The org's legal holds, open ones first, newest first.
pub async fn holds(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<Vec<HoldRow>> {
    let sql = format!(
        "SELECT {HOLD_COLUMNS} FROM legal_holds WHERE org_id = $1 \
         ORDER BY CASE WHEN released_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC \
         LIMIT 500"
    );
    let rows = db
        .query_all_raw(stmt(db, &sql, vec![scope.uuid().into()]))
        .await?;
    rows.iter().map(hold).collect()
}

/// One hold of the org.
pub async fn hold_by_id(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
) -> StoreResult<HoldRow> {
    let sql = format!("SELECT {HOLD_COLUMNS} FROM legal_holds WHERE org_id = $1 AND id = $2");
    let row = db
        .query_one_raw(stmt(db, &sql, vec![scope.uuid().into(), id.into()]))
        .await?
        .ok_or(StoreError::NotFound)?;
    hold(&row)
}

/// Places a hold.
pub async fn place_hold(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    h: &HoldRow,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO legal_holds (org_id, {HOLD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)"
    );
    db.execute_raw(stmt(
        db,
        &sql,
        vec![
            scope.uuid().into(),
            h.id.into(),
            h.target_type.clone().into(),
            h.target_id.into(),
            h.reason.clone().into(),
            h.created_by.map(|u| u.as_uuid()).into(),
            h.created_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Releases an open hold; `false` when there is no open hold with that id.
pub async fn release_hold(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let sql = "UPDATE legal_holds SET released_at = $3, released_by = $4 \
               WHERE org_id = $1 AND id = $2 AND released_at IS NULL";
    let res = db
        .execute_raw(stmt(
            db,
            sql,
            vec![
                scope.uuid().into(),
                id.into(),
                now.into(),
                by.as_uuid().into(),
            ],
        ))
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Whether an open hold covers the whole org.
pub async fn org_held(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<bool> {
    let sql = "SELECT 1 AS one FROM legal_holds WHERE org_id = $1 AND target_type = 'org' \
               AND released_at IS NULL LIMIT 1";
    Ok(db
        .query_one_raw(stmt(db, sql, vec![scope.uuid().into()]))
        .await?
        .is_some())
}

/// Whether an open hold covers the contact (one on them, or on the whole org).
pub async fn contact_held(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    contact: uuid::Uuid,
) -> StoreResult<bool> {
    let sql = "SELECT 1 AS one FROM legal_holds WHERE org_id = $1 AND released_at IS NULL \
               AND (target_type = 'org' OR (target_type = 'contact' AND target_id = $2)) LIMIT 1";
    Ok(db
        .query_one_raw(stmt(db, sql, vec![scope.uuid().into(), contact.into()]))
        .await?
        .is_some())
}

/// Conversations last active before `cutoff` that no open hold covers (one on their contact or
/// on them).
const EXPIRED: &str = "FROM conversations c WHERE c.org_id = $1 AND c.last_activity_at < $2 \
    AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.org_id = $1 AND h.released_at IS NULL \
    AND ((h.target_type = 'contact' AND h.target_id = c.contact_id) \
    OR (h.target_type = 'conversation' AND h.target_id = c.id)))";

/// Up to `limit` expired conversations, oldest first.
pub async fn expired_conversations(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<uuid::Uuid>> {
    let sql = format!("SELECT c.id AS id {EXPIRED} ORDER BY c.last_activity_at LIMIT $3");
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = db
        .query_all_raw(stmt(
            db,
            &sql,
            vec![scope.uuid().into(), cutoff.into(), limit.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get("", "id")?))
        .collect::<StoreResult<_>>()
}

/// How many conversations a run would purge now, and the oldest one's last activity.
pub async fn count_expired(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    cutoff: DateTime<Utc>,
) -> StoreResult<(u64, Option<DateTime<Utc>>)> {
    let sql = format!("SELECT COUNT(*) AS n, MIN(c.last_activity_at) AS oldest {EXPIRED}");
    let row = db
        .query_one_raw(stmt(db, &sql, vec![scope.uuid().into(), cutoff.into()]))
        .await?
        .ok_or(StoreError::NotFound)?;
    let n: i64 = row.try_get("", "n")?;
    Ok((
        u64::try_from(n).unwrap_or_default(),
        row.try_get("", "oldest")?,
    ))
}

/// Purges those of `ids` (conversations of the scoped org) that are still expired at `cutoff`
/// (one that got a message since it was picked stays), and their receipts; how many went.
pub async fn purge_conversations(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[uuid::Uuid],
    cutoff: DateTime<Utc>,
) -> StoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let list = marks.join(", ");
    let mut values: Vec<Value> = vec![scope.uuid().into(), cutoff.into()];
    values.extend(ids.iter().map(|id| Value::from(*id)));
    let still = format!("org_id = $1 AND last_activity_at < $2 AND id IN ({list})");
    let receipts = format!(
        "DELETE FROM inbound_receipts WHERE org_id = $1 AND message_id IN \
         (SELECT id FROM messages WHERE org_id = $1 AND conversation_id IN \
         (SELECT id FROM conversations WHERE {still}))"
    );
    db.execute_raw(stmt(db, &receipts, values.clone())).await?;
    let conversations = format!("DELETE FROM conversations WHERE {still}");
    Ok(db
        .execute_raw(stmt(db, &conversations, values))
        .await?
        .rows_affected())
}

/// Logs a run.
pub async fn record_run(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    run: &RunRow,
) -> StoreResult<()> {
    let sql = "INSERT INTO retention_runs (id, org_id, target, cutoff, deleted, started_at, finished_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    db.execute_raw(stmt(
        db,
        sql,
        vec![
            run.id.into(),
            scope.uuid().into(),
            run.target.clone().into(),
            run.cutoff.into(),
            run.deleted.into(),
            run.started_at.into(),
            run.finished_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The org's latest runs, newest first.
pub async fn runs(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    limit: u64,
) -> StoreResult<Vec<RunRow>> {
    let sql = "SELECT id, target, cutoff, deleted, started_at, finished_at FROM retention_runs \
               WHERE org_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2";
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = db
        .query_all_raw(stmt(db, sql, vec![scope.uuid().into(), limit.into()]))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RunRow {
                id: r.try_get("", "id")?,
                target: r.try_get("", "target")?,
                cutoff: r.try_get("", "cutoff")?,
                deleted: r.try_get("", "deleted")?,
                started_at: r.try_get("", "started_at")?,
                finished_at: r.try_get("", "finished_at")?,
            })
        })
        .collect()
}

/// Every org (a retention run visits each).
pub async fn all_orgs(db: &impl ConnectionTrait) -> StoreResult<Vec<OrgId>> {
    let sql = "SELECT id FROM orgs ORDER BY id";
    let rows = db.query_all_raw(stmt(db, sql, vec![])).await?;
    rows.iter()
        .map(|r| Ok(OrgId::from_uuid(r.try_get("", "id")?)))
        .collect()
}
