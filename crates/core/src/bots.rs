//! Bots: the chat AIs that escalate to Baton, each with a public key for
//! its widget, allowed browser origins and its escalation settings.

use crate::db::{Db, Row};
use crate::env::Ctx;
use crate::problem::Problem;
use crate::secrets;
use crate::time::rfc3339;
use crate::validate::Errors;
use serde_json::{Value as Json, json};

pub const KEY_PREFIX: &str = "pk";
pub const DEFAULT_TRIGGER_PHRASES: &[&str] = &[
    "live agent",
    "talk to a person",
    "customer service",
    "real person",
    "human",
    "speak to someone",
    "representative",
];
pub const DEFAULT_THRESHOLD: f64 = 0.6;
pub const DEFAULT_TEAM_NAME: &str = "Support";
pub const MAX_PHRASES: usize = 50;
pub const MAX_PHRASE_CHARS: usize = 100;
pub const MAX_ORIGINS: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Bot {
    pub id: String,
    pub name: String,
    pub key_prefix: String,
    pub allowed_origins: Vec<String>,
    pub trigger_phrases: Vec<String>,
    pub confidence_threshold: f64,
    pub support_team_name: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const BOT_COLUMNS: &str = "id, name, key_prefix, allowed_origins, trigger_phrases, confidence_threshold, support_team_name, created_at, updated_at";

fn string_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Bot {
    pub fn from_row(row: &Row) -> Bot {
        Bot {
            id: row.text("id"),
            name: row.text("name"),
            key_prefix: row.text("key_prefix"),
            allowed_origins: string_list(&row.text("allowed_origins")),
            trigger_phrases: string_list(&row.text("trigger_phrases")),
            confidence_threshold: row.real("confidence_threshold"),
            support_team_name: row.text("support_team_name"),
            created_at: row.int("created_at"),
            updated_at: row.int("updated_at"),
        }
    }

    pub fn to_json(&self) -> Json {
        json!({
            "id": self.id,
            "name": self.name,
            "key_prefix": self.key_prefix,
            "allowed_origins": self.allowed_origins,
            "trigger_phrases": self.trigger_phrases,
            "confidence_threshold": self.confidence_threshold,
            "support_team_name": self.support_team_name,
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
        })
    }

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
    }
}

pub fn find(db: &dyn Db, id: &str) -> Result<Option<Bot>, Problem> {
    let rows = db.execute(
        &format!("SELECT {BOT_COLUMNS} FROM bots WHERE id = ?"),
        &[id.into()],
    )?;
    Ok(rows.first().map(|r| Bot::from_row(&r)))
}

pub fn list(db: &dyn Db) -> Result<Vec<Bot>, Problem> {
    let rows = db.execute(
        &format!("SELECT {BOT_COLUMNS} FROM bots ORDER BY created_at, id"),
        &[],
    )?;
    Ok(rows.iter().map(|r| Bot::from_row(&r)).collect())
}

/// The bot a widget's `Authorization: Bearer pk_…` key belongs to.
pub fn authenticate(db: &dyn Db, authorization: Option<&str>) -> Result<Bot, Problem> {
    let Some(key) = crate::accounts::bearer(authorization).filter(|k| k.starts_with("pk_")) else {
        return Err(Problem::unauthorized(
            "Send the bot's public key as Authorization: Bearer pk_….",
        ));
    };
    let rows = db.execute(
        &format!("SELECT {BOT_COLUMNS} FROM bots WHERE public_key_hash = ?"),
        &[secrets::hash_secret(key).into()],
    )?;
    rows.first().map(|r| Bot::from_row(&r)).ok_or_else(|| {
        Problem::unauthorized("The bot key is not valid (it may have been rotated).")
    })
}

/// A new public key: (full key shown once, its hash, its display prefix).
pub fn new_key(ctx: &Ctx) -> (String, String, String) {
    let key = secrets::new_secret(KEY_PREFIX, ctx.random_bytes::<32>());
    let hash = secrets::hash_secret(&key);
    let prefix = secrets::display_prefix(&key);
    (key, hash, prefix)
}

/// `http(s)://host[:port]`, lowercased, without a trailing slash.
pub fn normalize_origin(origin: &str) -> Result<String, String> {
    let o = origin.trim().trim_end_matches('/').to_lowercase();
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("{origin:?} is not an origin: it must start with http:// or https://")
        })?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, Some(p)),
        _ => (rest, None),
    };
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!(
            "{origin:?} is not an origin: scheme://host[:port] with no path"
        ));
    }
    if let Some(p) = port
        && p.parse::<u16>().map_or(true, |n| n == 0)
    {
        return Err(format!("{origin:?} has an invalid port"));
    }
    Ok(o)
}

