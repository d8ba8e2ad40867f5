//! The contact detail page (`/contacts/{id}`): header, properties, the timeline column (filled
//! by the timeline partial) and linked companies; and deleting a contact.

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
use rapport_domain::ContactId;
use rapport_domain::crm::RecordType;

/// A phone as shown.
pub struct PhoneView {
    e164: String,
    raw: String,
    label: String,
    primary: bool,
}

/// A linked company as shown.
pub struct CompanyView {
    id: String,
    name: String,
    initials: String,
    domain: String,
    role: String,
    primary: bool,
}

/// A social handle: network, handle and link (when it is an address).
pub struct SocialView {
    network: String,
    value: String,
    href: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_contact.html")]
pub struct ContactPage {
    page: PageCtx,
    id: String,
    name: String,
    initials: String,
    title: String,
    avatar_url: String,
    stage: String,
    stage_key: String,
    owner: String,
    company: Option<(String, String)>,
    emails: Vec<(String, bool)>,
    phones: Vec<PhoneView>,
    identities: Vec<(String, String)>,
    tags: Vec<String>,
    social: Vec<SocialView>,
    custom: Vec<CustomShow>,
    consent_marketing: bool,
    consent_ai: bool,
    source: String,
    created: String,
    updated: String,
    created_by: String,
    companies: Vec<CompanyView>,
    can_write: bool,
    /// May download the contact's personal-data export.
    can_export: bool,
    timeline: TimelineView,
    /// Its deals.
    deals: Vec<super::DealLine>,
}

/// `GET /contacts/{id}`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Response {
    let Some(id) = parse_id::<ContactId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let actor = &info.actor;
    let loaded = async {
        let c = state.app.contact(actor, id).await?;
        let companies = state.app.contact_companies(actor, &c).await?;
        let ctx = RecordContext::load(
            &state,
            actor,
            (RecordType::Contact, id.as_uuid()),
            &q,
            &format!("/contacts/{id}"),
        )
        .await?;
        let (jar, page) = app_page(&state, &info, "contacts", jar).await?;
        Ok::<_, AppError>((jar, page, c, companies, ctx))
    }
    .await;
    let (jar, page, c, companies, ctx) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let d = &c.data;
    let primary = d.primary_company();
    let body = ContactPage {
        id: c.id.to_string(),
        initials: initials(&c.display_name),
        name: c.display_name.clone(),
        title: d.title.clone().unwrap_or_default(),
        avatar_url: d.avatar_url.clone().unwrap_or_default(),
        stage: page.tr.t(&format!(
            "crm_records.stages.{}",
            d.lifecycle_stage.as_str()
        )),
        stage_key: d.lifecycle_stage.as_str().to_owned(),
        owner: ctx.member_name(d.owner_id),
        company: primary.and_then(|p| {
            companies
                .iter()
                .find(|x| x.id == p)
                .map(|x| (x.id.to_string(), x.data.name.clone()))
        }),
        emails: d
            .emails
            .iter()
            .map(|e| (e.email.clone(), e.is_primary))
            .collect(),
        phones: d
            .phones
            .iter()
            .map(|p| PhoneView {
                e164: p.e164.clone(),
                raw: p.raw.clone(),
                label: p.label.clone().unwrap_or_default(),
                primary: p.is_primary,
            })
            .collect(),
        identities: d
            .identities
            .iter()
            .map(|i| (i.channel.clone(), i.identifier.clone()))
            .collect(),
        tags: d.tags.clone(),
        social: d
            .social
            .iter()
            .map(|(k, v)| {
                let value = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                let lower = value.to_ascii_lowercase();
                let href = if lower.starts_with("https://") || lower.starts_with("http://") {
                    value.clone()
                } else {
                    String::new()
                };
                // Networks the API added beyond the form's show under their own name.
                let key = format!("crm_records.social.{k}");
                let label = page.tr.t(&key);
                SocialView {
                    network: if label == key { k.clone() } else { label },
                    value,
                    href,
                }
            })
            .collect(),
        custom: custom_shown(&page.tr, &ctx.defs, &d.custom),
        consent_marketing: d.consent_marketing,
        consent_ai: d.consent_ai,
        source: d.source.clone().unwrap_or_default(),
        created: page.tr.datetime(&c.created_at),
        updated: page.tr.datetime(&c.updated_at),
        created_by: ctx.member_name(c.created_by),
        companies: d
            .companies
            .iter()
            .filter_map(|l| {
                let x = companies.iter().find(|x| x.id == l.company_id)?;
                Some(CompanyView {
                    id: x.id.to_string(),
                    initials: initials(&x.data.name),
                    name: x.data.name.clone(),
                    domain: x.data.domains.first().cloned().unwrap_or_default(),
                    role: l.role.clone().unwrap_or_default(),
                    primary: l.is_primary,
                })
            })
            .collect(),
        can_write: page.can("contacts.write"),
        can_export: page.can("privacy.manage"),
        timeline: ctx.timeline,
        deals: super::deal_lines(&page.tr, ctx.deals),
        page,
    };
    (jar, body).into_response()
}

/// `POST /contacts/{id}/delete`.
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
    let Some(id) = parse_id::<ContactId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_contact(&info.actor, id).await {
        Ok(()) => done(&state, jar, "crm_contact_deleted", "/contacts"),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
