//! The one HTTP error type: RFC 9457 problem+json with a stable `code` clients can switch on.
//! Internal details are logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_app::AppError;
use serde::Serialize;

/// One field-level validation error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The request field.
    pub field: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened this time.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    /// Field errors, for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    errors: Option<Vec<FieldError>>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A problem with the given status, code, title and detail.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
            errors: None,
            retry_after: None,
        }
    }

    /// 404 `not_found`.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            "No resource exists at this address.",
        )
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
            "This resource does not support that HTTP method.",
        )
    }

    /// 403 `csrf_failed`.
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "Cross-site request refused",
            "The request did not carry a valid CSRF token or came from another site.",
        )
    }

    /// 401 `unauthenticated`.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            "Sign in to continue.",
        )
    }

    /// 422 `validation_failed` with field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Invalid request",
            "One or more fields are invalid.",
        );
        e.errors = Some(errors);
        e
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!(
                "https://rapport.dev/problems/{}",
                self.code.replace('_', "-")
            ),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            errors: self.errors.clone(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        use StatusCode as S;
        match err {
            AppError::Invalid(errors) => Self::validation(
                errors
                    .iter()
                    .map(|e| FieldError {
                        field: e.field().to_owned(),
                        message: e.to_string(),
                    })
                    .collect(),
            ),
            AppError::InvalidFields(issues) => Self::validation(
                issues
                    .into_iter()
                    .map(|i| FieldError {
                        field: i.field,
                        message: i.message,
                    })
                    .collect(),
            ),
            AppError::InvalidField { field, message } => {
                Self::validation(vec![FieldError { field, message }])
            }
            AppError::InvalidFilter(detail) => Self::new(
                S::UNPROCESSABLE_ENTITY,
                "invalid_filter",
                "Invalid filter",
                detail,
            ),
            AppError::InvalidInput(errors) => Self::validation(
                errors
                    .into_iter()
                    .map(|(field, message)| FieldError { field, message })
                    .collect(),
            ),
            AppError::Unauthenticated => Self::unauthenticated(),
            AppError::Forbidden => Self::new(
                S::FORBIDDEN,
                "forbidden",
                "Forbidden",
                "Your role does not allow this action.",
            ),
            AppError::NotFound => Self::not_found(),
            AppError::Conflict(detail) => Self::new(S::CONFLICT, "conflict", "Conflict", detail),
            AppError::BadCredentials => Self::new(
                S::UNAUTHORIZED,
                "bad_credentials",
                "Sign-in failed",
                "The email or password is not correct.",
            ),
            AppError::Throttled { retry_after_secs } => {
                let mut e = Self::new(
                    S::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    "Too many attempts",
                    format!(
                        "Too many failed attempts. Try again in {} minutes.",
                        retry_after_secs.div_ceil(60)
                    ),
                );
                e.retry_after = Some(retry_after_secs);
                e
            }
            AppError::InvalidToken => Self::new(
                S::BAD_REQUEST,
                "invalid_token",
                "Invalid or expired",
                "This link or code is not valid (it may have expired or been used already).",
            ),
            AppError::NotConfigured(detail) => Self::new(
                S::SERVICE_UNAVAILABLE,
                "not_configured",
                "Not available",
                detail,
            ),
            AppError::AlreadySetUp => Self::new(
                S::CONFLICT,
                "already_set_up",
                "Already set up",
                "This instance already has an organization; sign in instead.",
            ),
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                Self::new(
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "Something went wrong on our side; it has been logged.",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.problem())).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}
