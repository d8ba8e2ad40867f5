//! The shared inbox: inboxes and their channels, the ingest pipeline (the hot path: an inbound
//! message stored exactly once, with its contact, conversation and outbox event, in one
//! transaction), conversations (status, priority, assignment, labels, followers, merge, split,
//! move, bulk actions), replies and private notes with @mentions, the delivery job that hands
//! replies to their channel, the sweep that wakes snoozed conversations, and canned responses
//! (saved replies rendered for a conversation), automation rules with their runner, and SLA
//! policies with the clocks they put on conversations.

mod activity;
pub mod assignment;
pub mod attachments;
pub mod automation;
pub mod canned;
pub mod canned_render;
pub mod channels;
mod continuation;
pub mod conversations;
pub mod csat;
pub mod deliver;
pub mod email;
pub mod inboxes;
pub mod ingest;
pub mod messages;
mod notify;
pub mod organize;
pub mod sla;
pub mod snooze;
pub mod views;

pub use rapport_store::repo::attachments::AttachmentRecord;
pub use rapport_store::repo::canned_responses::CannedRecord;
pub use rapport_store::repo::conversation_list::{
    AssigneeFilter, ConversationQuery, ConversationRow,
};
pub use rapport_store::repo::conversations::ConversationRecord;
pub use rapport_store::repo::inboxes::InboxRecord;
pub use rapport_store::repo::messages::{MessageRecord, Sender};
pub use rapport_store::repo::saved_views::ViewRecord;

/// The longest preview kept for the conversation list.
const PREVIEW_CHARS: usize = 280;

/// The first words of a message, on one line, for the conversation list.
pub(crate) fn preview(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(PREVIEW_CHARS) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use super::preview;

    #[test]
    fn previews_are_one_line_and_bounded() {
        assert_eq!(preview("Hello\n\n  there"), "Hello there");
        let long = "é".repeat(300);
        let p = preview(&long);
        assert_eq!(p.chars().count(), 281);
        assert!(p.ends_with('…'));
    }
}
