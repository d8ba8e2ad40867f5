//! The contact form: `/contacts/new` and `/contacts/{id}/edit`. Every field of a contact
//! (several emails, phones and identities, tags, social handles, custom fields by type,
//! consent). A refused save shows each message beside its field and keeps what was typed.

use super::{CustomInputView, Pick, Problems, custom_inputs, owner_picks, problems, stage_picks};
use crate::state::WebState;
use crate::ui::admin::{Fields, done, parse_id, tr_of};
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
use rapport_domain::crm::RecordType;
use rapport_domain::{CompanyId, ContactId};
use serde::Deserialize;

pub use super::contact_values::{ContactFormValues, NETWORKS};
/// How many companies the picker lists.
const COMPANY_CHOICES: u64 = 500;

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_contact_form.html")]
pub struct ContactFormPage {
    page: PageCtx,
    /// The contact being edited ("" for a new one).
    id: String,
    heading: String,
    v: ContactFormValues,
    stages: Vec<Pick>,
    owners: Vec<Pick>,
    companies: Vec<Pick>,
    social: Vec<(String, String, String)>,
    custom: Vec<CustomInputView>,
    problems: Problems,
    summary: Vec<String>,
}

impl ContactFormPage {
    /// The messages for `field` ("" when none).
    pub fn err(&self, field: &str) -> String {
        self.problems.of(field)
    }
}

/// `?company=` on the new form.
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    company: String,
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    id: Option<ContactId>,
    v: ContactFormValues,
    typed: Option<&Fields>,
    stored_custom: &serde_json::Map<String, serde_json::Value>,
    problems: Problems,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let defs = state
            .app
            .custom_fields(actor, Some(RecordType::Contact))
            .await?;
        let members = state.app.members(actor).await?;
        let companies = state.app.company_choices(actor, COMPANY_CHOICES).await?;
        let (jar, page) = app_page(state, info, "contacts", jar).await?;
        Ok::<_, AppError>((jar, page, defs, members, companies))
    }
    .await;
    let (jar, page, defs, members, companies) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let members: Vec<(String, String)> = members
        .into_iter()
        .map(|m| (m.user.id.to_string(), m.user.name))
        .collect();
    let mut companies: Vec<(String, String)> = companies
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    // The picker lists the first companies by name; the chosen one is always among them, or
    // saving the form would unlink it.
    if let Some(chosen) = parse_id::<CompanyId>(&v.company)
        && !companies.iter().any(|(id, _)| *id == v.company)
        && let Ok(c) = state.app.company(actor, chosen).await
    {
        companies.insert(0, (c.id.to_string(), c.data.name));
    }
    let custom = custom_inputs(
        &page.tr,
        &defs,
        stored_custom,
        typed.map(|f| f.0.as_slice()),
        &problems,
    );
    let social = NETWORKS
        .iter()
        .map(|n| {
            (
                (*n).to_owned(),
                page.tr.t(&format!("crm_records.social.{n}")),
                v.social.get(*n).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let body = ContactFormPage {
        id: id.map(|i| i.to_string()).unwrap_or_default(),
        heading: if id.is_some() {
            page.tr.tf(
                "crm_records.contacts.edit_title",
                &[("name", &format!("{} {}", v.first_name, v.last_name))],
            )
        } else {
            page.tr.t("crm_records.contacts.new_title")
        },
        stages: stage_picks(&page.tr, if v.stage.is_empty() { "lead" } else { &v.stage }),
        owners: owner_picks(&members, &v.owner),
        companies: owner_picks(&companies, &v.company),
        social,
        custom,
        summary: problems.summary(&page.tr),
        problems,
        v,
        page,
    };
    (body.problems.status(), jar, body).into_response()
}

/// `GET /contacts/new` (`?company=` preselects a company).
pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(q): Query<NewQuery>,
) -> Response {
    if !info.actor.can(rapport_domain::Permission::ContactsWrite) {
        return pages::forbidden(&state, &headers);
    }
    let v = ContactFormValues {
        stage: "lead".into(),
        consent_ai: true,
        company: parse_id::<CompanyId>(&q.company)
            .map(|c| c.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    render(
        &state,
        &headers,
        &info,
        jar,
        None,
        v,
        None,
        &Default::default(),
        Problems::default(),
    )
    .await
}

/// `GET /contacts/{id}/edit`.
pub async fn edit_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id::<ContactId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    if !info.actor.can(rapport_domain::Permission::ContactsWrite) {
        return pages::forbidden(&state, &headers);
    }
    match state.app.contact(&info.actor, id).await {
        Ok(c) => {
            let v = ContactFormValues::of(&c);
            render(
                &state,
                &headers,
                &info,
                jar,
                Some(id),
                v,
                None,
                &c.data.custom,
                Problems::default(),
            )
            .await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /contacts/new`.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    save(state, headers, jar, info, None, Fields(pairs)).await
}

/// `POST /contacts/{id}/edit`.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let Some(id) = parse_id::<ContactId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    save(state, headers, jar, info, Some(id), Fields(pairs)).await
}

async fn save(
    state: WebState,
    headers: HeaderMap,
    jar: CookieJar,
    info: SessionInfo,
    id: Option<ContactId>,
    form: Fields,
) -> Response {
    if !csrf_ok(form.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let actor = &info.actor;
    let before = match id {
        Some(id) => match state.app.contact(actor, id).await {
            Ok(c) => Some(c),
            Err(err) => return pages::from_app_error(&state, &headers, err),
        },
        None => None,
    };
    let defs = match state
        .app
        .custom_fields(actor, Some(RecordType::Contact))
        .await
    {
        Ok(d) => d,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let v = ContactFormValues::typed(&form);
    let had_company = before
        .as_ref()
        .is_some_and(|c| !c.data.companies.is_empty());
    let patch = v.patch(&form, &defs, had_company);
    let result = match id {
        Some(id) => state.app.update_contact(actor, id, &patch).await,
        None => state.app.create_contact(actor, &patch).await,
    };
    match result {
        Ok(c) => {
            let key = if id.is_some() {
                "crm_contact_saved"
            } else {
                "crm_contact_created"
            };
            done(&state, jar, key, &format!("/contacts/{}", c.id))
        }
        Err(err) => match problems(&tr_of(&state, &info), err) {
            Ok(problems) => {
                let stored = before.map(|c| c.data.custom).unwrap_or_default();
                render(
                    &state,
                    &headers,
                    &info,
                    jar,
                    id,
                    v,
                    Some(&form),
                    &stored,
                    problems,
                )
                .await
            }
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}
