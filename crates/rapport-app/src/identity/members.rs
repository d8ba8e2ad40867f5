//! Members of an org: listing, role changes and removal, with the rules that keep an org
//! governable (at least one owner; only owners touch ownership; no privilege escalation).

use super::check_grant;
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{Permission, Role, RoleId, UserId};
use rapport_store::repo::memberships::{self, MemberRecord};
use rapport_store::repo::{api_tokens, roles};

impl App {
    /// The org's members.
    pub async fn members(&self, actor: &Actor) -> AppResult<Vec<MemberRecord>> {
        Ok(memberships::list(self.db().conn(), actor.scope()).await?)
    }

    /// Changes a member's built-in role and custom role.
    pub async fn change_member_role(
        &self,
        actor: &Actor,
        user: UserId,
        role: Role,
        custom_role: Option<RoleId>,
    ) -> AppResult<()> {
        actor.require(Permission::RolesManage)?;
        let conn = self.db().conn();
        let scope = actor.scope();
        let current = memberships::access_of(conn, actor.org_id, user)
            .await?
            .ok_or(AppError::NotFound)?;
        let granted = match custom_role {
            Some(id) => roles::get(conn, scope, id).await?.permissions,
            None => role.permissions(),
        };
        check_grant(actor, role, granted)?;
        if current.role == Role::Owner && actor.role != Role::Owner {
            return Err(AppError::Forbidden);
        }
        let txn = self.db().begin().await?;
        if current.role == Role::Owner
            && role != Role::Owner
            && memberships::count_with_role(&txn, scope, Role::Owner).await? <= 1
        {
            return Err(AppError::Conflict(
                "an organization needs at least one owner".into(),
            ));
        }
        let custom_role = if role == Role::Owner {
            None
        } else {
            custom_role
        };
        memberships::set_role(&txn, scope, user, role, custom_role, self.clock().now()).await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("member.role_changed", "user", user).with(serde_json::json!({
                "from": current.role.as_str(),
                "from_custom_role": current.custom_role.map(|(id, name)| serde_json::json!({"id": id, "name": name})),
                "to": role.as_str(),
                "to_custom_role": custom_role,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Removes a member: their sessions and tokens in this org end at once.
    pub async fn remove_member(&self, actor: &Actor, user: UserId) -> AppResult<()> {
        actor.require(Permission::MembersManage)?;
        let conn = self.db().conn();
        let scope = actor.scope();
        let current = memberships::access_of(conn, actor.org_id, user)
            .await?
            .ok_or(AppError::NotFound)?;
        if current.role == Role::Owner && actor.role != Role::Owner {
            return Err(AppError::Forbidden);
        }
        let txn = self.db().begin().await?;
        if current.role == Role::Owner
            && memberships::count_with_role(&txn, scope, Role::Owner).await? <= 1
        {
            return Err(AppError::Conflict(
                "an organization needs at least one owner".into(),
            ));
        }
        memberships::remove(&txn, scope, user).await?;
        for t in api_tokens::list_for_user(&txn, scope, user).await? {
            if t.revoked_at.is_none() {
                api_tokens::revoke(&txn, scope, user, t.id, self.clock().now()).await?;
            }
        }
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("member.removed", "user", user),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// A member to add directly (API and scripts): a new account is created with the given
/// password. Existing accounts are invited instead (joining is their decision).
#[derive(Debug, Clone)]
pub struct NewMember {
    /// Email.
    pub email: String,
    /// Display name (new accounts).
    pub name: Option<String>,
    /// Password (required for a new account; ignored for an existing one).
    pub password: Option<String>,
    /// Built-in role.
    pub role: Role,
    /// Custom role.
    pub custom_role: Option<RoleId>,
}

impl App {
    /// Adds a member without an invitation round trip.
    pub async fn add_member(&self, actor: &Actor, new: NewMember) -> AppResult<MemberRecord> {
        use rapport_domain::{DisplayName, Email, EventKind, Password, TimeZoneName};
        use rapport_store::outbox;
        use rapport_store::repo::users;
        actor.require(Permission::MembersManage)?;
        let email = Email::parse(&new.email)?;
        let conn = self.db().conn();
        let scope = actor.scope();
        let granted = match new.custom_role {
            Some(id) => roles::get(conn, scope, id).await?.permissions,
            None => new.role.permissions(),
        };
        super::check_grant(actor, new.role, granted)?;
        if users::find_for_login(conn, &email).await?.is_some() {
            // Joining an org is the person's decision: existing accounts get an invitation.
            return Err(AppError::Conflict(
                "an account with this email exists: invite it from the members page instead".into(),
            ));
        }
        let Some(password) = &new.password else {
            return Err(rapport_domain::DomainError::Empty { field: "password" }.into());
        };
        let hash = crate::auth::password::hash(Password::parse(password)?)
            .await
            .map_err(AppError::Internal)?;
        let name = DisplayName::parse(
            new.name
                .as_deref()
                .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("Member")),
        )?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let user = users::insert(
            &txn,
            users::NewUser {
                id: UserId::new(),
                email: &email,
                name: &name,
                password_hash: Some(hash),
                time_zone: &TimeZoneName::utc(),
                locale: "en",
            },
            now,
        )
        .await?
        .id;
        outbox::record(
            &txn,
            scope,
            EventKind::UserCreated,
            serde_json::json!({ "user_id": user }),
            now,
        )
        .await?;
        memberships::add(&txn, scope, user, new.role, new.custom_role, now)
            .await
            .map_err(|e| match e {
                rapport_store::StoreError::Conflict(_) => {
                    AppError::Conflict("this person is already a member".into())
                }
                other => other.into(),
            })?;
        outbox::record(
            &txn,
            scope,
            EventKind::MemberAdded,
            serde_json::json!({ "user_id": user, "role": new.role }),
            now,
        )
        .await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("member.added", "user", user).with(serde_json::json!({
                "email": email.as_str(), "role": new.role.as_str(), "custom_role": new.custom_role,
            })),
        )
        .await?;
        txn.commit().await?;
        memberships::list(conn, scope)
            .await?
            .into_iter()
            .find(|m| m.user.id == user)
            .ok_or(AppError::NotFound)
    }

    /// One member of the org.
    pub async fn member(&self, actor: &Actor, user: UserId) -> AppResult<MemberRecord> {
        memberships::list(self.db().conn(), actor.scope())
            .await?
            .into_iter()
            .find(|m| m.user.id == user)
            .ok_or(AppError::NotFound)
    }
}
