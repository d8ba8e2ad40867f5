//! Automation rules as values: what starts a rule (a [`Trigger`] derived from an outbox event),
//! the [`Condition`]s it checks against a conversation's [`Facts`], and the [`Action`]s it
//! takes. Everything here validates on save, so a stored rule never fails to parse when it
//! runs, and evaluation is a pure function the runner calls once per rule and event.
//!
//! Loop protection lives here too: every event carries the causal depth of the chain of
//! automations that produced it, and a rule is not run for an event at [`MAX_DEPTH`].

use super::{ChannelKind, ConversationStatus, Direction, Label, MessageKind, Priority};
use crate::error::DomainError;
use crate::event::EventKind;
use crate::id::{CannedResponseId, InboxId, TeamId, UserId};
use std::collections::BTreeMap;

/// The deepest chain of automations: an event caused by the third automation in a row does not
/// trigger a fourth (two rules that trigger each other stop there and the stop is logged).
pub const MAX_DEPTH: u8 = 3;
/// The longest rule name.
pub const MAX_NAME_CHARS: usize = 120;
/// The most conditions a rule holds.
pub const MAX_CONDITIONS: usize = 20;
/// The most actions a rule holds.
pub const MAX_ACTIONS: usize = 10;
/// The longest value a condition compares with.
pub const MAX_VALUE_CHARS: usize = 500;
/// The longest note or notification an action writes.
pub const MAX_ACTION_TEXT: usize = 5_000;
/// The longest snooze an action sets (30 days).
pub const MAX_SNOOZE_MINUTES: u32 = 30 * 24 * 60;

named_enum!(
    /// What starts a rule.
    Trigger, "trigger" {
        /// A customer's message arrived.
        MessageReceived = "message_received",
        /// An agent's (or an automation's) reply to the customer was written.
        ReplySent = "reply_sent",
        /// A conversation was opened.
        ConversationCreated = "conversation_created",
        /// A conversation's status, priority, labels, assignee or team changed.
        ConversationUpdated = "conversation_updated",
        /// An SLA deadline passed its warning threshold.
        SlaWarning = "sla_warning",
        /// An SLA deadline passed.
        SlaBreached = "sla_breached",
        /// Time passed: checked every few minutes against every conversation not closed (the
        /// rule needs a `hours_since_activity` or `hours_waiting` condition and runs once per
        /// conversation until the conversation sees new activity).
        TimeBased = "time_based",
    }
);

