//! First-run setup, sign-in and sign-out pages. Forms shown before sign-in are protected with a
//! double-submit CSRF cookie (plus the router's same-origin check).

use super::form::{UiForm, csrf_ok};
use super::page::{PageCtx, UiSession, accept_language, anonymous_page, set_flash, take_flash};
use super::pages;
use crate::cookies;
use crate::extract::Meta;
use crate::state::WebState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SignedIn;
use rapport_app::setup::SetupInput;
use serde::Deserialize;

/// Values echoed back into the setup form after an error (never the password).
#[derive(Debug, Default, Clone)]
pub struct SetupEcho {
    /// Organization name.
    pub org_name: String,
    /// Owner name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Time zone.
    pub time_zone: String,
}

/// The setup page.
#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
pub struct SetupPage {
    page: PageCtx,
    form: SetupEcho,
    errors: Vec<String>,
    field_errors: Vec<&'static str>,
}

impl SetupPage {
    fn has_error(&self, field: &str) -> bool {
        self.field_errors.contains(&field)
    }
}

/// The sign-in page.
#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    page: PageCtx,
    email: String,
    errors: Vec<String>,
    providers: Vec<(String, String)>,
    can_reset: bool,
}

impl LoginPage {
    /// The sign-in page with the configured identity providers.
    pub fn new(page: PageCtx, email: String, errors: Vec<String>, state: &WebState) -> Self {
        Self {
            page,
            email,
            errors,
            providers: state.app.oidc_providers(),
            can_reset: state.app.can_send_mail(),
        }
    }
}

/// Setup form body.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    time_zone: String,
}

/// Sign-in form body.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Sign-out form body.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The anonymous CSRF token: the cookie's, or a new one set on the response.
pub(crate) fn anon_csrf(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(existing) = jar
        .get(cookies::CSRF)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
    {
        return (jar, existing);
    }
    let token = rapport_app::auth::token::generate();
    (
        jar.add(cookies::build(cookies::CSRF, token.clone(), secure, None)),
        token,
    )
}

/// The context of a page shown before sign-in that carries a form: the anonymous CSRF token
/// (set as a cookie when missing) and any flash message, in the browser's language.
pub(crate) fn anonymous_form_page(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
) -> (CookieJar, PageCtx) {
    let lang = accept_language(headers);
    let (jar, csrf) = anon_csrf(jar, state.secure_cookies);
    let tr = crate::i18n::Tr::new(state.i18n.clone(), lang.as_deref().unwrap_or("en"), "UTC");
    let (jar, flash) = take_flash(jar, &tr);
    (jar, anonymous_page(state, lang.as_deref(), csrf, flash))
}

/// Checks a submitted anonymous-form token against the cookie; returns the jar, the token for
/// the re-rendered form, and whether the submission was valid.
pub(crate) fn check_anon_csrf(
    jar: CookieJar,
    sent: &str,
    secure: bool,
) -> (CookieJar, String, bool) {
    let expected = jar
        .get(cookies::CSRF)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let valid = csrf_ok(sent, &expected);
    let (jar, token) = anon_csrf(jar, secure);
    (jar, token, valid)
}

pub(crate) fn session_cookie(
    jar: CookieJar,
    signed_in: &SignedIn,
    state: &WebState,
    now: chrono::DateTime<chrono::Utc>,
) -> CookieJar {
    let max_age = (signed_in.expires_at - now).num_seconds().max(0);
    jar.add(cookies::build(
        cookies::SESSION,
        signed_in.token.clone(),
        state.secure_cookies,
        Some(cookies::seconds(max_age)),
    ))
}

/// `GET /setup`.
pub async fn setup_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    match state.app.needs_setup().await {
        Ok(true) => {}
        Ok(false) => {
            return (
                set_flash(jar, "info", "setup_closed", state.secure_cookies),
                Redirect::to("/login"),
            )
                .into_response();
        }
        Err(err) => return pages::internal_error(&state, &headers, &err),
    }
    let (jar, csrf) = anon_csrf(jar, state.secure_cookies);
    let page = anonymous_page(
        &state,
        accept_language(&headers).as_deref(),
        csrf,
        Vec::new(),
    );
    (
        jar,
        SetupPage {
            page,
            form: SetupEcho::default(),
            errors: Vec::new(),
            field_errors: Vec::new(),
        },
    )
        .into_response()
}

