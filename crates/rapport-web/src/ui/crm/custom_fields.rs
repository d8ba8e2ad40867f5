//! The custom-fields admin page (`/admin/custom-fields?type=contact`): per record type, add,
//! edit and delete fields; select options are edited one per line.

use super::{Pick, Problems, problems};
use crate::state::WebState;
use crate::ui::admin::{CsrfOnly, Fields, done, parse_id, tr_of};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::crm::custom_fields::{FieldChange, NewField, OptionInput};
use rapport_app::records::CustomFieldRecord;
use rapport_domain::crm::{FieldType, RecordType};
use rapport_domain::{CustomFieldId, Permission};
use serde::Deserialize;

/// One field, preformatted.
pub struct FieldRow {
    id: String,
    label: String,
    key: String,
    kind: String,
    kind_key: &'static str,
    options_text: String,
    options_summary: String,
    currency: String,
    required: bool,
    filterable: bool,
}

/// What the add form shows back after a refusal.
#[derive(Debug, Default)]
pub struct AddEcho {
    label: String,
    key: String,
    kind: String,
    options: String,
    currency: String,
    required: bool,
    filterable: bool,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_custom_fields.html")]
pub struct FieldsPage {
    page: PageCtx,
    object_type: &'static str,
    tabs: Vec<Pick>,
    fields: Vec<FieldRow>,
    types: Vec<Pick>,
    add: AddEcho,
    add_open: bool,
    problems: Problems,
    summary: Vec<String>,
}

impl FieldsPage {
    /// The messages for `field` of the add form ("" when none).
    pub fn err(&self, field: &str) -> String {
        if self.add_open {
            self.problems.of(field)
        } else {
            String::new()
        }
    }
}

/// `?type=`.
#[derive(Debug, Deserialize)]
pub struct TypeQuery {
    #[serde(default, rename = "type")]
    object_type: String,
}

fn record_type(raw: &str) -> RecordType {
    RecordType::parse(raw).unwrap_or(RecordType::Contact)
}

/// Options typed one per line; a line matching an existing option's label keeps its value.
fn options_from(text: &str, existing: &[rapport_domain::crm::SelectOption]) -> Vec<OptionInput> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|label| OptionInput {
            value: existing
                .iter()
                .find(|o| o.label.eq_ignore_ascii_case(label))
                .map(|o| o.value.clone()),
            label: label.to_owned(),
        })
        .collect()
}

fn row(page: &PageCtx, f: CustomFieldRecord) -> FieldRow {
    FieldRow {
        id: f.id.to_string(),
        kind: page.tr.t(&format!(
            "crm_records.field_types.{}",
            f.field_type.as_str()
        )),
        kind_key: f.field_type.as_str(),
        options_text: f
            .options
            .iter()
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        options_summary: f
            .options
            .iter()
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        currency: f.currency.map(String::from).unwrap_or_default(),
        label: f.label,
        key: f.key.as_str().to_owned(),
        required: f.required,
        filterable: f.filterable,
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    object_type: RecordType,
    add: Option<AddEcho>,
    problems: Problems,
) -> Response {
    if !info.actor.can(Permission::SettingsManage) {
        return pages::forbidden(state, headers);
    }
    let loaded = async {
        let fields = state
            .app
            .custom_fields(&info.actor, Some(object_type))
            .await?;
        let (jar, page) = app_page(state, info, "custom_fields", jar).await?;
        Ok::<_, AppError>((jar, page, fields))
    }
    .await;
    let (jar, page, fields) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let add_open = add.is_some();
    let add = add.unwrap_or_else(|| AddEcho {
        kind: "text".into(),
        ..Default::default()
    });
    let body = FieldsPage {
        tabs: RecordType::ALL
            .iter()
            .map(|t| Pick {
                value: t.as_str().to_owned(),
                label: page
                    .tr
                    .t(&format!("crm_records.custom_fields.tab_{}", t.as_str())),
                chosen: *t == object_type,
            })
            .collect(),
        types: FieldType::ALL
            .iter()
            .map(|t| Pick {
                value: t.as_str().to_owned(),
                label: page
                    .tr
                    .t(&format!("crm_records.field_types.{}", t.as_str())),
                chosen: t.as_str() == add.kind,
            })
            .collect(),
        fields: fields.into_iter().map(|f| row(&page, f)).collect(),
        object_type: object_type.as_str(),
        summary: problems.summary(&page.tr),
        add,
        add_open,
        problems,
        page,
    };
    (body.problems.status(), jar, body).into_response()
}

/// `GET /admin/custom-fields`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(q): Query<TypeQuery>,
) -> Response {
    let t = record_type(&q.object_type);
    render(&state, &headers, &info, jar, t, None, Problems::default()).await
}

/// `POST /admin/custom-fields`: define a field.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let t = record_type(f.get("object_type"));
    let echo = AddEcho {
        label: f.get("label").to_owned(),
        key: f.get("key").to_owned(),
        kind: f.get("field_type").to_owned(),
        options: f.get("options").to_owned(),
        currency: f.get("currency").to_owned(),
        required: !f.get("required").is_empty(),
        filterable: !f.get("filterable").is_empty(),
    };
    let kind = FieldType::parse(&echo.kind);
    let has_options = matches!(kind, Some(FieldType::Select | FieldType::MultiSelect));
    let new = NewField {
        object_type: t.as_str().to_owned(),
        label: echo.label.clone(),
        key: Some(echo.key.clone()).filter(|k| !k.trim().is_empty()),
        field_type: echo.kind.clone(),
        options: if has_options {
            options_from(&echo.options, &[])
        } else {
            Vec::new()
        },
        currency: (kind == Some(FieldType::Currency)).then(|| echo.currency.clone()),
        required: echo.required,
        filterable: echo.filterable,
    };
    let back = format!("/admin/custom-fields?type={}", t.as_str());
    match state.app.create_custom_field(&info.actor, &new).await {
        Ok(_) => done(&state, jar, "crm_field_created", &back),
        Err(err) => match problems(&tr_of(&state, &info), err) {
            Ok(p) => render(&state, &headers, &info, jar, t, Some(echo), p).await,
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /admin/custom-fields/{id}`: change label, options, currency and flags.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<CustomFieldId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let before = match state.app.custom_field(&info.actor, id).await {
        Ok(b) => b,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let has_options = matches!(
        before.field_type,
        FieldType::Select | FieldType::MultiSelect
    );
    let change = FieldChange {
        label: Some(f.get("label").to_owned()),
        options: has_options.then(|| options_from(f.get("options"), &before.options)),
        currency: (before.field_type == FieldType::Currency).then(|| f.get("currency").to_owned()),
        required: Some(!f.get("required").is_empty()),
        filterable: Some(!f.get("filterable").is_empty()),
        position: None,
    };
    let t = before.object_type;
    match state
        .app
        .update_custom_field(&info.actor, id, &change)
        .await
    {
        Ok(_) => done(
            &state,
            jar,
            "crm_field_saved",
            &format!("/admin/custom-fields?type={}", t.as_str()),
        ),
        Err(err) => match problems(&tr_of(&state, &info), err) {
            Ok(p) => render(&state, &headers, &info, jar, t, None, p).await,
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /admin/custom-fields/{id}/delete`.
pub async fn delete(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<CustomFieldId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let t = match state.app.custom_field(&info.actor, id).await {
        Ok(f) => f.object_type,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    match state.app.delete_custom_field(&info.actor, id).await {
        Ok(()) => done(
            &state,
            jar,
            "crm_field_deleted",
            &format!("/admin/custom-fields?type={}", t.as_str()),
        ),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
