//! Counting for limits: fixed windows per key in SQLite's `counters` table,
//! each hit one atomic UPSERT (no read-then-write race, shared by every
//! instance), stale rows removed as new windows open. Used by the escalation
//! rate limit, confirmation emails per address, webhook replay guards and
//! the sign-in throttle (failures per email and per client address; past
//! the limit a lock that doubles with each further failure).

use crate::db::Value;
use crate::env::Ctx;
use crate::problem::Problem;

pub const WINDOW_SECONDS: i64 = 15 * 60;
pub const EMAIL_LIMIT: u32 = 5;
pub const ADDRESS_LIMIT: u32 = 20;
pub const FIRST_LOCK_SECONDS: i64 = 30;
pub const MAX_LOCK_SECONDS: i64 = 15 * 60;

/// Counts one hit on `key` in the window of `window_seconds` that holds
/// now, and returns the count including this hit.
pub fn hit(ctx: &Ctx, key: &str, window_seconds: i64) -> Result<u32, Problem> {
    let now = ctx.now();
    let window_end = (now.div_euclid(window_seconds) + 1) * window_seconds;
    let rows = ctx.db.execute(
        "INSERT INTO counters (key, count, expires_at) VALUES (?1, 1, ?2) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN counters.expires_at <= ?3 THEN 1 ELSE counters.count + 1 END, \
           expires_at = CASE WHEN counters.expires_at <= ?3 THEN ?2 ELSE counters.expires_at END, \
           locked_until = CASE WHEN counters.expires_at <= ?3 THEN 0 ELSE counters.locked_until END \
         RETURNING count",
        &[key.into(), window_end.into(), now.into()],
    )?;
    let count = rows.scalar().and_then(Value::as_i64).unwrap_or(1);
    if count == 1 {
        sweep(ctx, now)?;
    }
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// True the first time `key` is seen before `until` (seconds since the
/// epoch), false on every repeat: a replay guard for signed webhooks.
pub fn first_use(ctx: &Ctx, key: &str, until: i64) -> Result<bool, Problem> {
    let rows = ctx.db.execute(
        "INSERT INTO counters (key, count, expires_at) VALUES (?1, 1, ?2) \
         ON CONFLICT (key) DO UPDATE SET count = counters.count + 1 RETURNING count",
        &[key.into(), until.into()],
    )?;
    let first = rows.scalar().and_then(Value::as_i64) == Some(1);
    if first {
        sweep(ctx, ctx.now())?;
    }
    Ok(first)
}

/// Removes windows that have passed: once per new window of any key, so
/// the table holds about one row per key active now.
fn sweep(ctx: &Ctx, now: i64) -> Result<(), Problem> {
    ctx.db.execute(
        "DELETE FROM counters WHERE expires_at <= ? AND locked_until <= ?",
        &[now.into(), now.into()],
    )?;
    Ok(())
}

/// Seconds until the window of `window_seconds` that holds now ends.
pub fn seconds_left(ctx: &Ctx, window_seconds: i64) -> i64 {
    let now = ctx.now();
    (now.div_euclid(window_seconds) + 1) * window_seconds - now
}

/// The lock after `count` failures against `limit`: none below the limit,
/// then 30 s doubling per further failure, at most 15 minutes.
pub fn lock_seconds(count: u32, limit: u32) -> Option<i64> {
    (count >= limit).then(|| {
        let doublings = (count - limit).min(10);
        (FIRST_LOCK_SECONDS << doublings).min(MAX_LOCK_SECONDS)
    })
}

fn email_key(email: &str) -> String {
    format!(
        "login:email:{}",
        crate::secrets::hash_secret(&email.to_lowercase())
    )
}

fn address_key(ip: &str) -> String {
    format!("login:addr:{ip}")
}

fn locked_for(ctx: &Ctx, key: &str) -> Result<Option<i64>, Problem> {
    let rows = ctx.db.execute(
        "SELECT locked_until FROM counters WHERE key = ?",
        &[key.into()],
    )?;
    let now = ctx.now();
    Ok(rows
        .scalar()
        .and_then(Value::as_i64)
        .filter(|until| *until > now)
        .map(|until| until - now))
}

/// Refuses the attempt with 429 if the email or the address is locked.
pub fn check(ctx: &Ctx, email: &str) -> Result<(), Problem> {
    let mut wait = locked_for(ctx, &email_key(email))?;
    if let Some(ip) = &ctx.client_ip {
        wait = wait.max(locked_for(ctx, &address_key(ip))?);
    }
    match wait {
        Some(secs) => Err(Problem::too_many(
            secs,
            format!("Too many failed sign-ins; try again in {secs} seconds."),
        )),
        None => Ok(()),
    }
}

fn fail(ctx: &Ctx, key: &str, limit: u32) -> Result<(), Problem> {
    let count = hit(ctx, key, WINDOW_SECONDS)?;
    if let Some(lock) = lock_seconds(count, limit) {
        ctx.db.execute(
            "UPDATE counters SET locked_until = ? WHERE key = ?",
            &[(ctx.now() + lock).into(), key.into()],
        )?;
    }
    Ok(())
}

/// Counts a failed sign-in against the email and the client address.
pub fn record_failure(ctx: &Ctx, email: &str) -> Result<(), Problem> {
    crate::db::transaction(ctx.db, || {
        fail(ctx, &email_key(email), EMAIL_LIMIT)?;
        if let Some(ip) = &ctx.client_ip {
            fail(ctx, &address_key(ip), ADDRESS_LIMIT)?;
        }
        Ok(())
    })
}

pub fn record_success(ctx: &Ctx, email: &str) -> Result<(), Problem> {
    ctx.db.execute(
        "DELETE FROM counters WHERE key = ?",
        &[email_key(email).into()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_limit_and_doubles() {
        for count in 0..5 {
            assert_eq!(lock_seconds(count, 5), None);
        }
        assert_eq!(lock_seconds(5, 5), Some(30));
        assert_eq!(lock_seconds(6, 5), Some(60));
        assert_eq!(lock_seconds(30, 5), Some(MAX_LOCK_SECONDS));
    }
}
