//! Telephony providers, faked for end-to-end tests.
//!
//! - [`HttpFake`]: a loopback HTTP/1.1 server on std threads (request
//!   line, headers, `Content-Length` and chunked bodies, keep-alive,
//!   `Expect: 100-continue`) that records every request and answers
//!   through a handler, with scripted failures ([`HttpFake::fail_next`]).
//! - Provider API fakes ([`FakeAircall`], [`FakeDialpad`], [`FakeQuo`],
//!   [`FakeRingCentral`], [`FakeVonage`]) answering the calls Baton makes:
//!   webhook registration, RingCentral token / subscription / renewal
//!   (with the validation handshake against the webhook, as RingCentral
//!   does), and the transcript fetches.
//! - Sample builders ([`twilio`], [`vonage`], [`aircall`], [`dialpad`],
//!   [`ringcentral`], [`quo`]): exactly the requests each provider sends,
//!   signed with a given secret for a given public URL. The signing here is
//!   written independently of `baton-providers` (straight from the
//!   providers' documented schemes) so a mistake is not shared.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------
// The HTTP server.

/// A request as the fake received it. Header names are lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent on the request line.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What the fake answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct Shared {
    log: Mutex<Vec<Recorded>>,
    failures: Mutex<VecDeque<(Option<String>, Reply)>>,
    handler: Box<Handler>,
    stop: AtomicBool,
}

/// A loopback HTTP/1.1 server standing in for a provider.
pub struct HttpFake {
    pub port: u16,
    shared: Arc<Shared>,
}

impl HttpFake {
    pub fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> HttpFake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let shared = Arc::new(Shared {
            log: Mutex::new(Vec::new()),
            failures: Mutex::new(VecDeque::new()),
            handler: Box::new(handler),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                std::thread::spawn(move || serve(stream, &s));
            }
        });
        HttpFake { port, shared }
    }

    /// `http://127.0.0.1:<port>`: the API base to give request builders.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// Requests whose method and path match.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path() == path)
            .collect()
    }

    /// Answers the next `count` requests (whose path starts with
    /// `path_prefix`, when given) with `reply` instead of the handler.
    pub fn fail_next(&self, path_prefix: Option<&str>, reply: Reply, count: usize) {
        if let Ok(mut f) = self.shared.failures.lock() {
            for _ in 0..count {
                f.push_back((path_prefix.map(str::to_string), reply.clone()));
            }
        }
    }

    /// 401 with a provider-neutral JSON body.
    pub fn fail_unauthorized(&self, path_prefix: Option<&str>) {
        self.fail_next(
            path_prefix,
            Reply::json(
                401,
                json!({"message": "Unauthorized", "error": "unauthorized"}),
            ),
            1,
        );
    }

    /// 429 with `Retry-After`.
    pub fn fail_rate_limited(&self, path_prefix: Option<&str>, retry_after_secs: u64) {
        self.fail_next(
            path_prefix,
            Reply::json(429, json!({"message": "Too Many Requests"}))
                .with_header("retry-after", &retry_after_secs.to_string()),
            1,
        );
    }

    /// 500.
    pub fn fail_server_error(&self, path_prefix: Option<&str>) {
        self.fail_next(
            path_prefix,
            Reply::json(500, json!({"message": "Internal Server Error"})),
            1,
        );
    }
}

impl Drop for HttpFake {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so the thread ends.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn answer(shared: &Shared, req: &Recorded) -> Reply {
    if let Ok(mut failures) = shared.failures.lock() {
        let pos = failures
            .iter()
            .position(|(prefix, _)| prefix.as_deref().is_none_or(|p| req.path().starts_with(p)));
        if let Some(i) = pos
            && let Some((_, reply)) = failures.remove(i)
        {
            return reply;
        }
    }
    (shared.handler)(req)
}

fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let req = match read_request(&mut reader, &mut writer) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(msg) => {
                let body = format!("bad request: {msg}");
                let _ = write!(
                    writer,
                    "HTTP/1.1 400 Bad Request\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                break;
            }
        };
        let close = req
            .0
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"))
            || req.1 == "HTTP/1.0";
        let recorded = req.0;
        if let Ok(mut log) = shared.log.lock() {
            log.push(recorded.clone());
        }
        let reply = answer(shared, &recorded);
        if write_reply(&mut writer, &reply, close, recorded.method == "HEAD").is_err() || close {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn write_reply(w: &mut TcpStream, reply: &Reply, close: bool, head: bool) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n", reply.body.len()));
    if close {
        out.push_str("connection: close\r\n");
    }
    out.push_str("\r\n");
    w.write_all(out.as_bytes())?;
    if !head {
        w.write_all(&reply.body)?;
    }
    w.flush()
}

const MAX_HEADER_LINE: usize = 16 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;

fn read_line(r: &mut BufReader<TcpStream>) -> Result<Option<String>, String> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(MAX_HEADER_LINE as u64)
        .read_until(b'\n', &mut buf)
        .map_err(|e| e.to_string())?;
    if n == 0 {
        return Ok(None);
    }
    if !buf.ends_with(b"\n") {
        return Err("line too long or truncated".into());
    }
    buf.pop();
    if buf.ends_with(b"\r") {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| "line is not UTF-8".into())
}

