//! From a chat hand-off to a stored Assist: the customer (found or created
//! by email), a short reference, the transcript, the AI analysis and the
//! first event, in one transaction. The same (bot, session) again appends
//! only messages not seen before, so retries never create twins.

use crate::db::{Db, Value};
use crate::env::Ctx;
use crate::problem::Problem;
use crate::time::rfc3339;
use baton_ai::{Analysis, History, Message, Role};
use serde_json::{Value as Json, json};

/// Crockford base32 without look-alikes: what customers read and type.
const REFERENCE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub fn new_reference(random: [u8; 6]) -> String {
    let code: String = random
        .iter()
        .map(|b| REFERENCE_ALPHABET[(*b & 31) as usize] as char)
        .collect();
    format!("AS-{code}")
}

pub struct NewEscalation<'a> {
    /// None for an Assist that came by email to no bot's address.
    pub bot_id: Option<&'a str>,
    pub session_id: &'a str,
    pub messages: &'a [Message],
    pub name: &'a str,
    /// None for callers and imported requesters known only by phone or name.
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// The name is a stand-in (e.g. a caller's number), not the customer's.
    pub name_is_placeholder: bool,
    pub channel: &'a str,
    pub metadata: &'a Json,
    /// Why the chat AI handed off, in its own words (when it says).
    pub reason: Option<&'a str>,
}

pub struct Outcome {
    pub created: bool,
    pub assist_id: String,
    pub reference: String,
    pub status: String,
    pub priority: String,
    pub category: String,
    pub appended: usize,
}

impl Outcome {
    pub fn to_json(&self) -> Json {
        json!({
            "assist_id": self.assist_id,
            "reference": self.reference,
            "status": self.status,
            "priority": self.priority,
            "category": self.category,
            "appended_messages": self.appended,
        })
    }
}

fn role_slug(r: Role) -> &'static str {
    match r {
        Role::Customer => "customer",
        Role::Assistant => "assistant",
    }
}

/// The customer's earlier Assists, newest first.
pub fn previous_assists(db: &dyn Db, customer_id: &str) -> Result<Vec<Json>, Problem> {
    let rows = db.execute(
        "SELECT id, reference, status, summary, resolution, category, created_at, closed_at FROM assists \
         WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT 20",
        &[customer_id.into()],
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            json!({
                "assist_id": r.text("id"), "reference": r.text("reference"), "status": r.text("status"),
                "summary": r.text("summary"), "resolution": r.opt_text("resolution"), "category": r.text("category"),
                "created_at": rfc3339(r.int("created_at")), "closed_at": r.opt_int("closed_at").map(rfc3339),
            })
        })
        .collect())
}

pub fn find_customer(db: &dyn Db, email: &str) -> Result<Option<(String, String)>, Problem> {
    let rows = db.execute(
        "SELECT id, name FROM customers WHERE email = ?",
        &[email.into()],
    )?;
    Ok(rows.first().map(|r| (r.text("id"), r.text("name"))))
}

impl NewEscalation<'_> {
    fn actor(&self) -> String {
        match self.bot_id {
            Some(bot) => format!("bot:{bot}"),
            None => self.channel.to_string(),
        }
    }
}

/// Stores the escalation in its own transaction.
pub fn escalate(
    ctx: &Ctx,
    e: &NewEscalation,
    analyse: impl FnOnce(&History) -> Analysis,
) -> Result<Outcome, Problem> {
    crate::db::transaction(ctx.db, || escalate_within(ctx, e, analyse))
}

