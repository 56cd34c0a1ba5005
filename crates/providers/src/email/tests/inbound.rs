use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::email::*;

const POSTMARK: &str = r#"{
  "FromName": "Jo Example",
  "MessageStream": "inbound",
  "From": "jo@example.org",
  "FromFull": {"Email": "Jo@Example.org", "Name": "Jo Example", "MailboxHash": ""},
  "To": "\"Acme\" <reply+c_81f2@inbound.acme.test>",
  "ToFull": [{"Email": "reply+c_81f2@inbound.acme.test", "Name": "Acme", "MailboxHash": "c_81f2"}],
  "Cc": "ops@acme.test",
  "CcFull": [{"Email": "Ops@Acme.test", "Name": "", "MailboxHash": ""}],
  "Bcc": "",
  "BccFull": [],
  "OriginalRecipient": "reply+c_81f2@inbound.acme.test",
  "Subject": "Re: Order 1142 late",
  "MessageID": "1b3c5d7e-0000-4000-8000-000000000001",
  "ReplyTo": "",
  "MailboxHash": "c_81f2",
  "Date": "Tue, 3 Mar 2026 10:02:11 +0000",
  "TextBody": "Thanks!\r\n\r\nOn Tue, Mar 3, 2026 at 9:00 AM Acme <support@acme.test> wrote:\r\n> It ships today.",
  "HtmlBody": "<p>Thanks!</p>",
  "StrippedTextReply": "Thanks!",
  "Tag": "",
  "Headers": [
    {"Name": "Return-Path", "Value": "<jo@example.org>"},
    {"Name": "Message-ID", "Value": "<m2@mail.example.org>"},
    {"Name": "In-Reply-To", "Value": "<c_81f2.3@acme.test>"},
    {"Name": "References", "Value": "<c_81f2.1@acme.test> <c_81f2.3@acme.test>"},
    {"Name": "X-Original-To", "Value": "reply+c_81f2@inbound.acme.test"}
  ],
  "Attachments": [
    {"Name": "invoice.pdf", "Content": "JVBERi0xLjQK", "ContentType": "application/pdf", "ContentLength": 9, "ContentID": ""},
    {"Name": "photo.jpg", "Data": "/9j/4AAQ", "ContentType": "image/jpeg", "ContentID": "ii_1"}
  ]
}"#;

#[test]
fn postmark_inbound() {
    let email = parse_postmark(POSTMARK.as_bytes()).unwrap();
    assert_eq!(email.dedupe_key, "<m2@mail.example.org>");
    assert_eq!(email.message_id.as_deref(), Some("<m2@mail.example.org>"));
    assert_eq!(email.in_reply_to.as_deref(), Some("<c_81f2.3@acme.test>"));
    assert_eq!(
        email.references,
        ["<c_81f2.1@acme.test>", "<c_81f2.3@acme.test>"]
    );
    assert_eq!(email.from, Address::named("jo@example.org", "Jo Example"));
    assert_eq!(email.to, ["reply+c_81f2@inbound.acme.test"]);
    assert_eq!(email.cc, ["ops@acme.test"]);
    assert_eq!(email.delivered_to, ["reply+c_81f2@inbound.acme.test"]);
    assert_eq!(email.subject, "Re: Order 1142 late");
    assert_eq!(
        email.text,
        "Thanks!\n\nOn Tue, Mar 3, 2026 at 9:00 AM Acme <support@acme.test> wrote:\n> It ships today."
    );
    assert_eq!(email.html.as_deref(), Some("<p>Thanks!</p>"));
    assert_eq!(
        email.attachments,
        vec![
            Attachment {
                filename: "invoice.pdf".into(),
                content_type: "application/pdf".into(),
                size: 9
            },
            Attachment {
                filename: "photo.jpg".into(),
                content_type: "image/jpeg".into(),
                size: 6
            },
        ]
    );
    assert!(!email.auto_submitted);
    assert_eq!(reply_text(&email.text), "Thanks!");
}

