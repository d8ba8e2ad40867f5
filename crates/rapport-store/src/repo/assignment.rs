//! What automatic assignment reads and writes, org-scoped: members' availability and capacity
//! (on their membership), their open conversations (one grouped count over
//! `ix_conversations_org_assignee`), and when each inbox last gave each member one.

use crate::entity::{assignment_cursor as cursor, conversation, membership};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::ConversationStatus;
use rapport_domain::inbox::assignment::{Availability, Candidate};
use rapport_domain::{InboxId, UserId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::HashMap;

/// A member's availability and capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// Whether they take new conversations now.
    pub availability: Availability,
    /// The most open conversations they take.
    pub capacity: Option<u32>,
}

fn workload(m: &membership::Model) -> Workload {
    Workload {
        // An unknown stored value (a newer version wrote it) takes no new work.
        availability: Availability::parse(&m.availability).unwrap_or(Availability::Offline),
        capacity: m.capacity.and_then(|c| u32::try_from(c).ok()),
    }
}

/// A member's workload settings.
pub async fn workload_of(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
) -> StoreResult<Workload> {
    membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .one(db)
        .await?
        .map(|m| workload(&m))
        .ok_or(StoreError::NotFound)
}

/// Sets a member's availability.
pub async fn set_availability(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    availability: Availability,
) -> StoreResult<()> {
    let res = membership::Entity::update_many()
        .col_expr(
            membership::Column::Availability,
            Expr::value(availability.as_str()),
        )
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets a member's capacity (`None`: no limit).
pub async fn set_capacity(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    capacity: Option<u32>,
) -> StoreResult<()> {
    let value = capacity.map(|c| i32::try_from(c).unwrap_or(i32::MAX));
    let res = membership::Entity::update_many()
        .col_expr(membership::Column::Capacity, Expr::value(value))
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The candidates among `users` for a conversation of `inbox`: their availability and
/// capacity, open conversations, and when this inbox last gave them one. Users who are not
/// members of the org are left out.
pub async fn candidates(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    users: &[UserId],
) -> StoreResult<Vec<Candidate>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = users.iter().map(UserId::as_uuid).collect();
    let members = membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::UserId.is_in(ids.clone()))
        .all(db)
        .await?;
    let open: HashMap<uuid::Uuid, i64> = conversation::Entity::find()
        .select_only()
        .column(conversation::Column::AssigneeId)
        .column_as(conversation::Column::Id.count(), "n")
        .filter(conversation::Column::OrgId.eq(scope.uuid()))
        .filter(conversation::Column::AssigneeId.is_in(ids.clone()))
        .filter(conversation::Column::Status.eq(ConversationStatus::Open.as_str()))
        .group_by(conversation::Column::AssigneeId)
        .into_tuple::<(Option<uuid::Uuid>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(u, n)| Some((u?, n)))
        .collect();
    let last: HashMap<uuid::Uuid, DateTime<Utc>> = cursor::Entity::find()
        .filter(cursor::Column::OrgId.eq(scope.uuid()))
        .filter(cursor::Column::InboxId.eq(inbox.as_uuid()))
        .filter(cursor::Column::UserId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.user_id, c.last_assigned_at))
        .collect();
    Ok(members
        .iter()
        .map(|m| {
            let w = workload(m);
            Candidate {
                user: UserId::from_uuid(m.user_id),
                availability: w.availability,
                open: open
                    .get(&m.user_id)
                    .map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX)),
                capacity: w.capacity,
                last_assigned_at: last.get(&m.user_id).copied(),
            }
        })
        .collect())
}

/// Records that `inbox` gave `user` a conversation at `at`.
pub async fn touch(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    user: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let m = cursor::ActiveModel {
        org_id: Set(scope.uuid()),
        inbox_id: Set(inbox.as_uuid()),
        user_id: Set(user.as_uuid()),
        last_assigned_at: Set(at),
    };
    cursor::Entity::insert(m)
        .on_conflict(
            OnConflict::columns([cursor::Column::InboxId, cursor::Column::UserId])
                .update_column(cursor::Column::LastAssignedAt)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
