//! spin-sdk glue shared by Baton's components: [`SpinDb`] (the core's `Db`
//! over Spin's SQLite), opening the migrated database, key-value, and JSON /
//! problem+json responses. Nothing here knows which host runs it.

pub mod outbox;
pub mod voice;

use baton_core::api::Response as CoreResponse;
use baton_core::db::{Db, DbError, Rows, Value};
use baton_core::env::{Ctx, Kv, Random, Settings};
use baton_core::problem::Problem;
use baton_providers::email::EmailProvider;
use baton_providers::http::{HttpRequest, HttpResponse};
use futures::SinkExt;
use spin_sdk::http::conversions::TryFromIncomingRequest;
use spin_sdk::http::{
    Fields, IncomingRequest, Method, OutgoingResponse, Request, Response, ResponseOutparam,
};
use spin_sdk::key_value::Store;
use spin_sdk::sqlite3::{self, Connection};

/// The core's [`Db`] over a Spin SQLite connection.
pub struct SpinDb {
    conn: Connection,
}

impl SpinDb {
    /// Opens the `default` database and applies pending migrations (one
    /// cheap query when there are none).
    pub fn open_migrated() -> Result<SpinDb, DbError> {
        let conn = Connection::open_default().map_err(|e| DbError(describe_sqlite_error(&e)))?;
        let db = SpinDb { conn };
        baton_core::migrate::ensure_migrated(&db, now_unix())?;
        Ok(db)
    }
}

impl Db for SpinDb {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let params: Vec<sqlite3::Value> = params.iter().cloned().map(to_spin).collect();
        let result = self
            .conn
            .execute(sql, &params)
            .map_err(|e| DbError(describe_sqlite_error(&e)))?;
        Ok(Rows {
            columns: result.columns,
            rows: result
                .rows
                .into_iter()
                .map(|r| r.values.into_iter().map(from_spin).collect())
                .collect(),
        })
    }
}

fn to_spin(v: Value) -> sqlite3::Value {
    match v {
        Value::Integer(i) => sqlite3::Value::Integer(i),
        Value::Real(f) => sqlite3::Value::Real(f),
        Value::Text(s) => sqlite3::Value::Text(s),
        Value::Blob(b) => sqlite3::Value::Blob(b),
        Value::Null => sqlite3::Value::Null,
    }
}

fn from_spin(v: sqlite3::Value) -> Value {
    match v {
        sqlite3::Value::Integer(i) => Value::Integer(i),
        sqlite3::Value::Real(f) => Value::Real(f),
        sqlite3::Value::Text(s) => Value::Text(s),
        sqlite3::Value::Blob(b) => Value::Blob(b),
        sqlite3::Value::Null => Value::Null,
    }
}

fn describe_sqlite_error(e: &sqlite3::Error) -> String {
    match e {
        sqlite3::Error::NoSuchDatabase => "no such database".into(),
        sqlite3::Error::AccessDenied => "access to the database denied".into(),
        sqlite3::Error::InvalidConnection => "invalid database connection".into(),
        sqlite3::Error::DatabaseFull => "database full".into(),
        sqlite3::Error::Io(msg) => msg.clone(),
    }
}

pub fn describe_kv_error(e: &spin_sdk::key_value::Error) -> String {
    use spin_sdk::key_value::Error;
    match e {
        Error::StoreTableFull => "too many stores open".into(),
        Error::NoSuchStore => "no such key-value store".into(),
        Error::AccessDenied => "access to the key-value store denied".into(),
        Error::Other(msg) => msg.clone(),
    }
}

/// Seconds since the Unix epoch, UTC.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub fn json_response(status: u16, body: &serde_json::Value) -> Response {
    to_response(baton_core::api::Response::json(status, body))
}

pub fn problem_response(problem: &Problem) -> Response {
    to_response(baton_core::api::Response::problem(problem))
}

/// A problem document with extra members (e.g. the health checks).
pub fn problem_json_response(status: u16, body: &serde_json::Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/problem+json")
        .header("cache-control", "no-store")
        .body(body.to_string())
        .build()
}

/// The core's [`Kv`] over Spin's `default` key-value store.
pub struct SpinKv(pub Store);

impl SpinKv {
    pub fn open_default() -> Result<SpinKv, String> {
        Store::open_default()
            .map(SpinKv)
            .map_err(|e| describe_kv_error(&e))
    }
}

impl Kv for SpinKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.0.get(key).map_err(|e| describe_kv_error(&e))
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.0.set(key, value).map_err(|e| describe_kv_error(&e))
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        self.0.delete(key).map_err(|e| describe_kv_error(&e))
    }
}

