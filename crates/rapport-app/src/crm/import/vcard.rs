//! A small, strict vCard reader (3.0 and 4.0, RFC 2426 / RFC 6350) and a vCard 4.0 writer for
//! contacts: line unfolding and folding at 75 octets, value escaping (`\,` `\;` `\\` `\n`), the
//! properties a CRM contact has (FN, N, EMAIL, TEL, ORG, TITLE, NOTE, UID) and the PREF/TYPE
//! parameters that order emails and phones. vCard 2.1 (quoted-printable, other charsets) is
//! refused with a clear message rather than half-read. No crate: the maintained ones either
//! target 2.1/3.0 only or pull in a parser framework for what is 200 lines.

/// Most cards one file may hold.
const MAX_CARDS: usize = 200_000;

/// One contact card, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    /// UID.
    pub uid: String,
    /// FN.
    pub formatted: String,
    /// N: given name.
    pub given: String,
    /// N: family name.
    pub family: String,
    /// EMAIL values, most preferred first.
    pub emails: Vec<String>,
    /// TEL values, most preferred first (a `tel:` URI prefix removed).
    pub phones: Vec<String>,
    /// ORG's first component.
    pub org: String,
    /// TITLE.
    pub title: String,
    /// NOTE.
    pub note: String,
}

fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = line.strip_prefix([' ', '\t'])
            && let Some(last) = lines.last_mut()
        {
            last.push_str(rest);
            continue;
        }
        if !line.is_empty() {
            lines.push(line.to_owned());
        }
    }
    lines
}

/// Splits on unescaped `sep` and unescapes each part.
fn components(value: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.last_mut().map(|s| s.push('\n')),
                Some(other) => out.last_mut().map(|s| s.push(other)),
                None => None,
            };
        } else if c == sep {
            out.push(String::new());
        } else if let Some(s) = out.last_mut() {
            s.push(c);
        }
    }
    out
}

fn unescape(value: &str) -> String {
    components(value, '\u{0}').concat()
}

struct Line {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

fn split_line(line: &str, n: usize) -> Result<Line, String> {
    // The value starts at the first colon outside a quoted parameter value.
    let mut quoted = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon.ok_or_else(|| {
        format!(
            "card {n}: the line \"{}\" has no value",
            line.chars().take(40).collect::<String>()
        )
    })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default();
    // A group prefix (`item1.EMAIL`) is allowed and ignored.
    let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
    let params = parts
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or(("TYPE", p));
            (
                k.to_ascii_uppercase(),
                v.trim_matches('"').to_ascii_lowercase(),
            )
        })
        .collect();
    Ok(Line {
        name,
        params,
        value: value.to_owned(),
    })
}

/// Lower sorts first: PREF=1 (4.0) or TYPE=pref (3.0) before the rest.
fn preference(params: &[(String, String)]) -> u32 {
    for (k, v) in params {
        if k == "PREF" {
            return v.parse().unwrap_or(100);
        }
        if k == "TYPE" && v.split(',').any(|t| t == "pref") {
            return 1;
        }
    }
    101
}

/// A card being read: the card, its VERSION, and (preference, value) emails and phones.
type OpenCard = (Card, Option<String>, Vec<(u32, String)>, Vec<(u32, String)>);

