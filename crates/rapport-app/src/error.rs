//! Use-case errors. Each variant maps to one stable error code at the HTTP edge.

use rapport_domain::DomainError;
use rapport_store::StoreError;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input failed validation (one or more fields).
    #[error("the request has invalid fields")]
    Invalid(Vec<DomainError>),
    /// Input failed validation on fields whose names are known only at run time (custom
    /// fields are `custom.<key>`, list entries `emails`); every refused field is listed.
    #[error("the request has invalid fields")]
    InvalidFields(Vec<FieldIssue>),
    /// One input field is invalid, and its name or message is only known at run time (a
    /// custom field's key: `custom.<key>`).
    #[error("{field}: {message}")]
    InvalidField {
        /// The request field (`custom.budget_code`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A list filter does not parse or does not fit the fields it names (the message says
    /// which field and where).
    #[error("{0}")]
    InvalidFilter(String),
    /// Input failed validation with messages built at run time (an import's bad file, a custom
    /// field's value): pairs of (field, message).
    #[error("the request has invalid fields")]
    InvalidInput(Vec<(String, String)>),
    /// Not signed in, or the session expired.
    #[error("sign in to continue")]
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this action")]
    Forbidden,
    /// The record does not exist (or belongs to another org: we never say which).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the change.
    #[error("{0}")]
    Conflict(String),
    /// Email and password do not match an account (deliberately vague).
    #[error("the email or password is not correct")]
    BadCredentials,
    /// Too many failed attempts; try again after this many seconds.
    #[error("too many failed attempts; try again in {} minutes", retry_after_secs.div_ceil(60))]
    Throttled {
        /// Seconds until the lock ends.
        retry_after_secs: u64,
    },
    /// A link or code is unknown, used, expired or altered (we never say which).
    #[error("this link or code is not valid (it may have expired or been used already)")]
    InvalidToken,
    /// The server lacks configuration this needs (e.g. outgoing mail).
    #[error("{0}")]
    NotConfigured(String),
    /// First-run setup was already completed.
    #[error("this Rapport instance is already set up; sign in instead")]
    AlreadySetUp,
    /// Anything unexpected; details go to the log, never to the client.
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(detail) => Self::Conflict(detail),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        StoreError::from(err).into()
    }
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        Self::Invalid(vec![err])
    }
}

/// One refused field: its name in the request and what is wrong, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    /// The request field (`emails`, `custom.industry`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Shorthand for use-case results.
pub type AppResult<T> = Result<T, AppError>;

/// Collects field errors from several validations, so a form reports all of them at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<DomainError>);

impl FieldErrors {
    /// Keeps the value or records the error.
    pub fn check<T>(&mut self, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// Records an error directly.
    pub fn push(&mut self, err: DomainError) {
        self.0.push(err);
    }

    /// `Err(Invalid)` when any error was recorded.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}
