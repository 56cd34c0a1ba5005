//! Vonage Voice API: signed webhooks, the NCCO that records a voicemail
//! with transcription, the record / transcription / call events, and the
//! application JWT (RS256) needed to fetch a transcript.
//!
//! Signed webhooks (developer.vonage.com, "Signed webhooks"): each request
//! carries `Authorization: Bearer <JWT>` signed HS256 with the account's
//! signature secret. Claims seen: `api_key`, `application_id`, `iat`,
//! `jti`, `payload_hash` (hex SHA-256 of the body). [`verify`] checks the
//! MAC, the time claims (iat required), `payload_hash` (required on any body), and that the token
//! names this line's application (and API key, when one is configured).
//!
//! Webhooks are pasted by hand (answer URL and event URL of the Vonage
//! application); nothing is registered through the API.
//!
//! The record event carries no caller number, so [`answer_ncco`] puts
//! `from` and `to` in the record event URL's query, where [`parse`] reads
//! them back. The transcription webhook only points at `transcription_url`,
//! fetched with an application JWT ([`follow_up_request`]).

use rsa::RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::Sha256;

use super::common::{
    b64url, ct_eq, form_get, hex, json as read_json, non_empty, normalize_phone, parse_form,
    parse_rfc3339, percent_encode, sha256, str_at, u64_at,
};
use super::jwt::verify_hs256;
use super::{
    ApiError, Direction, FollowUp, FollowUpKind, ParseError, VerifyError, VoiceEvent,
    VoiceEventKind, WebhookRequest, check_status, request,
};
use crate::http::{HttpRequest, HttpResponse};

/// Clock skew allowed on `iat`, and the oldest `iat` accepted.
pub const LEEWAY_SECS: i64 = 300;
pub const MAX_AGE_SECS: i64 = 900;

/// What a line knows to check a Vonage webhook.
#[derive(Debug, Clone, Copy)]
pub struct Verifier<'a> {
    pub signature_secret: &'a str,
    pub application_id: &'a str,
    /// When set, the token's `api_key` claim must match.
    pub api_key: Option<&'a str>,
}

/// Verifies the bearer JWT; returns its claims.
pub fn verify(
    req: &WebhookRequest<'_>,
    line: &Verifier<'_>,
    now_unix: i64,
) -> Result<Value, VerifyError> {
    if line.signature_secret.is_empty() {
        return Err(VerifyError::NoSecret);
    }
    let auth = req
        .header("authorization")
        .ok_or(VerifyError::Missing("Authorization"))?;
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .ok_or(VerifyError::Malformed("Authorization (not Bearer)"))?;
    let claims = verify_hs256(
        token,
        line.signature_secret.as_bytes(),
        now_unix,
        LEEWAY_SECS,
    )?;
    // Vonage always sets iat; without it a token would never go stale.
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(VerifyError::Missing("iat claim"))?;
    if now_unix - iat > MAX_AGE_SECS {
        return Err(VerifyError::Stale);
    }
    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    if let Some(app) = claim("application_id")
        && !line.application_id.is_empty()
        && app != line.application_id
    {
        return Err(VerifyError::Mismatch);
    }
    if let (Some(expected), Some(given)) = (line.api_key, claim("api_key"))
        && expected != given
    {
        return Err(VerifyError::Mismatch);
    }
    // payload_hash binds the token to this body; without it the token would
    // authorize any body, any number of times. GET callbacks have no body
    // to bind; their parameters are in the (signed-over-TLS) URL.
    if !req.method.eq_ignore_ascii_case("GET") && !req.body.iter().all(u8::is_ascii_whitespace) {
        let expected = claim("payload_hash").ok_or(VerifyError::Missing("payload_hash claim"))?;
        let actual = hex(&sha256(req.body));
        if !ct_eq(actual.as_bytes(), expected.to_ascii_lowercase().as_bytes()) {
            return Err(VerifyError::Mismatch);
        }
    }
    Ok(claims)
}

/// The request's parameters: JSON body for POST, query for GET, with the
/// query's `from`/`to` (set by [`answer_ncco`]) available either way.
fn params(req: &WebhookRequest<'_>) -> Result<(Value, Vec<(String, String)>), ParseError> {
    let query = req.query_pairs();
    if req.method.eq_ignore_ascii_case("GET") || req.body.iter().all(u8::is_ascii_whitespace) {
        let obj: serde_json::Map<String, Value> = query
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        return Ok((Value::Object(obj), query));
    }
    let is_form = req
        .header("content-type")
        .is_some_and(|ct| ct.contains("x-www-form-urlencoded"));
    let body = if is_form {
        let obj: serde_json::Map<String, Value> = parse_form(req.body)
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        Value::Object(obj)
    } else {
        read_json(req.body).map_err(ParseError)?
    };
    Ok((body, query))
}

