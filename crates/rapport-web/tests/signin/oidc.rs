//! OpenID Connect sign-in against a real provider on loopback (oidc-provider-mock): a verified
//! email links the identity to its account; an unverified or unknown email, a wrong `state`, a
//! wrong `nonce`, a tampered ID token and a denial at the provider are all refused.
//!
//! The "browser" talks to the app at its public URL (`http://localhost:PORT`): the redirect URI
//! is built from it, so that is where the provider sends the browser back, and the sign-in
//! cookie must have been set for that host.

use super::{
    assert_signed_in, assert_signed_out, enable_totp, form_csrf, get, location, login_flash, post,
    require_mfa, totp_code,
};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rapport_app::AppConfig;
use rapport_app::context::OidcProviderConfig;
use rapport_domain::{Clock, ManualClock, Role, SystemClock};
use rapport_testkit::oidc::{OidcProvider, OidcUser};
use rapport_testkit::{TestApp, spawn_app_with};
use rapport_vault::SecretString;
use reqwest::Url;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Shown when the provider's answer fails verification (state, nonce, signature).
const NOT_VERIFIED: &str = "answer could not be verified";

fn oidc_config(issuer: String) -> AppConfig {
    AppConfig {
        oidc: vec![OidcProviderConfig {
            id: "corp".into(),
            name: "Corp SSO".into(),
            issuer,
            client_id: "rapport".into(),
            client_secret: SecretString::from("s3cret"),
        }],
        ..AppConfig::default()
    }
}

async fn app_for(issuer: String) -> (TestApp, String) {
    let t = spawn_app_with(oidc_config(issuer), Arc::new(SystemClock)).await;
    let base = t.app.config().public_url.clone();
    (t, base)
}

