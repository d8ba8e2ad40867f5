//! CSV export of a list (typed filter or saved segment): every matching row, fetched in keyset
//! pages and handed out chunk by chunk so the web layer can stream it without holding the
//! whole file. Cells are RFC 4180 quoted and defused against formula injection (crate::csv).

use crate::authz::Actor;
use crate::context::App;
use crate::csv::row;
use crate::error::AppResult;
use crate::lists::{ListParams, Resolved, query_error, request};
use rapport_domain::Permission;
use rapport_domain::crm::{Currency, FieldType, RecordType};
use rapport_store::query::{self, CompanyRow, ContactRow, Cursor, CustomDef, DealRow};

/// Rows fetched per database round trip while exporting.
const CHUNK: u64 = query::MAX_LIMIT;

/// An export in progress.
pub struct ListExport {
    app: App,
    actor: Actor,
    object: RecordType,
    resolved: Resolved,
    customs: Vec<CustomDef>,
    header_sent: bool,
    done: bool,
}

impl App {
    /// Starts a CSV export (needs `data.export` and the list's read permission). Refuses a bad
    /// filter, sort or segment here, before anything is streamed.
    pub async fn export_list(
        &self,
        actor: &Actor,
        object: RecordType,
        params: &ListParams,
    ) -> AppResult<ListExport> {
        actor.require(Permission::DataExport)?;
        let params = ListParams {
            limit: Some(CHUNK),
            cursor: None,
            ..params.clone()
        };
        let resolved = self.resolve_list(actor, object, &params).await?;
        if let Some(f) = &resolved.filter {
            query::compile_for(self.db(), actor.scope(), object, f, actor.user_id.as_uuid())
                .await
                .map_err(query_error)?;
        }
        let customs = query::custom_defs(self.db().conn(), actor.scope(), object).await?;
        Ok(ListExport {
            app: self.clone(),
            actor: actor.clone(),
            object,
            resolved,
            customs,
            header_sent: false,
            done: false,
        })
    }
}

impl ListExport {
    /// The download's file name (`contacts.csv`).
    pub fn filename(&self) -> String {
        format!("{}.csv", self.object.plural())
    }

    /// The next piece of the file (the header first), or `None` at the end.
    pub async fn next_chunk(&mut self) -> AppResult<Option<String>> {
        if self.done {
            return Ok(None);
        }
        let mut out = String::new();
        if !self.header_sent {
            self.header_sent = true;
            out.push_str(&row(&self.header()));
        }
        let db = self.app.db();
        let scope = self.actor.scope();
        let req = request(&self.actor, &self.resolved);
        let next = match self.object {
            RecordType::Contact => {
                let page = query::list_contacts(db, scope, &req)
                    .await
                    .map_err(query_error)?;
                page.items
                    .iter()
                    .for_each(|r| out.push_str(&row(&self.contact(r))));
                page.next_cursor
            }
            RecordType::Company => {
                let page = query::list_companies(db, scope, &req)
                    .await
                    .map_err(query_error)?;
                page.items
                    .iter()
                    .for_each(|r| out.push_str(&row(&self.company(r))));
                page.next_cursor
            }
            RecordType::Deal => {
                let page = query::list_deals(db, scope, &req)
                    .await
                    .map_err(query_error)?;
                page.items
                    .iter()
                    .for_each(|r| out.push_str(&row(&self.deal(r))));
                page.next_cursor
            }
        };
        match next {
            Some(c) => {
                let sort = self.resolved.page.sort;
                self.resolved.page.after = Some(Cursor::decode(&c, &sort).map_err(query_error)?);
            }
            None => self.done = true,
        }
        Ok(Some(out))
    }

    fn header(&self) -> Vec<String> {
        let fixed: &[&str] = match self.object {
            RecordType::Contact => &[
                "id",
                "name",
                "first_name",
                "last_name",
                "email",
                "phone",
                "title",
                "company",
                "owner",
                "lifecycle_stage",
                "source",
                "tags",
                "created_at",
                "updated_at",
            ],
            RecordType::Company => &[
                "id",
                "name",
                "domain",
                "industry",
                "size",
                "country",
                "city",
                "owner",
                "contacts",
                "created_at",
                "updated_at",
            ],
            RecordType::Deal => &[
                "id",
                "title",
                "amount",
                "currency",
                "pipeline",
                "stage",
                "status",
                "owner",
                "company",
                "expected_close_on",
                "created_at",
                "updated_at",
            ],
        };
        fixed
            .iter()
            .map(|s| (*s).to_owned())
            .chain(
                self.customs
                    .iter()
                    .map(|d| format!("custom.{}", d.key.as_str())),
            )
            .collect()
    }

    fn customs(&self, custom: &serde_json::Value) -> impl Iterator<Item = String> + '_ {
        let custom = custom.clone();
        self.customs
            .iter()
            .map(move |d| custom_cell(d, custom.get(d.key.as_str())))
    }

    fn contact(&self, r: &ContactRow) -> Vec<String> {
        let mut cells = vec![
            r.id.to_string(),
            r.name.clone(),
            r.first_name.clone(),
            r.last_name.clone(),
            opt(&r.email),
            opt(&r.phone),
            opt(&r.title),
            opt(&r.company_name),
            opt(&r.owner_name),
            r.lifecycle_stage.clone(),
            opt(&r.source),
            r.tags.join("; "),
            r.created_at.to_rfc3339(),
            r.updated_at.to_rfc3339(),
        ];
        cells.extend(self.customs(&r.custom));
        cells
    }

    fn company(&self, r: &CompanyRow) -> Vec<String> {
        let mut cells = vec![
            r.id.to_string(),
            r.name.clone(),
            opt(&r.domain),
            opt(&r.industry),
            opt(&r.size),
            opt(&r.country),
            opt(&r.city),
            opt(&r.owner_name),
            r.contact_count.to_string(),
            r.created_at.to_rfc3339(),
            r.updated_at.to_rfc3339(),
        ];
        cells.extend(self.customs(&r.custom));
        cells
    }

    fn deal(&self, r: &DealRow) -> Vec<String> {
        let amount = r
            .amount_minor
            .map(|m| decimal(m, &r.currency))
            .unwrap_or_default();
        let mut cells = vec![
            r.id.to_string(),
            r.title.clone(),
            amount,
            r.currency.clone(),
            opt(&r.pipeline_name),
            opt(&r.stage_name),
            r.status.clone(),
            opt(&r.owner_name),
            opt(&r.company_name),
            r.expected_close_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            r.created_at.to_rfc3339(),
            r.updated_at.to_rfc3339(),
        ];
        cells.extend(self.customs(&r.custom));
        cells
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// Minor units as a decimal in the currency's digits (`123456`, EUR → `1234.56`).
pub fn decimal(minor: i64, currency: &str) -> String {
    let digits = Currency::parse(currency).map_or(2, |c| c.minor_digits());
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale as u64,
        abs % scale as u64,
        width = digits as usize
    )
}

/// A custom value as a cell: text as is, currency in major units, lists joined with `; `.
pub fn custom_cell(def: &CustomDef, v: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if def.field_type == FieldType::Currency => match n.as_i64() {
            Some(m) => decimal(m, def.currency.as_deref().unwrap_or("")),
            None => n.to_string(),
        },
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}
