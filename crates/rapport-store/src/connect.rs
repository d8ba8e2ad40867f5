//! Opening the database: SQLite with WAL, a busy timeout and foreign keys on; PostgreSQL with
//! a bounded pool. Migrations run through [`Db::migrate`].

use crate::error::StoreResult;
use crate::migration::Migrator;
use crate::query::def_cache::DefCache;
use crate::scope::OrgScope;
use crate::target::DatabaseTarget;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, SqlxPostgresConnector, SqlxSqliteConnector, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The two supported database engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// The engine behind a connection (repositories hold only the connection).
    pub fn of(db: &impl ConnectionTrait) -> Self {
        match db.get_database_backend() {
            DbBackend::Postgres => Self::Postgres,
            _ => Self::Sqlite,
        }
    }
}

/// Errors while opening a database.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// An explicit SQLite URL named a file that does not exist.
    #[error(
        "the SQLite database {0} does not exist; Rapport creates a database only in its data \
         directory (leave --database-url unset) so a mistyped URL never yields an empty database"
    )]
    MissingSqliteFile(String),
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// The URL could not be parsed by the driver.
    #[error("invalid database URL: {0}")]
    BadUrl(String),
    /// The server refused or did not answer.
    #[error("cannot connect to {target}: {source}")]
    Unreachable {
        /// Redacted description of the target.
        target: String,
        /// The driver error.
        source: sqlx::Error,
    },
}

/// Errors while opening and migrating a database.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The database could not be opened.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// A migration failed.
    #[error("migrating the database failed: {0}")]
    Migrate(crate::error::StoreError),
}

/// How much of an SQLite file is read through a memory map (1 GiB).
const SQLITE_MMAP_BYTES: u64 = 1 << 30;
/// Page cache per SQLite connection, in KiB (SQLite's default is 2 MiB).
const SQLITE_CACHE_KIB: u32 = 32 * 1024;

/// How long a writing transaction waits for SQLite's writer connection (as long as the busy
/// timeout a connection would have waited for the file lock).
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// A handle on the database (cheap to clone; the pool is shared).
#[derive(Debug, Clone)]
pub struct Db {
    conn: DatabaseConnection,
    /// SQLite: the one connection writing transactions use (see [`Db::begin`]); PostgreSQL:
    /// the same pool as `conn`.
    writer: DatabaseConnection,
    backend: Backend,
    custom_defs: Arc<DefCache>,
}

