//! The CRM use cases: contacts, companies and custom-field definitions (records), and what
//! later slices add beside them. Each use case checks its permission, validates input into
//! normalized values, and writes rows, outbox events and timeline entries in one transaction.

pub mod companies;
mod contact_patch;
pub mod contacts;
pub mod custom_fields;
pub mod input;
mod linking;
//! CRM use cases: contacts, companies, deals and pipelines, notes, tasks, the timeline.

pub mod board;
pub mod deal_fields;
pub mod deal_moves;
pub mod deals;
pub mod pipelines;
pub mod stages;
