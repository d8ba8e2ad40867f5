//! Who may see and change the work on a record: a contact's or company's notes and timeline
//! need the contacts permissions, a deal's the deals permissions. Also the checks notes and
//! tasks share (the record exists in the org, the assignee is a member).

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::crm::RecordType;
use rapport_domain::{Permission, UserId};
use rapport_store::ConnectionTrait;
use rapport_store::repo::crm_records;

/// The permission to see a record of this type.
pub fn read_permission(t: RecordType) -> Permission {
    match t {
        RecordType::Contact | RecordType::Company => Permission::ContactsRead,
        RecordType::Deal => Permission::DealsRead,
    }
}

/// The permission to change a record of this type (and add notes to it).
pub fn write_permission(t: RecordType) -> Permission {
    match t {
        RecordType::Contact | RecordType::Company => Permission::ContactsWrite,
        RecordType::Deal => Permission::DealsWrite,
    }
}

impl App {
    /// `NotFound` unless the record exists in the actor's org.
    pub(crate) async fn require_record(
        &self,
        db: &impl ConnectionTrait,
        actor: &Actor,
        record: (RecordType, uuid::Uuid),
    ) -> AppResult<()> {
        if crm_records::record_exists(db, actor.scope(), record.0, record.1).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The name of one record the actor may read (for page headings).
    pub async fn record_name(
        &self,
        actor: &Actor,
        record: (RecordType, uuid::Uuid),
    ) -> AppResult<String> {
        actor.require(read_permission(record.0))?;
        crm_records::names(self.db().conn(), actor.scope(), &[record])
            .await?
            .remove(&record)
            .ok_or(AppError::NotFound)
    }

    /// `NotFound` unless `user` is a member of the actor's org.
    pub(crate) async fn require_member(
        &self,
        db: &impl ConnectionTrait,
        actor: &Actor,
        user: UserId,
    ) -> AppResult<()> {
        if crm_records::is_member(db, actor.scope(), user).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
