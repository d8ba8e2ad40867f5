//! A person's access and portability export (GDPR Art. 15 and 20; promises E1 and E4): every
//! row of the org that the data map ties to them, and their files, as one ZIP. For a contact:
//! their record, addresses, conversations and messages, notes, tasks, deals they are on,
//! timeline, survey answers and audit entries about them (needs `privacy.manage`). For a
//! member of the staff: their account, memberships, sessions, tokens, notifications, what
//! they wrote and were assigned (`privacy.manage`, or the member themself). Each export is
//! audited with what it held.

use super::export_zip::{self, ExportedFile, safe_name};
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{ContactId, Permission, UserId};
use rapport_privacy::Subject;
use rapport_privacy::export_schema::{FORMAT, VERSION};
use rapport_store::repo::person_data::{self, Person, TableRows};
use rapport_store::repo::{contacts, memberships, orgs, users};
use serde_json::{Value, json};

/// A finished export.
#[derive(Debug, Clone)]
pub struct PersonExport {
    /// The download's file name.
    pub filename: String,
    /// The ZIP's bytes.
    pub zip: Vec<u8>,
    /// How many records it holds.
    pub records: usize,
    /// How many files it holds.
    pub files: usize,
}

impl App {
    /// Everything the org holds about a contact, as a ZIP (needs `privacy.manage`).
    pub async fn export_contact_data(
        &self,
        actor: &Actor,
        contact: ContactId,
    ) -> AppResult<PersonExport> {
        actor.require(Permission::PrivacyManage)?;
        contacts::get(self.db().conn(), actor.scope(), contact).await?;
        let person = Person {
            subject: Subject::Contact,
            id: contact.as_uuid(),
            emails: Vec::new(),
        };
        self.export_person(actor, &person).await
    }

    /// Everything the org holds about one of its members, as a ZIP (needs `privacy.manage`;
    /// a staff member's access request).
    pub async fn export_member_data(&self, actor: &Actor, user: UserId) -> AppResult<PersonExport> {
        actor.require(Permission::PrivacyManage)?;
        let conn = self.db().conn();
        if memberships::access_of(conn, actor.org_id, user)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        let account = users::get(conn, user).await?;
        let person = Person {
            subject: Subject::User,
            id: user.as_uuid(),
            emails: vec![account.email],
        };
        self.export_person(actor, &person).await
    }

    /// Everything the org holds about the signed-in member themself, as a ZIP (no permission
    /// needed: it is their own data).
    pub async fn export_my_data(&self, actor: &Actor) -> AppResult<PersonExport> {
        let account = users::get(self.db().conn(), actor.user_id).await?;
        let person = Person {
            subject: Subject::User,
            id: actor.user_id.as_uuid(),
            emails: vec![account.email],
        };
        self.export_person(actor, &person).await
    }

    async fn export_person(&self, actor: &Actor, person: &Person) -> AppResult<PersonExport> {
        let scope = actor.scope();
        let conn = self.db().conn();
        let tables = person_data::collect(conn, scope, person).await?;
        let files = self.exported_files(actor, &tables).await?;
        let org = orgs::get(conn, scope).await?;
        let kind = person.subject.name();
        let document = json!({
            "format": FORMAT,
            "version": VERSION,
            "generated_at": self.clock().now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "org": { "id": org.id.to_string(), "name": org.name },
            "subject": { "kind": kind, "id": person.id.to_string() },
            "tables": tables.iter().map(table_json).collect::<Vec<_>>(),
            "files": files.iter().map(|(meta, _)| meta.clone()).collect::<Vec<_>>(),
        });
        let records = tables.iter().map(|t| t.rows.len()).sum();
        let file_count = files.len();
        let zip = export_zip::write(
            &document,
            &tables,
            files.into_iter().map(|(_, f)| f).collect(),
        )?;

        let txn = self.db().begin().await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("privacy.exported", kind, person.id).with(json!({
                "records": records,
                "files": file_count,
                "tables": tables.iter().map(|t| t.table.name).collect::<Vec<_>>(),
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(PersonExport {
            filename: format!("personal-data-{kind}-{}.zip", person.id),
            zip,
            records,
            files: file_count,
        })
    }

    /// The files named by the export's attachment rows, decrypted, with their entry in
    /// `export.json`.
    async fn exported_files(
        &self,
        actor: &Actor,
        tables: &[TableRows],
    ) -> AppResult<Vec<(Value, ExportedFile)>> {
        let conn = self.db().conn();
        let mut out = Vec::new();
        let Some(attachments) = tables.iter().find(|t| t.table.name == "attachments") else {
            return Ok(out);
        };
        for r in &attachments.rows {
            let (Some(id), Some(blob)) = (
                r.get("id").and_then(Value::as_str),
                r.get("blob").and_then(Value::as_str),
            ) else {
                continue;
            };
            let name = r
                .get("filename")
                .and_then(Value::as_str)
                .map_or_else(|| "file".to_owned(), safe_name);
            let stored = self.blobs().read(actor.org_id, blob).await?;
            let bytes = self
                .vault()
                .open_blob(conn, actor.org_id, blob, stored)
                .await?;
            let path = format!("files/{id}/{name}");
            let meta = json!({
                "attachment_id": id,
                "path": path,
                "size": bytes.len(),
                "content_type": r.get("content_type").cloned().unwrap_or(Value::Null),
            });
            out.push((meta, ExportedFile { path, bytes }));
        }
        Ok(out)
    }
}

fn table_json(t: &TableRows) -> Value {
    json!({
        "name": t.table.name,
        "purpose": t.table.purpose.name(),
        "legal_basis": t.table.basis.name(),
        "retention": t.table.retention.name(),
        "retention_days": t.table.retention.days(),
        "categories": t.table.categories().iter().map(|c| c.name()).collect::<Vec<_>>(),
        "rows": t.rows,
    })
}
