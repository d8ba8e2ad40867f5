//! The reusable activity timeline: [`timeline_for`] loads a page of a record's feed and
//! shapes it for the `crm_timeline.html` partial, which any record page includes with
//! `{% include "crm_timeline.html" %}` given a field `timeline: TimelineView` (and `page`).
//! The partial shows filter chips, the Note | Task composer, entries grouped by day in the
//! member's time zone and a "load more" link.

use crate::i18n::Tr;
use crate::state::WebState;
use rapport_app::crm::timeline::{TimelineFilter, TimelineItem, encode_cursor};
use rapport_app::crm::work_access::write_permission;
use rapport_app::{Actor, AppError};
use rapport_domain::crm::RecordType;
use rapport_domain::{ActivityId, Permission};

/// An option of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Preselected.
    pub selected: bool,
}

/// A filter chip.
#[derive(Debug, Clone)]
pub struct FilterChip {
    /// Label.
    pub label: String,
    /// Link.
    pub href: String,
    /// Whether it is the current filter.
    pub active: bool,
}

/// One entry, preformatted.
#[derive(Debug, Clone)]
pub struct EntryView {
    /// Entry id.
    pub id: String,
    /// `note`, `task`, `stage`, `field` or `other` (CSS modifier and icon).
    pub class: &'static str,
    /// Icon path (`d` of an SVG path).
    pub icon: &'static str,
    /// "Dana added a note".
    pub headline: String,
    /// Local time of day.
    pub time: String,
    /// Full local date and time (tooltip).
    pub when: String,
    /// RFC 3339 (for `<time datetime>`).
    pub iso: String,
    /// A detail line (task title, field change).
    pub detail: String,
    /// Link for the detail (a task's page).
    pub detail_href: String,
    /// Whether the task is done (strikes the detail).
    pub done: bool,
    /// A note's id (note entries only).
    pub note_id: String,
    /// A note's sanitized HTML (note entries only; safe to embed).
    pub note_html: String,
    /// A note's Markdown source (for the edit form).
    pub note_body: String,
    /// Whether the note is pinned.
    pub pinned: bool,
    /// Whether the note was edited after it was written.
    pub edited: bool,
}

/// A day of entries.
#[derive(Debug, Clone)]
pub struct DayGroup {
    /// "Today", "Yesterday" or a date.
    pub label: String,
    /// Entries, newest first.
    pub entries: Vec<EntryView>,
}

/// What the `crm_timeline.html` partial renders.
#[derive(Debug, Clone)]
pub struct TimelineView {
    /// `contact`, `company` or `deal`.
    pub record_type: String,
    /// The record's id.
    pub record_id: String,
    /// The page hosting the timeline (forms return here).
    pub return_to: String,
    /// Whether the member may add notes.
    pub can_note: bool,
    /// Whether the member may add tasks.
    pub can_task: bool,
    /// Filter chips.
    pub filters: Vec<FilterChip>,
    /// The current filter (`notes`, … or empty).
    pub filter: String,
    /// Entries by day.
    pub days: Vec<DayGroup>,
    /// "Load more" link.
    pub more_href: Option<String>,
    /// Whether this page continues an earlier one (shows "back to newest").
    pub continued: bool,
    /// Assignee choices for the task composer (the member first).
    pub members: Vec<Choice>,
}

const ICON_NOTE: &str = "M4 4h16v12H8l-4 4zM8 8h8M8 12h5";
const ICON_TASK: &str = "M9 11l3 3 8-8M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9";
const ICON_STAGE: &str = "M5 12h14M13 6l6 6-6 6";
const ICON_FIELD: &str = "M4 20h4L19 9l-4-4L4 16zM14 6l4 4";
const ICON_OTHER: &str = "M12 8v4l3 2M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z";

fn link(base: &str, filter: &str, cursor: Option<&str>) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if !filter.is_empty() {
        pairs.push(("kinds", filter));
    }
    if let Some(c) = cursor {
        pairs.push(("cursor", c));
    }
    let path = base.split('?').next().unwrap_or(base);
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

fn data_str(data: &serde_json::Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| data.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
}

/// `field: old → new` from a `field.changed` entry (`old`/`new` or `from`/`to`; empty shows —).
fn field_change(data: &serde_json::Value) -> String {
    let Some(field) = data_str(data, &["field", "label"]) else {
        return String::new();
    };
    let show = |keys: [&str; 2]| {
        keys.iter().find_map(|k| data.get(*k)).map(|v| match v {
            serde_json::Value::Null => "—".to_owned(),
            serde_json::Value::String(s) if s.is_empty() => "—".to_owned(),
            serde_json::Value::String(s) => s.chars().take(80).collect(),
            other => other.to_string().chars().take(80).collect(),
        })
    };
    match (show(["old", "from"]), show(["new", "to"])) {
        (Some(old), Some(new)) => format!("{field}: {old} → {new}"),
        _ => field,
    }
}

