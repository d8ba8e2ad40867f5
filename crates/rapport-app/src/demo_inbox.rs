//! The demo inbox: `serve --demo` opens two API inboxes and files customers' messages from
//! the demo contacts through the same ingest pipeline real channels use, then works them as
//! the demo owner (replies, notes, labels, priorities), leaving conversations in every state,
//! and writes the team's canned responses, automation rules and SLA policy.

use crate::authz::Actor;
use crate::context::App;
use crate::demo_crm::data::DemoContact;
use crate::error::AppResult;
use crate::inbox::attachments::NewFile;
use crate::inbox::canned::NewCanned;
use crate::inbox::channels::ApiInbound;
use crate::inbox::conversations::{Assignment, StatusChange};
use crate::inbox::inboxes::NewInbox;
use crate::inbox::organize::LabelChange;
use chrono::Duration;
use rapport_domain::inbox::assignment::AutoAssign;
use rapport_domain::inbox::{ChannelKind, ConversationStatus, Priority};

/// One support story: what the customer wrote, how the team answered, where it stands.
struct Story {
    subject: &'static str,
    asks: &'static str,
    reply: Option<&'static str>,
    follow_up: Option<&'static str>,
    note: Option<&'static str>,
    status: ConversationStatus,
    priority: Priority,
    labels: &'static [&'static str],
    mine: bool,
    /// A file the customer sent with the first message: (name, type, content).
    file: Option<(&'static str, &'static str, &'static [u8])>,
}

/// The file of the export story: what the customer saw in Excel.
const EXPORT_SAMPLE: &[u8] =
    "first_name,last_name,email\nZo\u{c3}\u{ab},M\u{c3}\u{bc}ller,zoe@example.org\nJos\u{c3}\u{a9},Garc\u{c3}\u{ad}a,jose@example.org\n"
        .as_bytes();

/// The demo's canned responses: (short code, title, body, only in the "Website" inbox).
const CANNED: &[(&str, &str, &str, bool)] = &[
    (
        "hello",
        "Greeting",
        "Hi {{ contact.first_name or \"there\" }},\n\nthanks for reaching out to {{ org.name }}!\n\n",
        false,
    ),
    (
        "thanks",
        "Sign-off",
        "Thanks again for your patience. If anything else comes up, just reply to this message.\n\nBest,\n{{ agent.first_name }}",
        false,
    ),
    (
        "password-reset",
        "Password reset link",
        "Hi {{ contact.first_name }},\n\nreset links last 30 minutes, and requesting a new one cancels the previous link. I've sent you a fresh one to {{ contact.email }}: please use the newest email.\n\n{{ agent.first_name }}",
        true,
    ),
    (
        "refund",
        "Refund confirmed",
        "Hi {{ contact.first_name }},\n\nI've issued a full refund for your last invoice. It shows on your statement within 5–10 business days. Your reference is #{{ conversation.number }}.\n\n{{ agent.name }}, {{ org.name }}",
        false,
    ),
    (
        "csv-excel",
        "CSV export in Excel",
        "Excel opens CSV files as Windows-1252 unless told otherwise. In Excel, choose **Data → From Text/CSV** and pick *65001: Unicode (UTF-8)* as the file origin; accented names then show correctly.",
        false,
    ),
];

