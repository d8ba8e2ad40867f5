//! Which database to use, decided from the configured URL. The rule (after vaultwarden and
//! atuin): no URL means the embedded SQLite file in the data directory, created when missing;
//! an explicit URL must name an existing database; any unknown scheme is an error.

use std::path::{Path, PathBuf};

/// File name of the embedded database inside the data directory.
pub const EMBEDDED_DB_FILE: &str = "rapport.sqlite3";

/// A resolved database target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// A SQLite file. `create` is true only for the embedded default.
    Sqlite {
        /// Path of the database file.
        path: PathBuf,
        /// Whether a missing file may be created.
        create: bool,
    },
    /// A PostgreSQL server (the URL is kept as given; it may hold a password).
    Postgres {
        /// The connection URL.
        url: String,
    },
}

/// Why a database URL was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    /// The scheme is not one Rapport speaks.
    #[error(
        "unsupported database URL scheme `{0}`: use postgres://… for PostgreSQL, sqlite://PATH \
         for a SQLite file, or leave the URL unset for the embedded database in the data directory"
    )]
    UnsupportedScheme(String),
    /// The URL has no scheme at all.
    #[error("the database URL must start with postgres:// or sqlite:// (got `{0}`)")]
    NoScheme(String),
    /// A sqlite URL without a path.
    #[error("the sqlite URL names no file: use sqlite:///absolute/path.db or sqlite://relative.db")]
    EmptySqlitePath,
}

impl DatabaseTarget {
    /// Resolves the target from an optional URL and the data directory.
    pub fn resolve(url: Option<&str>, data_dir: &Path) -> Result<Self, TargetError> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Self::Sqlite {
                path: data_dir.join(EMBEDDED_DB_FILE),
                create: true,
            });
        };
        let Some((scheme, rest)) = url.split_once("://") else {
            // `sqlite:path` (one colon) is also common.
            if let Some(rest) = url.strip_prefix("sqlite:") {
                return Self::sqlite_path(rest);
            }
            return Err(TargetError::NoScheme(redact(url)));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(Self::Postgres {
                url: url.to_owned(),
            }),
            "sqlite" => Self::sqlite_path(rest),
            other => Err(TargetError::UnsupportedScheme(other.to_owned())),
        }
    }

    fn sqlite_path(rest: &str) -> Result<Self, TargetError> {
        let path = rest.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(TargetError::EmptySqlitePath);
        }
        Ok(Self::Sqlite {
            path: PathBuf::from(path),
            create: false,
        })
    }

    /// A description safe to log (never the password).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => format!("sqlite {}", path.display()),
            Self::Postgres { url } => format!("postgres {}", redact(url)),
        }
    }
}

/// Replaces the password of a URL with `***`.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => url.split('@').next_back().unwrap_or_default().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_url_means_embedded_sqlite_that_may_be_created() {
        let t = DatabaseTarget::resolve(None, Path::new("/data")).unwrap();
        assert_eq!(
            t,
            DatabaseTarget::Sqlite {
                path: PathBuf::from("/data/rapport.sqlite3"),
                create: true
            }
        );
        assert_eq!(
            DatabaseTarget::resolve(Some("  "), Path::new("/d")).unwrap(),
            DatabaseTarget::resolve(None, Path::new("/d")).unwrap()
        );
    }

    #[test]
    fn explicit_sqlite_url_is_never_created() {
        let t =
            DatabaseTarget::resolve(Some("sqlite:///srv/x.db?mode=rwc"), Path::new("/d")).unwrap();
        assert_eq!(
            t,
            DatabaseTarget::Sqlite {
                path: PathBuf::from("/srv/x.db"),
                create: false
            }
        );
        let t = DatabaseTarget::resolve(Some("sqlite:rel.db"), Path::new("/d")).unwrap();
        assert_eq!(
            t,
            DatabaseTarget::Sqlite {
                path: PathBuf::from("rel.db"),
                create: false
            }
        );
        assert_eq!(
            DatabaseTarget::resolve(Some("sqlite://"), Path::new("/d")),
            Err(TargetError::EmptySqlitePath)
        );
    }

    #[test]
    fn postgres_and_unknown_schemes() {
        assert!(matches!(
            DatabaseTarget::resolve(Some("postgresql://u:p@h/db"), Path::new("/d")),
            Ok(DatabaseTarget::Postgres { .. })
        ));
        let err = DatabaseTarget::resolve(Some("mysql://x"), Path::new("/d")).unwrap_err();
        assert_eq!(err, TargetError::UnsupportedScheme("mysql".into()));
        assert!(err.to_string().contains("postgres://"));
        assert!(matches!(
            DatabaseTarget::resolve(Some("localhost/db"), Path::new("/d")),
            Err(TargetError::NoScheme(_))
        ));
    }

    #[test]
    fn describe_hides_passwords() {
        let t = DatabaseTarget::Postgres {
            url: "postgres://app:s3cret@db:5432/rapport".into(),
        };
        assert!(!t.describe().contains("s3cret"));
        assert!(t.describe().contains("***"));
    }
}
