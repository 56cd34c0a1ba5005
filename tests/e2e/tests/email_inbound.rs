//! Inbound email (docs/email.md), end to end: each delivery format
//! (Postmark JSON, SendGrid Inbound Parse multipart, Mailgun signed form,
//! raw MIME) authenticated as its provider allows, threaded into the right
//! Assist by reply address or headers, stored once, reopening the Assist
//! and notifying the team; unknown mail becomes a new Assist.

use std::time::{Duration, Instant};

use base64::Engine;
use baton_e2e::fakes::email::FakeEmailApi;
use baton_e2e::*;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const KEY: &str = "0123456789abcdef0123456789abcdef-e2e";
const SECRET: &str = "inbound-secret-e2e";
const MAILGUN_KEY: &str = "key-mailgun-signing-e2e";

struct App {
    runner: Runner,
    owner: String,
    fake: FakeEmailApi,
}

fn start(tag: &str) -> App {
    let fake = FakeEmailApi::start("postmark", "pm-inbound-1");
    let runner = RunnerOptions::new("spin.toml", tag)
        .variable("encryption_key", KEY)
        .variable("escalation_rate_limit_per_minute", "100000")
        .variable("inbound_email_secret", SECRET)
        .variable("mailgun_signing_key", MAILGUN_KEY)
        .variable("postmark_api_url", &fake.url())
        .start();
    let owner = owner_session(&runner);
    let r = call(
        &runner,
        "POST",
        "/v1/bots",
        Some(
            &json!({"name": "Shop", "support_team_name": "Acme Support", "email": {
            "provider": "postmark", "api_key": "pm-inbound-1", "from_email": "support@acme.test",
            "notify_emails": ["team@acme.test"], "inbound_domain": "in.acme.test"}}),
        ),
        Some(&owner),
    );
    expect_json(&r, 201);
    App {
        runner,
        owner,
        fake,
    }
}

