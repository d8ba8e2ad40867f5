//! Custom-field definitions, the per-field expression indexes of filterable fields, and the
//! clean-up of a deleted field's values. The SQL expressions come from [`crate::custom_sql`],
//! the one place that spells them.

use crate::connect::Backend;
use crate::custom_sql::{CustomValueKind, custom_index_ddl, custom_index_name, custom_remove_sql};
use crate::entity::custom_field;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::CustomFieldId;
use rapport_domain::crm::{Currency, FieldKey, FieldType, RecordType, SelectOption};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};

/// A custom field's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomFieldRecord {
    /// Id.
    pub id: CustomFieldId,
    /// Which records carry it.
    pub object_type: RecordType,
    /// Key in the records' `custom` JSON (stable).
    pub key: FieldKey,
    /// Shown label.
    pub label: String,
    /// Value type.
    pub field_type: FieldType,
    /// Choices of a select or multi-select field.
    pub options: Vec<SelectOption>,
    /// Currency of a currency field.
    pub currency: Option<Currency>,
    /// Whether a new record must have a value.
    pub required: bool,
    /// Whether lists may filter on it (it then has an expression index).
    pub filterable: bool,
    /// Order in forms and on detail pages.
    pub position: i32,
    /// When it was defined.
    pub created_at: DateTime<Utc>,
}

/// What a definition holds besides its id and key (insert and update).
#[derive(Debug, Clone)]
pub struct FieldDefinition {
    /// Shown label.
    pub label: String,
    /// Value type (fixed after creation).
    pub field_type: FieldType,
    /// Choices.
    pub options: Vec<SelectOption>,
    /// Currency.
    pub currency: Option<Currency>,
    /// Required on create.
    pub required: bool,
    /// Filterable.
    pub filterable: bool,
    /// Order.
    pub position: i32,
}

fn decode(m: custom_field::Model) -> StoreResult<CustomFieldRecord> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("custom field {}: {what}", m.id));
    Ok(CustomFieldRecord {
        id: CustomFieldId::from_uuid(m.id),
        object_type: RecordType::parse(&m.object_type).ok_or_else(|| corrupt("object type"))?,
        key: FieldKey::parse(&m.key).map_err(|_| corrupt("key"))?,
        field_type: FieldType::parse(&m.field_type).ok_or_else(|| corrupt("type"))?,
        options: serde_json::from_value(m.options.clone()).map_err(|_| corrupt("options"))?,
        currency: match &m.currency {
            Some(c) => Some(Currency::parse(c).map_err(|_| corrupt("currency"))?),
            None => None,
        },
        label: m.label,
        required: m.required,
        filterable: m.filterable,
        position: m.position,
        created_at: m.created_at,
    })
}

/// The org's fields for one record type (or all), in form order.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    object_type: Option<RecordType>,
) -> StoreResult<Vec<CustomFieldRecord>> {
    let mut q = custom_field::Entity::find().filter(custom_field::Column::OrgId.eq(scope.uuid()));
    if let Some(t) = object_type {
        q = q.filter(custom_field::Column::ObjectType.eq(t.as_str()));
    }
    q.order_by_asc(custom_field::Column::ObjectType)
        .order_by_asc(custom_field::Column::Position)
        .order_by_asc(custom_field::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(decode)
        .collect()
}

/// One field of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CustomFieldId,
) -> StoreResult<CustomFieldRecord> {
    let m = custom_field::Entity::find()
        .filter(custom_field::Column::OrgId.eq(scope.uuid()))
        .filter(custom_field::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    decode(m)
}

fn options_json(options: &[SelectOption]) -> serde_json::Value {
    serde_json::to_value(options).unwrap_or_else(|_| serde_json::Value::Array(Vec::new()))
}

/// Defines a field. A key already used on the same record type is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    object_type: RecordType,
    key: &FieldKey,
    def: &FieldDefinition,
    now: DateTime<Utc>,
) -> StoreResult<CustomFieldId> {
    let id = CustomFieldId::new();
    let model = custom_field::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        object_type: Set(object_type.as_str().to_owned()),
        key: Set(key.as_str().to_owned()),
        label: Set(def.label.clone()),
        field_type: Set(def.field_type.as_str().to_owned()),
        options: Set(options_json(&def.options)),
        currency: Set(def.currency.map(String::from)),
        required: Set(def.required),
        filterable: Set(def.filterable),
        position: Set(def.position),
        created_at: Set(now),
        updated_at: Set(now),
    };
    custom_field::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(id)
}

