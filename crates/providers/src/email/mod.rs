//! Outbound and inbound email. (Placeholder with the agreed API; the full
//! module arrives from the email-providers branch.)

use crate::http::{HttpRequest, HttpResponse};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProvider {
    Brevo,
    Sendgrid,
    Postmark,
    Resend,
}

impl EmailProvider {
    pub const ALL: [EmailProvider; 4] = [
        EmailProvider::Brevo,
        EmailProvider::Sendgrid,
        EmailProvider::Postmark,
        EmailProvider::Resend,
    ];
    pub fn parse(s: &str) -> Option<EmailProvider> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            EmailProvider::Brevo => "brevo",
            EmailProvider::Sendgrid => "sendgrid",
            EmailProvider::Postmark => "postmark",
            EmailProvider::Resend => "resend",
        }
    }
    pub fn default_base_url(self) -> &'static str {
        match self {
            EmailProvider::Brevo => "https://api.brevo.com",
            EmailProvider::Sendgrid => "https://api.sendgrid.com",
            EmailProvider::Postmark => "https://api.postmarkapp.com",
            EmailProvider::Resend => "https://api.resend.com",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub email: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEmail {
    pub from: Address,
    pub to: Vec<Address>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub idempotency_key: String,
}

pub fn build_send(
    provider: EmailProvider,
    base_url: &str,
    api_key: &str,
    email: &OutboundEmail,
) -> HttpRequest {
    let _ = (email, api_key);
    HttpRequest {
        method: "POST",
        url: format!("{base_url}/{}", provider.as_str()),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent {
        provider_message_id: Option<String>,
    },
    Retry {
        after_secs: Option<u64>,
        error: String,
    },
    Permanent {
        error: String,
    },
}

pub fn classify_send(
    provider: EmailProvider,
    response: &HttpResponse,
    now_unix: i64,
) -> SendOutcome {
    let _ = (provider, now_unix);
    match response.status {
        200..=299 => SendOutcome::Sent {
            provider_message_id: None,
        },
        429 | 500..=599 => SendOutcome::Retry {
            after_secs: None,
            error: format!("status {}", response.status),
        },
        s => SendOutcome::Permanent {
            error: format!("status {s}"),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboundEmail {
    pub dedupe_key: String,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub from: Address,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub delivered_to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    pub auto_submitted: bool,
}

impl Default for Address {
    fn default() -> Self {
        Address {
            email: String::new(),
            name: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

pub fn parse_postmark(_body: &[u8]) -> Result<InboundEmail, ParseError> {
    Err(ParseError("todo".into()))
}
pub fn parse_sendgrid(_ct: &str, _body: &[u8]) -> Result<InboundEmail, ParseError> {
    Err(ParseError("todo".into()))
}
pub struct MailgunSignature {
    pub timestamp: String,
    pub token: String,
    pub signature: String,
}
pub fn parse_mailgun(
    _ct: &str,
    _body: &[u8],
) -> Result<(InboundEmail, MailgunSignature), ParseError> {
    Err(ParseError("todo".into()))
}
pub fn verify_mailgun(_key: &str, _sig: &MailgunSignature, _now: i64) -> bool {
    false
}
pub fn parse_mime(_raw: &[u8]) -> Result<InboundEmail, ParseError> {
    Err(ParseError("todo".into()))
}
pub fn reply_text(text: &str) -> String {
    text.trim().to_string()
}
pub fn sanitize_html(_html: &str) -> String {
    String::new()
}
pub fn html_to_text(html: &str) -> String {
    html.to_string()
}
