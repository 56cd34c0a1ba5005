//! RFC 5322 messages and MIME bodies: header fields (folding, RFC 2047
//! encoded words, RFC 2231 parameters), address lists, message ids, and the
//! part tree (multiparts, transfer encodings, charsets).

use std::borrow::Cow;
use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::charset;
use super::html::html_to_text;
use super::{Address, Attachment, InboundEmail, ParseError};

/// Deepest multipart nesting accepted; real mail rarely exceeds 5.
pub const MAX_MIME_DEPTH: usize = 16;
/// Most MIME parts (multiparts included) accepted in one message.
pub const MAX_MIME_PARTS: usize = 512;
/// Message ids kept from one References header; long threads keep the newest.
const MAX_REFERENCES: usize = 100;
/// Parameters read from one structured header value.
const MAX_PARAMS: usize = 64;
/// Longest charset name in an encoded word.
const MAX_CHARSET: usize = 64;
/// Longest RFC 2047 encoded word considered (the RFC says 75 bytes).
const MAX_ENCODED_WORD: usize = 1024;

/// Header fields in order: names as written, values unfolded and trimmed but
/// not RFC 2047 decoded (structured fields must be split first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Headers(pub(crate) Vec<(String, String)>);

impl Headers {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The line starting at `pos`: its content without the line end, and the
/// offset just past the line end.
fn line_at(data: &[u8], pos: usize) -> (&[u8], usize) {
    let rest = &data[pos..];
    match rest.iter().position(|&b| b == b'\n') {
        Some(nl) => {
            let line = &rest[..nl];
            (line.strip_suffix(b"\r").unwrap_or(line), pos + nl + 1)
        }
        None => (rest, data.len()),
    }
}

fn is_header_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b) && b != b':')
}

/// Parses the header section at the start of `data` and returns it with the
/// offset of the body. The section ends at the first empty line, or at the
/// first line that is neither a field nor a continuation (broken mail that
/// lacks the empty line). `message` skips a leading mbox "From " line.
pub(crate) fn parse_headers(data: &[u8], message: bool) -> (Headers, usize) {
    let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
    let mut pos = 0;
    if message && data.starts_with(b"From ") {
        pos = line_at(data, 0).1;
    }
    while pos < data.len() {
        let (line, next) = line_at(data, pos);
        if line.is_empty() {
            pos = next;
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            // Unfolding removes the line break and keeps the whitespace.
            if let Some((_, value)) = fields.last_mut() {
                value.extend_from_slice(line);
            }
            pos = next;
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            break;
        };
        let name = trim_ascii_end(&line[..colon]);
        if !is_header_name(name) {
            break;
        }
        fields.push((
            String::from_utf8_lossy(name).into_owned(),
            line[colon + 1..].to_vec(),
        ));
        pos = next;
    }
    let headers = fields
        .into_iter()
        .map(|(name, value)| (name, charset::decode_guess(&value).trim().to_owned()))
        .collect();
    (Headers(headers), pos)
}

fn trim_ascii_end(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &b[..end]
}

/// Offset of `needle` in the first `limit` bytes of `haystack`.
fn find_within(haystack: &[u8], needle: &[u8], limit: usize) -> Option<usize> {
    let window = &haystack[..haystack.len().min(limit + needle.len())];
    window.windows(needle.len()).position(|w| w == needle)
}

