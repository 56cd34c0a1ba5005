//! Sending: one JSON request per provider, and the reading of its answer.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::Address;
use super::charset;
use crate::http::{HttpRequest, HttpResponse};

/// The transactional email APIs Baton can send through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailProvider {
    Brevo,
    Sendgrid,
    Postmark,
    Resend,
}

impl EmailProvider {
    pub const ALL: [EmailProvider; 4] = [
        EmailProvider::Brevo,
        EmailProvider::Sendgrid,
        EmailProvider::Postmark,
        EmailProvider::Resend,
    ];

    /// "brevo" | "sendgrid" | "postmark" | "resend" (ASCII case and
    /// surrounding whitespace ignored).
    pub fn parse(s: &str) -> Option<EmailProvider> {
        let s = s.trim();
        EmailProvider::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EmailProvider::Brevo => "brevo",
            EmailProvider::Sendgrid => "sendgrid",
            EmailProvider::Postmark => "postmark",
            EmailProvider::Resend => "resend",
        }
    }

    /// The provider's name as people write it, for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            EmailProvider::Brevo => "Brevo",
            EmailProvider::Sendgrid => "SendGrid",
            EmailProvider::Postmark => "Postmark",
            EmailProvider::Resend => "Resend",
        }
    }

    /// API origin, no trailing slash.
    pub fn default_base_url(self) -> &'static str {
        match self {
            EmailProvider::Brevo => "https://api.brevo.com",
            EmailProvider::Sendgrid => "https://api.sendgrid.com",
            EmailProvider::Postmark => "https://api.postmarkapp.com",
            EmailProvider::Resend => "https://api.resend.com",
        }
    }
}

impl std::fmt::Display for EmailProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEmail {
    pub from: Address,
    pub to: Vec<Address>,
    /// One address.
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// Full `<id@domain>` form.
    pub message_id: String,
    /// `<...>` form.
    pub in_reply_to: Option<String>,
    /// Each in `<...>` form.
    pub references: Vec<String>,
    /// Stable per outbox row: sent as Brevo's `idempotencyKey` (as a UUID
    /// derived from it) and Resend's `Idempotency-Key` header. SendGrid and
    /// Postmark have no equivalent.
    pub idempotency_key: String,
}

/// Header-safe text: control characters (CR and LF above all, which would
/// let a value start a header of its own) become spaces.
fn header_value(s: &str) -> String {
    let replaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    replaced.trim().to_owned()
}

/// An address without whitespace or control characters.
fn clean_email(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect()
}

fn clean_name(name: &Option<String>) -> Option<String> {
    name.as_deref().map(header_value).filter(|n| !n.is_empty())
}

/// `Name <email>` for the APIs that take mailbox strings, quoting the name
/// when RFC 5322 requires it.
fn mailbox(a: &Address) -> String {
    let email = clean_email(&a.email);
    let Some(name) = clean_name(&a.name) else {
        return email;
    };
    let needs_quotes = name.chars().any(|c| "()<>[]:;@\\,.\"".contains(c));
    if needs_quotes {
        let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\" <{email}>")
    } else {
        format!("{name} <{email}>")
    }
}

fn email_object(a: &Address) -> Value {
    let mut obj = Map::new();
    obj.insert("email".into(), Value::String(clean_email(&a.email)));
    if let Some(name) = clean_name(&a.name) {
        obj.insert("name".into(), Value::String(name));
    }
    Value::Object(obj)
}

/// The threading headers every provider gets: Message-ID, In-Reply-To, References.
fn threading_headers(email: &OutboundEmail) -> Vec<(&'static str, String)> {
    let mut headers = Vec::new();
    let message_id = header_value(&email.message_id);
    if !message_id.is_empty() {
        headers.push(("Message-ID", message_id));
    }
    if let Some(irt) = email
        .in_reply_to
        .as_deref()
        .map(header_value)
        .filter(|v| !v.is_empty())
    {
        headers.push(("In-Reply-To", irt));
    }
    let references: Vec<String> = email
        .references
        .iter()
        .map(|r| header_value(r))
        .filter(|r| !r.is_empty())
        .collect();
    if !references.is_empty() {
        headers.push(("References", references.join(" ")));
    }
    headers
}

