//! Email around an Assist: the team's new-Assist notice, the customer's
//! confirmation, agent replies, surveys and reply notices, all threaded as
//! one conversation per Assist (a per-Assist reply address plus
//! Message-ID, In-Reply-To and References), and inbound replies.

pub mod inbound;
pub mod outbox;
pub mod settings;

use crate::db::Db;
use crate::env::Ctx;
use crate::problem::Problem;
use outbox::{NewEmail, StoredEmail};
use serde_json::json;
use settings::Sender;

/// How many earlier Message-IDs a References header carries (the first one
/// and the latest ones; mail clients need no more to thread).
const MAX_REFERENCES: usize = 10;

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Plain text as HTML paragraphs, escaped.
pub fn text_to_html(text: &str) -> String {
    let body: String = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", escape_html(p.trim()).replace('\n', "<br>")))
        .collect();
    format!(
        "<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.5\">{body}</body></html>"
    )
}

fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map_or("baton.invalid", |(_, d)| d)
}

fn new_message_id(ctx: &Ctx, from_email: &str) -> String {
    format!(
        "<{}.baton@{}>",
        crate::ids::new_id(ctx).to_ascii_lowercase(),
        domain_of(from_email)
    )
}

/// One line: no line breaks in a header.
fn header_safe(s: &str, max: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        let cut: String = one.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    } else {
        one
    }
}

/// "Re: x" for x, without stacking prefixes.
pub fn reply_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        match ["re:", "aw:", "sv:", "fw:", "fwd:", "wg:", "tr:"]
            .iter()
            .find(|p| lower.starts_with(**p))
        {
            Some(p) => s = s[p.len()..].trim_start(),
            None => break,
        }
    }
    header_safe(&format!("Re: {s}"), 200)
}

/// The subject with the Assist's reference, once.
fn with_reference(subject: &str, reference: &str) -> String {
    if subject.contains(reference) {
        subject.to_string()
    } else {
        header_safe(&format!("{subject} [{reference}]"), 200)
    }
}

/// What emails about an Assist need to know of it.
pub struct AssistInfo {
    pub id: String,
    pub reference: String,
    pub summary: String,
    pub priority: String,
    pub category: String,
    pub reason: String,
    pub customer_name: String,
    /// None for customers known only by phone or name.
    pub customer_email: Option<String>,
    pub bot_id: Option<String>,
    pub team_name: String,
    pub assignee_email: Option<String>,
}

pub fn assist_info(db: &dyn Db, assist_id: &str) -> Result<AssistInfo, Problem> {
    let rows = db.execute(
        "SELECT a.id, a.reference, a.summary, a.priority, a.category, a.reason, a.bot_id, c.name, c.email, \
                COALESCE(b.support_team_name, '') AS team, u.email AS assignee_email \
         FROM assists a JOIN customers c ON c.id = a.customer_id LEFT JOIN bots b ON b.id = a.bot_id \
         LEFT JOIN users u ON u.id = a.assignee_id AND u.removed_at IS NULL WHERE a.id = ?",
        &[assist_id.into()],
    )?;
    let r = rows
        .first()
        .ok_or_else(|| Problem::missing("That Assist"))?;
    Ok(AssistInfo {
        id: r.text("id"),
        reference: r.text("reference"),
        summary: r.text("summary"),
        priority: r.text("priority"),
        category: r.text("category"),
        reason: r.text("reason"),
        customer_name: r.text("name"),
        customer_email: r.opt_text("email"),
        bot_id: r.opt_text("bot_id"),
        team_name: r.text("team"),
        assignee_email: r.opt_text("assignee_email"),
    })
}

/// The bot's complete sending settings, if it has them.
pub fn sender_for(db: &dyn Db, info: &AssistInfo) -> Result<Option<(String, Sender)>, Problem> {
    let Some(bot_id) = &info.bot_id else {
        return default_sender(db, info);
    };
    Ok(settings::load(db, bot_id)?
        .sender(&info.team_name)
        .map(|s| (bot_id.clone(), s)))
}

/// Assists that came by phone or import belong to no bot: the first bot
/// (oldest) whose email is ready answers them, so they can be worked too.
fn default_sender(db: &dyn Db, info: &AssistInfo) -> Result<Option<(String, Sender)>, Problem> {
    workspace_sender(db, &info.team_name)
}

