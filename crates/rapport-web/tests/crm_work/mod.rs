//! Notes, tasks, the activity timeline, reminders and notifications, end to end over HTTP, on
//! SQLite and PostgreSQL. Records (contacts, companies, deals) are seeded with plain SQL so
//! these tests depend only on the schema, not on the records' own use cases.

mod notes;
mod reminders;
mod tasks;
mod timeline;

pub use crate::privacy::Browser;
use rapport_domain::OrgId;
use rapport_testkit::TestApp;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as DbValue};
use serde_json::json;

/// Runs one statement with `$n` placeholders (rewritten to `?` on SQLite).
async fn exec(t: &TestApp, sql: &str, values: Vec<DbValue>) {
    let conn = t.db.db.conn();
    let backend = conn.get_database_backend();
    let sql = if backend == DbBackend::Sqlite {
        let mut out = String::new();
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('?');
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
}

/// Seeds a company of `org` named `name`.
pub async fn company(t: &TestApp, org: OrgId, name: &str) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    let now = chrono::Utc::now();
    exec(
        t,
        "INSERT INTO companies (id, org_id, name, custom, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            id.into(),
            org.as_uuid().into(),
            name.into(),
            json!({}).into(),
            now.into(),
            now.into(),
        ],
    )
    .await;
    id
}

/// Seeds a contact of `org` named `name`, optionally at a company.
pub async fn contact(
    t: &TestApp,
    org: OrgId,
    name: &str,
    company: Option<uuid::Uuid>,
) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    let now = chrono::Utc::now();
    exec(
        t,
        "INSERT INTO contacts (id, org_id, first_name, last_name, display_name, company_id, \
         lifecycle_stage, social, custom, consent_marketing, consent_ai, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        vec![
            id.into(),
            org.as_uuid().into(),
            name.into(),
            "".into(),
            name.into(),
            company.into(),
            "lead".into(),
            json!({}).into(),
            json!({}).into(),
            false.into(),
            true.into(),
            now.into(),
            now.into(),
        ],
    )
    .await;
    id
}

/// Seeds a deal of `org` titled `title` (with a pipeline and a stage of its own).
pub async fn deal(t: &TestApp, org: OrgId, title: &str) -> uuid::Uuid {
    let (pipeline, stage, id) = (
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    );
    let now = chrono::Utc::now();
    exec(
        t,
        "INSERT INTO pipelines (id, org_id, name, position, currency, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            pipeline.into(),
            org.as_uuid().into(),
            format!("Pipeline {pipeline}").into(),
            0i32.into(),
            "EUR".into(),
            now.into(),
            now.into(),
        ],
    )
    .await;
    exec(
        t,
        "INSERT INTO pipeline_stages (id, org_id, pipeline_id, name, position, probability, kind, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            stage.into(),
            org.as_uuid().into(),
            pipeline.into(),
            "Qualified".into(),
            0i32.into(),
            20i32.into(),
            "open".into(),
            now.into(),
            now.into(),
        ],
    )
    .await;
    exec(
        t,
        "INSERT INTO deals (id, org_id, pipeline_id, stage_id, title, currency, status, position, \
         custom, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        vec![
            id.into(),
            org.as_uuid().into(),
            pipeline.into(),
            stage.into(),
            title.into(),
            "EUR".into(),
            "open".into(),
            1.0f64.into(),
            json!({}).into(),
            now.into(),
            now.into(),
        ],
    )
    .await;
    id
}

/// Runs every due job with the app's handlers until the queue is empty; each must succeed.
/// Enqueues one job of `kind` (as the scheduler would) and runs the queue dry.
pub async fn run_job_now(t: &TestApp, kind: &str) -> usize {
    t.app
        .queue()
        .enqueue(
            kind,
            serde_json::json!({}),
            rapport_jobs::EnqueueOptions::default(),
        )
        .await
        .unwrap();
    run_jobs(t).await
}

pub async fn run_jobs(t: &TestApp) -> usize {
    let pool = rapport_jobs::WorkerPool::new(
        t.app.queue().clone(),
        t.app.job_handlers(),
        rapport_jobs::WorkerConfig::default(),
        "crm-work-test",
    );
    let mut ran = 0;
    while let Some(outcome) = pool.run_once("crm-work-test/w0").await.unwrap() {
        assert_eq!(outcome, rapport_jobs::worker::Outcome::Completed);
        ran += 1;
    }
    ran
}

/// The `Location` of a redirect.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .unwrap_or_else(|| panic!("a redirect, got {}", res.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// Seeds an unread notification for `user` in `org`.
pub async fn notification(
    t: &TestApp,
    org: OrgId,
    user: rapport_domain::UserId,
    title: &str,
) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    exec(
        t,
        "INSERT INTO notifications (id, org_id, user_id, kind, title, body, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vec![
            id.into(),
            org.as_uuid().into(),
            user.as_uuid().into(),
            "test".into(),
            title.into(),
            "".into(),
            "/tasks".into(),
            chrono::Utc::now().into(),
        ],
    )
    .await;
    id
}
