//! The acceptance case: a 100,000-row CSV with some invalid rows (10,000 rows on PostgreSQL,
//! where each test database is created fresh and the debug build is slower).

use super::Api;
use serde_json::json;

fn big_csv(rows: usize, bad_every: usize) -> (String, Vec<u64>) {
    let mut out = String::from("first_name,last_name,email,phone,company,tags\n");
    let mut bad = Vec::new();
    for i in 0..rows {
        let row = i as u64 + 2;
        if i % bad_every == 7 {
            bad.push(row);
            out.push_str(&format!("Bad{i},Row,broken-{i},,,\n"));
        } else {
            out.push_str(&format!(
                "First{i},Last{i},person{i}@example{}.com,+1 415 555 {:04},Company {},a;b\n",
                i % 50,
                i % 10_000,
                i % 500
            ));
        }
    }
    (out, bad)
}

#[tokio::test]
async fn a_large_file_with_invalid_rows_imports_nothing_or_the_valid_rows() {
    let a = Api::new().await;
    let pg = std::env::var("RAPPORT_TEST_DATABASE_URL").is_ok();
    let rows = if pg { 10_000 } else { 100_000 };
    let (csv, bad) = big_csv(rows, 997);
    let view = a.upload_ok("big.csv", &csv).await;
    let id = view["id"].as_str().unwrap();
    assert_eq!(view["error_count"].as_u64().unwrap() as usize, bad.len());
    let (_, res) = a.run(id, json!({})).await;
    let rows_reported: Vec<u64> = res["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows_reported, bad, "exactly the invalid rows");
    assert_eq!(a.contacts().await, 0);
    let (_, res) = a.run(id, json!({"skip_invalid": true})).await;
    assert_eq!(res["imported"].as_u64().unwrap() as usize, rows - bad.len());
    assert_eq!(a.contacts().await as usize, rows - bad.len());
    assert_eq!(
        a.count("SELECT COUNT(*) AS n FROM companies", vec![]).await,
        500
    );
    assert_eq!(
        a.count("SELECT COUNT(*) AS n FROM contact_tags", vec![])
            .await as usize,
        2 * (rows - bad.len())
    );
}