/// The sender of mail that belongs to no bot (invitations, Assists from
/// phone or import): the oldest bot whose email is ready.
pub fn workspace_sender(db: &dyn Db, team_name: &str) -> Result<Option<(String, Sender)>, Problem> {
    let bots = db.execute(
        "SELECT b.id FROM bots b JOIN bot_email e ON e.bot_id = b.id ORDER BY b.created_at, b.id",
        &[],
    )?;
    for r in bots.iter() {
        let id = r.text("id");
        if let Some(s) = settings::load(db, &id)?.sender(team_name) {
            return Ok(Some((id, s)));
        }
    }
    Ok(None)
}

/// Mail to one person that belongs to no Assist (a password reset, an
/// invitation), through the workspace sender; answers whether it was
/// queued (false when no bot can send).
fn queue_workspace_email(
    ctx: &Ctx,
    (to, name): (&str, &str),
    subject: &str,
    text: String,
    kind: &str,
) -> Result<bool, Problem> {
    let Some((bot_id, sender)) = workspace_sender(ctx.db, "Support")? else {
        return Ok(false);
    };
    let email = StoredEmail {
        from_email: sender.from.email.clone(),
        from_name: sender.from.name.clone(),
        to: vec![(to.to_string(), Some(name.to_string()))],
        reply_to: None,
        subject: header_safe(subject, 160),
        html: Some(text_to_html(&text)),
        text,
        message_id: new_message_id(ctx, &sender.from.email),
        in_reply_to: None,
        references: Vec::new(),
    };
    outbox::enqueue(
        ctx,
        NewEmail {
            assist_id: None,
            message_id: None,
            bot_id: &bot_id,
            kind,
            email,
        },
    )?;
    Ok(true)
}

/// Emails a password-reset link when some bot can send.
pub fn queue_password_reset(ctx: &Ctx, to: &str, name: &str, link: &str) -> Result<bool, Problem> {
    let text = format!(
        "Hi {},\n\nUse this link to choose a new Baton password. It works once, within the hour:\n{link}\n\nIf you did not ask for this, ignore this email: your password stays as it is.",
        first_name(name)
    );
    queue_workspace_email(
        ctx,
        (to, name),
        "Reset your Baton password",
        text,
        "password_reset",
    )
}

/// Emails an invitation with its link when some bot can send (the link is
/// also shown to copy either way).
pub fn queue_invitation(
    ctx: &Ctx,
    to: &str,
    name: &str,
    inviter: &str,
    accept_url: &str,
) -> Result<bool, Problem> {
    let text = format!(
        "Hi {},\n\n{inviter} invited you to answer customers with them in Baton.\n\nChoose a password to join (the link works once and expires in 7 days):\n{accept_url}\n\nIf you did not expect this, ignore this email.",
        first_name(name)
    );
    let subject = format!("{inviter} invited you to Baton");
    queue_workspace_email(ctx, (to, name), &subject, text, "invitation")
}

/// The Assist's customer thread, created on first use.
pub struct Thread {
    pub reply_token: String,
    pub subject: String,
}

fn thread(ctx: &Ctx, assist_id: &str, subject_if_new: &str) -> Result<Thread, Problem> {
    let rows = ctx.db.execute(
        "SELECT reply_token, subject FROM email_threads WHERE assist_id = ?",
        &[assist_id.into()],
    )?;
    if let Some(r) = rows.first() {
        return Ok(Thread {
            reply_token: r.text("reply_token"),
            subject: r.text("subject"),
        });
    }
    // 128 random bits: the address itself admits mail into the Assist.
    let token = base32_lower(&ctx.random_bytes::<16>());
    ctx.db.execute(
        "INSERT INTO email_threads (assist_id, reply_token, subject, created_at) VALUES (?, ?, ?, ?)",
        &[assist_id.into(), token.clone().into(), subject_if_new.into(), ctx.now().into()],
    )?;
    Ok(Thread {
        reply_token: token,
        subject: subject_if_new.to_string(),
    })
}

fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The reply token in an address like `reply+<token>@domain`.
pub fn reply_token_of(address: &str) -> Option<&str> {
    let local = address.trim().rsplit_once('@')?.0;
    let (_, token) = local.split_once('+')?;
    (token.len() >= 16 && token.chars().all(|c| c.is_ascii_alphanumeric())).then_some(token)
}

fn reply_address(sender: &Sender, token: &str) -> Option<String> {
    sender
        .inbound_domain
        .as_ref()
        .map(|d| format!("reply+{token}@{d}"))
}