/// Stores the escalation inside the caller's transaction. `analyse` runs
/// only for a new Assist, with the customer's history.
pub fn escalate_within(
    ctx: &Ctx,
    e: &NewEscalation,
    analyse: impl FnOnce(&History) -> Analysis,
) -> Result<Outcome, Problem> {
    {
        let existing = ctx.db.execute(
            "SELECT a.id, a.reference, a.status, a.priority, a.category, c.email AS customer_email FROM assists a \
             LEFT JOIN customers c ON c.id = a.customer_id WHERE a.bot_id IS ? AND a.session_id = ?",
            &[e.bot_id.into(), e.session_id.into()],
        )?;
        if let Some(row) = existing.first() {
            // A session belongs to the customer who opened it: knowing its
            // id is not enough to write into someone else's conversation.
            if e.bot_id.is_some()
                && let (Some(theirs), Some(ours)) = (row.opt_text("customer_email"), e.email)
                && !theirs.eq_ignore_ascii_case(ours)
            {
                return Err(Problem::conflict(
                    "This session_id belongs to another customer's conversation; start a new session.",
                ));
            }
            let assist_id = row.text("id");
            let appended = append_unseen(ctx, &assist_id, e.messages)?;
            if appended > 0 && row.text("status") == "closed" {
                // New words on a closed conversation must reach a person.
                ctx.db.execute(
                    "UPDATE assists SET status = 'open', closed_at = NULL WHERE id = ?",
                    &[assist_id.clone().into()],
                )?;
                event(
                    ctx,
                    &assist_id,
                    "reopened",
                    &e.actor(),
                    json!({"reason": "customer_message"}),
                )?;
            }
            if appended > 0 {
                ctx.db.execute(
                    "UPDATE assists SET updated_at = ?, last_customer_message_at = ?, version = version + 1 WHERE id = ?",
                    &[ctx.now().into(), ctx.now_ms.into(), assist_id.clone().into()],
                )?;
                crate::assists::reindex(ctx.db, &assist_id)?;
                event(
                    ctx,
                    &assist_id,
                    "messages_appended",
                    &e.actor(),
                    json!({"count": appended}),
                )?;
            }
            return Ok(Outcome {
                created: false,
                assist_id,
                reference: row.text("reference"),
                status: row.text("status"),
                priority: row.text("priority"),
                category: row.text("category"),
                appended,
            });
        }
        let customer_id = upsert_customer(ctx, e)?;
        let previous = previous_assists(ctx.db, &customer_id)?;
        let history = History {
            previous: previous.len() as u32,
            open: previous.iter().filter(|p| p["status"] != "closed").count() as u32,
        };
        let mut analysis = analyse(&history);
        // The bot handed this off: its reason is true even when the
        // analysis found no trigger ("nothing calls for a person" is not).
        if !analysis.decision.escalate {
            analysis.decision.reason = match e.reason {
                Some(r) => format!("The chat AI handed off: {r}"),
                None => analysis.handed_off_reason.clone(),
            };
        }
        merge_identifiers(ctx, &customer_id, &analysis)?;
        let assist_id = crate::ids::new_id(ctx);
        let reference = unique_reference(ctx)?;
        let tags: Vec<&str> = analysis.tags.iter().map(|t| t.name.as_str()).collect();
        let mut stored = analysis_json(&analysis);
        stored["previous_assists"] = Json::Array(previous.iter().map(|p| json!({"assist_id": p["assist_id"], "reference": p["reference"], "status": p["status"]})).collect());
        ctx.db.execute(
            "INSERT INTO assists (id, reference, bot_id, session_id, customer_id, status, channel, priority, category, sentiment, summary, reason, \
             suggested_reply, analysis, tags, metadata, created_at, updated_at, priority_rank, last_customer_message_at, language) \
             VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                assist_id.clone().into(),
                reference.clone().into(),
                e.bot_id.into(),
                e.session_id.into(),
                customer_id.into(),
                e.channel.into(),
                analysis.priority.value.slug().into(),
                analysis.category.value.slug().into(),
                analysis.sentiment.value.slug().into(),
                analysis.summary.clone().into(),
                analysis.decision.reason.clone().into(),
                analysis.suggested_reply.clone().into(),
                stored.to_string().into(),
                json!(tags).to_string().into(),
                e.metadata.to_string().into(),
                ctx.now().into(),
                ctx.now().into(),
                i64::from(analysis.priority.value.rank()).into(),
                ctx.now_ms.into(),
                analysis.language.value.code().into(),
            ],
        )?;
        let handed_off = append_unseen(ctx, &assist_id, e.messages)?;
        ctx.db.execute(
            "UPDATE assists SET transcript_length = ? WHERE id = ?",
            &[(handed_off as i64).into(), assist_id.clone().into()],
        )?;
        crate::assists::reindex(ctx.db, &assist_id)?;
        event(
            ctx,
            &assist_id,
            "created",
            &e.actor(),
            json!({"trigger": analysis.decision.trigger.as_ref().map(|t| t.kind.slug()), "reason": analysis.decision.reason}),
        )?;
        Ok(Outcome {
            created: true,
            assist_id,
            reference,
            status: "open".into(),
            priority: analysis.priority.value.slug().into(),
            category: analysis.category.value.slug().into(),
            appended: e.messages.len(),
        })
    }
}

