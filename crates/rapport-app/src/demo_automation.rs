//! The demo's automation rules: refund requests labelled and raised (it runs on the demo's
//! own refund conversation, so the run log has an entry), urgent conversations announced to
//! the owner, and a switched-off acknowledgement for the partner portal to show a rule that
//! replies.

use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use crate::inbox::automation::RuleInput;
use rapport_domain::inbox::Priority;
use rapport_domain::inbox::automation::{Action, Condition, Field, Operator, Trigger};
use rapport_domain::{CannedResponseId, InboxId};

fn when(field: Field, operator: Operator, value: &str) -> Condition {
    Condition {
        field,
        operator,
        value: Some(value.to_owned()),
        key: None,
    }
}

impl App {
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
