//! Teams: groups of members (routing and reports use them later).

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{Permission, TeamId, UserId, bounded_text};
use rapport_store::repo::teams::{self, TeamRecord};

fn name_taken(e: rapport_store::StoreError) -> AppError {
    match e {
        rapport_store::StoreError::Conflict(_) => {
            AppError::Conflict("a team with this name already exists".into())
        }
        other => other.into(),
    }
}

fn description(raw: &str) -> AppResult<String> {
    if raw.trim().is_empty() {
        Ok(String::new())
    } else {
        Ok(bounded_text("description", raw, 280)?)
    }
}

impl App {
    /// The org's teams (for those who manage members).
    pub async fn teams(&self, actor: &Actor) -> AppResult<Vec<TeamRecord>> {
        actor.require(Permission::MembersManage)?;
        Ok(teams::list(self.db().conn(), actor.scope()).await?)
    }

    /// Creates a team, optionally with members.
    pub async fn create_team(
        &self,
        actor: &Actor,
        name: &str,
        desc: &str,
        members: &[UserId],
    ) -> AppResult<TeamRecord> {
        actor.require(Permission::MembersManage)?;
        let name = bounded_text("name", name, 64)?;
        let desc = description(desc)?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let team = teams::insert(&txn, actor.scope(), &name, &desc, now)
            .await
            .map_err(name_taken)?;
        for user in members {
            teams::add_member(&txn, actor.scope(), team.id, *user, now).await?;
        }
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("team.created", "team", team.id)
                .with(serde_json::json!({ "name": name, "members": members })),
        )
        .await?;
        txn.commit().await?;
        Ok(teams::get(self.db().conn(), actor.scope(), team.id).await?)
    }

    /// Renames a team.
    pub async fn update_team(
        &self,
        actor: &Actor,
        id: TeamId,
        name: &str,
        desc: &str,
    ) -> AppResult<()> {
        actor.require(Permission::MembersManage)?;
        let name = bounded_text("name", name, 64)?;
        let desc = description(desc)?;
        let txn = self.db().begin().await?;
        teams::update(&txn, actor.scope(), id, &name, &desc, self.clock().now())
            .await
            .map_err(name_taken)?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("team.updated", "team", id).with(serde_json::json!({ "name": name })),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Deletes a team.
    pub async fn delete_team(&self, actor: &Actor, id: TeamId) -> AppResult<()> {
        actor.require(Permission::MembersManage)?;
        let txn = self.db().begin().await?;
        teams::delete(&txn, actor.scope(), id).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("team.deleted", "team", id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Adds a member to a team, or takes them off.
    pub async fn set_team_member(
        &self,
        actor: &Actor,
        team: TeamId,
        user: UserId,
        member: bool,
    ) -> AppResult<()> {
        actor.require(Permission::MembersManage)?;
        let txn = self.db().begin().await?;
        let (action, result) = if member {
            let r = teams::add_member(&txn, actor.scope(), team, user, self.clock().now()).await;
            ("team.member_added", r)
        } else {
            (
                "team.member_removed",
                teams::remove_member(&txn, actor.scope(), team, user).await,
            )
        };
        match result {
            Ok(()) => {}
            Err(rapport_store::StoreError::Conflict(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new(action, "team", team).with(serde_json::json!({ "user": user })),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
