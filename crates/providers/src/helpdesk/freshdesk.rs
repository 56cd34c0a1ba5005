//! Freshdesk API v2.
//!
//! * Auth: Basic `{api_key}:X` (the password is a literal `X`).
//! * Check: `GET /api/v2/agents/me`.
//! * List: `GET /api/v2/search/tickets?query="status:2 OR status:3"&page=N`
//!   (2 open, 3 pending). The query is wrapped in double quotes; pages are
//!   1 to 10 of 30 results, so one query reaches 300 tickets; `total` says
//!   how many match. Past 300, the walk splits the query by `created_at`
//!   day (`:>` and `:<` are inclusive) into halves until each window holds
//!   at most 300, and walks the windows in turn; a single day with more
//!   than 300 open tickets is walked to 300 and the rest reported as
//!   unreachable.
//! * History: `GET /api/v2/tickets/{id}?include=requester` (the first
//!   message is the description; the requester's name, email and phone),
//!   then `GET /api/v2/tickets/{id}/conversations?per_page=100&page=N`
//!   while the `Link` header has `rel="next"`. `private` is a note,
//!   `incoming` a customer message.
//! * Rate limits: `X-RateLimit-Total`, `-Remaining`; 429 with `Retry-After`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::wire;
use super::{
    Client, Cursor, CursorState, HelpdeskProvider, HistoryPage, MessageKind, Page, Person,
    ProviderError, Ticket, TicketMessage, each_ticket, required_time, text,
};
use crate::http::{HttpRequest, HttpResponse};

const OPEN_QUERY: &str = "status:2 OR status:3";
/// Search results per page, fixed by Freshdesk.
pub(crate) const PAGE_SIZE: u64 = 30;
/// The last page the search API serves.
pub(crate) const MAX_PAGE: u32 = 10;
const REACHABLE: u64 = PAGE_SIZE * MAX_PAGE as u64;
const CONVERSATIONS_PER_PAGE: &str = "100";
/// Stand-ins for an open end when a window must be split: 1970-01-01 and
/// 2100-01-01 as day numbers.
const FIRST_DAY: i64 = 0;
const LAST_DAY: i64 = 47_482;
/// Ticket source "Outbound Email": the description is the agent's.
const SOURCE_OUTBOUND_EMAIL: i64 = 10;

/// Tickets created from day `lo` to day `hi`, inclusive; `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Window {
    lo: Option<i64>,
    hi: Option<i64>,
}

const ALL: Window = Window { lo: None, hi: None };

#[cfg(test)]
impl Window {
    pub(crate) fn day_for_tests(day: i64) -> Window {
        Window {
            lo: Some(day),
            hi: Some(day),
        }
    }
}

impl Window {
    fn query(&self) -> String {
        let mut q = String::new();
        if self.lo.is_none() && self.hi.is_none() {
            q.push_str(OPEN_QUERY);
        } else {
            q.push_str(&format!("({OPEN_QUERY})"));
        }
        if let Some(lo) = self.lo {
            q.push_str(&format!(" AND created_at:>'{}'", wire::ymd(lo)));
        }
        if let Some(hi) = self.hi {
            q.push_str(&format!(" AND created_at:<'{}'", wire::ymd(hi)));
        }
        q
    }

    /// Bounds from a stored cursor kept within the days a split can make.
    fn sane(&self) -> Window {
        let clamp = |d: Option<i64>| d.map(|d| d.clamp(FIRST_DAY, LAST_DAY + 1));
        Window {
            lo: clamp(self.lo),
            hi: clamp(self.hi),
        }
    }

    /// The two halves, if the window spans more than one day.
    fn split(&self) -> Option<(Window, Window)> {
        let lo = self.lo.unwrap_or(FIRST_DAY);
        let hi = self.hi.unwrap_or(LAST_DAY);
        if hi <= lo {
            return None;
        }
        let mid = lo + (hi - lo) / 2;
        Some((
            Window {
                lo: self.lo,
                hi: Some(mid),
            },
            Window {
                lo: Some(mid + 1),
                hi: self.hi,
            },
        ))
    }
}

fn auth(c: &Client) -> Option<String> {
    match c.credentials() {
        super::Credentials::Freshdesk { api_key, .. } => Some(wire::basic(api_key, "X")),
        _ => None,
    }
}

pub(crate) fn check_request(c: &Client) -> HttpRequest {
    wire::get(c.url("/api/v2/agents/me"), auth(c), &[])
}

