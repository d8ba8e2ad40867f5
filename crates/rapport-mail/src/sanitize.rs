//! Inbound HTML made inert before it is stored (and again at render, by the UI's CSP): no
//! scripts, styles, forms, frames, objects, SVG or MathML, no event attributes, and links only
//! to `http`, `https`, `mailto` and `cid` (inline parts). Remote images keep their address; the
//! UI decides whether to load them (blocked until the agent allows them).

use std::collections::HashSet;
use std::sync::OnceLock;

fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto", "cid"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            // Relative URLs in mail have no base: they would resolve against Rapport itself.
            .url_relative(ammonia::UrlRelative::Deny);
        b
    })
}

/// The inert form of `html`.
pub fn sanitize_html(html: &str) -> String {
    builder().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_content_is_removed_and_cid_images_stay() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script></p>
            <a href="javascript:alert(1)">a</a><a href="/admin">rel</a>
            <img src="cid:logo@mail"><img src="https://tracker.example/p.gif">
            <iframe src="https://evil.example"></iframe><style>body{}</style>"#;
        let clean = sanitize_html(dirty);
        for gone in [
            "script",
            "onclick",
            "javascript:",
            "iframe",
            "<style",
            "/admin",
        ] {
            assert!(!clean.contains(gone), "{gone} left in {clean}");
        }
        assert!(clean.contains(r#"src="cid:logo@mail""#), "{clean}");
        assert!(clean.contains("https://tracker.example/p.gif"), "{clean}");
        assert_eq!(sanitize_html(&clean), clean, "sanitizing is idempotent");
    }
}
