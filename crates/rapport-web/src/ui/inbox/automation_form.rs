//! The automation rule editor's form: rows of conditions and actions posted as repeated
//! fields (`c_field`, `c_operator` … and `a_type`, `a_label` …, one of each per row, so rows
//! line up by position), read back into a [`RuleInput`], and filled from a stored rule. A
//! refused form is shown again as typed.

use crate::ui::admin::Fields;
use rapport_app::AppError;
use rapport_app::inbox::automation::{RuleInput, RuleRecord};
use rapport_domain::inbox::automation::{Action, Condition, Field, Operator, Trigger};
use rapport_domain::inbox::{ConversationStatus, Priority};
use rapport_domain::{CannedResponseId, DomainError, TeamId, UserId};

/// One condition row as typed.
#[derive(Debug, Clone, Default)]
pub struct CondRow {
    pub field: String,
    pub operator: String,
    /// Free text (content, subject, contact fields).
    pub value: String,
    /// A chosen value (status, priority, channel, inbox, member, team).
    pub choice: String,
    /// The custom field's key.
    pub key: String,
}

/// One action row as typed: `kind` says which of the other inputs counts.
#[derive(Debug, Clone, Default)]
pub struct ActRow {
    pub kind: String,
    pub label: String,
    pub priority: String,
    pub status: String,
    pub minutes: String,
    pub text: String,
    pub canned: String,
    pub member: String,
    pub team: String,
    pub message: String,
    pub url: String,
}

/// The whole form.
#[derive(Debug, Clone)]
pub struct RuleForm {
    /// "" for a new rule.
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub trigger: String,
    pub match_all: bool,
    pub conditions: Vec<CondRow>,
    pub actions: Vec<ActRow>,
}

impl Default for RuleForm {
    fn default() -> Self {
        Self {
            id: String::new(),
            name: String::new(),
            enabled: true,
            trigger: Trigger::MessageReceived.as_str().to_owned(),
            match_all: true,
            conditions: vec![CondRow {
                field: Field::Content.as_str().to_owned(),
                operator: Operator::Contains.as_str().to_owned(),
                ..Default::default()
            }],
            actions: vec![ActRow {
                kind: "add_label".into(),
                ..Default::default()
            }],
        }
    }
}

/// Whether a field takes a value from a list rather than free text.
pub fn is_closed(field: &str) -> bool {
    matches!(
        field,
        "status" | "priority" | "channel" | "inbox" | "assignee" | "team"
    )
}

/// The value at row `i` of a repeated field.
fn at(list: &[String], i: usize) -> String {
    list.get(i).map(|s| s.trim().to_owned()).unwrap_or_default()
}

impl RuleForm {
    /// Reads a posted form (`id` is "" for a new rule).
    pub fn read(f: &Fields, id: &str) -> Self {
        let c: Vec<Vec<String>> = ["c_field", "c_operator", "c_value", "c_choice", "c_key"]
            .iter()
            .map(|n| f.all(n))
            .collect();
        let conditions = (0..c[0].len())
            .map(|i| CondRow {
                field: at(&c[0], i),
                operator: at(&c[1], i),
                value: at(&c[2], i),
                choice: at(&c[3], i),
                key: at(&c[4], i),
            })
            .filter(|r| !r.field.is_empty())
            .collect();
        let names = [
            "a_type",
            "a_label",
            "a_priority",
            "a_status",
            "a_minutes",
            "a_text",
            "a_canned",
            "a_member",
            "a_team",
            "a_message",
            "a_url",
        ];
        let a: Vec<Vec<String>> = names.iter().map(|n| f.all(n)).collect();
        let actions = (0..a[0].len())
            .map(|i| ActRow {
                kind: at(&a[0], i),
                label: at(&a[1], i),
                priority: at(&a[2], i),
                status: at(&a[3], i),
                minutes: at(&a[4], i),
                text: f.all("a_text").get(i).cloned().unwrap_or_default(),
                canned: at(&a[6], i),
                member: at(&a[7], i),
                team: at(&a[8], i),
                message: at(&a[9], i),
                url: at(&a[10], i),
            })
            .filter(|r| !r.kind.is_empty())
            .collect();
        Self {
            id: id.to_owned(),
            name: f.get("name").to_owned(),
            enabled: f.get("enabled") == "on",
            trigger: f.get("trigger").to_owned(),
            match_all: f.get("match") != "any",
            conditions,
            actions,
        }
    }

    /// The form of a stored rule.
    pub fn of(r: &RuleRecord) -> Self {
        let conditions = r
            .conditions
            .iter()
            .map(|c| {
                let field = c.field.as_str().to_owned();
                let value = c.value.clone().unwrap_or_default();
                let closed = is_closed(&field);
                CondRow {
                    operator: c.operator.as_str().to_owned(),
                    choice: if closed { value.clone() } else { String::new() },
                    value: if closed { String::new() } else { value },
                    key: c.key.clone().unwrap_or_default(),
                    field,
                }
            })
            .collect();
        let actions = r.actions.iter().map(act_row).collect();
        Self {
            id: r.id.to_string(),
            name: r.name.clone(),
            enabled: r.enabled,
            trigger: r.trigger.as_str().to_owned(),
            match_all: r.match_all,
            conditions,
            actions,
        }
    }