/// Reads a verified answer, event, record or transcription callback.
pub fn parse(req: &WebhookRequest<'_>) -> Result<VoiceEvent, ParseError> {
    let (v, query) = params(req)?;
    let from_query = |name: &str| form_get(&query, name).and_then(normalize_phone);
    let phone = |name: &str| {
        str_at(&v, &format!("/{name}"))
            .and_then(|n| normalize_phone(&n))
            .or_else(|| from_query(name))
    };
    let call_id = str_at(&v, "/conversation_uuid")
        .or_else(|| str_at(&v, "/uuid"))
        .unwrap_or_default();
    let at = str_at(&v, "/timestamp")
        .or_else(|| str_at(&v, "/end_time"))
        .and_then(|t| parse_rfc3339(&t))
        .unwrap_or(0);
    let mut event = VoiceEvent {
        event_id: String::new(),
        kind: VoiceEventKind::Ignored {
            what: String::new(),
        },
        call_id: call_id.clone(),
        from_number: phone("from"),
        to_number: phone("to"),
        occurred_at_unix: at,
        follow_up: None,
    };

    if let Some(url) = str_at(&v, "/transcription_url") {
        let rec = str_at(&v, "/recording_uuid").unwrap_or_else(|| call_id.clone());
        event.event_id = format!("transcription:{rec}");
        let status = str_at(&v, "/status").unwrap_or_default();
        if status.is_empty() || status == "transcribed" {
            event.kind = VoiceEventKind::TranscriptToFetch;
            event.follow_up = Some(FollowUp {
                what: FollowUpKind::Transcript,
                url,
            });
        } else {
            event.kind = VoiceEventKind::Ignored {
                what: format!("transcription {status}"),
            };
        }
        return Ok(event);
    }
    if let Some(url) = str_at(&v, "/recording_url") {
        let rec = str_at(&v, "/recording_uuid")
            .ok_or_else(|| ParseError("record event without recording_uuid".into()))?;
        let times = (
            str_at(&v, "/start_time").and_then(|t| parse_rfc3339(&t)),
            str_at(&v, "/end_time").and_then(|t| parse_rfc3339(&t)),
        );
        event.event_id = format!("recording:{rec}");
        event.kind = VoiceEventKind::Voicemail {
            recording_url: Some(url),
            duration_secs: match times {
                (Some(s), Some(e)) => u64::try_from(e - s).ok(),
                _ => None,
            },
            transcript: None,
        };
        return Ok(event);
    }
    if call_id.is_empty() {
        return Err(ParseError("no conversation_uuid or uuid".into()));
    }
    let direction = Direction::from_word(str_at(&v, "/direction").as_deref().unwrap_or(""));
    match str_at(&v, "/status").as_deref() {
        // The answer webhook has no status: a call is ringing.
        None => {
            event.event_id = format!("call:{call_id}:answer");
            event.kind = VoiceEventKind::IncomingCall;
        }
        Some("completed") => {
            let uuid = str_at(&v, "/uuid").unwrap_or_else(|| call_id.clone());
            event.event_id = format!("call:{uuid}:completed");
            event.kind = VoiceEventKind::CallCompleted {
                duration_secs: u64_at(&v, "/duration"),
                transcript: None,
                direction,
            };
        }
        Some(other) => {
            let uuid = str_at(&v, "/uuid").unwrap_or_else(|| call_id.clone());
            event.event_id = format!("call:{uuid}:{other}");
            event.kind = VoiceEventKind::Ignored {
                what: format!("call {other}"),
            };
        }
    }
    Ok(event)
}

/// What the caller hears and where the recording goes.
#[derive(Debug, Clone)]
pub struct AnswerNcco<'a> {
    pub greeting: &'a str,
    /// The line's webhook URL; the record and transcription events go there
    /// with `event=` and the caller's numbers in the query.
    pub webhook_url: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// BCP-47, e.g. `en-US`.
    pub language: &'a str,
    /// Longest recording, seconds (Vonage allows 3 to 7200).
    pub max_length_secs: u32,
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    format!("{url}{sep}{}", q.join("&"))
}