/// One RFC 2047 encoded word at the start of `s`: its charset, decoded
/// bytes and length in `s`.
fn encoded_word(s: &str) -> Option<(String, Vec<u8>, usize)> {
    let rest = s.strip_prefix("=?")?;
    // Searches are bounded so that text full of "=?" stays linear.
    let q1 = find_within(rest.as_bytes(), b"?", MAX_CHARSET + 1)?;
    let charset = &rest[..q1];
    if charset.is_empty() || charset.contains(|c: char| c.is_whitespace()) {
        return None;
    }
    let after = &rest[q1 + 1..];
    let ab = after.as_bytes();
    if ab.len() < 2 || ab[1] != b'?' || !matches!(ab[0], b'B' | b'b' | b'Q' | b'q') {
        return None;
    }
    let encoding = ab[0];
    let text_start = &after[2..];
    let end = find_within(text_start.as_bytes(), b"?=", MAX_ENCODED_WORD)?;
    if text_start[..end].contains(['\r', '\n']) {
        return None;
    }
    let text = &text_start.as_bytes()[..end];
    let bytes = if encoding.eq_ignore_ascii_case(&b'b') {
        charset::base64_decode(text)
    } else {
        charset::q_word_decode(text)
    };
    // RFC 2231 lets the charset carry a language: "utf-8*en".
    let charset = charset.split('*').next().unwrap_or(charset).to_owned();
    let consumed = 2 + q1 + 1 + 2 + end + 2;
    Some((charset, bytes, consumed))
}

/// Decodes RFC 2047 encoded words in unstructured text. Whitespace between
/// adjacent encoded words is dropped, and adjacent words in the same charset
/// are joined before decoding so multi-byte characters split across words
/// survive.
pub(crate) fn decode_words(s: &str) -> String {
    if !s.contains("=?") {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut pending: Option<(String, Vec<u8>)> = None;
    let mut gap = String::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with("=?")
            && let Some((cs, bytes, len)) = encoded_word(rest)
        {
            match pending.as_mut() {
                Some((pcs, pbytes)) if pcs.eq_ignore_ascii_case(&cs) => {
                    pbytes.extend_from_slice(&bytes);
                }
                _ => {
                    if let Some((pcs, pbytes)) = pending.take() {
                        out.push_str(&charset::decode(&pbytes, &pcs));
                    }
                    pending = Some((cs, bytes));
                }
            }
            gap.clear();
            i += len;
            continue;
        }
        let Some(ch) = rest.chars().next() else { break };
        i += ch.len_utf8();
        if pending.is_some() && ch.is_whitespace() {
            gap.push(ch);
            continue;
        }
        if let Some((pcs, pbytes)) = pending.take() {
            out.push_str(&charset::decode(&pbytes, &pcs));
            out.push_str(&gap);
            gap.clear();
        }
        out.push(ch);
    }
    if let Some((pcs, pbytes)) = pending.take() {
        out.push_str(&charset::decode(&pbytes, &pcs));
    }
    out.push_str(&gap);
    out
}

/// A structured header value such as Content-Type: the lowercase main value
/// and its parameters (names lowercase, RFC 2231 assembled and decoded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParamValue {
    pub(crate) value: String,
    pub(crate) params: Vec<(String, String)>,
}

impl ParamValue {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits `s` at `sep` outside double quotes.
fn split_unquoted(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, ch) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if quoted && ch == '\\' {
            escaped = true;
        } else if ch == '"' {
            quoted = !quoted;
        } else if ch == sep && !quoted {
            out.push(&s[start..i]);
            start = i + 1;
        }
    }
    out.push(&s[start..]);
    out
}

/// Removes surrounding double quotes and backslash escapes.
fn unquote(s: &str) -> String {
    let s = s.trim();
    let Some(inner) = s.strip_prefix('"') else {
        return s.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '"' => break,
            _ => out.push(ch),
        }
    }
    out
}

