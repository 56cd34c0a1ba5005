//! Outbound and inbound email (filled in by the email work).
