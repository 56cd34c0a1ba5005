//! Bots API (Owner and Admin) and the widget's own view of its bot.

use super::{Handled, Request, Response};
use crate::accounts;
use crate::bots::{self, Bot, DEFAULT_TEAM_NAME, DEFAULT_THRESHOLD, DEFAULT_TRIGGER_PHRASES};
use crate::db::transaction;
use crate::email::settings::{self as email_settings, EmailBody, EmailChange};
use crate::env::Ctx;
use crate::permissions::Permission;
use crate::problem::Problem;
use crate::validate::{Errors, MAX_NAME_CHARS, parse_body};
use serde::Deserialize;
use serde_json::json;

fn authorize(ctx: &Ctx, req: &Request) -> Result<(), Problem> {
    accounts::authenticate(ctx, req.authorization())?.require(Permission::ManageBots)
}

/// A bot as the API shows it, with its email settings (never the key).
fn bot_json(ctx: &Ctx, bot: &Bot) -> Result<serde_json::Value, Problem> {
    let mut v = bot.to_json();
    v["email"] = email_settings::load(ctx.db, &bot.id)?.to_json();
    Ok(v)
}

fn with_key(ctx: &Ctx, bot: &Bot, key: &str) -> Result<serde_json::Value, Problem> {
    let mut v = bot_json(ctx, bot)?;
    v["public_key"] = json!(key);
    Ok(v)
}

pub fn list(ctx: &Ctx, req: &Request) -> Handled {
    authorize(ctx, req)?;
    let list = bots::list(ctx.db)?
        .iter()
        .map(|b| bot_json(ctx, b))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Response::json(200, &json!({"bots": list})))
}

