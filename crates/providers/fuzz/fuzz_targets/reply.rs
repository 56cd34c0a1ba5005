//! reply_text on arbitrary text: never panics and never loses a message.
#![no_main]

use baton_providers::email::reply_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let reply = reply_text(text);
    if !text.trim().is_empty() {
        assert!(!reply.is_empty(), "a non-blank message came out empty");
    }
    assert_eq!(reply, reply.trim_end());
});
