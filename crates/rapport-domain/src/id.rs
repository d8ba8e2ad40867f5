//! Typed identifiers. Every id is a UUIDv7 (time-ordered, so b-tree inserts stay local) wrapped
//! in a newtype so an `OrgId` can never be passed where a `UserId` is expected.

use std::fmt;
use std::str::FromStr;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            /// Wraps an existing UUID (from storage or a request path).
            pub const fn from_uuid(uuid: uuid::Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                        utoipa::openapi::schema::KnownFormat::Uuid,
                    )))
                    .description(Some(concat!(stringify!($name), " (UUIDv7)")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

uuid_id!(
    /// An organization (workspace, tenant).
    OrgId
);
uuid_id!(
    /// A person who signs in to Rapport.
    UserId
);
uuid_id!(
    /// A signed-in browser or API session.
    SessionId
);
uuid_id!(
    /// A domain event in the outbox.
    EventId
);
uuid_id!(
    /// A job in the durable queue.
    JobId
);
uuid_id!(
    /// A custom role defined by an org.
    RoleId
);
uuid_id!(
    /// A team of members within an org.
    TeamId
);
uuid_id!(
    /// A pending invitation to join an org.
    InvitationId
);
uuid_id!(
    /// A personal API token.
    TokenId
);
uuid_id!(
    /// One entry of the audit log.
    AuditId
);
uuid_id!(
    /// A registered WebAuthn security key or passkey.
    CredentialId
);
uuid_id!(
    /// A person an org does business with (a customer, lead, prospect).
    ContactId
);
uuid_id!(
    /// An organization a contact works for.
    CompanyId
);
uuid_id!(
    /// A sales pipeline.
    PipelineId
);
uuid_id!(
    /// A stage of a pipeline.
    StageId
);
uuid_id!(
    /// A deal (opportunity) in a pipeline.
    DealId
);
uuid_id!(
    /// A note attached to a CRM record.
    NoteId
);
uuid_id!(
    /// A task (to-do) with a due date and an assignee.
    TaskId
);
uuid_id!(
    /// One entry of a record's activity timeline.
    ActivityId
);
uuid_id!(
    /// A custom field definition.
    CustomFieldId
);
uuid_id!(
    /// A saved segment (a named filter over a list).
    SegmentId
);
uuid_id!(
    /// An in-app notification for one user.
    NotificationId
);
uuid_id!(
    /// An uploaded CSV or vCard import.
    ImportId
);

uuid_id!(
    /// An inbox: one channel account (an API channel, a mailbox, a chat widget …).
    InboxId
);
uuid_id!(
    /// A conversation with one contact in one inbox.
    ConversationId
);
uuid_id!(
    /// One message (or private note, or activity line) of a conversation.
    MessageId
);
uuid_id!(
    /// A file attached to a message (or uploaded and not yet attached).
    AttachmentId
);
uuid_id!(
    /// A canned response (saved reply) agents insert into the composer.
    CannedResponseId
);
uuid_id!(
    /// An automation rule.
    AutomationRuleId
);
uuid_id!(
    /// One entry of an automation rule's execution log.
    AutomationRunId
);
uuid_id!(
    /// An SLA policy.
    SlaPolicyId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_time_ordered_v7() {
        let a = OrgId::new();
        let b = OrgId::new();
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a < b, "v7 ids sort by creation time");
    }

    #[test]
    fn ids_round_trip_through_strings() {
        let id = UserId::new();
        assert_eq!(id.to_string().parse::<UserId>().ok(), Some(id));
        assert!("not-a-uuid".parse::<UserId>().is_err());
    }
}
