//! RingCentral: JWT-grant token, webhook subscription create / renew /
//! delete with expiry, the validation handshake, the verification token,
//! voicemail notifications and the transcript fetch.
//!
//! (developers.ringcentral.com, "Creating webhooks", "Receiving",
//! "Voicemail message event".) When a subscription is created or renewed,
//! RingCentral posts a request with a `Validation-Token` header that must
//! be echoed in a `200` within a few seconds ([`handshake`]). Every
//! notification then carries `Verification-Token: <the token we set>`;
//! there is no MAC, so [`verify`] compares it in constant time.
//!
//! A voicemail notification carries the message (attachments, the
//! `vmTranscriptionStatus`) but never the transcript text: [`parse`]
//! returns a [`FollowUp`] for the transcription attachment when it is
//! ready, or for the message itself while transcription is in progress
//! (poll it with [`follow_up_request`] / [`parse_message`]).
//!
//! Subscriptions lapse: [`needs_renewal`] says when to renew, the
//! scheduler endpoint (and any webhook, opportunistically) calls
//! [`renew_request`]; a 404 there means "create a new one".

use serde_json::{Value, json};

use super::common::{
    b64, ct_eq, form_encode, i64_at, json as read_json, non_empty, normalize_phone, parse_rfc3339,
    str_at, u64_at,
};
use super::{
    ApiError, FollowUp, FollowUpKind, ParseError, RegisteredWebhook, VerifyError, VoiceEvent,
    VoiceEventKind, WebhookRequest, check_status, request,
};
use crate::http::{HttpRequest, HttpResponse};

pub const API_BASE: &str = "https://platform.ringcentral.com";
pub const VALIDATION_HEADER: &str = "Validation-Token";
pub const VERIFICATION_HEADER: &str = "Verification-Token";
/// Voicemails of the extension the user JWT belongs to.
pub const VOICEMAIL_FILTER: &str = "/restapi/v1.0/account/~/extension/~/voicemail";
/// Lifetime asked for: within both the old 7-day cap and the newer limits.
pub const SUBSCRIPTION_TTL_SECS: u64 = 7 * 86_400;
/// Renew when less than this is left.
pub const RENEW_AHEAD_SECS: i64 = 2 * 86_400;

/// The `Validation-Token` to echo, when this is the handshake request.
/// Answer `200`, empty body, with the same header.
pub fn handshake<'a>(req: &WebhookRequest<'a>) -> Option<&'a str> {
    req.header(VALIDATION_HEADER).filter(|t| !t.is_empty())
}

