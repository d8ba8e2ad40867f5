//! Files: `POST /api/v1/uploads` stores a file (raw body) to send with a message, and
//! `GET /api/v1/attachments/{id}` (its description) and `/content` (its bytes) read one back.
//!
//! A download is always `Content-Disposition: attachment` with `nosniff` and a sandboxing CSP:
//! an HTML or SVG file a customer sent is never rendered on our origin. Only with
//! `?inline=1`, and only when the bytes prove a PNG, JPEG, GIF or WebP image, is a file served
//! inline: that is how the thread shows image previews.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rapport_app::inbox::AttachmentRecord;
use rapport_app::inbox::attachments::NewFile;
use rapport_domain::AttachmentId;
use rapport_domain::inbox::attachment::{MAX_ATTACHMENT_BYTES, OCTET_STREAM, inline_image_type};
use serde::{Deserialize, Serialize};

/// The body limit of the upload route: the largest file and a little framing.
pub const UPLOAD_LIMIT: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;
/// What a download may do in a browser: nothing (no script, no plugins, no same origin).
const DOWNLOAD_CSP: &str = "default-src 'none'; img-src 'self'; sandbox";

/// A stored file.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    /// Id: list it in a message's `attachments` to send the file.
    pub id: uuid::Uuid,
    /// The message carrying it; null while it is only uploaded (unsent uploads are deleted
    /// after 24 hours).
    pub message_id: Option<uuid::Uuid>,
    /// File name (made safe: no path, no control characters).
    pub filename: String,
    /// Declared type (`type/subtype`).
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Where to download it.
    pub url: String,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

impl From<AttachmentRecord> for Attachment {
    fn from(a: AttachmentRecord) -> Self {
        Self {
            id: a.id.as_uuid(),
            message_id: a.message_id.map(|m| m.as_uuid()),
            url: format!("/api/v1/attachments/{}/content", a.id),
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            created_at: a.created_at,
        }
    }
}

/// Query of an upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name.
    #[serde(default)]
    pub filename: Option<String>,
}

/// Uploads a file (raw body; its type in `Content-Type`) to send with a reply, note or
/// inbound message (needs `conversations.reply`).
#[utoipa::path(post, path = "/uploads", tag = "conversations", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 201, description = "Stored; send its id in a message's `attachments`", body = Attachment),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 25 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty file", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "File too large",
                format!(
                    "a file may be at most {} MiB",
                    MAX_ATTACHMENT_BYTES / 1024 / 1024
                ),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "Unreadable body",
                rejection.body_text(),
            )
        }
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let record = state
        .app
        .upload_attachment(
            &actor,
            NewFile {
                filename: q.filename.as_deref().unwrap_or("attachment"),
                content_type,
                bytes: &body,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// A file's description (needs `conversations.read`; an unsent upload only for its uploader).
#[utoipa::path(get, path = "/attachments/{id}", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The file's description", body = Attachment),
        (status = 404, description = "No such file for you", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_attachment(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Attachment>, ApiError> {
    let record = state
        .app
        .attachment(&actor, AttachmentId::from_uuid(id))
        .await?;
    Ok(Json(record.into()))
}

/// How to serve a file.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContentQuery {
    /// `1`: show a PNG, JPEG, GIF or WebP image inline (anything else still downloads).
    #[serde(default)]
    pub inline: Option<u8>,
}

/// A file's bytes, as a download (needs `conversations.read`).
#[utoipa::path(get, path = "/attachments/{id}/content", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Attachment id"), ContentQuery),
    responses(
        (status = 200, description = "The file (`Content-Disposition: attachment`)", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 404, description = "No such file for you", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn attachment_content(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(q): ApiQuery<ContentQuery>,
) -> Result<Response, ApiError> {
    let (record, bytes) = state
        .app
        .attachment_content(&actor, AttachmentId::from_uuid(id))
        .await?;
    let image = inline_image_type(&bytes).filter(|_| q.inline == Some(1));
    let (content_type, disposition) = match image {
        Some(kind) => (kind, "inline"),
        None => (downloadable_type(&record.content_type), "attachment"),
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static(OCTET_STREAM)),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(disposition, &record.filename),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOWNLOAD_CSP),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(res)
}

/// The type a download is sent with: the declared one, except that anything a browser would
/// interpret (HTML, SVG, XML, script, any text) goes as plain bytes.
fn downloadable_type(declared: &str) -> &str {
    let active = declared.starts_with("text/")
        || declared.contains("html")
        || declared.contains("xml")
        || declared.contains("javascript")
        || declared.contains("ecmascript");
    if active { OCTET_STREAM } else { declared }
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 / 8187): the
/// quoted form for old clients, with anything outside plain ASCII replaced.
fn content_disposition(kind: &str, filename: &str) -> HeaderValue {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_types_download_as_bytes() {
        assert_eq!(downloadable_type("text/html"), OCTET_STREAM);
        assert_eq!(downloadable_type("image/svg+xml"), OCTET_STREAM);
        assert_eq!(downloadable_type("application/xhtml+xml"), OCTET_STREAM);
        assert_eq!(downloadable_type("text/plain"), OCTET_STREAM);
        assert_eq!(downloadable_type("application/pdf"), "application/pdf");
    }

    #[test]
    fn file_names_are_quoted_and_encoded() {
        let v = content_disposition("attachment", "résumé \"final\".pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"r_sum_ _final_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf"
        );
    }
}
