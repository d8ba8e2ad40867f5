//! The email channel's own state: where each mailbox folder was read up to, mail that could
//! not be stored (raw, in the blob store), and OAuth grants for Gmail and Microsoft 365.

use super::{Kind, Table, c, ck};
use crate::taxonomy::Category::*;
use crate::taxonomy::{LegalBasis as B, Purpose as P, Retention as R};

const ORG: super::Column = c("org_id", System);

pub(super) const TABLES: &[Table] = &[
    Table {
        name: "mail_folders",
        purpose: P::Operations,
        basis: B::LegitimateInterest,
        retention: R::WhileRecordExists,
        subjects: &[],
        columns: &[
            ORG,
            c("inbox_id", System),
            c("folder", System),
            c("uid_validity", System),
            c("last_uid", System),
            c("imported", System),
            c("lease_holder", System),
            ck("lease_until", System, Kind::Int),
            c("last_error", System),
            c("last_synced_at", System),
            c("updated_at", System),
            c("highest_modseq", System),
        ],
    },
    // A message that could not be parsed names no one the map can find; it waits for an
    // admin to retry or discard it, and goes with its inbox.
    Table {
        name: "mail_quarantine",
        purpose: P::Operations,
        basis: B::LegitimateInterest,
        retention: R::WhileRecordExists,
        subjects: &[],
        columns: &[
            c("id", System),
            ORG,
            c("inbox_id", System),
            c("folder", System),
            c("uid", System),
            c("blob", Content),
            c("size", System),
            c("error", System),
            c("attempts", System),
            c("created_at", System),
            c("updated_at", System),
        ],
    },
    Table {
        name: "oauth_connections",
        purpose: P::Operations,
        basis: B::LegitimateInterest,
        retention: R::WhileRecordExists,
        subjects: &[],
        columns: &[
            c("id", System),
            ORG,
            c("provider", System),
            c("account", Email),
            c("sealed_tokens", Credentials),
            c("access_expires_at", System),
            c("status", System),
            c("last_error", System),
            c("created_at", System),
            c("updated_at", System),
        ],
    },
];
