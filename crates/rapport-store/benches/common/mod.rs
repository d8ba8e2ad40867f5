//! What the store's benchmarks share: a deterministic random source, raw execution, multi-row
//! inserts, percentiles and a fresh PostgreSQL database per run.

#![allow(dead_code)] // each bench uses its own subset

use rapport_store::{DatabaseTarget, Db};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, Statement};
use std::time::Duration;
use uuid::Uuid;

/// Rows per multi-row INSERT.
pub const BATCH: usize = 500;

/// xorshift64*: deterministic and dependency-free.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An index into `w`, drawn with the weights `w`.
    pub fn weighted(&mut self, w: &[u32]) -> usize {
        let total: u32 = w.iter().sum();
        let mut r = self.below(total as u64) as u32;
        for (i, x) in w.iter().enumerate() {
            if r < *x {
                return i;
            }
            r -= x;
        }
        w.len() - 1
    }
}

pub async fn exec(db: &Db, sql: &str) {
    db.conn()
        .execute_raw(Statement::from_string(db.db_backend(), sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

pub async fn insert_rows(db: &Db, table: &str, cols: &[&str], rows: Vec<Vec<Expr>>) {
    if rows.is_empty() {
        return;
    }
    let mut q = Query::insert();
    q.into_table(Alias::new(table))
        .columns(cols.iter().map(|c| Alias::new(*c)));
    for r in rows {
        q.values_panic(r);
    }
    db.conn().execute(&q).await.unwrap();
}

/// The `p` quantile of sorted latencies, in milliseconds.
pub fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn with_database(server_url: &str, name: &str) -> String {
    match url::Url::parse(server_url) {
        Ok(mut u) => {
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        Err(_) => format!("{}/{name}", server_url.trim_end_matches('/')),
    }
}

/// A fresh, migrated PostgreSQL database on `RAPPORT_BENCH_DATABASE_URL` (default the local
/// server), handed to `body` and dropped afterwards.
pub async fn with_fresh_postgres<F, Fut>(body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = Db>,
{
    let admin_url = std::env::var("RAPPORT_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("rapport_bench_{}", Uuid::now_v7().simple());
    let admin = Db::connect(&DatabaseTarget::Postgres {
        url: admin_url.clone(),
    })
    .await
    .unwrap();
    exec(&admin, &format!("CREATE DATABASE {name}")).await;
    let target = DatabaseTarget::Postgres {
        url: with_database(&admin_url, &name),
    };
    let db = Db::connect_migrated(&target).await.unwrap();
    body(db).await.close().await;
    exec(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
    admin.close().await;
}
