//! Liveness, readiness and metrics for orchestrators and monitoring.

use crate::state::WebState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `/healthz`: the process is up and serving.
pub async fn healthz() -> Response {
    Json(serde_json::json!({ "status": "ok" })).into_response()
}

/// `/readyz`: the database answers and every migration is applied.
pub async fn readyz(State(state): State<WebState>) -> Response {
    if state.app.is_ready().await {
        Json(serde_json::json!({ "status": "ready", "database": "ok", "migrations": "applied" }))
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "not_ready" })),
        )
            .into_response()
    }
}

/// `/metrics`: Prometheus text exposition, with queue depth sampled at scrape time.
pub async fn metrics(State(state): State<WebState>) -> Response {
    match state.app.queue_depth().await {
        Ok(depth) => {
            for (label, n) in [
                ("queued", depth.queued),
                ("running", depth.running),
                ("done", depth.done),
                ("dead", depth.dead),
            ] {
                metrics::gauge!("rapport_jobs", "state" => label).set(n as f64);
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not sample queue depth"),
    }
    if let Ok(backlog) = state.app.outbox_backlog().await {
        metrics::gauge!("rapport_outbox_pending").set(backlog as f64);
    }
    let mut res = state.metrics.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}