fn entry(tr: &Tr, item: TimelineItem) -> EntryView {
    let a = &item.activity;
    let who = item
        .actor_name
        .clone()
        .unwrap_or_else(|| tr.t("crm_work.timeline.someone"));
    let (class, icon, key) = match a.kind.as_str() {
        "note.created" => ("note", ICON_NOTE, "crm_work.timeline.note_created"),
        "task.created" => ("task", ICON_TASK, "crm_work.timeline.task_created"),
        "task.completed" => ("task", ICON_TASK, "crm_work.timeline.task_completed"),
        "deal.stage_changed" => ("stage", ICON_STAGE, "crm_work.timeline.stage_changed"),
        "field.changed" | "contact.updated" | "company.updated" | "deal.updated" => {
            ("field", ICON_FIELD, "crm_work.timeline.field_changed")
        }
        "contact.created" => ("other", ICON_OTHER, "crm_work.timeline.contact_created"),
        "company.created" => ("other", ICON_OTHER, "crm_work.timeline.company_created"),
        "deal.created" => ("other", ICON_OTHER, "crm_work.timeline.deal_created"),
        "company.linked" => ("other", ICON_OTHER, "crm_work.timeline.company_linked"),
        "company.unlinked" => ("other", ICON_OTHER, "crm_work.timeline.company_unlinked"),
        "contact.merged" => ("other", ICON_OTHER, "crm_work.timeline.contact_merged"),
        _ => ("other", ICON_OTHER, "crm_work.timeline.other"),
    };
    let headline = tr.tf(key, &[("who", who.as_str()), ("kind", a.kind.as_str())]);
    let mut view = EntryView {
        id: a.id.to_string(),
        class,
        icon,
        headline,
        time: tr.time(&a.occurred_at),
        when: tr.datetime(&a.occurred_at),
        iso: a.occurred_at.to_rfc3339(),
        detail: String::new(),
        detail_href: String::new(),
        done: false,
        note_id: String::new(),
        note_html: String::new(),
        note_body: String::new(),
        pinned: false,
        edited: false,
    };
    if let Some(n) = item.note {
        view.note_id = n.id.to_string();
        view.note_html = n.html;
        view.note_body = n.body;
        view.pinned = n.pinned;
        view.edited = n.updated_at > n.created_at;
    }
    if let Some(t) = item.task {
        view.detail_href = format!("/tasks/{}", t.id);
        view.done = t.done_at.is_some();
        view.detail = t.title;
    } else if class == "stage" {
        let from = data_str(&a.data, &["from_name", "from_stage", "from"]);
        let to = data_str(&a.data, &["to_name", "to_stage", "to"]);
        let moved = match (from, to) {
            (Some(f), Some(t)) => format!("{f} → {t}"),
            (None, Some(t)) => t,
            _ => String::new(),
        };
        // On a contact's or company's timeline, say which deal moved.
        view.detail = match data_str(&a.data, &["title"]) {
            Some(title) if a.record_type != "deal" => format!("{title}: {moved}"),
            _ => moved,
        };
    } else if class == "field" {
        view.detail = data_str(&a.data, &["summary"]).unwrap_or_else(|| field_change(&a.data));
    } else {
        view.detail = data_str(&a.data, &["company", "name", "title"]).unwrap_or_default();
    }
    view
}

/// Loads a page of `record`'s timeline for the partial. `filter` is a chip name (`notes`,
/// `tasks`, `stages`, `fields`) or empty for everything; `cursor` continues an earlier page;
/// `return_to` is the hosting page's path (filter and paging links, and composers, go there).
pub async fn timeline_for(
    state: &WebState,
    actor: &Actor,
    record: (RecordType, uuid::Uuid),
    filter: &str,
    cursor: Option<&str>,
    return_to: &str,
) -> Result<TimelineView, AppError> {
    let tr = Tr::new(state.i18n.clone(), &actor.locale, &actor.time_zone);
    let chosen = TimelineFilter::parse(filter);
    let filter = chosen.map(|f| f.as_str()).unwrap_or_default();
    let after = cursor
        .and_then(|c| rapport_app::crm::timeline::decode_cursor(c).ok())
        .map(|(at, id)| (at, ActivityId::from_uuid(id)));
    let filters: Vec<TimelineFilter> = chosen.into_iter().collect();
    let page = state
        .app
        .timeline(actor, record, &filters, after, 30)
        .await?;
    let today = tr.local_date(&state.app.clock().now());
    let mut days: Vec<DayGroup> = Vec::new();
    let mut last_day = None;
    for item in page.items {
        let day = tr.local_date(&item.activity.occurred_at);
        if last_day != Some(day) {
            let label = if day == today {
                tr.t("crm_work.timeline.today")
            } else if today.pred_opt() == Some(day) {
                tr.t("crm_work.timeline.yesterday")
            } else {
                tr.date(&item.activity.occurred_at)
            };
            days.push(DayGroup {
                label,
                entries: Vec::new(),
            });
            last_day = Some(day);
        }
        if let Some(group) = days.last_mut() {
            group.entries.push(entry(&tr, item));
        }
    }
    let chips = [
        ("", "crm_work.timeline.filter_all"),
        ("notes", "crm_work.timeline.filter_notes"),
        ("tasks", "crm_work.timeline.filter_tasks"),
        ("stages", "crm_work.timeline.filter_stages"),
        ("fields", "crm_work.timeline.filter_fields"),
    ];
    let filters = chips
        .iter()
        .map(|(key, label)| FilterChip {
            label: tr.t(label),
            href: link(return_to, key, None),
            active: *key == filter,
        })
        .collect();
    let can_task = actor.can(Permission::ContactsWrite);
    let members = if can_task {
        let mut people = state.app.assignable_members(actor).await?;
        // The member first: the default assignee.
        people.sort_by_key(|(id, _)| *id != actor.user_id);
        people
            .into_iter()
            .map(|(id, name)| Choice {
                selected: id == actor.user_id,
                value: id.to_string(),
                label: name,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(TimelineView {
        record_type: record.0.as_str().to_owned(),
        record_id: record.1.to_string(),
        return_to: link(return_to, filter, None),
        can_note: actor.can(write_permission(record.0)),
        can_task,
        filters,
        filter: filter.to_owned(),
        days,
        more_href: page
            .next
            .map(|(at, id)| link(return_to, filter, Some(&encode_cursor(at, id.as_uuid())))),
        continued: cursor.is_some(),
        members,
    })
}