/// One request off the connection: `Ok(None)` on a clean close.
fn read_request(
    r: &mut BufReader<TcpStream>,
    w: &mut TcpStream,
) -> Result<Option<(Recorded, String)>, String> {
    let line = loop {
        match read_line(r)? {
            None => return Ok(None),
            // Tolerate stray CRLF between requests (RFC 9112 §2.2).
            Some(l) if l.is_empty() => continue,
            Some(l) => break l,
        }
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("request line {line:?}"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(format!("version {version}"));
    }
    let mut headers = Vec::new();
    loop {
        let l = read_line(r)?.ok_or("eof in headers")?;
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').ok_or(format!("header {l:?}"))?;
        if k.is_empty() || k.ends_with(' ') {
            return Err(format!("header name {k:?}"));
        }
        headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
        if headers.len() > 200 {
            return Err("too many headers".into());
        }
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if get("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|e| e.to_string())?;
    }
    let chunked = get("transfer-encoding").is_some_and(|te| {
        te.to_ascii_lowercase()
            .split(',')
            .any(|t| t.trim() == "chunked")
    });
    let body = if chunked {
        read_chunked(r)?
    } else if let Some(len) = get("content-length") {
        let len: usize = len.trim().parse().map_err(|_| "content-length")?;
        if len > MAX_BODY {
            return Err("body too large".into());
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).map_err(|e| e.to_string())?;
        body
    } else {
        Vec::new()
    };
    Ok(Some((
        Recorded {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            body,
        },
        version.to_string(),
    )))
}

fn read_chunked(r: &mut BufReader<TcpStream>) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let size_line = read_line(r)?.ok_or("eof in chunk size")?;
        let size_hex = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| "chunk size")?;
        if body.len() + size > MAX_BODY {
            return Err("body too large".into());
        }
        if size == 0 {
            // Trailers until the empty line.
            while !read_line(r)?.ok_or("eof in trailers")?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])
            .map_err(|e| e.to_string())?;
        let crlf = read_line(r)?.ok_or("eof after chunk")?;
        if !crlf.is_empty() {
            return Err("chunk not followed by CRLF".into());
        }
    }
}

// ---------------------------------------------------------------------------
// Small crypto and encoding, written here from the providers' docs.

fn hmac_sha1(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn b64(b: &[u8]) -> String {
    STANDARD.encode(b)
}

fn b64url(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

fn sha256_hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn form_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn form(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn jwt_hs256(claims: &Value, secret: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64url(br#"{"typ":"JWT","alg":"HS256"}"#),
        b64url(claims.to_string().as_bytes())
    );
    format!("{input}.{}", b64url(&hmac_sha256(secret, input.as_bytes())))
}

fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(1);
    format!("{prefix}{:06}", N.fetch_add(1, Ordering::SeqCst))
}

// ---------------------------------------------------------------------------
// Signed sample events.

/// A webhook request exactly as a provider sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub method: String,
    /// The public URL it was signed for (what Baton must rebuild).
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl SignedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The same request with one byte of the body changed (the signature
    /// no longer matches): the alphanumeric byte nearest the middle (the
    /// claims of a JWT body) moves to its neighbour (`a`→`b`, `9`→`8`).
    pub fn tampered(&self) -> SignedRequest {
        let mut t = self.clone();
        let mid = t.body.len() / 2;
        let pick = (0..t.body.len())
            .filter(|&i| t.body[i].is_ascii_alphanumeric())
            .min_by_key(|&i| i.abs_diff(mid));
        match pick {
            Some(i) => {
                let b = t.body[i];
                t.body[i] = if matches!(b, b'z' | b'Z' | b'9') {
                    b - 1
                } else {
                    b + 1
                };
            }
            None => t.body.push(b' '),
        }
        t
    }

    /// The same request with a header replaced (or added).
    pub fn with_header(&self, name: &str, value: &str) -> SignedRequest {
        let mut t = self.clone();
        t.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        t.headers.push((name.to_string(), value.to_string()));
        t
    }

    /// Sends it to `target` (e.g. the runner's loopback URL for the same
    /// path) and returns status, headers and body.
    pub fn send_to(&self, target: &str) -> (u16, Vec<(String, String)>, String) {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(30))
            .redirects(0)
            .build();
        let mut req = agent.request(&self.method, target);
        for (k, v) in &self.headers {
            req = req.set(k, v);
        }
        let result = if self.body.is_empty() && self.method == "GET" {
            req.call()
        } else {
            req.send_bytes(&self.body)
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{} {target}: {e}", self.method),
        };
        let headers = resp
            .headers_names()
            .into_iter()
            .filter_map(|n| resp.header(&n).map(|v| (n.clone(), v.to_string())))
            .collect();
        let status = resp.status();
        (status, headers, resp.into_string().unwrap_or_default())
    }
}

/// The facts of one call, shared by every provider's sample format.
#[derive(Debug, Clone)]
pub struct SampleCall {
    pub call_id: String,
    /// The customer, E.164.
    pub caller: String,
    /// The line's number, E.164.
    pub line_number: String,
    pub recording_url: String,
    pub duration_secs: u64,
    pub transcript: String,
    /// When the call ended, unix seconds.
    pub ended_at: i64,
}

impl SampleCall {
    pub fn new(call_id: &str) -> SampleCall {
        SampleCall {
            call_id: call_id.to_string(),
            caller: "+14155550111".into(),
            line_number: "+14155550100".into(),
            recording_url: format!("https://media.example.test/{call_id}.mp3"),
            duration_secs: 21,
            transcript: "Hi, it's Jo about order 1142. It has not arrived, please call me back."
                .into(),
            ended_at: 1_772_532_360,
        }
    }
}

fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Twilio: form posts signed with `X-Twilio-Signature`.
pub mod twilio {
    use super::*;

    /// base64(HMAC-SHA1(auth token, URL + sorted name/value pairs)).
    pub fn sign(auth_token: &str, url: &str, params: &[(&str, String)]) -> String {
        let mut sorted: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        sorted.sort();
        let mut data = url.to_string();
        for (k, v) in sorted {
            data.push_str(k);
            data.push_str(v);
        }
        b64(&hmac_sha1(auth_token.as_bytes(), data.as_bytes()))
    }

    fn post(url: &str, auth_token: &str, params: Vec<(&str, String)>) -> SignedRequest {
        SignedRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("X-Twilio-Signature".into(), sign(auth_token, url, &params)),
                ("I-Twilio-Idempotency-Token".into(), unique("idem-")),
            ],
            body: form(&params).into_bytes(),
        }
    }

    fn call_params(c: &SampleCall, status: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AccountSid", "AC0123456789abcdef0123456789abcdef".into()),
            ("ApiVersion", "2010-04-01".into()),
            ("CallSid", c.call_id.clone()),
            ("CallStatus", status.into()),
            ("Called", c.line_number.clone()),
            ("Caller", c.caller.clone()),
            ("Direction", "inbound".into()),
            ("From", c.caller.clone()),
            ("To", c.line_number.clone()),
        ]
    }

    /// The voice URL request for a ringing call.
    pub fn incoming_call(url: &str, auth_token: &str, c: &SampleCall) -> SignedRequest {
        post(url, auth_token, call_params(c, "ringing"))
    }

    /// The `<Record action>` callback: the voicemail, no transcript yet.
    pub fn recording(url: &str, auth_token: &str, c: &SampleCall) -> SignedRequest {
        let mut p = call_params(c, "completed");
        p.extend([
            ("RecordingUrl", c.recording_url.clone()),
            ("RecordingSid", format!("RE{}", c.call_id)),
            ("RecordingDuration", c.duration_secs.to_string()),
            ("Digits", "hangup".into()),
        ]);
        post(url, auth_token, p)
    }

    /// The `transcribeCallback`, arriving later.
    pub fn transcription(url: &str, auth_token: &str, c: &SampleCall) -> SignedRequest {
        let mut p = call_params(c, "completed");
        p.extend([
            ("TranscriptionSid", format!("TR{}", c.call_id)),
            ("TranscriptionStatus", "completed".into()),
            ("TranscriptionText", c.transcript.clone()),
            (
                "TranscriptionUrl",
                format!(
                    "https://api.twilio.com/2010-04-01/Accounts/AC0/Transcriptions/TR{}",
                    c.call_id
                ),
            ),
            ("RecordingSid", format!("RE{}", c.call_id)),
            ("RecordingUrl", c.recording_url.clone()),
        ]);
        post(url, auth_token, p)
    }

    /// The status callback of a completed, answered call.
    pub fn call_completed(url: &str, auth_token: &str, c: &SampleCall) -> SignedRequest {
        let mut p = call_params(c, "completed");
        p.push(("CallDuration", c.duration_secs.to_string()));
        post(url, auth_token, p)
    }
}

