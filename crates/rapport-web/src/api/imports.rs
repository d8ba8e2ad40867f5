//! `/api/v1/imports`: upload a CSV or vCard file of contacts, preview it with a suggested column
//! mapping and the errors of every row, run it (all-or-nothing unless invalid rows are skipped),
//! and download a run's errors as CSV.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_app::crm::import::{ImportResult, ImportView, OnDuplicate, RunInput, UploadInput};
use rapport_domain::ImportId;
use serde::Deserialize;

/// Largest upload (50 MB), above the API's usual body limit.
pub const UPLOAD_LIMIT: usize = rapport_app::crm::import::decode::MAX_UPLOAD_BYTES;

/// Query of an upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// What the file holds: `contacts` (the only type today).
    #[serde(default)]
    pub object_type: Option<String>,
    /// The file's name.
    #[serde(default)]
    pub filename: Option<String>,
    /// `csv` or `vcf` (default: from the file name, else csv).
    #[serde(default)]
    pub format: Option<String>,
    /// `utf-8` (default), `windows-1252` or `iso-8859-1`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Two-letter country for phone numbers without a country code.
    #[serde(default)]
    pub default_country: Option<String>,
}

/// Options of a run.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// One target per column (`first_name`, `last_name`, `name`, `email`, `phone`, `title`,
    /// `company`, `company_domain`, `lifecycle_stage`, `source`, `owner`, `tags`,
    /// `custom.<key>`, `ignore`); omitted: the suggestion.
    #[serde(default)]
    pub mapping: Option<Vec<String>>,
    /// Validate and count only.
    #[serde(default)]
    pub dry_run: bool,
    /// Import the valid rows and report the rest (otherwise one bad row imports nothing).
    #[serde(default)]
    pub skip_invalid: bool,
    /// `update` (default) or `skip` rows whose email belongs to an existing contact.
    #[serde(default)]
    pub on_duplicate: OnDuplicate,
    /// Two-letter country for phone numbers without a country code.
    #[serde(default)]
    pub default_country: Option<String>,
}

/// Uploads a file (raw body) and previews it (needs `contacts.write`).
#[utoipa::path(post, path = "/imports", tag = "imports", params(UploadQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV or vCard file"),
    responses(
        (status = 201, description = "Stored; columns, suggested mapping, preview and errors", body = ImportView),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 50 MB"),
        (status = 422, description = "Not UTF-8 (and no encoding chosen), empty, or unreadable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload_import(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    if let Some(t) = q
        .object_type
        .as_deref()
        .filter(|t| !matches!(*t, "contacts" | "contact"))
    {
        return Err(ApiError::validation(vec![crate::error::FieldError {
            field: "object_type".into(),
            message: format!("\"{t}\" cannot be imported; use contacts"),
        }]));
    }
    let input = UploadInput {
        filename: q.filename.unwrap_or_else(|| "import.csv".into()),
        format: q.format,
        encoding: q.encoding,
        default_country: q.default_country,
        bytes: body.to_vec(),
    };
    let view = state.app.upload_import(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// An import: columns, mapping, and the last run's result (needs `contacts.write`).
#[utoipa::path(get, path = "/imports/{id}", tag = "imports",
    params(("id" = uuid::Uuid, Path, description = "Import id")),
    responses(
        (status = 200, description = "The import", body = ImportView),
        (status = 404, description = "No such import in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_import(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<ImportView>, ApiError> {
    Ok(Json(
        state
            .app
            .get_import(&actor, ImportId::from_uuid(id))
            .await?,
    ))
}

/// Runs an import with a mapping and options (needs `contacts.write`). With errors and without
/// `skip_invalid`, nothing is written and the errors are returned (status stays `uploaded`).
#[utoipa::path(post, path = "/imports/{id}/run", tag = "imports",
    params(("id" = uuid::Uuid, Path, description = "Import id")),
    request_body = RunRequest,
    responses(
        (status = 200, description = "Counts and errors", body = ImportResult),
        (status = 404, description = "No such import in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ran", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad mapping", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn run_import(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<RunRequest>,
) -> Result<Json<ImportResult>, ApiError> {
    let input = RunInput {
        mapping: req.mapping,
        dry_run: req.dry_run,
        skip_invalid: req.skip_invalid,
        on_duplicate: req.on_duplicate,
        default_country: req.default_country,
    };
    Ok(Json(
        state
            .app
            .run_import(&actor, ImportId::from_uuid(id), input)
            .await?,
    ))
}

/// The last run's errors as CSV (row, column, message) (needs `contacts.write`).
#[utoipa::path(get, path = "/imports/{id}/errors.csv", tag = "imports",
    params(("id" = uuid::Uuid, Path, description = "Import id")),
    responses(
        (status = 200, description = "CSV", body = String, content_type = "text/csv"),
        (status = 404, description = "No such import in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn import_errors(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Response, ApiError> {
    let csv = state
        .app
        .import_errors_csv(&actor, ImportId::from_uuid(id))
        .await?;
    Ok(csv_response(csv, &format!("import-{id}-errors.csv")))
}

/// A CSV download.
pub fn csv_response(body: String, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}
