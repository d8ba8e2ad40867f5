//! Telling a member about a conversation: in the app (the bell) and, when outgoing mail is
//! configured, by email too, both in the caller's transaction (the mail is queued, so it leaves
//! only if the change commits). Assignment, mentions, SLA breaches and automation notices all
//! come through here.

use crate::context::App;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_store::repo::notifications::{self, NewNotification};
use rapport_store::repo::users;
use rapport_store::{ConnectionTrait, OrgScope};

impl App {
    /// Notifies `n.user` in the app and by email.
    pub(crate) async fn tell_member(
        &self,
        txn: &impl ConnectionTrait,
        scope: OrgScope,
        n: &NewNotification<'_>,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        notifications::insert(txn, scope, n, now).await?;
        if !self.can_send_mail() {
            return Ok(());
        }
        let user = users::get(txn, n.user).await?;
        let open = n
            .link
            .map(|l| format!("\n\nOpen it: {}", self.link(l)))
            .unwrap_or_default();
        let text = format!("Hello {},\n\n{}\n\n{}{open}\n", user.name, n.title, n.body);
        self.queue_mail(
            txn,
            Some(scope.org_id()),
            user.email.as_str(),
            n.title,
            text,
        )
        .await
    }
}
