//! `/contacts/duplicates` (likely duplicate pairs with the reason) and `/contacts/merge?a=&b=`
//! (both contacts side by side, a choice per field, then the merge).

use crate::state::WebState;
use crate::ui::admin::done;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::crm::merge::Side;
use rapport_app::records::ContactSummary;
use rapport_domain::ContactId;
use serde::Deserialize;
use std::collections::HashMap;

/// One side of a pair, preformatted.
pub struct Person {
    id: String,
    name: String,
    email: String,
    phone: String,
    company: String,
}

impl From<&ContactSummary> for Person {
    fn from(c: &ContactSummary) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.display_name.clone(),
            email: c.primary_email.clone().unwrap_or_default(),
            phone: c.primary_phone.clone().unwrap_or_default(),
            company: c.company_name.clone().unwrap_or_default(),
        }
    }
}

/// One pair.
pub struct PairCard {
    a: Person,
    b: Person,
    reason: String,
}

impl PairCard {
    /// Both people, for the template's loop.
    pub fn people(&self) -> [&Person; 2] {
        [&self.a, &self.b]
    }
}

/// The duplicates page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_duplicates.html")]
pub struct DuplicatesPage {
    page: PageCtx,
    pairs: Vec<PairCard>,
}

/// One field row of the merge screen.
pub struct FieldRow {
    field: String,
    label: String,
    survivor: String,
    merged: String,
    merged_wins: bool,
}

/// The merge screen.
#[derive(Template, WebTemplate)]
#[template(path = "crm_merge.html")]
pub struct MergePage {
    page: PageCtx,
    survivor: Person,
    merged: Person,
    fields: Vec<FieldRow>,
    emails: String,
    phones: String,
    tags: String,
}

/// `GET /contacts/duplicates`.
pub async fn duplicates(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    jar: CookieJar,
) -> Response {
    let loaded = async {
        let pairs = state.app.contact_duplicates(&info.actor).await?;
        let (jar, page) = app_page(&state, &info, "crm_duplicates", jar).await?;
        Ok::<_, AppError>((jar, page, pairs))
    }
    .await;
    let (jar, page, pairs) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let pairs = pairs
        .iter()
        .map(|p| {
            let kind = serde_json::to_value(p.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            PairCard {
                a: (&p.a).into(),
                b: (&p.b).into(),
                reason: page.tr.tf(
                    &format!("crm_import.dup.{kind}"),
                    &[("detail", p.detail.as_str())],
                ),
            }
        })
        .collect();
    (jar, DuplicatesPage { page, pairs }).into_response()
}

/// `?a=&b=`.
#[derive(Debug, Deserialize)]
pub struct PairQuery {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
}

fn ids(a: &str, b: &str) -> Option<(ContactId, ContactId)> {
    let a = a.trim().parse::<uuid::Uuid>().ok()?;
    let b = b.trim().parse::<uuid::Uuid>().ok()?;
    Some((ContactId::from_uuid(a), ContactId::from_uuid(b)))
}

/// `GET /contacts/merge?a=&b=`: `a` stays, `b` is merged into it.
pub async fn merge_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    jar: CookieJar,
    Query(q): Query<PairQuery>,
) -> Response {
    let Some((a, b)) = ids(&q.a, &q.b) else {
        return pages::not_found(&state, &headers);
    };
    let loaded = async {
        let preview = state.app.merge_preview(&info.actor, a, b).await?;
        let (jar, page) = app_page(&state, &info, "crm_duplicates", jar).await?;
        Ok::<_, AppError>((jar, page, preview))
    }
    .await;
    let (jar, page, preview) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let union = |f: fn(&ContactSummary) -> &Vec<String>| {
        let mut all: Vec<String> = f(&preview.survivor).clone();
        all.extend(
            f(&preview.merged)
                .iter()
                .filter(|v| !f(&preview.survivor).contains(v))
                .cloned(),
        );
        all.join(", ")
    };
    let fields = preview
        .fields
        .iter()
        .filter(|f| f.survivor != f.merged)
        .map(|f| FieldRow {
            label: match f.field.strip_prefix("custom.") {
                Some(key) => key.to_owned(),
                None => page.tr.t(&format!("crm_import.field.{}", f.field)),
            },
            field: f.field.clone(),
            survivor: f.survivor.clone(),
            merged: f.merged.clone(),
            merged_wins: f.default == Side::Merged,
        })
        .collect();
    let view = MergePage {
        survivor: (&preview.survivor).into(),
        merged: (&preview.merged).into(),
        fields,
        emails: union(|c| &c.emails),
        phones: union(|c| &c.phones),
        tags: union(|c| &c.tags),
        page,
    };
    (jar, view).into_response()
}

/// `POST /contacts/merge`: `survivor`, `merged`, and `f.<field>` = `survivor` | `merged`.
pub async fn merge_submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    jar: CookieJar,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Response {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if !csrf_ok(get("_csrf"), &info.csrf_token) {
        return pages::bad_form(&state, &headers, StatusCode::FORBIDDEN);
    }
    let Some((survivor, merged)) = ids(get("survivor"), get("merged")) else {
        return pages::not_found(&state, &headers);
    };
    let picks: HashMap<String, Side> = fields
        .iter()
        .filter_map(|(k, v)| {
            let side = match v.as_str() {
                "merged" => Side::Merged,
                _ => Side::Survivor,
            };
            Some((k.strip_prefix("f.")?.to_owned(), side))
        })
        .collect();
    match state
        .app
        .merge_contacts(&info.actor, survivor, merged, &picks)
        .await
    {
        Ok(_) => done(&state, jar, "contacts_merged", "/contacts/duplicates"),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
