//! Help Scout Inbox (Mailbox) API 2.0.
//!
//! * Token: `POST /v2/oauth2/token` with `grant_type=client_credentials`,
//!   `client_id`, `client_secret` (form-encoded); the answer's
//!   `access_token` lasts `expires_in` seconds (two days). No scopes.
//! * Auth: `Authorization: Bearer <token>`.
//! * Check: `GET /v2/users/me`.
//! * List: `GET /v2/conversations?status=active&embed=threads&page=N
//!   &sortField=createdAt&sortOrder=asc`, then the same with
//!   `status=pending`: whether `status=open` means both is not documented
//!   firmly, so each is walked alone. HAL pages of 25: `_embedded.
//!   conversations`, `page.totalElements`, and `_links.next` while there is
//!   more. Oldest first keeps page numbers stable as new conversations
//!   arrive. `embed=threads` brings each conversation's threads.
//! * History (only if threads were not embedded): `GET /v2/conversations/
//!   {id}/threads?page=N`, HAL-paged, newest first.
//! * Threads: `customer` is the customer, `message` an agent's reply,
//!   `note` an internal note, `chat` and `phone` by `createdBy.type`,
//!   forwards internal; `lineitem` (activity) and unpublished threads
//!   (drafts) are not messages. Bodies are HTML.
//! * Rate limits: `X-RateLimit-Limit-Minute`, `-Remaining-Minute`; 429 with
//!   `X-RateLimit-Retry-After` seconds.

use serde_json::Value;

use super::wire;
use super::{
    AccessToken, Client, Cursor, CursorState, HelpdeskProvider, HistoryPage, MessageKind, Page,
    Person, ProviderError, Ticket, TicketMessage, each_ticket, required_time, text,
};
use crate::http::{HttpRequest, HttpResponse};

/// Walked in this order.
const STATUSES: [&str; 2] = ["active", "pending"];

pub(crate) fn token_request(c: &Client, client_id: &str, client_secret: &str) -> HttpRequest {
    let body = wire::query(&[
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", client_secret),
    ]);
    wire::post(
        c.url("/v2/oauth2/token"),
        None,
        "application/x-www-form-urlencoded",
        body.into_bytes(),
        &[],
    )
}

pub(crate) fn parse_token(resp: &HttpResponse) -> Result<AccessToken, ProviderError> {
    // The token endpoint refuses an unknown app with 401 or 400 and an
    // OAuth error body ({"error":"invalid_client", ...}).
    if resp.status == 400 || resp.status == 401 {
        return Err(ProviderError::BadCredentials(wire::error_message(resp)));
    }
    if !(200..300).contains(&resp.status) {
        return Err(super::error_for(HelpdeskProvider::Helpscout, resp));
    }
    let v = wire::json(resp, "oauth2/token")?;
    let token = wire::text(&v, "access_token")
        .ok_or_else(|| ProviderError::Malformed("oauth2/token: no access_token".into()))?;
    Ok(AccessToken {
        token,
        expires_in_secs: v.get("expires_in").and_then(Value::as_u64),
    })
}

pub(crate) fn check_request(c: &Client) -> HttpRequest {
    wire::get(c.url("/v2/users/me"), c.bearer(), &[])
}

pub(crate) fn check_response(resp: &HttpResponse) -> Result<(), ProviderError> {
    let v = wire::json(resp, "users/me")?;
    if v.get("id").and_then(wire::id).is_none() {
        return Err(ProviderError::Malformed("users/me: no user id".into()));
    }
    Ok(())
}

/// (status index, page, conversations in statuses already walked).
fn position(state: Option<&CursorState>) -> (usize, u32, u64) {
    match state {
        Some(CursorState::Status { status, page, done }) => (
            usize::from(*status).min(STATUSES.len() - 1),
            (*page).max(1),
            *done,
        ),
        _ => (0, 1, 0),
    }
}

pub(crate) fn list_request(c: &Client, state: Option<&CursorState>) -> HttpRequest {
    let (status, page, _) = position(state);
    let page = page.to_string();
    let q = wire::query(&[
        ("status", STATUSES[status]),
        ("embed", "threads"),
        ("page", &page),
        ("sortField", "createdAt"),
        ("sortOrder", "asc"),
    ]);
    wire::get(c.url(&format!("/v2/conversations?{q}")), c.bearer(), &[])
}

fn has_next(v: &Value) -> bool {
    v.get("_links")
        .and_then(|l| l.get("next"))
        .and_then(|n| wire::text(n, "href"))
        .is_some()
}

pub(crate) fn parse_list(
    state: Option<&CursorState>,
    resp: &HttpResponse,
) -> Result<Page, ProviderError> {
    let v = wire::json(resp, "conversations")?;
    // An empty result may leave `_embedded` out.
    let items = match v.get("_embedded").and_then(|e| e.get("conversations")) {
        Some(Value::Array(a)) => a.as_slice(),
        None | Some(Value::Null) if v.get("page").is_some() => &[],
        _ => {
            return Err(ProviderError::Malformed(
                "conversations: no _embedded.conversations".into(),
            ));
        }
    };
    let (status, page, done) = position(state);
    let this_total = v
        .get("page")
        .and_then(|p| p.get("totalElements"))
        .and_then(Value::as_u64);
    let (tickets, skipped) = each_ticket(items, "id", parse_conversation);
    let next = if !items.is_empty() && has_next(&v) {
        Some(CursorState::Status {
            status: status as u8,
            page: page.saturating_add(1),
            done,
        })
    } else if status + 1 < STATUSES.len() {
        Some(CursorState::Status {
            status: (status + 1) as u8,
            page: 1,
            done: done.saturating_add(this_total.unwrap_or(0)),
        })
    } else {
        None
    };
    Ok(Page {
        tickets,
        skipped,
        next: next.map(Cursor),
        // Statuses not yet reached are not counted until they are.
        total_estimate: this_total.map(|t| t.saturating_add(done)),
        unreachable: 0,
    })
}

