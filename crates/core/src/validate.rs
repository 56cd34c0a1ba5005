//! Request bodies: strict JSON parsing and field rules that say precisely
//! what is wrong with each field.

use crate::problem::{FieldError, Problem};
use serde::de::DeserializeOwned;

/// Bodies larger than this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_EMAIL_CHARS: usize = 254;

/// Parses a JSON object body into `T` (whose fields are all `Option` and
/// which denies unknown fields). Syntax errors are 400; wrong types and
/// unknown fields are 422 naming the field.
/// Tells "absent" (None) from "null" (Some(None)) for a `#[serde(default,
/// deserialize_with = "present")]` field: null clears a field.
pub fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    <Option<String> as serde::Deserialize>::deserialize(d).map(Some)
}

pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Problem::new(
            413,
            format!(
                "The body has {} bytes; the limit is {MAX_BODY_BYTES}.",
                body.len()
            ),
        ));
    }
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let value: serde_json::Value = serde_json::from_slice(text)
        .map_err(|e| Problem::bad_request(format!("The body is not valid JSON: {e}.")))?;
    if !value.is_object() {
        return Err(Problem::bad_request("The body must be a JSON object."));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let field = match inner.strip_prefix("unknown field `") {
            Some(rest) => rest.split('`').next().unwrap_or("").to_string(),
            None if path == "." => "(body)".to_string(),
            None => path,
        };
        Problem::field(&field, inner)
    })
}

/// The first value of `name` in a query string, percent-decoded.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == name).then(|| percent_decode(v))
    })
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn required<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.add(field, "is required");
        }
        value
    }

    pub fn finish(self) -> Result<(), Problem> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Problem::invalid(self.0))
        }
    }

    /// A display name: trimmed, 1..=max characters, no control characters.
    pub fn name(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let value = value?.trim().to_string();
        let chars = value.chars().count();
        if chars == 0 {
            self.add(field, "must not be empty");
        } else if chars > max {
            self.add(
                field,
                format!("is {chars} characters; at most {max} are allowed"),
            );
        } else if value.chars().any(char::is_control) {
            self.add(field, "must not contain control characters");
        } else {
            return Some(value);
        }
        None
    }

    /// An email address, returned trimmed and lowercased.
    pub fn email(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = value?.trim().to_lowercase();
        match check_email(&value) {
            Ok(()) => Some(value),
            Err(why) => {
                self.add(field, why);
                None
            }
        }
    }
}

/// A pragmatic address check: one `@`, a plausible local part and a domain
/// with at least one dot and valid labels.
pub fn check_email(email: &str) -> Result<(), String> {
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(format!("is longer than {MAX_EMAIL_CHARS} characters"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(format!("{email:?} is not an email address (no @)"));
    };
    let bad = |why: &str| Err(format!("{email:?} is not an email address ({why})"));
    if local.is_empty() || local.len() > 64 {
        return bad("the part before @ must have 1 to 64 characters");
    }
    if local
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "@<>()[],;:\"\\".contains(c))
    {
        return bad("the part before @ has a character addresses cannot have");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad("misplaced dot before @");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return bad("the domain needs a dot");
    }
    for label in &labels {
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label.chars().all(|c| c.is_alphanumeric() || c == '-')
        {
            return bad("the domain is not valid");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        name: Option<String>,
        #[allow(dead_code)]
        count: Option<u32>,
    }

    #[test]
    fn body_errors() {
        assert_eq!(parse_body::<Body>(b"{not json").unwrap_err().status, 400);
        assert_eq!(parse_body::<Body>(b"[1]").unwrap_err().status, 400);
        let p = parse_body::<Body>(br#"{"name": 5}"#).unwrap_err();
        assert_eq!((p.status, p.errors[0].field.as_str()), (422, "name"));
        let p = parse_body::<Body>(br#"{"nmae": "x"}"#).unwrap_err();
        assert_eq!((p.status, p.errors[0].field.as_str()), (422, "nmae"));
        assert!(p.detail.contains("unknown field"));
        assert_eq!(parse_body::<Body>(b"").unwrap().name, None);
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(parse_body::<Body>(&big).unwrap_err().status, 413);
    }

    #[test]
    fn query_strings() {
        assert_eq!(
            query_param("email=ana%40example.com&x=1", "email").as_deref(),
            Some("ana@example.com")
        );
        assert_eq!(query_param("q=a+b%20c", "q").as_deref(), Some("a b c"));
        assert_eq!(query_param("q=100%", "q").as_deref(), Some("100%"));
        assert_eq!(query_param("x=1", "email"), None);
    }

    #[test]
    fn emails() {
        for ok in [
            "ada@example.com",
            "a.b+tag@sub.example.co.uk",
            "x@xn--bcher-kva.example",
        ] {
            assert!(check_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@exa_mple.com",
            "ada@-x.com",
            "a..b@x.com",
            "a@b@c.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        let mut e = Errors::default();
        assert_eq!(
            e.email("email", Some(" Ada@Example.COM ".into()))
                .as_deref(),
            Some("ada@example.com")
        );
        assert!(e.finish().is_ok());
    }

    #[test]
    fn names_and_required() {
        let mut e = Errors::default();
        assert_eq!(
            e.name("name", Some("  Ada ".into()), 10).as_deref(),
            Some("Ada")
        );
        assert!(e.name("name", Some("   ".into()), 10).is_none());
        assert!(e.name("long", Some("x".repeat(11)), 10).is_none());
        assert!(e.name("ctl", Some("a\u{7}b".into()), 10).is_none());
        assert!(e.required::<String>("password", None).is_none());
        let p = e.finish().unwrap_err();
        let fields: Vec<&str> = p.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "long", "ctl", "password"]);
    }
}
