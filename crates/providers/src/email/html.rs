//! HTML from email: an allow-list sanitizer for display and a plain-text
//! rendering. Both share a small tokenizer modelled on the HTML5 one.
//!
//! The sanitizer's safety does not depend on parsing exactly like a browser:
//! its output is rebuilt from scratch out of allow-listed tags, one checked
//! attribute and fully escaped text, so whatever the tokenizer made of the
//! input, the browser parses the output back into exactly that.

use std::borrow::Cow;

use super::charset::cp1252_char;

/// Deepest nesting of allowed elements kept; deeper start tags are dropped
/// (their text stays). Keeps end-tag matching linear on hostile input.
const MAX_OPEN_ELEMENTS: usize = 256;
/// Attributes kept per tag.
const MAX_ATTRIBUTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    /// Raw text; entities not yet decoded.
    Text(&'a str),
    Start {
        name: String,
        attrs: Vec<(String, &'a str)>,
        self_closing: bool,
    },
    End {
        name: String,
    },
}

/// Elements whose content is raw text to the HTML parser. The tokenizer
/// swallows them whole (start tag, content and end tag): neither consumer
/// keeps any of them.
const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
];

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Tokenizer<'a> {
    fn new(src: &'a str) -> Tokenizer<'a> {
        Tokenizer { src, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    /// Moves past the next `>` (or to the end): bogus comments, doctypes.
    fn skip_past_gt(&mut self, from: usize) {
        self.pos = match self.bytes()[from..].iter().position(|&b| b == b'>') {
            Some(i) => from + i + 1,
            None => self.src.len(),
        };
    }

    fn skip_comment(&mut self) {
        // self.pos is at "<!--".
        let start = self.pos + 4;
        let b = self.bytes();
        // "<!-->" and "<!--->" end at once.
        if b[start..].starts_with(b">") {
            self.pos = start + 1;
            return;
        }
        if b[start..].starts_with(b"->") {
            self.pos = start + 2;
            return;
        }
        let mut i = start;
        while i < b.len() {
            if b[i..].starts_with(b"-->") {
                self.pos = i + 3;
                return;
            }
            if b[i..].starts_with(b"--!>") {
                self.pos = i + 4;
                return;
            }
            i += 1;
        }
        // An unterminated comment runs to the end of the input.
        self.pos = b.len();
    }

    /// Reads a tag name starting at `i`; returns it lowercased and the offset after it.
    fn tag_name(&self, mut i: usize) -> (String, usize) {
        let b = self.bytes();
        let start = i;
        while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        (self.src[start..i].to_ascii_lowercase(), i)
    }

    /// Reads attributes from `i` up to and including the closing `>`.
    /// `None` when the input ends inside the tag (the tag is then dropped,
    /// as browsers do).
    #[allow(clippy::type_complexity)]
    fn attributes(&self, mut i: usize) -> Option<(Vec<(String, &'a str)>, bool, usize)> {
        let b = self.bytes();
        let src = self.src;
        let mut attrs: Vec<(String, &'a str)> = Vec::new();
        let mut self_closing = false;
        loop {
            while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
                self_closing = b[i] == b'/';
                i += 1;
            }
            if i >= b.len() {
                return None;
            }
            if b[i] == b'>' {
                return Some((attrs, self_closing, i + 1));
            }
            self_closing = false;
            // An attribute name may start with "=" but not contain one later.
            let name_start = i;
            i += 1;
            while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let name = src[name_start..i].to_ascii_lowercase();
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            let mut value = "";
            if i < b.len() && b[i] == b'=' {
                i += 1;
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                if i >= b.len() {
                    return None;
                }
                if b[i] == b'"' || b[i] == b'\'' {
                    let quote = b[i];
                    let close = b[i + 1..].iter().position(|&c| c == quote)?;
                    value = &src[i + 1..i + 1 + close];
                    i += close + 2;
                } else {
                    let start = i;
                    while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    value = &src[start..i];
                }
            }
            // The first of duplicate attributes wins. Only the first few are
            // kept: nothing allowed needs more, and the duplicate check
            // must stay cheap.
            if attrs.len() < MAX_ATTRIBUTES && !attrs.iter().any(|(n, _)| *n == name) {
                attrs.push((name, value));
            }
        }
    }

    /// Skips the content of a raw-text element up to and including its end tag.
    fn skip_raw_text(&mut self, name: &str) {
        let b = self.bytes();
        let mut i = self.pos;
        while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
            let lt = i + off;
            let after = lt + 2;
            if b[lt..].starts_with(b"</")
                && b.len() >= after + name.len()
                && b[after..after + name.len()].eq_ignore_ascii_case(name.as_bytes())
                && b.get(after + name.len())
                    .is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
            {
                match self.attributes(after + name.len()) {
                    Some((_, _, end)) => self.pos = end,
                    None => self.pos = b.len(),
                }
                return;
            }
            i = lt + 1;
        }
        self.pos = b.len();
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let b = self.bytes();
            if self.pos >= b.len() {
                return None;
            }
            let start = self.pos;
            if b[start] != b'<' {
                let end = b[start..]
                    .iter()
                    .position(|&c| c == b'<')
                    .map_or(b.len(), |i| start + i);
                self.pos = end;
                return Some(Token::Text(&self.src[start..end]));
            }
            let next = b.get(start + 1).copied();
            match next {
                Some(b'!') => {
                    if b[start..].starts_with(b"<!--") {
                        self.skip_comment();
                    } else {
                        self.skip_past_gt(start + 2);
                    }
                }
                Some(b'?') => self.skip_past_gt(start + 2),
                Some(b'/') => match b.get(start + 2) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        let (name, after) = self.tag_name(start + 2);
                        match self.attributes(after) {
                            Some((_, _, end)) => {
                                self.pos = end;
                                return Some(Token::End { name });
                            }
                            None => self.pos = b.len(),
                        }
                    }
                    Some(b'>') => self.pos = start + 3,
                    Some(_) => self.skip_past_gt(start + 2),
                    None => {
                        self.pos = b.len();
                        return Some(Token::Text("</"));
                    }
                },
                Some(c) if c.is_ascii_alphabetic() => {
                    let (name, after) = self.tag_name(start + 1);
                    let Some((attrs, self_closing, end)) = self.attributes(after) else {
                        self.pos = b.len();
                        return None;
                    };
                    self.pos = end;
                    if name == "plaintext" {
                        // Everything after <plaintext> is its text: drop it.
                        self.pos = b.len();
                        return None;
                    }
                    if RAW_TEXT.contains(&name.as_str()) {
                        self.skip_raw_text(&name);
                        continue;
                    }
                    return Some(Token::Start {
                        name,
                        attrs,
                        self_closing,
                    });
                }
                _ => {
                    self.pos = start + 1;
                    return Some(Token::Text("<"));
                }
            }
        }
    }
}

