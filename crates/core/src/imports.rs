//! Help-desk imports: connected accounts (credentials sealed at rest), and
//! runs that walk a provider's open tickets page by page, each ticket with
//! its whole history becoming one Assist (channel `import`) in one
//! transaction. Reruns skip what is already here and add what changed. The
//! walk is async over a `send` function, so the component sends through
//! Spin and native tests send through anything.

use crate::db::transaction;
use crate::env::Ctx;
use crate::escalation::{NewEscalation, escalate_within, event};
use crate::problem::{FieldError, Problem};
use baton_ai::{BotSettings, Input, Known, Message, Role};
use baton_providers::helpdesk::{
    Client, Credentials, Cursor, HelpdeskProvider, MessageKind, ProviderError, Ticket,
};
use baton_providers::http::{HttpRequest, HttpResponse};
use serde_json::{Map, Value as Json, json};

/// How long one run may work: serverless requests stay short.
pub const RUN_BUDGET_MS: i64 = 20_000;
/// A run holds its importer this long at most (a crashed run frees it).
const RUN_LEASE_MS: i64 = 120_000;
/// Tries of a call that met a 5xx before the run reports it.
const SERVER_ERROR_TRIES: u32 = 3;

fn sealing_context(id: &str) -> String {
    format!("importer:{id}")
}

/// Credentials from the API's `credentials` object, checked field by field.
pub fn credentials_from(
    provider: HelpdeskProvider,
    fields: &Map<String, Json>,
) -> Result<Credentials, Problem> {
    let mut errors = Vec::new();
    let mut get = |name: &str| -> String {
        match fields.get(name).and_then(Json::as_str).map(str::trim) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                errors.push(FieldError {
                    field: format!("credentials.{name}"),
                    message: "is required".into(),
                });
                String::new()
            }
        }
    };
    let (creds, allowed): (Credentials, &[&str]) = match provider {
        HelpdeskProvider::Zendesk => (
            Credentials::Zendesk {
                subdomain: get("subdomain"),
                email: get("email"),
                api_token: get("api_token"),
            },
            &["subdomain", "email", "api_token"],
        ),
        HelpdeskProvider::Intercom => (
            Credentials::Intercom {
                access_token: get("access_token"),
            },
            &["access_token"],
        ),
        HelpdeskProvider::Freshdesk => (
            Credentials::Freshdesk {
                domain: get("domain"),
                api_key: get("api_key"),
            },
            &["domain", "api_key"],
        ),
        HelpdeskProvider::Happyfox => (
            Credentials::Happyfox {
                subdomain: get("subdomain"),
                api_key: get("api_key"),
                auth_code: get("auth_code"),
            },
            &["subdomain", "api_key", "auth_code"],
        ),
        HelpdeskProvider::Helpscout => (
            Credentials::Helpscout {
                client_id: get("client_id"),
                client_secret: get("client_secret"),
            },
            &["client_id", "client_secret"],
        ),
    };
    for key in fields.keys().filter(|k| !allowed.contains(&k.as_str())) {
        errors.push(FieldError {
            field: format!("credentials.{key}"),
            message: format!(
                "is not a {} credential (expected {})",
                provider.as_str(),
                allowed.join(", ")
            ),
        });
    }
    if errors.is_empty()
        && let Err(bad) = creds.validate()
    {
        errors.extend(bad.into_iter().map(|f| FieldError {
            field: format!("credentials.{}", f.field),
            message: f.message,
        }));
    }
    if errors.is_empty() {
        Ok(creds)
    } else {
        Err(Problem::invalid(errors))
    }
}