/// Starts the sign-in in browser `b`: the app redirects to the provider. Returns that URL.
async fn begin(b: &reqwest::Client, base: &str) -> String {
    let res = b
        .get(format!("{base}/auth/oidc/corp"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "off to the identity provider");
    location(&res)
}

/// Follows the provider's redirect back into the app; returns the app's answer.
async fn come_back(b: &reqwest::Client, base: &str, callback: &str) -> reqwest::Response {
    assert!(
        callback.starts_with(&format!("{base}/auth/oidc/corp/callback?")),
        "the provider sends the browser to the app's callback, got {callback}"
    );
    b.get(callback).send().await.unwrap()
}

/// A query parameter of `url`.
fn param(url: &str, name: &str) -> String {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no `{name}` in {url}"))
}

/// `url` with query parameter `name` set to `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// Asserts the app refused the callback the way it refuses an unverifiable answer: back to the
/// sign-in page with the error flash, and no session.
async fn assert_refused_unverified(b: &reqwest::Client, base: &str, res: reqwest::Response) {
    assert_eq!(res.status(), 303, "refused: back to the sign-in page");
    assert_eq!(location(&res), "/login");
    let flash = login_flash(b, base).await;
    assert!(flash.contains(NOT_VERIFIED), "the error flash: {flash:?}");
    assert_signed_out(b, base, "a refused OIDC answer").await;
}

/// Asserts the app refused the callback with a page that explains why (`reason`), no session.
async fn assert_refused_with(b: &reqwest::Client, base: &str, res: reqwest::Response, why: &str) {
    assert_eq!(res.status(), 403, "refused with an explanation");
    let html = res.text().await.unwrap();
    assert!(html.contains(why), "the page says {why:?}:\n{html}");
    assert!(
        html.contains("Continue with Corp SSO"),
        "shown on the sign-in page"
    );
    assert_signed_out(b, base, "a refused OIDC identity").await;
}

#[tokio::test]
async fn oidc_sign_in_links_a_verified_email_and_survives_an_email_change() {
    let provider = OidcProvider::start().await;
    let (t, base) = app_for(provider.issuer_url()).await;
    let user = t.create_org_with("Northwind", Role::Agent).await;

    let b = t.browser();
    let (_, login) = get(&b, &format!("{base}/login")).await;
    assert!(
        login.contains("href=\"/auth/oidc/corp\"") && login.contains("Continue with Corp SSO"),
        "the sign-in page offers the provider"
    );
    let auth = begin(&b, &base).await;
    assert!(
        auth.starts_with(&format!("{}/oauth2/authorize?", provider.issuer_url())),
        "{auth}"
    );
    assert_eq!(
        param(&auth, "redirect_uri"),
        format!("{base}/auth/oidc/corp/callback")
    );
    assert_eq!(param(&auth, "code_challenge_method"), "S256");
    assert!(param(&auth, "state").len() >= 16 && param(&auth, "nonce").len() >= 16);
    let scope = param(&auth, "scope");
    assert!(
        scope.contains("openid") && scope.contains("email"),
        "{scope}"
    );

    let person = OidcUser::new("sub-1").with_email(&user.email, true);
    let back = provider.authorize(&auth, &person).await;
    let res = come_back(&b, &base, &back).await;
    assert_eq!(res.status(), 303, "signed in");
    assert_eq!(location(&res), "/");
    assert_signed_in(&b, &base, &user.email).await;

    // The identity is linked: the next sign-in finds the account by issuer and subject, even
    // though the provider now asserts another, unverified address.
    let b2 = t.browser();
    let auth = begin(&b2, &base).await;
    let renamed = OidcUser::new("sub-1").with_email("renamed@elsewhere.test", false);
    let back = provider.authorize(&auth, &renamed).await;
    let res = come_back(&b2, &base, &back).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    assert_signed_in(&b2, &base, &user.email).await;

    // A callback is single use: replaying it (same browser, same code) is refused.
    let b3 = t.browser();
    let auth = begin(&b3, &base).await;
    let back = provider.authorize(&auth, &person).await;
    assert_eq!(come_back(&b3, &base, &back).await.status(), 303);
    let replay = come_back(&b3, &base, &back).await;
    assert_eq!(replay.status(), 303);
    assert_eq!(
        location(&replay),
        "/login",
        "a replayed callback is refused"
    );
}

#[tokio::test]
async fn oidc_unverified_email_is_refused_and_not_linked() {
    let provider = OidcProvider::start().await;
    let (t, base) = app_for(provider.issuer_url()).await;
    let user = t.create_org_with("Northwind", Role::Agent).await;
    let unverified = OidcUser::new("sub-unverified").with_email(&user.email, false);

    let b = t.browser();
    let auth = begin(&b, &base).await;
    let back = provider.authorize(&auth, &unverified).await;
    let res = come_back(&b, &base, &back).await;
    assert_refused_with(
        &b,
        &base,
        res,
        "your identity provider has not verified this email address",
    )
    .await;

    // Had the first attempt linked the subject to the account, this one would sign in.
    let b = t.browser();
    let auth = begin(&b, &base).await;
    let back = provider.authorize(&auth, &unverified).await;
    let res = come_back(&b, &base, &back).await;
    assert_refused_with(&b, &base, res, "has not verified this email address").await;
}

#[tokio::test]
async fn oidc_unknown_email_is_refused_and_no_account_is_created() {
    let provider = OidcProvider::start().await;
    let (t, base) = app_for(provider.issuer_url()).await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let stranger = OidcUser::new("sub-stranger").with_email("stranger@example.test", true);

    for attempt in ["first", "second"] {
        let b = t.browser();
        let auth = begin(&b, &base).await;
        let back = provider.authorize(&auth, &stranger).await;
        let res = come_back(&b, &base, &back).await;
        assert_eq!(res.status(), 403, "{attempt} attempt refused");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("there is no Rapport account for this email address"),
            "{html}"
        );
        assert_signed_out(&b, &base, attempt).await;
    }

    // No account exists for the address: an invitation to it offers to create one.
    let (c, csrf) = t.sign_in(&owner).await;
    let res = c
        .post(t.url("/admin/members/invite"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "stranger@example.test"),
            ("role", "agent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let link = super::input_value(&html, "invite-link").expect("the invitation link is shown");
    let preview = t
        .app
        .preview_invitation(link.rsplit('/').next().unwrap())
        .await
        .unwrap();
    assert!(
        !preview.account_exists,
        "OIDC never creates an account for an unknown email"
    );
}

#[tokio::test]
async fn oidc_wrong_state_is_refused() {
    let provider = OidcProvider::start().await;
    let (t, base) = app_for(provider.issuer_url()).await;
    let user = t.create_org_with("Northwind", Role::Agent).await;

    let b = t.browser();
    let auth = begin(&b, &base).await;
    let back = provider
        .authorize(&auth, &OidcUser::new("sub-1").with_email(&user.email, true))
        .await;
    let state = param(&back, "state");
    let forged = with_param(&back, "state", &super::altered(&state));
    let res = come_back(&b, &base, &forged).await;
    assert_refused_unverified(&b, &base, res).await;

    // The attempt is spent: the genuine callback no longer signs in either.
    let res = come_back(&b, &base, &back).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
    assert_signed_out(&b, &base, "the flow was spent by the forged state").await;
}

#[tokio::test]
async fn oidc_callback_completed_in_another_browser_is_refused() {
    let provider = OidcProvider::start().await;
    let (t, base) = app_for(provider.issuer_url()).await;
    let attacker = t.create_org_with("Northwind", Role::Agent).await;

    // Someone signs in at the provider and hands their callback URL to a victim's browser
    // (login CSRF): without the flow's cookie, or with another flow's, it is refused.
    let theirs = t.browser();
    let auth = begin(&theirs, &base).await;
    let back = provider
        .authorize(
            &auth,
            &OidcUser::new("sub-a").with_email(&attacker.email, true),
        )
        .await;
    let victim = t.browser();
    let res = come_back(&victim, &base, &back).await;
    assert_refused_unverified(&victim, &base, res).await;
    let victim = t.browser();
    begin(&victim, &base).await;
    let res = come_back(&victim, &base, &back).await;
    assert_refused_unverified(&victim, &base, res).await;
}

#[tokio::test]
async fn oidc_wrong_nonce_is_refused() {
    let provider = OidcProvider::start().await;
    let (t, base) = app_for(provider.issuer_url()).await;
    let user = t.create_org_with("Northwind", Role::Agent).await;

    let b = t.browser();
    let auth = begin(&b, &base).await;
    // The provider copies the request's nonce into the ID token, so the token now carries a
    // nonce the app never issued.
    let nonce = param(&auth, "nonce");
    let auth = with_param(&auth, "nonce", &format!("{nonce}-other"));
    let back = provider
        .authorize(&auth, &OidcUser::new("sub-1").with_email(&user.email, true))
        .await;
    let res = come_back(&b, &base, &back).await;
    assert_refused_unverified(&b, &base, res).await;
}

#[tokio::test]
async fn oidc_denied_at_the_provider_returns_to_sign_in_with_a_message() {
    let provider = OidcProvider::start().await;
    let (t, base) = app_for(provider.issuer_url()).await;
    t.create_org_with("Northwind", Role::Agent).await;

    let b = t.browser();
    let auth = begin(&b, &base).await;
    let back = provider.deny(&auth).await;
    assert_eq!(param(&back, "error"), "access_denied");
    let res = come_back(&b, &base, &back).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
    let flash = login_flash(&b, &base).await;
    assert!(
        flash.contains("Sign-in was cancelled at the identity provider."),
        "{flash:?}"
    );
    assert_signed_out(&b, &base, "denied at the provider").await;
}

#[tokio::test]
async fn pp_c6_oidc_sign_in_still_needs_the_second_factor_where_required() {
    let provider = OidcProvider::start().await;
    let clock = ManualClock::new(Utc::now());
    let t = spawn_app_with(oidc_config(provider.issuer_url()), Arc::new(clock.clone())).await;
    let base = t.app.config().public_url.clone();
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let newcomer = t.add_member(owner.org_id, Role::Agent).await;
    let enrolled = t.add_member(owner.org_id, Role::Agent).await;
    let (c, csrf) = t.sign_in(&enrolled).await;
    let (secret, _) = enable_totp(&t, &c, &csrf, clock.now()).await;
    require_mfa(&t, &owner, clock.now()).await;
    clock.advance(chrono::Duration::seconds(30));

    // The identity provider is a first factor only: without a second one, enrolment.
    let b = t.browser();
    let auth = begin(&b, &base).await;
    let person = OidcUser::new("sub-newcomer").with_email(&newcomer.email, true);
    let back = provider.authorize(&auth, &person).await;
    let res = come_back(&b, &base, &back).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login/enroll");
    assert_signed_out(&b, &base, "OIDC alone, MFA required").await;
    let (status, html) = get(&b, &format!("{base}/login/enroll")).await;
    assert_eq!(status, 200, "the enrolment page continues this sign-in");
    assert!(html.contains("data-testid=\"totp-secret\""));

    // With a second factor: asked for the code, then signed in.
    let b = t.browser();
    let auth = begin(&b, &base).await;
    let person = OidcUser::new("sub-enrolled").with_email(&enrolled.email, true);
    let back = provider.authorize(&auth, &person).await;
    let res = come_back(&b, &base, &back).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login/verify");
    assert_signed_out(&b, &base, "OIDC alone, second factor pending").await;
    let csrf = form_csrf(&b, &format!("{base}/login/verify")).await;
    let res = post(
        &b,
        &format!("{base}/login/verify"),
        &[("_csrf", &csrf), ("code", &totp_code(&secret, clock.now()))],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    assert_signed_in(&b, &base, &enrolled.email).await;
}

/// A transparent HTTP proxy in front of the provider. It passes the `Host` header through, so
/// the provider names the proxy as its issuer and endpoints; with `tamper` set it changes one
/// character of the ID token's signature in `POST /oauth2/token` answers.
#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    tamper: Arc<AtomicBool>,
    tampered: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start(provider: &OidcProvider) -> (Proxy, String) {
        rapport_testkit::install_tls();
        let proxy = Proxy {
            upstream: provider.issuer_url(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            tamper: Arc::new(AtomicBool::new(false)),
            tampered: Arc::new(AtomicUsize::new(0)),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(proxy.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        (proxy, url)
    }
}

/// Hop-by-hop and length headers: the two HTTP clients set their own.
fn strip(headers: &mut HeaderMap) {
    for name in [
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
        header::CONNECTION,
    ] {
        headers.remove(name);
    }
}

async fn forward(State(proxy): State<Proxy>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut headers = parts.headers.clone(); // `Host` included: the provider derives its issuer from it
    strip(&mut headers);
    let res = proxy
        .http
        .request(parts.method.clone(), format!("{}{path}", proxy.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let mut headers = res.headers().clone();
    strip(&mut headers);
    let mut body = res.bytes().await.unwrap();
    if parts.method == Method::POST
        && parts.uri.path() == "/oauth2/token"
        && status == StatusCode::OK
        && proxy.tamper.load(Ordering::SeqCst)
    {
        body = tamper_with_id_token(&body);
        proxy.tampered.fetch_add(1, Ordering::SeqCst);
    }
    (status, headers, body).into_response()
}

/// The token response with one character in the middle of the ID token's signature changed
/// (the middle, not the end: the last base64url character may carry only padding bits).
fn tamper_with_id_token(body: &[u8]) -> Bytes {
    let mut json: serde_json::Value = serde_json::from_slice(body).unwrap();
    let token = json["id_token"].as_str().expect("an ID token").to_owned();
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    assert_eq!(parts.len(), 3, "a JWS in compact form");
    parts[2] = super::altered(&parts[2]);
    json["id_token"] = parts.join(".").into();
    Bytes::from(serde_json::to_vec(&json).unwrap())
}

/// Signs in through the proxy: the provider's form is submitted at the proxy's address.
async fn authorize_via_proxy(provider: &OidcProvider, auth: &str, person: &OidcUser) -> String {
    provider.set_user(person).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(auth)
        .form(&[("sub", person.sub.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302, "{}", provider.log());
    location(&res)
}

#[tokio::test]
async fn oidc_tampered_id_token_is_refused() {
    let provider = OidcProvider::start().await;
    let (proxy, proxy_url) = Proxy::start(&provider).await;
    let (t, base) = app_for(proxy_url.clone()).await;
    let user = t.create_org_with("Northwind", Role::Agent).await;
    let person = OidcUser::new("sub-1").with_email(&user.email, true);

    // Untampered, the proxy is transparent: the provider calls itself by the proxy's address
    // (the app checks the issuer), and the sign-in works.
    let b = t.browser();
    let auth = begin(&b, &base).await;
    assert!(
        auth.starts_with(&format!("{proxy_url}/oauth2/authorize?")),
        "the provider's endpoints are the proxy's: {auth}"
    );
    let back = authorize_via_proxy(&provider, &auth, &person).await;
    let res = come_back(&b, &base, &back).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        "/",
        "signed in through the untampered proxy"
    );
    assert_signed_in(&b, &base, &user.email).await;
    assert_eq!(proxy.tampered.load(Ordering::SeqCst), 0);

    // One character of the signature changed in flight: refused.
    proxy.tamper.store(true, Ordering::SeqCst);
    let b = t.browser();
    let auth = begin(&b, &base).await;
    let back = authorize_via_proxy(&provider, &auth, &person).await;
    let res = come_back(&b, &base, &back).await;
    assert_eq!(
        proxy.tampered.load(Ordering::SeqCst),
        1,
        "the app fetched the token through the proxy, which altered it"
    );
    assert_refused_unverified(&b, &base, res).await;
}
