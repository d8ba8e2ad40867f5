//! Automatic assignment (Chatwoot's auto-assignment, Zendesk's omnichannel routing): when a
//! customer opens a conversation in an inbox that assigns (round-robin or least-loaded), the
//! ingest transaction picks a member among the inbox's team (or, without a team, everyone who
//! may reply) who is online and under their capacity, and assigns it like an agent would:
//! activity line ("Auto-assignment assigned this to Ben"), event, notification, follow. Members
//! set their own availability; admins set capacities.

use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use crate::inbox::conversations::Assignment;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::assignment::{AutoAssign, Availability, MAX_CAPACITY, pick};
use rapport_domain::{DomainError, Permission, UserId};
use rapport_store::repo::assignment;
pub use rapport_store::repo::assignment::Workload;
use rapport_store::repo::conversations::ConversationRecord;
use rapport_store::repo::inboxes::InboxRecord;
use rapport_store::repo::{memberships, teams};
use rapport_store::{DatabaseTransaction, OrgScope};

impl App {
    /// Assigns a conversation the ingest just opened, if its inbox assigns and someone can
    /// take it (in the ingest's transaction).
    pub(crate) async fn auto_assign(
        &self,
        txn: &DatabaseTransaction,
        scope: OrgScope,
        inbox: &InboxRecord,
        conv: &mut ConversationRecord,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let mode = AutoAssign::parse(&inbox.auto_assign).unwrap_or(AutoAssign::None);
        if mode == AutoAssign::None || conv.assignee_id.is_some() {
            return Ok(());
        }
        let eligible: Vec<UserId> = match inbox.team_id {
            Some(team) => teams::get(txn, scope, team).await?.members,
            None => memberships::list(txn, scope)
                .await?
                .into_iter()
                .filter(|m| {
                    m.access
                        .permissions
                        .contains(Permission::ConversationsReply)
                })
                .map(|m| m.user.id)
                .collect(),
        };
        let candidates = assignment::candidates(txn, scope, inbox.id, &eligible).await?;
        let Some(user) = pick(mode, &candidates) else {
            return Ok(());
        };
        let actor = Actor::auto_assignment(scope.org_id());
        let change = Assignment {
            assignee: Some(Some(user)),
            team: None,
        };
        self.change_assignment(txn, &actor, conv, change, now)
            .await?;
        assignment::touch(txn, scope, inbox.id, user, now).await?;
        Ok(())
    }

    /// The actor's own availability and capacity (any member).
    pub async fn my_workload(&self, actor: &Actor) -> AppResult<Workload> {
        Ok(assignment::workload_of(self.db().conn(), actor.scope(), actor.user_id).await?)
    }

    /// Sets the actor's own availability (any member): only `online` members get new
    /// conversations.
    pub async fn set_availability(
        &self,
        actor: &Actor,
        availability: Availability,
    ) -> AppResult<Workload> {
        let db = self.db().conn();
        assignment::set_availability(db, actor.scope(), actor.user_id, availability).await?;
        Ok(assignment::workload_of(db, actor.scope(), actor.user_id).await?)
    }

    /// Sets a member's capacity, the most open conversations auto-assignment gives them
    /// (`None`: no limit; needs `members.manage`).
    pub async fn set_member_capacity(
        &self,
        actor: &Actor,
        user: UserId,
        capacity: Option<u32>,
    ) -> AppResult<Workload> {
        actor.require(Permission::MembersManage)?;
        if capacity.is_some_and(|c| c > MAX_CAPACITY) {
            return Err(DomainError::Invalid {
                field: "capacity",
                reason: "a capacity is at most 1000 open conversations",
            }
            .into());
        }
        let db = self.db().conn();
        assignment::set_capacity(db, actor.scope(), user, capacity).await?;
        Ok(assignment::workload_of(db, actor.scope(), user).await?)
    }
}
