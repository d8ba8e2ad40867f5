//! Reading conversations (one, or a folder's page) and changing the fields agents change all
//! day: status (with snooze), priority, assignee and team. Each change is written with an
//! activity line in the thread and an outbox event; a new assignee is notified and follows.

use super::activity;
use crate::authz::Actor;
use crate::context::App;
use crate::crm::timeline::{decode_cursor, encode_cursor};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::event::EventKind;
use rapport_domain::inbox::{ConversationStatus, Priority};
use rapport_domain::{ConversationId, DomainError, Permission, TeamId, UserId};
use rapport_store::repo::conversation_links;
use rapport_store::repo::conversation_list::{self, ConversationQuery, ConversationRow};
use rapport_store::repo::conversations::{self, ConversationRecord};
use rapport_store::repo::notifications::NewNotification;
use rapport_store::repo::{contacts, teams, users};
use rapport_store::{DatabaseTransaction, OrgScope};
use serde_json::json;

/// The default page size.
pub const DEFAULT_PAGE: u64 = 25;
/// The largest page.
pub const MAX_PAGE: u64 = 100;

/// A page of a folder.
#[derive(Debug, Clone)]
pub struct ConversationPage {
    /// Rows, newest activity first.
    pub items: Vec<ConversationRow>,
    /// Where the next page starts (`None` on the last page).
    pub next_cursor: Option<String>,
}

/// One conversation with everything its page shows.
#[derive(Debug, Clone)]
pub struct ConversationDetail {
    /// The row the list shows (names, labels, read mark).
    pub row: ConversationRow,
    /// Members following it.
    pub followers: Vec<UserId>,
    /// Its latest satisfaction survey.
    pub csat: Option<rapport_store::repo::csat::SurveyRecord>,
}

/// A status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    /// The new status.
    pub status: ConversationStatus,
    /// For `snoozed`: until when (`None`: until the customer replies).
    pub snooze_until: Option<DateTime<Utc>>,
}

/// An assignment change (absent parts stay as they are; `Some(None)` clears).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Assignment {
    /// The member.
    pub assignee: Option<Option<UserId>>,
    /// The team.
    pub team: Option<Option<TeamId>>,
}

impl App {
    /// A page of conversations (needs `conversations.read`). `query.reader`, `after` and
    /// `limit` are set here: the reader is the actor, the position comes from `cursor`.
    pub async fn conversations(
        &self,
        actor: &Actor,
        mut query: ConversationQuery,
        cursor: Option<&str>,
        limit: Option<u64>,
    ) -> AppResult<ConversationPage> {
        actor.require(Permission::ConversationsRead)?;
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        query.reader = Some(actor.user_id);
        query.after = cursor
            .map(decode_cursor)
            .transpose()?
            .map(|(at, id)| (at, ConversationId::from_uuid(id)));
        query.limit = limit + 1;
        let mut items = conversation_list::page(self.db().conn(), actor.scope(), &query).await?;
        let next_cursor = if items.len() as u64 > limit {
            items.truncate(limit as usize);
            items
                .last()
                .map(|r| encode_cursor(r.record.last_activity_at, r.record.id.as_uuid()))
        } else {
            None
        };
        Ok(ConversationPage { items, next_cursor })
    }

