//! sanitize_html on arbitrary text: no script element, no attribute outside
//! the allow-list, no javascript: link, and idempotent.
#![no_main]

use baton_providers::email::{html_to_text, sanitize_html};
use libfuzzer_sys::fuzz_target;

const ALLOWED_TAGS: &[&str] = &[
    "p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "blockquote", "pre", "code", "ul",
    "ol", "li", "a", "table", "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr",
];

fuzz_target!(|data: &[u8]| {
    let Ok(html) = std::str::from_utf8(data) else { return };
    let out = sanitize_html(html);
    let lower = out.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "script survived: {out:?}");
    assert!(!lower.contains("<!--"), "comment survived: {out:?}");
    // Every "<" of the output opens an allowed tag whose attributes are ours.
    for tag in out.split('<').skip(1) {
        let inside = tag.split('>').next().unwrap_or("");
        let closing = inside.starts_with('/');
        let inside = inside.strip_prefix('/').unwrap_or(inside);
        let name = inside.split(' ').next().unwrap_or("");
        assert!(ALLOWED_TAGS.contains(&name), "tag {name:?} in {out:?}");
        assert!(!inside.contains(['\'', '<', '\0']), "odd tag {inside:?}");
        let attrs = &inside[name.len()..];
        if closing {
            assert!(attrs.is_empty(), "attributes on an end tag: {inside:?}");
        } else if name == "a" {
            let rest = attrs.strip_prefix(" href=\"").expect("a without href");
            let (href, tail) = rest.split_once('"').expect("unterminated href");
            assert_eq!(tail, " rel=\"noopener noreferrer nofollow\" target=\"_blank\"");
            let href = href.to_ascii_lowercase();
            assert!(
                href.starts_with("http://") || href.starts_with("https://") || href.starts_with("mailto:"),
                "href {href:?}"
            );
        } else if name == "td" || name == "th" {
            for attr in attrs.split(' ').filter(|a| !a.is_empty()) {
                let (key, value) = attr.split_once('=').expect("bare attribute");
                assert!(key == "colspan" || key == "rowspan", "attribute {key:?}");
                let digits = value.trim_matches('"');
                assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
            }
        } else {
            assert!(attrs.is_empty(), "attributes on {name}: {attrs:?}");
        }
    }
    assert_eq!(sanitize_html(&out), out, "not idempotent for {html:?}");
    let _ = html_to_text(html);
});
