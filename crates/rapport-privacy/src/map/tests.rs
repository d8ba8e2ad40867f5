//! The map agrees with itself: names are unique, every link names columns the table has, and
//! every chain of links ends at the person.

use super::*;
use std::collections::HashSet;

#[test]
fn table_and_column_names_are_unique() {
    let mut names = HashSet::new();
    for t in tables() {
        assert!(names.insert(t.name), "{} is mapped twice", t.name);
        let mut columns = HashSet::new();
        for c in t.columns {
            assert!(
                columns.insert(c.name),
                "{}.{} is mapped twice",
                t.name,
                c.name
            );
        }
    }
}

fn has(t: &Table, column: &str) {
    assert!(
        t.column(column).is_some(),
        "{} links through {column}, which it does not have",
        t.name
    );
}

/// How many hops from a row of `t` to the person `s`; panics on a chain that never ends.
fn hops(t: &Table, s: Subject, depth: usize) -> usize {
    assert!(
        depth < 8,
        "{}: the links to a {s:?} go round in a circle",
        t.name
    );
    let link = t
        .links_to(s)
        .next()
        .unwrap_or_else(|| panic!("{} is not linked to a {s:?}", t.name));
    match link.link {
        Link::Itself | Link::Column(_) | Link::EmailIn(_) | Link::Tagged { .. } => 0,
        Link::Via { table: to, .. }
        | Link::TaggedVia { table: to, .. }
        | Link::ReferencedBy { table: to, .. } => {
            let to = table(to).unwrap_or_else(|| panic!("{}: no table {to}", t.name));
            1 + hops(to, s, depth + 1)
        }
    }
}

#[test]
fn every_link_names_real_columns_and_ends_at_the_person() {
    for t in tables() {
        for l in t.subjects {
            match l.link {
                Link::Itself => has(t, "id"),
                Link::Column(c) | Link::EmailIn(c) => has(t, c),
                Link::Tagged {
                    column, tag_column, ..
                } => {
                    has(t, column);
                    has(t, tag_column);
                }
                Link::Via { column, .. } => has(t, column),
                Link::TaggedVia {
                    column, tag_column, ..
                } => {
                    has(t, column);
                    has(t, tag_column);
                }
                Link::ReferencedBy { table: by, column } => {
                    let by = table(by).unwrap_or_else(|| panic!("{}: no table {by}", t.name));
                    has(by, column);
                }
            }
            hops(t, l.subject, 0);
        }
    }
}

#[test]
fn each_subject_is_one_table() {
    for s in [Subject::Contact, Subject::User] {
        let own: Vec<_> = tables()
            .filter(|t| t.links_to(s).any(|l| l.link == Link::Itself))
            .map(|t| t.name)
            .collect();
        assert_eq!(own.len(), 1, "{s:?} rows: {own:?}");
    }
}

#[test]
fn blobs_are_named_by_mapped_columns() {
    for b in BLOBS {
        for (t, c) in b.named_by {
            let t = table(t).unwrap_or_else(|| panic!("{}: no table {t}", b.kind));
            has(t, c);
        }
    }
}

#[test]
fn a_contacts_messages_are_one_hop_from_them_and_their_files_two() {
    let messages = table("messages").map(|t| hops(t, Subject::Contact, 0));
    let files = table("attachments").map(|t| hops(t, Subject::Contact, 0));
    assert_eq!((messages, files), (Some(1), Some(2)));
}
