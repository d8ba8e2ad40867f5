//! The demo's automation rules: refund requests labelled and raised (it runs on the demo's
//! own refund conversation, so the run log has an entry), urgent conversations announced to
//! the owner, a switched-off webhook to an on-call tool, and a switched-off acknowledgement for
//! the partner portal to show a rule that replies; and its SLA policy, office hours on the
//! website inbox.

use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use crate::inbox::automation::RuleInput;
use crate::inbox::sla::PolicyInput;
use rapport_domain::inbox::Priority;
use rapport_domain::inbox::automation::{Action, Condition, Field, Operator, Trigger};
use rapport_domain::inbox::business_hours::{BusinessHours, Holiday};
use rapport_domain::inbox::sla::PriorityTarget;
use rapport_domain::{CannedResponseId, InboxId};

fn when(field: Field, operator: Operator, value: &str) -> Condition {
    Condition {
        field,
        operator,
        value: Some(value.to_owned()),
        key: None,
    }
}

fn target(priority: Priority, first: u32, resolve: u32) -> PriorityTarget {
    PriorityTarget {
        priority,
        first_response_minutes: Some(first),
        resolution_minutes: Some(resolve),
    }
}

impl App {
    /// The demo's SLA policy: office hours in the owner's time zone on the website inbox.
    pub(crate) async fn seed_demo_sla(&self, actor: &Actor, website: InboxId) -> AppResult<()> {
        let mut hours = BusinessHours::weekdays(&actor.time_zone, "08:00", "18:00");
        if let Some(date) = chrono::NaiveDate::from_ymd_opt(2026, 12, 25) {
            hours.holidays.push(Holiday {
                date,
                yearly: true,
                name: "Christmas Day".into(),
            });
        }
        let input = PolicyInput {
            name: Some("Standard support".into()),
            business_hours: Some(Some(hours)),
            targets: Some(vec![
                target(Priority::None, 240, 2880),
                target(Priority::Low, 480, 4320),
                target(Priority::Medium, 240, 2880),
                target(Priority::High, 60, 960),
                target(Priority::Urgent, 15, 240),
            ]),
            warn_percent: Some(75),
            inbox_ids: Some(vec![website]),
        };
        self.create_sla_policy(actor, input).await.map(|_| ())
    }

    /// Writes the demo rules as the demo owner.
    pub(crate) async fn seed_demo_rules(
        &self,
        actor: &Actor,
        partners: InboxId,
        acknowledgement: Option<CannedResponseId>,
    ) -> AppResult<()> {
        let mut rules = vec![
            RuleInput {
                name: Some("Refund requests go to billing".into()),
                trigger: Some(Trigger::MessageReceived),
                match_all: Some(false),
                conditions: Some(vec![
                    when(Field::Content, Operator::Contains, "refund"),
                    when(Field::Content, Operator::Contains, "charged twice"),
                ]),
                actions: Some(vec![
                    Action::AddLabel {
                        label: "billing".into(),
                    },
                    Action::SetPriority {
                        priority: Priority::High,
                    },
                ]),
                ..Default::default()
            },
            RuleInput {
                name: Some("Tell me about urgent conversations".into()),
                trigger: Some(Trigger::ConversationUpdated),
                conditions: Some(vec![when(Field::Priority, Operator::Equals, "urgent")]),
                actions: Some(vec![Action::Notify {
                    user_id: actor.user_id,
                    message: "A conversation was marked urgent.".into(),
                }]),
                ..Default::default()
            },
            RuleInput {
                name: Some("Flag pending conversations quiet for three days".into()),
                trigger: Some(Trigger::TimeBased),
                match_all: Some(true),
                conditions: Some(vec![
                    when(Field::Status, Operator::Equals, "pending"),
                    when(Field::HoursSinceActivity, Operator::GreaterThan, "72"),
                ]),
                actions: Some(vec![
                    Action::AddLabel {
                        label: "follow-up".into(),
                    },
                    Action::AddNote {
                        text: "No word for three days: follow up with the customer or resolve."
                            .into(),
                    },
                ]),
                ..Default::default()
            },
            // Switched off: the receiver is a placeholder for the team's own on-call tool.
            RuleInput {
                name: Some("Send urgent conversations to the on-call tool".into()),
                enabled: Some(false),
                trigger: Some(Trigger::ConversationUpdated),
                conditions: Some(vec![when(Field::Priority, Operator::Equals, "urgent")]),
                actions: Some(vec![Action::CallWebhook {
                    url: "https://oncall.example.com/hooks/rapport".into(),
                }]),
                ..Default::default()
            },
            RuleInput {
                name: Some("Label messages that arrive after hours".into()),
                trigger: Some(Trigger::MessageReceived),
                conditions: Some(vec![when(Field::BusinessHours, Operator::Equals, "closed")]),
                actions: Some(vec![Action::AddLabel {
                    label: "after-hours".into(),
                }]),
                ..Default::default()
            },
        ];
        if let Some(canned) = acknowledgement {
            rules.push(RuleInput {
                name: Some("Acknowledge partner requests".into()),
                enabled: Some(false),
                trigger: Some(Trigger::ConversationCreated),
                conditions: Some(vec![when(
                    Field::Inbox,
                    Operator::Equals,
                    &partners.to_string(),
                )]),
                actions: Some(vec![Action::SendCannedResponse {
                    canned_response_id: canned,
                }]),
                ..Default::default()
            });
        }
        for rule in rules {
            self.create_automation_rule(actor, rule).await?;
        }
        Ok(())
    }
}
