//! Telephony providers, sans I/O: webhook authentication over the raw
//! request, webhook parsing into one event type, and the requests that
//! register webhooks or fetch what a webhook only points at.
//!
//! # How a component uses this
//!
//! 1. Build a [`WebhookRequest`] from what arrived: method, the **public**
//!    URL exactly as the provider called it (scheme, host, path, query),
//!    the headers and the raw body. Unknown line: 404 before anything else.
//! 2. Call [`receive`] with the line's [`WebhookSecret`]. It answers
//!    RingCentral's validation handshake, verifies the signature or token
//!    *before* reading the body, then parses. [`Refusal::Unauthenticated`]
//!    means 401, [`Refusal::Unreadable`] 400; either way store nothing.
//!    (Each provider module also exposes its own `verify` and `parse`.)
//! 3. Deduplicate on [`VoiceEvent::event_id`] (stable across the
//!    provider's retries), then act on [`VoiceEvent::kind`].
//! 4. If the event carries a [`FollowUp`], the transcript (or the message)
//!    lives behind the provider's API: build the GET with the provider's
//!    `follow_up_request`, send it, read it with `parse_follow_up`.
//!
//! # The event
//!
//! | kind | meaning | what the inbox does |
//! |---|---|---|
//! | [`VoiceEventKind::IncomingCall`] | a call rings (Twilio, Vonage) | answer with the voicemail TwiML / NCCO |
//! | [`VoiceEventKind::Voicemail`] | a caller left a voicemail | create an Assist (channel `voicemail`) |
//! | [`VoiceEventKind::TranscriptReady`] | a transcript for an earlier call or voicemail | update the Assist matched by `call_id` |
//! | [`VoiceEventKind::TranscriptToFetch`] | a transcript exists behind `follow_up` | fetch, then as `TranscriptReady` |
//! | [`VoiceEventKind::CallCompleted`] | a call ended | call summary note (with transcript) or call log entry |
//! | [`VoiceEventKind::Ignored`] | anything else the provider sends | answer 200, store nothing |
//!
//! `call_id` is the provider's id of the call (RingCentral: the voicemail
//! message id; Vonage: the conversation uuid); it ties a late transcript to
//! its voicemail. `from_number`/`to_number` are E.164 (`+` and digits) when
//! the provider gave a dialable number, `None` for anonymous callers.
//!
//! # Per provider
//!
//! | provider | webhook authenticity | registration | transcript |
//! |---|---|---|---|
//! | Twilio | `X-Twilio-Signature`, HMAC-SHA1 (auth token) | pasted by hand | `transcribeCallback` |
//! | Vonage | Bearer JWT HS256 (signature secret), `payload_hash` | pasted by hand | fetch `transcription_url` (RS256 app JWT) |
//! | Aircall | body `token` (issued at registration) | `POST /v1/webhooks` | `transcription.created` / fetch |
//! | Dialpad | body is a JWT HS256 (webhook secret) | webhook + call subscription | in the events |
//! | RingCentral | `Verification-Token` + validation handshake | JWT grant, subscription, renew | fetch attachment |
//! | Quo | Standard Webhooks or legacy `openphone-signature` | `POST /webhooks` | in the events / fetch (legacy) |
//!
//! Registration requests (Aircall, Dialpad, Quo, RingCentral) are pairs:
//! `*_request` builds an [`HttpRequest`], `parse_*` reads the
//! [`HttpResponse`]; failures come back as [`ApiError`] with the cases a
//! person can act on (bad credentials, missing permission, rate limited).

pub mod aircall;
mod common;
pub mod dialpad;
pub mod jwt;
pub mod quo;
pub mod ringcentral;
pub mod twilio;
pub mod vonage;

pub use common::{normalize_phone, parse_rfc3339};

use crate::http::{HttpRequest, HttpResponse};

/// The providers, by the name used in webhook paths
/// (`/hooks/voice/<provider>/<line id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Twilio,
    Vonage,
    Aircall,
    Dialpad,
    RingCentral,
    Quo,
}

