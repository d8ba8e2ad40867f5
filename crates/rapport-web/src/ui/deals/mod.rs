//! Deal pages: the kanban board (`/deals`), a deal (`/deals/{id}`), the create and edit forms,
//! and pipeline settings (`/admin/pipelines`). Forms post with `_csrf` and answer `303` with
//! a flash; refused input re-renders the form with the messages (`422`/`409`).

pub mod board;
pub mod detail;
pub mod form;
pub mod form_input;
pub mod money;
pub mod settings;

use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::admin::{FormProblem, form_problem};
use crate::ui::page::initials;
use crate::ui::routes::RouteTable;
use axum::http::StatusCode;
use rapport_app::auth::SessionInfo;
use rapport_app::{Actor, AppError};
use rapport_domain::UserId;
use std::collections::HashMap;

/// The deal routes.
pub fn table() -> RouteTable {
    RouteTable::new()
        .get("/deals", board::show)
        .post("/deals", form::create)
        .get("/deals/new", form::new_form)
        .get("/deals/{id}", detail::show)
        .post("/deals/{id}", form::update)
        .get("/deals/{id}/edit", form::edit_form)
        .post("/deals/{id}/move", detail::move_deal)
        .post("/deals/{id}/delete", detail::delete)
        .get("/admin/pipelines", settings::show)
        .post("/admin/pipelines", settings::create)
        .post("/admin/pipelines/{id}", settings::update)
        .post("/admin/pipelines/{id}/delete", settings::delete)
        .post("/admin/pipelines/{id}/stages", settings::add_stage)
        .post(
            "/admin/pipelines/{id}/stages/{stage_id}",
            settings::update_stage,
        )
        .post(
            "/admin/pipelines/{id}/stages/{stage_id}/delete",
            settings::delete_stage,
        )
}

/// Members by user id: (name, initials).
pub(crate) async fn member_names(
    state: &WebState,
    actor: &Actor,
) -> Result<HashMap<UserId, (String, String)>, AppError> {
    Ok(state
        .app
        .members(actor)
        .await?
        .into_iter()
        .map(|m| {
            let ini = initials(&m.user.name);
            (m.user.id, (m.user.name, ini))
        })
        .collect())
}

/// Like the admin pages' `form_problem`, plus run-time field names (custom fields).
pub(crate) fn deal_problem(tr: &Tr, err: AppError) -> Result<FormProblem, AppError> {
    match err {
        AppError::InvalidField { field, message } => Ok(FormProblem {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            messages: vec![format!("{field}: {message}")],
            fields: Vec::new(),
        }),
        other => form_problem(tr, other),
    }
}

/// The translator of a signed-in member.
pub(crate) fn tr_for(state: &WebState, info: &SessionInfo) -> Tr {
    crate::ui::admin::tr_of(state, info)
}

/// A date as the locale writes it (`Dec 5, 2026`).
pub(crate) fn fmt_date(tr: &Tr, d: &chrono::NaiveDate) -> String {
    d.format(&tr.t("format.date")).to_string()
}

#[cfg(test)]
mod tests {
    use crate::i18n::Catalog;

    /// The deal templates and handlers: every literal catalog key they use exists.
    const SOURCES: &[&str] = &[
        include_str!("../../../templates/deals_board.html"),
        include_str!("../../../templates/deal_detail.html"),
        include_str!("../../../templates/deal_form.html"),
        include_str!("../../../templates/admin_pipelines.html"),
        include_str!("board.rs"),
        include_str!("detail.rs"),
        include_str!("form.rs"),
        include_str!("form_input.rs"),
        include_str!("settings.rs"),
        include_str!("money.rs"),
    ];

    #[test]
    fn every_key_the_deal_pages_use_is_in_the_catalog() {
        let catalog = Catalog::load().unwrap();
        let known = catalog.keys("en");
        let mut missing = Vec::new();
        for src in SOURCES {
            for marker in [".t(\"", ".tf(\""] {
                for (at, _) in src.match_indices(marker) {
                    let rest = &src[at + marker.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if !known.iter().any(|k| k == key) {
                        missing.push(key.to_owned());
                    }
                }
            }
        }
        for prefix in ["crm_deals.status.", "crm_deals.kind."] {
            for s in ["open", "won", "lost"] {
                let key = format!("{prefix}{s}");
                if !known.contains(&key) {
                    missing.push(key);
                }
            }
        }
        assert!(missing.is_empty(), "missing catalog keys: {missing:?}");
    }
}