pub(crate) fn parse_params(s: &str) -> ParamValue {
    // Real headers carry a handful of parameters; the cap keeps the
    // assembly below (quadratic in the count) cheap on hostile input.
    let mut pieces = split_unquoted(s, ';').into_iter().take(MAX_PARAMS + 1);
    let value = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
    // (base name, section, extended, raw value)
    let mut raw: Vec<(String, Option<u32>, bool, String)> = Vec::new();
    for piece in pieces {
        let Some((name, val)) = piece.split_once('=') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let (name, extended) = match name.strip_suffix('*') {
            Some(n) => (n.to_owned(), true),
            None => (name, false),
        };
        let (base, section) = match name.rsplit_once('*') {
            Some((b, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => {
                (b.to_owned(), n.parse::<u32>().ok())
            }
            _ => (name, None),
        };
        let val = if extended {
            val.trim().trim_matches('"').to_owned()
        } else {
            unquote(val)
        };
        raw.push((base, section, extended, val));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for i in 0..raw.len() {
        let base = &raw[i].0;
        if params.iter().any(|(n, _)| n == base) {
            continue;
        }
        let mut sections: Vec<&(String, Option<u32>, bool, String)> =
            raw.iter().filter(|r| &r.0 == base).collect();
        // A plain value wins over RFC 2231 pieces only when no pieces exist.
        let has_extended = sections.iter().any(|r| r.1.is_some() || r.2);
        if has_extended {
            sections.retain(|r| r.1.is_some() || r.2);
        }
        sections.sort_by_key(|r| r.1.unwrap_or(0));
        let mut bytes = Vec::new();
        let mut cs: Option<String> = None;
        for (k, (_, _, extended, val)) in sections.iter().copied().enumerate() {
            if *extended {
                let mut v = val.as_str();
                if k == 0 {
                    // charset'language'value
                    let mut parts = v.splitn(3, '\'');
                    if let (Some(c), Some(_), Some(rest)) =
                        (parts.next(), parts.next(), parts.next())
                    {
                        cs = Some(c.to_owned());
                        v = rest;
                    }
                }
                bytes.extend_from_slice(&charset::percent_decode(v.as_bytes(), false));
            } else {
                bytes.extend_from_slice(val.as_bytes());
            }
        }
        let decoded = match &cs {
            Some(c) if !c.is_empty() => charset::decode(&bytes, c),
            _ => charset::decode_guess(&bytes),
        };
        // Many mailers put RFC 2047 words in quoted filenames; decode them.
        params.push((base.clone(), decode_words(&decoded)));
    }
    ParamValue { value, params }
}

/// Message ids in `s`, each in `<...>` form with inner whitespace removed.
/// Values without angle brackets are split at whitespace and wrapped.
pub(crate) fn msg_ids(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |id: &str| {
        let id: String = id
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect();
        let id = id.trim_matches(|c| c == '<' || c == '>' || c == '"');
        if !id.is_empty() && !id.contains(['<', '>']) {
            let id = format!("<{id}>");
            if seen.insert(id.clone()) {
                out.push(id);
            }
        }
    };
    if s.contains('<') {
        let mut rest = s;
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('>') else { break };
            let inner = &after[..close];
            let inner = inner.rsplit('<').next().unwrap_or(inner);
            push(inner);
            rest = &after[close + 1..];
        }
    } else {
        for token in s.split(|c: char| c.is_whitespace() || c == ',') {
            push(token);
        }
    }
    out
}

/// Splits an address-list header into mailbox strings, dropping group names.
fn split_mailboxes(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped, mut comment, mut angle) =
        (0, false, false, 0u32, false);
    for (i, ch) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' if quoted || comment > 0 => escaped = true,
            '"' if comment == 0 => quoted = !quoted,
            _ if quoted => {}
            '(' => comment = comment.saturating_add(1),
            ')' => comment = comment.saturating_sub(1),
            _ if comment > 0 => {}
            '<' => angle = true,
            '>' => angle = false,
            ',' | ';' if !angle => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            // "Group name: a@x, b@y;" — the group name is not a mailbox.
            ':' if !angle => start = i + 1,
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Text and comments of a mailbox string outside quotes, in order.
fn strip_comments(s: &str) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut comments = Vec::new();
    let mut current = String::new();
    let (mut depth, mut quoted, mut escaped) = (0u32, false, false);
    for ch in s.chars() {
        if escaped {
            escaped = false;
            if depth > 0 {
                current.push(ch)
            } else {
                text.push(ch)
            }
            continue;
        }
        match ch {
            '\\' if quoted || depth > 0 => {
                escaped = true;
                if depth == 0 {
                    text.push(ch);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                text.push(ch);
            }
            '(' if !quoted => {
                if depth > 0 {
                    current.push(ch);
                }
                depth = depth.saturating_add(1);
            }
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    comments.push(std::mem::take(&mut current));
                } else {
                    current.push(ch);
                }
            }
            _ if depth > 0 => current.push(ch),
            _ => text.push(ch),
        }
    }
    (text, comments)
}

