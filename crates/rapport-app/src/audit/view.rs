//! Reading the audit log: filtered pages for the viewer and the API, and CSV export (itself
//! audited).

use super::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_domain::{Permission, UserId};
use rapport_store::repo::audit::{self, AuditFilter, AuditRow};

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Exact action or a prefix ending in `.`.
    pub action: Option<String>,
    /// Only this actor.
    pub actor_id: Option<UserId>,
    /// Only this target id.
    pub target_id: Option<String>,
    /// From.
    pub since: Option<DateTime<Utc>>,
    /// Until (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// Cursor: the `seq` to continue below.
    pub cursor: Option<i64>,
    /// Page size (1–200, default 50).
    pub limit: Option<u64>,
}

/// A page of entries, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// Entries.
    pub items: Vec<AuditRow>,
    /// Cursor for the next page.
    pub next_cursor: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            action: self.action.clone().filter(|a| !a.is_empty()),
            actor_id: self.actor_id,
            target_id: self.target_id.clone().filter(|t| !t.is_empty()),
            since: self.since,
            until: self.until,
            before_seq: self.cursor,
        }
    }
}

const EXPORT_MAX: u64 = 100_000;

impl App {
    /// A page of the org's audit log.
    pub async fn audit_page(&self, actor: &Actor, query: &AuditQuery) -> AppResult<AuditPage> {
        actor.require(Permission::AuditRead)?;
        let limit = query.limit.unwrap_or(50).clamp(1, 200);
        let mut items =
            audit::list(self.db().conn(), actor.scope(), &query.filter(), limit + 1).await?;
        let next_cursor = if items.len() as u64 > limit {
            items.truncate(limit as usize);
            items.last().map(|r| r.seq)
        } else {
            None
        };
        Ok(AuditPage { items, next_cursor })
    }

    /// The filtered log as CSV (at most 100,000 rows), recording the export.
    pub async fn audit_csv(&self, actor: &Actor, query: &AuditQuery) -> AppResult<String> {
        actor.require(Permission::AuditRead)?;
        let rows =
            audit::list(self.db().conn(), actor.scope(), &query.filter(), EXPORT_MAX).await?;
        let header = [
            "seq",
            "at",
            "actor",
            "actor_id",
            "action",
            "target_type",
            "target_id",
            "ip",
            "user_agent",
            "details",
            "hash",
        ];
        let mut out = crate::csv::row(&header.map(String::from));
        for r in &rows {
            let cells = [
                r.seq.to_string(),
                r.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                r.actor_label.clone(),
                r.actor_id.map(|u| u.to_string()).unwrap_or_default(),
                r.action.clone(),
                r.target_type.clone(),
                r.target_id.clone(),
                r.ip.clone().unwrap_or_default(),
                r.user_agent.clone().unwrap_or_default(),
                r.details.clone(),
                r.hash.clone(),
            ];
            out.push_str(&crate::csv::row(&cells));
        }
        let txn = self.db().begin().await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("audit.exported", "org", actor.org_id)
                .with(serde_json::json!({ "rows": rows.len() })),
        )
        .await?;
        txn.commit().await?;
        Ok(out)
    }
}
