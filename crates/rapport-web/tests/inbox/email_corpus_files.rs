//! The message files of the shared corpora (../shared/corpora; sources and licenses in its
//! MANIFEST.md), each with what its corpus says it contains, for `email_corpora`: stalwart's
//! `.eml` files with their expected trees and its Maildir, CPython's and nodemailer's test
//! mail, talon's client replies, and the reply bodies of email-reply-quote-fixtures (plain text
//! and HTML) wrapped in a minimal message as a customer's mail client would send them.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpora() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
}

/// Files under `dir` (recursively), sorted, whose name `keep` accepts.
fn walk(dir: &Path, keep: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&path.file_name().unwrap().to_string_lossy()) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// What the corpus says a message contains (`None`: it does not say).
#[derive(Default)]
pub struct Expect {
    pub subject: Option<String>,
    /// Address and display name of the author.
    pub from: Option<(String, Option<String>)>,
    /// The whole plain text (compared whitespace-insensitively).
    pub text: Option<String>,
    /// Text the message must hold (whitespace-insensitively).
    pub contains: Option<String>,
    /// Every attachment, by name where the corpus names it.
    pub attachments: Option<Vec<Option<String>>>,
    /// How it is marked as automated mail (`bounce`, `auto_reply`, `list`).
    pub automated: Option<&'static str>,
}

impl Expect {
    /// Whether the corpus says anything about the message's contents.
    pub fn says_something(&self) -> bool {
        self.subject.is_some()
            || self.from.is_some()
            || self.text.is_some()
            || self.contains.is_some()
            || self.attachments.is_some()
            || self.automated.is_some()
    }
}

/// One message file, ready to be received.
pub struct Sample {
    /// Its path under the corpora.
    pub name: String,
    pub raw: Vec<u8>,
    pub expect: Expect,
}

/// Whitespace runs as one space (texts compare whitespace-insensitively).
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where two texts first differ, briefly (corpus texts run to megabytes).
pub fn first_difference(got: &str, want: &str) -> String {
    let at = got
        .char_indices()
        .zip(want.chars())
        .find(|((_, a), b)| a != b)
        .map_or(got.len().min(want.len()), |((i, _), _)| i);
    let around = |s: &str| -> String {
        s.get(at.saturating_sub(40)..)
            .unwrap_or(s)
            .chars()
            .take(120)
            .collect()
    };
    format!(
        "lengths {} and {}; from byte {at}: got {:?}, expected {:?}",
        got.len(),
        want.len(),
        around(got),
        around(want)
    )
}

/// A header's value in a stalwart tree's first part.
fn tree_header<'a>(tree: &'a Value, name: &str) -> Option<&'a Value> {
    tree["parts"][0]["headers"]
        .as_array()?
        .iter()
        .find(|h| h["name"] == name)
        .map(|h| &h["value"])
}

fn tree_attribute(part: &Value, header: &str, attr: &str) -> Option<String> {
    part["headers"]
        .as_array()?
        .iter()
        .filter(|h| h["name"] == header)
        .find_map(|h| {
            h["value"]["ContentType"]["attributes"]
                .as_array()?
                .iter()
                .find(|a| a["name"] == attr)?["value"]
                .as_str()
                .map(str::to_owned)
        })
}

/// What a stalwart expected tree (the `.json` beside each `.eml`) says.
fn from_tree(tree: &Value) -> Expect {
    let part = |i: &Value| &tree["parts"][i.as_u64().unwrap() as usize];
    let from = tree_header(tree, "from")
        .and_then(|v| v["Address"]["List"].as_array()?.first().cloned())
        .and_then(|first| {
            let address = first["address"].as_str()?.to_owned();
            Some((address, first["name"].as_str().map(str::to_owned)))
        });
    Expect {
        subject: tree_header(tree, "subject").and_then(|v| v["Text"].as_str().map(str::to_owned)),
        from,
        text: tree["text_body"]
            .as_array()
            .and_then(|l| l.first())
            .and_then(|i| part(i)["body"]["Text"].as_str().map(str::to_owned)),
        contains: None,
        automated: None,
        attachments: tree["attachments"].as_array().map(|list| {
            list.iter()
                .map(|i| {
                    tree_attribute(part(i), "content_disposition", "filename")
                        .or_else(|| tree_attribute(part(i), "content_type", "name"))
                })
                .collect()
        }),
    }
}