/// A display name: unquoted, encoded words decoded, whitespace collapsed.
fn clean_display_name(raw: &str) -> Option<String> {
    let mut unquoted = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '"' => {}
            '\\' => {
                if let Some(next) = chars.next() {
                    unquoted.push(next);
                }
            }
            _ => unquoted.push(ch),
        }
    }
    let decoded = decode_words(&unquoted);
    let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = collapsed.trim_matches(|c: char| c == '\'' || c.is_whitespace() || c.is_control());
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    (!name.is_empty()).then_some(name)
}

/// A bare address: whitespace and controls removed, source route dropped,
/// lowercase. `None` unless it looks like `local@domain`.
fn clean_addr(raw: &str) -> Option<String> {
    let addr: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    // Obsolete source routes: "<@relay.example:jo@example.org>".
    let addr = if addr.starts_with('@') {
        addr.rsplit(':').next().unwrap_or("")
    } else {
        &addr
    };
    let addr = addr.trim_matches(|c| c == '<' || c == '>').to_lowercase();
    let at = addr.rfind('@')?;
    (at > 0 && at + 1 < addr.len()).then_some(addr)
}

fn parse_mailbox(s: &str) -> Option<Address> {
    let (text, comments) = strip_comments(s);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // The angle bracket outside quotes starts the address.
    let mut lt = None;
    let mut quoted = false;
    let mut escaped = false;
    for (i, ch) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if ch == '\\' && quoted {
            escaped = true;
        } else if ch == '"' {
            quoted = !quoted;
        } else if ch == '<' && !quoted {
            lt = Some(i);
            break;
        }
    }
    match lt {
        Some(lt) => {
            let after = &text[lt + 1..];
            let addr = after.split('>').next().unwrap_or(after);
            let email = clean_addr(addr)?;
            let name = clean_display_name(&text[..lt])
                .or_else(|| comments.iter().find_map(|c| clean_display_name(c)));
            Some(Address { email, name })
        }
        None => {
            // Without angle brackets the address is the token holding "@";
            // anything else is a stray (unquoted) name.
            let token = text.split_whitespace().rfind(|t| t.contains('@'))?;
            let email = clean_addr(token)?;
            let name = comments.iter().find_map(|c| clean_display_name(c));
            Some(Address { email, name })
        }
    }
}

/// Parses an address-list header value (To, Cc, From...). Entries that are
/// not `local@domain` are dropped.
pub(crate) fn parse_addresses(s: &str) -> Vec<Address> {
    split_mailboxes(s)
        .into_iter()
        .filter_map(parse_mailbox)
        .collect()
}

/// Bare lowercase addresses of every `name` header, deduplicated.
fn addresses_of(headers: &Headers, names: &[&str]) -> Vec<String> {
    let all = names
        .iter()
        .flat_map(|name| headers.get_all(name))
        .flat_map(|value| parse_addresses(value).into_iter().map(|a| a.email));
    let mut out = Vec::new();
    push_unique(&mut out, all);
    out
}

/// Appends the non-empty `items` not yet in `list`, keeping order.
pub(crate) fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    let mut seen: HashSet<String> = list.iter().cloned().collect();
    for item in items {
        if !item.is_empty() && seen.insert(item.clone()) {
            list.push(item);
        }
    }
}