/// (secret JSON to seal, what may be shown).
fn credential_parts(c: &Credentials) -> (Json, Json) {
    match c {
        Credentials::Zendesk {
            subdomain,
            email,
            api_token,
        } => (
            json!({"subdomain": subdomain, "email": email, "api_token": api_token}),
            json!({"subdomain": subdomain, "email": email}),
        ),
        Credentials::Intercom { access_token } => {
            (json!({"access_token": access_token}), json!({}))
        }
        Credentials::Freshdesk { domain, api_key } => (
            json!({"domain": domain, "api_key": api_key}),
            json!({"domain": domain}),
        ),
        Credentials::Happyfox {
            subdomain,
            api_key,
            auth_code,
        } => (
            json!({"subdomain": subdomain, "api_key": api_key, "auth_code": auth_code}),
            json!({"subdomain": subdomain}),
        ),
        Credentials::Helpscout {
            client_id,
            client_secret,
        } => (
            json!({"client_id": client_id, "client_secret": client_secret}),
            json!({"client_id": client_id}),
        ),
    }
}

/// A client for these credentials, talking to `proxy_origin` instead of the
/// provider when one is configured (a forwarding proxy, or a test fake).
pub fn client(creds: Credentials, proxy_origin: Option<&str>) -> Result<Client, Problem> {
    let client = Client::new(creds).map_err(|bad| {
        Problem::invalid(
            bad.into_iter()
                .map(|f| FieldError {
                    field: format!("credentials.{}", f.field),
                    message: f.message,
                })
                .collect(),
        )
    })?;
    Ok(match proxy_origin {
        Some(origin) => client.with_origin(origin),
        None => client,
    })
}

/// Stores a checked account; answers its JSON.
pub fn create(
    ctx: &Ctx,
    creds: &Credentials,
    brand_label: Option<&str>,
    actor: &str,
) -> Result<Json, Problem> {
    let keyring = ctx.settings.keyring()?;
    let id = crate::ids::new_id(ctx);
    let (secret, summary) = credential_parts(creds);
    let sealed = keyring.seal(
        ctx.random_bytes::<12>(),
        &sealing_context(&id),
        &secret.to_string(),
    );
    ctx.db.execute(
        "INSERT INTO importers (id, provider, credentials_sealed, summary, brand_label, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            id.clone().into(),
            creds.provider().as_str().into(),
            sealed.into(),
            summary.to_string().into(),
            brand_label.map(String::from).into(),
            actor.into(),
            ctx.now().into(),
            ctx.now().into(),
        ],
    )?;
    get_json(ctx, &id)
}

const IMPORTER_JSON: &str = "SELECT i.id, i.provider, i.summary, i.brand_label, i.pass_done, i.pass_seen, i.created_at, i.running_until, \
     (SELECT COUNT(*) FROM imported_tickets t JOIN assists a ON a.id = t.assist_id WHERE json_extract(a.metadata, '$.importer_id') = i.id) AS imported, \
     r.started_at AS last_started_at, r.error AS last_error, r.done AS last_done \
     FROM importers i LEFT JOIN import_runs r ON r.id = (SELECT id FROM import_runs WHERE importer_id = i.id ORDER BY started_at DESC, id DESC LIMIT 1)";

fn row_json(r: &crate::db::Row, now_ms: i64) -> Json {
    json!({
        "id": r.text("id"),
        "provider": r.text("provider"),
        "account": serde_json::from_str::<Json>(&r.text("summary")).unwrap_or(json!({})),
        "brand_label": r.opt_text("brand_label"),
        "imported": r.int("imported"),
        "running": r.opt_int("running_until").is_some_and(|t| t > now_ms),
        "last_run": r.opt_int("last_started_at").map(|at| json!({
            "started_at": crate::time::rfc3339(at), "error": r.opt_text("last_error"), "done": r.int("last_done") == 1,
        })),
        "created_at": crate::time::rfc3339(r.int("created_at")),
    })
}

pub fn list_json(ctx: &Ctx) -> Result<Json, Problem> {
    let rows = ctx
        .db
        .execute(&format!("{IMPORTER_JSON} ORDER BY i.created_at, i.id"), &[])?;
    Ok(json!({"importers": rows.iter().map(|r| row_json(&r, ctx.now_ms)).collect::<Vec<_>>()}))
}

