//! Wire formats of the third-party services Baton talks to, sans I/O: a
//! function builds an [`http::HttpRequest`], another reads the answer or a
//! webhook's raw bytes. Components only send and receive; everything here is
//! tested natively.

pub mod email;
pub mod helpdesk;
pub mod http;
pub mod voice;
