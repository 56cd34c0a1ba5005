use serde_json::{Value, json};

use crate::email::outbound::{parse_http_date, uuid_from_key};
use crate::email::*;
use crate::http::{HttpRequest, HttpResponse};

fn sample() -> OutboundEmail {
    OutboundEmail {
        from: Address::named("support@acme.test", "Acme Support"),
        to: vec![Address::named("jo@example.org", "Jo")],
        reply_to: Some("reply+c_81f2@in.acme.test".into()),
        subject: "Re: Order 1142 late".into(),
        text: "Hi Jo, it ships today.".into(),
        html: Some("<p>Hi Jo, it ships today.</p>".into()),
        message_id: "<c_81f2.3@acme.test>".into(),
        in_reply_to: Some("<m1@mail.example.org>".into()),
        references: vec!["<m0@acme.test>".into(), "<m1@mail.example.org>".into()],
        idempotency_key: "outbox-42".into(),
    }
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn body(req: &HttpRequest) -> Value {
    serde_json::from_slice(&req.body).unwrap()
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn provider_names() {
    for p in EmailProvider::ALL {
        assert_eq!(EmailProvider::parse(p.as_str()), Some(p));
        assert!(!p.default_base_url().ends_with('/'));
        assert!(p.default_base_url().starts_with("https://"));
    }
    assert_eq!(
        EmailProvider::parse(" SendGrid "),
        Some(EmailProvider::Sendgrid)
    );
    assert_eq!(EmailProvider::parse("mailgun"), None);
    assert_eq!(
        EmailProvider::Brevo.default_base_url(),
        "https://api.brevo.com"
    );
    assert_eq!(
        EmailProvider::Sendgrid.default_base_url(),
        "https://api.sendgrid.com"
    );
    assert_eq!(
        EmailProvider::Postmark.default_base_url(),
        "https://api.postmarkapp.com"
    );
    assert_eq!(
        EmailProvider::Resend.default_base_url(),
        "https://api.resend.com"
    );
    assert_eq!(EmailProvider::Postmark.to_string(), "postmark");
}

#[test]
fn brevo_request() {
    let req = build_send(
        EmailProvider::Brevo,
        "https://api.brevo.com",
        "xkeysib-1",
        &sample(),
    );
    assert_eq!(req.method, "POST");
    assert_eq!(req.url, "https://api.brevo.com/v3/smtp/email");
    assert_eq!(header(&req, "api-key"), Some("xkeysib-1"));
    assert_eq!(header(&req, "authorization"), None);
    assert_eq!(header(&req, "content-type"), Some("application/json"));
    assert_eq!(header(&req, "accept"), Some("application/json"));
    let uuid = uuid_from_key("outbox-42");
    assert_eq!(
        body(&req),
        json!({
            "sender": {"email": "support@acme.test", "name": "Acme Support"},
            "to": [{"email": "jo@example.org", "name": "Jo"}],
            "replyTo": {"email": "reply+c_81f2@in.acme.test"},
            "subject": "Re: Order 1142 late",
            "textContent": "Hi Jo, it ships today.",
            "htmlContent": "<p>Hi Jo, it ships today.</p>",
            "headers": {
                "Message-ID": "<c_81f2.3@acme.test>",
                "In-Reply-To": "<m1@mail.example.org>",
                "References": "<m0@acme.test> <m1@mail.example.org>",
                "idempotencyKey": uuid,
            }
        })
    );
}

#[test]
fn brevo_idempotency_key_is_a_stable_v4_uuid() {
    let a = uuid_from_key("outbox-42");
    assert_eq!(a, uuid_from_key("outbox-42"));
    assert_ne!(a, uuid_from_key("outbox-43"));
    let parts: Vec<&str> = a.split('-').collect();
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert!(
        a.chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert!(parts[2].starts_with('4'));
    assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
}

#[test]
fn sendgrid_request() {
    let req = build_send(
        EmailProvider::Sendgrid,
        "http://127.0.0.1:9000/",
        "SG.key",
        &sample(),
    );
    assert_eq!(req.url, "http://127.0.0.1:9000/v3/mail/send");
    assert_eq!(header(&req, "authorization"), Some("Bearer SG.key"));
    assert_eq!(header(&req, "content-type"), Some("application/json"));
    assert_eq!(
        body(&req),
        json!({
            "personalizations": [{"to": [{"email": "jo@example.org", "name": "Jo"}]}],
            "from": {"email": "support@acme.test", "name": "Acme Support"},
            "reply_to": {"email": "reply+c_81f2@in.acme.test"},
            "subject": "Re: Order 1142 late",
            "content": [
                {"type": "text/plain", "value": "Hi Jo, it ships today."},
                {"type": "text/html", "value": "<p>Hi Jo, it ships today.</p>"}
            ],
            "headers": {
                "Message-ID": "<c_81f2.3@acme.test>",
                "In-Reply-To": "<m1@mail.example.org>",
                "References": "<m0@acme.test> <m1@mail.example.org>"
            }
        })
    );
    // Content order survives serialization: text/plain first.
    let raw = String::from_utf8(req.body.clone()).unwrap();
    assert!(raw.find("text/plain").unwrap() < raw.find("text/html").unwrap());
}

#[test]
fn sendgrid_html_only_has_no_empty_text_part() {
    let mut email = sample();
    email.text = String::new();
    let req = build_send(
        EmailProvider::Sendgrid,
        "https://api.sendgrid.com",
        "k",
        &email,
    );
    assert_eq!(
        body(&req)["content"],
        json!([{"type": "text/html", "value": "<p>Hi Jo, it ships today.</p>"}])
    );
}

#[test]
fn postmark_request() {
    let mut email = sample();
    email.to.push(Address::named("sam@example.org", "Doe, Sam"));
    let req = build_send(
        EmailProvider::Postmark,
        "https://api.postmarkapp.com",
        "pm-token",
        &email,
    );
    assert_eq!(req.url, "https://api.postmarkapp.com/email");
    assert_eq!(header(&req, "x-postmark-server-token"), Some("pm-token"));
    assert_eq!(header(&req, "accept"), Some("application/json"));
    assert_eq!(header(&req, "content-type"), Some("application/json"));
    assert_eq!(
        body(&req),
        json!({
            "From": "Acme Support <support@acme.test>",
            "To": "Jo <jo@example.org>, \"Doe, Sam\" <sam@example.org>",
            "ReplyTo": "reply+c_81f2@in.acme.test",
            "Subject": "Re: Order 1142 late",
            "TextBody": "Hi Jo, it ships today.",
            "HtmlBody": "<p>Hi Jo, it ships today.</p>",
            "MessageStream": "outbound",
            "Headers": [
                {"Name": "Message-ID", "Value": "<c_81f2.3@acme.test>"},
                {"Name": "In-Reply-To", "Value": "<m1@mail.example.org>"},
                {"Name": "References", "Value": "<m0@acme.test> <m1@mail.example.org>"}
            ]
        })
    );
}

#[test]
fn resend_request() {
    let req = build_send(
        EmailProvider::Resend,
        "https://api.resend.com",
        "re_123",
        &sample(),
    );
    assert_eq!(req.url, "https://api.resend.com/emails");
    assert_eq!(header(&req, "authorization"), Some("Bearer re_123"));
    assert_eq!(header(&req, "idempotency-key"), Some("outbox-42"));
    assert_eq!(header(&req, "content-type"), Some("application/json"));
    assert_eq!(
        body(&req),
        json!({
            "from": "Acme Support <support@acme.test>",
            "to": ["jo@example.org"],
            "reply_to": "reply+c_81f2@in.acme.test",
            "subject": "Re: Order 1142 late",
            "text": "Hi Jo, it ships today.",
            "html": "<p>Hi Jo, it ships today.</p>",
            "headers": {
                "Message-ID": "<c_81f2.3@acme.test>",
                "In-Reply-To": "<m1@mail.example.org>",
                "References": "<m0@acme.test> <m1@mail.example.org>"
            }
        })
    );
}

#[test]
fn resend_long_idempotency_key_is_hashed() {
    let mut email = sample();
    email.idempotency_key = "k".repeat(300);
    let req = build_send(
        EmailProvider::Resend,
        "https://api.resend.com",
        "re",
        &email,
    );
    let key = header(&req, "idempotency-key").unwrap();
    assert_eq!(key.len(), 64);
    let again = build_send(
        EmailProvider::Resend,
        "https://api.resend.com",
        "re",
        &email,
    );
    assert_eq!(header(&again, "idempotency-key"), Some(key));
}

#[test]
fn minimal_email_omits_optional_fields() {
    let email = OutboundEmail {
        from: Address::new("support@acme.test"),
        to: vec![Address::new("jo@example.org")],
        reply_to: None,
        subject: "Hello".into(),
        text: "Hi".into(),
        html: None,
        message_id: String::new(),
        in_reply_to: None,
        references: vec![],
        idempotency_key: String::new(),
    };
    for p in EmailProvider::ALL {
        let req = build_send(p, p.default_base_url(), "k", &email);
        let b = body(&req);
        let obj = b.as_object().unwrap();
        for key in [
            "headers",
            "Headers",
            "replyTo",
            "reply_to",
            "ReplyTo",
            "htmlContent",
            "html",
            "HtmlBody",
        ] {
            assert!(!obj.contains_key(key), "{p}: {key} present");
        }
        assert_eq!(header(&req, "idempotency-key"), None);
    }
    let req = build_send(
        EmailProvider::Postmark,
        "https://api.postmarkapp.com",
        "k",
        &email,
    );
    assert_eq!(body(&req)["From"], "support@acme.test");
}

#[test]
fn header_injection_is_neutralized() {
    let mut email = sample();
    email.subject = "Hi\r\nBcc: victim@example.org".into();
    email.in_reply_to = Some("<a@b>\r\nX-Evil: 1".into());
    email.from.name = Some("Acme\nSupport".into());
    for p in EmailProvider::ALL {
        let req = build_send(p, p.default_base_url(), "key\r\nx: y", &email);
        let raw = String::from_utf8(req.body.clone()).unwrap();
        assert!(!raw.contains("\\r") && !raw.contains("\\n"), "{p}: {raw}");
        assert!(req.headers.iter().all(|(_, v)| !v.contains(['\r', '\n'])));
    }
}

#[test]
fn classify_success_reads_provider_ids() {
    let brevo = response(
        201,
        &[],
        r#"{"messageId":"<202603031002.123@smtp-relay.mailin.fr>"}"#,
    );
    assert_eq!(
        classify_send(EmailProvider::Brevo, &brevo, 0),
        SendOutcome::Sent {
            provider_message_id: Some("<202603031002.123@smtp-relay.mailin.fr>".into())
        }
    );
    let sendgrid = response(202, &[("x-message-id", "sg-abc123")], "");
    assert_eq!(
        classify_send(EmailProvider::Sendgrid, &sendgrid, 0),
        SendOutcome::Sent {
            provider_message_id: Some("sg-abc123".into())
        }
    );
    let postmark = response(
        200,
        &[],
        r#"{"To":"jo@example.org","SubmittedAt":"2026-03-03T10:02:11Z","MessageID":"0a129aee-e1cd-480d-b08d-4f48548ff48d","ErrorCode":0,"Message":"OK"}"#,
    );
    assert_eq!(
        classify_send(EmailProvider::Postmark, &postmark, 0),
        SendOutcome::Sent {
            provider_message_id: Some("0a129aee-e1cd-480d-b08d-4f48548ff48d".into())
        }
    );
    let resend = response(200, &[], r#"{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}"#);
    assert_eq!(
        classify_send(EmailProvider::Resend, &resend, 0),
        SendOutcome::Sent {
            provider_message_id: Some("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794".into())
        }
    );
    // A success without an id (or with an unreadable body) is still a success.
    assert_eq!(
        classify_send(EmailProvider::Resend, &response(200, &[], "not json"), 0),
        SendOutcome::Sent {
            provider_message_id: None
        }
    );
    assert_eq!(
        classify_send(EmailProvider::Sendgrid, &response(202, &[], ""), 0),
        SendOutcome::Sent {
            provider_message_id: None
        }
    );
}

fn permanent(outcome: SendOutcome) -> String {
    match outcome {
        SendOutcome::Permanent { error } => error,
        other => panic!("expected Permanent, got {other:?}"),
    }
}

fn retry(outcome: SendOutcome) -> (Option<u64>, String) {
    match outcome {
        SendOutcome::Retry { after_secs, error } => (after_secs, error),
        other => panic!("expected Retry, got {other:?}"),
    }
}

#[test]
fn classify_client_errors_are_permanent() {
    let e = permanent(classify_send(
        EmailProvider::Brevo,
        &response(
            400,
            &[],
            r#"{"code":"invalid_parameter","message":"email is not valid in to"}"#,
        ),
        0,
    ));
    assert_eq!(
        e,
        "Brevo rejected the email (HTTP 400): email is not valid in to (invalid_parameter)"
    );

    let e = permanent(classify_send(
        EmailProvider::Sendgrid,
        &response(
            401,
            &[],
            r#"{"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked","field":null,"help":null}]}"#,
        ),
        0,
    ));
    assert_eq!(
        e,
        "SendGrid refused the API key (HTTP 401): The provided authorization grant is invalid, expired, or revoked"
    );

    let e = permanent(classify_send(
        EmailProvider::Sendgrid,
        &response(
            400,
            &[],
            r#"{"errors":[{"message":"Invalid email","field":"from.email"},{"message":"Missing subject","field":"subject"}]}"#,
        ),
        0,
    ));
    assert_eq!(
        e,
        "SendGrid rejected the email (HTTP 400): Invalid email (from.email); Missing subject (subject)"
    );

    let e = permanent(classify_send(
        EmailProvider::Postmark,
        &response(
            422,
            &[],
            r#"{"ErrorCode":406,"Message":"You tried to send to recipient(s) that have been marked as inactive."}"#,
        ),
        0,
    ));
    assert!(
        e.starts_with("Postmark rejected the email (HTTP 422): You tried to send"),
        "{e}"
    );
    assert!(e.ends_with("(ErrorCode 406)"), "{e}");

    let e = permanent(classify_send(
        EmailProvider::Resend,
        &response(
            422,
            &[],
            r#"{"statusCode":422,"message":"Invalid `from` field.","name":"validation_error"}"#,
        ),
        0,
    ));
    assert_eq!(
        e,
        "Resend rejected the email (HTTP 422): Invalid `from` field. (validation_error)"
    );

    let e = permanent(classify_send(
        EmailProvider::Resend,
        &response(403, &[], ""),
        0,
    ));
    assert_eq!(e, "Resend refused the API key (HTTP 403).");

    // Proxies answer with HTML: not quoted.
    let e = permanent(classify_send(
        EmailProvider::Brevo,
        &response(404, &[], "<html>nope</html>"),
        0,
    ));
    assert_eq!(e, "Brevo rejected the email (HTTP 404).");

    // Resend reusing a key with a different payload is a caller bug.
    let e = permanent(classify_send(
        EmailProvider::Resend,
        &response(
            409,
            &[],
            r#"{"statusCode":409,"message":"Same idempotency key used with a different request payload","name":"invalid_idempotent_request"}"#,
        ),
        0,
    ));
    assert!(e.contains("invalid_idempotent_request"));
}

#[test]
fn long_provider_messages_are_shortened() {
    let long = format!(r#"{{"message":"{}"}}"#, "é".repeat(1000));
    let e = permanent(classify_send(
        EmailProvider::Brevo,
        &response(400, &[], &long),
        0,
    ));
    assert!(e.chars().count() < 400);
    assert!(e.ends_with('…'));
}

#[test]
fn classify_rate_limits() {
    let now = 1_772_532_000;
    // Retry-After in seconds.
    let (after, e) = retry(classify_send(
        EmailProvider::Resend,
        &response(
            429,
            &[("retry-after", "2"), ("ratelimit-reset", "1")],
            r#"{"statusCode":429,"message":"Too many requests","name":"rate_limit_exceeded"}"#,
        ),
        now,
    ));
    assert_eq!(after, Some(2));
    assert_eq!(
        e,
        "Resend is rate limiting sends (HTTP 429): Too many requests (rate_limit_exceeded)"
    );
    // Retry-After as an HTTP-date.
    let date = "Tue, 03 Mar 2026 10:01:30 GMT";
    let at = parse_http_date(date).unwrap();
    let (after, _) = retry(classify_send(
        EmailProvider::Postmark,
        &response(429, &[("retry-after", date)], ""),
        at - 90,
    ));
    assert_eq!(after, Some(90));
    // A date in the past means now.
    let (after, _) = retry(classify_send(
        EmailProvider::Postmark,
        &response(429, &[("retry-after", date)], ""),
        at + 5,
    ));
    assert_eq!(after, Some(0));
    // Provider reset headers when Retry-After is absent.
    let (after, _) = retry(classify_send(
        EmailProvider::Brevo,
        &response(429, &[("x-sib-ratelimit-reset", "7")], ""),
        now,
    ));
    assert_eq!(after, Some(7));
    let (after, e) = retry(classify_send(
        EmailProvider::Sendgrid,
        &response(
            429,
            &[("x-ratelimit-reset", &(now + 42).to_string())],
            r#"{"errors":[{"field":null,"message":"too many requests"}]}"#,
        ),
        now,
    ));
    assert_eq!(after, Some(42));
    assert_eq!(
        e,
        "SendGrid is rate limiting sends (HTTP 429): too many requests"
    );
    let (after, _) = retry(classify_send(
        EmailProvider::Resend,
        &response(429, &[("ratelimit-reset", "1")], ""),
        now,
    ));
    assert_eq!(after, Some(1));
    let (after, e) = retry(classify_send(
        EmailProvider::Postmark,
        &response(429, &[], ""),
        now,
    ));
    assert_eq!(after, None);
    assert_eq!(e, "Postmark is rate limiting sends (HTTP 429).");
    // Postmark's 422 carrying ErrorCode 429.
    let (after, e) = retry(classify_send(
        EmailProvider::Postmark,
        &response(
            422,
            &[],
            r#"{"ErrorCode":429,"Message":"Rate limit exceeded."}"#,
        ),
        now,
    ));
    assert_eq!(after, None);
    assert_eq!(
        e,
        "Postmark is rate limiting sends (HTTP 422): Rate limit exceeded. (ErrorCode 429)"
    );
    // Garbage headers are ignored.
    let (after, _) = retry(classify_send(
        EmailProvider::Brevo,
        &response(
            429,
            &[("retry-after", "soon"), ("x-sib-ratelimit-reset", "-3")],
            "",
        ),
        now,
    ));
    assert_eq!(after, None);
}

#[test]
fn classify_server_errors_retry() {
    let (after, e) = retry(classify_send(
        EmailProvider::Sendgrid,
        &response(500, &[], ""),
        0,
    ));
    assert_eq!(after, None);
    assert_eq!(e, "SendGrid failed temporarily (HTTP 500).");
    let (after, e) = retry(classify_send(
        EmailProvider::Brevo,
        &response(503, &[("retry-after", "120")], "Service Unavailable"),
        0,
    ));
    assert_eq!(after, Some(120));
    assert_eq!(
        e,
        "Brevo failed temporarily (HTTP 503): Service Unavailable"
    );
    let (_, e) = retry(classify_send(
        EmailProvider::Resend,
        &response(
            409,
            &[],
            r#"{"statusCode":409,"message":"Same idempotency key used while original request is still in progress","name":"concurrent_idempotent_requests"}"#,
        ),
        0,
    ));
    assert!(e.contains("still in progress"));
    retry(classify_send(
        EmailProvider::Postmark,
        &response(500, &[], r#"{"ErrorCode":100,"Message":"Maintenance"}"#),
        0,
    ));
    retry(classify_send(
        EmailProvider::Resend,
        &response(408, &[], ""),
        0,
    ));
}

#[test]
fn unexpected_statuses_are_permanent() {
    let e = permanent(classify_send(
        EmailProvider::Brevo,
        &response(302, &[("location", "x")], ""),
        0,
    ));
    assert_eq!(e, "Brevo answered with unexpected HTTP status 302.");
}

#[test]
fn http_dates() {
    assert_eq!(
        parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(784_111_777)
    );
    assert_eq!(
        parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
        Some(784_111_777)
    );
    assert_eq!(
        parse_http_date("Sun Nov  6 08:49:37 1994"),
        Some(784_111_777)
    );
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(
        parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"),
        Some(1_835_481_599)
    );
    assert_eq!(parse_http_date("garbage"), None);
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"), None);
    assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
    assert_eq!(
        parse_http_date("Sun, 99999999999999999999 Nov 1994 08:49:37 GMT"),
        None
    );
}
