//! CSV import: suggestion, preview, all-or-nothing, skip_invalid, dedupe, encodings, formulas.

use super::Api;
use serde_json::{Value, json};

const GOOD: &str = "First Name,Last Name,E-mail Address,Mobile Phone,Organization,Tags,Industry\n\
Ada,Lovelace,Ada@Example.com,+1 415 555 0132,Analytical Engines,vip;math,saas\n\
Grace,Hopper,grace@navy.mil,+1 202 555 0199,US Navy,,retail\n";

#[tokio::test]
async fn upload_suggests_a_mapping_and_previews_every_rows_errors() {
    let a = Api::new().await;
    a.custom_field(
        "industry",
        "Industry",
        "select",
        json!([{"value": "saas", "label": "SaaS"}, {"value": "retail", "label": "Retail"}]),
    )
    .await;
    let body = format!("{GOOD}Bad,Row,not-an-email,123,,,\n,,,,,,\nNo,Email,,,,,mining\n");
    let view = a.upload_ok("people.csv", &body).await;
    let targets: Vec<&str> = view["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "first_name",
            "last_name",
            "email",
            "phone",
            "company",
            "tags",
            "custom.industry"
        ]
    );
    assert_eq!(view["columns"][2]["samples"][0], "Ada@Example.com");
    assert_eq!(view["status"], "uploaded");
    assert_eq!(view["row_count"], 4, "the blank row is not a row");
    let preview = view["preview"].as_array().unwrap();
    assert_eq!(preview[0]["display_name"], "Ada Lovelace");
    assert_eq!(preview[0]["emails"], json!(["ada@example.com"]));
    assert_eq!(preview[0]["phones"], json!(["+14155550132"]));
    assert_eq!(preview[0]["custom"], json!({"industry": "saas"}));
    assert_eq!(preview[0]["action"], "create");
    assert_eq!(preview[2]["action"], "invalid");
    let errors = view["errors"].as_array().unwrap();
    let summary: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [(4, "E-mail Address"), (4, "Mobile Phone"), (6, "Industry")]
    );
    assert!(
        errors[2]["message"]
            .as_str()
            .unwrap()
            .contains("\"mining\" is not one of the options")
    );
    assert_eq!(a.contacts().await, 0, "an upload writes no contact");
}

