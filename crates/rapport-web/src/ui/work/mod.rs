//! The work done on CRM records: the reusable activity timeline (partial `crm_timeline.html`
//! with its note and task composers), a record's activity page, the tasks pages and the
//! notifications page.
//!
//! Forms follow the admin pages' conventions: every POST carries `_csrf`, success answers
//! `303` back to where the member was (a validated local `return_to`), and ids that do not
//! parse are a 404 like another org's.

pub mod activity;
pub mod notifications;
pub mod task_form;
pub mod tasks;
pub mod timeline;

use crate::ui::routes::RouteTable;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

pub use activity::TimelineQuery;
pub use timeline::{TimelineView, timeline_for};

/// The routes of this module.
pub fn table() -> RouteTable {
    RouteTable::new()
        .get("/records/{type}/{id}/activity", activity::show)
        .post("/records/{type}/{id}/notes", activity::add_note)
        .post("/records/{type}/{id}/tasks", activity::add_task)
        .post("/notes/{id}", activity::edit_note)
        .post("/notes/{id}/pin", activity::pin_note)
        .post("/notes/{id}/delete", activity::delete_note)
        .get("/tasks", tasks::show)
        .post("/tasks", tasks::create)
        .get("/tasks/{id}", task_form::show)
        .post("/tasks/{id}", task_form::save)
        .post("/tasks/{id}/done", tasks::toggle)
        .post("/tasks/{id}/delete", task_form::delete)
        .get("/notifications", notifications::show)
        .post("/notifications/read-all", notifications::read_all)
        .post("/notifications/{id}/open", notifications::open)
}

/// `raw` when it is a path on this site (`/…`, not `//host` or `/\host`, no control
/// characters), else `fallback`: a form's `return_to` must never send the member elsewhere.
pub fn safe_return(raw: &str, fallback: &str) -> String {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && raw.len() <= 1000
        && !raw.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        raw.to_owned()
    } else {
        fallback.to_owned()
    }
}

/// A date and time that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadDateTime;

/// A `datetime-local` value (`2026-11-27T15:30`) in the member's time zone, as UTC. Empty is
/// `Ok(None)`; anything else unparsable is `Err`.
pub fn parse_local(raw: &str, tz: chrono_tz::Tz) -> Result<Option<DateTime<Utc>>, BadDateTime> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(9, 0, 0).unwrap_or_default())
        })
        .map_err(|_| BadDateTime)?;
    // A time skipped by a DST change is taken as the next valid one; an ambiguous one as the
    // earlier.
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|d| Some(d.with_timezone(&Utc)))
        .ok_or(BadDateTime)
}

/// A UTC time as a `datetime-local` value in the member's time zone.
pub fn local_input(at: Option<DateTime<Utc>>, tz: chrono_tz::Tz) -> String {
    at.map(|d| d.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_must_be_local() {
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_return(bad, "/tasks"), "/tasks", "{bad:?}");
        }
        assert_eq!(
            safe_return("/records/contact/x/activity?kinds=notes", "/"),
            "/records/contact/x/activity?kinds=notes"
        );
    }

    #[test]
    fn local_times_convert_to_utc() {
        let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let at = parse_local("2026-11-27T16:00", tz).unwrap().unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-27T15:00:00+00:00");
        assert_eq!(local_input(Some(at), tz), "2026-11-27T16:00");
        assert_eq!(parse_local("", tz), Ok(None));
        assert!(parse_local("tomorrow", tz).is_err());
    }
}
