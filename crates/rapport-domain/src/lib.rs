//! Rapport's domain layer: the vocabulary every other crate speaks.
//!
//! It owns identifiers (UUIDv7 newtypes), value types that validate on construction
//! (`Email::parse`, `OrgName::parse`), the role and permission model, domain events and the clock. It performs
//! no IO: storage, HTTP and jobs live in the crates above it.

pub mod clock;
pub mod crm;
pub mod email;
pub mod error;
pub mod event;
pub mod id;
pub mod inbox;
pub mod org;
pub mod permission;
pub mod person;
pub mod role;

pub use clock::{Clock, ManualClock, SystemClock};
pub use email::Email;
pub use error::{DomainError, bounded_text};
pub use event::{DomainEvent, EventKind};
pub use id::{
    ActivityId, AttachmentId, AuditId, AutomationRuleId, AutomationRunId, CannedResponseId,
    CompanyId, ContactId, ConversationId, CredentialId, CustomFieldId, DealId, EventId, ImportId,
    InboxId, InvitationId, JobId, MessageId, NoteId, NotificationId, OrgId, PipelineId, RoleId,
    SegmentId, SessionId, SlaPolicyId, StageId, TaskId, TeamId, TokenId, UserId,
};
pub use org::{OrgName, OrgSlug};
pub use permission::{Permission, PermissionSet};
pub use person::{DisplayName, Password, TimeZoneName};
pub use role::Role;
