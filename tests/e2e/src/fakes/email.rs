//! A fake outbound email API for each provider Baton sends through
//! (Brevo, SendGrid, Postmark, Resend): checks the documented path and auth
//! header, answers like the provider (or with scripted errors), and reads
//! each provider's JSON back into one [`SentEmail`] shape for assertions.

use super::http::{Answer, HttpFake, RecordedRequest};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct FakeEmailApi {
    pub provider: &'static str,
    pub api_key: String,
    http: HttpFake,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

/// One email as the test sees it, whatever the provider's format.
#[derive(Debug, Clone, PartialEq)]
pub struct SentEmail {
    pub from: String,
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
}

fn path_of(provider: &str) -> &'static str {
    match provider {
        "brevo" => "/v3/smtp/email",
        "sendgrid" => "/v3/mail/send",
        "postmark" => "/email",
        _ => "/emails",
    }
}

fn authorized(provider: &str, key: &str, r: &RecordedRequest) -> bool {
    match provider {
        "brevo" => r.header("api-key") == Some(key),
        "postmark" => r.header("x-postmark-server-token") == Some(key),
        _ => r.header("authorization") == Some(&format!("Bearer {key}")),
    }
}

fn success(provider: &str, n: usize) -> Answer {
    match provider {
        "brevo" => Answer::new(
            201,
            &format!("{{\"messageId\":\"<fake{n}@smtp-relay.brevo.test>\"}}"),
        ),
        "sendgrid" => Answer::new(202, "").header("x-message-id", &format!("sgfake{n}")),
        "postmark" => Answer::new(
            200,
            &format!(
                "{{\"To\":\"x\",\"SubmittedAt\":\"2026-11-22T00:00:00Z\",\"MessageID\":\"00000000-0000-4000-8000-{n:012}\",\"ErrorCode\":0,\"Message\":\"OK\"}}"
            ),
        ),
        _ => Answer::new(
            200,
            &format!("{{\"id\":\"00000000-0000-4000-9000-{n:012}\"}}"),
        ),
    }
}

