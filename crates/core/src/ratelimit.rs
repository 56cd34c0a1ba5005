//! Slowing down password guessing: failed logins are counted in key-value
//! per email and per client address. Past the limit within the window, the
//! login is refused with a Retry-After that doubles with each further
//! failure. Key-value is not transactional, so two racing failures may count
//! once; the limit only needs to be roughly right.

use crate::env::Ctx;
use crate::problem::Problem;
use serde::{Deserialize, Serialize};

pub const WINDOW_SECONDS: i64 = 15 * 60;
pub const EMAIL_LIMIT: u32 = 5;
pub const ADDRESS_LIMIT: u32 = 20;
pub const FIRST_LOCK_SECONDS: i64 = 30;
pub const MAX_LOCK_SECONDS: i64 = 15 * 60;

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct Failures {
    pub count: u32,
    pub first_at: i64,
    pub locked_until: i64,
}

impl Failures {
    /// Registers one more failure at `now` against `limit`.
    pub fn fail(mut self, now: i64, limit: u32) -> Failures {
        if now - self.first_at > WINDOW_SECONDS {
            self = Failures {
                count: 0,
                first_at: now,
                locked_until: 0,
            };
        }
        self.count += 1;
        if self.count >= limit {
            let doublings = (self.count - limit).min(10);
            let lock = (FIRST_LOCK_SECONDS << doublings).min(MAX_LOCK_SECONDS);
            self.locked_until = now + lock;
        }
        self
    }

    pub fn retry_after(&self, now: i64) -> Option<i64> {
        (self.locked_until > now).then(|| self.locked_until - now)
    }
}

fn email_key(email: &str) -> String {
    format!(
        "login-failures:email:{}",
        crate::secrets::hash_secret(&email.to_lowercase())
    )
}

fn address_key(ip: &str) -> String {
    format!("login-failures:addr:{ip}")
}

fn load(ctx: &Ctx, key: &str) -> Failures {
    ctx.kv
        .get(key)
        .ok()
        .flatten()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn store(ctx: &Ctx, key: &str, f: &Failures) {
    // Losing a counter only weakens throttling; the login still works.
    if let Ok(bytes) = serde_json::to_vec(f) {
        let _ = ctx.kv.set(key, &bytes);
    }
}

/// Refuses the attempt with 429 if the email or the address is locked.
pub fn check(ctx: &Ctx, email: &str) -> Result<(), Problem> {
    let now = ctx.now();
    let mut wait = load(ctx, &email_key(email)).retry_after(now);
    if let Some(ip) = &ctx.client_ip {
        wait = wait.max(load(ctx, &address_key(ip)).retry_after(now));
    }
    match wait {
        Some(secs) => Err(Problem::too_many(
            secs,
            format!("Too many failed sign-ins; try again in {secs} seconds."),
        )),
        None => Ok(()),
    }
}

pub fn record_failure(ctx: &Ctx, email: &str) {
    let now = ctx.now();
    let key = email_key(email);
    store(ctx, &key, &load(ctx, &key).fail(now, EMAIL_LIMIT));
    if let Some(ip) = &ctx.client_ip {
        let key = address_key(ip);
        store(ctx, &key, &load(ctx, &key).fail(now, ADDRESS_LIMIT));
    }
}

pub fn record_success(ctx: &Ctx, email: &str) {
    let _ = ctx.kv.delete(&email_key(email));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_limit_and_doubles() {
        let mut f = Failures::default();
        for _ in 0..4 {
            f = f.fail(1000, 5);
            assert_eq!(f.retry_after(1000), None);
        }
        f = f.fail(1000, 5);
        assert_eq!(f.retry_after(1000), Some(30));
        f = f.fail(1001, 5);
        assert_eq!(f.retry_after(1001), Some(60));
        for _ in 0..20 {
            f = f.fail(1002, 5);
        }
        assert_eq!(f.retry_after(1002), Some(MAX_LOCK_SECONDS));
    }

    #[test]
    fn window_resets() {
        let mut f = Failures::default();
        for _ in 0..4 {
            f = f.fail(0, 5);
        }
        f = f.fail(WINDOW_SECONDS + 1, 5);
        assert_eq!(f.count, 1);
        assert_eq!(f.retry_after(WINDOW_SECONDS + 1), None);
    }
}
