use crate::email::mime::{decode_words, msg_ids, parse_addresses, parse_params};
use crate::email::*;

fn crlf(s: &str) -> Vec<u8> {
    s.replace('\n', "\r\n").into_bytes()
}

const GMAIL: &str = "Delivered-To: support@acme.test
Received: by 2002:a05:6a10:1234 with SMTP id abc;
        Tue, 3 Mar 2026 02:02:11 -0800 (PST)
MIME-Version: 1.0
References: <c_81f2.2@acme.test>
 <c_81f2.3@acme.test>
In-Reply-To: <c_81f2.3@acme.test>
From: =?UTF-8?Q?Jos=C3=A9_Pe=C3=B1a?= <Jose.Pena@Example.org>
Date: Tue, 3 Mar 2026 11:02:09 +0100
Message-ID: <CAF=abc123+xyz@mail.gmail.com>
Subject: =?UTF-8?B?UmU6IENvbW1hbmRlIG7CsDExNDIg?=
 =?UTF-8?B?ZW4gcmV0YXJk?=
To: Acme Support <support@acme.test>, \"Doe, Sam\" <SAM@example.org>
Cc: ops@acme.test
Content-Type: multipart/alternative; boundary=\"000000000000a1b2c3\"

--000000000000a1b2c3
Content-Type: text/plain; charset=\"UTF-8\"
Content-Transfer-Encoding: quoted-printable

Merci, =C3=A7a marche tr=C3=A8s bien. Une derni=C3=A8re question sur la fac=
ture.

Le mar. 3 mars 2026 =C3=A0 10:02, Acme Support <support@acme.test> a =C3=A9=
crit :
> It ships today.

--000000000000a1b2c3
Content-Type: text/html; charset=\"UTF-8\"
Content-Transfer-Encoding: base64

PGRpdiBkaXI9Imx0ciI+TWVyY2ksIMOnYSBtYXJjaGUgdHLDqHMgYmllbi48L2Rpdj4=
--000000000000a1b2c3--
";

#[test]
fn gmail_alternative_with_qp_base64_and_encoded_words() {
    let email = parse_mime(&crlf(GMAIL)).unwrap();
    assert_eq!(
        email.message_id.as_deref(),
        Some("<CAF=abc123+xyz@mail.gmail.com>")
    );
    assert_eq!(email.dedupe_key, "<CAF=abc123+xyz@mail.gmail.com>");
    assert_eq!(email.in_reply_to.as_deref(), Some("<c_81f2.3@acme.test>"));
    assert_eq!(
        email.references,
        ["<c_81f2.2@acme.test>", "<c_81f2.3@acme.test>"]
    );
    assert_eq!(
        email.from,
        Address::named("jose.pena@example.org", "José Peña")
    );
    assert_eq!(email.to, ["support@acme.test", "sam@example.org"]);
    assert_eq!(email.cc, ["ops@acme.test"]);
    assert_eq!(email.delivered_to, ["support@acme.test"]);
    // Two encoded words joined, the space between them dropped.
    assert_eq!(email.subject, "Re: Commande n°1142 en retard");
    assert!(
        email
            .text
            .starts_with("Merci, ça marche très bien. Une dernière question sur la facture.\n")
    );
    assert!(email.text.contains("a écrit :\n> It ships today."));
    assert!(!email.text.contains('\r'));
    assert_eq!(
        email.html.as_deref(),
        Some("<div dir=\"ltr\">Merci, ça marche très bien.</div>")
    );
    assert!(email.attachments.is_empty());
    assert!(!email.auto_submitted);
    assert_eq!(
        reply_text(&email.text),
        "Merci, ça marche très bien. Une dernière question sur la facture."
    );
}

#[test]
fn lf_only_line_ends_parse_the_same() {
    let lf = parse_mime(GMAIL.as_bytes()).unwrap();
    let crlf = parse_mime(&crlf(GMAIL)).unwrap();
    assert_eq!(lf, crlf);
}

