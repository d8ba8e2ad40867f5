//! The roles page: the permission matrix of the built-in roles (read-only) beside the org's
//! custom roles, and the form that defines or redefines a custom role.

use super::{
    BUILT_IN, CsrfOnly, Fields, FormProblem, done, form_problem, parse_id, role_label, tr_of,
};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::labels::{area_label, permission_label};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::identity::roles::RoleInput;
use rapport_domain::{Permission, PermissionSet, RoleId};

/// A column of the matrix.
pub struct Column {
    label: String,
    custom: bool,
}

/// A row of the matrix: one permission and whether each column grants it.
pub struct MatrixRow {
    name: &'static str,
    label: String,
    cells: Vec<bool>,
}

/// The rows of one permission area.
pub struct MatrixArea {
    label: String,
    rows: Vec<MatrixRow>,
}

/// A custom role in the list.
pub struct CustomRole {
    id: String,
    name: String,
    description: String,
    permissions: usize,
    holders: usize,
    created: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_roles.html")]
pub struct RolesPage {
    page: PageCtx,
    columns: Vec<Column>,
    areas: Vec<MatrixArea>,
    custom: Vec<CustomRole>,
    errors: Vec<String>,
}

/// One checkbox of the role form.
pub struct PermCheck {
    name: &'static str,
    label: String,
    checked: bool,
    /// The editor holds it (nobody grants what they lack).
    grantable: bool,
}

/// One area of checkboxes.
pub struct PermGroup {
    label: String,
    perms: Vec<PermCheck>,
}

/// The create/edit form.
#[derive(Template, WebTemplate)]
#[template(path = "admin_role_form.html")]
pub struct RoleFormPage {
    page: PageCtx,
    /// The role's id when editing.
    editing: Option<String>,
    name: String,
    description: String,
    groups: Vec<PermGroup>,
    errors: Vec<String>,
    field_errors: Vec<&'static str>,
}

impl RoleFormPage {
    /// Whether `field` is in error.
    pub fn has_error(&self, field: &str) -> bool {
        self.field_errors.contains(&field)
    }
}

/// The permission areas in display order.
fn areas() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in Permission::ALL {
        if !out.contains(&p.area()) {
            out.push(p.area());
        }
    }
    out
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    problem: FormProblem,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let roles = state.app.roles(actor).await?;
        let members = state.app.members(actor).await?;
        let (jar, page) = app_page(state, info, "roles", jar).await?;
        Ok::<_, AppError>((jar, page, roles, members))
    }
    .await;
    let (jar, page, roles, members) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let tr = &page.tr;
    let mut sets: Vec<PermissionSet> = BUILT_IN.iter().map(|r| r.permissions()).collect();
    let mut columns: Vec<Column> = BUILT_IN
        .iter()
        .map(|r| Column {
            label: role_label(tr, *r),
            custom: false,
        })
        .collect();
    for r in &roles {
        sets.push(r.permissions);
        columns.push(Column {
            label: r.name.clone(),
            custom: true,
        });
    }
    let areas = areas()
        .into_iter()
        .map(|area| MatrixArea {
            label: area_label(tr, area),
            rows: Permission::ALL
                .iter()
                .filter(|p| p.area() == area)
                .map(|p| MatrixRow {
                    name: p.as_str(),
                    label: permission_label(tr, *p),
                    cells: sets.iter().map(|s| s.contains(*p)).collect(),
                })
                .collect(),
        })
        .collect();
    let custom = roles
        .into_iter()
        .map(|r| CustomRole {
            id: r.id.to_string(),
            holders: members
                .iter()
                .filter(|m| {
                    m.access
                        .custom_role
                        .as_ref()
                        .is_some_and(|(id, _)| *id == r.id)
                })
                .count(),
            permissions: r.permissions.len(),
            created: tr.date(&r.created_at),
            name: r.name,
            description: r.description,
        })
        .collect();
    let status = problem.status();
    let page_out = RolesPage {
        page,
        columns,
        areas,
        custom,
        errors: problem.messages,
    };
    (status, jar, page_out).into_response()
}

