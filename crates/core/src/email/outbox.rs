//! The outbox: a request that causes an email commits a row here and
//! answers; a sender claims due rows with a lease, sends them, and records
//! the outcome. 429 and 5xx retry with backoff (at least `Retry-After`),
//! other 4xx fail for good and show on the Assist. A claimed row belongs to
//! one sender until its lease ends, and each row carries an idempotency key
//! for the providers that honour one, so a row is sent once.

use super::settings;
use crate::db::{Db, transaction};
use crate::env::Ctx;
use crate::escalation::event;
use crate::problem::Problem;
use baton_providers::email::{Address, EmailProvider, OutboundEmail, SendOutcome};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How long a claimed row stays with its sender before another may retry it.
pub const LEASE_MS: i64 = 10 * 60 * 1000;
/// Tries before a retryable failure becomes permanent.
pub const MAX_ATTEMPTS: i64 = 8;
/// The longest wait between tries.
const MAX_BACKOFF_SECS: i64 = 6 * 3600;

/// An email as the outbox stores it (the provider is chosen at send time
/// from the bot's settings, so fixing a key fixes queued mail too).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredEmail {
    pub from_email: String,
    pub from_name: Option<String>,
    pub to: Vec<(String, Option<String>)>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

impl StoredEmail {
    fn outbound(&self, idempotency_key: &str) -> OutboundEmail {
        OutboundEmail {
            from: Address {
                email: self.from_email.clone(),
                name: self.from_name.clone(),
            },
            to: self
                .to
                .iter()
                .map(|(email, name)| Address {
                    email: email.clone(),
                    name: name.clone(),
                })
                .collect(),
            reply_to: self.reply_to.clone(),
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
            message_id: self.message_id.clone(),
            in_reply_to: self.in_reply_to.clone(),
            references: self.references.clone(),
            idempotency_key: idempotency_key.to_string(),
        }
    }
}

pub struct NewEmail<'a> {
    pub assist_id: Option<&'a str>,
    /// The Assist message the email carries (agent replies).
    pub message_id: Option<&'a str>,
    pub bot_id: &'a str,
    /// team_new_assist | customer_confirmation | reply | survey | reply_notification | invitation | password_reset
    pub kind: &'a str,
    pub email: StoredEmail,
}

/// Queues an email inside the caller's transaction; returns the row id.
pub fn enqueue(ctx: &Ctx, e: NewEmail) -> Result<String, Problem> {
    let id = crate::ids::new_id(ctx);
    ctx.db.execute(
        "INSERT INTO outbox (id, assist_id, message_id, bot_id, kind, email, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            id.clone().into(),
            e.assist_id.map(String::from).into(),
            e.message_id.map(String::from).into(),
            e.bot_id.into(),
            e.kind.into(),
            serde_json::to_string(&e.email).unwrap_or_default().into(),
            ctx.now_ms.into(),
            ctx.now().into(),
        ],
    )?;
    Ok(id)
}

/// A claimed row, ready to send.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub provider: EmailProvider,
    pub base_url: String,
    pub api_key: String,
    pub email: OutboundEmail,
}

/// Whether anything is due (one indexed probe; callers skip the sender
/// when nothing is).
pub fn has_due(db: &dyn Db, now_ms: i64) -> Result<bool, Problem> {
    let rows = db.execute(
        "SELECT 1 FROM outbox WHERE (state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until < ?) LIMIT 1",
        &[now_ms.into(), now_ms.into()],
    )?;
    Ok(!rows.rows.is_empty())
}

/// Claims up to `limit` due rows for this sender. Rows that can never be
/// sent as they stand (settings gone, key unreadable) fail here with a
/// reason the Assist shows.
pub fn claim_due(ctx: &Ctx, limit: i64) -> Result<Vec<Job>, Problem> {
    let now = ctx.now_ms;
    let candidates = ctx.db.execute(
        "SELECT id FROM outbox WHERE (state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until < ?) \
         ORDER BY next_attempt_at LIMIT ?",
        &[now.into(), now.into(), limit.into()],
    )?;
    let mut jobs = Vec::new();
    for c in candidates.iter() {
        let id = c.text("id");
        // The state check in the UPDATE makes the claim atomic: of two
        // senders, one gets the row back.
        let claimed = ctx.db.execute(
            "UPDATE outbox SET state = 'sending', lease_until = ?, attempts = attempts + 1 \
             WHERE id = ? AND ((state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until < ?)) \
             RETURNING bot_id, email",
            &[(now + LEASE_MS).into(), id.clone().into(), now.into(), now.into()],
        )?;
        let Some(row) = claimed.first() else { continue };
        match prepare(ctx, &id, &row.text("bot_id"), &row.text("email")) {
            Ok(job) => jobs.push(job),
            Err(reason) => record(ctx, &id, &SendOutcome::Permanent { error: reason })?,
        }
    }
    Ok(jobs)
}

