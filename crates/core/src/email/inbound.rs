//! An inbound email, already authenticated and parsed: stored once per
//! provider message, threaded into its Assist by the reply address or by
//! In-Reply-To/References, or else turned into a new Assist as a support
//! address would.

use super::{on_new_assist, queue_reply_notification, remember_message_id, reply_token_of};
use crate::db::{Db, transaction};
use crate::env::Ctx;
use crate::escalation::{NewEscalation, escalate_within, event};
use crate::problem::Problem;
use crate::validate::check_email;
use baton_ai::{BotSettings, Input, Known, Message, Role};
use baton_providers::email::{InboundEmail, html_to_text, reply_text, sanitize_html};
use serde_json::{Value as Json, json};

/// The most text one email adds; beyond it the message is cut with a note
/// (the sanitized HTML keeps the rest, up to its own cap).
pub const MAX_TEXT_CHARS: usize = 50_000;
const MAX_HTML_BYTES: usize = 512 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    /// Added to an existing Assist.
    Threaded { assist_id: String, reopened: bool },
    /// Became a new Assist.
    Created { assist_id: String },
    /// Seen before: nothing changed.
    Duplicate,
}

impl Stored {
    pub fn to_json(&self) -> Json {
        match self {
            Stored::Threaded {
                assist_id,
                reopened,
            } => {
                json!({"result": "threaded", "assist_id": assist_id, "reopened": reopened})
            }
            Stored::Created { assist_id } => json!({"result": "created", "assist_id": assist_id}),
            Stored::Duplicate => json!({"result": "duplicate"}),
        }
    }
}

fn new_text(mail: &InboundEmail) -> (String, bool) {
    let full = if mail.text.trim().is_empty() {
        mail.html.as_deref().map(html_to_text).unwrap_or_default()
    } else {
        mail.text.clone()
    };
    let mut text = reply_text(&full);
    if text.trim().is_empty() {
        text = if mail.attachments.is_empty() {
            "(empty email)".into()
        } else {
            "(attachments only)".into()
        };
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        let cut: String = text.chars().take(MAX_TEXT_CHARS).collect();
        return (
            format!("{cut}\n\n[… cut at {MAX_TEXT_CHARS} characters]"),
            true,
        );
    }
    (text, false)
}

fn meta(mail: &InboundEmail, truncated: bool) -> Json {
    let html = mail
        .html
        .as_deref()
        .map(sanitize_html)
        .filter(|h| h.len() <= MAX_HTML_BYTES);
    json!({
        "subject": mail.subject,
        "from": {"email": mail.from.email, "name": mail.from.name},
        "html": html,
        "attachments": mail.attachments.iter().map(|a| json!({"filename": a.filename, "content_type": a.content_type, "size": a.size})).collect::<Vec<_>>(),
        "email_message_id": mail.message_id,
        "auto_submitted": mail.auto_submitted,
        "truncated": truncated,
    })
}

/// The Assist an email answers: its reply address first, then its
/// In-Reply-To and References.
fn find_assist(db: &dyn Db, mail: &InboundEmail) -> Result<Option<String>, Problem> {
    for address in mail.to.iter().chain(&mail.cc).chain(&mail.delivered_to) {
        if let Some(token) = reply_token_of(address) {
            let rows = db.execute(
                "SELECT assist_id FROM email_threads WHERE reply_token = ?",
                &[token.to_ascii_lowercase().into()],
            )?;
            if let Some(r) = rows.first() {
                return Ok(Some(r.text("assist_id")));
            }
        }
    }
    for id in mail.in_reply_to.iter().chain(mail.references.iter().rev()) {
        let rows = db.execute(
            "SELECT assist_id FROM email_message_ids WHERE message_id = ?",
            &[id.as_str().into()],
        )?;
        if let Some(r) = rows.first() {
            return Ok(Some(r.text("assist_id")));
        }
    }
    Ok(None)
}

/// The bot a new email belongs to: the one whose inbound domain or from
/// address it was sent to, else the only bot there is.
fn bot_for(db: &dyn Db, mail: &InboundEmail) -> Result<Option<(String, BotSettings)>, Problem> {
    let rows = db.execute(
        "SELECT b.id, b.trigger_phrases, b.confidence_threshold, b.support_team_name, e.from_email, e.inbound_domain \
         FROM bots b LEFT JOIN bot_email e ON e.bot_id = b.id ORDER BY b.created_at, b.id",
        &[],
    )?;
    let recipients: Vec<String> = mail
        .to
        .iter()
        .chain(&mail.cc)
        .chain(&mail.delivered_to)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    let settings = |r: &crate::db::Row| BotSettings {
        trigger_phrases: serde_json::from_str(&r.text("trigger_phrases")).unwrap_or_default(),
        threshold: r.real("confidence_threshold"),
        team_name: r.text("support_team_name"),
    };
    for r in rows.iter() {
        let from = r.opt_text("from_email");
        let domain = r.opt_text("inbound_domain");
        let hit = recipients.iter().any(|a| {
            from.as_deref() == Some(a.as_str())
                || domain
                    .as_deref()
                    .is_some_and(|d| a.rsplit_once('@').is_some_and(|(_, ad)| ad == d))
        });
        if hit {
            return Ok(Some((r.text("id"), settings(&r))));
        }
    }
    if rows.rows.len() == 1 {
        return Ok(rows.first().map(|r| (r.text("id"), settings(&r))));
    }
    Ok(None)
}

