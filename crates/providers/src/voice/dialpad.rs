//! Dialpad call events: the body is a JWT, and registration is a webhook
//! plus a call-event subscription.
//!
//! When a webhook has a `secret`, Dialpad sends each event as a compact
//! JWT signed HS256 with the secret's UTF-8 bytes; the claims are the event
//! (developers.dialpad.com, "Event subscriptions"). Baton always sets a
//! secret, so an unsigned JSON body is refused. [`verify`] returns the
//! verified claims and [`parse`] reads them.
//!
//! Call states used: `voicemail_uploaded` (voicemail with its link),
//! `hangup` (a call ended), `transcription` / `call_transcription`
//! (transcript text). Times are epoch milliseconds; `duration` too.
//! No event id: a retry repeats the body, so `call id:state` is stable.

use serde_json::{Value, json};

use super::common::{i64_at, json as read_json, non_empty, normalize_phone, str_at, u64_at};
use super::jwt::verify_hs256;
use super::{
    ApiError, Direction, ParseError, RegisteredWebhook, VerifyError, VoiceEvent, VoiceEventKind,
    WebhookRequest, check_status, request,
};
use crate::http::{HttpRequest, HttpResponse};

pub const API_BASE: &str = "https://dialpad.com";

/// Clock skew allowed on the JWT's time claims, when it has any.
pub const LEEWAY_SECS: i64 = 300;

/// The call states a line subscribes to.
pub const CALL_STATES: [&str; 4] = [
    "hangup",
    "voicemail_uploaded",
    "transcription",
    "call_transcription",
];

/// Verifies the JWT body with the webhook secret; returns the event.
pub fn verify(req: &WebhookRequest<'_>, secret: &str, now_unix: i64) -> Result<Value, VerifyError> {
    if secret.is_empty() {
        return Err(VerifyError::NoSecret);
    }
    let body = std::str::from_utf8(req.body).map_err(|_| VerifyError::Malformed("JWT body"))?;
    if body.trim().is_empty() {
        return Err(VerifyError::Missing("JWT body"));
    }
    verify_hs256(body, secret.as_bytes(), now_unix, LEEWAY_SECS)
}

/// Reads a verified event (the claims [`verify`] returned).
pub fn parse(event: &Value) -> Result<VoiceEvent, ParseError> {
    let call_id =
        str_at(event, "/call_id").ok_or_else(|| ParseError("event without call_id".into()))?;
    let state = event
        .get("state")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError("event without state".into()))?;
    let direction = Direction::from_word(event["direction"].as_str().unwrap_or(""));
    let external = str_at(event, "/external_number")
        .or_else(|| str_at(event, "/contact/phone"))
        .and_then(|n| normalize_phone(&n));
    let internal = str_at(event, "/internal_number")
        .or_else(|| str_at(event, "/target/phone"))
        .and_then(|n| normalize_phone(&n));
    let (from_number, to_number) = match direction {
        Direction::Outbound => (internal, external),
        _ => (external, internal),
    };
    let ms = |p: &str| i64_at(event, p).map(|t| t / 1000);
    let occurred_at_unix = ms("/event_timestamp")
        .or_else(|| ms("/date_ended"))
        .or_else(|| ms("/date_started"))
        .unwrap_or(0);
    let transcript = non_empty(str_at(event, "/transcription_text"));
    let secs = |millis: Option<u64>| millis.map(|m| (m + 500) / 1000);

    let (event_id, kind) = match state {
        "voicemail_uploaded" => {
            let detail = event
                .get("recording_details")
                .and_then(Value::as_array)
                .and_then(|ds| {
                    ds.iter()
                        .find(|d| d["recording_type"].as_str() == Some("voicemail"))
                });
            (
                format!("voicemail:{call_id}"),
                VoiceEventKind::Voicemail {
                    recording_url: str_at(event, "/voicemail_link")
                        .or_else(|| detail.and_then(|d| str_at(d, "/url"))),
                    duration_secs: secs(
                        detail
                            .and_then(|d| u64_at(d, "/duration"))
                            .or_else(|| u64_at(event, "/duration")),
                    ),
                    transcript,
                },
            )
        }
        "hangup" if event.get("date_connected").is_some_and(|d| !d.is_null()) => (
            format!("call:{call_id}:hangup"),
            VoiceEventKind::CallCompleted {
                duration_secs: secs(u64_at(event, "/duration")),
                transcript,
                direction,
            },
        ),
        "transcription" | "call_transcription" if transcript.is_some() => (
            format!("transcription:{call_id}:{state}"),
            VoiceEventKind::TranscriptReady {
                transcript: transcript.unwrap_or_default(),
            },
        ),
        other => (
            format!("call:{call_id}:{other}"),
            VoiceEventKind::Ignored {
                what: other.to_string(),
            },
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

/// Who a subscription listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetType {
    User,
    CallCenter,
    Department,
}

impl TargetType {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::User => "user",
            TargetType::CallCenter => "call_center",
            TargetType::Department => "department",
        }
    }

    pub fn parse(s: &str) -> Option<TargetType> {
        match s {
            "user" => Some(TargetType::User),
            "call_center" => Some(TargetType::CallCenter),
            "department" => Some(TargetType::Department),
            _ => None,
        }
    }
}