#[tokio::test]
async fn an_invalid_row_imports_nothing_unless_invalid_rows_are_skipped() {
    let a = Api::new().await;
    let body = format!("{GOOD}Bad,Row,nope,,,,\n");
    let view = a.upload_ok("people.csv", &body).await;
    let id = view["id"].as_str().unwrap();
    let (status, res) = a.run(id, json!({})).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(
        (res["imported"].as_u64(), res["status"].as_str()),
        (Some(0), Some("uploaded"))
    );
    assert_eq!(res["errors"][0]["row"], 4);
    assert_eq!(a.contacts().await, 0, "all or nothing");
    assert_eq!(
        a.count("SELECT COUNT(*) AS n FROM companies", vec![]).await,
        0
    );
    let csv = a.get(&format!("/api/v1/imports/{id}/errors.csv")).await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("row,column,message\r\n4,E-mail Address,"),
        "{text}"
    );

    let (_, dry) = a
        .run(id, json!({"skip_invalid": true, "dry_run": true}))
        .await;
    assert_eq!(
        (dry["imported"].as_u64(), dry["skipped"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(a.contacts().await, 0, "a dry run writes nothing");

    let (_, res) = a.run(id, json!({"skip_invalid": true})).await;
    assert_eq!(res["status"], "completed");
    assert_eq!(
        (res["imported"].as_u64(), res["skipped"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        res["errors"][0]["row"], 4,
        "the report lists the skipped row"
    );
    assert_eq!(a.contacts().await, 2);
    assert_eq!(
        a.contact_field("ada@example.com", "display_name")
            .await
            .as_deref(),
        Some("Ada Lovelace")
    );
    assert_eq!(
        a.contact_field("ada@example.com", "primary_phone")
            .await
            .as_deref(),
        Some("+14155550132")
    );
    assert_eq!(
        a.contact_field("ada@example.com", "lifecycle_stage")
            .await
            .as_deref(),
        Some("lead")
    );
    assert_eq!(
        a.count(
            "SELECT COUNT(*) AS n FROM contact_tags WHERE tag = 'vip'",
            vec![]
        )
        .await,
        1
    );
    assert_eq!(
        a.count(
            "SELECT COUNT(*) AS n FROM contact_companies WHERE is_primary = $1",
            vec![true.into()]
        )
        .await,
        2
    );
    assert_eq!(
        a.count("SELECT COUNT(*) AS n FROM companies", vec![]).await,
        2
    );

    let again = a
        .get(&format!("/api/v1/imports/{id}"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(again["status"], "completed");
    assert_eq!(again["result"]["imported"], 2);
    assert_eq!(again["columns"], json!([]), "the uploaded file is deleted");
    let (status, _) = a.run(id, json!({})).await;
    assert_eq!(status, 409, "an import runs once");
    let audit = a
        .count(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'crm.import_completed'",
            vec![],
        )
        .await;
    assert_eq!(audit, 1);
}

#[tokio::test]
async fn emails_dedupe_against_contacts_and_inside_the_file() {
    let a = Api::new().await;
    let first = a
        .upload_ok(
            "a.csv",
            "Name,Email,Title\nAda Lovelace,ada@example.com,Countess\n",
        )
        .await;
    a.run(first["id"].as_str().unwrap(), json!({})).await;

    let dup = "Name,Email,Title,Tags\nAda King,ADA@example.com;ada2@example.com,Analyst,new\nAlan Turing,alan@example.com,,\nA. Turing,alan@example.com,,\n";
    let view = a.upload_ok("b.csv", dup).await;
    assert_eq!(view["preview"][0]["action"], "update");
    let errs = view["errors"].as_array().unwrap();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0]["row"], 4);
    assert!(
        errs[0]["message"]
            .as_str()
            .unwrap()
            .contains("also appears in row 3"),
        "{}",
        errs[0]
    );

    let (_, skip) = a
        .run(
            view["id"].as_str().unwrap(),
            json!({"skip_invalid": true, "on_duplicate": "skip", "dry_run": true}),
        )
        .await;
    assert_eq!(
        (
            skip["imported"].as_u64(),
            skip["updated"].as_u64(),
            skip["skipped"].as_u64()
        ),
        (Some(1), Some(0), Some(2))
    );

    let (_, res) = a
        .run(
            view["id"].as_str().unwrap(),
            json!({"skip_invalid": true, "on_duplicate": "update"}),
        )
        .await;
    assert_eq!(
        (
            res["imported"].as_u64(),
            res["updated"].as_u64(),
            res["skipped"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(a.contacts().await, 2);
    assert_eq!(
        a.contact_field("ada2@example.com", "title")
            .await
            .as_deref(),
        Some("Analyst")
    );
    assert_eq!(
        a.contact_field("ada@example.com", "display_name")
            .await
            .as_deref(),
        Some("Ada King")
    );
    assert_eq!(
        a.contact_field("ada@example.com", "primary_email")
            .await
            .as_deref(),
        Some("ada@example.com")
    );

    let again = a
        .upload_ok("c.csv", "Name,Email,Title\nAda,ada@example.com,Queen\n")
        .await;
    a.run(
        again["id"].as_str().unwrap(),
        json!({"on_duplicate": "skip"}),
    )
    .await;
    assert_eq!(
        a.contact_field("ada@example.com", "title").await.as_deref(),
        Some("Analyst"),
        "skip leaves it alone"
    );
}

#[tokio::test]
async fn a_file_in_the_wrong_encoding_is_refused_unless_its_encoding_is_chosen() {
    let a = Api::new().await;
    let latin1: Vec<u8> = b"Name;Email\nJos\xe9 M\xfcller;jose@example.com\n".to_vec();
    let res = a.upload("filename=x.csv", latin1.clone()).await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "validation_failed");
    let msg = problem["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("not UTF-8 (line 2 byte 4)"), "{msg}");
    assert_eq!(
        a.count("SELECT COUNT(*) AS n FROM crm_imports", vec![])
            .await,
        0,
        "nothing stored"
    );

    let res = a
        .upload("filename=x.csv&encoding=windows-1252", latin1)
        .await;
    assert_eq!(res.status(), 201);
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["preview"][0]["display_name"], "José Müller");
    a.run(view["id"].as_str().unwrap(), json!({})).await;
    assert_eq!(
        a.contact_field("jose@example.com", "last_name")
            .await
            .as_deref(),
        Some("Müller")
    );

    let bom = a
        .upload_ok("bom.csv", "\u{feff}Email\nbom@example.com\n")
        .await;
    assert_eq!(
        bom["columns"][0]["name"], "Email",
        "the byte-order mark is not part of the header"
    );
}

#[tokio::test]
async fn formula_cells_are_stored_as_text_and_the_mapping_can_be_chosen() {
    let a = Api::new().await;
    let view = a
        .upload_ok(
            "f.csv",
            "Who,Mail,Job\n=HYPERLINK(\"x\"),f@example.com,=1+1\n",
        )
        .await;
    let id = view["id"].as_str().unwrap();
    let (status, bad) = a
        .run(id, json!({"mapping": ["title", "email", "title"]}))
        .await;
    assert_eq!(status, 422, "{bad}");
    let (status, _) = a
        .run(id, json!({"mapping": ["name", "email", "nope"]}))
        .await;
    assert_eq!(status, 422);
    let (status, res) = a
        .run(id, json!({"mapping": ["first_name", "email", "title"]}))
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(
        a.contact_field("f@example.com", "title").await.as_deref(),
        Some("=1+1")
    );
    assert_eq!(
        a.contact_field("f@example.com", "first_name")
            .await
            .as_deref(),
        Some("=HYPERLINK(\"x\")")
    );
}