fn unauthorized(provider: &str) -> Answer {
    match provider {
        "brevo" => Answer::new(401, r#"{"code":"unauthorized","message":"Key not found"}"#),
        "sendgrid" => Answer::new(
            401,
            r#"{"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked","field":null,"help":null}]}"#,
        ),
        "postmark" => Answer::new(
            401,
            r#"{"ErrorCode":10,"Message":"No Account or Server API tokens were supplied in the HTTP headers."}"#,
        ),
        _ => Answer::new(
            401,
            r#"{"statusCode":401,"name":"missing_api_key","message":"Missing API key in the authorization header."}"#,
        ),
    }
}

impl FakeEmailApi {
    pub fn start(provider: &'static str, api_key: &str) -> FakeEmailApi {
        let script: Arc<Mutex<VecDeque<Answer>>> = Arc::new(Mutex::new(VecDeque::new()));
        let counter = Arc::new(Mutex::new(0usize));
        let (key, queued) = (api_key.to_string(), script.clone());
        let http = HttpFake::start(Arc::new(move |r: &RecordedRequest| {
            if r.method != "POST" || r.path != path_of(provider) {
                return Answer::new(404, r#"{"message":"not found"}"#);
            }
            if !authorized(provider, &key, r) {
                return unauthorized(provider);
            }
            if r.header("content-type")
                .is_none_or(|c| !c.starts_with("application/json"))
            {
                return Answer::new(415, r#"{"message":"send JSON"}"#);
            }
            if let Some(answer) = queued.lock().expect("script").pop_front() {
                return answer;
            }
            let mut n = counter.lock().expect("counter");
            *n += 1;
            success(provider, *n)
        }));
        FakeEmailApi {
            provider,
            api_key: api_key.to_string(),
            http,
            script,
        }
    }

    pub fn url(&self) -> String {
        self.http.url()
    }

    /// The next sends get these answers, in order; then success again.
    pub fn then_answer(&self, answer: Answer) {
        self.script.lock().expect("script").push_back(answer);
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.http.requests()
    }

    pub fn wait_for(&self, n: usize) -> Vec<SentEmail> {
        self.http
            .wait_for(n, Duration::from_secs(15))
            .iter()
            .map(|r| self.read(r))
            .collect()
    }

    pub fn sent(&self) -> Vec<SentEmail> {
        self.requests().iter().map(|r| self.read(r)).collect()
    }

    /// Reads one request in this provider's documented JSON shape.
    pub fn read(&self, r: &RecordedRequest) -> SentEmail {
        let j = r.json();
        let s = |v: &Value| v.as_str().map(String::from);
        match self.provider {
            "brevo" => {
                let h = &j["headers"];
                SentEmail {
                    from: s(&j["sender"]["email"]).unwrap_or_default(),
                    to: list(&j["to"], |v| s(&v["email"])),
                    reply_to: s(&j["replyTo"]["email"]),
                    subject: s(&j["subject"]).unwrap_or_default(),
                    text: s(&j["textContent"]).unwrap_or_default(),
                    html: s(&j["htmlContent"]),
                    message_id: header_obj(h, "Message-ID"),
                    in_reply_to: header_obj(h, "In-Reply-To"),
                    references: header_obj(h, "References"),
                }
            }
            "sendgrid" => {
                let p = &j["personalizations"][0];
                let header =
                    |n: &str| header_obj(&p["headers"], n).or_else(|| header_obj(&j["headers"], n));
                let content = |t: &str| {
                    j["content"]
                        .as_array()
                        .and_then(|c| c.iter().find(|x| x["type"] == t))
                        .and_then(|x| s(&x["value"]))
                };
                SentEmail {
                    from: s(&j["from"]["email"]).unwrap_or_default(),
                    to: list(&p["to"], |v| s(&v["email"])),
                    reply_to: s(&j["reply_to"]["email"]),
                    subject: s(&j["subject"])
                        .or_else(|| s(&p["subject"]))
                        .unwrap_or_default(),
                    text: content("text/plain").unwrap_or_default(),
                    html: content("text/html"),
                    message_id: header("Message-ID"),
                    in_reply_to: header("In-Reply-To"),
                    references: header("References"),
                }
            }
            "postmark" => {
                let header = |n: &str| {
                    j["Headers"].as_array().and_then(|hs| {
                        hs.iter()
                            .find(|h| {
                                h["Name"]
                                    .as_str()
                                    .is_some_and(|x| x.eq_ignore_ascii_case(n))
                            })
                            .and_then(|h| s(&h["Value"]))
                    })
                };
                SentEmail {
                    from: s(&j["From"]).unwrap_or_default(),
                    to: s(&j["To"])
                        .map(|t| t.split(',').map(|a| bare(a.trim())).collect())
                        .unwrap_or_default(),
                    reply_to: s(&j["ReplyTo"]),
                    subject: s(&j["Subject"]).unwrap_or_default(),
                    text: s(&j["TextBody"]).unwrap_or_default(),
                    html: s(&j["HtmlBody"]),
                    message_id: header("Message-ID"),
                    in_reply_to: header("In-Reply-To"),
                    references: header("References"),
                }
            }
            _ => {
                let h = &j["headers"];
                SentEmail {
                    from: s(&j["from"]).unwrap_or_default(),
                    to: match &j["to"] {
                        Value::String(t) => vec![bare(t)],
                        other => list(other, |v| s(v).map(|a| bare(&a))),
                    },
                    reply_to: match &j["reply_to"] {
                        Value::Array(a) => a.first().and_then(s),
                        other => s(other),
                    },
                    subject: s(&j["subject"]).unwrap_or_default(),
                    text: s(&j["text"]).unwrap_or_default(),
                    html: s(&j["html"]),
                    message_id: header_obj(h, "Message-ID"),
                    in_reply_to: header_obj(h, "In-Reply-To"),
                    references: header_obj(h, "References"),
                }
            }
        }
    }
}

fn list(v: &Value, f: impl Fn(&Value) -> Option<String>) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(f).collect())
        .unwrap_or_default()
}

/// A header from a JSON object, matching the name case-insensitively.
fn header_obj(h: &Value, name: &str) -> Option<String> {
    h.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str().map(String::from))
}

/// `Name <a@b>` → `a@b`.
fn bare(addr: &str) -> String {
    match (addr.rfind('<'), addr.rfind('>')) {
        (Some(a), Some(b)) if a < b => addr[a + 1..b].to_string(),
        _ => addr.trim().to_string(),
    }
}
