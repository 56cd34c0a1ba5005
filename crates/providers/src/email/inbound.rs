//! Inbound webhooks: Postmark (JSON), SendGrid Inbound Parse and Mailgun
//! routes (form posts, parsed or raw MIME), and Mailgun's signature check.

use std::collections::HashSet;

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::form::{Field, Fields, parse_form};
use super::mime::{
    Headers, clean_line, decode_words, finish, header_fields, parse_addresses, parse_message,
    push_unique, require_from, sha256_key,
};
use super::{Address, Attachment, InboundEmail, ParseError, charset};

/// Attachments read from SendGrid's attachment-info beyond the files sent.
const MAX_LISTED_ATTACHMENTS: usize = 1024;
/// Largest clock difference accepted for a Mailgun signature timestamp.
pub const MAILGUN_MAX_SKEW_SECS: i64 = 15 * 60;

fn str_of<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or("")
}

fn bare(addresses: Vec<Address>) -> Vec<String> {
    addresses.into_iter().map(|a| a.email).collect()
}

/// Hash over content fields, for form posts without a Message-ID: the raw
/// body is no use there, the signature fields in it change on every retry.
fn content_key(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        // Length-prefixed so field boundaries cannot shift.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    format!("sha256:{}", charset::hex(&hasher.finalize()))
}

/// Postmark's `[{"Name":..,"Value":..}]` header list.
fn postmark_headers(value: Option<&Value>) -> Headers {
    let mut headers = Headers::default();
    for item in value.and_then(Value::as_array).into_iter().flatten() {
        if let Some(obj) = item.as_object() {
            let name = str_of(obj, "Name");
            if !name.is_empty() {
                headers.push(name, str_of(obj, "Value").trim());
            }
        }
    }
    headers
}

/// Addresses from Postmark's `*Full` arrays (`[{"Email","Name"}]`), else
/// from the plain header string.
fn postmark_addresses(obj: &Map<String, Value>, full: &str, plain: &str) -> Vec<String> {
    let from_full: Vec<String> = obj
        .get(full)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("Email").and_then(Value::as_str))
        .flat_map(|e| bare(parse_addresses(e)))
        .collect();
    if from_full.is_empty() {
        bare(parse_addresses(str_of(obj, plain)))
    } else {
        from_full
    }
}

/// Postmark inbound webhook (JSON). Threading ids come from `Headers`; the
/// dedupe key falls back to Postmark's own `MessageID`.
pub fn parse_postmark(body: &[u8]) -> Result<InboundEmail, ParseError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ParseError::new(format!("the Postmark payload is not valid JSON: {e}")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| ParseError::new("the Postmark payload is not a JSON object"))?;
    let headers = postmark_headers(obj.get("Headers"));
    let mut email = header_fields(&headers);

    let full = obj.get("FromFull").and_then(Value::as_object);
    let full_email = full.map(|f| str_of(f, "Email")).unwrap_or("");
    if let Some(mut from) = parse_addresses(full_email).into_iter().next() {
        let name = full
            .map(|f| clean_line(str_of(f, "Name")))
            .unwrap_or_default();
        from.name = if name.is_empty() { None } else { Some(name) };
        email.from = from;
    } else if let Some(from) = parse_addresses(str_of(obj, "From")).into_iter().next() {
        email.from = from;
    }
    let to = postmark_addresses(obj, "ToFull", "To");
    if !to.is_empty() {
        email.to = to;
    }
    let cc = postmark_addresses(obj, "CcFull", "Cc");
    if !cc.is_empty() {
        email.cc = cc;
    }
    let mut delivered = bare(parse_addresses(str_of(obj, "OriginalRecipient")));
    push_unique(&mut delivered, std::mem::take(&mut email.delivered_to));
    email.delivered_to = delivered;
    let subject = str_of(obj, "Subject");
    if !subject.is_empty() || email.subject.is_empty() {
        email.subject = clean_line(subject);
    }
    email.text = str_of(obj, "TextBody").to_owned();
    email.html = Some(str_of(obj, "HtmlBody").to_owned());
    email.attachments = obj
        .get("Attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|a| {
            // Postmark's test payloads carry "Data" instead of "Content".
            let content = a
                .get("Content")
                .or_else(|| a.get("Data"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let size = a
                .get("ContentLength")
                .and_then(Value::as_u64)
                .unwrap_or_else(|| charset::base64_decoded_len(content.as_bytes()));
            Attachment {
                filename: non_empty(clean_line(str_of(a, "Name")), "attachment"),
                content_type: media_type(str_of(a, "ContentType")),
                size,
            }
        })
        .collect();
    let postmark_id = clean_line(str_of(obj, "MessageID"));
    email.dedupe_key = match (&email.message_id, postmark_id.is_empty()) {
        (Some(id), _) => id.clone(),
        (None, false) => format!("postmark:{postmark_id}"),
        (None, true) => sha256_key(body),
    };
    require_from(finish(email))
}

