//! The privacy engine's use cases, driven by the data map (`rapport-privacy`): what the org
//! holds about one person, for data-subject requests. `export`: the access and portability
//! export of a contact (a ZIP of JSON, CSV per data category, and their files);
//! `export_zip` builds that file. `retention`: how long conversation logs are kept, the
//! hourly purge, and legal holds that stop it.

pub mod export;
mod export_zip;
pub mod retention;

pub use export::PersonExport;
