//! The telephony fakes against the sans-I/O module: every signed sample
//! passes its provider's verifier and parses as the event it stands for;
//! tampered, re-signed or unsigned ones fail; every registration and fetch
//! request the module builds works against the fake API, including the
//! errors a person has to act on. Native: no runner, no wasm.

use std::io::{Read, Write};
use std::net::TcpStream;

use baton_e2e::fakes::voice::{
    self as fakes, FakeAircall, FakeDialpad, FakeQuo, FakeRingCentral, FakeVonage, HttpFake,
    RenewalMode, Reply, SampleCall, SignedRequest,
};
use baton_providers::voice::{
    ApiError, Direction, FollowUpKind, VerifyError, VoiceEvent, VoiceEventKind, WebhookRequest,
    aircall, dialpad, quo, ringcentral, twilio, vonage,
};
use serde_json::{Value, json};

const HOOK: &str = "https://baton.example.com/hooks/voice";

fn as_webhook(s: &SignedRequest) -> WebhookRequest<'_> {
    WebhookRequest {
        method: &s.method,
        url: &s.url,
        headers: &s.headers,
        body: &s.body,
    }
}

fn voicemail_of(e: &VoiceEvent) -> (Option<String>, Option<u64>, Option<String>) {
    match &e.kind {
        VoiceEventKind::Voicemail {
            recording_url,
            duration_secs,
            transcript,
        } => (recording_url.clone(), *duration_secs, transcript.clone()),
        other => panic!("not a voicemail: {other:?}"),
    }
}

#[test]
fn http_fake_speaks_http11() {
    let fake = HttpFake::start(|req| Reply::text(200, &format!("{} {}", req.method, req.text())));
    let mut s = TcpStream::connect(("127.0.0.1", fake.port)).unwrap();
    // Two requests on one connection: chunked, then Expect: 100-continue.
    s.write_all(
        b"POST /a?x=1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
    )
    .unwrap();
    s.write_all(b"PUT /b HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.contains("POST hello world"), "{out}");
    assert!(out.contains("HTTP/1.1 100 Continue"), "{out}");
    assert!(out.contains("PUT abc"), "{out}");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!((reqs[0].path(), reqs[0].target.as_str()), ("/a", "/a?x=1"));
    assert_eq!(reqs[1].header("expect"), Some("100-continue"));

    // Garbage gets a 400, not a hang.
    let mut s = TcpStream::connect(("127.0.0.1", fake.port)).unwrap();
    s.write_all(b"NONSENSE\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 400"), "{out}");

    // Scripted failures come first, then the handler again.
    fake.fail_rate_limited(Some("/a"), 7);
    let r = fakes::send(&baton_providers::http::HttpRequest {
        method: "GET",
        url: format!("{}/b", fake.base()),
        headers: vec![],
        body: vec![],
    });
    assert_eq!(r.status, 200, "the failure is only for /a");
    let r = fakes::send(&baton_providers::http::HttpRequest {
        method: "GET",
        url: format!("{}/a", fake.base()),
        headers: vec![],
        body: vec![],
    });
    assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
}

