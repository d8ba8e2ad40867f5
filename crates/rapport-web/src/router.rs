//! Assembles the whole HTTP surface: API, UI, health, assets, and the layers every request
//! passes through.

use crate::error::ApiError;
use crate::i18n::Catalog;
use crate::state::WebState;
use crate::ui::routes::RouteTable;
use crate::{api, assets, health, layers, ui};
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, Method};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use rapport_app::App;
use std::sync::{Arc, OnceLock};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Web settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Set `Secure` on cookies (TLS in front).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
            secure_cookies: false,
            trust_forwarded_for: false,
        }
    }
}

/// Errors building the router (packaging bugs, reported at start-up).
#[derive(Debug, thiserror::Error)]
pub enum RouterError {
    /// The translation catalog did not parse.
    #[error(transparent)]
    Catalog(#[from] crate::i18n::CatalogError),
    /// The metrics recorder could not be built.
    #[error("metrics: {0}")]
    Metrics(String),
}

/// The process-wide Prometheus recorder (a global, so installed once; tests build many
/// routers in one process).
fn metrics_handle() -> Result<PrometheusHandle, RouterError> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    // `get_or_init` runs the installer once even when routers are built concurrently.
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ];
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
                .map_err(|e| e.to_string())?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).map_err(|e| e.to_string())?;
            Ok(handle)
        })
        .clone()
        .map_err(RouterError::Metrics)
}

/// Builds the router for `app`.
pub fn router(app: App, config: &WebConfig) -> Result<Router, RouterError> {
    let state = WebState {
        app,
        metrics: metrics_handle()?,
        i18n: Arc::new(Catalog::load()?),
        secure_cookies: config.secure_cookies,
        trust_forwarded_for: config.trust_forwarded_for,
    };
    let (api_routes, _doc) = api::routes();
    let request_id = HeaderName::from_static("x-request-id");
    let router = Router::new()
        .nest("/api/v1", api_routes)
        .merge(page_routes().into_router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(middleware::from_fn(layers::same_origin))
        .layer(middleware::from_fn(layers::track_metrics))
        .layer(middleware::from_fn(layers::security_headers))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), path = %loggable_path(req), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state);
    Ok(router)
}

/// The path a request is logged under: the route's template when the path itself is a secret
/// (`/reset/{token}`, `/invite/{token}`: the link is the credential), else the path as sent
/// (ids are not secrets, and they help when reading logs).
fn loggable_path(req: &Request) -> &str {
    match req.extensions().get::<MatchedPath>() {
        Some(route) if route.as_str().contains("{token}") => route.as_str(),
        _ => req.uri().path(),
    }
}

/// Every route outside `/api/v1`: health, metrics, assets and the UI.
fn page_routes() -> RouteTable {
    RouteTable::new()
        .get("/healthz", health::healthz)
        .get("/readyz", health::readyz)
        .get("/metrics", health::metrics)
        .get("/static/{name}", assets::serve)
        .merge(ui::table())
}

/// Every (method, path template) served outside `/api/v1` (the API's routes are in its
/// OpenAPI document). Tests walk it so that a new page or form is covered the day it is added.
pub fn ui_route_table() -> Vec<(Method, &'static str)> {
    static TABLE: OnceLock<Vec<(Method, &'static str)>> = OnceLock::new();
    TABLE
        .get_or_init(|| page_routes().entries().to_vec())
        .clone()
}

async fn fallback(State(state): State<WebState>, req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        ApiError::not_found().into_response()
    } else {
        ui::pages::not_found(&state, req.headers())
    }
}

async fn method_not_allowed(req: Request) -> Response {
    // Browsers only ever GET or POST forms; anything else is an API client.
    let _ = req;
    ApiError::method_not_allowed().into_response()
}
