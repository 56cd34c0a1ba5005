//! Zendesk Support API v2.
//!
//! * Auth: Basic `{email}/token:{api_token}`.
//! * Check: `GET /api/v2/users/me.json`; an anonymous or end-user answer
//!   means the credentials cannot read tickets.
//! * List: `GET /api/v2/search/export?query=status<solved&filter[type]=ticket
//!   &page[size]=100`, cursor-paged (`meta.has_more`, `meta.after_cursor`,
//!   sent back as `page[after]`). Unlike `/search.json` it has no 1,000
//!   result cap. `status<solved` is new, open, pending and hold: all the
//!   work still open. Export cursors expire after an hour.
//! * History: `GET /api/v2/tickets/{id}/comments.json?page[size]=100
//!   &include=users`, cursor-paged, oldest first; `public: false` is an
//!   internal note; the sideloaded users give names, emails and roles.
//! * Count: `GET /api/v2/search/count?query=type:ticket status<solved`.
//! * Rate limits: `ratelimit-*` / `x-rate-limit*` headers; 429 with
//!   `Retry-After` seconds.

use std::collections::HashMap;

use serde_json::Value;

use super::wire;
use super::{
    Client, CursorState, HelpdeskProvider, HistoryPage, MessageKind, Page, Person, ProviderError,
    Ticket, TicketMessage, each_ticket, required_time, text,
};
use crate::http::{HttpRequest, HttpResponse};

const OPEN_QUERY: &str = "status<solved";
const OPEN_STATUSES: &[&str] = &["new", "open", "pending", "hold"];
const PAGE_SIZE: &str = "100";

fn auth(c: &Client) -> Option<String> {
    match c.credentials() {
        super::Credentials::Zendesk {
            email, api_token, ..
        } => Some(wire::basic(&format!("{email}/token"), api_token)),
        _ => None,
    }
}

pub(crate) fn check_request(c: &Client) -> HttpRequest {
    wire::get(c.url("/api/v2/users/me.json"), auth(c), &[])
}

pub(crate) fn check_response(resp: &HttpResponse) -> Result<(), ProviderError> {
    let v = wire::json(resp, "users/me")?;
    let user = v
        .get("user")
        .ok_or_else(|| ProviderError::Malformed("users/me: no user".into()))?;
    // Zendesk answers an unauthenticated /users/me with an anonymous user
    // (no id) rather than a 401.
    if user.get("id").and_then(wire::id).is_none() {
        return Err(ProviderError::BadCredentials(
            "Zendesk did not recognise the email and API token".into(),
        ));
    }
    if wire::text(user, "role").as_deref() == Some("end-user") {
        return Err(ProviderError::MissingPermission(
            "the account is an end user; an agent or admin can read tickets".into(),
        ));
    }
    Ok(())
}

pub(crate) fn list_request(c: &Client, state: Option<&CursorState>) -> HttpRequest {
    let mut q = vec![
        ("query", OPEN_QUERY),
        ("filter[type]", "ticket"),
        ("page[size]", PAGE_SIZE),
    ];
    if let Some(CursorState::After { after }) = state {
        q.push(("page[after]", after));
    }
    wire::get(
        c.url(&format!("/api/v2/search/export?{}", wire::query(&q))),
        auth(c),
        &[],
    )
}

pub(crate) fn count_request(c: &Client) -> HttpRequest {
    let q = format!("type:ticket {OPEN_QUERY}");
    wire::get(
        c.url(&format!(
            "/api/v2/search/count?{}",
            wire::query(&[("query", &q)])
        )),
        auth(c),
        &[],
    )
}

pub(crate) fn parse_count(resp: &HttpResponse) -> Result<u64, ProviderError> {
    let v = wire::json(resp, "search/count")?;
    v.get("count")
        .and_then(Value::as_u64)
        .ok_or_else(|| ProviderError::Malformed("search/count: no count".into()))
}

/// The export's `meta.after_cursor` when `meta.has_more`.
fn next_after(v: &Value) -> Option<CursorState> {
    let meta = v.get("meta")?;
    if meta.get("has_more").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    wire::text(meta, "after_cursor").map(|after| CursorState::After { after })
}

pub(crate) fn parse_list(resp: &HttpResponse) -> Result<Page, ProviderError> {
    let v = wire::json(resp, "search/export")?;
    let results = v
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("search/export: no results array".into()))?;
    let (tickets, skipped) = each_ticket(results, "id", parse_ticket);
    Ok(Page {
        tickets,
        skipped,
        next: next_after(&v).map(super::Cursor),
        total_estimate: None,
        unreachable: 0,
    })
}