fn upsert_customer(ctx: &Ctx, e: &NewEscalation) -> Result<String, Problem> {
    let existing = match (e.email, e.phone) {
        (Some(email), _) => find_customer(ctx.db, email)?.map(|(id, _)| id),
        // Without an email, the latest customer with that phone number.
        (None, Some(phone)) => ctx
            .db
            .execute(
                "SELECT id FROM customers WHERE phone = ? ORDER BY updated_at DESC, id DESC LIMIT 1",
                &[phone.into()],
            )?
            .first()
            .map(|r| r.text("id")),
        (None, None) => None,
    };
    if let Some(id) = existing {
        // A bot key is public: whoever holds it may claim any email, so a
        // chat only fills in what the customer record lacks. Other channels
        // (a verified provider webhook, the customer's own mail) update the
        // name and phone; a caller's placeholder never overwrites a name.
        let keep_existing = e.name_is_placeholder || e.bot_id.is_some();
        ctx.db.execute(
            "UPDATE customers SET name = CASE WHEN ? AND name != '' THEN name ELSE ? END, \
             phone = CASE WHEN ? THEN COALESCE(phone, ?) ELSE COALESCE(?, phone) END, updated_at = ? WHERE id = ?",
            &[keep_existing.into(), e.name.into(), (e.bot_id.is_some()).into(), e.phone.map(String::from).into(), e.phone.map(String::from).into(), ctx.now().into(), id.clone().into()],
        )?;
        return Ok(id);
    }
    let id = crate::ids::new_id(ctx);
    ctx.db.execute(
        "INSERT INTO customers (id, email, name, phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        &[id.clone().into(), e.email.map(String::from).into(), e.name.into(), e.phone.map(String::from).into(), ctx.now().into(), ctx.now().into()],
    )?;
    Ok(id)
}

/// Keeps order, invoice, tracking and account numbers on the customer.
fn merge_identifiers(ctx: &Ctx, customer_id: &str, a: &Analysis) -> Result<(), Problem> {
    let rows = ctx.db.execute(
        "SELECT identifiers FROM customers WHERE id = ?",
        &[customer_id.into()],
    )?;
    let mut ids: Vec<Json> = rows
        .first()
        .and_then(|r| serde_json::from_str(&r.text("identifiers")).ok())
        .unwrap_or_default();
    let found = a
        .details
        .order_numbers
        .iter()
        .map(|o| json!({"kind": "order", "value": o}))
        .chain(
            a.details
                .identifiers
                .iter()
                .map(|i| json!({"kind": i.kind, "value": i.value})),
        );
    let before = ids.len();
    for f in found {
        if !ids.contains(&f) {
            ids.push(f);
        }
    }
    if ids.len() != before {
        ctx.db.execute(
            "UPDATE customers SET identifiers = ? WHERE id = ?",
            &[Json::Array(ids).to_string().into(), customer_id.into()],
        )?;
    }
    Ok(())
}