impl Db {
    /// Opens the target, creating the embedded SQLite file (and its directory) only when the
    /// target allows it.
    pub async fn connect(target: &DatabaseTarget) -> Result<Self, ConnectError> {
        match target {
            DatabaseTarget::Sqlite { path, create } => {
                if *create {
                    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(|source| ConnectError::DataDir {
                            path: dir.display().to_string(),
                            source,
                        })?;
                    }
                } else if !path.exists() {
                    return Err(ConnectError::MissingSqliteFile(path.display().to_string()));
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(*create)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // Reads through a memory map instead of a `pread` copy per page, and a page
                    // cache that holds a large list's index pages: together they took the
                    // 1M-contact filtered list from ~330 to ~800 requests/s on 2 cores
                    // (docs/BENCHMARKS.md). The map is address space, not memory: pages are
                    // the kernel's file cache, shared by all connections.
                    .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
                    .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
                let unreachable = |source| ConnectError::Unreachable {
                    target: target.describe(),
                    source,
                };
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .min_connections(1)
                    .connect_with(options.clone())
                    .await
                    .map_err(unreachable)?;
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .acquire_timeout(WRITER_WAIT)
                    .connect_with(options)
                    .await
                    .map_err(unreachable)?;
                Ok(Self {
                    conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                    writer: SqlxSqliteConnector::from_sqlx_sqlite_pool(writer),
                    backend: Backend::Sqlite,
                    custom_defs: Arc::default(),
                })
            }
            DatabaseTarget::Postgres { url } => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| {
                        ConnectError::BadUrl(format!("{}: {e}", crate::target::redact(url)))
                    })?
                    .application_name("rapport");
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(|source| ConnectError::Unreachable {
                        target: target.describe(),
                        source,
                    })?;
                let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
                Ok(Self {
                    writer: conn.clone(),
                    conn,
                    backend: Backend::Postgres,
                    custom_defs: Arc::default(),
                })
            }
        }
    }

    /// The SeaORM connection, for repositories and transactions.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Starts a transaction that may write.
    ///
    /// On SQLite it runs on the single writer connection and begins `IMMEDIATE`. Writers queue
    /// for that connection in the pool, first come first served, instead of each taking a
    /// connection and polling SQLite's busy handler for the file lock (which sleeps in
    /// growing steps and let a burst of writers starve: ~100 inbound messages/s instead of
    /// over 1,000, docs/BENCHMARKS.md). `IMMEDIATE` still matters for writes made outside
    /// this connection: a deferred transaction that read first cannot upgrade once another
    /// connection committed (`SQLITE_BUSY_SNAPSHOT`, which no timeout retries). A writing
    /// transaction must not begin a second one (it would wait for its own connection).
    /// PostgreSQL begins normally on its pool.
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        match self.backend {
            Backend::Sqlite => {
                self.writer
                    .begin_with_options(TransactionOptions {
                        isolation_level: None,
                        access_mode: None,
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    })
                    .await
            }
            Backend::Postgres => self.conn.begin().await,
        }
    }

    /// The cache of custom-field definitions lists compile filters against.
    pub fn custom_defs(&self) -> &DefCache {
        &self.custom_defs
    }

    /// Forgets the cached custom-field definitions of an org (call after changing one).
    pub fn forget_custom_defs(&self, scope: OrgScope) {
        self.custom_defs.forget(scope);
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SeaORM's backend enum, for building raw statements.
    pub fn db_backend(&self) -> DbBackend {
        match self.backend {
            Backend::Sqlite => DbBackend::Sqlite,
            Backend::Postgres => DbBackend::Postgres,
        }
    }

    /// Applies every pending migration.
    ///
    /// On SQLite, other pooled connections may keep a stale copy of the schema, and SQLite
    /// checks `ON CONFLICT` targets at prepare time against that copy; use
    /// [`Db::connect_migrated`] to get a pool that only ever saw the migrated schema.
    pub async fn migrate(&self) -> StoreResult<()> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// Opens the target, applies pending migrations, and returns a pool whose connections were
    /// all opened after the migration.
    pub async fn connect_migrated(target: &DatabaseTarget) -> Result<Self, OpenError> {
        let db = Self::connect(target).await?;
        db.migrate().await.map_err(OpenError::Migrate)?;
        if db.backend == Backend::Postgres {
            return Ok(db);
        }
        db.close().await;
        // The file exists now; reopening must not depend on `create`.
        Ok(Self::connect(target).await?)
    }

    /// True when the database answers and no migration is pending (the readiness check).
    pub async fn is_ready(&self) -> bool {
        if self.conn.ping().await.is_err() {
            return false;
        }
        matches!(Migrator::get_pending_migrations(&self.conn).await, Ok(pending) if pending.is_empty())
    }

    /// Closes the pool (graceful shutdown; also checkpoints SQLite's WAL).
    pub async fn close(self) {
        if self.backend == Backend::Sqlite
            && let Err(err) = self.writer.close().await
        {
            tracing::warn!(error = %err, "closing the writer connection failed");
        }
        if let Err(err) = self.conn.close().await {
            tracing::warn!(error = %err, "closing the database pool failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Statement};

    async fn exec(c: &impl ConnectionTrait, sql: &str) -> Result<(), DbErr> {
        c.execute_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .map(|_| ())
    }

    /// Two transactions that each read, then write: with deferred transactions the second
    /// writer fails with SQLITE_BUSY_SNAPSHOT once the first commits; `Db::begin` makes the
    /// second wait for the lock instead, so both land.
    #[tokio::test]
    async fn read_then_write_transactions_on_sqlite_serialize_instead_of_failing() {
        let dir = tempfile::tempdir().unwrap();
        let target = DatabaseTarget::Sqlite {
            path: dir.path().join("t.sqlite3"),
            create: true,
        };
        let db = Db::connect_migrated(&target).await.unwrap();
        exec(
            db.conn(),
            "INSERT INTO schedules (name, interval_ms, next_run_ms, runs) VALUES ('t', 1, 0, 0)",
        )
        .await
        .unwrap();
        let first = db.begin().await.unwrap();
        exec(&first, "SELECT runs FROM schedules").await.unwrap();
        let other = db.clone();
        let second = tokio::spawn(async move {
            let txn = other.begin().await?;
            exec(&txn, "SELECT runs FROM schedules").await?;
            exec(&txn, "UPDATE schedules SET runs = runs + 1").await?;
            txn.commit().await
        });
        exec(&first, "UPDATE schedules SET runs = runs + 1")
            .await
            .unwrap();
        first.commit().await.unwrap();
        second.await.unwrap().unwrap();
        let row = db
            .conn()
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT runs FROM schedules WHERE name = 't'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 2);
    }
}
