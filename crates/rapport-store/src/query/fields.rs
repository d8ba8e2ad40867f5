//! The filterable fields of contacts, companies and deals: built-in columns, values held in
//! child tables (emails, tags, domains), aggregates over related rows, and the org's custom
//! fields (read from `custom_fields` with one small query). The compiler turns a field and a
//! value into SQL according to its [`Kind`].

use crate::error::StoreResult;
use crate::scope::OrgScope;
use rapport_domain::crm::{FieldKey, FieldType, RecordType, SelectOption};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

/// How a built-in field is stored and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A text column (`NULL` counts as empty).
    Text(&'static str),
    /// A text column holding lowercase values (emails, domains): values are lowercased.
    LowerText(&'static str),
    /// A text column restricted to a fixed set of values.
    Choice(&'static str, &'static [&'static str]),
    /// A three-letter currency code column.
    Currency(&'static str),
    /// A user id column; the value `me` is the signed-in user.
    User(&'static str),
    /// A record id column (company).
    Ref(&'static str),
    /// A timestamp column; values are dates or RFC 3339 times.
    Time(&'static str),
    /// A date column (`YYYY-MM-DD`).
    Date(&'static str),
    /// Money in minor units; values are written in major units.
    Money(&'static str),
    /// A value in a child table: some row of `table` linked by `fk` has `col` matching.
    Child {
        /// The child table.
        table: &'static str,
        /// Its column naming the parent.
        fk: &'static str,
        /// The compared column.
        col: &'static str,
        /// Whether stored values are lowercase.
        lower: bool,
    },
    /// A number computed from related rows.
    Aggregate(Aggregate),
    /// A deal's pipeline or stage, by id or by name.
    Named(Named),
    /// Some deal linked to the contact has this status or stage, or this amount.
    LinkedDeal(DealProp),
}

/// Numbers computed from related rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Total amount of the record's open deals (major units).
    OpenDealAmount,
    /// How many deals the record has.
    DealCount,
    /// How many contacts a company has.
    ContactCount,
}

/// What a [`Kind::Named`] field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// `deals.pipeline_id` → `pipelines`.
    Pipeline,
    /// `deals.stage_id` → `pipeline_stages`.
    Stage,
}

/// A property of a linked deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealProp {
    /// `open`, `won` or `lost`.
    Status,
    /// The stage (by id or name).
    Stage,
    /// The amount (major units).
    Amount,
}

/// Deal statuses.
pub const DEAL_STATUSES: &[&str] = &["open", "won", "lost"];

/// Lifecycle stages, in funnel order.
pub const LIFECYCLE_STAGES: &[&str] = &[
    "subscriber",
    "lead",
    "marketing_qualified",
    "sales_qualified",
    "opportunity",
    "customer",
    "evangelist",
    "other",
];

/// The main table of an object type.
pub fn table_of(object: RecordType) -> &'static str {
    object.plural()
}

/// The built-in fields of `object`, in the order the filter builder lists them.
pub fn builtins(object: RecordType) -> &'static [(&'static str, Kind)] {
    use Kind::*;
    match object {
        RecordType::Contact => &[
            ("name", Text("display_name")),
            ("first_name", Text("first_name")),
            ("last_name", Text("last_name")),
            (
                "email",
                Child {
                    table: "contact_emails",
                    fk: "contact_id",
                    col: "email",
                    lower: true,
                },
            ),
            (
                "phone",
                Child {
                    table: "contact_phones",
                    fk: "contact_id",
                    col: "e164",
                    lower: false,
                },
            ),
            ("title", Text("title")),
            (
                "lifecycle_stage",
                Choice("lifecycle_stage", LIFECYCLE_STAGES),
            ),
            ("source", Text("source")),
            ("owner", User("owner_id")),
            ("company", Ref("company_id")),
            (
                "tag",
                Child {
                    table: "contact_tags",
                    fk: "contact_id",
                    col: "tag",
                    lower: false,
                },
            ),
            ("created_at", Time("created_at")),
            ("updated_at", Time("updated_at")),
            (
                "deals.open_amount",
                Aggregate(self::Aggregate::OpenDealAmount),
            ),
            ("deals.count", Aggregate(self::Aggregate::DealCount)),
            ("deals.status", LinkedDeal(DealProp::Status)),
            ("deals.stage", LinkedDeal(DealProp::Stage)),
            ("deals.amount", LinkedDeal(DealProp::Amount)),
        ],
        RecordType::Company => &[
            ("name", Text("name")),
            (
                "domain",
                Child {
                    table: "company_domains",
                    fk: "company_id",
                    col: "domain",
                    lower: true,
                },
            ),
            ("industry", Text("industry")),
            ("size", Text("size")),
            ("country", Text("country")),
            ("city", Text("city")),
            ("owner", User("owner_id")),
            ("created_at", Time("created_at")),
            ("updated_at", Time("updated_at")),
            ("contacts.count", Aggregate(self::Aggregate::ContactCount)),
            (
                "deals.open_amount",
                Aggregate(self::Aggregate::OpenDealAmount),
            ),
            ("deals.count", Aggregate(self::Aggregate::DealCount)),
        ],
        RecordType::Deal => &[
            ("title", Text("title")),
            ("pipeline", Named(self::Named::Pipeline)),
            ("stage", Named(self::Named::Stage)),
            ("status", Choice("status", DEAL_STATUSES)),
            ("amount", Money("amount_minor")),
            ("currency", Currency("currency")),
            ("expected_close_on", Date("expected_close_on")),
            ("owner", User("owner_id")),
            ("company", Ref("company_id")),
            ("created_at", Time("created_at")),
            ("updated_at", Time("updated_at")),
        ],
    }
}

/// Whether `object` can filter on its company's fields (`company.<field>`).
pub fn has_company(object: RecordType) -> bool {
    matches!(object, RecordType::Contact | RecordType::Deal)
}

/// One custom-field definition, as filters and lists need it.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomDef {
    /// The key (`custom.<key>` in filters).
    pub key: FieldKey,
    /// The label shown in lists.
    pub label: String,
    /// The type.
    pub field_type: FieldType,
    /// A currency field's currency.
    pub currency: Option<String>,
    /// Select options.
    pub options: Vec<SelectOption>,
    /// Whether the field has its expression index (lists filter it fast).
    pub filterable: bool,
}

/// The org's custom fields of `object`, in their display order. Rows whose key or type no
/// longer parse are skipped (they cannot be filtered), never an error for the whole list.
pub async fn custom_defs(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    object: RecordType,
) -> StoreResult<Vec<CustomDef>> {
    let t = Alias::new("custom_fields");
    let q = Query::select()
        .columns(
            [
                "key",
                "label",
                "field_type",
                "currency",
                "options",
                "filterable",
            ]
            .map(Alias::new),
        )
        .from(t)
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .and_where(Expr::col(Alias::new("object_type")).eq(object.as_str()))
        .order_by(Alias::new("position"), sea_orm::Order::Asc)
        .order_by(Alias::new("key"), sea_orm::Order::Asc)
        .to_owned();
    let rows = db.query_all(&q).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let key: String = r.try_get("", "key")?;
        let ty: String = r.try_get("", "field_type")?;
        let (Ok(key), Some(field_type)) = (FieldKey::parse(&key), FieldType::parse(&ty)) else {
            continue;
        };
        let options: serde_json::Value = r.try_get("", "options")?;
        let options = serde_json::from_value::<Vec<SelectOption>>(options).unwrap_or_default();
        out.push(CustomDef {
            key,
            label: r.try_get("", "label")?,
            field_type,
            currency: r.try_get("", "currency")?,
            options,
            filterable: r.try_get("", "filterable")?,
        });
    }
    Ok(out)
}