fn non_empty(s: String, default: &str) -> String {
    if s.is_empty() { default.to_owned() } else { s }
}

/// "type/subtype" lowercase, parameters dropped; octet-stream when unknown.
fn media_type(s: &str) -> String {
    let t = s
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if t.contains('/') {
        t
    } else {
        "application/octet-stream".to_owned()
    }
}

/// Field names like "attachment1" / "attachment-1": their number.
fn attachment_index(name: &str, prefix: &str) -> Option<u32> {
    let digits = name.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Uploaded files named `<prefix>N`, in number order.
fn file_attachments(fields: &[Field<'_>], prefix: &str) -> Vec<(u32, Attachment)> {
    let mut files: Vec<(u32, Attachment)> = fields
        .iter()
        .filter_map(|f| {
            let index = attachment_index(&f.name, prefix)?;
            f.filename.as_ref()?;
            Some((
                index,
                Attachment {
                    filename: non_empty(
                        clean_line(f.filename.as_deref().unwrap_or("")),
                        "attachment",
                    ),
                    content_type: media_type(f.content_type.as_deref().unwrap_or("")),
                    size: f.data.len() as u64,
                },
            ))
        })
        .collect();
    files.sort_by_key(|(i, _)| *i);
    files
}

/// A JSON object field of a form, if present and valid.
fn json_field(fields: &[Field<'_>], name: &str) -> Option<Value> {
    serde_json::from_slice(fields.value(name)?).ok()
}

/// Strings of a JSON value that is a string or an array of strings.
fn json_strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// SendGrid Inbound Parse: multipart/form-data, in parsed mode (fields
/// `headers`, `text`, `html`, `from`, `to`, `cc`, `subject`, `envelope`,
/// `charsets`, `attachment-info`, files `attachmentN`) or raw mode (an
/// `email` field holding the MIME message). `text`, `html` and the address
/// and subject fields are decoded with the charset `charsets` names.
pub fn parse_sendgrid(content_type: &str, body: &[u8]) -> Result<InboundEmail, ParseError> {
    let fields = parse_form(content_type, body)?;
    let envelope = json_field(&fields, "envelope");
    let envelope_to = json_strings(envelope.as_ref().and_then(|e| e.get("to")));
    let envelope_from = json_strings(envelope.as_ref().and_then(|e| e.get("from")));

    let mut email = match fields.value("email") {
        Some(raw) => parse_message(raw)?,
        None => sendgrid_parsed(&fields)?,
    };
    let mut delivered = Vec::new();
    push_unique(
        &mut delivered,
        envelope_to.iter().flat_map(|t| bare(parse_addresses(t))),
    );
    push_unique(&mut delivered, std::mem::take(&mut email.delivered_to));
    email.delivered_to = delivered;
    if email.from.email.is_empty()
        && let Some(from) = envelope_from
            .iter()
            .find_map(|f| parse_addresses(f).into_iter().next())
    {
        email.from = from;
    }
    require_from(finish(email))
}

fn sendgrid_parsed(fields: &[Field<'_>]) -> Result<InboundEmail, ParseError> {
    let charsets = json_field(fields, "charsets");
    let decoded = |name: &str| -> Option<String> {
        let raw = fields.value(name)?;
        let cs = charsets
            .as_ref()
            .and_then(|c| c.get(name))
            .and_then(Value::as_str)
            .unwrap_or("utf-8");
        Some(charset::decode(raw, cs))
    };
    let raw_headers = fields.value("headers").unwrap_or(b"");
    let (headers, _) = super::mime::parse_headers(raw_headers, false);
    let mut email = header_fields(&headers);

    if let Some(from) = decoded("from").and_then(|f| parse_addresses(&f).into_iter().next()) {
        email.from = from;
    }
    if let Some(to) = decoded("to")
        .map(|t| bare(parse_addresses(&t)))
        .filter(|t| !t.is_empty())
    {
        email.to = to;
    }
    if let Some(cc) = decoded("cc")
        .map(|c| bare(parse_addresses(&c)))
        .filter(|c| !c.is_empty())
    {
        email.cc = cc;
    }
    if let Some(subject) = decoded("subject") {
        email.subject = clean_line(&decode_words(&subject));
    }
    let text = decoded("text").unwrap_or_default();
    let html = decoded("html");
    let has_body = !text.is_empty() || html.as_ref().is_some_and(|h| !h.is_empty());
    if headers.is_empty() && email.from.email.is_empty() && !has_body {
        return Err(ParseError::new(
            "the SendGrid post has neither an email field nor message fields",
        ));
    }

    // Files in number order, then anything attachment-info lists without a file.
    let info = json_field(fields, "attachment-info");
    let info = info.as_ref().and_then(Value::as_object);
    let mut attachments: Vec<(u32, Attachment)> = file_attachments(fields, "attachment")
        .into_iter()
        .map(|(i, mut a)| {
            if let Some(meta) = info
                .and_then(|m| m.get(&format!("attachment{i}")))
                .and_then(Value::as_object)
            {
                let name = clean_line(str_of(meta, "filename"));
                let name = if name.is_empty() {
                    clean_line(str_of(meta, "name"))
                } else {
                    name
                };
                if !name.is_empty() {
                    a.filename = name;
                }
                let t = str_of(meta, "type");
                if !t.is_empty() {
                    a.content_type = media_type(t);
                }
            }
            (i, a)
        })
        .collect();
    let mut listed: HashSet<u32> = attachments.iter().map(|(i, _)| *i).collect();
    for (key, meta) in info.into_iter().flatten().take(MAX_LISTED_ATTACHMENTS) {
        let Some(i) = attachment_index(key, "attachment") else {
            continue;
        };
        if !listed.insert(i) {
            continue;
        }
        let meta = meta.as_object();
        let name = meta
            .map(|m| clean_line(str_of(m, "filename")))
            .unwrap_or_default();
        attachments.push((
            i,
            Attachment {
                filename: non_empty(name, "attachment"),
                content_type: media_type(meta.map(|m| str_of(m, "type")).unwrap_or("")),
                size: 0,
            },
        ));
    }
    attachments.sort_by_key(|(i, _)| *i);
    email.attachments = attachments.into_iter().map(|(_, a)| a).collect();

    email.dedupe_key = match &email.message_id {
        Some(id) => id.clone(),
        None => content_key(&[
            raw_headers,
            fields.value("text").unwrap_or(b""),
            fields.value("html").unwrap_or(b""),
            fields.value("from").unwrap_or(b""),
            fields.value("to").unwrap_or(b""),
            fields.value("subject").unwrap_or(b""),
        ]),
    };
    email.text = text;
    email.html = html;
    Ok(email)
}

/// Mailgun's signature fields, to check with [`verify_mailgun`] before
/// trusting anything else in the post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailgunSignature {
    pub timestamp: String,
    pub token: String,
    pub signature: String,
}

/// Mailgun's `message-headers`: a JSON list of `[name, value]` pairs.
fn mailgun_headers(fields: &[Field<'_>]) -> Headers {
    let mut headers = Headers::default();
    if let Some(Value::Array(items)) = json_field(fields, "message-headers") {
        for item in items {
            if let Some([Value::String(name), Value::String(value)]) =
                item.as_array().map(Vec::as_slice)
            {
                headers.push(name.clone(), value.trim());
            }
        }
    }
    if headers.is_empty() {
        // Without the list, some posts carry the headers as fields of their own.
        for name in [
            "Message-Id",
            "In-Reply-To",
            "References",
            "To",
            "Cc",
            "Auto-Submitted",
            "Precedence",
        ] {
            if let Some(value) = fields.text(name) {
                headers.push(name, value.trim());
            }
        }
    }
    headers
}

/// Mailgun route `forward()`: application/x-www-form-urlencoded or
/// multipart/form-data (files `attachment-N`), parsed fields or raw MIME in
/// `body-mime`. Mailgun sends parsed fields as UTF-8. The signature fields
/// come back separately: verify them before trusting the message.
pub fn parse_mailgun(
    content_type: &str,
    body: &[u8],
) -> Result<(InboundEmail, MailgunSignature), ParseError> {
    let fields = parse_form(content_type, body)?;
    let signature = MailgunSignature {
        timestamp: fields
            .text("timestamp")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        token: fields.text("token").unwrap_or_default().trim().to_owned(),
        signature: fields
            .text("signature")
            .unwrap_or_default()
            .trim()
            .to_owned(),
    };
    if signature.timestamp.is_empty()
        || signature.token.is_empty()
        || signature.signature.is_empty()
    {
        return Err(ParseError::new(
            "the Mailgun post lacks its timestamp, token or signature field",
        ));
    }
    let mut email = match fields.value("body-mime") {
        Some(raw) => parse_message(raw)?,
        None => {
            let headers = mailgun_headers(&fields);
            let mut email = header_fields(&headers);
            if let Some(from) = fields
                .text("from")
                .and_then(|f| parse_addresses(&f).into_iter().next())
            {
                email.from = from;
            }
            if let Some(subject) = fields.text("subject") {
                email.subject = clean_line(&subject);
            }
            email.text = fields.text("body-plain").unwrap_or_default();
            email.html = fields.text("body-html");
            email.attachments = file_attachments(&fields, "attachment-")
                .into_iter()
                .map(|(_, a)| a)
                .collect();
            if email.attachments.is_empty() {
                email.attachments = stored_attachments(&fields);
            }
            email.dedupe_key = match &email.message_id {
                Some(id) => id.clone(),
                None => content_key(&[
                    fields.value("message-headers").unwrap_or(b""),
                    fields.value("from").unwrap_or(b""),
                    fields.value("recipient").unwrap_or(b""),
                    fields.value("subject").unwrap_or(b""),
                    fields.value("body-plain").unwrap_or(b""),
                    fields.value("body-html").unwrap_or(b""),
                ]),
            };
            email
        }
    };
    let mut delivered = Vec::new();
    if let Some(recipient) = fields.text("recipient") {
        push_unique(&mut delivered, bare(parse_addresses(&recipient)));
    }
    push_unique(&mut delivered, std::mem::take(&mut email.delivered_to));
    email.delivered_to = delivered;
    if email.from.email.is_empty()
        && let Some(sender) = fields
            .text("sender")
            .and_then(|s| parse_addresses(&s).into_iter().next())
    {
        email.from = sender;
    }
    Ok((require_from(finish(email))?, signature))
}

/// Mailgun store() notifications list attachments as JSON
/// (`[{"name","content-type","size","url"}]`) instead of sending files.
fn stored_attachments(fields: &[Field<'_>]) -> Vec<Attachment> {
    let Some(Value::Array(items)) = json_field(fields, "attachments") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_object)
        .map(|a| Attachment {
            filename: non_empty(clean_line(str_of(a, "name")), "attachment"),
            content_type: media_type(str_of(a, "content-type")),
            size: a.get("size").and_then(Value::as_u64).unwrap_or(0),
        })
        .collect()
}

/// Checks a Mailgun webhook signature: hex(HMAC-SHA256(signing_key,
/// timestamp || token)), compared in constant time, with the timestamp at
/// most 15 minutes away from `now_unix`.
pub fn verify_mailgun(signing_key: &str, sig: &MailgunSignature, now_unix: i64) -> bool {
    if signing_key.is_empty() {
        return false;
    }
    let Ok(timestamp) = sig.timestamp.trim().parse::<i64>() else {
        return false;
    };
    if now_unix
        .checked_sub(timestamp)
        .is_none_or(|d| d.unsigned_abs() > MAILGUN_MAX_SKEW_SECS.unsigned_abs())
    {
        return false;
    }
    let Some(expected) = charset::unhex(sig.signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(signing_key.as_bytes()) else {
        return false;
    };
    mac.update(sig.timestamp.trim().as_bytes());
    mac.update(sig.token.as_bytes());
    mac.verify_slice(&expected).is_ok()
}
