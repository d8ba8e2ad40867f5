//! Which conversations a folder and status tab show, as query parameters and as the store's
//! query, and the folder list in the left pane.

use crate::i18n::Tr;
use rapport_app::inbox::views::view_query;
use rapport_app::inbox::{AssigneeFilter, ConversationQuery, InboxRecord, ViewRecord};
use rapport_domain::inbox::ConversationStatus;
use rapport_domain::inbox::view::ViewFilter;
use rapport_domain::{InboxId, TeamId, UserId};

/// A folder: `mine`, `unassigned`, `all`, `following`, `inbox:<id>`, `team:<id>`,
/// `label:<name>` or `view:<id>` (a saved view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Folder {
    Mine,
    Unassigned,
    All,
    Following,
    Inbox(InboxId),
    Team(TeamId),
    Label(String),
    View(uuid::Uuid),
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
                Some(("team", id)) => id.parse().map(Self::Team).unwrap_or(Self::Mine),
                Some(("view", id)) => id.parse().map(Self::View).unwrap_or(Self::Mine),
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
            Self::Team(id) => format!("team:{id}"),
            Self::Label(l) => format!("label:{l}"),
            Self::View(id) => format!("view:{id}"),
        }
    }

    /// The store query for this folder and status tab; a saved view's is its filter's.
    pub fn query(
        &self,
        status: Option<ConversationStatus>,
        me: UserId,
        view: Option<&ViewFilter>,
    ) -> ConversationQuery {
        let mut q = match (self, view) {
            (Self::View(_), Some(filter)) => view_query(filter, me),
            _ => ConversationQuery::default(),
        };
        q.statuses = status.into_iter().collect();
        match self {
            Self::Mine => q.assignee = AssigneeFilter::User(me),
            Self::Unassigned => q.assignee = AssigneeFilter::Unassigned,
            Self::All => {}
            Self::Following => q.follower = Some(me),
            Self::Inbox(id) => q.inbox = Some(*id),
            Self::Team(id) => q.team = Some(*id),
            Self::Label(l) => q.label = Some(l.clone()),
            Self::View(_) => {}
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
    /// `personal`, `view`, `inbox`, `team` or `label` (the section and icon).
    pub group: &'static str,
}

/// What the folder pane lists besides the fixed folders.
pub struct Sections<'a> {
    pub inboxes: &'a [InboxRecord],
    pub teams: &'a [(TeamId, String)],
    pub labels: &'a [(String, i64)],
    pub views: &'a [ViewRecord],
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
    sections: &Sections<'_>,
) -> Vec<FolderLink> {
    let mut out = Vec::new();
    let mut push = |f: Folder, label: String, group| {
        out.push(FolderLink {
            label,
            href: href(&f, status),
            active: &f == current,
            group,
        });
    };
    for (f, key) in [
        (Folder::Mine, "inbox.folders.mine"),
        (Folder::Unassigned, "inbox.folders.unassigned"),
        (Folder::All, "inbox.folders.all"),
        (Folder::Following, "inbox.folders.following"),
    ] {
        push(f, tr.t(key), "personal");
    }
    for v in sections.views {
        push(Folder::View(v.id), v.name.clone(), "view");
    }
    for i in sections.inboxes {
        push(Folder::Inbox(i.id), i.name.clone(), "inbox");
    }
    for (id, name) in sections.teams {
        push(Folder::Team(*id), name.clone(), "team");
    }
    for (l, _) in sections.labels.iter().take(12) {
        push(Folder::Label(l.clone()), l.clone(), "label");
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
            Folder::Team(TeamId::new()),
            Folder::Label("vip".into()),
            Folder::View(uuid::Uuid::now_v7()),
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
