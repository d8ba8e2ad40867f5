//! Canned responses (saved replies, Help Scout's "saved replies", Zammad's "text modules"):
//! listing and reading them needs `conversations.read`; writing them needs `settings.manage`
//! and is audited. A body is a template (see [`super::canned_render`]) checked when saved, so
//! an agent never picks one that fails; rendering fills it in for one conversation.

use super::canned_render::{self, RenderFacts, TemplateError};
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult, FieldErrors, FieldIssue};
use rapport_domain::inbox::canned::{MAX_TITLE_CHARS, ShortCode, canned_body};
use rapport_domain::{
    CannedResponseId, ConversationId, DomainError, InboxId, Permission, bounded_text,
};
use rapport_store::ConnectionTrait;
use rapport_store::repo::canned_responses::{self, CannedFilter, CannedRecord};
use rapport_store::repo::{contacts, inboxes, orgs};
use serde_json::json;

/// The audit target type.
const TARGET: &str = "canned_response";

/// The default and largest page.
const DEFAULT_PAGE: u64 = 100;
const MAX_PAGE: u64 = 200;

/// A new canned response.
#[derive(Debug, Clone, Default)]
pub struct NewCanned {
    /// What agents type after `/`.
    pub short_code: String,
    /// Shown in the picker.
    pub title: String,
    /// The template.
    pub body: String,
    /// The one inbox it is offered in (`None`: every inbox).
    pub inbox_id: Option<InboxId>,
}

/// Changes to a canned response (absent fields stay as they are).
#[derive(Debug, Clone, Default)]
pub struct CannedPatch {
    /// New short code.
    pub short_code: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New template.
    pub body: Option<String>,
    /// New inbox (`Some(None)`: every inbox).
    pub inbox_id: Option<Option<InboxId>>,
}

/// Which responses to list.
#[derive(Debug, Clone, Default)]
pub struct CannedQuery {
    /// Only those offered in this inbox (its own and the org-wide ones).
    pub inbox: Option<InboxId>,
    /// Only those whose short code or title starts with this (a leading `/` is ignored).
    pub search: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size (default 100, at most 200).
    pub limit: Option<u64>,
}

/// A page of canned responses, by short code.
#[derive(Debug, Clone)]
pub struct CannedPage {
    /// The responses.
    pub items: Vec<CannedRecord>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
}

fn template_refused(e: TemplateError) -> AppError {
    AppError::InvalidFields(vec![FieldIssue {
        field: "body".into(),
        message: e.to_string(),
    }])
}

fn code_taken(e: rapport_store::StoreError) -> AppError {
    match e {
        rapport_store::StoreError::Conflict(_) => {
            AppError::Conflict("a canned response with this short code already exists".into())
        }
        other => other.into(),
    }
}

/// Validates the fields a form or API call sets; the template's syntax is checked after the
/// plain field checks pass, so a form reports every refused field at once.
fn validate(
    code: Option<&str>,
    title: Option<&str>,
    body: Option<&str>,
) -> AppResult<(Option<ShortCode>, Option<String>, Option<String>)> {
    let mut errors = FieldErrors::default();
    let code = code.and_then(|c| errors.check(ShortCode::parse(c)));
    let title = title.and_then(|t| errors.check(bounded_text("title", t, MAX_TITLE_CHARS)));
    let body = body.and_then(|b| errors.check(canned_body(b)));
    errors.finish()?;
    if let Some(b) = &body {
        canned_render::check(b).map_err(template_refused)?;
    }
    Ok((code, title, body))
}

async fn check_inbox(
    db: &impl ConnectionTrait,
    actor: &Actor,
    inbox: Option<InboxId>,
) -> AppResult<()> {
    if let Some(id) = inbox {
        inboxes::get(db, actor.scope(), id)
            .await
            .map_err(|e| match e {
                rapport_store::StoreError::NotFound => AppError::from(DomainError::Invalid {
                    field: "inbox_id",
                    reason: "no such inbox in this organization",
                }),
                other => other.into(),
            })?;
    }
    Ok(())
}

fn details(r: &CannedRecord) -> serde_json::Value {
    json!({ "short_code": r.short_code, "title": r.title, "inbox_id": r.inbox_id })
}

