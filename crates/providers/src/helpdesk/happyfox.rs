//! HappyFox API 1.1 (JSON).
//!
//! * Auth: Basic `{api_key}:{auth_code}`.
//! * Check: `GET /api/1.1/json/statuses/` (small, and needs the same
//!   credentials as tickets; HappyFox has no "me" endpoint).
//! * List: `GET /api/1.1/json/tickets/?size=50&page=N&status=_pending`:
//!   `size` is at most 50; `status=_pending` asks for every status whose
//!   behaviour is "pending" (not "completed"), and the parser drops any
//!   completed ticket that still comes back. `page_info.count` is the
//!   total, `page_info.page_count` the last page. Tickets come with their
//!   `updates`, so no second call is needed; one without them is read with
//!   `GET /api/1.1/json/ticket/{id}/`.
//! * Updates: `by.type` `user` is the customer, `staff` an agent; a
//!   `message.message_type` of `p` is a private note; updates without a
//!   message (status or assignee changes) are not messages. Timestamps are
//!   `YYYY-MM-DD hh:mm:ss` in UTC.
//! * Rate limits: 500 GETs a minute; past it every call answers 429 for ten
//!   minutes. No rate-limit headers are documented.

use serde_json::Value;

use super::wire;
use super::{
    Client, Cursor, CursorState, HelpdeskProvider, HistoryPage, MessageKind, Page, Person,
    ProviderError, Ticket, TicketMessage, each_ticket, required_time, text,
};
use crate::http::{HttpRequest, HttpResponse};

const PAGE_SIZE: &str = "50";
const BASE: &str = "/api/1.1/json";

fn auth(c: &Client) -> Option<String> {
    match c.credentials() {
        super::Credentials::Happyfox {
            api_key, auth_code, ..
        } => Some(wire::basic(api_key, auth_code)),
        _ => None,
    }
}

pub(crate) fn check_request(c: &Client) -> HttpRequest {
    wire::get(c.url(&format!("{BASE}/statuses/")), auth(c), &[])
}

pub(crate) fn check_response(resp: &HttpResponse) -> Result<(), ProviderError> {
    let v = wire::json(resp, "statuses")?;
    if !v.is_array() {
        return Err(ProviderError::Malformed("statuses: not a list".into()));
    }
    Ok(())
}

fn page_of(state: Option<&CursorState>) -> u32 {
    match state {
        Some(CursorState::Page { page }) => (*page).max(1),
        _ => 1,
    }
}

pub(crate) fn list_request(c: &Client, state: Option<&CursorState>) -> HttpRequest {
    let page = page_of(state).to_string();
    let q = wire::query(&[("size", PAGE_SIZE), ("page", &page), ("status", "_pending")]);
    wire::get(c.url(&format!("{BASE}/tickets/?{q}")), auth(c), &[])
}

pub(crate) fn parse_list(
    state: Option<&CursorState>,
    resp: &HttpResponse,
) -> Result<Page, ProviderError> {
    let v = wire::json(resp, "tickets")?;
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("tickets: no data array".into()))?;
    let info = v.get("page_info").unwrap_or(&Value::Null);
    let page = page_of(state);
    let last = wire::int(info, "page_count").unwrap_or(0);
    let (tickets, skipped) = each_ticket(data, "id", parse_ticket);
    let next = (!data.is_empty() && i64::from(page) < last).then(|| {
        Cursor(CursorState::Page {
            page: page.saturating_add(1),
        })
    });
    Ok(Page {
        tickets,
        skipped,
        next,
        total_estimate: wire::int(info, "count").and_then(|n| u64::try_from(n).ok()),
        unreachable: 0,
    })
}

fn phone(user: &Value) -> Option<String> {
    if let Some(phones) = user.get("phones").and_then(Value::as_array) {
        let primary = phones
            .iter()
            .find(|p| p.get("is_primary").and_then(Value::as_bool) == Some(true))
            .or_else(|| phones.first());
        if let Some(n) = primary.and_then(|p| wire::text(p, "number")) {
            return Some(n);
        }
    }
    wire::text(user, "phone")
}