fn headers_object(pairs: &[(&'static str, String)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
        .collect()
}

/// A UUID-shaped string derived from `key` (SHA-256, first 16 bytes), with
/// the version 4 and RFC 4122 variant bits set: Brevo requires its
/// idempotencyKey to be a UUID and recommends v4, and a retry of the same
/// outbox row must produce the same one.
pub(crate) fn uuid_from_key(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = charset::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Resend takes keys up to 256 characters; longer or non-printable keys are
/// replaced by their SHA-256 (still stable per outbox row).
fn resend_idempotency_key(key: &str) -> String {
    let printable = key.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if printable && key.len() <= 256 {
        key.to_owned()
    } else {
        charset::hex(&Sha256::digest(key.as_bytes()))
    }
}

/// The HTTP request that sends `email` through `provider`. `base_url` is
/// the API origin (overridable for tests), without a trailing slash.
pub fn build_send(
    provider: EmailProvider,
    base_url: &str,
    api_key: &str,
    email: &OutboundEmail,
) -> HttpRequest {
    let base = base_url.trim().trim_end_matches('/');
    let key = header_value(api_key);
    let subject = header_value(&email.subject);
    let html = email.html.as_deref().filter(|h| !h.is_empty());
    let reply_to = email
        .reply_to
        .as_deref()
        .map(clean_email)
        .filter(|r| !r.is_empty());
    let threading = threading_headers(email);
    let idempotency = header_value(&email.idempotency_key);
    let mut headers: Vec<(String, String)> = vec![
        ("content-type".into(), "application/json".into()),
        ("accept".into(), "application/json".into()),
    ];
    let (path, body) = match provider {
        EmailProvider::Brevo => {
            headers.push(("api-key".into(), key));
            let mut custom = headers_object(&threading);
            if !idempotency.is_empty() {
                custom.insert(
                    "idempotencyKey".into(),
                    Value::String(uuid_from_key(&idempotency)),
                );
            }
            let mut body = json!({
                "sender": email_object(&email.from),
                "to": email.to.iter().map(email_object).collect::<Vec<_>>(),
                "subject": subject,
                "textContent": email.text,
            });
            if let Some(html) = html {
                body["htmlContent"] = Value::String(html.to_owned());
            }
            if let Some(r) = &reply_to {
                body["replyTo"] = json!({ "email": r });
            }
            if !custom.is_empty() {
                body["headers"] = Value::Object(custom);
            }
            ("/v3/smtp/email", body)
        }
        EmailProvider::Sendgrid => {
            headers.push(("authorization".into(), format!("Bearer {key}")));
            // SendGrid rejects empty content values; text/plain must come first.
            let mut content = Vec::new();
            if !email.text.is_empty() || html.is_none() {
                content.push(json!({ "type": "text/plain", "value": email.text }));
            }
            if let Some(html) = html {
                content.push(json!({ "type": "text/html", "value": html }));
            }
            let mut body = json!({
                "personalizations": [{ "to": email.to.iter().map(email_object).collect::<Vec<_>>() }],
                "from": email_object(&email.from),
                "subject": subject,
                "content": content,
            });
            if let Some(r) = &reply_to {
                body["reply_to"] = json!({ "email": r });
            }
            if !threading.is_empty() {
                body["headers"] = Value::Object(headers_object(&threading));
            }
            ("/v3/mail/send", body)
        }
        EmailProvider::Postmark => {
            headers.push(("x-postmark-server-token".into(), key));
            let to: Vec<String> = email.to.iter().map(mailbox).collect();
            let mut body = json!({
                "From": mailbox(&email.from),
                "To": to.join(", "),
                "Subject": subject,
                "TextBody": email.text,
                "MessageStream": "outbound",
            });
            if let Some(html) = html {
                body["HtmlBody"] = Value::String(html.to_owned());
            }
            if let Some(r) = &reply_to {
                body["ReplyTo"] = Value::String(r.clone());
            }
            if !threading.is_empty() {
                body["Headers"] = threading
                    .iter()
                    .map(|(n, v)| json!({ "Name": n, "Value": v }))
                    .collect();
            }
            ("/email", body)
        }
        EmailProvider::Resend => {
            headers.push(("authorization".into(), format!("Bearer {key}")));
            if !idempotency.is_empty() {
                headers.push((
                    "idempotency-key".into(),
                    resend_idempotency_key(&idempotency),
                ));
            }
            let mut body = json!({
                "from": mailbox(&email.from),
                "to": email.to.iter().map(|a| clean_email(&a.email)).collect::<Vec<_>>(),
                "subject": subject,
                "text": email.text,
            });
            if let Some(html) = html {
                body["html"] = Value::String(html.to_owned());
            }
            if let Some(r) = &reply_to {
                body["reply_to"] = Value::String(r.clone());
            }
            if !threading.is_empty() {
                body["headers"] = Value::Object(headers_object(&threading));
            }
            ("/emails", body)
        }
    };
    HttpRequest {
        method: "POST",
        url: format!("{base}{path}"),
        headers,
        // Serializing a Value built above cannot fail.
        body: serde_json::to_vec(&body).unwrap_or_default(),
    }
}

/// What to do after a send attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent {
        provider_message_id: Option<String>,
    },
    /// 429, 5xx (and the transient cases providers document: Postmark's
    /// 422 with ErrorCode 429 or 100, Resend's 409
    /// concurrent_idempotent_requests, 408): try again later.
    Retry {
        after_secs: Option<u64>,
        error: String,
    },
    /// Other 4xx: never retry; `error` is a short sentence including the
    /// provider's message.
    Permanent {
        error: String,
    },
}

/// Longest provider message quoted in an error.
const MAX_ERROR_CHARS: usize = 300;

/// Collapses whitespace and shortens to [`MAX_ERROR_CHARS`].
fn short(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(MAX_ERROR_CHARS) {
        Some((i, _)) => format!("{}…", &collapsed[..i]),
        None => collapsed,
    }
}

/// The provider's own words from an error body.
fn provider_message(provider: EmailProvider, body: &[u8]) -> Option<String> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        // Gateways answer with HTML pages: not worth quoting.
        return (!text.is_empty() && !text.starts_with('<')).then(|| short(text));
    };
    let field = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let message = match provider {
        EmailProvider::Sendgrid => {
            let errors: Vec<String> = value
                .get("errors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    let m = field(e, "message")?;
                    Some(match field(e, "field") {
                        Some(f) => format!("{m} ({f})"),
                        None => m,
                    })
                })
                .collect();
            (!errors.is_empty()).then(|| errors.join("; "))
        }
        EmailProvider::Postmark => {
            field(&value, "Message").map(|m| match value.get("ErrorCode").and_then(Value::as_i64) {
                Some(code) if code != 0 => format!("{m} (ErrorCode {code})"),
                _ => m,
            })
        }
        EmailProvider::Brevo => field(&value, "message").map(|m| match field(&value, "code") {
            Some(code) => format!("{m} ({code})"),
            None => m,
        }),
        EmailProvider::Resend => field(&value, "message").map(|m| match field(&value, "name") {
            Some(name) => format!("{m} ({name})"),
            None => m,
        }),
    };
    message
        .or_else(|| field(&value, "message"))
        .or_else(|| field(&value, "error"))
        .or_else(|| field(&value, "Message"))
        .map(|m| short(&m))
}

