//! Authorization: who is acting, in which org, with which permissions — and the only place an
//! `OrgScope` is built. Every use case checks a [`Permission`] here, never in HTTP handlers.

use crate::error::{AppError, AppResult};
use rapport_domain::{
    AutomationRuleId, OrgId, Permission, PermissionSet, Role, SessionId, TokenId, UserId,
};
use rapport_store::OrgScope;
pub use rapport_store::repo::memberships::Access;

/// Where a request came from, for the audit log and throttling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    /// Client IP address.
    pub ip: Option<String>,
    /// Browser or client user agent.
    pub user_agent: Option<String>,
}

/// How the actor proved who they are on this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A browser session cookie.
    Session(SessionId),
    /// An `Authorization: Bearer` API token.
    Token(TokenId),
    /// The server itself acting for a member it just created (`serve --demo` seeding the demo
    /// owner's records); never the result of a request.
    Seed,
    /// An automation rule applying its actions (see [`Actor::automation`]); never the result
    /// of a request.
    Automation(AutomationRuleId),
    /// Automatic assignment handing a new conversation to a member; never the result of a
    /// request.
    AutoAssign,
}

/// A signed-in person acting within one organization. Built only from a verified session or
/// token whose membership was checked at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// The org they are working in.
    pub org_id: OrgId,
    /// Their built-in role there.
    pub role: Role,
    /// Role, custom role and effective permissions (narrowed by a token's scopes).
    pub access: Access,
    /// Session or token.
    pub via: Via,
    /// Their IANA time zone (for rendering).
    pub time_zone: String,
    /// Their locale.
    pub locale: String,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Where the request came from.
    pub meta: RequestMeta,
}

impl Actor {
    /// The scope for this actor's org. Membership was verified when the actor was built.
    #[allow(clippy::disallowed_methods)] // the one sanctioned construction site
    pub fn scope(&self) -> OrgScope {
        OrgScope::assume_authorized(self.org_id)
    }

    /// Whether the actor holds `p`.
    pub fn can(&self, p: Permission) -> bool {
        self.access.permissions.contains(p)
    }

    /// Requires `p`, or `Forbidden`.
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Requires the right to see and act on system administration (jobs, dead letters).
    pub fn require_admin(&self) -> AppResult<()> {
        self.require(Permission::SystemManage)
    }

    /// The session id, when the actor came through a browser session.
    pub fn session_id(&self) -> Option<SessionId> {
        match self.via {
            Via::Session(id) => Some(id),
            Via::Token(_) | Via::Seed | Via::Automation(_) | Via::AutoAssign => None,
        }
    }

    /// The org's automation applying `rule`: every permission of the inbox, no person behind
    /// it (its user id is the nil id, which names nobody), and its changes are written as the
    /// system's with the rule's name.
    pub(crate) fn automation(org_id: OrgId, rule: AutomationRuleId, rule_name: &str) -> Self {
        Self {
            user_id: UserId::from_uuid(uuid::Uuid::nil()),
            org_id,
            role: Role::Owner,
            access: Access {
                role: Role::Owner,
                custom_role: None,
                permissions: PermissionSet::all(),
            },
            via: Via::Automation(rule),
            time_zone: "UTC".into(),
            locale: "en".into(),
            name: format!("Automation \u{201c}{rule_name}\u{201d}"),
            email: String::new(),
            meta: RequestMeta::default(),
        }
    }

    /// Automatic assignment (like [`Actor::automation`], without a rule).
    pub(crate) fn auto_assignment(org_id: OrgId) -> Self {
        let mut actor =
            Self::automation(org_id, AutomationRuleId::from_uuid(uuid::Uuid::nil()), "");
        actor.via = Via::AutoAssign;
        actor.name = "Auto-assignment".into();
        actor
    }

    /// Whether the server itself is acting (an automation rule, automatic assignment): no
    /// person, so entries are written as the system's, under the actor's name.
    pub fn is_system(&self) -> bool {
        matches!(self.via, Via::Automation(_) | Via::AutoAssign)
    }

    /// The rule, when an automation is acting.
    pub fn automation_rule(&self) -> Option<AutomationRuleId> {
        match self.via {
            Via::Automation(rule) => Some(rule),
            _ => None,
        }
    }

    /// Requires a browser session (actions that must not be scriptable with a token:
    /// changing one's password, MFA, creating tokens).
    pub fn require_session(&self) -> AppResult<SessionId> {
        self.session_id().ok_or(AppError::Forbidden)
    }
}

/// A scope for system work that acts on behalf of an org without a person (setup creating the
/// org it then owns, demo seeding, jobs carrying an org id, sign-in before an actor exists).
#[allow(clippy::disallowed_methods)] // system actors are authorized by construction
pub(crate) fn system_scope(org_id: OrgId) -> OrgScope {
    OrgScope::assume_authorized(org_id)
}