/// Tags come as a list or as one comma-separated string.
fn tags(t: &Value) -> Vec<String> {
    match t.get("tags") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.trim().to_string()),
                other => wire::text(other, "name"),
            })
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn parse_ticket(t: &Value) -> Result<Option<Ticket>, String> {
    let id = t.get("id").and_then(wire::id).ok_or("id is missing")?;
    let status = t.get("status").ok_or("status is missing")?;
    if wire::text(status, "behavior").as_deref() == Some("completed") {
        return Ok(None);
    }
    let status_name = wire::text(status, "name").unwrap_or_else(|| "pending".into());
    let created = required_time(t, "created_at", wire::happyfox_time)?;
    let updated = ["last_updated_at", "last_modified", "updated_at"]
        .iter()
        .find_map(|k| wire::text(t, k).and_then(|s| wire::happyfox_time(&s)))
        .unwrap_or(created);
    let user = t.get("user").unwrap_or(&Value::Null);
    let requester = Person {
        id: user.get("id").and_then(wire::id),
        name: wire::text(user, "name"),
        email: wire::text(user, "email"),
        phone: phone(user),
    };
    let (messages, complete) = match t.get("updates").and_then(Value::as_array) {
        Some(updates) => {
            let mut messages = parse_updates(updates, &requester)?;
            messages.sort_by_key(|m| m.created_at_unix);
            (messages, true)
        }
        None => (Vec::new(), false),
    };
    Ok(Some(Ticket {
        provider: HelpdeskProvider::Happyfox,
        provider_id: id,
        subject: wire::text(t, "subject").unwrap_or_default(),
        status: status_name,
        created_at_unix: created,
        updated_at_unix: updated,
        requester,
        messages,
        tags: tags(t),
        history_complete: complete,
    }))
}

fn parse_updates(updates: &[Value], requester: &Person) -> Result<Vec<TicketMessage>, String> {
    let mut messages = Vec::new();
    for (i, u) in updates.iter().enumerate() {
        let Some(message) = u.get("message").filter(|m| m.is_object()) else {
            continue;
        };
        let body = wire::text(message, "text")
            .map(|s| text::plain(&s))
            .or_else(|| wire::text(message, "html").map(|h| text::html_to_text(&h)))
            .unwrap_or_default();
        if body.is_empty() {
            continue;
        }
        let at = required_time(u, "timestamp", wire::happyfox_time)
            .map_err(|e| format!("update {i}: {e}"))?;
        let by = u.get("by").unwrap_or(&Value::Null);
        let by_user = wire::text(by, "type").as_deref() == Some("user");
        let kind = if wire::text(message, "message_type").as_deref() == Some("p") {
            MessageKind::PrivateNote
        } else if by_user {
            MessageKind::Customer
        } else {
            MessageKind::PublicReply
        };
        let by_requester = by_user && by.get("id").and_then(wire::id) == requester.id;
        messages.push(TicketMessage {
            provider_id: u.get("update_id").and_then(wire::id),
            kind,
            author_name: wire::text(by, "name")
                .or_else(|| by_requester.then(|| requester.name.clone()).flatten()),
            author_email: wire::text(by, "email")
                .or_else(|| by_requester.then(|| requester.email.clone()).flatten()),
            text: body,
            created_at_unix: at,
        });
    }
    Ok(messages)
}

pub(crate) fn history_request(c: &Client, id: &str) -> HttpRequest {
    wire::get(
        c.url(&format!("{BASE}/ticket/{}/", wire::segment(id))),
        auth(c),
        &[],
    )
}

pub(crate) fn parse_history(resp: &HttpResponse) -> Result<HistoryPage, ProviderError> {
    let v = wire::json(resp, "ticket")?;
    let bad = |e: String| ProviderError::Malformed(format!("ticket: {e}"));
    // The detail is a whole ticket; a completed one still has a history.
    let mut t = v.clone();
    if let Some(status) = t.get_mut("status").and_then(Value::as_object_mut) {
        status.remove("behavior");
    }
    let ticket = parse_ticket(&t)
        .map_err(bad)?
        .ok_or_else(|| bad("unreadable".into()))?;
    if !ticket.history_complete {
        return Err(bad("no updates".into()));
    }
    Ok(HistoryPage {
        messages: ticket.messages,
        requester: Some(ticket.requester),
        next: None,
    })
}