fn headers(api_key: &str) -> [(&'static str, String); 3] {
    [
        ("authorization", format!("Bearer {api_key}")),
        ("content-type", "application/json".into()),
        ("accept", "application/json".into()),
    ]
}

fn api(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Step 1: `POST /api/v2/webhooks {hook_url, secret}`. `secret` is one
/// Baton generates for the line; deliveries are JWTs signed with it.
pub fn create_webhook_request(
    api_base: &str,
    api_key: &str,
    webhook_url: &str,
    secret: &str,
) -> HttpRequest {
    let body = json!({"hook_url": webhook_url, "secret": secret});
    request(
        "POST",
        api(api_base, "/api/v2/webhooks"),
        &headers(api_key),
        body.to_string().into_bytes(),
    )
}

/// The webhook's id (the secret is the one sent).
pub fn parse_create_webhook(resp: &HttpResponse) -> Result<RegisteredWebhook, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    let id = str_at(&v, "/id").ok_or_else(|| ApiError::Malformed("no webhook id".into()))?;
    Ok(RegisteredWebhook {
        id,
        secret: None,
        expires_at_unix: None,
    })
}

/// Step 2: `POST /api/v2/subscriptions/call` for the target's call states.
pub fn create_call_subscription_request(
    api_base: &str,
    api_key: &str,
    webhook_id: &str,
    target_type: TargetType,
    target_id: &str,
) -> HttpRequest {
    // Dialpad ids are 64-bit integers; send a number when it is one.
    let id_value = |s: &str| match s.parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) => json!(s),
    };
    let body = json!({
        "endpoint_id": id_value(webhook_id),
        "call_states": CALL_STATES,
        "target_type": target_type.as_str(),
        "target_id": id_value(target_id),
        "enabled": true,
    });
    request(
        "POST",
        api(api_base, "/api/v2/subscriptions/call"),
        &headers(api_key),
        body.to_string().into_bytes(),
    )
}

/// The subscription's id.
pub fn parse_create_call_subscription(resp: &HttpResponse) -> Result<String, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    str_at(&v, "/id").ok_or_else(|| ApiError::Malformed("no subscription id".into()))
}

/// `DELETE /api/v2/webhooks/{id}` (and its subscriptions with it).
pub fn delete_webhook_request(api_base: &str, api_key: &str, webhook_id: &str) -> HttpRequest {
    request(
        "DELETE",
        api(
            api_base,
            &format!(
                "/api/v2/webhooks/{}",
                super::common::percent_encode(webhook_id)
            ),
        ),
        &headers(api_key)[..1],
        Vec::new(),
    )
}

