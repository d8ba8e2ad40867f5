//! The HTTP surface end to end: health, metrics, OpenAPI, problem+json errors, security
//! headers, first-run setup, sign-in, CSRF, the jobs admin, and tenant isolation. Runs on
//! SQLite, and on PostgreSQL when `RAPPORT_TEST_DATABASE_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use rapport_domain::Role;
use rapport_testkit::{hidden_value, spawn_app};
use serde_json::{Value, json};

mod account;
mod admin;
mod crm_deals;
mod crm_import;
mod crm_lists;
mod crm_records;
mod crm_work;
mod identity_api;
mod inbox;
mod privacy;
mod signin;

async fn problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string() && body["detail"].is_string() && body["type"].is_string());
    body
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let t = spawn_app().await;
    let c = t.client();
    let res = c.get(t.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().contains_key("x-request-id"),
        "every response carries a request id"
    );
    assert_eq!(c.get(t.url("/readyz")).send().await.unwrap().status(), 200);
    let res = c.get(t.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains("# TYPE rapport_http_requests_total counter"),
        "{text}"
    );
    assert!(
        text.contains("rapport_http_request_duration_seconds_bucket"),
        "latency histogram"
    );
    assert!(
        text.contains("rapport_jobs{state=\"queued\"}"),
        "queue depth gauge"
    );
}

