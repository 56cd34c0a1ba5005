//! HTML message bodies to plain text. Help desks store replies as HTML; an
//! Assist's transcript is plain text, so tags go, block elements become line
//! breaks, entities are decoded, and script/style contents are dropped
//! (never rendered, never kept). Nothing here interprets the markup beyond
//! that, so hostile input can only produce odd text, not markup.

/// Elements whose start or end is a line break.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];

/// Elements whose whole content is dropped.
const HIDDEN: &[&str] = &["script", "style", "head", "title", "template", "noscript"];

/// Plain text of an HTML fragment.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(pos) = rest.find(['<', '&']) {
        push_text(&mut out, &rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with('&') {
            let (decoded, used) = entity(tail);
            match decoded {
                Some(c) => push_text_char(&mut out, c),
                None => out.push('&'),
            }
            rest = &tail[used..];
            continue;
        }
        if let Some(after) = tail.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some((name, closing, len)) = tag(tail) else {
            // A `<` that does not open a tag ("a < b") is text.
            push_text_char(&mut out, '<');
            rest = &tail[1..];
            continue;
        };
        rest = &tail[len..];
        if !closing && HIDDEN.contains(&name.as_str()) {
            rest = skip_element(rest, &name);
            continue;
        }
        match name.as_str() {
            "br" => out.push('\n'),
            "p" => break_lines(&mut out, 2),
            "li" if !closing => {
                break_lines(&mut out, 1);
                out.push_str("- ");
            }
            "td" | "th" if closing => out.push(' '),
            n if BLOCKS.contains(&n) => break_lines(&mut out, 1),
            _ => {}
        }
    }
    push_text(&mut out, rest);
    tidy(&out)
}

/// Ends the output with at least `n` line breaks: adjacent block
/// boundaries (`</div><div>`) make one break, not one each.
fn break_lines(out: &mut String, n: usize) {
    while out.ends_with(' ') {
        out.pop();
    }
    if out.is_empty() {
        return;
    }
    let have = out.len() - out.trim_end_matches('\n').len();
    for _ in have..n {
        out.push('\n');
    }
}

/// Text between tags: source whitespace runs collapse to one space, as a
/// browser would show them.
fn push_text(out: &mut String, s: &str) {
    for c in s.chars() {
        push_text_char(out, c);
    }
}

fn push_text_char(out: &mut String, c: char) {
    if c.is_whitespace() && c != '\u{a0}' {
        if !out.ends_with([' ', '\n']) && !out.is_empty() {
            out.push(' ');
        }
    } else if c.is_control() {
        // Control characters have no place in a transcript.
    } else if c == '\u{a0}' {
        out.push(' ');
    } else {
        out.push(c);
    }
}

/// Parses `<name ...>` or `</name>` at the start of `s`: the lowercase name,
/// whether it closes, and the length consumed. Quoted attribute values may
/// hold `>`.
fn tag(s: &str) -> Option<(String, bool, usize)> {
    let bytes = s.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
        i += 1;
    }
    if i == start || !bytes[start].is_ascii_alphabetic() {
        // `<!DOCTYPE>` and `<?xml?>` are markup too, but carry no text.
        if matches!(bytes.get(1), Some(b'!' | b'?')) {
            let end = s.find('>')?;
            return Some((String::new(), false, end + 1));
        }
        return None;
    }
    let name = s[start..i].to_ascii_lowercase();
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some((name, closing, i + 1)),
            None => {}
        }
        i += 1;
    }
    // An unterminated tag swallows the rest, as browsers do.
    Some((name, closing, s.len()))
}

/// Skips past `</name>` (any case); the rest of the input if it never comes.
fn skip_element<'a>(s: &'a str, name: &str) -> &'a str {
    let lower = s.to_ascii_lowercase();
    let needle = format!("</{name}");
    match lower.find(&needle) {
        Some(pos) => {
            let after = &s[pos..];
            after.find('>').map_or("", |end| &after[end + 1..])
        }
        None => "",
    }
}

