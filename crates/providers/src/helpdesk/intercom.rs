//! Intercom REST API (conversations).
//!
//! * Auth: `Authorization: Bearer <access token>` and `Intercom-Version`.
//! * Check: `GET /me` (the admin the token belongs to).
//! * List: `POST /conversations/search` with `state IN [open, snoozed]`,
//!   `per_page` ≤ 150 (50 here), `starting_after` from `pages.next`; the
//!   walk ends when `pages.next` is absent. `total_count` is the estimate.
//! * History: `GET /conversations/{id}`: `source` is the first message,
//!   `conversation_parts` the rest, of which Intercom returns only the 500
//!   most recent. Part type `note` is internal; other parts with a body are
//!   messages, by the author's type (user, lead or contact: the customer;
//!   admin, bot or team: a public reply). Bodies are HTML.
//! * Rate limits: `X-RateLimit-Limit`, `-Remaining`, `-Reset` (unix time);
//!   429 on excess.

use serde_json::{Value, json};

use super::wire;
use super::{
    Client, CursorState, HelpdeskProvider, HistoryPage, MessageKind, Page, Person, ProviderError,
    Ticket, TicketMessage, each_ticket, text,
};
use crate::http::{HttpRequest, HttpResponse};

/// The API version Baton speaks; its conversation and search shapes are
/// the ones parsed here.
pub(crate) const VERSION: &str = "2.14";
const PER_PAGE: u64 = 50;
const OPEN_STATES: &[&str] = &["open", "snoozed"];

fn headers(c: &Client) -> (Option<String>, [(&'static str, &'static str); 1]) {
    let auth = match c.credentials() {
        super::Credentials::Intercom { access_token } => Some(format!("Bearer {access_token}")),
        _ => None,
    };
    (auth, [("intercom-version", VERSION)])
}

pub(crate) fn check_request(c: &Client) -> HttpRequest {
    let (auth, extra) = headers(c);
    wire::get(c.url("/me"), auth, &extra)
}

pub(crate) fn check_response(resp: &HttpResponse) -> Result<(), ProviderError> {
    let v = wire::json(resp, "/me")?;
    if v.get("id").and_then(wire::id).is_none() {
        return Err(ProviderError::Malformed("/me: no admin id".into()));
    }
    Ok(())
}

pub(crate) fn list_request(c: &Client, state: Option<&CursorState>) -> HttpRequest {
    let mut pagination = json!({ "per_page": PER_PAGE });
    if let Some(CursorState::After { after }) = state {
        pagination["starting_after"] = json!(after);
    }
    let body = json!({
        "query": { "field": "state", "operator": "IN", "value": OPEN_STATES },
        "pagination": pagination,
    });
    let (auth, extra) = headers(c);
    wire::post(
        c.url("/conversations/search"),
        auth,
        "application/json",
        body.to_string().into_bytes(),
        &extra,
    )
}

pub(crate) fn parse_list(resp: &HttpResponse) -> Result<Page, ProviderError> {
    let v = wire::json(resp, "conversations/search")?;
    let items = v
        .get("conversations")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("conversations/search: no conversations".into()))?;
    let (tickets, skipped) = each_ticket(items, "id", parse_conversation);
    let next = v
        .get("pages")
        .and_then(|p| p.get("next"))
        .and_then(|n| wire::text(n, "starting_after"))
        .map(|after| super::Cursor(CursorState::After { after }));
    Ok(Page {
        tickets,
        skipped,
        next,
        total_estimate: v.get("total_count").and_then(Value::as_u64),
        unreachable: 0,
    })
}

fn unix(v: &Value, key: &str) -> Result<i64, String> {
    match v.get(key) {
        Some(n @ Value::Number(_)) => n
            .as_i64()
            .filter(|t| *t >= 0)
            .ok_or_else(|| format!("{key} is not a unix time: {n}")),
        None | Some(Value::Null) => Err(format!("{key} is missing")),
        Some(other) => Err(format!("{key} is not a unix time: {other}")),
    }
}

fn is_customer(author_type: Option<&str>) -> bool {
    matches!(author_type, Some("user" | "lead" | "contact"))
}

