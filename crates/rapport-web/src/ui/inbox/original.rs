//! `GET /inbox/messages/{id}/original`: an email as its sender formatted it, in a page of its
//! own. The HTML was sanitized when the mail arrived (no script, no styles that escape, no
//! forms); this page adds a Content-Security-Policy that lets nothing run and nothing load
//! but Rapport's own files, so remote images (tracking pixels) stay blocked until the agent
//! asks for them (`?images=1`), and `cid:` images are served from the message's attachments.

use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::admin::{parse_id, tr_of};
use crate::ui::page::UiSession;
use crate::ui::pages;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rapport_domain::MessageId;
use serde::Deserialize;
use serde_json::Value;

/// `?images=1` lets remote images load.
#[derive(Debug, Deserialize)]
pub struct OriginalQuery {
    images: Option<u8>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `cid:` references replaced by the inline parts' attachment addresses.
fn with_inline_images(html: &str, email: &Value) -> String {
    let mut out = html.to_owned();
    for inline in email["inline"].as_array().into_iter().flatten() {
        if let (Some(cid), Some(id)) = (inline["cid"].as_str(), inline["attachment_id"].as_str()) {
            let cid = cid.trim_matches(['<', '>']);
            out = out.replace(
                &format!("cid:{cid}"),
                &format!("/api/v1/attachments/{id}/content?inline=1"),
            );
        }
    }
    out
}

/// Remote image addresses moved out of `src`, so the blocked images are not even requested
/// (the policy would refuse them, but a refused request still tells nothing and logs an error).
/// The sanitizer writes attributes lower-case and double-quoted.
fn without_remote_images(html: &str) -> String {
    html.replace(" src=\"http", " data-blocked-src=\"http")
        .replace(" src=\"//", " data-blocked-src=\"//")
}

/// Whether the HTML would load anything from elsewhere.
fn has_remote_images(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    lower.contains(" src=\"http") || lower.contains(" src=\"//") || lower.contains("url(http")
}

fn page(tr: &Tr, subject: &str, body: &str, blocked: bool) -> String {
    let banner = if blocked {
        format!(
            "<p class=\"bar\">{} <a href=\"?images=1\">{}</a></p>",
            escape(&tr.t("inbox.original.images_blocked")),
            escape(&tr.t("inbox.original.show_images")),
        )
    } else {
        String::new()
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">\
         <title>{}</title><style>body{{font-family:system-ui,sans-serif;margin:0;color:#1f2430}}\
         .bar{{margin:0;padding:.6rem 1rem;background:#fff7e6;border-bottom:1px solid #f0d9a8;font-size:.875rem}}\
         .mail{{padding:1rem 1.25rem;max-width:60rem;overflow-wrap:anywhere}}img{{max-width:100%;height:auto}}</style>\
         </head><body>{banner}<div class=\"mail\">{body}</div></body></html>",
        escape(subject)
    )
}

/// `GET /inbox/messages/{id}/original`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    Query(q): Query<OriginalQuery>,
) -> Response {
    let Some(id) = parse_id::<MessageId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let message = match state.app.message(&info.actor, id).await {
        Ok(m) => m,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let email = &message.metadata["email"];
    let Some(html) = email["html"].as_str() else {
        return pages::not_found(&state, &headers);
    };
    let tr = tr_of(&state, &info);
    let images = q.images == Some(1);
    let html = with_inline_images(html, email);
    let blocked = !images && has_remote_images(&html);
    let html = if blocked {
        without_remote_images(&html)
    } else {
        html
    };
    let subject = email["subject"].as_str().unwrap_or_default();
    let mut res = page(&tr, subject, &html, blocked).into_response();
    let csp = if images {
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"
    } else {
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::{has_remote_images, with_inline_images};
    use serde_json::json;

    #[test]
    fn inline_parts_point_at_their_attachments() {
        let email = json!({ "inline": [{ "cid": "<logo@x>", "attachment_id": "a1" }] });
        let html = with_inline_images("<img src=\"cid:logo@x\">", &email);
        assert_eq!(
            html,
            "<img src=\"/api/v1/attachments/a1/content?inline=1\">"
        );
        assert!(!has_remote_images(&html));
        let tracked = "<img src=\"https://t.example/p.gif\">";
        assert!(has_remote_images(tracked));
        assert!(!has_remote_images(&super::without_remote_images(tracked)));
    }
}