#[test]
fn postmark_fallbacks() {
    // No Message-ID header: Postmark's own id; no *Full fields: the strings.
    let body = json!({
        "From": "\"Jo\" <jo@example.org>",
        "To": "a@acme.test, B <b@acme.test>",
        "Subject": "Hi",
        "MessageID": "abc-123",
        "TextBody": "",
        "HtmlBody": "<p>Only <b>HTML</b></p>",
        "Headers": [{"Name": "Auto-Submitted", "Value": "auto-replied"}]
    });
    let email = parse_postmark(body.to_string().as_bytes()).unwrap();
    assert_eq!(email.dedupe_key, "postmark:abc-123");
    assert_eq!(email.message_id, None);
    assert_eq!(email.from, Address::named("jo@example.org", "Jo"));
    assert_eq!(email.to, ["a@acme.test", "b@acme.test"]);
    assert_eq!(email.text, "Only HTML");
    assert!(email.auto_submitted);

    // Neither id: a hash of the body.
    let body = json!({"FromFull": {"Email": "jo@example.org", "Name": ""}, "TextBody": "x"});
    let email = parse_postmark(body.to_string().as_bytes()).unwrap();
    assert!(email.dedupe_key.starts_with("sha256:"));
    assert_eq!(email.from.name, None);
    assert_eq!(email.html, None);
}