/// Compares `Verification-Token` with the token set on the subscription.
pub fn verify(req: &WebhookRequest<'_>, verification_token: &str) -> Result<(), VerifyError> {
    if verification_token.is_empty() {
        return Err(VerifyError::NoSecret);
    }
    let given = req
        .header(VERIFICATION_HEADER)
        .ok_or(VerifyError::Missing("Verification-Token"))?;
    if ct_eq(given.as_bytes(), verification_token.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

/// Reads a verified notification.
pub fn parse(req: &WebhookRequest<'_>, api_base: &str) -> Result<VoiceEvent, ParseError> {
    let v = read_json(req.body).map_err(ParseError)?;
    let event = v
        .get("event")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError("no event".into()))?;
    let uuid = str_at(&v, "/uuid").unwrap_or_default();
    let body = v.get("body").unwrap_or(&Value::Null);
    let at = str_at(&v, "/timestamp")
        .and_then(|t| parse_rfc3339(&t))
        .unwrap_or(0);
    // Filters may carry a query (`…/voicemail?…`); the path decides.
    let path = event.split('?').next().unwrap_or(event);
    let is_voicemail = path.contains("/extension/") && path.ends_with("/voicemail");
    if !is_voicemail {
        return Ok(VoiceEvent {
            event_id: format!("notification:{uuid}"),
            kind: VoiceEventKind::Ignored {
                what: event.to_string(),
            },
            call_id: String::new(),
            from_number: None,
            to_number: None,
            occurred_at_unix: at,
            follow_up: None,
        });
    }
    let id = str_at(body, "/id").ok_or_else(|| ParseError("voicemail without id".into()))?;
    let message = read_message(body, api_base, &id);
    Ok(VoiceEvent {
        event_id: format!("voicemail:{id}"),
        kind: VoiceEventKind::Voicemail {
            recording_url: message.recording_url.clone(),
            duration_secs: message.duration_secs,
            transcript: None,
        },
        call_id: id,
        from_number: str_at(body, "/from/phoneNumber").and_then(|n| normalize_phone(&n)),
        to_number: str_at(body, "/to/0/phoneNumber").and_then(|n| normalize_phone(&n)),
        occurred_at_unix: str_at(body, "/creationTime")
            .and_then(|t| parse_rfc3339(&t))
            .unwrap_or(at),
        follow_up: message.follow_up(),
    })
}

/// A voicemail message as the message store describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoicemailMessage {
    pub id: String,
    /// `vmTranscriptionStatus` as sent (`NotAvailable`, `InProgress`,
    /// `Completed`, `CompletedPartially`, `Failed`, …).
    pub transcription_status: String,
    pub recording_url: Option<String>,
    pub duration_secs: Option<u64>,
    /// The `AudioTranscription` attachment's content URI.
    pub transcript_url: Option<String>,
    /// The message's own URI, for polling.
    pub message_url: String,
}

impl VoicemailMessage {
    /// The transcript is final (fetch it) and present.
    pub fn transcript_ready(&self) -> bool {
        matches!(
            self.transcription_status.as_str(),
            "Completed" | "CompletedPartially"
        ) && self.transcript_url.is_some()
    }

    /// Transcription will not produce anything more.
    pub fn transcript_final(&self) -> bool {
        self.transcript_ready()
            || matches!(
                self.transcription_status.as_str(),
                "Failed" | "NotAvailable" | "TimedOut" | "Unsupported" | ""
            )
    }

    /// What to fetch next: the transcript when ready, the message while
    /// transcription is still running, nothing once it has failed.
    pub fn follow_up(&self) -> Option<FollowUp> {
        if self.transcript_ready() {
            self.transcript_url.clone().map(|url| FollowUp {
                what: FollowUpKind::Transcript,
                url,
            })
        } else if self.transcript_final() {
            None
        } else {
            Some(FollowUp {
                what: FollowUpKind::Message,
                url: self.message_url.clone(),
            })
        }
    }
}

fn read_message(m: &Value, api_base: &str, id: &str) -> VoicemailMessage {
    let attachments = m
        .get("attachments")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let of_type = |t: &str| attachments.iter().find(|a| a["type"].as_str() == Some(t));
    let recording = of_type("AudioRecording");
    VoicemailMessage {
        id: id.to_string(),
        transcription_status: str_at(m, "/vmTranscriptionStatus").unwrap_or_default(),
        recording_url: recording.and_then(|a| str_at(a, "/uri")),
        duration_secs: recording.and_then(|a| u64_at(a, "/vmDuration")),
        transcript_url: of_type("AudioTranscription").and_then(|a| str_at(a, "/uri")),
        message_url: str_at(m, "/uri").unwrap_or_else(|| {
            format!(
                "{}/restapi/v1.0/account/~/extension/~/message-store/{id}",
                api_base.trim_end_matches('/')
            )
        }),
    }
}

/// The GET for a [`FollowUp`], with the access token.
pub fn follow_up_request(follow_up: &FollowUp, access_token: &str) -> HttpRequest {
    let accept = match follow_up.what {
        FollowUpKind::Transcript => "text/plain",
        FollowUpKind::Message => "application/json",
    };
    request(
        "GET",
        follow_up.url.clone(),
        &[
            ("authorization", format!("Bearer {access_token}")),
            ("accept", accept.into()),
        ],
        Vec::new(),
    )
}

