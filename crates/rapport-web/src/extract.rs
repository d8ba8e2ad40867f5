//! Request extractors: JSON bodies with problem+json rejections, and the signed-in session.

use crate::cookies;
use crate::error::{ApiError, FieldError};
use crate::state::WebState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum_extra::extract::CookieJar;
use rapport_app::auth::SessionInfo;
use rapport_app::authz::RequestMeta;
use rapport_app::{Actor, AppError};
use serde::de::DeserializeOwned;

/// A JSON body. Every input type denies unknown fields, so a client cannot slip in ids, roles
/// or hosts the endpoint does not take.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => ApiError::validation(vec![FieldError {
            field: "body".into(),
            message: detail,
        }]),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "Malformed JSON",
            detail,
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the body as JSON with `Content-Type: application/json`.",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            "The request body exceeds the size limit for this endpoint.",
        ),
        other => ApiError::new(
            other.status(),
            "bad_request",
            "Bad request",
            other.body_text(),
        ),
    }
}

/// Where a request came from: the peer address (or the last `X-Forwarded-For` hop, the one
/// the trusted proxy appended, when the
/// operator says a proxy sits in front) and the user agent.
pub fn request_meta(parts: &Parts, state: &WebState) -> RequestMeta {
    let forwarded = state
        .trust_forwarded_for
        .then(|| {
            parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(|ip| ip.trim().to_owned())
                .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        })
        .flatten();
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|ci| ci.0.ip().to_string());
    RequestMeta {
        ip: forwarded.or(peer),
        user_agent: parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(256).collect()),
    }
}

/// The request's [`RequestMeta`], as an extractor.
pub struct Meta(pub RequestMeta);

impl FromRequestParts<WebState> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(request_meta(parts, state)))
    }
}

/// The session behind the request's cookie, if any (expired or unknown sessions are `None`).
pub struct MaybeSession(pub Option<SessionInfo>);

impl FromRequestParts<WebState> for MaybeSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(cookies::SESSION) else {
            return Ok(Self(None));
        };
        match state
            .app
            .authenticate(cookie.value(), request_meta(parts, state))
            .await
        {
            Ok(info) => Ok(Self(Some(info))),
            Err(AppError::Unauthenticated) => Ok(Self(None)),
            Err(other) => Err(other.into()),
        }
    }
}

/// The signed-in actor for API calls: `Authorization: Bearer <token>`, or the session cookie
/// (whose writes must echo the session's CSRF token in `X-CSRF-Token`).
pub struct ApiActor(pub Actor);

/// Header carrying the CSRF token on API and htmx requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

impl FromRequestParts<WebState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let bearer = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(ApiError::unauthenticated)?;
            let actor = state
                .app
                .authenticate_token(bearer, request_meta(parts, state))
                .await?;
            return Ok(Self(actor));
        }
        let MaybeSession(session) = MaybeSession::from_request_parts(parts, state).await?;
        let Some(info) = session else {
            return Err(ApiError::unauthenticated());
        };
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !rapport_app::auth::token::equal(sent, &info.csrf_token) {
                return Err(ApiError::csrf());
            }
        }
        Ok(Self(info.actor))
    }
}

/// Query parameters, with problem+json rejections (unknown parameters are refused too).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::validation(vec![FieldError {
                field: "query".into(),
                message: rejection.body_text(),
            }])),
        }
    }
}
