//! A6 — only essential and functional cookies; no advertising cookies, no third-party
//! trackers. The demo org is seeded, then every page is walked as a stranger and as its owner:
//! every route of the router's table without a path parameter, and every same-origin link and
//! asset those pages lead to (so the contact, conversation and deal pages are walked with real
//! ids). The sign-in and sign-out are walked through their forms.
//!
//! Each response's `Set-Cookie` must name a cookie of the allow-list, HttpOnly and
//! SameSite=Lax. Each HTML page must carry a Content-Security-Policy that lets the browser load
//! only from the page's own origin, and no tag may load anything (script, style, image, frame,
//! form target) from another origin.

use rapport_testkit::{TestApp, hidden_value, meta_content, spawn_app};
use std::collections::{BTreeSet, VecDeque};

/// The cookies Rapport may set, each essential: the session, the CSRF token of forms shown
/// before sign-in, a sign-in in progress, a one-shot flash message.
const ALLOWED: [&str; 4] = [
    "rapport_session",
    "rapport_csrf",
    "rapport_signin",
    "rapport_flash",
];
/// How many pages the walk visits at most (the demo has a few hundred).
const MAX_PAGES: usize = 600;

/// Every cookie a response sets must be on the allow-list and hardened.
fn check_cookies(path: &str, res: &reqwest::Response) {
    for value in res.headers().get_all(reqwest::header::SET_COOKIE) {
        let value = value.to_str().unwrap_or_default();
        let name = value.split('=').next().unwrap_or_default().trim();
        assert!(
            ALLOWED.contains(&name),
            "{path} sets the cookie {name}, which is not on the allow-list: {value}"
        );
        let lower = value.to_ascii_lowercase();
        if lower.contains("max-age=0") {
            continue; // a removal: it sets nothing
        }
        assert!(
            lower.contains("httponly"),
            "{path}: {value} is not HttpOnly"
        );
        assert!(
            lower.contains("samesite=lax"),
            "{path}: {value} is not SameSite=Lax"
        );
    }
}

/// The tags of `html` with their double-quoted attributes, lowercased names.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for chunk in html.split('<').skip(1) {
        let end = chunk.find('>').unwrap_or(chunk.len());
        let inner = &chunk[..end];
        let mut parts = inner.splitn(2, |c: char| c.is_whitespace());
        let name = parts.next().unwrap_or_default().to_ascii_lowercase();
        if name.is_empty() || name.starts_with(['/', '!', '?']) {
            continue;
        }
        let mut attrs = Vec::new();
        let mut rest = parts.next().unwrap_or_default();
        while let Some(eq) = rest.find("=\"") {
            let key = rest[..eq]
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let after = &rest[eq + 2..];
            let close = after.find('"').unwrap_or(after.len());
            attrs.push((key, after[..close].replace("&amp;", "&")));
            rest = after.get(close + 1..).unwrap_or_default();
        }
        out.push((name, attrs));
    }
    out
}

/// Whether `url` points away from the page's own origin.
fn off_origin(url: &str, origin: &str) -> bool {
    let url = url.trim();
    (url.starts_with("//") || url.contains("://")) && !url.starts_with(origin)
}

/// Checks an HTML page and returns the same-origin paths it leads to.
fn check_page(path: &str, origin: &str, csp: Option<&str>, html: &str) -> Vec<String> {
    let csp = csp.unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"));
    assert!(
        csp.contains("default-src 'self'") || csp.contains("default-src 'none'"),
        "{path}: the policy lets the page load from elsewhere: {csp}"
    );
    assert!(
        !csp.contains("http:") && !csp.contains("https:") && !csp.contains('*'),
        "{path}: the policy names another origin: {csp}"
    );
    let mut next = Vec::new();
    for (tag, attrs) in tags(html) {
        for (key, value) in attrs {
            let loads = match key.as_str() {
                "src" | "srcset" | "poster" | "data" | "action" | "formaction" => true,
                "href" => tag == "link",
                _ => false,
            };
            if loads {
                assert!(
                    !off_origin(&value, origin),
                    "{path}: <{tag} {key}=\"{value}\"> loads from another origin"
                );
            }
            let followable = (key == "href" && matches!(tag.as_str(), "a" | "link"))
                || (key == "src" && tag == "script");
            if followable && value.starts_with('/') && !value.starts_with("//") {
                next.push(value.split('#').next().unwrap_or_default().to_owned());
            }
        }
    }
    next
}