#[test]
fn latin1_quoted_printable_and_windows_1252() {
    let raw = b"From: =?ISO-8859-1?Q?Ren=E9e_M=FCller?= <renee@example.de>\r\n\
To: support@acme.test\r\n\
Subject: =?iso-8859-1?q?Pr=FCfung_der_Rechnung?=\r\n\
Content-Type: text/plain; charset=ISO-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Gr=FC=DFe aus K=F6ln, die Rechnung =FCber 50 =80 ist falsch.\r\n";
    let email = parse_mime(raw).unwrap();
    assert_eq!(email.from.name.as_deref(), Some("Renée Müller"));
    assert_eq!(email.subject, "Prüfung der Rechnung");
    assert_eq!(
        email.text,
        "Grüße aus Köln, die Rechnung über 50 € ist falsch.\n"
    );
    assert!(email.dedupe_key.starts_with("sha256:"));
    assert_eq!(email.dedupe_key.len(), 7 + 64);

    // Unencoded 8-bit windows-1252 body, smart quotes included.
    let raw = b"From: a@example.org\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n\x93Hello\x94 \x96 it\x92s fine\n";
    assert_eq!(
        parse_mime(raw).unwrap().text,
        "\u{201C}Hello\u{201D} \u{2013} it\u{2019}s fine\n"
    );
}

#[test]
fn raw_8bit_headers_are_decoded() {
    let utf8 = "From: Zoë <zoe@example.org>\nSubject: Größe\n\nbody".as_bytes();
    let email = parse_mime(utf8).unwrap();
    assert_eq!(email.from.name.as_deref(), Some("Zoë"));
    assert_eq!(email.subject, "Größe");
    let latin1 = b"From: Zo\xeb <zoe@example.org>\nSubject: Gr\xf6\xdfe\n\nbody";
    let email = parse_mime(latin1).unwrap();
    assert_eq!(email.from.name.as_deref(), Some("Zoë"));
    assert_eq!(email.subject, "Größe");
}

const NESTED: &str = "From: Jo <jo@example.org>
To: support@acme.test
Subject: Photos of the damage
Message-ID: <nested-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"outer\"

This is a multi-part message in MIME format.

--outer
Content-Type: multipart/related; boundary=\"related\"

--related
Content-Type: multipart/alternative;
\tboundary=\"alt\"

--alt
Content-Type: text/plain; charset=us-ascii

The box arrived crushed, see photo.

--alt
Content-Type: text/html; charset=us-ascii

<p>The box arrived crushed, see <img src=\"cid:photo1\">.</p>

--alt--

--related
Content-Type: image/png; name=\"inline.png\"
Content-ID: <photo1>
Content-Disposition: inline; filename=\"inline.png\"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--related--

--outer
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*=UTF-8''facture%20n%C2%B01142.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
JVBERi0xLjQK
--outer
Content-Type: text/plain; name=\"notes.txt\"
Content-Disposition: attachment; filename=\"notes.txt\"

plain attachment text
--outer
Content-Type: message/rfc822

From: someone@example.org
Subject: earlier

old
--outer--
Epilogue, ignored.
";

#[test]
fn nested_multiparts_and_attachments() {
    let email = parse_mime(NESTED.as_bytes()).unwrap();
    assert_eq!(email.text, "The box arrived crushed, see photo.\n");
    assert_eq!(
        email.html.as_deref(),
        Some("<p>The box arrived crushed, see <img src=\"cid:photo1\">.</p>\n")
    );
    assert_eq!(
        email.attachments,
        vec![
            Attachment {
                filename: "inline.png".into(),
                content_type: "image/png".into(),
                size: 8
            },
            Attachment {
                filename: "facture n°1142.pdf".into(),
                content_type: "application/pdf".into(),
                size: 18
            },
            Attachment {
                filename: "notes.txt".into(),
                content_type: "text/plain".into(),
                size: 21
            },
            Attachment {
                filename: "message.eml".into(),
                content_type: "message/rfc822".into(),
                size: 47
            },
        ]
    );
    // The same with CRLF line ends.
    let email2 = parse_mime(&crlf(NESTED)).unwrap();
    assert_eq!(email2.text, email.text);
    assert_eq!(email2.attachments.len(), 4);
}

