//! The outbox's claim, lease and retry rules, natively over SQLite.

use super::outbox::{self, NewEmail, StoredEmail};
use super::settings::{self, EmailBody};
use crate::db::testing::SqliteDb;
use crate::env::testing::{CountingRandom, MemKv};
use crate::env::{Ctx, Settings};
use crate::validate::Errors;
use baton_providers::email::{EmailProvider, SendOutcome};

struct World {
    db: SqliteDb,
    kv: MemKv,
    random: CountingRandom,
}

impl World {
    fn new() -> World {
        let db = SqliteDb::memory();
        crate::migrate::ensure_migrated(&db, 0).unwrap();
        db.execute(
            "INSERT INTO bots (id, name, public_key_hash, key_prefix, allowed_origins, trigger_phrases, confidence_threshold, support_team_name, created_at, updated_at) \
             VALUES ('b1', 'Shop', 'h', 'pk_x', '[]', '[]', 0.6, 'Acme', 0, 0)",
            &[],
        )
        .unwrap();
        World {
            db,
            kv: MemKv::default(),
            random: CountingRandom::default(),
        }
    }

    fn ctx(&self, now_ms: i64) -> Ctx<'_> {
        let settings = Settings {
            encryption_key: Some("0123456789abcdef0123456789abcdef".into()),
            email_retry_base_seconds: 30,
            ..Settings::default()
        };
        Ctx {
            db: &self.db,
            kv: &self.kv,
            random: &self.random,
            now_ms,
            client_ip: None,
            settings,
        }
    }
}

use crate::db::Db;

fn configure(ctx: &Ctx) {
    let body: EmailBody = serde_json::from_value(serde_json::json!({
        "provider": "resend", "api_key": "re_secret", "from_email": "support@acme.test"
    }))
    .unwrap();
    let mut e = Errors::default();
    let change = body.validate(&mut e);
    e.finish().unwrap();
    settings::apply(ctx, "b1", change).unwrap();
}

fn email() -> StoredEmail {
    StoredEmail {
        from_email: "support@acme.test".into(),
        from_name: None,
        to: vec![("jo@example.org".into(), None)],
        reply_to: None,
        subject: "Hi".into(),
        text: "Hello".into(),
        html: None,
        message_id: "<m1@acme.test>".into(),
        in_reply_to: None,
        references: vec![],
    }
}

fn state(w: &World, id: &str) -> (String, i64) {
    let rows =
        w.db.execute(
            "SELECT state, attempts FROM outbox WHERE id = ?",
            &[id.into()],
        )
        .unwrap();
    let r = rows.first().unwrap();
    (r.text("state"), r.int("attempts"))
}