/// A reply body of the quote-folding corpora as the message a customer would send.
fn wrapped(i: usize, name: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "From: Corpus Writer {i} <writer{i}@customer.test>\r\nTo: support@example.com\r\n\
         Subject: Corpus {name}\r\nMessage-ID: <corpus-{i}@customer.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: {content_type}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// Every message file of the shared corpora, with what each is known to contain.
pub fn samples() -> Vec<Sample> {
    let root = corpora();
    let rel = |p: &Path| p.strip_prefix(&root).unwrap().display().to_string();
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let ext = |e: &'static str| move |n: &str| n.ends_with(e);
    let mut out = Vec::new();
    let mut plain = |path: &Path, expect: Expect| {
        out.push(Sample {
            name: rel(path),
            raw: read(path),
            expect,
        });
    };
    let stalwart = root.join("stalwart-mail-parser/resources");
    for eml in walk(&stalwart.join("eml"), &ext(".eml")) {
        let expect = std::fs::read_to_string(eml.with_extension("json"))
            .map(|t| from_tree(&serde_json::from_str(&t).unwrap()))
            .unwrap_or_default();
        plain(&eml, expect);
    }
    for file in walk(&stalwart.join("maildir"), &|_| true) {
        plain(&file, Expect::default());
    }
    let cpython = |n: &str| n.starts_with("msg_") && n.ends_with(".txt");
    for file in walk(&root.join("cpython-test-email"), &cpython) {
        plain(&file, Expect::default());
    }
    let nodemailer = root.join("nodemailer-mailparser-fixtures/test/fixtures");
    for file in walk(&nodemailer, &ext(".eml")) {
        // A delivery-status report is a bounce.
        let automated = file.ends_with("delivery-status.eml").then_some("bounce");
        plain(
            &file,
            Expect {
                automated,
                ..Expect::default()
            },
        );
    }
    // talon's client replies: the reply text is "Hello", or the `_reply_text` file's.
    let talon = root.join("email-reply-quote-fixtures/talon/tests/fixtures");
    for eml in walk(&talon, &ext(".eml")) {
        let reply = eml.with_file_name(format!(
            "{}_reply_text",
            eml.file_stem().unwrap().to_string_lossy()
        ));
        let contains = if eml.parent().unwrap().ends_with("standard_replies") {
            Some(std::fs::read_to_string(reply).unwrap_or_else(|_| "Hello".into()))
        } else {
            None
        };
        plain(
            &eml,
            Expect {
                contains,
                ..Expect::default()
            },
        );
    }
    for name in ["102682_R_S", "unicode_msg"] {
        plain(
            &talon.join("signature/emails/P").join(name),
            Expect::default(),
        );
    }
    // Reply bodies (plain text, then HTML) wrapped in a message: the text is kept whole.
    let quotes = root.join("email-reply-quote-fixtures");
    let mut bodies = walk(&quotes.join("github-email_reply_parser"), &ext(".txt"));
    bodies.extend(walk(&quotes.join("crisp-email-reply-parser"), &ext(".txt")));
    bodies.extend(walk(&talon.join("signature"), &ext("_body")));
    for body in bodies {
        let n = out.len();
        let text = read(&body);
        out.push(Sample {
            name: rel(&body),
            raw: wrapped(n, &rel(&body), "text/plain", &text),
            expect: Expect {
                text: Some(String::from_utf8(text).unwrap()),
                ..Expect::default()
            },
        });
    }
    for html in walk(&talon, &ext(".html")) {
        let n = out.len();
        let phrase = if html.parent().unwrap().ends_with("html_replies") {
            "Hi. I am fine."
        } else {
            "Hi"
        };
        out.push(Sample {
            name: rel(&html),
            raw: wrapped(n, &rel(&html), "text/html", &read(&html)),
            expect: Expect {
                contains: Some(phrase.into()),
                ..Expect::default()
            },
        });
    }
    out
}