pub fn get_json(ctx: &Ctx, id: &str) -> Result<Json, Problem> {
    let rows = ctx
        .db
        .execute(&format!("{IMPORTER_JSON} WHERE i.id = ?"), &[id.into()])?;
    rows.first()
        .map(|r| row_json(&r, ctx.now_ms))
        .ok_or_else(|| Problem::missing("That importer"))
}

/// Removes the account; the Assists it imported stay.
pub fn delete(ctx: &Ctx, id: &str) -> Result<(), Problem> {
    transaction(ctx.db, || {
        ctx.db.execute(
            "DELETE FROM import_runs WHERE importer_id = ?",
            &[id.into()],
        )?;
        let rows = ctx.db.execute(
            "DELETE FROM importers WHERE id = ? RETURNING id",
            &[id.into()],
        )?;
        if rows.rows.is_empty() {
            return Err(Problem::missing("That importer"));
        }
        Ok(())
    })
}

pub fn runs_json(ctx: &Ctx, id: &str) -> Result<Json, Problem> {
    get_json(ctx, id)?;
    let rows = ctx.db.execute(
        "SELECT id, actor, started_at, finished_at, imported, updated, skipped, failures, remaining_estimate, done, error \
         FROM import_runs WHERE importer_id = ? ORDER BY started_at DESC, id DESC LIMIT 100",
        &[id.into()],
    )?;
    let runs: Vec<Json> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.text("id"), "actor": r.text("actor"),
                "started_at": crate::time::rfc3339(r.int("started_at")),
                "finished_at": r.opt_int("finished_at").map(crate::time::rfc3339),
                "imported": r.int("imported"), "updated": r.int("updated"), "skipped": r.int("skipped"),
                "failures": serde_json::from_str::<Json>(&r.text("failures")).unwrap_or(json!([])),
                "remaining_estimate": r.opt_int("remaining_estimate"), "done": r.int("done") == 1, "error": r.opt_text("error"),
            })
        })
        .collect();
    Ok(json!({"runs": runs}))
}

/// What a run needs of its importer.
pub struct Claimed {
    pub importer_id: String,
    pub run_id: String,
    pub credentials: Credentials,
    pub brand_label: Option<String>,
    pub cursor: Option<Cursor>,
    pub pass_seen: u64,
}

