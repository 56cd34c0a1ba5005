//! Telephony webhooks and APIs (filled in by the telephony work).
