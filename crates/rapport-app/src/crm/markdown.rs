//! Markdown notes rendered to HTML that is safe to put in a page.
//!
//! pulldown-cmark renders CommonMark (with tables, strikethrough and task lists); any raw HTML
//! in the source passes through it, so ammonia then sanitizes the whole output against an
//! allow-list: no `script`, `style`, `iframe`, forms or event-handler attributes survive, link
//! URLs are limited to `http`, `https`, `mailto` and `tel` (no `javascript:`), and every link
//! gets `rel="noopener noreferrer nofollow"`.
//!
//! Images are removed entirely (also `https` ones): a remote image in a note is fetched by
//! every teammate's browser that opens the record, which leaks who read the note and when to
//! whoever hosts the image (a tracking pixel). Attachments are the way to share pictures.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The largest note body accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 100 * 1024;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.rm_tags(["img"])
            .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"]);
        b
    })
}

/// Renders a note's Markdown to sanitized HTML.
pub fn render(source: &str) -> String {
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(source, options()));
    sanitizer().clean(&html).to_string()
}

/// The note's text without markup, whitespace collapsed, cut to `max` characters (with an
/// ellipsis when cut): the timeline's and notifications' short form.
pub fn excerpt(source: &str, max: usize) -> String {
    let mut text = String::new();
    let mut in_html = 0usize;
    for event in Parser::new_ext(source, options()) {
        match event {
            Event::Text(t) | Event::Code(t) if in_html == 0 => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::Heading(_)
                | TagEnd::TableCell
                | TagEnd::CodeBlock,
            ) => text.push(' '),
            Event::Start(Tag::HtmlBlock) => in_html += 1,
            Event::End(TagEnd::HtmlBlock) => in_html = in_html.saturating_sub(1),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= max {
        joined
    } else {
        let cut: String = joined.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown() {
        let html = render("# Hi\n\n**bold** and [link](https://example.com)");
        assert!(html.contains("<h1>Hi</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com" rel="noopener noreferrer nofollow">"#),
            "{html}"
        );
    }

    #[test]
    fn hostile_input_is_neutralized() {
        for hostile in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<div onclick=\"alert(1)\">x</div>",
            "<style>body{display:none}</style>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "![pixel](https://tracker.example/p.gif)",
            "<svg><script>alert(1)</script></svg>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        ] {
            let html = render(hostile).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onclick",
                "javascript:",
                "<style",
                "<iframe",
                "<img",
                "data:text",
                "alert(1)</",
            ] {
                assert!(!html.contains(bad), "{hostile:?} rendered {html:?}");
            }
        }
    }

    #[test]
    fn excerpt_is_plain_and_short() {
        assert_eq!(
            excerpt("# Title\n\nSome *text* here", 100),
            "Title Some text here"
        );
        assert_eq!(excerpt("<script>x</script>\n\nok", 100), "ok");
        assert_eq!(excerpt("Met **Ada**.", 100), "Met Ada.");
        let long = "word ".repeat(100);
        let e = excerpt(&long, 20);
        assert!(e.chars().count() <= 20 && e.ends_with('…'), "{e}");
    }
}
