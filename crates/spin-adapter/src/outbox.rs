//! Sends due outbox email over Spin's outbound HTTP: claims rows, sends
//! each through its provider, records the outcome. Used after a response
//! (a short budget) and by the authenticated drain endpoint (a longer one).

use crate::{Stores, settings};
use baton_core::email::outbox::{self, Job};
use baton_providers::email::{SendOutcome, build_send, classify_send};
use serde_json::json;
use std::time::{Duration, Instant};

/// Work after a response stays short; a scheduler's drain call gets more.
pub const AFTER_RESPONSE_BUDGET: Duration = Duration::from_secs(10);
pub const DRAIN_BUDGET: Duration = Duration::from_secs(25);
const CLAIM_BATCH: i64 = 5;

#[derive(Debug, Default, Clone, Copy)]
pub struct Report {
    pub sent: u32,
    pub retrying: u32,
    pub failed: u32,
}

impl Report {
    pub fn to_json(self, remaining: i64) -> serde_json::Value {
        json!({"sent": self.sent, "retrying": self.retrying, "failed": self.failed, "remaining": remaining})
    }
}

/// Delivers due email until none is due or the budget is spent.
pub async fn deliver_due(stores: &Stores, budget: Duration) -> Report {
    let started = Instant::now();
    let mut report = Report::default();
    // The common case, nothing due, costs one indexed query and no
    // variable lookups.
    if !matches!(outbox::has_due(&stores.db, crate::now_unix_ms()), Ok(true)) {
        return report;
    }
    let settings = settings();
    loop {
        let ctx = stores.ctx(None, settings.clone());
        match outbox::has_due(ctx.db, ctx.now_ms) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                eprintln!("outbox: cannot read the outbox: {}", e.detail);
                break;
            }
        }
        let jobs = match outbox::claim_due(&ctx, CLAIM_BATCH) {
            Ok(jobs) => jobs,
            Err(e) => {
                eprintln!("outbox: cannot claim email: {}", e.detail);
                break;
            }
        };
        if jobs.is_empty() {
            // Everything due failed while being prepared (and is recorded).
            continue;
        }
        for job in jobs {
            let outcome = send(&job).await;
            match &outcome {
                SendOutcome::Sent { .. } => report.sent += 1,
                SendOutcome::Retry { .. } => report.retrying += 1,
                SendOutcome::Permanent { .. } => report.failed += 1,
            }
            let ctx = stores.ctx(None, settings.clone());
            if let Err(e) = outbox::record(&ctx, &job.id, &outcome) {
                // The lease runs out and another sender retries the row.
                eprintln!(
                    "outbox: cannot record the outcome of {}: {}",
                    job.id, e.detail
                );
            }
        }
        if started.elapsed() >= budget {
            break;
        }
    }
    report
}

async fn send(job: &Job) -> SendOutcome {
    let http = build_send(job.provider, &job.base_url, &job.api_key, &job.email);
    match crate::send_http(http).await {
        Ok(response) => classify_send(job.provider, &response, crate::now_unix()),
        Err(e) => SendOutcome::Retry {
            after_secs: None,
            error: format!("could not reach {}: {e}", job.base_url),
        },
    }
}
