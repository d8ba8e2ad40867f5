//! The privacy engine's ground truth: the **data map**. Every table, column and blob kind of
//! Rapport's schema is registered here with what it holds (a [`Category`] from a
//! fideslang-like taxonomy), whose data it is ([`Subject`], and how a row finds that person:
//! [`Link`]), why it is processed ([`Purpose`], [`LegalBasis`]), how long it is kept
//! ([`Retention`]) and what erasing the person does to it ([`Erasure`]).
//!
//! The map is code, not documentation: the schema test (`tests/schema.rs`) migrates a fresh
//! database and fails when a table or column exists that the map does not classify, or the map
//! names one that does not exist. Data-subject requests, retention and the generated privacy
//! policy read the map, so what the policy says and what an export holds follow the schema.
//!
//! `export_schema` writes the published JSON Schema of a person's access export from the map.
//! The **promise ledger** (`ledger`) is here too: which test proves which privacy promise.
//!
//! This crate does no IO and depends on no other Rapport crate.

pub mod export_schema;
pub mod ledger;
pub mod map;
pub mod taxonomy;

pub use map::{BLOBS, Blob, Column, Kind, Link, SubjectLink, Table, table, tables};
pub use taxonomy::{Category, Erasure, LegalBasis, Purpose, Retention, Subject};
