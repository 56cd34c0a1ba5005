//! Telephony: connected lines (credentials and webhook secrets sealed at
//! rest) and what their webhooks bring. A voicemail becomes an Assist
//! (channel `voicemail`) with the AI analysis of its transcript; a late
//! transcript updates it; a completed call adds a call summary note (with a
//! transcript) or a call log entry. Every delivery is stored once. The
//! calls that reach a provider (registration, fetching a transcript,
//! renewing a subscription) are made by the components; this is the rest.

use crate::api::{Request, Response};
use crate::db::{Db, transaction};
use crate::env::Ctx;
use crate::escalation::{NewEscalation, escalate_within, event, reanalyse};
use crate::problem::{FieldError, Problem};
use baton_ai::{BotSettings, Input, Known, Message, Role};
use baton_providers::voice::{
    self as wire, Direction, FollowUp, Inbound, Provider, Refusal, VoiceEvent, VoiceEventKind,
    WebhookRequest, WebhookSecret,
};
use serde_json::{Map, Value as Json, json};

fn sealing_context(line_id: &str, what: &str) -> String {
    format!("voice_line:{line_id}:{what}")
}

/// (required, optional, secret) credential fields per provider.
pub fn credential_fields(
    p: Provider,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    match p {
        Provider::Twilio => (&["account_sid", "auth_token"], &[], &["auth_token"]),
        Provider::Vonage => (
            &["application_id", "signature_secret"],
            &["private_key", "api_key", "api_secret"],
            &["signature_secret", "private_key", "api_secret"],
        ),
        Provider::Aircall => (&["api_id", "api_token"], &[], &["api_token"]),
        Provider::Dialpad => (&["api_key", "target_type", "target_id"], &[], &["api_key"]),
        Provider::RingCentral => (
            &["client_id", "client_secret", "jwt"],
            &["extension_id"],
            &["client_secret", "jwt"],
        ),
        Provider::Quo => (&["api_key"], &["signing_key"], &["api_key", "signing_key"]),
    }
}

/// A validated new line, before registration.
pub struct NewLine {
    pub provider: Provider,
    pub credentials: Map<String, Json>,
    pub phone_number: String,
    pub brand_label: Option<String>,
    pub number_filter: Option<String>,
}