/// (In-Reply-To, References) for the next email in the Assist's thread.
fn thread_refs(db: &dyn Db, assist_id: &str) -> Result<(Option<String>, Vec<String>), Problem> {
    let rows = db.execute(
        "SELECT message_id FROM email_message_ids WHERE assist_id = ? ORDER BY created_at, rowid",
        &[assist_id.into()],
    )?;
    let all: Vec<String> = rows.iter().map(|r| r.text("message_id")).collect();
    let last = all.last().cloned();
    let refs = if all.len() > MAX_REFERENCES {
        let mut r = vec![all[0].clone()];
        r.extend_from_slice(&all[all.len() - (MAX_REFERENCES - 1)..]);
        r
    } else {
        all
    };
    Ok((last, refs))
}

pub fn remember_message_id(ctx: &Ctx, assist_id: &str, message_id: &str) -> Result<(), Problem> {
    ctx.db.execute(
        "INSERT INTO email_message_ids (message_id, assist_id, created_at) VALUES (?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
        &[message_id.into(), assist_id.into(), ctx.now_ms.into()],
    )?;
    Ok(())
}

/// Closings that end a letter, in the languages Baton writes.
const CLOSINGS: &[&str] = &[
    "best",
    "kind regards",
    "regards",
    "cheers",
    "thanks",
    "thank you",
    "sincerely",
    "all the best",
    "un saludo",
    "saludos",
    "atentamente",
    "viele grüße",
    "liebe grüße",
    "mit freundlichen grüßen",
    "bien cordialement",
    "cordialement",
    "bonne journée",
    "atenciosamente",
    "abraços",
    "cordiali saluti",
    "distinti saluti",
    "a presto",
    "met vriendelijke groet",
    "groetjes",
    "hoogachtend",
];

/// Whether the text already ends with a sign-off (a short last paragraph
/// that opens with a closing or names the sender), so none is added twice.
fn ends_with_sign_off(text: &str, names: &[&str]) -> bool {
    let last = text.trim_end().rsplit("\n\n").next().unwrap_or("");
    if last.lines().count() > 3 || last.chars().count() > 120 {
        return false;
    }
    let lower = last.to_lowercase();
    let first_line = lower
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches(['—', '-', ' ']);
    // "Best regards," or "Mit freundlichen Grüßen", not "Thanks for waiting."
    let closing_line = first_line.trim_end().ends_with(',')
        || (first_line.split_whitespace().count() <= 3 && !first_line.trim_end().ends_with('.'));
    (closing_line && CLOSINGS.iter().any(|c| first_line.starts_with(c)))
        || lower.lines().any(|line| {
            // A short line naming the sender ("The Acme team", "— Acme").
            line.split_whitespace().count() <= 6
                && names
                    .iter()
                    .filter(|n| n.chars().count() >= 2)
                    .any(|n| line.contains(&n.to_lowercase()))
        })
}

fn signed_off(text: &str, by: &str, sender: &Sender, reference: &str) -> String {
    let team = sender.from.name.as_deref().unwrap_or("Support");
    let mut out = if ends_with_sign_off(text, &[team]) {
        format!("{}\n\nReference: {reference}", text.trim_end())
    } else {
        format!("{}\n\n{by}\n\nReference: {reference}", text.trim_end())
    };
    if let Some(footer) = &sender.footer_address {
        out.push_str("\n\n");
        out.push_str(footer);
    }
    out
}

fn link(ctx: &Ctx, assist_id: &str) -> String {
    format!(
        "{}/assists/{assist_id}",
        ctx.settings.public_url.trim_end_matches('/')
    )
}

/// Customer-thread email: threaded after everything before it.
fn queue_customer_email(
    ctx: &Ctx,
    info: &AssistInfo,
    (bot_id, sender): (&str, &Sender),
    kind: &str,
    subject: Option<String>,
    text: String,
    message_row: Option<&str>,
) -> Result<String, Problem> {
    let Some(customer_email) = info.customer_email.clone() else {
        return Err(Problem::conflict(
            "This customer has no email address, so there is nobody to email.",
        ));
    };
    let th = thread(ctx, &info.id, &format!("Your request [{}]", info.reference))?;
    let (in_reply_to, references) = thread_refs(ctx.db, &info.id)?;
    let message_id = new_message_id(ctx, &sender.from.email);
    let subject = subject.unwrap_or_else(|| {
        if in_reply_to.is_some() {
            reply_subject(&th.subject)
        } else {
            th.subject.clone()
        }
    });
    let email = StoredEmail {
        from_email: sender.from.email.clone(),
        from_name: sender.from.name.clone(),
        to: vec![(customer_email, Some(info.customer_name.clone()))],
        reply_to: reply_address(sender, &th.reply_token),
        subject,
        html: Some(text_to_html(&text)),
        text,
        message_id: message_id.clone(),
        in_reply_to,
        references,
    };
    remember_message_id(ctx, &info.id, &message_id)?;
    outbox::enqueue(
        ctx,
        NewEmail {
            assist_id: Some(&info.id),
            message_id: message_row,
            bot_id,
            kind,
            email,
        },
    )
}

