//! Aircall: token-authenticated JSON webhooks, webhook registration and
//! the transcription fetch.
//!
//! Aircall signs nothing: every delivery carries, in the JSON body, the
//! `token` Aircall issued when the webhook was created (developer docs,
//! "Webhooks overview"); compare it with the stored one. Envelope:
//! `{resource, event, timestamp, token, data}` where `data` is the Call.
//! No event id: a retry repeats the body, so `event:call id` is stable.
//!
//! API: base [`API_BASE`], Basic auth `api_id:api_token`.
//! `POST /v1/webhooks {custom_name, url, events}` answers
//! `{webhook:{webhook_id, token, …}}`; `GET /v1/calls/{id}/transcription`
//! answers `{transcription:{type, content:{utterances:[…]}}}` (AI add-on).

use serde_json::{Value, json};

use super::common::{
    b64, ct_eq, i64_at, json as read_json, non_empty, normalize_phone, str_at, u64_at,
};
use super::{
    ApiError, Direction, FollowUp, FollowUpKind, ParseError, RegisteredWebhook, VerifyError,
    VoiceEvent, VoiceEventKind, WebhookRequest, check_status, request,
};
use crate::http::{HttpRequest, HttpResponse};

pub const API_BASE: &str = "https://api.aircall.io";

/// The events a line subscribes to.
pub const EVENTS: [&str; 3] = ["call.voicemail_left", "call.ended", "transcription.created"];