impl App {
    /// The org's canned responses by short code (needs `conversations.read`).
    pub async fn canned_responses(&self, actor: &Actor, q: &CannedQuery) -> AppResult<CannedPage> {
        actor.require(Permission::ConversationsRead)?;
        let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
            // A cursor is the last short code of the previous page.
            Some(c) => Some(
                ShortCode::parse(c)
                    .map_err(|_| DomainError::Invalid {
                        field: "cursor",
                        reason: "not a cursor from this API",
                    })?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let prefix = q.search.as_deref().map(|s| {
            let s = s.trim();
            s.strip_prefix('/').unwrap_or(s).to_owned()
        });
        // Nothing is longer than a title, so a longer prefix matches nothing.
        if prefix
            .as_deref()
            .is_some_and(|p| p.chars().count() > MAX_TITLE_CHARS)
        {
            return Ok(CannedPage {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        let filter = CannedFilter {
            inbox: q.inbox,
            prefix,
            after,
            limit: limit + 1,
        };
        let mut items = canned_responses::list(self.db().conn(), actor.scope(), &filter).await?;
        let next_cursor = if items.len() as u64 > limit {
            items.truncate(limit as usize);
            items.last().map(|r| r.short_code.clone())
        } else {
            None
        };
        Ok(CannedPage { items, next_cursor })
    }

    /// Every canned response of the org by short code, for settings pages (an org keeps
    /// dozens, not thousands; needs `conversations.read`).
    pub async fn all_canned_responses(&self, actor: &Actor) -> AppResult<Vec<CannedRecord>> {
        let mut items = Vec::new();
        let mut query = CannedQuery::default();
        loop {
            let page = self.canned_responses(actor, &query).await?;
            items.extend(page.items);
            match page.next_cursor {
                Some(c) => query.cursor = Some(c),
                None => return Ok(items),
            }
        }
    }

    /// One canned response (needs `conversations.read`).
    pub async fn canned_response(
        &self,
        actor: &Actor,
        id: CannedResponseId,
    ) -> AppResult<CannedRecord> {
        actor.require(Permission::ConversationsRead)?;
        Ok(canned_responses::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// Creates a canned response (needs `settings.manage`).
    pub async fn create_canned_response(
        &self,
        actor: &Actor,
        input: NewCanned,
    ) -> AppResult<CannedRecord> {
        actor.require(Permission::SettingsManage)?;
        let (code, title, body) = validate(
            Some(&input.short_code),
            Some(&input.title),
            Some(&input.body),
        )?;
        let (Some(code), Some(title), Some(body)) = (code, title, body) else {
            return Err(AppError::Internal("validated fields went missing".into()));
        };
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        check_inbox(&txn, actor, input.inbox_id).await?;
        let record = CannedRecord {
            id: CannedResponseId::new(),
            short_code: code.as_str().to_owned(),
            title,
            body,
            inbox_id: input.inbox_id,
            created_by: Some(actor.user_id),
            created_at: now,
            updated_at: now,
        };
        canned_responses::insert(&txn, scope, &record)
            .await
            .map_err(code_taken)?;
        let event =
            AuditEvent::new("canned_response.created", TARGET, record.id).with(details(&record));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Changes a canned response (needs `settings.manage`).
    pub async fn update_canned_response(
        &self,
        actor: &Actor,
        id: CannedResponseId,
        patch: CannedPatch,
    ) -> AppResult<CannedRecord> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        // Another org's id is a 404 whatever the fields hold.
        let mut record = canned_responses::get(&txn, scope, id).await?;
        let (code, title, body) = validate(
            patch.short_code.as_deref(),
            patch.title.as_deref(),
            patch.body.as_deref(),
        )?;
        if let Some(code) = code {
            record.short_code = code.as_str().to_owned();
        }
        if let Some(title) = title {
            record.title = title;
        }
        if let Some(body) = body {
            record.body = body;
        }
        if let Some(inbox) = patch.inbox_id {
            check_inbox(&txn, actor, inbox).await?;
            record.inbox_id = inbox;
        }
        record.updated_at = now;
        canned_responses::update(&txn, scope, &record)
            .await
            .map_err(code_taken)?;
        let event = AuditEvent::new("canned_response.updated", TARGET, id).with(details(&record));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Deletes a canned response (needs `settings.manage`).
    pub async fn delete_canned_response(
        &self,
        actor: &Actor,
        id: CannedResponseId,
    ) -> AppResult<()> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let record = canned_responses::get(&txn, scope, id).await?;
        canned_responses::delete(&txn, scope, id).await?;
        let event = AuditEvent::new("canned_response.deleted", TARGET, id).with(details(&record));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A canned response filled in for one conversation: its contact, inbox and org, and the
    /// actor as the agent (needs `conversations.read`). A response kept for another inbox is
    /// refused, as the picker never offers it there.
    pub async fn render_canned_response(
        &self,
        actor: &Actor,
        conversation: ConversationId,
        id: CannedResponseId,
    ) -> AppResult<String> {
        actor.require(Permission::ConversationsRead)?;
        let db = self.db().conn();
        let scope = actor.scope();
        let detail = self.conversation_detail(db, actor, conversation).await?;
        let canned = canned_responses::get(db, scope, id).await?;
        let conv = &detail.row.record;
        if canned.inbox_id.is_some_and(|i| i != conv.inbox_id) {
            return Err(AppError::InvalidField {
                field: "canned_id".into(),
                message: "this canned response is kept for another inbox".into(),
            });
        }
        self.fill_canned(
            db,
            scope,
            conv,
            detail.row.inbox_name.clone(),
            &canned,
            Some(actor.name.clone()),
        )
        .await
    }

    /// Fills `canned` in for `conv`; `agent` is who sends it (an automation passes `None` and
    /// the org's name stands in).
    pub(crate) async fn fill_canned(
        &self,
        db: &impl ConnectionTrait,
        scope: rapport_store::OrgScope,
        conv: &rapport_store::repo::conversations::ConversationRecord,
        inbox_name: String,
        canned: &CannedRecord,
        agent: Option<String>,
    ) -> AppResult<String> {
        let contact = contacts::get(db, scope, conv.contact_id).await?;
        let org = orgs::get(db, scope).await?;
        let facts = RenderFacts {
            contact_email: contact.data.primary_email().unwrap_or_default().to_owned(),
            contact_first_name: contact.data.first_name,
            contact_last_name: contact.data.last_name,
            contact_name: contact.display_name,
            agent_name: agent.unwrap_or_else(|| org.name.clone()),
            conversation_number: conv.number,
            inbox_name,
            org_name: org.name,
        };
        canned_render::render(&canned.body, &facts).map_err(template_refused)
    }
}
