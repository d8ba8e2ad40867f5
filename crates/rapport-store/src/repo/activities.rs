//! The activity timeline: append entries for CRM records and read one record's feed, newest
//! first, keyset-paged, optionally narrowed to some kinds. Later channels (messages, calls,
//! meetings) append here too, so one query shows everything that happened with a record.

use crate::entity::activity;
use crate::error::StoreResult;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::crm::RecordType;
use rapport_domain::{ActivityId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The record whose timeline shows it.
    pub record: (RecordType, uuid::Uuid),
    /// What happened (`note.created`, `deal.stage_changed`, `field.changed`, `email.received` …).
    pub kind: &'static str,
    /// Who did it (none for the system and for customers).
    pub actor: Option<UserId>,
    /// The thing the entry is about when it is not the record itself (the note, the task).
    pub subject: Option<(&'static str, uuid::Uuid)>,
    /// Kind-specific details shown in the feed (old and new values, a title …).
    pub data: serde_json::Value,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRecord {
    /// Id (time-ordered).
    pub id: ActivityId,
    /// The record whose timeline shows it.
    pub record_type: String,
    /// Its id.
    pub record_id: uuid::Uuid,
    /// What happened.
    pub kind: String,
    /// Who did it.
    pub actor: Option<UserId>,
    /// The subject type, if any.
    pub subject_type: Option<String>,
    /// The subject id, if any.
    pub subject_id: Option<uuid::Uuid>,
    /// Details.
    pub data: serde_json::Value,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

impl From<activity::Model> for ActivityRecord {
    fn from(m: activity::Model) -> Self {
        Self {
            id: ActivityId::from_uuid(m.id),
            record_type: m.record_type,
            record_id: m.record_id,
            kind: m.kind,
            actor: m.actor_id.map(UserId::from_uuid),
            subject_type: m.subject_type,
            subject_id: m.subject_id,
            data: m.data,
            occurred_at: m.occurred_at,
        }
    }
}

/// Appends entries (one statement).
pub async fn append(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    entries: &[NewActivity],
) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let models = entries.iter().map(|e| activity::ActiveModel {
        id: Set(ActivityId::new().as_uuid()),
        org_id: Set(scope.uuid()),
        record_type: Set(e.record.0.as_str().to_owned()),
        record_id: Set(e.record.1),
        kind: Set(e.kind.to_owned()),
        actor_id: Set(e.actor.map(|u| u.as_uuid())),
        subject_type: Set(e.subject.map(|s| s.0.to_owned())),
        subject_id: Set(e.subject.map(|s| s.1)),
        data: Set(e.data.clone()),
        occurred_at: Set(e.at),
    });
    activity::Entity::insert_many(models)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A page of one record's timeline, newest first. `before` is the last entry of the previous
/// page; `kinds` (when not empty) keeps only entries whose kind starts with one of the prefixes
/// (`note`, `task`, `deal.stage_changed` …).
pub async fn page(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record: (RecordType, uuid::Uuid),
    kinds: &[String],
    before: Option<(DateTime<Utc>, ActivityId)>,
    limit: u64,
) -> StoreResult<Vec<ActivityRecord>> {
    let mut q = activity::Entity::find()
        .filter(activity::Column::OrgId.eq(scope.uuid()))
        .filter(activity::Column::RecordType.eq(record.0.as_str()))
        .filter(activity::Column::RecordId.eq(record.1));
    if !kinds.is_empty() {
        let mut any = sea_orm::Condition::any();
        for k in kinds {
            any = any
                .add(activity::Column::Kind.eq(k.as_str()))
                .add(activity::Column::Kind.starts_with(format!("{k}.")));
        }
        q = q.filter(any);
    }
    if let Some((at, id)) = before {
        q = q.filter(
            Expr::tuple([
                Expr::col(activity::Column::OccurredAt),
                Expr::col(activity::Column::Id),
            ])
            .lt(Expr::tuple([
                Expr::val(at),
                Expr::val(id.as_uuid()),
            ])),
        );
    }
    Ok(q.order_by_desc(activity::Column::OccurredAt)
        .order_by_desc(activity::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Moves every entry of one record to another (merging two contacts keeps both timelines).
pub async fn reassign(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record_type: RecordType,
    from: uuid::Uuid,
    to: uuid::Uuid,
) -> StoreResult<u64> {
    let res = activity::Entity::update_many()
        .col_expr(activity::Column::RecordId, Expr::value(to))
        .filter(activity::Column::OrgId.eq(scope.uuid()))
        .filter(activity::Column::RecordType.eq(record_type.as_str()))
        .filter(activity::Column::RecordId.eq(from))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Deletes the entries about one subject (a deleted note leaves no "note added" behind).
pub async fn delete_for_subject(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    subject_id: uuid::Uuid,
) -> StoreResult<u64> {
    let res = activity::Entity::delete_many()
        .filter(activity::Column::OrgId.eq(scope.uuid()))
        .filter(activity::Column::SubjectId.eq(subject_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Deletes one record's whole timeline (the record itself was deleted).
pub async fn delete_for_record(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record: (RecordType, uuid::Uuid),
) -> StoreResult<u64> {
    let res = activity::Entity::delete_many()
        .filter(activity::Column::OrgId.eq(scope.uuid()))
        .filter(activity::Column::RecordType.eq(record.0.as_str()))
        .filter(activity::Column::RecordId.eq(record.1))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