#[test]
fn html_only_message_gets_text() {
    let raw = "From: jo@example.org\nSubject: hi\nContent-Type: text/html; charset=utf-8\n\n<html><head><style>p{color:red}</style></head><body><p>Hello&nbsp;there</p><p>Line&amp;two</p><div class=\"gmail_quote\">On Mon, Mar 2, 2026 at 9:00 AM Acme &lt;support@acme.test&gt; wrote:<br><blockquote>Old text</blockquote></div></body></html>";
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert_eq!(
        email.text,
        "Hello there\n\nLine&two\n\nOn Mon, Mar 2, 2026 at 9:00 AM Acme <support@acme.test> wrote:\n\n> Old text"
    );
    assert_eq!(reply_text(&email.text), "Hello there\n\nLine&two");
    assert!(email.html.is_some());
}

#[test]
fn format_flowed_is_unwrapped() {
    let raw = "From: jo@example.org\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\nThis is a long line that the client wrapped at seventy-two char \nacters for transport.\n>> quoted and  \n>> wrapped\n-- \nJo\n";
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert_eq!(
        email.text,
        "This is a long line that the client wrapped at seventy-two characters for transport.\n>> quoted and wrapped\n-- \nJo\n"
    );
    let raw = "From: jo@example.org\nContent-Type: text/plain; format=flowed\n\nsoft \nbreak\n From stuffed\n";
    assert_eq!(
        parse_mime(raw.as_bytes()).unwrap().text,
        "soft break\nFrom stuffed\n"
    );
}

#[test]
fn auto_submitted_detection() {
    let base = "From: jo@example.org\nTo: support@acme.test\nSubject: x\n";
    let auto = [
        "Auto-Submitted: auto-replied\n",
        "Auto-Submitted: auto-generated (vacation)\n",
        "Precedence: bulk\n",
        "Precedence: junk\n",
        "Precedence: list\n",
        "X-Autoreply: yes\n",
        "X-Autorespond: Out of office\n",
        "X-Auto-Response-Suppress: All\n",
        "X-Auto-Response-Suppress: DR, OOF, AutoReply\n",
        "X-Autogenerated: Reply\n",
        "X-FC-MachineGenerated: true\n",
        "Return-Path: <>\n",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
    ];
    for header in auto {
        let raw = format!("{base}{header}\nbody\n");
        assert!(
            parse_mime(raw.as_bytes()).unwrap().auto_submitted,
            "{header}"
        );
    }
    for header in [
        "Auto-Submitted: no\n",
        "Precedence: first-class\n",
        "Return-Path: <jo@example.org>\n",
        "",
    ] {
        let raw = format!("{base}{header}\nbody\n");
        assert!(
            !parse_mime(raw.as_bytes()).unwrap().auto_submitted,
            "{header}"
        );
    }
    let bounce = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\nSubject: Undelivered\n\nsorry\n";
    assert!(parse_mime(bounce.as_bytes()).unwrap().auto_submitted);
}

#[test]
fn delivered_to_headers() {
    let raw = "Delivered-To: Reply+C1@In.Acme.Test\nX-Original-To: reply+c1@in.acme.test\nEnvelope-To: other@in.acme.test\nFrom: jo@example.org\n\nbody";
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert_eq!(
        email.delivered_to,
        ["reply+c1@in.acme.test", "other@in.acme.test"]
    );
}

#[test]
fn mbox_from_line_and_missing_blank_line() {
    let raw =
        "From jo@example.org Tue Mar  3 10:02:11 2026\nFrom: jo@example.org\nSubject: x\n\nbody\n";
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert_eq!(email.subject, "x");
    assert_eq!(email.text, "body\n");
    // No empty line between headers and body: the first non-header line starts the body.
    let raw = "From: jo@example.org\nSubject: y\nHello there, no blank line.\n";
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert_eq!(email.subject, "y");
    assert_eq!(email.text, "Hello there, no blank line.\n");
}

#[test]
fn bad_messages_are_errors() {
    assert!(parse_mime(b"").is_err());
    assert!(parse_mime(b"  \r\n ").is_err());
    assert!(parse_mime(b"just some text without headers").is_err());
    assert!(parse_mime(b"\n\nbody only").is_err());
    let no_from = parse_mime(b"Subject: hi\n\nbody").unwrap_err();
    assert_eq!(
        no_from.to_string(),
        "the message has no usable From address"
    );
    assert!(parse_mime(b"From: not an address\n\nbody").is_err());
    // The Sender header stands in for a missing From.
    assert_eq!(
        parse_mime(b"Sender: s@example.org\n\nbody")
            .unwrap()
            .from
            .email,
        "s@example.org"
    );
}

