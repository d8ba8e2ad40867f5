//! The JSON API under `/api/v1`, documented by an OpenAPI 3.1 document generated from the
//! handlers (utoipa) and served at `/api/v1/openapi.json`.

pub mod audit;
pub mod auth;
pub mod contact_merge;
pub mod imports;
pub mod me;
pub mod roles;
pub mod setup;
pub mod system;
pub mod teams;
pub mod tokens;
pub mod users;

use crate::error::{FieldError, Problem};
use crate::state::WebState;
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
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
            Authenticate with `Authorization: Bearer <token>` (personal API tokens, scoped to \
            permissions) or the session cookie (send `X-CSRF-Token` on writes).",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only")
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "setup", description = "First-run setup"),
        (name = "auth", description = "Signing in and out"),
        (name = "account", description = "The signed-in user"),
        (name = "tokens", description = "Personal API tokens"),
        (name = "users", description = "Members of the organization"),
        (name = "teams", description = "Teams of members"),
        (name = "roles", description = "Built-in and custom roles"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "system", description = "Background jobs and dead letters (owners and admins)"),
        (name = "imports", description = "CSV and vCard import of contacts")
    )
)]
pub struct ApiDoc;

/// The `/api/v1` routes and their OpenAPI document.
pub fn routes() -> (Router<WebState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(setup::create_setup))
        .routes(routes!(me::get_me))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(teams::list_teams, teams::create_team))
        .routes(routes!(teams::delete_team))
        .routes(routes!(roles::list_roles, roles::create_role))
        .routes(routes!(roles::update_role, roles::delete_role))
        .routes(routes!(audit::list_audit))
        .routes(routes!(system::queue_depth))
        .routes(routes!(system::list_jobs))
        .routes(routes!(system::retry_job))
        .merge(
            // Uploads may be up to 50 MB; the innermost body limit wins.
            OpenApiRouter::new()
                .routes(routes!(imports::upload_import))
                .layer(DefaultBodyLimit::max(imports::UPLOAD_LIMIT)),
        )
        .routes(routes!(imports::get_import))
        .routes(routes!(imports::run_import))
        .routes(routes!(imports::import_errors))
        .routes(routes!(contact_merge::list_duplicates))
        .routes(routes!(contact_merge::merge_contacts))
        .routes(routes!(contact_merge::contact_vcard))
        .routes(routes!(contact_merge::export_vcards))
        .split_for_parts();
    let spec = doc.clone();
    let router = router.route("/openapi.json", get(move || async move { Json(spec) }));
    (router, doc)
}
