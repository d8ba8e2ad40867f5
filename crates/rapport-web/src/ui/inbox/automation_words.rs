//! Automation rules in words and as form choices: the names of the org's inboxes, members,
//! teams and canned responses a rule refers to (loaded once per page), a rule's conditions and
//! actions said in the reader's language, and the options of the editor's selects.

use crate::i18n::Tr;
use crate::state::WebState;
use rapport_app::AppError;
use rapport_app::authz::Actor;
use rapport_domain::inbox::automation::{Action, Condition, Field, Operator, Trigger};
use rapport_domain::inbox::{ChannelKind, ConversationStatus, Priority};
use std::collections::HashMap;

/// One `<option>`; `group` tells the editor's script which field it belongs to.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub group: &'static str,
}

/// What a rule may name, by id, with display names.
#[derive(Debug, Default)]
pub struct Names {
    pub inboxes: Vec<(String, String)>,
    pub members: Vec<(String, String)>,
    pub teams: Vec<(String, String)>,
    pub canned: Vec<(String, String)>,
    lookup: HashMap<String, String>,
}

impl Names {
    /// Loads the org's inboxes, members, teams and canned responses.
    pub async fn load(state: &WebState, actor: &Actor) -> Result<Self, AppError> {
        let app = &state.app;
        let inboxes = app.inboxes(actor).await?;
        let members = app.members(actor).await?;
        let teams = app.teams(actor).await?;
        let canned = app.all_canned_responses(actor).await?;
        let mut names = Self {
            inboxes: inboxes
                .into_iter()
                .map(|i| (i.id.to_string(), i.name))
                .collect(),
            members: members
                .into_iter()
                .map(|m| (m.user.id.to_string(), m.user.name))
                .collect(),
            teams: teams
                .into_iter()
                .map(|t| (t.id.to_string(), t.name))
                .collect(),
            canned: canned
                .into_iter()
                .map(|c| (c.id.to_string(), format!("/{} · {}", c.short_code, c.title)))
                .collect(),
            lookup: HashMap::new(),
        };
        for (id, name) in names
            .inboxes
            .iter()
            .chain(&names.members)
            .chain(&names.teams)
            .chain(&names.canned)
        {
            names.lookup.insert(id.clone(), name.clone());
        }
        Ok(names)
    }

    /// The name of an id, or a reader-facing "no longer exists".
    pub fn name(&self, tr: &Tr, id: &str) -> String {
        self.lookup
            .get(id)
            .cloned()
            .unwrap_or_else(|| tr.t("automation.gone"))
    }
}

/// A trigger in words ("When a customer's message arrives").
pub fn trigger_text(tr: &Tr, t: Trigger) -> String {
    tr.t(&format!("automation.trigger.{}", t.as_str()))
}

/// A condition in words ("Content contains “refund”").
pub fn condition_text(tr: &Tr, names: &Names, c: &Condition) -> String {
    let field = match (c.field, c.key.as_deref()) {
        (Field::ContactAttribute, Some(key)) => {
            tr.tf("automation.field.contact_attribute_named", &[("key", key)])
        }
        (f, _) => tr.t(&format!("automation.field.{}", f.as_str())),
    };
    let op = tr.t(&format!("automation.operator.{}", c.operator.as_str()));
    let Some(value) = c.value.as_deref() else {
        return format!("{field} {op}");
    };
    let shown = match c.field {
        Field::Status => tr.t(&format!("inbox.status.{value}")),
        Field::Priority => tr.t(&format!("inbox.priority.{value}")),
        Field::Channel => tr.t(&format!("automation.channel.{value}")),
        Field::Inbox | Field::Assignee | Field::Team => names.name(tr, value),
        Field::BusinessHours => tr.t(&format!("automation.business_hours.{value}")),
        Field::HoursSinceActivity | Field::HoursWaiting => {
            return format!(
                "{field} {op} {}",
                tr.tf("automation.hours", &[("n", value)])
            );
        }
        _ => value.to_owned(),
    };
    format!("{field} {op} “{shown}”")
}

