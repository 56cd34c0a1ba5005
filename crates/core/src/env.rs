//! What a request handler needs from its host, as traits so the same code
//! runs in a Spin component and in native tests.

use crate::db::Db;

/// Key-value: only for what may be lost (counters, idempotency keys, caches).
pub trait Kv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String>;
    fn delete(&self, key: &str) -> Result<(), String>;
}

/// Cryptographically secure random bytes.
pub trait Random {
    fn fill(&self, buf: &mut [u8]);
}

/// Settings read from Spin variables, with their defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where people reach the web inbox (links in invitations and emails).
    pub public_url: String,
    pub session_ttl_seconds: i64,
    /// Escalation requests per minute per bot and client address.
    pub escalation_rate_limit: u32,
    /// Seals secrets at rest and signs survey links (`encryption_key`).
    pub encryption_key: Option<String>,
    /// Email provider API origins (`<provider>_api_url`), for tests and
    /// self-hosted relays; unset means the provider's public API.
    pub email_api_urls: Vec<(baton_providers::email::EmailProvider, String)>,
    /// First retry delay of a failed email send; doubles per attempt.
    pub email_retry_base_seconds: i64,
    /// The basic-auth password or URL secret of the inbound email webhooks.
    pub inbound_email_secret: Option<String>,
    /// Mailgun's HTTP webhook signing key.
    pub mailgun_signing_key: Option<String>,
    /// Send every help-desk API call here instead (a proxy, or a test fake).
    pub helpdesk_proxy_origin: Option<String>,
    /// Send every telephony API call here instead (a proxy, or a test fake).
    pub voice_api_url: Option<String>,
    /// Behind a reverse proxy: the header it puts the client's address in
    /// (lowercase, e.g. `x-forwarded-for`); None trusts only the socket.
    pub trusted_proxy_header: Option<String>,
    /// How many trusted proxies append to that header (the client is the
    /// address this many entries from the right).
    pub trusted_proxy_hops: usize,
}

impl Settings {
    pub fn email_api_url(&self, provider: baton_providers::email::EmailProvider) -> &str {
        self.email_api_urls
            .iter()
            .find(|(p, _)| *p == provider)
            .map_or(provider.default_base_url(), |(_, url)| url.as_str())
    }

    pub fn keyring(&self) -> Result<crate::sealed::Keyring, crate::problem::Problem> {
        crate::sealed::Keyring::from_setting(self.encryption_key.as_deref())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:3000".into(),
            session_ttl_seconds: 12 * 3600,
            escalation_rate_limit: 60,
            encryption_key: None,
            email_api_urls: Vec::new(),
            email_retry_base_seconds: 30,
            inbound_email_secret: None,
            mailgun_signing_key: None,
            helpdesk_proxy_origin: None,
            voice_api_url: None,
            trusted_proxy_header: None,
            trusted_proxy_hops: 1,
        }
    }
}

/// The client's IP address: from the socket (`ip:port` or `[v6]:port`), or,
/// when a trusted proxy's header is given, the entry `hops` from its right
/// end (entries further left are whatever the client sent, so never
/// trusted). Accepts `X-Forwarded-For` lists and RFC 7239 `for=` pairs.
pub fn client_address(
    socket: Option<&str>,
    forwarded: Option<&str>,
    hops: usize,
) -> Option<String> {
    if let Some(list) = forwarded {
        let entries: Vec<&str> = list
            .split(',')
            .map(|e| {
                e.split(';')
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("for=")
                            .or_else(|| p.trim().strip_prefix("FOR="))
                    })
                    .unwrap_or(e)
                    .trim()
                    .trim_matches('"')
            })
            .filter(|e| !e.is_empty())
            .collect();
        if !entries.is_empty() {
            let index = entries.len().saturating_sub(hops.max(1));
            if let Some(ip) = strip_port(entries[index]) {
                return Some(ip);
            }
        }
    }
    socket.and_then(strip_port)
}

/// An address without its port and brackets, if it is an IP address.
fn strip_port(addr: &str) -> Option<String> {
    let addr = addr.trim();
    if let Ok(ip) = addr.parse::<std::net::IpAddr>() {
        return Some(ip.to_string());
    }
    if let Ok(sock) = addr.parse::<std::net::SocketAddr>() {
        return Some(sock.ip().to_string());
    }
    let bracketed = addr.strip_prefix('[').and_then(|a| a.split(']').next());
    bracketed
        .and_then(|a| a.parse::<std::net::IpAddr>().ok())
        .map(|ip| ip.to_string())
}

/// Everything one request may touch.
pub struct Ctx<'a> {
    pub db: &'a dyn Db,
    pub kv: &'a dyn Kv,
    pub random: &'a dyn Random,
    /// Milliseconds since the Unix epoch, UTC.
    pub now_ms: i64,
    /// The client's IP address (from `spin-client-addr`), if known.
    pub client_ip: Option<String>,
    pub settings: Settings,
}

impl Ctx<'_> {
    pub fn now(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }

    pub fn random_bytes<const N: usize>(&self) -> [u8; N] {
        let mut buf = [0u8; N];
        self.random.fill(&mut buf);
        buf
    }
}

#[cfg(test)]
mod tests {
    use super::client_address;

    #[test]
    fn client_address_from_socket_and_trusted_proxies() {
        assert_eq!(
            client_address(Some("10.0.0.7:5123"), None, 1).as_deref(),
            Some("10.0.0.7")
        );
        assert_eq!(
            client_address(Some("[::1]:80"), None, 1).as_deref(),
            Some("::1")
        );
        // One proxy: the rightmost entry is what it saw; a spoofed left entry is ignored.
        assert_eq!(
            client_address(Some("10.0.0.2:1"), Some("6.6.6.6, 203.0.113.9"), 1).as_deref(),
            Some("203.0.113.9")
        );
        // Two proxies (CDN then ingress).
        assert_eq!(
            client_address(
                Some("10.0.0.2:1"),
                Some("6.6.6.6, 203.0.113.9, 198.51.100.1"),
                2
            )
            .as_deref(),
            Some("203.0.113.9")
        );
        // Fewer entries than hops: the leftmost one there is.
        assert_eq!(
            client_address(None, Some("203.0.113.9"), 3).as_deref(),
            Some("203.0.113.9")
        );
        // RFC 7239 and ports.
        assert_eq!(
            client_address(None, Some("for=\"[2001:db8::1]:443\";proto=https"), 1).as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(
            client_address(None, Some("198.51.100.4:8080"), 1).as_deref(),
            Some("198.51.100.4")
        );
        // Garbage in the header falls back to the socket.
        assert_eq!(
            client_address(Some("10.0.0.2:1"), Some("not-an-ip"), 1).as_deref(),
            Some("10.0.0.2")
        );
    }
}

#[cfg(any(test, feature = "native"))]
pub mod testing {
    //! In-memory key-value and a deterministic-but-distinct random source.
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    #[derive(Default)]
    pub struct MemKv(pub RefCell<HashMap<String, Vec<u8>>>);

    impl Kv for MemKv {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
            Ok(self.0.borrow().get(key).cloned())
        }
        fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
            self.0.borrow_mut().insert(key.into(), value.to_vec());
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), String> {
            self.0.borrow_mut().remove(key);
            Ok(())
        }
    }

    #[derive(Default)]
    pub struct CountingRandom(pub Cell<u64>);

    impl Random for CountingRandom {
        fn fill(&self, buf: &mut [u8]) {
            for b in buf.iter_mut() {
                let n = self
                    .0
                    .get()
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                self.0.set(n);
                *b = (n >> 33) as u8;
            }
        }
    }
}
