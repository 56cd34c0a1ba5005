//! Local fakes of third-party services, speaking their documented wire
//! formats on loopback, for end-to-end tests.

pub mod email;
pub mod helpdesk;
pub mod http;
pub mod voice;
