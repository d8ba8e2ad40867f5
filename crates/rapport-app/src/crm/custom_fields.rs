//! Custom-field definitions (settings managers define them; everyone who reads the records
//! sees them). A filterable field gets an expression index so lists filtered on it stay fast;
//! deleting a field removes its values from every record of the org.

use super::input::Issues;
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::crm::custom_field::MAX_OPTIONS;
use rapport_domain::crm::{Currency, FieldKey, FieldType, RecordType, SelectOption};
use rapport_domain::{CustomFieldId, Permission};
use rapport_store::repo::custom_fields::{self, CustomFieldRecord, FieldDefinition};

/// One option as sent: the label, and the stored value (derived from the label when absent).
#[derive(Debug, Clone, Default)]
pub struct OptionInput {
    /// Stored value.
    pub value: Option<String>,
    /// Shown label.
    pub label: String,
}

/// A field to define.
#[derive(Debug, Clone, Default)]
pub struct NewField {
    /// `contact`, `company` or `deal`.
    pub object_type: String,
    /// Shown label.
    pub label: String,
    /// Key; derived from the label when absent.
    pub key: Option<String>,
    /// `text`, `number`, `currency`, `date`, `select`, `multi_select`, `boolean`, `url`,
    /// `email` or `phone`.
    pub field_type: String,
    /// Choices (select and multi-select).
    pub options: Vec<OptionInput>,
    /// ISO currency (currency fields).
    pub currency: Option<String>,
    /// Required on create.
    pub required: bool,
    /// Filterable in lists.
    pub filterable: bool,
}

/// Changes to a field (absent members stay). The key and type never change: stored values
/// and saved filters depend on them.
#[derive(Debug, Clone, Default)]
pub struct FieldChange {
    /// Label.
    pub label: Option<String>,
    /// Choices (replaces the list).
    pub options: Option<Vec<OptionInput>>,
    /// Currency.
    pub currency: Option<String>,
    /// Required.
    pub required: Option<bool>,
    /// Filterable.
    pub filterable: Option<bool>,
    /// Position in forms.
    pub position: Option<i32>,
}

fn option_value(label: &str) -> String {
    FieldKey::from_label(label)
        .map(|k| k.as_str().to_owned())
        .unwrap_or_else(|_| label.trim().to_lowercase())
}

fn check_options(
    issues: &mut Issues,
    field_type: FieldType,
    raw: &[OptionInput],
) -> Vec<SelectOption> {
    let is_select = matches!(field_type, FieldType::Select | FieldType::MultiSelect);
    if !is_select {
        if !raw.is_empty() {
            issues.push(
                "options",
                "only select and multi-select fields have options",
            );
        }
        return Vec::new();
    }
    if raw.is_empty() {
        issues.push("options", "add at least one option");
    }
    if raw.len() > MAX_OPTIONS {
        issues.push("options", format!("at most {MAX_OPTIONS} options"));
        return Vec::new();
    }
    let mut out: Vec<SelectOption> = Vec::new();
    for o in raw {
        let label = super::input::text(issues, "options", &o.label, 100);
        if label.is_empty() {
            issues.push("options", "every option needs a label");
            continue;
        }
        let value = match o.value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => super::input::text(issues, "options", v, 100),
            None => option_value(&label),
        };
        if out
            .iter()
            .any(|x| x.value.eq_ignore_ascii_case(&value) || x.label.eq_ignore_ascii_case(&label))
        {
            issues.push("options", format!("the option \"{label}\" is listed twice"));
            continue;
        }
        out.push(SelectOption { value, label });
    }
    out
}

fn check_currency(
    issues: &mut Issues,
    field_type: FieldType,
    raw: Option<&str>,
) -> Option<Currency> {
    let raw = raw.map(str::trim).filter(|c| !c.is_empty());
    match (field_type, raw) {
        (FieldType::Currency, None) => {
            issues.push("currency", "a currency field needs a currency (EUR, USD …)");
            None
        }
        (FieldType::Currency, Some(c)) => issues.check("currency", Currency::parse(c)),
        (_, Some(_)) => {
            issues.push("currency", "only currency fields have a currency");
            None
        }
        (_, None) => None,
    }
}

fn key_taken(e: rapport_store::StoreError) -> AppError {
    match e {
        rapport_store::StoreError::Conflict(_) => AppError::Conflict(
            "a field with this key already exists on this record type; choose another label or key"
                .into(),
        ),
        other => other.into(),
    }
}

fn read_permission(t: RecordType) -> Permission {
    match t {
        RecordType::Deal => Permission::DealsRead,
        _ => Permission::ContactsRead,
    }
}

impl App {
    /// The org's custom fields, for one record type or for every type the actor may read.
    pub async fn custom_fields(
        &self,
        actor: &Actor,
        object_type: Option<RecordType>,
    ) -> AppResult<Vec<CustomFieldRecord>> {
        match object_type {
            Some(t) => actor.require(read_permission(t))?,
            None => actor.require(Permission::ContactsRead)?,
        }
        let mut all = custom_fields::list(self.db().conn(), actor.scope(), object_type).await?;
        all.retain(|f| actor.can(read_permission(f.object_type)));
        Ok(all)
    }

    /// One custom field.
    pub async fn custom_field(
        &self,
        actor: &Actor,
        id: CustomFieldId,
    ) -> AppResult<CustomFieldRecord> {
        let field = custom_fields::get(self.db().conn(), actor.scope(), id).await?;
        actor.require(read_permission(field.object_type))?;
        Ok(field)
    }

