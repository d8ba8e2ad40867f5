//! Notes on contacts, companies and deals: Markdown, rendered to sanitized HTML on read. A new
//! note goes on its record's timeline (and on the primary company's, for a contact's note);
//! editing changes what the timeline shows (it renders the note itself, not a copy); deleting
//! removes its timeline entries.

use super::markdown::{self, MAX_NOTE_BYTES};
use super::work_access::{read_permission, write_permission};
use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_domain::crm::RecordType;
use rapport_domain::event::EventKind;
use rapport_domain::{DomainError, NoteId, UserId};
use rapport_store::outbox;
use rapport_store::repo::activities::{self, NewActivity};
use rapport_store::repo::{crm_records, notes};

/// The most notes listed for one record.
const MAX_LISTED: u64 = 200;
/// The excerpt's length on the timeline entry.
pub const EXCERPT_CHARS: usize = 200;

/// A note as shown: its source and the sanitized HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteView {
    /// Id.
    pub id: NoteId,
    /// The record it is on.
    pub record: (RecordType, uuid::Uuid),
    /// Markdown source.
    pub body: String,
    /// Sanitized HTML (safe to embed).
    pub html: String,
    /// Author.
    pub author: Option<UserId>,
    /// Pinned above the others.
    pub pinned: bool,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
}

impl From<notes::NoteRecord> for NoteView {
    fn from(n: notes::NoteRecord) -> Self {
        Self {
            id: n.id,
            record: (n.record_type, n.record_id),
            html: markdown::render(&n.body),
            body: n.body,
            author: n.author,
            pinned: n.pinned,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

/// Validates a note body: not blank, at most [`MAX_NOTE_BYTES`].
fn note_body(raw: &str) -> Result<String, DomainError> {
    if raw.trim().is_empty() {
        return Err(DomainError::Empty { field: "body" });
    }
    if raw.len() > MAX_NOTE_BYTES {
        return Err(DomainError::TooLong {
            field: "body",
            max: MAX_NOTE_BYTES,
        });
    }
    if raw.contains('\0') {
        return Err(DomainError::Invalid {
            field: "body",
            reason: "NUL characters are not allowed",
        });
    }
    Ok(raw.trim_end().to_owned())
}

impl App {
    /// A record's notes, pinned first then newest first.
    pub async fn notes(
        &self,
        actor: &Actor,
        record: (RecordType, uuid::Uuid),
    ) -> AppResult<Vec<NoteView>> {
        actor.require(read_permission(record.0))?;
        let db = self.db().conn();
        self.require_record(db, actor, record).await?;
        Ok(
            notes::list_for_record(db, actor.scope(), record, MAX_LISTED)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }

    /// One note.
    pub async fn note(&self, actor: &Actor, id: NoteId) -> AppResult<NoteView> {
        let note = notes::get(self.db().conn(), actor.scope(), id).await?;
        actor.require(read_permission(note.record_type))?;
        Ok(note.into())
    }

    /// Adds a note to a record.
    pub async fn create_note(
        &self,
        actor: &Actor,
        record: (RecordType, uuid::Uuid),
        body: &str,
    ) -> AppResult<NoteView> {
        actor.require(write_permission(record.0))?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        // Another org's record is a 404 whatever the body says.
        self.require_record(&txn, actor, record).await?;
        let body = note_body(body)?;
        let note = notes::insert(&txn, actor.scope(), record, &body, actor.user_id, now).await?;
        let data = serde_json::json!({ "excerpt": markdown::excerpt(&body, EXCERPT_CHARS) });
        let mut entries = vec![NewActivity {
            record,
            kind: "note.created",
            actor: Some(actor.user_id),
            subject: Some(("note", note.id.as_uuid())),
            data: data.clone(),
            at: now,
        }];
        // A note about a person belongs to the conversation with their company too.
        if record.0 == RecordType::Contact
            && let Some(company) =
                crm_records::contact_company(&txn, actor.scope(), record.1).await?
        {
            entries.push(NewActivity {
                record: (RecordType::Company, company),
                kind: "note.created",
                actor: Some(actor.user_id),
                subject: Some(("note", note.id.as_uuid())),
                data,
                at: now,
            });
        }
        activities::append(&txn, actor.scope(), &entries).await?;
        outbox::record(
            &txn,
            actor.scope(),
            EventKind::NoteCreated,
            serde_json::json!({
                "note_id": note.id,
                "record_type": record.0,
                "record_id": record.1,
                "author_id": actor.user_id,
            }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(note.into())
    }

    /// Edits a note's text and/or pins or unpins it (`None` leaves a part as it is).
    pub async fn update_note(
        &self,
        actor: &Actor,
        id: NoteId,
        body: Option<&str>,
        pinned: Option<bool>,
    ) -> AppResult<NoteView> {
        let txn = self.db().begin().await?;
        let note = notes::get(&txn, actor.scope(), id).await?;
        actor.require(write_permission(note.record_type))?;
        let body = body.map(note_body).transpose()?;
        notes::update(
            &txn,
            actor.scope(),
            id,
            body.as_deref(),
            pinned,
            self.clock().now(),
        )
        .await?;
        let note = notes::get(&txn, actor.scope(), id).await?;
        txn.commit().await?;
        Ok(note.into())
    }

    /// Deletes a note and its timeline entries.
    pub async fn delete_note(&self, actor: &Actor, id: NoteId) -> AppResult<()> {
        let txn = self.db().begin().await?;
        let note = notes::get(&txn, actor.scope(), id).await?;
        actor.require(write_permission(note.record_type))?;
        notes::delete(&txn, actor.scope(), id).await?;
        activities::delete_for_subject(&txn, actor.scope(), id.as_uuid()).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// What a deleted record leaves behind in notes and tasks, removed in the deleting transaction:
/// its notes (with their timeline entries on related records) and its task links.
pub(crate) async fn delete_record_work(
    txn: &impl rapport_store::ConnectionTrait,
    scope: rapport_store::OrgScope,
    record: (RecordType, uuid::Uuid),
) -> AppResult<()> {
    for note in rapport_store::repo::notes::delete_for_record(txn, scope, record).await? {
        rapport_store::repo::activities::delete_for_subject(txn, scope, note).await?;
    }
    rapport_store::repo::tasks::unlink_record(txn, scope, record).await?;
    Ok(())
}
