//! Cross-cutting middleware: security headers on every response, request metrics, and the
//! same-origin check that backs CSRF protection.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// The Content-Security-Policy: same-origin everything, no inline script or style, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";

/// Adds security headers to every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A handler may set a stricter policy (downloads sandbox themselves).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Counts requests and records latency per route template (never per raw path, which would
/// put ids into metric labels).
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("rapport_http_requests_total", &labels).increment(1);
    metrics::histogram!("rapport_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    res
}

/// Refuses state-changing requests whose `Origin` (or, failing that, `Referer`) names another
/// host. Browsers send `Origin` on cross-site POSTs, so this stops CSRF even before the token
/// check; requests without either header (curl, API clients) pass to the token check.
pub async fn same_origin(req: Request, next: Next) -> Response {
    if is_safe(req.method()) || origin_matches(req.headers()) {
        return next.run(req).await;
    }
    if req.uri().path().starts_with("/api/") {
        crate::error::ApiError::csrf().into_response()
    } else {
        crate::ui::pages::csrf_failed_page(&req).into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn origin_matches(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return true;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER));
    let Some(source) = source.and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if source == "null" {
        return false;
    }
    let authority = source
        .split("://")
        .nth(1)
        .unwrap_or_default()
        .split('/')
        .next()
        .unwrap_or_default();
    authority.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_check() {
        assert!(origin_matches(&headers(&[
            ("host", "app.example:8080"),
            ("origin", "http://app.example:8080")
        ])));
        assert!(!origin_matches(&headers(&[
            ("host", "app.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!origin_matches(&headers(&[
            ("host", "app.example"),
            ("origin", "null")
        ])));
        assert!(origin_matches(&headers(&[
            ("host", "app.example"),
            ("referer", "https://app.example/login")
        ])));
        assert!(!origin_matches(&headers(&[
            ("host", "app.example"),
            ("referer", "https://evil.example/x")
        ])));
        assert!(
            origin_matches(&headers(&[("host", "app.example")])),
            "no origin: token check decides"
        );
    }
}