/// Secure random bytes from the host (`wasi:random`).
pub struct WasiRandom;

impl Random for WasiRandom {
    fn fill(&self, buf: &mut [u8]) {
        let bytes = wasi::random::random::get_random_bytes(buf.len() as u64);
        buf.copy_from_slice(&bytes[..buf.len()]);
    }
}

/// Milliseconds since the Unix epoch, UTC.
pub fn now_unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Settings from the component's Spin variables; a missing or malformed one
/// keeps its default.
pub fn settings() -> Settings {
    settings_with_origin(None)
}

/// The settings, with `public_url` (when the variable is empty) taken from
/// the origin the request came in on, so links point where Baton answers.
fn settings_with_origin(origin: Option<String>) -> Settings {
    let mut s = Settings::default();
    match variable("public_url") {
        Some(url) => s.public_url = url,
        None => {
            if let Some(origin) = origin {
                s.public_url = origin;
            }
        }
    }
    if let Ok(limit) = spin_sdk::variables::get("escalation_rate_limit_per_minute")
        && let Ok(limit) = limit.trim().parse::<u32>()
        && limit > 0
    {
        s.escalation_rate_limit = limit;
    }
    if let Ok(ttl) = spin_sdk::variables::get("session_ttl_seconds")
        && let Ok(ttl) = ttl.trim().parse::<i64>()
        && ttl > 0
    {
        s.session_ttl_seconds = ttl;
    }
    s.encryption_key = variable("encryption_key");
    s.inbound_email_secret = variable("inbound_email_secret");
    s.mailgun_signing_key = variable("mailgun_signing_key");
    // The default is a wildcard already in the allow-list: no proxy.
    s.helpdesk_proxy_origin = variable("helpdesk_proxy_origin").filter(|o| !o.contains('*'));
    s.voice_api_url = variable("voice_api_url").filter(|o| !o.contains('*'));
    for provider in EmailProvider::ALL {
        if let Some(url) = variable(&format!("{}_api_url", provider.as_str())) {
            s.email_api_urls.push((provider, url));
        }
    }
    s.trusted_proxy_header = variable("trusted_proxy_header").map(|h| h.to_ascii_lowercase());
    if let Some(hops) = variable("trusted_proxy_hops").and_then(|v| v.parse::<usize>().ok())
        && hops > 0
    {
        s.trusted_proxy_hops = hops;
    }
    if let Some(secs) = variable("email_retry_base_seconds").and_then(|v| v.parse::<i64>().ok())
        && secs > 0
    {
        s.email_retry_base_seconds = secs;
    }
    s
}

/// A variable's trimmed value; None when unset, empty or not granted to
/// this component.
fn variable(name: &str) -> Option<String> {
    spin_sdk::variables::get(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `scheme://authority` of Spin's `spin-full-url`.
fn request_origin(req: &Request) -> Option<String> {
    let url = req.header("spin-full-url")?.as_str()?;
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|a| !a.is_empty())?;
    Some(format!("{scheme}://{authority}"))
}

/// The client's IP: Spin's `spin-client-addr`, or behind a trusted reverse
/// proxy (the `trusted_proxy_header` variable) the address that proxy saw.
pub fn client_ip(req: &Request, settings: &Settings) -> Option<String> {
    let socket = req.header("spin-client-addr").and_then(|v| v.as_str());
    let forwarded = settings
        .trusted_proxy_header
        .as_deref()
        .and_then(|name| req.header(name))
        .and_then(|v| v.as_str());
    baton_core::env::client_address(socket, forwarded, settings.trusted_proxy_hops)
}

/// Headers as (lowercase name, value) pairs for the core API.
pub fn headers(req: &Request) -> Vec<(String, String)> {
    req.headers()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.to_ascii_lowercase(), v.to_string())))
        .collect()
}

/// The core API's response as a Spin response.
pub fn to_response(res: baton_core::api::Response) -> Response {
    let mut builder = Response::builder();
    builder.status(res.status);
    for (k, v) in res.headers {
        builder.header(k, v);
    }
    builder.body(res.body).build()
}

type Handler = fn(&Ctx, &baton_core::api::Request) -> CoreResponse;

/// The database and key-value store one request works with.
pub struct Stores {
    pub db: SpinDb,
    pub kv: SpinKv,
}

impl Stores {
    pub fn open() -> Result<Stores, Problem> {
        let db = SpinDb::open_migrated()
            .map_err(|e| Problem::new(503, format!("The database is unavailable: {e}")))?;
        let kv = SpinKv::open_default()
            .map_err(|e| Problem::new(503, format!("The key-value store is unavailable: {e}")))?;
        Ok(Stores { db, kv })
    }

