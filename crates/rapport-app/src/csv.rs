//! CSV writing for exports (RFC 4180 quoting, and formula-injection defence: a cell that a
//! spreadsheet would run as a formula is prefixed with an apostrophe).

/// One CSV line, with its line break.
pub fn row(cells: &[String]) -> String {
    let mut line = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_defuses_formulas() {
        let line = row(&[
            "a,b".into(),
            "say \"hi\"".into(),
            "=1+1".into(),
            "plain".into(),
        ]);
        assert_eq!(line, "\"a,b\",\"say \"\"hi\"\"\",'=1+1,plain\r\n");
    }
}
