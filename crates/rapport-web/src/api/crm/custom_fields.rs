//! `/api/v1/custom-fields`: the fields an org adds to contacts, companies and deals.

use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::crm::custom_fields::{FieldChange, NewField, OptionInput};
use rapport_app::records::CustomFieldRecord;
use rapport_domain::CustomFieldId;
use rapport_domain::crm::{FieldType, RecordType, SelectOption};
use serde::{Deserialize, Serialize};

/// A custom field.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomField {
    /// Id.
    pub id: uuid::Uuid,
    /// `contact`, `company` or `deal`.
    pub object_type: RecordType,
    /// Key in the records' `custom` object.
    pub key: String,
    /// Shown label.
    pub label: String,
    /// Value type.
    pub field_type: FieldType,
    /// Choices (select and multi-select).
    pub options: Vec<SelectOption>,
    /// ISO currency (currency fields; values are integers of minor units).
    pub currency: Option<String>,
    /// A new record must have a value.
    pub required: bool,
    /// Lists may filter on it.
    pub filterable: bool,
    /// Order in forms.
    pub position: i32,
    /// Defined at.
    pub created_at: DateTime<Utc>,
}

impl From<CustomFieldRecord> for CustomField {
    fn from(f: CustomFieldRecord) -> Self {
        Self {
            id: f.id.as_uuid(),
            object_type: f.object_type,
            key: f.key.as_str().to_owned(),
            label: f.label,
            field_type: f.field_type,
            options: f.options,
            currency: f.currency.map(String::from),
            required: f.required,
            filterable: f.filterable,
            position: f.position,
            created_at: f.created_at,
        }
    }
}

/// Custom fields.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomFieldList {
    /// By record type, then position.
    pub items: Vec<CustomField>,
    /// Always null (an org's fields are one page).
    pub next_cursor: Option<String>,
}

/// Filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FieldFilter {
    /// Only fields of `contact`, `company` or `deal`.
    pub object_type: Option<String>,
}

/// One option as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionBody {
    /// Stored value (derived from the label when absent).
    #[serde(default)]
    pub value: Option<String>,
    /// Shown label.
    pub label: String,
}

fn options(list: Vec<OptionBody>) -> Vec<OptionInput> {
    list.into_iter()
        .map(|o| OptionInput {
            value: o.value,
            label: o.label,
        })
        .collect()
}

/// A field to define.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateField {
    /// `contact`, `company` or `deal`.
    pub object_type: String,
    /// Shown label.
    pub label: String,
    /// Key (`[a-z][a-z0-9_]*`, at most 40); derived from the label when absent.
    #[serde(default)]
    pub key: Option<String>,
    /// `text`, `number`, `currency`, `date`, `select`, `multi_select`, `boolean`, `url`,
    /// `email` or `phone`.
    pub field_type: String,
    /// Choices (select and multi-select).
    #[serde(default)]
    pub options: Vec<OptionBody>,
    /// ISO currency (currency fields).
    #[serde(default)]
    pub currency: Option<String>,
    /// Required on create.
    #[serde(default)]
    pub required: bool,
    /// Filterable in lists (creates an index).
    #[serde(default)]
    pub filterable: bool,
}

/// Changes to a field (its key and type never change).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateField {
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
    /// Choices (replaces the list).
    #[serde(default)]
    pub options: Option<Vec<OptionBody>>,
    /// ISO currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Required.
    #[serde(default)]
    pub required: Option<bool>,
    /// Filterable.
    #[serde(default)]
    pub filterable: Option<bool>,
    /// Position in forms.
    #[serde(default)]
    pub position: Option<i32>,
}

/// Lists the org's custom fields.
#[utoipa::path(get, path = "/custom-fields", tag = "custom-fields", params(FieldFilter), responses(
    (status = 200, description = "Fields", body = CustomFieldList),
    (status = 422, description = "Unknown record type", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_custom_fields(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(filter): ApiQuery<FieldFilter>,
) -> Result<Json<CustomFieldList>, ApiError> {
    let object_type = match filter.object_type.as_deref() {
        None | Some("") => None,
        Some(t) => Some(RecordType::parse(t).ok_or_else(|| {
            ApiError::validation(vec![FieldError {
                field: "object_type".into(),
                message: "use contact, company or deal".into(),
            }])
        })?),
    };
    let items = state.app.custom_fields(&actor, object_type).await?;
    Ok(Json(CustomFieldList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Defines a custom field (needs `settings.manage`).
#[utoipa::path(post, path = "/custom-fields", tag = "custom-fields", request_body = CreateField, responses(
    (status = 201, description = "Created", body = CustomField),
    (status = 403, description = "Needs settings.manage", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Key taken on this record type", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_custom_field(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreateField>,
) -> Result<(StatusCode, Json<CustomField>), ApiError> {
    let new = NewField {
        object_type: body.object_type,
        label: body.label,
        key: body.key,
        field_type: body.field_type,
        options: options(body.options),
        currency: body.currency,
        required: body.required,
        filterable: body.filterable,
    };
    let field = state.app.create_custom_field(&actor, &new).await?;
    Ok((StatusCode::CREATED, Json(field.into())))
}

/// Changes a custom field (needs `settings.manage`).
#[utoipa::path(patch, path = "/custom-fields/{id}", tag = "custom-fields", request_body = UpdateField,
    params(("id" = uuid::Uuid, Path, description = "Field id")),
    responses(
        (status = 200, description = "The changed field", body = CustomField),
        (status = 404, description = "No such field in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_custom_field(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(body): ApiJson<UpdateField>,
) -> Result<Json<CustomField>, ApiError> {
    let change = FieldChange {
        label: body.label,
        options: body.options.map(options),
        currency: body.currency,
        required: body.required,
        filterable: body.filterable,
        position: body.position,
    };
    let field = state
        .app
        .update_custom_field(&actor, CustomFieldId::from_uuid(id), &change)
        .await?;
    Ok(Json(field.into()))
}

/// Deletes a custom field and its values on every record (needs `settings.manage`).
#[utoipa::path(delete, path = "/custom-fields/{id}", tag = "custom-fields",
    params(("id" = uuid::Uuid, Path, description = "Field id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such field in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_custom_field(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_custom_field(&actor, CustomFieldId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
