//! `rapport admin privacy-report`: the promise ledger this build was made with, one promise
//! per line with the tests that prove it, then the promises no test proves yet.

use rapport_privacy::ledger::{Promise, promises};

/// Prints the report (text, or JSON with `json`).
pub fn print(json: bool) -> anyhow::Result<()> {
    let all = promises()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report_json(&all))?);
    } else {
        print!("{}", report_text(&all));
    }
    Ok(())
}

fn report_text(all: &[Promise]) -> String {
    let mut out = String::new();
    for p in all {
        let state = if p.is_covered() {
            "covered  "
        } else {
            "UNCOVERED"
        };
        out.push_str(&format!("{:<4} {state} {}\n", p.id, p.statement));
        for t in &p.tests {
            out.push_str(&format!("       proved by {t}\n"));
        }
    }
    let uncovered: Vec<&str> = all
        .iter()
        .filter(|p| !p.is_covered())
        .map(|p| p.id.as_str())
        .collect();
    out.push_str(&format!(
        "\n{} of {} promises covered by a test.\n",
        all.len() - uncovered.len(),
        all.len()
    ));
    if !uncovered.is_empty() {
        out.push_str(&format!("Uncovered: {}\n", uncovered.join(", ")));
    }
    out
}

fn report_json(all: &[Promise]) -> serde_json::Value {
    serde_json::json!({
        "promises": all.iter().map(|p| serde_json::json!({
            "id": p.id,
            "statement": p.statement,
            "covered": p.is_covered(),
            "tests": p.tests,
        })).collect::<Vec<_>>(),
        "covered": all.iter().filter(|p| p.is_covered()).count(),
        "total": all.len(),
        "uncovered": all.iter().filter(|p| !p.is_covered()).map(|p| &p.id).collect::<Vec<_>>(),
    })
}
