//! The member's own account pages end to end: profile, password change, the authenticator app
//! set up through the pages, personal API tokens, active sessions, the security-key JSON
//! steps, and that nobody reaches another member's sessions or tokens by id.

mod security;
mod tokens;

use rapport_testkit::{TestApp, TestUser, hidden_value};

async fn page(c: &reqwest::Client, t: &TestApp, path: &str) -> (u16, String) {
    let res = c.get(t.url(path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post(
    c: &reqwest::Client,
    t: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(t.url(path)).form(form).send().await.unwrap()
}

fn location(res: &reqwest::Response) -> &str {
    res.headers()["location"].to_str().unwrap()
}

/// The text between `start` and the next `end`, for every occurrence.
fn all_between(html: &str, start: &str, end: &str) -> Vec<String> {
    html.split(start)
        .skip(1)
        .filter_map(|rest| rest.split(end).next().map(str::to_owned))
        .collect()
}

fn between(html: &str, start: &str, end: &str) -> String {
    all_between(html, start, end)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no `{start}` in the page"))
}

fn current_code(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .unwrap()
        .generate_current()
        .to_string()
}

/// Signs in through the password form only, returning where it sends the browser.
async fn password_step(t: &TestApp, user: &TestUser) -> (reqwest::Client, String) {
    let b = t.browser();
    let (_, login) = page(&b, t, "/login").await;
    let csrf = hidden_value(&login, "_csrf").unwrap();
    let res = post(
        &b,
        t,
        "/login",
        &[
            ("_csrf", &csrf),
            ("email", &user.email),
            ("password", &user.password),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let to = location(&res).to_owned();
    (b, to)
}
