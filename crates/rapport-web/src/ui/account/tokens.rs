//! `/settings/tokens`: the member's personal API tokens. Creating one shows its secret once,
//! in the response to the form (never stored, never put in a cookie); revoking redirects.

use super::permissions::{ScopeGroup, permission_label, scope_groups};
use super::{CsrfOnly, FormErrors};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, set_flash};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::auth::api_tokens::TokenRequest;
use rapport_domain::{DomainError, Permission, PermissionSet, TokenId};

/// Expiry choices: form value and label key.
const EXPIRIES: [(&str, &str); 4] = [
    ("never", "account.tokens.expiry_never"),
    ("30", "account.tokens.expiry_30"),
    ("90", "account.tokens.expiry_90"),
    ("365", "account.tokens.expiry_365"),
];

/// One expiry `<option>`.
pub struct ExpiryOption {
    value: &'static str,
    label: String,
    selected: bool,
}

/// One token, preformatted.
pub struct TokenRow {
    id: uuid::Uuid,
    name: String,
    prefix: String,
    scope_summary: String,
    scope_labels: Vec<String>,
    created: String,
    expires: String,
    last_used: String,
    status: &'static str,
    status_label: String,
    revoke_label: String,
}

/// The secret of the token just made.
pub struct NewToken {
    name: String,
    secret: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "account_tokens.html")]
pub struct TokensPage {
    page: PageCtx,
    tokens: Vec<TokenRow>,
    groups: Vec<ScopeGroup>,
    expiries: Vec<ExpiryOption>,
    name: String,
    custom: bool,
    errors: FormErrors,
    new_token: Option<NewToken>,
}

/// What the create form sent (checkboxes repeat `scopes`, so the body is read as pairs).
#[derive(Default)]
struct TokenInput {
    csrf: String,
    name: String,
    expiry: String,
    custom: bool,
    scopes: Vec<String>,
}

impl TokenInput {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut input = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "_csrf" => input.csrf = value,
                "name" => input.name = value,
                "expiry" => input.expiry = value,
                "scope_mode" => input.custom = value == "custom",
                "scopes" => input.scopes.push(value),
                _ => {}
            }
        }
        input
    }

    fn request(&self) -> Result<TokenRequest, DomainError> {
        let expires_in_days = match self.expiry.as_str() {
            "" | "never" => None,
            days => Some(days.parse::<u32>().unwrap_or(0)),
        };
        let scopes = if self.custom {
            let mut set = PermissionSet::empty();
            for name in &self.scopes {
                set.insert(Permission::parse(name).ok_or(DomainError::Invalid {
                    field: "scopes",
                    reason: "unknown permission",
                })?);
            }
            Some(set)
        } else {
            None
        };
        Ok(TokenRequest {
            name: self.name.clone(),
            scopes,
            expires_in_days,
        })
    }
}

/// `GET /settings/tokens`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    let input = TokenInput {
        expiry: "90".into(),
        ..TokenInput::default()
    };
    render(
        &state,
        &headers,
        jar,
        &info,
        StatusCode::OK,
        &input,
        Vec::new(),
        None,
    )
    .await
}

/// `POST /settings/tokens`: makes a token and shows its secret once.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let input = TokenInput::from_pairs(pairs);
    if !csrf_ok(&input.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let result = match input.request() {
        Ok(req) => state.app.create_token(&info.actor, req).await,
        Err(err) => Err(err.into()),
    };
    match result {
        Ok(made) => {
            let new = NewToken {
                name: made.record.name,
                secret: made.secret,
            };
            let fresh = TokenInput {
                expiry: "90".into(),
                ..TokenInput::default()
            };
            render(
                &state,
                &headers,
                jar,
                &info,
                StatusCode::OK,
                &fresh,
                Vec::new(),
                Some(new),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&state, &headers, jar, &info, status, &input, errors, None).await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /settings/tokens/{id}/revoke`.
pub async fn revoke(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<uuid::Uuid>,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    match state
        .app
        .revoke_token(&info.actor, TokenId::from_uuid(id))
        .await
    {
        Ok(()) => (
            set_flash(
                jar,
                "success",
                "account_token_revoked",
                state.secure_cookies,
            ),
            Redirect::to("/settings/tokens"),
        )
            .into_response(),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

#[allow(clippy::too_many_arguments)] // one call per outcome; a struct would only rename them
async fn render(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
    info: &SessionInfo,
    status: StatusCode,
    input: &TokenInput,
    errors: Vec<DomainError>,
    new_token: Option<NewToken>,
) -> Response {
    let actor = &info.actor;
    let result = async {
        let tokens = state.app.my_tokens(actor).await?;
        let (jar, page) = app_page(state, info, "tokens", jar).await?;
        Ok::<_, AppError>((jar, page, tokens))
    }
    .await;
    let (jar, page, tokens) = match result {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let tr = &page.tr;
    let now = state.app.clock().now();
    let tokens = tokens
        .into_iter()
        .map(|t| {
            let (status, key) = if t.revoked_at.is_some() {
                ("revoked", "account.tokens.status_revoked")
            } else if t.expires_at.is_some_and(|at| at <= now) {
                ("expired", "account.tokens.status_expired")
            } else {
                ("active", "account.tokens.status_active")
            };
            let scope_labels: Vec<String> =
                t.scopes.iter().map(|p| permission_label(tr, p)).collect();
            TokenRow {
                id: t.id.as_uuid(),
                prefix: format!("{}…", t.prefix),
                scope_summary: match scope_labels.as_slice() {
                    [only] => only.clone(),
                    _ => tr.tf(
                        "account.tokens.scopes_count",
                        &[("n", &scope_labels.len().to_string())],
                    ),
                },
                scope_labels,
                created: tr.date(&t.created_at),
                expires: t
                    .expires_at
                    .map_or_else(|| tr.t("account.never"), |at| tr.date(&at)),
                last_used: tr.datetime_or(&t.last_used_at, "account.never"),
                status,
                status_label: tr.t(key),
                revoke_label: tr.tf("account.tokens.revoke_label", &[("name", &t.name)]),
                name: t.name,
            }
        })
        .collect();
    let chosen: Vec<&str> = input.scopes.iter().map(String::as_str).collect();
    let groups = scope_groups(tr, actor.access.permissions, &chosen);
    let expiries = EXPIRIES
        .iter()
        .map(|(value, key)| ExpiryOption {
            value,
            label: tr.t(key),
            selected: *value == input.expiry,
        })
        .collect();
    let body = TokensPage {
        errors: super::FormErrors::from_domain(tr, &errors),
        tokens,
        groups,
        expiries,
        name: input.name.clone(),
        custom: input.custom,
        new_token,
        page,
    };
    (status, jar, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_repeated_scopes_and_expiry() {
        let pairs = [
            ("name", "ci"),
            ("expiry", "30"),
            ("scope_mode", "custom"),
            ("scopes", "contacts.read"),
            ("scopes", "deals.read"),
        ];
        let input = TokenInput::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        );
        let req = input.request().unwrap();
        assert_eq!(req.expires_in_days, Some(30));
        assert_eq!(req.scopes.unwrap().len(), 2);
        let all = TokenInput::from_pairs(vec![
            ("scope_mode".into(), "all".into()),
            ("scopes".into(), "x".into()),
        ]);
        assert!(
            all.request().unwrap().scopes.is_none(),
            "boxes are ignored unless custom"
        );
        let bad = TokenInput::from_pairs(vec![
            ("scope_mode".into(), "custom".into()),
            ("scopes".into(), "root.all".into()),
        ]);
        assert!(bad.request().is_err());
    }
}