/// An action in words ("Set the priority to High").
pub fn action_text(tr: &Tr, names: &Names, a: &Action) -> String {
    let key = format!("automation.action_text.{}", a.name());
    match a {
        Action::AssignMember { user_id } | Action::Notify { user_id, .. } => {
            tr.tf(&key, &[("name", &names.name(tr, &user_id.to_string()))])
        }
        Action::AssignTeam { team_id } => {
            tr.tf(&key, &[("name", &names.name(tr, &team_id.to_string()))])
        }
        Action::AddLabel { label } | Action::RemoveLabel { label } => {
            tr.tf(&key, &[("label", label)])
        }
        Action::SetPriority { priority } => tr.tf(
            &key,
            &[("priority", &tr.t(&format!("inbox.priority.{priority}")))],
        ),
        Action::SetStatus { status } => tr.tf(
            &key,
            &[("status", &tr.t(&format!("inbox.status.{status}")))],
        ),
        Action::Snooze { minutes } => tr.tf(&key, &[("minutes", &minutes.to_string())]),
        Action::SendCannedResponse { canned_response_id } => tr.tf(
            &key,
            &[("name", &names.name(tr, &canned_response_id.to_string()))],
        ),
        Action::CallWebhook { url } => tr.tf(&key, &[("url", url)]),
        Action::AddNote { .. } | Action::Unassign => tr.t(&key),
    }
}

/// The triggers, for the editor.
pub fn trigger_options(tr: &Tr) -> Vec<Opt> {
    Trigger::ALL
        .iter()
        .map(|t| Opt {
            value: t.as_str().to_owned(),
            label: trigger_text(tr, *t),
            group: "",
        })
        .collect()
}

/// The condition fields, for the editor.
pub fn field_options(tr: &Tr) -> Vec<Opt> {
    Field::ALL
        .iter()
        .map(|f| Opt {
            value: f.as_str().to_owned(),
            label: tr.t(&format!("automation.field.{}", f.as_str())),
            group: "",
        })
        .collect()
}

/// The operators, for the editor (the script hides those a field does not take).
pub fn operator_options(tr: &Tr) -> Vec<Opt> {
    Operator::ALL
        .iter()
        .map(|o| Opt {
            value: o.as_str().to_owned(),
            label: tr.t(&format!("automation.operator.{}", o.as_str())),
            group: "",
        })
        .collect()
}

/// The values a condition on a closed field may take, grouped by field.
pub fn choice_options(tr: &Tr, names: &Names) -> Vec<Opt> {
    let mut out = Vec::new();
    for s in ConversationStatus::ALL {
        out.push(Opt {
            value: s.as_str().to_owned(),
            label: tr.t(&format!("inbox.status.{s}")),
            group: "status",
        });
    }
    for p in Priority::ALL {
        out.push(Opt {
            value: p.as_str().to_owned(),
            label: tr.t(&format!("inbox.priority.{p}")),
            group: "priority",
        });
    }
    for c in ChannelKind::ALL {
        out.push(Opt {
            value: c.as_str().to_owned(),
            label: tr.t(&format!("automation.channel.{c}")),
            group: "channel",
        });
    }
    for state in ["open", "closed"] {
        out.push(Opt {
            value: state.to_owned(),
            label: tr.t(&format!("automation.business_hours.{state}")),
            group: "business_hours",
        });
    }
    let named = |list: &[(String, String)], group| {
        list.iter()
            .map(move |(id, name)| Opt {
                value: id.clone(),
                label: name.clone(),
                group,
            })
            .collect::<Vec<_>>()
    };
    out.extend(named(&names.inboxes, "inbox"));
    out.extend(named(&names.members, "assignee"));
    out.extend(named(&names.teams, "team"));
    out
}

/// The action types, for the editor.
pub fn action_options(tr: &Tr) -> Vec<Opt> {
    [
        "add_label",
        "remove_label",
        "set_priority",
        "set_status",
        "assign_member",
        "assign_team",
        "unassign",
        "snooze",
        "add_note",
        "send_canned_response",
        "notify",
        "call_webhook",
    ]
    .iter()
    .map(|a| Opt {
        value: (*a).to_owned(),
        label: tr.t(&format!("automation.action.{a}")),
        group: "",
    })
    .collect()
}

/// Statuses an action may set (snoozing is its own action).
pub fn status_options(tr: &Tr) -> Vec<Opt> {
    ConversationStatus::ALL
        .iter()
        .filter(|s| **s != ConversationStatus::Snoozed)
        .map(|s| Opt {
            value: s.as_str().to_owned(),
            label: tr.t(&format!("inbox.status.{s}")),
            group: "",
        })
        .collect()
}

/// Priorities, for actions.
pub fn priority_options(tr: &Tr) -> Vec<Opt> {
    Priority::ALL
        .iter()
        .map(|p| Opt {
            value: p.as_str().to_owned(),
            label: tr.t(&format!("inbox.priority.{p}")),
            group: "",
        })
        .collect()
}

/// Named things as options.
pub fn named_options(list: &[(String, String)]) -> Vec<Opt> {
    list.iter()
        .map(|(id, name)| Opt {
            value: id.clone(),
            label: name.clone(),
            group: "",
        })
        .collect()
}
