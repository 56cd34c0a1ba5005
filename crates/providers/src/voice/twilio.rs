//! Twilio Programmable Voice: the TwiML that records a voicemail with
//! transcription, `X-Twilio-Signature` verification, and the callbacks.
//!
//! Flow for a line: the number's voice URL is the line's webhook. Twilio
//! posts the ringing call there ([`VoiceEventKind::IncomingCall`]); the
//! component answers [`voicemail_twiml`]. `<Record>` then posts its
//! `action` (the recording: a [`VoiceEventKind::Voicemail`] without
//! transcript, answered with [`after_recording_twiml`]) and later its
//! `transcribeCallback` ([`VoiceEventKind::TranscriptReady`]). A status
//! callback for a completed call gives [`VoiceEventKind::CallCompleted`].
//!
//! Signature (Twilio, "Webhooks security"): base64 HMAC-SHA1 with the auth
//! token over the full URL followed, for form posts, by every parameter
//! name and value sorted by name. For JSON bodies the URL carries
//! `bodySHA256` (hex SHA-256 of the body) and only the URL is signed.
//! Twilio's own validators also try the URL with and without the default
//! port, because what Twilio signs differs between its services.

use super::common::{
    b64, b64_decode, ct_eq, form_get, hex, hmac_sha1, non_empty, normalize_phone, parse_form,
    sha256,
};
use super::{Direction, ParseError, VerifyError, VoiceEvent, VoiceEventKind, WebhookRequest};

pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

/// Verifies `X-Twilio-Signature` over `req.url` and the form parameters
/// (or `bodySHA256` for JSON bodies).
pub fn verify(req: &WebhookRequest<'_>, auth_token: &str) -> Result<(), VerifyError> {
    if auth_token.is_empty() {
        return Err(VerifyError::NoSecret);
    }
    let header = req
        .header(SIGNATURE_HEADER)
        .ok_or(VerifyError::Missing("X-Twilio-Signature"))?;
    let given = b64_decode(header).ok_or(VerifyError::Malformed("X-Twilio-Signature"))?;
    let query = req.query_pairs();
    let body_hash = query
        .iter()
        .find(|(k, _)| k == "bodySHA256")
        .map(|(_, v)| v.clone());
    // The signature must cover the body: as form parameters, or through
    // bodySHA256. Any other body would ride along unsigned.
    let params = match &body_hash {
        Some(_) => Vec::new(),
        None if is_form(req) => parse_form(req.body),
        None if req.body.iter().all(u8::is_ascii_whitespace) => Vec::new(),
        None => {
            return Err(VerifyError::Malformed(
                "body (neither form-encoded nor covered by bodySHA256)",
            ));
        }
    };
    let matched = url_variants(req.url)
        .iter()
        .any(|url| ct_eq(&given, &signature_bytes(auth_token, url, &params)));
    if !matched {
        return Err(VerifyError::Mismatch);
    }
    if let Some(expected) = body_hash {
        let actual = hex(&sha256(req.body));
        if !ct_eq(actual.as_bytes(), expected.to_ascii_lowercase().as_bytes()) {
            return Err(VerifyError::Mismatch);
        }
    }
    Ok(())
}

/// The signature Twilio computes for `url` and form `params`, base64.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    b64(&signature_bytes(auth_token, url, params))
}

fn signature_bytes(auth_token: &str, url: &str, params: &[(String, String)]) -> [u8; 20] {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Sorted by name, repeated names by value: byte order, as Twilio does.
    sorted.sort();
    let mut data = url.to_string();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    hmac_sha1(auth_token.as_bytes(), data.as_bytes())
}

fn is_form(req: &WebhookRequest<'_>) -> bool {
    req.method.eq_ignore_ascii_case("POST")
        && req.header("content-type").is_none_or(|ct| {
            ct.split(';').next().is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        })
}

/// The URL as given, plus the same URL with the scheme's default port added
/// (when absent) or removed (when present).
fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return out;
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return out,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    // Userinfo (basic auth in the URL) stays part of what is signed.
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    // The port separator is the last ':' after an IPv6 literal's ']'.
    let port_sep = match hostport.rfind(']') {
        Some(i) => hostport[i..].find(':').map(|j| i + j),
        None => hostport.rfind(':'),
    };
    match port_sep {
        Some(i) if &hostport[i + 1..] == default_port => {
            out.push(format!("{scheme}://{userinfo}{}{tail}", &hostport[..i]));
        }
        Some(_) => {}
        None => out.push(format!(
            "{scheme}://{userinfo}{hostport}:{default_port}{tail}"
        )),
    }
    out
}

