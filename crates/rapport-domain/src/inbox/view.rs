//! Saved views: a named filter over conversations an agent keeps in the inbox's folder pane
//! ("Urgent billing in Website, unassigned"). A view is its owner's, or shared with the whole
//! org. The filter says which assignee, inbox, team, label and least priority; the status tab
//! still chooses open, pending and so on, as in every folder.

use super::{Label, Priority};
use crate::error::DomainError;
use crate::id::{InboxId, TeamId, UserId};

/// The longest view name.
pub const MAX_VIEW_NAME: usize = 60;
/// The most views one member keeps (their own, not counting shared ones).
pub const MAX_VIEWS_PER_MEMBER: u64 = 50;

/// Whose conversations a view shows.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case", tag = "type", content = "user_id")]
pub enum ViewAssignee {
    /// Anyone's, assigned or not.
    #[default]
    Anyone,
    /// The viewer's own (each member who opens a shared view sees theirs).
    Me,
    /// No one's.
    Unassigned,
    /// One member's.
    Member(UserId),
}

/// What a view shows.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct ViewFilter {
    /// Whose conversations.
    #[serde(default)]
    pub assignee: ViewAssignee,
    /// Only this inbox.
    #[serde(default)]
    pub inbox_id: Option<InboxId>,
    /// Only this team's.
    #[serde(default)]
    pub team_id: Option<TeamId>,
    /// Only with this label.
    #[serde(default)]
    pub label: Option<String>,
    /// At or above this priority.
    #[serde(default)]
    pub min_priority: Option<Priority>,
}

impl ViewFilter {
    /// Normalizes the label; a view must narrow something (otherwise it is the "All" folder).
    pub fn validate(self) -> Result<Self, DomainError> {
        let label = match self.label.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(l) => Some(Label::parse(l)?.as_str().to_owned()),
        };
        let out = Self { label, ..self };
        if out == Self::default() {
            return Err(DomainError::Invalid {
                field: "filter",
                reason: "choose at least one of assignee, inbox, team, label or priority",
            });
        }
        Ok(out)
    }
}

/// Validates a view's name: 1–60 characters.
pub fn view_name(raw: &str) -> Result<String, DomainError> {
    crate::bounded_text("name", raw, MAX_VIEW_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_must_narrow_and_labels_are_normalized() {
        assert!(ViewFilter::default().validate().is_err());
        let f = ViewFilter {
            label: Some("  VIP ".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(f.label.as_deref(), Some("vip"));
        let blank_label = ViewFilter {
            label: Some(" ".into()),
            assignee: ViewAssignee::Me,
            ..Default::default()
        };
        assert_eq!(blank_label.validate().unwrap().label, None);
        assert!(view_name("").is_err());
        assert!(view_name(&"x".repeat(61)).is_err());
    }

    #[test]
    fn filters_read_and_write_as_json() {
        let f: ViewFilter = serde_json::from_str(
            r#"{"assignee":{"type":"unassigned"},"min_priority":"high","label":"billing"}"#,
        )
        .unwrap();
        assert_eq!(f.assignee, ViewAssignee::Unassigned);
        assert_eq!(f.min_priority, Some(Priority::High));
        let back = serde_json::to_value(&f).unwrap();
        assert_eq!(back["assignee"]["type"], "unassigned");
        assert!(serde_json::from_str::<ViewFilter>(r#"{"colour":"red"}"#).is_err());
    }
}
