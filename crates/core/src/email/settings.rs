//! A bot's email settings: who mail comes from, through which provider
//! (its API key sealed at rest, never returned), who hears about new
//! Assists, and the domain replies come back to.

use crate::db::Db;
use crate::env::Ctx;
use crate::problem::Problem;
use crate::validate::{Errors, check_email, present};
use baton_providers::email::{Address, EmailProvider};
use serde::Deserialize;
use serde_json::{Value as Json, json};

pub const MAX_NOTIFY: usize = 20;
const MAX_API_KEY_CHARS: usize = 512;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BotEmail {
    pub from_email: Option<String>,
    pub from_name: Option<String>,
    pub provider: Option<EmailProvider>,
    pub api_key_sealed: Option<String>,
    pub notify_emails: Vec<String>,
    pub footer_address: Option<String>,
    pub inbound_domain: Option<String>,
}

/// What sending needs, all present.
#[derive(Debug, Clone)]
pub struct Sender {
    pub provider: EmailProvider,
    pub from: Address,
    pub api_key_sealed: String,
    pub inbound_domain: Option<String>,
    pub footer_address: Option<String>,
    pub notify_emails: Vec<String>,
}

pub fn sealing_context(bot_id: &str) -> String {
    format!("bot_email:{bot_id}")
}

pub fn load(db: &dyn Db, bot_id: &str) -> Result<BotEmail, Problem> {
    let rows = db.execute(
        "SELECT from_email, from_name, provider, api_key_sealed, notify_emails, footer_address, inbound_domain \
         FROM bot_email WHERE bot_id = ?",
        &[bot_id.into()],
    )?;
    Ok(rows
        .first()
        .map(|r| BotEmail {
            from_email: r.opt_text("from_email"),
            from_name: r.opt_text("from_name"),
            provider: r
                .opt_text("provider")
                .and_then(|p| EmailProvider::parse(&p)),
            api_key_sealed: r.opt_text("api_key_sealed"),
            notify_emails: serde_json::from_str(&r.text("notify_emails")).unwrap_or_default(),
            footer_address: r.opt_text("footer_address"),
            inbound_domain: r.opt_text("inbound_domain"),
        })
        .unwrap_or_default())
}

impl BotEmail {
    pub fn to_json(&self) -> Json {
        json!({
            "from_email": self.from_email,
            "from_name": self.from_name,
            "provider": self.provider.map(EmailProvider::as_str),
            "api_key_set": self.api_key_sealed.is_some(),
            "notify_emails": self.notify_emails,
            "footer_address": self.footer_address,
            "inbound_domain": self.inbound_domain,
            "ready": self.sender("").is_some(),
        })
    }

    /// The sending settings when complete; `team_name` names the sender
    /// when no from name is set.
    pub fn sender(&self, team_name: &str) -> Option<Sender> {
        Some(Sender {
            provider: self.provider?,
            from: Address {
                email: self.from_email.clone()?,
                name: self
                    .from_name
                    .clone()
                    .or_else(|| (!team_name.is_empty()).then(|| team_name.to_string())),
            },
            api_key_sealed: self.api_key_sealed.clone()?,
            inbound_domain: self.inbound_domain.clone(),
            footer_address: self.footer_address.clone(),
            notify_emails: self.notify_emails.clone(),
        })
    }
}

/// The `email` member of a bot create or update. A member left out keeps
/// its value; `null` clears it.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    #[serde(default, deserialize_with = "present")]
    from_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    from_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    provider: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    api_key: Option<Option<String>>,
    #[serde(default, deserialize_with = "present_list")]
    notify_emails: Option<Option<NotifyList>>,
    #[serde(default, deserialize_with = "present")]
    footer_address: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    inbound_domain: Option<Option<String>>,
}

/// Notification addresses as a JSON list or one comma-separated string.
#[derive(Deserialize)]
#[serde(untagged)]
enum NotifyList {
    List(Vec<String>),
    Text(String),
}

fn present_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<NotifyList>>, D::Error> {
    Option::<NotifyList>::deserialize(d).map(Some)
}

/// A validated change: outer None keeps, Some(None) clears.
#[derive(Default)]
pub struct EmailChange {
    from_email: Option<Option<String>>,
    from_name: Option<Option<String>>,
    provider: Option<Option<EmailProvider>>,
    api_key: Option<Option<String>>,
    notify_emails: Option<Vec<String>>,
    footer_address: Option<Option<String>>,
    inbound_domain: Option<Option<String>>,
}

