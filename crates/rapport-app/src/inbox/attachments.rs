//! Attachments: a file is uploaded first (sealed by the vault, written to the blob store, a
//! pending row naming it), then put on a reply, note or inbound message in that message's
//! transaction. Downloads are authorized like the conversation they belong to; an upload not
//! yet sent is readable only by whoever uploaded it. Unsent uploads and the files of deleted
//! messages are swept after a day.

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use async_trait::async_trait;
use rapport_domain::inbox::attachment::{self, MAX_ATTACHMENTS_PER_MESSAGE};
use rapport_domain::{AttachmentId, MessageId, Permission, UserId};
use rapport_jobs::{JobContext, JobError, JobHandler};
use rapport_store::repo::attachments::{self, AttachmentRecord};
use rapport_store::{DatabaseTransaction, OrgScope, StoreError};
use serde_json::{Value, json};

/// Job kind: delete unsent uploads and files of deleted messages.
pub const SWEEP_ATTACHMENTS: &str = "attachments.sweep";
/// How long an upload waits to be sent before the sweep takes it.
const PENDING_FOR: chrono::Duration = chrono::Duration::hours(24);
/// A blob written this recently is never deleted (an equal upload may be claiming it).
const BLOB_GRACE: chrono::Duration = chrono::Duration::hours(1);
/// Rows per sweep run.
const SWEEP_BATCH: u64 = 500;

/// A file as the caller received it.
#[derive(Debug, Clone, Copy)]
pub struct NewFile<'a> {
    /// The name the sender gave it.
    pub filename: &'a str,
    /// The type the sender declared.
    pub content_type: Option<&'a str>,
    /// The content.
    pub bytes: &'a [u8],
}

/// The files of a message as its metadata lists them (what the thread and the API show).
pub fn listing(files: &[AttachmentRecord]) -> Value {
    Value::Array(
        files
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "filename": f.filename,
                    "content_type": f.content_type,
                    "size": f.size,
                })
            })
            .collect(),
    )
}

/// A file as a message's metadata lists it (written by [`listing`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ListedFile {
    /// Id.
    pub id: AttachmentId,
    /// File name.
    pub filename: String,
    /// `type/subtype`.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
}