/// True when the headers mark the message as automatic (RFC 3834
/// Auto-Submitted, Precedence, vendor auto-reply markers, bounces): the
/// caller must not auto-reply to it.
pub(crate) fn is_auto_submitted(headers: &Headers) -> bool {
    headers.0.iter().any(|(name, value)| {
        let value = value.trim().to_ascii_lowercase();
        let first = value.split([';', '(']).next().unwrap_or("").trim();
        match name.to_ascii_lowercase().as_str() {
            "auto-submitted" => !first.is_empty() && first != "no",
            "precedence" => matches!(
                first,
                "bulk" | "junk" | "list" | "auto_reply" | "auto-reply"
            ),
            "x-autoreply" | "x-autorespond" | "x-autoresponder" | "x-auto-reply"
            | "x-mail-autoreply" => !matches!(first, "no" | "false" | "0"),
            "x-autoreply-from" | "x-autogenerated" => true,
            "x-auto-response-suppress" => ["all", "oof", "autoreply"]
                .iter()
                .any(|k| value.split([',', ' ']).any(|v| v == *k)),
            "x-fc-machinegenerated" => first == "true",
            "x-post-messageclass" => value.contains("autoresponder"),
            // A null reverse path marks a bounce or other notification.
            "return-path" => value.trim_matches(|c: char| c.is_whitespace()) == "<>",
            "content-type" => first.starts_with("multipart/report"),
            _ => false,
        }
    })
}

/// The envelope and threading fields of a message header section. Bodies,
/// attachments and the dedupe key are left to the caller.
pub(crate) fn header_fields(headers: &Headers) -> InboundEmail {
    let first_id = |name: &str| headers.get_all(name).flat_map(msg_ids).next();
    let mut references = Vec::new();
    push_unique(
        &mut references,
        headers.get_all("references").flat_map(msg_ids),
    );
    if references.len() > MAX_REFERENCES {
        // The oldest (root) and the newest ids matter most for threading.
        let tail = references.split_off(references.len() - (MAX_REFERENCES - 1));
        references.truncate(1);
        references.extend(tail);
    }
    let from = headers
        .get_all("from")
        .chain(headers.get_all("sender"))
        .find_map(|v| parse_addresses(v).into_iter().next())
        .unwrap_or_default();
    InboundEmail {
        message_id: first_id("message-id"),
        in_reply_to: first_id("in-reply-to"),
        references,
        from,
        to: addresses_of(headers, &["to"]),
        cc: addresses_of(headers, &["cc"]),
        delivered_to: addresses_of(
            headers,
            &[
                "delivered-to",
                "x-original-to",
                "envelope-to",
                "x-envelope-to",
            ],
        ),
        subject: headers
            .get("subject")
            .map(|s| clean_line(&decode_words(s)))
            .unwrap_or_default(),
        auto_submitted: is_auto_submitted(headers),
        ..InboundEmail::default()
    }
}

/// One line of text: control characters (line breaks included) become spaces.
pub(crate) fn clean_line(s: &str) -> String {
    let replaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    replaced.trim().to_owned()
}

/// Splits a multipart body at its boundary delimiters and returns the parts
/// between them (preamble and epilogue dropped). Every part counts against
/// `budget`.
pub(crate) fn split_multipart<'a>(
    body: &'a [u8],
    boundary: &str,
    budget: &mut usize,
) -> Result<Vec<&'a [u8]>, ParseError> {
    let delimiter = [b"--".as_slice(), boundary.as_bytes()].concat();
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut pos = 0;
    while pos < body.len() {
        let line_start = pos;
        let (line, next) = line_at(body, pos);
        pos = next;
        let Some(rest) = line.strip_prefix(delimiter.as_slice()) else {
            continue;
        };
        let closing = rest.starts_with(b"--");
        let tail = if closing { &rest[2..] } else { rest };
        if !tail.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        if let Some(start) = current.take() {
            // The line break before a delimiter belongs to the delimiter.
            let mut end = line_start.max(start);
            if end > start && body[end - 1] == b'\n' {
                end -= 1;
                if end > start && body[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            if *budget == 0 {
                return Err(ParseError::new("the message has too many MIME parts"));
            }
            *budget -= 1;
            parts.push(&body[start..end]);
        }
        if closing {
            return Ok(parts);
        }
        current = Some(next);
    }
    // No closing delimiter: the last part runs to the end.
    if let Some(start) = current {
        if *budget == 0 {
            return Err(ParseError::new("the message has too many MIME parts"));
        }
        *budget -= 1;
        parts.push(&body[start.min(body.len())..]);
    }
    Ok(parts)
}

/// Undoes a Content-Transfer-Encoding; unknown encodings pass through.
pub(crate) fn transfer_decode<'a>(body: &'a [u8], encoding: Option<&str>) -> Cow<'a, [u8]> {
    let encoding = encoding.unwrap_or("").trim().to_ascii_lowercase();
    match encoding.as_str() {
        "base64" => Cow::Owned(charset::base64_decode(body)),
        "quoted-printable" => Cow::Owned(charset::qp_decode(body)),
        _ => Cow::Borrowed(body),
    }
}