fn parse_ticket(t: &Value) -> Result<Option<Ticket>, String> {
    if let Some(kind) = wire::text(t, "result_type")
        && kind != "ticket"
    {
        return Ok(None);
    }
    let id = t.get("id").and_then(wire::id).ok_or("id is missing")?;
    let status = wire::text(t, "status").ok_or("status is missing")?;
    if !OPEN_STATUSES.contains(&status.as_str()) {
        return Ok(None);
    }
    let created = required_time(t, "created_at", wire::rfc3339)?;
    let updated = wire::text(t, "updated_at")
        .and_then(|s| wire::rfc3339(&s))
        .unwrap_or(created);
    let subject = wire::text(t, "subject")
        .or_else(|| wire::text(t, "raw_subject"))
        .unwrap_or_default();
    let tags = t
        .get("tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(Ticket {
        provider: HelpdeskProvider::Zendesk,
        provider_id: id,
        subject,
        status,
        created_at_unix: created,
        updated_at_unix: updated,
        requester: Person {
            id: t.get("requester_id").and_then(wire::id),
            ..Person::default()
        },
        messages: Vec::new(),
        tags,
        history_complete: false,
    }))
}

pub(crate) fn history_request(c: &Client, id: &str, state: Option<&CursorState>) -> HttpRequest {
    let mut q = vec![("page[size]", PAGE_SIZE), ("include", "users")];
    if let Some(CursorState::After { after }) = state {
        q.push(("page[after]", after));
    }
    wire::get(
        c.url(&format!(
            "/api/v2/tickets/{}/comments.json?{}",
            wire::segment(id),
            wire::query(&q)
        )),
        auth(c),
        &[],
    )
}

struct User {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    end_user: bool,
}

pub(crate) fn parse_history(
    ticket: &Ticket,
    resp: &HttpResponse,
) -> Result<HistoryPage, ProviderError> {
    let v = wire::json(resp, "comments")?;
    let comments = v
        .get("comments")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("comments: no comments array".into()))?;
    let users: HashMap<String, User> = v
        .get("users")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|u| {
                    let id = u.get("id").and_then(wire::id)?;
                    Some((
                        id,
                        User {
                            name: wire::text(u, "name"),
                            email: wire::text(u, "email"),
                            phone: wire::text(u, "phone"),
                            end_user: wire::text(u, "role").as_deref() == Some("end-user"),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let requester_id = ticket.requester.id.as_deref();
    let mut messages = Vec::with_capacity(comments.len());
    for (i, c) in comments.iter().enumerate() {
        let created = required_time(c, "created_at", wire::rfc3339)
            .map_err(|e| ProviderError::Malformed(format!("comment {i}: {e}")))?;
        let body = wire::text(c, "plain_body")
            .or_else(|| wire::text(c, "body"))
            .map(|s| text::plain(&s))
            .or_else(|| wire::text(c, "html_body").map(|h| text::html_to_text(&h)))
            .unwrap_or_default();
        if body.is_empty() {
            continue;
        }
        let author_id = c.get("author_id").and_then(wire::id);
        let author = author_id.as_deref().and_then(|a| users.get(a));
        let public = c.get("public").and_then(Value::as_bool).unwrap_or(true);
        let kind = if !public {
            MessageKind::PrivateNote
        } else if author.is_some_and(|u| u.end_user)
            || (author_id.is_some() && author_id.as_deref() == requester_id)
        {
            MessageKind::Customer
        } else {
            MessageKind::PublicReply
        };
        // An email comment names its sender even when the user is not
        // sideloaded.
        let from = c
            .get("via")
            .and_then(|v| v.get("source"))
            .and_then(|s| s.get("from"));
        messages.push(TicketMessage {
            provider_id: c.get("id").and_then(wire::id),
            kind,
            author_name: author
                .and_then(|u| u.name.clone())
                .or_else(|| from.and_then(|f| wire::text(f, "name"))),
            author_email: author
                .and_then(|u| u.email.clone())
                .or_else(|| from.and_then(|f| wire::text(f, "address"))),
            text: body,
            created_at_unix: created,
        });
    }
    let requester = requester_id.and_then(|id| users.get(id)).map(|u| Person {
        id: requester_id.map(str::to_string),
        name: u.name.clone(),
        email: u.email.clone(),
        phone: u.phone.clone(),
    });
    Ok(HistoryPage {
        messages,
        requester,
        next: next_after(&v).map(super::Cursor),
    })
}