/// Elements dropped together with everything inside them.
const DROP_WITH_CONTENT: &[&str] = &[
    "object", "applet", "form", "svg", "math", "template", "select", "button", "audio", "video",
    "canvas", "frameset", "datalist", "map",
];

/// Skips tokens up to the end tag matching an already-read start tag of
/// `name`, counting nested elements of the same name. Unclosed: to the end.
fn skip_element(tokens: &mut Tokenizer<'_>, name: &str) {
    let mut depth = 1usize;
    for token in tokens.by_ref() {
        match token {
            Token::Start {
                name: n,
                self_closing,
                ..
            } if n == name && !self_closing => depth += 1,
            Token::End { name: n } if n == name => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

/// Handles a start tag from [`DROP_WITH_CONTENT`]: skips its content.
fn drop_element(tokens: &mut Tokenizer<'_>, name: &str, self_closing: bool) {
    // svg and math honour "/>" (foreign elements); HTML elements do not.
    if self_closing && (name == "svg" || name == "math") {
        return;
    }
    skip_element(tokens, name);
}

/// Allowed elements, as the static names the output uses.
fn allowed_tag(name: &str) -> Option<&'static str> {
    const ALLOWED: &[&str] = &[
        "p",
        "br",
        "div",
        "span",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "s",
        "blockquote",
        "pre",
        "code",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
    ];
    ALLOWED.iter().copied().find(|t| *t == name)
}

/// Named character references decoded (the common ones in email; others
/// stay literal, which is safe since every `&` of the output is re-escaped).
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{A0}'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("sbquo", '‚'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("bdquo", '„'),
    ("bull", '•'),
    ("middot", '·'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("lsaquo", '‹'),
    ("rsaquo", '›'),
    ("euro", '€'),
    ("pound", '£'),
    ("yen", '¥'),
    ("cent", '¢'),
    ("sect", '§'),
    ("para", '¶'),
    ("deg", '°'),
    ("plusmn", '±'),
    ("times", '×'),
    ("divide", '÷'),
    ("frac12", '½'),
    ("frac14", '¼'),
    ("frac34", '¾'),
    ("sup1", '¹'),
    ("sup2", '²'),
    ("sup3", '³'),
    ("micro", 'µ'),
    ("iexcl", '¡'),
    ("iquest", '¿'),
    ("shy", '\u{AD}'),
    ("acute", '´'),
    ("cedil", '¸'),
    ("uml", '¨'),
    ("macr", '¯'),
    ("ordf", 'ª'),
    ("ordm", 'º'),
    ("not", '¬'),
    ("brvbar", '¦'),
    ("curren", '¤'),
    ("Agrave", 'À'),
    ("Aacute", 'Á'),
    ("Acirc", 'Â'),
    ("Atilde", 'Ã'),
    ("Auml", 'Ä'),
    ("Aring", 'Å'),
    ("AElig", 'Æ'),
    ("Ccedil", 'Ç'),
    ("Egrave", 'È'),
    ("Eacute", 'É'),
    ("Ecirc", 'Ê'),
    ("Euml", 'Ë'),
    ("Igrave", 'Ì'),
    ("Iacute", 'Í'),
    ("Icirc", 'Î'),
    ("Iuml", 'Ï'),
    ("ETH", 'Ð'),
    ("Ntilde", 'Ñ'),
    ("Ograve", 'Ò'),
    ("Oacute", 'Ó'),
    ("Ocirc", 'Ô'),
    ("Otilde", 'Õ'),
    ("Ouml", 'Ö'),
    ("Oslash", 'Ø'),
    ("Ugrave", 'Ù'),
    ("Uacute", 'Ú'),
    ("Ucirc", 'Û'),
    ("Uuml", 'Ü'),
    ("Yacute", 'Ý'),
    ("THORN", 'Þ'),
    ("szlig", 'ß'),
    ("agrave", 'à'),
    ("aacute", 'á'),
    ("acirc", 'â'),
    ("atilde", 'ã'),
    ("auml", 'ä'),
    ("aring", 'å'),
    ("aelig", 'æ'),
    ("ccedil", 'ç'),
    ("egrave", 'è'),
    ("eacute", 'é'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("igrave", 'ì'),
    ("iacute", 'í'),
    ("icirc", 'î'),
    ("iuml", 'ï'),
    ("eth", 'ð'),
    ("ntilde", 'ñ'),
    ("ograve", 'ò'),
    ("oacute", 'ó'),
    ("ocirc", 'ô'),
    ("otilde", 'õ'),
    ("ouml", 'ö'),
    ("oslash", 'ø'),
    ("ugrave", 'ù'),
    ("uacute", 'ú'),
    ("ucirc", 'û'),
    ("uuml", 'ü'),
    ("yacute", 'ý'),
    ("thorn", 'þ'),
    ("yuml", 'ÿ'),
    ("OElig", 'Œ'),
    ("oelig", 'œ'),
    ("Scaron", 'Š'),
    ("scaron", 'š'),
    ("Yuml", 'Ÿ'),
    ("fnof", 'ƒ'),
    ("circ", 'ˆ'),
    ("tilde", '˜'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("zwnj", '\u{200C}'),
    ("zwj", '\u{200D}'),
    ("lrm", '\u{200E}'),
    ("rlm", '\u{200F}'),
    ("dagger", '†'),
    ("Dagger", '‡'),
    ("permil", '‰'),
    ("prime", '′'),
    ("Prime", '″'),
    ("larr", '←'),
    ("uarr", '↑'),
    ("rarr", '→'),
    ("darr", '↓'),
    ("harr", '↔'),
    ("hearts", '♥'),
    ("check", '✓'),
    ("Tab", '\t'),
    ("NewLine", '\n'),
    ("colon", ':'),
    ("semi", ';'),
    ("comma", ','),
    ("period", '.'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("excl", '!'),
    ("quest", '?'),
    ("num", '#'),
    ("percnt", '%'),
    ("lpar", '('),
    ("rpar", ')'),
    ("lsqb", '['),
    ("rsqb", ']'),
    ("lcub", '{'),
    ("rcub", '}'),
    ("equals", '='),
    ("plus", '+'),
    ("ast", '*'),
    ("commat", '@'),
    ("lowbar", '_'),
    ("verbar", '|'),
    ("grave", '`'),
    ("Hat", '^'),
];

/// Entities that browsers also recognize without the trailing semicolon.
const LEGACY: &[&str] = &["amp", "lt", "gt", "quot", "nbsp", "copy", "reg"];

fn numeric_reference(digits: &str, hex: bool) -> char {
    let value = u32::from_str_radix(digits, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
    match value {
        0 => '\u{FFFD}',
        0x80..=0x9F => cp1252_char(value as u8),
        _ => char::from_u32(value).unwrap_or('\u{FFFD}'),
    }
}

/// Decodes character references. In attribute values a legacy entity
/// without `;` followed by an alphanumeric or `=` stays literal (HTML5).
fn decode_entities(s: &str, in_attribute: bool) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let ab = after.as_bytes();
        if ab.first() == Some(&b'#') {
            let hex = matches!(ab.get(1), Some(b'x' | b'X'));
            let digits_start = if hex { 2 } else { 1 };
            let len = ab[digits_start..]
                .iter()
                .take_while(|c| {
                    if hex {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    }
                })
                .count();
            if len > 0 {
                let digits = &after[digits_start..digits_start + len];
                // Leading zeros aside, more than 8 digits is out of range anyway.
                let trimmed = digits.trim_start_matches('0');
                let ch = if trimmed.len() > 8 {
                    '\u{FFFD}'
                } else {
                    numeric_reference(if trimmed.is_empty() { "0" } else { trimmed }, hex)
                };
                out.push(ch);
                let mut consumed = digits_start + len;
                if ab.get(consumed) == Some(&b';') {
                    consumed += 1;
                }
                rest = &after[consumed..];
                continue;
            }
            out.push('&');
            rest = after;
            continue;
        }
        let name_len = ab
            .iter()
            .take(32)
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let name = &after[..name_len];
        if name_len > 0
            && ab.get(name_len) == Some(&b';')
            && let Some((_, ch)) = ENTITIES.iter().find(|(n, _)| *n == name)
        {
            out.push(*ch);
            rest = &after[name_len + 1..];
            continue;
        }
        // Legacy references without ";": the longest known prefix.
        let legacy = LEGACY
            .iter()
            .filter(|l| name.starts_with(**l))
            .max_by_key(|l| l.len());
        if let Some(l) = legacy {
            let next = ab.get(l.len()).copied();
            let blocked =
                in_attribute && next.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'=');
            if !blocked && let Some((_, ch)) = ENTITIES.iter().find(|(n, _)| n == l) {
                out.push(*ch);
                rest = &after[l.len()..];
                continue;
            }
        }
        out.push('&');
        rest = after;
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Escapes text or a double-quoted attribute value. NUL and other C0
/// controls except tab and line feeds are dropped.
fn escape_into(s: &str, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if c.is_control() && (c as u32) < 0x20 => {}
            '\u{7F}' => {}
            c => out.push(c),
        }
    }
}

/// An href kept only for absolute http, https and mailto URLs, judged the way
/// a URL parser reads it: tabs and line breaks anywhere are ignored, as are
/// leading and trailing controls and spaces.
fn safe_href(raw: &str) -> Option<String> {
    let decoded = decode_entities(raw, true);
    let cleaned: String = decoded.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim_matches(|c: char| c == ' ' || c.is_whitespace());
    let lower = cleaned.to_ascii_lowercase();
    let ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p));
    (ok && cleaned.len() > 7).then(|| cleaned.to_owned())
}

/// Safe HTML for display (to insert as innerHTML): allow-listed elements
/// only; `a` keeps an http/https/mailto href and gets
/// `rel="noopener noreferrer nofollow" target="_blank"`; `td`/`th` keep
/// numeric colspan/rowspan; every other attribute goes. Script, style,
/// iframe, object, embed, form, svg, math and the like are dropped with their
/// content, images and comments are dropped, entities are decoded and text
/// re-escaped, unclosed elements are closed. Applying it twice gives the
/// same result as once.
pub fn sanitize_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(1 << 20));
    let mut open: Vec<&'static str> = Vec::new();
    let mut tokens = Tokenizer::new(html);
    while let Some(token) = tokens.next() {
        match token {
            Token::Text(text) => escape_into(&decode_entities(text, false), &mut out),
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                if DROP_WITH_CONTENT.contains(&name.as_str()) {
                    drop_element(&mut tokens, &name, self_closing);
                    continue;
                }
                let Some(tag) = allowed_tag(&name) else {
                    continue;
                };
                let void = tag == "br" || tag == "hr";
                if !void && open.len() >= MAX_OPEN_ELEMENTS {
                    continue;
                }
                match tag {
                    "a" => {
                        let href = attrs
                            .iter()
                            .find(|(n, _)| n == "href")
                            .and_then(|(_, v)| safe_href(v));
                        // A link that cannot be kept becomes its text.
                        let Some(href) = href else { continue };
                        out.push_str("<a href=\"");
                        escape_into(&href, &mut out);
                        out.push_str("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
                    }
                    "td" | "th" => {
                        out.push('<');
                        out.push_str(tag);
                        for (attr, value) in &attrs {
                            if attr != "colspan" && attr != "rowspan" {
                                continue;
                            }
                            let v = value.trim();
                            if !v.is_empty()
                                && v.len() <= 3
                                && v.bytes().all(|b| b.is_ascii_digit())
                            {
                                out.push(' ');
                                out.push_str(attr);
                                out.push_str("=\"");
                                out.push_str(v);
                                out.push('"');
                            }
                        }
                        out.push('>');
                    }
                    _ => {
                        out.push('<');
                        out.push_str(tag);
                        out.push('>');
                    }
                }
                if !void {
                    open.push(tag);
                }
            }
            Token::End { name } => {
                let Some(tag) = allowed_tag(&name) else {
                    continue;
                };
                if let Some(i) = open.iter().rposition(|t| *t == tag) {
                    while open.len() > i {
                        if let Some(t) = open.pop() {
                            out.push_str("</");
                            out.push_str(t);
                            out.push('>');
                        }
                    }
                }
            }
        }
    }
    while let Some(t) = open.pop() {
        out.push_str("</");
        out.push_str(t);
        out.push('>');
    }
    out
}

