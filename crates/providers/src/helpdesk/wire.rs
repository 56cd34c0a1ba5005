//! Small wire helpers shared by the help-desk modules: URL encoding, HTTP
//! Basic credentials, time formats, JSON field access and error bodies.

use base64::Engine as _;
use serde_json::Value;

use crate::http::{HttpRequest, HttpResponse};

/// Percent-encodes everything but RFC 3986 unreserved characters, so a value
/// is safe in a query string or a path segment alike.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `k=v&k=v` with both sides percent-encoded.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn basic(user: &str, password: &str) -> String {
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
    )
}

pub(crate) fn get(url: String, auth: Option<String>, extra: &[(&str, &str)]) -> HttpRequest {
    let mut headers = vec![("accept".to_string(), "application/json".to_string())];
    if let Some(a) = auth {
        headers.push(("authorization".to_string(), a));
    }
    for (k, v) in extra {
        headers.push(((*k).to_string(), (*v).to_string()));
    }
    HttpRequest {
        method: "GET",
        url,
        headers,
        body: Vec::new(),
    }
}

pub(crate) fn post(
    url: String,
    auth: Option<String>,
    content_type: &str,
    body: Vec<u8>,
    extra: &[(&str, &str)],
) -> HttpRequest {
    let mut req = get(url, auth, extra);
    req.method = "POST";
    req.headers
        .push(("content-type".to_string(), content_type.to_string()));
    req.body = body;
    req
}

/// A path segment for a ticket id that came from the provider: ids are
/// numeric or simple tokens, anything else is encoded so it cannot change the
/// path.
pub(crate) fn segment(id: &str) -> String {
    encode(id)
}

// ---- time ----------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm), valid far beyond any date a help desk stores.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day number from [`days_from_civil`].
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn ymd(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn date_time(date: &str, time: &str) -> Option<i64> {
    let mut dp = date.split('-');
    let (y, m, d) = (
        digits(dp.next()?)?,
        digits(dp.next()?)?,
        digits(dp.next()?)?,
    );
    if dp.next().is_some() || date.len() != 10 {
        return None;
    }
    let mut tp = time.split(':');
    let (h, mi, s) = (
        digits(tp.next()?)?,
        digits(tp.next()?)?,
        digits(tp.next()?)?,
    );
    if tp.next().is_some() || time.len() != 8 {
        return None;
    }
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > days_in_month || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Seconds since the epoch of an RFC 3339 time: `YYYY-MM-DDTHH:MM:SS`, an
/// optional fraction, then `Z` or a `±HH:MM` offset.
pub(crate) fn rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 20 || !s.is_char_boundary(10) || !s.is_char_boundary(19) {
        return None;
    }
    let sep = s.as_bytes()[10];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return None;
    }
    let base = date_time(&s[..10], &s[11..19])?;
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" | "z" => Some(base),
        _ => {
            let (sign, off) = match rest.as_bytes().first()? {
                b'+' => (1, &rest[1..]),
                b'-' => (-1, &rest[1..]),
                _ => return None,
            };
            let (h, m) = off.split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m) = (digits(h)?, digits(m)?);
            if h > 23 || m > 59 {
                return None;
            }
            Some(base - sign * (h * 3600 + m * 60))
        }
    }
}

/// HappyFox's `YYYY-MM-DD hh:mm:ss`, which its API documents as UTC.
pub(crate) fn happyfox_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once(' ')?;
    date_time(date, time)
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the HTTP-date form a
/// `Retry-After` may take.
pub(crate) fn http_date(s: &str) -> Option<i64> {
    let mut parts = s.split_whitespace();
    let _weekday = parts.next()?;
    let day = digits(parts.next()?)?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = digits(parts.next()?)?;
    let time = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    date_time(&format!("{year:04}-{month:02}-{day:02}"), time)
}

// ---- JSON ----------------------------------------------------------------

/// The body as JSON, or a `Malformed` error naming what was expected.
pub(crate) fn json(resp: &HttpResponse, what: &str) -> Result<Value, super::ProviderError> {
    serde_json::from_slice(&resp.body)
        .map_err(|e| super::ProviderError::Malformed(format!("{what}: not JSON ({e})")))
}

/// An id that providers send as a number or a string.
pub(crate) fn id(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() && s.len() <= 128 => Some(s.trim().to_string()),
        _ => None,
    }
}

/// A non-empty trimmed string field.
pub(crate) fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub(crate) fn int(v: &Value, key: &str) -> Option<i64> {
    let f = v.get(key)?;
    f.as_i64()
        .or_else(|| f.as_str().and_then(|s| s.trim().parse().ok()))
}

