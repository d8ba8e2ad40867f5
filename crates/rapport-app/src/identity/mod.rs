//! Organizations and people: members and their roles, invitations, custom roles, teams, org
//! settings, the access review, and operator commands that start from nothing.

pub mod access_review;
pub mod invitations;
pub mod members;
pub mod operator;
pub mod profile;
pub mod roles;
pub mod settings;
pub mod teams;

use crate::authz::Actor;
use crate::error::{AppError, AppResult};
use rapport_domain::{DomainError, PermissionSet, Role};

/// Refuses a grant the actor could not hold themselves (no escalation through roles), and
/// any change to the owner role by a non-owner.
pub(crate) fn check_grant(actor: &Actor, role: Role, permissions: PermissionSet) -> AppResult<()> {
    if role == Role::Owner && actor.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    if !actor.access.permissions.is_superset(permissions) {
        return Err(DomainError::Invalid {
            field: "permissions",
            reason: "you cannot grant permissions you do not hold yourself",
        }
        .into());
    }
    Ok(())
}
