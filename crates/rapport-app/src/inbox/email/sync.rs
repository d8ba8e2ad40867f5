//! Reading every email inbox's mailbox, continuously.
//!
//! [`MailSync`] is a supervisor: it keeps one reader task per email inbox (started when an
//! inbox appears, restarted when its settings change, stopped when it goes), reconciling on
//! inbox events and every [`RESCAN`] (inboxes created by another process). A reader holds the
//! folder's lease in `mail_folders`, so of several processes on one database only one reads a
//! mailbox (`mail_lease`, renewed at a third of it); it reads the folder in UID order from the stored checkpoint in batches of
//! [`BATCH`], hands each message to [`App::receive_mail`] and moves the checkpoint only after
//! the batch is stored. Then it waits with IDLE (or polls a server without it) and reads again.
//! A failure (host down, password changed) is recorded on the folder for the settings page
//! and retried with backoff from 2 s up to 5 minutes.

use super::settings::EmailSettings;
use crate::authz::system_scope;
use crate::context::App;
use chrono::Utc;
use rapport_domain::InboxId;
use rapport_domain::event::EventKind;
use rapport_mail::imap::Checkpoint;
use rapport_store::OrgScope;
use rapport_store::repo::inboxes::InboxRecord;
use rapport_store::repo::mail_sync;
use rapport_vault::ExposeSecret;
use std::collections::HashMap;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Messages read per batch (each batch is stored before the checkpoint moves).
pub const BATCH: usize = 100;
/// How often the supervisor looks for inboxes changed by another process.
const RESCAN: Duration = Duration::from_secs(30);
/// The first and the longest wait after a failure.
const BACKOFF_MIN: Duration = Duration::from_secs(2);
const BACKOFF_MAX: Duration = Duration::from_secs(300);

/// The running supervisor; [`MailSync::stop`] stops every reader.
#[derive(Debug)]
pub struct MailSync {
    stop: CancellationToken,
    task: JoinHandle<()>,
}

impl MailSync {
    /// Stops the supervisor and its readers (each gives its lease up).
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

struct Reader {
    updated_at: chrono::DateTime<Utc>,
    stop: CancellationToken,
    task: JoinHandle<()>,
}

/// Why a reading run ended.
enum Ended {
    /// Asked to stop.
    Stopped,
    /// Another process holds the lease.
    LeaseHeld,
    /// Something failed; retry after a backoff.
    Failed(String),
}

impl App {
    /// Starts reading every email inbox's mailbox. `process_id` names this process in leases
    /// (unique among processes sharing the database).
    pub fn start_mail_sync(&self, process_id: &str) -> MailSync {
        let stop = CancellationToken::new();
        let task = tokio::spawn(supervise(
            self.clone(),
            format!("{process_id}:mail"),
            stop.clone(),
        ));
        MailSync { stop, task }
    }
}

async fn supervise(app: App, holder: String, stop: CancellationToken) {
    let mut events = app.events().subscribe();
    let mut readers: HashMap<InboxId, Reader> = HashMap::new();
    loop {
        reconcile(&app, &holder, &mut readers).await;
        // Wait for an inbox change, the rescan or the stop.
        let deadline = tokio::time::sleep(RESCAN);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = stop.cancelled() => {
                    for (_, r) in readers.drain() {
                        r.stop.cancel();
                        let _ = r.task.await;
                    }
                    return;
                }
                () = &mut deadline => break,
                event = events.recv() => match event {
                    Ok(e) if matches!(e.kind, EventKind::InboxCreated | EventKind::InboxUpdated | EventKind::InboxDeleted) => break,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        (&mut deadline).await;
                        break;
                    }
                },
            }
        }
    }
}

/// Starts, restarts and stops readers to match the email inboxes in the database.
async fn reconcile(app: &App, holder: &str, readers: &mut HashMap<InboxId, Reader>) {
    let inboxes = match mail_sync::email_inboxes(app.db().conn()).await {
        Ok(list) => list,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list email inboxes; keeping the current readers");
            return;
        }
    };
    let wanted: HashMap<InboxId, _> = inboxes.into_iter().map(|(o, i)| (i.id, (o, i))).collect();
    let gone: Vec<InboxId> = readers
        .iter()
        .filter(|(id, r)| {
            wanted
                .get(id)
                .is_none_or(|(_, i)| i.updated_at != r.updated_at || r.task.is_finished())
        })
        .map(|(id, _)| *id)
        .collect();
    for id in gone {
        if let Some(r) = readers.remove(&id) {
            r.stop.cancel();
            let _ = r.task.await;
        }
    }
    for (id, (org, inbox)) in wanted {
        if readers.contains_key(&id) {
            continue;
        }
        let stop = CancellationToken::new();
        let updated_at = inbox.updated_at;
        let task = tokio::spawn(read_mailbox(
            app.clone(),
            holder.to_owned(),
            system_scope(org),
            inbox,
            stop.clone(),
        ));
        readers.insert(
            id,
            Reader {
                updated_at,
                stop,
                task,
            },
        );
    }
}

