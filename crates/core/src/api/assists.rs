//! Agent workspace routes over Assists. Support may view, note, mark read,
//! draft, close and reopen, and change status and priority; category, tags,
//! brand label and assignment need `manage_workload`.

use super::{Handled, Request, Response};
use crate::accounts::{self, Principal};
use crate::assists::{self, Filter, Sort};
use crate::db::transaction;
use crate::env::Ctx;
use crate::escalation::event;
use crate::permissions::Permission;
use crate::problem::Problem;
use crate::validate::{Errors, parse_body, present, query_param};
use baton_ai::{BotSettings, History, Input, Known, Message, Refinement, Role};
use serde::Deserialize;
use serde_json::{Value as Json, json};

pub const MAX_NOTE_CHARS: usize = 10_000;
pub const MAX_RESOLUTION_CHARS: usize = 2_000;
pub const MAX_DRAFT_CHARS: usize = 20_000;

/// The category slugs, from the AI crate that defines them.
fn categories() -> [&'static str; 9] {
    baton_ai::Category::ALL.map(baton_ai::Category::slug)
}

fn agent(ctx: &Ctx, req: &Request) -> Result<Principal, Problem> {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::Inbox)?;
    Ok(who)
}

fn one_of(e: &mut Errors, field: &str, value: Option<String>, allowed: &[&str]) -> Option<String> {
    let v = value?;
    if allowed.contains(&v.as_str()) {
        Some(v)
    } else {
        e.add(field, format!("{v:?} is not one of {}", allowed.join(", ")));
        None
    }
}

fn time_param(e: &mut Errors, field: &str, value: Option<String>) -> Option<i64> {
    let v = value?;
    match v.parse::<i64>() {
        Ok(t) => Some(t),
        Err(_) => {
            e.add(field, "must be a Unix time in seconds");
            None
        }
    }
}

fn filter_from(q: &str, e: &mut Errors) -> Filter {
    let p = |name: &str| query_param(q, name).filter(|v| !v.is_empty());
    let unread = p("unread").and_then(|v| match v.as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        other => {
            e.add("unread", format!("{other:?} is not true or false"));
            None
        }
    });
    let q_text = p("q");
    if q_text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        e.add("q", "is longer than 200 characters");
    }
    Filter {
        status: one_of(e, "status", p("status"), assists::STATUSES),
        priority: one_of(e, "priority", p("priority"), assists::PRIORITIES),
        category: one_of(e, "category", p("category"), &categories()),
        tag: p("tag"),
        brand_label: p("brand_label"),
        channel: one_of(
            e,
            "channel",
            p("channel"),
            crate::api::escalations::ALL_CHANNELS,
        ),
        assignee: p("assignee"),
        language: one_of(e, "language", p("language"), assists::LANGUAGES),
        unread,
        created_from: time_param(e, "created_from", p("created_from")),
        created_to: time_param(e, "created_to", p("created_to")),
        q: q_text,
    }
}

/// `assignee` must be `me`, `none` or a current member.
fn check_assignee(ctx: &Ctx, f: &Filter, e: &mut Errors) -> Result<(), Problem> {
    if let Some(a) = f.assignee.as_deref()
        && a != "me"
        && a != "none"
        && accounts::find_user(ctx.db, a)?.is_none()
    {
        e.add(
            "assignee",
            format!("{a:?} is not me, none or a team member id"),
        );
    }
    Ok(())
}

