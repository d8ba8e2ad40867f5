//! Static assets embedded in the binary (no CDN, works offline): the stylesheet, the small
//! script that wires htmx to the CSRF token, and htmx itself (vendored, BSD-2 licence beside it).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// (file name, content type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/app.js"),
    ),
    (
        "crm_records.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/crm_records.css"),
    ),
    (
        "crm_records.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/crm_records.js"),
    ),
    (
        "crm_work.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/crm_work.css"),
    ),
    (
        "crm_lists.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/crm_lists.js"),
    ),
    (
        "crm_import.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/crm_import.js"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/htmx.min.js"),
    ),
    (
        "inbox.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/inbox.css"),
    ),
    (
        "inbox.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/inbox.js"),
    ),
    (
        "attach.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/attach.js"),
    ),
    (
        "mention.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/mention.js"),
    ),
    (
        "inbox_live.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/inbox_live.js"),
    ),
    (
        "canned.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/canned.css"),
    ),
    (
        "canned.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/canned.js"),
    ),
    (
        "automation.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/automation.css"),
    ),
    (
        "automation.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/automation.js"),
    ),
    (
        "deals.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/deals.css"),
    ),
    (
        "deals.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/deals.js"),
    ),
    (
        "pickers.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/pickers.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
];

/// Serves `/static/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut res = (*bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Assets change only with the binary; an hour of caching is safe and keeps pages snappy.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}
