//! Which conversation an email continues, from the evidence the message itself carries
//! (`Continuation::Mail`), strongest first:
//!
//! 1. a conversation named by one of our signed Message-IDs or reply addresses, in this inbox
//!    (the tag proves the sender received our mail, so a colleague's reply-all counts too);
//! 2. the conversation in this inbox holding the nearest parent the message answers or
//!    references (a customer's own earlier mail, a reply-all to it);
//! 3. only when the message names no Message-ID at all and its subject marks a reply: the same
//!    contact's conversation with the same base subject, active within [`SUBJECT_WINDOW`].
//!
//! A conversation found this way is continued if it still may be (see [`continues`]); else,
//! and when nothing is found, the message opens a new one. An unknown parent is no evidence.

use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::ConversationStatus;
use rapport_domain::inbox::channel::MailThread;
use rapport_domain::{ContactId, ConversationId};
use rapport_store::repo::conversations::{self, ConversationRecord};
use rapport_store::repo::inboxes::InboxRecord;
use rapport_store::repo::messages;
use rapport_store::{DatabaseTransaction, OrgScope, StoreError};

/// How far back a subject match looks.
pub const SUBJECT_WINDOW: chrono::Duration = chrono::Duration::days(30);
/// How many of the contact's recent conversations a subject is compared with.
const SUBJECT_CANDIDATES: u64 = 20;

/// Whether a new message of the customer continues `c` rather than opening a new
/// conversation: not closed, and either still going or resolved in an inbox that reopens.
pub(crate) fn continues(inbox: &InboxRecord, c: &ConversationRecord) -> bool {
    c.status != ConversationStatus::Closed
        && (c.status.is_active()
            || (c.status == ConversationStatus::Resolved && inbox.reopen_resolved))
}

async fn locked(
    txn: &DatabaseTransaction,
    scope: OrgScope,
    id: ConversationId,
) -> AppResult<Option<ConversationRecord>> {
    // Read and locked in one statement.
    match conversations::lock(txn, scope, id).await {
        Ok(c) => Ok(Some(c)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The conversation the email continues, taken for this transaction, if any.
pub(crate) async fn mail_thread(
    txn: &DatabaseTransaction,
    scope: OrgScope,
    inbox: &InboxRecord,
    contact: ContactId,
    thread: &MailThread,
    now: DateTime<Utc>,
) -> AppResult<Option<ConversationRecord>> {
    if let Some(id) = thread.proven
        && let Some(c) = locked(txn, scope, id).await?
        && c.inbox_id == inbox.id
    {
        return Ok(continues(inbox, &c).then_some(c));
    }
    if !thread.parents.is_empty() {
        let found =
            messages::conversations_by_external(txn, scope, inbox.id, &thread.parents).await?;
        let nearest = thread
            .parents
            .iter()
            .find_map(|p| found.iter().find(|(id, _)| id == p).map(|(_, c)| *c));
        if let Some(id) = nearest
            && let Some(c) = locked(txn, scope, id).await?
        {
            return Ok(continues(inbox, &c).then_some(c));
        }
        return Ok(None);
    }
    if let Some(subject) = &thread.reply_subject {
        let candidates = conversations::recent_of_contact(
            txn,
            scope,
            inbox.id,
            contact,
            now - SUBJECT_WINDOW,
            SUBJECT_CANDIDATES,
        )
        .await?;
        let same = candidates.into_iter().find(|c| {
            c.subject.as_deref().is_some_and(|s| {
                rapport_mail::thread::base_subject(s).eq_ignore_ascii_case(subject)
            })
        });
        if let Some(c) = same
            && let Some(c) = locked(txn, scope, c.id).await?
        {
            return Ok(continues(inbox, &c).then_some(c));
        }
    }
    Ok(None)
}