/// `GET /admin/roles`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, &info, jar, FormProblem::default()).await
}

/// The form's values.
struct FormValues {
    editing: Option<RoleId>,
    name: String,
    description: String,
    permissions: PermissionSet,
}

async fn render_form(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    values: FormValues,
    problem: FormProblem,
) -> Response {
    // Reading the role list is this form's permission check (and finds the role to edit).
    let roles = match state.app.roles(&info.actor).await {
        Ok(roles) => roles,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let (jar, page) = match app_page(state, info, "roles", jar).await {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let (name, description, permissions) = match values.editing {
        Some(id) if problem.status.is_none() => match roles.into_iter().find(|r| r.id == id) {
            Some(r) => (r.name, r.description, r.permissions),
            None => return pages::not_found(state, headers),
        },
        _ => (values.name, values.description, values.permissions),
    };
    let tr = &page.tr;
    let groups = areas()
        .into_iter()
        .map(|area| PermGroup {
            label: area_label(tr, area),
            perms: Permission::ALL
                .iter()
                .filter(|p| p.area() == area)
                .map(|p| PermCheck {
                    name: p.as_str(),
                    label: permission_label(tr, *p),
                    checked: permissions.contains(*p),
                    grantable: info.actor.can(*p),
                })
                .collect(),
        })
        .collect();
    let status = problem.status();
    let form = RoleFormPage {
        page,
        editing: values.editing.map(|id| id.to_string()),
        name,
        description,
        groups,
        errors: problem.messages,
        field_errors: problem.fields,
    };
    (status, jar, form).into_response()
}

/// `GET /admin/roles/new`.
pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    let values = FormValues {
        editing: None,
        name: String::new(),
        description: String::new(),
        permissions: PermissionSet::empty(),
    };
    render_form(&state, &headers, &info, jar, values, FormProblem::default()).await
}

/// `GET /admin/roles/{id}/edit`.
pub async fn edit_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id::<RoleId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let values = FormValues {
        editing: Some(id),
        name: String::new(),
        description: String::new(),
        permissions: PermissionSet::empty(),
    };
    render_form(&state, &headers, &info, jar, values, FormProblem::default()).await
}

/// `POST /admin/roles`: name, description, any number of `permissions`.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Response {
    save(&state, &headers, &info, jar, None, Fields(fields)).await
}

/// `POST /admin/roles/{id}`: as for create.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Response {
    let Some(id) = parse_id::<RoleId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    save(&state, &headers, &info, jar, Some(id), Fields(fields)).await
}

async fn save(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    editing: Option<RoleId>,
    form: Fields,
) -> Response {
    if !csrf_ok(form.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(state, headers);
    }
    let input = RoleInput {
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
        permissions: form.all("permissions"),
    };
    let result = match editing {
        Some(id) => state.app.update_role(&info.actor, id, input.clone()).await,
        None => state.app.create_role(&info.actor, input.clone()).await,
    };
    let err = match result {
        Ok(_) if editing.is_some() => return done(state, jar, "role_updated", "/admin/roles"),
        Ok(_) => return done(state, jar, "role_created", "/admin/roles"),
        Err(err) => err,
    };
    match form_problem(&tr_of(state, info), err) {
        Ok(problem) => {
            let values = FormValues {
                editing,
                name: input.name,
                description: input.description,
                permissions: input
                    .permissions
                    .iter()
                    .filter_map(|p| Permission::parse(p))
                    .collect(),
            };
            render_form(state, headers, info, jar, values, problem).await
        }
        Err(err) => pages::from_app_error(state, headers, err),
    }
}

/// `POST /admin/roles/{id}/delete`.
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
    let Some(id) = parse_id::<RoleId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_role(&info.actor, id).await {
        Ok(()) => done(&state, jar, "role_deleted", "/admin/roles"),
        Err(err) => match form_problem(&tr_of(&state, &info), err) {
            Ok(problem) => render(&state, &headers, &info, jar, problem).await,
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}