/// Changes a field's label, options, currency, flags and position (its key and type stay).
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CustomFieldId,
    def: &FieldDefinition,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = custom_field::ActiveModel {
        label: Set(def.label.clone()),
        options: Set(options_json(&def.options)),
        currency: Set(def.currency.map(String::from)),
        required: Set(def.required),
        filterable: Set(def.filterable),
        position: Set(def.position),
        updated_at: Set(now),
        ..Default::default()
    };
    let res = custom_field::Entity::update_many()
        .set(model)
        .filter(custom_field::Column::OrgId.eq(scope.uuid()))
        .filter(custom_field::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a field's definition.
pub async fn delete(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: CustomFieldId,
) -> StoreResult<()> {
    let res = custom_field::Entity::delete_many()
        .filter(custom_field::Column::OrgId.eq(scope.uuid()))
        .filter(custom_field::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The next free position for a record type's fields.
pub async fn next_position(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    object_type: RecordType,
) -> StoreResult<i32> {
    let n = custom_field::Entity::find()
        .filter(custom_field::Column::OrgId.eq(scope.uuid()))
        .filter(custom_field::Column::ObjectType.eq(object_type.as_str()))
        .count(db)
        .await?;
    Ok(i32::try_from(n).unwrap_or(i32::MAX))
}

fn backend_of(db: &impl ConnectionTrait) -> Backend {
    match db.get_database_backend() {
        DbBackend::Postgres => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// The table that holds `object_type` records.
pub fn table_of(object_type: RecordType) -> &'static str {
    object_type.plural()
}

/// How values of `field_type` compare (and so which expression the index covers).
pub fn value_kind(field_type: FieldType) -> CustomValueKind {
    if field_type.is_numeric() {
        CustomValueKind::Numeric
    } else {
        CustomValueKind::Text
    }
}

/// Creates the expression index of a filterable field (idempotent).
pub async fn create_index(
    db: &impl ConnectionTrait,
    object_type: RecordType,
    key: &FieldKey,
    field_type: FieldType,
) -> StoreResult<()> {
    let (create, _) = custom_index_ddl(
        backend_of(db),
        table_of(object_type),
        key,
        value_kind(field_type),
    );
    db.execute_unprepared(&create).await?;
    Ok(())
}

/// Drops the expression index of a field that stopped being filterable, unless another org
/// still filters on a field the same index serves (same key and, on PostgreSQL, the same kind of
/// value). Index names are per table and key, not per org (one index serves every org, led by
/// `org_id`), so this check reads across orgs on purpose.
pub async fn drop_index_if_unused(
    db: &impl ConnectionTrait,
    object_type: RecordType,
    key: &FieldKey,
    field_type: FieldType,
) -> StoreResult<()> {
    let backend = backend_of(db);
    let table = table_of(object_type);
    let kind = value_kind(field_type);
    let name = custom_index_name(backend, table, key, kind);
    let others: Vec<String> = custom_field::Entity::find()
        .select_only()
        .column(custom_field::Column::FieldType)
        .filter(custom_field::Column::ObjectType.eq(object_type.as_str()))
        .filter(custom_field::Column::Key.eq(key.as_str()))
        .filter(custom_field::Column::Filterable.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let still_used = others.iter().any(|t| {
        FieldType::parse(t)
            .is_some_and(|t| custom_index_name(backend, table, key, value_kind(t)) == name)
    });
    if still_used {
        return Ok(());
    }
    let (_, drop) = custom_index_ddl(backend, table, key, kind);
    db.execute_unprepared(&drop).await?;
    Ok(())
}

/// Removes a deleted field's values from the org's records.
pub async fn remove_values(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    object_type: RecordType,
    key: &FieldKey,
) -> StoreResult<u64> {
    let backend = db.get_database_backend();
    let sql = custom_remove_sql(backend_of(db), table_of(object_type), key);
    let res = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [scope.uuid().into()],
        ))
        .await?;
    Ok(res.rows_affected())
}