impl Trigger {
    /// The trigger an outbox event fires, if any. Notes and activity lines fire nothing (an
    /// automation's own activity line must not count as a reply).
    pub fn for_event(kind: EventKind, payload: &serde_json::Value) -> Option<Self> {
        match kind {
            EventKind::ConversationCreated => Some(Self::ConversationCreated),
            EventKind::ConversationUpdated | EventKind::ConversationAssigned => {
                Some(Self::ConversationUpdated)
            }
            EventKind::SlaWarning => Some(Self::SlaWarning),
            EventKind::SlaBreached => Some(Self::SlaBreached),
            EventKind::MessageCreated => {
                let kind = payload["kind"]
                    .as_str()
                    .and_then(|k| MessageKind::parse(k).ok());
                let direction = payload["direction"]
                    .as_str()
                    .and_then(|d| Direction::parse(d).ok());
                match (kind, direction) {
                    (Some(MessageKind::Message), Some(Direction::Incoming)) => {
                        Some(Self::MessageReceived)
                    }
                    (Some(MessageKind::Message), Some(Direction::Outgoing)) => {
                        Some(Self::ReplySent)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

named_enum!(
    /// What a condition looks at.
    Field, "field" {
        /// The conversation's status.
        Status = "status",
        /// Its priority.
        Priority = "priority",
        /// Its inbox (by id).
        Inbox = "inbox",
        /// Its inbox's channel.
        Channel = "channel",
        /// The assigned member (by id).
        Assignee = "assignee",
        /// The assigned team (by id).
        Team = "team",
        /// Its labels.
        Label = "label",
        /// The text of the message that triggered the rule.
        Content = "content",
        /// The conversation's subject.
        Subject = "subject",
        /// The contact's primary email.
        ContactEmail = "contact_email",
        /// The contact's name.
        ContactName = "contact_name",
        /// One of the contact's custom fields (named by `key`).
        ContactAttribute = "contact_attribute",
        /// `open` or `closed`: whether it is now within the business hours of the SLA policy
        /// covering the conversation's inbox (always `open` without one).
        BusinessHours = "business_hours",
        /// Whole hours since anything happened in the conversation.
        HoursSinceActivity = "hours_since_activity",
        /// Whole hours the customer has waited for a reply (no value when nobody waits).
        HoursWaiting = "hours_waiting",
    }
);

impl Field {
    /// Whether the field is a number of hours (compared with `greater_than` / `less_than`).
    pub fn is_hours(self) -> bool {
        matches!(self, Self::HoursSinceActivity | Self::HoursWaiting)
    }
}

/// The largest hour count a condition compares with (a year).
pub const MAX_HOURS: u32 = 366 * 24;

named_enum!(
    /// How a condition compares.
    Operator, "operator" {
        /// Is the value (text: ignoring case).
        Equals = "equals",
        /// Is not the value.
        NotEquals = "not_equals",
        /// Contains the value (text, ignoring case) or holds it (labels).
        Contains = "contains",
        /// Does not contain the value.
        NotContains = "not_contains",
        /// Has any value.
        IsSet = "is_set",
        /// Has no value.
        IsNotSet = "is_not_set",
        /// Is more than the value (hours).
        GreaterThan = "greater_than",
        /// Is less than the value (hours).
        LessThan = "less_than",
    }
);

impl Operator {
    fn takes_value(self) -> bool {
        !matches!(self, Self::IsSet | Self::IsNotSet)
    }

    /// The text operators (every field but hours, business hours and the id-like ones).
    const TEXT: &'static [Operator] = &[
        Self::Equals,
        Self::NotEquals,
        Self::Contains,
        Self::NotContains,
        Self::IsSet,
        Self::IsNotSet,
    ];
}

/// One test a rule makes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Condition {
    /// What it looks at.
    pub field: Field,
    /// How it compares.
    pub operator: Operator,
    /// What it compares with (absent for `is_set` / `is_not_set`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The custom field's key, for `contact_attribute`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

fn invalid(field: &'static str, reason: &'static str) -> DomainError {
    DomainError::Invalid { field, reason }
}

impl Condition {
    /// Checks the operator suits the field and normalizes the value (a status or priority in
    /// its stable name, an id in canonical form, a label as labels are stored).
    pub fn validate(self) -> Result<Self, DomainError> {
        use Field as F;
        use Operator as O;
        let op = self.operator;
        let allowed: &[Operator] = match self.field {
            F::Status | F::Priority | F::Channel | F::Inbox => &[O::Equals, O::NotEquals],
            F::Assignee | F::Team => &[O::Equals, O::NotEquals, O::IsSet, O::IsNotSet],
            F::Label => &[O::Contains, O::NotContains, O::IsSet, O::IsNotSet],
            F::BusinessHours => &[O::Equals],
            F::HoursSinceActivity => &[O::GreaterThan, O::LessThan],
            F::HoursWaiting => &[O::GreaterThan, O::LessThan, O::IsSet, O::IsNotSet],
            _ => Operator::TEXT,
        };
        if !allowed.contains(&op) {
            return Err(invalid(
                "operator",
                "this operator does not apply to this field",
            ));
        }
        let key = match (self.field, self.key.as_deref().map(str::trim)) {
            (F::ContactAttribute, Some(k)) if !k.is_empty() && k.len() <= 64 => Some(k.to_owned()),
            (F::ContactAttribute, _) => {
                return Err(invalid(
                    "key",
                    "name the custom field (at most 64 characters)",
                ));
            }
            _ => None,
        };
        let value = if !op.takes_value() {
            None
        } else {
            let raw = self.value.as_deref().map(str::trim).unwrap_or_default();
            if raw.is_empty() {
                return Err(DomainError::Empty { field: "value" });
            }
            if raw.chars().count() > MAX_VALUE_CHARS {
                return Err(DomainError::TooLong {
                    field: "value",
                    max: MAX_VALUE_CHARS,
                });
            }
            Some(match self.field {
                F::Status => ConversationStatus::parse(raw)?.as_str().to_owned(),
                F::Priority => Priority::parse(raw)?.as_str().to_owned(),
                F::Channel => ChannelKind::parse(raw)?.as_str().to_owned(),
                F::Inbox | F::Assignee | F::Team => uuid::Uuid::parse_str(raw)
                    .map_err(|_| invalid("value", "must be an id"))?
                    .to_string(),
                F::Label => Label::parse(raw)?.as_str().to_owned(),
                F::BusinessHours => match raw.to_lowercase().as_str() {
                    v @ ("open" | "closed") => v.to_owned(),
                    _ => return Err(invalid("value", "must be open or closed")),
                },
                F::HoursSinceActivity | F::HoursWaiting => match raw.parse::<u32>() {
                    Ok(h) if (1..=MAX_HOURS).contains(&h) => h.to_string(),
                    _ => {
                        return Err(invalid(
                            "value",
                            "must be a whole number of hours, 1 to 8784",
                        ));
                    }
                },
                _ => raw.to_owned(),
            })
        };
        Ok(Self {
            field: self.field,
            operator: op,
            value,
            key,
        })
    }

    /// Whether the facts pass this test. Text compares ignoring case.
    pub fn holds(&self, facts: &Facts) -> bool {
        let wanted = self.value.as_deref().unwrap_or_default().to_lowercase();
        match facts.get(self.field, self.key.as_deref()) {
            Fact::Hours(hours) => {
                let limit: u64 = wanted.parse().unwrap_or(u64::MAX);
                match (self.operator, hours) {
                    (Operator::IsSet, h) => h.is_some(),
                    (Operator::IsNotSet, h) => h.is_none(),
                    (Operator::GreaterThan, Some(h)) => h > limit,
                    (Operator::LessThan, Some(h)) => h < limit,
                    _ => false,
                }
            }
            Fact::Many(items) => {
                let has = items.iter().any(|i| i.to_lowercase() == wanted);
                match self.operator {
                    Operator::Contains | Operator::Equals => has,
                    Operator::NotContains | Operator::NotEquals => !has,
                    Operator::IsSet => !items.is_empty(),
                    Operator::IsNotSet => items.is_empty(),
                    Operator::GreaterThan | Operator::LessThan => false,
                }
            }
            Fact::One(value) => {
                let value = value.map(|v| v.to_lowercase()).filter(|v| !v.is_empty());
                match (self.operator, value) {
                    (Operator::IsSet, v) => v.is_some(),
                    (Operator::IsNotSet, v) => v.is_none(),
                    (Operator::Equals, v) => v.as_deref() == Some(&wanted),
                    (Operator::NotEquals, v) => v.as_deref() != Some(&wanted),
                    (Operator::Contains, v) => v.is_some_and(|v| v.contains(&wanted)),
                    (Operator::NotContains, v) => !v.is_some_and(|v| v.contains(&wanted)),
                    (Operator::GreaterThan | Operator::LessThan, _) => false,
                }
            }
        }
    }
}

/// A fact's value: one (possibly absent) value, a set (labels) or a number of hours.
enum Fact<'a> {
    One(Option<String>),
    Many(&'a [String]),
    Hours(Option<u64>),
}

/// What a rule sees of a conversation when an event arrives (loaded once per event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Status.
    pub status: ConversationStatus,
    /// Priority.
    pub priority: Priority,
    /// Inbox.
    pub inbox_id: InboxId,
    /// The inbox's channel.
    pub channel: ChannelKind,
    /// The assigned member.
    pub assignee_id: Option<UserId>,
    /// The assigned team.
    pub team_id: Option<TeamId>,
    /// Labels.
    pub labels: Vec<String>,
    /// The triggering message's text (message triggers only).
    pub content: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// The contact's primary email.
    pub contact_email: Option<String>,
    /// The contact's name.
    pub contact_name: Option<String>,
    /// The contact's custom fields, as text.
    pub contact_attributes: BTreeMap<String, String>,
    /// Whether it is now within the business hours that apply to the conversation (looked up
    /// only when a rule asks; `true` otherwise, and then unread).
    pub business_hours_open: bool,
    /// Whole hours since the conversation's last activity.
    pub hours_since_activity: u64,
    /// Whole hours the customer has waited, when they wait.
    pub hours_waiting: Option<u64>,
}

impl Facts {
    fn get(&self, field: Field, key: Option<&str>) -> Fact<'_> {
        let one = |v: Option<&str>| Fact::One(v.map(str::to_owned));
        match field {
            Field::Status => one(Some(self.status.as_str())),
            Field::Priority => one(Some(self.priority.as_str())),
            Field::Inbox => Fact::One(Some(self.inbox_id.to_string())),
            Field::Channel => one(Some(self.channel.as_str())),
            Field::Assignee => Fact::One(self.assignee_id.map(|u| u.to_string())),
            Field::Team => Fact::One(self.team_id.map(|t| t.to_string())),
            Field::Label => Fact::Many(&self.labels),
            Field::Content => one(self.content.as_deref()),
            Field::Subject => one(self.subject.as_deref()),
            Field::ContactEmail => one(self.contact_email.as_deref()),
            Field::ContactName => one(self.contact_name.as_deref()),
            Field::ContactAttribute => one(key
                .and_then(|k| self.contact_attributes.get(k))
                .map(String::as_str)),
            Field::BusinessHours => one(Some(if self.business_hours_open {
                "open"
            } else {
                "closed"
            })),
            Field::HoursSinceActivity => Fact::Hours(Some(self.hours_since_activity)),
            Field::HoursWaiting => Fact::Hours(self.hours_waiting),
        }
    }
}

/// Whether any of these rules' conditions look at `field` (facts that cost a query are loaded
/// only when some rule needs them).
pub fn any_condition_on<'a>(
    mut conditions: impl Iterator<Item = &'a Condition>,
    field: Field,
) -> bool {
    conditions.any(|c| c.field == field)
}

/// Whether a rule's conditions pass: all of them (`match_all`) or any; no conditions pass.
pub fn conditions_hold(match_all: bool, conditions: &[Condition], facts: &Facts) -> bool {
    if conditions.is_empty() {
        return true;
    }
    if match_all {
        conditions.iter().all(|c| c.holds(facts))
    } else {
        conditions.iter().any(|c| c.holds(facts))
    }
}

/// What a rule does, in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Assign a member.
    AssignMember {
        /// The member.
        #[schema(value_type = String, format = Uuid)]
        user_id: UserId,
    },
    /// Assign a team.
    AssignTeam {
        /// The team.
        #[schema(value_type = String, format = Uuid)]
        team_id: TeamId,
    },
    /// Remove the assigned member.
    Unassign,
    /// Add a label.
    AddLabel {
        /// The label.
        label: String,
    },
    /// Remove a label.
    RemoveLabel {
        /// The label.
        label: String,
    },
    /// Set the priority.
    SetPriority {
        /// The priority.
        priority: Priority,
    },
    /// Set the status (open, pending, resolved or closed; snoozing is its own action).
    SetStatus {
        /// The status.
        status: ConversationStatus,
    },
    /// Snooze for a while.
    Snooze {
        /// For how many minutes (1 to 30 days).
        minutes: u32,
    },
    /// Add a private note.
    AddNote {
        /// The note (Markdown).
        text: String,
    },
    /// Reply to the customer with a canned response, filled in for the conversation.
    SendCannedResponse {
        /// The canned response.
        #[schema(value_type = String, format = Uuid)]
        canned_response_id: CannedResponseId,
    },
    /// Send a member an in-app notification about the conversation.
    Notify {
        /// The member.
        #[schema(value_type = String, format = Uuid)]
        user_id: UserId,
        /// What to tell them.
        message: String,
    },
    /// POST the conversation, the rule and the triggering message as JSON to a URL, signed
    /// with the org's webhook secret (Standard Webhooks headers), retried when the receiver
    /// fails.
    CallWebhook {
        /// `http://` or `https://` URL of the receiver.
        url: String,
    },
}

/// The longest webhook URL.
pub const MAX_WEBHOOK_URL: usize = 2048;

fn webhook_url(raw: &str) -> Result<String, DomainError> {
    let url = raw.trim();
    if url.is_empty() {
        return Err(DomainError::Empty { field: "url" });
    }
    if url.chars().count() > MAX_WEBHOOK_URL {
        return Err(DomainError::TooLong {
            field: "url",
            max: MAX_WEBHOOK_URL,
        });
    }
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid("url", "give an http:// or https:// address"));
    }
    Ok(url.to_owned())
}