/// Reassembles RFC 3676 format=flowed text: soft line breaks (a trailing
/// space) are joined, space-stuffing is removed.
fn unflow(text: &str, delsp: bool) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let emit = |lines: &mut Vec<String>, depth: usize, content: &str| {
        let mut line = ">".repeat(depth);
        if depth > 0 && !content.is_empty() {
            line.push(' ');
        }
        line.push_str(content);
        lines.push(line);
    };
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let depth = line.bytes().take_while(|&b| b == b'>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        let soft = content.ends_with(' ') && content != "-- ";
        let mut current = match pending.take() {
            Some((d, s)) if d == depth => s,
            Some((d, s)) => {
                emit(&mut lines, d, &s);
                String::new()
            }
            None => String::new(),
        };
        if soft {
            let kept = if delsp {
                &content[..content.len() - 1]
            } else {
                content
            };
            current.push_str(kept);
            pending = Some((depth, current));
        } else {
            current.push_str(content);
            emit(&mut lines, depth, &current);
        }
    }
    if let Some((d, s)) = pending {
        emit(&mut lines, d, &s);
    }
    lines.join("\n")
}

/// Bodies and attachments gathered from a part tree.
#[derive(Debug, Default)]
struct Collected {
    text: Vec<String>,
    html: Vec<String>,
    attachments: Vec<Attachment>,
}

impl Collected {
    fn merge(&mut self, other: Collected) {
        self.text.extend(other.text);
        self.html.extend(other.html);
        self.attachments.extend(other.attachments);
    }
}

fn walk(
    headers: &Headers,
    body: &[u8],
    depth: usize,
    budget: &mut usize,
) -> Result<Collected, ParseError> {
    if depth > MAX_MIME_DEPTH {
        return Err(ParseError::new(
            "the message's MIME parts are nested too deeply",
        ));
    }
    let content_type = headers
        .get("content-type")
        .map(parse_params)
        .unwrap_or_default();
    let mut mime_type = if content_type.value.contains('/') {
        content_type.value.as_str()
    } else {
        "text/plain"
    };
    if mime_type.starts_with("multipart/") {
        // A multipart without a boundary cannot be split: read it as text.
        mime_type = "text/plain";
        if let Some(boundary) = content_type.param("boundary").filter(|b| !b.is_empty())
            && let parts = split_multipart(body, boundary, budget)?
            // A boundary that never appears: the body is read as text below.
            && !parts.is_empty()
        {
            let mime_type = content_type.value.as_str();
            let mut children = Vec::with_capacity(parts.len());
            for part in parts {
                let (part_headers, offset) = parse_headers(part, false);
                children.push(walk(&part_headers, &part[offset..], depth + 1, budget)?);
            }
            let mut out = Collected::default();
            if mime_type == "multipart/alternative" {
                // Alternatives are ordered plainest first: take the first
                // plain text and the last (richest) HTML.
                let text = children.iter().position(|c| !c.text.is_empty());
                let html = children.iter().rposition(|c| !c.html.is_empty());
                for (i, child) in children.into_iter().enumerate() {
                    if Some(i) == text {
                        out.text.extend(child.text);
                    }
                    if Some(i) == html {
                        out.html.extend(child.html);
                    }
                    out.attachments.extend(child.attachments);
                }
            } else {
                for child in children {
                    out.merge(child);
                }
            }
            return Ok(out);
        }
    }
    let data = transfer_decode(body, headers.get("content-transfer-encoding"));
    let disposition = headers
        .get("content-disposition")
        .map(parse_params)
        .unwrap_or_default();
    let filename = disposition
        .param("filename")
        .or_else(|| content_type.param("name"))
        .map(clean_line)
        .filter(|f| !f.is_empty());
    let mut out = Collected::default();
    // Text shown inline is the message even when the mailer named it.
    let is_body = disposition.value != "attachment"
        && (filename.is_none() || disposition.value == "inline")
        && matches!(mime_type, "text/plain" | "text/html");
    if is_body {
        let text = charset::decode(&data, content_type.param("charset").unwrap_or(""));
        if mime_type == "text/html" {
            out.html.push(text);
        } else if content_type
            .param("format")
            .is_some_and(|f| f.eq_ignore_ascii_case("flowed"))
        {
            let delsp = content_type
                .param("delsp")
                .is_some_and(|d| d.eq_ignore_ascii_case("yes"));
            out.text.push(unflow(&text, delsp));
        } else {
            out.text.push(text);
        }
    } else {
        let default_name = if mime_type == "message/rfc822" {
            "message.eml"
        } else {
            "attachment"
        };
        out.attachments.push(Attachment {
            filename: filename.unwrap_or_else(|| default_name.to_owned()),
            content_type: mime_type.to_owned(),
            size: data.len() as u64,
        });
    }
    Ok(out)
}