/// The NCCO answering a call: greeting, a record action with
/// transcription, goodbye.
pub fn answer_ncco(opts: &AnswerNcco<'_>) -> Value {
    let record_url = with_query(
        opts.webhook_url,
        &[("event", "recording"), ("from", opts.from), ("to", opts.to)],
    );
    let transcript_url = with_query(opts.webhook_url, &[("event", "transcription")]);
    json!([
        {"action": "talk", "text": opts.greeting},
        {
            "action": "record",
            "eventUrl": [record_url],
            "eventMethod": "POST",
            "format": "mp3",
            "beepStart": true,
            "endOnKey": "#",
            "endOnSilence": 5,
            "timeOut": opts.max_length_secs.clamp(3, 7200),
            "transcription": {
                "language": opts.language,
                "eventUrl": [transcript_url],
                "eventMethod": "POST",
            },
        },
        {"action": "talk", "text": "Thank you. Goodbye."},
    ])
}

/// Why an application JWT could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unusable Vonage private key: {}", self.0)
    }
}

impl std::error::Error for KeyError {}

/// Reads the application's private key (PKCS#8 PEM as Vonage issues it,
/// or PKCS#1 PEM). Check it when a line is connected.
pub fn read_private_key(pem: &str) -> Result<RsaPrivateKey, KeyError> {
    let pem = pem.trim();
    RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|e| KeyError(e.to_string()))
}