pub(crate) fn check_response(resp: &HttpResponse) -> Result<(), ProviderError> {
    let v = wire::json(resp, "agents/me")?;
    if v.get("id").and_then(wire::id).is_none() {
        return Err(ProviderError::Malformed("agents/me: no agent id".into()));
    }
    Ok(())
}

/// The windows still to walk (the current one last) and the page in it.
fn position(state: Option<&CursorState>) -> (Vec<Window>, u32, Option<u64>) {
    match state {
        Some(CursorState::Windows {
            windows,
            page,
            total,
        }) if !windows.is_empty() => (
            windows.iter().map(Window::sane).collect(),
            (*page).clamp(1, MAX_PAGE),
            *total,
        ),
        _ => (vec![ALL], 1, None),
    }
}

pub(crate) fn list_request(c: &Client, state: Option<&CursorState>) -> HttpRequest {
    let (windows, page, _) = position(state);
    let window = windows.last().copied().unwrap_or(ALL);
    let quoted = format!("\"{}\"", window.query());
    let page = page.to_string();
    wire::get(
        c.url(&format!(
            "/api/v2/search/tickets?{}",
            wire::query(&[("query", &quoted), ("page", &page)])
        )),
        auth(c),
        &[],
    )
}

pub(crate) fn parse_list(
    state: Option<&CursorState>,
    resp: &HttpResponse,
) -> Result<Page, ProviderError> {
    let v = wire::json(resp, "search/tickets")?;
    let results = v
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("search/tickets: no results array".into()))?;
    let total = v
        .get("total")
        .and_then(Value::as_u64)
        .ok_or_else(|| ProviderError::Malformed("search/tickets: no total".into()))?;
    let (mut windows, page, first_total) = position(state);
    // The unwindowed first query counts all open work.
    let first_total = first_total.or(if state.is_none() { Some(total) } else { None });
    let current = windows.pop().unwrap_or(ALL);
    let cursor = |windows: Vec<Window>, page: u32| {
        Cursor(CursorState::Windows {
            windows,
            page,
            total: first_total,
        })
    };
    if page == 1
        && total > REACHABLE
        && let Some((older, newer)) = current.split()
    {
        // Too many to page through: walk the halves instead, older first.
        // This page's tickets come again in a half, so none are kept here.
        windows.push(newer);
        windows.push(older);
        return Ok(Page {
            tickets: Vec::new(),
            skipped: Vec::new(),
            next: Some(cursor(windows, 1)),
            total_estimate: first_total,
            unreachable: 0,
        });
    }
    let (tickets, skipped) = each_ticket(results, "id", parse_ticket);
    let reachable = total.min(REACHABLE);
    let next = if !results.is_empty() && u64::from(page) * PAGE_SIZE < reachable && page < MAX_PAGE
    {
        windows.push(current);
        Some(cursor(windows, page + 1))
    } else if windows.is_empty() {
        None
    } else {
        Some(cursor(windows, 1))
    };
    Ok(Page {
        tickets,
        skipped,
        next,
        total_estimate: first_total,
        unreachable: if page == 1 { total - reachable } else { 0 },
    })
}

fn status_name(code: i64) -> Option<&'static str> {
    match code {
        2 => Some("open"),
        3 => Some("pending"),
        _ => None,
    }
}