/// A header as an unsigned number.
pub(crate) fn header_u64(resp: &HttpResponse, name: &str) -> Option<u64> {
    resp.header(name).and_then(|v| v.trim().parse().ok())
}

/// The human part of an error body, whatever the provider's shape:
/// `{"error": "..", "description": ".."}`, `{"error": {"title", "message"}}`,
/// `{"errors": [{"code", "message"}]}`, `{"code", "message"}`,
/// `{"error_description"}`, or plain text.
pub(crate) fn error_message(resp: &HttpResponse) -> String {
    let fallback = || {
        let raw = String::from_utf8_lossy(&resp.body);
        let raw = raw.trim();
        if raw.is_empty() {
            format!("HTTP {}", resp.status)
        } else {
            raw.chars().take(300).collect()
        }
    };
    let Ok(v) = serde_json::from_slice::<Value>(&resp.body) else {
        return fallback();
    };
    let mut parts: Vec<String> = Vec::new();
    for key in ["message", "error_description", "description", "title"] {
        if let Some(s) = text(&v, key) {
            parts.push(s);
        }
    }
    match v.get("error") {
        Some(Value::String(s)) if !s.trim().is_empty() => parts.insert(0, s.trim().to_string()),
        Some(e @ Value::Object(_)) => {
            for key in ["title", "message"] {
                if let Some(s) = text(e, key) {
                    parts.push(s);
                }
            }
        }
        _ => {}
    }
    if let Some(errors) = v.get("errors").and_then(Value::as_array) {
        for e in errors.iter().take(5) {
            let msg = text(e, "message");
            let field = text(e, "field").or_else(|| text(e, "code"));
            match (field, msg) {
                (Some(f), Some(m)) => parts.push(format!("{f}: {m}")),
                (None, Some(m)) => parts.push(m),
                (Some(f), None) => parts.push(f),
                _ => {}
            }
        }
    }
    if parts.is_empty() {
        return fallback();
    }
    parts.dedup();
    parts.join("; ").chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(encode("a b\"c<d>'é"), "a%20b%22c%3Cd%3E%27%C3%A9");
        assert_eq!(encode("page[size]"), "page%5Bsize%5D");
        assert_eq!(query(&[("q", "x y"), ("n", "1")]), "q=x%20y&n=1");
    }

    #[test]
    fn basic_credentials() {
        // base64("a:b") is "YTpi".
        assert_eq!(basic("a", "b"), "Basic YTpi");
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for day in [-1000, 0, 59, 60, 11_016, 20_000, 47_482] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(ymd(0), "1970-01-01");
        assert_eq!(ymd(20_454), "2026-01-01");
    }

    #[test]
    fn parses_rfc3339() {
        assert_eq!(rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339("2026-03-01T09:00:00Z"), Some(1_772_355_600));
        assert_eq!(rfc3339("2026-03-01T09:00:00.123Z"), Some(1_772_355_600));
        assert_eq!(rfc3339("2026-03-01T10:30:00+01:30"), Some(1_772_355_600));
        assert_eq!(rfc3339("2026-03-01T04:00:00-05:00"), Some(1_772_355_600));
        for bad in [
            "",
            "2026-03-01",
            "2026-02-30T00:00:00Z",
            "2026-03-01T25:00:00Z",
            "2026-03-01T09:00:00",
            "2026-03-01T09:00:00+0100",
            "yesterday at noon, roughly",
            "2026-03-01T09:00:00.Z",
            "２０２６-03-01T09:00:00Z",
        ] {
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_happyfox_and_http_dates() {
        assert_eq!(happyfox_time("2026-03-01 09:00:00"), Some(1_772_355_600));
        assert_eq!(happyfox_time("2026-03-01T09:00:00"), None);
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(http_date("120"), None);
    }

    #[test]
    fn error_messages_from_each_shape() {
        let r = |body: &str| HttpResponse {
            status: 401,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(
            error_message(&r(r#"{"error":"Couldn't authenticate you"}"#)),
            "Couldn't authenticate you"
        );
        assert_eq!(
            error_message(&r(
                r#"{"type":"error.list","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}"#
            )),
            "unauthorized: Access Token Invalid"
        );
        assert_eq!(
            error_message(&r(
                r#"{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}"#
            )),
            "You have to be logged in to perform this action."
        );
        assert_eq!(
            error_message(&r(
                r#"{"error_description":"Invalid client authentication","error":"invalid_client"}"#
            )),
            "invalid_client; Invalid client authentication"
        );
        assert_eq!(error_message(&r("")), "HTTP 401");
        assert_eq!(error_message(&r("nope")), "nope");
    }
}