fn prepare(ctx: &Ctx, id: &str, bot_id: &str, email: &str) -> Result<Job, String> {
    let stored: StoredEmail =
        serde_json::from_str(email).map_err(|e| format!("the queued email is unreadable: {e}"))?;
    let s = settings::load(ctx.db, bot_id).map_err(|p| p.detail)?;
    let provider = s
        .provider
        .ok_or("the bot has no email provider configured any more")?;
    let sealed = s
        .api_key_sealed
        .ok_or("the bot has no email API key configured any more")?;
    let keyring = ctx.settings.keyring().map_err(|p| p.detail)?;
    let api_key = keyring
        .open(&settings::sealing_context(bot_id), &sealed)
        .ok_or("the email API key cannot be decrypted: was the encryption_key variable changed? Enter the API key again")?;
    Ok(Job {
        id: id.to_string(),
        provider,
        base_url: ctx
            .settings
            .email_api_url(provider)
            .trim_end_matches('/')
            .to_string(),
        api_key,
        email: stored.outbound(id),
    })
}

/// The wait before try number `attempts + 1`.
pub fn backoff_secs(base: i64, attempts: i64, retry_after: Option<u64>) -> i64 {
    let exp = base.max(1).saturating_mul(1 << (attempts - 1).clamp(0, 20));
    let wait = exp.min(MAX_BACKOFF_SECS);
    wait.max(retry_after.map_or(0, |s| s.min(MAX_BACKOFF_SECS as u64) as i64))
}

/// Records a send's outcome and tells the Assist.
pub fn record(ctx: &Ctx, id: &str, outcome: &SendOutcome) -> Result<(), Problem> {
    transaction(ctx.db, || {
        let rows = ctx.db.execute(
            "SELECT assist_id, kind, attempts, email FROM outbox WHERE id = ?",
            &[id.into()],
        )?;
        let Some(row) = rows.first() else {
            return Ok(());
        };
        let assist_id = row.opt_text("assist_id");
        let kind = row.text("kind");
        let attempts = row.int("attempts");
        let to: Vec<String> = serde_json::from_str::<StoredEmail>(&row.text("email"))
            .map(|e| e.to.into_iter().map(|(a, _)| a).collect())
            .unwrap_or_default();
        let (state, error) = match outcome {
            SendOutcome::Sent {
                provider_message_id,
            } => {
                ctx.db.execute(
                    "UPDATE outbox SET state = 'sent', sent_at = ?, provider_message_id = ?, last_error = NULL, lease_until = NULL WHERE id = ?",
                    &[ctx.now().into(), provider_message_id.clone().into(), id.into()],
                )?;
                ("sent", None)
            }
            SendOutcome::Retry { after_secs, error } if attempts < MAX_ATTEMPTS => {
                let wait =
                    backoff_secs(ctx.settings.email_retry_base_seconds, attempts, *after_secs);
                ctx.db.execute(
                    "UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, lease_until = NULL WHERE id = ?",
                    &[(ctx.now_ms + wait * 1000).into(), error.clone().into(), id.into()],
                )?;
                // Retries are routine; only the outcome shows on the Assist.
                return Ok(());
            }
            SendOutcome::Retry { error, .. } => (
                "failed",
                Some(format!("gave up after {attempts} attempts: {error}")),
            ),
            SendOutcome::Permanent { error } => ("failed", Some(error.clone())),
        };
        if let Some(error) = &error {
            ctx.db.execute(
                "UPDATE outbox SET state = 'failed', last_error = ?, lease_until = NULL WHERE id = ?",
                &[error.clone().into(), id.into()],
            )?;
        }
        if let Some(assist_id) = assist_id {
            let kind_event = if state == "sent" {
                "email_sent"
            } else {
                "email_failed"
            };
            event(
                ctx,
                &assist_id,
                kind_event,
                "email",
                json!({"outbox_id": id, "kind": kind, "to": to, "error": error}),
            )?;
        }
        Ok(())
    })
}

/// Outbox counts for the drain endpoint's answer.
pub fn pending_count(db: &dyn Db) -> Result<i64, Problem> {
    let rows = db.execute(
        "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')",
        &[],
    )?;
    Ok(rows.scalar().and_then(|v| v.as_i64()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_honours_retry_after() {
        assert_eq!(backoff_secs(30, 1, None), 30);
        assert_eq!(backoff_secs(30, 2, None), 60);
        assert_eq!(backoff_secs(30, 4, None), 240);
        assert_eq!(backoff_secs(30, 1, Some(120)), 120);
        assert_eq!(backoff_secs(30, 3, Some(5)), 120);
        assert_eq!(backoff_secs(30, 40, None), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(1, 1, Some(u64::MAX)), MAX_BACKOFF_SECS);
    }
}