#[test]
fn twilio_samples_verify_and_parse() {
    let url = format!("{HOOK}/twilio/line-1");
    let token = "twilio-auth-token";
    let c = SampleCall::new("CA0001");

    let ring = fakes::twilio::incoming_call(&url, token, &c);
    assert_eq!(twilio::verify(&as_webhook(&ring), token), Ok(()));
    assert_eq!(
        twilio::parse(&as_webhook(&ring)).unwrap().kind,
        VoiceEventKind::IncomingCall
    );

    let rec = fakes::twilio::recording(&url, token, &c);
    assert_eq!(twilio::verify(&as_webhook(&rec), token), Ok(()));
    let e = twilio::parse(&as_webhook(&rec)).unwrap();
    assert_eq!(
        (e.call_id.as_str(), e.from_number.as_deref()),
        ("CA0001", Some("+14155550111"))
    );
    assert_eq!(
        voicemail_of(&e),
        (Some(c.recording_url.clone()), Some(21), None)
    );

    let late = fakes::twilio::transcription(&url, token, &c);
    assert_eq!(twilio::verify(&as_webhook(&late), token), Ok(()));
    let t = twilio::parse(&as_webhook(&late)).unwrap();
    assert_eq!(
        t.call_id, e.call_id,
        "the late transcript finds its voicemail"
    );
    assert_eq!(
        t.kind,
        VoiceEventKind::TranscriptReady {
            transcript: c.transcript.clone()
        }
    );

    let done = fakes::twilio::call_completed(&url, token, &c);
    assert_eq!(twilio::verify(&as_webhook(&done), token), Ok(()));
    assert!(matches!(
        twilio::parse(&as_webhook(&done)).unwrap().kind,
        VoiceEventKind::CallCompleted {
            duration_secs: Some(21),
            ..
        }
    ));

    // Retries are byte-identical: same event id.
    assert_eq!(
        twilio::parse(&as_webhook(&rec.clone())).unwrap().event_id,
        e.event_id
    );
    assert_eq!(
        twilio::verify(&as_webhook(&rec.tampered()), token),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        twilio::verify(&as_webhook(&rec), "other-token"),
        Err(VerifyError::Mismatch)
    );
    let mut elsewhere = rec.clone();
    elsewhere.url = format!("{HOOK}/twilio/line-2");
    assert_eq!(
        twilio::verify(&as_webhook(&elsewhere), token),
        Err(VerifyError::Mismatch)
    );
    let mut unsigned = rec.clone();
    unsigned
        .headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case("x-twilio-signature"));
    assert!(matches!(
        twilio::verify(&as_webhook(&unsigned), token),
        Err(VerifyError::Missing(_))
    ));
}

#[test]
fn vonage_samples_verify_and_parse() {
    let url = format!("{HOOK}/vonage/line-1");
    let line = vonage::Verifier {
        signature_secret: "vonage-signature-secret",
        application_id: "app-0001",
        api_key: None,
    };
    let now = 1_772_532_400;
    let c = SampleCall::new("CON-0001");

    let rec = fakes::vonage::recording(&url, line.signature_secret, line.application_id, now, &c);
    assert!(vonage::verify(&as_webhook(&rec), &line, now).is_ok());
    let e = vonage::parse(&as_webhook(&rec)).unwrap();
    assert_eq!(
        (e.call_id.as_str(), e.from_number.as_deref()),
        ("CON-0001", Some("+14155550111"))
    );
    assert_eq!(
        voicemail_of(&e),
        (Some(c.recording_url.clone()), Some(21), None)
    );

    // The transcript lives behind transcription_url, fetched with an
    // application JWT (RS256) from the fake media API.
    let media = FakeVonage::start(line.application_id);
    let file_url = media.set_file("tr-1", fakes::vonage::transcript_document(&c));
    let late = fakes::vonage::transcription(
        &url,
        line.signature_secret,
        line.application_id,
        now,
        &c,
        &file_url,
    );
    assert!(vonage::verify(&as_webhook(&late), &line, now).is_ok());
    let t = vonage::parse(&as_webhook(&late)).unwrap();
    assert_eq!(t.call_id, e.call_id);
    assert_eq!(t.kind, VoiceEventKind::TranscriptToFetch);
    let jwt = vonage::application_jwt(TEST_KEY, line.application_id, now, "jti-1").unwrap();
    let follow_up = t.follow_up.unwrap();
    let resp = fakes::send(&vonage::follow_up_request(&follow_up, &jwt));
    assert_eq!(
        vonage::parse_follow_up(&resp).unwrap().as_deref(),
        Some(c.transcript.as_str())
    );
    let other_app = vonage::application_jwt(TEST_KEY, "app-other", now, "jti-2").unwrap();
    let resp = fakes::send(&vonage::follow_up_request(&follow_up, &other_app));
    assert!(matches!(
        vonage::parse_follow_up(&resp),
        Err(ApiError::BadCredentials(_))
    ));

    let done =
        fakes::vonage::call_completed(&url, line.signature_secret, line.application_id, now, &c);
    assert!(vonage::verify(&as_webhook(&done), &line, now).is_ok());
    assert!(matches!(
        vonage::parse(&as_webhook(&done)).unwrap().kind,
        VoiceEventKind::CallCompleted {
            direction: Direction::Inbound,
            ..
        }
    ));

    assert_eq!(
        vonage::verify(&as_webhook(&rec.tampered()), &line, now),
        Err(VerifyError::Mismatch)
    );
    let wrong = vonage::Verifier {
        signature_secret: "another-secret",
        ..line
    };
    assert_eq!(
        vonage::verify(&as_webhook(&rec), &wrong, now),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        vonage::verify(&as_webhook(&rec), &line, now + 3600),
        Err(VerifyError::Stale)
    );
}