    /// What to save; a row that does not parse is refused with its field.
    pub fn input(&self) -> Result<RuleInput, AppError> {
        let conditions = self
            .conditions
            .iter()
            .map(|r| {
                let field = Field::parse(&r.field)?;
                let value = if is_closed(&r.field) {
                    &r.choice
                } else {
                    &r.value
                };
                Ok(Condition {
                    field,
                    operator: Operator::parse(&r.operator)?,
                    value: Some(value.clone()).filter(|v| !v.is_empty()),
                    key: Some(r.key.clone()).filter(|k| !k.is_empty()),
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let actions = self
            .actions
            .iter()
            .map(action)
            .collect::<Result<Vec<_>, DomainError>>()?;
        Ok(RuleInput {
            name: Some(self.name.clone()),
            enabled: Some(self.enabled),
            trigger: Some(Trigger::parse(&self.trigger)?),
            match_all: Some(self.match_all),
            conditions: Some(conditions),
            actions: Some(actions),
            position: None,
        })
    }
}

fn act_row(a: &Action) -> ActRow {
    let mut row = ActRow {
        kind: a.name().to_owned(),
        ..Default::default()
    };
    match a {
        Action::AssignMember { user_id } => row.member = user_id.to_string(),
        Action::Notify { user_id, message } => {
            row.member = user_id.to_string();
            row.message = message.clone();
        }
        Action::AssignTeam { team_id } => row.team = team_id.to_string(),
        Action::AddLabel { label } | Action::RemoveLabel { label } => row.label = label.clone(),
        Action::SetPriority { priority } => row.priority = priority.as_str().to_owned(),
        Action::SetStatus { status } => row.status = status.as_str().to_owned(),
        Action::Snooze { minutes } => row.minutes = minutes.to_string(),
        Action::AddNote { text } => row.text = text.clone(),
        Action::SendCannedResponse { canned_response_id } => {
            row.canned = canned_response_id.to_string();
        }
        Action::CallWebhook { url } => row.url = url.clone(),
        Action::Unassign => {}
    }
    row
}

fn pick<T: std::str::FromStr>(raw: &str, field: &'static str) -> Result<T, DomainError> {
    raw.parse().map_err(|_| DomainError::Invalid {
        field,
        reason: "choose one of the listed values",
    })
}

fn action(r: &ActRow) -> Result<Action, DomainError> {
    Ok(match r.kind.as_str() {
        "assign_member" => Action::AssignMember {
            user_id: pick::<UserId>(&r.member, "user_id")?,
        },
        "assign_team" => Action::AssignTeam {
            team_id: pick::<TeamId>(&r.team, "team_id")?,
        },
        "unassign" => Action::Unassign,
        "add_label" => Action::AddLabel {
            label: r.label.clone(),
        },
        "remove_label" => Action::RemoveLabel {
            label: r.label.clone(),
        },
        "set_priority" => Action::SetPriority {
            priority: Priority::parse(&r.priority)?,
        },
        "set_status" => Action::SetStatus {
            status: ConversationStatus::parse(&r.status)?,
        },
        "snooze" => Action::Snooze {
            minutes: r.minutes.parse().map_err(|_| DomainError::Invalid {
                field: "minutes",
                reason: "snooze for 1 minute to 30 days",
            })?,
        },
        "add_note" => Action::AddNote {
            text: r.text.clone(),
        },
        "send_canned_response" => Action::SendCannedResponse {
            canned_response_id: pick::<CannedResponseId>(&r.canned, "canned_response_id")?,
        },
        "notify" => Action::Notify {
            user_id: pick::<UserId>(&r.member, "user_id")?,
            message: r.message.clone(),
        },
        "call_webhook" => Action::CallWebhook { url: r.url.clone() },
        _ => {
            return Err(DomainError::Invalid {
                field: "actions",
                reason: "choose one of the listed actions",
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn rows_line_up_by_position_and_read_back_as_a_rule() {
        let team = TeamId::new();
        let f = fields(&[
            ("name", "Route VIPs"),
            ("enabled", "on"),
            ("trigger", "conversation_created"),
            ("match", "any"),
            ("c_field", "label"),
            ("c_operator", "contains"),
            ("c_value", ""),
            ("c_choice", ""),
            ("c_key", ""),
            ("c_field", "priority"),
            ("c_operator", "equals"),
            ("c_value", "ignored"),
            ("c_choice", "urgent"),
            ("c_key", ""),
            ("a_type", "assign_team"),
            ("a_label", ""),
            ("a_priority", ""),
            ("a_status", ""),
            ("a_minutes", ""),
            ("a_text", ""),
            ("a_canned", ""),
            ("a_member", ""),
            ("a_team", &team.to_string()),
            ("a_message", ""),
            ("a_url", ""),
        ]);
        let form = RuleForm::read(&f, "");
        assert_eq!(form.conditions.len(), 2);
        assert!(!form.match_all);
        let input = form.input().unwrap();
        let conditions = input.conditions.unwrap();
        assert_eq!(conditions[1].value.as_deref(), Some("urgent"));
        assert_eq!(conditions[0].value, None);
        assert_eq!(
            input.actions.unwrap(),
            vec![Action::AssignTeam { team_id: team }]
        );
        assert_eq!(input.trigger, Some(Trigger::ConversationCreated));
    }

    #[test]
    fn an_unknown_action_or_a_bad_pick_is_refused() {
        let mut form = RuleForm::default();
        form.actions[0].kind = "explode".into();
        assert!(form.input().is_err());
        form.actions[0].kind = "assign_member".into();
        form.actions[0].member = "ben".into();
        assert!(form.input().is_err());
    }
}