/// A new Assist: the team hears about it, and the customer gets a
/// confirmation with the reference (not for automatic mail, to avoid
/// loops). Does nothing when the bot has no complete email settings.
/// `inbound` is the customer's (subject, Message-ID) when the Assist came
/// by email, so the confirmation answers that email.
pub fn on_new_assist(
    ctx: &Ctx,
    assist_id: &str,
    confirm_customer: bool,
    inbound: Option<(&str, Option<&str>)>,
) -> Result<(), Problem> {
    let info = assist_info(ctx.db, assist_id)?;
    let Some((bot_id, sender)) = sender_for(ctx.db, &info)? else {
        return Ok(());
    };
    if !sender.notify_emails.is_empty() {
        let text = format!(
            "A new Assist needs the team.\n\nCustomer: {} <{}>\nPriority: {}\nCategory: {}\nWhy it escalated: {}\n\nSummary:\n{}\n\nOpen it: {}",
            info.customer_name,
            info.customer_email.as_deref().unwrap_or("no email"),
            info.priority,
            info.category,
            info.reason,
            info.summary,
            link(ctx, &info.id)
        );
        let email = StoredEmail {
            from_email: sender.from.email.clone(),
            from_name: sender.from.name.clone(),
            to: sender
                .notify_emails
                .iter()
                .map(|a| (a.clone(), None))
                .collect(),
            reply_to: None,
            subject: header_safe(
                &format!(
                    "[{}] New Assist {} from {}: {}",
                    info.priority, info.reference, info.customer_name, info.summary
                ),
                160,
            ),
            html: Some(text_to_html(&text)),
            text,
            message_id: new_message_id(ctx, &sender.from.email),
            in_reply_to: None,
            references: Vec::new(),
        };
        outbox::enqueue(
            ctx,
            NewEmail {
                assist_id: Some(&info.id),
                message_id: None,
                bot_id: &bot_id,
                kind: "team_new_assist",
                email,
            },
        )?;
    }
    // An emailed request keeps its subject (with the reference) for the
    // whole thread, confirmed or not.
    let inbound_subject = match inbound {
        Some((subject, message_id)) => {
            let subject = if subject.trim().is_empty() {
                format!("Your request [{}]", info.reference)
            } else {
                with_reference(&reply_subject(subject), &info.reference)
            };
            thread(ctx, &info.id, &subject)?;
            if let Some(mid) = message_id {
                remember_message_id(ctx, &info.id, mid)?;
            }
            Some(subject)
        }
        None => None,
    };
    if confirm_customer
        && let Some(address) = info.customer_email.as_deref()
        && confirmation_allowed(ctx, &bot_id, address)?
    {
        // A chat's thread is "Your request [ref]"; only the confirmation
        // itself says it was received.
        let subject = inbound_subject
            .or_else(|| Some(format!("We received your request [{}]", info.reference)));
        let team = sender.from.name.clone().unwrap_or_else(|| "Support".into());
        let text = format!(
            "Hi {},\n\nThanks for getting in touch. Your request has been passed to the {team} team, and a person will follow up by email.\n\nYour reference is {}. To add anything, just reply to this email.",
            first_name(&info.customer_name),
            info.reference
        );
        let text = signed_off(&text, &format!("— {team}"), &sender, &info.reference);
        queue_customer_email(
            ctx,
            &info,
            (&bot_id, &sender),
            "customer_confirmation",
            subject,
            text,
            None,
        )?;
    }
    Ok(())
}

/// Confirmations go to whatever address the customer typed, so a public
/// bot key must not make Baton a relay: a few per address an hour, and a
/// bound per bot an hour. Past either, the Assist is still created and the
/// team still told; only the confirmation is left out.
pub const CONFIRMATIONS_PER_ADDRESS_PER_HOUR: u32 = 3;
pub const CONFIRMATIONS_PER_BOT_PER_HOUR: u32 = 500;