    /// A context for `req` as of now, with the settings from the variables.
    pub fn request_ctx(&self, req: &Request) -> Ctx<'_> {
        let settings = settings_with_origin(request_origin(req));
        self.ctx(client_ip(req, &settings), settings)
    }

    /// A context as of now.
    pub fn ctx(&self, client_ip: Option<String>, settings: Settings) -> Ctx<'_> {
        Ctx {
            db: &self.db,
            kv: &self.kv,
            random: &WasiRandom,
            now_ms: now_unix_ms(),
            client_ip,
            settings,
        }
    }
}

/// Runs a core API handler over a buffered request.
pub fn call_api(stores: &Stores, req: &Request, handler: Handler) -> CoreResponse {
    let ctx = stores.request_ctx(req);
    let method = req.method().to_string();
    handler(&ctx, &core_request(req, &method))
}

/// A buffered request as the core API sees it (`method` is the request's,
/// as text, kept by the caller).
pub fn core_request<'a>(req: &'a Request, method: &'a str) -> baton_core::api::Request<'a> {
    baton_core::api::Request {
        method,
        path: req.path(),
        query: req.query(),
        headers: headers(req),
        body: req.body(),
    }
}

/// Serves one request with a core API handler (opening the migrated
/// database and key-value), answers, and then delivers due outbox email
/// without holding up that answer: Spin keeps the instance running until
/// the handler returns, after the response has gone out.
pub async fn serve(req: IncomingRequest, out: ResponseOutparam, handler: Handler) {
    let Some((request, stores, out)) = accept(req, out).await else {
        return;
    };
    respond(out, call_api(&stores, &request, handler)).await;
    outbox::deliver_due(&stores, outbox::AFTER_RESPONSE_BUDGET).await;
}

/// Sends a provider request over Spin's outbound HTTP (subject to the
/// component's `allowed_outbound_hosts`).
pub async fn send_http(req: HttpRequest) -> Result<HttpResponse, String> {
    let method = match req.method {
        "GET" => Method::Get,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => Method::Post,
    };
    let mut builder = Request::builder();
    builder.method(method).uri(req.url.as_str());
    for (k, v) in &req.headers {
        builder.header(k.as_str(), v.as_str());
    }
    let request = builder.body(req.body).build();
    let res = spin_sdk::http::send::<_, Response>(request)
        .await
        .map_err(|e| e.to_string())?;
    Ok(HttpResponse {
        status: *res.status(),
        headers: res
            .headers()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.to_ascii_lowercase(), v.to_string())))
            .collect(),
        body: res.body().to_vec(),
    })
}

/// 128 random bits as hex: webhook secrets and JWT ids.
pub fn new_nonce() -> String {
    let mut buf = [0u8; 16];
    WasiRandom.fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A header of a request not yet read (the last value, as text).
pub fn incoming_header(req: &IncomingRequest, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .pop()
        .and_then(|v| String::from_utf8(v).ok())
}

/// Reads the whole request and opens the stores; on failure answers the
/// problem itself and gives None.
pub async fn accept(
    req: IncomingRequest,
    out: ResponseOutparam,
) -> Option<(Request, Stores, ResponseOutparam)> {
    let request = match Request::try_from_incoming_request(req).await {
        Ok(r) => r,
        Err(e) => {
            let p = Problem::bad_request(format!("The request body could not be read: {e}"));
            respond(out, CoreResponse::problem(&p)).await;
            return None;
        }
    };
    match Stores::open() {
        Ok(stores) => Some((request, stores, out)),
        Err(p) => {
            respond(out, CoreResponse::problem(&p)).await;
            None
        }
    }
}

/// Sends a core response through the outparam and finishes its body.
pub async fn respond(out: ResponseOutparam, res: CoreResponse) {
    let mut fields: Vec<(String, Vec<u8>)> = res
        .headers
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect();
    fields.push((
        "content-length".into(),
        res.body.len().to_string().into_bytes(),
    ));
    let Ok(headers) = Fields::from_list(&fields) else {
        let fallback = OutgoingResponse::new(Fields::new());
        let _ = fallback.set_status_code(500);
        out.set(fallback);
        return;
    };
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(res.status);
    let mut body = response.take_body();
    out.set(response);
    // Dropping the sink finishes the body, so the client has it all
    // before any work after the response starts.
    let _ = body.send(res.body).await;
    drop(body);
}

/// Serves one request with a core API handler: opens the migrated database
/// and key-value, builds the context and translates both ways.
pub fn serve_api(req: &Request, handler: Handler) -> Response {
    match Stores::open() {
        Ok(stores) => to_response(call_api(&stores, req, handler)),
        Err(p) => problem_response(&p),
    }
}
