//! Accepting an invitation: a new person creates their account from the link; someone who
//! already has an account joins with it (signed in as the invited address).

use super::auth::{anonymous_form_page, check_anon_csrf};
use super::form::{UiForm, csrf_ok};
use super::page::{PageCtx, set_flash};
use super::pages;
use crate::extract::{MaybeSession, Meta};
use crate::state::WebState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::identity::invitations::{InvitationPreview, NewAccount};
use serde::Deserialize;

/// The acceptance page.
#[derive(Template, WebTemplate)]
#[template(path = "invite.html")]
pub struct InvitePage {
    page: PageCtx,
    token: String,
    invite: Option<InvitationPreview>,
    role_label: String,
    signed_in_as: Option<String>,
    name: String,
    errors: Vec<String>,
}

/// New-account form.
#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    time_zone: String,
}

/// Join-with-my-account form.
#[derive(Debug, Deserialize)]
pub struct JoinForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// What to show besides the invitation itself.
struct View {
    token: String,
    name: String,
    errors: Vec<String>,
    status: StatusCode,
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
    session: Option<&rapport_app::auth::SessionInfo>,
    view: View,
) -> Response {
    let View {
        token,
        name,
        errors,
        status,
    } = view;
    let invite = match state.app.preview_invitation(&token).await {
        Ok(p) => Some(p),
        Err(AppError::InvalidToken) => None,
        Err(err) => return pages::internal_error(state, headers, &err),
    };
    let (jar, mut page) = anonymous_form_page(state, headers, jar);
    if let Some(info) = session {
        // Joining with a signed-in account posts the session's token, not the anonymous one.
        page.csrf = info.csrf_token.clone();
    }
    let role_label = invite
        .as_ref()
        .map(|i| page.tr.t(&format!("role.{}", i.role.as_str())))
        .unwrap_or_default();
    let status = if invite.is_none() {
        StatusCode::GONE
    } else {
        status
    };
    let page = InvitePage {
        page,
        token,
        invite,
        role_label,
        signed_in_as: session.map(|s| s.actor.email.clone()),
        name,
        errors,
    };
    (status, jar, page).into_response()
}

/// `GET /invite/{token}`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    MaybeSession(session): MaybeSession,
    Path(token): Path<String>,
) -> Response {
    render(
        &state,
        &headers,
        jar,
        session.as_ref(),
        View {
            token,
            name: String::new(),
            errors: Vec::new(),
            status: StatusCode::OK,
        },
    )
    .await
}

/// `POST /invite/{token}`: create the account and sign in.
pub async fn accept(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    Path(token): Path<String>,
    UiForm(form): UiForm<AcceptForm>,
) -> Response {
    let (jar, _, valid) = check_anon_csrf(jar, &form.csrf, state.secure_cookies);
    if !valid {
        let (_, page) = anonymous_form_page(&state, &headers, CookieJar::new());
        let errors = vec![page.tr.t("errors.csrf")];
        return render(
            &state,
            &headers,
            jar,
            None,
            View {
                token,
                name: form.name,
                errors,
                status: StatusCode::FORBIDDEN,
            },
        )
        .await;
    }
    let account = NewAccount {
        name: form.name.clone(),
        password: form.password,
        time_zone: if form.time_zone.is_empty() {
            "UTC".into()
        } else {
            form.time_zone
        },
    };
    match state.app.accept_invitation(&token, account, &meta).await {
        Ok(step) => {
            let jar = set_flash(jar, "success", "invite_accepted", state.secure_cookies);
            super::signin::continue_sign_in(&state, jar, step)
        }
        Err(AppError::Invalid(errors)) => {
            let errors = errors.iter().map(ToString::to_string).collect();
            render(
                &state,
                &headers,
                jar,
                None,
                View {
                    token,
                    name: form.name,
                    errors,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                },
            )
            .await
        }
        Err(AppError::Conflict(msg)) => {
            render(
                &state,
                &headers,
                jar,
                None,
                View {
                    token,
                    name: form.name,
                    errors: vec![msg],
                    status: StatusCode::CONFLICT,
                },
            )
            .await
        }
        Err(AppError::InvalidToken) => {
            render(
                &state,
                &headers,
                jar,
                None,
                View {
                    token,
                    name: String::new(),
                    errors: Vec::new(),
                    status: StatusCode::GONE,
                },
            )
            .await
        }
        Err(err) => pages::internal_error(&state, &headers, &err),
    }
}

/// `POST /invite/{token}/join`: join with the signed-in account.
pub async fn join(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    MaybeSession(session): MaybeSession,
    Path(token): Path<String>,
    UiForm(form): UiForm<JoinForm>,
) -> Response {
    let Some(info) = session else {
        return (jar, Redirect::to("/login")).into_response();
    };
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    match state.app.accept_invitation_as(&info.actor, &token).await {
        Ok(()) => {
            let jar = set_flash(jar, "success", "invite_accepted", state.secure_cookies);
            (jar, Redirect::to("/")).into_response()
        }
        Err(AppError::Conflict(msg)) => {
            render(
                &state,
                &headers,
                jar,
                Some(&info),
                View {
                    token,
                    name: String::new(),
                    errors: vec![msg],
                    status: StatusCode::CONFLICT,
                },
            )
            .await
        }
        Err(AppError::InvalidToken) => {
            render(
                &state,
                &headers,
                jar,
                Some(&info),
                View {
                    token,
                    name: String::new(),
                    errors: Vec::new(),
                    status: StatusCode::GONE,
                },
            )
            .await
        }
        Err(err) => pages::internal_error(&state, &headers, &err),
    }
}
