//! The CRM use cases: contacts, companies and custom-field definitions (records), deals and
//! pipelines, notes, tasks and the timeline, lists and segments, import and merge. Each use
//! case checks its permission, validates input into normalized values, and writes rows, outbox
//! events and timeline entries in one transaction.

pub mod companies;
mod contact_patch;
pub mod contacts;
pub mod custom_fields;
pub mod input;
mod linking;
pub mod board;
pub mod deal_fields;
pub mod deal_moves;
pub mod deals;
pub mod pipelines;
pub mod stages;
//! CRM use cases: records, lists, deals, imports, and the work done on records (notes, tasks,
//! the activity timeline, reminders and notifications).

pub mod markdown;
pub mod notes;
pub mod notifications;
pub mod reminders;
pub mod tasks;
pub mod timeline;
pub mod work_access;
//! CRM use cases: contacts, companies, deals, notes, tasks, the timeline, imports and exports.

pub mod duplicates;
pub mod export;
pub mod import;
pub mod merge;
