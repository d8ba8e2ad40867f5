//! The contact import wizard: `/contacts/import` (upload; the file goes to the import API from
//! `static/crm_import.js`, since an HTML form cannot send a raw file), then
//! `/contacts/import/{id}` (map columns, preview, errors, run) and its result.

use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::crm::import::{ImportResult, ImportView, OnDuplicate, RowAction, RunInput};
use rapport_domain::ImportId;

/// Errors listed on the page (the CSV report has all).
const SHOWN_ERRORS: usize = 200;

/// The upload step.
#[derive(Template, WebTemplate)]
#[template(path = "crm_import_upload.html")]
pub struct UploadPage {
    page: PageCtx,
}

/// One `<option>`.
pub struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// One column of the mapping table.
pub struct ColumnRow {
    index: usize,
    name: String,
    samples: String,
    options: Vec<Opt>,
}

/// One previewed row.
pub struct PreviewLine {
    row: usize,
    name: String,
    email: String,
    phone: String,
    company: String,
    action: String,
    action_class: &'static str,
    errors: String,
}

/// One listed error.
pub struct ErrLine {
    row: usize,
    column: String,
    message: String,
}

/// The mapping / review / result step.
#[derive(Template, WebTemplate)]
#[template(path = "crm_import.html")]
pub struct ImportPage {
    page: PageCtx,
    id: String,
    filename: String,
    row_count: i32,
    done: bool,
    fixed_mapping: bool,
    columns: Vec<ColumnRow>,
    preview: Vec<PreviewLine>,
    errors: Vec<ErrLine>,
    error_count: usize,
    error_rows: usize,
    result: Option<ImportResult>,
    refused: bool,
    skip_invalid: bool,
    skip_duplicates: bool,
    country: String,
    problem: Option<String>,
}

async fn page_for(
    state: &WebState,
    info: &SessionInfo,
    jar: CookieJar,
) -> Result<(CookieJar, PageCtx), AppError> {
    app_page(state, info, "crm_import", jar).await
}

