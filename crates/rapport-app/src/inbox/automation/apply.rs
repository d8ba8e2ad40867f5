//! A rule's actions, applied through the same conversation changes agents make (so activity
//! lines, events, notifications and followers come out the same), as the automation actor:
//! the thread says "Automation “VIP routing” set the priority to high". Notes and replies an
//! automation writes are the system's; a reply is queued for delivery like an agent's.

use super::runner::Queued;
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::inbox::activity;
use crate::inbox::conversations::{Assignment, StatusChange, member_name};
use crate::inbox::organize::LabelChange;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::automation::Action;
use rapport_domain::inbox::{ConversationStatus, Direction, MessageKind};
use rapport_domain::{CannedResponseId, ConversationId, UserId};
use rapport_store::repo::conversations::{self, ConversationRecord};
use rapport_store::repo::notifications::NewNotification;
use rapport_store::repo::{canned_responses, inboxes};
use rapport_store::{DatabaseTransaction, StoreError};
use serde_json::json;

/// A failed action for the run log: which one and why (an internal error is logged in full
/// and named only as such, like everywhere else).
fn failure(action: &str, e: &AppError) -> String {
    let why = match e {
        AppError::Invalid(errors) => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        AppError::InvalidFields(issues) => issues
            .iter()
            .map(|i| format!("{}: {}", i.field, i.message))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::Internal(detail) => {
            tracing::error!(action, error = %detail, "automation action failed");
            e.to_string()
        }
        other => other.to_string(),
    };
    format!("{action}: {why}")
}

impl App {
    /// Applies `actions` in order to the conversation: the names of those applied, or what
    /// failed in words for the run log.
    pub(super) async fn apply_actions(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        id: ConversationId,
        actions: &[Action],
        cause: &Queued,
        now: DateTime<Utc>,
    ) -> Result<Vec<&'static str>, String> {
        let mut conv = conversations::lock(txn, actor.scope(), id)
            .await
            .map_err(|e| failure("conversation", &e.into()))?;
        let mut done = Vec::with_capacity(actions.len());
        for action in actions {
            self.apply_one(txn, actor, &mut conv, action, cause, now)
                .await
                .map_err(|e| failure(action.name(), &e))?;
            done.push(action.name());
        }
        Ok(done)
    }

    async fn apply_one(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &mut ConversationRecord,
        action: &Action,
        cause: &Queued,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let assign = |assignee, team| Assignment { assignee, team };
        let status = |status, snooze_until| StatusChange {
            status,
            snooze_until,
        };
        match action {
            Action::AssignMember { user_id } => {
                let change = assign(Some(Some(*user_id)), None);
                self.change_assignment(txn, actor, conv, change, now).await
            }
            Action::AssignTeam { team_id } => {
                let change = assign(None, Some(Some(*team_id)));
                self.change_assignment(txn, actor, conv, change, now).await
            }
            Action::Unassign => {
                let change = assign(Some(None), None);
                self.change_assignment(txn, actor, conv, change, now).await
            }
            Action::AddLabel { label } => {
                let change = LabelChange {
                    add: vec![label.clone()],
                    ..Default::default()
                };
                self.change_labels(txn, actor, conv, &change, now).await
            }
            Action::RemoveLabel { label } => {
                let change = LabelChange {
                    remove: vec![label.clone()],
                    ..Default::default()
                };
                self.change_labels(txn, actor, conv, &change, now).await
            }
            Action::SetPriority { priority } => {
                self.change_priority(txn, actor, conv, *priority, now).await
            }
            Action::SetStatus { status: s } => {
                self.change_status(txn, actor, conv, status(*s, None), now)
                    .await
            }
            Action::Snooze { minutes } => {
                let until = now + chrono::Duration::minutes(i64::from(*minutes));
                let change = status(ConversationStatus::Snoozed, Some(until));
                self.change_status(txn, actor, conv, change, now).await
            }
            Action::AddNote { text } => self
                .write_entry(txn, actor, conv, MessageKind::Note, text.clone(), now)
                .await
                .map(|_| ()),
            Action::SendCannedResponse { canned_response_id } => {
                self.send_canned(txn, actor, conv, *canned_response_id, now)
                    .await
            }
            Action::Notify { user_id, message } => {
                self.notify_member(txn, actor, conv, *user_id, message, now)
                    .await
            }
            Action::CallWebhook { url } => self.queue_webhook(txn, actor, conv, url, cause).await,
        }
    }

    /// Stores a note or a reply written by the automation.
    async fn write_entry(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &mut ConversationRecord,
        kind: MessageKind,
        body: String,
        now: DateTime<Utc>,
    ) -> AppResult<rapport_store::repo::messages::MessageRecord> {
        let scope = actor.scope();
        let sender = activity::sender_of(actor);
        let mut m = activity::entry(conv, kind, Direction::Outgoing, sender, body, now);
        if let Some(rule) = actor.automation_rule() {
            m.metadata = json!({ "automation": { "rule_id": rule, "name": actor.name } });
        }
        activity::apply(conv, &m);
        activity::save(txn, scope, conv).await?;
        activity::store(txn, scope, conv, &m).await?;
        Ok(m)
    }

    async fn send_canned(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &mut ConversationRecord,
        id: CannedResponseId,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let scope = actor.scope();
        // Auto-replies, bounces and list mail are never answered automatically: two
        // responders answering each other would loop, and a list would hear from us.
        let last = rapport_store::repo::messages::latest_incoming(txn, scope, conv.id).await?;
        if last.is_some_and(|m| !m.metadata["email"]["automated"].is_null()) {
            return Err(AppError::Conflict(
                "not sent: the customer's latest message is automated mail (an auto-reply, a bounce or list mail), which is never answered automatically".into(),
            ));
        }
        let canned = match canned_responses::get(txn, scope, id).await {
            Err(StoreError::NotFound) => {
                return Err(AppError::Conflict("the canned response was deleted".into()));
            }
            other => other?,
        };
        if canned.inbox_id.is_some_and(|i| i != conv.inbox_id) {
            return Err(AppError::Conflict(
                "the canned response is kept for another inbox".into(),
            ));
        }
        let inbox = inboxes::get(txn, scope, conv.inbox_id).await?;
        let text = self
            .fill_canned(txn, scope, conv, inbox.name, &canned, None)
            .await?;
        let m = self
            .write_entry(txn, actor, conv, MessageKind::Message, text, now)
            .await?;
        self.enqueue_delivery(txn, actor.org_id, m.id).await
    }

    async fn notify_member(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &ConversationRecord,
        user: UserId,
        message: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let scope = actor.scope();
        member_name(txn, scope, user).await?;
        let title = format!("{} · conversation #{}", actor.name, conv.number);
        let link = format!("/inbox/conversations/{}", conv.id);
        self.tell_member(
            txn,
            scope,
            &NewNotification {
                user,
                kind: "automation.notify",
                title: &title,
                body: message,
                link: Some(&link),
            },
            now,
        )
        .await?;
        Ok(())
    }
}
