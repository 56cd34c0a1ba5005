//! Workspace API at scale: seeds (once) state dirs with 1,000 and 100,000
//! Assists, serves each with the runner, and prints p50/p99 and req/s for
//! the list (default, filtered, search), counts, detail and patch at 1 and
//! 16 connections, the runner's peak memory, and the 100k/1k ratios.
//! Prints figures; asserts nothing. Run with `scripts/scale-bench.sh`.

use baton_e2e::loadgen::{Stats, load_method, row};
use baton_e2e::{RunnerOptions, workspace_root};
use std::path::{Path, PathBuf};
use std::time::Duration;

const CASES: &[(&str, &str, &str)] = &[
    ("list: open, newest first", "GET", "/v1/assists?status=open"),
    (
        "list: open high billing",
        "GET",
        "/v1/assists?status=open&priority=high&category=billing",
    ),
    ("list: q search", "GET", "/v1/assists?q=croydon"),
    ("counts", "GET", "/v1/assists/counts"),
    ("detail", "GET", "/v1/assists/{id}"),
    ("patch priority", "PATCH", "/v1/assists/{id}"),
];

fn seeded(n: usize) -> PathBuf {
    let dir = workspace_root().join(format!("target/scale-bench/n{n}"));
    if !dir.join("sqlite_db.db").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let seed = workspace_root().join("target/host/baton-seed");
        let customers = (n / 30).clamp(100, 3000).to_string();
        let status = std::process::Command::new(seed)
            .args([
                "--state-dir",
                dir.to_str().unwrap_or("."),
                "--assists",
                &n.to_string(),
                "--customers",
                &customers,
            ])
            .status()
            .expect("run baton-seed (build it with the baton-e2e package)");
        assert!(status.success(), "seeding failed");
    }
    dir
}

fn peak_memory_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn measure(dir: &Path, seconds: u64) -> (Vec<(String, usize, Stats)>, f64) {
    let mut opts = RunnerOptions::new("spin.toml", "scale");
    opts.state_dir = dir.to_path_buf();
    let runner = opts.start();
    let login: serde_json::Value = ureq::post(&runner.url("/v1/auth/login"))
        .send_string(r#"{"email":"owner@example.com","password":"correct horse battery staple"}"#)
        .expect("login")
        .into_json()
        .expect("json");
    let token = login["token"].as_str().unwrap_or_default().to_string();
    let first: serde_json::Value = ureq::get(&runner.url("/v1/assists?status=open&limit=1"))
        .set("authorization", &format!("Bearer {token}"))
        .call()
        .expect("list")
        .into_json()
        .expect("json");
    let id = first["assists"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut out = Vec::new();
    for conns in [1usize, 16] {
        for (name, method, path) in CASES {
            let url = runner.url(&path.replace("{id}", &id));
            let body = |n: usize| {
                if n.is_multiple_of(2) {
                    r#"{"priority":"high"}"#.to_string()
                } else {
                    r#"{"priority":"medium"}"#.to_string()
                }
            };
            let stats = if *method == "PATCH" {
                load_method(
                    &url,
                    conns,
                    Duration::from_secs(seconds),
                    Some(&token),
                    "PATCH",
                    body,
                )
                .await
            } else {
                load_method(
                    &url,
                    conns,
                    Duration::from_secs(seconds),
                    Some(&token),
                    "GET",
                    |_| String::new(),
                )
                .await
            };
            out.push((name.to_string(), conns, stats));
        }
    }
    let memory = runner.pid().map_or(0.0, peak_memory_mb);
    (out, memory)
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let large: usize = std::env::var("SCALE_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let small_dir = seeded(1_000);
    let large_dir = seeded(large);
    let (small, small_mem) = measure(&small_dir, seconds).await;
    let (big, big_mem) = measure(&large_dir, seconds).await;
    println!("workspace API at scale: {seconds} s per case, load generator on the same machine");
    for (label, rows, mem) in [
        ("N = 1,000", &small, small_mem),
        (&*format!("N = {large}"), &big, big_mem),
    ] {
        println!("\n{label} (runner peak memory {mem:.0} MB)");
        println!(
            "{:<34} {:>5} {:>10} {:>10} {:>10}",
            "case", "conns", "req/s", "p50", "p99"
        );
        for (name, conns, s) in rows.iter() {
            row(name, *conns, s);
        }
    }
    println!("\nratio N={large} / N=1,000 (p50; under 1.5 means it does not slow down with N)");
    for ((name, conns, a), (_, _, b)) in small.iter().zip(big.iter()) {
        println!(
            "  {name:<32} {conns:>3} conn(s): {:.2}x",
            b.p50.as_secs_f64() / a.p50.as_secs_f64()
        );
    }
}
