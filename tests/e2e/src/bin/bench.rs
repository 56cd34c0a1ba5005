//! Runner benchmark: requests per second and p50/p99 latency at 1 and 16
//! concurrent keep-alive connections for (a) the fixture's fixed JSON route
//! beside a native hyper server returning the same body (the runner's own
//! overhead, as a ratio) and (b) `GET /v1/health`. Prints figures; asserts
//! nothing. Run with `scripts/bench.sh`.

use baton_e2e::RunnerOptions;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const BODY: &str = "{\"ok\":true}";

struct Stats {
    rps: f64,
    p50: Duration,
    p99: Duration,
    requests: usize,
}

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
    let app = RunnerOptions::new("spin.toml", "bench-app").start();

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
        row("native hyper, fixed JSON", conns, &n);
        row("runner /fixture/json (wasm)", conns, &r);
        row("runner GET /v1/health (wasm)", conns, &h);
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

fn row(name: &str, conns: usize, s: &Stats) {
    println!(
        "{name:<34} {conns:>5} {:>10.0} {:>8.3}ms {:>8.3}ms   ({} requests)",
        s.rps,
        s.p50.as_secs_f64() * 1000.0,
        s.p99.as_secs_f64() * 1000.0,
        s.requests
    );
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

/// `conns` keep-alive connections, each sending requests back to back for
/// `duration` after a short warm-up.
async fn load(url: &str, conns: usize, duration: Duration) -> Stats {
    let uri: hyper::Uri = url.parse().unwrap();
    let warmup = Duration::from_millis(500);
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let uri = uri.clone();
            tokio::spawn(async move {
                let host = format!("{}:{}", uri.host().unwrap(), uri.port_u16().unwrap_or(80));
                let stream = tokio::net::TcpStream::connect(&host).await.unwrap();
                let _ = stream.set_nodelay(true);
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                        .await
                        .unwrap();
                tokio::spawn(conn);
                let mut samples = Vec::new();
                let start = Instant::now();
                while start.elapsed() < warmup + duration {
                    let req = hyper::Request::get(uri.path())
                        .header("host", &host)
                        .body(Empty::<Bytes>::new())
                        .unwrap();
                    let t = Instant::now();
                    let res = sender.send_request(req).await.unwrap();
                    let status = res.status();
                    let body = res.into_body().collect().await.unwrap().to_bytes();
                    assert!(
                        status.is_success(),
                        "{status} from {uri}: {}",
                        String::from_utf8_lossy(&body)
                    );
                    if start.elapsed() > warmup {
                        samples.push(t.elapsed());
                    }
                }
                samples
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    Stats {
        rps: all.len() as f64 / duration.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
        requests: all.len(),
    }
}