fn person(author: &Value) -> Person {
    Person {
        id: author.get("id").and_then(wire::id),
        name: wire::text(author, "name"),
        email: wire::text(author, "email"),
        phone: None,
    }
}

fn parse_conversation(c: &Value) -> Result<Option<Ticket>, String> {
    let id = c.get("id").and_then(wire::id).ok_or("id is missing")?;
    let state = wire::text(c, "state").ok_or("state is missing")?;
    if !OPEN_STATES.contains(&state.as_str()) {
        return Ok(None);
    }
    let created = unix(c, "created_at")?;
    let updated = unix(c, "updated_at").unwrap_or(created);
    let source = c.get("source");
    let subject = wire::text(c, "title")
        .or_else(|| source.and_then(|s| wire::text(s, "subject")))
        .map(|s| text::html_to_text(&s))
        .unwrap_or_default();
    let requester = source
        .and_then(|s| s.get("author"))
        .filter(|a| is_customer(a.get("type").and_then(Value::as_str)))
        .map(person)
        .unwrap_or_default();
    let tags = c
        .get("tags")
        .and_then(|t| t.get("tags"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|t| wire::text(t, "name")).collect())
        .unwrap_or_default();
    Ok(Some(Ticket {
        provider: HelpdeskProvider::Intercom,
        provider_id: id,
        subject,
        status: state,
        created_at_unix: created,
        updated_at_unix: updated,
        requester,
        messages: Vec::new(),
        tags,
        history_complete: false,
    }))
}

pub(crate) fn history_request(c: &Client, id: &str) -> HttpRequest {
    let (auth, extra) = headers(c);
    wire::get(
        c.url(&format!("/conversations/{}", wire::segment(id))),
        auth,
        &extra,
    )
}

pub(crate) fn parse_history(resp: &HttpResponse) -> Result<HistoryPage, ProviderError> {
    let v = wire::json(resp, "conversation")?;
    let bad = |e: String| ProviderError::Malformed(format!("conversation: {e}"));
    let created = unix(&v, "created_at").map_err(bad)?;
    let mut messages = Vec::new();
    let mut requester: Option<Person> = None;
    if let Some(source) = v.get("source").filter(|s| s.is_object()) {
        let author = source.get("author").unwrap_or(&Value::Null);
        let customer = is_customer(author.get("type").and_then(Value::as_str));
        if customer {
            requester = Some(person(author));
        }
        let body = wire::text(source, "body")
            .map(|b| text::html_to_text(&b))
            .unwrap_or_default();
        if !body.is_empty() {
            messages.push(TicketMessage {
                provider_id: source.get("id").and_then(wire::id),
                kind: if customer {
                    MessageKind::Customer
                } else {
                    // An outbound message an admin started.
                    MessageKind::PublicReply
                },
                author_name: wire::text(author, "name"),
                author_email: wire::text(author, "email"),
                text: body,
                created_at_unix: created,
            });
        }
    }
    let parts = v
        .get("conversation_parts")
        .and_then(|p| p.get("conversation_parts"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, part) in parts.iter().enumerate() {
        let body = wire::text(part, "body")
            .map(|b| text::html_to_text(&b))
            .unwrap_or_default();
        // Assignments, state changes and redacted parts carry no message.
        if body.is_empty() || part.get("redacted").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let at = unix(part, "created_at").map_err(|e| bad(format!("part {i}: {e}")))?;
        let author = part.get("author").unwrap_or(&Value::Null);
        let author_type = author.get("type").and_then(Value::as_str);
        let kind = if wire::text(part, "part_type").as_deref() == Some("note") {
            MessageKind::PrivateNote
        } else if is_customer(author_type) {
            MessageKind::Customer
        } else {
            MessageKind::PublicReply
        };
        if kind == MessageKind::Customer && requester.is_none() {
            requester = Some(person(author));
        }
        messages.push(TicketMessage {
            provider_id: part.get("id").and_then(wire::id),
            kind,
            author_name: wire::text(author, "name"),
            author_email: wire::text(author, "email"),
            text: body,
            created_at_unix: at,
        });
    }
    Ok(HistoryPage {
        messages,
        requester,
        next: None,
    })
}