impl Provider {
    pub const ALL: [Provider; 6] = [
        Provider::Twilio,
        Provider::Vonage,
        Provider::Aircall,
        Provider::Dialpad,
        Provider::RingCentral,
        Provider::Quo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Twilio => "twilio",
            Provider::Vonage => "vonage",
            Provider::Aircall => "aircall",
            Provider::Dialpad => "dialpad",
            Provider::RingCentral => "ringcentral",
            Provider::Quo => "quo",
        }
    }

    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The provider's API base URL (request builders take it as a
    /// parameter so tests can point them at fakes). Twilio's is unused here.
    pub fn api_base(self) -> &'static str {
        match self {
            Provider::Twilio => "https://api.twilio.com",
            Provider::Vonage => "https://api.nexmo.com",
            Provider::Aircall => aircall::API_BASE,
            Provider::Dialpad => dialpad::API_BASE,
            Provider::RingCentral => ringcentral::API_BASE,
            Provider::Quo => quo::API_BASE,
        }
    }

    /// Whether connecting a line registers the webhook through the
    /// provider's API; otherwise the person pastes the URL by hand.
    pub fn registers_webhook(self) -> bool {
        !matches!(self, Provider::Twilio | Provider::Vonage)
    }
}

/// A webhook request as it arrived, before anything is parsed.
#[derive(Debug, Clone, Copy)]
pub struct WebhookRequest<'a> {
    pub method: &'a str,
    /// The public URL the provider called, with its query string, as the
    /// provider saw it (rebuild it behind proxies: the signatures cover it).
    pub url: &'a str,
    /// Header names in any case.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl<'a> WebhookRequest<'a> {
    /// The first header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query string's pairs, percent-decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        match self.url.split_once('?') {
            Some((_, q)) => common::parse_form(q.split('#').next().unwrap_or("").as_bytes()),
            None => Vec::new(),
        }
    }
}

/// One provider delivery, in the inbox's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceEvent {
    /// Stable across the provider's retries of this delivery: the dedupe key.
    /// Prefixed with the kind of thing it names (`recording:RE…`), so two
    /// callbacks about the same recording (Twilio's `action` and
    /// `recordingStatusCallback`) share one key on purpose.
    pub event_id: String,
    pub kind: VoiceEventKind,
    /// The provider's id of the call (empty when the format has none).
    pub call_id: String,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    /// When it happened (unix seconds), from the payload; 0 when absent.
    pub occurred_at_unix: i64,
    /// What still has to be fetched from the provider's API, if anything.
    pub follow_up: Option<FollowUp>,
}

impl VoiceEvent {
    fn outbound(&self) -> bool {
        matches!(
            self.kind,
            VoiceEventKind::CallCompleted {
                direction: Direction::Outbound,
                ..
            }
        )
    }

    /// The customer's side of the call: the callee of an outbound call,
    /// the caller otherwise.
    pub fn customer_number(&self) -> Option<&str> {
        if self.outbound() {
            self.to_number.as_deref()
        } else {
            self.from_number.as_deref()
        }
    }

    /// The line's side (for a per-line number filter, e.g. Quo's).
    pub fn line_number(&self) -> Option<&str> {
        if self.outbound() {
            self.from_number.as_deref()
        } else {
            self.to_number.as_deref()
        }
    }
}

/// The secret a line's webhook is checked with, per provider.
#[derive(Debug, Clone, Copy)]
pub enum WebhookSecret<'a> {
    Twilio {
        auth_token: &'a str,
    },
    Vonage(vonage::Verifier<'a>),
    /// The token Aircall issued when the webhook was created.
    Aircall {
        token: &'a str,
    },
    /// The secret Baton set when creating the Dialpad webhook.
    Dialpad {
        secret: &'a str,
    },
    /// The verification token Baton set on the subscription.
    RingCentral {
        verification_token: &'a str,
    },
    /// `whsec_…` (webhooks created through the API) or the legacy base64
    /// key revealed in the Quo app.
    Quo {
        signing_key: &'a str,
    },
}

