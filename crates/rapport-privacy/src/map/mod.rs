//! The data map: one [`Table`] per table of the schema, every column classified, and the blob
//! kinds that live outside the database. Split by capability (`identity`, `crm`, `inbox`,
//! `mail`, `privacy`, `system`), as the migrations are.
//!
//! A table's [`SubjectLink`]s say whose data its rows are and how a row finds that person, so
//! a data-subject request can collect (and erase) every row of one contact or user without a
//! hand-written query per table: a contact's messages are the messages whose conversation is
//! theirs; their tasks are the tasks a task link ties to them.

mod crm;
mod identity;
mod inbox;
mod kind;
mod mail;
mod privacy;
mod system;

pub use kind::Kind;

use crate::taxonomy::{Category, Erasure, LegalBasis, Purpose, Retention, Subject};
use serde::Serialize;

/// One column and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The column's name.
    pub name: &'static str,
    /// What it holds.
    pub category: Category,
    /// The type of its values, where the name does not imply it ([`Column::kind`]).
    pub declared_kind: Option<Kind>,
}

impl Column {
    /// The type of its values.
    pub fn kind(&self) -> Kind {
        self.declared_kind
            .unwrap_or_else(|| Kind::from_name(self.name))
    }

    /// Whether an access export shows it: everything but credentials (a password hash or a
    /// second-factor seed proves nothing to the person and helps whoever steals the file).
    pub fn is_exported(&self) -> bool {
        self.category != Category::Credentials
    }
}

/// How a row of a table finds the person it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Link {
    /// The row is the person (its `id`).
    Itself,
    /// The column holds the person's id.
    Column(&'static str),
    /// The column holds one of the person's email addresses (an invitation not yet accepted).
    EmailIn(&'static str),
    /// The column holds the person's id when `tag_column` equals `tag` (a note's
    /// `record_type = 'contact'`, `record_id`).
    Tagged {
        /// The id column.
        column: &'static str,
        /// The column that says what the id names.
        tag_column: &'static str,
        /// The value that means "this person's kind".
        tag: &'static str,
    },
    /// When `tag_column` equals `tag`, the column holds the id of a row of `table` that is the
    /// person's (a company's timeline entry about a note on the contact).
    TaggedVia {
        /// The id column.
        column: &'static str,
        /// The column that says what the id names.
        tag_column: &'static str,
        /// The value that means "a row of `table`".
        tag: &'static str,
        /// The table it points to (linked to the same subject in the map).
        table: &'static str,
    },
    /// The column holds the id of a row of `table` that is the person's (a message's
    /// `conversation_id`).
    Via {
        /// The column on this table.
        column: &'static str,
        /// The table it points to (linked to the same subject in the map).
        table: &'static str,
    },
    /// A row of `table` that is the person's points to this row through its `column` (a task
    /// named by one of the contact's task links).
    ReferencedBy {
        /// The table holding the pointer (linked to the same subject in the map).
        table: &'static str,
        /// Its column that holds this row's id.
        column: &'static str,
    },
}

/// One kind of person a table's rows can belong to, and what erasing them does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SubjectLink {
    /// Whose.
    pub subject: Subject,
    /// How a row finds them.
    pub link: Link,
    /// What erasing them does to the row.
    pub erasure: Erasure,
}

/// One table of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// Why its rows are processed.
    pub purpose: Purpose,
    /// On what basis.
    pub basis: LegalBasis,
    /// How long they are kept.
    pub retention: Retention,
    /// Whose data the rows are; empty when they hold no one's (configuration, system state).
    pub subjects: &'static [SubjectLink],
    /// Every column, classified.
    pub columns: &'static [Column],
}

impl Table {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The ways rows find `subject` (a task names its assignee and its creator).
    pub fn links_to(&self, subject: Subject) -> impl Iterator<Item = &'static SubjectLink> {
        self.subjects.iter().filter(move |s| s.subject == subject)
    }

    /// The personal-data categories its columns hold, in [`Category::ALL`] order.
    pub fn categories(&self) -> Vec<Category> {
        Category::ALL
            .into_iter()
            .filter(|c| c.is_personal() && self.columns.iter().any(|col| col.category == *c))
            .collect()
    }

    /// Whether any column holds personal data.
    pub fn is_personal(&self) -> bool {
        self.columns.iter().any(|c| c.category.is_personal())
    }
}

/// A kind of file kept outside the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Blob {
    /// What the files are.
    pub kind: &'static str,
    /// The `(table, column)` pairs whose values are the files' addresses.
    pub named_by: &'static [(&'static str, &'static str)],
    /// What the files hold.
    pub category: Category,
    /// How long they are kept (as long as a row names them).
    pub retention: Retention,
}

/// Files in the blob store: encrypted with the org's data key, addressed by content.
pub const BLOBS: &[Blob] = &[Blob {
    kind: "files",
    named_by: &[("attachments", "blob"), ("mail_quarantine", "blob")],
    category: Category::Content,
    retention: Retention::WhileRecordExists,
}];

/// Every table of the map, by capability.
pub fn tables() -> impl Iterator<Item = &'static Table> {
    [
        identity::TABLES,
        crm::TABLES,
        inbox::TABLES,
        mail::TABLES,
        privacy::TABLES,
        system::TABLES,
    ]
    .into_iter()
    .flatten()
}

/// The table named `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    tables().find(|t| t.name == name)
}

/// A classified column whose name implies its kind (for the tables below).
const fn c(name: &'static str, category: Category) -> Column {
    Column {
        name,
        category,
        declared_kind: None,
    }
}

/// A classified column of a kind its name does not imply.
const fn ck(name: &'static str, category: Category, kind: Kind) -> Column {
    Column {
        name,
        category,
        declared_kind: Some(kind),
    }
}

/// A subject link (for the tables below).
const fn of(subject: Subject, link: Link, erasure: Erasure) -> SubjectLink {
    SubjectLink {
        subject,
        link,
        erasure,
    }
}

#[cfg(test)]
mod tests;