/// Stores one inbound email (one transaction).
pub fn store(ctx: &Ctx, mail: &InboundEmail) -> Result<Stored, Problem> {
    if mail.dedupe_key.is_empty() {
        return Err(Problem::bad_request(
            "The email has no identity to store it once by.",
        ));
    }
    transaction(ctx.db, || {
        let fresh = ctx.db.execute(
            "INSERT INTO inbound_emails (dedupe_key, received_at) VALUES (?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key",
            &[mail.dedupe_key.as_str().into(), ctx.now().into()],
        )?;
        if fresh.rows.is_empty() {
            return Ok(Stored::Duplicate);
        }
        let stored = match find_assist(ctx.db, mail)? {
            Some(assist_id) => thread_into(ctx, &assist_id, mail)?,
            None => create(ctx, mail)?,
        };
        let assist_id = match &stored {
            Stored::Threaded { assist_id, .. } | Stored::Created { assist_id } => assist_id.clone(),
            Stored::Duplicate => return Ok(stored),
        };
        ctx.db.execute(
            "UPDATE inbound_emails SET assist_id = ? WHERE dedupe_key = ?",
            &[assist_id.into(), mail.dedupe_key.as_str().into()],
        )?;
        Ok(stored)
    })
}

fn thread_into(ctx: &Ctx, assist_id: &str, mail: &InboundEmail) -> Result<Stored, Problem> {
    let (text, truncated) = new_text(mail);
    let rows = ctx.db.execute(
        "SELECT status FROM assists WHERE id = ?",
        &[assist_id.into()],
    )?;
    let status = rows.first().map(|r| r.text("status")).unwrap_or_default();
    let seq = crate::assists::next_seq(ctx.db, assist_id)?;
    let message_row = crate::ids::new_id(ctx);
    ctx.db.execute(
        "INSERT INTO messages (id, assist_id, seq, role, text, created_at, channel, meta) VALUES (?, ?, ?, 'customer', ?, ?, 'email', ?)",
        &[
            message_row.clone().into(),
            assist_id.into(),
            seq.into(),
            text.clone().into(),
            ctx.now().into(),
            meta(mail, truncated).to_string().into(),
        ],
    )?;
    if let Some(mid) = &mail.message_id {
        remember_message_id(ctx, assist_id, mid)?;
    }
    // Automatic mail (out-of-office and the like) is kept but neither
    // reopens the Assist nor pages anyone.
    let reopen = !mail.auto_submitted && status != "open";
    ctx.db.execute(
        "UPDATE assists SET last_customer_message_at = CASE WHEN ? THEN last_customer_message_at ELSE ? END, \
         status = CASE WHEN ? THEN 'open' ELSE status END, closed_at = CASE WHEN ? THEN NULL ELSE closed_at END, \
         updated_at = ?, version = version + 1 WHERE id = ?",
        &[
            mail.auto_submitted.into(),
            ctx.now_ms.into(),
            reopen.into(),
            reopen.into(),
            ctx.now().into(),
            assist_id.into(),
        ],
    )?;
    crate::assists::reindex(ctx.db, assist_id)?;
    event(
        ctx,
        assist_id,
        "customer_replied",
        "email",
        json!({"message_id": message_row, "auto_submitted": mail.auto_submitted}),
    )?;
    if reopen {
        event(
            ctx,
            assist_id,
            "reopened",
            "email",
            json!({"from": status, "by": "customer_reply"}),
        )?;
    }
    if !mail.auto_submitted {
        queue_reply_notification(ctx, assist_id, &text)?;
    }
    Ok(Stored::Threaded {
        assist_id: assist_id.to_string(),
        reopened: reopen,
    })
}

fn create(ctx: &Ctx, mail: &InboundEmail) -> Result<Stored, Problem> {
    let email = mail.from.email.trim().to_ascii_lowercase();
    check_email(&email).map_err(|why| {
        Problem::new(
            422,
            format!("The sender address {email:?} is not usable: {why}"),
        )
    })?;
    let name = mail
        .from
        .name
        .clone()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("Customer").to_string());
    let name: String = name.chars().take(crate::validate::MAX_NAME_CHARS).collect();
    let (text, truncated) = new_text(mail);
    let body = if mail.subject.trim().is_empty() {
        text
    } else {
        format!("{}\n\n{text}", mail.subject.trim())
    };
    let messages = [Message {
        role: Role::Customer,
        text: body,
    }];
    let bot = bot_for(ctx.db, mail)?;
    let bot_settings = bot.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
    let known = Known {
        name: Some(name.clone()),
        email: Some(email.clone()),
        phone: None,
    };
    let session = format!("email:{}", mail.dedupe_key);
    let outcome = escalate_within(
        ctx,
        &NewEscalation {
            bot_id: bot.as_ref().map(|(id, _)| id.as_str()),
            session_id: &session,
            messages: &messages,
            name: &name,
            email: Some(&email),
            phone: None,
            name_is_placeholder: false,
            channel: "email",
            metadata: &json!({"subject": mail.subject}),
            reason: None,
        },
        |history| {
            crate::learning::analyse(
                ctx,
                &Input {
                    messages: &messages,
                    ai_confidence: None,
                    known: &known,
                    history,
                    bot: &bot_settings,
                },
            )
        },
    )?;
    ctx.db.execute(
        "UPDATE messages SET channel = 'email', meta = ? WHERE assist_id = ?",
        &[
            meta(mail, truncated).to_string().into(),
            outcome.assist_id.clone().into(),
        ],
    )?;
    on_new_assist(
        ctx,
        &outcome.assist_id,
        !mail.auto_submitted,
        Some((&mail.subject, mail.message_id.as_deref())),
    )?;
    Ok(Stored::Created {
        assist_id: outcome.assist_id,
    })
}
