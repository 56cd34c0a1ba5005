//! A small HTTP load generator for the benchmarks: keep-alive connections
//! sending requests back to back, reporting req/s and latency percentiles.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::time::{Duration, Instant};

pub struct Stats {
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub requests: usize,
}

pub fn row(name: &str, conns: usize, s: &Stats) {
    println!(
        "{name:<34} {conns:>5} {:>10.0} {:>8.3}ms {:>8.3}ms   ({} requests)",
        s.rps,
        s.p50.as_secs_f64() * 1000.0,
        s.p99.as_secs_f64() * 1000.0,
        s.requests
    );
}

/// GETs without credentials.
pub async fn load(url: &str, conns: usize, duration: Duration) -> Stats {
    load_with(url, conns, duration, None, |_| String::new()).await
}

/// GET when the body maker returns "", else POST; `key` is a bearer token.
pub async fn load_with(
    url: &str,
    conns: usize,
    duration: Duration,
    key: Option<&str>,
    body: impl Fn(usize) -> String + Send + Sync + Copy + 'static,
) -> Stats {
    let method = if body(0).is_empty() { "GET" } else { "POST" };
    load_method(url, conns, duration, key, method, body).await
}

/// `conns` keep-alive connections, each sending `method` requests back to
/// back for `duration` after a short warm-up; `n` numbers each request.
pub async fn load_method(
    url: &str,
    conns: usize,
    duration: Duration,
    key: Option<&str>,
    method: &'static str,
    body: impl Fn(usize) -> String + Send + Sync + Copy + 'static,
) -> Stats {
    let uri: hyper::Uri = url.parse().unwrap();
    let key = key.map(|k| format!("Bearer {k}"));
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let warmup = Duration::from_millis(500);
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let uri = uri.clone();
            let key = key.clone();
            let counter = counter.clone();
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
                    let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let payload = body(n);
                    let mut builder = hyper::Request::builder()
                        .method(method)
                        .uri(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
                        .header("host", &host);
                    if let Some(k) = &key {
                        builder = builder.header("authorization", k);
                    }
                    let req = builder.body(Full::new(Bytes::from(payload))).unwrap();
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
