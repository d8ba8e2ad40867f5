//! The access export's file: `export.json` (the published schema: `schema.json` beside it and
//! `docs/privacy/export-schema.json`), one CSV per data category (`csv/user.contact.email.csv`:
//! table, row, field, value; a long format every spreadsheet opens), the person's files under
//! `files/<attachment id>/<name>`, and a README saying what is where.

use crate::csv::row;
use crate::error::{AppError, AppResult};
use rapport_privacy::Category;
use rapport_store::repo::person_data::TableRows;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use zip::write::SimpleFileOptions;

/// One file of the person's, ready for the archive.
pub(super) struct ExportedFile {
    /// Its path in the archive.
    pub path: String,
    /// Its bytes (decrypted).
    pub bytes: Vec<u8>,
}

fn zip_err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("writing the export: {e}"))
}

/// A file name safe inside an archive: no directories, no control characters, not empty.
pub(super) fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .take(150)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The CSV files: for each personal-data category, every value of that category.
fn category_csvs(tables: &[TableRows]) -> BTreeMap<&'static str, String> {
    let mut out: BTreeMap<&'static str, String> = BTreeMap::new();
    for t in tables {
        for r in &t.rows {
            let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
            for c in t.table.columns.iter().filter(|c| c.is_exported()) {
                if c.category == Category::System {
                    continue;
                }
                let value = match r.get(c.name) {
                    None | Some(Value::Null) => continue,
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                };
                let csv = out.entry(c.category.name()).or_insert_with(|| {
                    row(&["table".into(), "row".into(), "field".into(), "value".into()])
                });
                csv.push_str(&row(&[
                    t.table.name.to_owned(),
                    id.to_owned(),
                    c.name.to_owned(),
                    value,
                ]));
            }
        }
    }
    out
}

const README: &str = "Personal data export\n\
\n\
export.json   every record of the organisation that belongs to you, table by table, with\n\
              why it is kept (purpose, legal basis) and for how long (retention).\n\
schema.json   the JSON Schema export.json follows.\n\
csv/          the same values, one CSV file per kind of data (names, email addresses,\n\
              message content, ...): table, row, field, value.\n\
files/        the files that belong to you (attachments), under their record's id.\n\
\n\
Credentials (password hashes, second-factor secrets, token digests) are not included:\n\
they prove nothing to you and would help anyone who got hold of this file.\n";

/// The archive's bytes.
pub(super) fn write(
    document: &Value,
    tables: &[TableRows],
    files: Vec<ExportedFile>,
) -> AppResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let put = |zip: &mut zip::ZipWriter<_>, path: &str, bytes: &[u8]| -> AppResult<()> {
        zip.start_file(path, options).map_err(zip_err)?;
        zip.write_all(bytes).map_err(zip_err)
    };
    put(&mut zip, "README.txt", README.as_bytes())?;
    let json = serde_json::to_vec_pretty(document).map_err(zip_err)?;
    put(&mut zip, "export.json", &json)?;
    let schema =
        serde_json::to_vec_pretty(&rapport_privacy::export_schema::schema()).map_err(zip_err)?;
    put(&mut zip, "schema.json", &schema)?;
    for (category, csv) in category_csvs(tables) {
        put(&mut zip, &format!("csv/{category}.csv"), csv.as_bytes())?;
    }
    for f in files {
        put(&mut zip, &f.path, &f.bytes)?;
    }
    let cursor = zip.finish().map_err(zip_err)?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn file_names_stay_inside_their_folder() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("  "), "file");
        assert_eq!(safe_name("report Q3.pdf"), "report Q3.pdf");
        assert_eq!(safe_name("a\u{0}b"), "a_b");
    }
}