/// Vonage: JSON callbacks with `Authorization: Bearer <HS256 JWT>`.
pub mod vonage {
    use super::*;

    fn post(url: &str, secret: &str, application_id: &str, now: i64, body: Value) -> SignedRequest {
        let body = body.to_string().into_bytes();
        let claims = json!({
            "api_key": "abcd1234",
            "application_id": application_id,
            "iat": now,
            "jti": unique("jti-"),
            "payload_hash": sha256_hex(&body),
        });
        SignedRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                (
                    "Authorization".into(),
                    format!("Bearer {}", jwt_hs256(&claims, secret.as_bytes())),
                ),
            ],
            body,
        }
    }

    fn digits(e164: &str) -> String {
        e164.trim_start_matches('+').to_string()
    }

    /// The record event, posted to the record action's `eventUrl`
    /// (`webhook_url` plus the query Baton's NCCO adds).
    pub fn recording(
        webhook_url: &str,
        secret: &str,
        application_id: &str,
        now: i64,
        c: &SampleCall,
    ) -> SignedRequest {
        let url = format!(
            "{webhook_url}?event=recording&from={}&to={}",
            digits(&c.caller),
            digits(&c.line_number)
        );
        post(
            &url,
            secret,
            application_id,
            now,
            json!({
                "start_time": rfc3339(c.ended_at - c.duration_secs as i64),
                "end_time": rfc3339(c.ended_at),
                "recording_url": c.recording_url,
                "size": 168_320,
                "recording_uuid": format!("rec-{}", c.call_id),
                "conversation_uuid": c.call_id,
                "timestamp": rfc3339(c.ended_at + 1),
            }),
        )
    }

    /// The transcription webhook: points at `transcription_url`.
    pub fn transcription(
        webhook_url: &str,
        secret: &str,
        application_id: &str,
        now: i64,
        c: &SampleCall,
        transcription_url: &str,
    ) -> SignedRequest {
        post(
            &format!("{webhook_url}?event=transcription"),
            secret,
            application_id,
            now,
            json!({
                "conversation_uuid": c.call_id,
                "recording_uuid": format!("rec-{}", c.call_id),
                "status": "transcribed",
                "transcription_url": transcription_url,
                "type": "transcription",
            }),
        )
    }

    /// A completed call on the application's event URL.
    pub fn call_completed(
        webhook_url: &str,
        secret: &str,
        application_id: &str,
        now: i64,
        c: &SampleCall,
    ) -> SignedRequest {
        post(
            webhook_url,
            secret,
            application_id,
            now,
            json!({
                "from": digits(&c.caller),
                "to": digits(&c.line_number),
                "uuid": format!("leg-{}", c.call_id),
                "conversation_uuid": c.call_id,
                "status": "completed",
                "direction": "inbound",
                "duration": c.duration_secs.to_string(),
                "timestamp": rfc3339(c.ended_at),
            }),
        )
    }

    /// The transcript JSON Vonage serves at `transcription_url`.
    pub fn transcript_document(c: &SampleCall) -> Value {
        json!({"ver": "1.0.0", "request_id": "req-1", "channels": [{
            "duration": c.duration_secs,
            "transcript": [{"sentence": c.transcript, "raw_sentence": c.transcript.to_lowercase(),
                "duration": c.duration_secs, "timestamp": 0, "words": []}]
        }]})
    }
}

/// Aircall: JSON envelopes carrying the webhook's token.
pub mod aircall {
    use super::*;