#[test]
fn aircall_samples_and_api() {
    let fake = FakeAircall::start("api-id", "api-token");
    let url = format!("{HOOK}/aircall/line-1");

    // Registration answers the token deliveries will carry.
    let req =
        aircall::create_webhook_request(&fake.server.base(), "api-id", "api-token", &url, "Baton");
    let hook = aircall::parse_create_webhook(&fakes::send(&req)).unwrap();
    assert_eq!(hook.secret.as_deref(), Some(fake.token.as_str()));
    let calls = fake.server.requests_to("POST", "/v1/webhooks");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].json()["url"], url.as_str());
    assert_eq!(calls[0].json()["events"], json!(aircall::EVENTS));

    let bad =
        aircall::create_webhook_request(&fake.server.base(), "api-id", "wrong", &url, "Baton");
    assert!(matches!(
        aircall::parse_create_webhook(&fakes::send(&bad)),
        Err(ApiError::BadCredentials(_))
    ));
    fake.server.fail_rate_limited(Some("/v1/webhooks"), 30);
    assert_eq!(
        aircall::parse_create_webhook(&fakes::send(&req)),
        Err(ApiError::RateLimited {
            retry_after_secs: Some(30)
        })
    );
    fake.server.fail_server_error(None);
    let e = aircall::parse_create_webhook(&fakes::send(&req)).unwrap_err();
    assert!(e.is_transient(), "{e}");

    let token = hook.secret.unwrap();
    let c = SampleCall::new("9911");
    let vm = fakes::aircall::voicemail_left(&url, &token, c.ended_at, &c);
    assert_eq!(aircall::verify(&as_webhook(&vm), &token), Ok(()));
    assert_eq!(
        aircall::verify(&as_webhook(&vm), "someone-elses-token"),
        Err(VerifyError::Mismatch)
    );
    let e = aircall::parse(&as_webhook(&vm), &fake.server.base()).unwrap();
    assert_eq!(e.event_id, "voicemail:9911");
    assert_eq!(
        voicemail_of(&e),
        (Some(c.recording_url.clone()), Some(21), None)
    );

    let late = fakes::aircall::transcription_created(&url, &token, c.ended_at + 60, &c);
    assert_eq!(aircall::verify(&as_webhook(&late), &token), Ok(()));
    let t = aircall::parse(&as_webhook(&late), &fake.server.base()).unwrap();
    assert_eq!(
        (t.call_id.as_str(), &t.kind),
        (
            "9911",
            &VoiceEventKind::TranscriptReady {
                transcript: c.transcript.clone()
            }
        )
    );

    // The fetch path, for a transcription.created without content.
    fake.set_transcription("9911", fakes::aircall::transcription_document(&c));
    let f = baton_providers::voice::FollowUp {
        what: FollowUpKind::Transcript,
        url: format!("{}/v1/calls/9911/transcription", fake.server.base()),
    };
    let resp = fakes::send(&aircall::follow_up_request(&f, "api-id", "api-token"));
    assert_eq!(
        aircall::parse_follow_up(&resp).unwrap().as_deref(),
        Some(c.transcript.as_str())
    );

    let del = aircall::delete_webhook_request(&fake.server.base(), "api-id", "api-token", &hook.id);
    assert_eq!(aircall::parse_delete_webhook(&fakes::send(&del)), Ok(()));

    let done = fakes::aircall::call_ended(&url, &token, c.ended_at + 30, &c);
    assert!(matches!(
        aircall::parse(&as_webhook(&done), &fake.server.base())
            .unwrap()
            .kind,
        VoiceEventKind::CallCompleted { .. }
    ));
}

