//! The chain's hash and its verification (`rapport admin verify-audit`).

use crate::context::App;
use crate::error::AppResult;
use chrono::{DateTime, SubsecRound, Utc};
use hmac::{Hmac, Mac};
use rapport_domain::OrgId;
use rapport_store::repo::audit::{self, AuditRow, GENESIS};
use sha2::Sha256;

/// Timestamps are hashed at the precision both databases keep.
pub(crate) fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// HMAC-SHA256 over every field of the entry and the previous hash, unit-separated.
pub(crate) fn entry_hash(key: &[u8], row: &AuditRow) -> String {
    let fields: [&str; 13] = [
        &row.prev_hash,
        &row.seq.to_string(),
        &row.org_id.to_string(),
        &row.id.to_string(),
        &truncate_to_micros(row.at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        &row.actor_id.map(|u| u.to_string()).unwrap_or_default(),
        &row.actor_label,
        &row.action,
        &row.target_type,
        &row.target_id,
        row.ip.as_deref().unwrap_or(""),
        row.user_agent.as_deref().unwrap_or(""),
        &row.details,
    ];
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    for f in fields {
        mac.update(f.as_bytes());
        mac.update(&[0x1f]);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// One thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditProblem {
    /// The org whose chain is broken.
    pub org_id: OrgId,
    /// The entry's position (or where one is missing).
    pub seq: i64,
    /// The entry's id, when it exists.
    pub entry_id: Option<String>,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "org {} entry #{}", self.org_id, self.seq)?;
        if let Some(id) = &self.entry_id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// The outcome of verifying every chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Orgs checked.
    pub orgs: usize,
    /// Entries checked.
    pub entries: u64,
    /// Everything found wrong (empty: the log is intact).
    pub problems: Vec<AuditProblem>,
}

const PAGE: u64 = 1000;

impl App {
    /// Walks every org's chain: sequence numbers without gaps, each entry linked to its
    /// predecessor, each MAC matching its fields, and the head matching the last entry (so a
    /// deleted tail is caught too).
    pub async fn verify_audit(&self) -> AppResult<VerifyReport> {
        let conn = self.db().conn();
        let key = self.vault().mac_key(conn, "audit").await?;
        let mut report = VerifyReport::default();
        let heads = audit::heads(conn).await?;
        // A deleted head row must not hide a chain: every org records its creation, so every
        // org has a chain and a head.
        for org in audit::all_orgs(conn).await? {
            if !heads.iter().any(|(o, _, _)| *o == org) {
                report.orgs += 1;
                report.problems.push(AuditProblem {
                    org_id: org,
                    seq: 0,
                    entry_id: None,
                    problem: "the organization has no audit chain head (deleted)".into(),
                });
            }
        }
        for (org, head_seq, head_hash) in heads {
            report.orgs += 1;
            let mut expected_seq = 1;
            let mut prev = GENESIS.to_owned();
            loop {
                let page = audit::chain_page(conn, org, expected_seq - 1, PAGE).await?;
                if page.is_empty() {
                    break;
                }
                for row in page {
                    report.entries += 1;
                    let problem = |text: String| AuditProblem {
                        org_id: org,
                        seq: row.seq,
                        entry_id: Some(row.id.to_string()),
                        problem: text,
                    };
                    if row.seq != expected_seq {
                        report.problems.push(AuditProblem {
                            org_id: org,
                            seq: expected_seq,
                            entry_id: None,
                            problem: format!(
                                "entries #{expected_seq}–#{} are missing (deleted)",
                                row.seq - 1
                            ),
                        });
                    }
                    if row.prev_hash != prev {
                        report
                            .problems
                            .push(problem("does not link to the entry before it".into()));
                    }
                    if entry_hash(&key, &row) != row.hash {
                        report.problems.push(problem(
                            "its content was changed after it was written".into(),
                        ));
                    }
                    prev = row.hash.clone();
                    expected_seq = row.seq + 1;
                }
            }
            if expected_seq - 1 != head_seq || prev != head_hash {
                report.problems.push(AuditProblem {
                    org_id: org,
                    seq: head_seq,
                    entry_id: None,
                    problem: format!(
                        "the chain ends at #{} but {} entries were written (entries deleted)",
                        expected_seq - 1,
                        head_seq
                    ),
                });
            }
        }
        Ok(report)
    }
}