    fn post(url: &str, token: &str, event: &str, now: i64, data: Value) -> SignedRequest {
        let body = json!({"resource": "call", "event": event, "timestamp": now, "token": token, "data": data});
        SignedRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    fn call(c: &SampleCall, answered: bool, voicemail: bool) -> Value {
        json!({
            "id": c.call_id.parse::<u64>().map(Value::from).unwrap_or(Value::from(c.call_id.clone())),
            "direct_link": format!("https://api.aircall.io/v1/calls/{}", c.call_id),
            "direction": "inbound",
            "status": "done",
            "started_at": c.ended_at - c.duration_secs as i64,
            "answered_at": if answered { Value::from(c.ended_at - c.duration_secs as i64) } else { Value::Null },
            "ended_at": c.ended_at,
            "duration": c.duration_secs,
            "missed_call_reason": if answered { Value::Null } else { Value::from("no_available_agent") },
            "raw_digits": c.caller,
            "number": {"id": 1, "digits": c.line_number, "name": "Support"},
            "voicemail": if voicemail { Value::from(c.recording_url.clone()) } else { Value::Null },
            "recording": null,
        })
    }

    pub fn voicemail_left(url: &str, token: &str, now: i64, c: &SampleCall) -> SignedRequest {
        post(url, token, "call.voicemail_left", now, call(c, false, true))
    }

    pub fn call_ended(url: &str, token: &str, now: i64, c: &SampleCall) -> SignedRequest {
        post(url, token, "call.ended", now, call(c, true, false))
    }

    /// `transcription.created` carrying the transcription object.
    pub fn transcription_created(
        url: &str,
        token: &str,
        now: i64,
        c: &SampleCall,
    ) -> SignedRequest {
        let mut body = transcription_document(c);
        body["transcription"]["call_id"] = call(c, false, true)["id"].clone();
        post(
            url,
            token,
            "transcription.created",
            now,
            body["transcription"].clone(),
        )
    }

    /// What `GET /v1/calls/{id}/transcription` answers.
    pub fn transcription_document(c: &SampleCall) -> Value {
        json!({"transcription": {"id": 1, "call_id": c.call_id, "type": "voicemail",
        "content": {"language": "en", "utterances": [
            {"start_time": 0, "end_time": c.duration_secs, "text": c.transcript, "participant_type": "external"}
        ]}}})
    }
}

/// Dialpad: the body is a JWT signed HS256 with the webhook secret.
pub mod dialpad {
    use super::*;

    fn post(url: &str, secret: &str, event: Value) -> SignedRequest {
        SignedRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![("Content-Type".into(), "application/jwt".into())],
            body: jwt_hs256(&event, secret.as_bytes()).into_bytes(),
        }
    }

    fn event(c: &SampleCall, state: &str) -> Value {
        let ms = |s: i64| s * 1000;
        json!({
            "call_id": c.call_id.parse::<u64>().map(Value::from).unwrap_or(Value::from(c.call_id.clone())),
            "state": state,
            "direction": "inbound",
            "external_number": c.caller,
            "internal_number": c.line_number,
            "date_started": ms(c.ended_at - c.duration_secs as i64 - 10),
            "date_rang": ms(c.ended_at - c.duration_secs as i64 - 10),
            "date_ended": ms(c.ended_at),
            "duration": c.duration_secs * 1000,
            "contact": {"id": 1, "type": "local", "name": "Jo", "phone": c.caller},
            "target": {"id": 2, "type": "user", "name": "Support", "phone": c.line_number},
            "event_timestamp": ms(c.ended_at + 1),
        })
    }

    /// `voicemail_uploaded` with the link and, when `with_transcript`, the
    /// transcription text.
    pub fn voicemail(
        url: &str,
        secret: &str,
        c: &SampleCall,
        with_transcript: bool,
    ) -> SignedRequest {
        let mut e = event(c, "voicemail_uploaded");
        e["voicemail_link"] = json!(c.recording_url);
        e["voicemail_recording_id"] = json!(format!("rec_{}", c.call_id));
        e["recording_details"] = json!([{"id": format!("rec_{}", c.call_id), "url": c.recording_url,
            "duration": c.duration_secs * 1000, "recording_type": "voicemail", "start_time": e["date_started"]}]);
        e["transcription_text"] = if with_transcript {
            json!(c.transcript)
        } else {
            Value::Null
        };
        post(url, secret, e)
    }

    /// The `transcription` state, arriving later.
    pub fn transcription(url: &str, secret: &str, c: &SampleCall) -> SignedRequest {
        let mut e = event(c, "transcription");
        e["transcription_text"] = json!(c.transcript);
        post(url, secret, e)
    }

    /// `hangup` of an answered call.
    pub fn hangup(url: &str, secret: &str, c: &SampleCall) -> SignedRequest {
        let mut e = event(c, "hangup");
        e["date_connected"] = json!((c.ended_at - c.duration_secs as i64) * 1000);
        post(url, secret, e)
    }
}

/// RingCentral: the validation handshake and token-carrying notifications.
pub mod ringcentral {
    use super::*;

    /// The request sent when a subscription is created or renewed.
    pub fn validation(url: &str, validation_token: &str) -> SignedRequest {
        SignedRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![
                ("Validation-Token".into(), validation_token.into()),
                ("Content-Type".into(), "application/json".into()),
            ],
            body: Vec::new(),
        }
    }

    /// The voicemail message as the message store describes it.
    pub fn message(api_base: &str, c: &SampleCall, transcription_status: &str) -> Value {
        let base = format!(
            "{}/restapi/v1.0/account/~/extension/~/message-store/{}",
            api_base.trim_end_matches('/'),
            c.call_id
        );
        let mut attachments = vec![json!({"id": "1", "uri": format!("{base}/content/1"),
            "type": "AudioRecording", "contentType": "audio/mpeg", "vmDuration": c.duration_secs})];
        if matches!(transcription_status, "Completed" | "CompletedPartially") {
            attachments.push(json!({"id": "2", "uri": format!("{base}/content/2"),
                "type": "AudioTranscription", "contentType": "text/plain"}));
        }
        json!({
            "id": c.call_id, "uri": base, "type": "VoiceMail", "direction": "Inbound",
            "from": {"phoneNumber": c.caller, "name": "Jo"},
            "to": [{"phoneNumber": c.line_number, "name": "Support"}],
            "creationTime": rfc3339(c.ended_at), "lastModifiedTime": rfc3339(c.ended_at),
            "readStatus": "Unread", "availability": "Alive", "messageStatus": "Received",
            "vmTranscriptionStatus": transcription_status, "attachments": attachments,
        })
    }

    /// A voicemail notification.
    pub fn voicemail(
        url: &str,
        verification_token: &str,
        api_base: &str,
        c: &SampleCall,
        transcription_status: &str,
    ) -> SignedRequest {
        let body = json!({
            "uuid": unique("uuid-"),
            "event": "/restapi/v1.0/account/~/extension/1234/voicemail",
            "timestamp": rfc3339(c.ended_at + 2),
            "subscriptionId": "sub-1",
            "ownerId": "1234",
            "body": message(api_base, c, transcription_status),
        });
        SignedRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Verification-Token".into(), verification_token.into()),
            ],
            body: body.to_string().into_bytes(),
        }
    }
}

