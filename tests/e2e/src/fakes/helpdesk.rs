//! Fake help desks for end-to-end tests: Zendesk, Intercom, Freshdesk,
//! HappyFox and Help Scout, each a loopback HTTP/1.1 server speaking the
//! provider's documented API closely enough to import from.
//!
//! Each fake is seeded with generated tickets: a mix of open and closed
//! statuses in the provider's own vocabulary, requesters, and conversations
//! mixing customer messages, public replies and private notes (a few long
//! enough to need several history pages). It checks credentials exactly
//! (a wrong one gets the provider's 401), paginates as documented (and
//! refuses page sizes past the documented caps), and records every request.
//! Switches make it misbehave on cue: a 429 with the provider's retry
//! header on the k-th request, a 5xx once, one malformed ticket, a ticket
//! that changes between runs, missing permissions, expired tokens.
//!
//! ```no_run
//! use baton_e2e::fakes::helpdesk::{FakeHelpdesk, Provider};
//! let fake = FakeHelpdesk::start(Provider::Zendesk, 240);
//! let origin = fake.origin(); // http://127.0.0.1:PORT, paths as the provider's
//! let open = fake.open_tickets(); // what an import must bring over
//! fake.rate_limit_nth(3, 7); // the third request from now answers 429
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

// ===========================================================================
// A small HTTP/1.1 server
// ===========================================================================

/// A request as the fake received it. Header names are lowercase; the path
/// and query are percent-decoded.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target as sent (`/api/v2/x?y=1`).
    pub target: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first query parameter with this (decoded) name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, v: &Value) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: v.to_string().into_bytes(),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    fn content_type(mut self, value: &str) -> Response {
        self.headers.retain(|(k, _)| k != "content-type");
        self.header("content-type", value)
    }
}

type Handler = Arc<dyn Fn(Request) -> Response + Send + Sync>;

/// A threaded HTTP/1.1 server on a free loopback port: keep-alive,
/// `Content-Length` and chunked request bodies, `Expect: 100-continue`.
/// Stops when dropped.
pub struct HttpServer {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl HttpServer {
    pub fn start(handler: Handler) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                let stopping = stopping.clone();
                std::thread::spawn(move || serve(stream, handler, stopping));
            }
        });
        HttpServer { port, stop }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

enum ReadError {
    /// The client closed the connection between requests.
    Closed,
    Bad(String),
}

const MAX_LINE: usize = 16 * 1024;
const MAX_HEADERS: usize = 100;
const MAX_BODY: usize = 16 * 1024 * 1024;

