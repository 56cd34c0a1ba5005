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
    /// Requests that failed (non-2xx or a broken connection); not timed.
    pub failures: usize,
}

pub fn row(name: &str, conns: usize, s: &Stats) {
    println!(
        "{name:<34} {conns:>5} {:>10.0} {:>8.3}ms {:>8.3}ms   ({} requests, {} failed)",
        s.rps,
        s.p50.as_secs_f64() * 1000.0,
        s.p99.as_secs_f64() * 1000.0,
        s.requests,
        s.failures
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
                let host = format!(
                    "{}:{}",
                    uri.host().unwrap_or("127.0.0.1"),
                    uri.port_u16().unwrap_or(80)
                );
                let mut sender = None;
                let mut samples = Vec::new();
                let mut failures = 0usize;
                let start = Instant::now();
                while start.elapsed() < warmup + duration {
                    // (Re)connect when the server closed the connection.
                    if sender.is_none() {
                        let Ok(stream) = tokio::net::TcpStream::connect(&host).await else {
                            failures += 1;
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
                                failures += 1;
                                continue;
                            }
                        }
                    }
                    let Some(s) = sender.as_mut() else { continue };
                    let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut builder = hyper::Request::builder()
                        .method(method)
                        .uri(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
                        .header("host", &host);
                    if let Some(k) = &key {
                        builder = builder.header("authorization", k);
                    }
                    let Ok(req) = builder.body(Full::new(Bytes::from(body(n)))) else {
                        continue;
                    };
                    let t = Instant::now();
                    let ok = match s.send_request(req).await {
                        Ok(res) => {
                            let success = res.status().is_success();
                            res.into_body().collect().await.is_ok() && success
                        }
                        Err(_) => {
                            sender = None;
                            false
                        }
                    };
                    if !ok {
                        failures += 1;
                    } else if start.elapsed() > warmup {
                        samples.push(t.elapsed());
                    }
                }
                (samples, failures)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut failures = 0;
    for t in tasks {
        if let Ok((samples, failed)) = t.await {
            all.extend(samples);
            failures += failed;
        }
    }
    if all.is_empty() {
        all.push(Duration::ZERO);
    }
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    Stats {
        rps: all.len() as f64 / duration.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
        requests: all.len(),
        failures,
    }
}
