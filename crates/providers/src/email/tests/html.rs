use crate::email::{html_to_text, sanitize_html};

/// No script element, event handler, javascript: URL or other active
/// content may survive, and sanitizing is idempotent.
fn assert_safe(input: &str) -> String {
    let out = sanitize_html(input);
    let lower = out.to_ascii_lowercase();
    for needle in [
        "<script",
        "javascript:",
        "vbscript:",
        "data:",
        "<img",
        "<svg",
        "<iframe",
        "<style",
        "<object",
        "<embed",
        "<form",
        "<math",
        "<!--",
        "style=",
        "srcdoc",
    ] {
        assert!(
            !lower.contains(needle),
            "{needle:?} survived in {out:?} (from {input:?})"
        );
    }
    // No attribute other than the allowed ones, in any tag.
    for tag in lower.split('<').skip(1) {
        let inside = tag.split('>').next().unwrap_or("");
        for word in inside.split_whitespace().skip(1) {
            let name = word.split('=').next().unwrap_or("");
            assert!(
                [
                    "href",
                    "rel",
                    "target",
                    "colspan",
                    "rowspan",
                    "noreferrer",
                    "nofollow\""
                ]
                .contains(&name),
                "attribute {name:?} in {out:?} (from {input:?})"
            );
            assert!(!name.starts_with("on"), "event handler in {out:?}");
        }
    }
    assert_eq!(sanitize_html(&out), out, "not idempotent for {input:?}");
    out
}

#[test]
fn keeps_allowed_markup() {
    let out = assert_safe(
        "<div><p>Hello <b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <s>s</s></p><ul><li>one</li><li>two</li></ul><ol><li>x</li></ol><blockquote>q</blockquote><pre>  code\n  block</pre><code>c</code><h1>h</h1><h6>h6</h6><hr><br/><span>sp</span></div>",
    );
    assert_eq!(
        out,
        "<div><p>Hello <b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <s>s</s></p><ul><li>one</li><li>two</li></ul><ol><li>x</li></ol><blockquote>q</blockquote><pre>  code\n  block</pre><code>c</code><h1>h</h1><h6>h6</h6><hr><br><span>sp</span></div>"
    );
}

#[test]
fn tables() {
    let out = assert_safe(
        "<table border=1 style=\"x\"><thead><tr><th colspan=\"2\">H</th></tr></thead><tbody><tr><td rowspan=3 onclick=x>a</td><td colspan=\"99999\">b</td></tr></tbody></table>",
    );
    assert_eq!(
        out,
        "<table><thead><tr><th colspan=\"2\">H</th></tr></thead><tbody><tr><td rowspan=\"3\">a</td><td>b</td></tr></tbody></table>"
    );
}

#[test]
fn links() {
    assert_eq!(
        assert_safe(
            "<a href=\"https://example.org/a?b=1&amp;c=2\" class=x onclick=\"evil()\">site</a>"
        ),
        "<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">site</a>"
    );
    assert_eq!(
        assert_safe("<a href='mailto:jo@example.org'>mail</a>"),
        "<a href=\"mailto:jo@example.org\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">mail</a>"
    );
    assert_eq!(
        assert_safe("<A HREF=HTTP://EXAMPLE.ORG target=_self rel=opener>x</A>"),
        "<a href=\"HTTP://EXAMPLE.ORG\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">x</a>"
    );
    // Relative, protocol-relative and other schemes lose the link, keep the text.
    for href in [
        "/path",
        "//evil.test/x",
        "ftp://x.test",
        "data:text/html,<script>alert(1)</script>",
        "#top",
        "",
        "http://",
    ] {
        assert_eq!(
            assert_safe(&format!("<a href=\"{href}\">t</a>")),
            "t",
            "{href}"
        );
    }
    assert_eq!(assert_safe("<a>no href</a>"), "no href");
}

#[test]
fn javascript_urls_in_all_disguises() {
    let payloads = [
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\" javascript:alert(1)\">x</a>",
        "<a href=\"\x01javascript:alert(1)\">x</a>",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        "<a href=\"java\nscript:alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"java&Tab;script:alert(1)\">x</a>",
        "<a href=\"java&NewLine;script:alert(1)\">x</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>",
        "<a href=\"&#106avascript:alert(1)\">x</a>",
        "<a href=\"&#0000106;avascript:alert(1)\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=javascript:alert(1)>x</a>",
        "<a href=`javascript:alert(1)`>x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<a href=\"https://ok.test\" href=\"javascript:alert(1)\">first wins</a>",
        "<a href=\"javascript:alert(1)\" href=\"https://ok.test\">x</a>",
    ];
    for p in payloads {
        let out = assert_safe(p);
        assert!(
            !out.contains("<a ") || out.contains("href=\"https://ok.test\""),
            "{p} -> {out}"
        );
    }
}

