//! Organizing conversations: labels, following, read marks, merging two conversations,
//! splitting a message out into its own, moving between inboxes, and bulk actions on a
//! selection (status, assignment, labels) in one transaction.

use super::activity;
use super::conversations::{Assignment, ConversationDetail, StatusChange, check_status, invalid};
use super::ingest::CONVERSATION_COUNTER;
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::event::EventKind;
use rapport_domain::inbox::{Label, MessageKind, label_set};
use rapport_domain::{ConversationId, InboxId, MessageId, Permission};
use rapport_store::repo::conversations::{self, ConversationRecord};
use rapport_store::repo::messages;
use rapport_store::repo::{conversation_links, inboxes};
use rapport_store::{DatabaseTransaction, outbox};
use serde_json::json;

/// The most conversations one bulk action changes.
pub const MAX_BULK: usize = 100;

/// A label change: replace the set, or add and remove.
#[derive(Debug, Clone, Default)]
pub struct LabelChange {
    /// The new set (replaces every label).
    pub set: Option<Vec<String>>,
    /// Labels to add.
    pub add: Vec<String>,
    /// Labels to remove.
    pub remove: Vec<String>,
}

/// What a bulk action does to each selected conversation.
#[derive(Debug, Clone, Default)]
pub struct BulkAction {
    /// New status.
    pub status: Option<StatusChange>,
    /// New assignee and/or team.
    pub assignment: Option<Assignment>,
    /// Labels to add and remove.
    pub labels: Option<LabelChange>,
}

/// What a bulk action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Conversations changed.
    pub updated: Vec<ConversationId>,
    /// Ids that are not conversations of this org.
    pub not_found: Vec<ConversationId>,
}

