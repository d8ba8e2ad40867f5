//! A conversation's thread as the page shows it: customer messages on the left, the team's
//! replies on the right with their delivery state, private notes highlighted, and activity
//! lines said in the reader's language from their recorded facts.

use crate::i18n::Tr;
use crate::ui::page::initials;
use rapport_app::inbox::attachments::listed;
use rapport_app::inbox::messages::note_html;
use rapport_app::inbox::{MessageRecord, Sender};
use rapport_domain::inbox::attachment::previewable;
use rapport_domain::inbox::{DeliveryStatus, Direction, MessageKind};
use std::collections::HashMap;

/// One entry of the thread.
pub struct Entry {
    pub id: String,
    /// `in`, `out`, `note` or `activity` (the CSS modifier).
    pub kind: &'static str,
    pub author: String,
    pub initials: String,
    pub when: String,
    /// Plain text (messages), escaped by the template.
    pub text: String,
    /// Sanitized HTML (notes).
    pub html: String,
    /// Delivery state of a reply (`queued`, `sent`, `failed` …), translated.
    pub delivery: String,
    pub failed: bool,
    pub error: String,
    /// Files it carries.
    pub files: Vec<FileLink>,
    /// An email's quoted history and signature, folded away (empty when none).
    pub quoted: String,
    /// "Auto-reply", "Delivery failure" or "Mailing list" for automated mail, translated.
    pub automated: String,
    /// Where an email's own formatting is shown (empty when it had no HTML).
    pub original: String,
    /// What the size limits left out of an email ("the HTML body was longer than …").
    pub notes: Vec<String>,
}

/// A file on an entry: a download link, with a preview for raster images.
pub struct FileLink {
    pub name: String,
    /// "2.4 MB".
    pub size: String,
    pub url: String,
    /// The inline preview's address (PNG, JPEG, GIF or WebP only; empty otherwise).
    pub preview: String,
}

/// "912 B", "14 KB", "2.4 MB".
fn human_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    // Sizes are at most 25 MiB, so the float is exact enough to show one decimal.
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{:.1} MB", b / KB / KB)
    }
}

fn files(m: &MessageRecord) -> Vec<FileLink> {
    listed(&m.metadata)
        .into_iter()
        .map(|f| {
            let url = format!("/api/v1/attachments/{}/content", f.id);
            FileLink {
                size: human_size(f.size),
                preview: if previewable(&f.content_type) {
                    format!("{url}?inline=1")
                } else {
                    String::new()
                },
                name: f.filename,
                url,
            }
        })
        .collect()
}

fn fact<'a>(m: &'a MessageRecord, key: &str) -> &'a str {
    m.metadata["facts"][key].as_str().unwrap_or_default()
}

/// An activity line in the reader's language.
fn activity_text(tr: &Tr, m: &MessageRecord, who: &str) -> String {
    let event = m.metadata["event"].as_str().unwrap_or_default();
    let status = |k: &str| tr.t(&format!("inbox.status.{}", fact(m, k)));
    match event {
        "status_changed" => tr.tf(
            "inbox.activity.status_changed",
            &[("who", who), ("status", &status("to"))],
        ),
        "priority_changed" => tr.tf(
            "inbox.activity.priority_changed",
            &[
                ("who", who),
                (
                    "priority",
                    &tr.t(&format!("inbox.priority.{}", fact(m, "to"))),
                ),
            ],
        ),
        "assigned" => match (fact(m, "assignee_name"), fact(m, "team_name")) {
            ("", "") => tr.tf("inbox.activity.unassigned", &[("who", who)]),
            ("", team) => tr.tf("inbox.activity.team", &[("who", who), ("team", team)]),
            (name, _) => tr.tf("inbox.activity.assigned", &[("who", who), ("name", name)]),
        },
        "labels_changed" => tr.tf("inbox.activity.labels", &[("who", who)]),
        "merged" => {
            let n = m.metadata["facts"]["number"]
                .as_i64()
                .unwrap_or_default()
                .to_string();
            tr.tf("inbox.activity.merged", &[("who", who), ("number", &n)])
        }
        "split" => tr.tf("inbox.activity.split", &[("who", who)]),
        "moved" => tr.tf(
            "inbox.activity.moved",
            &[("who", who), ("inbox", fact(m, "inbox_name"))],
        ),
        "snooze_ended" => tr.t("inbox.activity.snooze_ended"),
        "csat_rated" => {
            let rating = m.metadata["facts"]["rating"]
                .as_u64()
                .unwrap_or_default()
                .to_string();
            tr.tf(
                "inbox.activity.csat_rated",
                &[("who", who), ("rating", &rating)],
            )
        }
        _ => m.body.clone(),
    }
}

/// The page's entries. `members` names the team; `contact` is the customer's name.
pub fn entries(
    tr: &Tr,
    items: &[MessageRecord],
    members: &HashMap<uuid::Uuid, String>,
    contact: &str,
) -> Vec<Entry> {
    items
        .iter()
        .map(|m| {
            let author = match m.sender {
                Sender::Contact(_) => contact.to_owned(),
                Sender::User(u) => members
                    .get(&u.as_uuid())
                    .cloned()
                    .unwrap_or_else(|| tr.t("inbox.thread.former_member")),
                // An automation's entry names its rule.
                Sender::System => m.metadata["automation"]["name"]
                    .as_str()
                    .map_or_else(|| tr.t("inbox.thread.system"), str::to_owned),
            };
            let kind = match (m.kind, m.direction) {
                (MessageKind::Note, _) => "note",
                (MessageKind::Activity, _) => "activity",
                (MessageKind::Message, Direction::Incoming) => "in",
                (MessageKind::Message, Direction::Outgoing) => "out",
            };
            let email = &m.metadata["email"];
            let (text, quoted) = if kind == "activity" {
                (activity_text(tr, m, &author), String::new())
            } else if email.is_object() {
                let split = rapport_app::inbox::email::quote::split(&m.body);
                (split.body, split.folded)
            } else {
                (m.body.clone(), String::new())
            };
            let automated = email["automated"]["kind"]
                .as_str()
                .map(|k| tr.t(&format!("inbox.thread.automated.{k}")))
                .unwrap_or_default();
            let original = if email["html"].is_string() {
                format!("/inbox/messages/{}/original", m.id)
            } else {
                String::new()
            };
            let delivery = if kind == "out" {
                tr.t(&format!("inbox.delivery.{}", m.status))
            } else {
                String::new()
            };
            Entry {
                id: m.id.to_string(),
                kind,
                initials: initials(&author),
                author,
                when: tr.datetime(&m.created_at),
                text,
                html: note_html(m).unwrap_or_default(),
                delivery,
                failed: m.status == DeliveryStatus::Failed,
                error: m.error.clone().unwrap_or_default(),
                files: files(m),
                quoted,
                automated,
                original,
                notes: email["notes"]
                    .as_array()
                    .map(|n| {
                        n.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(912), "912 B");
        assert_eq!(human_size(14 * 1024), "14 KB");
        assert_eq!(human_size(2_516_582), "2.4 MB");
    }
}
