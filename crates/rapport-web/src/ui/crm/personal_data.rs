//! `GET /contacts/{id}/personal-data`: the contact page's "Export personal data" button, the
//! same ZIP as the API's export; a refusal is a readable page.

use crate::state::WebState;
use crate::ui::admin::parse_id;
use crate::ui::page::UiSession;
use crate::ui::pages;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rapport_domain::ContactId;

/// Downloads the contact's personal-data export (needs `privacy.manage`).
pub async fn download(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id::<ContactId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.export_contact_data(&info.actor, id).await {
        Ok(export) => crate::api::privacy::zip_download(export),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