pub fn validate_origins(errors: &mut Errors, value: Option<Vec<String>>) -> Option<Vec<String>> {
    let value = value?;
    if value.len() > MAX_ORIGINS {
        errors.add(
            "allowed_origins",
            format!("has {} entries; at most {MAX_ORIGINS}", value.len()),
        );
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for (i, o) in value.iter().enumerate() {
        match normalize_origin(o) {
            Ok(n) if !out.contains(&n) => out.push(n),
            Ok(_) => {}
            Err(why) => errors.add(&format!("allowed_origins[{i}]"), why),
        }
    }
    Some(out)
}

pub fn validate_phrases(errors: &mut Errors, value: Option<Vec<String>>) -> Option<Vec<String>> {
    let value = value?;
    if value.is_empty() || value.len() > MAX_PHRASES {
        errors.add(
            "trigger_phrases",
            format!("needs 1 to {MAX_PHRASES} phrases; got {}", value.len()),
        );
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for (i, p) in value.iter().enumerate() {
        let p = p.trim().to_string();
        let chars = p.chars().count();
        if chars == 0 || chars > MAX_PHRASE_CHARS {
            errors.add(
                &format!("trigger_phrases[{i}]"),
                format!("must have 1 to {MAX_PHRASE_CHARS} characters"),
            );
        } else if !out.iter().any(|q| q.eq_ignore_ascii_case(&p)) {
            out.push(p);
        }
    }
    Some(out)
}

pub fn validate_threshold(errors: &mut Errors, value: Option<f64>) -> Option<f64> {
    let v = value?;
    if !(0.0..=1.0).contains(&v) || !v.is_finite() {
        errors.add(
            "confidence_threshold",
            format!("must be between 0 and 1; got {v}"),
        );
        return None;
    }
    Some(v)
}

/// Customer tokens: what a chat AI's server mints (with an API token) so
/// its widget may read one customer's history through one bot. Signed with
/// the deployment's key; `<expires>.<email, base64url>.<signature>`.
pub const CUSTOMER_TOKEN_PREFIX: &str = "bct";
pub const CUSTOMER_TOKEN_MAX_TTL: i64 = 24 * 3600;

fn customer_token_message(bot_id: &str, expires_at: i64, email: &str) -> String {
    format!("customer-token:{bot_id}:{expires_at}:{email}")
}

pub fn mint_customer_token(
    keyring: &crate::sealed::Keyring,
    bot_id: &str,
    email: &str,
    expires_at: i64,
) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(email);
    let sig = keyring.sign(&customer_token_message(bot_id, expires_at, email));
    format!("{CUSTOMER_TOKEN_PREFIX}_{expires_at}.{encoded}.{sig}")
}

/// The customer email a token vouches for, if it is this bot's, unexpired
/// and genuine.
pub fn customer_token_email(ctx: &Ctx, bot_id: &str, token: &str) -> Result<String, Problem> {
    use base64::Engine;
    let invalid =
        || Problem::unauthorized("The customer_token is not valid for this bot or has expired.");
    let keyring = ctx.settings.keyring()?;
    let rest = token
        .strip_prefix(CUSTOMER_TOKEN_PREFIX)
        .and_then(|r| r.strip_prefix('_'))
        .ok_or_else(invalid)?;
    let mut parts = rest.splitn(3, '.');
    let (Some(exp), Some(encoded), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let expires_at: i64 = exp.parse().map_err(|_| invalid())?;
    let email = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    if !keyring.verify(&customer_token_message(bot_id, expires_at, &email), sig)
        || expires_at <= ctx.now()
    {
        return Err(invalid());
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            normalize_origin("https://Shop.Example.com/").unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            normalize_origin("http://localhost:5173").unwrap(),
            "http://localhost:5173"
        );
        for bad in [
            "not a url",
            "ftp://x.com",
            "https://x.com/path",
            "https://",
            "https://x.com:0",
            "https://x.com:99999",
        ] {
            assert!(normalize_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phrases_and_threshold() {
        let mut e = Errors::default();
        let p = validate_phrases(
            &mut e,
            Some(vec![" Human ".into(), "human".into(), "agent".into()]),
        )
        .unwrap();
        assert_eq!(p, ["Human", "agent"]);
        assert!(validate_phrases(&mut e, Some(vec![])).is_none());
        assert_eq!(validate_threshold(&mut e, Some(0.3)), Some(0.3));
        assert!(validate_threshold(&mut e, Some(1.5)).is_none());
        let fields: Vec<String> = e.0.iter().map(|f| f.field.clone()).collect();
        assert_eq!(fields, ["trigger_phrases", "confidence_threshold"]);
    }
}