fn action_text(field: &'static str, raw: &str) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::Empty { field });
    }
    if text.chars().count() > MAX_ACTION_TEXT {
        return Err(DomainError::TooLong {
            field,
            max: MAX_ACTION_TEXT,
        });
    }
    Ok(text.to_owned())
}

impl Action {
    /// Checks the action's values and normalizes labels and texts.
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(match self {
            Self::AddLabel { label } => Self::AddLabel {
                label: Label::parse(&label)?.as_str().to_owned(),
            },
            Self::RemoveLabel { label } => Self::RemoveLabel {
                label: Label::parse(&label)?.as_str().to_owned(),
            },
            Self::SetStatus {
                status: ConversationStatus::Snoozed,
            } => {
                return Err(invalid(
                    "status",
                    "use the snooze action to snooze a conversation",
                ));
            }
            Self::Snooze { minutes } if minutes == 0 || minutes > MAX_SNOOZE_MINUTES => {
                return Err(invalid("minutes", "snooze for 1 minute to 30 days"));
            }
            Self::AddNote { text } => Self::AddNote {
                text: action_text("text", &text)?,
            },
            Self::Notify { user_id, message } => Self::Notify {
                user_id,
                message: action_text("message", &message)?,
            },
            Self::CallWebhook { url } => Self::CallWebhook {
                url: webhook_url(&url)?,
            },
            other => other,
        })
    }

    /// The action's stable name (`assign_member`, `add_label` …) for the run log.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AssignMember { .. } => "assign_member",
            Self::AssignTeam { .. } => "assign_team",
            Self::Unassign => "unassign",
            Self::AddLabel { .. } => "add_label",
            Self::RemoveLabel { .. } => "remove_label",
            Self::SetPriority { .. } => "set_priority",
            Self::SetStatus { .. } => "set_status",
            Self::Snooze { .. } => "snooze",
            Self::AddNote { .. } => "add_note",
            Self::SendCannedResponse { .. } => "send_canned_response",
            Self::Notify { .. } => "notify",
            Self::CallWebhook { .. } => "call_webhook",
        }
    }
}

