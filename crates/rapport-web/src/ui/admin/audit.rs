//! The audit log viewer: filters (kind of action, who, date range, one object), newest entries
//! first with their details folded away, "older entries" by cursor, and CSV export of the same
//! filtered view.

use super::access_review::csv_download;
use super::{Choice, parse_id};
use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rapport_app::AppError;
use rapport_app::audit::AuditQuery;
use rapport_domain::UserId;
use serde::Deserialize;
use std::collections::HashMap;

/// The action families the filter offers (prefixes ending in `.`).
pub(crate) const FAMILIES: [&str; 11] = [
    "auth.",
    "member.",
    "invitation.",
    "role.",
    "team.",
    "token.",
    "mfa.",
    "session.",
    "org.",
    "access_review.",
    "audit.",
];

/// One entry, preformatted.
pub struct Entry {
    seq: i64,
    when: String,
    actor: String,
    /// The recorded label (email at the time) when it differs from the name shown.
    actor_detail: String,
    action: String,
    action_label: String,
    /// The family (`auth`), for the badge colour.
    family: String,
    target_type: String,
    target_id: String,
    target_name: String,
    ip: String,
    user_agent: String,
    details: String,
    hash: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
pub struct AuditPageView {
    page: PageCtx,
    entries: Vec<Entry>,
    families: Vec<Choice>,
    actors: Vec<Choice>,
    filters: Filters,
    /// Whether any filter is set.
    filtered: bool,
    /// The query string of the filters (no cursor), for export and paging links.
    filter_query: String,
    next_cursor: Option<i64>,
}

/// `?action=&actor=&target=&since=&until=&cursor=` (all text, so a bad value is ignored
/// rather than refused).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Filters {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    cursor: String,
}

impl Filters {
    /// The filters as a query string, without the cursor.
    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("action", self.action.as_str()),
            ("actor", self.actor.as_str()),
            ("target", self.target.as_str()),
            ("since", self.since.as_str()),
            ("until", self.until.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// The app query, reading dates as whole days in `time_zone` (`until` is inclusive).
    fn to_query(&self, time_zone: &str) -> AuditQuery {
        let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::UTC);
        let action = self.action.trim();
        let valid_action = !action.is_empty()
            && action.len() <= 64
            && action
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
        AuditQuery {
            action: valid_action.then(|| action.to_owned()),
            actor_id: parse_id::<UserId>(&self.actor),
            target_id: Some(self.target.trim().to_owned())
                .filter(|t| !t.is_empty() && t.len() <= 128),
            since: day_start(&self.since, tz, 0),
            until: day_start(&self.until, tz, 1),
            cursor: self.cursor.trim().parse().ok(),
            limit: Some(50),
        }
    }
}

/// Midnight at the start of `raw` (`YYYY-MM-DD`) plus `days`, in `tz`, as UTC.
fn day_start(raw: &str, tz: chrono_tz::Tz, days: u64) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()?;
    let date = date.checked_add_days(chrono::Days::new(days))?;
    let local = date.and_hms_opt(0, 0, 0)?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The reader's label for an action (`auth.login` → "Signed in"), or the action itself.
fn action_label(tr: &Tr, action: &str) -> String {
    let key = format!("audit.actions.{action}");
    let text = tr.t(&key);
    if text == key { action.to_owned() } else { text }
}

/// Pretty JSON for the details, or nothing for an empty object.
fn pretty(details: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(details) {
        Ok(serde_json::Value::Object(map)) if map.is_empty() => String::new(),
        Ok(value) => serde_json::to_string_pretty(&value).unwrap_or_else(|_| details.to_owned()),
        Err(_) => details.to_owned(),
    }
}

