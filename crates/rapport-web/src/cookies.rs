//! Cookie names and attributes. Only essential cookies exist (promise A6): the session, the
//! anonymous-form CSRF token, a sign-in in progress, and a one-shot flash message.

use axum_extra::extract::cookie::{Cookie, SameSite};
use cookie::time::Duration;

/// The session cookie (HttpOnly, SameSite=Lax).
pub const SESSION: &str = "rapport_session";
/// The CSRF double-submit cookie for forms shown before sign-in.
pub const CSRF: &str = "rapport_csrf";
/// A sign-in in progress (second factor, enrolment, OIDC redirect): a challenge token.
pub const SIGNIN: &str = "rapport_signin";
/// A one-shot flash message.
pub const FLASH: &str = "rapport_flash";

/// A hardened cookie: HttpOnly, SameSite=Lax, path `/`, Secure when configured.
pub fn build(
    name: &'static str,
    value: String,
    secure: bool,
    max_age: Option<Duration>,
) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    if let Some(age) = max_age {
        c.set_max_age(age);
    }
    c
}

/// A cookie that deletes `name`.
pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::from(name);
    c.set_path("/");
    c.make_removal();
    c
}

/// Seconds as a cookie duration.
pub fn seconds(secs: i64) -> Duration {
    Duration::seconds(secs)
}