fn confirmation_allowed(ctx: &Ctx, bot_id: &str, address: &str) -> Result<bool, Problem> {
    let per_address = crate::ratelimit::hit(
        ctx,
        &format!("confirm:addr:{}", crate::secrets::hash_secret(address)),
        3600,
    )?;
    let per_bot = crate::ratelimit::hit(ctx, &format!("confirm:bot:{bot_id}"), 3600)?;
    Ok(per_address <= CONFIRMATIONS_PER_ADDRESS_PER_HOUR
        && per_bot <= CONFIRMATIONS_PER_BOT_PER_HOUR)
}

/// The greeting's name: the first word of the customer's name when it looks
/// like a name (letters, with `-`, `'` or `.`), else "there", so text an
/// attacker types as a "name" is never echoed to the address they chose.
fn first_name(name: &str) -> &str {
    name.split_whitespace()
        .next()
        .filter(|w| {
            w.chars().count() <= 30
                && w.chars().any(char::is_alphabetic)
                && w.chars().all(|c| c.is_alphabetic() || "-'.’".contains(c))
                && !w.contains("..")
        })
        .unwrap_or("there")
}

/// An agent's reply to the customer; fails with 409 and a reason when the
/// Assist's bot cannot send email.
pub fn queue_reply(
    ctx: &Ctx,
    assist_id: &str,
    message_row: &str,
    agent_name: &str,
    text: &str,
) -> Result<String, Problem> {
    let info = assist_info(ctx.db, assist_id)?;
    let (bot_id, sender) = require_sender(ctx.db, &info)?;
    let team = sender.from.name.clone().unwrap_or_else(|| "Support".into());
    let by = if agent_name.is_empty() {
        format!("— {team}")
    } else {
        format!("— {agent_name}, {team}")
    };
    let body = signed_off(text, &by, &sender, &info.reference);
    queue_customer_email(
        ctx,
        &info,
        (&bot_id, &sender),
        "reply",
        None,
        body,
        Some(message_row),
    )
}

fn require_sender(db: &dyn Db, info: &AssistInfo) -> Result<(String, Sender), Problem> {
    match &info.bot_id {
        None => sender_for(db, info)?.ok_or_else(|| {
            Problem::conflict(
                "This Assist came by phone or import, and no bot has email set up: an Owner or Admin sets a provider, API key and from address under a bot's email settings (the first ready bot answers such Assists).",
            )
        }),
        Some(bot_id) => sender_for(db, info)?.ok_or_else(|| {
            Problem::conflict(format!(
                "Email is not set up for this Assist's bot ({bot_id}): an Owner or Admin sets its provider, API key and from address under the bot's email settings."
            ))
        }),
    }
}

/// The satisfaction survey: five one-click links, each signed for this
/// Assist and score. A new survey voids the links of an earlier one.
pub fn queue_survey(ctx: &Ctx, assist_id: &str) -> Result<(), Problem> {
    let info = assist_info(ctx.db, assist_id)?;
    let (bot_id, sender) = require_sender(ctx.db, &info)?;
    let keyring = ctx.settings.keyring()?;
    let nonce = base32_lower(&ctx.random_bytes::<10>());
    ctx.db.execute(
        "INSERT INTO csat (assist_id, nonce, sent_at) VALUES (?, ?, ?) \
         ON CONFLICT (assist_id) DO UPDATE SET nonce = excluded.nonce, sent_at = excluded.sent_at",
        &[assist_id.into(), nonce.clone().into(), ctx.now().into()],
    )?;
    let base = ctx.settings.public_url.trim_end_matches('/');
    let labels = [
        "1 — very poor",
        "2 — poor",
        "3 — okay",
        "4 — good",
        "5 — excellent",
    ];
    let links: Vec<String> = (1..=5)
        .map(|score| {
            format!(
                "{}: {base}/csat/{}",
                labels[score - 1],
                crate::csat::token(&keyring, assist_id, score as i64, &nonce)
            )
        })
        .collect();
    let team = sender.from.name.clone().unwrap_or_else(|| "Support".into());
    let text = format!(
        "Hi {},\n\nYour request {} is resolved. How did we do? One click is all it takes:\n\n{}\n\nThank you!",
        first_name(&info.customer_name),
        info.reference,
        links.join("\n")
    );
    let text = signed_off(&text, &format!("— {team}"), &sender, &info.reference);
    queue_customer_email(
        ctx,
        &info,
        (&bot_id, &sender),
        "survey",
        Some(header_safe(
            &format!("How did we do? [{}]", info.reference),
            200,
        )),
        text,
        None,
    )?;
    crate::escalation::event(ctx, assist_id, "survey_sent", "email", json!({}))
}

