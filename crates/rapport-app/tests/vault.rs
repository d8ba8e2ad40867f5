//! The application vault over a real database: sealing under org and per-subject keys,
//! crypto-shredding a subject, and ciphertexts bound to their purpose.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use rapport_app::vault::{KekSource, KeyOwner, Vault};
use rapport_app::{App, AppConfig, AppError};
use rapport_domain::{OrgId, OrgName, OrgSlug, SystemClock};
use rapport_store::repo::orgs;
use rapport_store::testing::TestDb;
use rapport_vault::{ExposeSecret, SecretString};
use std::sync::Arc;

async fn app() -> (App, TestDb, tempfile::TempDir, OrgId) {
    let db = TestDb::new().await;
    let keys = tempfile::tempdir().unwrap();
    let vault = Vault::load(KekSource::KeyDir(keys.path().join("keys"))).unwrap();
    let app = App::new(
        db.db.clone(),
        Arc::new(SystemClock),
        vault,
        AppConfig::default(),
    );
    let org = OrgId::new();
    let name = OrgName::parse("Vault Org").unwrap();
    orgs::insert(
        db.db.conn(),
        org,
        &name,
        &OrgSlug::from_name(&name),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    (app, db, keys, org)
}

#[tokio::test]
async fn a_shredded_subject_can_never_be_read_again() {
    let (app, db, _keys, org) = app().await;
    let conn = db.db.conn();
    let owner = KeyOwner::Org(org);
    let secret = SecretString::from("contact phone +4930123456");
    let sealed = app
        .vault()
        .seal_subject(conn, owner, "contact:42", "contact_phone:42", &secret)
        .await
        .unwrap();
    assert!(!sealed.contains("4930123456"));
    let opened = app
        .vault()
        .open_subject(conn, owner, "contact:42", "contact_phone:42", &sealed)
        .await
        .unwrap();
    assert_eq!(opened.expose_secret(), "contact phone +4930123456");
    // Bound to its purpose: the same ciphertext does not open as another field.
    assert!(
        app.vault()
            .open_subject(conn, owner, "contact:42", "contact_email:42", &sealed)
            .await
            .is_err()
    );
    // Another subject's key cannot open it either.
    app.vault()
        .seal_subject(conn, owner, "contact:43", "x", &SecretString::from("other"))
        .await
        .unwrap();
    assert!(
        app.vault()
            .open_subject(conn, owner, "contact:43", "contact_phone:42", &sealed)
            .await
            .is_err()
    );

    assert!(app.vault().shred(conn, owner, "contact:42").await.unwrap());
    let after = app
        .vault()
        .open_subject(conn, owner, "contact:42", "contact_phone:42", &sealed)
        .await;
    assert!(
        matches!(after, Err(AppError::NotFound)),
        "a shredded key is gone for good, and opening does not mint a new one: {after:?}"
    );
    // The org's other subjects are untouched.
    assert_eq!(
        app.vault()
            .open_subject(
                conn,
                owner,
                "contact:43",
                "x",
                &app.vault()
                    .seal_subject(conn, owner, "contact:43", "x", &SecretString::from("still"))
                    .await
                    .unwrap()
            )
            .await
            .unwrap()
            .expose_secret(),
        "still"
    );
}

#[tokio::test]
async fn org_keys_are_per_org() {
    let (app, db, _keys, org) = app().await;
    let conn = db.db.conn();
    let other = OrgId::new();
    let name = OrgName::parse("Other Org").unwrap();
    orgs::insert(
        conn,
        other,
        &name,
        &OrgSlug::from_name(&name),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let sealed = app
        .vault()
        .seal(
            conn,
            KeyOwner::Org(org),
            "imap_password",
            &SecretString::from("hunter22"),
        )
        .await
        .unwrap();
    assert!(
        app.vault()
            .open(conn, KeyOwner::Org(other), "imap_password", &sealed)
            .await
            .is_err(),
        "another org's key cannot open it"
    );
    let opened = app
        .vault()
        .open(conn, KeyOwner::Org(org), "imap_password", &sealed)
        .await
        .unwrap();
    assert_eq!(opened.expose_secret(), "hunter22");
}