pub fn list(ctx: &Ctx, req: &Request) -> Handled {
    let who = agent(ctx, req)?;
    let mut e = Errors::default();
    let filter = filter_from(req.query, &mut e);
    check_assignee(ctx, &filter, &mut e)?;
    let sort = match query_param(req.query, "sort").filter(|s| !s.is_empty()) {
        None => Sort::Created,
        Some(s) => Sort::parse(&s).unwrap_or_else(|| {
            e.add(
                "sort",
                format!("{s:?} is not one of created, updated, priority"),
            );
            Sort::Created
        }),
    };
    let limit = match query_param(req.query, "limit") {
        None => assists::DEFAULT_LIMIT,
        Some(l) => match l.parse::<i64>() {
            Ok(n) if (1..=assists::MAX_LIMIT).contains(&n) => n,
            _ => {
                e.add("limit", format!("must be 1 to {}", assists::MAX_LIMIT));
                assists::DEFAULT_LIMIT
            }
        },
    };
    let cursor = query_param(req.query, "cursor")
        .filter(|c| !c.is_empty())
        .and_then(|c| {
            let decoded = assists::decode_cursor(&c);
            if decoded.is_none() {
                e.add("cursor", "is not a cursor this API returned");
            }
            decoded
        });
    e.finish()?;
    let body = assists::list(ctx, &filter, sort, limit, cursor, who.user_id())?;
    Ok(Response::json(200, &body))
}

pub fn counts(ctx: &Ctx, req: &Request) -> Handled {
    let who = agent(ctx, req)?;
    let mut e = Errors::default();
    let filter = filter_from(req.query, &mut e);
    check_assignee(ctx, &filter, &mut e)?;
    e.finish()?;
    Ok(Response::json(
        200,
        &assists::counts(ctx, &filter, who.user_id())?,
    ))
}

pub fn detail(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = agent(ctx, req)?;
    detail_response(ctx, id, &who)
}

/// The detail with its version as ETag; also the answer to every change.
fn detail_response(ctx: &Ctx, id: &str, who: &Principal) -> Handled {
    let mut body = assists::detail(ctx, id, who.user_id())?;
    body["presence"] = json!(crate::presence::others(ctx, id, who.user_id()));
    let version = body["version"].to_string();
    Ok(Response::json(200, &body).with_header("etag", &format!("\"{version}\"")))
}

