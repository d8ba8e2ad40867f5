//! Saved views: named conversation filters in the inbox's folder pane. Any member who reads
//! conversations keeps their own; sharing one with the whole org takes `settings.manage`, as
//! does deleting a shared one that is not yours. A view names only its org's inboxes, teams and
//! members, and what it shows is still limited by what the viewer may read.

use super::conversations::{invalid, member_name};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::Permission;
use rapport_domain::inbox::view::{MAX_VIEWS_PER_MEMBER, ViewAssignee, ViewFilter, view_name};
use rapport_store::StoreError;
use rapport_store::repo::conversation_list::{AssigneeFilter, ConversationQuery};
use rapport_store::repo::saved_views::{self, ViewRecord};
use rapport_store::repo::{inboxes, teams};

/// A view to save.
#[derive(Debug, Clone)]
pub struct NewView {
    /// Its name.
    pub name: String,
    /// Shared with every member.
    pub shared: bool,
    /// What it shows.
    pub filter: ViewFilter,
}

/// The list query a view stands for, for `me` (a shared "mine" view shows each viewer theirs).
pub fn view_query(filter: &ViewFilter, me: rapport_domain::UserId) -> ConversationQuery {
    ConversationQuery {
        assignee: match filter.assignee {
            ViewAssignee::Anyone => AssigneeFilter::Any,
            ViewAssignee::Me => AssigneeFilter::User(me),
            ViewAssignee::Unassigned => AssigneeFilter::Unassigned,
            ViewAssignee::Member(u) => AssigneeFilter::User(u),
        },
        inbox: filter.inbox_id,
        team: filter.team_id,
        label: filter.label.clone(),
        min_priority: filter.min_priority,
        ..Default::default()
    }
}

fn gone(field: &'static str) -> impl FnOnce(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => invalid(field, "no such one in this organization"),
        other => other.into(),
    }
}

impl App {
    /// The views the actor sees: their own and the shared ones (needs `conversations.read`).
    pub async fn saved_views(&self, actor: &Actor) -> AppResult<Vec<ViewRecord>> {
        actor.require(Permission::ConversationsRead)?;
        Ok(saved_views::visible(self.db().conn(), actor.scope(), actor.user_id).await?)
    }

    /// The org's teams by name, for the inbox's team folders and filters (needs
    /// `conversations.read`).
    pub async fn conversation_teams(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<(rapport_domain::TeamId, String)>> {
        actor.require(Permission::ConversationsRead)?;
        Ok(teams::list(self.db().conn(), actor.scope())
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect())
    }

    /// One view the actor sees.
    pub async fn saved_view(&self, actor: &Actor, id: uuid::Uuid) -> AppResult<ViewRecord> {
        actor.require(Permission::ConversationsRead)?;
        Ok(saved_views::get_visible(self.db().conn(), actor.scope(), actor.user_id, id).await?)
    }

    /// Saves a view (needs `conversations.read`; a shared one `settings.manage`).
    pub async fn create_saved_view(&self, actor: &Actor, input: NewView) -> AppResult<ViewRecord> {
        actor.require(Permission::ConversationsRead)?;
        if input.shared {
            actor.require(Permission::SettingsManage)?;
        }
        let name = view_name(&input.name)?;
        let filter = input.filter.validate()?;
        let scope = actor.scope();
        let conn = self.db().conn();
        if let Some(inbox) = filter.inbox_id {
            inboxes::get(conn, scope, inbox)
                .await
                .map_err(gone("inbox_id"))?;
        }
        if let Some(team) = filter.team_id {
            teams::get(conn, scope, team)
                .await
                .map_err(gone("team_id"))?;
        }
        if let ViewAssignee::Member(user) = filter.assignee {
            member_name(conn, scope, user)
                .await
                .map_err(|_| invalid("assignee", "must be a member of this organization"))?;
        }
        if saved_views::count_own(conn, scope, actor.user_id).await? >= MAX_VIEWS_PER_MEMBER {
            return Err(AppError::Conflict(format!(
                "you keep at most {MAX_VIEWS_PER_MEMBER} views; delete one first"
            )));
        }
        let view = ViewRecord {
            id: uuid::Uuid::now_v7(),
            org_id: actor.org_id,
            user_id: actor.user_id,
            name,
            shared: input.shared,
            filter,
            created_at: self.clock().now(),
        };
        saved_views::insert(conn, scope, &view).await?;
        Ok(view)
    }

    /// Deletes a view: your own, or a shared one with `settings.manage`.
    pub async fn delete_saved_view(&self, actor: &Actor, id: uuid::Uuid) -> AppResult<()> {
        let view = self.saved_view(actor, id).await?;
        if view.user_id != actor.user_id {
            actor.require(Permission::SettingsManage)?;
        }
        Ok(saved_views::delete(self.db().conn(), actor.scope(), id).await?)
    }
}
