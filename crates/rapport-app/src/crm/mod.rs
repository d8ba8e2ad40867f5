//! CRM use cases: contacts, companies, deals, notes, tasks, the timeline, imports and exports.

pub mod duplicates;
pub mod export;
pub mod import;
pub mod merge;
