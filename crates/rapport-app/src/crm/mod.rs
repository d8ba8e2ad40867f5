//! CRM use cases: records, lists, deals, imports, and the work done on records (notes, tasks,
//! the activity timeline, reminders and notifications).

pub mod markdown;
pub mod notes;
pub mod notifications;
pub mod reminders;
pub mod tasks;
pub mod timeline;
pub mod work_access;
