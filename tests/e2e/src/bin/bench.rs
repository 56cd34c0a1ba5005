//! Runner benchmark: requests per second and p50/p99 latency at 1 and 16
//! concurrent keep-alive connections for (a) the fixture's fixed JSON route
//! beside a native hyper server returning the same body (the runner's own
//! overhead, as a ratio) and (b) `GET /v1/health`; then the write path:
//! p50/p90/p99, req/s and errors of concurrent escalation creates at 1, 16
//! and 64 writers (docs/runner-hardening.md). Prints figures; asserts
//! nothing. Run with `scripts/bench.sh`.
//!
//! `BENCH_ONLY=writes` runs only the write-path cases (`BENCH_WRITERS=1,16`
//! picks the writer counts); `BENCH_MANIFEST`
//! serves another manifest (e.g. a copy pointing at saved components, to
//! compare two runner builds on the same wasm).

use baton_e2e::RunnerOptions;
use baton_e2e::loadgen::{load, load_with, row};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const BODY: &str = "{\"ok\":true}";

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let duration = Duration::from_secs(seconds);
    let manifest = std::env::var("BENCH_MANIFEST").unwrap_or_else(|_| "spin.toml".into());
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "writes") {
        write_path(&manifest, duration).await;
        return;
    }

    let native = start_native().await;
    let fixture = RunnerOptions::new("tests/fixture/spin.toml", "bench-fixture")
        .variable("required_token", "bench")
        .start();
    let app = RunnerOptions::new(&manifest, "bench-app")
        .variable("escalation_rate_limit_per_minute", "100000000")
        .variable("inbound_email_secret", "bench-secret")
        .start();
    let key = bot_key(&app.base);

    let fixture_url = format!("{}/fixture/json", fixture.base);
    let native_url = format!("http://{native}/");
    let health_url = format!("{}/v1/health", app.base);

    println!(
        "baton-runner benchmark: {seconds} s per case, load generator on the same machine ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<34} {:>5} {:>10} {:>10} {:>10}",
        "case", "conns", "req/s", "p50", "p99"
    );
    for conns in [1usize, 16] {
        let n = load(&native_url, conns, duration).await;
        let r = load(&fixture_url, conns, duration).await;
        let h = load(&health_url, conns, duration).await;
        let check_url = format!("{}/v1/escalations/check", app.base);
        let create_url = format!("{}/v1/escalations", app.base);
        let c = load_with(&check_url, conns, duration, Some(&key), |_| {
            CHECK_BODY.to_string()
        })
        .await;
        let e = load_with(&create_url, conns, duration, Some(&key), move |n| {
            create_body(conns, n)
        })
        .await;
        row("native hyper, fixed JSON", conns, &n);
        row("runner /fixture/json (wasm)", conns, &r);
        row("runner GET /v1/health (wasm)", conns, &h);
        row("POST /v1/escalations/check", conns, &c);
        row("POST /v1/escalations (new Assist)", conns, &e);
        let inbound_url = format!("{}/hooks/email/postmark/bench-secret", app.base);
        let i = load_with(&inbound_url, conns, duration, None, move |n| {
            inbound_body(conns, n)
        })
        .await;
        row("POST /hooks/email/postmark (new)", conns, &i);
        println!(
            "  ratio runner/native at {conns} conn(s): p50 {:.2}x, p99 {:.2}x, throughput {:.2}x",
            r.p50.as_secs_f64() / n.p50.as_secs_f64(),
            r.p99.as_secs_f64() / n.p99.as_secs_f64(),
            n.rps / r.rps
        );
    }
    drop(fixture);
    drop(app);
    write_path(&manifest, duration).await;
}