/// `POST /setup`.
pub async fn setup_submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    UiForm(form): UiForm<SetupForm>,
) -> Response {
    let (jar, csrf, csrf_valid) = check_anon_csrf(jar, &form.csrf, state.secure_cookies);
    let lang = accept_language(&headers);
    let echo = SetupEcho {
        org_name: form.org_name.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        time_zone: form.time_zone.clone(),
    };
    if !csrf_valid {
        let page = anonymous_page(&state, lang.as_deref(), csrf, Vec::new());
        let errors = vec![page.tr.t("errors.csrf")];
        return (
            StatusCode::FORBIDDEN,
            jar,
            SetupPage {
                page,
                form: echo,
                errors,
                field_errors: Vec::new(),
            },
        )
            .into_response();
    }
    let input = SetupInput {
        org_name: form.org_name,
        name: form.name,
        email: form.email,
        password: form.password,
        time_zone: form.time_zone,
    };
    match state.app.complete_setup(input, &meta).await {
        Ok(done) => {
            let jar = session_cookie(jar, &done.session, &state, state.app.clock().now());
            let jar = set_flash(jar, "success", "setup_done", state.secure_cookies);
            (jar, Redirect::to("/")).into_response()
        }
        Err(AppError::Invalid(field_errors)) => {
            let page = anonymous_page(&state, lang.as_deref(), csrf, Vec::new());
            let errors = field_errors.iter().map(ToString::to_string).collect();
            let fields = field_errors.iter().map(|e| e.field()).collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                jar,
                SetupPage {
                    page,
                    form: echo,
                    errors,
                    field_errors: fields,
                },
            )
                .into_response()
        }
        Err(AppError::Conflict(detail)) => {
            let page = anonymous_page(&state, lang.as_deref(), csrf, Vec::new());
            (
                StatusCode::CONFLICT,
                jar,
                SetupPage {
                    page,
                    form: echo,
                    errors: vec![detail],
                    field_errors: vec!["email"],
                },
            )
                .into_response()
        }
        Err(AppError::AlreadySetUp) => (
            set_flash(jar, "info", "setup_closed", state.secure_cookies),
            Redirect::to("/login"),
        )
            .into_response(),
        Err(other) => pages::internal_error(&state, &headers, &other),
    }
}

/// `GET /login`.
pub async fn login_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    if let Ok(true) = state.app.needs_setup().await {
        return Redirect::to("/setup").into_response();
    }
    let (jar, page) = anonymous_form_page(&state, &headers, jar);
    (jar, LoginPage::new(page, String::new(), Vec::new(), &state)).into_response()
}

/// `POST /login`.
pub async fn login_submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    UiForm(form): UiForm<LoginForm>,
) -> Response {
    let (jar, csrf, csrf_valid) = check_anon_csrf(jar, &form.csrf, state.secure_cookies);
    let lang = accept_language(&headers);
    if !csrf_valid {
        let page = anonymous_page(&state, lang.as_deref(), csrf, Vec::new());
        let errors = vec![page.tr.t("errors.csrf")];
        return (
            StatusCode::FORBIDDEN,
            jar,
            LoginPage::new(page, form.email, errors, &state),
        )
            .into_response();
    }
    match state.app.sign_in(&form.email, &form.password, &meta).await {
        Ok(step) => super::signin::continue_sign_in(&state, jar, step),
        Err(AppError::Throttled { retry_after_secs }) => {
            let page = anonymous_page(&state, lang.as_deref(), csrf, Vec::new());
            let minutes = retry_after_secs.div_ceil(60).to_string();
            let errors = vec![page.tr.tf("login.throttled", &[("minutes", &minutes)])];
            (
                StatusCode::TOO_MANY_REQUESTS,
                jar,
                LoginPage::new(page, form.email, errors, &state),
            )
                .into_response()
        }
        Err(AppError::BadCredentials) => {
            let page = anonymous_page(&state, lang.as_deref(), csrf, Vec::new());
            let errors = vec![page.tr.t("login.failed")];
            (
                StatusCode::UNAUTHORIZED,
                jar,
                LoginPage::new(page, form.email, errors, &state),
            )
                .into_response()
        }
        Err(other) => pages::internal_error(&state, &headers, &other),
    }
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<LogoutForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    if let Err(err) = state.app.sign_out(&info.actor).await {
        return pages::internal_error(&state, &headers, &err);
    }
    let jar = set_flash(
        jar.add(cookies::removal(cookies::SESSION)),
        "success",
        "signed_out",
        state.secure_cookies,
    );
    (jar, Redirect::to("/login")).into_response()
}
