//! Rapport's HTTP edge.
//!
//! It owns the axum router: the JSON API under `/api/v1` (with its OpenAPI 3.1 document), the
//! server-rendered HTML UI (askama + htmx, assets embedded in the binary), health, readiness
//! and Prometheus metrics, and the cross-cutting layers (request ids, security headers, body
//! limits, problem+json errors). It holds no business rules: every handler calls one
//! `rapport_app` use case and maps its result.

pub mod api;
pub mod assets;
pub mod cookies;
pub mod error;
pub mod extract;
pub mod health;
pub mod i18n;
pub mod layers;
pub mod router;
pub mod state;
pub mod ui;

pub use router::{WebConfig, router, ui_route_table};
pub use state::WebState;