/// Tells the assignee (or else the team) that the customer wrote back.
pub fn queue_reply_notification(ctx: &Ctx, assist_id: &str, excerpt: &str) -> Result<(), Problem> {
    let info = assist_info(ctx.db, assist_id)?;
    let Some((bot_id, sender)) = sender_for(ctx.db, &info)? else {
        return Ok(());
    };
    let to: Vec<(String, Option<String>)> = match &info.assignee_email {
        Some(a) => vec![(a.clone(), None)],
        None => sender
            .notify_emails
            .iter()
            .map(|a| (a.clone(), None))
            .collect(),
    };
    if to.is_empty() {
        return Ok(());
    }
    let short: String = excerpt.chars().take(600).collect();
    let text = format!(
        "{} replied on {}:\n\n{}\n\nOpen it: {}",
        info.customer_name,
        info.reference,
        short,
        link(ctx, &info.id)
    );
    let email = StoredEmail {
        from_email: sender.from.email.clone(),
        from_name: sender.from.name.clone(),
        to,
        reply_to: None,
        subject: header_safe(
            &format!("{} replied on {}", info.customer_name, info.reference),
            160,
        ),
        html: Some(text_to_html(&text)),
        text,
        message_id: new_message_id(ctx, &sender.from.email),
        in_reply_to: None,
        references: Vec::new(),
    };
    outbox::enqueue(
        ctx,
        NewEmail {
            assist_id: Some(&info.id),
            message_id: None,
            bot_id: &bot_id,
            kind: "reply_notification",
            email,
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_that_signs_off_is_not_signed_twice() {
        let team = ["Acme Support"];
        assert!(ends_with_sign_off(
            "Hi Jo,\n\nDone.\n\nBest regards,\nThe Acme Support team",
            &team
        ));
        assert!(ends_with_sign_off(
            "Hola:\n\nListo.\n\nUn saludo,\nEl equipo de Acme",
            &team
        ));
        assert!(ends_with_sign_off("Done.\n\n— Acme Support", &team));
        assert!(!ends_with_sign_off(
            "Hi Jo,\n\nThe refund of 49.90 is on its way.",
            &team
        ));
        assert!(!ends_with_sign_off(
            "Hi Jo,\n\nDone.\n\nThanks for waiting.",
            &team
        ));
        assert!(!ends_with_sign_off(
            "Hi Jo,\n\nWrite to Acme Support again if it comes back.",
            &team
        ));
        assert!(ends_with_sign_off(
            "Hallo Jo,\n\nErledigt.\n\nMit freundlichen Grüßen\nIhr Acme-Team",
            &team
        ));
        assert!(!ends_with_sign_off(
            "Hi Jo,\n\nBest thing to do is restart the router, then call us if it persists and we will check the line from here, which usually takes a few minutes.",
            &team
        ));
    }

    #[test]
    fn subjects_get_one_reply_prefix() {
        assert_eq!(reply_subject("Order late"), "Re: Order late");
        assert_eq!(reply_subject("RE: Re: AW: Order late"), "Re: Order late");
        assert_eq!(
            reply_subject("Re:Order\r\nBcc: x@y.z"),
            "Re: Order Bcc: x@y.z"
        );
    }

    #[test]
    fn reply_tokens_come_from_plus_addresses() {
        assert_eq!(
            reply_token_of("reply+abcdefghijklmnop2345@in.acme.test"),
            Some("abcdefghijklmnop2345")
        );
        assert_eq!(reply_token_of("support@acme.test"), None);
        assert_eq!(reply_token_of("reply+short@acme.test"), None);
        assert_eq!(
            reply_token_of("reply+abc'; DROP TABLE x;--aaaaaaaa@acme.test"),
            None
        );
    }

    #[test]
    fn html_is_escaped_text() {
        let html = text_to_html("Hi <b>Jo</b> & co\nline two\n\nnext");
        assert!(
            html.contains("<p>Hi &lt;b&gt;Jo&lt;/b&gt; &amp; co<br>line two</p><p>next</p>"),
            "{html}"
        );
    }

    #[test]
    fn base32_tokens_are_lowercase_and_long() {
        let t = base32_lower(&[0xff; 16]);
        assert_eq!(t.len(), 26);
        assert!(
            t.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}

#[cfg(test)]
mod outbox_tests;