/// A non-negative number of seconds ("12", "1.5" rounds up).
fn seconds(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        return Some(n);
    }
    let f = s.parse::<f64>().ok()?;
    (f.is_finite() && (0.0..1e12).contains(&f)).then(|| f.ceil() as u64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix time of an HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"),
/// and the obsolete RFC 850 and asctime forms.
pub(crate) fn parse_http_date(s: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let (mut day, mut month, mut year, mut time) = (None, None, None, None);
    for token in s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|t| !t.is_empty())
    {
        if token.contains(':') {
            let mut parts = token.split(':').map(|p| p.parse::<u32>().ok());
            let (h, m, sec) = (
                parts.next()??,
                parts.next()??,
                parts.next().unwrap_or(Some(0))?,
            );
            if h > 23 || m > 59 || sec > 60 {
                return None;
            }
            time = Some(h * 3600 + m * 60 + sec);
        } else if token.bytes().all(|b| b.is_ascii_alphabetic()) {
            let lower = token.to_ascii_lowercase();
            if let Some(i) = MONTHS.iter().position(|m| lower.starts_with(m)) {
                // Weekday names never start with a month's letters.
                month = Some(i as u32 + 1);
            }
        } else if token.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = token.parse().ok()?;
            if token.len() == 4 {
                year = Some(n);
            } else if day.is_none() && token.len() <= 2 {
                day = Some(n as u32);
            } else if token.len() == 2 {
                // RFC 850 two-digit years.
                year = Some(if n < 70 { 2000 + n } else { 1900 + n });
            } else {
                return None;
            }
        }
    }
    let (day, month, year, time) = (day?, month?, year?, time?);
    if !(1..=31).contains(&day) || !(1970..=9999).contains(&year) {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + i64::from(time))
}

