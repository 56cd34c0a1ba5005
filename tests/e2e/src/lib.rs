//! Harness for end-to-end tests: starts `baton-runner up` on a free loopback
//! port with a fresh state dir, waits until it serves, and stops it cleanly.

use serde_json::Value;
pub mod fakes;
pub mod loadgen;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The runner binary: `$BATON_RUNNER_BIN`, else the `host`-profile build.
pub fn runner_bin() -> PathBuf {
    std::env::var_os("BATON_RUNNER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/host/baton-runner"))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh, unique directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("baton-e2e-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Runner {
    child: Option<Child>,
    pub base: String,
    pub port: u16,
    pub state_dir: PathBuf,
    output: Arc<Mutex<String>>,
}

pub struct RunnerOptions {
    pub manifest: PathBuf,
    pub state_dir: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// The loopback port to serve on; a free one when None.
    pub port: Option<u16>,
}

impl RunnerOptions {
    pub fn new(manifest: &str, tag: &str) -> Self {
        RunnerOptions {
            manifest: workspace_root().join(manifest),
            state_dir: temp_dir(tag),
            args: Vec::new(),
            env: Vec::new(),
            port: None,
        }
    }

    /// Serves on this port (when the app must know its own URL up front).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    pub fn arg(mut self, a: &str) -> Self {
        self.args.push(a.to_string());
        self
    }

    pub fn variable(self, name: &str, value: &str) -> Self {
        self.arg("--variable").arg(&format!("{name}={value}"))
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn start(self) -> Runner {
        match self.try_start() {
            Ok(r) => r,
            Err(output) => panic!("runner did not start:\n{output}"),
        }
    }

    /// Starts the runner; Err(output) if it exits or does not serve in 60 s.
    pub fn try_start(self) -> Result<Runner, String> {
        let port = self.port.unwrap_or_else(free_port);
        let mut cmd = Command::new(runner_bin());
        cmd.arg("up")
            .arg("-f")
            .arg(&self.manifest)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--state-dir")
            .arg(&self.state_dir)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", runner_bin().display()));
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    output.lock().unwrap().push_str(&(line + "\n"));
                }
            });
        }
        let mut runner = Runner {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            port,
            state_dir: self.state_dir,
            output,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(child) = runner.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                std::thread::sleep(Duration::from_millis(100));
                runner.child = None;
                return Err(format!("exited with {status}\n{}", runner.output()));
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(runner);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Err(format!("not serving after 60 s\n{}", runner.output()))
    }
}

impl Runner {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Sends SIGINT (Ctrl-C) and waits for a clean exit; returns its status code.
    pub fn stop(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A response, whatever its status.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self) -> &str {
        &self.content_type
    }

    /// A response header by (case-insensitive) name.
    pub fn get_header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn request(method: &str, url: &str, body: Option<&str>) -> Reply {
    send_raw(method, url, body, &[])
}

pub fn get(url: &str) -> Reply {
    request("GET", url, None)
}

/// A loopback HTTP server standing in for a third-party service: answers
/// every request with `200 <body>` and counts them.
pub struct FakeServer {
    pub port: u16,
    pub hits: Arc<Mutex<usize>>,
}

impl FakeServer {
    pub fn start(body: &'static str) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                        if line == "\r\n" {
                            break;
                        }
                        line.clear();
                    }
                    *counter.lock().unwrap() += 1;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        FakeServer { port, hits }
    }
}

// Helpers shared by the end-to-end test files.

/// A reply in one line, for assertion messages.
pub fn describe(r: &Reply) -> String {
    format!("{} {} {:?} {}", r.status, r.content_type, r.headers, r.body)
}

