//! Which conversations a folder and status tab show, as query parameters and as the store's
//! query, and the folder list in the left pane.

use crate::i18n::Tr;
use rapport_app::inbox::{AssigneeFilter, ConversationQuery, InboxRecord};
use rapport_domain::inbox::ConversationStatus;
use rapport_domain::{InboxId, UserId};

/// A folder: `mine`, `unassigned`, `all`, `following`, `inbox:<id>` or `label:<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Folder {
    Mine,
    Unassigned,
    All,
    Following,
    Inbox(InboxId),
    Label(String),
}

impl Folder {
    /// Parses the `folder` parameter (anything unknown is `mine`, the agent's home).
    pub fn parse(raw: Option<&str>) -> Self {
        match raw.unwrap_or("mine") {
            "unassigned" => Self::Unassigned,
            "all" => Self::All,
            "following" => Self::Following,
            other => match other.split_once(':') {
                Some(("inbox", id)) => id.parse().map(Self::Inbox).unwrap_or(Self::Mine),
                Some(("label", l)) if !l.is_empty() => Self::Label(l.to_owned()),
                _ => Self::Mine,
            },
        }
    }

    /// The `folder` parameter.
    pub fn key(&self) -> String {
        match self {
            Self::Mine => "mine".into(),
            Self::Unassigned => "unassigned".into(),
            Self::All => "all".into(),
            Self::Following => "following".into(),
            Self::Inbox(id) => format!("inbox:{id}"),
            Self::Label(l) => format!("label:{l}"),
        }
    }

    /// The store query for this folder and status tab.
    pub fn query(&self, status: Option<ConversationStatus>, me: UserId) -> ConversationQuery {
        let mut q = ConversationQuery {
            statuses: status.into_iter().collect(),
            ..Default::default()
        };
        match self {
            Self::Mine => q.assignee = AssigneeFilter::User(me),
            Self::Unassigned => q.assignee = AssigneeFilter::Unassigned,
            Self::All => {}
            Self::Following => q.follower = Some(me),
            Self::Inbox(id) => q.inbox = Some(*id),
            Self::Label(l) => q.label = Some(l.clone()),
        }
        q
    }
}

/// The status tab: one status, or every status (`all`). Default: open.
pub fn parse_status(raw: Option<&str>) -> Option<ConversationStatus> {
    match raw {
        Some("all") => None,
        Some(s) => Some(ConversationStatus::parse(s).unwrap_or(ConversationStatus::Open)),
        None => Some(ConversationStatus::Open),
    }
}

/// The `status` parameter of a tab.
pub fn status_key(status: Option<ConversationStatus>) -> &'static str {
    status.map_or("all", ConversationStatus::as_str)
}

/// A link in the folder pane.
pub struct FolderLink {
    pub label: String,
    pub href: String,
    pub active: bool,
    /// `personal`, `inbox` or `label` (the icon).
    pub group: &'static str,
}

/// `/inbox?folder=…&status=…`.
pub fn href(folder: &Folder, status: Option<ConversationStatus>) -> String {
    let query = serde_urlencoded::to_string([
        ("folder", folder.key().as_str()),
        ("status", status_key(status)),
    ])
    .unwrap_or_default();
    format!("/inbox?{query}")
}

/// Every folder the agent can open.
pub fn links(
    tr: &Tr,
    current: &Folder,
    status: Option<ConversationStatus>,
    inboxes: &[InboxRecord],
    labels: &[(String, i64)],
) -> Vec<FolderLink> {
    let mut out = Vec::new();
    for (f, key) in [
        (Folder::Mine, "inbox.folders.mine"),
        (Folder::Unassigned, "inbox.folders.unassigned"),
        (Folder::All, "inbox.folders.all"),
        (Folder::Following, "inbox.folders.following"),
    ] {
        out.push(FolderLink {
            label: tr.t(key),
            href: href(&f, status),
            active: &f == current,
            group: "personal",
        });
    }
    for i in inboxes {
        let f = Folder::Inbox(i.id);
        out.push(FolderLink {
            label: i.name.clone(),
            href: href(&f, status),
            active: &f == current,
            group: "inbox",
        });
    }
    for (l, _) in labels.iter().take(12) {
        let f = Folder::Label(l.clone());
        out.push(FolderLink {
            label: l.clone(),
            href: href(&f, status),
            active: &f == current,
            group: "label",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_round_trip_and_unknown_ones_fall_back_to_mine() {
        let id = InboxId::new();
        for f in [
            Folder::Mine,
            Folder::Unassigned,
            Folder::All,
            Folder::Following,
            Folder::Inbox(id),
            Folder::Label("vip".into()),
        ] {
            assert_eq!(Folder::parse(Some(&f.key())), f);
        }
        assert_eq!(Folder::parse(Some("inbox:nope")), Folder::Mine);
        assert_eq!(Folder::parse(Some("label:")), Folder::Mine);
        assert_eq!(parse_status(None), Some(ConversationStatus::Open));
        assert_eq!(parse_status(Some("all")), None);
        assert_eq!(parse_status(Some("bogus")), Some(ConversationStatus::Open));
    }
}