pub fn get(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    authorize(ctx, req)?;
    let bot = bots::find(ctx.db, id)?.ok_or_else(|| Problem::missing("That bot"))?;
    Ok(Response::json(200, &bot_json(ctx, &bot)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BotBody {
    name: Option<String>,
    allowed_origins: Option<Vec<String>>,
    trigger_phrases: Option<Vec<String>>,
    confidence_threshold: Option<f64>,
    support_team_name: Option<String>,
    email: Option<EmailBody>,
}

struct Fields {
    name: Option<String>,
    origins: Option<Vec<String>>,
    phrases: Option<Vec<String>>,
    threshold: Option<f64>,
    team: Option<String>,
    email: EmailChange,
}

fn validate(body: BotBody, creating: bool) -> Result<Fields, Problem> {
    let mut e = Errors::default();
    let name = if creating {
        e.required("name", body.name)
    } else {
        body.name
    };
    let fields = Fields {
        name: e.name("name", name, MAX_NAME_CHARS),
        origins: bots::validate_origins(&mut e, body.allowed_origins),
        phrases: bots::validate_phrases(&mut e, body.trigger_phrases),
        threshold: bots::validate_threshold(&mut e, body.confidence_threshold),
        team: e.name("support_team_name", body.support_team_name, MAX_NAME_CHARS),
        email: body.email.unwrap_or_default().validate(&mut e),
    };
    e.finish()?;
    Ok(fields)
}

fn list_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub fn create(ctx: &Ctx, req: &Request) -> Handled {
    authorize(ctx, req)?;
    let f = validate(parse_body(req.body)?, true)?;
    let phrases = f.phrases.unwrap_or_else(|| {
        DEFAULT_TRIGGER_PHRASES
            .iter()
            .map(|s| s.to_string())
            .collect()
    });
    let (key, hash, prefix) = bots::new_key(ctx);
    let id = crate::ids::new_id(ctx);
    transaction(ctx.db, || {
        ctx.db.execute(
        "INSERT INTO bots (id, name, public_key_hash, key_prefix, allowed_origins, trigger_phrases, confidence_threshold, support_team_name, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            id.clone().into(),
            f.name.unwrap_or_default().into(),
            hash.into(),
            prefix.into(),
            list_json(&f.origins.unwrap_or_default()).into(),
            list_json(&phrases).into(),
            f.threshold.unwrap_or(DEFAULT_THRESHOLD).into(),
            f.team.unwrap_or_else(|| DEFAULT_TEAM_NAME.into()).into(),
            ctx.now().into(),
            ctx.now().into(),
        ],
    )?;
        email_settings::apply(ctx, &id, f.email)
    })?;
    let bot = bots::find(ctx.db, &id)?
        .ok_or_else(|| Problem::new(500, "The new bot could not be read back."))?;
    Ok(Response::json(201, &with_key(ctx, &bot, &key)?))
}

pub fn update(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    authorize(ctx, req)?;
    let f = validate(parse_body(req.body)?, false)?;
    transaction(ctx.db, || {
        let rows = ctx.db.execute(
        "UPDATE bots SET name = COALESCE(?, name), allowed_origins = COALESCE(?, allowed_origins), \
         trigger_phrases = COALESCE(?, trigger_phrases), confidence_threshold = COALESCE(?, confidence_threshold), \
         support_team_name = COALESCE(?, support_team_name), updated_at = ? WHERE id = ? RETURNING id",
        &[
            f.name.into(),
            f.origins.map(|o| list_json(&o)).into(),
            f.phrases.map(|p| list_json(&p)).into(),
            f.threshold.into(),
            f.team.into(),
            ctx.now().into(),
            id.into(),
        ],
    )?;
        if rows.rows.is_empty() {
            return Err(Problem::missing("That bot"));
        }
        email_settings::apply(ctx, id, f.email)
    })?;
    let bot = bots::find(ctx.db, id)?.ok_or_else(|| Problem::missing("That bot"))?;
    Ok(Response::json(200, &bot_json(ctx, &bot)?))
}

pub fn delete(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    authorize(ctx, req)?;
    let rows = ctx
        .db
        .execute("DELETE FROM bots WHERE id = ? RETURNING id", &[id.into()])?;
    if rows.rows.is_empty() {
        return Err(Problem::missing("That bot"));
    }
    Ok(Response::no_content())
}

pub fn rotate_key(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    authorize(ctx, req)?;
    let (key, hash, prefix) = bots::new_key(ctx);
    let bot = transaction(ctx.db, || {
        let rows = ctx.db.execute(
            "UPDATE bots SET public_key_hash = ?, key_prefix = ?, updated_at = ? WHERE id = ? RETURNING id",
            &[hash.clone().into(), prefix.clone().into(), ctx.now().into(), id.into()],
        )?;
        if rows.rows.is_empty() {
            return Err(Problem::missing("That bot"));
        }
        bots::find(ctx.db, id)?.ok_or_else(|| Problem::missing("That bot"))
    })?;
    Ok(Response::json(200, &with_key(ctx, &bot, &key)?))
}

/// CORS: a browser request must come from one of the bot's origins.
pub(super) fn cors(bot: &Bot, req: &Request, response: Response) -> Handled {
    match req.header("origin") {
        None => Ok(response),
        Some(origin) if bot.allows_origin(origin) => Ok(response
            .with_header("access-control-allow-origin", origin)
            .with_header("vary", "Origin")),
        Some(origin) => Err(Problem::forbidden(format!(
            "The origin {origin} is not allowed for this bot; add it to the bot's allowed_origins."
        ))),
    }
}

pub fn widget_config(ctx: &Ctx, req: &Request) -> Handled {
    let bot = bots::authenticate(ctx.db, req.authorization())?;
    let body = json!({
        "bot_id": bot.id,
        "name": bot.name,
        "trigger_phrases": bot.trigger_phrases,
        "confidence_threshold": bot.confidence_threshold,
        "support_team_name": bot.support_team_name,
    });
    cors(&bot, req, Response::json(200, &body))
}

/// Errors (401, 413, 422, 429…) must be readable by a widget too: when the
/// origin belongs to any bot, the answer carries CORS headers.
pub(super) fn cors_on_errors(ctx: &Ctx, req: &Request, response: Response) -> Response {
    let Some(origin) = req.header("origin") else {
        return response;
    };
    if response
        .headers
        .iter()
        .any(|(k, _)| k == "access-control-allow-origin")
    {
        return response;
    }
    match bots::list(ctx.db) {
        Ok(all) if all.iter().any(|b| b.allows_origin(origin)) => response
            .with_header("access-control-allow-origin", origin)
            .with_header("access-control-expose-headers", "retry-after")
            .with_header("vary", "Origin"),
        _ => response,
    }
}

/// Preflight carries no key, so an origin is allowed if any bot allows it.
pub(super) fn preflight(ctx: &Ctx, req: &Request) -> Handled {
    let Some(origin) = req.header("origin") else {
        return Err(Problem::bad_request(
            "A CORS preflight needs an Origin header.",
        ));
    };
    if !bots::list(ctx.db)?.iter().any(|b| b.allows_origin(origin)) {
        return Err(Problem::forbidden(format!(
            "The origin {origin} is not allowed for any bot."
        )));
    }
    Ok(Response::no_content()
        .with_header("access-control-allow-origin", origin)
        .with_header("access-control-allow-methods", "GET, POST, OPTIONS")
        .with_header(
            "access-control-allow-headers",
            "authorization, content-type",
        )
        .with_header("access-control-max-age", "600")
        .with_header("vary", "Origin"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerTokenBody {
    email: Option<String>,
    ttl_seconds: Option<i64>,
}

/// Mints a customer token for a widget (server-side, any member or API
/// token with inbox access: it reads no more than the inbox shows them).
pub fn customer_token(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    accounts::authenticate(ctx, req.authorization())?.require(Permission::Inbox)?;
    let body: CustomerTokenBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let email = e.required("email", body.email);
    let email = e.email("email", email);
    let ttl = body.ttl_seconds.unwrap_or(3600);
    if !(60..=bots::CUSTOMER_TOKEN_MAX_TTL).contains(&ttl) {
        e.add(
            "ttl_seconds",
            format!("must be between 60 and {}", bots::CUSTOMER_TOKEN_MAX_TTL),
        );
    }
    e.finish()?;
    let Some(email) = email else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    let bot = bots::find(ctx.db, id)?.ok_or_else(|| Problem::missing("That bot"))?;
    let keyring = ctx.settings.keyring()?;
    let expires_at = ctx.now() + ttl;
    let token = bots::mint_customer_token(&keyring, &bot.id, &email, expires_at);
    Ok(Response::json(
        201,
        &json!({"customer_token": token, "email": email, "bot_id": bot.id, "expires_at": crate::time::rfc3339(expires_at)}),
    ))
}