fn serve(stream: TcpStream, handler: Handler, stop: Arc<AtomicBool>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let request = match read_request(&mut reader, &mut writer) {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(why)) => {
                let resp = Response::json(400, &json!({ "error": "bad request", "detail": why }));
                let _ = write_response(&mut writer, &resp, false);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        };
        let keep_alive = !request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let head = request.method == "HEAD";
        let mut resp = handler(request);
        if head {
            resp.body.clear();
        }
        if write_response(&mut writer, &resp, keep_alive).is_err() || !keep_alive {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn read_line(reader: &mut BufReader<TcpStream>) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::new();
    let n = reader
        .by_ref()
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut buf)
        .map_err(|e| ReadError::Bad(e.to_string()))?;
    if n == 0 {
        return Ok(None);
    }
    if buf.len() > MAX_LINE || buf.last() != Some(&b'\n') {
        return Err(ReadError::Bad("line too long or cut short".into()));
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| ReadError::Bad("header is not UTF-8".into()))
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Result<Request, ReadError> {
    // Tolerate empty lines before a request line (RFC 9112 §2.2).
    let line = loop {
        match read_line(reader) {
            Ok(Some(l)) if l.is_empty() => continue,
            Ok(Some(l)) => break l,
            Ok(None) => return Err(ReadError::Closed),
            // A timeout or reset between requests just ends the connection.
            Err(_) => return Err(ReadError::Closed),
        }
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(format!("bad request line {line:?}")));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !target.starts_with('/') {
        return Err(ReadError::Bad(format!("bad request line {line:?}")));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let Some(h) = read_line(reader)? else {
            return Err(ReadError::Bad("headers cut short".into()));
        };
        if h.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::Bad("too many headers".into()));
        }
        let Some((k, v)) = h.split_once(':') else {
            return Err(ReadError::Bad(format!("bad header {h:?}")));
        };
        if k.is_empty() || k.ends_with(' ') {
            return Err(ReadError::Bad(format!("bad header name {k:?}")));
        }
        headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        let _ = writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let mut body = Vec::new();
    if chunked {
        loop {
            let Some(size_line) = read_line(reader)? else {
                return Err(ReadError::Bad("chunk cut short".into()));
            };
            let size_hex = size_line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_hex, 16)
                .map_err(|_| ReadError::Bad(format!("bad chunk size {size_line:?}")))?;
            if size == 0 {
                // Trailers, then the empty line.
                while let Some(t) = read_line(reader)? {
                    if t.is_empty() {
                        break;
                    }
                }
                break;
            }
            if body.len() + size > MAX_BODY {
                return Err(ReadError::Bad("body too large".into()));
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader
                .read_exact(&mut body[start..])
                .map_err(|e| ReadError::Bad(e.to_string()))?;
            let mut crlf = [0u8; 2];
            reader
                .read_exact(&mut crlf)
                .map_err(|e| ReadError::Bad(e.to_string()))?;
            if &crlf != b"\r\n" {
                return Err(ReadError::Bad("chunk without CRLF".into()));
            }
        }
    } else if let Some(len) = header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| ReadError::Bad(format!("bad content-length {len:?}")))?;
        if len > MAX_BODY {
            return Err(ReadError::Bad("body too large".into()));
        }
        body.resize(len, 0);
        reader
            .read_exact(&mut body)
            .map_err(|e| ReadError::Bad(e.to_string()))?;
    }
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let query = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect();
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        path: percent_decode(raw_path, false),
        query,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn write_response(
    stream: &mut TcpStream,
    resp: &Response,
    keep_alive: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n", resp.body.len()));
    head.push_str(if keep_alive {
        "connection: keep-alive\r\n\r\n"
    } else {
        "connection: close\r\n\r\n"
    });
    stream.write_all(head.as_bytes())?;
    stream.write_all(&resp.body)?;
    stream.flush()
}

/// Decodes `%XX` (and `+` as a space in query strings); invalid escapes
/// stay as they are.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

// ===========================================================================
// Time
// ===========================================================================

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// `2026-03-01T09:00:00Z`
pub fn rfc3339(t: i64) -> String {
    let (y, m, d, h, mi, s) = civil(t);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// HappyFox's `2026-03-01 09:00:00` (UTC).
fn happyfox_time(t: i64) -> String {
    let (y, m, d, h, mi, s) = civil(t);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// Day number of `YYYY-MM-DD`.
fn parse_day(s: &str) -> Option<i64> {
    let mut p = s.split('-');
    let y = p.next()?.parse().ok()?;
    let m = p.next()?.parse().ok()?;
    let d = p.next()?.parse().ok()?;
    if p.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

// ===========================================================================
// The seeded data
// ===========================================================================

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Zendesk,
    Intercom,
    Freshdesk,
    Happyfox,
    Helpscout,
}

impl Provider {
    pub const ALL: [Provider; 5] = [
        Provider::Zendesk,
        Provider::Intercom,
        Provider::Freshdesk,
        Provider::Happyfox,
        Provider::Helpscout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Zendesk => "zendesk",
            Provider::Intercom => "intercom",
            Provider::Freshdesk => "freshdesk",
            Provider::Happyfox => "happyfox",
            Provider::Helpscout => "helpscout",
        }
    }

    /// Status names in the provider's vocabulary and whether each is open
    /// work an import takes.
    fn statuses(self) -> &'static [(&'static str, bool)] {
        match self {
            Provider::Zendesk => &[
                ("new", true),
                ("open", true),
                ("pending", true),
                ("hold", true),
                ("solved", false),
                ("closed", false),
            ],
            Provider::Intercom => &[("open", true), ("snoozed", true), ("closed", false)],
            Provider::Freshdesk => &[("2", true), ("3", true), ("4", false), ("5", false)],
            Provider::Happyfox => &[
                ("New", true),
                ("In Progress", true),
                ("On Hold", true),
                ("Closed", false),
            ],
            Provider::Helpscout => &[
                ("active", true),
                ("pending", true),
                ("closed", false),
                ("spam", false),
            ],
        }
    }

    fn first_ticket_id(self) -> u64 {
        match self {
            Provider::Zendesk => 35_000,
            Provider::Intercom => 2_150_000_000,
            Provider::Freshdesk => 4_000,
            Provider::Happyfox => 80,
            Provider::Helpscout => 1_900_000,
        }
    }
}

