//! Fake HappyFox API 1.1 (JSON): `/statuses/`, `/tickets/` (`size` 1 to
//! 50, default 10; `page`; `status=_pending|_all|<id>`; newest activity
//! first; `page_info`), `/ticket/{id}/`. Tickets carry their `updates`
//! (`show_updates=0` leaves them out). Basic auth `{api_key}:{auth_code}`.

use serde_json::{Value, json};

use super::{
    FakeKind, FakeMessage, FakeTicket, Request, Response, State, basic, creds, happyfox_time, html,
    segments,
};

/// (id, name, behaviour) of the account's statuses.
const STATUSES: [(u64, &str, &str); 4] = [
    (1, "New", "pending"),
    (2, "In Progress", "pending"),
    (3, "On Hold", "pending"),
    (4, "Closed", "completed"),
];

fn status_of(t: &FakeTicket) -> (u64, &'static str, &'static str) {
    STATUSES
        .iter()
        .copied()
        .find(|s| s.1 == t.status)
        .unwrap_or(STATUSES[0])
}

fn error(status: u16, message: &str) -> Response {
    Response::json(status, &json!({ "error": message }))
}

pub(super) fn handle(s: &mut State, req: &Request) -> Response {
    let expected = basic(creds::HAPPYFOX_API_KEY, creds::HAPPYFOX_AUTH_CODE);
    if req.header("authorization") != Some(expected.as_str()) {
        // HappyFox documents the 401 but not its body.
        return error(401, "Authentication failed: invalid API key or auth code");
    }
    if s.forbidden {
        return error(403, "You do not have permission to access this resource");
    }
    let path = segments(&req.path);
    match (req.method.as_str(), path.as_slice()) {
        ("GET", ["api", "1.1", "json", "statuses"]) => Response::json(
            200,
            &json!(STATUSES
                .iter()
                .enumerate()
                .map(|(i, (id, name, behavior))| json!({
                    "id": id, "name": name, "behavior": behavior, "order": i + 1, "color": "#0099ff"
                }))
                .collect::<Vec<_>>()),
        ),
        ("GET", ["api", "1.1", "json", "tickets"]) => list(s, req),
        ("GET", ["api", "1.1", "json", "ticket", id]) => {
            match id.parse::<u64>().ok().and_then(|i| s.tickets.get(&i)) {
                Some(t) => Response::json(200, &ticket(t, true)),
                None => error(404, "Ticket not found"),
            }
        }
        _ => error(404, "Not found"),
    }
}

fn list(s: &State, req: &Request) -> Response {
    let size = match req.param("size").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n @ 1..=50)) => n,
        _ => return error(400, "size: Ensure this value is between 1 and 50."),
    };
    let page = match req.param("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        _ => return error(400, "page: Ensure this value is a positive integer."),
    };
    let filter: Box<dyn Fn(&FakeTicket) -> bool> = match req.param("status") {
        None | Some("_all") => Box::new(|_| true),
        Some("_pending") => Box::new(|t| status_of(t).2 == "pending"),
        Some(id) => match id.parse::<u64>() {
            Ok(id) if STATUSES.iter().any(|s| s.0 == id) => Box::new(move |t| status_of(t).0 == id),
            _ => return error(400, "status: Select a valid choice."),
        },
    };
    let with_updates = req.param("show_updates") != Some("0");
    let mut matching: Vec<&FakeTicket> = s.tickets.values().filter(|t| filter(t)).collect();
    // Newest activity first, as the HappyFox UI and API list them.
    matching.sort_by_key(|t| std::cmp::Reverse((t.updated_at, t.id)));
    let total = matching.len();
    let start = ((page - 1) * size).min(total);
    let end = (start + size).min(total);
    let page_count = total.div_ceil(size);
    Response::json(
        200,
        &json!({
            "page_info": {
                "count": total,
                "page_count": page_count,
                "start_index": if start < end { start + 1 } else { 0 },
                "end_index": end,
                "last_index": page_count,
            },
            "data": matching[start..end].iter().map(|t| ticket(t, with_updates)).collect::<Vec<_>>(),
        }),
    )
}

fn update(t: &FakeTicket, m: &FakeMessage) -> Value {
    let mut message = json!({
        "text": m.text,
        "html": html(&m.text),
        "subject": t.subject,
        "attachments": [],
        "cc_list": [],
        "bcc_list": [],
    });
    match m.kind {
        FakeKind::PrivateNote => message["message_type"] = json!("p"),
        FakeKind::PublicReply => message["message_type"] = json!("r"),
        FakeKind::Customer => {}
    }
    json!({
        "update_id": m.id,
        "timestamp": happyfox_time(m.created_at),
        "by": {
            "type": if m.author.agent { "staff" } else { "user" },
            "id": m.author.id,
            "name": m.author.name(),
            "email": m.author.email,
        },
        "message": message,
        "status_change": null,
        "priority_change": null,
        "assignee_change": null,
        "due_date_change": null,
        "category_change": null,
        "time_spent": null,
    })
}

fn ticket(t: &FakeTicket, with_updates: bool) -> Value {
    let (status_id, status_name, behavior) = status_of(t);
    let mut v = json!({
        "id": t.id,
        "display_id": format!("#TK{:08}", t.id),
        "subject": t.subject,
        "status": {"id": status_id, "name": status_name, "behavior": behavior, "color": "#0099ff"},
        "priority": {"id": 2, "name": "Medium"},
        "category": {"id": 1, "name": "Support"},
        "user": {
            "id": t.requester.id,
            "name": t.requester.name(),
            "email": t.requester.email,
            "phones": [{"id": 1, "number": t.requester.phone, "type": "mo", "is_primary": true}],
        },
        "assigned_to": {"id": 9001, "name": "Ann Agent", "email": "ann@acme.test"},
        "created_at": if t.malformed { json!("03/01/2025") } else { json!(happyfox_time(t.created_at)) },
        "last_updated_at": happyfox_time(t.updated_at),
        "last_modified": happyfox_time(t.updated_at),
        "due_date": null,
        "tags": t.tags.join(", "),
        "custom_fields": [],
    });
    if with_updates {
        let mut updates: Vec<Value> = Vec::with_capacity(t.messages.len() + 1);
        for (i, m) in t.messages.iter().enumerate() {
            updates.push(update(t, m));
            if i == 0 {
                // A status change carries no message.
                updates.push(json!({
                    "update_id": m.id * 10,
                    "timestamp": happyfox_time(m.created_at + 30),
                    "by": {"type": "staff", "id": 9001, "name": "Ann Agent"},
                    "message": null,
                    "status_change": {"old": {"id": 1, "name": "New"}, "new": {"id": status_id, "name": status_name}},
                }));
            }
        }
        v["updates"] = json!(updates);
    }
    v
}
