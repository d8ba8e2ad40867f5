//! Storing a fetched batch with as much parallelism as threading allows.
//!
//! Messages of one batch that may depend on each other are stored one after the other, in UID
//! order: a reply after the message it names (it must find that message stored), and every
//! message of one sender after the previous (the same contact, and a subject match). The
//! independent runs this leaves are stored [`CONCURRENCY`] at a time; on PostgreSQL they
//! write in parallel, on SQLite they keep the single writer busy while the next message is
//! parsed and checked. [`App::receive_fetched_mail`] is the same step for one message handed
//! in from outside a reader.

use super::receive::{Receive, read};
use super::settings::EmailSettings;
use crate::context::App;
use crate::error::{AppError, AppResult};
use futures::StreamExt;
use rapport_domain::inbox::ChannelKind;
use rapport_domain::{InboxId, OrgId};
use rapport_mail::ParsedMail;
use rapport_mail::imap::Fetched;
use rapport_store::OrgScope;
use rapport_store::repo::inboxes::{self, InboxRecord};
use rapport_vault::ExposeSecret;
use std::collections::HashMap;

/// Runs stored at once.
pub const CONCURRENCY: usize = 4;

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// The batch split into runs that do not depend on each other, each in the batch's order:
/// messages sharing a sender, or one naming another's Message-ID, share a run. A message
/// that does not parse is a run of its own.
pub(crate) fn independent_runs(mails: &[Result<ParsedMail, AppError>]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..mails.len()).collect();
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, mail) in mails.iter().enumerate() {
        let Ok(mail) = mail else { continue };
        let sender = mail
            .from
            .as_ref()
            .and_then(|m| m.address.as_deref())
            .map(|a| format!("from:{}", a.to_ascii_lowercase()));
        let ids = mail
            .message_id
            .iter()
            .chain(&mail.in_reply_to)
            .chain(&mail.references)
            .map(|id| format!("id:{}", id.trim_matches(['<', '>'])));
        for key in sender.into_iter().chain(ids) {
            match first.get(&key) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    first.insert(key, i);
                }
            }
        }
    }
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut run_of: HashMap<usize, usize> = HashMap::new();
    for i in 0..mails.len() {
        let r = root(&mut parent, i);
        let at = *run_of.entry(r).or_insert_with(|| {
            runs.push(Vec::new());
            runs.len() - 1
        });
        runs[at].push(i);
    }
    runs
}

impl App {
    /// Stores a fetched batch; how many messages were stored, or why the batch must be read
    /// again (the database did not answer).
    pub(crate) async fn receive_batch(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        settings: &EmailSettings,
        thread_key: &[u8],
        folder: &str,
        messages: &[Fetched],
    ) -> Result<i64, String> {
        let parsed: Vec<Result<ParsedMail, AppError>> =
            messages.iter().map(|m| read(&m.raw)).collect();
        let order = independent_runs(&parsed);
        let mut mails: Vec<Option<Result<ParsedMail, AppError>>> =
            parsed.into_iter().map(Some).collect();
        let runs: Vec<Vec<(usize, Result<ParsedMail, AppError>)>> = order
            .into_iter()
            .map(|run| {
                run.into_iter()
                    .filter_map(|i| mails.get_mut(i)?.take().map(|m| (i, m)))
                    .collect()
            })
            .collect();
        let outcomes: Vec<Vec<Receive>> = futures::stream::iter(runs)
            .map(|run| async move {
                let mut out = Vec::with_capacity(run.len());
                for (i, mail) in run {
                    let m = &messages[i];
                    let r = self
                        .receive_mail(
                            scope, inbox, settings, thread_key, folder, m.uid, &m.raw, mail,
                        )
                        .await;
                    let stop = matches!(r, Receive::Retry(_));
                    out.push(r);
                    // A later message of the run may depend on this one.
                    if stop {
                        break;
                    }
                }
                out
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut stored = 0;
        for r in outcomes.into_iter().flatten() {
            match r {
                Receive::Retry(why) => return Err(why),
                Receive::Stored => stored += 1,
                Receive::Skipped | Receive::Quarantined(_) => {}
            }
        }
        Ok(stored)
    }
}

impl App {
    /// Takes in one message for `org`'s email inbox `inbox` exactly as its reader takes in
    /// each fetched message: parsed, then stored, skipped or quarantined (under `folder` and
    /// `uid`, which only label the quarantined copy). A system entry point, like the reader:
    /// for tools and for the tests that push real-world mail through the whole pipeline
    /// without a mailbox in between. `Err` only when the inbox cannot be used at all.
    pub async fn receive_fetched_mail(
        &self,
        org: OrgId,
        inbox: InboxId,
        folder: &str,
        uid: u32,
        raw: &[u8],
    ) -> AppResult<Receive> {
        let scope = crate::authz::system_scope(org);
        let conn = self.db().conn();
        let record = inboxes::get(conn, scope, inbox).await?;
        if record.channel != ChannelKind::Email {
            return Err(super::not_email());
        }
        let settings = EmailSettings::from_json(&record.settings)?;
        let key = self.vault().mail_thread_key(conn, org).await?;
        Ok(self
            .receive_mail(
                scope,
                &record,
                &settings,
                key.expose_secret(),
                folder,
                uid,
                raw,
                read(raw),
            )
            .await)
    }
}

#[cfg(test)]
mod tests {
    use super::independent_runs;
    use rapport_mail::{Limits, parse};

    fn mail(from: &str, id: &str, reply_to: Option<&str>) -> rapport_mail::ParsedMail {
        let mut raw = format!("From: {from}\r\nMessage-ID: <{id}>\r\nSubject: s\r\n");
        if let Some(p) = reply_to {
            raw.push_str(&format!("In-Reply-To: <{p}>\r\n"));
        }
        raw.push_str("\r\nbody\r\n");
        parse(raw.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn replies_and_senders_stay_in_order_and_the_rest_runs_apart() {
        let batch = vec![
            Ok(mail("a@x.test", "1@x", None)),
            Ok(mail("b@x.test", "2@x", None)),
            Ok(mail("c@x.test", "3@x", Some("1@x"))),
            Ok(mail("a@x.test", "4@x", None)),
            Err(crate::error::AppError::NotFound),
            Ok(mail("d@x.test", "5@x", None)),
        ];
        let runs = independent_runs(&batch);
        assert_eq!(runs, vec![vec![0, 2, 3], vec![1], vec![4], vec![5]]);
    }
}
