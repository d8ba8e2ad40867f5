//! The oauth2 crate's HTTP calls, carried by the egress guard's client (DESIGN.md invariant
//! 5): the provider's host must pass the policy, redirects are not followed, and the call has
//! the egress timeout. A 5xx answer becomes an error, so it reads as "try again later", not
//! as a refusal.

use rapport_egress::EgressClient;

/// The most of a token response read (JWT access and ID tokens run to a few kilobytes).
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

/// Why a call did not get an answer worth reading.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct HttpFailure(pub String);

/// The oauth2 crate's HTTP client: the egress client. A named type, not a closure, so the
/// futures that use it are `Send` for every lifetime (callers spawn them).
pub(crate) struct Egress<'a>(pub &'a EgressClient);

impl<'c> oauth2::AsyncHttpClient<'c> for Egress<'_> {
    type Error = HttpFailure;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<oauth2::HttpResponse, HttpFailure>> + Send + 'c,
        >,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(self.0, request))
    }
}

/// Sends `request` (always a POST to the token endpoint) through `egress`.
async fn send(
    egress: &EgressClient,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpFailure> {
    if request.method() != oauth2::http::Method::POST {
        return Err(HttpFailure(format!(
            "unexpected {} request",
            request.method()
        )));
    }
    let headers: Vec<(&str, String)> = request
        .headers()
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?.to_owned())))
        .collect();
    let answer = egress
        .post_keeping(
            &request.uri().to_string(),
            &headers,
            request.body().clone(),
            MAX_TOKEN_RESPONSE,
        )
        .await
        .map_err(|e| HttpFailure(e.to_string()))?;
    if answer.status >= 500 {
        return Err(HttpFailure(format!("HTTP {}", answer.status)));
    }
    oauth2::http::Response::builder()
        .status(answer.status)
        .body(answer.excerpt.into_bytes())
        .map_err(|e| HttpFailure(e.to_string()))
}