impl WebhookSecret<'_> {
    pub fn provider(&self) -> Provider {
        match self {
            WebhookSecret::Twilio { .. } => Provider::Twilio,
            WebhookSecret::Vonage(_) => Provider::Vonage,
            WebhookSecret::Aircall { .. } => Provider::Aircall,
            WebhookSecret::Dialpad { .. } => Provider::Dialpad,
            WebhookSecret::RingCentral { .. } => Provider::RingCentral,
            WebhookSecret::Quo { .. } => Provider::Quo,
        }
    }
}

/// What a webhook request asks of the component.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// RingCentral's validation request: answer `200`, empty body, with
    /// this header echoed. Nothing else to do.
    Handshake { header: &'static str, value: String },
    /// A verified event.
    Event(VoiceEvent),
}

/// Why a webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not from the provider (or not for this line): 401, store nothing.
    Unauthenticated(VerifyError),
    /// Authentic but unreadable: 400, store nothing.
    Unreadable(ParseError),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Unauthenticated(e) => write!(f, "webhook not authenticated: {e}"),
            Refusal::Unreadable(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Refusal {}

/// The whole inbound path for one line: handshake, verification before
/// any parsing, then the event. `api_base` is the provider's API base
/// ([`Provider::api_base`] in production) for the follow-up URLs.
pub fn receive(
    secret: &WebhookSecret<'_>,
    req: &WebhookRequest<'_>,
    now_unix: i64,
    api_base: &str,
) -> Result<Inbound, Refusal> {
    use Refusal::{Unauthenticated as U, Unreadable as P};
    let event = match *secret {
        WebhookSecret::Twilio { auth_token } => {
            twilio::verify(req, auth_token).map_err(U)?;
            twilio::parse(req).map_err(P)?
        }
        WebhookSecret::Vonage(line) => {
            vonage::verify(req, &line, now_unix).map_err(U)?;
            vonage::parse(req).map_err(P)?
        }
        WebhookSecret::Aircall { token } => {
            aircall::verify(req, token).map_err(U)?;
            aircall::parse(req, api_base).map_err(P)?
        }
        WebhookSecret::Dialpad { secret } => {
            let claims = dialpad::verify(req, secret, now_unix).map_err(U)?;
            dialpad::parse(&claims).map_err(P)?
        }
        WebhookSecret::RingCentral { verification_token } => {
            if let Some(value) = ringcentral::handshake(req) {
                return Ok(Inbound::Handshake {
                    header: ringcentral::VALIDATION_HEADER,
                    value: value.to_string(),
                });
            }
            ringcentral::verify(req, verification_token).map_err(U)?;
            ringcentral::parse(req, api_base).map_err(P)?
        }
        WebhookSecret::Quo { signing_key } => {
            quo::verify(req, signing_key, now_unix).map_err(U)?;
            quo::parse(req, api_base).map_err(P)?
        }
    };
    Ok(Inbound::Event(event))
}

#[derive(Debug, Clone, PartialEq)]
pub enum VoiceEventKind {
    /// The provider asks what to do with a ringing call (Twilio's voice URL,
    /// Vonage's answer URL): answer with the provider's voicemail document
    /// ([`twilio::voicemail_twiml`], [`vonage::answer_ncco`]).
    IncomingCall,
    Voicemail {
        recording_url: Option<String>,
        duration_secs: Option<u64>,
        transcript: Option<String>,
    },
    TranscriptReady {
        transcript: String,
    },
    /// A transcript exists at [`VoiceEvent::follow_up`]: fetch it, then
    /// handle it as [`VoiceEventKind::TranscriptReady`] for `call_id`.
    TranscriptToFetch,
    CallCompleted {
        duration_secs: Option<u64>,
        transcript: Option<String>,
        direction: Direction,
    },
    Ignored {
        /// The provider's event type, for logs.
        what: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    Outbound,
    Unknown,
}

impl Direction {
    pub(crate) fn from_word(w: &str) -> Direction {
        match w.to_ascii_lowercase().as_str() {
            "inbound" | "incoming" | "in" => Direction::Inbound,
            "outbound" | "outgoing" | "out" | "outbound-api" | "outbound-dial" => {
                Direction::Outbound
            }
            _ => Direction::Unknown,
        }
    }
}

/// Something a webhook only points at. `url` is absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub what: FollowUpKind,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpKind {
    /// The transcript itself (text or the provider's transcript JSON).
    Transcript,
    /// A message or call resource whose transcript may still be pending
    /// (RingCentral voicemail while `vmTranscriptionStatus` is not final).
    Message,
}

/// What registering a webhook (or subscription) at a provider left there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredWebhook {
    /// The provider's id, to update, renew or delete it later.
    pub id: String,
    /// The secret deliveries will be checked with, when the provider issues
    /// it (Aircall token, Quo signing key); store it encrypted.
    pub secret: Option<String>,
    /// When it lapses (RingCentral subscriptions), unix seconds.
    pub expires_at_unix: Option<i64>,
}

