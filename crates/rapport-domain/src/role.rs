//! Built-in roles. The permission model grows with the identity issue; the foundation needs
//! to know who may see system administration (jobs, dead letters).

/// A member's built-in role within one organization.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Created the org or was handed it; may do everything, including closing the org.
    Owner,
    /// Manages settings, members and system administration.
    Admin,
    /// Works conversations and CRM records.
    Agent,
    /// Reads, never writes.
    Viewer,
}

impl Role {
    /// The stable storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Agent => "agent",
            Self::Viewer => "viewer",
        }
    }

    /// Parses a storage name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "agent" => Some(Self::Agent),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    /// Whether this role may see and act on system administration (job queue, dead letters).
    pub fn can_administer(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_admin_rights() {
        for r in [Role::Owner, Role::Admin, Role::Agent, Role::Viewer] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert!(Role::Owner.can_administer());
        assert!(!Role::Agent.can_administer());
        assert_eq!(Role::parse("root"), None);
    }
}