/// The files a message's metadata lists (none when it lists none).
pub fn listed(metadata: &Value) -> Vec<ListedFile> {
    match metadata.get("attachments") {
        Some(files) => serde_json::from_value(files.clone()).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// Checks a message's list of file ids: at most ten, no repeats.
pub(crate) fn check_ids(ids: &[AttachmentId]) -> AppResult<()> {
    if ids.len() > MAX_ATTACHMENTS_PER_MESSAGE {
        return Err(AppError::InvalidField {
            field: "attachments".into(),
            message: format!("a message carries at most {MAX_ATTACHMENTS_PER_MESSAGE} files"),
        });
    }
    let mut seen = ids.to_vec();
    seen.sort();
    seen.dedup();
    if seen.len() != ids.len() {
        return Err(AppError::InvalidField {
            field: "attachments".into(),
            message: "the same file is listed twice".into(),
        });
    }
    Ok(())
}

fn not_yours() -> AppError {
    AppError::InvalidField {
        field: "attachments".into(),
        message: "each file must be an upload of yours that no message carries yet".into(),
    }
}

/// The files a new message will carry, checked before it is stored: each must be an unsent
/// upload of `uploader` in this org.
pub(crate) async fn staged(
    txn: &DatabaseTransaction,
    scope: OrgScope,
    ids: &[AttachmentId],
    uploader: Option<UserId>,
) -> AppResult<Vec<AttachmentRecord>> {
    check_ids(ids)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    match attachments::pending(txn, scope, ids, uploader).await {
        Ok(files) => Ok(files),
        Err(StoreError::NotFound) => Err(not_yours()),
        Err(e) => Err(e.into()),
    }
}

/// Puts the files on `message` once it is stored (same transaction). A file another message
/// took meanwhile refuses this one.
pub(crate) async fn attach(
    txn: &DatabaseTransaction,
    scope: OrgScope,
    files: &[AttachmentRecord],
    uploader: Option<UserId>,
    message: MessageId,
) -> AppResult<()> {
    let ids: Vec<AttachmentId> = files.iter().map(|f| f.id).collect();
    match attachments::claim(txn, scope, &ids, uploader, message).await {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => Err(not_yours()),
        Err(e) => Err(e.into()),
    }
}

impl App {
    /// Uploads a file to send with a reply, note or inbound message (needs
    /// `conversations.reply`). Empty and oversized files are refused.
    pub async fn upload_attachment(
        &self,
        actor: &Actor,
        file: NewFile<'_>,
    ) -> AppResult<AttachmentRecord> {
        actor.require(Permission::ConversationsReply)?;
        attachment::check_size(file.bytes.len())?;
        self.stage_file(actor.scope(), Some(actor.user_id), file)
            .await
    }

    /// Seals and stores a file as an unsent attachment (channels stage their files this way,
    /// with no uploader). The row is written before the blob, so a sweep that sees the blob
    /// unused cannot race the upload that is about to use it.
    pub(crate) async fn stage_file(
        &self,
        scope: OrgScope,
        uploader: Option<UserId>,
        file: NewFile<'_>,
    ) -> AppResult<AttachmentRecord> {
        let conn = self.db().conn();
        let org = scope.org_id();
        let address = self.vault().blob_address(conn, org, file.bytes).await?;
        let record = AttachmentRecord {
            id: AttachmentId::new(),
            org_id: org,
            message_id: None,
            uploaded_by: uploader,
            blob: address,
            filename: attachment::file_name(file.filename),
            content_type: attachment::content_type(file.content_type),
            size: u64::try_from(file.bytes.len()).unwrap_or(u64::MAX),
            created_at: self.clock().now(),
        };
        attachments::insert(conn, scope, &record).await?;
        let sealed = self
            .vault()
            .seal_blob(conn, org, &record.blob, file.bytes)
            .await?;
        self.blobs().write(org, &record.blob, sealed).await?;
        Ok(record)
    }

    /// An attachment's description, if the actor may read it: a sent file needs
    /// `conversations.read`; an unsent upload is its uploader's alone.
    pub async fn attachment(&self, actor: &Actor, id: AttachmentId) -> AppResult<AttachmentRecord> {
        actor.require(Permission::ConversationsRead)?;
        let record = attachments::get(self.db().conn(), actor.scope(), id).await?;
        if record.message_id.is_none() && record.uploaded_by != Some(actor.user_id) {
            return Err(AppError::NotFound);
        }
        Ok(record)
    }

    /// An attachment and its decrypted bytes (authorized as [`App::attachment`]).
    pub async fn attachment_content(
        &self,
        actor: &Actor,
        id: AttachmentId,
    ) -> AppResult<(AttachmentRecord, Vec<u8>)> {
        let record = self.attachment(actor, id).await?;
        let org = record.org_id;
        let stored = self.blobs().read(org, &record.blob).await?;
        let bytes = self
            .vault()
            .open_blob(self.db().conn(), org, &record.blob, stored)
            .await?;
        Ok((record, bytes))
    }
}

/// The sweep: unsent uploads older than a day, and files whose message was deleted, lose their
/// row; a blob no row of its org names any more is deleted.
pub(crate) struct SweepAttachments(pub(crate) App);

#[async_trait]
impl JobHandler for SweepAttachments {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let released =
            attachments::sweep_unattached(txn, job.started_at - PENDING_FOR, SWEEP_BATCH).await?;
        let mut removed = 0usize;
        for (org, blob) in &released {
            if attachments::blob_in_use(txn, *org, blob).await? {
                continue;
            }
            match self
                .0
                .blobs()
                .remove_if_older(*org, blob, job.started_at, BLOB_GRACE)
                .await
            {
                Ok(true) => removed += 1,
                Ok(false) => {}
                Err(e) => return Err(JobError::Retryable(e.to_string())),
            }
        }
        if !released.is_empty() {
            tracing::info!(
                rows = released.len(),
                blobs = removed,
                "swept unsent attachments"
            );
        }
        Ok(())
    }
}