/// Quo: legacy `openphone-signature` or Standard Webhooks headers.
pub mod quo {
    use super::*;

    /// Legacy: `hmac;1;<ms timestamp>;<base64 HMAC-SHA256(key, ts.body)>`,
    /// the key being the base64-decoded signing key.
    pub fn sign_legacy(url: &str, signing_key_b64: &str, now: i64, body: Value) -> SignedRequest {
        let body = body.to_string().into_bytes();
        let key = STANDARD
            .decode(signing_key_b64)
            .expect("base64 signing key");
        let ts = (now * 1000).to_string();
        let mut signed = format!("{ts}.").into_bytes();
        signed.extend_from_slice(&body);
        SignedRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                (
                    "openphone-signature".into(),
                    format!("hmac;1;{ts};{}", b64(&hmac_sha256(&key, &signed))),
                ),
            ],
            body,
        }
    }

    /// Standard Webhooks: `v1,<base64 HMAC-SHA256(key, id.ts.body)>`, the
    /// key being the `whsec_` secret base64-decoded.
    pub fn sign_standard(url: &str, whsec: &str, now: i64, id: &str, body: Value) -> SignedRequest {
        let body = body.to_string().into_bytes();
        let key = STANDARD
            .decode(whsec.trim_start_matches("whsec_"))
            .expect("base64 secret");
        let mut signed = format!("{id}.{now}.").into_bytes();
        signed.extend_from_slice(&body);
        SignedRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("webhook-id".into(), id.into()),
                ("webhook-timestamp".into(), now.to_string()),
                (
                    "webhook-signature".into(),
                    format!("v1,{}", b64(&hmac_sha256(&key, &signed))),
                ),
            ],
            body,
        }
    }

    fn context(c: &SampleCall) -> Value {
        json!({"conversationId": format!("CN{}", c.call_id), "orgId": "OR1", "phoneNumberId": "PN1",
            "userId": "US1", "participants": {"external": [c.caller], "workspace": [c.line_number],
            "resolution": "available"}})
    }

    /// New generation `call.voicemail.completed`, transcript inline (or null).
    pub fn voicemail(
        url: &str,
        whsec: &str,
        now: i64,
        c: &SampleCall,
        with_transcript: bool,
    ) -> SignedRequest {
        let id = unique("evt_");
        let body = json!({"id": id, "apiVersion": "2026-03-30", "createdAt": rfc3339(c.ended_at + 1),
            "type": "call.voicemail.completed", "data": {"context": context(c),
            "links": {"quo": "https://my.quo.com/inbox/CN1"},
            "resource": {"callId": c.call_id, "id": format!("VM{}", c.call_id), "voicemailId": format!("VM{}", c.call_id),
                "direction": "incoming", "createdAt": rfc3339(c.ended_at), "duration": c.duration_secs,
                "from": c.caller, "to": c.line_number, "recordingUrl": c.recording_url,
                "transcript": if with_transcript { json!(c.transcript) } else { Value::Null }}}});
        sign_standard(url, whsec, now, &id, body)
    }

    /// New generation `call.transcript.completed`.
    pub fn transcript(url: &str, whsec: &str, now: i64, c: &SampleCall) -> SignedRequest {
        let id = unique("evt_");
        let body = json!({"id": id, "apiVersion": "2026-03-30", "createdAt": rfc3339(c.ended_at + 60),
            "type": "call.transcript.completed", "data": {"context": context(c),
            "links": {"quo": "https://my.quo.com/inbox/CN1"},
            "resource": {"callId": c.call_id, "createdAt": rfc3339(c.ended_at), "duration": c.duration_secs,
                "processingStatus": "completed", "dialogue": [{"content": c.transcript, "start": 0,
                "end": c.duration_secs, "identifier": c.caller, "userId": null}]}}});
        sign_standard(url, whsec, now, &id, body)
    }

    /// Legacy `call.completed` with a voicemail (the transcript is fetched).
    pub fn legacy_voicemail(
        url: &str,
        signing_key_b64: &str,
        now: i64,
        c: &SampleCall,
    ) -> SignedRequest {
        let body = json!({"id": unique("EV"), "object": "event", "apiVersion": "v3",
            "createdAt": rfc3339(c.ended_at + 1), "type": "call.completed",
            "data": {"object": {"id": c.call_id, "object": "call", "direction": "incoming", "status": "completed",
                "from": c.caller, "to": c.line_number, "answeredAt": null, "completedAt": rfc3339(c.ended_at),
                "createdAt": rfc3339(c.ended_at - c.duration_secs as i64), "phoneNumberId": "PN1",
                "voicemail": {"url": c.recording_url, "type": "audio/mpeg", "duration": c.duration_secs}}}});
        sign_legacy(url, signing_key_b64, now, body)
    }

    /// What `GET /v1/call-voicemails/{callId}` answers.
    pub fn voicemail_document(c: &SampleCall) -> Value {
        json!({"data": {"id": format!("VM{}", c.call_id), "duration": c.duration_secs,
            "transcript": c.transcript, "recordingUrl": c.recording_url, "status": "completed"}})
    }
}

// ---------------------------------------------------------------------------
// Provider API fakes.

