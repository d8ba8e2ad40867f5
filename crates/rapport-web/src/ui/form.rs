//! HTML form bodies: URL-encoded, size-limited by the router, with CSRF verification. Bad input
//! gets a readable page, never a bare status.

use crate::state::WebState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;

/// A parsed form body.
pub struct UiForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<WebState> for UiForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| super::pages::bad_form(state, &headers, rejection.status()))?;
        serde_urlencoded::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| super::pages::bad_form(state, &headers, StatusCode::BAD_REQUEST))
    }
}

/// Whether the submitted token matches the expected one (constant time).
pub fn csrf_ok(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && rapport_app::auth::token::equal(sent, expected)
}