#[test]
fn dialpad_samples_and_api() {
    let fake = FakeDialpad::start("dp-api-key");
    let url = format!("{HOOK}/dialpad/line-1");
    let secret = "dp-webhook-secret";

    let req = dialpad::create_webhook_request(&fake.server.base(), "dp-api-key", &url, secret);
    let hook = dialpad::parse_create_webhook(&fakes::send(&req)).unwrap();
    let sub = dialpad::create_call_subscription_request(
        &fake.server.base(),
        "dp-api-key",
        &hook.id,
        dialpad::TargetType::CallCenter,
        "4242",
    );
    let sub_id = dialpad::parse_create_call_subscription(&fakes::send(&sub)).unwrap();
    assert!(!sub_id.is_empty());
    let recorded = fake
        .server
        .requests_to("POST", "/api/v2/subscriptions/call");
    assert_eq!(recorded[0].json()["endpoint_id"].to_string(), hook.id);
    assert_eq!(recorded[0].json()["target_type"], "call_center");
    assert_eq!(
        fake.server.requests_to("POST", "/api/v2/webhooks")[0].json()["secret"],
        secret
    );
    let bad = dialpad::create_webhook_request(&fake.server.base(), "wrong", &url, secret);
    assert_eq!(
        dialpad::parse_create_webhook(&fakes::send(&bad)),
        Err(ApiError::BadCredentials("Invalid API key".into()))
    );
    fake.server.fail_rate_limited(None, 2);
    assert_eq!(
        dialpad::parse_create_call_subscription(&fakes::send(&sub)),
        Err(ApiError::RateLimited {
            retry_after_secs: Some(2)
        })
    );

    let c = SampleCall::new("5635304278851584");
    let now = c.ended_at + 5;
    let vm = fakes::dialpad::voicemail(&url, secret, &c, false);
    let claims = dialpad::verify(&as_webhook(&vm), secret, now).unwrap();
    let e = dialpad::parse(&claims).unwrap();
    assert_eq!(
        voicemail_of(&e),
        (Some(c.recording_url.clone()), Some(21), None)
    );
    let late = fakes::dialpad::transcription(&url, secret, &c);
    let t = dialpad::parse(&dialpad::verify(&as_webhook(&late), secret, now).unwrap()).unwrap();
    assert_eq!(t.call_id, e.call_id);
    assert!(matches!(t.kind, VoiceEventKind::TranscriptReady { .. }));
    let hang = fakes::dialpad::hangup(&url, secret, &c);
    let h = dialpad::parse(&dialpad::verify(&as_webhook(&hang), secret, now).unwrap()).unwrap();
    assert!(matches!(h.kind, VoiceEventKind::CallCompleted { .. }));

    assert_eq!(
        dialpad::verify(&as_webhook(&vm.tampered()), secret, now),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        dialpad::verify(&as_webhook(&vm), "other", now),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn quo_samples_and_api() {
    let fake = FakeQuo::start("quo-api-key");
    let url = format!("{HOOK}/quo/line-1");
    let req =
        quo::create_webhook_request(&fake.server.base(), "quo-api-key", &url, "Baton: Support");
    let hook = quo::parse_create_webhook(&fakes::send(&req)).unwrap();
    let whsec = hook.secret.unwrap();
    assert_eq!(whsec, fake.whsec);
    let recorded = fake.server.requests_to("POST", "/webhooks");
    assert_eq!(
        recorded[0].header("x-quo-api-version"),
        Some(quo::API_VERSION)
    );
    assert_eq!(recorded[0].json()["events"], json!(quo::EVENTS));
    let bad = quo::create_webhook_request(&fake.server.base(), "nope", &url, "Baton");
    assert!(matches!(
        quo::parse_create_webhook(&fakes::send(&bad)),
        Err(ApiError::BadCredentials(_))
    ));

    let c = SampleCall::new("AC0001");
    let now = c.ended_at + 2;
    let vm = fakes::quo::voicemail(&url, &whsec, now, &c, false);
    assert_eq!(quo::verify(&as_webhook(&vm), &whsec, now), Ok(()));
    let e = quo::parse(&as_webhook(&vm), &fake.server.base()).unwrap();
    assert_eq!(
        voicemail_of(&e),
        (Some(c.recording_url.clone()), Some(21), None)
    );
    let late = fakes::quo::transcript(&url, &whsec, now + 60, &c);
    assert_eq!(quo::verify(&as_webhook(&late), &whsec, now + 60), Ok(()));
    let t = quo::parse(&as_webhook(&late), &fake.server.base()).unwrap();
    assert_eq!(t.call_id, e.call_id);
    assert!(matches!(t.kind, VoiceEventKind::TranscriptReady { .. }));

    assert_eq!(
        quo::verify(&as_webhook(&vm.tampered()), &whsec, now),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        quo::verify(&as_webhook(&vm), &whsec, now + 3600),
        Err(VerifyError::Stale)
    );

    // A legacy webhook made in the Quo app: openphone-signature, and the
    // transcript fetched from the API.
    let legacy_key = "bGVnYWN5LXNpZ25pbmcta2V5";
    let old = fakes::quo::legacy_voicemail(&url, legacy_key, now, &c);
    assert_eq!(quo::verify(&as_webhook(&old), legacy_key, now), Ok(()));
    assert_eq!(
        quo::verify(&as_webhook(&old.tampered()), legacy_key, now),
        Err(VerifyError::Mismatch)
    );
    let e = quo::parse(&as_webhook(&old), &fake.server.base()).unwrap();
    fake.set_voicemail("AC0001", fakes::quo::voicemail_document(&c));
    let resp = fakes::send(&quo::follow_up_request(
        &e.follow_up.unwrap(),
        "quo-api-key",
    ));
    assert_eq!(
        quo::parse_follow_up(&resp).unwrap().as_deref(),
        Some(c.transcript.as_str())
    );
}

#[test]
fn ringcentral_subscription_renewal_and_voicemail() {
    let fake = FakeRingCentral::start("rc-client", "rc-secret", "rc-user-jwt");
    let base = fake.server.base();
    let webhook = fakes::echoing_webhook();
    let address = format!("{}/hooks/voice/ringcentral/line-1", webhook.base());

    let bad = ringcentral::token_request(&base, "rc-client", "rc-secret", "expired-jwt");
    assert!(matches!(
        ringcentral::parse_token(&fakes::send(&bad)),
        Err(ApiError::BadCredentials(_))
    ));
    let tok = ringcentral::parse_token(&fakes::send(&ringcentral::token_request(
        &base,
        "rc-client",
        "rc-secret",
        "rc-user-jwt",
    )))
    .unwrap();
    assert_eq!(tok.access_token, fake.access_token);

    // Creating validates the address first (the fake does the handshake).
    let create =
        ringcentral::create_subscription_request(&base, &tok.access_token, &address, "vt-1");
    let sub = ringcentral::parse_subscription(&fakes::send(&create)).unwrap();
    assert!(sub.is_active());
    assert_eq!(
        sub.expires_at_unix,
        1_772_532_000 + ringcentral::SUBSCRIPTION_TTL_SECS as i64
    );
    let handshakes = webhook.requests();
    assert_eq!(handshakes.len(), 1);
    assert!(handshakes[0].header("validation-token").is_some());
    let silent = HttpFake::start(|_| Reply::empty(200));
    let create_silent = ringcentral::create_subscription_request(
        &base,
        &tok.access_token,
        &format!("{}/hook", silent.base()),
        "vt-1",
    );
    assert!(matches!(
        ringcentral::parse_subscription(&fakes::send(&create_silent)),
        Err(ApiError::Provider { status: 400, .. })
    ));

    // Renewal ahead of expiry.
    let later = sub.expires_at_unix - 3600;
    assert!(ringcentral::needs_renewal(sub.expires_at_unix, later));
    fake.set_now(later);
    let renew = ringcentral::renew_request(&base, &tok.access_token, &sub.id);
    let renewed = ringcentral::parse_subscription(&fakes::send(&renew)).unwrap();
    assert_eq!(renewed.id, sub.id);
    assert!(renewed.expires_at_unix > sub.expires_at_unix);
    assert!(!ringcentral::needs_renewal(renewed.expires_at_unix, later));
    assert_eq!(fake.subscriptions()[0].2, renewed.expires_at_unix);

    // Renewal failures: what the line's warning shows.
    fake.set_renewal(RenewalMode::NotFound);
    assert!(matches!(
        ringcentral::parse_subscription(&fakes::send(&renew)),
        Err(ApiError::NotFound(_))
    ));
    fake.set_renewal(RenewalMode::Unauthorized);
    assert!(matches!(
        ringcentral::parse_subscription(&fakes::send(&renew)),
        Err(ApiError::BadCredentials(_))
    ));
    fake.set_renewal(RenewalMode::ServerError);
    assert!(
        ringcentral::parse_subscription(&fakes::send(&renew))
            .unwrap_err()
            .is_transient()
    );
    fake.server
        .fail_rate_limited(Some("/restapi/v1.0/subscription"), 60);
    assert_eq!(
        ringcentral::parse_subscription(&fakes::send(&renew)),
        Err(ApiError::RateLimited {
            retry_after_secs: Some(60)
        })
    );

    // Handshake and notifications at the line's webhook.
    let url = format!("{HOOK}/ringcentral/line-1");
    let hello = fakes::ringcentral::validation(&url, "vt-abc");
    assert_eq!(ringcentral::handshake(&as_webhook(&hello)), Some("vt-abc"));
    let c = SampleCall::new("11100022");
    let vm = fakes::ringcentral::voicemail(&url, "vt-1", &base, &c, "InProgress");
    assert_eq!(ringcentral::handshake(&as_webhook(&vm)), None);
    assert_eq!(ringcentral::verify(&as_webhook(&vm), "vt-1"), Ok(()));
    assert_eq!(
        ringcentral::verify(
            &as_webhook(&vm.with_header("Verification-Token", "vt-2")),
            "vt-1"
        ),
        Err(VerifyError::Mismatch)
    );
    let e = ringcentral::parse(&as_webhook(&vm), &base).unwrap();
    assert_eq!(e.from_number.as_deref(), Some("+14155550111"));
    let poll = e.follow_up.clone().unwrap();
    assert_eq!(poll.what, FollowUpKind::Message);

    // Late transcript: poll the message until transcription completes.
    fake.set_message(
        "11100022",
        fakes::ringcentral::message(&base, &c, "InProgress"),
    );
    let m = ringcentral::parse_message(
        &fakes::send(&ringcentral::follow_up_request(&poll, &tok.access_token)),
        &base,
    )
    .unwrap();
    assert_eq!(m.follow_up().map(|f| f.what), Some(FollowUpKind::Message));
    fake.set_message(
        "11100022",
        fakes::ringcentral::message(&base, &c, "Completed"),
    );
    fake.set_transcript("11100022", &c.transcript);
    let m = ringcentral::parse_message(
        &fakes::send(&ringcentral::follow_up_request(&poll, &tok.access_token)),
        &base,
    )
    .unwrap();
    let text_at = m.follow_up().unwrap();
    assert_eq!(text_at.what, FollowUpKind::Transcript);
    let text = ringcentral::parse_transcript(&fakes::send(&ringcentral::follow_up_request(
        &text_at,
        &tok.access_token,
    )))
    .unwrap();
    assert_eq!(text.as_deref(), Some(c.transcript.as_str()));

    let del = ringcentral::delete_subscription_request(&base, &tok.access_token, &sub.id);
    assert_eq!(ringcentral::parse_delete(&fakes::send(&del)), Ok(()));
    assert!(fake.subscriptions().is_empty());
}

#[test]
fn sample_bodies_are_the_documented_shapes() {
    let c = SampleCall::new("1");
    let vm = fakes::aircall::voicemail_left("https://h/x", "t", 1, &c);
    let v: Value = serde_json::from_slice(&vm.body).unwrap();
    for k in ["resource", "event", "timestamp", "token", "data"] {
        assert!(v.get(k).is_some(), "aircall envelope lacks {k}");
    }
    let dp = fakes::dialpad::voicemail("https://h/x", "s", &c, true);
    assert_eq!(
        dp.body.iter().filter(|b| **b == b'.').count(),
        2,
        "a compact JWT"
    );
    let rc = fakes::ringcentral::voicemail("https://h/x", "vt", "https://rc", &c, "Completed");
    let v: Value = serde_json::from_slice(&rc.body).unwrap();
    for k in [
        "uuid",
        "event",
        "timestamp",
        "subscriptionId",
        "ownerId",
        "body",
    ] {
        assert!(v.get(k).is_some(), "ringcentral envelope lacks {k}");
    }
    assert_eq!(v["body"]["attachments"][1]["type"], "AudioTranscription");
}

/// A throwaway RSA key made with `openssl genpkey` for these tests only.
const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC/BHOUsE2Z36rY\nybQVuytOxft8KYq3CDitKRrzXGYWlmZhe+ygGVqksdgRCJU89jwhDyUT8u60VS1k\neNGocfRsbe1G9D4XJOe9k2DQ3G9FoGONsuPPlZ26bPDmvLEHJe6nvCdGzLZ+iivK\nRXjKRlhWYApL7aX9MM1huVFWn0Ea0Fbc9J4vOdLnl3+zIpDT7zzhsoRiy5Sxd3u+\nWMhJvWM0nnxYjd22bHbUXC2BR914nIhQc44LX/uTbz2CtS1syhM3gp20ipJoZQPv\nJ9Cy8Mcd4kGx3SJwbPDFMYFoi+l98g53cxrLsHA8V45MueaXC/U9sGgiwOyeHcwi\nJn7joFKVAgMBAAECggEADX7cxKNNJEM1cKIVj1h9N5BM04mi04oo6PEHxqxfSRbA\nroABKJGKAitPeuqakqdJ+cL2aWmnPEXtUlUn6Oj+Lh/5HON6NIvmtJHiS/dbBDYP\n+o2qQzsMnQR/46lur3TaXu7v7nRdq2SLMfwFC/N638VizNkCOnh1dkNP0Bkp0iFJ\nSdxD7bS3PFHepsmu0aefOitdD0lJY1MIxtGskCOwYU3QS7LurcN4pjlGxM4buw3u\nlm+g54XMbqtfmxW0cgSepUCgdqCf6pf0xgSLieHMGwyLu7JVhlczVQXxV93L3P7Y\nkm84iOaAgeXW4i0dsD8O4c4mm8YDnfBhXAhqg2BQKQKBgQDp7g/KKyg7fxr4wMCZ\n1Vkwtdx7sOIotH2ql95/8tcmzwx+ms/qcmhAumqMemk1yb7tdcPboQ+NX99gOklO\nWkAFrz1FA7aujkr+2APvt4oiNEE7hre8Zf6FglQYg08RX6zGdyzJKhD0WBycULxt\nGzIVA7lL1sHWizWU43IwDEjRnQKBgQDRCfRjyBmqs6/ZsPi7HLGrtET8ScjDp+ss\nezlWvRYdYVgD/POvB1tIJ/awNn5sWXMY7vAItmFLxa/HQLECElQN9DwEtQZWpYsF\n9m7jddGn66cI8nxCMLTKtF743Ro/nb2ggKqPDN3ziqTAhx+4MEyl3PC+SGVZOXUM\nByNMGiBPWQKBgE1PcwJyjuJS2HwbX8u3WbmicNKkG6ouNFXbyRnqDLbzuIJi8ZHe\n65twwGPa1MiE+0eJIwiDyxsC81TfDnkJlJ0MVChp2McJmbltdKeVtd4l/OUKWdC2\nuI4xC0/qnYf1YalZm4CEGYRXVmVGvW8ljMCrMWLh/7/C1Bt3q7Y7aRl1AoGBAMQl\nehuS7Hqfptc21v4EG7cJLV4qAeeNjf+sFI6OWMzyxXrghOvslDutvC12xMP4Xya7\nNaKHN964vYrS6gUOm66ISTUFg9AT/9J1fXGT4UmWtqKPngch2tMF0sPj/DhLVF7h\nvKkEItPeeV9qq1nSgGl2WrPCDM9fObQykm1baovpAoGBAOLGGadwT8+QYJLBm/yZ\nLo4WwfCLWwUAaoki4d4IVN+xhpeQ/AcLeZN906ApdxVS0ry9UmnQv6kItXOnX9Xr\nMuAXy4msllX3zB0tQ6hrRWB6vKNUCRCKSw5V49R61WhdHQuWS5eDRfosoRs5/BCo\nGUuV+qgegkRpuTqABLLQdFXa\n-----END PRIVATE KEY-----";