/// Sends a request with a raw body (sent as `application/json`) and extra
/// headers (JSON unless they name a content-type); any status comes back
/// as a `Reply`.
pub fn send_raw(method: &str, url: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Reply {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .redirects(0)
        .build();
    let mut req = agent.request(method, url);
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let has_type = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let result = match body {
        Some(b) if has_type => req.send_string(b),
        Some(b) => req.set("content-type", "application/json").send_string(b),
        None => req.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let headers = response
        .headers_names()
        .into_iter()
        .filter_map(|name| {
            response
                .header(&name)
                .map(|v| (name.clone(), v.to_string()))
        })
        .collect();
    Reply {
        status: response.status(),
        content_type: response.content_type().to_string(),
        headers,
        body: response.into_string().unwrap_or_default(),
    }
}

/// Asserts a JSON success with this status and returns the body.
pub fn expect_json(r: &Reply, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", describe(r));
    assert_eq!(r.content_type, "application/json", "{}", describe(r));
    r.json()
}

/// Asserts an RFC 9457 problem with this status and returns it.
pub fn expect_problem(r: &Reply, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", describe(r));
    assert_eq!(
        r.content_type,
        "application/problem+json",
        "{}",
        describe(r)
    );
    let p = r.json();
    assert_eq!(p["status"], status, "{p}");
    assert!(
        p["detail"].as_str().is_some_and(|d| !d.trim().is_empty()),
        "problem without a detail: {p}"
    );
    p
}

/// The field names in a 422 problem's `errors`, checking their shape.
pub fn error_fields(p: &Value) -> Vec<String> {
    let errors = p["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("422 without an errors array: {p}"));
    assert!(!errors.is_empty(), "422 with no errors: {p}");
    errors
        .iter()
        .map(|e| {
            assert!(
                e["message"].as_str().is_some_and(|m| !m.trim().is_empty()),
                "error without a message: {e}"
            );
            e["field"]
                .as_str()
                .unwrap_or_else(|| panic!("error without a field: {e}"))
                .to_string()
        })
        .collect()
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Seconds since the epoch of an RFC 3339 UTC time
/// (`YYYY-MM-DDTHH:MM:SS[.frac](Z|+00:00)`).
pub fn parse_time(v: &Value) -> i64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("expected an RFC 3339 string, got {v}"));
    let bad = || -> ! { panic!("not an RFC 3339 UTC time: {s:?}") };
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        bad();
    }
    let num = |r: std::ops::Range<usize>| -> i64 { s[r].parse().unwrap_or_else(|_| bad()) };
    let (y, mo, d, h, mi, sec) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    );
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            bad();
        }
        rest = &frac[digits..];
    }
    if !matches!(rest, "Z" | "z" | "+00:00") {
        bad();
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        bad();
    }
    // Days from civil (Howard Hinnant).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + h * 3600 + mi * 60 + sec
}

pub fn id_of(v: &Value) -> String {
    match &v["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("no id in {v} ({other})"),
    }
}

/// A string unique within this test process (names, emails).
pub fn unique(prefix: &str) -> String {
    static UNIQUE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    format!(
        "{prefix}{}",
        UNIQUE.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    )
}

/// A request to `path` with an optional raw body, bearer token and extra
/// headers (e.g. `origin`, `if-match`).
pub fn send_as(
    runner: &Runner,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
    extra: &[(&str, &str)],
) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(a) = auth.as_deref() {
        headers.push(("authorization", a));
    }
    headers.extend_from_slice(extra);
    send_raw(method, &runner.url(path), body, &headers)
}

/// A request to `path` with an optional JSON body and optional bearer token.
pub fn call(
    runner: &Runner,
    method: &str,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> Reply {
    let body = body.map(Value::to_string);
    send_as(runner, method, path, body.as_deref(), token, &[])
}

/// Asserts a 401 problem carrying `WWW-Authenticate: Bearer ...`.
pub fn expect_unauthorized(r: &Reply) -> Value {
    let p = expect_problem(r, 401);
    let challenge = r
        .get_header("www-authenticate")
        .unwrap_or_else(|| panic!("401 without WWW-Authenticate: {}", describe(r)));
    assert!(
        challenge.to_ascii_lowercase().starts_with("bearer"),
        "{challenge}"
    );
    p
}

/// Asserts a 422 whose `errors` name every one of `fields` (a field named
/// `x` also matches `x[0]` or `x.0` for list items).
pub fn expect_invalid(r: &Reply, fields: &[&str]) -> Value {
    let p = expect_problem(r, 422);
    let named = error_fields(&p);
    for field in fields {
        assert!(
            named.iter().any(|n| n == field
                || n.starts_with(&format!("{field}["))
                || n.starts_with(&format!("{field}."))),
            "422 errors do not name {field:?}: {p}"
        );
    }
    p
}

/// Asserts a 422 whose `errors` name every one of `fields` exactly.
pub fn expect_invalid_exact(r: &Reply, fields: &[&str]) -> Value {
    let p = expect_problem(r, 422);
    let named = error_fields(&p);
    for field in fields {
        assert!(
            named.iter().any(|n| n == field),
            "422 errors do not name {field:?}: {p}"
        );
    }
    p
}

/// Creates the first Owner (Olivia, olivia@acme.test) and returns the
/// session token.
pub fn owner_session(runner: &Runner) -> String {
    let r = call(
        runner,
        "POST",
        "/v1/setup",
        Some(
            &serde_json::json!({"name": "Olivia Owner", "email": "olivia@acme.test", "password": "violet-anchor-47-tundra"}),
        ),
        None,
    );
    expect_json(&r, 201)["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {}", r.body))
        .to_string()
}

/// `GET /v1/assists/{id}` as `token`, expecting 200.
pub fn assist_detail(runner: &Runner, token: &str, id: &str) -> Value {
    expect_json(
        &call(
            runner,
            "GET",
            &format!("/v1/assists/{id}"),
            None,
            Some(token),
        ),
        200,
    )
}
