//! The stored records use cases return, re-exported so the web layer never names the store.

pub use rapport_store::repo::activities::ActivityRecord;
pub use rapport_store::repo::api_tokens::TokenRecord;
pub use rapport_store::repo::audit::AuditRow;
pub use rapport_store::repo::companies::{CompanyData, CompanyRecord, LinkedContact};
pub use rapport_store::repo::contacts::{
    CompanyLink, ContactData, ContactRecord, EmailRow, IdentityRow, PhoneRow,
};
pub use rapport_store::repo::crm_dupes::ContactSummary;
pub use rapport_store::repo::custom_fields::CustomFieldRecord;
pub use rapport_store::repo::deals::{DealRecord, HistoryRecord};
pub use rapport_store::repo::deals_board::{BoardFilter, Linked};
pub use rapport_store::repo::invitations::InvitationRecord;
pub use rapport_store::repo::memberships::{Access, MemberRecord};
pub use rapport_store::repo::mfa::CredentialRecord;
pub use rapport_store::repo::notifications::{NotificationCursor, NotificationRecord};
pub use rapport_store::repo::orgs::OrgRecord;
pub use rapport_store::repo::pipelines::{PipelineRecord, StageRecord};
pub use rapport_store::repo::record_deals::RecordDeal;
pub use rapport_store::repo::roles::RoleRecord;
pub use rapport_store::repo::tasks::{TaskRecord, TaskStatus};
pub use rapport_store::repo::teams::TeamRecord;
pub use rapport_store::repo::users::UserRecord;
