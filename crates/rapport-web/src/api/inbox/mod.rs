//! The shared-inbox API: `/api/v1/inboxes` (and the API channel's
//! `POST /inboxes/{id}/messages`), `/api/v1/conversations` with their status, priority,
//! assignment, labels, followers, read marks, merge, move, bulk actions and messages, and
//! `/api/v1/labels`, `/api/v1/automation-rules` (with each rule's run log),
//! `/api/v1/sla-policies`, `/api/v1/uploads` and `/api/v1/attachments` (files),
//! `/api/v1/conversation-views` (saved views), and
//! `/api/v1/canned-responses` (saved replies, rendered per
//! conversation). The JSON shapes live here (canned responses' in their own file); the handlers
//! in one file per resource.

pub mod assignment;
pub mod attachments;
pub mod automation;
pub mod canned;
pub mod conversations;
pub mod email;
pub mod inboxes;
pub mod messages;
pub mod sla;
pub mod views;

use chrono::{DateTime, Utc};
use rapport_app::inbox::attachments::listed;
use rapport_app::inbox::conversations::ConversationDetail;
use rapport_app::inbox::messages::note_html;
use rapport_app::inbox::{ConversationRow, InboxRecord, MessageRecord, Sender};
use rapport_domain::inbox::assignment::AutoAssign;
use rapport_domain::inbox::{
    ChannelKind, ConversationStatus, DeliveryStatus, Direction, MessageKind, Priority,
};
use serde::Serialize;

/// An inbox.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Its channel.
    pub channel: ChannelKind,
    /// The team its new conversations belong to.
    pub team_id: Option<uuid::Uuid>,
    /// How new conversations are assigned (`none`, `round_robin`, `least_loaded`).
    pub auto_assign: AutoAssign,
    /// Whether a customer's message reopens a resolved conversation (otherwise it starts a new one).
    pub reopen_resolved: bool,
    /// Whether resolving sends a satisfaction survey.
    pub csat_enabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<InboxRecord> for Inbox {
    fn from(r: InboxRecord) -> Self {
        Self {
            id: r.id.as_uuid(),
            name: r.name,
            channel: r.channel,
            team_id: r.team_id.map(|t| t.as_uuid()),
            auto_assign: AutoAssign::parse(&r.auto_assign).unwrap_or(AutoAssign::None),
            reopen_resolved: r.reopen_resolved,
            csat_enabled: r.csat_enabled,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Something named by id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Named {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
}

/// The conversation's contact.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationContact {
    /// Contact id.
    pub id: uuid::Uuid,
    /// Display name.
    pub name: String,
    /// Primary email.
    pub email: Option<String>,
}

/// The conversation's inbox.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationInbox {
    /// Inbox id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Channel.
    pub channel: ChannelKind,
}

/// A conversation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Conversation {
    /// Id.
    pub id: uuid::Uuid,
    /// The org's running number (`#42`).
    pub number: i64,
    /// Where it came in.
    pub inbox: ConversationInbox,
    /// The customer.
    pub contact: ConversationContact,
    /// Subject, if any.
    pub subject: Option<String>,
    /// Status.
    pub status: ConversationStatus,
    /// Priority.
    pub priority: Priority,
    /// The member working on it.
    pub assignee: Option<Named>,
    /// The team it belongs to.
    pub team: Option<Named>,
    /// Labels, sorted.
    pub labels: Vec<String>,
    /// Snoozed until (null while snoozed: until the customer replies).
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The last message, note or change.
    pub last_activity_at: DateTime<Utc>,
    /// The start of the last message.
    pub last_message_preview: Option<String>,
    /// Since when the customer waits for an answer (null when the team spoke last).
    pub waiting_since: Option<DateTime<Utc>>,
    /// The team's first reply.
    pub first_reply_at: Option<DateTime<Utc>>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Messages and notes in it.
    pub message_count: i32,
    /// Whether the customer wrote since the caller last read it.
    pub unread: bool,
    /// Its SLA deadlines; null when its inbox is under no SLA policy.
    pub sla: Option<sla::ConversationSla>,
    /// Its latest satisfaction survey (only on single-conversation responses, when one was
    /// sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csat: Option<ConversationCsat>,
    /// Members following it (only on single-conversation responses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<Vec<uuid::Uuid>>,
    /// Opened.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A conversation's latest satisfaction survey.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationCsat {
    /// 1–5 once answered.
    pub rating: Option<u8>,
    /// The customer's comment.
    pub comment: Option<String>,
    /// When the survey was sent.
    pub sent_at: DateTime<Utc>,
    /// When the customer answered.
    pub answered_at: Option<DateTime<Utc>>,
}