fn text_field(
    e: &mut Vec<FieldError>,
    fields: &Map<String, Json>,
    name: &str,
    required: bool,
) -> Option<String> {
    match fields.get(name) {
        Some(Json::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        None | Some(Json::Null) if !required => None,
        Some(Json::String(_)) | None | Some(Json::Null) => {
            e.push(FieldError {
                field: format!("credentials.{name}"),
                message: "is required".into(),
            });
            None
        }
        Some(_) => {
            e.push(FieldError {
                field: format!("credentials.{name}"),
                message: "must be a string".into(),
            });
            None
        }
    }
}

/// Validates a create request's body.
pub fn validate_new(body: &Json) -> Result<NewLine, Problem> {
    let Some(obj) = body.as_object() else {
        return Err(Problem::bad_request("Send a JSON object."));
    };
    let mut e: Vec<FieldError> = Vec::new();
    for key in obj.keys().filter(|k| {
        ![
            "provider",
            "credentials",
            "phone_number",
            "brand_label",
            "number_filter",
        ]
        .contains(&k.as_str())
    }) {
        e.push(FieldError {
            field: key.clone(),
            message: "is not a field of a line".into(),
        });
    }
    let provider = match obj.get("provider").and_then(Json::as_str) {
        Some(p) => match Provider::parse(p) {
            Some(p) => Some(p),
            None => {
                e.push(FieldError {
                    field: "provider".into(),
                    message: format!(
                        "{p:?} is not one of twilio, vonage, aircall, dialpad, ringcentral, quo"
                    ),
                });
                None
            }
        },
        None => {
            e.push(FieldError {
                field: "provider".into(),
                message: "is required".into(),
            });
            None
        }
    };
    let empty = Map::new();
    let fields = obj
        .get("credentials")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    if obj.get("credentials").is_none_or(|c| !c.is_object()) {
        e.push(FieldError {
            field: "credentials".into(),
            message: "is required (an object)".into(),
        });
    }
    let mut credentials = Map::new();
    if let Some(p) = provider {
        let (required, optional, _) = credential_fields(p);
        for name in required.iter() {
            if let Some(v) = text_field(&mut e, fields, name, true) {
                credentials.insert((*name).into(), json!(v));
            }
        }
        for name in optional.iter() {
            if let Some(v) = text_field(&mut e, fields, name, false) {
                credentials.insert((*name).into(), json!(v));
            }
        }
        for key in fields
            .keys()
            .filter(|k| !required.contains(&k.as_str()) && !optional.contains(&k.as_str()))
        {
            e.push(FieldError {
                field: format!("credentials.{key}"),
                message: format!("is not a {} credential", p.as_str()),
            });
        }
        if p == Provider::Twilio
            && let Some(sid) = credentials.get("account_sid").and_then(Json::as_str)
            && !(sid.len() == 34
                && sid.starts_with("AC")
                && sid[2..].chars().all(|c| c.is_ascii_hexdigit()))
        {
            e.push(FieldError {
                field: "credentials.account_sid".into(),
                message: "is AC followed by 32 hexadecimal digits".into(),
            });
        }
        if p == Provider::Dialpad
            && let Some(t) = credentials.get("target_type").and_then(Json::as_str)
            && wire::dialpad::TargetType::parse(t).is_none()
        {
            e.push(FieldError {
                field: "credentials.target_type".into(),
                message: "one of user, call_center, department".into(),
            });
        }
        if p == Provider::Vonage
            && let Some(pem) = credentials.get("private_key").and_then(Json::as_str)
            && wire::vonage::read_private_key(pem).is_err()
        {
            e.push(FieldError {
                field: "credentials.private_key".into(),
                message: "is not a PEM private key".into(),
            });
        }
    }
    let phone_number = match obj
        .get("phone_number")
        .and_then(Json::as_str)
        .map(wire::normalize_phone)
    {
        Some(Some(n)) => Some(n),
        Some(None) => {
            e.push(FieldError {
                field: "phone_number".into(),
                message: "is not a phone number (use E.164, like +14155550100)".into(),
            });
            None
        }
        None => {
            e.push(FieldError {
                field: "phone_number".into(),
                message: "is required".into(),
            });
            None
        }
    };
    let brand_label = obj
        .get("brand_label")
        .and_then(Json::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if brand_label.as_ref().is_some_and(|b| b.chars().count() > 60) {
        e.push(FieldError {
            field: "brand_label".into(),
            message: "use up to 60 characters".into(),
        });
    }
    let number_filter = match obj.get("number_filter").and_then(Json::as_str) {
        Some(f) => match wire::normalize_phone(f) {
            Some(n) => Some(n),
            None => {
                e.push(FieldError {
                    field: "number_filter".into(),
                    message: "is not a phone number".into(),
                });
                None
            }
        },
        None => None,
    };
    if !e.is_empty() {
        return Err(Problem::invalid(e));
    }
    Ok(NewLine {
        provider: provider.unwrap_or(Provider::Twilio),
        credentials,
        phone_number: phone_number.unwrap_or_default(),
        brand_label,
        number_filter,
    })
}

/// The URL a provider calls for this line (from `public_url`).
pub fn webhook_url(ctx: &Ctx, provider: Provider, line_id: &str) -> String {
    format!(
        "{}/hooks/voice/{}/{line_id}",
        ctx.settings.public_url.trim_end_matches('/'),
        provider.as_str()
    )
}

/// A line with its secrets opened.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: String,
    pub provider: Provider,
    pub credentials: Map<String, Json>,
    pub webhook_secret: Option<String>,
    pub phone_number: String,
    pub brand_label: Option<String>,
    pub number_filter: Option<String>,
    pub registration: Json,
}

impl Line {
    pub fn credential(&self, name: &str) -> &str {
        self.credentials
            .get(name)
            .and_then(Json::as_str)
            .unwrap_or_default()
    }

    /// What this line's deliveries are checked with.
    pub fn secret(&self) -> WebhookSecret<'_> {
        let stored = self.webhook_secret.as_deref().unwrap_or_default();
        match self.provider {
            Provider::Twilio => WebhookSecret::Twilio {
                auth_token: self.credential("auth_token"),
            },
            Provider::Vonage => WebhookSecret::Vonage(wire::vonage::Verifier {
                signature_secret: self.credential("signature_secret"),
                application_id: self.credential("application_id"),
                api_key: self.credentials.get("api_key").and_then(Json::as_str),
            }),
            Provider::Aircall => WebhookSecret::Aircall { token: stored },
            Provider::Dialpad => WebhookSecret::Dialpad { secret: stored },
            Provider::RingCentral => WebhookSecret::RingCentral {
                verification_token: stored,
            },
            Provider::Quo => WebhookSecret::Quo {
                signing_key: if stored.is_empty() {
                    self.credential("signing_key")
                } else {
                    stored
                },
            },
        }
    }
}

/// Stores a line (after any registration at the provider).
pub fn insert_line(
    ctx: &Ctx,
    id: &str,
    new: &NewLine,
    webhook_secret: Option<&str>,
    registration: &Json,
    status: &str,
    last_error: Option<&str>,
) -> Result<Json, Problem> {
    let keyring = ctx.settings.keyring()?;
    let (_, _, secrets) = credential_fields(new.provider);
    let summary: Map<String, Json> = new
        .credentials
        .iter()
        .filter(|(k, _)| !secrets.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let sealed = keyring.seal(
        ctx.random_bytes::<12>(),
        &sealing_context(id, "credentials"),
        &Json::Object(new.credentials.clone()).to_string(),
    );
    let secret = webhook_secret
        .map(|s| keyring.seal(ctx.random_bytes::<12>(), &sealing_context(id, "webhook"), s));
    ctx.db.execute(
        "INSERT INTO voice_lines (id, provider, credentials_sealed, webhook_secret_sealed, summary, phone_number, brand_label, number_filter, status, last_error, registration, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            id.into(),
            new.provider.as_str().into(),
            sealed.into(),
            secret.into(),
            Json::Object(summary).to_string().into(),
            new.phone_number.as_str().into(),
            new.brand_label.clone().into(),
            new.number_filter.clone().into(),
            status.into(),
            last_error.map(String::from).into(),
            registration.to_string().into(),
            ctx.now().into(),
            ctx.now().into(),
        ],
    )?;
    get_json(ctx, id)
}