/// A message-store answer (the [`FollowUpKind::Message`] fetch).
pub fn parse_message(resp: &HttpResponse, api_base: &str) -> Result<VoicemailMessage, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    let id = str_at(&v, "/id").ok_or_else(|| ApiError::Malformed("message without id".into()))?;
    Ok(read_message(&v, api_base, &id))
}

/// The transcript text (the [`FollowUpKind::Transcript`] fetch).
pub fn parse_transcript(resp: &HttpResponse) -> Result<Option<String>, ApiError> {
    let body = check_status(resp, error_detail)?;
    Ok(non_empty(Some(String::from_utf8_lossy(body).into_owned())))
}

/// An access token from the JWT grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub access_token: String,
    pub expires_in_secs: Option<u64>,
}

/// `POST /restapi/oauth/token` with the JWT bearer grant (the user JWT
/// credential), client id and secret in Basic auth.
pub fn token_request(
    api_base: &str,
    client_id: &str,
    client_secret: &str,
    user_jwt: &str,
) -> HttpRequest {
    let body = form_encode(&[
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("assertion", user_jwt),
    ]);
    request(
        "POST",
        format!("{}/restapi/oauth/token", api_base.trim_end_matches('/')),
        &[
            (
                "authorization",
                format!(
                    "Basic {}",
                    b64(format!("{client_id}:{client_secret}").as_bytes())
                ),
            ),
            ("content-type", "application/x-www-form-urlencoded".into()),
            ("accept", "application/json".into()),
        ],
        body.into_bytes(),
    )
}

pub fn parse_token(resp: &HttpResponse) -> Result<AccessToken, ApiError> {
    let body = match check_status(resp, error_detail) {
        Ok(b) => b,
        // OAuth answers 400 for a bad JWT or client: that is bad credentials.
        Err(ApiError::Provider {
            status: 400,
            detail,
        }) if detail.contains("invalid_grant")
            || detail.contains("invalid_client")
            || detail.contains("unauthorized_client") =>
        {
            return Err(ApiError::BadCredentials(detail));
        }
        Err(e) => return Err(e),
    };
    let v = read_json(body).map_err(ApiError::Malformed)?;
    Ok(AccessToken {
        access_token: str_at(&v, "/access_token")
            .ok_or_else(|| ApiError::Malformed("no access_token".into()))?,
        expires_in_secs: u64_at(&v, "/expires_in"),
    })
}

