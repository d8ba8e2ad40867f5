//! The promise ledger: every privacy promise of `shared/PROMISES.md` with the tests that prove
//! it, as listed in `docs/privacy/promises.toml` (built into the binary, so an operator can ask
//! a running install which promises its build proves: `rapport admin privacy-report`).
//! A promise with no test is listed as uncovered, never hidden.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The ledger as this build was made with it.
const EMBEDDED: &str = include_str!("../../../docs/privacy/promises.toml");

/// One promise and its proofs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Promise {
    /// The id (`D3`).
    pub id: String,
    /// The promise in one line.
    pub statement: String,
    /// The tests that prove it, as `file::function`.
    pub tests: Vec<String>,
}

impl Promise {
    /// Whether at least one test proves it.
    pub fn is_covered(&self) -> bool {
        !self.tests.is_empty()
    }
}

/// Why the ledger could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the promise ledger is malformed: {0}")]
pub struct LedgerError(String);

#[derive(Deserialize)]
struct Entry {
    statement: String,
    #[serde(default)]
    tests: Vec<String>,
}

/// Every promise, in ledger order (A1, A2, …, B1, …; numbers compared as numbers).
pub fn promises() -> Result<Vec<Promise>, LedgerError> {
    parse(EMBEDDED)
}

fn parse(text: &str) -> Result<Vec<Promise>, LedgerError> {
    let table: BTreeMap<String, Entry> =
        toml::from_str(text).map_err(|e| LedgerError(e.to_string()))?;
    let mut out: Vec<Promise> = table
        .into_iter()
        .map(|(id, e)| Promise {
            id,
            statement: e.statement,
            tests: e.tests,
        })
        .collect();
    out.sort_by_key(|p| order(&p.id));
    Ok(out)
}

fn order(id: &str) -> (String, u32) {
    let letters: String = id.chars().take_while(char::is_ascii_alphabetic).collect();
    let number = id[letters.len()..].parse().unwrap_or(u32::MAX);
    (letters, number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_ledger_reads_and_is_in_order() {
        let all = promises().unwrap_or_else(|e| panic!("{e}"));
        assert!(all.len() >= 40, "{} promises", all.len());
        let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
        let a = ids.iter().position(|i| *i == "A2");
        let b = ids.iter().position(|i| *i == "A10").or(Some(usize::MAX));
        assert!(a < b, "A2 before A10");
        assert!(all.iter().any(Promise::is_covered));
    }

    #[test]
    fn a_promise_without_tests_is_uncovered_and_bad_text_is_an_error() {
        let all = parse("[Z9]\nstatement = \"x\"\n").unwrap_or_default();
        assert_eq!(all.len(), 1);
        assert!(!all[0].is_covered());
        assert!(parse("[Z9]\ntests = 3\n").is_err());
    }
}