const STORIES: &[Story] = &[
    Story {
        subject: "Invoice shows the wrong VAT number",
        asks: "Hi, our March invoice lists an old VAT number (DE811 …). Could you reissue it with DE298 450 113? Our auditors need it by Friday.",
        reply: Some(
            "Thanks for flagging this! I've updated the VAT number on your account; the corrected invoice will arrive within the hour.",
        ),
        follow_up: None,
        note: None,
        status: ConversationStatus::Resolved,
        priority: Priority::Medium,
        labels: &["billing"],
        mine: true,
        file: None,
    },
    Story {
        subject: "Can't log in after password reset",
        asks: "I reset my password twice but the login page keeps saying the link expired. I'm locked out and have a demo in two hours.",
        reply: Some(
            "Sorry about that — reset links last 30 minutes and the second request invalidates the first. I've sent a fresh one just now; please use the newest email.",
        ),
        follow_up: Some("Got in, thank you!"),
        note: None,
        status: ConversationStatus::Open,
        priority: Priority::Urgent,
        labels: &["login"],
        mine: true,
        file: None,
    },
    Story {
        subject: "Export to CSV drops accented names",
        asks: "When I export contacts, names like \"Zoë Müller\" come out as \"ZoÃ« MÃ¼ller\" in Excel.",
        reply: Some(
            "Excel reads CSV as Windows-1252 unless the file starts with a byte-order mark. We've queued a fix; meanwhile use Data → From Text and pick UTF-8.",
        ),
        follow_up: None,
        note: Some("Reproduced with Excel 2019. Engineering ticket filed."),
        status: ConversationStatus::Pending,
        priority: Priority::Medium,
        labels: &["bug", "export"],
        mine: true,
        file: Some(("contacts-export.csv", "text/csv", EXPORT_SAMPLE)),
    },
    Story {
        subject: "Upgrade to the annual plan",
        asks: "We'd like to move our 12 seats to annual billing. Is the 15% discount still available?",
        reply: None,
        follow_up: None,
        note: Some("Sales lead — loop in the account owner before quoting."),
        status: ConversationStatus::Open,
        priority: Priority::High,
        labels: &["sales", "upgrade"],
        mine: false,
        file: None,
    },
    Story {
        subject: "Webhook deliveries delayed",
        asks: "Since this morning our webhook endpoint receives events 10–15 minutes late. Anything on your side?",
        reply: Some("We're looking into it now and will update you within 30 minutes."),
        follow_up: None,
        note: None,
        status: ConversationStatus::Snoozed,
        priority: Priority::High,
        labels: &["integration"],
        mine: true,
        file: None,
    },
    Story {
        subject: "Feature request: dark mode",
        asks: "Love the product! Any plans for a dark theme? My team works late shifts.",
        reply: Some(
            "Thank you! Dark mode is on our roadmap for this quarter — I've added your vote.",
        ),
        follow_up: None,
        note: None,
        status: ConversationStatus::Closed,
        priority: Priority::Low,
        labels: &["feedback"],
        mine: false,
        file: None,
    },
    Story {
        subject: "GDPR: please delete my data",
        asks: "I'm no longer a customer. Please delete all personal data you hold about me, as per Article 17 GDPR.",
        reply: None,
        follow_up: None,
        note: Some("Data-subject request: verify identity, then run erasure within 30 days."),
        status: ConversationStatus::Open,
        priority: Priority::High,
        labels: &["privacy"],
        mine: false,
        file: None,
    },
    Story {
        subject: "Double charge on my card",
        asks: "I see two charges of €49.00 on 3 March. Can you refund one?",
        reply: Some(
            "You're right, a retry went through twice. The duplicate charge has been refunded; it can take 5–10 days to show.",
        ),
        follow_up: Some("Perfect, thanks for the quick help."),
        note: None,
        status: ConversationStatus::Resolved,
        priority: Priority::Medium,
        labels: &["billing", "refund"],
        mine: true,
        file: None,
    },
    Story {
        subject: "How do I add a teammate?",
        asks: "Where do I invite a colleague? I can't find it in settings.",
        reply: None,
        follow_up: None,
        note: None,
        status: ConversationStatus::Open,
        priority: Priority::None,
        labels: &["how-to"],
        mine: false,
        file: None,
    },
    Story {
        subject: "API rate limits",
        asks: "What are the rate limits for the contacts API? We plan to sync about 40k records nightly.",
        reply: Some(
            "The API allows 600 requests per minute per token; with pages of 100 that's 40k records in about a minute.",
        ),
        follow_up: None,
        note: None,
        status: ConversationStatus::Pending,
        priority: Priority::Low,
        labels: &["integration", "how-to"],
        mine: false,
        file: None,
    },
];

