//! Fake Intercom REST API: `GET /me`, `POST /conversations/search` (query
//! language with AND/OR groups, `per_page` ≤ 150, `starting_after`
//! cursors), `GET /conversations/{id}` (source plus the 500 most recent
//! parts, with non-message parts mixed in). Bearer auth; an
//! `Intercom-Version` header, when sent, must name a known version.

use serde_json::{Value, json};

use super::{
    FakeKind, FakeMessage, FakePerson, FakeTicket, Request, Response, State, creds, cursor_for,
    cursor_value, html, segments,
};

/// Intercom returns only the most recent parts of a conversation.
const MAX_PARTS: usize = 500;

fn error(status: u16, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({"type": "error.list", "request_id": "fake-request",
                "errors": [{"code": code, "message": message}]}),
    )
}

fn known_version(v: &str) -> bool {
    if v == "Unstable" {
        return true;
    }
    match v.split_once('.') {
        Some(("1", minor)) => matches!(minor, "0" | "1" | "2" | "3" | "4"),
        Some(("2", minor)) => minor.parse::<u32>().is_ok_and(|m| m <= 16),
        _ => false,
    }
}

pub(super) fn handle(s: &mut State, req: &Request) -> Response {
    let expected = format!("Bearer {}", creds::INTERCOM_ACCESS_TOKEN);
    if req.header("authorization") != Some(expected.as_str()) {
        return error(401, "unauthorized", "Access Token Invalid");
    }
    if let Some(v) = req.header("intercom-version")
        && !known_version(v)
    {
        return error(
            400,
            "intercom_version_invalid",
            "The requested version could not be found",
        );
    }
    if s.forbidden {
        return error(403, "api_plan_restricted", "Active subscription needed.");
    }
    let path = segments(&req.path);
    match (req.method.as_str(), path.as_slice()) {
        ("GET", ["me"]) => Response::json(
            200,
            &json!({"type": "admin", "id": "991", "name": "Importer", "email": "importer@acme.test",
                    "email_verified": true,
                    "app": {"type": "app", "id_code": "acme01", "name": "Acme"}}),
        ),
        ("POST", ["conversations", "search"]) => search(s, req),
        ("GET", ["conversations", id]) => {
            match id.parse::<u64>().ok().and_then(|i| s.tickets.get(&i)) {
                Some(t) => Response::json(200, &conversation(t, true)),
                None => error(404, "not_found", "Resource Not Found"),
            }
        }
        _ => error(404, "not_found", "Resource Not Found"),
    }
}

/// Evaluates a search query on a ticket, as Intercom's search does for the
/// fields an import uses.
fn eval(q: &Value, t: &FakeTicket, depth: usize) -> Result<bool, String> {
    let op = q
        .get("operator")
        .and_then(Value::as_str)
        .ok_or("operator is required")?;
    if q.get("field").is_none() && matches!(op, "AND" | "OR") {
        if depth >= 2 {
            return Err("nesting is limited to 2 levels".into());
        }
        let items = q
            .get("value")
            .and_then(Value::as_array)
            .ok_or("a group needs a value list")?;
        if items.len() > 15 {
            return Err("a group holds at most 15 filters".into());
        }
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            results.push(eval(item, t, depth + 1)?);
        }
        return Ok(if op == "AND" {
            results.iter().all(|r| *r)
        } else {
            results.iter().any(|r| *r)
        });
    }
    let field = q
        .get("field")
        .and_then(Value::as_str)
        .ok_or("field is required")?;
    let value = q.get("value").ok_or("value is required")?;
    let actual = match field {
        "state" => json!(t.status),
        "open" => json!(t.status != "closed"),
        "id" => json!(t.id.to_string()),
        "created_at" => json!(t.created_at),
        "updated_at" => json!(t.updated_at),
        other => return Err(format!("{other} is not a searchable field here")),
    };
    let number = |v: &Value| v.as_i64().ok_or_else(|| format!("{field} needs a number"));
    Ok(match op {
        "=" => &actual == value,
        "!=" => &actual != value,
        "IN" | "NIN" => {
            let list = value.as_array().ok_or("IN needs a list")?;
            list.contains(&actual) == (op == "IN")
        }
        ">" => number(&actual)? > number(value)?,
        "<" => number(&actual)? < number(value)?,
        other => return Err(format!("operator {other} is not supported here")),
    })
}