impl App {
    /// Changes a conversation's labels (needs `conversations.reply`).
    pub async fn label_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
        change: &LabelChange,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsReply)?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let mut conv = conversations::lock(&txn, actor.scope(), id).await?;
        self.change_labels(&txn, actor, &mut conv, change, now)
            .await?;
        let detail = self.conversation_detail(&txn, actor, id).await?;
        txn.commit().await?;
        Ok(detail)
    }

    pub(crate) async fn change_labels(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &mut ConversationRecord,
        change: &LabelChange,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let scope = actor.scope();
        let before = conversation_links::labels(txn, scope, conv.id).await?;
        let mut next: Vec<String> = change.set.clone().unwrap_or_else(|| before.clone());
        next.extend(change.add.iter().cloned());
        let remove: Vec<Label> = label_set(&change.remove)?;
        let mut labels = label_set(&next)?;
        labels.retain(|l| !remove.contains(l));
        let after: Vec<String> = labels.iter().map(|l| l.as_str().to_owned()).collect();
        if after == before {
            return Ok(());
        }
        conversation_links::set_labels(txn, scope, conv.id, &labels, conv.last_activity_at).await?;
        let added: Vec<&String> = after.iter().filter(|l| !before.contains(l)).collect();
        let removed: Vec<&String> = before.iter().filter(|l| !after.contains(l)).collect();
        let line = activity::line_by(
            actor,
            conv,
            "labels_changed",
            json!({ "added": added, "removed": removed }),
            format!("{} changed the labels to: {}", actor.name, after.join(", ")),
            now,
        );
        let conversation_id = conv.id;
        activity::record(
            txn,
            scope,
            conv,
            line,
            EventKind::ConversationUpdated,
            json!({ "conversation_id": conversation_id, "changes": { "labels": [before, after] } }),
        )
        .await?;
        Ok(())
    }

    /// The labels in use in the org, most used first (needs `conversations.read`).
    pub async fn conversation_labels(&self, actor: &Actor) -> AppResult<Vec<(String, i64)>> {
        actor.require(Permission::ConversationsRead)?;
        Ok(conversation_links::label_counts(self.db().conn(), actor.scope()).await?)
    }

    /// Follows or stops following a conversation (needs `conversations.read`).
    pub async fn follow_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
        follow: bool,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsRead)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        conversations::get(&txn, scope, id).await?;
        if follow {
            conversation_links::follow(&txn, scope, id, actor.user_id, self.clock().now()).await?;
        } else {
            conversation_links::unfollow(&txn, scope, id, actor.user_id).await?;
        }
        let detail = self.conversation_detail(&txn, actor, id).await?;
        txn.commit().await?;
        Ok(detail)
    }

    /// Marks the conversation read up to now for the actor (needs `conversations.read`).
    pub async fn mark_conversation_read(&self, actor: &Actor, id: ConversationId) -> AppResult<()> {
        actor.require(Permission::ConversationsRead)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        conversations::get(&txn, scope, id).await?;
        conversation_links::mark_read(&txn, scope, id, actor.user_id, self.clock().now()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Merges `from` into `into` (needs `conversations.reply`): every message, note, label and
    /// follower moves, and `from` is deleted; the thread records the merge.
    pub async fn merge_conversations(
        &self,
        actor: &Actor,
        into: ConversationId,
        from: ConversationId,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsReply)?;
        if into == from {
            return Err(invalid(
                "source_id",
                "a conversation cannot be merged into itself",
            ));
        }
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        // Lock in id order, so two opposite merges cannot deadlock.
        let (first, second) = if into < from {
            (into, from)
        } else {
            (from, into)
        };
        let a = conversations::lock(&txn, scope, first).await?;
        let b = conversations::lock(&txn, scope, second).await?;
        let (mut target, source) = if a.id == into { (a, b) } else { (b, a) };
        messages::move_all(&txn, scope, source.id, target.id).await?;
        conversation_links::move_all(&txn, scope, source.id, target.id).await?;
        conversations::delete(&txn, scope, source.id).await?;
        target.message_count += source.message_count;
        target.first_reply_at = min_some(target.first_reply_at, source.first_reply_at);
        target.last_incoming_at = target.last_incoming_at.max(source.last_incoming_at);
        if source.last_activity_at > target.last_activity_at {
            target.last_message_preview = source.last_message_preview.clone();
            target.waiting_since = source.waiting_since;
        }
        let line = activity::line_by(
            actor,
            &target,
            "merged",
            json!({ "number": source.number, "conversation_id": source.id }),
            format!(
                "{} merged conversation #{} into this one",
                actor.name, source.number
            ),
            now,
        );
        activity::record(
            &txn,
            scope,
            &mut target,
            line,
            EventKind::ConversationUpdated,
            json!({ "conversation_id": into, "changes": { "merged_from": source.id } }),
        )
        .await?;
        let detail = self.conversation_detail(&txn, actor, into).await?;
        txn.commit().await?;
        Ok(detail)
    }

    /// Splits a customer's message out into a new conversation of the same contact and inbox
    /// (needs `conversations.reply`); returns the new conversation.
    pub async fn split_message(
        &self,
        actor: &Actor,
        message: MessageId,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsReply)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let m = messages::get(&txn, scope, message).await?;
        if m.kind != MessageKind::Message {
            return Err(invalid(
                "message_id",
                "only messages can be split out, not notes or activity",
            ));
        }
        let mut old = conversations::lock(&txn, scope, m.conversation_id).await?;
        let number = conversations::next_counter(&txn, scope, CONVERSATION_COUNTER).await?;
        let mut new = ConversationRecord {
            id: ConversationId::new(),
            number,
            status: rapport_domain::inbox::ConversationStatus::Open,
            assignee_id: None,
            snoozed_until: None,
            last_message_preview: None,
            last_incoming_at: None,
            first_reply_at: None,
            waiting_since: None,
            resolved_at: None,
            message_count: 0,
            created_at: now,
            updated_at: now,
            ..old.clone()
        };
        activity::apply(&mut new, &m);
        new.last_activity_at = now;
        activity::insert(&txn, scope, &new).await?;
        messages::move_one(&txn, scope, m.id, new.id).await?;
        old.message_count = (old.message_count - 1).max(0);
        let facts = json!({ "message_id": m.id, "from": old.number, "to": new.number });
        let to_old = activity::line_by(
            actor,
            &old,
            "split",
            facts.clone(),
            format!(
                "{} split a message out into conversation #{}",
                actor.name, new.number
            ),
            now,
        );
        let to_new = activity::line_by(
            actor,
            &new,
            "split",
            facts,
            format!(
                "{} split this message out of conversation #{}",
                actor.name, old.number
            ),
            now,
        );
        activity::apply(&mut old, &to_old);
        activity::save(&txn, scope, &old).await?;
        activity::store(&txn, scope, &old, &to_old).await?;
        activity::store(&txn, scope, &new, &to_new).await?;
        outbox::record(
            &txn,
            scope,
            EventKind::ConversationCreated,
            json!({ "conversation_id": new.id, "inbox_id": new.inbox_id, "contact_id": new.contact_id, "split_from": old.id }),
            now,
        )
        .await?;
        let detail = self.conversation_detail(&txn, actor, new.id).await?;
        txn.commit().await?;
        Ok(detail)
    }

    /// Moves a conversation to another inbox of the org (needs `conversations.assign`).
    pub async fn move_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
        inbox: InboxId,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsAssign)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let mut conv = conversations::lock(&txn, scope, id).await?;
        let target = inboxes::get(&txn, scope, inbox)
            .await
            .map_err(|_| invalid("inbox_id", "no such inbox in this organization"))?;
        if conv.inbox_id != inbox {
            let from = conv.inbox_id;
            conv.inbox_id = inbox;
            let line = activity::line_by(
                actor,
                &conv,
                "moved",
                json!({ "from": from, "to": inbox, "inbox_name": target.name }),
                format!("{} moved this to the inbox {}", actor.name, target.name),
                now,
            );
            activity::record(
                &txn,
                scope,
                &mut conv,
                line,
                EventKind::ConversationUpdated,
                json!({ "conversation_id": id, "changes": { "inbox_id": [from, inbox] } }),
            )
            .await?;
        }
        let detail = self.conversation_detail(&txn, actor, id).await?;
        txn.commit().await?;
        Ok(detail)
    }

    /// Applies one action to up to [`MAX_BULK`] conversations in one transaction: all change
    /// or (on an invalid value) none do. Ids of other orgs are reported as not found.
    pub async fn bulk_update_conversations(
        &self,
        actor: &Actor,
        ids: &[ConversationId],
        action: &BulkAction,
    ) -> AppResult<BulkOutcome> {
        actor.require(Permission::ConversationsRead)?;
        if action.status.is_some() || action.labels.is_some() {
            actor.require(Permission::ConversationsReply)?;
        }
        if action.assignment.is_some() {
            actor.require(Permission::ConversationsAssign)?;
        }
        if ids.is_empty() || ids.len() > MAX_BULK {
            return Err(invalid("ids", "select between 1 and 100 conversations"));
        }
        if action.status.is_none() && action.assignment.is_none() && action.labels.is_none() {
            return Err(invalid(
                "action",
                "say what to change: status, assignee, team or labels",
            ));
        }
        let scope = actor.scope();
        let now = self.clock().now();
        if let Some(change) = action.status {
            check_status(change, now)?;
        }
        let mut sorted = ids.to_vec();
        sorted.sort();
        sorted.dedup();
        let txn = self.db().begin().await?;
        let mut outcome = BulkOutcome {
            updated: Vec::new(),
            not_found: Vec::new(),
        };
        for id in sorted {
            let mut conv = match conversations::lock(&txn, scope, id).await {
                Ok(c) => c,
                Err(rapport_store::StoreError::NotFound) => {
                    outcome.not_found.push(id);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if let Some(change) = action.status {
                self.change_status(&txn, actor, &mut conv, change, now)
                    .await?;
            }
            if let Some(change) = action.assignment {
                self.change_assignment(&txn, actor, &mut conv, change, now)
                    .await?;
            }
            if let Some(change) = &action.labels {
                self.change_labels(&txn, actor, &mut conv, change, now)
                    .await?;
            }
            outcome.updated.push(id);
        }
        txn.commit().await.map_err(AppError::from)?;
        Ok(outcome)
    }
}

fn min_some(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}