    /// One conversation (needs `conversations.read`).
    pub async fn conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsRead)?;
        self.conversation_detail(self.db().conn(), actor, id).await
    }

    pub(crate) async fn conversation_detail(
        &self,
        db: &impl rapport_store::ConnectionTrait,
        actor: &Actor,
        id: ConversationId,
    ) -> AppResult<ConversationDetail> {
        let scope = actor.scope();
        let query = ConversationQuery {
            only: Some(id),
            reader: Some(actor.user_id),
            limit: 1,
            ..Default::default()
        };
        let row = conversation_list::page(db, scope, &query)
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
        let followers = conversation_links::followers(db, scope, id).await?;
        let csat = rapport_store::repo::csat::for_conversation(db, scope, id)
            .await?
            .into_iter()
            .next();
        Ok(ConversationDetail {
            row,
            followers,
            csat,
        })
    }

    /// Changes the status (needs `conversations.reply`). Snoozing until a time needs a time in
    /// the future.
    pub async fn set_conversation_status(
        &self,
        actor: &Actor,
        id: ConversationId,
        change: StatusChange,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsReply)?;
        let now = self.clock().now();
        check_status(change, now)?;
        let txn = self.db().begin().await?;
        let mut conv = conversations::lock(&txn, actor.scope(), id).await?;
        self.change_status(&txn, actor, &mut conv, change, now)
            .await?;
        let detail = self.conversation_detail(&txn, actor, id).await?;
        txn.commit().await?;
        Ok(detail)
    }

    pub(crate) async fn change_status(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &mut ConversationRecord,
        change: StatusChange,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let before = conv.status;
        if before == change.status && conv.snoozed_until == change.snooze_until {
            return Ok(());
        }
        conv.status = change.status;
        conv.snoozed_until = match change.status {
            ConversationStatus::Snoozed => change.snooze_until,
            _ => None,
        };
        if matches!(
            change.status,
            ConversationStatus::Resolved | ConversationStatus::Closed
        ) {
            conv.resolved_at = Some(now);
            conv.waiting_since = None;
        }
        let line = activity::line_by(
            actor,
            conv,
            "status_changed",
            json!({ "from": before, "to": change.status, "until": conv.snoozed_until }),
            format!("{} set the status to {}", actor.name, change.status),
            now,
        );
        let scope = actor.scope();
        let conversation_id = conv.id;
        activity::record(
            txn,
            scope,
            conv,
            line,
            EventKind::ConversationUpdated,
            json!({ "conversation_id": conversation_id, "changes": { "status": [before, change.status] } }),
        )
        .await?;
        if change.status == ConversationStatus::Resolved {
            self.send_csat(txn, scope, conv, now).await?;
        }
        Ok(())
    }

    /// Changes the priority (needs `conversations.reply`).
    pub async fn set_conversation_priority(
        &self,
        actor: &Actor,
        id: ConversationId,
        priority: Priority,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsReply)?;
        let now = self.clock().now();
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let mut conv = conversations::lock(&txn, scope, id).await?;
        self.change_priority(&txn, actor, &mut conv, priority, now)
            .await?;
        let detail = self.conversation_detail(&txn, actor, id).await?;
        txn.commit().await?;
        Ok(detail)
    }

    pub(crate) async fn change_priority(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &mut ConversationRecord,
        priority: Priority,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let before = conv.priority;
        if before == priority {
            return Ok(());
        }
        conv.priority = priority;
        let line = activity::line_by(
            actor,
            conv,
            "priority_changed",
            json!({ "from": before, "to": priority }),
            format!("{} set the priority to {priority}", actor.name),
            now,
        );
        let id = conv.id;
        activity::record(
            txn,
            actor.scope(),
            conv,
            line,
            EventKind::ConversationUpdated,
            json!({ "conversation_id": id, "changes": { "priority": [before, priority] } }),
        )
        .await
    }

    /// Assigns a member and/or a team (needs `conversations.assign`). The member must belong
    /// to the org; they are notified (unless they assigned themselves) and follow it.
    pub async fn assign_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
        change: Assignment,
    ) -> AppResult<ConversationDetail> {
        actor.require(Permission::ConversationsAssign)?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let mut conv = conversations::lock(&txn, actor.scope(), id).await?;
        self.change_assignment(&txn, actor, &mut conv, change, now)
            .await?;
        let detail = self.conversation_detail(&txn, actor, id).await?;
        txn.commit().await?;
        Ok(detail)
    }

    pub(crate) async fn change_assignment(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &mut ConversationRecord,
        change: Assignment,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let scope = actor.scope();
        let (before_user, before_team) = (conv.assignee_id, conv.team_id);
        let assignee = change.assignee.unwrap_or(before_user);
        let team = change.team.unwrap_or(before_team);
        if assignee == before_user && team == before_team {
            return Ok(());
        }
        let assignee_name = match assignee {
            Some(u) => Some(member_name(txn, scope, u).await?),
            None => None,
        };
        let team_name = match team {
            Some(t) => Some(
                teams::get(txn, scope, t)
                    .await
                    .map_err(|_| invalid("team_id", "no such team in this organization"))?
                    .name,
            ),
            None => None,
        };
        conv.assignee_id = assignee;
        conv.team_id = team;
        let text = match (&assignee_name, &team_name) {
            (Some(u), _) if assignee != before_user => {
                format!("{} assigned this to {u}", actor.name)
            }
            (None, _) if assignee != before_user => format!("{} unassigned this", actor.name),
            (_, Some(t)) => format!("{} moved this to the team {t}", actor.name),
            (_, None) => format!("{} removed the team", actor.name),
        };
        let line = activity::line_by(
            actor,
            conv,
            "assigned",
            json!({
                "assignee_id": assignee, "assignee_name": assignee_name,
                "team_id": team, "team_name": team_name,
            }),
            text,
            now,
        );
        let conversation_id = conv.id;
        activity::record(
            txn,
            scope,
            conv,
            line,
            EventKind::ConversationAssigned,
            json!({
                "conversation_id": conversation_id,
                "assignee_id": assignee, "previous_assignee_id": before_user,
                "team_id": team, "previous_team_id": before_team,
            }),
        )
        .await?;
        if let Some(u) = assignee.filter(|u| Some(*u) != before_user) {
            conversation_links::follow(txn, scope, conv.id, u, now).await?;
            if u != actor.user_id {
                let title = format!("Conversation #{} was assigned to you", conv.number);
                let body = format!("{} assigned it to you.", actor.name);
                let link = format!("/inbox/conversations/{}", conv.id);
                self.tell_member(
                    txn,
                    scope,
                    &NewNotification {
                        user: u,
                        kind: "conversation.assigned",
                        title: &title,
                        body: &body,
                        link: Some(&link),
                    },
                    now,
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// A field error.
pub(crate) fn invalid(field: &'static str, reason: &'static str) -> AppError {
    DomainError::Invalid { field, reason }.into()
}

pub(crate) fn check_status(change: StatusChange, now: DateTime<Utc>) -> AppResult<()> {
    match (change.status, change.snooze_until) {
        (ConversationStatus::Snoozed, Some(t)) if t <= now => {
            Err(invalid("snooze_until", "must be in the future"))
        }
        (s, Some(_)) if s != ConversationStatus::Snoozed => Err(invalid(
            "snooze_until",
            "only a snoozed conversation has a snooze time",
        )),
        _ => Ok(()),
    }
}

/// A member's name; someone outside the org is a field error on `assignee_id`.
pub(crate) async fn member_name(
    db: &impl rapport_store::ConnectionTrait,
    scope: OrgScope,
    user: UserId,
) -> AppResult<String> {
    if !contacts::is_member(db, scope, user).await? {
        return Err(invalid("assignee_id", "not a member of this organization"));
    }
    Ok(users::get(db, user).await?.name)
}