/// `GET /contacts/import`.
pub async fn upload_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    jar: CookieJar,
) -> Response {
    match page_for(&state, &info, jar).await {
        // Hides a step the member could not finish (the upload itself is refused by the app).
        Ok((_, page)) if !page.can("contacts.write") => pages::forbidden(&state, &headers),
        Ok((jar, page)) => (jar, UploadPage { page }).into_response(),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// The run options the form echoes back.
struct Choices {
    skip_invalid: bool,
    skip_duplicates: bool,
    country: String,
}

fn action_of(tr: &crate::i18n::Tr, a: RowAction) -> (String, &'static str) {
    let (key, class) = match a {
        RowAction::Create => ("create", "badge-done"),
        RowAction::Update => ("update", "badge-queued"),
        RowAction::Skip => ("skip", "badge-neutral"),
        RowAction::Invalid => ("invalid", "badge-dead"),
    };
    (tr.t(&format!("crm_import.action.{key}")), class)
}

fn render(
    jar: CookieJar,
    page: PageCtx,
    view: ImportView,
    run: Option<ImportResult>,
    choices: Choices,
) -> Response {
    let tr = &page.tr;
    let columns = view
        .columns
        .iter()
        .enumerate()
        .map(|(index, c)| ColumnRow {
            index,
            name: c.name.clone(),
            samples: c.samples.join(" · "),
            options: view
                .targets
                .iter()
                .map(|t| Opt {
                    label: if t.label.is_empty() {
                        tr.t(&format!("crm_import.target.{}", t.value))
                    } else {
                        tr.tf("crm_import.custom_label", &[("label", t.label.as_str())])
                    },
                    selected: t.value == c.target,
                    value: t.value.clone(),
                })
                .collect(),
        })
        .collect();
    let preview = view
        .preview
        .iter()
        .map(|p| {
            let (action, action_class) = action_of(tr, p.action);
            PreviewLine {
                row: p.row,
                name: p.display_name.clone(),
                email: p.emails.join(", "),
                phone: p.phones.join(", "),
                company: p.company.clone().unwrap_or_default(),
                action,
                action_class,
                errors: p.errors.join("; "),
            }
        })
        .collect();
    // After a run the errors are the run's (kept in the report once the file is deleted);
    // before, those of the whole file under the current mapping.
    let done = view.status != "uploaded";
    let source = if done {
        view.result.clone()
    } else {
        run.clone()
    };
    let (errors, error_count, error_rows) = match &source {
        Some(r) => (r.errors.clone(), r.error_count, r.invalid_rows),
        None => {
            let rows: std::collections::HashSet<usize> =
                view.errors.iter().map(|e| e.row).collect();
            (view.errors.clone(), view.error_count, rows.len())
        }
    };
    let refused = run
        .as_ref()
        .is_some_and(|r| r.status != "completed" && r.error_count > 0);
    let page = ImportPage {
        id: view.id.to_string(),
        filename: view.filename,
        row_count: view.row_count,
        done,
        fixed_mapping: view.format == "vcf",
        columns,
        preview,
        errors: errors
            .into_iter()
            .take(SHOWN_ERRORS)
            .map(|e| ErrLine {
                row: e.row,
                column: e.column,
                message: e.message,
            })
            .collect(),
        error_count,
        error_rows,
        result: if done { view.result } else { run },
        refused,
        skip_invalid: choices.skip_invalid,
        skip_duplicates: choices.skip_duplicates,
        country: choices.country,
        problem: view.mapping_problem,
        page,
    };
    (jar, page).into_response()
}

fn parse_import_id(raw: &str) -> Option<ImportId> {
    raw.parse::<uuid::Uuid>().ok().map(ImportId::from_uuid)
}

/// `GET /contacts/import/{id}`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_import_id(&id) else {
        return pages::not_found(&state, &headers);
    };
    let loaded = async {
        let view = state.app.get_import(&info.actor, id).await?;
        let (jar, page) = page_for(&state, &info, jar).await?;
        Ok::<_, AppError>((jar, page, view))
    }
    .await;
    match loaded {
        Ok((jar, page, view)) => {
            let choices = Choices {
                skip_invalid: false,
                skip_duplicates: false,
                country: String::new(),
            };
            render(jar, page, view, None, choices)
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /contacts/import/{id}`: `action=preview` re-maps, `action=run` imports.
pub async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    jar: CookieJar,
    Path(id): Path<String>,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Response {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if !csrf_ok(&get("_csrf").unwrap_or_default(), &info.csrf_token) {
        return pages::bad_form(&state, &headers, StatusCode::FORBIDDEN);
    }
    let Some(id) = parse_import_id(&id) else {
        return pages::not_found(&state, &headers);
    };
    let mut mapping: Vec<(usize, String)> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("map_")?.parse().ok()?, v.clone())))
        .collect();
    mapping.sort();
    let mapping: Option<Vec<String>> =
        (!mapping.is_empty()).then(|| mapping.into_iter().map(|m| m.1).collect());
    let choices = Choices {
        skip_invalid: get("skip_invalid").is_some(),
        skip_duplicates: get("on_duplicate").as_deref() == Some("skip"),
        country: get("default_country").unwrap_or_default().trim().to_owned(),
    };
    let country = Some(choices.country.clone());
    let actor = &info.actor;
    let outcome = async {
        let view = state
            .app
            .preview_import(actor, id, mapping.clone(), country.clone())
            .await?;
        if get("action").as_deref() != Some("run") || view.mapping_problem.is_some() {
            return Ok((view, None));
        }
        let input = RunInput {
            mapping,
            dry_run: false,
            skip_invalid: choices.skip_invalid,
            on_duplicate: if choices.skip_duplicates {
                OnDuplicate::Skip
            } else {
                OnDuplicate::Update
            },
            default_country: country,
        };
        let result = state.app.run_import(actor, id, input).await?;
        Ok::<_, AppError>((view, Some(result)))
    }
    .await;
    match outcome {
        Ok((_, Some(result))) if result.status == "completed" => {
            Redirect::to(&format!("/contacts/import/{}", id.as_uuid())).into_response()
        }
        Ok((view, run)) => match page_for(&state, &info, jar).await {
            Ok((jar, page)) => render(jar, page, view, run, choices),
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
        Err(AppError::InvalidInput(errors)) => {
            // A bad country code or a tampered target: show the page with the problem.
            let message = errors
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("; ");
            let loaded = async {
                let view = state.app.get_import(actor, id).await?;
                let (jar, page) = page_for(&state, &info, jar).await?;
                Ok::<_, AppError>((jar, page, view))
            }
            .await;
            match loaded {
                Ok((jar, page, mut view)) => {
                    view.mapping_problem = Some(message);
                    render(jar, page, view, None, choices)
                }
                Err(err) => pages::from_app_error(&state, &headers, err),
            }
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