/// Starts a run: one at a time per importer (409 while one holds it). A
/// finished pass starts over from the first page (already-imported tickets
/// are skipped, changed ones updated).
pub fn claim(ctx: &Ctx, id: &str, actor: &str) -> Result<Claimed, Problem> {
    let keyring = ctx.settings.keyring()?;
    transaction(ctx.db, || {
        let rows = ctx.db.execute(
            "UPDATE importers SET running_until = ? WHERE id = ? AND (running_until IS NULL OR running_until < ?) \
             RETURNING provider, credentials_sealed, brand_label, cursor, pass_done, pass_seen",
            &[(ctx.now_ms + RUN_LEASE_MS).into(), id.into(), ctx.now_ms.into()],
        )?;
        let Some(r) = rows.first() else {
            get_json(ctx, id)?;
            return Err(Problem::conflict(
                "A run of this importer is in progress; try again when it ends.",
            ));
        };
        let secret = keyring.open(&sealing_context(id), &r.text("credentials_sealed")).ok_or_else(|| {
            Problem::conflict("The importer's credentials cannot be decrypted (was encryption_key changed?); connect the account again.")
        })?;
        let fields: Map<String, Json> = serde_json::from_str(&secret).unwrap_or_default();
        let provider = HelpdeskProvider::parse(&r.text("provider"))
            .ok_or_else(|| Problem::new(500, "The importer's provider is unknown."))?;
        let credentials = credentials_from(provider, &fields)?;
        let fresh_pass = r.int("pass_done") == 1;
        let cursor = if fresh_pass {
            None
        } else {
            r.opt_text("cursor").and_then(|c| Cursor::decode(&c))
        };
        if fresh_pass {
            ctx.db.execute(
                "UPDATE importers SET cursor = NULL, pass_done = 0, pass_seen = 0 WHERE id = ?",
                &[id.into()],
            )?;
        }
        let run_id = crate::ids::new_id(ctx);
        ctx.db.execute(
            "INSERT INTO import_runs (id, importer_id, actor, started_at) VALUES (?, ?, ?, ?)",
            &[
                run_id.clone().into(),
                id.into(),
                actor.into(),
                ctx.now().into(),
            ],
        )?;
        Ok(Claimed {
            importer_id: id.to_string(),
            run_id,
            credentials,
            brand_label: r.opt_text("brand_label"),
            cursor,
            pass_seen: if fresh_pass {
                0
            } else {
                r.int("pass_seen").max(0) as u64
            },
        })
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketOutcome {
    Imported,
    /// Already here; `n` messages it lacked were added.
    Updated(usize),
    Skipped,
}

fn role_of(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Customer => "customer",
        MessageKind::PublicReply => "agent",
        MessageKind::PrivateNote => "note",
    }
}

fn insert_messages(
    ctx: &Ctx,
    assist_id: &str,
    first_seq: i64,
    messages: &[baton_providers::helpdesk::TicketMessage],
) -> Result<(), Problem> {
    for (i, m) in messages.iter().enumerate() {
        let meta = json!({"import": {"kind": m.kind.as_str(), "author_name": m.author_name, "author_email": m.author_email, "provider_id": m.provider_id}});
        ctx.db.execute(
            "INSERT INTO messages (id, assist_id, seq, role, text, created_at, channel, meta) VALUES (?, ?, ?, ?, ?, ?, 'import', ?)",
            &[
                crate::ids::new_id(ctx).into(),
                assist_id.into(),
                (first_seq + i as i64).into(),
                role_of(m.kind).into(),
                m.text.clone().into(),
                m.created_at_unix.into(),
                meta.to_string().into(),
            ],
        )?;
    }
    Ok(())
}

/// Stores one ticket with its history (one transaction).
pub fn store_ticket(
    ctx: &Ctx,
    claimed: &Claimed,
    origin: &str,
    t: &Ticket,
) -> Result<TicketOutcome, Problem> {
    let provider = t.provider.as_str();
    transaction(ctx.db, || {
        let known = ctx.db.execute(
            "SELECT assist_id, message_count FROM imported_tickets WHERE provider = ? AND origin = ? AND ticket_id = ?",
            &[provider.into(), origin.into(), t.provider_id.as_str().into()],
        )?;
        if let Some(k) = known.first() {
            let have = k.int("message_count").max(0) as usize;
            if t.messages.len() <= have {
                return Ok(TicketOutcome::Skipped);
            }
            let assist_id = k.text("assist_id");
            let added = &t.messages[have..];
            let seq = crate::assists::next_seq(ctx.db, &assist_id)?;
            insert_messages(ctx, &assist_id, seq, added)?;
            if let Some(last) = added
                .iter()
                .filter(|m| m.kind == MessageKind::Customer)
                .map(|m| m.created_at_unix)
                .max()
            {
                ctx.db.execute(
                    "UPDATE assists SET last_customer_message_at = MAX(COALESCE(last_customer_message_at, 0), ?) WHERE id = ?",
                    &[(last * 1000).into(), assist_id.as_str().into()],
                )?;
            }
            ctx.db.execute(
                "UPDATE assists SET version = version + 1, updated_at = ? WHERE id = ?",
                &[ctx.now().into(), assist_id.as_str().into()],
            )?;
            ctx.db.execute(
                "UPDATE imported_tickets SET message_count = ?, ticket_updated_at = ? WHERE provider = ? AND origin = ? AND ticket_id = ?",
                &[(t.messages.len() as i64).into(), t.updated_at_unix.into(), provider.into(), origin.into(), t.provider_id.as_str().into()],
            )?;
            crate::assists::reindex(ctx.db, &assist_id)?;
            event(
                ctx,
                &assist_id,
                "import_updated",
                &format!("import:{provider}"),
                json!({"ticket_id": t.provider_id, "added_messages": added.len()}),
            )?;
            return Ok(TicketOutcome::Updated(added.len()));
        }
        let assist_id = create_assist(ctx, claimed, t)?;
        ctx.db.execute(
            "INSERT INTO imported_tickets (provider, origin, ticket_id, assist_id, ticket_updated_at, message_count, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[provider.into(), origin.into(), t.provider_id.as_str().into(), assist_id.into(), t.updated_at_unix.into(), (t.messages.len() as i64).into(), ctx.now().into()],
        )?;
        Ok(TicketOutcome::Imported)
    })
}

fn create_assist(ctx: &Ctx, claimed: &Claimed, t: &Ticket) -> Result<String, Problem> {
    let r = &t.requester;
    let email = r
        .email
        .as_deref()
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| crate::validate::check_email(e).is_ok());
    let name = r
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| email.clone())
        .or_else(|| r.phone.clone())
        .unwrap_or_else(|| "Customer".into());
    let name: String = name.chars().take(crate::validate::MAX_NAME_CHARS).collect();
    // The AI reads the conversation the customer saw; notes stay out.
    let mut seen: Vec<Message> = t
        .messages
        .iter()
        .filter(|m| m.kind != MessageKind::PrivateNote && !m.text.trim().is_empty())
        .map(|m| Message {
            role: if m.kind == MessageKind::Customer {
                Role::Customer
            } else {
                Role::Assistant
            },
            text: m.text.clone(),
        })
        .collect();
    if !t.subject.trim().is_empty() {
        seen.insert(
            0,
            Message {
                role: Role::Customer,
                text: t.subject.clone(),
            },
        );
    }
    if seen.is_empty() {
        seen.push(Message {
            role: Role::Customer,
            text: "(an imported ticket without messages)".into(),
        });
    }
    let known = Known {
        name: Some(name.clone()),
        email: email.clone(),
        phone: r.phone.clone(),
    };
    let session = format!(
        "import:{}:{}:{}",
        t.provider.as_str(),
        claimed.importer_id,
        t.provider_id
    );
    let metadata = json!({
        "importer_id": claimed.importer_id, "provider": t.provider.as_str(), "ticket_id": t.provider_id,
        "subject": t.subject, "status": t.status, "tags": t.tags,
    });
    let bot = BotSettings::default();
    let outcome = escalate_within(
        ctx,
        &NewEscalation {
            bot_id: None,
            session_id: &session,
            messages: &seen,
            name: &name,
            email: email.as_deref(),
            phone: r.phone.as_deref(),
            name_is_placeholder: r.name.is_none(),
            channel: "import",
            metadata: &metadata,
            reason: None,
        },
        |history| {
            crate::learning::analyse(
                ctx,
                &Input {
                    messages: &seen,
                    ai_confidence: None,
                    known: &known,
                    history,
                    bot: &bot,
                },
            )
        },
    )?;
    let id = outcome.assist_id;
    // The stored transcript is the ticket's own history, roles kept apart.
    ctx.db.execute(
        "DELETE FROM messages WHERE assist_id = ?",
        &[id.as_str().into()],
    )?;
    insert_messages(ctx, &id, 1, &t.messages)?;
    let last_customer = t
        .messages
        .iter()
        .filter(|m| m.kind == MessageKind::Customer)
        .map(|m| m.created_at_unix)
        .max()
        .unwrap_or(t.created_at_unix);
    ctx.db.execute(
        "UPDATE assists SET transcript_length = ?, brand_label = ?, created_at = ?, last_customer_message_at = ? WHERE id = ?",
        &[
            (t.messages.len() as i64).into(),
            claimed.brand_label.clone().into(),
            t.created_at_unix.min(ctx.now()).into(),
            (last_customer * 1000).into(),
            id.as_str().into(),
        ],
    )?;
    crate::assists::reindex(ctx.db, &id)?;
    Ok(id)
}