fn basic_ok(req: &Recorded, user: &str, pass: &str) -> bool {
    req.header("authorization")
        == Some(&format!(
            "Basic {}",
            b64(format!("{user}:{pass}").as_bytes())
        ))
}

fn not_found() -> Reply {
    Reply::json(404, json!({"message": "Not Found"}))
}

/// Aircall's API: `POST /v1/webhooks`, `DELETE /v1/webhooks/{id}`,
/// `GET /v1/calls/{id}/transcription`.
pub struct FakeAircall {
    pub server: HttpFake,
    /// The token every webhook gets (what deliveries carry).
    pub token: String,
    transcripts: Arc<Mutex<Vec<(String, Value)>>>,
}

impl FakeAircall {
    pub fn start(api_id: &str, api_token: &str) -> FakeAircall {
        let token = unique("aircall-token-");
        let transcripts: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
        let (id, secret, tok, ts) = (
            api_id.to_string(),
            api_token.to_string(),
            token.clone(),
            transcripts.clone(),
        );
        let server = HttpFake::start(move |req| {
            if !basic_ok(req, &id, &secret) {
                return Reply::json(
                    401,
                    json!({"error": "Unauthorized", "troubleshoot": "Check your API ID and token"}),
                );
            }
            let path = req.path();
            match (req.method.as_str(), path) {
                ("POST", "/v1/webhooks") => {
                    let body = req.json();
                    Reply::json(
                        201,
                        json!({"webhook": {"webhook_id": unique("wh-"),
                        "direct_link": "https://api.aircall.io/v1/webhooks/1", "created_at": "2026-03-03T10:00:00.000Z",
                        "url": body["url"], "active": true, "token": tok,
                        "events": body["events"], "custom_name": body["custom_name"]}}),
                    )
                }
                ("DELETE", p) if p.starts_with("/v1/webhooks/") => Reply::empty(204),
                ("GET", p) if p.starts_with("/v1/calls/") && p.ends_with("/transcription") => {
                    let call = &p["/v1/calls/".len()..p.len() - "/transcription".len()];
                    ts.lock()
                        .ok()
                        .and_then(|t| t.iter().find(|(c, _)| c == call).map(|(_, v)| v.clone()))
                        .map_or_else(not_found, |v| Reply::json(200, v))
                }
                _ => not_found(),
            }
        });
        FakeAircall {
            server,
            token,
            transcripts,
        }
    }

    pub fn set_transcription(&self, call_id: &str, document: Value) {
        if let Ok(mut t) = self.transcripts.lock() {
            t.push((call_id.to_string(), document));
        }
    }
}

/// Dialpad's API: `POST /api/v2/webhooks`, `POST /api/v2/subscriptions/call`,
/// `DELETE /api/v2/webhooks/{id}`.
pub struct FakeDialpad {
    pub server: HttpFake,
}

impl FakeDialpad {
    pub fn start(api_key: &str) -> FakeDialpad {
        let bearer = format!("Bearer {api_key}");
        let server = HttpFake::start(move |req| {
            if req.header("authorization") != Some(bearer.as_str()) {
                return Reply::json(
                    401,
                    json!({"error": {"code": 401, "message": "Invalid API key"}}),
                );
            }
            match (req.method.as_str(), req.path()) {
                ("POST", "/api/v2/webhooks") => {
                    let b = req.json();
                    Reply::json(
                        200,
                        json!({"id": 5_000_000_001u64, "hook_url": b["hook_url"],
                        "signature": {"algo": "HS256", "type": "jwt", "secret": b["secret"]}}),
                    )
                }
                ("POST", "/api/v2/subscriptions/call") => {
                    let b = req.json();
                    if b["endpoint_id"].is_null() || b["target_id"].is_null() {
                        return Reply::json(
                            400,
                            json!({"error": {"code": 400, "message": "endpoint_id and target_id are required"}}),
                        );
                    }
                    Reply::json(
                        200,
                        json!({"id": 6_000_000_001u64, "call_states": b["call_states"],
                        "enabled": true, "group_calls_only": false, "webhook": {"id": b["endpoint_id"]}}),
                    )
                }
                ("DELETE", p) if p.starts_with("/api/v2/webhooks/") => Reply::json(200, json!({})),
                _ => not_found(),
            }
        });
        FakeDialpad { server }
    }
}

/// Quo's API: `POST /webhooks` (new generation), `DELETE /webhooks/{id}`,
/// `GET /v1/call-voicemails/{callId}`.
pub struct FakeQuo {
    pub server: HttpFake,
    /// The `whsec_` secret every created webhook gets.
    pub whsec: String,
    voicemails: Arc<Mutex<Vec<(String, Value)>>>,
}

impl FakeQuo {
    pub fn start(api_key: &str) -> FakeQuo {
        let whsec = format!("whsec_{}", b64(unique("quo-signing-key-").as_bytes()));
        let voicemails: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
        let (key, secret, vms) = (api_key.to_string(), whsec.clone(), voicemails.clone());
        let server = HttpFake::start(move |req| {
            if req.header("authorization") != Some(key.as_str()) {
                return Reply::json(
                    401,
                    json!({"message": "Invalid API key", "code": "0100401", "status": 401}),
                );
            }
            match (req.method.as_str(), req.path()) {
                ("POST", "/webhooks") => {
                    if req.header("x-quo-api-version").is_none() {
                        return Reply::json(
                            400,
                            json!({"message": "x-quo-api-version is required"}),
                        );
                    }
                    let b = req.json();
                    Reply::json(
                        201,
                        json!({"data": {"id": unique("WH"), "url": b["url"], "events": b["events"],
                        "label": b["label"], "status": "enabled", "key": secret,
                        "createdAt": "2026-03-03T10:00:00.000Z"}}),
                    )
                }
                ("DELETE", p) if p.starts_with("/webhooks/") => Reply::empty(204),
                ("GET", p) if p.starts_with("/v1/call-voicemails/") => {
                    let call = &p["/v1/call-voicemails/".len()..];
                    vms.lock()
                        .ok()
                        .and_then(|v| v.iter().find(|(c, _)| c == call).map(|(_, d)| d.clone()))
                        .map_or_else(not_found, |d| Reply::json(200, d))
                }
                _ => not_found(),
            }
        });
        FakeQuo {
            server,
            whsec,
            voicemails,
        }
    }