#[tokio::test]
async fn openapi_document_is_valid_openapi_3_1() {
    let t = spawn_app().await;
    let text = t
        .client()
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let spec = oas3::from_json(&text).expect("parses as OpenAPI 3.1");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let paths = spec.paths.expect("paths");
    for p in [
        "/setup",
        "/me",
        "/system/jobs",
        "/system/jobs/{id}/retry",
        "/system/queue",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
}

#[tokio::test]
async fn bad_requests_get_problem_json_and_the_server_keeps_serving() {
    let t = spawn_app().await;
    let c = t.client();
    let res = c
        .post(t.url("/api/v1/setup"))
        .header("content-type", "application/json")
        .body("{\"org_name\": ")
        .send()
        .await
        .unwrap();
    problem(res, 400, "malformed_json").await;

    let big = format!("{{\"org_name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let res = c
        .post(t.url("/api/v1/setup"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    problem(res, 413, "payload_too_large").await;

    let res = c.get(t.url("/api/v1/no/such/route")).send().await.unwrap();
    problem(res, 404, "not_found").await;

    let res = c
        .post(t.url("/api/v1/setup"))
        .body("org_name=x")
        .send()
        .await
        .unwrap();
    problem(res, 415, "unsupported_media_type").await;

    let res = c.delete(t.url("/api/v1/setup")).send().await.unwrap();
    problem(res, 405, "method_not_allowed").await;

    // Mass assignment: unknown fields are refused, not ignored.
    let body = json!({"org_name": "A", "name": "B", "email": "b@example.com", "password": "correct horse battery", "role": "owner"});
    let res = c
        .post(t.url("/api/v1/setup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let p = problem(res, 422, "validation_failed").await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field")
    );

    let body = json!({"org_name": " ", "name": "B", "email": "nope", "password": "short"});
    let res = c
        .post(t.url("/api/v1/setup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let p = problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["org_name", "email", "password"]);

    // Nothing was stored by the bad requests, and the server still answers.
    assert!(t.app.needs_setup().await.unwrap());
    assert_eq!(c.get(t.url("/healthz")).send().await.unwrap().status(), 200);
    let res = c.get(t.url("/no-such-page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = c
        .post(t.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}", "x".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The form could not be read")
    );
    let res = c.get(t.url("/no-such-page")).send().await.unwrap();
    assert!(
        res.text().await.unwrap().contains("Page not found"),
        "browsers get a readable page"
    );
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let t = spawn_app().await;
    for path in [
        "/setup",
        "/healthz",
        "/api/v1/openapi.json",
        "/static/app.css",
        "/nope",
    ] {
        let res = t.client().get(t.url(path)).send().await.unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    }
}

#[tokio::test]
async fn first_run_setup_creates_the_org_and_signs_the_owner_in() {
    let t = spawn_app().await;
    let browser = t.browser();
    // A fresh install sends everyone to setup.
    let res = browser.get(t.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/setup");
    let page = browser
        .get(t.url("/setup"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_value(&page, "_csrf").unwrap();

    // Invalid input: a readable error, values kept (never the password), nothing stored.
    let form = setup_form(&csrf, "not-an-email");
    let res = browser
        .post(t.url("/setup"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("email is not valid"), "{html}");
    assert!(html.contains("value=\"Northwind\""));
    assert!(!html.contains("correct horse battery"));
    assert!(t.app.needs_setup().await.unwrap());

    // Without the CSRF token: refused.
    let res = browser
        .post(t.url("/setup"))
        .form(&form[1..])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let form = setup_form(&csrf, "Ada@Example.com");
    let res = browser
        .post(t.url("/setup"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("rapport_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let home = browser
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Northwind"), "the shell shows the org");
    assert!(
        home.contains("Your organization is ready"),
        "flash message after setup"
    );
    assert!(home.contains("ada@example.com"), "email normalized");
    assert!(home.contains("Europe/Berlin"));

    let me: Value = browser
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "owner");
    assert_eq!(me["email"], "ada@example.com");

    // Setup is closed for good, on the page and on the API.
    let res = t.browser().get(t.url("/setup")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login");
    let body = json!({"org_name": "Evil", "name": "E", "email": "e@example.com", "password": "correct horse battery"});
    problem(
        t.client()
            .post(t.url("/api/v1/setup"))
            .json(&body)
            .send()
            .await
            .unwrap(),
        409,
        "already_set_up",
    )
    .await;
}

#[tokio::test]
async fn sign_in_failures_do_not_reveal_accounts_and_sign_out_ends_the_session() {
    let t = spawn_app().await;
    let user = t.create_org_with("Acme", Role::Owner).await;
    for (email, password) in [
        (user.email.as_str(), "wrong password!"),
        ("nobody@example.com", "whatever12345"),
    ] {
        let b = t.browser();
        let page = b
            .get(t.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden_value(&page, "_csrf").unwrap();
        let res = b
            .post(t.url("/login"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("The email or password is not correct.")
        );
    }
    let (browser, csrf) = t.sign_in(&user).await;
    assert_eq!(
        browser
            .get(t.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let res = browser
        .post(t.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/login");
    problem(
        browser.get(t.url("/api/v1/me")).send().await.unwrap(),
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn cross_site_and_tokenless_writes_are_refused() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Acme", Role::Owner).await;
    let (browser, csrf) = t.sign_in(&owner).await;
    let id = uuid::Uuid::now_v7();
    // Cookie-authenticated API write without the CSRF header.
    let res = browser
        .post(t.url(&format!("/api/v1/system/jobs/{id}/retry")))
        .send()
        .await
        .unwrap();
    problem(res, 403, "csrf_failed").await;
    // With the header but from another site.
    let res = browser
        .post(t.url(&format!("/api/v1/system/jobs/{id}/retry")))
        .header("x-csrf-token", &csrf)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    problem(res, 403, "csrf_failed").await;
    // A cross-site form post to sign out is refused with a readable page.
    let res = browser
        .post(t.url("/logout"))
        .header("origin", "https://evil.example")
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        browser
            .get(t.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "still signed in"
    );
}

#[tokio::test]
async fn admins_see_and_retry_dead_jobs_of_their_org_only() {
    let t = spawn_app().await;
    let a = t.create_org_with("Org A", Role::Owner).await;
    let b = t.create_org_with("Org B", Role::Owner).await;
    let agent = t.add_member(a.org_id, Role::Agent).await;
    let queue = t.app.queue();
    let dead = |org| rapport_jobs_opts(org);
    let job_a = queue
        .enqueue("no.such.handler", json!({}), dead(a.org_id))
        .await
        .unwrap()
        .unwrap();
    let job_b = queue
        .enqueue("no.such.handler", json!({}), dead(b.org_id))
        .await
        .unwrap()
        .unwrap();
    // Run the queue once per job: unknown kinds are dead-lettered at once.
    let pool = rapport_app_worker(&t);
    while pool.run_once("test").await.unwrap().is_some() {}

    let (admin_a, csrf_a) = t.sign_in(&a).await;
    let list: Value = admin_a
        .get(t.url("/api/v1/system/jobs?state=dead"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&job_a.to_string().as_str()));
    assert!(
        !ids.contains(&job_b.to_string().as_str()),
        "another org's job is invisible"
    );
    let html = admin_a
        .get(t.url("/admin/jobs?state=dead"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&job_a.to_string()) && !html.contains(&job_b.to_string()));

    // Retrying another org's job looks exactly like retrying a job that does not exist.
    let res = admin_a
        .post(t.url(&format!("/api/v1/system/jobs/{job_b}/retry")))
        .header("x-csrf-token", &csrf_a)
        .send()
        .await
        .unwrap();
    problem(res, 404, "not_found").await;
    let res = admin_a
        .post(t.url(&format!("/api/v1/system/jobs/{job_a}/retry")))
        .header("x-csrf-token", &csrf_a)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let queued: Value = admin_a
        .get(t.url("/api/v1/system/jobs?state=queued"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queued["items"][0]["id"], job_a.to_string());

    let problem_body = problem(
        admin_a
            .get(t.url("/api/v1/system/jobs?state=exploded"))
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_body["errors"][0]["field"], "state");

    // Agents may not administer.
    let (agent_client, _) = t.sign_in(&agent).await;
    problem(
        agent_client
            .get(t.url("/api/v1/system/jobs"))
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        agent_client
            .get(t.url("/admin/jobs"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let home = agent_client
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !home.contains("/admin/jobs"),
        "agents do not see admin navigation"
    );
}

#[tokio::test]
async fn me_is_scoped_to_the_signed_in_users_org() {
    let t = spawn_app().await;
    let a = t.create_org_with("Org A", Role::Owner).await;
    let b = t.create_org_with("Org B", Role::Viewer).await;
    let (client_b, _) = t.sign_in(&b).await;
    let me: Value = client_b
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["org_id"], b.org_id.to_string());
    assert_ne!(me["org_id"], a.org_id.to_string());
    let home = client_b
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Org B") && !home.contains("Org A"));
}

#[tokio::test]
async fn outbox_events_are_dispatched_to_subscribers_once() {
    let t = spawn_app().await;
    let mut events = t.app.events().subscribe();
    let body = json!({"org_name": "Evented", "name": "Eve", "email": "eve@example.com", "password": "correct horse battery"});
    assert_eq!(
        t.client()
            .post(t.url("/api/v1/setup"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let registry = t.app.job_handlers();
    let pool = rapport_app_worker_with(&t, registry);
    t.app
        .queue()
        .enqueue("outbox.dispatch", json!({}), Default::default())
        .await
        .unwrap();
    t.app
        .queue()
        .enqueue("outbox.dispatch", json!({}), Default::default())
        .await
        .unwrap();
    while pool.run_once("test").await.unwrap().is_some() {}
    let mut kinds = Vec::new();
    while let Ok(e) = events.try_recv() {
        kinds.push(e.kind.as_str());
    }
    assert_eq!(
        kinds,
        vec![
            "org.created",
            "user.created",
            "member.added",
            "session.created"
        ]
    );
    assert_eq!(t.app.outbox_backlog().await.unwrap(), 0);
}

/// The setup form as a browser submits it, for Northwind and its owner Ada.
fn setup_form<'a>(csrf: &'a str, email: &'a str) -> [(&'static str, &'a str); 6] {
    [
        ("_csrf", csrf),
        ("org_name", "Northwind"),
        ("name", "Ada Lovelace"),
        ("email", email),
        ("password", "correct horse battery"),
        ("time_zone", "Europe/Berlin"),
    ]
}

fn rapport_jobs_opts(org: rapport_domain::OrgId) -> rapport_jobs::EnqueueOptions {
    rapport_jobs::EnqueueOptions {
        org_id: Some(org),
        ..Default::default()
    }
}

fn rapport_app_worker(t: &rapport_testkit::TestApp) -> rapport_jobs::WorkerPool {
    rapport_app_worker_with(t, rapport_jobs::HandlerRegistry::new())
}

fn rapport_app_worker_with(
    t: &rapport_testkit::TestApp,
    registry: rapport_jobs::HandlerRegistry,
) -> rapport_jobs::WorkerPool {
    rapport_jobs::WorkerPool::new(
        t.app.queue().clone(),
        registry,
        rapport_jobs::WorkerConfig::default(),
        "test",
    )
}