/// Concurrent escalation creates (each a new Assist, one write transaction
/// each) at 1, 16 and 64 writers on a fresh app: the write queue's figures.
async fn write_path(manifest: &str, duration: Duration) {
    let app = RunnerOptions::new(manifest, "bench-writes")
        .variable("escalation_rate_limit_per_minute", "100000000")
        .start();
    let key = bot_key(&app.base);
    let url = format!("{}/v1/escalations", app.base);
    println!();
    println!(
        "write path: POST /v1/escalations (new Assist each), {} s per case",
        duration.as_secs()
    );
    println!(
        "{:<10} {:>9} {:>10} {:>10} {:>10} {:>9}  errors",
        "writers", "req/s", "p50", "p90", "p99", "requests"
    );
    let counts: Vec<usize> = std::env::var("BENCH_WRITERS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 16, 64]);
    for writers in counts {
        let w = writers_load(&url, &key, writers, duration).await;
        let errors: Vec<String> = w.errors.iter().map(|(k, n)| format!("{k} x{n}")).collect();
        println!(
            "{writers:<10} {:>9.0} {:>8.1}ms {:>8.1}ms {:>8.1}ms {:>9}  {} {}",
            w.rps,
            ms(w.p50),
            ms(w.p90),
            ms(w.p99),
            w.requests,
            w.errors.values().sum::<usize>(),
            errors.join(", ")
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct WriteStats {
    rps: f64,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    requests: usize,
    /// Failures by status (or "connection"), every request counted.
    errors: BTreeMap<String, usize>,
}

/// `writers` keep-alive connections each creating Assists back to back for
/// `duration` after a 500 ms warm-up. Every response counts: a non-2xx is
/// an error (by status), as is a broken connection.
async fn writers_load(url: &str, key: &str, writers: usize, duration: Duration) -> WriteStats {
    let uri: hyper::Uri = url.parse().unwrap();
    let auth = format!("Bearer {key}");
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let warmup = Duration::from_millis(500);
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let uri = uri.clone();
            let auth = auth.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let host = format!(
                    "{}:{}",
                    uri.host().unwrap_or("127.0.0.1"),
                    uri.port_u16().unwrap_or(80)
                );
                let mut sender = None;
                let mut samples = Vec::new();
                let mut errors: BTreeMap<String, usize> = BTreeMap::new();
                let start = Instant::now();
                while start.elapsed() < warmup + duration {
                    if sender.is_none() {
                        let Ok(stream) = tokio::net::TcpStream::connect(&host).await else {
                            *errors.entry("connect".into()).or_default() += 1;
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        };
                        let _ = stream.set_nodelay(true);
                        match hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(
                            stream,
                        ))
                        .await
                        {
                            Ok((s, conn)) => {
                                tokio::spawn(conn);
                                sender = Some(s);
                            }
                            Err(_) => {
                                *errors.entry("handshake".into()).or_default() += 1;
                                continue;
                            }
                        }
                    }
                    let Some(s) = sender.as_mut() else { continue };
                    let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let req = hyper::Request::builder()
                        .method("POST")
                        .uri(uri.path())
                        .header("host", &host)
                        .header("authorization", &auth)
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from(create_body(writers, n))))
                        .unwrap();
                    let t = Instant::now();
                    let outcome = match s.send_request(req).await {
                        Ok(res) => {
                            let status = res.status();
                            match res.into_body().collect().await {
                                Ok(_) if status.is_success() => Ok(()),
                                Ok(_) => Err(status.as_u16().to_string()),
                                Err(_) => Err("body".to_string()),
                            }
                        }
                        Err(_) => {
                            sender = None;
                            Err("connection".to_string())
                        }
                    };
                    let elapsed = t.elapsed();
                    if start.elapsed() > warmup {
                        match outcome {
                            Ok(()) => samples.push(elapsed),
                            Err(kind) => *errors.entry(kind).or_default() += 1,
                        }
                    }
                }
                (samples, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        if let Ok((samples, errs)) = t.await {
            all.extend(samples);
            for (k, n) in errs {
                *errors.entry(k).or_default() += n;
            }
        }
    }
    if all.is_empty() {
        all.push(Duration::ZERO);
    }
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    WriteStats {
        rps: all.len() as f64 / duration.as_secs_f64(),
        p50: pct(0.50),
        p90: pct(0.90),
        p99: pct(0.99),
        requests: all.len(),
        errors,
    }
}

async fn start_native() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|_req| async {
                    let mut res =
                        hyper::Response::new(Full::new(Bytes::from_static(BODY.as_bytes())));
                    res.headers_mut()
                        .insert("content-type", "application/json".parse().unwrap());
                    Ok::<_, std::convert::Infallible>(res)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

const CHECK_BODY: &str = r#"{"messages":[{"role":"customer","text":"Hi, I was charged twice for order #48213 this month"},{"role":"assistant","text":"Sorry about that! Let me check."},{"role":"customer","text":"this is the third time I ask, can I talk to a real person please"}],"ai_confidence":0.7}"#;

fn create_body(conns: usize, n: usize) -> String {
    format!(
        r#"{{"session_id":"bench-{conns}-{n}-{}","messages":[{{"role":"customer","text":"Hi, I was charged twice for order #48213 this month"}},{{"role":"assistant","text":"Sorry about that! Let me check."}},{{"role":"customer","text":"can I talk to a real person please"}}],"customer":{{"name":"Ana Souza","email":"ana{}@example.com"}},"confirmed":true}}"#,
        std::process::id(),
        n % 500
    )
}

/// A Postmark inbound delivery from a new sender to the support address:
/// stored once, analysed, a new Assist.
fn inbound_body(conns: usize, n: usize) -> String {
    serde_json::json!({
        "FromFull": {"Email": format!("cust{}@example.org", n % 500), "Name": "Cara Customer"},
        "ToFull": [{"Email": "support@example.com"}],
        "Subject": "Refund for order 48213",
        "MessageID": format!("bench-{conns}-{n}-{}", std::process::id()),
        "TextBody": "Hi, I was charged twice for order 48213. Please refund one of the charges.\n\nOn Mon, Support wrote:\n> Thanks",
        "Headers": [{"Name": "Message-ID", "Value": format!("<bench-{conns}-{n}-{}@example.org>", std::process::id())}],
        "Attachments": []
    })
    .to_string()
}

/// Sets up the Owner and a bot over HTTP; returns the bot's public key.
fn bot_key(base: &str) -> String {
    let setup: serde_json::Value = ureq::post(&format!("{base}/v1/setup"))
        .send_string(r#"{"name":"Bench Owner","email":"bench@example.com","password":"correct horse battery staple"}"#)
        .unwrap()
        .into_json()
        .unwrap();
    let token = setup["token"].as_str().unwrap();
    let bot: serde_json::Value = ureq::post(&format!("{base}/v1/bots"))
        .set("authorization", &format!("Bearer {token}"))
        .send_string(r#"{"name":"Bench bot"}"#)
        .unwrap()
        .into_json()
        .unwrap();
    bot["public_key"].as_str().unwrap().to_string()
}
