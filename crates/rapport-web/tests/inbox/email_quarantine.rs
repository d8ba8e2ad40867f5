//! Quarantined mail through the API: how the tests make some (a sender-less message read by a
//! real reader), and the promise that a listed message can always be retried.

use super::Browser;
use super::email::{MailFixture, WAIT, app, mail_fixture, put};
use rapport_app::inbox::email::Receive;
use rapport_domain::{InboxId, Role};
use rapport_testkit::TestApp;
use reqwest::Method;
use std::time::{Duration, Instant};

/// A message quarantined in `fixture`'s inbox (one without a sender, read by a reader run
/// for it); its id.
pub async fn quarantined(t: &TestApp, owner: &Browser, fixture: &MailFixture) -> String {
    let before = quarantine_ids(t, owner).await;
    let tag = uuid::Uuid::now_v7().simple().to_string();
    put(
        &fixture.imap,
        format!("Subject: no sender {tag}\r\n\r\nwho am I\r\n").into_bytes(),
    )
    .await;
    let sync = t.app.start_mail_sync(&format!("fixture-{tag}"));
    let deadline = Instant::now() + WAIT;
    let id = loop {
        let now = quarantine_ids(t, owner).await;
        if let Some(new) = now.iter().find(|id| !before.contains(id)) {
            break new.clone();
        }
        assert!(Instant::now() < deadline, "nothing was quarantined");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    sync.stop().await;
    id
}

pub async fn quarantine_ids(t: &TestApp, owner: &Browser) -> Vec<String> {
    owner.api_ok(t, Method::GET, "/mail-quarantine", None).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Regression: the quarantine row used to be stored before the raw bytes, so a retry right
/// after the listing could answer 404. Now a listed message always has its bytes: when they
/// cannot be kept, nothing is listed and the reader reads the message again later.
#[tokio::test]
async fn a_listed_quarantined_message_can_always_be_retried() {
    let t = app().await;
    let owner = t.create_org_with("Quarantine Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let fixture = mail_fixture(&t, &b).await;
    let inbox = InboxId::from_uuid(fixture.inbox.parse().unwrap());
    let raw = b"Subject: no sender\r\n\r\nwho am I\r\n";

    // The org's blob directory cannot be made: the bytes cannot be kept.
    let blocked = t.app.config().blob_dir.join(owner.org_id.to_string());
    std::fs::create_dir_all(blocked.parent().unwrap()).unwrap();
    std::fs::write(&blocked, b"not a directory").unwrap();
    let outcome = t
        .app
        .receive_fetched_mail(owner.org_id, inbox, "INBOX", 1, raw)
        .await
        .unwrap();
    assert!(matches!(outcome, Receive::Retry(_)), "{outcome:?}");
    assert!(
        quarantine_ids(&t, &b).await.is_empty(),
        "no row without its bytes"
    );

    std::fs::remove_file(&blocked).unwrap();
    let outcome = t
        .app
        .receive_fetched_mail(owner.org_id, inbox, "INBOX", 1, raw)
        .await
        .unwrap();
    assert!(matches!(outcome, Receive::Quarantined(_)), "{outcome:?}");
    let [qid] = quarantine_ids(&t, &b).await.try_into().unwrap();
    let again = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/mail-quarantine/{qid}/retry"),
            None,
        )
        .await;
    assert_eq!(again["outcome"], "quarantined");
}
