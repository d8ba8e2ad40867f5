//! Task reminders: the periodic `crm.reminders` job claims due reminders and tells each
//! assignee, in the app (a notification) and by email (the `mail.send` job).
//!
//! It runs every minute across all orgs (one indexed query serves the instance; see
//! `tasks::claim_due_reminders`) and claims at most [`BATCH`] per run, so a backlog drains over
//! a few runs instead of one long transaction. Claiming (`reminded_at`), the notification and
//! the queued mail are written in the job's own transaction, which commits only with the job's
//! completion: a crash before that leaves the reminder unclaimed and it is sent by the next
//! run, and a committed run never sends it again.

use crate::authz::system_scope;
use crate::context::App;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_jobs::{JobContext, JobError, JobHandler};
use rapport_store::DatabaseTransaction;
use rapport_store::repo::notifications::{self, NewNotification};
use rapport_store::repo::{crm_records, tasks, users};

/// Job kind: send due task reminders.
pub const SEND_REMINDERS: &str = "crm.reminders";
/// How often the job runs.
pub const REMINDER_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);
/// The most reminders one run claims.
pub const BATCH: u64 = 200;

/// A due time in the member's time zone, for the mail (English formats: the only catalog the
/// instance has today; the zone is the member's own).
fn due_text(due: Option<DateTime<Utc>>, time_zone: &str) -> Option<String> {
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::UTC);
    due.map(|d| {
        d.with_timezone(&tz)
            .format("%a, %b %-d, %Y at %-I:%M %p (%Z)")
            .to_string()
    })
}

/// Sends due reminders.
pub(crate) struct SendReminders(pub(crate) App);

#[async_trait]
impl JobHandler for SendReminders {
    async fn run(&self, _job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let app = &self.0;
        let now = app.clock().now();
        let due = tasks::claim_due_reminders(txn, now, BATCH).await?;
        for r in due {
            let scope = system_scope(r.org_id);
            // Someone who left the org is not reminded of its tasks.
            if !crm_records::is_member(txn, scope, r.assignee).await? {
                continue;
            }
            let user = users::get(txn, r.assignee).await?;
            let when = due_text(r.due_at, &user.time_zone);
            let title = format!("Reminder: {}", r.title);
            let body = match &when {
                Some(w) => format!("Due {w}"),
                None => "This task has no due time.".to_owned(),
            };
            let link = format!("/tasks/{}", r.task);
            notifications::insert(
                txn,
                scope,
                &NewNotification {
                    user: r.assignee,
                    kind: "task.reminder",
                    title: &title,
                    body: &body,
                    link: Some(&link),
                },
                now,
            )
            .await?;
            if app.can_send_mail() {
                let text = format!(
                    "Hello {name},\n\nThis is your reminder for the task \"{task}\".\n{body}\n\nOpen it: {url}\n",
                    name = user.name,
                    task = r.title,
                    url = app.link(&link),
                );
                app.queue_mail(txn, Some(r.org_id), user.email.as_str(), &title, text)
                    .await
                    .map_err(|e| JobError::Retryable(e.to_string()))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_time_is_in_the_members_zone() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let text = due_text(Some(at), "Europe/Berlin").unwrap();
        assert_eq!(text, "Fri, Nov 27, 2026 at 4:00 PM (CET)");
        assert_eq!(due_text(None, "UTC"), None);
    }
}