/// What a run did, as the API answers it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RunReport {
    pub imported: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failures: Vec<Json>,
    pub remaining_estimate: Option<u64>,
    pub done: bool,
    pub error: Option<String>,
    pub retry_after: Option<u64>,
}

impl RunReport {
    pub fn to_json(&self, run_id: &str) -> Json {
        json!({
            "run_id": run_id, "imported": self.imported, "updated": self.updated, "skipped": self.skipped,
            "failed": self.failures.len(), "failures": self.failures,
            "remaining_estimate": self.remaining_estimate, "done": self.done,
            "error": self.error, "retry_after": self.retry_after,
        })
    }
}

fn describe(e: &ProviderError) -> String {
    match e {
        ProviderError::BadCredentials(m) => format!("The help desk refused the credentials: {m}"),
        ProviderError::MissingPermission(m) => format!("The credentials may not read tickets: {m}"),
        ProviderError::RateLimited { .. } => {
            "The help desk's rate limit was reached; run again after the wait it asked for.".into()
        }
        other => format!("The help desk call failed: {other}"),
    }
}

/// Sends with a short retry on 5xx and network errors.
async fn call<F>(send: &mut F, req: HttpRequest) -> Result<HttpResponse, ProviderError>
where
    F: AsyncFnMut(HttpRequest) -> Result<HttpResponse, String>,
{
    let mut last = ProviderError::Other("not sent".into());
    for _ in 0..SERVER_ERROR_TRIES {
        match send(req.clone()).await {
            Ok(resp) if resp.status >= 500 => {
                last = ProviderError::Server {
                    status: resp.status,
                    message: String::from_utf8_lossy(&resp.body)
                        .chars()
                        .take(200)
                        .collect(),
                }
            }
            Ok(resp) => return Ok(resp),
            Err(e) => last = ProviderError::Other(format!("could not reach the help desk: {e}")),
        }
    }
    Err(last)
}