/// Retry-After as delta seconds or an HTTP-date.
fn retry_after(response: &HttpResponse, now_unix: i64) -> Option<u64> {
    let value = response.header("retry-after")?.trim();
    if let Some(n) = seconds(value) {
        return Some(n);
    }
    let at = parse_http_date(value)?;
    Some(u64::try_from(at.saturating_sub(now_unix)).unwrap_or(0))
}

/// The provider's documented rate-limit reset header, in seconds from now.
fn rate_limit_reset(
    provider: EmailProvider,
    response: &HttpResponse,
    now_unix: i64,
) -> Option<u64> {
    match provider {
        // Seconds until the window resets.
        EmailProvider::Brevo => seconds(response.header("x-sib-ratelimit-reset")?),
        EmailProvider::Resend => seconds(response.header("ratelimit-reset")?),
        // A Unix timestamp.
        EmailProvider::Sendgrid => {
            let at = seconds(response.header("x-ratelimit-reset")?)?;
            let at = i64::try_from(at).ok()?;
            Some(u64::try_from(at.saturating_sub(now_unix)).unwrap_or(0))
        }
        EmailProvider::Postmark => None,
    }
}

/// Reads the answer to a request made by [`build_send`]. Retry delays come
/// from Retry-After (delta seconds or HTTP-date, hence `now_unix`), else the
/// provider's rate-limit reset header.
pub fn classify_send(
    provider: EmailProvider,
    response: &HttpResponse,
    now_unix: i64,
) -> SendOutcome {
    let status = response.status;
    let name = provider.display_name();
    if (200..300).contains(&status) {
        let body: Option<Value> = serde_json::from_slice(&response.body).ok();
        let from_body = |key: &str| {
            body.as_ref()
                .and_then(|b| b.get(key))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let provider_message_id = match provider {
            EmailProvider::Brevo => from_body("messageId").or_else(|| {
                // Batch sends answer with "messageIds".
                body.as_ref()?
                    .get("messageIds")?
                    .as_array()?
                    .first()?
                    .as_str()
                    .map(str::to_owned)
            }),
            EmailProvider::Sendgrid => response
                .header("x-message-id")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            EmailProvider::Postmark => from_body("MessageID"),
            EmailProvider::Resend => from_body("id"),
        };
        return SendOutcome::Sent {
            provider_message_id,
        };
    }

    let message = provider_message(provider, &response.body);
    let with_message = |prefix: String| match &message {
        Some(m) => format!("{prefix}: {m}"),
        None => format!("{prefix}."),
    };
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let postmark_code = body
        .as_ref()
        .and_then(|b| b.get("ErrorCode"))
        .and_then(Value::as_i64);
    let resend_name = body
        .as_ref()
        .and_then(|b| b.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");

    let rate_limited =
        status == 429 || (provider == EmailProvider::Postmark && postmark_code == Some(429));
    let transient = status >= 500
        || status == 408
        || (provider == EmailProvider::Postmark && postmark_code == Some(100))
        || (provider == EmailProvider::Resend
            && status == 409
            && resend_name == "concurrent_idempotent_requests");
    if rate_limited || transient {
        let after_secs = retry_after(response, now_unix)
            .or_else(|| rate_limit_reset(provider, response, now_unix));
        let error = if rate_limited {
            with_message(format!("{name} is rate limiting sends (HTTP {status})"))
        } else {
            with_message(format!("{name} failed temporarily (HTTP {status})"))
        };
        return SendOutcome::Retry { after_secs, error };
    }
    let error = match status {
        401 | 403 => with_message(format!("{name} refused the API key (HTTP {status})")),
        400..=499 => with_message(format!("{name} rejected the email (HTTP {status})")),
        _ => with_message(format!(
            "{name} answered with unexpected HTTP status {status}"
        )),
    };
    SendOutcome::Permanent { error }
}
