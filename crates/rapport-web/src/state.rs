//! Shared state handed to every handler.

use crate::i18n::Catalog;
use metrics_exporter_prometheus::PrometheusHandle;
use rapport_app::App;
use std::sync::Arc;

/// What handlers share.
#[derive(Clone)]
pub struct WebState {
    /// The application.
    pub app: App,
    /// Renders the Prometheus text exposition.
    pub metrics: PrometheusHandle,
    /// UI translations.
    pub i18n: Arc<Catalog>,
    /// Whether cookies get the `Secure` attribute (served over TLS or behind an HTTPS proxy).
    pub secure_cookies: bool,
    /// Whether to take the client address from `X-Forwarded-For` (a trusted proxy in front).
    pub trust_forwarded_for: bool,
}
