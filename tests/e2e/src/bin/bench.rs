//! Runner benchmark: requests per second and p50/p99 latency at 1 and 16
//! concurrent keep-alive connections for (a) the fixture's fixed JSON route
//! beside a native hyper server returning the same body (the runner's own
//! overhead, as a ratio) and (b) `GET /v1/health`. Prints figures; asserts
//! nothing. Run with `scripts/bench.sh`.

use baton_e2e::RunnerOptions;
use baton_e2e::loadgen::{load, load_with, row};
use bytes::Bytes;
use http_body_util::Full;
use std::net::SocketAddr;
use std::time::Duration;

const BODY: &str = "{\"ok\":true}";

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let duration = Duration::from_secs(seconds);

    let native = start_native().await;
    let fixture = RunnerOptions::new("tests/fixture/spin.toml", "bench-fixture")
        .variable("required_token", "bench")
        .start();
    let app = RunnerOptions::new("spin.toml", "bench-app")
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
