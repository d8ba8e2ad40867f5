//! Real-world mail written by others (../shared/corpora, see its MANIFEST.md for sources and
//! licenses): every message parses without panic, and what the stalwart corpus's expected
//! trees say a message contains (subject, author, attachments and their names, plain text)
//! is what Rapport keeps; delivery-status reports are recognised; and no DOMPurify attack
//! payload keeps active content after sanitizing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rapport_mail::{Automated, Limits, parse, sanitize_html};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpora() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    out
}

/// A header's value in the expected tree's first part.
fn header<'a>(tree: &'a Value, name: &str) -> Option<&'a Value> {
    tree["parts"][0]["headers"]
        .as_array()?
        .iter()
        .find(|h| h["name"] == name)
        .map(|h| &h["value"])
}

fn attribute(part: &Value, header_name: &str, attr: &str) -> Option<String> {
    part["headers"]
        .as_array()?
        .iter()
        .filter(|h| h["name"] == header_name)
        .find_map(|h| {
            h["value"]["ContentType"]["attributes"]
                .as_array()?
                .iter()
                .find(|a| a["name"] == attr)
                .and_then(|a| a["value"].as_str())
                .map(str::to_owned)
        })
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn stalwart_messages_parse_and_match_their_expected_trees() {
    let root = corpora().join("stalwart-mail-parser/resources/eml");
    let mut checked = 0;
    for set in ["rfc", "thirdparty", "malformed"] {
        for eml in files(&root.join(set), "eml") {
            let raw = std::fs::read(&eml).unwrap();
            let what = eml.display().to_string();
            let Ok(parsed) = parse(&raw, &Limits::default()) else {
                // Only data with no readable header at all is refused, never with a panic.
                continue;
            };
            let Ok(text) = std::fs::read_to_string(eml.with_extension("json")) else {
                continue;
            };
            let tree: Value = serde_json::from_str(&text).unwrap();
            if let Some(subject) = header(&tree, "subject").and_then(|v| v["Text"].as_str()) {
                assert_eq!(parsed.subject.as_deref(), Some(subject), "{what}: subject");
            }
            if let Some(first) = header(&tree, "from")
                .and_then(|v| v["Address"]["List"].as_array())
                .and_then(|l| l.first())
            {
                let from = parsed
                    .from
                    .clone()
                    .unwrap_or_else(|| panic!("{what}: no from"));
                assert_eq!(
                    from.address.as_deref(),
                    first["address"].as_str(),
                    "{what}: from"
                );
                assert_eq!(
                    from.name.as_deref(),
                    first["name"].as_str(),
                    "{what}: from name"
                );
            }
            let expected: Vec<&Value> = tree["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| &tree["parts"][i.as_u64().unwrap() as usize])
                .collect();
            assert_eq!(
                parsed.attachments.len(),
                expected.len(),
                "{what}: attachments"
            );
            for (got, part) in parsed.attachments.iter().zip(&expected) {
                let name = attribute(part, "content_disposition", "filename")
                    .or_else(|| attribute(part, "content_type", "name"));
                if let Some(name) = name {
                    assert_eq!(got.name, name, "{what}: attachment name");
                }
            }
            // The first text part, when it is plain text, is the text Rapport keeps.
            let first_text = tree["text_body"]
                .as_array()
                .and_then(|l| l.first())
                .and_then(|i| tree["parts"][i.as_u64().unwrap() as usize]["body"]["Text"].as_str());
            if let Some(body) = first_text {
                assert_eq!(squash(&parsed.text), squash(body), "{what}: text");
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} messages had expected trees");
}

#[test]
fn cpython_and_nodemailer_messages_parse_without_panic() {
    let mut parsed = 0;
    for dir in [
        corpora().join("cpython-test-email"),
        corpora().join("nodemailer-mailparser-fixtures/test/fixtures"),
    ] {
        let ext = if dir.ends_with("cpython-test-email") {
            "txt"
        } else {
            "eml"
        };
        for file in files(&dir, ext) {
            let raw = std::fs::read(&file).unwrap();
            if let Ok(m) = parse(&raw, &Limits::default()) {
                assert!(m.text.len() <= Limits::default().body_bytes);
                parsed += 1;
            }
        }
    }
    assert!(parsed >= 55, "{parsed}");
}

#[test]
fn a_delivery_status_report_is_a_bounce_naming_the_failed_recipient() {
    let path = corpora().join("nodemailer-mailparser-fixtures/test/fixtures/delivery-status.eml");
    let m = parse(&std::fs::read(path).unwrap(), &Limits::default()).unwrap();
    match m.automated {
        Some(Automated::Bounce { failed }) => assert!(!failed.is_empty(), "no failed recipient"),
        other => panic!("not a bounce: {other:?}"),
    }
}

/// Active content a sanitized fragment must not hold.
fn active(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for tag in [
        "<script", "<iframe", "<object", "<embed", "<form", "<svg", "<math", "<style", "<link",
        "<meta", "<base", "<frame",
    ] {
        if lower.contains(tag) {
            return Some(tag.into());
        }
    }
    // A dangerous scheme in an attribute that loads or navigates (text in `title` is inert).
    for attr in [
        "href",
        "src",
        "action",
        "formaction",
        "background",
        "poster",
        "data",
        "srcset",
    ] {
        for (i, _) in lower.match_indices(&format!(" {attr}=\"")) {
            let value = lower[i + attr.len() + 3..].trim_start();
            for scheme in ["javascript:", "vbscript:", "data:text/html"] {
                if value.starts_with(scheme) {
                    return Some(format!("{attr}={scheme}"));
                }
            }
        }
    }
    // An event attribute: outside quotes inside a tag, whitespace, "on" and letters, "=".
    let mut in_tag = false;
    let mut quote: Option<u8> = None;
    for (i, b) in lower.bytes().enumerate() {
        match (in_tag, quote, b) {
            (_, Some(q), c) if c == q => quote = None,
            (_, Some(_), _) => {}
            (false, None, b'<') => in_tag = true,
            (true, None, b'>') => in_tag = false,
            (true, None, b'"' | b'\'') => quote = Some(b),
            (true, None, b' ' | b'\t' | b'\n' | b'/') => {
                if let Some(after) = lower[i + 1..].strip_prefix("on") {
                    let name: String = after
                        .chars()
                        .take_while(char::is_ascii_alphabetic)
                        .collect();
                    if !name.is_empty() && after[name.len()..].trim_start().starts_with('=') {
                        return Some(format!("on{name}="));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

#[test]
fn no_dompurify_payload_keeps_active_content() {
    let text = std::fs::read_to_string(corpora().join("dompurify-fixtures/expect.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() > 200);
    for case in &cases {
        let payload = case["payload"].as_str().unwrap_or_default();
        let clean = sanitize_html(payload);
        if let Some(found) = active(&clean) {
            panic!("{}: {found} left in {clean}", case["title"]);
        }
        assert_eq!(
            sanitize_html(&clean),
            clean,
            "{}: not idempotent",
            case["title"]
        );
    }
}
