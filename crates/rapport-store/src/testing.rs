//! Test databases: each test gets a fresh, migrated database and it is removed afterwards.
//!
//! With `RAPPORT_TEST_DATABASE_URL` unset, a SQLite file in a temporary directory. With it set
//! to a PostgreSQL server URL (`postgres://postgres@127.0.0.1:5432/postgres`), a new database
//! `rapport_test_<uuid>` is created there and dropped when the `TestDb` is dropped.

#![allow(clippy::expect_used)] // test support: a broken test database must fail the test loudly

use crate::connect::Db;
use crate::target::DatabaseTarget;
use sea_orm::{ConnectionTrait, Statement};

/// Name of the variable selecting the PostgreSQL server for tests.
pub const TEST_DATABASE_URL_VAR: &str = "RAPPORT_TEST_DATABASE_URL";

/// A fresh database for one test.
pub struct TestDb {
    /// The connected, migrated database.
    pub db: Db,
    /// The target it was opened from (to start another process on the same database).
    pub target: DatabaseTarget,
    /// A URL another process can use (`--database-url`).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Another handle owns the database (a second process's view of it).
    None,
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl TestDb {
    /// Creates and migrates a fresh database on the backend the environment selects.
    pub async fn new() -> Self {
        let server = std::env::var(TEST_DATABASE_URL_VAR)
            .ok()
            .filter(|u| !u.trim().is_empty());
        match server {
            None => Self::sqlite().await,
            Some(admin_url) => Self::postgres(admin_url).await,
        }
    }

    /// A second, independent pool on the same database, as another process would open it;
    /// the database is removed with the first handle, not this one.
    pub async fn share(&self) -> Self {
        Self {
            db: Db::connect(&self.target)
                .await
                .expect("open the test database again"),
            target: self.target.clone(),
            url: self.url.clone(),
            cleanup: Cleanup::None,
        }
    }

    /// Which backend tests run on (for log lines and skips).
    pub fn backend_name() -> &'static str {
        if std::env::var(TEST_DATABASE_URL_VAR).is_ok_and(|u| !u.trim().is_empty()) {
            "postgres"
        } else {
            "sqlite"
        }
    }

    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir for the test database");
        let path = dir.path().join("test.sqlite3");
        let target = DatabaseTarget::Sqlite {
            path: path.clone(),
            create: true,
        };
        let db = Db::connect_migrated(&target)
            .await
            .expect("open and migrate test sqlite");
        Self {
            db,
            target,
            url: format!("sqlite://{}", path.display()),
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    async fn postgres(admin_url: String) -> Self {
        let name = format!("rapport_test_{}", uuid::Uuid::now_v7().simple());
        let admin = Db::connect(&DatabaseTarget::Postgres {
            url: admin_url.clone(),
        })
        .await
        .expect("reach the PostgreSQL test server");
        admin
            .conn()
            .execute_raw(Statement::from_string(
                admin.db_backend(),
                format!("CREATE DATABASE {name}"),
            ))
            .await
            .expect("create test database");
        admin.close().await;
        let url = with_database(&admin_url, &name);
        let target = DatabaseTarget::Postgres { url: url.clone() };
        let db = Db::connect_migrated(&target)
            .await
            .expect("open and migrate test database");
        Self {
            db,
            target,
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(server_url: &str, name: &str) -> String {
    match url::Url::parse(server_url) {
        Ok(mut u) => {
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        Err(_) => format!("{}/{name}", server_url.trim_end_matches('/')),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside the test's runtime; the cleanup needs its own.
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(admin) = Db::connect(&DatabaseTarget::Postgres { url: admin_url }).await
                else {
                    return;
                };
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                if let Err(err) = admin
                    .conn()
                    .execute_raw(Statement::from_string(admin.db_backend(), sql))
                    .await
                {
                    eprintln!("could not drop test database {name}: {err}");
                }
                admin.close().await;
            });
        });
        let _ = handle.join();
    }
}