pub fn load_line(ctx: &Ctx, id: &str) -> Result<Option<Line>, Problem> {
    let rows = ctx.db.execute(
        "SELECT id, provider, credentials_sealed, webhook_secret_sealed, phone_number, brand_label, number_filter, registration FROM voice_lines WHERE id = ?",
        &[id.into()],
    )?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let keyring = ctx.settings.keyring()?;
    let provider = Provider::parse(&r.text("provider"))
        .ok_or_else(|| Problem::new(500, "The line's provider is unknown."))?;
    let credentials = keyring
        .open(&sealing_context(id, "credentials"), &r.text("credentials_sealed"))
        .and_then(|t| serde_json::from_str::<Map<String, Json>>(&t).ok())
        .ok_or_else(|| Problem::new(503, "The line's credentials cannot be decrypted (was encryption_key changed?); connect the line again."))?;
    let webhook_secret = match r.opt_text("webhook_secret_sealed") {
        Some(s) => Some(
            keyring
                .open(&sealing_context(id, "webhook"), &s)
                .ok_or_else(|| {
                    Problem::new(503, "The line's webhook secret cannot be decrypted.")
                })?,
        ),
        None => None,
    };
    Ok(Some(Line {
        id: r.text("id"),
        provider,
        credentials,
        webhook_secret,
        phone_number: r.text("phone_number"),
        brand_label: r.opt_text("brand_label"),
        number_filter: r.opt_text("number_filter"),
        registration: serde_json::from_str(&r.text("registration")).unwrap_or(json!({})),
    }))
}

fn row_json(ctx: &Ctx, r: &crate::db::Row) -> Json {
    let provider = Provider::parse(&r.text("provider")).unwrap_or(Provider::Twilio);
    let registration: Json = serde_json::from_str(&r.text("registration")).unwrap_or(json!({}));
    json!({
        "id": r.text("id"),
        "provider": provider.as_str(),
        "account": serde_json::from_str::<Json>(&r.text("summary")).unwrap_or(json!({})),
        "phone_number": r.text("phone_number"),
        "brand_label": r.opt_text("brand_label"),
        "number_filter": r.opt_text("number_filter"),
        "status": r.text("status"),
        "last_error": r.opt_text("last_error"),
        "webhook_url": webhook_url(ctx, provider, &r.text("id")),
        "webhook_registered": provider.registers_webhook() && registration.get("webhook_id").or(registration.get("subscription_id")).is_some(),
        "subscription_expires_at": registration.get("expires_at").and_then(Json::as_i64).map(crate::time::rfc3339),
        "created_at": crate::time::rfc3339(r.int("created_at")),
        "updated_at": crate::time::rfc3339(r.int("updated_at")),
    })
}

const LINE_COLUMNS: &str = "id, provider, summary, phone_number, brand_label, number_filter, status, last_error, registration, created_at, updated_at";

pub fn list_json(ctx: &Ctx) -> Result<Json, Problem> {
    let rows = ctx.db.execute(
        &format!("SELECT {LINE_COLUMNS} FROM voice_lines ORDER BY created_at, id"),
        &[],
    )?;
    Ok(json!({"lines": rows.iter().map(|r| row_json(ctx, &r)).collect::<Vec<_>>()}))
}

pub fn get_json(ctx: &Ctx, id: &str) -> Result<Json, Problem> {
    let rows = ctx.db.execute(
        &format!("SELECT {LINE_COLUMNS} FROM voice_lines WHERE id = ?"),
        &[id.into()],
    )?;
    rows.first()
        .map(|r| row_json(ctx, &r))
        .ok_or_else(|| Problem::missing("That line"))
}

