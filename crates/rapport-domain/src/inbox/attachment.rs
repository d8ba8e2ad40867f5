//! Attachments: the rules a file must meet before it is stored, and how it may be shown.
//!
//! Files come from customers (through a channel) and from agents (the composer). Both are
//! hostile until proven otherwise: a file name can carry a path or control characters, a
//! declared content type can lie, and an SVG or HTML file opened inline on our origin would run
//! script there. So a name is reduced to a plain file name, a type to a bare `type/subtype`, and
//! only raster images whose *bytes* say so (PNG, JPEG, GIF, WebP) may be shown inline; every
//! other file is only ever downloaded.

use crate::error::DomainError;

/// The largest attachment (25 MiB): larger files are refused with a clear error.
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;
/// The most attachments one message carries.
pub const MAX_ATTACHMENTS_PER_MESSAGE: usize = 10;
/// The longest file name kept (characters).
pub const MAX_FILENAME_CHARS: usize = 200;
/// The type of a file whose declared type is missing or unusable.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// A file name safe to store and to send back in `Content-Disposition`: the last path segment,
/// without control characters, at most [`MAX_FILENAME_CHARS`], never empty or a dot name.
pub fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILENAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "attachment".to_owned()
    } else {
        cleaned
    }
}

/// A declared content type reduced to `type/subtype` in lower case (parameters dropped), or
/// [`OCTET_STREAM`] when it is missing or malformed.
pub fn content_type(raw: Option<&str>) -> String {
    let Some(raw) = raw else {
        return OCTET_STREAM.to_owned();
    };
    let essence = raw.split(';').next().unwrap_or_default().trim();
    let Some((kind, sub)) = essence.split_once('/') else {
        return OCTET_STREAM.to_owned();
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    if token(kind) && token(sub) {
        essence.to_ascii_lowercase()
    } else {
        OCTET_STREAM.to_owned()
    }
}

/// Checks an attachment's size: not empty, at most [`MAX_ATTACHMENT_BYTES`].
pub fn check_size(len: usize) -> Result<(), DomainError> {
    if len == 0 {
        return Err(DomainError::Empty { field: "file" });
    }
    if len > MAX_ATTACHMENT_BYTES {
        return Err(DomainError::TooLong {
            field: "file",
            max: MAX_ATTACHMENT_BYTES,
        });
    }
    Ok(())
}

/// The raster image type the file's first bytes prove, if any. Only these are ever shown
/// inline (as `<img>`); the declared type does not count, and SVG never qualifies.
pub fn inline_image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Whether a declared type names a raster image the thread may preview (the bytes are still
/// checked by [`inline_image_type`] when the preview is served).
pub fn previewable(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_controls_and_leading_dots() {
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("C:\\Users\\ana\\report.pdf"), "report.pdf");
        assert_eq!(file_name("in\u{0}voice\r\n.pdf"), "invoice.pdf");
        assert_eq!(file_name(".htaccess"), "htaccess");
        assert_eq!(file_name("   "), "attachment");
        assert_eq!(file_name("dir/"), "attachment");
        assert_eq!(file_name("Ångström – résumé.pdf"), "Ångström – résumé.pdf");
        assert_eq!(
            file_name(&"a".repeat(500)).chars().count(),
            MAX_FILENAME_CHARS
        );
    }

    #[test]
    fn content_types_are_reduced_to_their_essence() {
        assert_eq!(content_type(Some("Image/PNG; name=x")), "image/png");
        assert_eq!(content_type(Some("text/html")), "text/html");
        assert_eq!(content_type(Some("nonsense")), OCTET_STREAM);
        assert_eq!(content_type(Some("text/<script>")), OCTET_STREAM);
        assert_eq!(content_type(None), OCTET_STREAM);
    }

    #[test]
    fn only_proven_raster_images_are_inline() {
        assert_eq!(
            inline_image_type(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(
            inline_image_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(inline_image_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(
            inline_image_type(b"RIFF\0\0\0\0WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(
            inline_image_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            None
        );
        assert_eq!(inline_image_type(b"<html><script>"), None);
        assert!(!previewable("image/svg+xml"));
    }

    #[test]
    fn sizes_are_bounded() {
        assert!(check_size(0).is_err());
        assert!(check_size(1).is_ok());
        assert!(check_size(MAX_ATTACHMENT_BYTES).is_ok());
        assert!(check_size(MAX_ATTACHMENT_BYTES + 1).is_err());
    }
}