/// Whether a time-based rule is bounded: all its conditions must hold and one of them waits
/// for hours to pass (`greater_than` on an hours field), so it cannot fire on every sweep for
/// every conversation.
pub fn time_rule_is_bounded(match_all: bool, conditions: &[Condition]) -> bool {
    match_all
        && conditions
            .iter()
            .any(|c| c.field.is_hours() && c.operator == Operator::GreaterThan)
}

/// Validates a rule's conditions and actions together (bounds included).
pub fn validate_rule(
    conditions: Vec<Condition>,
    actions: Vec<Action>,
) -> Result<(Vec<Condition>, Vec<Action>), DomainError> {
    if conditions.len() > MAX_CONDITIONS {
        return Err(invalid("conditions", "a rule holds at most 20 conditions"));
    }
    if actions.is_empty() {
        return Err(DomainError::Empty { field: "actions" });
    }
    if actions.len() > MAX_ACTIONS {
        return Err(invalid("actions", "a rule holds at most 10 actions"));
    }
    let conditions = conditions
        .into_iter()
        .map(Condition::validate)
        .collect::<Result<_, _>>()?;
    let actions = actions
        .into_iter()
        .map(Action::validate)
        .collect::<Result<_, _>>()?;
    Ok((conditions, actions))
}

named_enum!(
    /// How one run of a rule ended (the execution log).
    RunOutcome, "outcome" {
        /// The conditions held and every action was applied.
        Applied = "applied",
        /// An action failed; the rule's changes were rolled back.
        Failed = "failed",
        /// The event came from a chain of automations at the depth limit: not run.
        LoopStopped = "loop_stopped",
        /// A time-based rule looked at the conversation and its conditions did not hold (it
        /// looks again after new activity).
        Skipped = "skipped",
        /// A "call a webhook" action's receiver accepted the delivery.
        Delivered = "delivered",
        /// A "call a webhook" action's receiver refused the delivery, or could not be reached
        /// in any attempt.
        Undelivered = "undelivered",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts() -> Facts {
        Facts {
            status: ConversationStatus::Open,
            priority: Priority::High,
            inbox_id: InboxId::new(),
            channel: ChannelKind::Email,
            assignee_id: None,
            team_id: None,
            labels: vec!["billing".into(), "vip".into()],
            content: Some("Please REFUND my order".into()),
            subject: None,
            contact_email: Some("ada@example.com".into()),
            contact_name: Some("Ada Lovelace".into()),
            contact_attributes: BTreeMap::from([("plan".into(), "Enterprise".into())]),
            business_hours_open: false,
            hours_since_activity: 50,
            hours_waiting: None,
        }
    }

    #[test]
    fn webhook_urls_are_trimmed_and_must_be_web_addresses() {
        let ok = Action::CallWebhook {
            url: " https://hooks.example.com/rapport ".into(),
        };
        assert_eq!(
            ok.validate().unwrap(),
            Action::CallWebhook {
                url: "https://hooks.example.com/rapport".into()
            }
        );
        for bad in [
            "",
            "ftp://x",
            "javascript:alert(1)",
            "https://a b/",
            "hooks.example.com",
        ] {
            let action = Action::CallWebhook { url: bad.into() };
            assert_eq!(action.validate().unwrap_err().field(), "url", "{bad}");
        }
    }

    #[test]
    fn hours_and_business_hours_compare_as_numbers_and_states() {
        let f = facts();
        assert!(cond(Field::HoursSinceActivity, Operator::GreaterThan, Some("48")).holds(&f));
        assert!(!cond(Field::HoursSinceActivity, Operator::GreaterThan, Some("50")).holds(&f));
        assert!(cond(Field::HoursSinceActivity, Operator::LessThan, Some("51")).holds(&f));
        assert!(!cond(Field::HoursWaiting, Operator::GreaterThan, Some("1")).holds(&f));
        assert!(cond(Field::HoursWaiting, Operator::IsNotSet, None).holds(&f));
        assert!(cond(Field::BusinessHours, Operator::Equals, Some("Closed")).holds(&f));
        assert!(!cond(Field::BusinessHours, Operator::Equals, Some("open")).holds(&f));
        let bad = |field, operator, value: &str| {
            Condition {
                field,
                operator,
                value: Some(value.into()),
                key: None,
            }
            .validate()
            .is_err()
        };
        assert!(bad(Field::HoursSinceActivity, Operator::Contains, "4"));
        assert!(bad(Field::HoursSinceActivity, Operator::GreaterThan, "0"));
        assert!(bad(
            Field::HoursSinceActivity,
            Operator::GreaterThan,
            "soon"
        ));
        assert!(bad(Field::BusinessHours, Operator::Equals, "lunch"));
        assert!(bad(Field::Content, Operator::GreaterThan, "4"));
    }

    #[test]
    fn time_rules_must_wait_for_hours_to_pass() {
        let waits = cond(Field::HoursWaiting, Operator::GreaterThan, Some("24"));
        let status = cond(Field::Status, Operator::Equals, Some("pending"));
        assert!(time_rule_is_bounded(true, &[status.clone(), waits.clone()]));
        assert!(!time_rule_is_bounded(false, &[status.clone(), waits]));
        assert!(!time_rule_is_bounded(true, &[status]));
        let younger = cond(Field::HoursSinceActivity, Operator::LessThan, Some("2"));
        assert!(!time_rule_is_bounded(true, &[younger]));
    }

    fn cond(field: Field, operator: Operator, value: Option<&str>) -> Condition {
        Condition {
            field,
            operator,
            value: value.map(str::to_owned),
            key: None,
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn conditions_compare_text_ignoring_case_and_labels_as_a_set() {
        let f = facts();
        assert!(cond(Field::Content, Operator::Contains, Some("refund")).holds(&f));
        assert!(!cond(Field::Content, Operator::NotContains, Some("Refund")).holds(&f));
        assert!(cond(Field::Priority, Operator::Equals, Some("HIGH")).holds(&f));
        assert!(cond(Field::Label, Operator::Contains, Some("VIP")).holds(&f));
        assert!(cond(Field::Label, Operator::NotContains, Some("spam")).holds(&f));
        assert!(cond(Field::Assignee, Operator::IsNotSet, None).holds(&f));
        assert!(cond(Field::Subject, Operator::NotContains, Some("x")).holds(&f));
        assert!(!cond(Field::Subject, Operator::IsSet, None).holds(&f));
        let plan = Condition {
            field: Field::ContactAttribute,
            operator: Operator::Equals,
            value: Some("enterprise".into()),
            key: Some("plan".into()),
        }
        .validate()
        .unwrap();
        assert!(plan.holds(&f));
        let any = [
            cond(Field::Status, Operator::Equals, Some("resolved")),
            cond(Field::Channel, Operator::Equals, Some("email")),
        ];
        assert!(conditions_hold(false, &any, &f));
        assert!(!conditions_hold(true, &any, &f));
        assert!(conditions_hold(true, &[], &f));
    }

    #[test]
    fn rules_that_could_not_run_are_refused_on_save() {
        let bad = |field, operator, value: Option<&str>| {
            Condition {
                field,
                operator,
                value: value.map(str::to_owned),
                key: None,
            }
            .validate()
            .is_err()
        };
        assert!(bad(Field::Status, Operator::Contains, Some("open")));
        assert!(bad(Field::Status, Operator::Equals, Some("done")));
        assert!(bad(Field::Assignee, Operator::Equals, Some("ben")));
        assert!(bad(Field::Content, Operator::Contains, Some("  ")));
        assert!(bad(Field::ContactAttribute, Operator::IsSet, None));
        let snooze = Action::SetStatus {
            status: ConversationStatus::Snoozed,
        };
        assert!(validate_rule(vec![], vec![snooze]).is_err());
        assert!(validate_rule(vec![], vec![]).is_err());
        assert!(validate_rule(vec![], vec![Action::Snooze { minutes: 0 }]).is_err());
        let (_, actions) = validate_rule(
            vec![],
            vec![Action::AddLabel {
                label: " Billing Issue".into(),
            }],
        )
        .unwrap();
        assert_eq!(
            actions,
            vec![Action::AddLabel {
                label: "billing-issue".into()
            }]
        );
    }

    #[test]
    fn actions_read_and_write_as_tagged_json() {
        let a: Action =
            serde_json::from_value(json!({"type": "set_priority", "priority": "urgent"})).unwrap();
        assert_eq!(
            a,
            Action::SetPriority {
                priority: Priority::Urgent
            }
        );
        assert_eq!(
            serde_json::to_value(Action::Unassign).unwrap(),
            json!({"type": "unassign"})
        );
        assert!(serde_json::from_value::<Action>(json!({"type": "delete_everything"})).is_err());
    }

    #[test]
    fn only_messages_to_or_from_the_customer_fire_message_triggers() {
        let msg = |kind: &str, direction: &str| json!({ "kind": kind, "direction": direction });
        let fire = |p| Trigger::for_event(EventKind::MessageCreated, &p);
        assert_eq!(
            fire(msg("message", "incoming")),
            Some(Trigger::MessageReceived)
        );
        assert_eq!(fire(msg("message", "outgoing")), Some(Trigger::ReplySent));
        assert_eq!(fire(msg("note", "outgoing")), None);
        assert_eq!(fire(msg("activity", "outgoing")), None);
        assert_eq!(
            Trigger::for_event(EventKind::ConversationAssigned, &json!({})),
            Some(Trigger::ConversationUpdated)
        );
        assert_eq!(
            Trigger::for_event(EventKind::ContactCreated, &json!({})),
            None
        );
    }
}