#[test]
fn nesting_and_part_limits() {
    let mut raw = String::from("From: jo@example.org\n");
    for depth in 0..=(MAX_MIME_DEPTH + 1) {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{depth}\"\n\n--b{depth}\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\n\ndeep\n");
    assert_eq!(
        parse_mime(raw.as_bytes()).unwrap_err().to_string(),
        "the message's MIME parts are nested too deeply"
    );

    let mut ok = String::from("From: jo@example.org\n");
    for depth in 0..MAX_MIME_DEPTH {
        ok.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{depth}\"\n\n--b{depth}\n"
        ));
    }
    ok.push_str("Content-Type: text/plain\n\ndeep\n");
    assert_eq!(parse_mime(ok.as_bytes()).unwrap().text, "deep\n");

    let mut many =
        String::from("From: jo@example.org\nContent-Type: multipart/mixed; boundary=b\n\n");
    for _ in 0..=MAX_MIME_PARTS {
        many.push_str("--b\n\nx\n");
    }
    many.push_str("--b--\n");
    assert_eq!(
        parse_mime(many.as_bytes()).unwrap_err().to_string(),
        "the message has too many MIME parts"
    );
}

#[test]
fn lenient_multipart_shapes() {
    // No closing delimiter: the last part runs to the end.
    let raw = "From: jo@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nunclosed";
    assert_eq!(parse_mime(raw.as_bytes()).unwrap().text, "unclosed");
    // No boundary parameter: read as text.
    let raw = "From: jo@example.org\nContent-Type: multipart/mixed\n\njust text";
    assert_eq!(parse_mime(raw.as_bytes()).unwrap().text, "just text");
    // A boundary that prefixes another line is not a delimiter.
    let raw = "From: jo@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n--bx is text\n--b--\n";
    assert_eq!(parse_mime(raw.as_bytes()).unwrap().text, "--bx is text");
    // Unknown charset: lossy UTF-8. Unknown transfer encoding: as is.
    let raw = b"From: jo@example.org\nContent-Type: text/plain; charset=x-unknown\nContent-Transfer-Encoding: x-uuencode\n\nok \xff";
    assert_eq!(parse_mime(raw).unwrap().text, "ok \u{FFFD}");
}

