//! The escalation endpoints a chat widget or chat AI calls with its bot's
//! public key: should we hand off, hand off (create the Assist), and what
//! happened before for this customer.

use super::bots::cors;
use super::{Handled, Request, Response};
use crate::bots::{self, Bot};
use crate::env::Ctx;
use crate::escalation::{self, NewEscalation};
use crate::problem::Problem;
use crate::validate::{Errors, MAX_NAME_CHARS, check_email, parse_body, query_param};
use baton_ai::{BotSettings, History, Input, Known, Message, Role};
use serde::Deserialize;
use serde_json::{Value as Json, json};

pub const MAX_MESSAGES: usize = 500;
pub const MAX_MESSAGE_CHARS: usize = 10_000;
pub const MAX_METADATA_BYTES: usize = 8 * 1024;
pub const MAX_REASON_CHARS: usize = 500;
pub const CHANNELS: &[&str] = &[
    "web",
    "mobile",
    "email",
    "sms",
    "whatsapp",
    "messenger",
    "voice",
    "api",
];

/// Every channel an Assist can have: the chat hand-off's, plus those Baton
/// itself creates (inbound email, voicemail, help-desk imports).
pub const ALL_CHANNELS: &[&str] = &[
    "web",
    "mobile",
    "email",
    "sms",
    "whatsapp",
    "messenger",
    "voice",
    "api",
    "voicemail",
    "import",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageIn {
    role: Option<String>,
    text: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CustomerIn {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    messages: Option<Vec<MessageIn>>,
    ai_confidence: Option<f64>,
    customer: Option<CustomerIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    session_id: Option<String>,
    messages: Option<Vec<MessageIn>>,
    customer: Option<CustomerIn>,
    confirmed: Option<bool>,
    channel: Option<String>,
    metadata: Option<Json>,
    /// Why the chat AI hands off, in its words (shown to agents).
    reason: Option<String>,
}

/// Bot key, CORS origin and rate limit: everything before the body.
fn admit(ctx: &Ctx, req: &Request) -> Result<Bot, Problem> {
    let bot = admit_unlimited(ctx, req)?;
    rate_limit(ctx, &bot)?;
    Ok(bot)
}

/// Bot key and CORS origin; the caller counts the request itself (a create
/// counts inside its own transaction: one write turn, not two).
fn admit_unlimited(ctx: &Ctx, req: &Request) -> Result<Bot, Problem> {
    let bot = bots::authenticate(ctx.db, req.authorization())?;
    if let Some(origin) = req.header("origin")
        && !bot.allows_origin(origin)
    {
        return Err(Problem::forbidden(format!(
            "The origin {origin} is not allowed for this bot; add it to the bot's allowed_origins."
        )));
    }
    Ok(bot)
}

/// A fixed one-minute window per bot and client address (behind a trusted
/// proxy, the forwarded client's), counted atomically.
fn rate_limit(ctx: &Ctx, bot: &Bot) -> Result<(), Problem> {
    let limit = ctx.settings.escalation_rate_limit;
    let key = format!(
        "escalation:{}:{}",
        bot.id,
        ctx.client_ip.as_deref().unwrap_or("-")
    );
    if crate::ratelimit::hit(ctx, &key, 60)? > limit {
        let retry = crate::ratelimit::seconds_left(ctx, 60);
        return Err(Problem::too_many(
            retry,
            format!(
                "More than {limit} escalation requests a minute from this address; try again in {retry} seconds."
            ),
        ));
    }
    Ok(())
}

fn messages(
    e: &mut Errors,
    input: Option<Vec<MessageIn>>,
) -> Result<Option<Vec<Message>>, Problem> {
    let Some(input) = e.required("messages", input) else {
        return Ok(None);
    };
    if input.len() > MAX_MESSAGES {
        return Err(Problem::new(
            413,
            format!(
                "The transcript has {} messages; at most {MAX_MESSAGES} are accepted.",
                input.len()
            ),
        ));
    }
    if input.is_empty() {
        e.add("messages", "must contain at least one message");
        return Ok(None);
    }
    let mut out = Vec::with_capacity(input.len());
    for (i, m) in input.into_iter().enumerate() {
        let role = match m.role.as_deref() {
            Some("customer") => Some(Role::Customer),
            Some("assistant") => Some(Role::Assistant),
            Some(other) => {
                e.add(
                    &format!("messages[{i}].role"),
                    format!("{other:?} is not one of customer, assistant"),
                );
                None
            }
            None => {
                e.add(&format!("messages[{i}].role"), "is required");
                None
            }
        };
        let text = match m.text {
            Some(t) if t.trim().is_empty() => {
                e.add(&format!("messages[{i}].text"), "must not be empty");
                None
            }
            Some(t) if t.chars().count() > MAX_MESSAGE_CHARS => {
                return Err(Problem::new(
                    413,
                    format!("messages[{i}].text has more than {MAX_MESSAGE_CHARS} characters."),
                ));
            }
            Some(t) => Some(t),
            None => {
                e.add(&format!("messages[{i}].text"), "is required");
                None
            }
        };
        if let (Some(role), Some(text)) = (role, text) {
            out.push(Message { role, text });
        }
    }
    Ok(Some(out))
}

pub const MAX_PHONE_CHARS: usize = 32;

/// A phone number as people type it: digits with `+ - . ( ) /`, spaces and
/// an extension (`x`, `ext`), at most [`MAX_PHONE_CHARS`].
pub fn check_phone(phone: &str) -> Result<(), String> {
    if phone.chars().count() > MAX_PHONE_CHARS {
        return Err(format!("is longer than {MAX_PHONE_CHARS} characters"));
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-.()/xXtTeE".contains(c);
    if !phone.chars().all(allowed) || !phone.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!("{phone:?} is not a phone number"));
    }
    Ok(())
}

fn settings(bot: &Bot) -> BotSettings {
    BotSettings {
        trigger_phrases: bot.trigger_phrases.clone(),
        threshold: bot.confidence_threshold,
        team_name: bot.support_team_name.clone(),
    }
}

fn known(c: Option<CustomerIn>) -> Known {
    let c = c.unwrap_or_default();
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Known {
        name: clean(c.name),
        email: clean(c.email).map(|e| e.to_lowercase()),
        phone: clean(c.phone),
    }
}

pub fn check(ctx: &Ctx, req: &Request) -> Handled {
    let bot = admit(ctx, req)?;
    let body: CheckBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let msgs = messages(&mut e, body.messages)?;
    if let Some(c) = body.ai_confidence
        && !(0.0..=1.0).contains(&c)
    {
        e.add("ai_confidence", format!("must be between 0 and 1; got {c}"));
    }
    e.finish()?;
    let msgs = msgs.unwrap_or_default();
    let known = known(body.customer);
    let bot_settings = settings(&bot);
    let result = baton_ai::check(&Input {
        messages: &msgs,
        ai_confidence: body.ai_confidence,
        known: &known,
        history: &History::default(),
        bot: &bot_settings,
    });
    let d = &result.decision;
    let out = json!({
        "escalate": d.escalate,
        "confidence": escalation::round2(d.confidence),
        "trigger": d.trigger.as_ref().map(escalation::trigger_json),
        "reason": d.reason,
        "missing": result.missing,
        "prompt": result.prompt,
    });
    cors(&bot, req, Response::json(200, &out))
}

pub fn create(ctx: &Ctx, req: &Request) -> Handled {
    let bot = admit_unlimited(ctx, req)?;
    let body: CreateBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let session_id = e.required("session_id", body.session_id).and_then(|s| {
        let ok = !s.is_empty()
            && s.len() <= 200
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
        if !ok {
            e.add(
                "session_id",
                "must be 1 to 200 characters of letters, digits, '-', '_', '.' or ':'",
            );
        }
        ok.then_some(s)
    });
    let msgs = messages(&mut e, body.messages)?;
    let channel = body.channel.unwrap_or_else(|| "web".into());
    if !CHANNELS.contains(&channel.as_str()) {
        e.add(
            "channel",
            format!("{channel:?} is not one of {}", CHANNELS.join(", ")),
        );
    }
    let reason = body
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if let Some(r) = &reason
        && (r.chars().count() > MAX_REASON_CHARS || r.chars().any(char::is_control))
    {
        e.add(
            "reason",
            format!("must be at most {MAX_REASON_CHARS} characters without control characters"),
        );
    }
    let metadata = body.metadata.unwrap_or_else(|| json!({}));
    if !metadata.is_object() {
        e.add("metadata", "must be a JSON object");
    } else if metadata.to_string().len() > MAX_METADATA_BYTES {
        e.add(
            "metadata",
            format!("is larger than {MAX_METADATA_BYTES} bytes"),
        );
    }
    e.finish()?;
    let (Some(session_id), Some(msgs)) = (session_id, msgs) else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    // The customer's details must be there, valid and confirmed by them.
    let known = known(body.customer);
    let mut missing: Vec<&str> = Vec::new();
    let mut details = Errors::default();
    match &known.name {
        None => {
            missing.push("name");
            details.add("customer.name", "is required");
        }
        Some(n) if n.chars().count() > MAX_NAME_CHARS => {
            missing.push("name");
            details.add(
                "customer.name",
                format!("is longer than {MAX_NAME_CHARS} characters"),
            );
        }
        Some(n) if n.chars().any(char::is_control) => {
            missing.push("name");
            details.add("customer.name", "must not contain control characters");
        }
        _ => {}
    }
    if let Some(phone) = &known.phone
        && let Err(why) = check_phone(phone)
    {
        details.add("customer.phone", why);
    }
    match &known.email {
        None => {
            missing.push("email");
            details.add("customer.email", "is required");
        }
        Some(em) => {
            if let Err(why) = check_email(em) {
                missing.push("email");
                details.add("customer.email", why);
            }
        }
    }
    if body.confirmed != Some(true) {
        details.add(
            "confirmed",
            "must be true once the customer has confirmed their name and email",
        );
    }
    let bot_settings = settings(&bot);
    if let Err(p) = details.finish() {
        let checked = baton_ai::check(&Input {
            messages: &msgs,
            ai_confidence: None,
            known: &known,
            history: &History::default(),
            bot: &bot_settings,
        });
        return Err(p
            .with("missing", json!(missing))
            .with("prompt", json!(checked.prompt)));
    }
    let (Some(name), Some(email)) = (known.name.clone(), known.email.clone()) else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    let outcome = crate::db::transaction(ctx.db, || {
        // Over the limit rolls the count back with everything else: the
        // window stays full, nothing is stored.
        rate_limit(ctx, &bot)?;
        let outcome = escalation::escalate_within(
            ctx,
            &NewEscalation {
                bot_id: Some(&bot.id),
                session_id: &session_id,
                messages: &msgs,
                name: &name,
                email: Some(&email),
                phone: known.phone.as_deref(),
                name_is_placeholder: false,
                channel: &channel,
                metadata: &metadata,
                reason: reason.as_deref(),
            },
            |history| {
                crate::learning::analyse(
                    ctx,
                    &Input {
                        messages: &msgs,
                        ai_confidence: None,
                        known: &known,
                        history,
                        bot: &bot_settings,
                    },
                )
            },
        )?;
        if outcome.created {
            crate::email::on_new_assist(ctx, &outcome.assist_id, true, None)?;
        }
        Ok::<_, Problem>(outcome)
    })?;
    let status = if outcome.created { 201 } else { 200 };
    cors(&bot, req, Response::json(status, &outcome.to_json()))
}

/// Earlier Assists of a customer, for conversation continuity. The bot key
/// ships in every page, so it is no read credential for personal data:
/// - `customer_token` (minted server-side with `POST /v1/bots/{id}/customer-tokens`)
///   proves the widget knows the customer: their Assists through this bot;
/// - `session_id` alone gives the state of that session's own Assist, no text.
pub fn context(ctx: &Ctx, req: &Request) -> Handled {
    let bot = admit(ctx, req)?;
    if let Some(token) = query_param(req.query, "customer_token").filter(|t| !t.is_empty()) {
        let email = crate::bots::customer_token_email(ctx, &bot.id, &token)?;
        return cors(
            &bot,
            req,
            Response::json(200, &customer_history(ctx, &bot, &email)?),
        );
    }
    if let Some(session_id) = query_param(req.query, "session_id").filter(|s| !s.is_empty()) {
        let rows = ctx.db.execute(
            "SELECT reference, status, created_at, closed_at FROM assists WHERE bot_id = ? AND session_id = ?",
            &[bot.id.clone().into(), session_id.into()],
        )?;
        let assists: Vec<Json> = rows
            .iter()
            .map(|r| {
                json!({
                    "reference": r.text("reference"), "status": r.text("status"),
                    "created_at": crate::time::rfc3339(r.int("created_at")), "closed_at": r.opt_int("closed_at").map(crate::time::rfc3339),
                })
            })
            .collect();
        return cors(
            &bot,
            req,
            Response::json(200, &json!({"customer": null, "assists": assists})),
        );
    }
    if query_param(req.query, "email").is_some() {
        return Err(Problem::new(
            403,
            "A bot key alone cannot read a customer's history by email: pass customer_token, minted by your server with POST /v1/bots/{id}/customer-tokens.",
        ));
    }
    Err(Problem::field(
        "customer_token",
        "customer_token or session_id is required",
    ))
}

fn customer_history(ctx: &Ctx, bot: &Bot, email: &str) -> Result<Json, Problem> {
    let Some((customer_id, name)) = escalation::find_customer(ctx.db, email)? else {
        return Ok(json!({"customer": null, "assists": []}));
    };
    let rows = ctx.db.execute(
        "SELECT reference, status, summary, resolution, category, priority, created_at, closed_at FROM assists \
         WHERE customer_id = ? AND bot_id = ? ORDER BY created_at DESC, id DESC LIMIT 20",
        &[customer_id.into(), bot.id.clone().into()],
    )?;
    let assists: Vec<Json> = rows
        .iter()
        .map(|r| {
            json!({
                "reference": r.text("reference"), "status": r.text("status"), "summary": r.text("summary"),
                "resolution": r.opt_text("resolution"), "category": r.text("category"), "priority": r.text("priority"),
                "created_at": crate::time::rfc3339(r.int("created_at")), "closed_at": r.opt_int("closed_at").map(crate::time::rfc3339),
            })
        })
        .collect();
    // A customer this bot never escalated stays unknown to it.
    Ok(if assists.is_empty() {
        json!({"customer": null, "assists": []})
    } else {
        json!({"customer": {"name": name, "email": email}, "assists": assists})
    })
}
