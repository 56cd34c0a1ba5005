//! Small pieces every provider module needs: form decoding, MACs with
//! constant-time comparison, phone numbers, times, JSON field access.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub(crate) fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    // HMAC accepts keys of any length: new_from_slice cannot fail.
    let mut mac = match Hmac::<sha1::Sha1>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 20],
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s.trim()).ok()
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    // Some encoders pad; the JWT spec says they must not, tolerate both.
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()
}

/// Equality that takes the same time wherever the inputs differ (length
/// differences return early; lengths of MACs are public).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes; `plus_is_space` for form bodies. Invalid escapes stay
/// as written (what browsers and most frameworks do).
pub(crate) fn percent_decode(s: &[u8], plus_is_space: bool) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < s.len() => match (hex_val(s[i + 1]), hex_val(s[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `application/x-www-form-urlencoded` pairs in order, decoded.
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = match part.iter().position(|&b| b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
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

pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn form_get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// A phone number as E.164 (`+` then 8 to 15 digits), from what providers
/// send: `+1 415-555-0111`, `(415) 555-0111` with a leading `+1`, `0044…`,
/// or bare digits that already carry a country code (Vonage sends
/// `14155550111`). `None` for anonymous, SIP or client identities.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let (plus, rest) = match s.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
            _ => return None,
        }
    }
    let digits = if !plus {
        digits
            .strip_prefix("00")
            .map(str::to_string)
            .unwrap_or(digits)
    } else {
        digits
    };
    // E.164: at most 15 digits, and no country code starts with 0.
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return None;
    }
    Some(format!("+{digits}"))
}

/// RFC 3339 / ISO 8601 UTC or offset date-time to unix seconds
/// (`2026-03-03T10:05:00.000Z`, `2026-03-03T10:05:00+01:00`).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let o = oh * 3600 + om * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `Retry-After` in seconds. The HTTP-date form is not used by these
/// providers' APIs as far as documented; it reads as unknown.
pub(crate) fn parse_retry_after(v: &str) -> Option<u64> {
    v.trim().parse().ok()
}

/// The start of a body, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let t = text.trim();
    if t.is_empty() {
        return "(empty body)".to_string();
    }
    t.chars().take(200).collect()
}

/// Reads JSON, naming the provider in the error.
pub(crate) fn json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))
}

/// A string field, also accepting numbers (ids are numbers in some formats).
pub(crate) fn str_at(v: &Value, pointer: &str) -> Option<String> {
    match v.pointer(pointer)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A non-negative integer field, also accepting numeric strings and floats.
pub(crate) fn u64_at(v: &Value, pointer: &str) -> Option<u64> {
    match v.pointer(pointer)? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f.round() as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn i64_at(v: &Value, pointer: &str) -> Option<i64> {
    match v.pointer(pointer)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A transcript as one trimmed string; `None` when empty.
pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_plus_and_escapes() {
        assert_eq!(
            parse_form(b"A=1&B=Hi+it%27s+Jo&C=&D&E=%2B1%zz"),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "Hi it's Jo".into()),
                ("C".into(), "".into()),
                ("D".into(), "".into()),
                ("E".into(), "+1%zz".into()),
            ]
        );
        assert_eq!(percent_decode(b"%", false), "%");
        assert_eq!(percent_decode(b"a%4", false), "a%4");
        assert_eq!(percent_decode(b"a+b%20", false), "a+b ");
        assert_eq!(form_encode(&[("k y", "+1/é")]), "k%20y=%2B1%2F%C3%A9");
    }

    #[test]
    fn phones_normalise_to_e164() {
        assert_eq!(
            normalize_phone("+1 415-555-0111").as_deref(),
            Some("+14155550111")
        );
        assert_eq!(
            normalize_phone("+1 (415) 555.0111").as_deref(),
            Some("+14155550111")
        );
        assert_eq!(
            normalize_phone("14155550111").as_deref(),
            Some("+14155550111")
        );
        assert_eq!(
            normalize_phone("0044 20 7946 0958").as_deref(),
            Some("+442079460958")
        );
        for bad in [
            "anonymous",
            "client:alice",
            "sip:a@b",
            "",
            "+123",
            "+0123456789",
            "+1234567890123456",
            "266696687",
        ] {
            if bad == "266696687" {
                // Nine bare digits pass the shape check: E.164 cannot tell.
                assert!(normalize_phone(bad).is_some());
            } else {
                assert_eq!(normalize_phone(bad), None, "{bad}");
            }
        }
    }

    #[test]
    fn times_parse_with_offsets() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-03-03T10:05:00.000Z"),
            Some(1_772_532_300)
        );
        assert_eq!(
            parse_rfc3339("2026-03-03T11:05:00+01:00"),
            Some(1_772_532_300)
        );
        assert_eq!(parse_rfc3339("2000-02-29T12:00:00Z"), Some(951_825_600));
        for bad in [
            "",
            "2026-03-03",
            "2026-13-03T00:00:00Z",
            "2026-03-03T00:00:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn constant_time_eq_checks_length_and_bytes() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }

    #[test]
    fn json_fields_accept_numbers_and_strings() {
        let v: Value = serde_json::json!({"a": 5, "b": "7", "c": 2.6, "d": "", "e": -1});
        assert_eq!(str_at(&v, "/a").as_deref(), Some("5"));
        assert_eq!(str_at(&v, "/d"), None);
        assert_eq!(u64_at(&v, "/b"), Some(7));
        assert_eq!(u64_at(&v, "/c"), Some(3));
        assert_eq!(u64_at(&v, "/e"), None);
        assert_eq!(i64_at(&v, "/e"), Some(-1));
    }
}