fn tags(t: &Value) -> Vec<String> {
    t.get("tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_ticket(t: &Value) -> Result<Option<Ticket>, String> {
    let id = t.get("id").and_then(wire::id).ok_or("id is missing")?;
    let code = wire::int(t, "status").ok_or("status is missing")?;
    let Some(status) = status_name(code) else {
        return Ok(None);
    };
    let created = required_time(t, "created_at", wire::rfc3339)?;
    let updated = wire::text(t, "updated_at")
        .and_then(|s| wire::rfc3339(&s))
        .unwrap_or(created);
    Ok(Some(Ticket {
        provider: HelpdeskProvider::Freshdesk,
        provider_id: id,
        subject: wire::text(t, "subject").unwrap_or_default(),
        status: status.to_string(),
        created_at_unix: created,
        updated_at_unix: updated,
        requester: Person {
            id: t.get("requester_id").and_then(wire::id),
            ..Person::default()
        },
        messages: Vec::new(),
        tags: tags(t),
        history_complete: false,
    }))
}

pub(crate) fn history_request(c: &Client, id: &str, state: Option<&CursorState>) -> HttpRequest {
    let id = wire::segment(id);
    let url = match state {
        Some(CursorState::Page { page }) => format!(
            "/api/v2/tickets/{id}/conversations?{}",
            wire::query(&[
                ("per_page", CONVERSATIONS_PER_PAGE),
                ("page", &page.to_string())
            ])
        ),
        _ => format!("/api/v2/tickets/{id}?include=requester"),
    };
    wire::get(c.url(&url), auth(c), &[])
}

fn body_text(v: &Value, text_key: &str, html_key: &str) -> String {
    wire::text(v, text_key)
        .map(|s| text::plain(&s))
        .or_else(|| wire::text(v, html_key).map(|h| text::html_to_text(&h)))
        .unwrap_or_default()
}

pub(crate) fn parse_history(
    ticket: &Ticket,
    state: Option<&CursorState>,
    resp: &HttpResponse,
) -> Result<HistoryPage, ProviderError> {
    match state {
        Some(CursorState::Page { page }) => parse_conversations(ticket, *page, resp),
        _ => parse_view(resp),
    }
}

/// The ticket itself: its description is the first message.
fn parse_view(resp: &HttpResponse) -> Result<HistoryPage, ProviderError> {
    let t = wire::json(resp, "ticket")?;
    let bad = |e: String| ProviderError::Malformed(format!("ticket: {e}"));
    let created = required_time(&t, "created_at", wire::rfc3339).map_err(bad)?;
    let requester = t
        .get("requester")
        .filter(|r| r.is_object())
        .map(|r| Person {
            id: r.get("id").and_then(wire::id),
            name: wire::text(r, "name"),
            email: wire::text(r, "email"),
            phone: wire::text(r, "phone").or_else(|| wire::text(r, "mobile")),
        });
    let description = body_text(&t, "description_text", "description");
    let mut messages = Vec::new();
    if !description.is_empty() {
        let outbound = wire::int(&t, "source") == Some(SOURCE_OUTBOUND_EMAIL);
        let (name, email) = match (&requester, outbound) {
            (Some(r), false) => (r.name.clone(), r.email.clone()),
            _ => (None, None),
        };
        messages.push(TicketMessage {
            provider_id: None,
            kind: if outbound {
                MessageKind::PublicReply
            } else {
                MessageKind::Customer
            },
            author_name: name,
            author_email: email,
            text: description,
            created_at_unix: created,
        });
    }
    Ok(HistoryPage {
        messages,
        requester,
        next: Some(Cursor(CursorState::Page { page: 1 })),
    })
}

fn parse_conversations(
    ticket: &Ticket,
    page: u32,
    resp: &HttpResponse,
) -> Result<HistoryPage, ProviderError> {
    let v = wire::json(resp, "conversations")?;
    let items = v
        .as_array()
        .ok_or_else(|| ProviderError::Malformed("conversations: not an array".into()))?;
    let requester = &ticket.requester;
    let mut messages = Vec::with_capacity(items.len());
    for (i, c) in items.iter().enumerate() {
        let created = required_time(c, "created_at", wire::rfc3339)
            .map_err(|e| ProviderError::Malformed(format!("conversation {i}: {e}")))?;
        let body = body_text(c, "body_text", "body");
        if body.is_empty() {
            continue;
        }
        let private = c.get("private").and_then(Value::as_bool) == Some(true);
        let incoming = c.get("incoming").and_then(Value::as_bool) == Some(true);
        let kind = if private {
            MessageKind::PrivateNote
        } else if incoming {
            MessageKind::Customer
        } else {
            MessageKind::PublicReply
        };
        let by_requester =
            requester.id.is_some() && c.get("user_id").and_then(wire::id) == requester.id;
        let (name, email) = if by_requester {
            (requester.name.clone(), requester.email.clone())
        } else if incoming {
            (None, wire::text(c, "from_email"))
        } else {
            // An agent's reply is sent from the support address, which
            // names the help desk rather than the agent.
            (None, None)
        };
        messages.push(TicketMessage {
            provider_id: c.get("id").and_then(wire::id),
            kind,
            author_name: name,
            author_email: email,
            text: body,
            created_at_unix: created,
        });
    }
    let next = has_next_link(resp).then(|| {
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

/// True when a `Link` header has a `rel="next"` member.
pub(crate) fn has_next_link(resp: &HttpResponse) -> bool {
    resp.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("link"))
        .flat_map(|(_, v)| v.split(','))
        .any(|member| {
            member.split(';').skip(1).any(|param| {
                let param = param.trim().to_ascii_lowercase();
                param == "rel=\"next\"" || param == "rel=next"
            })
        })
}
