//! The privacy engine's own records: retention policies, legal holds (with the reason an
//! admin gave) and the log of retention runs.

use super::{Kind, Link, Table, c, ck, of};
use crate::taxonomy::Category::*;
use crate::taxonomy::Erasure::{Delete, Detach};
use crate::taxonomy::Subject::{Contact, User};
use crate::taxonomy::{LegalBasis as B, Purpose as P, Retention as R};

const ORG: super::Column = c("org_id", System);

pub(super) const TABLES: &[Table] = &[
    Table {
        name: "retention_policies",
        purpose: P::Security,
        basis: B::LegalObligation,
        retention: R::WhileRecordExists,
        subjects: &[of(User, Link::Column("updated_by"), Detach)],
        columns: &[
            ORG,
            c("target", System),
            ck("days", System, Kind::Int),
            c("updated_by", System),
            c("updated_at", System),
        ],
    },
    Table {
        name: "legal_holds",
        purpose: P::Security,
        basis: B::LegalObligation,
        retention: R::WhileRecordExists,
        subjects: &[
            of(
                Contact,
                Link::Tagged {
                    column: "target_id",
                    tag_column: "target_type",
                    tag: "contact",
                },
                Delete,
            ),
            of(User, Link::Column("created_by"), Detach),
            of(User, Link::Column("released_by"), Detach),
        ],
        columns: &[
            c("id", System),
            ORG,
            c("target_type", System),
            c("target_id", System),
            c("reason", Content),
            c("created_by", System),
            c("created_at", System),
            c("released_at", System),
            c("released_by", System),
        ],
    },
    Table {
        name: "retention_runs",
        purpose: P::Security,
        basis: B::LegalObligation,
        retention: R::Audit,
        subjects: &[],
        columns: &[
            c("id", System),
            ORG,
            c("target", System),
            ck("cutoff", System, Kind::Time),
            ck("deleted", System, Kind::Int),
            c("started_at", System),
            c("finished_at", System),
        ],
    },
];