/// Changes the brand label, number filter or phone number.
pub fn patch(ctx: &Ctx, id: &str, body: &Json) -> Result<Json, Problem> {
    let Some(obj) = body.as_object() else {
        return Err(Problem::bad_request("Send a JSON object."));
    };
    let mut e = Vec::new();
    for key in obj
        .keys()
        .filter(|k| !["brand_label", "number_filter", "phone_number"].contains(&k.as_str()))
    {
        e.push(FieldError {
            field: key.clone(),
            message: "cannot be changed (connect the line again to change credentials)".into(),
        });
    }
    let phone = |field: &str, v: &Json, e: &mut Vec<FieldError>| -> Option<Option<String>> {
        match v {
            Json::Null => Some(None),
            Json::String(s) => match wire::normalize_phone(s) {
                Some(n) => Some(Some(n)),
                None => {
                    e.push(FieldError {
                        field: field.into(),
                        message: "is not a phone number".into(),
                    });
                    None
                }
            },
            _ => {
                e.push(FieldError {
                    field: field.into(),
                    message: "must be a string or null".into(),
                });
                None
            }
        }
    };
    let number = obj
        .get("phone_number")
        .and_then(|v| phone("phone_number", v, &mut e));
    if matches!(number, Some(None)) {
        e.push(FieldError {
            field: "phone_number".into(),
            message: "is required".into(),
        });
    }
    let filter = obj
        .get("number_filter")
        .and_then(|v| phone("number_filter", v, &mut e));
    let brand = obj.get("brand_label").map(|v| {
        v.as_str()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    });
    if !e.is_empty() {
        return Err(Problem::invalid(e));
    }
    get_json(ctx, id)?;
    ctx.db.execute(
        "UPDATE voice_lines SET phone_number = COALESCE(?, phone_number), \
         brand_label = CASE WHEN ? THEN ? ELSE brand_label END, number_filter = CASE WHEN ? THEN ? ELSE number_filter END, updated_at = ? WHERE id = ?",
        &[
            number.flatten().into(),
            brand.is_some().into(),
            brand.flatten().into(),
            filter.is_some().into(),
            filter.flatten().into(),
            ctx.now().into(),
            id.into(),
        ],
    )?;
    get_json(ctx, id)
}

pub fn delete(ctx: &Ctx, id: &str) -> Result<(), Problem> {
    let rows = ctx.db.execute(
        "DELETE FROM voice_lines WHERE id = ? RETURNING id",
        &[id.into()],
    )?;
    if rows.rows.is_empty() {
        return Err(Problem::missing("That line"));
    }
    Ok(())
}

/// Records what registration or renewal left at the provider.
pub fn record_registration(
    ctx: &Ctx,
    id: &str,
    registration: &Json,
    status: &str,
    last_error: Option<&str>,
) -> Result<(), Problem> {
    ctx.db.execute(
        "UPDATE voice_lines SET registration = ?, status = ?, last_error = ?, updated_at = ? WHERE id = ?",
        &[registration.to_string().into(), status.into(), last_error.map(String::from).into(), ctx.now().into(), id.into()],
    )?;
    Ok(())
}

/// RingCentral lines whose subscription needs renewing now.
pub fn lines_to_renew(ctx: &Ctx) -> Result<Vec<String>, Problem> {
    let rows = ctx.db.execute(
        "SELECT id, registration FROM voice_lines WHERE provider = 'ringcentral'",
        &[],
    )?;
    Ok(rows
        .iter()
        .filter(|r| {
            let reg: Json = serde_json::from_str(&r.text("registration")).unwrap_or(json!({}));
            match reg.get("expires_at").and_then(Json::as_i64) {
                Some(at) => wire::ringcentral::needs_renewal(at, ctx.now()),
                None => reg.get("subscription_id").is_some(),
            }
        })
        .map(|r| r.text("id"))
        .collect())
}

/// Work left for the component after it has answered a webhook.
#[derive(Debug, Clone)]
pub struct FollowUpJob {
    pub line_id: String,
    pub call_id: String,
    pub follow_up: FollowUp,
}

/// One webhook delivery: the answer, and what to fetch afterwards.
pub fn receive(
    ctx: &Ctx,
    provider_name: &str,
    line_id: &str,
    req: &Request,
) -> (Response, Option<FollowUpJob>) {
    match receive_inner(ctx, provider_name, line_id, req) {
        Ok(r) => r,
        Err(p) => (Response::problem(&p), None),
    }
}