/// Reads a verified callback. Form posts carry the parameters in the body;
/// a GET callback carries them in the query.
pub fn parse(req: &WebhookRequest<'_>) -> Result<VoiceEvent, ParseError> {
    let params = if req.method.eq_ignore_ascii_case("GET") {
        req.query_pairs()
    } else {
        parse_form(req.body)
    };
    let get = |name: &str| form_get(&params, name);
    let call_id = get("CallSid")
        .ok_or_else(|| ParseError("no CallSid".into()))?
        .to_string();
    let event = |event_id: String, kind: VoiceEventKind| VoiceEvent {
        event_id,
        kind,
        call_id: call_id.clone(),
        from_number: get("From").and_then(normalize_phone),
        to_number: get("To").and_then(normalize_phone),
        occurred_at_unix: 0,
        follow_up: None,
    };

    // transcribeCallback.
    if let Some(status) = get("TranscriptionStatus") {
        let sid = get("TranscriptionSid")
            .or(get("RecordingSid"))
            .ok_or_else(|| ParseError("transcription without TranscriptionSid".into()))?;
        let id = format!("transcription:{sid}");
        let text = non_empty(get("TranscriptionText").map(str::to_string));
        return Ok(match (status, text) {
            ("completed", Some(transcript)) => {
                event(id, VoiceEventKind::TranscriptReady { transcript })
            }
            _ => event(
                id,
                VoiceEventKind::Ignored {
                    what: format!("transcription {status}"),
                },
            ),
        });
    }

    // <Record> action or recordingStatusCallback: both name the recording,
    // so both share one event id and the second is a duplicate.
    if let Some(sid) = get("RecordingSid") {
        let id = format!("recording:{sid}");
        if let Some(status) = get("RecordingStatus")
            && status != "completed"
        {
            return Ok(event(
                id,
                VoiceEventKind::Ignored {
                    what: format!("recording {status}"),
                },
            ));
        }
        return Ok(event(
            id,
            VoiceEventKind::Voicemail {
                recording_url: get("RecordingUrl").map(str::to_string),
                duration_secs: get("RecordingDuration").and_then(|d| d.parse().ok()),
                transcript: None,
            },
        ));
    }

    let status = get("CallStatus").unwrap_or("");
    let direction = Direction::from_word(get("Direction").unwrap_or(""));
    match status {
        "completed" => Ok(event(
            format!("call:{call_id}:completed"),
            VoiceEventKind::CallCompleted {
                duration_secs: get("CallDuration").and_then(|d| d.parse().ok()),
                transcript: None,
                direction,
            },
        )),
        "ringing" | "in-progress" | "queued" if direction != Direction::Outbound => Ok(event(
            format!("call:{call_id}:incoming"),
            VoiceEventKind::IncomingCall,
        )),
        other => Ok(event(
            format!("call:{call_id}:{other}"),
            VoiceEventKind::Ignored {
                what: format!("call {other}"),
            },
        )),
    }
}

/// What the caller hears and how the recording is taken.
#[derive(Debug, Clone)]
pub struct VoicemailTwiml<'a> {
    /// Spoken before the beep (e.g. "You've reached Acme support…").
    pub greeting: &'a str,
    /// `<Record action>`: where the recording is posted.
    pub action_url: &'a str,
    /// `transcribeCallback`: where the transcript is posted.
    pub transcribe_callback_url: &'a str,
    /// Twilio transcribes recordings of at most 120 s; longer values are cut.
    pub max_length_secs: u32,
}

/// The answer to the voice URL: greeting, `<Record>` with transcription,
/// and a goodbye if nothing was recorded.
pub fn voicemail_twiml(opts: &VoicemailTwiml<'_>) -> String {
    let max = opts.max_length_secs.clamp(1, 120);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<Response>",
            "<Say>{greeting}</Say>",
            r#"<Record action="{action}" method="POST" maxLength="{max}" playBeep="true" "#,
            r##"finishOnKey="#" transcribe="true" transcribeCallback="{cb}"/>"##,
            "<Say>We did not receive a message. Goodbye.</Say>",
            "<Hangup/>",
            "</Response>"
        ),
        greeting = xml_escape(opts.greeting),
        action = xml_escape(opts.action_url),
        max = max,
        cb = xml_escape(opts.transcribe_callback_url),
    )
}

/// The answer to the `<Record action>` callback: thank and hang up (without
/// it Twilio would request the voice URL again).
pub fn after_recording_twiml() -> String {
    concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "<Response><Say>Thank you. Goodbye.</Say><Hangup/></Response>"
    )
    .to_string()
}

/// An empty TwiML document: the answer to every other callback.
pub fn empty_twiml() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#.to_string()
}