impl From<ConversationRow> for Conversation {
    fn from(row: ConversationRow) -> Self {
        let unread = row.unread();
        let r = row.record;
        Self {
            id: r.id.as_uuid(),
            number: r.number,
            inbox: ConversationInbox {
                id: r.inbox_id.as_uuid(),
                name: row.inbox_name,
                channel: row.channel,
            },
            contact: ConversationContact {
                id: r.contact_id.as_uuid(),
                name: row.contact_name,
                email: row.contact_email,
            },
            subject: r.subject,
            status: r.status,
            priority: r.priority,
            assignee: r.assignee_id.map(|id| Named {
                id: id.as_uuid(),
                name: row.assignee_name.unwrap_or_default(),
            }),
            team: r.team_id.map(|id| Named {
                id: id.as_uuid(),
                name: row.team_name.unwrap_or_default(),
            }),
            labels: row.labels,
            snoozed_until: r.snoozed_until,
            last_activity_at: r.last_activity_at,
            last_message_preview: r.last_message_preview,
            waiting_since: r.waiting_since,
            first_reply_at: r.first_reply_at,
            resolved_at: r.resolved_at,
            message_count: r.message_count,
            unread,
            sla: row.sla.map(Into::into),
            csat: None,
            followers: None,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<ConversationDetail> for Conversation {
    fn from(d: ConversationDetail) -> Self {
        let mut c = Conversation::from(d.row);
        c.followers = Some(d.followers.into_iter().map(|u| u.as_uuid()).collect());
        c.csat = d.csat.map(|s| ConversationCsat {
            rating: s.rating,
            comment: s.comment,
            sent_at: s.created_at,
            answered_at: s.answered_at,
        });
        c
    }
}

/// Who wrote a message.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageSender {
    /// `contact`, `user` or `system`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The contact's or member's id.
    pub id: Option<uuid::Uuid>,
}

/// A file on a message.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageAttachment {
    /// Id.
    pub id: uuid::Uuid,
    /// File name.
    pub filename: String,
    /// Declared type (`type/subtype`).
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Where to download it (always as an attachment, never rendered).
    pub url: String,
}

impl MessageAttachment {
    /// The files a message's metadata lists.
    pub fn of(metadata: &serde_json::Value) -> Vec<Self> {
        listed(metadata)
            .into_iter()
            .map(|f| Self {
                id: f.id.as_uuid(),
                url: format!("/api/v1/attachments/{}/content", f.id),
                filename: f.filename,
                content_type: f.content_type,
                size: f.size,
            })
            .collect()
    }
}

/// A message, private note or activity line.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Message {
    /// Id.
    pub id: uuid::Uuid,
    /// Its conversation.
    pub conversation_id: uuid::Uuid,
    /// `message`, `note` or `activity`.
    pub kind: MessageKind,
    /// `incoming` (from the customer) or `outgoing`.
    pub direction: Direction,
    /// Who wrote it.
    pub sender: MessageSender,
    /// Text (Markdown for notes).
    pub content: String,
    /// Sanitized HTML of a note.
    pub html: Option<String>,
    /// Delivery state.
    pub status: DeliveryStatus,
    /// Why delivery failed.
    pub error: Option<String>,
    /// The channel's id for it.
    pub external_id: Option<String>,
    /// Files it carries.
    pub attachments: Vec<MessageAttachment>,
    /// Mentions of a note; `event` and `facts` of an activity line.
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// Written.
    pub created_at: DateTime<Utc>,
}

impl From<MessageRecord> for Message {
    fn from(m: MessageRecord) -> Self {
        let html = note_html(&m);
        let sender = match m.sender {
            Sender::Contact(c) => MessageSender {
                kind: "contact".into(),
                id: Some(c.as_uuid()),
            },
            Sender::User(u) => MessageSender {
                kind: "user".into(),
                id: Some(u.as_uuid()),
            },
            Sender::System => MessageSender {
                kind: "system".into(),
                id: None,
            },
        };
        Self {
            id: m.id.as_uuid(),
            conversation_id: m.conversation_id.as_uuid(),
            kind: m.kind,
            direction: m.direction,
            sender,
            content: m.body,
            html,
            status: m.status,
            error: m.error,
            external_id: m.external_id,
            attachments: MessageAttachment::of(&m.metadata),
            metadata: m.metadata,
            created_at: m.created_at,
        }
    }
}
