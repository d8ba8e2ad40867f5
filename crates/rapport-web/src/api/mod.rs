//! The JSON API under `/api/v1`, documented by an OpenAPI 3.1 document generated from the
//! handlers (utoipa) and served at `/api/v1/openapi.json`.

pub mod me;
pub mod setup;
pub mod system;

use crate::error::{FieldError, Problem};
use crate::state::WebState;
use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API's top-level description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rapport API",
        description = "Rapport's JSON API. Errors are RFC 9457 problem documents with a stable `code`. \
            Authenticate with the session cookie (send `X-CSRF-Token` on writes).",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only")
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "setup", description = "First-run setup"),
        (name = "account", description = "The signed-in user"),
        (name = "system", description = "Background jobs and dead letters (owners and admins)")
    )
)]
pub struct ApiDoc;

/// The `/api/v1` routes and their OpenAPI document.
pub fn routes() -> (Router<WebState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(setup::create_setup))
        .routes(routes!(me::get_me))
        .routes(routes!(system::queue_depth))
        .routes(routes!(system::list_jobs))
        .routes(routes!(system::retry_job))
        .split_for_parts();
    let spec = doc.clone();
    let router = router.route("/openapi.json", get(move || async move { Json(spec) }));
    (router, doc)
}