/// `GET /admin/audit`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(filters): Query<Filters>,
) -> Response {
    let actor = &info.actor;
    let query = filters.to_query(&actor.time_zone);
    let loaded = async {
        let found = state.app.audit_page(actor, &query).await?;
        let members = state.app.members(actor).await?;
        let (jar, page) = app_page(&state, &info, "audit", jar).await?;
        Ok::<_, AppError>((jar, page, found, members))
    }
    .await;
    let (jar, page, found, members) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let tr = &page.tr;
    let names: HashMap<String, String> = members
        .iter()
        .map(|m| (m.user.id.to_string(), m.user.name.clone()))
        .collect();
    let entries = found
        .items
        .into_iter()
        .map(|r| {
            let actor_name = r
                .actor_id
                .and_then(|id| names.get(&id.to_string()).cloned());
            let (actor, actor_detail) = match actor_name {
                Some(name) if name != r.actor_label => (name, r.actor_label),
                Some(name) => (name, String::new()),
                None if r.actor_label == "system" => (tr.t("audit.system"), String::new()),
                None => (r.actor_label, String::new()),
            };
            let target_name = if r.target_type == "user" {
                names.get(&r.target_id).cloned().unwrap_or_default()
            } else {
                String::new()
            };
            Entry {
                seq: r.seq,
                when: tr.datetime(&r.at),
                actor,
                actor_detail,
                action_label: action_label(tr, &r.action),
                family: r.action.split('.').next().unwrap_or_default().to_owned(),
                action: r.action,
                target_type: r.target_type,
                target_name,
                target_id: r.target_id,
                ip: r.ip.unwrap_or_default(),
                user_agent: r.user_agent.unwrap_or_default(),
                details: pretty(&r.details),
                hash: r.hash.chars().take(12).collect(),
            }
        })
        .collect();
    let families = FAMILIES
        .iter()
        .map(|f| Choice {
            value: (*f).to_owned(),
            label: tr.t(&format!("audit.families.{}", f.trim_end_matches('.'))),
        })
        .collect();
    let actors = members
        .into_iter()
        .map(|m| Choice {
            value: m.user.id.to_string(),
            label: m.user.name,
        })
        .collect();
    let filtered = !filters.query_string().is_empty();
    let body = AuditPageView {
        page,
        entries,
        families,
        actors,
        filter_query: filters.query_string(),
        filtered,
        filters,
        next_cursor: found.next_cursor,
    };
    (jar, body).into_response()
}

/// `GET /admin/audit.csv`: the filtered log (every page) as a download.
pub async fn csv(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    Query(filters): Query<Filters>,
) -> Response {
    let mut query = filters.to_query(&info.actor.time_zone);
    query.cursor = None;
    query.limit = None;
    match state.app.audit_csv(&info.actor, &query).await {
        Ok(body) => {
            let day = state.app.clock().now().format("%Y-%m-%d");
            csv_download(body, &format!("audit-log-{day}.csv"))
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_days_in_the_readers_zone() {
        let f = Filters {
            since: "2026-03-01".into(),
            until: "2026-03-01".into(),
            action: "auth.".into(),
            ..Filters::default()
        };
        let q = f.to_query("Europe/Berlin");
        assert_eq!(q.since.unwrap().to_rfc3339(), "2026-02-28T23:00:00+00:00");
        assert_eq!(q.until.unwrap().to_rfc3339(), "2026-03-01T23:00:00+00:00");
        assert_eq!(q.action.as_deref(), Some("auth."));
        assert_eq!(
            f.query_string(),
            "action=auth.&since=2026-03-01&until=2026-03-01"
        );
    }

    #[test]
    fn odd_filter_values_are_ignored() {
        let f = Filters {
            action: "auth.%".into(),
            actor: "nobody".into(),
            since: "yesterday".into(),
            cursor: "x".into(),
            ..Filters::default()
        };
        let q = f.to_query("UTC");
        assert!(q.action.is_none() && q.actor_id.is_none() && q.since.is_none());
        assert!(q.cursor.is_none());
    }

    #[test]
    fn empty_details_fold_away() {
        assert_eq!(pretty("{}"), "");
        assert_eq!(pretty("{\"a\":1}"), "{\n  \"a\": 1\n}");
        assert_eq!(pretty("not json"), "not json");
    }
}
