//! The access review: who holds which role and which permissions in the org, with their
//! second-factor status and teams; exportable as CSV; signed off by an admin. Producing,
//! exporting and signing it are all audited.

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_domain::{Permission, Role, UserId};
use rapport_store::repo::{memberships, orgs, teams, users};

/// One member's grants.
#[derive(Debug, Clone)]
pub struct AccessRow {
    /// The user.
    pub user_id: UserId,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Built-in role.
    pub role: Role,
    /// Custom role name.
    pub custom_role: Option<String>,
    /// Effective permissions.
    pub permissions: Vec<Permission>,
    /// Whether they use a second factor.
    pub mfa: bool,
    /// Their teams.
    pub teams: Vec<String>,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

/// The report.
#[derive(Debug, Clone)]
pub struct AccessReview {
    /// When it was produced.
    pub generated_at: DateTime<Utc>,
    /// The last sign-off: when and by whom (name).
    pub last_review: Option<(DateTime<Utc>, String)>,
    /// Every member.
    pub rows: Vec<AccessRow>,
}

impl App {
    /// The access review, recording that it was viewed (it lists every member's grants).
    pub async fn access_review(&self, actor: &Actor) -> AppResult<AccessReview> {
        let review = self.build_access_review(actor).await?;
        let txn = self.db().begin().await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("access_review.viewed", "org", actor.org_id)
                .with(serde_json::json!({ "members": review.rows.len() })),
        )
        .await?;
        txn.commit().await?;
        Ok(review)
    }

    /// Builds the access review.
    async fn build_access_review(&self, actor: &Actor) -> AppResult<AccessReview> {
        actor.require(Permission::AuditRead)?;
        let conn = self.db().conn();
        let scope = actor.scope();
        let org = orgs::get(conn, scope).await?;
        let all_teams = teams::list(conn, scope).await?;
        let mut rows = Vec::new();
        for m in memberships::list(conn, scope).await? {
            let mfa = m.has_second_factor;
            rows.push(AccessRow {
                user_id: m.user.id,
                teams: all_teams
                    .iter()
                    .filter(|t| t.members.contains(&m.user.id))
                    .map(|t| t.name.clone())
                    .collect(),
                name: m.user.name,
                email: m.user.email,
                role: m.access.role,
                custom_role: m.access.custom_role.map(|(_, n)| n),
                permissions: m.access.permissions.iter().collect(),
                mfa,
                joined_at: m.joined_at,
            });
        }
        let last_review = match org.access_reviewed {
            Some((at, by)) => {
                let name = users::get(conn, by)
                    .await
                    .map(|u| u.name)
                    .unwrap_or_default();
                Some((at, name))
            }
            None => None,
        };
        Ok(AccessReview {
            generated_at: self.clock().now(),
            last_review,
            rows,
        })
    }

    /// The access review as CSV (one row per member), recording the export.
    pub async fn access_review_csv(&self, actor: &Actor) -> AppResult<String> {
        let review = self.build_access_review(actor).await?;
        let header = [
            "name",
            "email",
            "role",
            "custom_role",
            "permissions",
            "mfa",
            "teams",
            "joined_at",
        ];
        let mut out = crate::csv::row(&header.map(String::from));
        for r in &review.rows {
            out.push_str(&crate::csv::row(&[
                r.name.clone(),
                r.email.clone(),
                r.role.as_str().to_owned(),
                r.custom_role.clone().unwrap_or_default(),
                r.permissions
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                if r.mfa { "yes".into() } else { "no".into() },
                r.teams.join("; "),
                r.joined_at.to_rfc3339(),
            ]));
        }
        let txn = self.db().begin().await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("access_review.exported", "org", actor.org_id)
                .with(serde_json::json!({ "members": review.rows.len() })),
        )
        .await?;
        txn.commit().await?;
        Ok(out)
    }

    /// Records that an admin reviewed every grant today.
    pub async fn sign_off_access_review(&self, actor: &Actor) -> AppResult<()> {
        actor.require(Permission::RolesManage)?;
        let review = self.build_access_review(actor).await?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        orgs::set_access_reviewed(&txn, actor.scope(), actor.user_id, now).await?;
        let summary: Vec<_> = review
            .rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "user": r.user_id, "role": r.role.as_str(), "custom_role": r.custom_role,
                    "permissions": r.permissions.len(), "mfa": r.mfa,
                })
            })
            .collect();
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("access_review.signed_off", "org", actor.org_id)
                .with(serde_json::json!({ "members": summary })),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