fn unique_reference(ctx: &Ctx) -> Result<String, Problem> {
    for _ in 0..8 {
        let r = new_reference(ctx.random_bytes::<6>());
        let taken = ctx.db.execute(
            "SELECT 1 FROM assists WHERE reference = ?",
            &[r.clone().into()],
        )?;
        if taken.rows.is_empty() {
            return Ok(r);
        }
    }
    Err(Problem::new(500, "Could not find a free Assist reference."))
}

/// Appends each incoming message not already in the transcript (compared
/// as a multiset of (role, text), in order), so full resends and partial
/// resends both converge on one transcript.
fn append_unseen(ctx: &Ctx, assist_id: &str, messages: &[Message]) -> Result<usize, Problem> {
    let rows = ctx.db.execute(
        "SELECT role, text, seq FROM messages WHERE assist_id = ? AND role IN ('customer', 'assistant') ORDER BY seq",
        &[assist_id.into()],
    )?;
    let mut seen: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.text("role"), r.text("text")))
        .collect();
    let max_seq = ctx.db.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE assist_id = ?",
        &[assist_id.into()],
    )?;
    let mut seq = max_seq.scalar().and_then(Value::as_i64).unwrap_or(0);
    let mut appended = 0;
    for m in messages {
        let key = (role_slug(m.role).to_string(), m.text.clone());
        if let Some(pos) = seen.iter().position(|s| *s == key) {
            seen.remove(pos);
            continue;
        }
        seq += 1;
        ctx.db.execute(
            "INSERT INTO messages (id, assist_id, seq, role, text, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            &[crate::ids::new_id(ctx).into(), assist_id.into(), seq.into(), key.0.into(), key.1.into(), ctx.now().into()],
        )?;
        appended += 1;
    }
    Ok(appended)
}

pub fn event(
    ctx: &Ctx,
    assist_id: &str,
    kind: &str,
    actor: &str,
    data: Json,
) -> Result<(), Problem> {
    ctx.db.execute(
        "INSERT INTO assist_events (id, assist_id, kind, actor, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        &[crate::ids::new_id(ctx).into(), assist_id.into(), kind.into(), actor.into(), data.to_string().into(), ctx.now().into()],
    )?;
    Ok(())
}

/// Confidences are shown to two decimals (they are f32 estimates).
pub fn round2(x: f32) -> f64 {
    (f64::from(x) * 100.0).round() / 100.0
}

fn scored<T>(s: &baton_ai::Scored<T>, value: &str) -> Json {
    let source = if s
        .factors
        .iter()
        .any(|f| f.starts_with("adjusted by your team"))
    {
        "built-in+team"
    } else {
        "built-in"
    };
    json!({"value": value, "confidence": round2(s.confidence), "factors": s.factors, "source": source})
}

/// The analysis as stored and served: every field with its confidence,
/// factors and source.
pub fn analysis_json(a: &Analysis) -> Json {
    json!({
        "source": a.source,
        "summary": a.summary,
        "summary_team": a.summary_team,
        "language": scored(&a.language, a.language.value.code()),
        "team_adjusted": a.team_adjusted,
        "details": {
            "name": a.details.name, "email": a.details.email, "phone": a.details.phone,
            "emails": a.details.emails, "phones": a.details.phones, "order_numbers": a.details.order_numbers,
            "identifiers": a.details.identifiers.iter().map(|i| json!({"kind": i.kind, "value": i.value})).collect::<Vec<_>>(),
        },
        "category": scored(&a.category, a.category.value.slug()),
        "priority": scored(&a.priority, a.priority.value.slug()),
        "sentiment": scored(&a.sentiment, a.sentiment.value.slug()),
        "tags": a.tags.iter().map(|t| json!({"name": t.name, "confidence": round2(t.confidence), "factors": t.factors})).collect::<Vec<_>>(),
        "escalation": {
            "escalate": a.decision.escalate,
            "confidence": round2(a.decision.confidence),
            "reason": a.decision.reason,
            "trigger": a.decision.trigger.as_ref().map(trigger_json),
        },
        "suggested_reply": {"text": a.suggested_reply, "source": "built-in", "variant": 0},
    })
}