fn receive_inner(
    ctx: &Ctx,
    provider_name: &str,
    line_id: &str,
    req: &Request,
) -> Result<(Response, Option<FollowUpJob>), Problem> {
    let provider = Provider::parse(provider_name).ok_or_else(|| Problem::not_found(req.path))?;
    // RingCentral checks the address while the subscription is being
    // created, before the line is stored: echoing its token reveals nothing.
    if provider == Provider::RingCentral
        && let Some(token) = req.header("validation-token")
    {
        return Ok((echo(wire::ringcentral::VALIDATION_HEADER, token), None));
    }
    let line = match load_line(ctx, line_id)? {
        Some(l) if l.provider == provider => l,
        _ => return Err(Problem::new(404, "No such line.")),
    };
    let query = if req.query.is_empty() {
        String::new()
    } else {
        format!("?{}", req.query)
    };
    let url = format!(
        "{}{}{query}",
        ctx.settings.public_url.trim_end_matches('/'),
        req.path
    );
    let wreq = WebhookRequest {
        method: req.method,
        url: &url,
        headers: &req.headers,
        body: req.body,
    };
    let api_base = api_base(ctx, provider);
    let event = match wire::receive(&line.secret(), &wreq, ctx.now(), &api_base) {
        Ok(Inbound::Handshake { header, value }) => return Ok((echo(header, &value), None)),
        Ok(Inbound::Event(e)) => e,
        Err(Refusal::Unauthenticated(why)) => {
            return Err(Problem::unauthorized(format!(
                "The webhook is not authentic: {why}."
            )));
        }
        Err(Refusal::Unreadable(why)) => {
            return Err(Problem::bad_request(format!(
                "The webhook could not be read: {why}"
            )));
        }
    };
    if let VoiceEventKind::IncomingCall = event.kind {
        return Ok((answer_call(ctx, &line, &event), None));
    }
    if let Some(filter) = &line.number_filter
        && event.line_number().is_some_and(|n| n != filter)
    {
        return Ok((
            Response::json(200, &json!({"result": "ignored", "why": "another number"})),
            None,
        ));
    }
    if let VoiceEventKind::Ignored { what } = &event.kind {
        return Ok((
            Response::json(200, &json!({"result": "ignored", "what": what})),
            None,
        ));
    }
    let outcome = transaction(ctx.db, || {
        let fresh = ctx.db.execute(
            "INSERT INTO voice_events (line_id, event_id, received_at) VALUES (?, ?, ?) ON CONFLICT (line_id, event_id) DO NOTHING RETURNING event_id",
            &[line.id.as_str().into(), event.event_id.as_str().into(), ctx.now().into()],
        )?;
        if fresh.rows.is_empty() {
            return Ok((json!({"result": "duplicate"}), None));
        }
        let (assist_id, follow) = handle_event(ctx, &line, &event)?;
        if let Some(id) = &assist_id {
            ctx.db.execute(
                "UPDATE voice_events SET assist_id = ? WHERE line_id = ? AND event_id = ?",
                &[
                    id.as_str().into(),
                    line.id.as_str().into(),
                    event.event_id.as_str().into(),
                ],
            )?;
        }
        Ok::<_, Problem>((json!({"result": "stored", "assist_id": assist_id}), follow))
    })?;
    Ok((Response::json(200, &outcome.0), outcome.1))
}

/// A handshake's answer: 200, empty, the token echoed in its header.
fn echo(header: &str, value: &str) -> Response {
    Response {
        status: 200,
        headers: vec![
            ("cache-control".into(), "no-store".into()),
            (header.to_ascii_lowercase(), value.to_string()),
        ],
        body: Vec::new(),
    }
}

/// The provider's API base, or `voice_api_url` when set (tests, proxies).
pub fn api_base(ctx: &Ctx, provider: Provider) -> String {
    ctx.settings
        .voice_api_url
        .clone()
        .unwrap_or_else(|| provider.api_base().to_string())
}

fn answer_call(ctx: &Ctx, line: &Line, event: &VoiceEvent) -> Response {
    let url = webhook_url(ctx, line.provider, &line.id);
    let greeting = format!(
        "You've reached {}. Please leave a message after the tone and we will get back to you.",
        line.brand_label.as_deref().unwrap_or("our support team")
    );
    match line.provider {
        Provider::Vonage => {
            let ncco = wire::vonage::answer_ncco(&wire::vonage::AnswerNcco {
                greeting: &greeting,
                webhook_url: &url,
                from: event.from_number.as_deref().unwrap_or_default(),
                to: event.to_number.as_deref().unwrap_or_default(),
                language: "en-US",
                max_length_secs: 300,
            });
            Response::json(200, &ncco)
        }
        _ => {
            let twiml = wire::twilio::voicemail_twiml(&wire::twilio::VoicemailTwiml {
                greeting: &greeting,
                action_url: &url,
                transcribe_callback_url: &url,
                max_length_secs: 120,
            });
            Response {
                status: 200,
                headers: vec![
                    ("content-type".into(), "text/xml; charset=utf-8".into()),
                    ("cache-control".into(), "no-store".into()),
                ],
                body: twiml.into_bytes(),
            }
        }
    }
}

fn call_key(event: &VoiceEvent) -> String {
    if event.call_id.is_empty() {
        event.event_id.clone()
    } else {
        event.call_id.clone()
    }
}

fn assist_for_call(db: &dyn Db, line_id: &str, call_id: &str) -> Result<Option<String>, Problem> {
    let rows = db.execute(
        "SELECT assist_id FROM voice_calls WHERE line_id = ? AND call_id = ?",
        &[line_id.into(), call_id.into()],
    )?;
    Ok(rows.first().map(|r| r.text("assist_id")))
}

const NO_TRANSCRIPT: &str = "(A voicemail without a transcript yet: listen to the recording.)";