/// One run: from the stored cursor, page by page, until the batch size,
/// the time budget (`elapsed_ms` says how much is used) or the end.
pub async fn run<'a, F>(
    ctx_at: &dyn Fn() -> Ctx<'a>,
    claimed: &Claimed,
    mut client: Client,
    mut send: F,
    elapsed_ms: &dyn Fn() -> i64,
) -> RunReport
where
    F: AsyncFnMut(HttpRequest) -> Result<HttpResponse, String>,
{
    let mut report = RunReport::default();
    let provider = client.provider();
    let batch = provider.batch_size() as u64;
    // The account's own origin keys imported tickets, so two accounts of
    // one provider never collide, even behind one proxy.
    let origin = claimed
        .credentials
        .origin()
        .unwrap_or_else(|_| client.origin().to_string());
    let mut cursor = claimed.cursor.clone();
    let mut seen = claimed.pass_seen;
    let mut total: Option<u64> = None;
    let fail = |report: &mut RunReport, e: &ProviderError| {
        report.error = Some(describe(e));
        report.retry_after = e.wait_secs(ctx_at().now());
    };
    if let Some(token_req) = client.token_request() {
        match call(&mut send, token_req)
            .await
            .and_then(|r| client.parse_token(&r))
        {
            Ok(token) => client = client.with_access_token(token.token),
            Err(e) => {
                fail(&mut report, &e);
                return finish(ctx_at, claimed, report, seen, total);
            }
        }
    }
    if let Some(count_req) = client.count_request()
        && let Ok(resp) = call(&mut send, count_req).await
        && let Ok(n) = client.parse_count(&resp)
    {
        total = Some(n);
    }
    let mut restarted = false;
    loop {
        let page = match call(&mut send, client.list_request(cursor.as_ref()))
            .await
            .and_then(|r| client.parse_list(cursor.as_ref(), &r))
        {
            Ok(p) => p,
            // An expired provider cursor: start the pass over once.
            Err(ProviderError::Other(_)) | Err(ProviderError::NotFound(_))
                if cursor.is_some() && !restarted =>
            {
                restarted = true;
                cursor = None;
                seen = 0;
                continue;
            }
            Err(e) => {
                fail(&mut report, &e);
                break;
            }
        };
        if page.total_estimate.is_some() {
            total = page.total_estimate;
        }
        for s in &page.skipped {
            report
                .failures
                .push(json!({"ticket_id": s.id, "reason": s.reason}));
        }
        if page.unreachable > 0 {
            report.failures.push(json!({"ticket_id": null, "reason": format!("{} tickets cannot be paged to through the provider's search API", page.unreachable)}));
        }
        let mut stopped = false;
        for mut ticket in page.tickets {
            let mut hc: Option<Cursor> = None;
            let mut broken = None;
            while !ticket.history_complete {
                match call(&mut send, client.history_request(&ticket, hc.as_ref()))
                    .await
                    .and_then(|r| client.parse_history(&ticket, hc.as_ref(), &r))
                {
                    Ok(h) => hc = ticket.absorb(h),
                    Err(e @ (ProviderError::Malformed(_) | ProviderError::NotFound(_))) => {
                        broken = Some(e.to_string());
                        break;
                    }
                    Err(e) => {
                        fail(&mut report, &e);
                        stopped = true;
                        break;
                    }
                }
            }
            if stopped {
                break;
            }
            if let Some(reason) = broken {
                report
                    .failures
                    .push(json!({"ticket_id": ticket.provider_id, "reason": reason}));
                continue;
            }
            match store_ticket(&ctx_at(), claimed, &origin, &ticket) {
                Ok(TicketOutcome::Imported) => report.imported += 1,
                Ok(TicketOutcome::Updated(_)) => report.updated += 1,
                Ok(TicketOutcome::Skipped) => report.skipped += 1,
                Err(p) => report
                    .failures
                    .push(json!({"ticket_id": ticket.provider_id, "reason": p.detail})),
            }
        }
        if stopped {
            break;
        }
        // Progress is kept per page: a later run continues after it.
        cursor = page.next;
        let processed =
            report.imported + report.updated + report.skipped + report.failures.len() as u64;
        if cursor.is_none() {
            report.done = true;
        }
        if let Err(p) = save_progress(
            &ctx_at(),
            &claimed.importer_id,
            cursor.as_ref(),
            report.done,
            seen + processed,
        ) {
            report.error = Some(p.detail);
            break;
        }
        if report.done || processed >= batch || elapsed_ms() >= RUN_BUDGET_MS {
            break;
        }
    }
    let processed =
        report.imported + report.updated + report.skipped + report.failures.len() as u64;
    finish(ctx_at, claimed, report, seen + processed, total)
}