/// Why a webhook was refused. Every case answers 401 and stores nothing;
/// the distinction is for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The signature header or token is absent.
    Missing(&'static str),
    /// Present but not in the scheme's shape.
    Malformed(&'static str),
    /// Well formed, does not match.
    Mismatch,
    /// Signed too long ago or too far in the future.
    Stale,
    /// The line has no secret configured for this scheme.
    NoSecret,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Missing(what) => write!(f, "missing {what}"),
            VerifyError::Malformed(what) => write!(f, "malformed {what}"),
            VerifyError::Mismatch => f.write_str("signature does not match"),
            VerifyError::Stale => f.write_str("signature timestamp outside the tolerance"),
            VerifyError::NoSecret => f.write_str("no secret configured for this line"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// A verified webhook whose body is not what the provider documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unreadable webhook: {}", self.0)
    }
}

impl std::error::Error for ParseError {}

/// A provider API call that did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401 (or the provider's equivalent): the credentials are wrong.
    BadCredentials(String),
    /// 403: the credentials lack a permission or scope.
    MissingPermission(String),
    /// 429: try again after this many seconds (when the provider says).
    RateLimited { retry_after_secs: Option<u64> },
    /// 404: the resource (subscription, webhook, call) is gone.
    NotFound(String),
    /// Any other non-success status.
    Provider { status: u16, detail: String },
    /// A success status whose body is not the documented shape.
    Malformed(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::BadCredentials(d) => write!(f, "the provider refused the credentials: {d}"),
            ApiError::MissingPermission(d) => {
                write!(f, "the credentials lack a needed permission: {d}")
            }
            ApiError::RateLimited {
                retry_after_secs: Some(s),
            } => write!(f, "rate limited by the provider; retry after {s} s"),
            ApiError::RateLimited {
                retry_after_secs: None,
            } => f.write_str("rate limited by the provider"),
            ApiError::NotFound(d) => write!(f, "not found at the provider: {d}"),
            ApiError::Provider { status, detail } => {
                write!(f, "the provider answered {status}: {detail}")
            }
            ApiError::Malformed(d) => write!(f, "unexpected answer from the provider: {d}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Whether trying the same call later may succeed without a change by
    /// a person.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::RateLimited { .. } => true,
            ApiError::Provider { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// Classifies a response: `Ok(body)` for 2xx, the matching [`ApiError`]
/// otherwise. `detail` pulls a message out of the provider's error body.
pub(crate) fn check_status(
    resp: &HttpResponse,
    detail: fn(&[u8]) -> Option<String>,
) -> Result<&[u8], ApiError> {
    if (200..300).contains(&resp.status) {
        return Ok(&resp.body);
    }
    let text = detail(&resp.body).unwrap_or_else(|| common::snippet(&resp.body));
    Err(match resp.status {
        401 => ApiError::BadCredentials(text),
        403 => ApiError::MissingPermission(text),
        404 => ApiError::NotFound(text),
        429 => ApiError::RateLimited {
            retry_after_secs: resp
                .header("retry-after")
                .and_then(common::parse_retry_after),
        },
        status => ApiError::Provider {
            status,
            detail: text,
        },
    })
}

/// Builds a request with lowercase header names.
pub(crate) fn request(
    method: &'static str,
    url: String,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> HttpRequest {
    HttpRequest {
        method,
        url,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_round_trip() {
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.as_str()), Some(p));
        }
        assert_eq!(Provider::parse("skype"), None);
        assert!(!Provider::Twilio.registers_webhook());
        assert!(Provider::Quo.registers_webhook());
    }

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
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
    fn statuses_map_to_actionable_errors() {
        let none = |_: &[u8]| None;
        assert!(check_status(&resp(201, &[], "{}"), none).is_ok());
        assert!(matches!(
            check_status(&resp(401, &[], "nope"), none),
            Err(ApiError::BadCredentials(d)) if d == "nope"
        ));
        assert!(matches!(
            check_status(&resp(403, &[], ""), none),
            Err(ApiError::MissingPermission(_))
        ));
        assert_eq!(
            check_status(&resp(429, &[("Retry-After", "17")], ""), none),
            Err(ApiError::RateLimited {
                retry_after_secs: Some(17)
            })
        );
        let e = check_status(&resp(503, &[], "down"), none).unwrap_err();
        assert!(e.is_transient());
        assert!(!ApiError::BadCredentials(String::new()).is_transient());
    }

    #[test]
    fn receive_handshakes_verifies_then_parses() {
        let hello = vec![("Validation-Token".to_string(), "v-1".to_string())];
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/hooks/voice/ringcentral/l1",
            headers: &hello,
            body: b"",
        };
        let rc = WebhookSecret::RingCentral {
            verification_token: "vt",
        };
        assert_eq!(rc.provider(), Provider::RingCentral);
        assert_eq!(
            receive(&rc, &req, 0, ringcentral::API_BASE),
            Ok(Inbound::Handshake {
                header: "Validation-Token",
                value: "v-1".into()
            })
        );

        // Twilio: signed garbage is unreadable, unsigned is unauthenticated.
        let url = "https://h.test/hooks/voice/twilio/l1";
        let params = vec![("From".to_string(), "+14155550111".to_string())];
        let headers = vec![(
            "X-Twilio-Signature".to_string(),
            twilio::signature("tok", url, &params),
        )];
        let req = WebhookRequest {
            method: "POST",
            url,
            headers: &headers,
            body: b"From=%2B14155550111",
        };
        let tw = WebhookSecret::Twilio { auth_token: "tok" };
        assert!(matches!(
            receive(&tw, &req, 0, ""),
            Err(Refusal::Unreadable(_))
        ));
        let unsigned = WebhookRequest {
            headers: &[],
            ..req
        };
        assert!(matches!(
            receive(&tw, &unsigned, 0, ""),
            Err(Refusal::Unauthenticated(VerifyError::Missing(_)))
        ));

        // Aircall: a verified event comes through.
        let body = br#"{"event":"call.voicemail_left","token":"t","data":{"id":1,"raw_digits":"+14155550111","voicemail":"https://v"}}"#;
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/hooks/voice/aircall/l1",
            headers: &[],
            body,
        };
        match receive(
            &WebhookSecret::Aircall { token: "t" },
            &req,
            0,
            aircall::API_BASE,
        ) {
            Ok(Inbound::Event(e)) => {
                assert_eq!(e.customer_number(), Some("+14155550111"));
                assert_eq!(e.line_number(), None);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            Provider::ALL
                .iter()
                .all(|p| p.api_base().starts_with("https://"))
        );
    }

    #[test]
    fn webhook_request_reads_headers_and_query() {
        let headers = vec![("X-Thing".to_string(), "1".to_string())];
        let req = WebhookRequest {
            method: "POST",
            url: "https://h.test/p?a=1&b=%2B2#frag",
            headers: &headers,
            body: b"",
        };
        assert_eq!(req.header("x-thing"), Some("1"));
        assert_eq!(
            req.query_pairs(),
            vec![("a".into(), "1".into()), ("b".into(), "+2".into())]
        );
    }
}