fn search(s: &State, req: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return error(400, "parameter_invalid", "Request body is not valid JSON");
    };
    let Some(query) = body.get("query") else {
        return error(400, "parameter_not_found", "query is required");
    };
    let pagination = body.get("pagination").cloned().unwrap_or(Value::Null);
    let per_page = match pagination.get("per_page") {
        None => 20,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=150) => n as usize,
            _ => {
                return error(
                    400,
                    "parameter_invalid",
                    "per_page must be between 1 and 150",
                );
            }
        },
    };
    let after = match pagination.get("starting_after").and_then(Value::as_str) {
        None => None,
        Some(c) => match cursor_value(c) {
            Some(id) => Some(id),
            None => return error(400, "parameter_invalid", "starting_after is invalid"),
        },
    };
    let mut matching = Vec::new();
    for t in s.tickets.values() {
        match eval(query, t, 0) {
            Ok(true) => matching.push(t),
            Ok(false) => {}
            Err(e) => return error(400, "parameter_invalid", &e),
        }
    }
    let total = matching.len();
    let skipped = after.map_or(0, |a| matching.iter().filter(|t| t.id <= a).count());
    let rest = &matching[skipped..];
    let page = &rest[..rest.len().min(per_page)];
    let has_more = rest.len() > per_page;
    let mut pages = json!({
        "type": "pages",
        "page": skipped / per_page + 1,
        "per_page": per_page,
        "total_pages": total.div_ceil(per_page).max(1),
    });
    if has_more && let Some(last) = page.last() {
        pages["next"] =
            json!({"page": skipped / per_page + 2, "starting_after": cursor_for(last.id)});
    }
    Response::json(
        200,
        &json!({
            "type": "conversation.list",
            "conversations": page.iter().map(|t| conversation(t, false)).collect::<Vec<_>>(),
            "total_count": total,
            "pages": pages,
        }),
    )
}

fn author(p: &FakePerson) -> Value {
    json!({
        "id": p.id.to_string(),
        "type": if p.agent { "admin" } else { "user" },
        "name": p.name(),
        "email": p.email,
    })
}

fn part(m: &FakeMessage) -> Value {
    json!({
        "type": "conversation_part",
        "id": m.id.to_string(),
        "part_type": if m.kind == FakeKind::PrivateNote { "note" } else { "comment" },
        "body": html(&m.text),
        "created_at": m.created_at,
        "updated_at": m.created_at,
        "notified_at": m.created_at,
        "assigned_to": null,
        "author": author(&m.author),
        "attachments": [],
        "external_id": null,
        "redacted": false,
    })
}

fn conversation(t: &FakeTicket, full: bool) -> Value {
    let first = t.messages.first();
    let created = if t.malformed {
        json!("2025-01-01")
    } else {
        json!(t.created_at)
    };
    let mut c = json!({
        "type": "conversation",
        "id": t.id.to_string(),
        "title": t.subject,
        "created_at": created,
        "updated_at": t.updated_at,
        "waiting_since": null,
        "snoozed_until": if t.status == "snoozed" { json!(t.updated_at + 86_400) } else { Value::Null },
        "open": t.status != "closed",
        "state": t.status,
        "read": true,
        "priority": "not_priority",
        "admin_assignee_id": 9001,
        "team_assignee_id": null,
        "tags": {"type": "tag.list", "tags": t.tags.iter().enumerate()
            .map(|(i, name)| json!({"type": "tag", "id": (i + 1).to_string(), "name": name}))
            .collect::<Vec<_>>()},
        "source": first.map(|m| json!({
            "type": "conversation",
            "id": m.id.to_string(),
            "delivered_as": "customer_initiated",
            "subject": "",
            "body": html(&m.text),
            "author": author(&m.author),
            "attachments": [],
            "url": null,
            "redacted": false,
        })),
        "contacts": {"type": "contact.list", "contacts": [
            {"type": "contact", "id": t.requester.id.to_string(), "external_id": null}]},
        "teammates": {"type": "admin.list", "admins": [{"type": "admin", "id": "9001"}]},
        "custom_attributes": {},
        "statistics": null,
    });
    if full {
        let mut parts: Vec<Value> = Vec::with_capacity(t.messages.len());
        if let Some(first) = first {
            // Routing leaves a part without a message.
            parts.push(json!({
                "type": "conversation_part",
                "id": format!("{}0", first.id),
                "part_type": "assignment",
                "body": null,
                "created_at": first.created_at + 30,
                "updated_at": first.created_at + 30,
                "assigned_to": {"type": "admin", "id": "9001"},
                "author": {"type": "bot", "id": "7", "name": "Operator"},
                "attachments": [],
                "redacted": false,
            }));
        }
        parts.extend(t.messages.iter().skip(1).map(part));
        let total = parts.len();
        let recent = parts.split_off(total.saturating_sub(MAX_PARTS));
        c["conversation_parts"] = json!({
            "type": "conversation_part.list",
            "conversation_parts": recent,
            "total_count": total,
        });
    }
    c
}