fn handle_event(
    ctx: &Ctx,
    line: &Line,
    event: &VoiceEvent,
) -> Result<(Option<String>, Option<FollowUpJob>), Problem> {
    let key = call_key(event);
    let follow = |e: &VoiceEvent| {
        e.follow_up.clone().map(|f| FollowUpJob {
            line_id: line.id.clone(),
            call_id: key.clone(),
            follow_up: f,
        })
    };
    match &event.kind {
        VoiceEventKind::Voicemail {
            recording_url,
            duration_secs,
            transcript,
        } => {
            let id = match assist_for_call(ctx.db, &line.id, &key)? {
                Some(id) => id,
                None => new_assist(
                    ctx,
                    line,
                    event,
                    "voicemail",
                    transcript.as_deref(),
                    json!({"recording_url": recording_url, "duration_secs": duration_secs}),
                )?,
            };
            if let Some(t) = transcript.as_deref().filter(|t| !t.trim().is_empty()) {
                set_transcript(ctx, &id, t)?;
            }
            if let Some(url) = recording_url {
                ctx.db.execute(
                    "UPDATE assists SET metadata = json_set(metadata, '$.recording_url', ?, '$.duration_secs', ?) WHERE id = ?",
                    &[url.as_str().into(), duration_secs.map(|d| d as i64).into(), id.as_str().into()],
                )?;
            }
            Ok((Some(id), follow(event)))
        }
        VoiceEventKind::TranscriptReady { transcript } => {
            let id = match assist_for_call(ctx.db, &line.id, &key)? {
                Some(id) => {
                    set_transcript(ctx, &id, transcript)?;
                    id
                }
                None => new_assist(ctx, line, event, "voicemail", Some(transcript), json!({}))?,
            };
            Ok((Some(id), None))
        }
        VoiceEventKind::TranscriptToFetch => {
            Ok((assist_for_call(ctx.db, &line.id, &key)?, follow(event)))
        }
        VoiceEventKind::CallCompleted {
            duration_secs,
            transcript,
            direction,
        } => {
            let id = call_completed(
                ctx,
                line,
                event,
                *duration_secs,
                transcript.as_deref(),
                *direction,
            )?;
            Ok((Some(id), follow(event)))
        }
        VoiceEventKind::IncomingCall | VoiceEventKind::Ignored { .. } => Ok((None, None)),
    }
}

fn new_assist(
    ctx: &Ctx,
    line: &Line,
    event: &VoiceEvent,
    channel: &str,
    transcript: Option<&str>,
    extra: Json,
) -> Result<String, Problem> {
    let caller = event.customer_number().map(String::from);
    let name = caller.clone().unwrap_or_else(|| "Unknown caller".into());
    let text = transcript
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(NO_TRANSCRIPT)
        .to_string();
    let messages = [Message {
        role: Role::Customer,
        text,
    }];
    let known = Known {
        name: None,
        email: None,
        phone: caller.clone(),
    };
    let mut metadata = json!({
        "line_id": line.id, "provider": line.provider.as_str(), "call_id": event.call_id,
        "line_number": line.phone_number, "transcript": if transcript.is_some() { "ready" } else { "pending" },
    });
    if let (Some(m), Some(x)) = (metadata.as_object_mut(), extra.as_object()) {
        for (k, v) in x.iter().filter(|(_, v)| !v.is_null()) {
            m.insert(k.clone(), v.clone());
        }
    }
    let bot = BotSettings::default();
    let session = format!("voice:{}:{}", line.id, call_key(event));
    let outcome = escalate_within(
        ctx,
        &NewEscalation {
            bot_id: None,
            session_id: &session,
            messages: &messages,
            name: &name,
            email: None,
            phone: caller.as_deref(),
            name_is_placeholder: true,
            channel,
            metadata: &metadata,
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
                    bot: &bot,
                },
            )
        },
    )?;
    ctx.db.execute(
        "UPDATE assists SET brand_label = ? WHERE id = ?",
        &[
            line.brand_label.clone().into(),
            outcome.assist_id.as_str().into(),
        ],
    )?;
    ctx.db.execute(
        "INSERT INTO voice_calls (line_id, call_id, assist_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        &[line.id.as_str().into(), call_key(event).into(), outcome.assist_id.as_str().into(), ctx.now().into()],
    )?;
    Ok(outcome.assist_id)
}

/// A transcript for a voicemail: it replaces the placeholder message and
/// the AI analyses the Assist again.
fn set_transcript(ctx: &Ctx, assist_id: &str, transcript: &str) -> Result<(), Problem> {
    let rows = ctx.db.execute(
        "SELECT id, text FROM messages WHERE assist_id = ? AND role = 'customer' ORDER BY seq LIMIT 1",
        &[assist_id.into()],
    )?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    if first.text("text") == transcript {
        return Ok(());
    }
    ctx.db.execute(
        "UPDATE messages SET text = ? WHERE id = ?",
        &[transcript.into(), first.text("id").into()],
    )?;
    ctx.db.execute(
        "UPDATE assists SET metadata = json_set(metadata, '$.transcript', 'ready'), last_customer_message_at = ? WHERE id = ?",
        &[ctx.now_ms.into(), assist_id.into()],
    )?;
    reanalyse(ctx, assist_id, &BotSettings::default())?;
    event(
        ctx,
        assist_id,
        "transcript_added",
        "voice",
        json!({"chars": transcript.chars().count()}),
    )
}