    /// Defines a custom field (needs `settings.manage`).
    pub async fn create_custom_field(
        &self,
        actor: &Actor,
        new: &NewField,
    ) -> AppResult<CustomFieldRecord> {
        actor.require(Permission::SettingsManage)?;
        let mut issues = Issues::default();
        let object_type = RecordType::parse(new.object_type.trim());
        if object_type.is_none() {
            issues.push("object_type", "use contact, company or deal");
        }
        let label = super::input::text(&mut issues, "label", &new.label, 100);
        if label.is_empty() && !issues.has("label") {
            issues.push("label", "must not be empty");
        }
        let key = match new.key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => FieldKey::parse(k).map_err(|e| e.to_string()),
            None => FieldKey::from_label(&label)
                .map_err(|_| "the label gives no usable key; set a key such as `industry`".into()),
        };
        let key = match key {
            Ok(k) => Some(k),
            Err(msg) => {
                if !label.is_empty() {
                    issues.push("key", msg);
                }
                None
            }
        };
        let field_type = FieldType::parse(new.field_type.trim());
        if field_type.is_none() {
            issues.push(
                "field_type",
                "use text, number, currency, date, select, multi_select, boolean, url, email or phone",
            );
        }
        let t = field_type.unwrap_or(FieldType::Text);
        let options = check_options(&mut issues, t, &new.options);
        let currency = check_currency(&mut issues, t, new.currency.as_deref());
        issues.finish()?;
        let (Some(object_type), Some(key), Some(field_type)) = (object_type, key, field_type)
        else {
            return Err(AppError::Internal("validated field lost a part".into()));
        };
        let now = self.clock().now();
        let scope = actor.scope();
        // Read before the transaction: it must write first (see `linking::domains_of`).
        let position = custom_fields::next_position(self.db().conn(), scope, object_type).await?;
        let txn = self.db().begin().await?;
        let def = FieldDefinition {
            label,
            field_type,
            options,
            currency,
            required: new.required,
            filterable: new.filterable,
            position,
        };
        let id = custom_fields::insert(&txn, scope, object_type, &key, &def, now)
            .await
            .map_err(key_taken)?;
        if def.filterable {
            custom_fields::create_index(&txn, object_type, &key, field_type).await?;
        }
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("custom_field.created", "custom_field", id).with(serde_json::json!({
                "object_type": object_type, "key": key.as_str(), "label": def.label,
                "type": field_type, "required": def.required, "filterable": def.filterable,
            })),
        )
        .await?;
        txn.commit().await?;
        self.db().forget_custom_defs(scope);
        Ok(custom_fields::get(self.db().conn(), scope, id).await?)
    }

    /// Changes a custom field (needs `settings.manage`). Marking it filterable creates its
    /// index; un-marking drops it.
    pub async fn update_custom_field(
        &self,
        actor: &Actor,
        id: CustomFieldId,
        change: &FieldChange,
    ) -> AppResult<CustomFieldRecord> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let before = custom_fields::get(self.db().conn(), scope, id).await?;
        let mut issues = Issues::default();
        let label = match &change.label {
            Some(l) => {
                let l = super::input::text(&mut issues, "label", l, 100);
                if l.is_empty() && !issues.has("label") {
                    issues.push("label", "must not be empty");
                }
                l
            }
            None => before.label.clone(),
        };
        let options = match &change.options {
            Some(o) => check_options(&mut issues, before.field_type, o),
            None => before.options.clone(),
        };
        let currency = match &change.currency {
            Some(c) => check_currency(&mut issues, before.field_type, Some(c)),
            None => before.currency,
        };
        issues.finish()?;
        let def = FieldDefinition {
            label,
            field_type: before.field_type,
            options,
            currency,
            required: change.required.unwrap_or(before.required),
            filterable: change.filterable.unwrap_or(before.filterable),
            position: change.position.unwrap_or(before.position),
        };
        let txn = self.db().begin().await?;
        custom_fields::update(&txn, scope, id, &def, self.clock().now()).await?;
        match (before.filterable, def.filterable) {
            (false, true) => {
                custom_fields::create_index(&txn, before.object_type, &before.key, def.field_type)
                    .await?
            }
            (true, false) => {
                custom_fields::drop_index_if_unused(
                    &txn,
                    before.object_type,
                    &before.key,
                    def.field_type,
                )
                .await?
            }
            _ => {}
        }
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("custom_field.updated", "custom_field", id).with(serde_json::json!({
                "key": before.key.as_str(),
                "label": { "from": before.label, "to": def.label },
                "required": { "from": before.required, "to": def.required },
                "filterable": { "from": before.filterable, "to": def.filterable },
            })),
        )
        .await?;
        txn.commit().await?;
        self.db().forget_custom_defs(scope);
        Ok(custom_fields::get(self.db().conn(), scope, id).await?)
    }

    /// Deletes a custom field and its values on every record (needs `settings.manage`).
    pub async fn delete_custom_field(&self, actor: &Actor, id: CustomFieldId) -> AppResult<()> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let field = custom_fields::get(self.db().conn(), scope, id).await?;
        let txn = self.db().begin().await?;
        custom_fields::delete(&txn, scope, id).await?;
        let cleared =
            custom_fields::remove_values(&txn, scope, field.object_type, &field.key).await?;
        if field.filterable {
            custom_fields::drop_index_if_unused(
                &txn,
                field.object_type,
                &field.key,
                field.field_type,
            )
            .await?;
        }
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("custom_field.deleted", "custom_field", id).with(serde_json::json!({
                "object_type": field.object_type, "key": field.key.as_str(),
                "label": field.label, "records_cleared": cleared,
            })),
        )
        .await?;
        txn.commit().await?;
        self.db().forget_custom_defs(scope);
        Ok(())
    }
}
