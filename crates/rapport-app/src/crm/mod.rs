//! The CRM use cases: contacts, companies and custom-field definitions (records), deals and
//! pipelines, notes, tasks and the timeline, lists and segments, import and merge. Each use
//! case checks its permission, validates input into normalized values, and writes rows, outbox
//! events and timeline entries in one transaction.

pub mod board;
pub mod companies;
mod contact_patch;
pub mod contacts;
pub mod custom_fields;
pub mod deal_fields;
pub mod deal_moves;
pub mod deals;
pub mod duplicates;
pub mod export;
pub mod import;
pub mod input;
mod linking;
pub mod markdown;
pub mod merge;
pub mod notes;
pub mod notifications;
pub mod pipelines;
pub mod reminders;
pub mod stages;
pub mod tasks;
pub mod timeline;
pub mod work_access;