/// Escapes text and attribute values; drops characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::common::form_encode;

    fn headers(sig: &str, ct: &str) -> Vec<(String, String)> {
        vec![
            ("X-Twilio-Signature".into(), sig.into()),
            ("Content-Type".into(), ct.into()),
        ]
    }

    const FORM: &str = "application/x-www-form-urlencoded";

    /// Twilio's worked example ("Webhooks security"): auth token `12345`,
    /// URL `https://mycompany.com/myapp.php?foo=1&bar=2`, five parameters,
    /// signature `0/KCTR6DLpKmkAf8muzZqo1nDgQ=` (also checked with
    /// Python's `hmac` module on this machine).
    #[test]
    fn twilio_docs_known_answer() {
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            signature("12345", url, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );

        // The same as an arriving request, parameters out of order.
        let body = b"To=%2B18005551212&CallSid=CA1234567890ABCDE&Digits=1234&From=%2B12349013030&Caller=%2B12349013030";
        let h = headers("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", FORM);
        let req = WebhookRequest {
            method: "POST",
            url,
            headers: &h,
            body,
        };
        assert_eq!(verify(&req, "12345"), Ok(()));
        assert_eq!(verify(&req, "54321"), Err(VerifyError::Mismatch));
        let other_url = WebhookRequest {
            url: "https://mycompany.com/myapp.php?foo=1&bar=3",
            ..req
        };
        assert_eq!(verify(&other_url, "12345"), Err(VerifyError::Mismatch));
        let tampered = WebhookRequest {
            body: b"To=%2B18005551212&CallSid=CA1234567890ABCDE&Digits=9999&From=%2B12349013030&Caller=%2B12349013030",
            ..req
        };
        assert_eq!(verify(&tampered, "12345"), Err(VerifyError::Mismatch));
        let unsigned = WebhookRequest {
            headers: &[],
            ..req
        };
        assert!(matches!(
            verify(&unsigned, "12345"),
            Err(VerifyError::Missing(_))
        ));
        assert_eq!(verify(&req, ""), Err(VerifyError::NoSecret));
    }

    #[test]
    fn default_port_variants_verify() {
        let params = vec![("CallSid".to_string(), "CA1".to_string())];
        let body = b"CallSid=CA1";
        // Signed with the port; received without it, and the reverse.
        let with_port = signature("t", "https://h.test:443/hook?x=1", &params);
        let h = headers(&with_port, FORM);
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/hook?x=1",
            headers: &h,
            body,
        };
        assert_eq!(verify(&req, "t"), Ok(()));
        let without = signature("t", "https://h.test/hook", &params);
        let h = headers(&without, FORM);
        let req = WebhookRequest {
            url: "https://h.test:443/hook",
            headers: &h,
            ..req
        };
        assert_eq!(verify(&req, "t"), Ok(()));
        assert_eq!(
            url_variants("http://u:p@h.test:8080/x"),
            vec!["http://u:p@h.test:8080/x".to_string()]
        );
        assert_eq!(
            url_variants("http://h.test:80"),
            vec!["http://h.test:80".to_string(), "http://h.test".to_string()]
        );
    }

    /// JSON bodies: the URL carries bodySHA256 and only the URL is signed.
    /// Expected hash computed with Python's hashlib on this machine.
    #[test]
    fn json_body_variant() {
        let body = br#"{"CallSid":"CA1"}"#;
        assert_eq!(
            hex(&sha256(body)),
            "85264246de8d570722726062407cde49dc5bb2c2569c179765b178e3ffe30825"
        );
        let url = format!("https://h.test/hook?bodySHA256={}", hex(&sha256(body)));
        let sig = signature("t", &url, &[]);
        let h = headers(&sig, "application/json");
        let req = WebhookRequest {
            method: "POST",
            url: &url,
            headers: &h,
            body,
        };
        assert_eq!(verify(&req, "t"), Ok(()));
        let tampered = WebhookRequest {
            body: br#"{"CallSid":"CA2"}"#,
            ..req
        };
        assert_eq!(verify(&tampered, "t"), Err(VerifyError::Mismatch));
    }

    /// A non-form body without bodySHA256 is not covered by the signature
    /// (only the URL is signed), so it is refused rather than parsed.
    #[test]
    fn unsigned_body_is_refused() {
        let url = "https://h.test/hooks/voice/twilio/l1?event=transcription";
        let sig = signature("t", url, &[]);
        let h = headers(&sig, "text/plain");
        let req = WebhookRequest {
            method: "POST",
            url,
            headers: &h,
            body: b"CallSid=CA9&TranscriptionText=forged&TranscriptionStatus=completed",
        };
        assert!(matches!(verify(&req, "t"), Err(VerifyError::Malformed(_))));
        // The same URL with an empty body is what Twilio signs: fine.
        let empty = WebhookRequest { body: b"", ..req };
        assert_eq!(verify(&empty, "t"), Ok(()));
    }

    fn post(body: &str) -> VoiceEvent {
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/hook",
            headers: &[],
            body: body.as_bytes(),
        };
        parse(&req).unwrap()
    }

    #[test]
    fn callbacks_parse() {
        let incoming = post(&form_encode(&[
            ("CallSid", "CA77"),
            ("From", "+14155550111"),
            ("To", "+14155550100"),
            ("CallStatus", "ringing"),
            ("Direction", "inbound"),
        ]));
        assert_eq!(incoming.kind, VoiceEventKind::IncomingCall);

        let action = post(&form_encode(&[
            ("CallSid", "CA77"),
            ("From", "+14155550111"),
            ("To", "+14155550100"),
            ("CallStatus", "completed"),
            ("RecordingUrl", "https://api.twilio.com/x/RE55"),
            ("RecordingSid", "RE55"),
            ("RecordingDuration", "21"),
        ]));
        assert_eq!(action.event_id, "recording:RE55");
        assert_eq!(action.call_id, "CA77");
        assert_eq!(action.from_number.as_deref(), Some("+14155550111"));
        assert_eq!(
            action.kind,
            VoiceEventKind::Voicemail {
                recording_url: Some("https://api.twilio.com/x/RE55".into()),
                duration_secs: Some(21),
                transcript: None
            }
        );
        let status_cb = post(&form_encode(&[
            ("CallSid", "CA77"),
            ("RecordingSid", "RE55"),
            ("RecordingStatus", "completed"),
            ("RecordingUrl", "https://api.twilio.com/x/RE55"),
        ]));
        assert_eq!(status_cb.event_id, action.event_id);
        let failed = post("CallSid=CA77&RecordingSid=RE55&RecordingStatus=failed");
        assert!(matches!(failed.kind, VoiceEventKind::Ignored { .. }));

        let transcript = post(
            "TranscriptionSid=TR0f&TranscriptionStatus=completed&TranscriptionText=Hi+it%27s+Jo+about+order+1142\
             &RecordingSid=RE55&CallSid=CA77&From=%2B14155550111&To=%2B14155550100",
        );
        assert_eq!(transcript.event_id, "transcription:TR0f");
        assert_eq!(
            transcript.kind,
            VoiceEventKind::TranscriptReady {
                transcript: "Hi it's Jo about order 1142".into()
            }
        );
        let failed = post("TranscriptionSid=TR1&TranscriptionStatus=failed&CallSid=CA77");
        assert!(matches!(failed.kind, VoiceEventKind::Ignored { .. }));

        let done = post(
            "CallSid=CA9&CallStatus=completed&CallDuration=65&Direction=outbound-api&From=client%3Aalice&To=%2B14155550111",
        );
        assert_eq!(done.from_number, None);
        assert_eq!(
            done.kind,
            VoiceEventKind::CallCompleted {
                duration_secs: Some(65),
                transcript: None,
                direction: Direction::Outbound
            }
        );
        let busy = post("CallSid=CA9&CallStatus=busy");
        assert!(matches!(busy.kind, VoiceEventKind::Ignored { .. }));

        let none = WebhookRequest {
            method: "POST",
            url: "https://h.test/",
            headers: &[],
            body: b"From=x",
        };
        assert!(parse(&none).is_err());
    }

    #[test]
    fn twiml_escapes_and_caps_length() {
        let xml = voicemail_twiml(&VoicemailTwiml {
            greeting: "Tom & Jerry's <support>",
            action_url: "https://h.test/hooks/voice/twilio/l1?event=recording&x=\"1\"",
            transcribe_callback_url: "https://h.test/hooks/voice/twilio/l1?event=transcription",
            max_length_secs: 600,
        });
        assert!(xml.contains("<Say>Tom &amp; Jerry&apos;s &lt;support&gt;</Say>"));
        assert!(xml.contains(
            r#"action="https://h.test/hooks/voice/twilio/l1?event=recording&amp;x=&quot;1&quot;""#
        ));
        assert!(xml.contains(r#"maxLength="120""#));
        assert!(xml.contains(r#"transcribe="true""#));
        assert!(xml.starts_with("<?xml"));
        assert_eq!(xml_escape("a\u{1}b\nc"), "ab\nc");
        assert!(after_recording_twiml().contains("<Hangup/>"));
        assert!(empty_twiml().contains("<Response/>"));
    }
}
