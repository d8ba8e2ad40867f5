//! The uploaded file as a table: a header row and data rows of text cells, from CSV (delimiter
//! sniffed) or from vCards (one row per card, with fixed columns), so both formats share the
//! mapping, validation, dedupe and all-or-nothing write path.

use super::decode::sniff_delimiter;
use super::mapping::Target;
use super::vcard;

/// Most columns a file may have.
const MAX_COLUMNS: usize = 200;

/// Header and rows; `rows[i].0` is the row number users see.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names.
    pub headers: Vec<String>,
    /// (row number, cells).
    pub rows: Vec<(usize, Vec<String>)>,
    /// The mapping vCards imply (CSV: none, the user chooses).
    pub fixed_mapping: Option<Vec<Target>>,
}

/// Reads CSV text. Rows whose cells are all empty are dropped (spreadsheets leave them at the end).
pub fn from_csv(text: &str) -> Result<Table, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the header row cannot be read: {e}"))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.trim();
            if h.is_empty() {
                format!("Column {}", i + 1)
            } else {
                h.to_owned()
            }
        })
        .collect();
    if headers.len() > MAX_COLUMNS {
        return Err(format!(
            "the file has {} columns; at most {MAX_COLUMNS} are supported",
            headers.len()
        ));
    }
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut n = 1;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                n += 1;
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                rows.push((n, record.iter().map(str::to_owned).collect()));
            }
            Err(e) => return Err(format!("row {}: the CSV cannot be read: {e}", n + 1)),
        }
    }
    Ok(Table {
        headers,
        rows,
        fixed_mapping: None,
    })
}

/// Reads vCard text: one row per card, numbered by card.
pub fn from_vcards(text: &str) -> Result<Table, String> {
    let cards = vcard::parse(text)?;
    let mapping = vec![
        Target::FirstName,
        Target::LastName,
        Target::Name,
        Target::Email,
        Target::Phone,
        Target::Company,
        Target::Title,
    ];
    let headers = [
        "N (given)",
        "N (family)",
        "FN",
        "EMAIL",
        "TEL",
        "ORG",
        "TITLE",
    ]
    .map(String::from)
    .to_vec();
    let rows = cards
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            // FN only when N gave no name: N is the structured form and wins.
            let fn_cell = if c.given.is_empty() && c.family.is_empty() {
                c.formatted.clone()
            } else {
                String::new()
            };
            (
                i + 1,
                vec![
                    c.given,
                    c.family,
                    fn_cell,
                    c.emails.join(";"),
                    c.phones.join(";"),
                    c.org,
                    c.title,
                ],
            )
        })
        .collect();
    Ok(Table {
        headers,
        rows,
        fixed_mapping: Some(mapping),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_csv_with_quotes_and_blank_rows() {
        let t = from_csv("Name;Title\n\"Lovelace; Ada\";\"=1+1\"\n;\n").unwrap();
        assert_eq!(t.headers, vec!["Name", "Title"]);
        assert_eq!(
            t.rows,
            vec![(2, vec!["Lovelace; Ada".to_owned(), "=1+1".to_owned()])]
        );
    }
}
