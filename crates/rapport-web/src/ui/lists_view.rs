//! What the list pages show: the column catalog per object type, formatted cells, and the page
//! template (the filter builder's field catalog is in `lists_builder`).

use super::lists::{Query, base_path};
use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::page::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use rapport_app::Actor;
use rapport_app::AppResult;
use rapport_app::lists::{CustomDef, ListParams};
use rapport_app::lists_export::{custom_cell, decimal};
use rapport_app::segments::SegmentRecord;
use rapport_domain::crm::RecordType;

/// A column the table can show.
#[derive(Debug, Clone)]
pub struct Column {
    /// `name`, `email`, `custom.score` …
    pub key: String,
    /// Header text.
    pub label: String,
    /// The sort field when sortable.
    pub sort: Option<&'static str>,
}

/// One table cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// Tags to show as chips (the tags column).
    pub chips: Vec<String>,
    /// A link (the name column).
    pub href: String,
}

/// One table row.
#[derive(Debug, Clone)]
pub struct Row {
    /// Cells in column order.
    pub cells: Vec<Cell>,
}

/// A segment in the sidebar.
#[derive(Debug, Clone)]
pub struct SegmentLink {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Where it leads.
    pub href: String,
    /// Shared with the org.
    pub shared: bool,
    /// The viewer's own.
    pub mine: bool,
    /// Currently applied.
    pub active: bool,
}

/// (key, sort field) of the built-in columns.
fn builtin_columns(object: RecordType) -> &'static [(&'static str, Option<&'static str>)] {
    match object {
        RecordType::Contact => &[
            ("name", Some("name")),
            ("email", Some("email")),
            ("phone", None),
            ("company", None),
            ("owner", None),
            ("lifecycle_stage", Some("lifecycle_stage")),
            ("tags", None),
            ("title", Some("title")),
            ("source", Some("source")),
            ("created_at", Some("created_at")),
            ("updated_at", Some("updated_at")),
        ],
        RecordType::Company => &[
            ("name", Some("name")),
            ("domain", Some("domain")),
            ("industry", Some("industry")),
            ("size", Some("size")),
            ("owner", None),
            ("contacts", None),
            ("country", Some("country")),
            ("city", Some("city")),
            ("created_at", Some("created_at")),
            ("updated_at", Some("updated_at")),
        ],
        RecordType::Deal => &[
            ("title", Some("title")),
            ("amount", Some("amount")),
            ("stage", None),
            ("status", Some("status")),
            ("owner", None),
            ("company", None),
            ("expected_close_on", Some("expected_close_on")),
            ("pipeline", None),
            ("created_at", Some("created_at")),
            ("updated_at", Some("updated_at")),
        ],
    }
}

/// Shown when nothing was chosen.
fn default_columns(object: RecordType) -> &'static [&'static str] {
    match object {
        RecordType::Contact => &[
            "name",
            "email",
            "phone",
            "company",
            "owner",
            "lifecycle_stage",
            "tags",
            "created_at",
        ],
        RecordType::Company => &[
            "name",
            "domain",
            "industry",
            "size",
            "owner",
            "contacts",
            "created_at",
        ],
        RecordType::Deal => &[
            "title",
            "amount",
            "stage",
            "status",
            "owner",
            "company",
            "expected_close_on",
        ],
    }
}

/// Every column of `object`, custom fields last.
pub fn all_columns(object: RecordType, customs: &[CustomDef], tr: &Tr) -> Vec<Column> {
    builtin_columns(object)
        .iter()
        .map(|(k, sort)| Column {
            key: (*k).to_owned(),
            label: tr.t(&format!("crm_lists.col.{k}")),
            sort: *sort,
        })
        .chain(customs.iter().map(|d| Column {
            key: format!("custom.{}", d.key.as_str()),
            label: d.label.clone(),
            sort: None,
        }))
        .collect()
}