/// Decodes the entity at the start of `s` (which begins with `&`): the
/// character, if any, and the bytes consumed.
fn entity(s: &str) -> (Option<char>, usize) {
    let Some(end) = s[1..].find(';').map(|e| e + 1).filter(|e| *e <= 12) else {
        return (None, 1);
    };
    let name = &s[1..end];
    let c = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        match code {
            // NUL and out-of-range or surrogate codes become the replacement
            // character, as HTML parsers do.
            Some(0) => Some('\u{fffd}'),
            Some(n) => Some(char::from_u32(n).unwrap_or('\u{fffd}')),
            None => None,
        }
    } else {
        named(name)
    };
    match c {
        Some(c) => (Some(c), end + 1),
        None => (None, 1),
    }
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "deg" => '°',
        "times" => '×',
        _ => return None,
    })
}

/// Trims every line, keeps at most one empty line between paragraphs, and
/// trims the whole.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0;
    for line in s.split('\n') {
        let line = line.trim_matches(|c: char| c == ' ' || c == '\t');
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

/// Plain text as a provider sent it: line endings normalised, control
/// characters dropped, trimmed.
pub fn plain(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    cleaned.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_breaks() {
        assert_eq!(
            html_to_text("<p>Hello &amp; thanks,</p><p>Order #1142<br>is late</p>"),
            "Hello & thanks,\n\nOrder #1142\nis late"
        );
        assert_eq!(html_to_text("<div>a</div><div>b</div>"), "a\nb");
        assert_eq!(
            html_to_text("<ul><li>one</li><li>two</li></ul>"),
            "- one\n- two"
        );
        assert_eq!(
            html_to_text("<table><tr><td>a</td><td>b</td></tr></table>"),
            "a b"
        );
    }

    #[test]
    fn whitespace_collapses_like_a_browser() {
        assert_eq!(html_to_text("  a \n\n  b\t c  "), "a b c");
        assert_eq!(html_to_text("a&nbsp;&nbsp;b"), "a  b");
    }

    #[test]
    fn entities() {
        assert_eq!(
            html_to_text("&lt;b&gt; &quot;x&quot; &#39;y&#39;"),
            "<b> \"x\" 'y'"
        );
        assert_eq!(html_to_text("&#x1F600; &#8364;"), "😀 €");
        assert_eq!(html_to_text("&#0; &#xD800;"), "\u{fffd} \u{fffd}");
        // Unknown or unterminated entities stay literal.
        assert_eq!(html_to_text("AT&T &bogus; a & b"), "AT&T &bogus; a & b");
    }

    #[test]
    fn hidden_content_and_comments_are_dropped() {
        assert_eq!(
            html_to_text("a<script>alert('<p>x</p>')</script>b<STYLE>p{}</style>c"),
            "abc"
        );
        assert_eq!(html_to_text("a<!-- <p>hidden</p> -->b"), "ab");
        assert_eq!(html_to_text("a<script>never closed"), "a");
        assert_eq!(
            html_to_text("<!DOCTYPE html><html><head><title>T</title></head><body>x</body></html>"),
            "x"
        );
    }

    #[test]
    fn attributes_with_angle_brackets_and_stray_less_than() {
        assert_eq!(
            html_to_text(r#"<a href="x?a>b" title='>'>link</a> 1 < 2"#),
            "link 1 < 2"
        );
        assert_eq!(html_to_text("<3 you"), "<3 you");
        assert_eq!(html_to_text("a <b"), "a");
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // Markup fragments and multi-byte characters in random order.
        const PIECES: [&str; 16] = [
            "<",
            ">",
            "&",
            ";",
            "#",
            "x",
            "<p>",
            "</p",
            "<script",
            "</script>",
            "<!--",
            "-->",
            "é",
            "😀",
            "\"",
            "&#x",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(seed % 24) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                s.push_str(PIECES[(seed >> 60) as usize]);
            }
            seed = seed.wrapping_add(1);
            let out = html_to_text(&s);
            assert!(!out.contains('\u{0}'));
        }
    }

    #[test]
    fn control_characters_removed() {
        assert_eq!(html_to_text("a\u{0007}b"), "ab");
        assert_eq!(plain("  line1\r\nline2\u{0000}\r  "), "line1\nline2");
    }
}
