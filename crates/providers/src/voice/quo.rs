//! Quo (formerly OpenPhone): both webhook generations, registration of a
//! new-generation webhook, and the voicemail fetch for legacy deliveries.
//!
//! Signatures (quo.com/docs):
//! - New webhooks ("beta", API version `2026-03-30`) follow Standard
//!   Webhooks: `webhook-id`, `webhook-timestamp` (seconds) and
//!   `webhook-signature` (space-separated `v1,<base64>`), HMAC-SHA256 over
//!   `id.timestamp.body` with the `whsec_` secret base64-decoded.
//! - Legacy webhooks ("Legacy signature validation"): `openphone-signature:
//!   hmac;1;<timestamp>;<base64>` (several may be comma-separated),
//!   HMAC-SHA256 over `timestamp.body` with the signing key base64-decoded.
//!   The timestamp has 13 digits: milliseconds (inferred from the docs'
//!   examples; a 10-digit value is read as seconds).
//!
//! [`verify`] picks the scheme from the headers present, so a line works
//! whichever generation created its webhook.
//!
//! Payloads: legacy `{id, type, data:{object:{…}}}`, new `{id, type,
//! data:{context, links, resource}}`. Voicemails come as legacy
//! `call.completed` with `voicemail{url,duration}` (transcript fetched with
//! [`follow_up_request`]) or new `call.voicemail.completed` with the
//! transcript inline.

use serde_json::{Value, json};

use super::common::{
    b64_decode, ct_eq, hmac_sha256, json as read_json, non_empty, normalize_phone, parse_rfc3339,
    str_at, u64_at,
};
use super::{
    ApiError, Direction, FollowUp, FollowUpKind, ParseError, RegisteredWebhook, VerifyError,
    VoiceEvent, VoiceEventKind, WebhookRequest, check_status, request,
};
use crate::http::{HttpRequest, HttpResponse};

pub const API_BASE: &str = "https://api.openphone.com";
/// Pins the payload version when creating a webhook.
pub const API_VERSION: &str = "2026-03-30";
/// Signed-at tolerance, both schemes (Standard Webhooks suggests 5 min).
pub const TOLERANCE_SECS: i64 = 300;

/// The events a line subscribes to.
pub const EVENTS: [&str; 3] = [
    "call.completed",
    "call.voicemail.completed",
    "call.transcript.completed",
];

/// Verifies whichever signature header the delivery carries.
/// `signing_key` is the `whsec_…` secret (new) or the base64 key (legacy).
pub fn verify(
    req: &WebhookRequest<'_>,
    signing_key: &str,
    now_unix: i64,
) -> Result<(), VerifyError> {
    let key_text = signing_key.trim();
    if key_text.is_empty() {
        return Err(VerifyError::NoSecret);
    }
    let key_text = key_text.strip_prefix("whsec_").unwrap_or(key_text);
    let key = b64_decode(key_text).ok_or(VerifyError::NoSecret)?;
    if let Some(sigs) = req.header("webhook-signature") {
        verify_standard(req, &key, sigs, now_unix)
    } else if let Some(header) = req.header("openphone-signature") {
        verify_legacy(req, &key, header, now_unix)
    } else {
        Err(VerifyError::Missing(
            "webhook-signature or openphone-signature",
        ))
    }
}

fn fresh(signed_at: i64, now_unix: i64) -> bool {
    (now_unix - signed_at).abs() <= TOLERANCE_SECS
}