fn save_progress(
    ctx: &Ctx,
    id: &str,
    cursor: Option<&Cursor>,
    done: bool,
    seen: u64,
) -> Result<(), Problem> {
    ctx.db.execute(
        "UPDATE importers SET cursor = ?, pass_done = ?, pass_seen = ?, updated_at = ? WHERE id = ?",
        &[cursor.map(Cursor::encode).into(), done.into(), (seen as i64).into(), ctx.now().into(), id.into()],
    )?;
    Ok(())
}

fn finish<'a>(
    ctx_at: &dyn Fn() -> Ctx<'a>,
    claimed: &Claimed,
    mut report: RunReport,
    seen: u64,
    total: Option<u64>,
) -> RunReport {
    report.remaining_estimate = if report.done {
        Some(0)
    } else {
        total.map(|t| t.saturating_sub(seen))
    };
    let ctx = ctx_at();
    let _ = transaction(ctx.db, || {
        ctx.db.execute(
            "UPDATE import_runs SET finished_at = ?, imported = ?, updated = ?, skipped = ?, failures = ?, remaining_estimate = ?, done = ?, error = ? WHERE id = ?",
            &[
                ctx.now().into(),
                (report.imported as i64).into(),
                (report.updated as i64).into(),
                (report.skipped as i64).into(),
                Json::Array(report.failures.clone()).to_string().into(),
                report.remaining_estimate.map(|r| r as i64).into(),
                report.done.into(),
                report.error.clone().into(),
                claimed.run_id.as_str().into(),
            ],
        )?;
        ctx.db.execute(
            "UPDATE importers SET running_until = NULL WHERE id = ?",
            &[claimed.importer_id.as_str().into()],
        )?;
        Ok::<_, Problem>(())
    });
    report
}
