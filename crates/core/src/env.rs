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
        }
    }
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
