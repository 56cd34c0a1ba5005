//! HTML form bodies as webhooks post them: multipart/form-data (RFC 7578)
//! and application/x-www-form-urlencoded.

use std::borrow::Cow;

use super::ParseError;
use super::charset;
use super::mime::{parse_headers, parse_params, split_multipart, transfer_decode};

/// Most fields read from one form; real inbound posts have a few dozen.
const MAX_FIELDS: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    pub(crate) name: String,
    /// Set for file uploads.
    pub(crate) filename: Option<String>,
    /// The part's Content-Type value, lowercase, without parameters.
    pub(crate) content_type: Option<String>,
    pub(crate) data: Cow<'a, [u8]>,
}

/// The fields of a form body, in order.
pub(crate) fn parse_form<'a>(
    content_type: &str,
    body: &'a [u8],
) -> Result<Vec<Field<'a>>, ParseError> {
    let ct = parse_params(content_type);
    match ct.value.as_str() {
        "multipart/form-data" => {
            let boundary = ct
                .param("boundary")
                .filter(|b| !b.is_empty())
                .ok_or_else(|| ParseError::new("the multipart/form-data body has no boundary"))?;
            parse_multipart(boundary, body)
        }
        "application/x-www-form-urlencoded" => Ok(parse_urlencoded(body)),
        other => Err(ParseError::new(format!(
            "expected a form body (multipart/form-data or application/x-www-form-urlencoded), got {:?}",
            if other.is_empty() {
                content_type
            } else {
                other
            }
        ))),
    }
}

fn parse_multipart<'a>(boundary: &str, body: &'a [u8]) -> Result<Vec<Field<'a>>, ParseError> {
    let mut budget = MAX_FIELDS;
    let parts = split_multipart(body, boundary, &mut budget)
        .map_err(|_| ParseError::new("the form has too many fields"))?;
    if parts.is_empty() {
        return Err(ParseError::new("the multipart/form-data body has no parts"));
    }
    let mut fields = Vec::with_capacity(parts.len());
    for part in parts {
        let (headers, offset) = parse_headers(part, false);
        let Some(disposition) = headers.get("content-disposition").map(parse_params) else {
            continue;
        };
        let Some(name) = disposition.param("name") else {
            continue;
        };
        let content_type = headers
            .get("content-type")
            .map(|v| parse_params(v).value)
            .filter(|v| !v.is_empty());
        let data = transfer_decode(
            &part[offset.min(part.len())..],
            headers.get("content-transfer-encoding"),
        );
        fields.push(Field {
            name: name.to_owned(),
            filename: disposition.param("filename").map(str::to_owned),
            content_type,
            data,
        });
    }
    Ok(fields)
}

fn parse_urlencoded(body: &[u8]) -> Vec<Field<'_>> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .take(MAX_FIELDS)
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (&pair[..eq], &pair[eq + 1..]),
                None => (pair, &b""[..]),
            };
            Field {
                name: String::from_utf8_lossy(&charset::percent_decode(name, true)).into_owned(),
                filename: None,
                content_type: None,
                data: Cow::Owned(charset::percent_decode(value, true)),
            }
        })
        .collect()
}

/// Lookups over parsed fields.
pub(crate) trait Fields<'a> {
    /// The first non-file field called `name`.
    fn value(&self, name: &str) -> Option<&[u8]>;
    /// The first non-file field called `name`, as UTF-8 (lossy).
    fn text(&self, name: &str) -> Option<String> {
        self.value(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }
}

impl<'a> Fields<'a> for [Field<'a>] {
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|f| f.name == name && f.filename.is_none())
            .map(|f| f.data.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_fields() {
        let fields = parse_form(
            "application/x-www-form-urlencoded",
            b"a=1+2&b=%C3%A9&c&&d=x%3Dy",
        )
        .unwrap();
        assert_eq!(fields.text("a").as_deref(), Some("1 2"));
        assert_eq!(fields.text("b").as_deref(), Some("é"));
        assert_eq!(fields.text("c").as_deref(), Some(""));
        assert_eq!(fields.text("d").as_deref(), Some("x=y"));
        assert_eq!(fields.text("e"), None);
    }

    #[test]
    fn multipart_fields_and_files() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nline1\r\nline2\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"r\xc3\xa9sum\xc3\xa9.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--XX--\r\n";
        let fields = parse_form("multipart/form-data; boundary=XX", body).unwrap();
        assert_eq!(fields.len(), 2);
        assert_eq!(fields.text("a").as_deref(), Some("line1\r\nline2"));
        assert_eq!(fields[1].filename.as_deref(), Some("résumé.pdf"));
        assert_eq!(fields[1].content_type.as_deref(), Some("application/pdf"));
        assert_eq!(fields[1].data.as_ref(), b"%PDF");
        // Files are not values.
        assert_eq!(fields.value("f"), None);
    }

    #[test]
    fn bad_forms() {
        assert!(parse_form("multipart/form-data", b"").is_err());
        assert!(parse_form("multipart/form-data; boundary=XX", b"no parts here").is_err());
        assert!(parse_form("application/json", b"{}").is_err());
        assert!(parse_form("", b"a=1").is_err());
    }
}