#[test]
fn encoded_words() {
    assert_eq!(decode_words("=?utf-8?q?caf=C3=A9?="), "café");
    assert_eq!(decode_words("=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?="), "éé");
    // A character split across two words.
    assert_eq!(decode_words("=?UTF-8?B?ww==?= =?UTF-8?B?qQ==?="), "é");
    assert_eq!(decode_words("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?="), "é");
    assert_eq!(
        decode_words("Re: =?utf-8?q?a?= b =?utf-8?q?c?="),
        "Re: a b c"
    );
    assert_eq!(decode_words("=?iso-8859-1*fr?q?=E9t=E9?="), "été");
    assert_eq!(
        decode_words("=?windows-1252?Q?=93quoted=94?="),
        "\u{201C}quoted\u{201D}"
    );
    // Malformed words stay as they are.
    assert_eq!(decode_words("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
    assert_eq!(
        decode_words("=?utf-8?q?unterminated"),
        "=?utf-8?q?unterminated"
    );
    assert_eq!(decode_words("=?é?q?x?= tail"), "x tail");
    assert_eq!(decode_words("=??q?x?="), "=??q?x?=");
    assert_eq!(decode_words("plain"), "plain");
}

#[test]
fn parameters() {
    let p = parse_params("text/plain; charset=\"utf-8\"; format=flowed");
    assert_eq!(p.value, "text/plain");
    assert_eq!(p.param("charset"), Some("utf-8"));
    assert_eq!(p.param("format"), Some("flowed"));
    let p = parse_params(
        "attachment; filename*0*=utf-8''r%C3%A9; filename*1=\"sum\"; filename*2*=%C3%A9.pdf",
    );
    assert_eq!(p.param("filename"), Some("résumé.pdf"));
    let p = parse_params("attachment; filename=\"=?UTF-8?B?w6l0w6kucGRm?=\"");
    assert_eq!(p.param("filename"), Some("été.pdf"));
    let p = parse_params("multipart/mixed; boundary=\"a;b\\\"c\"");
    assert_eq!(p.param("boundary"), Some("a;b\"c"));
    let p = parse_params("INLINE;;=x; bad; name=");
    assert_eq!(p.value, "inline");
    assert_eq!(p.param("name"), Some(""));
}

#[test]
fn address_lists() {
    let list = parse_addresses(
        "\"Doe, Jo\" <JO@Example.org>, sam@example.org (Sam Smith), Team: a@x.test, b@x.test;, =?UTF-8?Q?Zo=C3=AB?= <zoe@example.org>, undisclosed-recipients:;",
    );
    let expected = [
        Address::named("jo@example.org", "Doe, Jo"),
        Address::named("sam@example.org", "Sam Smith"),
        Address::new("a@x.test"),
        Address::new("b@x.test"),
        Address::named("zoe@example.org", "Zoë"),
    ];
    assert_eq!(list, expected);
    assert_eq!(
        parse_addresses("'Jo' <jo@example.org>")[0].name.as_deref(),
        Some("Jo")
    );
    assert_eq!(
        parse_addresses("<@relay.test:jo@example.org>")[0].email,
        "jo@example.org"
    );
    assert_eq!(
        parse_addresses("Jo Doe jo@example.org")[0].email,
        "jo@example.org"
    );
    assert_eq!(
        parse_addresses("\"=?utf-8?q?Jos=C3=A9?=\" <j@example.org>")[0]
            .name
            .as_deref(),
        Some("José")
    );
    assert!(parse_addresses("nobody, @, a@, <>").is_empty());
}

#[test]
fn message_ids() {
    assert_eq!(
        msg_ids("<a@b> <c@d>\r\n <e@f>"),
        ["<a@b>", "<c@d>", "<e@f>"]
    );
    assert_eq!(msg_ids("a@b c@d"), ["<a@b>", "<c@d>"]);
    assert_eq!(msg_ids("<a@b> (comment) <a@b>"), ["<a@b>"]);
    assert_eq!(msg_ids("<<x@y>"), ["<x@y>"]);
    assert_eq!(msg_ids("<>  <   >"), Vec::<String>::new());
    assert_eq!(msg_ids("<long\r\n id@x>"), ["<longid@x>"]);
}

#[test]
fn long_references_keep_root_and_newest() {
    let ids: Vec<String> = (0..150).map(|i| format!("<m{i}@x>")).collect();
    let raw = format!(
        "From: jo@example.org\nReferences: {}\n\nbody",
        ids.join("\n ")
    );
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert_eq!(email.references.len(), 100);
    assert_eq!(email.references[0], "<m0@x>");
    assert_eq!(email.references[1], "<m51@x>");
    assert_eq!(email.references[99], "<m149@x>");
}

#[test]
fn inline_text_with_a_filename_is_the_message() {
    let raw = "From: Jo <jo@example.org>\nTo: support@acme.test\nSubject: Help\nMessage-ID: <a@b>\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain; charset=utf-8; name=\"message.txt\"\nContent-Disposition: inline; filename=\"message.txt\"\n\nMy order never arrived.\n--XX\nContent-Type: application/pdf; name=\"invoice.pdf\"\nContent-Disposition: attachment; filename=\"invoice.pdf\"\n\nJVBERi0=\n--XX--\n";
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert!(
        email.text.contains("My order never arrived."),
        "{:?}",
        email.text
    );
    assert_eq!(email.attachments.len(), 1, "{:?}", email.attachments);
    assert_eq!(email.attachments[0].filename, "invoice.pdf");
}

#[test]
fn a_multipart_whose_boundary_never_appears_is_read_as_text() {
    let raw = "From: Jo <jo@example.org>\nTo: support@acme.test\nSubject: Help\nMessage-ID: <c@d>\nContent-Type: multipart/mixed; boundary=\"NEVER\"\n\nThe app crashes when I open settings.\n";
    let email = parse_mime(raw.as_bytes()).unwrap();
    assert!(
        email.text.contains("The app crashes when I open settings."),
        "{:?}",
        email.text
    );
}
