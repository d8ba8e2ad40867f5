//! Schema migrations, one file per change, applied in order by `rapport migrate` and at
//! `serve` start. Every later feature adds its own migration file here.

use sea_orm_migration::prelude::*;

mod helpers;
mod m20261125_000001_foundation;
mod m20261127_000002_identity;
mod m20261128_000003_crm;
mod m20261128_000004_crm_records;
mod m20261129_000005_inbox;
mod m20261130_000006_canned_responses;
mod m20261130_000007_outbox_notify;
mod m20261130_000008_label_activity;
mod m20261201_000009_automation;
mod m20261201_000010_sla;
mod m20261201_000011_assignment;
mod m20261201_000012_csat;
mod m20261201_000013_attachments;
mod m20261201_000014_saved_views;
mod m20261202_000015_mail_sync;
mod m20261203_000016_oauth_connections;
mod m20261204_000017_mail_modseq;
mod m20261205_000018_retention;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261127_000002_identity::Migration),
            Box::new(m20261128_000003_crm::Migration),
            Box::new(m20261128_000004_crm_records::Migration),
            Box::new(m20261129_000005_inbox::Migration),
            Box::new(m20261130_000006_canned_responses::Migration),
            Box::new(m20261130_000007_outbox_notify::Migration),
            Box::new(m20261130_000008_label_activity::Migration),
            Box::new(m20261201_000009_automation::Migration),
            Box::new(m20261201_000010_sla::Migration),
            Box::new(m20261201_000011_assignment::Migration),
            Box::new(m20261201_000012_csat::Migration),
            Box::new(m20261201_000013_attachments::Migration),
            Box::new(m20261201_000014_saved_views::Migration),
            Box::new(m20261202_000015_mail_sync::Migration),
            Box::new(m20261203_000016_oauth_connections::Migration),
            Box::new(m20261204_000017_mail_modseq::Migration),
            Box::new(m20261205_000018_retention::Migration),
        ]
    }
}