/// The credentials each fake accepts.
pub mod creds {
    pub const ZENDESK_SUBDOMAIN: &str = "acme";
    pub const ZENDESK_EMAIL: &str = "importer@acme.test";
    pub const ZENDESK_API_TOKEN: &str = "zd-8Fq2VsLx0pT4";
    pub const INTERCOM_ACCESS_TOKEN: &str = "dG9rOmFjbWU6aW50ZXJjb20=";
    pub const FRESHDESK_DOMAIN: &str = "acme.freshdesk.com";
    pub const FRESHDESK_API_KEY: &str = "fdKey7Hq2LmZ0aB";
    pub const HAPPYFOX_SUBDOMAIN: &str = "acme";
    pub const HAPPYFOX_API_KEY: &str = "7239275c098b47b2";
    pub const HAPPYFOX_AUTH_CODE: &str = "3cdbda2cded34e12";
    pub const HELPSCOUT_CLIENT_ID: &str = "hsAppId8Kd2";
    pub const HELPSCOUT_CLIENT_SECRET: &str = "hsAppSecret0Qw9";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FakeKind {
    Customer,
    PublicReply,
    PrivateNote,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePerson {
    pub id: u64,
    pub first: String,
    pub last: String,
    pub email: String,
    pub phone: String,
    pub agent: bool,
}

impl FakePerson {
    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMessage {
    pub id: u64,
    pub kind: FakeKind,
    pub author: FakePerson,
    /// Plain text; served as HTML where the provider serves HTML.
    pub text: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTicket {
    pub id: u64,
    pub subject: String,
    /// In the provider's vocabulary (Freshdesk: the status code).
    pub status: String,
    /// Open work an import must bring over.
    pub open: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub requester: FakePerson,
    /// Oldest first; the first is the customer's opening message.
    pub messages: Vec<FakeMessage>,
    pub tags: Vec<String>,
    /// Served with an unreadable creation time.
    pub malformed: bool,
}

/// 2025-01-01T00:00:00Z: the first ticket's creation.
const EPOCH: i64 = 1_735_689_600;

/// A tiny deterministic generator (64-bit LCG), so every run seeds alike.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn agents() -> Vec<FakePerson> {
    [("Ann", "Agent"), ("Bo", "Support"), ("Cy", "Helper")]
        .iter()
        .enumerate()
        .map(|(i, (f, l))| FakePerson {
            id: 9001 + i as u64,
            first: (*f).into(),
            last: (*l).into(),
            email: format!("{}@acme.test", f.to_ascii_lowercase()),
            phone: String::new(),
            agent: true,
        })
        .collect()
}

fn customer(n: u64) -> FakePerson {
    const FIRST: [&str; 6] = ["Jo", "Max", "Ada", "Lin", "Sam", "Noor"];
    const LAST: [&str; 5] = ["Rivera", "Okafor", "Lindqvist", "Tanaka", "O'Brien"];
    FakePerson {
        id: 500_000 + n,
        first: FIRST[(n % 6) as usize].into(),
        last: LAST[(n % 5) as usize].into(),
        email: format!("customer{n}@example.org"),
        phone: format!("+1555{:07}", n),
        agent: false,
    }
}

/// Message texts with the characters HTML bodies must escape, and a line
/// break, so a parser's conversion is checked exactly.
fn text_for(kind: FakeKind, id: u64, ticket: u64) -> String {
    match (kind, id % 4) {
        (FakeKind::Customer, 0) => {
            format!("Where is my order #{ticket}? It was due Monday & still isn't here. (m{id})")
        }
        (FakeKind::Customer, 1) => {
            format!("I was charged twice for invoice <INV-{ticket}>. (m{id})")
        }
        (FakeKind::Customer, 2) => format!("Thanks, that \"fixed\" it — mostly. (m{id})"),
        (FakeKind::Customer, _) => {
            format!("Can you check again?\nI've attached the receipt for {ticket}. (m{id})")
        }
        (FakeKind::PublicReply, 0 | 1) => {
            format!("Sorry about that! I've asked the warehouse to check order #{ticket}. (m{id})")
        }
        (FakeKind::PublicReply, _) => {
            format!("Refund issued: 2 × 19.99 € back to your card.\nAnything else? (m{id})")
        }
        (FakeKind::PrivateNote, _) => {
            format!("VIP customer; escalate to billing if > 3 days. Ref {ticket} (m{id})")
        }
    }
}

fn seed(provider: Provider, count: usize) -> BTreeMap<u64, FakeTicket> {
    let mut rng = Lcg(0x5eed ^ provider.first_ticket_id());
    let agents = agents();
    let statuses = provider.statuses();
    let open: Vec<&str> = statuses.iter().filter(|s| s.1).map(|s| s.0).collect();
    let closed: Vec<&str> = statuses.iter().filter(|s| !s.1).map(|s| s.0).collect();
    let mut message_id = 700_000_u64;
    let mut tickets = BTreeMap::new();
    for i in 0..count as u64 {
        let id = provider.first_ticket_id() + i;
        let is_open = rng.below(10) < 7;
        let status = if is_open {
            open[rng.below(open.len() as u64) as usize]
        } else {
            closed[rng.below(closed.len() as u64) as usize]
        };
        let created = EPOCH + i as i64 * 7_919 + rng.below(600) as i64;
        let requester = customer(i % 150);
        // A few long conversations need several history pages.
        let n_messages = if i % 37 == 5 {
            130
        } else {
            1 + rng.below(5) as usize
        };
        let mut messages = Vec::with_capacity(n_messages);
        let mut at = created;
        for j in 0..n_messages {
            message_id += 1;
            let kind = if j == 0 {
                FakeKind::Customer
            } else {
                match rng.below(10) {
                    0..=3 => FakeKind::Customer,
                    4..=7 => FakeKind::PublicReply,
                    _ => FakeKind::PrivateNote,
                }
            };
            let author = match kind {
                FakeKind::Customer => requester.clone(),
                _ => agents[rng.below(agents.len() as u64) as usize].clone(),
            };
            messages.push(FakeMessage {
                id: message_id,
                kind,
                author,
                text: text_for(kind, message_id, id),
                created_at: at,
            });
            at += 60 + rng.below(3_000) as i64;
        }
        let tags = match i % 4 {
            0 => vec!["shipping".to_string()],
            1 => vec!["billing".to_string(), "vip".to_string()],
            2 => Vec::new(),
            _ => vec!["returns".to_string()],
        };
        tickets.insert(
            id,
            FakeTicket {
                id,
                subject: format!("Order {id} & refund <{}>", i % 7),
                status: status.to_string(),
                open: is_open,
                created_at: created,
                updated_at: at,
                requester,
                messages,
                tags,
                malformed: false,
            },
        );
    }
    tickets
}

// ===========================================================================
// The fake and its switches
// ===========================================================================

/// A request the fake received and the status it answered.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub request: Request,
    pub status: u16,
}

struct State {
    provider: Provider,
    origin: String,
    tickets: BTreeMap<u64, FakeTicket>,
    next_message_id: u64,
    requests: Vec<RecordedRequest>,
    /// Request number (1-based, all requests) → what to do instead.
    rate_limit_at: Option<(usize, u64)>,
    fail_at: Option<(usize, u16)>,
    forbidden: bool,
    /// Help Scout bearer tokens issued and still valid.
    tokens: Vec<String>,
    token_serial: u64,
}

/// One fake help desk, serving until dropped.
pub struct FakeHelpdesk {
    provider: Provider,
    server: HttpServer,
    state: Arc<Mutex<State>>,
}

impl FakeHelpdesk {
    /// Starts the fake with `tickets` generated tickets (about 70 % open).
    pub fn start(provider: Provider, tickets: usize) -> FakeHelpdesk {
        let state = Arc::new(Mutex::new(State {
            provider,
            origin: String::new(),
            tickets: seed(provider, tickets),
            next_message_id: 900_000,
            requests: Vec::new(),
            rate_limit_at: None,
            fail_at: None,
            forbidden: false,
            tokens: Vec::new(),
            token_serial: 0,
        }));
        let shared = state.clone();
        let server = HttpServer::start(Arc::new(move |req: Request| {
            let mut s = lock(&shared);
            let resp = handle(&mut s, &req);
            s.requests.push(RecordedRequest {
                request: req,
                status: resp.status,
            });
            resp
        }));
        lock(&state).origin = format!("http://127.0.0.1:{}", server.port());
        FakeHelpdesk {
            provider,
            server,
            state,
        }
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// `http://127.0.0.1:PORT`: the origin to send the provider's paths to.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port())
    }

    /// The valid credentials, by the importer API's field names.
    pub fn credentials(&self) -> Vec<(&'static str, &'static str)> {
        match self.provider {
            Provider::Zendesk => vec![
                ("subdomain", creds::ZENDESK_SUBDOMAIN),
                ("email", creds::ZENDESK_EMAIL),
                ("api_token", creds::ZENDESK_API_TOKEN),
            ],
            Provider::Intercom => vec![("access_token", creds::INTERCOM_ACCESS_TOKEN)],
            Provider::Freshdesk => vec![
                ("domain", creds::FRESHDESK_DOMAIN),
                ("api_key", creds::FRESHDESK_API_KEY),
            ],
            Provider::Happyfox => vec![
                ("subdomain", creds::HAPPYFOX_SUBDOMAIN),
                ("api_key", creds::HAPPYFOX_API_KEY),
                ("auth_code", creds::HAPPYFOX_AUTH_CODE),
            ],
            Provider::Helpscout => vec![
                ("client_id", creds::HELPSCOUT_CLIENT_ID),
                ("client_secret", creds::HELPSCOUT_CLIENT_SECRET),
            ],
        }
    }

    pub fn tickets(&self) -> Vec<FakeTicket> {
        lock(&self.state).tickets.values().cloned().collect()
    }

    /// The tickets an import must bring over, by id.
    pub fn open_tickets(&self) -> Vec<FakeTicket> {
        lock(&self.state)
            .tickets
            .values()
            .filter(|t| t.open)
            .cloned()
            .collect()
    }

    pub fn ticket(&self, id: u64) -> Option<FakeTicket> {
        lock(&self.state).tickets.get(&id).cloned()
    }

    /// The `k`-th request from now (1 = the next) answers 429 with the
    /// provider's retry signal set to `retry_after_secs`; once.
    pub fn rate_limit_nth(&self, k: usize, retry_after_secs: u64) {
        let mut s = lock(&self.state);
        let at = s.requests.len() + k.max(1);
        s.rate_limit_at = Some((at, retry_after_secs));
    }

    /// The `k`-th request from now answers `status` (a 5xx); once.
    pub fn fail_nth(&self, k: usize, status: u16) {
        let mut s = lock(&self.state);
        let at = s.requests.len() + k.max(1);
        s.fail_at = Some((at, status));
    }

    /// Serves this ticket with an unreadable creation time from now on.
    pub fn malform(&self, id: u64) {
        if let Some(t) = lock(&self.state).tickets.get_mut(&id) {
            t.malformed = true;
        }
    }

    /// Adds a message to a ticket (a customer follow-up, a reply, a note),
    /// as happens between two import runs; returns its text.
    pub fn add_message(&self, id: u64, kind: FakeKind) -> Option<String> {
        let mut s = lock(&self.state);
        s.next_message_id += 1;
        let message_id = s.next_message_id;
        let t = s.tickets.get_mut(&id)?;
        let author = match kind {
            FakeKind::Customer => t.requester.clone(),
            _ => agents()[0].clone(),
        };
        let at = t
            .messages
            .last()
            .map_or(t.created_at, |m| m.created_at)
            .max(t.updated_at)
            + 600;
        let text = text_for(kind, message_id, id);
        t.messages.push(FakeMessage {
            id: message_id,
            kind,
            author,
            text: text.clone(),
            created_at: at,
        });
        t.updated_at = at;
        Some(text)
    }

    /// Opens or closes a ticket (in the provider's vocabulary).
    pub fn set_open(&self, id: u64, open: bool) {
        let mut s = lock(&self.state);
        let provider = s.provider;
        if let Some(t) = s.tickets.get_mut(&id) {
            t.open = open;
            let statuses = provider.statuses();
            if let Some((name, _)) = statuses.iter().find(|s| s.1 == open) {
                t.status = (*name).to_string();
            }
        }
    }

    /// Answers every authenticated request with the provider's 403.
    pub fn forbid(&self, on: bool) {
        lock(&self.state).forbidden = on;
    }

    /// Revokes every Help Scout token issued so far.
    pub fn expire_tokens(&self) {
        lock(&self.state).tokens.clear();
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    pub fn request_count(&self) -> usize {
        lock(&self.state).requests.len()
    }

    pub fn clear_requests(&self) {
        let mut s = lock(&self.state);
        // Keep pending switches pointing at the same upcoming request.
        let n = s.requests.len();
        s.rate_limit_at = s.rate_limit_at.map(|(at, v)| (at.saturating_sub(n), v));
        s.fail_at = s.fail_at.map(|(at, v)| (at.saturating_sub(n), v));
        s.requests.clear();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A test that panicked while holding the lock must not hide the data.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn handle(s: &mut State, req: &Request) -> Response {
    let number = s.requests.len() + 1;
    if let Some((at, secs)) = s.rate_limit_at
        && at == number
    {
        s.rate_limit_at = None;
        return rate_limited(s.provider, secs);
    }
    if let Some((at, status)) = s.fail_at
        && at == number
    {
        s.fail_at = None;
        return server_error(s.provider, status);
    }
    let resp = match s.provider {
        Provider::Zendesk => zendesk::handle(s, req),
        Provider::Intercom => intercom::handle(s, req),
        Provider::Freshdesk => freshdesk::handle(s, req),
        Provider::Happyfox => happyfox::handle(s, req),
        Provider::Helpscout => helpscout::handle(s, req),
    };
    with_rate_headers(s.provider, resp)
}

/// The provider's rate-limit headers on every answer, as the real APIs
/// send them.
fn with_rate_headers(provider: Provider, resp: Response) -> Response {
    match provider {
        Provider::Zendesk => resp
            .header("x-rate-limit", "700")
            .header("x-rate-limit-remaining", "650")
            .header("ratelimit-limit", "700")
            .header("ratelimit-remaining", "650")
            .header("ratelimit-reset", "42"),
        Provider::Intercom => resp
            .header("x-ratelimit-limit", "10000")
            .header("x-ratelimit-remaining", "9990")
            .header("x-ratelimit-reset", (now_unix() + 10).to_string()),
        Provider::Freshdesk => resp
            .header("x-ratelimit-total", "700")
            .header("x-ratelimit-remaining", "650")
            .header("x-ratelimit-used-currentrequest", "1"),
        Provider::Happyfox => resp,
        Provider::Helpscout => resp
            .header("x-ratelimit-limit-minute", "400")
            .header("x-ratelimit-remaining-minute", "380"),
    }
}

fn rate_limited(provider: Provider, secs: u64) -> Response {
    match provider {
        Provider::Zendesk => Response::json(
            429,
            &json!({"error": "APIRateLimitExceeded", "description": "Number of allowed API requests per minute exceeded"}),
        )
        .header("retry-after", secs.to_string()),
        Provider::Intercom => Response::json(
            429,
            &json!({"type": "error.list", "request_id": "fake-429",
                    "errors": [{"code": "rate_limit_exceeded", "message": "Exceeded rate limit of 10000 in 10_seconds"}]}),
        )
        .header("x-ratelimit-limit", "10000")
        .header("x-ratelimit-remaining", "0")
        .header("x-ratelimit-reset", (now_unix() + secs as i64).to_string()),
        Provider::Freshdesk => Response::json(
            429,
            &json!({"code": "rate_limit_exceeded", "message": "You have exceeded the limit of requests per minute"}),
        )
        .header("retry-after", secs.to_string())
        .header("x-ratelimit-total", "700")
        .header("x-ratelimit-remaining", "0"),
        // HappyFox documents the 429 and its ten-minute lockout, no header.
        Provider::Happyfox => Response::json(429, &json!({"error": "Too many requests"})),
        Provider::Helpscout => Response::json(
            429,
            &json!({"logRef": "fake-429", "message": "Rate limit exceeded", "_embedded": {"errors": []}}),
        )
        .content_type("application/vnd.error+json")
        .header("x-ratelimit-retry-after", secs.to_string())
        .header("x-ratelimit-limit-minute", "400")
        .header("x-ratelimit-remaining-minute", "0"),
    }
}

fn server_error(provider: Provider, status: u16) -> Response {
    let body = match provider {
        Provider::Intercom => json!({"type": "error.list", "request_id": "fake-5xx",
                                     "errors": [{"code": "server_error", "message": "Server Error"}]}),
        Provider::Freshdesk => {
            json!({"code": "internal_error", "message": "We're sorry, but something went wrong."})
        }
        Provider::Helpscout => json!({"logRef": "fake-5xx", "message": "Internal error"}),
        _ => json!({"error": "ServiceUnavailable", "description": "Temporarily unavailable"}),
    };
    Response::json(status, &body)
}

/// Plain text as the HTML a help desk stores.
pub fn html(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    format!("<p>{}</p>", escaped.replace('\n', "<br>"))
}

/// A path without a trailing `.json` (Zendesk accepts both), split.
fn segments(path: &str) -> Vec<&str> {
    path.trim_end_matches(".json")
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

/// An opaque cursor for an id or index.
fn cursor_for(n: u64) -> String {
    base64(format!("fake:{n}").as_bytes())
}

fn cursor_value(c: &str) -> Option<u64> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = Vec::new();
    for ch in c.trim_end_matches('=').chars() {
        let v = ALPHABET.find(ch)? as u32;
        bits = (bits << 6) | v;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    String::from_utf8(out)
        .ok()?
        .strip_prefix("fake:")?
        .parse()
        .ok()
}

fn shown_time(t: &FakeTicket, at: i64) -> Value {
    if t.malformed {
        json!("last tuesday, roughly")
    } else {
        json!(rfc3339(at))
    }
}

fn not_found() -> Response {
    Response::json(
        404,
        &json!({"error": "RecordNotFound", "description": "Not found"}),
    )
}

mod freshdesk;
mod happyfox;
mod helpscout;
mod intercom;
mod zendesk;
