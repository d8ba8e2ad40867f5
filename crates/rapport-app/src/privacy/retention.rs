//! Retention (promise D3) and legal holds (D4). Each org keeps conversation logs for its
//! policy's number of days after their last activity (default 365, the seeds' 12 months; or
//! for good), then the hourly `privacy.retention` job purges them in batches of [`BATCH`], each
//! in its own short transaction so the inbox never waits long for the writer, at most
//! [`MAX_BATCHES`] per org per run (the next run goes on). A legal hold on the org, a contact
//! or a conversation keeps what it covers out of every purge until it is released. A preview
//! says what a run would purge now; each run that purged anything is logged and audited.

use crate::audit::{AuditEvent, Who};
use crate::authz::{Actor, system_scope};
use crate::context::App;
use crate::error::{AppError, AppResult};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rapport_domain::{OrgId, Permission};
use rapport_jobs::{JobContext, JobError, JobHandler, Prepared};
use rapport_store::DatabaseTransaction;
use rapport_store::repo::retention;
pub use rapport_store::repo::retention::{HoldRow, RunRow};
use rapport_store::repo::{contacts, conversations};
use serde_json::json;

/// The one kind of data with a retention setting so far: conversation logs.
pub const CONVERSATIONS: &str = "conversations";
/// Days conversation logs are kept when the org has not chosen.
pub const DEFAULT_CONVERSATION_DAYS: u32 = 365;
/// The shortest and longest period an org may choose.
pub const DAYS_RANGE: std::ops::RangeInclusive<u32> = 30..=3650;
/// Conversations purged per transaction.
pub const BATCH: u64 = 500;
/// Batches per org per run.
pub const MAX_BATCHES: usize = 40;
/// The job's name (and its schedule's).
pub const RETENTION_JOB: &str = "privacy.retention";
/// How often it runs.
pub const RETENTION_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// One kind of data's policy as it applies now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// What it governs.
    pub target: &'static str,
    /// Days kept after the last activity; `None` keeps it for good.
    pub days: Option<u32>,
    /// Whether the org chose it (else it is the default).
    pub chosen: bool,
}

/// What a run would purge now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// What.
    pub target: &'static str,
    /// Everything last active before this goes (`None`: kept for good).
    pub cutoff: Option<DateTime<Utc>>,
    /// How many would go.
    pub would_delete: u64,
    /// The oldest one's last activity.
    pub oldest: Option<DateTime<Utc>>,
    /// Whether a hold on the whole org stops every purge.
    pub org_held: bool,
}

/// What a hold covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldTarget {
    /// Everything of the org.
    Org,
    /// A contact and their conversations.
    Contact(uuid::Uuid),
    /// One conversation.
    Conversation(uuid::Uuid),
}

fn cutoff(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    now - Duration::days(i64::from(days))
}

fn days_invalid() -> AppError {
    AppError::InvalidField {
        field: "days".into(),
        message: format!(
            "choose between {} and {} days, or null to keep for good",
            DAYS_RANGE.start(),
            DAYS_RANGE.end()
        ),
    }
}

impl App {
    /// The org's conversation retention policy.
    async fn conversation_policy(&self, org: OrgId) -> AppResult<Policy> {
        let rows = retention::policies(self.db().conn(), system_scope(org)).await?;
        Ok(match rows.iter().find(|r| r.target == CONVERSATIONS) {
            Some(r) => Policy {
                target: CONVERSATIONS,
                days: r.days.and_then(|d| u32::try_from(d).ok()),
                chosen: true,
            },
            None => Policy {
                target: CONVERSATIONS,
                days: Some(DEFAULT_CONVERSATION_DAYS),
                chosen: false,
            },
        })
    }

    /// The org's retention policies and what a run would purge now (needs `privacy.manage`).
    pub async fn retention(&self, actor: &Actor) -> AppResult<(Vec<Policy>, Vec<Preview>)> {
        actor.require(Permission::PrivacyManage)?;
        let policy = self.conversation_policy(actor.org_id).await?;
        let conn = self.db().conn();
        let org_held = retention::org_held(conn, actor.scope()).await?;
        let preview = match policy.days {
            Some(days) => {
                let at = cutoff(self.clock().now(), days);
                let (n, oldest) = retention::count_expired(conn, actor.scope(), at).await?;
                Preview {
                    target: CONVERSATIONS,
                    cutoff: Some(at),
                    would_delete: if org_held { 0 } else { n },
                    oldest,
                    org_held,
                }
            }
            None => Preview {
                target: CONVERSATIONS,
                cutoff: None,
                would_delete: 0,
                oldest: None,
                org_held,
            },
        };
        Ok((vec![policy], vec![preview]))
    }

