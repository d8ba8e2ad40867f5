//! E1 (access) and E4 (portability): a contact's personal-data export.
//!
//! A contact is given data everywhere the product can hold it through its API (their record,
//! addresses, phones, tags, channel identity, a company link, a deal, a note, a task, two
//! conversations with messages and a file, labels), each carrying a unique marker; a second
//! contact gets a marker of their own. Then every text and JSON column of every mapped table is
//! scanned for the first marker, independently of the export: each row found must be in the
//! export, and nothing of the second contact may be. The export's `export.json` must validate
//! against the published schema (`docs/privacy/export-schema.json`), its CSVs must parse, and
//! its files must be the bytes that were sent.

use super::{Browser, query};
use crate::inbox::{api_inbox, from, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

const MARK: &str = "zqcanary7";
const OTHER: &str = "zqother9";

/// Gives a contact data in every place the API reaches; returns their id.
async fn seed(t: &TestApp, b: &Browser, tok: &str, inbox: &str, mark: &str) -> String {
    let client = t.client();
    let (status, first) = post_inbound(
        t,
        &client,
        tok,
        inbox,
        &format!("{mark}-1"),
        from(
            &format!("id-{mark}"),
            &format!("Ana {mark}"),
            &format!("Hello {mark}"),
        ),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let contact = first["contact_id"].as_str().unwrap().to_owned();
    let conversation = first["conversation_id"].as_str().unwrap().to_owned();
    b.api_ok(
        t,
        Method::PATCH,
        &format!("/contacts/{contact}"),
        Some(json!({
            "last_name": format!("Lima {mark}"),
            "title": format!("Head of {mark}"),
            "emails": [format!("ana.{mark}@example.org")],
            "phones": [{ "number": "+1 415 555 0132", "label": format!("cell {mark}") }],
            "tags": [format!("tag-{mark}")],
            "social": { "linkedin": format!("https://linkedin.example/{mark}") },
        })),
    )
    .await;
    let company = b
        .api_ok(
            t,
            Method::POST,
            "/companies",
            // A company and a deal are the org's records, not the person's: no marker.
            Some(json!({ "name": format!("Company {}", &mark[2..]) })),
        )
        .await["id"]
        .clone();
    b.api_ok(
        t,
        Method::PATCH,
        &format!("/contacts/{contact}"),
        Some(json!({ "companies": [{ "company_id": company, "role": format!("buyer {mark}") }] })),
    )
    .await;
    b.api_ok(
        t,
        Method::POST,
        "/deals",
        Some(json!({ "title": format!("Deal {}", &mark[2..]), "contact_ids": [contact] })),
    )
    .await;
    b.api_ok(
        t,
        Method::POST,
        "/notes",
        Some(json!({ "record_type": "contact", "record_id": contact, "body": format!("Note {mark}") })),
    )
    .await;
    b.api_ok(
        t,
        Method::POST,
        "/tasks",
        Some(json!({ "title": format!("Call {mark}"), "links": [{ "record_type": "contact", "record_id": contact }] })),
    )
    .await;
    b.api_ok(
        t,
        Method::POST,
        &format!("/conversations/{conversation}/labels"),
        Some(json!({ "labels": [format!("label-{mark}")] })),
    )
    .await;
    // A file from the customer, and the agent's reply.
    let upload: Value = client
        .post(t.url(&format!("/api/v1/uploads?filename=invoice-{mark}.txt")))
        .bearer_auth(tok)
        .header("content-type", "text/plain")
        .body(format!("Invoice for {mark}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut body = from(&format!("id-{mark}"), "", &format!("The invoice {mark}"));
    body["attachments"] = json!([upload["id"]]);
    let (status, second) = post_inbound(t, &client, tok, inbox, &format!("{mark}-2"), body).await;
    assert_eq!(status, 201, "{second}");
    b.api_ok(
        t,
        Method::POST,
        &format!("/conversations/{conversation}/messages"),
        Some(json!({ "content": format!("Thanks, {mark}") })),
    )
    .await;
    contact
}

/// Every (table, row id or row text) in the database holding `needle` in a text or JSON
/// column, found without the export's code.
async fn rows_holding(t: &TestApp, needle: &str) -> BTreeMap<(String, String), String> {
    let mut found = BTreeMap::new();
    for table in rapport_privacy::tables() {
        let has_id = table.column("id").is_some();
        let key = if has_id { "id" } else { "NULL" };
        for c in table.columns.iter().filter(|c| {
            matches!(
                c.kind(),
                rapport_privacy::Kind::Text | rapport_privacy::Kind::Json
            )
        }) {
            let sql = format!(
                "SELECT {key} AS k, CAST({col} AS TEXT) AS v FROM {t} WHERE CAST({col} AS TEXT) LIKE $1",
                col = c.name,
                t = table.name
            );
            for r in query(t, &sql, vec![format!("%{needle}%").into()]).await {
                let v: String = r.try_get("", "v").unwrap_or_default();
                let key = if has_id {
                    r.try_get::<uuid::Uuid>("", "k").unwrap().to_string()
                } else {
                    v.clone()
                };
                found.insert((table.name.to_owned(), key), v);
            }
        }
    }
    found
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().to_owned(), data);
    }
    out
}

/// `GET` the export as the owner; the archive's files.
async fn export(t: &TestApp, b: &Browser, contact: &str) -> BTreeMap<String, Vec<u8>> {
    let res = b
        .api(
            t,
            Method::GET,
            &format!("/contacts/{contact}/personal-data"),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    unzip(&res.bytes().await.unwrap())
}

async fn seeded() -> (TestApp, Browser, String) {
    let t = spawn_app().await;
    let owner = t.create_org_with("Export Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let contact = seed(&t, &b, &tok, &inbox, MARK).await;
    seed(&t, &b, &tok, &inbox, OTHER).await;
    (t, b, contact)
}

#[tokio::test]
async fn pp_e1_access_export_holds_every_record_that_references_the_contact() {
    let (t, b, contact) = seeded().await;
    let files = export(&t, &b, &contact).await;
    let doc: Value = serde_json::from_slice(&files["export.json"]).unwrap();
    let text = String::from_utf8_lossy(&files["export.json"]).to_string();
    assert!(
        !text.contains(OTHER),
        "another contact's data leaked into the export"
    );

    // Every row holding the marker is in the export (plumbing that is swept aside).
    let mut exported: BTreeSet<(String, String)> = BTreeSet::new();
    for table in doc["tables"].as_array().unwrap() {
        let name = table["name"].as_str().unwrap();
        for row in table["rows"].as_array().unwrap() {
            match row.get("id").and_then(Value::as_str) {
                Some(id) => exported.insert((name.to_owned(), id.to_owned())),
                None => exported.insert((name.to_owned(), row.to_string())),
            };
        }
    }
    let transient = ["outbox_events", "jobs"];
    let mut missing = Vec::new();
    for ((table, key), value) in rows_holding(&t, MARK).await {
        if transient.contains(&table.as_str()) {
            continue;
        }
        let found = exported.contains(&(table.clone(), key.clone()))
            || exported
                .iter()
                .any(|(t, row)| *t == table && row.contains(MARK) && key.contains(MARK));
        if !found {
            missing.push(format!("{table} {key}: {value}"));
        }
    }
    assert!(
        missing.is_empty(),
        "rows of the contact missing from the export: {missing:#?}"
    );

    let tables: BTreeSet<&str> = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for expected in [
        "contacts",
        "contact_emails",
        "contact_phones",
        "contact_tags",
        "contact_identities",
        "contact_companies",
        "deals",
        "deal_contacts",
        "notes",
        "tasks",
        "task_links",
        "activities",
        "conversations",
        "messages",
        "attachments",
        "conversation_labels",
        "inbound_receipts",
    ] {
        assert!(tables.contains(expected), "{expected} missing: {tables:?}");
    }
    // Their file, as it was sent.
    let file = doc["files"][0]["path"].as_str().unwrap();
    assert!(file.ends_with(&format!("invoice-{MARK}.txt")), "{file}");
    assert_eq!(files[file], format!("Invoice for {MARK}").into_bytes());
    // The export is on the record.
    let audit = b.api_ok(&t, Method::GET, "/audit", None).await;
    assert!(audit.to_string().contains("privacy.exported"), "{audit}");
}

#[tokio::test]
async fn pp_e4_export_validates_against_its_published_schema_with_a_csv_per_category() {
    let (t, b, contact) = seeded().await;
    let files = export(&t, &b, &contact).await;
    let doc: Value = serde_json::from_slice(&files["export.json"]).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let published: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/privacy/export-schema.json")).unwrap(),
    )
    .unwrap();
    let inside: Value = serde_json::from_slice(&files["schema.json"]).unwrap();
    assert_eq!(inside, published, "the ZIP carries the published schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&published)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // One CSV per category of personal data, each a table of (table, row, field, value).
    let csvs: Vec<&String> = files.keys().filter(|k| k.starts_with("csv/")).collect();
    for name in [
        "csv/user.name.csv",
        "csv/user.contact.email.csv",
        "csv/user.content.csv",
    ] {
        assert!(files.contains_key(name), "{name} missing: {csvs:?}");
    }
    for name in csvs {
        let mut reader = csv::Reader::from_reader(files[name].as_slice());
        assert_eq!(
            reader.headers().unwrap(),
            vec!["table", "row", "field", "value"],
            "{name}"
        );
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!rows.is_empty(), "{name} is empty");
    }
    let emails = String::from_utf8_lossy(&files["csv/user.contact.email.csv"]).to_string();
    assert!(
        emails.contains(&format!("ana.{MARK}@example.org")),
        "{emails}"
    );
    assert!(files.contains_key("README.txt"));
    // Credentials are never exported.
    assert!(
        !String::from_utf8_lossy(&files["export.json"]).contains("token_digest"),
        "no credential column in the export"
    );
}

#[tokio::test]
async fn pp_e1_a_members_export_holds_their_account_and_work_but_no_credentials() {
    let (t, owner, contact) = seeded().await;
    let me = owner.api_ok(&t, Method::GET, "/me", None).await;
    let org: rapport_domain::OrgId = me["org_id"].as_str().unwrap().parse().unwrap();
    let agent = t.add_member(org, Role::Agent).await;
    let b = Browser::sign_in(&t, &agent).await;
    b.api_ok(
        &t,
        Method::POST,
        "/notes",
        Some(json!({ "record_type": "contact", "record_id": contact, "body": "Agent note zqagent3" })),
    )
    .await;

    // The member's own copy, and the privacy manager's.
    let res = b.api(&t, Method::GET, "/me/personal-data", None).await;
    assert_eq!(res.status(), 200);
    let own = unzip(&res.bytes().await.unwrap());
    let res = owner
        .api(
            &t,
            Method::GET,
            &format!("/users/{}/personal-data", agent.id),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let managed = unzip(&res.bytes().await.unwrap());
    for files in [&own, &managed] {
        let doc: Value = serde_json::from_slice(&files["export.json"]).unwrap();
        assert_eq!(doc["subject"]["kind"], "user");
        let tables: BTreeMap<&str, &Value> = doc["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap(), &t["rows"]))
            .collect();
        assert_eq!(tables["users"][0]["email"], agent.email.as_str());
        assert!(tables["users"][0].get("password_hash").is_none());
        assert!(tables.contains_key("memberships"), "{tables:?}");
        assert!(tables["sessions"][0].get("token_hash").is_none());
        assert!(tables["notes"].to_string().contains("zqagent3"));
        let text = String::from_utf8_lossy(&files["export.json"]).to_string();
        assert!(
            !text.contains(MARK),
            "the contact's data is not the member's"
        );
    }
    // A member cannot export a colleague; another org's member is not found.
    let res = b
        .api(
            &t,
            Method::GET,
            &format!("/users/{}/personal-data", me["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(res.status(), 403);
}
