//! What the web benchmarks share: sizes from the environment, percentiles, this process's CPU
//! time and peak memory, and a signed-in client with its CSRF token.

#![allow(dead_code)] // each bench uses its own subset

use rapport_testkit::TestApp;
use serde_json::{Value, json};
use std::time::Duration;

/// `name` from the environment as a number, else `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `p` quantile of sorted latencies, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// A cookie client signed in through the API, and its CSRF token.
pub async fn signed_in(t: &TestApp, email: &str, password: &str) -> (reqwest::Client, String) {
    let c = t.browser();
    let login: Value = c
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (c, login["csrf_token"].as_str().unwrap().to_owned())
}

/// This process's user + system CPU time, from /proc/self/stat (clock ticks of 10 ms).
pub fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// This process's peak resident memory in MiB (VmHWM).
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}
