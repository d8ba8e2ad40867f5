//! Inserts CRM rows straight into the tables (the record APIs belong to another part of the
//! CRM), so the list tests control every column, timestamps included.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rapport_app::Db;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, Query};
use serde_json::{Value, json};
use uuid::Uuid;

/// A fixed base time; rows are created at `base() + n seconds`.
pub fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

pub struct Seed<'a> {
    pub db: &'a Db,
    pub org: Uuid,
}

async fn insert(db: &Db, table: &str, cols: Vec<(&str, Expr)>) {
    let (names, values): (Vec<_>, Vec<_>) = cols.into_iter().unzip();
    let q = Query::insert()
        .into_table(Alias::new(table))
        .columns(names.into_iter().map(Alias::new))
        .values_panic(values)
        .to_owned();
    db.conn().execute(&q).await.unwrap();
}

/// A contact to insert; `Default` is a lead named "A B" created at the base time.
#[derive(Clone)]
pub struct C {
    pub first: &'static str,
    pub last: &'static str,
    pub email: Option<&'static str>,
    pub title: Option<&'static str>,
    pub stage: &'static str,
    pub owner: Option<Uuid>,
    pub company: Option<Uuid>,
    pub tags: &'static [&'static str],
    pub custom: Value,
    pub at: DateTime<Utc>,
}

impl Default for C {
    fn default() -> Self {
        Self {
            first: "A",
            last: "B",
            email: None,
            title: None,
            stage: "lead",
            owner: None,
            company: None,
            tags: &[],
            custom: json!({}),
            at: base(),
        }
    }
}

impl Seed<'_> {
    pub async fn company(&self, name: &str, industry: Option<&str>, custom: Value) -> Uuid {
        let id = Uuid::now_v7();
        insert(
            self.db,
            "companies",
            vec![
                ("id", Expr::val(id)),
                ("org_id", Expr::val(self.org)),
                ("name", Expr::val(name)),
                ("industry", Expr::val(industry.map(str::to_owned))),
                ("custom", Expr::val(custom)),
                ("created_at", Expr::val(base())),
                ("updated_at", Expr::val(base())),
            ],
        )
        .await;
        id
    }

    pub async fn contact(&self, c: C) -> Uuid {
        let id = Uuid::now_v7();
        insert(
            self.db,
            "contacts",
            vec![
                ("id", Expr::val(id)),
                ("org_id", Expr::val(self.org)),
                ("first_name", Expr::val(c.first)),
                ("last_name", Expr::val(c.last)),
                ("display_name", Expr::val(format!("{} {}", c.first, c.last))),
                ("title", Expr::val(c.title.map(str::to_owned))),
                ("company_id", Expr::val(c.company)),
                ("owner_id", Expr::val(c.owner)),
                ("lifecycle_stage", Expr::val(c.stage)),
                ("primary_email", Expr::val(c.email.map(str::to_owned))),
                ("social", Expr::val(json!({}))),
                ("custom", Expr::val(c.custom.clone())),
                ("created_at", Expr::val(c.at)),
                ("updated_at", Expr::val(c.at)),
            ],
        )
        .await;
        if let Some(e) = c.email {
            insert(
                self.db,
                "contact_emails",
                vec![
                    ("org_id", Expr::val(self.org)),
                    ("contact_id", Expr::val(id)),
                    ("email", Expr::val(e)),
                    ("is_primary", Expr::val(true)),
                ],
            )
            .await;
        }
        for tag in c.tags {
            insert(
                self.db,
                "contact_tags",
                vec![
                    ("org_id", Expr::val(self.org)),
                    ("contact_id", Expr::val(id)),
                    ("tag", Expr::val(*tag)),
                ],
            )
            .await;
        }
        id
    }

    /// A pipeline with one stage; returns (pipeline, stage).
    pub async fn pipeline(&self, name: &str, stage: &str) -> (Uuid, Uuid) {
        let (p, s) = (Uuid::now_v7(), Uuid::now_v7());
        insert(
            self.db,
            "pipelines",
            vec![
                ("id", Expr::val(p)),
                ("org_id", Expr::val(self.org)),
                ("name", Expr::val(name)),
                ("position", Expr::val(0)),
                ("currency", Expr::val("EUR")),
                ("created_at", Expr::val(base())),
                ("updated_at", Expr::val(base())),
            ],
        )
        .await;
        insert(
            self.db,
            "pipeline_stages",
            vec![
                ("id", Expr::val(s)),
                ("org_id", Expr::val(self.org)),
                ("pipeline_id", Expr::val(p)),
                ("name", Expr::val(stage)),
                ("position", Expr::val(0)),
                ("probability", Expr::val(50)),
                ("kind", Expr::val("open")),
                ("created_at", Expr::val(base())),
                ("updated_at", Expr::val(base())),
            ],
        )
        .await;
        (p, s)
    }

    /// A deal in `stage` of `pipeline`, linked to `contacts`.
    #[allow(clippy::too_many_arguments)]
    pub async fn deal(
        &self,
        (pipeline, stage): (Uuid, Uuid),
        title: &str,
        amount_minor: i64,
        status: &str,
        company: Option<Uuid>,
        contacts: &[Uuid],
        n: i64,
    ) -> Uuid {
        let id = Uuid::now_v7();
        let at = base() + Duration::seconds(n);
        insert(
            self.db,
            "deals",
            vec![
                ("id", Expr::val(id)),
                ("org_id", Expr::val(self.org)),
                ("pipeline_id", Expr::val(pipeline)),
                ("stage_id", Expr::val(stage)),
                ("title", Expr::val(title)),
                ("amount_minor", Expr::val(amount_minor)),
                ("currency", Expr::val("EUR")),
                ("company_id", Expr::val(company)),
                ("status", Expr::val(status)),
                ("position", Expr::val(n as f64)),
                ("custom", Expr::val(json!({}))),
                ("created_at", Expr::val(at)),
                ("updated_at", Expr::val(at)),
            ],
        )
        .await;
        for c in contacts {
            insert(
                self.db,
                "deal_contacts",
                vec![
                    ("org_id", Expr::val(self.org)),
                    ("deal_id", Expr::val(id)),
                    ("contact_id", Expr::val(*c)),
                ],
            )
            .await;
        }
        id
    }

    /// A custom-field definition.
    pub async fn field(
        &self,
        object: &str,
        key: &str,
        ty: &str,
        options: Value,
        currency: Option<&str>,
    ) {
        insert(
            self.db,
            "custom_fields",
            vec![
                ("id", Expr::val(Uuid::now_v7())),
                ("org_id", Expr::val(self.org)),
                ("object_type", Expr::val(object)),
                ("key", Expr::val(key)),
                ("label", Expr::val(key.replace('_', " "))),
                ("field_type", Expr::val(ty)),
                ("options", Expr::val(options)),
                ("currency", Expr::val(currency.map(str::to_owned))),
                ("required", Expr::val(false)),
                ("filterable", Expr::val(true)),
                ("position", Expr::val(0)),
                ("created_at", Expr::val(base())),
                ("updated_at", Expr::val(base())),
            ],
        )
        .await;
    }
}