pub fn trigger_json(t: &baton_ai::Trigger) -> Json {
    json!({"kind": t.kind.slug(), "phrase": t.phrase, "topic": t.topic})
}

/// A stored message (`role`, `text` columns) as the AI reads it: the
/// customer's words, and everyone else's as the other side.
pub fn ai_message(r: &crate::db::Row) -> Message {
    Message {
        role: if r.text("role") == "customer" {
            Role::Customer
        } else {
            Role::Assistant
        },
        text: r.text("text"),
    }
}

/// Runs the AI again over the Assist's customer-visible conversation (a
/// voicemail whose transcript came later) and stores the new analysis.
pub fn reanalyse(
    ctx: &Ctx,
    assist_id: &str,
    bot: &baton_ai::BotSettings,
) -> Result<Analysis, Problem> {
    let rows = ctx.db.execute(
        "SELECT m.role, m.text, a.customer_id, c.name, c.email, c.phone FROM messages m JOIN assists a ON a.id = m.assist_id \
         JOIN customers c ON c.id = a.customer_id WHERE m.assist_id = ? AND m.role IN ('customer', 'assistant', 'agent') ORDER BY m.seq",
        &[assist_id.into()],
    )?;
    let messages: Vec<Message> = rows.iter().map(|r| ai_message(&r)).collect();
    let first = rows
        .first()
        .ok_or_else(|| Problem::missing("That Assist's messages"))?;
    let customer_id = first.text("customer_id");
    let known = baton_ai::Known {
        name: first.opt_text("name"),
        email: first.opt_text("email"),
        phone: first.opt_text("phone"),
    };
    let previous = previous_assists(ctx.db, &customer_id)?;
    let history = History {
        previous: previous.len().saturating_sub(1) as u32,
        open: previous
            .iter()
            .filter(|p| p["status"] != "closed" && p["assist_id"] != assist_id)
            .count() as u32,
    };
    let analysis = crate::learning::analyse(
        ctx,
        &baton_ai::Input {
            messages: &messages,
            ai_confidence: None,
            known: &known,
            history: &history,
            bot,
        },
    );
    merge_identifiers(ctx, &customer_id, &analysis)?;
    let tags: Vec<&str> = analysis.tags.iter().map(|t| t.name.as_str()).collect();
    ctx.db.execute(
        "UPDATE assists SET priority = ?, category = ?, sentiment = ?, summary = ?, reason = ?, suggested_reply = ?, analysis = ?, tags = ?, \
         priority_rank = ?, language = ?, draft = NULL, draft_variant = 0, version = version + 1, updated_at = ? WHERE id = ?",
        &[
            analysis.priority.value.slug().into(),
            analysis.category.value.slug().into(),
            analysis.sentiment.value.slug().into(),
            analysis.summary.clone().into(),
            analysis.decision.reason.clone().into(),
            analysis.suggested_reply.clone().into(),
            analysis_json(&analysis).to_string().into(),
            json!(tags).to_string().into(),
            i64::from(analysis.priority.value.rank()).into(),
            analysis.language.value.code().into(),
            ctx.now().into(),
            assist_id.into(),
        ],
    )?;
    crate::assists::reindex(ctx.db, assist_id)?;
    Ok(analysis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_short_and_readable() {
        let r = new_reference([0, 1, 2, 31, 32, 255]);
        assert_eq!(r, "AS-012Z0Z");
        assert!(r[3..].chars().all(|c| !"ILOU".contains(c)));
    }
}
