//! Privacy routes of the API: the personal-data export of a contact, of a member, or of the
//! caller (an access and portability request answered as one ZIP; its `export.json` follows the published schema,
//! `docs/privacy/export-schema.json`).

use crate::error::{ApiError, Problem};
use crate::extract::ApiActor;
use crate::state::WebState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rapport_domain::{ContactId, UserId};

/// Everything the org holds about a contact, as a ZIP: `export.json`, one CSV per data
/// category, their files (needs `privacy.manage`; audited).
#[utoipa::path(get, path = "/contacts/{id}/personal-data", tag = "privacy",
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses(
        (status = 200, description = "ZIP: README.txt, export.json (see schema.json), csv/<category>.csv, files/", content_type = "application/zip"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_contact_data(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Response, ApiError> {
    let export = state
        .app
        .export_contact_data(&actor, ContactId::from_uuid(id))
        .await?;
    Ok(zip_download(export))
}

/// Everything the org holds about one of its members, as a ZIP (needs `privacy.manage`;
/// audited).
#[utoipa::path(get, path = "/users/{id}/personal-data", tag = "privacy",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "ZIP: README.txt, export.json (see schema.json), csv/<category>.csv, files/", content_type = "application/zip"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member of your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_member_data(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Response, ApiError> {
    let export = state
        .app
        .export_member_data(&actor, UserId::from_uuid(id))
        .await?;
    Ok(zip_download(export))
}

/// Everything the org holds about the caller, as a ZIP (audited).
#[utoipa::path(get, path = "/me/personal-data", tag = "privacy",
    responses(
        (status = 200, description = "ZIP: README.txt, export.json (see schema.json), csv/<category>.csv, files/", content_type = "application/zip"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_my_data(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Response, ApiError> {
    Ok(zip_download(state.app.export_my_data(&actor).await?))
}

/// A finished export as a download that no cache keeps.
pub fn zip_download(export: rapport_app::privacy::PersonExport) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", export.filename);
    let mut res = Body::from(export.zip).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
