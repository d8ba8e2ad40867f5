//! Keeping a conversation's SLA clocks in step with the conversation: called after every write
//! of a conversation, in the same transaction, it looks up the policy covering the inbox and
//! moves the clocks along (`rapport_domain::inbox::sla::track`). A conversation whose inbox is
//! not covered has no clocks.

use crate::error::{AppError, AppResult};
use rapport_domain::inbox::business_hours::WorkClock;
use rapport_domain::inbox::sla::{Policy, Seen, track};
use rapport_store::repo::conversations::ConversationRecord;
use rapport_store::repo::sla::{self, PolicyRecord};
use rapport_store::{ConnectionTrait, OrgScope};

/// The clock a policy counts in.
pub(crate) fn work_clock(p: &PolicyRecord) -> AppResult<WorkClock> {
    match &p.business_hours {
        None => Ok(WorkClock::AlwaysOpen),
        Some(h) => h
            .compile()
            .map(|s| WorkClock::Hours(Box::new(s)))
            .map_err(|e| AppError::Internal(format!("stored business hours: {e}"))),
    }
}

/// Moves `conv`'s clocks to its current state (its `updated_at` is the moment).
pub(crate) async fn track_sla(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conv: &ConversationRecord,
) -> AppResult<()> {
    let (covering, clocked) = sla::coverage(db, scope, conv.inbox_id, conv.id).await?;
    let policy = match covering {
        Some(id) => sla::policy_only(db, scope, id).await?,
        None => None,
    };
    let Some(policy) = policy else {
        if clocked {
            sla::delete_clocks(db, scope, conv.id).await?;
        }
        return Ok(());
    };
    let prev = match clocked {
        true => sla::clocks(db, scope, conv.id).await?,
        false => None,
    };
    let clock = work_clock(&policy)?;
    // Under another policy (the conversation moved inboxes): start again under this one.
    let before = prev.filter(|(p, _)| *p == policy.id).map(|(_, c)| c);
    let seen = Seen {
        status: conv.status,
        priority: conv.priority,
        created_at: conv.created_at,
        first_reply_at: conv.first_reply_at,
    };
    let rules = Policy {
        clock: &clock,
        targets: &policy.targets,
        warn_percent: policy.warn_percent,
    };
    let next = track(before.clone(), seen, &rules, conv.updated_at);
    if before.as_ref() != Some(&next) {
        sla::save_clocks(db, scope, conv.id, policy.id, &next).await?;
    }
    Ok(())
}