#[test]
fn a_row_is_claimed_once_retried_after_its_backoff_and_sent_once() {
    let w = World::new();
    let t0 = 1_800_000_000_000;
    let ctx = w.ctx(t0);
    configure(&ctx);
    let stored = settings::load(&w.db, "b1").unwrap();
    assert!(
        !stored
            .api_key_sealed
            .as_deref()
            .unwrap()
            .contains("re_secret"),
        "sealed at rest"
    );
    let id = outbox::enqueue(
        &ctx,
        NewEmail {
            assist_id: None,
            message_id: None,
            bot_id: "b1",
            kind: "reply",
            email: email(),
        },
    )
    .unwrap();
    assert!(outbox::has_due(&w.db, t0).unwrap());

    let jobs = outbox::claim_due(&ctx, 10).unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].provider, EmailProvider::Resend);
    assert_eq!(jobs[0].api_key, "re_secret");
    assert_eq!(jobs[0].email.idempotency_key, id);
    // A second sender gets nothing while the lease holds.
    assert!(outbox::claim_due(&w.ctx(t0 + 1000), 10).unwrap().is_empty());

    // 429 with Retry-After 90 s: not due before then, even past the 30 s base.
    outbox::record(
        &w.ctx(t0 + 1000),
        &id,
        &SendOutcome::Retry {
            after_secs: Some(90),
            error: "429".into(),
        },
    )
    .unwrap();
    assert_eq!(state(&w, &id), ("pending".into(), 1));
    assert!(
        outbox::claim_due(&w.ctx(t0 + 60_000), 10)
            .unwrap()
            .is_empty()
    );
    let again = outbox::claim_due(&w.ctx(t0 + 92_000), 10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(state(&w, &id), ("sending".into(), 2));

    // A sender that died: after the lease, another may take the row.
    let later = t0 + 92_000 + outbox::LEASE_MS + 1;
    let reclaimed = outbox::claim_due(&w.ctx(later), 10).unwrap();
    assert_eq!(reclaimed.len(), 1);
    outbox::record(
        &w.ctx(later),
        &id,
        &SendOutcome::Sent {
            provider_message_id: Some("p1".into()),
        },
    )
    .unwrap();
    assert_eq!(state(&w, &id).0, "sent");
    assert!(!outbox::has_due(&w.db, later + 10 * outbox::LEASE_MS).unwrap());
    assert!(
        outbox::claim_due(&w.ctx(later + 10 * outbox::LEASE_MS), 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn retries_stop_after_the_last_attempt_and_permanent_errors_stop_at_once() {
    let w = World::new();
    let mut now = 1_800_000_000_000;
    configure(&w.ctx(now));
    let id = outbox::enqueue(
        &w.ctx(now),
        NewEmail {
            assist_id: None,
            message_id: None,
            bot_id: "b1",
            kind: "reply",
            email: email(),
        },
    )
    .unwrap();
    for attempt in 1..=outbox::MAX_ATTEMPTS {
        let jobs = outbox::claim_due(&w.ctx(now), 10).unwrap();
        assert_eq!(jobs.len(), 1, "attempt {attempt}");
        outbox::record(
            &w.ctx(now),
            &id,
            &SendOutcome::Retry {
                after_secs: None,
                error: "503".into(),
            },
        )
        .unwrap();
        now += 7 * 3600 * 1000;
    }
    assert_eq!(state(&w, &id), ("failed".into(), outbox::MAX_ATTEMPTS));
    let rows =
        w.db.execute(
            "SELECT last_error FROM outbox WHERE id = ?",
            &[id.as_str().into()],
        )
        .unwrap();
    assert!(
        rows.first()
            .unwrap()
            .text("last_error")
            .contains("gave up after 8 attempts")
    );

    let id2 = outbox::enqueue(
        &w.ctx(now),
        NewEmail {
            assist_id: None,
            message_id: None,
            bot_id: "b1",
            kind: "reply",
            email: email(),
        },
    )
    .unwrap();
    outbox::claim_due(&w.ctx(now), 10).unwrap();
    outbox::record(
        &w.ctx(now),
        &id2,
        &SendOutcome::Permanent {
            error: "400 bad sender".into(),
        },
    )
    .unwrap();
    assert_eq!(state(&w, &id2), ("failed".into(), 1));
}

#[test]
fn rows_whose_key_cannot_be_opened_fail_with_a_reason() {
    let w = World::new();
    let now = 1_800_000_000_000;
    configure(&w.ctx(now));
    let id = outbox::enqueue(
        &w.ctx(now),
        NewEmail {
            assist_id: None,
            message_id: None,
            bot_id: "b1",
            kind: "reply",
            email: email(),
        },
    )
    .unwrap();
    let mut other = w.ctx(now);
    other.settings.encryption_key = Some("a different key of thirty-two characters".into());
    assert!(outbox::claim_due(&other, 10).unwrap().is_empty());
    assert_eq!(state(&w, &id).0, "failed");
    let rows =
        w.db.execute(
            "SELECT last_error FROM outbox WHERE id = ?",
            &[id.as_str().into()],
        )
        .unwrap();
    assert!(
        rows.first()
            .unwrap()
            .text("last_error")
            .contains("encryption_key"),
        "{:?}",
        rows
    );
}