pub fn parse_delete(resp: &HttpResponse) -> Result<(), ApiError> {
    match check_status(resp, error_detail) {
        Ok(_) | Err(ApiError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

fn error_detail(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    str_at(&v, "/error/message")
        .or_else(|| str_at(&v, "/message"))
        .or_else(|| str_at(&v, "/error"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::jwt::sign_hs256;

    fn req(body: &str) -> WebhookRequest<'_> {
        WebhookRequest {
            method: "POST",
            url: "https://h.test/hooks/voice/dialpad/l1",
            headers: &[],
            body: body.as_bytes(),
        }
    }

    fn voicemail() -> Value {
        json!({"call_id":5635304278851584u64,"state":"voicemail_uploaded","direction":"inbound",
            "external_number":"+14155550111","internal_number":"+14155550100","date_started":1772532300000u64,
            "date_ended":1772532360000u64,"duration":41000,
            "contact":{"id":1,"type":"local","name":"Jo","phone":"+14155550111"},
            "voicemail_link":"https://dialpad.test/voicemail.mp3","voicemail_recording_id":"rec_77",
            "transcription_text":"Hi it's Jo about order 1142","event_timestamp":1772532361000u64})
    }

    /// Known answer computed independently with Python's `hmac` and
    /// `base64` modules on this machine for the compact JWT of
    /// `{"call_id":1,"state":"hangup"}` with the secret `dp-secret`.
    #[test]
    fn jwt_body_known_answer() {
        let token = KNOWN_TOKEN;
        let claims = verify(&req(token), "dp-secret", 0).unwrap();
        assert_eq!(claims["state"], "hangup");
        assert_eq!(verify(&req(token), "other", 0), Err(VerifyError::Mismatch));
    }

    const KNOWN_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjYWxsX2lkIjoxLCJzdGF0ZSI6Imhhbmd1cCJ9.Kdi0CvHq4HDlPYpSJ36hDmmeaknVZ1lJyE8_cil27wo";

    #[test]
    fn signed_events_verify_and_parse() {
        let token = sign_hs256(&voicemail(), b"s3cret");
        let claims = verify(&req(&token), "s3cret", 1_772_532_400).unwrap();
        let e = parse(&claims).unwrap();
        assert_eq!(e.event_id, "voicemail:5635304278851584");
        assert_eq!(e.from_number.as_deref(), Some("+14155550111"));
        assert_eq!(e.occurred_at_unix, 1_772_532_361);
        assert_eq!(
            e.kind,
            VoiceEventKind::Voicemail {
                recording_url: Some("https://dialpad.test/voicemail.mp3".into()),
                duration_secs: Some(41),
                transcript: Some("Hi it's Jo about order 1142".into())
            }
        );
        // Unsigned JSON and a forged signature are refused.
        assert!(matches!(
            verify(&req(&voicemail().to_string()), "s3cret", 0),
            Err(VerifyError::Malformed(_))
        ));
        assert_eq!(verify(&req(&token), "wrong", 0), Err(VerifyError::Mismatch));
        assert!(matches!(
            verify(&req(""), "s", 0),
            Err(VerifyError::Missing(_))
        ));
        assert_eq!(verify(&req(&token), "", 0), Err(VerifyError::NoSecret));
    }

    #[test]
    fn states_map_to_kinds() {
        let mut hangup = voicemail();
        hangup["state"] = json!("hangup");
        hangup["direction"] = json!("outbound");
        hangup["date_connected"] = json!(1772532310000u64);
        hangup["transcription_text"] = Value::Null;
        let e = parse(&hangup).unwrap();
        assert_eq!(e.event_id, "call:5635304278851584:hangup");
        assert_eq!(e.customer_number(), Some("+14155550111"));
        assert_eq!(
            e.kind,
            VoiceEventKind::CallCompleted {
                duration_secs: Some(41),
                transcript: None,
                direction: Direction::Outbound
            }
        );
        hangup["date_connected"] = Value::Null;
        assert!(matches!(
            parse(&hangup).unwrap().kind,
            VoiceEventKind::Ignored { .. }
        ));

        let mut t = voicemail();
        t["state"] = json!("transcription");
        assert_eq!(
            parse(&t).unwrap().kind,
            VoiceEventKind::TranscriptReady {
                transcript: "Hi it's Jo about order 1142".into()
            }
        );
        assert!(parse(&json!({"state":"hangup"})).is_err());
    }

    #[test]
    fn registration_requests() {
        let r = create_webhook_request(API_BASE, "key", "https://h.test/hook", "sec");
        assert_eq!(r.url, "https://dialpad.com/api/v2/webhooks");
        assert!(
            r.headers
                .contains(&("authorization".into(), "Bearer key".into()))
        );
        let ok = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"id":123,"hook_url":"https://h.test/hook","signature":{"algo":"HS256","type":"jwt","secret":"sec"}}"#.to_vec(),
        };
        assert_eq!(parse_create_webhook(&ok).unwrap().id, "123");
        let s =
            create_call_subscription_request(API_BASE, "key", "123", TargetType::CallCenter, "456");
        let body: Value = serde_json::from_slice(&s.body).unwrap();
        assert_eq!(body["endpoint_id"], 123);
        assert_eq!(body["target_type"], "call_center");
        assert_eq!(body["target_id"], 456);
        assert_eq!(body["call_states"][1], "voicemail_uploaded");
        let limited = HttpResponse {
            status: 429,
            headers: vec![("retry-after".into(), "3".into())],
            body: vec![],
        };
        assert_eq!(
            parse_create_call_subscription(&limited),
            Err(ApiError::RateLimited {
                retry_after_secs: Some(3)
            })
        );
        let forbidden = HttpResponse {
            status: 403,
            headers: vec![],
            body: br#"{"error":{"code":403,"message":"scope missing"}}"#.to_vec(),
        };
        assert_eq!(
            parse_create_webhook(&forbidden),
            Err(ApiError::MissingPermission("scope missing".into()))
        );
        assert_eq!(
            TargetType::parse("department"),
            Some(TargetType::Department)
        );
        assert_eq!(TargetType::parse("office"), None);
    }
}