fn if_match(req: &Request) -> Result<Option<i64>, Problem> {
    match req.header("if-match") {
        None => Ok(None),
        Some(v) => v
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse::<i64>()
            .map(Some)
            .map_err(|_| {
                Problem::bad_request(
                    "If-Match must be the version (ETag) from GET /v1/assists/{id}.",
                )
            }),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    status: Option<String>,
    priority: Option<String>,
    category: Option<String>,
    tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    brand_label: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    assignee_id: Option<Option<String>>,
}

pub fn patch(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = agent(ctx, req)?;
    let expected = if_match(req)?;
    let body: PatchBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let status = one_of(&mut e, "status", body.status, assists::STATUSES);
    let priority = one_of(&mut e, "priority", body.priority, assists::PRIORITIES);
    let category = one_of(&mut e, "category", body.category, &categories());
    let tags = body.tags.map(|t| {
        let cleaned: Vec<String> = t
            .iter()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        if cleaned.len() > 20 || cleaned.iter().any(|s| s.chars().count() > 40) {
            e.add("tags", "at most 20 tags of at most 40 characters");
        }
        cleaned
    });
    let brand_label = body
        .brand_label
        .map(|b| b.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
    if brand_label
        .as_ref()
        .is_some_and(|b| b.as_ref().is_some_and(|s| s.chars().count() > 60))
    {
        e.add("brand_label", "is longer than 60 characters");
    }
    e.finish()?;
    if category.is_some() || tags.is_some() || brand_label.is_some() || body.assignee_id.is_some() {
        who.require(Permission::ManageWorkload)?;
    }
    // A field set to the value it already has is no change: no new
    // version, no event (assigning the same person twice does nothing).
    let now = ctx.db.execute(
        "SELECT status, priority, category, tags, brand_label, assignee_id FROM assists WHERE id = ?",
        &[id.into()],
    )?;
    let (mut status, mut priority, mut category, mut tags, mut brand_label, mut assignee_id) = (
        status,
        priority,
        category,
        tags,
        brand_label,
        body.assignee_id.clone(),
    );
    if let Some(r) = now.first() {
        let same = |col: &str, v: &Option<String>| r.opt_text(col) == *v;
        status = status.filter(|v| !same("status", &Some(v.clone())));
        priority = priority.filter(|v| !same("priority", &Some(v.clone())));
        category = category.filter(|v| !same("category", &Some(v.clone())));
        tags = tags.filter(|v| Some(json!(v).to_string()) != r.opt_text("tags"));
        brand_label = brand_label.filter(|v| !same("brand_label", v));
        assignee_id = assignee_id.filter(|v| !same("assignee_id", v));
    }
    let nothing = status.is_none()
        && priority.is_none()
        && category.is_none()
        && tags.is_none()
        && brand_label.is_none()
        && assignee_id.is_none();
    if nothing {
        // No change: no new version, no event.
        return detail_response(ctx, id, &who);
    }
    if status.as_deref() == Some("closed") {
        return Err(Problem::field(
            "status",
            "close with POST /v1/assists/{id}/close and a resolution",
        ));
    }
    transaction(ctx.db, || {
        let current = assists::load(ctx.db, id)?;
        if let Some(Some(assignee)) = &assignee_id
            && accounts::find_user(ctx.db, assignee)?.is_none()
        {
            return Err(Problem::field(
                "assignee_id",
                format!("{assignee:?} is not a team member"),
            ));
        }
        assists::touch(ctx, id, expected)?;
        let who_did = who.actor();
        let set =
            |col: &str, value: crate::db::Value, kind: &str, data: Json| -> Result<(), Problem> {
                ctx.db.execute(
                    &format!("UPDATE assists SET {col} = ? WHERE id = ?"),
                    &[value, id.into()],
                )?;
                event(ctx, id, kind, &who_did, data)
            };
        if let Some(s) = &status {
            set(
                "status",
                s.clone().into(),
                "status_changed",
                json!({"from": current.status, "to": s}),
            )?;
        }
        // A value other than the AI's teaches this workspace's model.
        for (field, value) in [("priority", &priority), ("category", &category)] {
            let predicted = current.analysis[field]["value"]
                .as_str()
                .unwrap_or_default();
            if let Some(v) = value
                && !predicted.is_empty()
                && v != predicted
            {
                crate::learning::record_correction(ctx, id, field, predicted, v, &who_did)?;
            }
        }
        if let Some(p) = &priority {
            set(
                "priority",
                p.clone().into(),
                "priority_changed",
                json!({"to": p}),
            )?;
            let rank = baton_ai::Priority::parse(p).map_or(1, |p| i64::from(p.rank()));
            ctx.db.execute(
                "UPDATE assists SET priority_rank = ? WHERE id = ?",
                &[rank.into(), id.into()],
            )?;
        }
        if let Some(c) = &category {
            set(
                "category",
                c.clone().into(),
                "category_changed",
                json!({"to": c}),
            )?;
        }
        if let Some(t) = &tags {
            set(
                "tags",
                json!(t).to_string().into(),
                "tags_changed",
                json!({"to": t}),
            )?;
        }
        if let Some(b) = &brand_label {
            set(
                "brand_label",
                b.clone().into(),
                "brand_label_changed",
                json!({"to": b}),
            )?;
        }
        if let Some(a) = &assignee_id {
            set(
                "assignee_id",
                a.clone().into(),
                "assigned",
                json!({"to": a}),
            )?;
        }
        Ok::<_, Problem>(())
    })?;
    detail_response(ctx, id, &who)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBody {
    text: Option<String>,
}

fn bounded_text(field: &str, value: Option<String>, max: usize) -> Result<String, Problem> {
    let mut e = Errors::default();
    let v = e.required(field, value).map(|s| s.trim().to_string());
    match &v {
        Some(s) if s.is_empty() => e.add(field, "must not be empty"),
        Some(s) if s.chars().count() > max => e.add(
            field,
            format!("is {} characters; at most {max}", s.chars().count()),
        ),
        _ => {}
    }
    e.finish()?;
    v.ok_or_else(|| Problem::new(500, "validated field missing"))
}

pub fn note(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = agent(ctx, req)?;
    let body: TextBody = parse_body(req.body)?;
    let text = bounded_text("text", body.text, MAX_NOTE_CHARS)?;
    let note_id = crate::ids::new_id(ctx);
    transaction(ctx.db, || {
        assists::load(ctx.db, id)?;
        assists::touch(ctx, id, None)?;
        let seq = crate::assists::next_seq(ctx.db, id)?;
        ctx.db.execute(
            "INSERT INTO messages (id, assist_id, seq, role, author_id, text, created_at) VALUES (?, ?, ?, 'note', ?, ?, ?)",
            &[
                note_id.clone().into(),
                id.into(),
                seq.into(),
                who.user_id().map(String::from).into(),
                text.clone().into(),
                ctx.now().into(),
            ],
        )?;
        event(
            ctx,
            id,
            "note_added",
            &who.actor(),
            json!({"note_id": note_id}),
        )
    })?;
    Ok(Response::json(
        201,
        &json!({"id": note_id, "role": "note", "text": text, "created_at": crate::time::rfc3339(ctx.now())}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadBody {
    read: Option<bool>,
}

pub fn read(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = agent(ctx, req)?;
    let body: ReadBody = parse_body(req.body)?;
    let Some(user_id) = who.user_id() else {
        return Err(Problem::bad_request(
            "Read state belongs to team members; API tokens have none.",
        ));
    };
    assists::load(ctx.db, id)?;
    let read = body.read.unwrap_or(true);
    assists::mark_read(ctx, id, user_id, read)?;
    Ok(Response::json(200, &json!({"id": id, "unread": !read})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresenceBody {
    typing: Option<bool>,
}

/// A member's heartbeat on an open Assist (every few seconds while it is
/// open; `typing` while they write a reply): answers who else is there.
pub fn presence(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = agent(ctx, req)?;
    let body: PresenceBody = parse_body(req.body)?;
    let Principal::User(user) = &who else {
        return Err(Problem::bad_request(
            "Presence belongs to team members; API tokens have none.",
        ));
    };
    assists::load(ctx.db, id)?;
    let others = crate::presence::beat(ctx, id, &user.id, &user.name, body.typing == Some(true));
    Ok(Response::json(200, &json!({"presence": others})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftBody {
    mode: Option<String>,
    text: Option<String>,
}

pub fn draft(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    agent(ctx, req)?;
    let body: DraftBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let mode = e.required("mode", body.mode);
    let mode = one_of(
        &mut e,
        "mode",
        mode,
        &["regenerate", "shorter", "formal", "casual"],
    );
    if body
        .text
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_DRAFT_CHARS)
    {
        e.add(
            "text",
            format!("is longer than {MAX_DRAFT_CHARS} characters"),
        );
    }
    e.finish()?;
    let mode = mode.unwrap_or_default();
    let current = assists::load(ctx.db, id)?;
    let last = current
        .draft
        .clone()
        .unwrap_or_else(|| current.suggested_reply.clone());
    let (text, variant) = if mode == "regenerate" {
        let messages = ctx.db.execute(
            "SELECT role, text FROM messages WHERE assist_id = ? AND role IN ('customer', 'assistant') ORDER BY seq",
            &[id.into()],
        )?;
        let msgs: Vec<Message> = messages
            .iter()
            .map(|m| Message {
                role: if m.text("role") == "customer" {
                    Role::Customer
                } else {
                    Role::Assistant
                },
                text: m.text("text"),
            })
            .collect();
        let customer = ctx.db.execute(
            "SELECT name, email FROM customers WHERE id = ?",
            &[current.customer_id.clone().into()],
        )?;
        let known = customer
            .first()
            .map(|c| Known {
                name: Some(c.text("name")),
                email: Some(c.text("email")),
                phone: None,
            })
            .unwrap_or_default();
        let team = match &current.bot_id {
            Some(b) => crate::bots::find(ctx.db, b)?
                .map(|b| b.support_team_name)
                .unwrap_or_else(|| "Support".into()),
            None => "Support".into(),
        };
        let bot = BotSettings {
            team_name: team,
            ..BotSettings::default()
        };
        let input = Input {
            messages: &msgs,
            ai_confidence: None,
            known: &known,
            history: &History::default(),
            bot: &bot,
        };
        // Step through the variants until one differs from the last draft.
        let mut variant = current.draft_variant + 1;
        let mut text = baton_ai::suggested_reply(&input, variant as usize);
        for _ in 0..3 {
            if text != last {
                break;
            }
            variant += 1;
            text = baton_ai::suggested_reply(&input, variant as usize);
        }
        (text, variant)
    } else {
        let how = Refinement::parse(&mode).ok_or_else(|| Problem::field("mode", "unknown mode"))?;
        (
            baton_ai::refine_in(
                body.text.as_deref().unwrap_or(&last),
                how,
                current.analysis["language"]["value"]
                    .as_str()
                    .and_then(baton_ai::Lang::parse)
                    .unwrap_or(baton_ai::Lang::En),
            ),
            current.draft_variant,
        )
    };
    ctx.db.execute(
        "UPDATE assists SET draft = ?, draft_variant = ? WHERE id = ?",
        &[text.clone().into(), variant.into(), id.into()],
    )?;
    Ok(Response::json(
        200,
        &json!({"text": text, "mode": mode, "source": "built-in"}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseBody {
    resolution: Option<String>,
    /// Email the customer a one-click satisfaction survey.
    send_survey: Option<bool>,
}

pub fn close(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = agent(ctx, req)?;
    let body: CloseBody = parse_body(req.body)?;
    let resolution = bounded_text("resolution", body.resolution, MAX_RESOLUTION_CHARS)?;
    transaction(ctx.db, || {
        let current = assists::load(ctx.db, id)?;
        if current.status == "closed" {
            return Err(Problem::conflict("The Assist is already closed."));
        }
        assists::touch(ctx, id, if_match(req)?)?;
        ctx.db.execute(
            "UPDATE assists SET status = 'closed', resolution = ?, closed_at = ? WHERE id = ?",
            &[resolution.clone().into(), ctx.now().into(), id.into()],
        )?;
        event(
            ctx,
            id,
            "closed",
            &who.actor(),
            json!({"from": current.status, "resolution": resolution}),
        )?;
        if body.send_survey == Some(true) {
            crate::email::queue_survey(ctx, id)?;
        }
        crate::learning::learn_from_close(ctx, id)
    })?;
    detail_response(ctx, id, &who)
}

pub const MAX_REPLY_CHARS: usize = 20_000;

/// How a sent reply relates to the AI's draft, kept for later metrics.
pub fn draft_origin(draft: &str, sent: &str) -> &'static str {
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect()
    };
    let (d, s) = (words(draft), words(sent));
    if d == s {
        return "ai_draft";
    }
    let d: std::collections::BTreeSet<&String> = d.iter().collect();
    let s: std::collections::BTreeSet<&String> = s.iter().collect();
    let shared = d.intersection(&s).count();
    let union = d.union(&s).count().max(1);
    if shared * 2 >= union {
        "edited"
    } else {
        "scratch"
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyBody {
    text: Option<String>,
    /// The newest message the agent saw; a reply against an older view
    /// than the conversation's is refused with what changed.
    seen_message_id: Option<String>,
}

/// 409 when the customer wrote or another reply went out after the
/// message the agent last saw, listing those messages, so two agents do
/// not answer the same thing and nobody answers an outdated question.
fn refuse_stale_view(ctx: &Ctx, id: &str, seen: &str) -> Result<(), Problem> {
    let seen_seq = ctx
        .db
        .execute(
            "SELECT seq FROM messages WHERE id = ? AND assist_id = ?",
            &[seen.into(), id.into()],
        )?
        .scalar()
        .and_then(crate::db::Value::as_i64)
        .ok_or_else(|| Problem::field("seen_message_id", "is not a message of this Assist"))?;
    let newer = ctx.db.execute(
        "SELECT m.id, m.role, m.text, m.created_at, u.name AS author \
         FROM messages m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.assist_id = ? AND m.seq > ? AND m.role IN ('customer', 'agent') ORDER BY m.seq",
        &[id.into(), seen_seq.into()],
    )?;
    if newer.rows.is_empty() {
        return Ok(());
    }
    let changed: Vec<Json> = newer
        .iter()
        .map(|r| {
            let text = r.text("text");
            let excerpt: String = text.chars().take(200).collect();
            json!({
                "id": r.text("id"),
                "role": r.text("role"),
                "author": r.opt_text("author"),
                "text": excerpt,
                "created_at": crate::time::rfc3339(r.int("created_at")),
            })
        })
        .collect();
    let latest = changed.last().map(|c| c["id"].clone()).unwrap_or_default();
    Err(Problem::conflict(format!(
        "{} new message(s) arrived since you opened this Assist; review them, then send again with the newest as seen_message_id.",
        changed.len()
    ))
    .with("code", json!("stale_view"))
    .with("changed", json!(changed))
    .with("latest_message_id", latest))
}

/// An agent's email reply: recorded on the Assist, queued for delivery to
/// the customer, and the Assist waits on the customer (pending).
pub fn reply(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = agent(ctx, req)?;
    let body: ReplyBody = parse_body(req.body)?;
    let text = bounded_text("text", body.text, MAX_REPLY_CHARS)?;
    let message_row = crate::ids::new_id(ctx);
    let agent_name = match &who {
        Principal::User(u) => u.name.clone(),
        Principal::ApiToken { .. } => String::new(),
    };
    let origin = transaction(ctx.db, || {
        let current = assists::load(ctx.db, id)?;
        if let Some(seen) = &body.seen_message_id {
            refuse_stale_view(ctx, id, seen)?;
        }
        assists::touch(ctx, id, if_match(req)?)?;
        let draft = current
            .draft
            .clone()
            .unwrap_or(current.suggested_reply.clone());
        let origin = draft_origin(&draft, &text);
        let outbox_id = crate::email::queue_reply(ctx, id, &message_row, &agent_name, &text)?;
        let seq = crate::assists::next_seq(ctx.db, id)?;
        ctx.db.execute(
            "INSERT INTO messages (id, assist_id, seq, role, author_id, text, created_at, channel, meta) VALUES (?, ?, ?, 'agent', ?, ?, ?, 'email', ?)",
            &[
                message_row.clone().into(),
                id.into(),
                seq.into(),
                who.user_id().map(String::from).into(),
                text.clone().into(),
                ctx.now().into(),
                json!({"draft_origin": origin, "outbox_id": outbox_id}).to_string().into(),
            ],
        )?;
        ctx.db.execute(
            "UPDATE assists SET status = 'pending', closed_at = NULL WHERE id = ?",
            &[id.into()],
        )?;
        crate::assists::reindex(ctx.db, id)?;
        event(
            ctx,
            id,
            "replied",
            &who.actor(),
            json!({"message_id": message_row, "draft_origin": origin, "from": current.status}),
        )?;
        Ok::<_, Problem>(origin)
    })?;
    Ok(Response::json(
        201,
        &json!({
            "id": message_row, "role": "agent", "channel": "email", "text": text,
            "created_at": crate::time::rfc3339(ctx.now()), "draft_origin": origin,
            "email": {"delivery": "queued", "error": null},
        }),
    ))
}

pub fn reopen(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = agent(ctx, req)?;
    transaction(ctx.db, || {
        let current = assists::load(ctx.db, id)?;
        if current.status != "closed" {
            return Err(Problem::conflict("Only a closed Assist can be reopened."));
        }
        assists::touch(ctx, id, if_match(req)?)?;
        ctx.db.execute(
            "UPDATE assists SET status = 'open', closed_at = NULL WHERE id = ?",
            &[id.into()],
        )?;
        event(ctx, id, "reopened", &who.actor(), json!({}))
    })?;
    detail_response(ctx, id, &who)
}
