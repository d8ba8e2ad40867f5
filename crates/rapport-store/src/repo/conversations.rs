//! Conversations: one contact, one inbox, a status, a priority, an assignee and a team. The app
//! holds a [`ConversationRecord`], changes it and writes it back with [`save`] inside the
//! transaction that took its row with [`lock`], so two changes to one conversation never
//! start from the same state.

use crate::entity::conversation;
use crate::error::{StoreError, StoreResult};
use crate::repo::raw::stmt;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::{ConversationStatus, Priority};
use rapport_domain::{ContactId, ConversationId, InboxId, TeamId, UserId};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// A stored conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRecord {
    /// Id.
    pub id: ConversationId,
    /// The org's running number (`#42`), what people say aloud.
    pub number: i64,
    /// Its inbox.
    pub inbox_id: InboxId,
    /// The customer.
    pub contact_id: ContactId,
    /// Subject line (email) or the first words.
    pub subject: Option<String>,
    /// Status.
    pub status: ConversationStatus,
    /// Priority.
    pub priority: Priority,
    /// The member working on it.
    pub assignee_id: Option<UserId>,
    /// The team it belongs to.
    pub team_id: Option<TeamId>,
    /// Snoozed until then (`None` while snoozed: until the customer replies).
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The last message, note or change: the list's order.
    pub last_activity_at: DateTime<Utc>,
    /// The start of the last message, for the list.
    pub last_message_preview: Option<String>,
    /// The customer's last message.
    pub last_incoming_at: Option<DateTime<Utc>>,
    /// The team's first reply (first-response time).
    pub first_reply_at: Option<DateTime<Utc>>,
    /// Since when the customer waits for an answer (`None` when the team spoke last).
    pub waiting_since: Option<DateTime<Utc>>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Messages and notes in it.
    pub message_count: i32,
    /// Opened.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<conversation::Model> for ConversationRecord {
    fn from(m: conversation::Model) -> Self {
        Self {
            id: ConversationId::from_uuid(m.id),
            number: m.number,
            inbox_id: InboxId::from_uuid(m.inbox_id),
            contact_id: ContactId::from_uuid(m.contact_id),
            subject: m.subject,
            // The columns only ever hold names written by this module.
            status: ConversationStatus::parse(&m.status).unwrap_or(ConversationStatus::Open),
            priority: Priority::parse(&m.priority).unwrap_or(Priority::None),
            assignee_id: m.assignee_id.map(UserId::from_uuid),
            team_id: m.team_id.map(TeamId::from_uuid),
            snoozed_until: m.snoozed_until,
            last_activity_at: m.last_activity_at,
            last_message_preview: m.last_message_preview,
            last_incoming_at: m.last_incoming_at,
            first_reply_at: m.first_reply_at,
            waiting_since: m.waiting_since,
            resolved_at: m.resolved_at,
            message_count: m.message_count,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn model(scope: OrgScope, r: &ConversationRecord) -> conversation::ActiveModel {
    conversation::ActiveModel {
        id: Set(r.id.as_uuid()),
        org_id: Set(scope.uuid()),
        number: Set(r.number),
        inbox_id: Set(r.inbox_id.as_uuid()),
        contact_id: Set(r.contact_id.as_uuid()),
        subject: Set(r.subject.clone()),
        status: Set(r.status.as_str().to_owned()),
        priority: Set(r.priority.as_str().to_owned()),
        assignee_id: Set(r.assignee_id.map(|u| u.as_uuid())),
        team_id: Set(r.team_id.map(|t| t.as_uuid())),
        snoozed_until: Set(r.snoozed_until),
        last_activity_at: Set(r.last_activity_at),
        last_message_preview: Set(r.last_message_preview.clone()),
        last_incoming_at: Set(r.last_incoming_at),
        first_reply_at: Set(r.first_reply_at),
        waiting_since: Set(r.waiting_since),
        resolved_at: Set(r.resolved_at),
        message_count: Set(r.message_count),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

/// The org's next value of the counter `name` (1, 2, 3 …). One upsert: concurrent callers
/// each get their own value (the row lock, or SQLite's write lock, orders them).
pub async fn next_counter(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    name: &str,
) -> StoreResult<i64> {
    let sql = "INSERT INTO org_counters (org_id, name, value) VALUES ($1, $2, 1) \
               ON CONFLICT (org_id, name) DO UPDATE SET value = org_counters.value + 1 \
               RETURNING value";
    let row = db
        .query_one_raw(stmt(db, sql, vec![scope.uuid().into(), name.into()]))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get("", "value")?)
}

/// Stores a new conversation.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &ConversationRecord,
) -> StoreResult<()> {
    conversation::Entity::insert(model(scope, r))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes every changeable column of `r`.
pub async fn save(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &ConversationRecord,
) -> StoreResult<()> {
    let res = conversation::Entity::update_many()
        .set(model(scope, r))
        .filter(conversation::Column::OrgId.eq(scope.uuid()))
        .filter(conversation::Column::Id.eq(r.id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    // The label rows' copy follows in the same transaction (label folders page on it).
    db.execute_raw(crate::repo::raw::stmt(
        db,
        "UPDATE conversation_labels SET last_activity_at = $1 \
         WHERE org_id = $2 AND conversation_id = $3",
        vec![
            r.last_activity_at.into(),
            scope.uuid().into(),
            r.id.as_uuid().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// One conversation of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ConversationId,
) -> StoreResult<ConversationRecord> {
    conversation::Entity::find()
        .filter(conversation::Column::OrgId.eq(scope.uuid()))
        .filter(conversation::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// Reads the conversation and takes its row for this transaction: on PostgreSQL a row lock
/// (`FOR NO KEY UPDATE`: it does not block inserting messages that reference the row) held
/// until commit; on SQLite the writing transaction (`IMMEDIATE`) already holds the write lock.
/// One statement either way.
pub async fn lock(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ConversationId,
) -> StoreResult<ConversationRecord> {
    conversation::Entity::find()
        .filter(conversation::Column::OrgId.eq(scope.uuid()))
        .filter(conversation::Column::Id.eq(id.as_uuid()))
        .lock(LockType::NoKeyUpdate)
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// The contact's most recent conversation in the inbox that is not closed (the one a new
/// message of theirs continues), taken for this transaction as [`lock`] takes a row.
pub async fn latest_not_closed(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    contact: ContactId,
) -> StoreResult<Option<ConversationRecord>> {
    Ok(conversation::Entity::find()
        .filter(conversation::Column::OrgId.eq(scope.uuid()))
        .filter(conversation::Column::ContactId.eq(contact.as_uuid()))
        .filter(conversation::Column::InboxId.eq(inbox.as_uuid()))
        .filter(conversation::Column::Status.ne(ConversationStatus::Closed.as_str()))
        .order_by_desc(conversation::Column::LastActivityAt)
        .order_by_desc(conversation::Column::Id)
        .limit(1)
        .lock(LockType::NoKeyUpdate)
        .one(db)
        .await?
        .map(Into::into))
}

/// The contact's conversations in the inbox active since `since`, newest first (at most
/// `limit`): the candidates of an email's subject match.
pub async fn recent_of_contact(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    contact: ContactId,
    since: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<ConversationRecord>> {
    Ok(conversation::Entity::find()
        .filter(conversation::Column::OrgId.eq(scope.uuid()))
        .filter(conversation::Column::ContactId.eq(contact.as_uuid()))
        .filter(conversation::Column::InboxId.eq(inbox.as_uuid()))
        .filter(conversation::Column::LastActivityAt.gte(since))
        .order_by_desc(conversation::Column::LastActivityAt)
        .order_by_desc(conversation::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Snoozed conversations whose time has come (at most `limit`, across orgs: the wake-up sweep
/// is a system job), oldest first. The caller reopens each with [`save`] under the row's org.
pub async fn due_snoozed(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<(rapport_domain::OrgId, ConversationRecord)>> {
    Ok(conversation::Entity::find()
        .filter(conversation::Column::Status.eq(ConversationStatus::Snoozed.as_str()))
        .filter(conversation::Column::SnoozedUntil.lte(now))
        .order_by_asc(conversation::Column::SnoozedUntil)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|m| (rapport_domain::OrgId::from_uuid(m.org_id), m.into()))
        .collect())
}

/// Deletes a conversation with whatever entries are still in it.
pub async fn delete(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ConversationId,
) -> StoreResult<()> {
    let res = conversation::Entity::delete_many()
        .filter(conversation::Column::OrgId.eq(scope.uuid()))
        .filter(conversation::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