    pub fn set_voicemail(&self, call_id: &str, document: Value) {
        if let Ok(mut v) = self.voicemails.lock() {
            v.push((call_id.to_string(), document));
        }
    }
}

/// How the RingCentral fake answers renewals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewalMode {
    Succeed,
    /// The subscription is gone: 404 `SUB-404`.
    NotFound,
    /// 401: the access token (or the JWT behind it) is no longer valid.
    Unauthorized,
    /// 500.
    ServerError,
}

struct RcState {
    subscriptions: Vec<(String, String, i64)>,
    messages: Vec<(String, Value)>,
    transcripts: Vec<(String, String)>,
    renewal: RenewalMode,
    now: i64,
    handshake: bool,
}

/// RingCentral's API: OAuth JWT grant, subscriptions (create with the
/// validation handshake against the webhook address, renew, delete), the
/// message store and attachment content.
pub struct FakeRingCentral {
    pub server: HttpFake,
    pub access_token: String,
    state: Arc<Mutex<RcState>>,
}

impl FakeRingCentral {
    pub fn start(client_id: &str, client_secret: &str, user_jwt: &str) -> FakeRingCentral {
        let access_token = unique("rc-access-");
        let state = Arc::new(Mutex::new(RcState {
            subscriptions: Vec::new(),
            messages: Vec::new(),
            transcripts: Vec::new(),
            renewal: RenewalMode::Succeed,
            now: 1_772_532_000,
            handshake: true,
        }));
        let (cid, csec, jwt, at, st) = (
            client_id.to_string(),
            client_secret.to_string(),
            user_jwt.to_string(),
            access_token.clone(),
            state.clone(),
        );
        let server = HttpFake::start(move |req| rc_handle(req, &cid, &csec, &jwt, &at, &st));
        FakeRingCentral {
            server,
            access_token,
            state,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut RcState) -> T) -> Option<T> {
        self.state.lock().ok().map(|mut s| f(&mut s))
    }

    pub fn set_renewal(&self, mode: RenewalMode) {
        self.with(|s| s.renewal = mode);
    }

    /// The fake's clock (creation and expiry times), unix seconds.
    pub fn set_now(&self, now: i64) {
        self.with(|s| s.now = now);
    }

    /// Whether creating a subscription first validates the webhook address.
    pub fn set_handshake(&self, on: bool) {
        self.with(|s| s.handshake = on);
    }

    /// Subscriptions: (id, webhook address, expires at).
    pub fn subscriptions(&self) -> Vec<(String, String, i64)> {
        self.with(|s| s.subscriptions.clone()).unwrap_or_default()
    }

    pub fn set_message(&self, id: &str, message: Value) {
        self.with(|s| {
            s.messages.retain(|(m, _)| m != id);
            s.messages.push((id.to_string(), message));
        });
    }

    pub fn set_transcript(&self, message_id: &str, text: &str) {
        self.with(|s| {
            s.transcripts
                .push((message_id.to_string(), text.to_string()))
        });
    }
}

fn rc_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"errorCode": code, "message": message, "errors": [{"errorCode": code, "message": message}]}),
    )
}

fn rc_subscription(id: &str, address: &str, now: i64, expires: i64) -> Reply {
    Reply::json(
        200,
        json!({"id": id, "uri": format!("https://platform.ringcentral.com/restapi/v1.0/subscription/{id}"),
            "eventFilters": ["/restapi/v1.0/account/~/extension/~/voicemail"], "disabledFilters": [],
            "expirationTime": rfc3339(expires), "expiresIn": expires - now, "status": "Active",
            "creationTime": rfc3339(now),
            "deliveryMode": {"transportType": "WebHook", "address": address, "encryption": false}}),
    )
}

/// The handshake RingCentral makes before accepting a webhook address.
fn rc_validate(address: &str) -> bool {
    let token = unique("validation-");
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(3))
        .build();
    let resp = match agent
        .post(address)
        .set("Validation-Token", &token)
        .send_bytes(b"")
    {
        Ok(r) => r,
        Err(_) => return false,
    };
    resp.status() == 200 && resp.header("validation-token") == Some(token.as_str())
}

