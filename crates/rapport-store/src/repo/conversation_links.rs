//! What hangs off a conversation besides its messages: labels, followers (members told about
//! new messages) and each member's read mark (the unread state of the list).

use crate::entity::{conversation_follower, conversation_label, conversation_read};
use crate::error::StoreResult;
use crate::repo::raw::stmt;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::Label;
use rapport_domain::{ConversationId, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;

/// A conversation's labels, sorted.
pub async fn labels(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
) -> StoreResult<Vec<String>> {
    Ok(conversation_label::Entity::find()
        .filter(conversation_label::Column::OrgId.eq(scope.uuid()))
        .filter(conversation_label::Column::ConversationId.eq(conversation.as_uuid()))
        .order_by_asc(conversation_label::Column::Label)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.label)
        .collect())
}

/// Replaces a conversation's labels with `labels`; `last_activity_at` is the conversation's.
pub async fn set_labels(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
    labels: &[Label],
    last_activity_at: DateTime<Utc>,
) -> StoreResult<()> {
    conversation_label::Entity::delete_many()
        .filter(conversation_label::Column::OrgId.eq(scope.uuid()))
        .filter(conversation_label::Column::ConversationId.eq(conversation.as_uuid()))
        .exec(db)
        .await?;
    if labels.is_empty() {
        return Ok(());
    }
    conversation_label::Entity::insert_many(labels.iter().map(|l| {
        conversation_label::ActiveModel {
            conversation_id: Set(conversation.as_uuid()),
            label: Set(l.as_str().to_owned()),
            org_id: Set(scope.uuid()),
            last_activity_at: Set(Some(last_activity_at)),
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The labels in use in the org with how many conversations carry each, most used first.
pub async fn label_counts(
    db: &impl ConnectionTrait,
    scope: OrgScope,
) -> StoreResult<Vec<(String, i64)>> {
    let sql = "SELECT label, COUNT(*) AS n FROM conversation_labels WHERE org_id = $1 \
               GROUP BY label ORDER BY n DESC, label LIMIT 200";
    let rows = db
        .query_all_raw(stmt(db, sql, vec![scope.uuid().into()]))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "label")?, r.try_get("", "n")?)))
        .collect()
}

/// A conversation's followers.
pub async fn followers(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
) -> StoreResult<Vec<UserId>> {
    Ok(conversation_follower::Entity::find()
        .filter(conversation_follower::Column::OrgId.eq(scope.uuid()))
        .filter(conversation_follower::Column::ConversationId.eq(conversation.as_uuid()))
        .order_by_asc(conversation_follower::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|f| UserId::from_uuid(f.user_id))
        .collect())
}

/// Makes `user` a follower (no-op when they already are).
pub async fn follow(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "INSERT INTO conversation_followers (conversation_id, user_id, org_id, created_at) \
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    db.execute_raw(stmt(
        db,
        sql,
        vec![
            conversation.as_uuid().into(),
            user.as_uuid().into(),
            scope.uuid().into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Stops `user` following.
pub async fn unfollow(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
    user: UserId,
) -> StoreResult<()> {
    conversation_follower::Entity::delete_many()
        .filter(conversation_follower::Column::OrgId.eq(scope.uuid()))
        .filter(conversation_follower::Column::ConversationId.eq(conversation.as_uuid()))
        .filter(conversation_follower::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records that `user` has read the conversation up to `at`.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
    user: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "INSERT INTO conversation_reads (conversation_id, user_id, org_id, last_read_at) \
               VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id, user_id) \
               DO UPDATE SET last_read_at = excluded.last_read_at";
    db.execute_raw(stmt(
        db,
        sql,
        vec![
            conversation.as_uuid().into(),
            user.as_uuid().into(),
            scope.uuid().into(),
            at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// When `user` last read each of `conversations`.
pub async fn read_marks(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    conversations: &[ConversationId],
) -> StoreResult<HashMap<ConversationId, DateTime<Utc>>> {
    Ok(conversation_read::Entity::find()
        .filter(conversation_read::Column::OrgId.eq(scope.uuid()))
        .filter(conversation_read::Column::UserId.eq(user.as_uuid()))
        .filter(
            conversation_read::Column::ConversationId
                .is_in(conversations.iter().map(|c| c.as_uuid())),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|r| (ConversationId::from_uuid(r.conversation_id), r.last_read_at))
        .collect())
}

/// Moves labels, followers and read marks of `from` onto `into` (merging), keeping those
/// `into` already has.
pub async fn move_all(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    from: ConversationId,
    into: ConversationId,
) -> StoreResult<()> {
    for table in [
        "conversation_labels",
        "conversation_followers",
        "conversation_reads",
    ] {
        let key = if table == "conversation_labels" {
            "label"
        } else {
            "user_id"
        };
        let sql = format!(
            "UPDATE {table} SET conversation_id = $1 WHERE org_id = $2 AND conversation_id = $3 \
             AND {key} NOT IN (SELECT {key} FROM {table} WHERE conversation_id = $1)"
        );
        db.execute_raw(stmt(
            db,
            &sql,
            vec![
                into.as_uuid().into(),
                scope.uuid().into(),
                from.as_uuid().into(),
            ],
        ))
        .await?;
    }
    Ok(())
}