    /// Sets how long conversation logs are kept (`None`: for good; needs `privacy.manage`).
    pub async fn set_conversation_retention(
        &self,
        actor: &Actor,
        days: Option<u32>,
    ) -> AppResult<Policy> {
        actor.require(Permission::PrivacyManage)?;
        if days.is_some_and(|d| !DAYS_RANGE.contains(&d)) {
            return Err(days_invalid());
        }
        let stored = days.map(|d| i32::try_from(d).unwrap_or(i32::MAX));
        let txn = self.db().begin().await?;
        let now = self.clock().now();
        retention::set_policy(
            &txn,
            actor.scope(),
            CONVERSATIONS,
            stored,
            actor.user_id,
            now,
        )
        .await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("privacy.retention_changed", "retention", CONVERSATIONS)
                .with(json!({ "days": days })),
        )
        .await?;
        txn.commit().await?;
        self.conversation_policy(actor.org_id).await
    }

    /// The org's legal holds, open ones first (needs `privacy.manage`).
    pub async fn legal_holds(&self, actor: &Actor) -> AppResult<Vec<HoldRow>> {
        actor.require(Permission::PrivacyManage)?;
        Ok(retention::holds(self.db().conn(), actor.scope()).await?)
    }

    /// Places a legal hold (needs `privacy.manage`); the contact or conversation must be the
    /// org's.
    pub async fn place_legal_hold(
        &self,
        actor: &Actor,
        target: HoldTarget,
        reason: &str,
    ) -> AppResult<HoldRow> {
        actor.require(Permission::PrivacyManage)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::InvalidField {
                field: "reason".into(),
                message: "say why, in at most 500 characters (a case or matter)".into(),
            });
        }
        let conn = self.db().conn();
        let scope = actor.scope();
        let (kind, id) = match target {
            HoldTarget::Org => ("org", None),
            HoldTarget::Contact(id) => {
                contacts::get(conn, scope, rapport_domain::ContactId::from_uuid(id)).await?;
                ("contact", Some(id))
            }
            HoldTarget::Conversation(id) => {
                conversations::get(conn, scope, rapport_domain::ConversationId::from_uuid(id))
                    .await?;
                ("conversation", Some(id))
            }
        };
        let row = HoldRow {
            id: uuid::Uuid::now_v7(),
            target_type: kind.into(),
            target_id: id,
            reason: reason.into(),
            created_by: Some(actor.user_id),
            created_at: self.clock().now(),
            released_at: None,
            released_by: None,
        };
        let txn = self.db().begin().await?;
        retention::place_hold(&txn, scope, &row).await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("privacy.hold_placed", "legal_hold", row.id)
                .with(json!({ "target_type": kind, "target_id": id, "reason": reason })),
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Releases an open legal hold (needs `privacy.manage`).
    pub async fn release_legal_hold(&self, actor: &Actor, id: uuid::Uuid) -> AppResult<HoldRow> {
        actor.require(Permission::PrivacyManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        if !retention::release_hold(&txn, scope, id, actor.user_id, self.clock().now()).await? {
            retention::hold_by_id(&txn, scope, id).await?;
            return Err(AppError::Conflict("this hold was already released".into()));
        }
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("privacy.hold_released", "legal_hold", id),
        )
        .await?;
        txn.commit().await?;
        Ok(retention::hold_by_id(self.db().conn(), scope, id).await?)
    }

    /// The org's latest retention runs (needs `privacy.manage`).
    pub async fn retention_runs(&self, actor: &Actor) -> AppResult<Vec<RunRow>> {
        actor.require(Permission::PrivacyManage)?;
        Ok(retention::runs(self.db().conn(), actor.scope(), 50).await?)
    }

    /// One retention pass over every org; how many conversations went.
    pub async fn run_retention(&self) -> AppResult<u64> {
        let mut total = 0;
        for org in retention::all_orgs(self.db().conn()).await? {
            total += self.run_org_retention(org).await?;
        }
        Ok(total)
    }

    async fn run_org_retention(&self, org: OrgId) -> AppResult<u64> {
        let scope = system_scope(org);
        let Some(days) = self.conversation_policy(org).await?.days else {
            return Ok(0);
        };
        if retention::org_held(self.db().conn(), scope).await? {
            return Ok(0);
        }
        let started = self.clock().now();
        let at = cutoff(started, days);
        let mut deleted = 0u64;
        for _ in 0..MAX_BATCHES {
            let ids = retention::expired_conversations(self.db().conn(), scope, at, BATCH).await?;
            if ids.is_empty() {
                break;
            }
            let txn = self.db().begin().await?;
            deleted += retention::purge_conversations(&txn, scope, &ids, at).await?;
            txn.commit().await?;
            if (ids.len() as u64) < BATCH {
                break;
            }
        }
        if deleted == 0 {
            return Ok(0);
        }
        let run = RunRow {
            id: uuid::Uuid::now_v7(),
            target: CONVERSATIONS.into(),
            cutoff: at,
            deleted: i64::try_from(deleted).unwrap_or(i64::MAX),
            started_at: started,
            finished_at: self.clock().now(),
        };
        let txn = self.db().begin().await?;
        retention::record_run(&txn, scope, &run).await?;
        self.audit(
            &txn,
            scope,
            &Who::system(),
            AuditEvent::new("privacy.retention_purged", "retention", CONVERSATIONS)
                .with(json!({ "deleted": deleted, "cutoff": at, "days": days })),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(%org, deleted, %at, "retention purged conversations");
        Ok(deleted)
    }
}

/// The hourly retention job: the purge runs in `prepare`, batch by batch in transactions of
/// its own, not inside the job's transaction.
pub(crate) struct RunRetention(pub(crate) App);

#[async_trait]
impl JobHandler for RunRetention {
    async fn prepare(&self, _job: &JobContext) -> Result<Prepared, JobError> {
        self.0
            .run_retention()
            .await
            .map_err(|e| JobError::Retryable(e.to_string()))?;
        Ok(Prepared::none())
    }

    async fn run(&self, _job: &JobContext, _txn: &DatabaseTransaction) -> Result<(), JobError> {
        Ok(())
    }
}