fn verify_standard(
    req: &WebhookRequest<'_>,
    key: &[u8],
    sigs: &str,
    now_unix: i64,
) -> Result<(), VerifyError> {
    let id = req
        .header("webhook-id")
        .ok_or(VerifyError::Missing("webhook-id"))?;
    let ts_text = req
        .header("webhook-timestamp")
        .ok_or(VerifyError::Missing("webhook-timestamp"))?;
    let ts: i64 = ts_text
        .trim()
        .parse()
        .map_err(|_| VerifyError::Malformed("webhook-timestamp"))?;
    let mut signed = Vec::with_capacity(id.len() + ts_text.len() + req.body.len() + 2);
    signed.extend_from_slice(id.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(ts_text.trim().as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(req.body);
    let expected = hmac_sha256(key, &signed);
    let mut any_v1 = false;
    for entry in sigs.split_whitespace() {
        let Some(sig) = entry.strip_prefix("v1,") else {
            continue;
        };
        any_v1 = true;
        if b64_decode(sig).is_some_and(|s| ct_eq(&s, &expected)) {
            // Check freshness after the MAC so a stale forgery reads as a
            // mismatch, not as a hint about timing.
            return if fresh(ts, now_unix) {
                Ok(())
            } else {
                Err(VerifyError::Stale)
            };
        }
    }
    if any_v1 {
        Err(VerifyError::Mismatch)
    } else {
        Err(VerifyError::Malformed("webhook-signature (no v1 entry)"))
    }
}

fn verify_legacy(
    req: &WebhookRequest<'_>,
    key: &[u8],
    header: &str,
    now_unix: i64,
) -> Result<(), VerifyError> {
    let mut parsed_any = false;
    for entry in header.split(',') {
        let fields: Vec<&str> = entry.trim().split(';').collect();
        let [scheme, version, ts_text, sig] = fields[..] else {
            continue;
        };
        if scheme != "hmac" || version != "1" {
            continue;
        }
        let (Ok(ts), Some(sig)) = (ts_text.parse::<i64>(), b64_decode(sig)) else {
            continue;
        };
        parsed_any = true;
        let mut signed = Vec::with_capacity(ts_text.len() + 1 + req.body.len());
        signed.extend_from_slice(ts_text.as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(req.body);
        if ct_eq(&sig, &hmac_sha256(key, &signed)) {
            let secs = if ts > 100_000_000_000 { ts / 1000 } else { ts };
            return if fresh(secs, now_unix) {
                Ok(())
            } else {
                Err(VerifyError::Stale)
            };
        }
    }
    if parsed_any {
        Err(VerifyError::Mismatch)
    } else {
        Err(VerifyError::Malformed("openphone-signature"))
    }
}

/// Reads a verified delivery of either generation.
pub fn parse(req: &WebhookRequest<'_>, api_base: &str) -> Result<VoiceEvent, ParseError> {
    let v = read_json(req.body).map_err(ParseError)?;
    let kind_name = v
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError("no type".into()))?
        .to_string();
    let delivery_id = str_at(&v, "/id")
        .or_else(|| req.header("webhook-id").map(str::to_string))
        .unwrap_or_default();
    let created = str_at(&v, "/createdAt")
        .and_then(|t| parse_rfc3339(&t))
        .unwrap_or(0);
    if let Some(object) = v.pointer("/data/object") {
        legacy(&kind_name, object, created, api_base)
    } else if let Some(resource) = v.pointer("/data/resource") {
        let context = v.pointer("/data/context").unwrap_or(&Value::Null);
        current(&kind_name, resource, context, created)
    } else {
        Ok(ignored(&kind_name, &delivery_id, created))
    }
}

fn ignored(what: &str, id: &str, at: i64) -> VoiceEvent {
    VoiceEvent {
        event_id: format!("{what}:{id}"),
        kind: VoiceEventKind::Ignored { what: what.into() },
        call_id: String::new(),
        from_number: None,
        to_number: None,
        occurred_at_unix: at,
        follow_up: None,
    }
}

/// Dialogue lines as a transcript: the workspace's users are the agents.
fn dialogue_text(resource: &Value) -> Option<String> {
    let lines: Vec<String> = resource
        .get("dialogue")?
        .as_array()?
        .iter()
        .filter_map(|l| {
            let text = l.get("content")?.as_str()?.trim();
            if text.is_empty() {
                return None;
            }
            let agent = l.get("userId").is_some_and(|u| !u.is_null());
            Some(format!(
                "{}: {text}",
                if agent { "Agent" } else { "Caller" }
            ))
        })
        .collect();
    non_empty(Some(lines.join("\n")))
}

fn time_at(v: &Value, p: &str) -> Option<i64> {
    str_at(v, p).and_then(|t| parse_rfc3339(&t))
}

/// Duration of a call: the field, else answered → completed.
fn call_duration(call: &Value) -> Option<u64> {
    u64_at(call, "/duration").or_else(|| {
        let (a, c) = (
            time_at(call, "/answeredAt")?,
            time_at(call, "/completedAt")?,
        );
        u64::try_from(c - a).ok()
    })
}

fn legacy(what: &str, o: &Value, created: i64, api_base: &str) -> Result<VoiceEvent, ParseError> {
    let call_id = str_at(o, "/callId")
        .or_else(|| str_at(o, "/id"))
        .ok_or_else(|| ParseError(format!("{what} without a call id")))?;
    let direction = Direction::from_word(o["direction"].as_str().unwrap_or(""));
    let mut from_number = str_at(o, "/from").and_then(|n| normalize_phone(&n));
    let mut to_number = str_at(o, "/to").and_then(|n| normalize_phone(&n));
    // Newer legacy payloads list the external party in `participants`.
    if from_number.is_none() && to_number.is_none() {
        let external = str_at(o, "/participants/0").and_then(|n| normalize_phone(&n));
        match direction {
            Direction::Outbound => to_number = external,
            _ => from_number = external,
        }
    }
    let occurred_at_unix = time_at(o, "/completedAt")
        .or_else(|| time_at(o, "/createdAt"))
        .unwrap_or(created);
    let answered = o.get("answeredAt").is_some_and(|a| !a.is_null());
    let mut follow_up = None;
    let (event_id, kind) = match what {
        "call.completed" if o.get("voicemail").is_some_and(Value::is_object) => {
            follow_up = Some(FollowUp {
                what: FollowUpKind::Transcript,
                url: format!(
                    "{}/v1/call-voicemails/{call_id}",
                    api_base.trim_end_matches('/')
                ),
            });
            (
                format!("voicemail:{call_id}"),
                VoiceEventKind::Voicemail {
                    recording_url: str_at(o, "/voicemail/url"),
                    duration_secs: u64_at(o, "/voicemail/duration"),
                    transcript: None,
                },
            )
        }
        "call.completed" if answered => (
            format!("call:{call_id}:completed"),
            VoiceEventKind::CallCompleted {
                duration_secs: call_duration(o),
                transcript: None,
                direction,
            },
        ),
        "call.transcript.completed" => match dialogue_text(o) {
            Some(transcript) => (
                format!("transcription:{call_id}"),
                VoiceEventKind::TranscriptReady { transcript },
            ),
            None => (
                format!("transcription:{call_id}"),
                VoiceEventKind::Ignored {
                    what: "empty transcript".into(),
                },
            ),
        },
        other => (
            format!("{other}:{call_id}"),
            VoiceEventKind::Ignored { what: other.into() },
        ),
    };
    Ok(VoiceEvent {
        event_id,
        kind,
        call_id,
        from_number,
        to_number,
        occurred_at_unix,
        follow_up,
    })
}

fn current(what: &str, r: &Value, context: &Value, created: i64) -> Result<VoiceEvent, ParseError> {
    let call_id = str_at(r, "/callId")
        .or_else(|| str_at(r, "/id"))
        .ok_or_else(|| ParseError(format!("{what} without a call id")))?;
    let direction = Direction::from_word(r["direction"].as_str().unwrap_or(""));
    let external = str_at(r, "/from")
        .filter(|_| direction != Direction::Outbound)
        .or_else(|| str_at(context, "/participants/external/0"))
        .and_then(|n| normalize_phone(&n));
    let workspace = str_at(r, "/to")
        .filter(|_| direction != Direction::Outbound)
        .or_else(|| str_at(context, "/participants/workspace/0"))
        .and_then(|n| normalize_phone(&n));
    let (from_number, to_number) = match direction {
        Direction::Outbound => (workspace, external),
        _ => (external, workspace),
    };
    let occurred_at_unix = time_at(r, "/completedAt")
        .or_else(|| time_at(r, "/createdAt"))
        .unwrap_or(created);
    let answered = r.get("answeredAt").is_some_and(|a| !a.is_null())
        || r["status"].as_str() == Some("answered");
    let (event_id, kind) = match what {
        "call.voicemail.completed" => (
            format!("voicemail:{call_id}"),
            VoiceEventKind::Voicemail {
                recording_url: str_at(r, "/recordingUrl"),
                duration_secs: u64_at(r, "/duration"),
                transcript: non_empty(str_at(r, "/transcript")),
            },
        ),
        // A call that went to voicemail: its own event carries it.
        "call.completed" if r["hasVoicemail"].as_bool() == Some(true) => (
            format!("call:{call_id}:completed"),
            VoiceEventKind::Ignored {
                what: "call.completed (voicemail follows)".into(),
            },
        ),
        "call.completed" if answered => (
            format!("call:{call_id}:completed"),
            VoiceEventKind::CallCompleted {
                duration_secs: call_duration(r),
                transcript: None,
                direction,
            },
        ),
        "call.transcript.completed" => match dialogue_text(r) {
            Some(transcript) => (
                format!("transcription:{call_id}"),
                VoiceEventKind::TranscriptReady { transcript },
            ),
            None => (
                format!("transcription:{call_id}"),
                VoiceEventKind::Ignored {
                    what: "empty transcript".into(),
                },
            ),
        },
        other => (
            format!("{other}:{call_id}"),
            VoiceEventKind::Ignored { what: other.into() },
        ),
    };
    Ok(VoiceEvent {
        event_id,
        kind,
        call_id,
        from_number,
        to_number,
        occurred_at_unix,
        follow_up: None,
    })
}

fn headers(api_key: &str) -> [(&'static str, String); 3] {
    // Quo takes the key as is: no "Bearer".
    [
        ("authorization", api_key.to_string()),
        ("content-type", "application/json".into()),
        ("accept", "application/json".into()),
    ]
}

/// `POST /webhooks` (new generation, version pinned with
/// `x-quo-api-version`) for the line's webhook URL.
pub fn create_webhook_request(
    api_base: &str,
    api_key: &str,
    webhook_url: &str,
    label: &str,
) -> HttpRequest {
    let body = json!({"url": webhook_url, "events": EVENTS, "label": label});
    let [a, b, c] = headers(api_key);
    request(
        "POST",
        format!("{}/webhooks", api_base.trim_end_matches('/')),
        &[a, b, c, ("x-quo-api-version", API_VERSION.to_string())],
        body.to_string().into_bytes(),
    )
}

/// The webhook id and its `whsec_` signing secret (`key`), whether or not
/// the answer wraps them in `data`.
pub fn parse_create_webhook(resp: &HttpResponse) -> Result<RegisteredWebhook, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    let hook = v.get("data").filter(|d| d.is_object()).unwrap_or(&v);
    let id = str_at(hook, "/id").ok_or_else(|| ApiError::Malformed("no webhook id".into()))?;
    let key = str_at(hook, "/key")
        .or_else(|| str_at(hook, "/secret"))
        .ok_or_else(|| ApiError::Malformed("no signing key".into()))?;
    Ok(RegisteredWebhook {
        id,
        secret: Some(key),
        expires_at_unix: None,
    })
}

/// `DELETE /webhooks/{id}`.
pub fn delete_webhook_request(api_base: &str, api_key: &str, webhook_id: &str) -> HttpRequest {
    let [a, ..] = headers(api_key);
    request(
        "DELETE",
        format!(
            "{}/webhooks/{}",
            api_base.trim_end_matches('/'),
            super::common::percent_encode(webhook_id)
        ),
        &[a, ("x-quo-api-version", API_VERSION.to_string())],
        Vec::new(),
    )
}

pub fn parse_delete(resp: &HttpResponse) -> Result<(), ApiError> {
    match check_status(resp, error_detail) {
        Ok(_) | Err(ApiError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The GET for a legacy voicemail's transcript.
pub fn follow_up_request(follow_up: &FollowUp, api_key: &str) -> HttpRequest {
    let [a, _, c] = headers(api_key);
    request("GET", follow_up.url.clone(), &[a, c], Vec::new())
}

/// The transcript from `GET /v1/call-voicemails/{callId}`; `None` while
/// Quo is still processing (fields are null then).
pub fn parse_follow_up(resp: &HttpResponse) -> Result<Option<String>, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    let data = v
        .get("data")
        .ok_or_else(|| ApiError::Malformed("no data".into()))?;
    Ok(non_empty(str_at(data, "/transcript")))
}

fn error_detail(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    str_at(&v, "/message")
        .or_else(|| str_at(&v, "/title"))
        .or_else(|| str_at(&v, "/error"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::common::{b64, hmac_sha256};

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The Standard Webhooks specification's published test vector.
    #[test]
    fn standard_webhooks_known_answer() {
        let headers = h(&[
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            ("webhook-timestamp", "1614265330"),
            (
                "webhook-signature",
                "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ),
        ]);
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/",
            headers: &headers,
            body: br#"{"test": 2432232314}"#,
        };
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        assert_eq!(verify(&req, secret, 1_614_265_330), Ok(()));
        assert_eq!(
            verify(&req, secret, 1_614_265_330 + 301),
            Err(VerifyError::Stale)
        );
        let tampered = WebhookRequest {
            body: br#"{"test": 2432232315}"#,
            ..req
        };
        assert_eq!(
            verify(&tampered, secret, 1_614_265_330),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(verify(&req, "", 0), Err(VerifyError::NoSecret));
    }

    /// Legacy scheme. Expected value computed independently with Python's
    /// `hmac`/`base64` on this machine: key base64 `c2VjcmV0LWtleQ==`
    /// ("secret-key"), timestamp 1772532361000, body `{"id":"EV1"}`.
    #[test]
    fn legacy_known_answer() {
        let header = format!("hmac;1;1772532361000;{LEGACY_SIG}");
        let headers = h(&[("openphone-signature", &header)]);
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/",
            headers: &headers,
            body: br#"{"id":"EV1"}"#,
        };
        assert_eq!(verify(&req, "c2VjcmV0LWtleQ==", 1_772_532_400), Ok(()));
        assert_eq!(
            verify(&req, "c2VjcmV0LWtleQ==", 1_772_542_400),
            Err(VerifyError::Stale)
        );
        assert_eq!(
            verify(&req, "b3RoZXIta2V5", 1_772_532_400),
            Err(VerifyError::Mismatch)
        );
        // A second, comma-separated signature that matches is accepted.
        let two = format!("hmac;1;1772532361000;bm9wZQ==,{header}");
        let headers = h(&[("openphone-signature", &two)]);
        let req2 = WebhookRequest {
            headers: &headers,
            ..req
        };
        assert_eq!(verify(&req2, "c2VjcmV0LWtleQ==", 1_772_532_400), Ok(()));
        let headers = h(&[("openphone-signature", "sha1;x")]);
        let bad = WebhookRequest {
            headers: &headers,
            ..req
        };
        assert!(matches!(
            verify(&bad, "c2VjcmV0LWtleQ==", 0),
            Err(VerifyError::Malformed(_))
        ));
        let none = WebhookRequest {
            headers: &[],
            ..req
        };
        assert!(matches!(
            verify(&none, "c2VjcmV0LWtleQ==", 0),
            Err(VerifyError::Missing(_))
        ));
        // Sanity: our HMAC agrees with the Python value.
        assert_eq!(
            b64(&hmac_sha256(
                b"secret-key",
                b"1772532361000.{\"id\":\"EV1\"}"
            )),
            LEGACY_SIG
        );
    }

    const LEGACY_SIG: &str = "K6upG8dF6VNhmC9dpG0sKZz8VT6h3ZseD6jIkHCdT5M=";

    fn parse_body(body: &str) -> VoiceEvent {
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/",
            headers: &[],
            body: body.as_bytes(),
        };
        parse(&req, API_BASE).unwrap()
    }

    #[test]
    fn legacy_payloads_parse() {
        let vm = parse_body(
            r#"{"id":"EVd39d","object":"event","apiVersion":"v3","createdAt":"2026-03-03T10:06:01.000Z","type":"call.completed",
            "data":{"object":{"id":"AC77","object":"call","direction":"incoming","status":"completed","from":"+14155550111",
            "to":"+14155550100","answeredAt":null,"completedAt":"2026-03-03T10:05:58.000Z","phoneNumberId":"PNab",
            "voicemail":{"url":"https://m.test/vm.mp3","type":"audio/mpeg","duration":12}}}}"#,
        );
        assert_eq!(vm.event_id, "voicemail:AC77");
        assert_eq!(vm.from_number.as_deref(), Some("+14155550111"));
        assert_eq!(vm.occurred_at_unix, 1_772_532_358);
        assert_eq!(
            vm.kind,
            VoiceEventKind::Voicemail {
                recording_url: Some("https://m.test/vm.mp3".into()),
                duration_secs: Some(12),
                transcript: None
            }
        );
        let f = vm.follow_up.unwrap();
        assert_eq!(f.url, "https://api.openphone.com/v1/call-voicemails/AC77");
        let r = follow_up_request(&f, "KEY");
        assert!(r.headers.contains(&("authorization".into(), "KEY".into())));
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"data":{"id":"VM1","duration":12,"transcript":"Call me back","recordingUrl":"u","status":"completed"}}"#.to_vec(),
        };
        assert_eq!(
            parse_follow_up(&resp).unwrap().as_deref(),
            Some("Call me back")
        );
        let pending = HttpResponse {
            body: br#"{"data":{"transcript":null,"status":"pending"}}"#.to_vec(),
            ..resp
        };
        assert_eq!(parse_follow_up(&pending).unwrap(), None);

        let done = parse_body(
            r#"{"id":"EV2","type":"call.completed","data":{"object":{"id":"AC78","direction":"outgoing",
            "participants":["+14155550111"],"answeredAt":"2026-03-03T10:00:00Z","completedAt":"2026-03-03T10:01:30Z"}}}"#,
        );
        assert_eq!(done.to_number.as_deref(), Some("+14155550111"));
        assert_eq!(
            done.kind,
            VoiceEventKind::CallCompleted {
                duration_secs: Some(90),
                transcript: None,
                direction: Direction::Outbound
            }
        );
        let t = parse_body(
            r#"{"id":"EV3","type":"call.transcript.completed","data":{"object":{"object":"callTranscript","callId":"AC78",
            "dialogue":[{"content":"Hello","identifier":"+14155550111","userId":null},{"content":"Hi there","userId":"US1"}],"status":"completed"}}}"#,
        );
        assert_eq!(t.event_id, "transcription:AC78");
        assert_eq!(
            t.kind,
            VoiceEventKind::TranscriptReady {
                transcript: "Caller: Hello\nAgent: Hi there".into()
            }
        );
    }

    #[test]
    fn current_payloads_parse() {
        let ctx = r#""context":{"phoneNumberId":"PN1","participants":{"external":["+14155550111"],"workspace":["+14155550100"]}},"links":{"quo":"https://my.quo.test/x"}"#;
        let vm = parse_body(&format!(
            r#"{{"id":"evt_1","apiVersion":"2026-03-30","createdAt":"2026-08-17T18:00:00.000Z","type":"call.voicemail.completed",
            "data":{{{ctx},"resource":{{"callId":"AC1","id":"VM1","voicemailId":"VM1","direction":"incoming",
            "createdAt":"2026-08-17T18:00:00.000Z","duration":12,"from":"+14155550111","to":"+14155550100",
            "recordingUrl":"https://m.test/vm.mp3","transcript":"Please call back."}}}}}}"#
        ));
        assert_eq!(vm.event_id, "voicemail:AC1");
        assert_eq!(vm.call_id, "AC1");
        assert_eq!(vm.to_number.as_deref(), Some("+14155550100"));
        assert_eq!(
            vm.kind,
            VoiceEventKind::Voicemail {
                recording_url: Some("https://m.test/vm.mp3".into()),
                duration_secs: Some(12),
                transcript: Some("Please call back.".into())
            }
        );
        assert_eq!(vm.follow_up, None);
        let call = parse_body(&format!(
            r#"{{"id":"evt_2","type":"call.completed","data":{{{ctx},"resource":{{"id":"AC2","direction":"outgoing",
            "status":"completed","createdAt":"2026-08-17T18:00:00Z","answeredAt":"2026-08-17T18:00:05Z","duration":42}}}}}}"#
        ));
        assert_eq!(call.from_number.as_deref(), Some("+14155550100"));
        assert_eq!(call.customer_number(), Some("+14155550111"));
        assert!(matches!(
            call.kind,
            VoiceEventKind::CallCompleted {
                duration_secs: Some(42),
                ..
            }
        ));
        let with_vm = parse_body(&format!(
            r#"{{"id":"evt_3","type":"call.completed","data":{{{ctx},"resource":{{"id":"AC1","direction":"incoming","status":"completed","hasVoicemail":true}}}}}}"#
        ));
        assert!(matches!(with_vm.kind, VoiceEventKind::Ignored { .. }));
        let msg = parse_body(
            r#"{"id":"evt_4","type":"message.received","data":{"context":{},"resource":{"id":"MM1"}}}"#,
        );
        assert!(matches!(msg.kind, VoiceEventKind::Ignored { .. }));
    }

    #[test]
    fn registration_round_trip() {
        let r = create_webhook_request(
            API_BASE,
            "KEY",
            "https://h.test/hooks/voice/quo/l1",
            "Baton",
        );
        assert_eq!(r.url, "https://api.openphone.com/webhooks");
        assert!(
            r.headers
                .contains(&("x-quo-api-version".into(), API_VERSION.into()))
        );
        assert!(r.headers.contains(&("authorization".into(), "KEY".into())));
        let ok = HttpResponse {
            status: 201,
            headers: vec![],
            body:
                br#"{"data":{"id":"WH1","url":"u","key":"whsec_abc","events":["call.completed"]}}"#
                    .to_vec(),
        };
        let w = parse_create_webhook(&ok).unwrap();
        assert_eq!(
            (w.id.as_str(), w.secret.as_deref()),
            ("WH1", Some("whsec_abc"))
        );
        let bad = HttpResponse {
            status: 401,
            headers: vec![],
            body: br#"{"message":"Invalid API key","code":"0100401"}"#.to_vec(),
        };
        assert_eq!(
            parse_create_webhook(&bad),
            Err(ApiError::BadCredentials("Invalid API key".into()))
        );
    }
}