/// `sha256:<hex>` of `bytes`.
pub(crate) fn sha256_key(bytes: &[u8]) -> String {
    format!("sha256:{}", charset::hex(&Sha256::digest(bytes)))
}

/// Normalizes line ends to LF.
pub(crate) fn normalize_newlines(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_owned()
    }
}

/// Parses a message without requiring a From address (the webhook parsers
/// may still fill it from the envelope).
pub(crate) fn parse_message(raw: &[u8]) -> Result<InboundEmail, ParseError> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::new("the message is empty"));
    }
    let (headers, body_start) = parse_headers(raw, true);
    if headers.is_empty() {
        return Err(ParseError::new("the message has no header fields"));
    }
    let mut budget = MAX_MIME_PARTS;
    let collected = walk(&headers, &raw[body_start.min(raw.len())..], 0, &mut budget)?;
    let mut email = header_fields(&headers);
    email.text = collected.text.join("\n");
    let html = collected.html.join("\n");
    email.html = (!html.trim().is_empty()).then_some(html);
    email.attachments = collected.attachments;
    email.dedupe_key = email.message_id.clone().unwrap_or_else(|| sha256_key(raw));
    Ok(finish(email))
}

/// Final touches shared by every parser: text derived from HTML when
/// missing, LF line ends, bounce detection.
pub(crate) fn finish(mut email: InboundEmail) -> InboundEmail {
    if email.text.trim().is_empty()
        && let Some(html) = &email.html
    {
        email.text = html_to_text(html);
    }
    email.text = normalize_newlines(&email.text);
    if email.html.as_ref().is_some_and(|h| h.trim().is_empty()) {
        email.html = None;
    }
    let local = email.from.email.split('@').next().unwrap_or("");
    if local.eq_ignore_ascii_case("mailer-daemon") {
        email.auto_submitted = true;
    }
    email
}

/// Fails when no sender address could be found.
pub(crate) fn require_from(email: InboundEmail) -> Result<InboundEmail, ParseError> {
    if email.from.email.is_empty() {
        return Err(ParseError::new("the message has no usable From address"));
    }
    Ok(email)
}

/// An RFC 5322 / MIME message (message/rfc822) as any relay delivers it.
/// Attachments are listed (name, type, decoded size), not kept. Multipart
/// nesting is capped at [`MAX_MIME_DEPTH`] and the part count at
/// [`MAX_MIME_PARTS`]; beyond either the message is rejected.
pub fn parse_mime(raw: &[u8]) -> Result<InboundEmail, ParseError> {
    require_from(parse_message(raw)?)
}