fn rc_handle(
    req: &Recorded,
    cid: &str,
    csec: &str,
    jwt: &str,
    at: &str,
    st: &Mutex<RcState>,
) -> Reply {
    let path = req.path().to_string();
    if req.method == "POST" && path == "/restapi/oauth/token" {
        if !basic_ok(req, cid, csec) {
            return Reply::json(
                401,
                json!({"error": "invalid_client", "error_description": "Invalid client"}),
            );
        }
        let text = req.text();
        let grant =
            text.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
        let assertion = text.contains(&format!("assertion={jwt}"));
        if !grant || !assertion {
            return Reply::json(
                400,
                json!({"error": "invalid_grant", "error_description": "Invalid JWT"}),
            );
        }
        return Reply::json(
            200,
            json!({"access_token": at, "token_type": "bearer", "expires_in": 3600,
            "scope": "ReadMessages SubscriptionWebhook", "owner_id": "1234"}),
        );
    }
    if req.header("authorization") != Some(&format!("Bearer {at}")) {
        return rc_error(401, "TokenInvalid", "Invalid token");
    }
    let Ok(mut s) = st.lock() else {
        return rc_error(500, "CMN-500", "state");
    };
    let now = s.now;
    if req.method == "POST" && path == "/restapi/v1.0/subscription" {
        let b = req.json();
        let address = b["deliveryMode"]["address"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if b["deliveryMode"]["transportType"] != "WebHook" || address.is_empty() {
            return rc_error(400, "SUB-400", "deliveryMode.address is required");
        }
        let handshake = s.handshake;
        drop(s);
        if handshake && !rc_validate(&address) {
            return rc_error(400, "SUB-406", "Validation token is not returned");
        }
        let Ok(mut s) = st.lock() else {
            return rc_error(500, "CMN-500", "state");
        };
        let id = unique("sub-");
        let ttl = b["expiresIn"].as_i64().unwrap_or(604_800).min(630_720_000);
        s.subscriptions
            .push((id.clone(), address.clone(), now + ttl));
        return rc_subscription(&id, &address, now, now + ttl);
    }
    if let Some(rest) = path.strip_prefix("/restapi/v1.0/subscription/") {
        let (id, renew) = match rest.strip_suffix("/renew") {
            Some(id) => (id.to_string(), true),
            None => (rest.to_string(), false),
        };
        let Some(pos) = s.subscriptions.iter().position(|(i, _, _)| *i == id) else {
            return rc_error(404, "SUB-404", "Subscription not found");
        };
        return match (req.method.as_str(), renew) {
            ("POST", true) | ("PUT", false) => match s.renewal {
                RenewalMode::Succeed => {
                    let expires = now + 604_800;
                    s.subscriptions[pos].2 = expires;
                    let address = s.subscriptions[pos].1.clone();
                    rc_subscription(&id, &address, now, expires)
                }
                RenewalMode::NotFound => rc_error(404, "SUB-404", "Subscription not found"),
                RenewalMode::Unauthorized => rc_error(401, "TokenInvalid", "Invalid token"),
                RenewalMode::ServerError => rc_error(500, "CMN-500", "Internal error"),
            },
            ("DELETE", false) => {
                s.subscriptions.remove(pos);
                Reply::empty(204)
            }
            _ => not_found(),
        };
    }
    if let Some(rest) = path.strip_prefix("/restapi/v1.0/account/~/extension/~/message-store/") {
        let mut parts = rest.split('/');
        let id = parts.next().unwrap_or("");
        return match (parts.next(), parts.next()) {
            (None, _) => s.messages.iter().find(|(m, _)| m == id).map_or_else(
                || rc_error(404, "MSG-404", "Message not found"),
                |(_, v)| Reply::json(200, v.clone()),
            ),
            (Some("content"), Some("2")) => {
                s.transcripts.iter().find(|(m, _)| m == id).map_or_else(
                    || rc_error(404, "MSG-404", "Attachment not found"),
                    |(_, t)| Reply::text(200, t),
                )
            }
            (Some("content"), Some(_)) => Reply {
                status: 200,
                headers: vec![("content-type".into(), "audio/mpeg".into())],
                body: b"ID3fake-audio".to_vec(),
            },
            _ => not_found(),
        };
    }
    not_found()
}

/// Vonage's media API: `GET /v1/files/{id}` with an application JWT
/// (RS256; the fake checks its shape and `application_id`, not the RSA
/// signature).
pub struct FakeVonage {
    pub server: HttpFake,
    files: Arc<Mutex<Vec<(String, Value)>>>,
}

impl FakeVonage {
    pub fn start(application_id: &str) -> FakeVonage {
        let files: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
        let (app, fs) = (application_id.to_string(), files.clone());
        let server = HttpFake::start(move |req| {
            let claims = req
                .header("authorization")
                .and_then(|a| a.strip_prefix("Bearer "))
                .and_then(|t| {
                    let parts: Vec<&str> = t.split('.').collect();
                    let [h, p, s] = parts[..] else { return None };
                    let header: Value =
                        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
                    (header["alg"] == "RS256" && !s.is_empty()).then_some(())?;
                    serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()
                });
            if claims.is_none_or(|c| c["application_id"] != app.as_str()) {
                return Reply::json(
                    401,
                    json!({"type": "https://developer.nexmo.com/api-errors#unauthorized",
                    "title": "Unauthorized", "detail": "Invalid token"}),
                );
            }
            match req.path().strip_prefix("/v1/files/") {
                Some(id) => fs
                    .lock()
                    .ok()
                    .and_then(|f| f.iter().find(|(i, _)| i == id).map(|(_, v)| v.clone()))
                    .map_or_else(not_found, |v| Reply::json(200, v)),
                None => not_found(),
            }
        });
        FakeVonage { server, files }
    }

    /// Serves `document` at `/v1/files/{id}`; returns its URL.
    pub fn set_file(&self, id: &str, document: Value) -> String {
        if let Ok(mut f) = self.files.lock() {
            f.push((id.to_string(), document));
        }
        format!("{}/v1/files/{id}", self.server.base())
    }
}

/// A webhook endpoint that answers RingCentral's validation handshake (for
/// tests of the fake without the app).
pub fn echoing_webhook() -> HttpFake {
    HttpFake::start(|req| match req.header("validation-token") {
        Some(t) => Reply::empty(200).with_header("Validation-Token", t),
        None => Reply::empty(200),
    })
}

/// Sends a request built by `baton-providers` and returns the answer in
/// its terms (what a component's outbound HTTP does, natively).
pub fn send(req: &baton_providers::http::HttpRequest) -> baton_providers::http::HttpResponse {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .redirects(0)
        .build();
    let mut r = agent.request(req.method, &req.url);
    for (k, v) in &req.headers {
        r = r.set(k, v);
    }
    let result = if req.body.is_empty() && matches!(req.method, "GET" | "DELETE") {
        r.call()
    } else {
        r.send_bytes(&req.body)
    };
    let resp = match result {
        Ok(x) => x,
        Err(ureq::Error::Status(_, x)) => x,
        Err(e) => panic!("{} {}: {e}", req.method, req.url),
    };
    let headers = resp
        .headers_names()
        .into_iter()
        .filter_map(|n| {
            resp.header(&n)
                .map(|v| (n.to_ascii_lowercase(), v.to_string()))
        })
        .collect();
    let status = resp.status();
    let mut body = Vec::new();
    let _ = resp.into_reader().read_to_end(&mut body);
    baton_providers::http::HttpResponse {
        status,
        headers,
        body,
    }
}