fn bot_key(app: &App) -> String {
    let bots = expect_json(
        &call(&app.runner, "GET", "/v1/bots", None, Some(&app.owner)),
        200,
    );
    let id = bots["bots"][0]["id"].as_str().unwrap().to_string();
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/bots/{id}/rotate-key"),
        None,
        Some(&app.owner),
    );
    expect_json(&r, 200)["public_key"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An escalated Assist and the customer confirmation it sent.
fn escalated(app: &App, key: &str, session: &str) -> (String, String, String) {
    let r = call(
        &app.runner,
        "POST",
        "/v1/escalations",
        Some(
            &json!({"session_id": session, "messages": [{"role": "customer", "text": "My invoice is wrong, I was charged twice"}],
                     "customer": {"name": "Jo Customer", "email": "jo@example.org"}, "confirmed": true}),
        ),
        Some(key),
    );
    let id = expect_json(&r, 201)["assist_id"]
        .as_str()
        .unwrap()
        .to_string();
    let start = Instant::now();
    loop {
        let sent = app.fake.sent();
        let reference = detail(app, &id)["reference"].as_str().unwrap().to_string();
        if let Some(c) = sent
            .iter()
            .rev()
            .find(|e| e.to == vec!["jo@example.org".to_string()] && e.text.contains(&reference))
        {
            return (
                id,
                c.reply_to.clone().unwrap(),
                c.message_id.clone().unwrap(),
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no confirmation: {sent:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn detail(app: &App, id: &str) -> Value {
    assist_detail(&app.runner, &app.owner, id)
}

fn customer_emails(d: &Value) -> Vec<Value> {
    d["activity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "customer" && m["channel"] == "email")
        .cloned()
        .collect()
}

fn basic(secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("postmark:{secret}"))
    )
}

fn postmark_payload(to: &str, message_id: &str, in_reply_to: &str, text: &str) -> String {
    json!({
        "FromName": "Jo Customer", "From": "jo@example.org",
        "FromFull": {"Email": "jo@example.org", "Name": "Jo Customer", "MailboxHash": ""},
        "To": to, "ToFull": [{"Email": to, "Name": "", "MailboxHash": ""}],
        "Cc": "", "CcFull": [], "OriginalRecipient": to, "ReplyTo": "",
        "Subject": "Re: We received your request", "MessageID": "7f0e2c9a-0000-4000-8000-000000000001",
        "Date": "Sun, 22 Nov 2026 10:02:11 +0000", "MailboxHash": "",
        "TextBody": text, "HtmlBody": "<p>Still charged twice</p><script>alert(1)</script><img src=x onerror=alert(2)>",
        "StrippedTextReply": "", "Tag": "", "MessageStream": "inbound",
        "Headers": [{"Name": "Message-ID", "Value": message_id}, {"Name": "In-Reply-To", "Value": in_reply_to}],
        "Attachments": [{"Name": "invoice.pdf", "Content": "JVBERi0xLjQK", "ContentType": "application/pdf", "ContentLength": 9, "ContentID": ""}]
    })
    .to_string()
}

fn post_postmark(app: &App, body: &str, auth: Option<&str>) -> Reply {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(a) = auth {
        headers.push(("authorization", a));
    }
    send_raw(
        "POST",
        &app.runner.url("/hooks/email/postmark"),
        Some(body),
        &headers,
    )
}

#[test]
fn postmark_replies_thread_reopen_notify_and_are_stored_once() {
    let app = start("inbound-postmark");
    let key = bot_key(&app);
    let (id, reply_to, root) = escalated(&app, &key, "s-pm");
    // The agent answers: the Assist waits on the customer.
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/assists/{id}/replies"),
        Some(&json!({"text": "We'll refund the duplicate charge."})),
        Some(&app.owner),
    );
    expect_json(&r, 201);
    expect_json(
        &call(
            &app.runner,
            "POST",
            &format!("/v1/assists/{id}/read"),
            None,
            Some(&app.owner),
        ),
        200,
    );
    assert_eq!(detail(&app, &id)["status"], "pending");
    let sent_before = app.fake.wait_for(3).len();

    let text = "It's still showing twice on my statement.\n\nOn Sun, 22 Nov 2026 at 09:00, Acme Support <support@acme.test> wrote:\n> We'll refund the duplicate charge.\n> \n> Reference: AS-XXXX\n";
    let payload = postmark_payload(&reply_to, "<cust-1@mail.example.org>", &root, text);

    // Wrong or missing credentials: 401 and nothing stored.
    expect_problem(&post_postmark(&app, &payload, None), 401);
    expect_problem(
        &post_postmark(&app, &payload, Some(&basic("wrong-secret"))),
        401,
    );
    assert!(customer_emails(&detail(&app, &id)).is_empty());

    let r = post_postmark(&app, &payload, Some(&basic(SECRET)));
    let body = expect_json(&r, 200);
    assert_eq!(body["result"], "threaded", "{body}");
    assert_eq!(body["assist_id"], id);
    let d = detail(&app, &id);
    let emails = customer_emails(&d);
    assert_eq!(emails.len(), 1, "{:#}", d["activity"]);
    assert_eq!(
        emails[0]["text"],
        "It's still showing twice on my statement."
    );
    let html = emails[0]["html"].as_str().unwrap_or_default();
    assert!(
        html.contains("Still charged twice")
            && !html.contains("<script")
            && !html.contains("onerror"),
        "{html}"
    );
    assert_eq!(emails[0]["attachments"][0]["filename"], "invoice.pdf");
    assert_eq!(
        d["status"], "open",
        "a customer reply reopens a pending Assist"
    );
    assert_eq!(d["unread"], true);
    assert!(
        d["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "reopened")
    );

    // The team hears about it (no assignee).
    let sent = app.fake.wait_for(sent_before + 1);
    let notice = sent.last().unwrap();
    assert_eq!(notice.to, vec!["team@acme.test".to_string()]);
    assert!(
        notice.text.contains("It's still showing twice"),
        "{}",
        notice.text
    );

    // The same delivery again changes nothing.
    let again = expect_json(&post_postmark(&app, &payload, Some(&basic(SECRET))), 200);
    assert_eq!(again["result"], "duplicate");
    assert_eq!(customer_emails(&detail(&app, &id)).len(), 1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(app.fake.sent().len(), sent_before + 1);

    // Bad payloads are 400 and store nothing.
    expect_problem(&post_postmark(&app, "{not json", Some(&basic(SECRET))), 400);
}

fn multipart(boundary: &str, fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, value) in fields {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

#[test]
fn sendgrid_mailgun_and_raw_mime_deliveries() {
    let app = start("inbound-formats");
    let key = bot_key(&app);
    let (id, reply_to, root) = escalated(&app, &key, "s-formats");

    // SendGrid Inbound Parse to the plain support address: threads by
    // In-Reply-To. The secret rides in the path.
    let headers = format!(
        "Message-ID: <sg-1@mail.example.org>\nIn-Reply-To: {root}\nFrom: Jo Customer <jo@example.org>\nTo: support@acme.test\nSubject: Re: invoice\n"
    );
    let boundary = "xYzZY";
    let body = multipart(
        boundary,
        &[
            ("headers", &headers),
            (
                "text",
                "Here is the statement you asked for.\n\n-- \nJo\nSent from my iPhone",
            ),
            ("from", "Jo Customer <jo@example.org>"),
            ("to", "support@acme.test"),
            ("subject", "Re: invoice"),
            (
                "envelope",
                "{\"to\":[\"support@acme.test\"],\"from\":\"jo@example.org\"}",
            ),
            (
                "charsets",
                "{\"to\":\"UTF-8\",\"subject\":\"UTF-8\",\"from\":\"UTF-8\",\"text\":\"UTF-8\"}",
            ),
            ("attachments", "0"),
        ],
    );
    let ct = format!("multipart/form-data; boundary={boundary}");
    let r = send_raw(
        "POST",
        &app.runner.url("/hooks/email/sendgrid/wrong"),
        Some(&body),
        &[("content-type", &ct)],
    );
    expect_problem(&r, 401);
    let r = send_raw(
        "POST",
        &app.runner.url(&format!("/hooks/email/sendgrid/{SECRET}")),
        Some(&body),
        &[("content-type", &ct)],
    );
    let out = expect_json(&r, 200);
    assert_eq!(out["result"], "threaded", "{out}");
    assert_eq!(out["assist_id"], id);
    let emails = customer_emails(&detail(&app, &id));
    assert_eq!(
        emails.last().unwrap()["text"],
        "Here is the statement you asked for."
    );

    // Mailgun: the signature over timestamp and token decides.
    let timestamp = now_secs().to_string();
    let token = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";
    let mut mac = Hmac::<Sha256>::new_from_slice(MAILGUN_KEY.as_bytes()).unwrap();
    mac.update(format!("{timestamp}{token}").as_bytes());
    let signature: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let form = |sig: &str| {
        let fields = [
            ("recipient", reply_to.as_str()),
            ("sender", "jo@example.org"),
            ("from", "Jo Customer <jo@example.org>"),
            ("subject", "Re: invoice"),
            ("body-plain", "Thanks, that fixed it!\n\n> old quoted text"),
            ("stripped-text", "Thanks, that fixed it!"),
            (
                "message-headers",
                "[[\"Message-Id\", \"<mg-1@mail.example.org>\"], [\"To\", \"support@acme.test\"]]",
            ),
            ("timestamp", timestamp.as_str()),
            ("token", token),
            ("signature", sig),
        ];
        fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let url = app.runner.url("/hooks/email/mailgun");
    let urlencoded = [("content-type", "application/x-www-form-urlencoded")];
    expect_problem(
        &send_raw("POST", &url, Some(&form(&"0".repeat(64))), &urlencoded),
        401,
    );
    let out = expect_json(
        &send_raw("POST", &url, Some(&form(&signature)), &urlencoded),
        200,
    );
    assert_eq!(out["result"], "threaded", "{out}");
    assert_eq!(out["assist_id"], id);
    assert_eq!(
        customer_emails(&detail(&app, &id)).last().unwrap()["text"],
        "Thanks, that fixed it!"
    );
    // The same signed post again (a captured request, replayed within the
    // signature's time window) is refused.
    let replay = send_raw("POST", &url, Some(&form(&signature)), &urlencoded);
    let p = expect_problem(&replay, 401);
    assert!(
        p["detail"].as_str().unwrap().contains("already used"),
        "{p}"
    );

    // Raw MIME from someone new: a new Assist with the AI analysis, and a
    // confirmation that answers their email.
    let mime = "From: =?UTF-8?Q?Zo=C3=AB_Newcomer?= <zoe@example.net>\r\nTo: support@acme.test\r\nSubject: Cannot log in to my account\r\nMessage-ID: <zoe-1@mail.example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nI can't log in, the password reset email never arrives. Please help =E2=80=94 urgent.\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>I can't log in</p><script>steal()</script>\r\n--b1--\r\n";
    let rfc822 = [
        ("content-type", "message/rfc822"),
        ("authorization", &basic(SECRET) as &str),
    ];
    let r = send_raw(
        "POST",
        &app.runner.url("/hooks/email/mime"),
        Some(mime),
        &[
            ("content-type", "text/plain"),
            ("authorization", &basic(SECRET)),
        ],
    );
    expect_problem(&r, 415);
    let out = expect_json(
        &send_raw(
            "POST",
            &app.runner.url("/hooks/email/mime"),
            Some(mime),
            &rfc822,
        ),
        200,
    );
    assert_eq!(out["result"], "created", "{out}");
    let new_id = out["assist_id"].as_str().unwrap().to_string();
    assert_ne!(new_id, id);
    let d = detail(&app, &new_id);
    assert_eq!(d["channel"], "email");
    assert_eq!(d["customer"]["email"], "zoe@example.net");
    assert_eq!(d["customer"]["name"], "Zoë Newcomer");
    assert_eq!(d["category"], "account_login", "{:#}", d["ai"]);
    assert!(
        d["transcript"][0]["text"]
            .as_str()
            .unwrap()
            .contains("password reset email never arrives — urgent")
            || d["transcript"][0]["text"]
                .as_str()
                .unwrap()
                .contains("Please help — urgent"),
        "{:#}",
        d["transcript"]
    );
    let start = Instant::now();
    let confirmation = loop {
        if let Some(c) = app
            .fake
            .sent()
            .into_iter()
            .find(|e| e.to == vec!["zoe@example.net".to_string()])
        {
            break c;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no confirmation for the new sender"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        confirmation
            .subject
            .starts_with("Re: Cannot log in to my account [AS-"),
        "the customer's subject with the reference: {}",
        confirmation.subject
    );
    assert_eq!(
        confirmation.in_reply_to.as_deref(),
        Some("<zoe-1@mail.example.net>")
    );
    // Delivered twice: stored once.
    let again = expect_json(
        &send_raw(
            "POST",
            &app.runner.url("/hooks/email/mime"),
            Some(mime),
            &rfc822,
        ),
        200,
    );
    assert_eq!(again["result"], "duplicate");
}

#[test]
fn automatic_replies_are_kept_without_reopening_or_paging() {
    let app = start("inbound-auto");
    let key = bot_key(&app);
    let (id, reply_to, _) = escalated(&app, &key, "s-auto");
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/assists/{id}/close"),
        Some(&json!({"resolution": "Refunded"})),
        Some(&app.owner),
    );
    expect_json(&r, 200);
    let sent_before = app.fake.sent().len();
    let mime = format!(
        "From: Jo <jo@example.org>\r\nTo: {reply_to}\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <ooo-1@mail.example.org>\r\nContent-Type: text/plain\r\n\r\nI am away until Monday.\r\n"
    );
    let out = expect_json(
        &send_raw(
            "POST",
            &app.runner.url("/hooks/email/mime"),
            Some(&mime),
            &[
                ("content-type", "message/rfc822"),
                ("authorization", &basic(SECRET)),
            ],
        ),
        200,
    );
    assert_eq!(out["result"], "threaded");
    assert_eq!(out["reopened"], false);
    let d = detail(&app, &id);
    assert_eq!(d["status"], "closed");
    assert_eq!(customer_emails(&d).len(), 1);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        app.fake.sent().len(),
        sent_before,
        "no notification for automatic mail"
    );
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
