//! Custom roles: named sets of permissions an org defines. Nobody can define or hand out a
//! role with permissions they do not hold themselves.

use super::check_grant;
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{DomainError, Permission, PermissionSet, Role, RoleId, bounded_text};
use rapport_store::repo::memberships;
use rapport_store::repo::roles::{self, RoleFields, RoleRecord};

/// A role definition as submitted.
#[derive(Debug, Clone)]
pub struct RoleInput {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Permission names.
    pub permissions: Vec<String>,
}

impl RoleInput {
    fn validate(self, actor: &Actor) -> AppResult<RoleFields> {
        let name = bounded_text("name", &self.name, 64)?;
        let description = if self.description.trim().is_empty() {
            String::new()
        } else {
            bounded_text("description", &self.description, 280)?
        };
        let permissions = PermissionSet::parse_list(&self.permissions.join(" ")).map_err(|_| {
            DomainError::Invalid {
                field: "permissions",
                reason: "contains an unknown permission",
            }
        })?;
        if permissions.is_empty() {
            return Err(DomainError::Empty {
                field: "permissions",
            }
            .into());
        }
        check_grant(actor, Role::Agent, permissions)?;
        Ok(RoleFields {
            name,
            description,
            permissions,
        })
    }
}

fn name_taken(e: rapport_store::StoreError) -> AppError {
    match e {
        rapport_store::StoreError::Conflict(_) => {
            AppError::Conflict("a role with this name already exists".into())
        }
        other => other.into(),
    }
}

impl App {
    /// The org's custom roles (for those who manage roles).
    pub async fn roles(&self, actor: &Actor) -> AppResult<Vec<RoleRecord>> {
        actor.require(Permission::RolesManage)?;
        Ok(roles::list(self.db().conn(), actor.scope()).await?)
    }

    /// Defines a role.
    pub async fn create_role(&self, actor: &Actor, input: RoleInput) -> AppResult<RoleRecord> {
        actor.require(Permission::RolesManage)?;
        let fields = input.validate(actor)?;
        let txn = self.db().begin().await?;
        let role = roles::insert(&txn, actor.scope(), fields, self.clock().now())
            .await
            .map_err(name_taken)?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("role.created", "role", role.id).with(serde_json::json!({
                "name": role.name, "permissions": role.permissions.to_storage(),
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(role)
    }

    /// Redefines a role (members holding it get the new permissions at their next request).
    pub async fn update_role(
        &self,
        actor: &Actor,
        id: RoleId,
        input: RoleInput,
    ) -> AppResult<RoleRecord> {
        actor.require(Permission::RolesManage)?;
        let fields = input.validate(actor)?;
        let before = roles::get(self.db().conn(), actor.scope(), id).await?;
        let txn = self.db().begin().await?;
        roles::update(&txn, actor.scope(), id, fields.clone(), self.clock().now())
            .await
            .map_err(name_taken)?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("role.updated", "role", id).with(serde_json::json!({
                "name": fields.name,
                "from": before.permissions.to_storage(),
                "to": fields.permissions.to_storage(),
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(roles::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// Deletes a role nobody holds.
    pub async fn delete_role(&self, actor: &Actor, id: RoleId) -> AppResult<()> {
        actor.require(Permission::RolesManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let role = roles::get(&txn, scope, id).await?;
        if memberships::count_with_custom_role(&txn, scope, id).await? > 0 {
            return Err(AppError::Conflict(
                "members still hold this role; give them another role first".into(),
            ));
        }
        roles::delete(&txn, scope, id).await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("role.deleted", "role", id)
                .with(serde_json::json!({ "name": role.name })),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
