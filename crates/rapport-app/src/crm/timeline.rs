//! A record's activity timeline: its entries newest first, narrowed by kind, with what each
//! entry needs to render (a note's current HTML, a task's title and done state, the actor's
//! name) loaded in one query per kind of thing, never per entry.

use super::notes::NoteView;
use super::work_access::read_permission;
use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_domain::crm::RecordType;
use rapport_domain::{ActivityId, DomainError, UserId};
use rapport_store::repo::activities::{self, ActivityRecord};
use rapport_store::repo::tasks::TaskRecord;
use rapport_store::repo::{crm_records, notes, tasks};
use std::collections::HashMap;

/// A timeline filter chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimelineFilter {
    /// Notes.
    Notes,
    /// Tasks.
    Tasks,
    /// Deal stage changes.
    Stages,
    /// Field changes.
    Fields,
    /// Emails (later channels).
    Emails,
    /// Chat and messaging (later channels).
    Messages,
    /// Calls (later).
    Calls,
    /// Meetings (later).
    Meetings,
}

impl TimelineFilter {
    /// Every filter, in chip order.
    pub const ALL: [TimelineFilter; 8] = [
        Self::Notes,
        Self::Tasks,
        Self::Stages,
        Self::Fields,
        Self::Emails,
        Self::Messages,
        Self::Calls,
        Self::Meetings,
    ];

    /// The stable name (`notes`), used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notes => "notes",
            Self::Tasks => "tasks",
            Self::Stages => "stages",
            Self::Fields => "fields",
            Self::Emails => "emails",
            Self::Messages => "messages",
            Self::Calls => "calls",
            Self::Meetings => "meetings",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The activity kinds (or kind prefixes) the filter keeps.
    fn kinds(self) -> &'static [&'static str] {
        match self {
            Self::Notes => &["note"],
            Self::Tasks => &["task"],
            Self::Stages => &["deal.stage_changed"],
            Self::Fields => &[
                "field.changed",
                "contact.updated",
                "company.updated",
                "deal.updated",
            ],
            Self::Emails => &["email"],
            Self::Messages => &["message"],
            Self::Calls => &["call"],
            Self::Meetings => &["meeting"],
        }
    }

    /// Parses a comma-separated list (`notes,tasks`); empty means everything.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, DomainError> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                Self::parse(s).ok_or(DomainError::Invalid {
                    field: "kinds",
                    reason: "use notes, tasks, stages, fields, emails, messages, calls or meetings",
                })
            })
            .collect()
    }
}

/// One entry as shown.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    /// The stored entry.
    pub activity: ActivityRecord,
    /// The actor's name (`None` for the system, a customer or a former member).
    pub actor_name: Option<String>,
    /// For note entries: the note as it is now.
    pub note: Option<NoteView>,
    /// For task entries: the task as it is now.
    pub task: Option<TaskRecord>,
}

/// A page of a timeline.
#[derive(Debug, Clone)]
pub struct TimelinePage {
    /// Entries, newest first.
    pub items: Vec<TimelineItem>,
    /// Where the next page starts.
    pub next: Option<(DateTime<Utc>, ActivityId)>,
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor(at: DateTime<Utc>, id: uuid::Uuid) -> String {
    format!(
        "{}~{}",
        at.timestamp_nanos_opt().unwrap_or_default(),
        id.simple()
    )
}

/// Decodes a cursor made by [`encode_cursor`].
pub fn decode_cursor(raw: &str) -> Result<(DateTime<Utc>, uuid::Uuid), DomainError> {
    let bad = DomainError::Invalid {
        field: "cursor",
        reason: "not a cursor from this API",
    };
    let (nanos, id) = raw.split_once('~').ok_or(bad.clone())?;
    let nanos: i64 = nanos.parse().map_err(|_| bad.clone())?;
    let id = uuid::Uuid::parse_str(id).map_err(|_| bad.clone())?;
    Ok((DateTime::from_timestamp_nanos(nanos), id))
}

impl App {
    /// A page of a record's timeline, newest first.
    pub async fn timeline(
        &self,
        actor: &Actor,
        record: (RecordType, uuid::Uuid),
        filters: &[TimelineFilter],
        after: Option<(DateTime<Utc>, ActivityId)>,
        limit: u64,
    ) -> AppResult<TimelinePage> {
        actor.require(read_permission(record.0))?;
        let db = self.db().conn();
        self.require_record(db, actor, record).await?;
        let kinds: Vec<String> = filters
            .iter()
            .flat_map(|f| f.kinds().iter().map(|k| (*k).to_owned()))
            .collect();
        let limit = limit.clamp(1, 100);
        let mut rows =
            activities::page(db, actor.scope(), record, &kinds, after, limit + 1).await?;
        let next = if rows.len() as u64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|a| (a.occurred_at, a.id))
        } else {
            None
        };
        let subjects = |kind: &str| -> Vec<uuid::Uuid> {
            rows.iter()
                .filter(|a| a.subject_type.as_deref() == Some(kind))
                .filter_map(|a| a.subject_id)
                .collect()
        };
        let note_map: HashMap<uuid::Uuid, NoteView> =
            notes::by_ids(db, actor.scope(), &subjects("note"))
                .await?
                .into_iter()
                .map(|n| (n.id.as_uuid(), NoteView::from(n)))
                .collect();
        let task_map: HashMap<uuid::Uuid, TaskRecord> =
            tasks::by_ids(db, actor.scope(), &subjects("task"))
                .await?
                .into_iter()
                .map(|t| (t.id.as_uuid(), t))
                .collect();
        let mut people: Vec<UserId> = rows.iter().filter_map(|a| a.actor).collect();
        people.sort();
        people.dedup();
        let names = crm_records::member_names(db, actor.scope(), &people).await?;
        let items = rows
            .into_iter()
            .filter_map(|activity| {
                let subject = activity.subject_id;
                let note = match activity.subject_type.as_deref() {
                    Some("note") => Some(subject.and_then(|id| note_map.get(&id).cloned())?),
                    _ => None,
                };
                let task = match activity.subject_type.as_deref() {
                    Some("task") => subject.and_then(|id| task_map.get(&id).cloned()),
                    _ => None,
                };
                Some(TimelineItem {
                    actor_name: activity.actor.and_then(|u| names.get(&u).cloned()),
                    note,
                    task,
                    activity,
                })
            })
            .collect();
        Ok(TimelinePage { items, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_exactly() {
        let at = DateTime::from_timestamp_nanos(1_790_000_000_123_456_789);
        let id = uuid::Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(at, id)).unwrap(), (at, id));
        assert!(decode_cursor("nonsense").is_err());
    }

    #[test]
    fn filters_parse() {
        assert_eq!(
            TimelineFilter::parse_list("notes, tasks").unwrap(),
            vec![TimelineFilter::Notes, TimelineFilter::Tasks]
        );
        assert!(TimelineFilter::parse_list("").unwrap().is_empty());
        assert!(TimelineFilter::parse_list("bogus").is_err());
    }
}