/// Fills in a transcript fetched after the webhook was answered.
pub fn apply_fetched_transcript(
    ctx: &Ctx,
    line_id: &str,
    call_id: &str,
    transcript: &str,
) -> Result<(), Problem> {
    transaction(ctx.db, || {
        if let Some(id) = assist_for_call(ctx.db, line_id, call_id)? {
            set_transcript(ctx, &id, transcript)?;
        }
        Ok(())
    })
}

/// Records a failed fetch on the Assist, so the recording is still used.
pub fn note_fetch_failure(
    ctx: &Ctx,
    line_id: &str,
    call_id: &str,
    why: &str,
) -> Result<(), Problem> {
    if let Some(id) = assist_for_call(ctx.db, line_id, call_id)? {
        event(
            ctx,
            &id,
            "transcript_unavailable",
            "voice",
            json!({"error": why}),
        )?;
    }
    Ok(())
}

fn duration_text(secs: Option<u64>) -> String {
    match secs {
        Some(s) if s >= 60 => format!("{} min {} s", s / 60, s % 60),
        Some(s) => format!("{s} s"),
        None => "unknown length".into(),
    }
}

/// The sentiment badge of a call.
pub fn badge(sentiment: baton_ai::Sentiment, priority: baton_ai::Priority) -> &'static str {
    use baton_ai::{Priority as P, Sentiment as S};
    match (sentiment, priority) {
        (S::Frustrated, P::High | P::Urgent) => "escalation_risk",
        (S::Frustrated, _) | (S::Negative, P::Urgent) => "escalation_risk",
        (S::Negative, _) => "frustrated",
        (S::Positive, _) => "positive",
        _ => "neutral",
    }
}

/// 3 to 5 sentences: the call, what it was about, and the follow-up.
pub fn call_summary(
    duration_secs: Option<u64>,
    direction: Direction,
    caller: &str,
    when: i64,
    a: &baton_ai::Analysis,
) -> String {
    let dir = match direction {
        Direction::Outbound => "An outbound call",
        _ => "A call",
    };
    let mut s = format!(
        "{dir} of {} with {caller} at {}.",
        duration_text(duration_secs),
        crate::time::rfc3339(when)
    );
    s.push(' ');
    s.push_str(a.summary.trim());
    let follow = if let Some(order) = a.details.order_numbers.first() {
        format!(
            " Follow up: confirm the outcome for order {order} by email; a draft is ready in the reply box."
        )
    } else {
        " Follow up by email with what was agreed; a draft is ready in the reply box.".to_string()
    };
    s.push_str(&follow);
    s
}