fn bearer_json(access_token: &str) -> [(&'static str, String); 3] {
    [
        ("authorization", format!("Bearer {access_token}")),
        ("content-type", "application/json".into()),
        ("accept", "application/json".into()),
    ]
}

/// `POST /restapi/v1.0/subscription`: voicemails to the line's webhook,
/// with the verification token every notification will carry.
pub fn create_subscription_request(
    api_base: &str,
    access_token: &str,
    webhook_url: &str,
    verification_token: &str,
) -> HttpRequest {
    let body = json!({
        "eventFilters": [VOICEMAIL_FILTER],
        "deliveryMode": {
            "transportType": "WebHook",
            "address": webhook_url,
            "verificationToken": verification_token,
        },
        "expiresIn": SUBSCRIPTION_TTL_SECS,
    });
    request(
        "POST",
        format!(
            "{}/restapi/v1.0/subscription",
            api_base.trim_end_matches('/')
        ),
        &bearer_json(access_token),
        body.to_string().into_bytes(),
    )
}

/// `POST /restapi/v1.0/subscription/{id}/renew` (empty body).
pub fn renew_request(api_base: &str, access_token: &str, subscription_id: &str) -> HttpRequest {
    let [auth, _, accept] = bearer_json(access_token);
    request(
        "POST",
        format!(
            "{}/restapi/v1.0/subscription/{}/renew",
            api_base.trim_end_matches('/'),
            super::common::percent_encode(subscription_id)
        ),
        &[auth, accept],
        Vec::new(),
    )
}

/// `DELETE /restapi/v1.0/subscription/{id}`.
pub fn delete_subscription_request(
    api_base: &str,
    access_token: &str,
    subscription_id: &str,
) -> HttpRequest {
    let [auth, ..] = bearer_json(access_token);
    request(
        "DELETE",
        format!(
            "{}/restapi/v1.0/subscription/{}",
            api_base.trim_end_matches('/'),
            super::common::percent_encode(subscription_id)
        ),
        &[auth],
        Vec::new(),
    )
}

pub fn parse_delete(resp: &HttpResponse) -> Result<(), ApiError> {
    match check_status(resp, error_detail) {
        Ok(_) | Err(ApiError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// A subscription as created or renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    /// `Active`, `Suspended`, `Blacklisted`…
    pub status: String,
    pub expires_at_unix: i64,
    /// Filters RingCentral refused (e.g. for a missing permission).
    pub disabled_filters: Vec<String>,
}

impl Subscription {
    pub fn is_active(&self) -> bool {
        self.status.eq_ignore_ascii_case("Active") && self.disabled_filters.is_empty()
    }

    pub fn registered(&self) -> RegisteredWebhook {
        RegisteredWebhook {
            id: self.id.clone(),
            secret: None,
            expires_at_unix: Some(self.expires_at_unix),
        }
    }
}

/// Reads the create or renew answer.
pub fn parse_subscription(resp: &HttpResponse) -> Result<Subscription, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    let id = str_at(&v, "/id").ok_or_else(|| ApiError::Malformed("no subscription id".into()))?;
    let expires_at_unix = str_at(&v, "/expirationTime")
        .and_then(|t| parse_rfc3339(&t))
        .or_else(|| {
            // Fall back to expiresIn counted from the answer's creation time.
            let created = str_at(&v, "/creationTime").and_then(|t| parse_rfc3339(&t))?;
            Some(created + i64_at(&v, "/expiresIn")?)
        })
        .ok_or_else(|| ApiError::Malformed("no expirationTime".into()))?;
    let disabled_filters = v
        .get("disabledFilters")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .filter_map(|f| str_at(f, "/filter").or_else(|| f.as_str().map(str::to_string)))
                .collect()
        })
        .unwrap_or_default();
    Ok(Subscription {
        id,
        status: str_at(&v, "/status").unwrap_or_else(|| "Active".into()),
        expires_at_unix,
        disabled_filters,
    })
}

/// Whether a subscription expiring at `expires_at_unix` should be renewed
/// now (less than [`RENEW_AHEAD_SECS`] left, or already lapsed).
pub fn needs_renewal(expires_at_unix: i64, now_unix: i64) -> bool {
    expires_at_unix - now_unix < RENEW_AHEAD_SECS
}

