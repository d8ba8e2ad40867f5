//! Contact import (CSV and vCard), vCard export, duplicate detection and merge, through the API
//! as a script or the wizard uses it. Runs on SQLite and PostgreSQL.

mod csv;
mod large;
mod merge;
mod pages;
mod retention;
mod vcf;

use rapport_domain::Role;
use rapport_testkit::{TestApp, TestUser, spawn_app};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

/// A signed-in API client of one org.
pub struct Api {
    pub t: TestApp,
    pub user: TestUser,
    pub c: reqwest::Client,
    pub csrf: String,
}

impl Api {
    pub async fn new() -> Self {
        Self::on(spawn_app().await).await
    }

    /// A signed-in client of a new org on `t`.
    pub async fn on(t: TestApp) -> Self {
        let user = t.create_org_with("Acme", Role::Owner).await;
        let (c, csrf) = login(&t, &user).await;
        Self { t, user, c, csrf }
    }

    /// Uploads `body` with the query string `query` (`filename=a.csv&…`).
    pub async fn upload(&self, query: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.c
            .post(self.t.url(&format!("/api/v1/imports?{query}")))
            .header("x-csrf-token", &self.csrf)
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Uploads and expects 201.
    pub async fn upload_ok(&self, filename: &str, body: &str) -> Value {
        let res = self
            .upload(
                &format!("object_type=contacts&filename={filename}"),
                body.to_owned(),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    pub async fn run(&self, id: &str, options: Value) -> (u16, Value) {
        let res = self
            .c
            .post(self.t.url(&format!("/api/v1/imports/{id}/run")))
            .header("x-csrf-token", &self.csrf)
            .json(&options)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.c.get(self.t.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.c
            .post(self.t.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    fn stmt(&self, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        let backend = self.t.db.db.db_backend();
        let sql = if backend == DbBackend::Postgres {
            sql.to_owned()
        } else {
            sql.replace('$', "?")
        };
        Statement::from_sql_and_values(backend, sql, values)
    }

    /// Runs a statement (test set-up: rows of other slices' tables).
    pub async fn exec(&self, sql: &str, values: Vec<sea_orm::Value>) {
        self.t
            .db
            .db
            .conn()
            .execute_raw(self.stmt(sql, values))
            .await
            .unwrap();
    }

    /// A count query's `n`.
    pub async fn count(&self, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
        let row = self
            .t
            .db
            .db
            .conn()
            .query_one_raw(self.stmt(sql, values))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// Contacts of this org.
    pub async fn contacts(&self) -> i64 {
        self.count(
            "SELECT COUNT(*) AS n FROM contacts WHERE org_id = $1",
            vec![self.user.org_id.as_uuid().into()],
        )
        .await
    }

    /// One text column of the contact with `email`.
    pub async fn contact_field(&self, email: &str, column: &str) -> Option<String> {
        let sql = format!(
            "SELECT c.{column} AS v FROM contacts c JOIN contact_emails e ON e.contact_id = c.id \
             WHERE e.org_id = $1 AND e.email = $2"
        );
        let row = self
            .t
            .db
            .db
            .conn()
            .query_one_raw(self.stmt(&sql, vec![self.user.org_id.as_uuid().into(), email.into()]))
            .await
            .unwrap()?;
        row.try_get::<Option<String>>("", "v").unwrap()
    }

    /// The id of the contact with `email`.
    pub async fn contact_id(&self, email: &str) -> uuid::Uuid {
        let row = self
            .t
            .db
            .db
            .conn()
            .query_one_raw(self.stmt(
                "SELECT contact_id FROM contact_emails WHERE org_id = $1 AND email = $2",
                vec![self.user.org_id.as_uuid().into(), email.into()],
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "contact_id").unwrap()
    }

    /// Adds a custom field definition.
    pub async fn custom_field(&self, key: &str, label: &str, field_type: &str, options: Value) {
        let now = chrono::Utc::now();
        self.exec(
            "INSERT INTO custom_fields (id, org_id, object_type, key, label, field_type, options, \
             required, filterable, position, created_at, updated_at) \
             VALUES ($1, $2, 'contact', $3, $4, $5, $6, $7, $7, 0, $8, $8)",
            vec![
                uuid::Uuid::now_v7().into(),
                self.user.org_id.as_uuid().into(),
                key.into(),
                label.into(),
                field_type.into(),
                options.into(),
                false.into(),
                now.into(),
            ],
        )
        .await;
    }
}

pub async fn login(t: &TestApp, user: &TestUser) -> (reqwest::Client, String) {
    let c = t.browser();
    let res = c
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": user.email, "password": user.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    (c, body["csrf_token"].as_str().unwrap().to_owned())
}
