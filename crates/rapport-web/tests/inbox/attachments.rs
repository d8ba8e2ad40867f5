//! Files on messages: uploaded, carried by inbound messages, replies and notes, encrypted and
//! stored once per content in the blob store, downloaded only as attachments (an SVG or HTML
//! file is never rendered), bounded in size and count, kept in their org, and swept when an
//! upload is never sent.

use super::{Browser, api_inbox, post_inbound, token};
use crate::crm_work::run_job_now;
use chrono::{Duration, Utc};
use rapport_app::AppConfig;
use rapport_domain::{ManualClock, Role};
use rapport_testkit::{TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;

/// The smallest PNG header (the bytes prove the type; the preview needs nothing more).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
const SVG: &str =
    r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>"#;

/// Uploads `bytes` with a bearer token; status and JSON.
async fn upload_bearer(
    t: &TestApp,
    token: &str,
    name: &str,
    kind: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let res = t
        .client()
        .post(t.url(&format!("/api/v1/uploads?filename={name}")))
        .bearer_auth(token)
        .header("content-type", kind)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Uploads `bytes` as the signed-in browser does (session cookie and CSRF header).
async fn upload_session(t: &TestApp, b: &Browser, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let res = b
        .client
        .post(t.url(&format!("/api/v1/uploads?filename={name}")))
        .header("x-csrf-token", &b.csrf)
        .header("content-type", "text/plain")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Every blob file under the app's blob directory.
fn blob_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(blob_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn customers_files_arrive_encrypted_and_download_without_ever_rendering() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Files Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let secret = token(&t, &b).await;

    let (s, png) = upload_bearer(&t, &secret, "photo.png", "image/png", PNG.to_vec()).await;
    assert_eq!(s, 201, "{png}");
    assert_eq!(png["filename"], "photo.png");
    assert_eq!(png["message_id"], Value::Null);
    let (_, svg) = upload_bearer(
        &t,
        &secret,
        "../../evil.svg",
        "image/svg+xml",
        SVG.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(svg["filename"], "evil.svg", "the path is dropped");

    // A message may be files alone.
    let (s, out) = post_inbound(
        &t,
        &t.client(),
        &secret,
        &inbox,
        "files-1",
        json!({ "contact": { "identifier": "ana" }, "attachments": [png["id"], svg["id"]] }),
    )
    .await;
    assert_eq!(s, 201, "{out}");
    let files = out["message"]["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["filename"], "photo.png");
    assert_eq!(files[1]["content_type"], "image/svg+xml");
    let conv = out["conversation_id"].as_str().unwrap();
    let detail = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert!(
        detail["last_message_preview"]
            .as_str()
            .unwrap()
            .contains("photo.png, evil.svg"),
        "{detail}"
    );

    // The SVG downloads as bytes, even when asked inline, in a sandbox.
    for path in ["", "?inline=1"] {
        let res = b
            .client
            .get(t.url(&format!(
                "/api/v1/attachments/{}/content{path}",
                svg["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(header(&res, "content-disposition").starts_with("attachment;"));
        assert!(header(&res, "content-disposition").contains("evil.svg"));
        assert_eq!(header(&res, "content-type"), "application/octet-stream");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert!(header(&res, "content-security-policy").contains("sandbox"));
        assert_eq!(res.bytes().await.unwrap().as_ref(), SVG.as_bytes());
    }
    // A proven PNG may preview inline; otherwise it downloads too.
    let png_url = format!(
        "/api/v1/attachments/{}/content",
        png["id"].as_str().unwrap()
    );
    let res = b
        .client
        .get(t.url(&format!("{png_url}?inline=1")))
        .send()
        .await
        .unwrap();
    assert!(header(&res, "content-disposition").starts_with("inline;"));
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let res = b.client.get(t.url(&png_url)).send().await.unwrap();
    assert!(header(&res, "content-disposition").starts_with("attachment;"));

    // On disk: sealed, so the SVG's text is nowhere; and the same content is stored once.
    let dir = &t.app.config().blob_dir;
    for f in blob_files(dir) {
        let raw = std::fs::read(&f).unwrap();
        assert!(
            !raw.windows(12).any(|w| w == b"alert(docume"),
            "{f:?} holds plaintext"
        );
    }
    let before = blob_files(dir).len();
    let (_, again) = upload_bearer(&t, &secret, "same.png", "image/png", PNG.to_vec()).await;
    assert_ne!(again["id"], png["id"]);
    assert_eq!(
        blob_files(dir).len(),
        before,
        "equal content shares one blob"
    );

    // A file goes on one message only.
    let (s, reused) = post_inbound(
        &t,
        &t.client(),
        &secret,
        &inbox,
        "files-2",
        json!({ "contact": { "identifier": "ana" }, "content": "again", "attachments": [png["id"]] }),
    )
    .await;
    assert_eq!(s, 422, "{reused}");
    assert!(reused.to_string().contains("attachments"));
}

#[tokio::test]
async fn agents_attach_files_from_the_composer_and_notes() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Composer Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let secret = token(&t, &b).await;
    let (_, out) = post_inbound(
        &t,
        &t.client(),
        &secret,
        &inbox,
        "k1",
        json!({ "contact": { "identifier": "ben", "name": "Ben Ode" }, "content": "Where is my invoice?" }),
    )
    .await;
    let conv = out["conversation_id"].as_str().unwrap().to_owned();

    // The composer uploads, then sends the form with the ids and no text.
    let (s, inv) = upload_session(&t, &b, "invoice-42.txt", b"Invoice 42: 99 EUR".to_vec()).await;
    assert_eq!(s, 201, "{inv}");
    let res = b
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/messages"),
            &[
                ("mode", "reply"),
                ("body", ""),
                ("attachments", inv["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.get(&t, &format!("/inbox/conversations/{conv}")).await;
    assert!(page.contains("invoice-42.txt"), "the thread lists the file");
    assert!(page.contains(&format!(
        "/api/v1/attachments/{}/content",
        inv["id"].as_str().unwrap()
    )));

    // The API: a note with a file.
    let (_, shot) = upload_session(&t, &b, "screenshot.txt", b"see here".to_vec()).await;
    let note = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(json!({ "content": "Customer's screen", "private": true, "attachments": [shot["id"]] })),
        )
        .await;
    assert_eq!(note["attachments"][0]["filename"], "screenshot.txt");
    let thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    let with_files = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !m["attachments"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(with_files, 2);

    // An unsent upload is its uploader's alone; a sent one is the team's.
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let ab = Browser::sign_in(&t, &agent).await;
    let (_, draft) = upload_session(&t, &b, "draft.txt", b"not yet".to_vec()).await;
    let draft_id = draft["id"].as_str().unwrap();
    let res = ab
        .api(&t, Method::GET, &format!("/attachments/{draft_id}"), None)
        .await;
    assert_eq!(res.status(), 404);
    let res = ab
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(json!({ "content": "mine now", "attachments": [draft_id] })),
        )
        .await;
    assert_eq!(res.status(), 422, "nobody sends another member's upload");
    let res = ab
        .api(
            &t,
            Method::GET,
            &format!("/attachments/{}", inv["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn files_are_bounded_and_stay_in_their_org() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Bounded Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let secret = token(&t, &b).await;

    let (s, empty) = upload_bearer(&t, &secret, "empty.txt", "text/plain", Vec::new()).await;
    assert_eq!(s, 422, "{empty}");
    let (s, huge) = upload_bearer(
        &t,
        &secret,
        "huge.bin",
        "application/octet-stream",
        vec![7; 26 * 1024 * 1024],
    )
    .await;
    assert_eq!(s, 413);
    assert_eq!(huge["code"], "payload_too_large");

    let mut ids = Vec::new();
    for i in 0..11 {
        let (_, f) = upload_bearer(
            &t,
            &secret,
            &format!("f{i}.txt"),
            "text/plain",
            format!("file {i}").into_bytes(),
        )
        .await;
        ids.push(f["id"].clone());
    }
    let (s, many) = post_inbound(
        &t,
        &t.client(),
        &secret,
        &inbox,
        "many",
        json!({ "contact": { "identifier": "cy" }, "content": "lots", "attachments": ids }),
    )
    .await;
    assert_eq!(s, 422, "{many}");
    assert_eq!(
        super::count(&t, "messages", owner.org_id).await,
        0,
        "nothing stored"
    );

    // Another org sees nothing and cannot send this org's file.
    let other = t.create_org_with("Other Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &other).await;
    let other_inbox = api_inbox(&t, &ob, "Theirs").await;
    let other_secret = token(&t, &ob).await;
    let id = ids[0].as_str().unwrap();
    let res = ob
        .api(&t, Method::GET, &format!("/attachments/{id}/content"), None)
        .await;
    assert_eq!(res.status(), 404);
    let (s, _) = post_inbound(
        &t,
        &t.client(),
        &other_secret,
        &other_inbox,
        "steal",
        json!({ "contact": { "identifier": "x" }, "content": "hi", "attachments": [id] }),
    )
    .await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn uploads_never_sent_are_swept_after_a_day() {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let t = spawn_app_with(AppConfig::default(), clock.clone()).await;
    let owner = t.create_org_with("Sweep Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let secret = token(&t, &b).await;
    let (_, kept) = upload_bearer(&t, &secret, "kept.txt", "text/plain", b"kept".to_vec()).await;
    let (_, lost) = upload_bearer(
        &t,
        &secret,
        "lost.txt",
        "text/plain",
        b"never sent".to_vec(),
    )
    .await;
    let (s, _) = post_inbound(
        &t,
        &t.client(),
        &secret,
        &inbox,
        "k",
        json!({ "contact": { "identifier": "dee" }, "attachments": [kept["id"]] }),
    )
    .await;
    assert_eq!(s, 201);
    let dir = t.app.config().blob_dir.clone();
    assert_eq!(blob_files(&dir).len(), 2);

    // Read with the token: a day later the browser's session has ended.
    let status = |a: &Value| {
        let req = t
            .client()
            .get(t.url(&format!(
                "/api/v1/attachments/{}",
                a["id"].as_str().unwrap()
            )))
            .bearer_auth(&secret);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    run_job_now(&t, "attachments.sweep").await;
    assert_eq!(status(&lost).await, 200, "a fresh upload waits");

    clock.advance(Duration::hours(25));
    run_job_now(&t, "attachments.sweep").await;
    assert_eq!(status(&lost).await, 404);
    assert_eq!(status(&kept).await, 200);
    assert_eq!(blob_files(&dir).len(), 1, "the unsent file's blob is gone");
}
