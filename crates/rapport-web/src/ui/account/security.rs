//! `GET /settings/security`: profile, password, authenticator app, security keys, active
//! sessions and "Your data" on one page; the profile and password forms; the member's own
//! personal-data export. Other sections' handlers live in sibling modules and re-render this
//! page through [`render`] when a form comes back wrong.

use super::FormErrors;
use super::sessions::{device_summary, method_label};
use super::zones::{ZoneOption, zone_options};
use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, set_flash};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use serde::Deserialize;

/// Below this many recovery codes the page suggests making new ones.
const CODES_LOW: u64 = 3;

/// One registered security key.
pub struct KeyRow {
    id: uuid::Uuid,
    name: String,
    added: String,
    last_used: String,
    remove_hint: String,
    open: bool,
}

/// One live session.
pub struct SessionRow {
    id: uuid::Uuid,
    device: String,
    ip: String,
    method: String,
    signed_in: String,
    last_active: String,
    current: bool,
}

/// What a re-rendered page carries over from a failed form.
#[derive(Default)]
pub struct Sections {
    /// The name as typed.
    pub name: Option<String>,
    /// The zone as chosen.
    pub time_zone: Option<String>,
    /// Profile form errors.
    pub profile: FormErrors,
    /// Password form errors.
    pub password: FormErrors,
    /// Authenticator-app errors (turning it off, new codes).
    pub totp: FormErrors,
    /// Security-key errors, and the key whose removal failed.
    pub keys: FormErrors,
    /// The key whose removal form stays open.
    pub key_target: Option<uuid::Uuid>,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "account_security.html")]
pub struct SecurityPage {
    page: PageCtx,
    email: String,
    signed_in_as: String,
    name: String,
    zones: Vec<ZoneOption>,
    profile: FormErrors,
    password: FormErrors,
    totp_on: bool,
    codes_left: String,
    codes_low: bool,
    totp: FormErrors,
    keys_supported: bool,
    keys: Vec<KeyRow>,
    key_errors: FormErrors,
    sessions: Vec<SessionRow>,
    others: usize,
}

/// `GET /settings/security`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, jar, &info, StatusCode::OK, |_| {
        Sections::default()
    })
    .await
}

/// Renders the page, with whatever a failed form carries over.
pub async fn render(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
    info: &SessionInfo,
    status: StatusCode,
    sections: impl FnOnce(&Tr) -> Sections,
) -> Response {
    let actor = &info.actor;
    let result = async {
        let (totp_on, left) = state.app.mfa_status(actor).await?;
        let keys = state.app.my_security_keys(actor).await?;
        let sessions = state.app.my_sessions(actor).await?;
        let (jar, page) = app_page(state, info, "security", jar).await?;
        Ok::<_, AppError>((jar, page, totp_on, left, keys, sessions))
    }
    .await;
    let (jar, page, totp_on, left, keys, sessions) = match result {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let tr = &page.tr;
    let s = sections(tr);
    let zone = s.time_zone.unwrap_or_else(|| actor.time_zone.clone());
    let keys = keys
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.as_uuid(),
            added: tr.tf(
                "account.keys.added_on",
                &[("date", &tr.date(&k.created_at))],
            ),
            last_used: match k.last_used_at {
                Some(at) => tr.tf("account.keys.last_used", &[("date", &tr.datetime(&at))]),
                None => tr.t("account.keys.never_used"),
            },
            remove_hint: tr.tf("account.keys.remove_hint", &[("name", &k.name)]),
            open: s.key_target == Some(k.id.as_uuid()),
            name: k.name,
        })
        .collect();
    let mut sessions: Vec<SessionRow> = sessions
        .into_iter()
        .map(|v| SessionRow {
            id: v.id.as_uuid(),
            device: device_summary(tr, v.user_agent.as_deref()),
            ip: v.ip.unwrap_or_else(|| tr.t("account.sessions.ip_unknown")),
            method: method_label(tr, &v.auth_method),
            signed_in: tr.tf(
                "account.sessions.signed_in",
                &[("date", &tr.datetime(&v.created_at))],
            ),
            last_active: tr.tf(
                "account.sessions.last_active",
                &[("date", &tr.datetime(&v.last_seen_at))],
            ),
            current: v.current,
        })
        .collect();
    sessions.sort_by_key(|row| !row.current);
    let others = sessions.iter().filter(|row| !row.current).count();
    let zones = zone_options(&zone, state.app.clock().now());
    let body = SecurityPage {
        signed_in_as: tr.tf("account.security.signed_in_as", &[("email", &actor.email)]),
        email: actor.email.clone(),
        name: s.name.unwrap_or_else(|| actor.name.clone()),
        zones,
        profile: s.profile,
        password: s.password,
        totp_on,
        codes_left: tr.tf("account.totp.codes_left", &[("n", &left.to_string())]),
        codes_low: totp_on && left < CODES_LOW,
        totp: s.totp,
        keys_supported: state.app.security_keys_supported(),
        keys,
        key_errors: s.keys,
        sessions,
        others,
        page,
    };
    (status, jar, body).into_response()
}

/// The profile form.
#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
}

/// `POST /settings/profile`.
pub async fn update_profile(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<ProfileForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    match state
        .app
        .update_profile(&info.actor, &form.name, &form.time_zone)
        .await
    {
        Ok(()) => (
            set_flash(
                jar,
                "success",
                "account_profile_saved",
                state.secure_cookies,
            ),
            Redirect::to("/settings/security"),
        )
            .into_response(),
        Err(AppError::Invalid(errors)) => {
            render(
                &state,
                &headers,
                jar,
                &info,
                StatusCode::UNPROCESSABLE_ENTITY,
                |tr| Sections {
                    name: Some(form.name),
                    time_zone: Some(form.time_zone),
                    profile: FormErrors::from_domain(tr, &errors),
                    ..Sections::default()
                },
            )
            .await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// `POST /settings/security/password`: every other session ends.
pub async fn change_password(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<PasswordForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    if form.password != form.password_confirm {
        return render(&state, &headers, jar, &info, status, |tr| Sections {
            password: FormErrors {
                messages: vec![tr.t("account.errors.password_mismatch")],
                fields: vec!["password_confirm"],
            },
            ..Sections::default()
        })
        .await;
    }
    let result = state
        .app
        .change_password(&info.actor, &form.current_password, &form.password)
        .await;
    match result {
        Ok(ended) => {
            let key = if ended > 0 {
                "account_password_changed"
            } else {
                "account_password_changed_alone"
            };
            (
                set_flash(jar, "success", key, state.secure_cookies),
                Redirect::to("/settings/security"),
            )
                .into_response()
        }
        Err(AppError::Invalid(errors)) => {
            render(&state, &headers, jar, &info, status, |tr| Sections {
                password: FormErrors::from_domain(tr, &errors),
                ..Sections::default()
            })
            .await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `GET /settings/personal-data`: the member's own personal-data export.
pub async fn my_data(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
) -> Response {
    match state.app.export_my_data(&info.actor).await {
        Ok(export) => crate::api::privacy::zip_download(export),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
