//! The list pages `/contacts`, `/companies` and `/deals/list`: a table with a column chooser,
//! sortable headers, cursor pagination, a filter builder (static/crm_lists.js; the filter text
//! box works without JavaScript), saved segments in a sidebar, and CSV export.

use super::lists_view::{self as view, Column, ListPage, Row, SegmentLink};
use crate::state::WebState;
use crate::ui::admin::{done, parse_id};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{UiSession, app_page};
use crate::ui::pages;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::lists::ListParams;
use rapport_app::segments::{SegmentInput, parse_object};
use rapport_domain::SegmentId;
use rapport_domain::crm::RecordType;

/// The page's query parameters.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub(crate) filter: String,
    pub(crate) segment: Option<SegmentId>,
    pub(crate) sort: String,
    pub(crate) cursor: String,
    /// Cursors of the pages before this one (for "previous").
    pub(crate) trail: Vec<String>,
    pub(crate) columns: Vec<String>,
}

/// At most this many earlier pages are remembered for "previous".
const MAX_TRAIL: usize = 20;

impl Query {
    fn parse(raw: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
        let mut q = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "filter" => q.filter = v,
                "segment" => q.segment = parse_id(&v),
                "sort" => q.sort = v,
                "cursor" => q.cursor = v,
                "trail" => {
                    q.trail = v
                        .split('.')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                }
                "columns" => q.columns.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned),
                ),
                _ => {}
            }
        }
        q.trail.truncate(MAX_TRAIL);
        q.columns.truncate(rapport_app::segments::MAX_COLUMNS);
        q
    }

    /// The query string for this state with `cursor`/`trail` replaced.
    pub(crate) fn href(&self, base: &str, cursor: &str, trail: &[String]) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.filter.trim().is_empty() {
            pairs.push(("filter", self.filter.clone()));
        }
        if let Some(s) = self.segment {
            pairs.push(("segment", s.to_string()));
        }
        if !self.sort.is_empty() {
            pairs.push(("sort", self.sort.clone()));
        }
        if !self.columns.is_empty() {
            pairs.push(("columns", self.columns.join(",")));
        }
        if !cursor.is_empty() {
            pairs.push(("cursor", cursor.to_owned()));
        }
        if !trail.is_empty() {
            pairs.push(("trail", trail.join(".")));
        }
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if qs.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{qs}")
        }
    }
}

/// `/contacts`, `/companies` or `/deals/list`.
pub(crate) fn base_path(object: RecordType) -> &'static str {
    match object {
        RecordType::Contact => "/contacts",
        RecordType::Company => "/companies",
        RecordType::Deal => "/deals/list",
    }
}

async fn show(
    state: WebState,
    headers: HeaderMap,
    jar: CookieJar,
    info: SessionInfo,
    object: RecordType,
    raw: Option<String>,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let actor = &info.actor;
    let loaded = async {
        let segment = match q.segment {
            Some(id) => Some(state.app.segment(actor, id).await?),
            None => None,
        };
        let customs = state.app.list_custom_fields(actor, object).await?;
        let segments = state.app.segments(actor, Some(object)).await?;
        let (jar, page) = app_page(&state, &info, object.plural(), jar).await?;
        Ok::<_, AppError>((jar, page, segment, customs, segments))
    }
    .await;
    let (jar, page, segment, customs, segments) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let params = ListParams {
        filter: Some(q.filter.clone()),
        segment: q.segment,
        sort: Some(q.sort.clone()).filter(|s| !s.is_empty()),
        limit: Some(50),
        cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
    };
    let columns = view::chosen_columns(object, &q, segment.as_ref(), &customs);
    let result =
        view::load_rows(&state, actor, object, &params, &page.tr, &customs, &columns).await;
    let (rows, next, error, status): (Vec<Row>, Option<String>, String, StatusCode) = match result {
        Ok((rows, next)) => (rows, next, String::new(), StatusCode::OK),
        Err(AppError::InvalidFilter(msg)) => {
            (Vec::new(), None, msg, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Invalid(errs)) => (
            Vec::new(),
            None,
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let base = base_path(object);
    let next_href = next.map(|c| {
        let mut trail = q.trail.clone();
        trail.push(if q.cursor.is_empty() {
            "-".to_owned()
        } else {
            q.cursor.clone()
        });
        if trail.len() > MAX_TRAIL {
            trail.remove(0);
        }
        q.href(base, &c, &trail)
    });
    let prev_href = q.trail.last().map(|prev| {
        let cursor = if prev == "-" { "" } else { prev.as_str() };
        q.href(base, cursor, &q.trail[..q.trail.len() - 1])
    });
    let all: Vec<Column> = view::all_columns(object, &customs, &page.tr);
    let shown: Vec<Column> = columns
        .iter()
        .filter_map(|c| all.iter().find(|a| &a.key == c).cloned())
        .collect();
    let segments = segments
        .into_iter()
        .map(|s| SegmentLink {
            active: Some(s.id) == q.segment,
            href: format!("{base}?segment={}", s.id),
            mine: s.owner_id == actor.user_id,
            id: s.id.to_string(),
            name: s.name,
            shared: s.shared,
        })
        .collect();
    let body = ListPage::new(view::PageParts {
        page,
        object,
        q: q.clone(),
        segment,
        segments,
        all,
        shown,
        rows,
        error,
        next_href,
        prev_href,
        fields_json: super::lists_builder::builder_fields(object, &customs),
    });
    (status, jar, body).into_response()
}

/// `GET /contacts`.
pub async fn contacts(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    RawQuery(raw): RawQuery,
) -> Response {
    show(state, headers, jar, info, RecordType::Contact, raw).await
}

/// `GET /companies`.
pub async fn companies(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    RawQuery(raw): RawQuery,
) -> Response {
    show(state, headers, jar, info, RecordType::Company, raw).await
}

/// `GET /deals/list`.
pub async fn deals(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    RawQuery(raw): RawQuery,
) -> Response {
    show(state, headers, jar, info, RecordType::Deal, raw).await
}

/// `POST /segments`: save the current filter, sort and columns as a segment.
pub async fn save_segment(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Response {
    let form = crate::ui::admin::Fields(fields);
    if !csrf_ok(form.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let object = match parse_object(form.get("object_type")) {
        Ok(o) => o,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let input = SegmentInput {
        name: form.get("name").to_owned(),
        filter: form.get("filter").to_owned(),
        columns: form
            .get("columns")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        sort: Some(form.get("sort").to_owned()).filter(|s| !s.is_empty()),
        shared: form.get("shared") == "1",
    };
    match state.app.create_segment(&info.actor, object, &input).await {
        Ok(seg) => done(
            &state,
            jar,
            "segment_saved",
            &format!("{}?segment={}", base_path(object), seg.id),
        ),
        Err(AppError::Invalid(_) | AppError::InvalidFilter(_)) => {
            // Show the list again with the refused name or filter explained.
            let back = format!(
                "{}?{}",
                base_path(object),
                serde_urlencoded::to_string([("filter", form.get("filter"))]).unwrap_or_default()
            );
            (
                crate::ui::page::set_flash(jar, "error", "segment_invalid", state.secure_cookies),
                Redirect::to(&back),
            )
                .into_response()
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /segments/{id}/delete`.
pub async fn delete_segment(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<crate::ui::admin::CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<SegmentId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let seg = match state.app.segment(&info.actor, id).await {
        Ok(s) => s,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let object = RecordType::parse(&seg.object_type).unwrap_or(RecordType::Contact);
    match state.app.delete_segment(&info.actor, id).await {
        Ok(()) => done(&state, jar, "segment_deleted", base_path(object)),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