fn call_completed(
    ctx: &Ctx,
    line: &Line,
    event: &VoiceEvent,
    duration: Option<u64>,
    transcript: Option<&str>,
    direction: Direction,
) -> Result<String, Problem> {
    let key = call_key(event);
    let caller = event
        .customer_number()
        .unwrap_or("an unknown number")
        .to_string();
    let existing = match assist_for_call(ctx.db, &line.id, &key)? {
        Some(id) => Some(id),
        // The caller's latest Assist that is not closed.
        None => match event.customer_number() {
            Some(phone) => ctx
                .db
                .execute(
                    "SELECT a.id FROM assists a JOIN customers c ON c.id = a.customer_id WHERE c.phone = ? AND a.status != 'closed' ORDER BY a.created_at DESC LIMIT 1",
                    &[phone.into()],
                )?
                .first()
                .map(|r| r.text("id")),
            None => None,
        },
    };
    let when = if event.occurred_at_unix > 0 {
        event.occurred_at_unix
    } else {
        ctx.now()
    };
    let id = match existing {
        Some(id) => {
            ctx.db.execute(
                "INSERT INTO voice_calls (line_id, call_id, assist_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                &[line.id.as_str().into(), key.as_str().into(), id.as_str().into(), ctx.now().into()],
            )?;
            id
        }
        None => new_assist(
            ctx,
            line,
            event,
            "voice",
            transcript,
            json!({"duration_secs": duration}),
        )?,
    };
    let seq = crate::assists::next_seq(ctx.db, &id)?;
    match transcript.filter(|t| !t.trim().is_empty()) {
        Some(t) => {
            let messages = [Message {
                role: Role::Customer,
                text: t.to_string(),
            }];
            let a = crate::learning::analyse(
                ctx,
                &Input {
                    messages: &messages,
                    ai_confidence: None,
                    known: &Known {
                        name: None,
                        email: None,
                        phone: event.customer_number().map(String::from),
                    },
                    history: &baton_ai::History::default(),
                    bot: &BotSettings::default(),
                },
            );
            let badge = badge(a.sentiment.value, a.priority.value);
            let summary = call_summary(duration, direction, &caller, when, &a);
            ctx.db.execute(
                "INSERT INTO messages (id, assist_id, seq, role, text, created_at, channel, meta) VALUES (?, ?, ?, 'note', ?, ?, 'voice', ?)",
                &[
                    crate::ids::new_id(ctx).into(),
                    id.as_str().into(),
                    seq.into(),
                    summary.clone().into(),
                    ctx.now().into(),
                    json!({"call": {"kind": "summary", "call_id": event.call_id, "duration_secs": duration, "sentiment": badge, "transcript": t}}).to_string().into(),
                ],
            )?;
            // The follow-up email waits in the reply box.
            ctx.db.execute(
                "UPDATE assists SET draft = ?, version = version + 1, updated_at = ? WHERE id = ?",
                &[
                    a.suggested_reply.clone().into(),
                    ctx.now().into(),
                    id.as_str().into(),
                ],
            )?;
            crate::escalation::event(
                ctx,
                &id,
                "call_summary",
                "voice",
                json!({"call_id": event.call_id, "duration_secs": duration, "sentiment": badge}),
            )?;
        }
        None => {
            let text = format!(
                "Call log: {} call of {} with {caller} at {}; no transcript.",
                match direction {
                    Direction::Outbound => "outbound",
                    Direction::Inbound => "inbound",
                    Direction::Unknown => "a",
                },
                duration_text(duration),
                crate::time::rfc3339(when)
            );
            ctx.db.execute(
                "INSERT INTO messages (id, assist_id, seq, role, text, created_at, channel, meta) VALUES (?, ?, ?, 'system', ?, ?, 'voice', ?)",
                &[
                    crate::ids::new_id(ctx).into(),
                    id.as_str().into(),
                    seq.into(),
                    text.into(),
                    ctx.now().into(),
                    json!({"call": {"kind": "log", "call_id": event.call_id, "duration_secs": duration}}).to_string().into(),
                ],
            )?;
            crate::escalation::event(
                ctx,
                &id,
                "call_logged",
                "voice",
                json!({"call_id": event.call_id, "duration_secs": duration}),
            )?;
        }
    }
    crate::assists::reindex(ctx.db, &id)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::SqliteDb;
    use crate::env::Settings;
    use crate::env::testing::{CountingRandom, MemKv};

    fn line() -> Line {
        Line {
            id: "L1".into(),
            provider: Provider::Aircall,
            credentials: Map::new(),
            webhook_secret: Some("t".into()),
            phone_number: "+14155550100".into(),
            brand_label: Some("Acme Phone".into()),
            number_filter: None,
            registration: json!({}),
        }
    }

    fn call(id: &str, transcript: Option<&str>) -> VoiceEvent {
        VoiceEvent {
            event_id: format!("call:{id}"),
            kind: VoiceEventKind::CallCompleted {
                duration_secs: Some(252),
                transcript: transcript.map(String::from),
                direction: Direction::Inbound,
            },
            call_id: id.into(),
            from_number: Some("+14155550111".into()),
            to_number: Some("+14155550100".into()),
            occurred_at_unix: 1_800_000_000,
            follow_up: None,
        }
    }

    #[test]
    fn a_completed_call_adds_a_summary_note_with_a_badge_and_a_draft() {
        let db = SqliteDb::memory();
        crate::migrate::ensure_migrated(&db, 0).unwrap();
        let (kv, random) = (MemKv::default(), CountingRandom::default());
        let ctx = Ctx {
            db: &db,
            kv: &kv,
            random: &random,
            now_ms: 1_800_000_100_000,
            client_ip: None,
            settings: Settings::default(),
        };
        let transcript = "This is the third time I call about order 55123, it still has not arrived and I am furious. I want a refund today.";
        let (id, _) = handle_event(&ctx, &line(), &call("C1", Some(transcript))).unwrap();
        let id = id.unwrap();
        let d = crate::assists::detail(&ctx, &id, None).unwrap();
        let note = d["activity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["role"] == "note")
            .cloned()
            .expect("a call summary note");
        let text = note["text"].as_str().unwrap();
        let sentences = text.matches(". ").count() + 1;
        assert!(
            (3..=6).contains(&sentences),
            "{sentences} sentences: {text}"
        );
        assert!(
            text.contains("4 min 12 s") && text.contains("55123"),
            "{text}"
        );
        let events = d["events"].to_string();
        assert!(
            events.contains("escalation_risk") || events.contains("frustrated"),
            "{events}"
        );
        assert!(
            d["ai"]["suggested_reply"]["draft"]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "{:#}",
            d["ai"]["suggested_reply"]
        );

        // Without a transcript: a call log entry on the caller's open Assist.
        let (again, _) = handle_event(&ctx, &line(), &call("C2", None)).unwrap();
        assert_eq!(again.as_deref(), Some(id.as_str()));
        let d = crate::assists::detail(&ctx, &id, None).unwrap();
        let log = d["activity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["role"] == "system")
            .cloned()
            .expect("a call log");
        assert!(
            log["text"].as_str().unwrap().contains("4 min 12 s"),
            "{log}"
        );
    }
}
