//! The form-post webhooks (SendGrid Inbound Parse, Mailgun) on arbitrary
//! multipart bodies with a fixed boundary: never panic.
#![no_main]

use baton_providers::email::{parse_mailgun, parse_sendgrid};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPE: &str = "multipart/form-data; boundary=xYzZY";

fuzz_target!(|data: &[u8]| {
    if let Ok(email) = parse_sendgrid(CONTENT_TYPE, data) {
        assert!(!email.from.email.is_empty());
        assert!(!email.dedupe_key.is_empty());
    }
    let _ = parse_mailgun(CONTENT_TYPE, data);
});
