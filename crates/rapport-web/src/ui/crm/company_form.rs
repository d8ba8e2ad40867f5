//! The company form: `/companies/new` and `/companies/{id}/edit`. A refused save shows each
//! message beside its field and keeps what was typed.

use super::{
    CustomInputView, Pick, Problems, custom_from_form, custom_inputs, owner_picks, problems,
};
use crate::state::WebState;
use crate::ui::admin::{Fields, done, parse_id, tr_of};
use crate::ui::form::{UiForm, csrf_ok};
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
use rapport_app::crm::companies::CompanyPatch;
use rapport_app::records::CompanyRecord;
use rapport_domain::crm::RecordType;
use rapport_domain::{CompanyId, UserId};

/// Size bands the form offers.
pub const SIZES: [&str; 7] = [
    "1-10",
    "11-50",
    "51-200",
    "201-500",
    "501-1000",
    "1001-5000",
    "5000+",
];

/// Text inputs of the form: (name, max length).
const TEXTS: [(&str, usize); 8] = [
    ("name", 200),
    ("industry", 100),
    ("phone", 64),
    ("street", 200),
    ("city", 100),
    ("region", 100),
    ("postal_code", 32),
    ("country", 2),
];

/// One text input.
pub struct TextInput {
    name: &'static str,
    label: String,
    value: String,
    max: usize,
    error: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_company_form.html")]
pub struct CompanyFormPage {
    page: PageCtx,
    id: String,
    heading: String,
    texts: Vec<TextInput>,
    domains: String,
    domains_error: String,
    sizes: Vec<Pick>,
    owners: Vec<Pick>,
    owner_error: String,
    custom: Vec<CustomInputView>,
    summary: Vec<String>,
}

fn values_of(c: &CompanyRecord) -> Vec<(String, String)> {
    let d = &c.data;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        ("name".into(), d.name.clone()),
        ("industry".into(), o(&d.industry)),
        ("phone".into(), o(&d.phone)),
        ("street".into(), o(&d.street)),
        ("city".into(), o(&d.city)),
        ("region".into(), o(&d.region)),
        ("postal_code".into(), o(&d.postal_code)),
        ("country".into(), o(&d.country)),
        ("size".into(), o(&d.size)),
        (
            "owner_id".into(),
            d.owner_id.map(|u| u.to_string()).unwrap_or_default(),
        ),
        ("domains".into(), d.domains.join(", ")),
    ]
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    id: Option<CompanyId>,
    values: Fields,
    stored_custom: &serde_json::Map<String, serde_json::Value>,
    typed: bool,
    problems: Problems,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let defs = state
            .app
            .custom_fields(actor, Some(RecordType::Company))
            .await?;
        let members = state.app.members(actor).await?;
        let (jar, page) = app_page(state, info, "companies", jar).await?;
        Ok::<_, AppError>((jar, page, defs, members))
    }
    .await;
    let (jar, page, defs, members) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let members: Vec<(String, String)> = members
        .into_iter()
        .map(|m| (m.user.id.to_string(), m.user.name))
        .collect();
    let texts = TEXTS
        .iter()
        .map(|(name, max)| TextInput {
            name,
            label: page.tr.t(&format!("crm_records.fields.{name}")),
            value: values.get(name).to_owned(),
            max: *max,
            error: problems.of(name),
        })
        .collect();
    let size = values.get("size");
    let custom = custom_inputs(
        &page.tr,
        &defs,
        stored_custom,
        typed.then_some(values.0.as_slice()),
        &problems,
    );
    let body = CompanyFormPage {
        id: id.map(|i| i.to_string()).unwrap_or_default(),
        heading: if id.is_some() {
            page.tr.tf(
                "crm_records.companies.edit_title",
                &[("name", values.get("name"))],
            )
        } else {
            page.tr.t("crm_records.companies.new_title")
        },
        texts,
        domains: values.get("domains").to_owned(),
        domains_error: problems.of("domains"),
        sizes: SIZES
            .iter()
            .map(|s| Pick {
                value: (*s).to_owned(),
                label: (*s).to_owned(),
                chosen: *s == size,
            })
            .collect(),
        owners: owner_picks(&members, values.get("owner_id")),
        owner_error: problems.of("owner_id"),
        custom,
        summary: problems.summary(&page.tr),
        page,
    };
    (problems.status(), jar, body).into_response()
}

/// `GET /companies/new`.
pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    if !info.actor.can(rapport_domain::Permission::ContactsWrite) {
        return pages::forbidden(&state, &headers);
    }
    render(
        &state,
        &headers,
        &info,
        jar,
        None,
        Fields(Vec::new()),
        &Default::default(),
        false,
        Problems::default(),
    )
    .await
}

/// `GET /companies/{id}/edit`.
pub async fn edit_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id::<CompanyId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    if !info.actor.can(rapport_domain::Permission::ContactsWrite) {
        return pages::forbidden(&state, &headers);
    }
    match state.app.company(&info.actor, id).await {
        Ok(c) => {
            let values = Fields(values_of(&c));
            render(
                &state,
                &headers,
                &info,
                jar,
                Some(id),
                values,
                &c.data.custom,
                false,
                Problems::default(),
            )
            .await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /companies/new`.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    save(state, headers, jar, info, None, Fields(pairs)).await
}

/// `POST /companies/{id}/edit`.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let Some(id) = parse_id::<CompanyId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    save(state, headers, jar, info, Some(id), Fields(pairs)).await
}

async fn save(
    state: WebState,
    headers: HeaderMap,
    jar: CookieJar,
    info: SessionInfo,
    id: Option<CompanyId>,
    form: Fields,
) -> Response {
    if !csrf_ok(form.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let actor = &info.actor;
    let stored = match id {
        Some(id) => match state.app.company(actor, id).await {
            Ok(c) => c.data.custom,
            Err(err) => return pages::from_app_error(&state, &headers, err),
        },
        None => Default::default(),
    };
    let defs = match state
        .app
        .custom_fields(actor, Some(RecordType::Company))
        .await
    {
        Ok(d) => d,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let opt = |name: &str| Some(Some(form.get(name).to_owned()).filter(|s| !s.trim().is_empty()));
    let patch = CompanyPatch {
        name: Some(form.get("name").to_owned()),
        domains: Some(
            form.get("domains")
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        industry: opt("industry"),
        size: opt("size"),
        phone: opt("phone"),
        street: opt("street"),
        city: opt("city"),
        region: opt("region"),
        postal_code: opt("postal_code"),
        country: opt("country"),
        owner_id: Some(match form.get("owner_id").trim() {
            "" => None,
            raw => Some(parse_id::<UserId>(raw).unwrap_or_default()),
        }),
        custom: Some(custom_from_form(&defs, &form.0)),
    };
    let result = match id {
        Some(id) => state.app.update_company(actor, id, &patch).await,
        None => state.app.create_company(actor, &patch).await,
    };
    match result {
        Ok(c) => {
            let key = if id.is_some() {
                "crm_company_saved"
            } else {
                "crm_company_created"
            };
            done(&state, jar, key, &format!("/companies/{}", c.id))
        }
        Err(err) => match problems(&tr_of(&state, &info), err) {
            Ok(problems) => {
                render(
                    &state, &headers, &info, jar, id, form, &stored, true, problems,
                )
                .await
            }
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}
