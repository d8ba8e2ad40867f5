//! vCard import and export: escaping, folding and non-ASCII survive a round trip.

use super::Api;
use serde_json::{Value, json};

const CARDS: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zoë Ŝmith\r\nN:Ŝmith;Zoë;;;\r\n\
EMAIL;PREF=2:zoe.private@example.org\r\nEMAIL;PREF=1:Zoe@Example.com\r\n\
TEL;VALUE=uri:tel:+49-30-1234567\r\nORG:Ünïcode\\, Inc.;R&D\r\nTITLE:Head of Ops\\; Sales\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL;TYPE=INTERNET:grace@navy.mil\r\nEND:VCARD\r\n";

#[tokio::test]
async fn vcards_import_and_export_round_trip() {
    let a = Api::new().await;
    let view = a.upload_ok("people.vcf", CARDS).await;
    assert_eq!(view["format"], "vcf");
    assert_eq!(view["row_count"], 2);
    assert_eq!(view["preview"][0]["display_name"], "Zoë Ŝmith");
    assert_eq!(view["preview"][1]["display_name"], "Grace Hopper");
    let (_, res) = a.run(view["id"].as_str().unwrap(), json!({})).await;
    assert_eq!(res["imported"], 2, "{res}");
    assert_eq!(
        a.contact_field("zoe@example.com", "primary_email")
            .await
            .as_deref(),
        Some("zoe@example.com")
    );
    assert_eq!(
        a.contact_field("zoe@example.com", "title").await.as_deref(),
        Some("Head of Ops; Sales")
    );

    let zoe = a.contact_id("zoe@example.com").await;
    let res = a.get(&format!("/api/v1/contacts/{zoe}/vcard")).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/vcard")
    );
    let card = res.text().await.unwrap();
    assert!(card.contains("VERSION:4.0\r\n"), "{card}");
    assert!(card.contains("FN:Zoë Ŝmith\r\n"));
    assert!(card.contains("N:Ŝmith;Zoë;;;\r\n"));
    assert!(card.contains("EMAIL;PREF=1:zoe@example.com\r\n"));
    assert!(card.contains("TEL;VALUE=uri;PREF=1:tel:+49301234567\r\n"));
    assert!(card.contains("ORG:Ünïcode\\, Inc.\r\n"));
    assert!(card.contains("TITLE:Head of Ops\\; Sales\r\n"));

    let grace = a.contact_id("grace@navy.mil").await;
    let both = a
        .get(&format!("/api/v1/contacts/export.vcf?ids={zoe},{grace}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(both.matches("BEGIN:VCARD").count(), 2);
    let bad = a.get("/api/v1/contacts/export.vcf?ids=nope").await;
    assert_eq!(bad.status(), 422);

    // The exported file reads back as the same two people (both now updates).
    let back = a.upload_ok("export.vcf", &both).await;
    let names: Vec<&str> = back["preview"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Zoë Ŝmith", "Grace Hopper"]);
    assert!(
        back["preview"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["action"] == "update")
    );
    assert_eq!(back["preview"][0]["company"], "Ünïcode, Inc.");
}

#[tokio::test]
async fn vcard_2_1_is_refused_clearly() {
    let a = Api::new().await;
    let res = a
        .upload(
            "filename=old.vcf",
            "BEGIN:VCARD\nVERSION:2.1\nFN:Old\nEND:VCARD\n",
        )
        .await;
    assert_eq!(res.status(), 422);
    let p: Value = res.json().await.unwrap();
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("vCard 2.1 is not supported"),
        "{p}"
    );
}