/// Parses every card in `text`.
pub fn parse(text: &str) -> Result<Vec<Card>, String> {
    let mut cards = Vec::new();
    let mut current: Option<OpenCard> = None;
    for line in unfold(text) {
        let n = cards.len() + 1;
        let l = split_line(&line, n)?;
        match (l.name.as_str(), current.as_mut()) {
            ("BEGIN", None) if l.value.eq_ignore_ascii_case("VCARD") => {
                current = Some((Card::default(), None, Vec::new(), Vec::new()));
            }
            ("BEGIN", _) => return Err(format!("card {n}: BEGIN:VCARD expected")),
            ("END", Some(_)) => {
                let Some((mut card, version, mut emails, mut phones)) = current.take() else {
                    continue;
                };
                match version.as_deref() {
                    Some("3.0" | "4.0") => {}
                    Some(v) => {
                        return Err(format!(
                            "card {n}: vCard {v} is not supported; export the contacts as vCard 4.0 or 3.0"
                        ));
                    }
                    None => return Err(format!("card {n}: the card has no VERSION")),
                }
                emails.sort_by_key(|e| e.0);
                phones.sort_by_key(|p| p.0);
                card.emails = emails.into_iter().map(|e| e.1).collect();
                card.phones = phones.into_iter().map(|p| p.1).collect();
                cards.push(card);
                if cards.len() > MAX_CARDS {
                    return Err(format!("the file has more than {MAX_CARDS} cards"));
                }
            }
            (_, None) => return Err(format!("card {n}: a line outside BEGIN:VCARD … END:VCARD")),
            (name, Some((card, version, emails, phones))) => {
                if l.params.iter().any(|(k, v)| k == "ENCODING" && v != "b") {
                    return Err(format!(
                        "card {n}: quoted-printable values are vCard 2.1; export as vCard 4.0 or 3.0"
                    ));
                }
                if l.params.iter().any(|(k, v)| k == "CHARSET" && v != "utf-8") {
                    return Err(format!("card {n}: only UTF-8 vCards are supported"));
                }
                match name {
                    "VERSION" => *version = Some(l.value.trim().to_owned()),
                    "FN" => card.formatted = unescape(&l.value),
                    "N" => {
                        let parts = components(&l.value, ';');
                        card.family = parts.first().cloned().unwrap_or_default();
                        card.given = parts.get(1).cloned().unwrap_or_default();
                    }
                    "EMAIL" => emails.push((preference(&l.params), unescape(&l.value))),
                    "TEL" => {
                        let v = unescape(&l.value);
                        let v = v.strip_prefix("tel:").unwrap_or(&v).to_owned();
                        phones.push((preference(&l.params), v));
                    }
                    "ORG" => {
                        card.org = components(&l.value, ';')
                            .into_iter()
                            .next()
                            .unwrap_or_default()
                    }
                    "TITLE" => card.title = unescape(&l.value),
                    "NOTE" => card.note = unescape(&l.value),
                    "UID" => card.uid = unescape(&l.value),
                    _ => {}
                }
            }
        }
    }
    if current.is_some() {
        return Err(format!("card {}: END:VCARD is missing", cards.len() + 1));
    }
    if cards.is_empty() {
        return Err("the file holds no vCard".into());
    }
    Ok(cards)
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets (never inside a UTF-8 character), CRLF-terminated.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// Writes one card as vCard 4.0.
pub fn write(card: &Card, out: &mut String) {
    push_folded(out, "BEGIN:VCARD");
    push_folded(out, "VERSION:4.0");
    if !card.uid.is_empty() {
        push_folded(out, &format!("UID:{}", escape(&card.uid)));
    }
    push_folded(out, &format!("FN:{}", escape(&card.formatted)));
    push_folded(
        out,
        &format!("N:{};{};;;", escape(&card.family), escape(&card.given)),
    );
    for (i, e) in card.emails.iter().enumerate() {
        push_folded(out, &format!("EMAIL;PREF={}:{}", i + 1, escape(e)));
    }
    for (i, p) in card.phones.iter().enumerate() {
        push_folded(out, &format!("TEL;VALUE=uri;PREF={}:tel:{}", i + 1, p));
    }
    if !card.org.is_empty() {
        push_folded(out, &format!("ORG:{}", escape(&card.org)));
    }
    if !card.title.is_empty() {
        push_folded(out, &format!("TITLE:{}", escape(&card.title)));
    }
    if !card.note.is_empty() {
        push_folded(out, &format!("NOTE:{}", escape(&card.note)));
    }
    push_folded(out, "END:VCARD");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_escaping_folding_and_non_ascii() {
        let card = Card {
            uid: "urn:uuid:0190-1".into(),
            formatted: "Zoë Ŝmith, Jr.".into(),
            given: "Zoë".into(),
            family: "Ŝmith; Jr.".into(),
            emails: vec!["zoe@example.com".into(), "z@example.org".into()],
            phones: vec!["+14155550132".into()],
            org: "Ünïcode, Inc.".into(),
            title: "Head of Ops \\ Sales".into(),
            note: format!("line one\nline two {}", "ä".repeat(60)),
        };
        let mut text = String::new();
        write(&card, &mut text);
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        assert_eq!(parse(&text).unwrap(), vec![card]);
    }

    #[test]
    fn reads_3_0_and_refuses_2_1() {
        let v3 = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEMAIL;TYPE=INTERNET:a2@x.com\r\nEMAIL;TYPE=INTERNET,PREF:a@x.com\r\nTEL;TYPE=CELL:+1 415\r\n 555 0132\r\nitem1.ORG:Acme;Sales\r\nEND:VCARD\r\n";
        let c = &parse(v3).unwrap()[0];
        assert_eq!(c.emails, vec!["a@x.com", "a2@x.com"]);
        assert_eq!(c.phones, vec!["+1 415555 0132"]);
        assert_eq!(c.org, "Acme");
        let v21 = "BEGIN:VCARD\nVERSION:2.1\nFN:Ada\nEND:VCARD\n";
        assert!(
            parse(v21)
                .unwrap_err()
                .contains("vCard 2.1 is not supported")
        );
        let qp = "BEGIN:VCARD\nVERSION:3.0\nNOTE;ENCODING=QUOTED-PRINTABLE:a=3Db\nEND:VCARD\n";
        assert!(parse(qp).unwrap_err().contains("quoted-printable"));
        assert!(parse("BEGIN:VCARD\nVERSION:4.0\nFN:x\n").is_err());
    }
}
