//! Named permissions and the sets built-in and custom roles grant. Checks happen in the app
//! layer (`Actor::require`), never in HTTP handlers.

use crate::role::Role;
use std::fmt;

macro_rules! permissions {
    ($($(#[$meta:meta])* $variant:ident = $name:literal, $area:literal;)+) => {
        /// One thing a member may be allowed to do. The dotted string is stable: custom roles
        /// store it and API clients send it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Permission {
            $($(#[$meta])* $variant,)+
        }

        impl Permission {
            /// Every permission, in display order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)+];

            /// The stable dotted name (`contacts.read`).
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)+ }
            }

            /// The area it belongs to, for grouping in the UI (`contacts`).
            pub fn area(self) -> &'static str {
                match self { $(Self::$variant => $area,)+ }
            }
        }
    };
}

permissions! {
    /// See contacts and companies.
    ContactsRead = "contacts.read", "crm";
    /// Create, edit and delete contacts and companies.
    ContactsWrite = "contacts.write", "crm";
    /// See deals and pipelines.
    DealsRead = "deals.read", "crm";
    /// Create, edit and move deals; manage pipelines.
    DealsWrite = "deals.write", "crm";
    /// See conversations in the inboxes the member can access.
    ConversationsRead = "conversations.read", "inbox";
    /// Reply to customers and add private notes.
    ConversationsReply = "conversations.reply", "inbox";
    /// Assign conversations to members and teams.
    ConversationsAssign = "conversations.assign", "inbox";
    /// Edit the knowledge base.
    KnowledgeWrite = "kb.write", "inbox";
    /// See reports and analytics.
    ReportsRead = "reports.read", "insights";
    /// Export data (CSV, ZIP).
    DataExport = "data.export", "insights";
    /// Invite and remove members, manage teams.
    MembersManage = "members.manage", "admin";
    /// Create and change roles, and who holds them.
    RolesManage = "roles.manage", "admin";
    /// Change org settings (security, channels, integrations).
    SettingsManage = "settings.manage", "admin";
    /// Handle data-subject requests, retention and legal holds.
    PrivacyManage = "privacy.manage", "admin";
    /// Read and export the audit log and the access review.
    AuditRead = "audit.read", "admin";
    /// See and retry background jobs.
    SystemManage = "system.manage", "admin";
}

impl Permission {
    /// Parses a dotted name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == s)
    }

    fn bit(self) -> u64 {
        1u64 << (self as u8)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of permissions (a bitset: checks are a mask test on every request).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PermissionSet(u64);

impl PermissionSet {
    /// No permissions.
    pub const fn empty() -> Self {
        Self(0)
    }

    /// Every permission.
    pub fn all() -> Self {
        Self::from_iter(Permission::ALL.iter().copied())
    }

    /// Whether `p` is in the set.
    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    /// Adds `p`.
    pub fn insert(&mut self, p: Permission) {
        self.0 |= p.bit();
    }

    /// Whether every permission of `other` is in `self`.
    pub fn is_superset(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The permissions in display order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }

    /// Number of permissions in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The storage form: dotted names joined by spaces, in display order.
    pub fn to_storage(self) -> String {
        self.iter()
            .map(Permission::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Parses names separated by spaces or commas. Unknown names are returned as the error.
    pub fn parse_list(s: &str) -> Result<Self, String> {
        let mut set = Self::empty();
        for name in s.split([' ', ',']).filter(|n| !n.is_empty()) {
            set.insert(Permission::parse(name).ok_or_else(|| name.to_owned())?);
        }
        Ok(set)
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut set = Self::empty();
        for p in iter {
            set.insert(p);
        }
        set
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Permission::as_str))
            .finish()
    }
}

impl Role {
    /// What the built-in role grants.
    pub fn permissions(self) -> PermissionSet {
        use Permission::*;
        match self {
            Role::Owner | Role::Admin => PermissionSet::all(),
            Role::Agent => [
                ContactsRead,
                ContactsWrite,
                DealsRead,
                DealsWrite,
                ConversationsRead,
                ConversationsReply,
                ConversationsAssign,
                KnowledgeWrite,
                ReportsRead,
            ]
            .into_iter()
            .collect(),
            Role::Viewer => [ContactsRead, DealsRead, ConversationsRead, ReportsRead]
                .into_iter()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
        }
        let mut names: Vec<_> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Permission::ALL.len());
        assert!(Permission::ALL.len() <= 64, "the set is a u64 bitset");
    }

    #[test]
    fn storage_form_round_trips_and_rejects_unknown_names() {
        let set: PermissionSet = [Permission::AuditRead, Permission::ContactsRead]
            .into_iter()
            .collect();
        assert_eq!(set.to_storage(), "contacts.read audit.read");
        assert_eq!(PermissionSet::parse_list(&set.to_storage()), Ok(set));
        assert_eq!(
            PermissionSet::parse_list("contacts.read, root.all"),
            Err("root.all".to_owned())
        );
    }

    #[test]
    fn built_in_roles_nest() {
        assert!(
            Role::Owner
                .permissions()
                .is_superset(Role::Admin.permissions())
        );
        assert!(
            Role::Admin
                .permissions()
                .is_superset(Role::Agent.permissions())
        );
        assert!(
            Role::Agent
                .permissions()
                .is_superset(Role::Viewer.permissions())
        );
        assert!(
            !Role::Viewer
                .permissions()
                .contains(Permission::ContactsWrite)
        );
        assert!(!Role::Agent.permissions().contains(Permission::AuditRead));
    }
}
