//! Storage errors, with unique-constraint violations told apart so the edge can answer 409/422.

use sea_orm::{DbErr, SqlErr};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write (duplicate slug, email, membership…).
    #[error("a record with the same {0} already exists")]
    Conflict(String),
    /// The record does not exist in this scope.
    #[error("not found")]
    NotFound,
    /// A stored value could not be decoded into a domain value (corruption or a bad migration).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => Self::Conflict(detail),
            _ => Self::Db(err),
        }
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;