/// Compares the body's `token` with the one stored for the line.
pub fn verify(req: &WebhookRequest<'_>, stored_token: &str) -> Result<(), VerifyError> {
    if stored_token.is_empty() {
        return Err(VerifyError::NoSecret);
    }
    // The token is inside the body: read only that field before trusting it.
    let v: Value =
        serde_json::from_slice(req.body).map_err(|_| VerifyError::Malformed("body (not JSON)"))?;
    let token = v
        .get("token")
        .and_then(Value::as_str)
        .ok_or(VerifyError::Missing("token"))?;
    if ct_eq(token.as_bytes(), stored_token.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

pub fn parse(req: &WebhookRequest<'_>, api_base: &str) -> Result<VoiceEvent, ParseError> {
    let v = read_json(req.body).map_err(ParseError)?;
    let event = v
        .get("event")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError("no event".into()))?
        .to_string();
    let data = v
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| ParseError("no data".into()))?;

    if event == "transcription.created" {
        return transcription_event(&v, data, api_base);
    }

    let call_id = str_at(data, "/id").ok_or_else(|| ParseError("call without id".into()))?;
    let direction = Direction::from_word(data["direction"].as_str().unwrap_or(""));
    let external = data["raw_digits"].as_str().and_then(normalize_phone);
    let line = data
        .pointer("/number/digits")
        .and_then(Value::as_str)
        .and_then(normalize_phone);
    let (from_number, to_number) = match direction {
        Direction::Outbound => (line, external),
        _ => (external, line),
    };
    let occurred_at_unix = i64_at(data, "/ended_at")
        .or_else(|| i64_at(data, "/started_at"))
        .or_else(|| i64_at(&v, "/timestamp"))
        .unwrap_or(0);
    let voicemail = str_at(data, "/voicemail");
    let duration = u64_at(data, "/duration");
    let answered = data.get("answered_at").is_some_and(|a| !a.is_null());

    let (event_id, kind) = match event.as_str() {
        // Both name the same voicemail: one key, the second is a duplicate.
        "call.voicemail_left" => (
            format!("voicemail:{call_id}"),
            VoiceEventKind::Voicemail {
                recording_url: voicemail,
                duration_secs: duration,
                transcript: None,
            },
        ),
        "call.ended" if voicemail.is_some() && !answered => (
            format!("voicemail:{call_id}"),
            VoiceEventKind::Voicemail {
                recording_url: voicemail,
                duration_secs: duration,
                transcript: None,
            },
        ),
        "call.ended" if answered => (
            format!("call:{call_id}:ended"),
            VoiceEventKind::CallCompleted {
                duration_secs: duration,
                transcript: None,
                direction,
            },
        ),
        other => (
            format!("{other}:{call_id}"),
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

/// `transcription.created`: the transcript may be inline (when `data` is
/// the transcription object) or only fetchable by call id.
fn transcription_event(v: &Value, data: &Value, api_base: &str) -> Result<VoiceEvent, ParseError> {
    let call_id = str_at(data, "/call_id")
        .or_else(|| str_at(data, "/call/id"))
        .or_else(|| str_at(data, "/id"))
        .ok_or_else(|| ParseError("transcription without call id".into()))?;
    let inline = transcript_text(data);
    let (kind, follow_up) = match inline {
        Some(transcript) => (VoiceEventKind::TranscriptReady { transcript }, None),
        None => (
            VoiceEventKind::TranscriptToFetch,
            Some(FollowUp {
                what: FollowUpKind::Transcript,
                url: format!(
                    "{}/v1/calls/{call_id}/transcription",
                    api_base.trim_end_matches('/')
                ),
            }),
        ),
    };
    Ok(VoiceEvent {
        event_id: format!("transcription:{call_id}"),
        kind,
        call_id,
        from_number: None,
        to_number: None,
        occurred_at_unix: i64_at(v, "/timestamp").unwrap_or(0),
        follow_up,
    })
}

/// Utterances joined into a transcript; voicemails are one voice, calls are
/// prefixed by side (`external` is the customer).
fn transcript_text(t: &Value) -> Option<String> {
    let utterances = t.pointer("/content/utterances")?.as_array()?;
    let voicemail = t.get("type").and_then(Value::as_str) == Some("voicemail");
    let lines: Vec<String> = utterances
        .iter()
        .filter_map(|u| {
            let text = u.get("text")?.as_str()?.trim();
            if text.is_empty() {
                return None;
            }
            Some(if voicemail {
                text.to_string()
            } else {
                let who = match u.get("participant_type").and_then(Value::as_str) {
                    Some("external") => "Caller",
                    Some("internal") => "Agent",
                    _ => "Speaker",
                };
                format!("{who}: {text}")
            })
        })
        .collect();
    non_empty(Some(lines.join(if voicemail { " " } else { "\n" })))
}

fn basic(api_id: &str, api_token: &str) -> String {
    format!("Basic {}", b64(format!("{api_id}:{api_token}").as_bytes()))
}

/// `POST /v1/webhooks` for the line's webhook URL.
pub fn create_webhook_request(
    api_base: &str,
    api_id: &str,
    api_token: &str,
    webhook_url: &str,
    custom_name: &str,
) -> HttpRequest {
    let body = json!({"custom_name": custom_name, "url": webhook_url, "events": EVENTS});
    request(
        "POST",
        format!("{}/v1/webhooks", api_base.trim_end_matches('/')),
        &[
            ("authorization", basic(api_id, api_token)),
            ("content-type", "application/json".into()),
            ("accept", "application/json".into()),
        ],
        body.to_string().into_bytes(),
    )
}

/// The created webhook: its id and the token every delivery will carry.
pub fn parse_create_webhook(resp: &HttpResponse) -> Result<RegisteredWebhook, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    let hook = v.get("webhook").unwrap_or(&v);
    let id = str_at(hook, "/webhook_id")
        .or_else(|| str_at(hook, "/id"))
        .ok_or_else(|| ApiError::Malformed("no webhook_id".into()))?;
    let secret = str_at(hook, "/token").ok_or_else(|| ApiError::Malformed("no token".into()))?;
    Ok(RegisteredWebhook {
        id,
        secret: Some(secret),
        expires_at_unix: None,
    })
}

/// `DELETE /v1/webhooks/{id}` when a line is removed.
pub fn delete_webhook_request(
    api_base: &str,
    api_id: &str,
    api_token: &str,
    webhook_id: &str,
) -> HttpRequest {
    request(
        "DELETE",
        format!(
            "{}/v1/webhooks/{}",
            api_base.trim_end_matches('/'),
            super::common::percent_encode(webhook_id)
        ),
        &[("authorization", basic(api_id, api_token))],
        Vec::new(),
    )
}

/// 2xx or 404 (already gone) are both fine for a delete.
pub fn parse_delete_webhook(resp: &HttpResponse) -> Result<(), ApiError> {
    match check_status(resp, error_detail) {
        Ok(_) | Err(ApiError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The GET for a [`FollowUp`] from [`parse`].
pub fn follow_up_request(follow_up: &FollowUp, api_id: &str, api_token: &str) -> HttpRequest {
    request(
        "GET",
        follow_up.url.clone(),
        &[
            ("authorization", basic(api_id, api_token)),
            ("accept", "application/json".into()),
        ],
        Vec::new(),
    )
}

/// The transcript from `GET /v1/calls/{id}/transcription`; `None` when it
/// has no words.
pub fn parse_follow_up(resp: &HttpResponse) -> Result<Option<String>, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    let t = v
        .get("transcription")
        .ok_or_else(|| ApiError::Malformed("no transcription".into()))?;
    Ok(transcript_text(t))
}

fn error_detail(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let main = str_at(&v, "/error").or_else(|| str_at(&v, "/message"))?;
    Some(match str_at(&v, "/troubleshoot") {
        Some(t) => format!("{main} ({t})"),
        None => main,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(body: &str) -> WebhookRequest<'_> {
        WebhookRequest {
            method: "POST",
            url: "https://h.test/hooks/voice/aircall/l1",
            headers: &[],
            body: body.as_bytes(),
        }
    }

    const VOICEMAIL: &str = r#"{"resource":"call","event":"call.voicemail_left","timestamp":1772532400,"token":"45abcd",
        "data":{"id":9911,"direction":"inbound","status":"done","started_at":1772532300,"answered_at":null,
        "ended_at":1772532360,"duration":60,"missed_call_reason":"out_of_opening_hours",
        "raw_digits":"+1 415-555-0111","number":{"id":1,"digits":"+1 415-555-0100"},
        "voicemail":"https://vm.test/voicemail.mp3","recording":null}}"#;

    #[test]
    fn token_compared_with_stored() {
        assert_eq!(verify(&req(VOICEMAIL), "45abcd"), Ok(()));
        assert_eq!(
            verify(&req(VOICEMAIL), "45abce"),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(verify(&req(VOICEMAIL), ""), Err(VerifyError::NoSecret));
        assert!(matches!(
            verify(&req(r#"{"event":"x"}"#), "t"),
            Err(VerifyError::Missing(_))
        ));
        assert!(matches!(
            verify(&req("token=t"), "t"),
            Err(VerifyError::Malformed(_))
        ));
    }

    #[test]
    fn voicemail_and_calls_parse() {
        let e = parse(&req(VOICEMAIL), API_BASE).unwrap();
        assert_eq!(e.event_id, "voicemail:9911");
        assert_eq!(e.call_id, "9911");
        assert_eq!(e.from_number.as_deref(), Some("+14155550111"));
        assert_eq!(e.to_number.as_deref(), Some("+14155550100"));
        assert_eq!(e.occurred_at_unix, 1_772_532_360);
        assert_eq!(
            e.kind,
            VoiceEventKind::Voicemail {
                recording_url: Some("https://vm.test/voicemail.mp3".into()),
                duration_secs: Some(60),
                transcript: None
            }
        );
        let ended = VOICEMAIL.replace("call.voicemail_left", "call.ended");
        assert_eq!(
            parse(&req(&ended), API_BASE).unwrap().event_id,
            "voicemail:9911"
        );

        let answered = r#"{"event":"call.ended","token":"t","timestamp":5,"data":{"id":7,"direction":"outbound",
            "answered_at":100,"ended_at":190,"duration":90,"raw_digits":"+33 1 23 45 67 89",
            "number":{"digits":"+1 415 555 0100"},"voicemail":null}}"#;
        let e = parse(&req(answered), API_BASE).unwrap();
        assert_eq!(e.event_id, "call:7:ended");
        assert_eq!(e.from_number.as_deref(), Some("+14155550100"));
        assert_eq!(e.to_number.as_deref(), Some("+33123456789"));
        assert_eq!(e.customer_number(), Some("+33123456789"));
        assert_eq!(
            e.kind,
            VoiceEventKind::CallCompleted {
                duration_secs: Some(90),
                transcript: None,
                direction: Direction::Outbound
            }
        );

        let anon = r#"{"event":"call.created","data":{"id":8,"raw_digits":"anonymous"}}"#;
        let e = parse(&req(anon), API_BASE).unwrap();
        assert!(matches!(e.kind, VoiceEventKind::Ignored { .. }));
        assert_eq!(e.from_number, None);
        assert!(parse(&req(r#"{"event":"call.ended"}"#), API_BASE).is_err());
    }

    #[test]
    fn transcription_inline_or_fetched() {
        let inline = r#"{"event":"transcription.created","token":"t","timestamp":9,"data":{"id":3,"call_id":9911,
            "type":"voicemail","content":{"language":"en","utterances":[
            {"start_time":0,"end_time":2,"text":"Hi it's Jo","participant_type":"external"},
            {"text":"about order 1142","participant_type":"external"}]}}}"#;
        let e = parse(&req(inline), API_BASE).unwrap();
        assert_eq!(e.call_id, "9911");
        assert_eq!(e.event_id, "transcription:9911");
        assert_eq!(
            e.kind,
            VoiceEventKind::TranscriptReady {
                transcript: "Hi it's Jo about order 1142".into()
            }
        );
        let bare = r#"{"event":"transcription.created","data":{"call_id":9911}}"#;
        let e = parse(&req(bare), "http://127.0.0.1:9/").unwrap();
        assert_eq!(e.kind, VoiceEventKind::TranscriptToFetch);
        let f = e.follow_up.unwrap();
        assert_eq!(f.url, "http://127.0.0.1:9/v1/calls/9911/transcription");
        let r = follow_up_request(&f, "id", "tok");
        assert_eq!(r.method, "GET");
        assert!(
            r.headers
                .contains(&("authorization".into(), "Basic aWQ6dG9r".into()))
        );

        let call = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"transcription":{"id":1,"type":"call","content":{"utterances":[
                {"text":"Where is my order?","participant_type":"external"},
                {"text":"Shipping today.","participant_type":"internal"}]}}}"#
                .to_vec(),
        };
        assert_eq!(
            parse_follow_up(&call).unwrap().as_deref(),
            Some("Caller: Where is my order?\nAgent: Shipping today.")
        );
    }

    #[test]
    fn registration_round_trip() {
        let r = create_webhook_request(
            API_BASE,
            "id",
            "tok",
            "https://h.test/hooks/voice/aircall/l1",
            "Baton",
        );
        assert_eq!(r.url, "https://api.aircall.io/v1/webhooks");
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["url"], "https://h.test/hooks/voice/aircall/l1");
        assert_eq!(body["events"][0], "call.voicemail_left");
        let ok = HttpResponse {
            status: 201,
            headers: vec![],
            body: br#"{"webhook":{"webhook_id":"wh_1","token":"tok_9","url":"u","active":true}}"#
                .to_vec(),
        };
        let w = parse_create_webhook(&ok).unwrap();
        assert_eq!(
            (w.id.as_str(), w.secret.as_deref()),
            ("wh_1", Some("tok_9"))
        );
        let denied = HttpResponse {
            status: 401,
            headers: vec![],
            body: br#"{"error":"Unauthorized","troubleshoot":"Check your API ID"}"#.to_vec(),
        };
        assert_eq!(
            parse_create_webhook(&denied),
            Err(ApiError::BadCredentials(
                "Unauthorized (Check your API ID)".into()
            ))
        );
        let d = delete_webhook_request(API_BASE, "id", "tok", "wh_1");
        assert_eq!(
            (d.method, d.url.as_str()),
            ("DELETE", "https://api.aircall.io/v1/webhooks/wh_1")
        );
        let gone = HttpResponse {
            status: 404,
            headers: vec![],
            body: vec![],
        };
        assert_eq!(parse_delete_webhook(&gone), Ok(()));
    }
}
