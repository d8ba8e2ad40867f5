//! Authorization: who is acting, in which org, with which role — and the only place an
//! `OrgScope` is built.

use crate::error::{AppError, AppResult};
use rapport_domain::{OrgId, Role, SessionId, UserId};
use rapport_store::OrgScope;

/// A signed-in person acting within one organization. Built only from a verified session
/// whose membership was checked at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// The org they are working in.
    pub org_id: OrgId,
    /// Their role there.
    pub role: Role,
    /// The session that authenticated them.
    pub session_id: SessionId,
    /// Their IANA time zone (for rendering).
    pub time_zone: String,
    /// Their locale.
    pub locale: String,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
}

impl Actor {
    /// The scope for this actor's org. Membership was verified when the actor was built.
    #[allow(clippy::disallowed_methods)] // the one sanctioned construction site
    pub fn scope(&self) -> OrgScope {
        OrgScope::assume_authorized(self.org_id)
    }

    /// Requires a role that may administer the org.
    pub fn require_admin(&self) -> AppResult<()> {
        if self.role.can_administer() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// A scope for system work that acts on behalf of an org without a person (setup creating the
/// org it then owns, demo seeding, jobs carrying an org id).
#[allow(clippy::disallowed_methods)] // system actors are authorized by construction
pub(crate) fn system_scope(org_id: OrgId) -> OrgScope {
    OrgScope::assume_authorized(org_id)
}
