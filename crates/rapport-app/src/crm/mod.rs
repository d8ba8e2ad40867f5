//! CRM use cases: contacts, companies, deals and pipelines, notes, tasks, the timeline.

pub mod board;
pub mod deal_fields;
pub mod deal_moves;
pub mod deals;
pub mod pipelines;
pub mod stages;
