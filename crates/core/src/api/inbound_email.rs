//! The inbound email webhooks, one per delivery format, each authenticated
//! the way its provider allows before anything is stored:
//! - `POST /hooks/email/postmark`, `/sendgrid` and `/mime` (raw
//!   `message/rfc822` from any relay): HTTP basic auth whose password is the
//!   `inbound_email_secret` variable, or that secret as a last path segment
//!   (`/hooks/email/sendgrid/<secret>`) for senders that cannot do basic auth;
//! - `POST /hooks/email/mailgun`: Mailgun's HMAC signature with the
//!   `mailgun_signing_key` variable.

use super::{Handled, Request, Response};
use crate::email::inbound;
use crate::env::Ctx;
use crate::problem::Problem;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use baton_providers::email::{self as wire, InboundEmail};
use subtle::ConstantTimeEq;

/// Providers cap inbound mail around 25–40 MB with attachments.
pub const MAX_BODY_BYTES: usize = 40 * 1024 * 1024;

pub fn handle(ctx: &Ctx, req: &Request) -> Response {
    match route(ctx, req) {
        Ok(r) => r,
        Err(p) => Response::problem(&p),
    }
}

fn route(ctx: &Ctx, req: &Request) -> Handled {
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let (format, path_secret) = match segments.as_slice() {
        ["hooks", "email", format] => (*format, None),
        ["hooks", "email", format, secret] => (*format, Some(*secret)),
        _ => return Err(Problem::not_found(req.path)),
    };
    if !["postmark", "sendgrid", "mailgun", "mime"].contains(&format) {
        return Err(Problem::not_found(req.path));
    }
    if req.method != "POST" {
        return Err(Problem::method_not_allowed(req.method, req.path));
    }
    if req.body.len() > MAX_BODY_BYTES {
        return Err(Problem::new(
            413,
            format!("The email is larger than {MAX_BODY_BYTES} bytes."),
        ));
    }
    let content_type = req.header("content-type").unwrap_or_default();
    let mail = if format == "mailgun" {
        let Some(key) = ctx.settings.mailgun_signing_key.as_deref() else {
            return Err(Problem::unauthorized(
                "Mailgun inbound email is not configured: set the mailgun_signing_key variable.",
            ));
        };
        let (mail, signature) = wire::parse_mailgun(content_type, req.body).map_err(|e| {
            Problem::unauthorized(format!(
                "The Mailgun post is not signed as expected ({}).",
                e.0
            ))
        })?;
        if !wire::verify_mailgun(key, &signature, ctx.now()) {
            return Err(Problem::unauthorized("The Mailgun signature is not valid."));
        }
        // A signature is good for its whole time window: remember each
        // token for that long so a captured post cannot be replayed.
        let valid_until = signature.timestamp.trim().parse::<i64>().unwrap_or(0)
            + wire::MAILGUN_MAX_SKEW_SECS
            + 1;
        let token_key = format!(
            "mailgun-token:{}",
            crate::secrets::hash_secret(&signature.token)
        );
        if !crate::ratelimit::first_use(ctx, &token_key, valid_until)? {
            return Err(Problem::unauthorized(
                "This Mailgun signature was already used; a signed post is accepted once.",
            ));
        }
        // Mailgun retries a failed delivery with the same signature: a
        // post that was not stored must not count as used.
        return match inbound::store(ctx, &mail) {
            Ok(stored) => Ok(Response::json(200, &stored.to_json())),
            Err(p) => {
                ctx.db
                    .execute("DELETE FROM counters WHERE key = ?", &[token_key.into()])?;
                Err(p)
            }
        };
    } else {
        authenticate_secret(ctx, req, path_secret)?;
        parse(format, content_type, req.body)?
    };
    let stored = inbound::store(ctx, &mail)?;
    Ok(Response::json(200, &stored.to_json()))
}

fn parse(format: &str, content_type: &str, body: &[u8]) -> Result<InboundEmail, Problem> {
    let parsed = match format {
        "postmark" => wire::parse_postmark(body),
        "sendgrid" => wire::parse_sendgrid(content_type, body),
        _ => {
            let media = content_type.split(';').next().unwrap_or_default().trim();
            if !media.eq_ignore_ascii_case("message/rfc822") {
                return Err(Problem::new(
                    415,
                    "Send the raw email as Content-Type: message/rfc822.",
                ));
            }
            wire::parse_mime(body)
        }
    };
    parsed.map_err(|e| Problem::bad_request(format!("The email could not be read: {}", e.0)))
}

/// Basic auth (any user name) or the secret as the last path segment.
fn authenticate_secret(ctx: &Ctx, req: &Request, path_secret: Option<&str>) -> Result<(), Problem> {
    let Some(secret) = ctx.settings.inbound_email_secret.as_deref() else {
        return Err(Problem::unauthorized(
            "Inbound email is not configured: set the inbound_email_secret variable.",
        ));
    };
    let matches = |given: &[u8]| bool::from(given.ct_eq(secret.as_bytes()));
    let from_basic = req
        .authorization()
        .and_then(|a| {
            a.strip_prefix("Basic ")
                .or_else(|| a.strip_prefix("basic "))
        })
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|raw| {
            let colon = raw.iter().position(|b| *b == b':')?;
            Some(matches(&raw[colon + 1..]))
        })
        .unwrap_or(false);
    if from_basic || path_secret.is_some_and(|s| matches(s.as_bytes())) {
        Ok(())
    } else {
        Err(Problem::unauthorized(
            "The inbound email secret is missing or wrong: use basic auth with the inbound_email_secret as the password.",
        ))
    }
}