#[test]
fn dangerous_elements_are_dropped_with_content() {
    let cases = [
        (
            "<p>a</p><script>alert(1)</script><p>b</p>",
            "<p>a</p><p>b</p>",
        ),
        ("<SCRIPT SRC=//evil.test/x.js></SCRIPT>ok", "ok"),
        (
            "<script>document.write('</scr'+'ipt>')</script>after",
            "after",
        ),
        (
            "<style>body{background:url(javascript:alert(1))}</style>text",
            "text",
        ),
        (
            "<iframe src=\"https://evil.test\">fallback <b>x</b></iframe>after",
            "after",
        ),
        (
            "<object data=x.swf><param name=a value=b>inner</object>after",
            "after",
        ),
        ("<embed src=x.swf>after", "after"),
        (
            "<form action=https://evil.test><input name=p><button>Go</button></form>after",
            "after",
        ),
        (
            "<svg onload=alert(1)><circle/><script>alert(2)</script></svg>after",
            "after",
        ),
        // "/" before an attribute is not a self-closing flag: the svg stays open.
        ("<svg/onload=alert(1)>after", ""),
        ("<svg/>after", "after"),
        (
            "<math><mtext><img src=x onerror=alert(1)></mtext></math>after",
            "after",
        ),
        (
            "<template><script>alert(1)</script></template>after",
            "after",
        ),
        (
            "<textarea><script>alert(1)</script></textarea>after",
            "after",
        ),
        ("<title><script>alert(1)</script></title>after", "after"),
        (
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>after",
            "&quot;&gt;after",
        ),
        ("<xmp><script>alert(1)</script></xmp>after", "after"),
        (
            "<select><option><script>alert(1)</script></option></select>after",
            "after",
        ),
        ("<plaintext><script>alert(1)</script>", ""),
        ("<script>never closed <b>bold</b>", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(assert_safe(input), expected, "{input}");
    }
}

#[test]
fn images_and_attributes_are_dropped() {
    let cases = [
        ("<img src=x onerror=alert(1)>after", "after"),
        (
            "<img src=\"https://tracker.test/p.gif\" width=1 height=1>",
            "",
        ),
        ("<IMG SRC=\"javascript:alert('XSS');\">", ""),
        ("<image src=x onerror=alert(1)>", ""),
        (
            "<div style=\"width: expression(alert(1))\" onmouseover=\"alert(1)\" class=c id=i>t</div>",
            "<div>t</div>",
        ),
        (
            "<p style=\"background-image: url(javascript:alert(1))\">t</p>",
            "<p>t</p>",
        ),
        (
            "<span onclick=alert(1) data-x=1 title=x>t</span>",
            "<span>t</span>",
        ),
        ("<b/onmouseover=alert(1)>t</b>", "<b>t</b>"),
        ("<p\tonclick=alert(1)>t</p>", "<p>t</p>"),
        ("<p =\"onclick=alert(1)\">t</p>", "<p>t</p>"),
        ("<body onload=alert(1)>t</body>", "t"),
        (
            "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">t",
            "t",
        ),
        ("<link rel=stylesheet href=x>t", "t"),
        ("<base href=\"javascript:alert(1)//\">t", "t"),
        ("<video><source onerror=alert(1)></video>t", "t"),
        ("<input autofocus onfocus=alert(1)>t", "t"),
        ("<details open ontoggle=alert(1)>t</details>", "t"),
        ("<marquee onstart=alert(1)>t</marquee>", "t"),
    ];
    for (input, expected) in cases {
        assert_eq!(assert_safe(input), expected, "{input}");
    }
}

#[test]
fn comments_and_markup_declarations() {
    let cases = [
        ("a<!-- <script>alert(1)</script> -->b", "ab"),
        (
            "a<!-- <!-- nested --> <script>alert(1)</script> -->b",
            "a  --&gt;b",
        ),
        ("a<!--> <img src=x onerror=alert(1)> -->b", "a  --&gt;b"),
        ("a<!---> <b>x</b> -->b", "a <b>x</b> --&gt;b"),
        ("a<!-- x --!> <i>y</i>", "a <i>y</i>"),
        ("a<!-- unterminated <script>alert(1)</script>", "a"),
        ("<!DOCTYPE html><p>x</p>", "<p>x</p>"),
        ("<?xml version=\"1.0\"?><p>x</p>", "<p>x</p>"),
        (
            "<![CDATA[<script>alert(1)</script>]]>after",
            "alert(1)]]&gt;after",
        ),
        ("a</ x>b", "ab"),
        ("a</>b", "ab"),
        ("<!--[if IE]><script>alert(1)</script><![endif]-->x", "x"),
    ];
    for (input, expected) in cases {
        assert_eq!(assert_safe(input), expected, "{input}");
    }
}

#[test]
fn text_is_escaped_and_entities_reencoded() {
    let cases = [
        ("5 < 6 & 7 > 3", "5 &lt; 6 &amp; 7 &gt; 3"),
        (
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        ("&amp;lt;", "&amp;lt;"),
        (
            "caf&eacute; &copy; &euro; &#8364; &#x20AC; &nbsp;",
            "café © € € € \u{A0}",
        ),
        (
            "&unknown; &amp &ampx &#; &#x; &",
            "&amp;unknown; &amp; &amp;x &amp;#; &amp;#x; &amp;",
        ),
        (
            "&#0; &#x110000; &#xD800; &#128;",
            "\u{FFFD} \u{FFFD} \u{FFFD} €",
        ),
        ("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"),
        ("nul\0byte", "nulbyte"),
        ("<3 <<b>x</b>", "&lt;3 &lt;<b>x</b>"),
        ("a <", "a &lt;"),
        ("a </", "a &lt;/"),
    ];
    for (input, expected) in cases {
        assert_eq!(assert_safe(input), expected, "{input}");
    }
}

#[test]
fn malformed_markup() {
    let cases = [
        (
            "<p>unclosed <b>bold <i>both",
            "<p>unclosed <b>bold <i>both</i></b></p>",
        ),
        ("</b>stray close</p>", "stray close"),
        ("<b><i>misnested</b></i>", "<b><i>misnested</i></b>"),
        ("<p attr=\"never closed>text", ""),
        ("<p", ""),
        (
            "<div><div><div>deep",
            "<div><div><div>deep</div></div></div>",
        ),
        ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
        (
            "<<script>script>alert(1)<</script>/script>",
            "&lt;/script&gt;",
        ),
        // The "<b" is an attribute name, as browsers read it.
        (
            "<a href=\"https://x.test\"<b>x</b>",
            "<a href=\"https://x.test\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">x</a>",
        ),
        ("<p>\u{1F600} ünïcödé</p>", "<p>\u{1F600} ünïcödé</p>"),
        ("<é>x</é>", "&lt;é&gt;x"),
    ];
    for (input, expected) in cases {
        assert_eq!(assert_safe(input), expected, "{input}");
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let input = "<div>".repeat(10_000) + "x" + &"</div>".repeat(10_000);
    let out = assert_safe(&input);
    assert_eq!(out.matches("<div>").count(), 256);
    assert_eq!(out.matches("</div>").count(), 256);
}

#[test]
fn realistic_gmail_html() {
    let input = r#"<div dir="ltr">Hi,<div><br></div><div>The <a href="https://acme.test/orders/1142" target="_blank">order</a> is late.</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, Mar 3, 2026 at 10:02 AM Acme &lt;<a href="mailto:support@acme.test">support@acme.test</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">It ships today.</blockquote></div>"#;
    let out = assert_safe(input);
    assert!(out.starts_with("<div>Hi,<div><br></div><div>The <a href=\"https://acme.test/orders/1142\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">order</a> is late.</div></div>"));
    assert!(out.contains("<blockquote>It ships today.</blockquote>"));
    assert_eq!(
        html_to_text(input),
        "Hi,\n\nThe order is late.\n\nOn Tue, Mar 3, 2026 at 10:02 AM Acme <support@acme.test> wrote:\n\n> It ships today."
    );
}

#[test]
fn text_rendering() {
    assert_eq!(html_to_text("<p>One</p><p>Two</p>"), "One\n\nTwo");
    assert_eq!(html_to_text("a<br>b<br/><br>c"), "a\nb\n\nc");
    assert_eq!(html_to_text("  lots   of\n\n  space  "), "lots of space");
    assert_eq!(
        html_to_text("<ul><li>one</li><li>two</li></ul>after"),
        "- one\n- two\n\nafter"
    );
    assert_eq!(
        html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"),
        "a b\nc"
    );
    assert_eq!(
        html_to_text("<pre>  keep\n    this</pre>"),
        "keep\n    this"
    );
    assert_eq!(
        html_to_text("<blockquote><p>q1</p><blockquote>q2</blockquote></blockquote>x"),
        "> q1\n\n> > q2\n\nx"
    );
    assert_eq!(
        html_to_text(
            "<script>x()</script><style>p{}</style><title>T</title>Body &amp; soul&nbsp;!"
        ),
        "Body & soul !"
    );
    assert_eq!(html_to_text("<h1>Title</h1>text"), "Title\n\ntext");
    assert_eq!(html_to_text(""), "");
    assert_eq!(html_to_text("<"), "<");
    assert_eq!(html_to_text("<p>a<!-- hidden -->b</p>"), "ab");
}
