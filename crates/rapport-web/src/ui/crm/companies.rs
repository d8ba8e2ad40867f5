//! The company detail page (`/companies/{id}`): header, properties, the timeline column and
//! the company's contacts; and deleting a company.

use super::record_context::RecordContext;
use super::{CustomShow, custom_shown};
use crate::state::WebState;
use crate::ui::admin::{CsrfOnly, done, parse_id};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, initials};
use crate::ui::pages;
use crate::ui::work::{TimelineQuery, TimelineView};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_domain::CompanyId;
use rapport_domain::crm::RecordType;

/// A linked contact as shown.
pub struct PersonView {
    id: String,
    name: String,
    initials: String,
    detail: String,
    email: String,
    primary: bool,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_company.html")]
pub struct CompanyPage {
    page: PageCtx,
    id: String,
    name: String,
    initials: String,
    domains: Vec<String>,
    industry: String,
    size: String,
    phone: String,
    address: Vec<String>,
    owner: String,
    custom: Vec<CustomShow>,
    created: String,
    updated: String,
    created_by: String,
    contacts: Vec<PersonView>,
    can_write: bool,
    timeline: TimelineView,
    /// Its deals.
    deals: Vec<super::DealLine>,
}

/// `GET /companies/{id}`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Response {
    let Some(id) = parse_id::<CompanyId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let actor = &info.actor;
    let loaded = async {
        let c = state.app.company(actor, id).await?;
        let contacts = state.app.company_contacts(actor, id).await?;
        let ctx = RecordContext::load(
            &state,
            actor,
            (RecordType::Company, id.as_uuid()),
            &q,
            &format!("/companies/{id}"),
        )
        .await?;
        let (jar, page) = app_page(&state, &info, "companies", jar).await?;
        Ok::<_, AppError>((jar, page, c, contacts, ctx))
    }
    .await;
    let (jar, page, c, contacts, ctx) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let d = &c.data;
    let city_line = [d.postal_code.as_deref(), d.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let address: Vec<String> = [
        d.street.clone(),
        Some(city_line).filter(|s| !s.is_empty()),
        d.region.clone(),
        d.country.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let body = CompanyPage {
        id: c.id.to_string(),
        initials: initials(&d.name),
        name: d.name.clone(),
        domains: d.domains.clone(),
        industry: d.industry.clone().unwrap_or_default(),
        size: d.size.clone().unwrap_or_default(),
        phone: d.phone.clone().unwrap_or_default(),
        address,
        owner: ctx.member_name(d.owner_id),
        custom: custom_shown(&page.tr, &ctx.defs, &d.custom),
        created: page.tr.datetime(&c.created_at),
        updated: page.tr.datetime(&c.updated_at),
        created_by: ctx.member_name(c.created_by),
        contacts: contacts
            .into_iter()
            .map(|p| PersonView {
                id: p.id.to_string(),
                initials: initials(&p.display_name),
                detail: [p.role.clone(), p.title.clone()]
                    .into_iter()
                    .flatten()
                    .next()
                    .unwrap_or_default(),
                email: p.email.unwrap_or_default(),
                name: p.display_name,
                primary: p.is_primary,
            })
            .collect(),
        can_write: page.can("contacts.write"),
        timeline: ctx.timeline,
        deals: super::deal_lines(&page.tr, ctx.deals),
        page,
    };
    (jar, body).into_response()
}

/// `POST /companies/{id}/delete`.
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
    let Some(id) = parse_id::<CompanyId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_company(&info.actor, id).await {
        Ok(()) => done(&state, jar, "crm_company_deleted", "/companies"),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
