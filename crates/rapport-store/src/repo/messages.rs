//! Messages of a conversation (customer messages, agent replies, private notes, activity
//! lines) and the inbound receipts that make ingest exactly-once.

use crate::entity::message;
use crate::error::{StoreError, StoreResult};
use crate::repo::raw::stmt;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::{DeliveryStatus, Direction, IdempotencyKey, MessageKind};
use rapport_domain::{ContactId, ConversationId, InboxId, MessageId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The customer.
    Contact(ContactId),
    /// A member of the org.
    User(UserId),
    /// Rapport itself (activity lines, automation).
    System,
}

impl Sender {
    fn parts(self) -> (&'static str, Option<uuid::Uuid>) {
        match self {
            Self::Contact(c) => ("contact", Some(c.as_uuid())),
            Self::User(u) => ("user", Some(u.as_uuid())),
            Self::System => ("system", None),
        }
    }

    fn from_parts(kind: &str, id: Option<uuid::Uuid>) -> Self {
        match (kind, id) {
            ("contact", Some(id)) => Self::Contact(ContactId::from_uuid(id)),
            ("user", Some(id)) => Self::User(UserId::from_uuid(id)),
            _ => Self::System,
        }
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    /// Id.
    pub id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Message, note or activity line.
    pub kind: MessageKind,
    /// Incoming or outgoing (notes and activity lines are outgoing).
    pub direction: Direction,
    /// Who wrote it.
    pub sender: Sender,
    /// Plain text (Markdown for notes).
    pub body: String,
    /// Delivery state.
    pub status: DeliveryStatus,
    /// Why delivery failed.
    pub error: Option<String>,
    /// The channel's id for it.
    pub external_id: Option<String>,
    /// Channel extras and activity details (`{"event": "assigned", …}`).
    pub metadata: serde_json::Value,
    /// Written.
    pub created_at: DateTime<Utc>,
}

impl From<message::Model> for MessageRecord {
    fn from(m: message::Model) -> Self {
        Self {
            id: MessageId::from_uuid(m.id),
            conversation_id: ConversationId::from_uuid(m.conversation_id),
            // The columns only ever hold names written by `insert`.
            kind: MessageKind::parse(&m.kind).unwrap_or(MessageKind::Message),
            direction: Direction::parse(&m.direction).unwrap_or(Direction::Incoming),
            sender: Sender::from_parts(&m.sender_type, m.sender_id),
            body: m.body,
            status: DeliveryStatus::parse(&m.status).unwrap_or(DeliveryStatus::Received),
            error: m.error,
            external_id: m.external_id,
            metadata: m.metadata,
            created_at: m.created_at,
        }
    }
}

/// Stores a message.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &MessageRecord,
) -> StoreResult<()> {
    let (sender_type, sender_id) = r.sender.parts();
    let model = message::ActiveModel {
        id: Set(r.id.as_uuid()),
        org_id: Set(scope.uuid()),
        conversation_id: Set(r.conversation_id.as_uuid()),
        kind: Set(r.kind.as_str().to_owned()),
        direction: Set(r.direction.as_str().to_owned()),
        sender_type: Set(sender_type.to_owned()),
        sender_id: Set(sender_id),
        body: Set(r.body.clone()),
        status: Set(r.status.as_str().to_owned()),
        error: Set(r.error.clone()),
        external_id: Set(r.external_id.clone()),
        metadata: Set(r.metadata.clone()),
        created_at: Set(r.created_at),
    };
    message::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// One message of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: MessageId,
) -> StoreResult<MessageRecord> {
    message::Entity::find()
        .filter(message::Column::OrgId.eq(scope.uuid()))
        .filter(message::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// A page of a conversation's entries in time order: the latest `limit` before `before` (or
/// the latest of all), oldest first.
pub async fn page(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
    before: Option<(DateTime<Utc>, MessageId)>,
    limit: u64,
) -> StoreResult<Vec<MessageRecord>> {
    let mut q = message::Entity::find()
        .filter(message::Column::OrgId.eq(scope.uuid()))
        .filter(message::Column::ConversationId.eq(conversation.as_uuid()));
    if let Some((at, id)) = before {
        q = q.filter(
            Condition::any().add(message::Column::CreatedAt.lt(at)).add(
                Condition::all()
                    .add(message::Column::CreatedAt.eq(at))
                    .add(message::Column::Id.lt(id.as_uuid())),
            ),
        );
    }
    let mut rows: Vec<MessageRecord> = q
        .order_by_desc(message::Column::CreatedAt)
        .order_by_desc(message::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    rows.reverse();
    Ok(rows)
}

/// The channel ids of a conversation's messages, oldest first (what an email reply references).
pub async fn external_ids(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
    limit: u64,
) -> StoreResult<Vec<String>> {
    Ok(message::Entity::find()
        .filter(message::Column::OrgId.eq(scope.uuid()))
        .filter(message::Column::ConversationId.eq(conversation.as_uuid()))
        .filter(message::Column::ExternalId.is_not_null())
        .order_by_asc(message::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.external_id)
        .collect())
}

/// Records what the channel did with an outgoing message.
pub async fn set_delivery(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: MessageId,
    status: DeliveryStatus,
    error: Option<&str>,
    external_id: Option<&str>,
) -> StoreResult<()> {
    let mut q = message::Entity::update_many()
        .col_expr(message::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            message::Column::Error,
            Expr::value(error.map(str::to_owned)),
        );
    if let Some(ext) = external_id {
        q = q.col_expr(message::Column::ExternalId, Expr::value(ext.to_owned()));
    }
    let res = q
        .filter(message::Column::OrgId.eq(scope.uuid()))
        .filter(message::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Moves every entry of `from` into `into` (merging two conversations).
pub async fn move_all(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    from: ConversationId,
    into: ConversationId,
) -> StoreResult<u64> {
    Ok(message::Entity::update_many()
        .col_expr(message::Column::ConversationId, Expr::value(into.as_uuid()))
        .filter(message::Column::OrgId.eq(scope.uuid()))
        .filter(message::Column::ConversationId.eq(from.as_uuid()))
        .exec(db)
        .await?
        .rows_affected)
}

/// Claims an inbound idempotency key for `message` in the caller's transaction. `false` means
/// the key was already claimed (by a committed transaction, or by a concurrent one that then
/// committed: PostgreSQL makes this insert wait for it), so the caller must not store anything.
pub async fn claim_receipt(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    key: &IdempotencyKey,
    message: MessageId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let sql = "INSERT INTO inbound_receipts (org_id, inbox_id, key, message_id, created_at) \
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
    let res = db
        .execute_raw(stmt(
            db,
            sql,
            vec![
                scope.uuid().into(),
                inbox.as_uuid().into(),
                key.as_str().into(),
                message.as_uuid().into(),
                now.into(),
            ],
        ))
        .await?;
    Ok(res.rows_affected() == 1)
}

/// The message an inbound idempotency key produced.
pub async fn receipt(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    key: &IdempotencyKey,
) -> StoreResult<Option<MessageId>> {
    let sql = "SELECT message_id FROM inbound_receipts \
               WHERE org_id = $1 AND inbox_id = $2 AND key = $3";
    let row = db
        .query_one_raw(stmt(
            db,
            sql,
            vec![
                scope.uuid().into(),
                inbox.as_uuid().into(),
                key.as_str().into(),
            ],
        ))
        .await?;
    Ok(match row {
        Some(r) => Some(MessageId::from_uuid(r.try_get("", "message_id")?)),
        None => None,
    })
}

/// Moves one entry to another conversation (splitting it out).
pub async fn move_one(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: MessageId,
    into: ConversationId,
) -> StoreResult<()> {
    let res = message::Entity::update_many()
        .col_expr(message::Column::ConversationId, Expr::value(into.as_uuid()))
        .filter(message::Column::OrgId.eq(scope.uuid()))
        .filter(message::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The conversations of `inbox` holding messages with these channel ids (an email's parents),
/// as (channel id, conversation) pairs. At most 100 ids are looked up.
pub async fn conversations_by_external(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    ids: &[String],
) -> StoreResult<Vec<(String, ConversationId)>> {
    let ids = &ids[..ids.len().min(100)];
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = (0..ids.len())
        .map(|i| format!("${}", i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT m.external_id, m.conversation_id FROM messages m \
         JOIN conversations c ON c.id = m.conversation_id AND c.org_id = m.org_id \
         WHERE m.org_id = $1 AND c.inbox_id = $2 AND m.external_id IN ({list})"
    );
    let mut values: Vec<sea_orm::Value> = vec![scope.uuid().into(), inbox.as_uuid().into()];
    values.extend(ids.iter().map(|i| i.clone().into()));
    let rows = db.query_all_raw(stmt(db, &sql, values)).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "external_id")?,
                ConversationId::from_uuid(r.try_get("", "conversation_id")?),
            ))
        })
        .collect()
}

/// The conversation's latest message from the customer, if any.
pub async fn latest_incoming(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
) -> StoreResult<Option<MessageRecord>> {
    Ok(message::Entity::find()
        .filter(message::Column::OrgId.eq(scope.uuid()))
        .filter(message::Column::ConversationId.eq(conversation.as_uuid()))
        .filter(message::Column::Kind.eq(MessageKind::Message.as_str()))
        .filter(message::Column::Direction.eq(Direction::Incoming.as_str()))
        .order_by_desc(message::Column::CreatedAt)
        .order_by_desc(message::Column::Id)
        .one(db)
        .await?
        .map(Into::into))
}
