//! Active sessions: signing out one session or every other one, and the words the security
//! page uses to describe a session (browser and system from the user agent, sign-in method).

use super::CsrfOnly;
use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{UiSession, set_flash};
use crate::ui::pages;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_domain::SessionId;

/// "Firefox on Windows" from a user agent; simple substring checks, most specific first
/// (Edge and Opera also say Chrome, Chrome also says Safari, iOS also says Mac OS X).
pub fn device_summary(tr: &Tr, user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or_default();
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| (*name).to_owned());
    let os = [
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| (*name).to_owned());
    if browser.is_none() && os.is_none() && !ua.trim().is_empty() {
        // A script or API client: its own name says more than "unknown".
        return ua
            .split_whitespace()
            .next()
            .unwrap_or(ua)
            .chars()
            .take(40)
            .collect();
    }
    tr.tf(
        "account.sessions.device",
        &[
            (
                "browser",
                &browser.unwrap_or_else(|| tr.t("account.sessions.unknown_browser")),
            ),
            (
                "os",
                &os.unwrap_or_else(|| tr.t("account.sessions.unknown_os")),
            ),
        ],
    )
}

/// "Password and authenticator app" for `password+totp`; unknown methods show as stored.
pub fn method_label(tr: &Tr, method: &str) -> String {
    let key = format!("account.sessions.method_{}", method.replace('+', "_"));
    let text = tr.t(&key);
    if text == key { method.to_owned() } else { text }
}

/// `POST /settings/security/sessions/{id}/revoke`.
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
        .revoke_session(&info.actor, SessionId::from_uuid(id))
        .await
    {
        Ok(()) => (
            set_flash(
                jar,
                "success",
                "account_session_revoked",
                state.secure_cookies,
            ),
            Redirect::to("/settings/security#sessions"),
        )
            .into_response(),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /settings/security/sessions/revoke-others`.
pub async fn revoke_others(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    match state.app.sign_out_everywhere(&info.actor).await {
        Ok(ended) => {
            let key = if ended > 0 {
                "account_sessions_revoked"
            } else {
                "account_no_other_sessions"
            };
            (
                set_flash(jar, "success", key, state.secure_cookies),
                Redirect::to("/settings/security#sessions"),
            )
                .into_response()
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;
    use std::sync::Arc;

    #[test]
    fn user_agents_read_as_browser_and_system() {
        let tr = Tr::new(Arc::new(Catalog::load().unwrap()), "en", "UTC");
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Firefox on Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari on iOS",
            ),
            ("curl/8.5.0", "curl/8.5.0"),
        ];
        for (ua, expected) in cases {
            assert_eq!(device_summary(&tr, Some(ua)), expected, "{ua}");
        }
        assert_eq!(
            device_summary(&tr, None),
            "Unknown browser on unknown system"
        );
        assert_eq!(
            method_label(&tr, "password+totp"),
            "Password and authenticator app"
        );
        assert_eq!(method_label(&tr, "magic"), "magic");
    }
}
