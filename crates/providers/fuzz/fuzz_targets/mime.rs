//! parse_mime on arbitrary bytes: never panics, stays within its bounds.
#![no_main]

use baton_providers::email::{MAX_MIME_PARTS, parse_mime, reply_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(email) = parse_mime(data) {
        assert!(!email.dedupe_key.is_empty());
        assert!(!email.from.email.is_empty());
        assert!(email.attachments.len() <= MAX_MIME_PARTS);
        assert!(email.references.len() <= 100);
        assert!(!email.text.contains('\r'));
        assert!(!email.subject.contains(['\r', '\n']));
        for id in email.message_id.iter().chain(&email.in_reply_to).chain(&email.references) {
            assert!(id.starts_with('<') && id.ends_with('>') && id.len() > 2);
        }
        // The text flows into reply stripping next.
        let _ = reply_text(&email.text);
    }
});
