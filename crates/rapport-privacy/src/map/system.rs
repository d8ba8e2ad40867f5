//! What runs the system: the hash-chained audit log, the vault's wrapped keys, the job queue,
//! the schedules, the outbox of domain events and the migration ledger.

use super::{Kind, Link, Table, c, ck, of};
use crate::taxonomy::Category::*;
use crate::taxonomy::Erasure::Anonymise;
use crate::taxonomy::Subject::{Contact, User};
use crate::taxonomy::{LegalBasis as B, Purpose as P, Retention as R};

const ORG: super::Column = c("org_id", System);

pub(super) const TABLES: &[Table] = &[
    // Security events are kept per the audit policy; erasure replaces the person's
    // identifiers and keeps the chain's hashes, so verification still names a tampered entry.
    Table {
        name: "audit_log",
        purpose: P::Security,
        basis: B::LegalObligation,
        retention: R::Audit,
        subjects: &[
            of(User, Link::Column("actor_id"), Anonymise),
            of(
                Contact,
                Link::Tagged {
                    column: "target_id",
                    tag_column: "target_type",
                    tag: "contact",
                },
                Anonymise,
            ),
        ],
        columns: &[
            c("id", System),
            ORG,
            c("seq", System),
            c("at", Behavior),
            c("actor_id", System),
            c("actor_label", Name),
            c("action", Behavior),
            c("target_type", System),
            ck("target_id", System, Kind::Text),
            c("ip", Device),
            c("user_agent", Device),
            c("details", Content),
            c("prev_hash", System),
            c("hash", System),
        ],
    },
    Table {
        name: "audit_heads",
        purpose: P::Security,
        basis: B::LegalObligation,
        retention: R::Audit,
        subjects: &[],
        columns: &[ORG, c("seq", System), c("hash", System)],
    },
    Table {
        name: "data_keys",
        purpose: P::Security,
        basis: B::LegitimateInterest,
        retention: R::WhileRecordExists,
        subjects: &[],
        columns: &[
            c("id", System),
            ORG,
            c("subject", System),
            ck("kek_id", System, Kind::Text),
            c("wrapped", System),
            c("created_at", System),
            c("rotated_at", System),
        ],
    },
    // A job's payload can carry what it works on (an address to send to, a message to
    // deliver); finished jobs are pruned.
    Table {
        name: "jobs",
        purpose: P::Operations,
        basis: B::LegitimateInterest,
        retention: R::UntilProcessed,
        subjects: &[],
        columns: &[
            c("id", System),
            ORG,
            c("kind", System),
            ck("payload", Content, Kind::Json),
            c("state", System),
            c("attempts", System),
            c("max_attempts", System),
            c("run_at_ms", System),
            c("lease_until_ms", System),
            ck("locked_by", System, Kind::Text),
            c("last_error", System),
            c("dedupe_key", System),
            c("created_at", System),
            c("updated_at", System),
            c("finished_at", System),
        ],
    },
    Table {
        name: "schedules",
        purpose: P::Operations,
        basis: B::LegitimateInterest,
        retention: R::WhileRecordExists,
        subjects: &[],
        columns: &[
            c("name", System),
            c("interval_ms", System),
            c("next_run_ms", System),
            c("last_run_ms", System),
            c("runs", System),
        ],
    },
    // Domain events carry what changed (a message's text for the realtime feed); dispatched
    // events are pruned.
    Table {
        name: "outbox_events",
        purpose: P::Operations,
        basis: B::LegitimateInterest,
        retention: R::UntilProcessed,
        subjects: &[],
        columns: &[
            c("id", System),
            ORG,
            c("kind", System),
            ck("payload", Content, Kind::Json),
            c("created_at", System),
            c("dispatched_at", System),
            c("depth", System),
        ],
    },
    Table {
        name: "seaql_migrations",
        purpose: P::Operations,
        basis: B::LegitimateInterest,
        retention: R::WhileRecordExists,
        subjects: &[],
        columns: &[c("version", System), ck("applied_at", System, Kind::Int)],
    },
];