impl App {
    /// Seeds the demo inbox from the demo contacts.
    pub(crate) async fn seed_demo_inbox(
        &self,
        actor: &Actor,
        people: &[DemoContact],
    ) -> AppResult<()> {
        let web = self
            .create_inbox(
                actor,
                NewInbox {
                    name: "Website".into(),
                    channel: ChannelKind::Api,
                    team_id: None,
                    auto_assign: AutoAssign::None,
                    reopen_resolved: true,
                    csat_enabled: false,
                    email: None,
                },
            )
            .await?;
        let partners = self
            .create_inbox(
                actor,
                NewInbox {
                    name: "Partner portal".into(),
                    channel: ChannelKind::Api,
                    team_id: None,
                    auto_assign: AutoAssign::None,
                    reopen_resolved: false,
                    csat_enabled: true,
                    email: None,
                },
            )
            .await?;
        self.seed_demo_sla(actor, web.id).await?;
        let mut org_wide = Vec::new();
        for (short_code, title, body, website_only) in CANNED {
            let canned = NewCanned {
                short_code: (*short_code).into(),
                title: (*title).into(),
                body: (*body).into(),
                inbox_id: website_only.then_some(web.id),
            };
            let created = self.create_canned_response(actor, canned).await?;
            if !website_only {
                org_wide.push(created.id);
            }
        }
        let now = self.clock().now();
        for (i, (story, person)) in STORIES.iter().zip(people.iter().step_by(7)).enumerate() {
            let inbox = if i % 3 == 2 { partners.id } else { web.id };
            let identifier = format!("demo-{i}");
            let post = |content: &str| ApiInbound {
                identifier: identifier.clone(),
                name: Some(format!("{} {}", person.first_name, person.last_name)),
                email: Some(person.email.clone()),
                content: content.to_owned(),
                subject: Some(story.subject.to_owned()),
                sent_at: Some(now - Duration::minutes(40 * (STORIES.len() - i) as i64)),
                ..Default::default()
            };
            let mut asks = post(story.asks);
            if let Some((filename, content_type, bytes)) = story.file {
                let file = NewFile {
                    filename,
                    content_type: Some(content_type),
                    bytes,
                };
                asks.attachments = vec![self.upload_attachment(actor, file).await?.id];
            }
            let first = self
                .ingest_api_message(actor, inbox, &format!("demo-{i}-1"), asks)
                .await?;
            let Some(conv) = first.conversation.map(|c| c.id) else {
                continue;
            };
            if let Some(note) = story.note {
                self.add_conversation_note(actor, conv, note, &[]).await?;
            }
            if let Some(reply) = story.reply {
                self.reply(actor, conv, reply, None).await?;
            }
            if let Some(more) = story.follow_up {
                self.ingest_api_message(actor, inbox, &format!("demo-{i}-2"), post(more))
                    .await?;
            }
            if story.priority != Priority::None {
                self.set_conversation_priority(actor, conv, story.priority)
                    .await?;
            }
            let labels = LabelChange {
                add: story.labels.iter().map(|l| (*l).to_owned()).collect(),
                ..Default::default()
            };
            self.label_conversation(actor, conv, &labels).await?;
            if story.mine {
                self.assign_conversation(
                    actor,
                    conv,
                    Assignment {
                        assignee: Some(Some(actor.user_id)),
                        team: None,
                    },
                )
                .await?;
            }
            if story.status != ConversationStatus::Open {
                let snooze_until =
                    (story.status == ConversationStatus::Snoozed).then(|| now + Duration::hours(3));
                self.set_conversation_status(
                    actor,
                    conv,
                    StatusChange {
                        status: story.status,
                        snooze_until,
                    },
                )
                .await?;
            }
        }
        self.seed_demo_rules(actor, partners.id, org_wide.first().copied())
            .await
    }
}