fn full_name(p: &Value) -> Option<String> {
    let first = wire::text(p, "first").unwrap_or_default();
    let last = wire::text(p, "last").unwrap_or_default();
    let name = format!("{first} {last}");
    let name = name.trim();
    if name.is_empty() {
        None
    } else {
        Some(name.to_string())
    }
}

fn parse_conversation(c: &Value) -> Result<Option<Ticket>, String> {
    let id = c.get("id").and_then(wire::id).ok_or("id is missing")?;
    let status = wire::text(c, "status").ok_or("status is missing")?;
    if !STATUSES.contains(&status.as_str()) {
        return Ok(None);
    }
    let created = required_time(c, "createdAt", wire::rfc3339)?;
    let updated = ["userUpdatedAt", "updatedAt", "modifiedAt"]
        .iter()
        .find_map(|k| wire::text(c, k).and_then(|s| wire::rfc3339(&s)))
        .unwrap_or(created);
    let customer = c
        .get("primaryCustomer")
        .or_else(|| c.get("customer"))
        .unwrap_or(&Value::Null);
    let requester = Person {
        id: customer.get("id").and_then(wire::id),
        name: full_name(customer),
        email: wire::text(customer, "email"),
        phone: wire::text(customer, "phone"),
    };
    let tags = c
        .get("tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| match t {
                    Value::String(s) => Some(s.clone()),
                    other => wire::text(other, "tag").or_else(|| wire::text(other, "name")),
                })
                .collect()
        })
        .unwrap_or_default();
    let (messages, complete) = match c
        .get("_embedded")
        .and_then(|e| e.get("threads"))
        .and_then(Value::as_array)
    {
        Some(threads) => {
            let mut messages = parse_threads(threads)?;
            // Help Scout lists threads newest first.
            messages.sort_by_key(|m| m.created_at_unix);
            (messages, true)
        }
        None => (Vec::new(), false),
    };
    Ok(Some(Ticket {
        provider: HelpdeskProvider::Helpscout,
        provider_id: id,
        subject: wire::text(c, "subject").unwrap_or_default(),
        status,
        created_at_unix: created,
        updated_at_unix: updated,
        requester,
        messages,
        tags,
        history_complete: complete,
    }))
}

fn parse_threads(threads: &[Value]) -> Result<Vec<TicketMessage>, String> {
    let mut messages = Vec::with_capacity(threads.len());
    for (i, t) in threads.iter().enumerate() {
        if wire::text(t, "state").is_some_and(|s| s != "published") {
            continue;
        }
        let by = t.get("createdBy").unwrap_or(&Value::Null);
        let by_customer = wire::text(by, "type").as_deref() == Some("customer");
        let kind = match wire::text(t, "type").as_deref() {
            Some("customer") => MessageKind::Customer,
            Some("message" | "reply") => MessageKind::PublicReply,
            Some("note" | "forwardparent" | "forwardchild") => MessageKind::PrivateNote,
            Some("chat" | "phone" | "beaconchat") if by_customer => MessageKind::Customer,
            Some("chat" | "phone" | "beaconchat") => MessageKind::PublicReply,
            _ => continue,
        };
        let body = wire::text(t, "body")
            .map(|b| text::html_to_text(&b))
            .unwrap_or_default();
        if body.is_empty() {
            continue;
        }
        let at =
            required_time(t, "createdAt", wire::rfc3339).map_err(|e| format!("thread {i}: {e}"))?;
        messages.push(TicketMessage {
            provider_id: t.get("id").and_then(wire::id),
            kind,
            author_name: full_name(by),
            author_email: wire::text(by, "email"),
            text: body,
            created_at_unix: at,
        });
    }
    Ok(messages)
}

pub(crate) fn history_request(c: &Client, id: &str, state: Option<&CursorState>) -> HttpRequest {
    let page = match state {
        Some(CursorState::Page { page }) => (*page).max(1),
        _ => 1,
    };
    wire::get(
        c.url(&format!(
            "/v2/conversations/{}/threads?page={page}",
            wire::segment(id)
        )),
        c.bearer(),
        &[],
    )
}

pub(crate) fn parse_history(
    state: Option<&CursorState>,
    resp: &HttpResponse,
) -> Result<HistoryPage, ProviderError> {
    let v = wire::json(resp, "threads")?;
    let threads = match v.get("_embedded").and_then(|e| e.get("threads")) {
        Some(Value::Array(a)) => a.as_slice(),
        None if v.get("page").is_some() => &[],
        _ => {
            return Err(ProviderError::Malformed(
                "threads: no _embedded.threads".into(),
            ));
        }
    };
    let messages =
        parse_threads(threads).map_err(|e| ProviderError::Malformed(format!("threads: {e}")))?;
    let page = match state {
        Some(CursorState::Page { page }) => (*page).max(1),
        _ => 1,
    };
    let next = (!threads.is_empty() && has_next(&v)).then(|| {
        Cursor(CursorState::Page {
            page: page.saturating_add(1),
        })
    });
    Ok(HistoryPage {
        messages,
        requester: None,
        next,
    })
}