/// An application JWT (RS256): `application_id`, `iat`, `exp` (15 min),
/// `jti` (unique per token: pass a random value).
pub fn application_jwt(
    private_key_pem: &str,
    application_id: &str,
    now_unix: i64,
    jti: &str,
) -> Result<String, KeyError> {
    let key = read_private_key(private_key_pem)?;
    let header = b64url(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = json!({
        "application_id": application_id,
        "iat": now_unix,
        "exp": now_unix + 900,
        "jti": jti,
    });
    let input = format!("{header}.{}", b64url(claims.to_string().as_bytes()));
    let signer = SigningKey::<Sha256>::new(key);
    let sig = signer
        .try_sign(input.as_bytes())
        .map_err(|e| KeyError(e.to_string()))?;
    Ok(format!("{input}.{}", b64url(&sig.to_bytes())))
}

/// The GET for `transcription_url` (or a recording) with an application JWT.
pub fn follow_up_request(follow_up: &FollowUp, application_jwt: &str) -> HttpRequest {
    request(
        "GET",
        follow_up.url.clone(),
        &[
            ("authorization", format!("Bearer {application_jwt}")),
            ("accept", "application/json".into()),
        ],
        Vec::new(),
    )
}

/// The transcript: every channel's sentences, in order.
pub fn parse_follow_up(resp: &HttpResponse) -> Result<Option<String>, ApiError> {
    let body = check_status(resp, error_detail)?;
    let v = read_json(body).map_err(ApiError::Malformed)?;
    let channels = v
        .get("channels")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::Malformed("no channels".into()))?;
    let sentences: Vec<String> = channels
        .iter()
        .filter_map(|c| c.get("transcript").and_then(Value::as_array))
        .flatten()
        .filter_map(|t| str_at(t, "/sentence"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    Ok(non_empty(Some(sentences.join(" "))))
}

fn error_detail(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    str_at(&v, "/detail")
        .or_else(|| str_at(&v, "/title"))
        .or_else(|| str_at(&v, "/error_title"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::jwt::sign_hs256;

    const LINE: Verifier<'static> = Verifier {
        signature_secret: "sig-secret",
        application_id: "app-1",
        api_key: Some("key-1"),
    };

    fn signed(claims: Value) -> Vec<(String, String)> {
        vec![(
            "Authorization".into(),
            format!("Bearer {}", sign_hs256(&claims, b"sig-secret")),
        )]
    }

    const RECORD: &str = r#"{"start_time":"2026-03-03T10:05:00.000Z","end_time":"2026-03-03T10:05:21.000Z",
        "recording_url":"https://api.nexmo.com/v1/files/3c1d","size":168320,
        "recording_uuid":"7d2e","conversation_uuid":"CON-9f8e","timestamp":"2026-03-03T10:05:22.104Z"}"#;

    #[test]
    fn signed_webhook_checks() {
        let now = 1_772_532_322;
        let hash = hex(&sha256(RECORD.as_bytes()));
        let claims = json!({"api_key":"key-1","application_id":"app-1","iat":now - 2,"jti":"j1","payload_hash":hash});
        let headers = signed(claims.clone());
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/hooks/voice/vonage/l1?event=recording&from=14155550111&to=14155550100",
            headers: &headers,
            body: RECORD.as_bytes(),
        };
        assert_eq!(verify(&req, &LINE, now).unwrap()["jti"], "j1");
        // Another body under the same token.
        let swapped = WebhookRequest {
            body: br#"{"recording_url":"https://evil.test"}"#,
            ..req
        };
        assert_eq!(verify(&swapped, &LINE, now), Err(VerifyError::Mismatch));
        // Another application's token, a wrong API key, an old token.
        for (field, value) in [
            ("application_id", json!("app-2")),
            ("api_key", json!("key-2")),
        ] {
            let mut c = claims.clone();
            c[field] = value;
            let h = signed(c);
            let r = WebhookRequest { headers: &h, ..req };
            assert_eq!(
                verify(&r, &LINE, now),
                Err(VerifyError::Mismatch),
                "{field}"
            );
        }
        assert_eq!(verify(&req, &LINE, now + 1000), Err(VerifyError::Stale));
        // Without payload_hash a token would authorize any body; without
        // iat it would never go stale.
        for missing in ["payload_hash", "iat"] {
            let mut c = claims.clone();
            c.as_object_mut().unwrap().remove(missing);
            let h = signed(c);
            let r = WebhookRequest { headers: &h, ..req };
            assert!(
                matches!(verify(&r, &LINE, now), Err(VerifyError::Missing(_))),
                "{missing}"
            );
        }
        let wrong_secret = Verifier {
            signature_secret: "other",
            ..LINE
        };
        assert_eq!(verify(&req, &wrong_secret, now), Err(VerifyError::Mismatch));
        let no_auth = WebhookRequest {
            headers: &[],
            ..req
        };
        assert!(matches!(
            verify(&no_auth, &LINE, now),
            Err(VerifyError::Missing(_))
        ));
        let basic = vec![("authorization".to_string(), "Basic eDp5".to_string())];
        let r = WebhookRequest {
            headers: &basic,
            ..req
        };
        assert!(matches!(
            verify(&r, &LINE, now),
            Err(VerifyError::Malformed(_))
        ));
    }

    /// HS256 known answer computed independently with Python's `hmac`,
    /// `hashlib` and `base64` on this machine: claims
    /// `{"application_id":"app-1","iat":1772532320,"payload_hash":"<sha256 of {}>"}`.
    #[test]
    fn vonage_jwt_known_answer() {
        let headers = vec![("Authorization".to_string(), format!("Bearer {KNOWN_TOKEN}"))];
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/",
            headers: &headers,
            body: b"{}",
        };
        let line = Verifier {
            api_key: None,
            ..LINE
        };
        assert!(verify(&req, &line, 1_772_532_322).is_ok());
        let other = WebhookRequest { body: b"[]", ..req };
        assert_eq!(
            verify(&other, &line, 1_772_532_322),
            Err(VerifyError::Mismatch)
        );
    }

    const KNOWN_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcHBsaWNhdGlvbl9pZCI6ImFwcC0xIiwiaWF0IjoxNzcyNTMyMzIwLCJwYXlsb2FkX2hhc2giOiI0NDEzNmZhMzU1YjM2NzhhMTE0NmFkMTZmN2U4NjQ5ZTk0ZmI0ZmMyMWZlNzdlODMxMGMwNjBmNjFjYWFmZjhhIn0.m_5BG144Uek-LMyvvBaGCVYpkN2_agoMC0dPKOdhRtA";

    fn post(url: &str, body: &str) -> VoiceEvent {
        parse(&WebhookRequest {
            method: "POST",
            url,
            headers: &[],
            body: body.as_bytes(),
        })
        .unwrap()
    }

    #[test]
    fn callbacks_parse() {
        let e = post(
            "https://h.test/hook?event=recording&from=14155550111&to=14155550100",
            RECORD,
        );
        assert_eq!(e.event_id, "recording:7d2e");
        assert_eq!(e.call_id, "CON-9f8e");
        assert_eq!(e.from_number.as_deref(), Some("+14155550111"));
        assert_eq!(
            e.kind,
            VoiceEventKind::Voicemail {
                recording_url: Some("https://api.nexmo.com/v1/files/3c1d".into()),
                duration_secs: Some(21),
                transcript: None
            }
        );
        let t = post(
            "https://h.test/hook?event=transcription",
            r#"{"conversation_uuid":"CON-9f8e","recording_uuid":"7d2e","status":"transcribed",
               "transcription_url":"https://api.nexmo.com/v1/files/aa11","type":"transcription"}"#,
        );
        assert_eq!(t.event_id, "transcription:7d2e");
        assert_eq!(t.call_id, "CON-9f8e");
        assert_eq!(t.kind, VoiceEventKind::TranscriptToFetch);
        assert_eq!(
            t.follow_up.as_ref().unwrap().url,
            "https://api.nexmo.com/v1/files/aa11"
        );

        let answer = parse(&WebhookRequest {
            method: "GET",
            url: "https://h.test/hook?from=14155550111&to=14155550100&uuid=u1&conversation_uuid=CON-1",
            headers: &[],
            body: b"",
        })
        .unwrap();
        assert_eq!(answer.kind, VoiceEventKind::IncomingCall);
        assert_eq!(answer.from_number.as_deref(), Some("+14155550111"));

        let done = post(
            "https://h.test/hook",
            r#"{"from":"14155550111","to":"14155550100","uuid":"u1","conversation_uuid":"CON-1",
               "status":"completed","direction":"inbound","duration":"75","timestamp":"2026-03-03T10:05:22.104Z"}"#,
        );
        assert_eq!(done.event_id, "call:u1:completed");
        assert_eq!(
            done.kind,
            VoiceEventKind::CallCompleted {
                duration_secs: Some(75),
                transcript: None,
                direction: Direction::Inbound
            }
        );
        let ringing = post("https://h.test/hook", r#"{"uuid":"u1","status":"ringing"}"#);
        assert!(matches!(ringing.kind, VoiceEventKind::Ignored { .. }));
    }

    #[test]
    fn ncco_records_with_transcription() {
        let n = answer_ncco(&AnswerNcco {
            greeting: "Hi",
            webhook_url: "https://h.test/hooks/voice/vonage/l1",
            from: "14155550111",
            to: "+1 415 555 0100",
            language: "en-US",
            max_length_secs: 1_000_000,
        });
        assert_eq!(n[1]["action"], "record");
        assert_eq!(
            n[1]["eventUrl"][0],
            "https://h.test/hooks/voice/vonage/l1?event=recording&from=14155550111&to=%2B1%20415%20555%200100"
        );
        assert_eq!(n[1]["timeOut"], 7200);
        assert_eq!(
            n[1]["transcription"]["eventUrl"][0],
            "https://h.test/hooks/voice/vonage/l1?event=transcription"
        );
    }

    #[test]
    fn transcript_response_reads_sentences() {
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"ver":"1.0","request_id":"r","channels":[{"duration":21,"transcript":[
                {"sentence":"Hi it's Jo","raw_sentence":"hi its jo"},{"sentence":"about order 1142."}]}]}"#
                .to_vec(),
        };
        assert_eq!(
            parse_follow_up(&resp).unwrap().as_deref(),
            Some("Hi it's Jo about order 1142.")
        );
        let denied = HttpResponse {
            status: 401,
            headers: vec![],
            body: br#"{"type":"https://developer.nexmo.com/api-errors#unauthorized","title":"Unauthorized","detail":"Invalid token"}"#.to_vec(),
        };
        assert_eq!(
            parse_follow_up(&denied),
            Err(ApiError::BadCredentials("Invalid token".into()))
        );
    }

    /// RS256 known answer: key pair generated with `openssl genpkey` on this
    /// machine; the signature was checked with `openssl dgst -verify`
    /// (PKCS#1 v1.5 signatures are deterministic, so the value is fixed).
    #[test]
    fn application_jwt_known_answer() {
        let jwt = application_jwt(TEST_KEY, "app-1", 1_772_532_300, "jti-1").unwrap();
        assert_eq!(jwt, KNOWN_RS256);
        let r = follow_up_request(
            &FollowUp {
                what: FollowUpKind::Transcript,
                url: "https://api.nexmo.com/v1/files/aa11".into(),
            },
            &jwt,
        );
        assert_eq!(r.headers[0].1, format!("Bearer {jwt}"));
        assert!(read_private_key("not a key").is_err());
    }

    /// A throwaway key made for this test only.
    const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC/BHOUsE2Z36rY\nybQVuytOxft8KYq3CDitKRrzXGYWlmZhe+ygGVqksdgRCJU89jwhDyUT8u60VS1k\neNGocfRsbe1G9D4XJOe9k2DQ3G9FoGONsuPPlZ26bPDmvLEHJe6nvCdGzLZ+iivK\nRXjKRlhWYApL7aX9MM1huVFWn0Ea0Fbc9J4vOdLnl3+zIpDT7zzhsoRiy5Sxd3u+\nWMhJvWM0nnxYjd22bHbUXC2BR914nIhQc44LX/uTbz2CtS1syhM3gp20ipJoZQPv\nJ9Cy8Mcd4kGx3SJwbPDFMYFoi+l98g53cxrLsHA8V45MueaXC/U9sGgiwOyeHcwi\nJn7joFKVAgMBAAECggEADX7cxKNNJEM1cKIVj1h9N5BM04mi04oo6PEHxqxfSRbA\nroABKJGKAitPeuqakqdJ+cL2aWmnPEXtUlUn6Oj+Lh/5HON6NIvmtJHiS/dbBDYP\n+o2qQzsMnQR/46lur3TaXu7v7nRdq2SLMfwFC/N638VizNkCOnh1dkNP0Bkp0iFJ\nSdxD7bS3PFHepsmu0aefOitdD0lJY1MIxtGskCOwYU3QS7LurcN4pjlGxM4buw3u\nlm+g54XMbqtfmxW0cgSepUCgdqCf6pf0xgSLieHMGwyLu7JVhlczVQXxV93L3P7Y\nkm84iOaAgeXW4i0dsD8O4c4mm8YDnfBhXAhqg2BQKQKBgQDp7g/KKyg7fxr4wMCZ\n1Vkwtdx7sOIotH2ql95/8tcmzwx+ms/qcmhAumqMemk1yb7tdcPboQ+NX99gOklO\nWkAFrz1FA7aujkr+2APvt4oiNEE7hre8Zf6FglQYg08RX6zGdyzJKhD0WBycULxt\nGzIVA7lL1sHWizWU43IwDEjRnQKBgQDRCfRjyBmqs6/ZsPi7HLGrtET8ScjDp+ss\nezlWvRYdYVgD/POvB1tIJ/awNn5sWXMY7vAItmFLxa/HQLECElQN9DwEtQZWpYsF\n9m7jddGn66cI8nxCMLTKtF743Ro/nb2ggKqPDN3ziqTAhx+4MEyl3PC+SGVZOXUM\nByNMGiBPWQKBgE1PcwJyjuJS2HwbX8u3WbmicNKkG6ouNFXbyRnqDLbzuIJi8ZHe\n65twwGPa1MiE+0eJIwiDyxsC81TfDnkJlJ0MVChp2McJmbltdKeVtd4l/OUKWdC2\nuI4xC0/qnYf1YalZm4CEGYRXVmVGvW8ljMCrMWLh/7/C1Bt3q7Y7aRl1AoGBAMQl\nehuS7Hqfptc21v4EG7cJLV4qAeeNjf+sFI6OWMzyxXrghOvslDutvC12xMP4Xya7\nNaKHN964vYrS6gUOm66ISTUFg9AT/9J1fXGT4UmWtqKPngch2tMF0sPj/DhLVF7h\nvKkEItPeeV9qq1nSgGl2WrPCDM9fObQykm1baovpAoGBAOLGGadwT8+QYJLBm/yZ\nLo4WwfCLWwUAaoki4d4IVN+xhpeQ/AcLeZN906ApdxVS0ry9UmnQv6kItXOnX9Xr\nMuAXy4msllX3zB0tQ6hrRWB6vKNUCRCKSw5V49R61WhdHQuWS5eDRfosoRs5/BCo\nGUuV+qgegkRpuTqABLLQdFXa\n-----END PRIVATE KEY-----";
    const KNOWN_RS256: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcHBsaWNhdGlvbl9pZCI6ImFwcC0xIiwiZXhwIjoxNzcyNTMzMjAwLCJpYXQiOjE3NzI1MzIzMDAsImp0aSI6Imp0aS0xIn0.pXxLP65sQuJAOTTWd5IOj0phOVqWDtxZTfwbIoEJCNh5aZ__KdL6AkASVBUvxArmfJ72tG7-DyDhuDjKBKJXyasjiE6CuIIKsxnuYxjej-C81e6-f3bR6XbBtcbmLSIxQpsqayHUggrjyXYm8eu6y9o-UsPAgEc4QQAfPLNOOWBw70GbRK9oUdAx13Ld6Z5go2mq9eQGLf3ppiViTclOj6gOe41JqG_1QAfypYGOSlEYbIy0UrTbpok8wX-kUGwkaAN93aUhor2EIVmx8p6X9mav3umexKU10NMZwksE0KXg0W7GwEtu6k8WHrs_UzQEv_arnJPuJDT7X1yR4cjkLQ";
}