/// Walks from `start` over same-origin links with `client`; returns how many pages it saw.
async fn walk(t: &TestApp, client: &reqwest::Client, start: Vec<String>) -> usize {
    let origin = t.base_url.clone();
    let mut seen: BTreeSet<String> = start.iter().cloned().collect();
    let mut queue: VecDeque<String> = start.into();
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        let res = client.get(t.url(&path)).send().await.unwrap();
        check_cookies(&path, &res);
        let location = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .filter(|l| l.starts_with('/') && !l.starts_with("//"))
            .map(str::to_owned);
        if let Some(to) = location
            && seen.insert(to.clone())
        {
            queue.push_back(to);
        }
        let is_html = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let csp = res
            .headers()
            .get(reqwest::header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res.text().await.unwrap_or_default();
        if path.ends_with(".css") {
            assert!(
                !body.contains("url(http") && !body.contains("@import"),
                "{path} pulls in another origin"
            );
        }
        if !is_html {
            continue;
        }
        pages += 1;
        for link in check_page(&path, &origin, csp.as_deref(), &body) {
            if seen.len() < MAX_PAGES && seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    pages
}

/// Every GET route of the router's table that needs no path parameter.
fn plain_routes() -> Vec<String> {
    rapport_web::ui_route_table()
        .into_iter()
        .filter(|(method, path)| method == reqwest::Method::GET && !path.contains('{'))
        .map(|(_, path)| path.to_owned())
        .collect()
}

#[tokio::test]
async fn pp_a6_every_page_sets_only_essential_cookies_and_loads_nothing_from_elsewhere() {
    let t = spawn_app().await;
    let login = t.app.seed_demo().await.unwrap();

    // A stranger: every page without a parameter, and where they lead.
    let stranger = t.browser();
    let seen_anonymous = walk(&t, &stranger, plain_routes()).await;
    eprintln!("pages seen by a stranger: {seen_anonymous}");
    assert!(seen_anonymous >= 2, "only {seen_anonymous} pages seen");

    // Signing in through the form.
    let owner = t.browser();
    let form = owner.get(t.url("/login")).send().await.unwrap();
    check_cookies("/login", &form);
    let csrf = hidden_value(&form.text().await.unwrap(), "_csrf").unwrap();
    let res = owner
        .post(t.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", &login.email),
            ("password", &login.password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    check_cookies("POST /login", &res);

    // The owner: every page, and every record page the lists and the timeline link to.
    let mut start = plain_routes();
    start.push("/".into());
    let seen_signed_in = walk(&t, &owner, start).await;
    eprintln!("pages seen signed in: {seen_signed_in}");
    assert!(
        seen_signed_in >= 40,
        "only {seen_signed_in} pages seen signed in"
    );

    // Signing out.
    let home = owner.get(t.url("/")).send().await.unwrap();
    let token = meta_content(&home.text().await.unwrap(), "csrf-token").unwrap();
    let res = owner
        .post(t.url("/logout"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    check_cookies("POST /logout", &res);
}

#[test]
fn the_tag_reader_finds_loads_and_links() {
    let html = r#"<p>x</p><img class="a" src="https://tracker.example/p.gif"><a href="/contacts/1?x=1&amp;y=2">"#;
    let found = tags(html);
    assert_eq!(
        found[1].1[1],
        ("src".into(), "https://tracker.example/p.gif".into())
    );
    assert_eq!(found[2].1[0].1, "/contacts/1?x=1&y=2");
    assert!(off_origin(
        "https://tracker.example/p.gif",
        "http://127.0.0.1:1"
    ));
    assert!(!off_origin("/static/app.css", "http://127.0.0.1:1"));
}
