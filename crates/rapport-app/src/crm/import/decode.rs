//! Turning an uploaded file into text: UTF-8 (with or without a byte-order mark) is accepted as
//! is; anything else is refused with the position of the first bad byte, unless the user chose
//! a legacy encoding (Windows-1252 or ISO-8859-1: what Excel writes as "CSV" on Western
//! Windows), which is then transcoded. Guessing the encoding silently would corrupt names.

/// Largest accepted upload (the whole file is held in memory and in one database row).
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// A text encoding the user may pick for a file that is not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 (the default; a byte-order mark is dropped).
    Utf8,
    /// Windows-1252 (Western European Windows; a superset of ISO-8859-1's printable range).
    Windows1252,
    /// ISO-8859-1 (Latin-1).
    Iso88591,
}

impl Encoding {
    /// Parses the name a form or query string sends (`utf-8`, `windows-1252`, `iso-8859-1`,
    /// and the usual aliases).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "" | "utf-8" | "utf8" => Some(Self::Utf8),
            "windows-1252" | "cp1252" | "win-1252" => Some(Self::Windows1252),
            "iso-8859-1" | "latin1" | "latin-1" | "iso8859-1" => Some(Self::Iso88591),
            _ => None,
        }
    }
}

fn not_utf8(bytes: &[u8], valid_up_to: usize) -> String {
    let before = &bytes[..valid_up_to];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let byte = valid_up_to - line_start + 1;
    format!(
        "the file is not UTF-8 (line {line} byte {byte}): save it as \"CSV UTF-8\", or \
         choose its encoding (Windows-1252 or ISO-8859-1) when uploading"
    )
}

/// Decodes an upload into text in the chosen encoding. Refuses an empty or oversized file and
/// a file that is not valid UTF-8 when UTF-8 was expected.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, String> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(format!(
            "the file is larger than {} MB",
            MAX_UPLOAD_BYTES / 1024 / 1024
        ));
    }
    let text = match encoding {
        Encoding::Utf8 => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            match std::str::from_utf8(body) {
                Ok(s) => s.to_owned(),
                Err(e) => return Err(not_utf8(body, e.valid_up_to())),
            }
        }
        // encoding_rs maps ISO-8859-1 to windows-1252 (as the WHATWG standard does): the
        // printable characters agree, and C1 controls are not names anyone types.
        Encoding::Windows1252 | Encoding::Iso88591 => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text.into_owned()
        }
    };
    if text.trim().is_empty() {
        return Err("the file is empty".into());
    }
    Ok(text)
}

/// The field delimiter: the candidate (`,` `;` tab) that splits the first lines into the same,
/// largest number of fields. Quoted sections are skipped so a comma inside quotes does not count.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(10)
        .collect();
    let mut best = (b',', 0usize, false);
    for cand in [b',', b';', b'\t'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, cand))
            .collect();
        let first = counts.first().copied().unwrap_or(0);
        let consistent = counts.iter().all(|c| *c == first);
        let better =
            (consistent && !best.2 && first > 0) || (consistent == best.2 && first > best.1);
        if better {
            best = (cand, first, consistent);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delim: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delim && !quoted {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_is_accepted_and_bad_bytes_are_located() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFa,b\n", Encoding::Utf8).unwrap(),
            "a,b\n"
        );
        let err = decode(b"name\nJos\xE9,x\n", Encoding::Utf8).unwrap_err();
        assert!(err.contains("line 2 byte 4"), "{err}");
        assert_eq!(
            decode(b"name\nJos\xE9\n", Encoding::Windows1252).unwrap(),
            "name\nJosé\n"
        );
        assert_eq!(
            decode(b"\x80", Encoding::Windows1252).unwrap(),
            "€",
            "Windows-1252 has the euro sign"
        );
    }

    #[test]
    fn sniffs_the_delimiter() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n\"1,5\";2;3\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter("name\nAda\n"), b',');
    }
}