/// The columns to show: asked for, else the segment's, else the defaults (unknown ones dropped).
pub fn chosen_columns(
    object: RecordType,
    q: &Query,
    segment: Option<&SegmentRecord>,
    customs: &[CustomDef],
) -> Vec<String> {
    let known = |c: &String| {
        builtin_columns(object).iter().any(|(k, _)| k == c)
            || c.strip_prefix("custom.")
                .is_some_and(|k| customs.iter().any(|d| d.key.as_str() == k))
    };
    let picked: Vec<String> = if !q.columns.is_empty() {
        q.columns.clone()
    } else if let Some(s) = segment.filter(|s| !s.columns.is_empty()) {
        s.columns.clone()
    } else {
        default_columns(object)
            .iter()
            .map(|c| (*c).to_owned())
            .collect()
    };
    let picked: Vec<String> = picked.into_iter().filter(known).collect();
    if picked.is_empty() {
        default_columns(object)
            .iter()
            .map(|c| (*c).to_owned())
            .collect()
    } else {
        picked
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell {
        text: s.into(),
        chips: Vec::new(),
        href: String::new(),
    }
}

fn opt(s: &Option<String>) -> Cell {
    text(s.clone().unwrap_or_default())
}

fn custom(customs: &[CustomDef], key: &str, values: &serde_json::Value) -> Cell {
    let k = key.strip_prefix("custom.").unwrap_or(key);
    match customs.iter().find(|d| d.key.as_str() == k) {
        Some(d) => text(custom_cell(d, values.get(k))),
        None => text(""),
    }
}

/// Loads one page and formats the chosen columns.
pub async fn load_rows(
    state: &WebState,
    actor: &Actor,
    object: RecordType,
    params: &ListParams,
    tr: &Tr,
    customs: &[CustomDef],
    columns: &[String],
) -> AppResult<(Vec<Row>, Option<String>)> {
    let stage = |s: &str| {
        let k = format!("crm_lists.stage.{s}");
        let t = tr.t(&k);
        if t == k { s.to_owned() } else { t }
    };
    let mut rows = Vec::new();
    let next = match object {
        RecordType::Contact => {
            let page = state.app.list_contacts(actor, params).await?;
            for r in &page.items {
                let cells = columns.iter().map(|c| match c.as_str() {
                    "name" => Cell {
                        href: format!("/contacts/{}", r.id),
                        ..text(r.name.clone())
                    },
                    "email" => opt(&r.email),
                    "phone" => opt(&r.phone),
                    "company" => Cell {
                        href: r
                            .company_id
                            .map(|id| format!("/companies/{id}"))
                            .unwrap_or_default(),
                        ..opt(&r.company_name)
                    },
                    "owner" => opt(&r.owner_name),
                    "lifecycle_stage" => text(stage(&r.lifecycle_stage)),
                    "tags" => Cell {
                        chips: r.tags.clone(),
                        ..text("")
                    },
                    "title" => opt(&r.title),
                    "source" => opt(&r.source),
                    "created_at" => text(tr.date(&r.created_at)),
                    "updated_at" => text(tr.date(&r.updated_at)),
                    other => custom(customs, other, &r.custom),
                });
                rows.push(Row {
                    cells: cells.collect(),
                });
            }
            page.next_cursor
        }
        RecordType::Company => {
            let page = state.app.list_companies(actor, params).await?;
            for r in &page.items {
                let cells = columns.iter().map(|c| match c.as_str() {
                    "name" => Cell {
                        href: format!("/companies/{}", r.id),
                        ..text(r.name.clone())
                    },
                    "domain" => opt(&r.domain),
                    "industry" => opt(&r.industry),
                    "size" => opt(&r.size),
                    "owner" => opt(&r.owner_name),
                    "contacts" => text(r.contact_count.to_string()),
                    "country" => opt(&r.country),
                    "city" => opt(&r.city),
                    "created_at" => text(tr.date(&r.created_at)),
                    "updated_at" => text(tr.date(&r.updated_at)),
                    other => custom(customs, other, &r.custom),
                });
                rows.push(Row {
                    cells: cells.collect(),
                });
            }
            page.next_cursor
        }
        RecordType::Deal => {
            let page = state.app.list_deals(actor, params).await?;
            for r in &page.items {
                let cells = columns.iter().map(|c| match c.as_str() {
                    "title" => Cell {
                        href: format!("/deals/{}", r.id),
                        ..text(r.title.clone())
                    },
                    "amount" => text(
                        r.amount_minor
                            .map(|m| format!("{} {}", decimal(m, &r.currency), r.currency))
                            .unwrap_or_default(),
                    ),
                    "stage" => opt(&r.stage_name),
                    "status" => text(tr.t(&format!("crm_lists.status.{}", r.status))),
                    "owner" => opt(&r.owner_name),
                    "company" => Cell {
                        href: r
                            .company_id
                            .map(|id| format!("/companies/{id}"))
                            .unwrap_or_default(),
                        ..opt(&r.company_name)
                    },
                    "expected_close_on" => text(
                        r.expected_close_on
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    ),
                    "pipeline" => opt(&r.pipeline_name),
                    "created_at" => text(tr.date(&r.created_at)),
                    "updated_at" => text(tr.date(&r.updated_at)),
                    other => custom(customs, other, &r.custom),
                });
                rows.push(Row {
                    cells: cells.collect(),
                });
            }
            page.next_cursor
        }
    };
    Ok((rows, next))
}

/// What [`ListPage::new`] assembles.
pub(crate) struct PageParts {
    pub(crate) page: PageCtx,
    pub(crate) object: RecordType,
    pub(crate) q: Query,
    pub(crate) segment: Option<SegmentRecord>,
    pub(crate) segments: Vec<SegmentLink>,
    pub(crate) all: Vec<Column>,
    pub(crate) shown: Vec<Column>,
    pub(crate) rows: Vec<Row>,
    pub(crate) error: String,
    pub(crate) next_href: Option<String>,
    pub(crate) prev_href: Option<String>,
    pub(crate) fields_json: String,
}

/// The list page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_list.html")]
pub struct ListPage {
    page: PageCtx,
    /// `contacts`, `companies`, `deals`.
    plural: &'static str,
    /// `contact`, `company`, `deal`.
    object_type: &'static str,
    base: &'static str,
    filter: String,
    sort: String,
    segment_id: String,
    segment_name: String,
    /// The applied segment's own filter (the box holds only what is typed on top of it).
    segment_filter: String,
    segments: Vec<SegmentLink>,
    all: Vec<Column>,
    shown: Vec<Column>,
    rows: Vec<Row>,
    error: String,
    next_href: String,
    prev_href: String,
    export_href: String,
    columns_csv: String,
    fields_json: String,
    sort_links: Vec<(String, String)>,
}

impl ListPage {
    /// Assembles the page.
    pub(crate) fn new(p: PageParts) -> Self {
        let base = base_path(p.object);
        let mut export: Vec<(&str, String)> = Vec::new();
        if !p.q.filter.trim().is_empty() {
            export.push(("filter", p.q.filter.clone()));
        }
        if let Some(s) = p.q.segment {
            export.push(("segment", s.to_string()));
        }
        if !p.q.sort.is_empty() {
            export.push(("sort", p.q.sort.clone()));
        }
        let export_href = format!(
            "/api/v1/{}/export.csv?{}",
            p.object.plural(),
            serde_urlencoded::to_string(&export).unwrap_or_default()
        );
        let (cur_field, cur_desc) = match p.q.sort.strip_prefix('-') {
            Some(f) => (f.to_owned(), true),
            None => match p.q.sort.split_once(':') {
                Some((f, d)) => (f.to_owned(), d == "desc"),
                None if p.q.sort.is_empty() => ("created_at".to_owned(), true),
                None => (p.q.sort.clone(), false),
            },
        };
        let sort_links = p
            .shown
            .iter()
            .map(|c| match c.sort {
                Some(f) => {
                    let desc = if f == cur_field {
                        !cur_desc
                    } else {
                        f.ends_with("_at")
                    };
                    let q = Query {
                        sort: format!("{f}:{}", if desc { "desc" } else { "asc" }),
                        ..p.q.clone()
                    };
                    let state = if f == cur_field {
                        if cur_desc { "descending" } else { "ascending" }
                    } else {
                        ""
                    };
                    (q.href(base, "", &[]), state.to_owned())
                }
                None => (String::new(), String::new()),
            })
            .collect();
        Self {
            plural: p.object.plural(),
            object_type: p.object.as_str(),
            base,
            filter: p.q.filter.clone(),
            sort: p.q.sort.clone(),
            segment_id: p.q.segment.map(|s| s.to_string()).unwrap_or_default(),
            segment_filter: p
                .segment
                .as_ref()
                .map(|s| s.filter.clone())
                .unwrap_or_default(),
            segment_name: p.segment.map(|s| s.name).unwrap_or_default(),
            segments: p.segments,
            columns_csv: p
                .shown
                .iter()
                .map(|c| c.key.clone())
                .collect::<Vec<_>>()
                .join(","),
            all: p.all,
            shown: p.shown,
            rows: p.rows,
            error: p.error,
            next_href: p.next_href.unwrap_or_default(),
            prev_href: p.prev_href.unwrap_or_default(),
            export_href,
            fields_json: p.fields_json,
            sort_links,
            page: p.page,
        }
    }

    /// Whether column `key` is shown.
    pub fn is_shown(&self, key: &str) -> bool {
        self.shown.iter().any(|c| c.key == key)
    }

    /// A translated text of this page (`crm_lists.<object>.<key>`).
    pub fn txt(&self, key: &str) -> String {
        self.page.tr.t(&format!("crm_lists.{}.{key}", self.plural))
    }

    /// The sort link of the i-th shown column ("" when not sortable).
    pub fn sort_href(&self, i: &usize) -> &str {
        self.sort_links.get(*i).map_or("", |l| l.0.as_str())
    }

    /// The header of the i-th shown column.
    pub fn col_label(&self, i: &usize) -> &str {
        self.shown.get(*i).map_or("", |c| c.label.as_str())
    }

    /// `ascending`/`descending` when the i-th column is the sort column.
    pub fn sort_state(&self, i: &usize) -> &str {
        self.sort_links.get(*i).map_or("", |l| l.1.as_str())
    }
}