fn error_detail(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if let Some(e) = str_at(&v, "/error") {
        return Some(match str_at(&v, "/error_description") {
            Some(d) => format!("{e}: {d}"),
            None => e,
        });
    }
    let msg = str_at(&v, "/message").or_else(|| str_at(&v, "/errors/0/message"))?;
    Some(match str_at(&v, "/errorCode") {
        Some(code) => format!("{code}: {msg}"),
        None => msg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const VOICEMAIL: &str = r#"{"uuid":"3f1c-1","event":"/restapi/v1.0/account/~/extension/1234/voicemail",
        "timestamp":"2026-03-03T10:06:00.000Z","subscriptionId":"95fe","ownerId":"1234",
        "body":{"id":"11100022","uri":"https://platform.rc.test/restapi/v1.0/account/1/extension/1234/message-store/11100022",
        "from":{"phoneNumber":"+14155550111","name":"Jo"},"to":[{"phoneNumber":"+14155550100"}],"type":"VoiceMail",
        "creationTime":"2026-03-03T10:05:58.000Z","direction":"Inbound","vmTranscriptionStatus":"InProgress",
        "attachments":[{"id":"1","uri":"https://platform.rc.test/content/1","type":"AudioRecording","contentType":"audio/mpeg","vmDuration":21}]}}"#;

    #[test]
    fn handshake_and_verification_token() {
        let headers = h(&[("Validation-Token", "abc-123")]);
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/",
            headers: &headers,
            body: b"",
        };
        assert_eq!(handshake(&req), Some("abc-123"));
        let headers = h(&[("verification-token", "vt-1")]);
        let req = WebhookRequest {
            headers: &headers,
            body: VOICEMAIL.as_bytes(),
            ..req
        };
        assert_eq!(handshake(&req), None);
        assert_eq!(verify(&req, "vt-1"), Ok(()));
        assert_eq!(verify(&req, "vt-2"), Err(VerifyError::Mismatch));
        assert_eq!(verify(&req, ""), Err(VerifyError::NoSecret));
        let bare = WebhookRequest {
            headers: &[],
            ..req
        };
        assert!(matches!(
            verify(&bare, "vt-1"),
            Err(VerifyError::Missing(_))
        ));
    }

    #[test]
    fn voicemail_notification_and_transcript_follow_up() {
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/",
            headers: &[],
            body: VOICEMAIL.as_bytes(),
        };
        let e = parse(&req, API_BASE).unwrap();
        assert_eq!(e.event_id, "voicemail:11100022");
        assert_eq!(e.from_number.as_deref(), Some("+14155550111"));
        assert_eq!(e.occurred_at_unix, 1_772_532_358);
        assert_eq!(
            e.kind,
            VoiceEventKind::Voicemail {
                recording_url: Some("https://platform.rc.test/content/1".into()),
                duration_secs: Some(21),
                transcript: None
            }
        );
        // Transcription still running: poll the message.
        let f = e.follow_up.unwrap();
        assert_eq!(f.what, FollowUpKind::Message);
        assert!(f.url.ends_with("/message-store/11100022"));
        let r = follow_up_request(&f, "AT");
        assert!(
            r.headers
                .contains(&("authorization".into(), "Bearer AT".into()))
        );

        let done = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"id":11100022,"vmTranscriptionStatus":"Completed","attachments":[
                {"id":"1","uri":"https://platform.rc.test/content/1","type":"AudioRecording","vmDuration":21},
                {"id":"2","uri":"https://platform.rc.test/content/2","type":"AudioTranscription","contentType":"text/plain"}]}"#
                .to_vec(),
        };
        let m = parse_message(&done, API_BASE).unwrap();
        assert!(m.transcript_ready());
        let f = m.follow_up().unwrap();
        assert_eq!(
            (f.what, f.url.as_str()),
            (
                FollowUpKind::Transcript,
                "https://platform.rc.test/content/2"
            )
        );
        let text = HttpResponse {
            status: 200,
            headers: vec![],
            body: b"  Hi, it's Jo about order 1142.\n".to_vec(),
        };
        assert_eq!(
            parse_transcript(&text).unwrap().as_deref(),
            Some("Hi, it's Jo about order 1142.")
        );
        let failed = HttpResponse {
            body: br#"{"id":"5","vmTranscriptionStatus":"Failed"}"#.to_vec(),
            ..done
        };
        assert_eq!(parse_message(&failed, API_BASE).unwrap().follow_up(), None);

        let other = WebhookRequest {
            body: br#"{"uuid":"u2","event":"/restapi/v1.0/account/~/extension/~/message-store","body":{"changes":[]}}"#,
            ..req
        };
        assert!(matches!(
            parse(&other, API_BASE).unwrap().kind,
            VoiceEventKind::Ignored { .. }
        ));
    }

    #[test]
    fn token_and_subscription_requests() {
        let t = token_request(API_BASE, "cid", "csec", "eyJ.user.jwt");
        assert_eq!(
            t.url,
            "https://platform.ringcentral.com/restapi/oauth/token"
        );
        assert_eq!(
            String::from_utf8(t.body).unwrap(),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ.user.jwt"
        );
        assert!(
            t.headers
                .contains(&("authorization".into(), "Basic Y2lkOmNzZWM=".into()))
        );
        let ok = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"access_token":"AT","token_type":"bearer","expires_in":3600}"#.to_vec(),
        };
        assert_eq!(
            parse_token(&ok).unwrap(),
            AccessToken {
                access_token: "AT".into(),
                expires_in_secs: Some(3600)
            }
        );
        let bad = HttpResponse {
            status: 400,
            headers: vec![],
            body: br#"{"error":"invalid_grant","error_description":"JWT is expired"}"#.to_vec(),
        };
        assert_eq!(
            parse_token(&bad),
            Err(ApiError::BadCredentials(
                "invalid_grant: JWT is expired".into()
            ))
        );

        let c = create_subscription_request(
            API_BASE,
            "AT",
            "https://h.test/hooks/voice/ringcentral/l1",
            "vt-1",
        );
        let body: Value = serde_json::from_slice(&c.body).unwrap();
        assert_eq!(body["eventFilters"][0], VOICEMAIL_FILTER);
        assert_eq!(body["deliveryMode"]["transportType"], "WebHook");
        assert_eq!(body["deliveryMode"]["verificationToken"], "vt-1");
        assert_eq!(body["expiresIn"], SUBSCRIPTION_TTL_SECS);
        let created = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"id":"95fe","status":"Active","creationTime":"2026-03-03T10:00:00.000Z",
                "expirationTime":"2026-03-10T10:00:00.000Z","expiresIn":604799,"eventFilters":[]}"#
                .to_vec(),
        };
        let s = parse_subscription(&created).unwrap();
        assert_eq!(s.id, "95fe");
        assert!(s.is_active());
        assert_eq!(s.expires_at_unix, 1_772_532_000 + 7 * 86_400);
        assert_eq!(s.registered().expires_at_unix, Some(s.expires_at_unix));
        assert!(!needs_renewal(s.expires_at_unix, 1_772_532_000));
        assert!(needs_renewal(s.expires_at_unix, s.expires_at_unix - 3600));
        assert!(needs_renewal(s.expires_at_unix, s.expires_at_unix + 1));

        let r = renew_request(API_BASE, "AT", "95fe");
        assert_eq!(
            (r.method, r.url.as_str()),
            (
                "POST",
                "https://platform.ringcentral.com/restapi/v1.0/subscription/95fe/renew"
            )
        );
        assert!(r.body.is_empty());
        let gone = HttpResponse {
            status: 404,
            headers: vec![],
            body: br#"{"errorCode":"SUB-404","message":"Subscription not found"}"#.to_vec(),
        };
        assert_eq!(
            parse_subscription(&gone),
            Err(ApiError::NotFound("SUB-404: Subscription not found".into()))
        );
        let limited = HttpResponse {
            status: 429,
            headers: vec![("Retry-After".into(), "60".into())],
            body: vec![],
        };
        assert_eq!(
            parse_subscription(&limited),
            Err(ApiError::RateLimited {
                retry_after_secs: Some(60)
            })
        );
        let partial = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"id":"9","status":"Active","expirationTime":"2026-03-10T10:00:00Z",
                "disabledFilters":[{"filter":"/restapi/v1.0/account/~/extension/~/voicemail","reason":"Permission"}]}"#
                .to_vec(),
        };
        assert!(!parse_subscription(&partial).unwrap().is_active());
        let d = delete_subscription_request(API_BASE, "AT", "95fe");
        assert_eq!(d.method, "DELETE");
    }
}
