//! Email, sans I/O: request builders and response classification for the
//! sending APIs (Brevo, SendGrid, Postmark, Resend), parsers for inbound
//! webhooks (Postmark, SendGrid Inbound Parse, Mailgun routes) and raw MIME,
//! reply extraction and an HTML sanitizer for display.
//!
//! Every parser takes untrusted bytes: bad input yields a [`ParseError`],
//! never a panic, and the work done is bounded by the input size (MIME
//! nesting and part counts are capped).

mod charset;
mod form;
mod html;
mod inbound;
mod mime;
mod outbound;
mod reply;

pub use html::{html_to_text, sanitize_html};
pub use inbound::{
    MAILGUN_MAX_SKEW_SECS, MailgunSignature, parse_mailgun, parse_postmark, parse_sendgrid,
    verify_mailgun,
};
pub use mime::{MAX_MIME_DEPTH, MAX_MIME_PARTS, parse_mime};
pub use outbound::{EmailProvider, OutboundEmail, SendOutcome, build_send, classify_send};
pub use reply::reply_text;

/// A mailbox: address plus optional display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub email: String,
    pub name: Option<String>,
}

impl Address {
    /// An address without a display name.
    pub fn new(email: impl Into<String>) -> Address {
        Address {
            email: email.into(),
            name: None,
        }
    }

    /// An address with a display name.
    pub fn named(email: impl Into<String>, name: impl Into<String>) -> Address {
        Address {
            email: email.into(),
            name: Some(name.into()),
        }
    }
}

impl Default for Address {
    fn default() -> Address {
        Address::new("")
    }
}

/// An attachment as listed by an inbound message; the bytes are not kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

/// An inbound message, whichever way it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboundEmail {
    /// Stable across redeliveries of the same message by the same provider:
    /// the RFC Message-ID when present (`<...>`), else the provider's own id
    /// (`postmark:<uuid>`), else `sha256:<hex>` of the raw message (or, for
    /// form posts whose signature fields change on every attempt, of the
    /// message content fields). Used to store a delivery once.
    pub dedupe_key: String,
    /// `<...>` form, from the Message-ID header.
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub from: Address,
    /// Bare addresses, lowercase.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// Delivered-To / X-Original-To / Envelope-To headers and the envelope
    /// recipients the provider reports; bare, lowercase, deduplicated.
    pub delivered_to: Vec<String>,
    pub subject: String,
    /// Full plain text (from the text part, else derived from the HTML), LF line ends.
    pub text: String,
    /// Raw HTML as received; sanitize with [`sanitize_html`] before display.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Auto-Submitted other than "no", Precedence bulk/junk/list, X-Autoreply
    /// and similar, bounces (null Return-Path, multipart/report, MAILER-DAEMON):
    /// never auto-reply to such a message (mail loops).
    pub auto_submitted: bool,
}

/// Why an inbound payload could not be read; a human sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl ParseError {
    pub(crate) fn new(message: impl Into<String>) -> ParseError {
        ParseError(message.into())
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests;