fn trimmed(v: Option<Option<String>>) -> Option<Option<String>> {
    v.map(|o| o.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
}

pub fn validate_domain(domain: &str) -> Result<String, String> {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if d.len() > 253 || d.split('.').count() < 2 || !d.split('.').all(label_ok) {
        return Err(format!(
            "{domain:?} is not a domain name like reply.example.com"
        ));
    }
    Ok(d)
}

impl EmailBody {
    pub fn validate(self, e: &mut Errors) -> EmailChange {
        let from_email = trimmed(self.from_email).map(|o| {
            o.and_then(|addr| match check_email(&addr) {
                Ok(()) => Some(addr.to_ascii_lowercase()),
                Err(msg) => {
                    e.add("email.from_email", msg);
                    None
                }
            })
        });
        let from_name = trimmed(self.from_name).map(|o| {
            o.and_then(|n| {
                if n.chars().count() > 100 || n.contains(['\r', '\n', '<', '>', '"']) {
                    e.add(
                        "email.from_name",
                        "use up to 100 characters without line breaks, quotes or angle brackets",
                    );
                    None
                } else {
                    Some(n)
                }
            })
        });
        let provider = trimmed(self.provider).map(|o| {
            o.and_then(|p| match EmailProvider::parse(&p.to_ascii_lowercase()) {
                Some(p) => Some(p),
                None => {
                    e.add("email.provider", "one of brevo, sendgrid, postmark, resend");
                    None
                }
            })
        });
        let api_key = trimmed(self.api_key).map(|o| {
            o.and_then(|k| {
                if k.chars().count() > MAX_API_KEY_CHARS || k.chars().any(char::is_control) {
                    e.add(
                        "email.api_key",
                        "the API key is too long or contains control characters",
                    );
                    None
                } else {
                    Some(k)
                }
            })
        });
        let notify_emails = self.notify_emails.map(|o| {
            let raw: Vec<String> = match o {
                None => Vec::new(),
                Some(NotifyList::List(v)) => v,
                Some(NotifyList::Text(s)) => s.split([',', ';']).map(String::from).collect(),
            };
            let mut out: Vec<String> = Vec::new();
            for addr in raw.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
                match check_email(addr) {
                    Ok(()) => {
                        let a = addr.to_ascii_lowercase();
                        if !out.contains(&a) {
                            out.push(a)
                        }
                    }
                    Err(msg) => e.add("email.notify_emails", format!("{addr}: {msg}")),
                }
            }
            if out.len() > MAX_NOTIFY {
                e.add(
                    "email.notify_emails",
                    format!("at most {MAX_NOTIFY} addresses"),
                );
            }
            out
        });
        let footer_address = trimmed(self.footer_address).map(|o| {
            o.and_then(|f| {
                if f.chars().count() > 300 {
                    e.add("email.footer_address", "use up to 300 characters");
                    None
                } else {
                    Some(f)
                }
            })
        });
        let inbound_domain = trimmed(self.inbound_domain).map(|o| {
            o.and_then(|d| match validate_domain(&d) {
                Ok(d) => Some(d),
                Err(msg) => {
                    e.add("email.inbound_domain", msg);
                    None
                }
            })
        });
        EmailChange {
            from_email,
            from_name,
            provider,
            api_key,
            notify_emails,
            footer_address,
            inbound_domain,
        }
    }
}

impl EmailChange {
    pub fn is_empty(&self) -> bool {
        self.from_email.is_none()
            && self.from_name.is_none()
            && self.provider.is_none()
            && self.api_key.is_none()
            && self.notify_emails.is_none()
            && self.footer_address.is_none()
            && self.inbound_domain.is_none()
    }
}

/// Applies a change inside the caller's transaction. A new API key needs
/// the encryption key; without it nothing is written.
pub fn apply(ctx: &Ctx, bot_id: &str, change: EmailChange) -> Result<(), Problem> {
    if change.is_empty() {
        return Ok(());
    }
    let sealed = match &change.api_key {
        Some(Some(key)) => {
            let keyring = ctx.settings.keyring()?;
            Some(Some(keyring.seal(
                ctx.random_bytes::<12>(),
                &sealing_context(bot_id),
                key,
            )))
        }
        Some(None) => Some(None),
        None => None,
    };
    let mut current = load(ctx.db, bot_id)?;
    if let Some(v) = change.from_email {
        current.from_email = v;
    }
    if let Some(v) = change.from_name {
        current.from_name = v;
    }
    if let Some(v) = change.provider {
        current.provider = v;
    }
    if let Some(v) = sealed {
        current.api_key_sealed = v;
    }
    if let Some(v) = change.notify_emails {
        current.notify_emails = v;
    }
    if let Some(v) = change.footer_address {
        current.footer_address = v;
    }
    if let Some(v) = change.inbound_domain {
        current.inbound_domain = v;
    }
    ctx.db.execute(
        "INSERT INTO bot_email (bot_id, from_email, from_name, provider, api_key_sealed, notify_emails, footer_address, inbound_domain, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bot_id) DO UPDATE SET from_email = excluded.from_email, from_name = excluded.from_name, \
         provider = excluded.provider, api_key_sealed = excluded.api_key_sealed, notify_emails = excluded.notify_emails, \
         footer_address = excluded.footer_address, inbound_domain = excluded.inbound_domain, updated_at = excluded.updated_at",
        &[
            bot_id.into(),
            current.from_email.into(),
            current.from_name.into(),
            current.provider.map(|p| p.as_str().to_string()).into(),
            current.api_key_sealed.into(),
            serde_json::to_string(&current.notify_emails).unwrap_or_else(|_| "[]".into()).into(),
            current.footer_address.into(),
            current.inbound_domain.into(),
            ctx.now().into(),
        ],
    )?;
    Ok(())
}