#[test]
fn postmark_bad_payloads() {
    assert!(parse_postmark(b"").is_err());
    assert!(parse_postmark(b"not json").is_err());
    assert!(parse_postmark(b"[1,2]").is_err());
    assert_eq!(
        parse_postmark(br#"{"Subject":"no sender"}"#)
            .unwrap_err()
            .to_string(),
        "the message has no usable From address"
    );
    // Wrong types are ignored rather than trusted.
    let odd = br#"{"From":"jo@example.org","ToFull":"x","Headers":{"a":1},"Attachments":[1,{"Name":3}],"TextBody":5}"#;
    let email = parse_postmark(odd).unwrap();
    assert_eq!(email.attachments.len(), 1);
    assert_eq!(email.attachments[0].filename, "attachment");
    assert_eq!(
        email.attachments[0].content_type,
        "application/octet-stream"
    );
}

fn form_part(
    name: &str,
    filename: Option<&str>,
    content_type: Option<&str>,
    data: &[u8],
) -> Vec<u8> {
    let mut part = b"--xYzZY\r\n".to_vec();
    match filename {
        Some(f) => part.extend(
            format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n")
                .bytes(),
        ),
        None => part.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n").bytes()),
    }
    if let Some(ct) = content_type {
        part.extend(format!("Content-Type: {ct}\r\n").bytes());
    }
    part.extend(b"\r\n");
    part.extend(data);
    part.extend(b"\r\n");
    part
}

fn form(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut body = parts.concat();
    body.extend(b"--xYzZY--\r\n");
    body
}

const SG_CT: &str = "multipart/form-data; boundary=xYzZY";

#[test]
fn sendgrid_parsed_mode_with_charsets_and_attachments() {
    let headers = "Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn Tue, 03 Mar 2026 10:02:12 +0000 (UTC)\n\
Message-ID: <m3@mail.example.org>\n\
In-Reply-To: <c_81f2.3@acme.test>\n\
References: <c_81f2.3@acme.test>\n\
From: =?iso-8859-1?q?Ren=E9e?= <renee@example.org>\n\
To: reply+c_81f2@parse.acme.test\n\
Subject: =?iso-8859-1?q?R=E9ponse?=\n\
Content-Type: multipart/mixed; boundary=\"abc\"\n";
    let body = form(&[
        form_part("headers", None, None, headers.as_bytes()),
        form_part("dkim", None, None, b"{@example.org : pass}"),
        form_part("content-ids", None, None, b"{}"),
        form_part("to", None, None, b"reply+c_81f2@parse.acme.test"),
        form_part("html", None, None, b"<p>Voil\xe0 la r\xe9ponse</p>"),
        form_part("from", None, None, b"Ren\xe9e <renee@example.org>"),
        form_part("text", None, None, b"Voil\xe0 la r\xe9ponse\r\n\r\nLe 3 mars 2026 \xe0 10:00, Acme a \xe9crit :\r\n> Bonjour"),
        form_part("sender_ip", None, None, b"203.0.113.7"),
        form_part("envelope", None, None, br#"{"to":["reply+c_81f2@parse.acme.test"],"from":"renee@example.org"}"#),
        form_part("attachments", None, None, b"2"),
        form_part("subject", None, None, b"R\xe9ponse"),
        form_part(
            "attachment-info",
            None,
            None,
            br#"{"attachment1":{"filename":"facture.pdf","name":"facture.pdf","type":"application/pdf"},"attachment2":{"filename":"photo.png","type":"image/png","content-id":"ii_1"}}"#,
        ),
        form_part(
            "charsets",
            None,
            None,
            br#"{"to":"UTF-8","html":"iso-8859-1","subject":"iso-8859-1","from":"iso-8859-1","text":"iso-8859-1"}"#,
        ),
        form_part("SPF", None, None, b"pass"),
        form_part("attachment1", Some("facture.pdf"), Some("application/pdf"), b"%PDF-1.4 fake"),
        form_part("attachment2", Some("photo.png"), Some("image/png"), &[0x89, b'P', b'N', b'G', 0, 0xff]),
    ]);
    let email = parse_sendgrid(SG_CT, &body).unwrap();
    assert_eq!(email.dedupe_key, "<m3@mail.example.org>");
    assert_eq!(email.in_reply_to.as_deref(), Some("<c_81f2.3@acme.test>"));
    assert_eq!(email.references, ["<c_81f2.3@acme.test>"]);
    assert_eq!(email.from, Address::named("renee@example.org", "Renée"));
    assert_eq!(email.to, ["reply+c_81f2@parse.acme.test"]);
    assert_eq!(email.delivered_to, ["reply+c_81f2@parse.acme.test"]);
    assert_eq!(email.subject, "Réponse");
    assert_eq!(
        email.text,
        "Voilà la réponse\n\nLe 3 mars 2026 à 10:00, Acme a écrit :\n> Bonjour"
    );
    assert_eq!(email.html.as_deref(), Some("<p>Voilà la réponse</p>"));
    assert_eq!(
        email.attachments,
        vec![
            Attachment {
                filename: "facture.pdf".into(),
                content_type: "application/pdf".into(),
                size: 13
            },
            Attachment {
                filename: "photo.png".into(),
                content_type: "image/png".into(),
                size: 6
            },
        ]
    );
    assert_eq!(reply_text(&email.text), "Voilà la réponse");
}

#[test]
fn sendgrid_utf8_default_and_content_hash() {
    let body = form(&[
        form_part("from", None, None, "Zoë <zoe@example.org>".as_bytes()),
        form_part("to", None, None, b"support@parse.acme.test"),
        form_part("subject", None, None, "Größe".as_bytes()),
        form_part("text", None, None, "Grüße".as_bytes()),
        form_part(
            "attachment-info",
            None,
            None,
            br#"{"attachment1":{"filename":"lost.pdf","type":"application/pdf"}}"#,
        ),
    ]);
    let email = parse_sendgrid(SG_CT, &body).unwrap();
    assert_eq!(email.from.name.as_deref(), Some("Zoë"));
    assert_eq!(email.text, "Grüße");
    // attachment-info without the file: listed with size 0.
    assert_eq!(
        email.attachments,
        vec![Attachment {
            filename: "lost.pdf".into(),
            content_type: "application/pdf".into(),
            size: 0
        }]
    );
    assert!(email.dedupe_key.starts_with("sha256:"));
    // A redelivery with a different multipart boundary keeps the key.
    let other = String::from_utf8_lossy(&body).replace("xYzZY", "OtherBoundary42");
    let again = parse_sendgrid(
        "multipart/form-data; boundary=OtherBoundary42",
        other.as_bytes(),
    )
    .unwrap();
    assert_eq!(again.dedupe_key, email.dedupe_key);
}

#[test]
fn sendgrid_raw_mode() {
    let mime = "From: Jo <jo@example.org>\r\nTo: support@parse.acme.test\r\nSubject: Raw\r\nMessage-ID: <raw-1@example.org>\r\nContent-Type: multipart/mixed; boundary=\"q\"\r\n\r\n--q\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nRaw body ✓\r\n--q\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"logs.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--q--\r\n";
    let body = form(&[
        form_part("envelope", None, None, br#"{"to":["support@parse.acme.test","Other@Parse.acme.test"],"from":"jo@example.org"}"#),
        form_part("charsets", None, None, br#"{"to":"UTF-8","subject":"UTF-8","from":"UTF-8"}"#),
        form_part("email", None, None, mime.as_bytes()),
    ]);
    let email = parse_sendgrid(SG_CT, &body).unwrap();
    assert_eq!(email.dedupe_key, "<raw-1@example.org>");
    assert_eq!(email.subject, "Raw");
    assert_eq!(email.text, "Raw body ✓");
    assert_eq!(
        email.delivered_to,
        ["support@parse.acme.test", "other@parse.acme.test"]
    );
    assert_eq!(
        email.attachments,
        vec![Attachment {
            filename: "logs.zip".into(),
            content_type: "application/zip".into(),
            size: 4
        }]
    );

    // The envelope sender stands in for a missing From header.
    let body = form(&[
        form_part(
            "envelope",
            None,
            None,
            br#"{"to":["s@parse.acme.test"],"from":"bounce@example.org"}"#,
        ),
        form_part("email", None, None, b"Subject: no from\r\n\r\nbody"),
    ]);
    assert_eq!(
        parse_sendgrid(SG_CT, &body).unwrap().from.email,
        "bounce@example.org"
    );
}

#[test]
fn sendgrid_bad_posts() {
    assert!(parse_sendgrid("application/json", b"{}").is_err());
    assert!(parse_sendgrid("multipart/form-data", b"--x\r\n").is_err());
    assert!(parse_sendgrid(SG_CT, b"").is_err());
    let empty = form(&[form_part("spam_score", None, None, b"0.1")]);
    assert!(parse_sendgrid(SG_CT, &empty).is_err());
    let bad_mime = form(&[form_part("email", None, None, b"")]);
    assert!(parse_sendgrid(SG_CT, &bad_mime).is_err());
}

fn urlencode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn mailgun_sig(key: &str, timestamp: &str, token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(token.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn mailgun_urlencoded_parsed_mode() {
    let sig = mailgun_sig("key-secret", "1772532131", "tok123");
    let headers = json!([
        ["Received", "from mail.example.org"],
        ["Message-Id", "<m4@mail.example.org>"],
        ["In-Reply-To", "<c_81f2.3@acme.test>"],
        ["References", "<c_81f2.3@acme.test>"],
        ["From", "Jo <jo@example.org>"],
        ["To", "reply+c_81f2@mg.acme.test"],
        ["Subject", "Re: Order 1142 late"]
    ])
    .to_string();
    let body = urlencode(&[
        ("recipient", "reply+c_81f2@mg.acme.test"),
        ("sender", "bounces+x@example.org"),
        ("from", "Jo <jo@example.org>"),
        ("subject", "Re: Order 1142 late"),
        (
            "body-plain",
            "Merci!\r\n\r\nAm 03.03.2026 um 10:00 schrieb Acme <support@acme.test>:\r\n> Bitte",
        ),
        ("stripped-text", "Merci!"),
        ("body-html", "<p>Merci!</p>"),
        ("message-headers", &headers),
        ("timestamp", "1772532131"),
        ("token", "tok123"),
        ("signature", &sig),
    ]);
    let (email, signature) =
        parse_mailgun("application/x-www-form-urlencoded", body.as_bytes()).unwrap();
    assert_eq!(
        signature,
        MailgunSignature {
            timestamp: "1772532131".into(),
            token: "tok123".into(),
            signature: sig.clone()
        }
    );
    assert!(verify_mailgun("key-secret", &signature, 1_772_532_131 + 60));
    assert_eq!(email.dedupe_key, "<m4@mail.example.org>");
    assert_eq!(email.in_reply_to.as_deref(), Some("<c_81f2.3@acme.test>"));
    assert_eq!(email.from, Address::named("jo@example.org", "Jo"));
    assert_eq!(email.to, ["reply+c_81f2@mg.acme.test"]);
    assert_eq!(email.delivered_to, ["reply+c_81f2@mg.acme.test"]);
    assert_eq!(email.subject, "Re: Order 1142 late");
    assert_eq!(email.html.as_deref(), Some("<p>Merci!</p>"));
    assert_eq!(reply_text(&email.text), "Merci!");
}

#[test]
fn mailgun_multipart_with_attachments() {
    let body = form(&[
        form_part("recipient", None, None, b"support@mg.acme.test"),
        form_part("sender", None, None, b"jo@example.org"),
        form_part("from", None, None, "José <jose@example.org>".as_bytes()),
        form_part("subject", None, None, "Ça ne marche pas".as_bytes()),
        form_part("body-plain", None, None, b"See attached."),
        form_part("attachment-count", None, None, b"2"),
        form_part("timestamp", None, None, b"1772532131"),
        form_part("token", None, None, b"tok"),
        form_part("signature", None, None, b"00ff"),
        form_part("attachment-2", Some("b.txt"), Some("text/plain"), b"second"),
        form_part(
            "attachment-1",
            Some("a.csv"),
            Some("text/csv; charset=utf-8"),
            b"x,y\n1,2",
        ),
    ]);
    let (email, sig) = parse_mailgun(SG_CT, &body).unwrap();
    assert_eq!(sig.signature, "00ff");
    assert_eq!(email.from, Address::named("jose@example.org", "José"));
    assert_eq!(email.subject, "Ça ne marche pas");
    assert_eq!(email.text, "See attached.");
    assert_eq!(
        email.attachments,
        vec![
            Attachment {
                filename: "a.csv".into(),
                content_type: "text/csv".into(),
                size: 7
            },
            Attachment {
                filename: "b.txt".into(),
                content_type: "text/plain".into(),
                size: 6
            },
        ]
    );
    assert!(email.dedupe_key.starts_with("sha256:"));
}

#[test]
fn mailgun_raw_mime_mode() {
    let mime = "From: jo@example.org\nTo: support@mg.acme.test\nSubject: raw\nMessage-ID: <raw@example.org>\nAuto-Submitted: auto-replied\n\nI am out of office.\n";
    let body = urlencode(&[
        ("recipient", "support@mg.acme.test"),
        ("body-mime", mime),
        ("timestamp", "1"),
        ("token", "t"),
        ("signature", "s"),
    ]);
    let (email, _) = parse_mailgun(
        "application/x-www-form-urlencoded; charset=utf-8",
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(email.dedupe_key, "<raw@example.org>");
    assert_eq!(email.text, "I am out of office.\n");
    assert!(email.auto_submitted);
    assert_eq!(email.delivered_to, ["support@mg.acme.test"]);
}

#[test]
fn mailgun_bad_posts() {
    // Signature fields are required.
    let body = urlencode(&[("from", "jo@example.org"), ("body-plain", "x")]);
    assert!(parse_mailgun("application/x-www-form-urlencoded", body.as_bytes()).is_err());
    let body = urlencode(&[
        ("timestamp", "1"),
        ("token", "t"),
        ("signature", "s"),
        ("body-plain", "x"),
    ]);
    assert!(parse_mailgun("application/x-www-form-urlencoded", body.as_bytes()).is_err());
    // The envelope sender stands in for From.
    let body = urlencode(&[
        ("timestamp", "1"),
        ("token", "t"),
        ("signature", "s"),
        ("sender", "jo@example.org"),
    ]);
    let (email, _) = parse_mailgun("application/x-www-form-urlencoded", body.as_bytes()).unwrap();
    assert_eq!(email.from.email, "jo@example.org");
    assert!(parse_mailgun("text/plain", b"x").is_err());
}

#[test]
fn mailgun_signature_checks() {
    let now = 1_772_532_131;
    let ts = now.to_string();
    let good = MailgunSignature {
        timestamp: ts.clone(),
        token: "abc".into(),
        signature: mailgun_sig("k", &ts, "abc"),
    };
    assert!(verify_mailgun("k", &good, now));
    assert!(verify_mailgun("k", &good, now + 15 * 60));
    assert!(verify_mailgun("k", &good, now - 15 * 60));
    assert!(!verify_mailgun("k", &good, now + 15 * 60 + 1));
    assert!(!verify_mailgun("k", &good, now - 15 * 60 - 1));
    assert!(!verify_mailgun("other", &good, now));
    assert!(!verify_mailgun("", &good, now));
    let upper = MailgunSignature {
        signature: good.signature.to_uppercase(),
        ..good.clone()
    };
    assert!(verify_mailgun("k", &upper, now));
    for bad in [
        MailgunSignature {
            token: "abd".into(),
            ..good.clone()
        },
        MailgunSignature {
            signature: good.signature[..62].into(),
            ..good.clone()
        },
        MailgunSignature {
            signature: "zz".repeat(32),
            ..good.clone()
        },
        MailgunSignature {
            signature: String::new(),
            ..good.clone()
        },
        MailgunSignature {
            timestamp: "soon".into(),
            ..good.clone()
        },
        MailgunSignature {
            timestamp: i64::MAX.to_string(),
            ..good.clone()
        },
    ] {
        assert!(!verify_mailgun("k", &bad, now), "{bad:?}");
    }
    let extreme = MailgunSignature {
        timestamp: i64::MAX.to_string(),
        ..good.clone()
    };
    assert!(!verify_mailgun("k", &extreme, i64::MIN));
}
