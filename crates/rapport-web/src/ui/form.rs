//! HTML form bodies: URL-encoded, size-limited by the router, with CSRF verification. Bad input
//! gets a readable page, never a bare status.

use crate::state::WebState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A parsed form body.
pub struct UiForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<WebState> for UiForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = match Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(rejection) => {
                let status = rejection.status();
                return Err((status, super::pages::not_found(state, &headers))
                    .into_response()
                    .status_with(status));
            }
        };
        serde_urlencoded::from_bytes(&bytes).map(Self).map_err(|_| {
            super::pages::not_found(state, &headers).status_with(StatusCode::BAD_REQUEST)
        })
    }
}

trait StatusWith {
    fn status_with(self, status: StatusCode) -> Response;
}

impl StatusWith for Response {
    fn status_with(mut self, status: StatusCode) -> Response {
        *self.status_mut() = status;
        self
    }
}

/// Whether the submitted token matches the expected one (constant time).
pub fn csrf_ok(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && rapport_app::auth::token::equal(sent, expected)
}