/// Waits `d`, or less if asked to stop; whether it was asked.
async fn pause(stop: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        () = stop.cancelled() => true,
        () = tokio::time::sleep(d) => false,
    }
}

/// One inbox's reader: read, wait, read, until stopped; back off after failures.
async fn read_mailbox(
    app: App,
    holder: String,
    scope: OrgScope,
    inbox: InboxRecord,
    stop: CancellationToken,
) {
    let settings = match EmailSettings::from_json(&inbox.settings) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(inbox = %inbox.id, error = %e, "email inbox settings unreadable");
            return;
        }
    };
    let mut backoff = BACKOFF_MIN;
    loop {
        let ended = app
            .read_folder(scope, &inbox, &settings, &holder, &stop, &mut backoff)
            .await;
        let wait = match ended {
            Ended::Stopped => break,
            Ended::LeaseHeld => app.config().mail_lease / 3,
            Ended::Failed(why) => {
                tracing::warn!(inbox = %inbox.id, error = %why, retry_in_s = backoff.as_secs(), "mailbox read failed");
                let now = app.clock().now();
                if let Err(e) = mail_sync::record_error(
                    app.db().conn(),
                    scope,
                    inbox.id,
                    &settings.folder,
                    &why,
                    now,
                )
                .await
                {
                    tracing::warn!(inbox = %inbox.id, error = %e, "cannot record the mailbox error");
                }
                let wait = backoff;
                backoff = (backoff * 2).min(BACKOFF_MAX);
                wait
            }
        };
        if pause(&stop, wait).await {
            break;
        }
    }
    let _ = mail_sync::release(app.db().conn(), scope, inbox.id, &settings.folder, &holder).await;
}

impl App {
    /// Takes the lease and reads until stopped or something fails.
    async fn read_folder(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        settings: &EmailSettings,
        holder: &str,
        stop: &CancellationToken,
        backoff: &mut Duration,
    ) -> Ended {
        match self
            .reading(scope, inbox, settings, holder, stop, backoff)
            .await
        {
            Ok(ended) => ended,
            Err(why) => Ended::Failed(why),
        }
    }

    async fn renew(
        &self,
        scope: OrgScope,
        inbox: InboxId,
        folder: &str,
        holder: &str,
    ) -> Result<bool, String> {
        let now = self.clock().now();
        let lease = self.config().mail_lease;
        let until = now.timestamp_millis() + i64::try_from(lease.as_millis()).unwrap_or(90_000);
        mail_sync::take_lease(self.db().conn(), scope, inbox, folder, holder, now, until)
            .await
            .map_err(|e| e.to_string())
    }

    async fn reading(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        settings: &EmailSettings,
        holder: &str,
        stop: &CancellationToken,
        backoff: &mut Duration,
    ) -> Result<Ended, String> {
        let name = settings.folder.as_str();
        if !self.renew(scope, inbox.id, name, holder).await? {
            return Ok(Ended::LeaseHeld);
        }
        let conn = self.db().conn();
        let org = scope.org_id();
        let key = self
            .vault()
            .mail_thread_key(conn, org)
            .await
            .map_err(|e| e.to_string())?;
        let mut folder = self.open_folder(org, inbox, settings).await?;
        loop {
            if stop.is_cancelled() {
                folder.close().await;
                return Ok(Ended::Stopped);
            }
            let state = mail_sync::folder(conn, scope, inbox.id, name)
                .await
                .map_err(|e| e.to_string())?;
            let since = state.as_ref().and_then(|s| {
                s.uid_validity.map(|v| Checkpoint {
                    uid_validity: v,
                    last_uid: s.last_uid,
                    modseq: s.modseq,
                })
            });
            let batch = folder
                .next_batch(since, BATCH)
                .await
                .map_err(|e| e.to_string())?;
            let stored = self
                .receive_batch(
                    scope,
                    inbox,
                    settings,
                    key.expose_secret(),
                    name,
                    &batch.messages,
                )
                .await?;
            let moved = since != Some(batch.checkpoint)
                || !batch.messages.is_empty()
                || state.as_ref().is_some_and(|s| s.last_error.is_some());
            if moved
                && !mail_sync::advance(
                    conn,
                    scope,
                    inbox.id,
                    name,
                    holder,
                    batch.checkpoint.uid_validity,
                    batch.checkpoint.last_uid,
                    batch.checkpoint.modseq,
                    stored,
                    self.clock().now(),
                )
                .await
                .map_err(|e| e.to_string())?
            {
                return Ok(Ended::LeaseHeld);
            }
            *backoff = BACKOFF_MIN;
            if batch.more {
                continue;
            }
            if !self.renew(scope, inbox.id, name, holder).await? {
                return Ok(Ended::LeaseHeld);
            }
            folder = tokio::select! {
                () = stop.cancelled() => return Ok(Ended::Stopped),
                // The lease is renewed at a third of its time: IDLE is issued again then.
                waited = folder.wait_for_change(self.config().mail_lease / 3) => waited.map_err(|e| e.to_string())?.0,
            };
        }
    }
}