/// Builds plain text: collapses HTML whitespace, keeps at most one blank
/// line, prefixes lines inside blockquotes with "> ".
#[derive(Default)]
struct TextBuilder {
    out: String,
    at_line_start: bool,
    pending_space: bool,
    newlines: usize,
    quote_depth: usize,
}

impl TextBuilder {
    fn push_char(&mut self, ch: char) {
        if self.at_line_start || self.out.is_empty() {
            for _ in 0..self.quote_depth {
                self.out.push_str("> ");
            }
            self.at_line_start = false;
        } else if self.pending_space {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.newlines = 0;
        self.out.push(ch);
    }

    fn newline(&mut self) {
        if self.newlines < 2 && !self.out.is_empty() {
            self.out.push('\n');
            self.newlines += 1;
        }
        self.at_line_start = true;
        self.pending_space = false;
    }

    fn line_break(&mut self) {
        if !self.at_line_start && !self.out.is_empty() {
            self.newline();
        }
    }

    fn paragraph(&mut self) {
        self.line_break();
        if self.newlines < 2 {
            self.newline();
        }
    }

    fn text(&mut self, s: &str, pre: bool) {
        for ch in s.chars() {
            match ch {
                '\r' => {}
                '\n' if pre => self.newline(),
                ' ' | '\t' | '\n' | '\x0c' if !pre => self.pending_space = true,
                '\u{A0}' => self.push_char(' '),
                c if c.is_control() && c != '\t' => {}
                c => self.push_char(c),
            }
        }
    }
}

/// Plain text from HTML, for messages that only have HTML: block elements
/// become line breaks, list items get "- ", blockquotes "> ", entities are
/// decoded, script/style/head and the like are dropped.
pub fn html_to_text(html: &str) -> String {
    const PARAGRAPH: &[&str] = &[
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "pre",
        "blockquote",
        "dl",
        "address",
        "figure",
        "hr",
    ];
    const LINE: &[&str] = &[
        "div",
        "li",
        "tr",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "center",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "details",
        "summary",
        "fieldset",
        "legend",
        "figcaption",
        "br",
        "body",
        "html",
    ];
    let mut b = TextBuilder::default();
    let mut pre = 0usize;
    let mut tokens = Tokenizer::new(html);
    while let Some(token) = tokens.next() {
        match token {
            Token::Text(text) => b.text(&decode_entities(text, false), pre > 0),
            Token::Start {
                name, self_closing, ..
            } => {
                let name = name.as_str();
                if DROP_WITH_CONTENT.contains(&name) {
                    drop_element(&mut tokens, name, self_closing);
                    continue;
                }
                if name == "br" {
                    b.newline();
                } else if PARAGRAPH.contains(&name) {
                    b.paragraph();
                } else if LINE.contains(&name) {
                    b.line_break();
                } else if matches!(name, "td" | "th") {
                    b.pending_space = !b.at_line_start;
                }
                match name {
                    "li" => {
                        b.push_char('-');
                        b.pending_space = true;
                    }
                    "blockquote" => b.quote_depth = (b.quote_depth + 1).min(32),
                    "pre" => pre += 1,
                    _ => {}
                }
            }
            Token::End { name } => {
                let name = name.as_str();
                match name {
                    "blockquote" => b.quote_depth = b.quote_depth.saturating_sub(1),
                    "pre" => pre = pre.saturating_sub(1),
                    _ => {}
                }
                if PARAGRAPH.contains(&name) {
                    b.paragraph();
                } else if LINE.contains(&name) {
                    b.line_break();
                }
            }
        }
    }
    let lines: Vec<&str> = b.out.lines().map(str::trim_end).collect();
    let mut text = String::with_capacity(b.out.len());
    let mut blank_run = 0;
    for line in lines {
        let is_blank = line.trim_start_matches(['>', ' ']).is_empty();
        if is_blank {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        text.push_str(line);
        text.push('\n');
    }
    text.trim().to_owned()
}
