//! CRM use cases: contacts, companies, deals, notes, tasks, the timeline, imports and exports.

pub mod import;
