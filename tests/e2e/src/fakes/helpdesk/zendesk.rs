//! Fake Zendesk Support API v2: `/users/me`, `/search/export` (cursor
//! paging, `filter[type]` required, `page[size]` ≤ 1000), `/search/count`,
//! `/tickets/{id}/comments` (cursor paging, `page[size]` ≤ 100, sideloaded
//! users). Basic auth `{email}/token:{api_token}`.

use serde_json::{Value, json};

use super::{
    FakeKind, FakeMessage, FakePerson, FakeTicket, Request, Response, State, basic, creds,
    cursor_for, cursor_value, not_found, percent_encode, rfc3339, segments, shown_time,
};

/// Zendesk's status order, which `status<x` compares by.
const ORDER: [&str; 6] = ["new", "open", "pending", "hold", "solved", "closed"];

pub(super) fn handle(s: &mut State, req: &Request) -> Response {
    let expected = basic(
        &format!("{}/token", creds::ZENDESK_EMAIL),
        creds::ZENDESK_API_TOKEN,
    );
    if req.header("authorization") != Some(expected.as_str()) {
        return Response::json(401, &json!({"error": "Couldn't authenticate you"}));
    }
    if s.forbidden {
        return Response::json(
            403,
            &json!({"error": "Forbidden",
                    "description": "You do not have access to this page. Please contact the account owner of this help desk for further help."}),
        );
    }
    let path = segments(&req.path);
    match (req.method.as_str(), path.as_slice()) {
        ("GET", ["api", "v2", "users", "me"]) => Response::json(
            200,
            &json!({"user": {"id": 9001, "name": "Importer Bot", "email": creds::ZENDESK_EMAIL,
                             "role": "admin", "active": true}}),
        ),
        ("GET", ["api", "v2", "search", "export"]) => export(s, req),
        ("GET", ["api", "v2", "search", "count"]) => match statuses(req.param("query")) {
            Ok(allowed) => {
                let n = s
                    .tickets
                    .values()
                    .filter(|t| allowed.contains(&t.status.as_str()))
                    .count();
                Response::json(200, &json!({"count": n}))
            }
            Err(e) => invalid_search(&e),
        },
        ("GET", ["api", "v2", "tickets", id, "comments"]) => comments(s, req, id),
        _ => Response::json(
            404,
            &json!({"error": "InvalidEndpoint", "description": "Not found"}),
        ),
    }
}

fn invalid_search(detail: &str) -> Response {
    Response::json(
        400,
        &json!({"error": "InvalidSearch", "description": detail}),
    )
}

fn bad_page(detail: &str) -> Response {
    Response::json(
        400,
        &json!({"error": "InvalidPaginationParameter", "description": detail}),
    )
}

/// The statuses a query's terms allow (`type:ticket`, `status<x`,
/// `status<=x`, `status>x`, `status:x`); other terms are refused so a
/// mistake shows.
fn statuses(query: Option<&str>) -> Result<Vec<&'static str>, String> {
    let query = query.ok_or("query is required")?;
    let mut allowed: Vec<&'static str> = ORDER.to_vec();
    for term in query.split_whitespace() {
        if term == "type:ticket" {
            continue;
        }
        let Some(rest) = term.strip_prefix("status") else {
            return Err(format!("unsupported search term {term:?}"));
        };
        let (op, value) = ["<=", ">=", "<", ">", ":"]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v)))
            .ok_or_else(|| format!("bad status term {term:?}"))?;
        let rank = ORDER
            .iter()
            .position(|s| *s == value)
            .ok_or_else(|| format!("unknown status {value:?}"))?;
        allowed.retain(|s| {
            let r = ORDER.iter().position(|o| o == s).unwrap_or(0);
            match op {
                "<" => r < rank,
                "<=" => r <= rank,
                ">" => r > rank,
                ">=" => r >= rank,
                _ => r == rank,
            }
        });
    }
    Ok(allowed)
}

fn page_size(req: &Request, default: usize, max: usize) -> Result<usize, Response> {
    match req.param("page[size]") {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(bad_page(&format!("page[size] must be between 1 and {max}"))),
        },
    }
}

fn after(req: &Request) -> Result<Option<u64>, Response> {
    match req.param("page[after]") {
        None | Some("") => Ok(None),
        Some(c) => cursor_value(c)
            .map(Some)
            .ok_or_else(|| bad_page("page[after] is not a valid cursor")),
    }
}

fn export(s: &State, req: &Request) -> Response {
    if req.param("filter[type]") != Some("ticket") {
        return invalid_search(
            "filter[type] is required for the export search (ticket, user, organization or group)",
        );
    }
    let size = match page_size(req, 1000, 1000) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let allowed = match statuses(req.param("query")) {
        Ok(a) => a,
        Err(e) => return invalid_search(&e),
    };
    let after = match after(req) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let matching: Vec<&FakeTicket> = s
        .tickets
        .values()
        .filter(|t| allowed.contains(&t.status.as_str()))
        .filter(|t| after.is_none_or(|a| t.id > a))
        .collect();
    let page = &matching[..matching.len().min(size)];
    let has_more = matching.len() > size;
    let after_cursor = page.last().map(|t| cursor_for(t.id));
    let next = match (&after_cursor, has_more) {
        (Some(c), true) => json!(format!(
            "{}/api/v2/search/export.json?query={}&filter%5Btype%5D=ticket&page%5Bsize%5D={size}&page%5Bafter%5D={}",
            s.origin,
            percent_encode(req.param("query").unwrap_or("")),
            percent_encode(c)
        )),
        _ => Value::Null,
    };
    Response::json(
        200,
        &json!({
            "results": page.iter().map(|t| ticket(s, t)).collect::<Vec<_>>(),
            "facets": null,
            "meta": {
                "has_more": has_more,
                "after_cursor": after_cursor,
                "before_cursor": page.first().map(|t| cursor_for(t.id)),
            },
            "links": {"next": next, "prev": null},
        }),
    )
}

fn ticket(s: &State, t: &FakeTicket) -> Value {
    json!({
        "id": t.id,
        "url": format!("{}/api/v2/tickets/{}.json", s.origin, t.id),
        "result_type": "ticket",
        "type": "question",
        "subject": t.subject,
        "raw_subject": t.subject,
        "description": t.messages.first().map(|m| m.text.clone()),
        "priority": "normal",
        "status": t.status,
        "requester_id": t.requester.id,
        "submitter_id": t.requester.id,
        "assignee_id": 9001,
        "tags": t.tags,
        "created_at": shown_time(t, t.created_at),
        "updated_at": rfc3339(t.updated_at),
        "via": {"channel": "email"},
    })
}

fn user(p: &FakePerson) -> Value {
    json!({
        "id": p.id,
        "name": p.name(),
        "email": p.email,
        "phone": if p.phone.is_empty() { Value::Null } else { json!(p.phone) },
        "role": if p.agent { "agent" } else { "end-user" },
    })
}

fn comment(m: &FakeMessage) -> Value {
    let via = if m.kind == FakeKind::Customer {
        json!({"channel": "email", "source": {
            "from": {"address": m.author.email, "name": m.author.name()},
            "to": {"address": "support@acme.test", "name": "Acme"}, "rel": null}})
    } else {
        json!({"channel": "web", "source": {"from": {}, "to": {}, "rel": null}})
    };
    json!({
        "id": m.id,
        "type": "Comment",
        "author_id": m.author.id,
        "body": m.text,
        "html_body": super::html(&m.text),
        "plain_body": m.text,
        "public": m.kind != FakeKind::PrivateNote,
        "attachments": [],
        "audit_id": m.id + 1,
        "via": via,
        "created_at": rfc3339(m.created_at),
        "metadata": {"system": {}, "custom": {}},
    })
}

fn comments(s: &State, req: &Request, id: &str) -> Response {
    let Some(t) = id.parse::<u64>().ok().and_then(|id| s.tickets.get(&id)) else {
        return not_found();
    };
    let size = match page_size(req, 100, 100) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let start = match after(req) {
        Ok(a) => a.map_or(0, |i| i as usize + 1),
        Err(r) => return r,
    };
    let end = (start + size).min(t.messages.len());
    let page = t.messages.get(start..end).unwrap_or_default();
    let has_more = end < t.messages.len();
    let mut body = json!({
        "comments": page.iter().map(comment).collect::<Vec<_>>(),
        "meta": {
            "has_more": has_more,
            "after_cursor": (!page.is_empty()).then(|| cursor_for(end as u64 - 1)),
            "before_cursor": (!page.is_empty()).then(|| cursor_for(start as u64)),
        },
        "links": {
            "next": has_more.then(|| format!(
                "{}/api/v2/tickets/{}/comments.json?page%5Bsize%5D={size}&page%5Bafter%5D={}",
                s.origin, t.id, percent_encode(&cursor_for(end as u64 - 1)))),
            "prev": null,
        },
    });
    let include = req.param("include").unwrap_or("");
    if include.split(',').any(|i| i.trim() == "users") {
        let mut people: Vec<&FakePerson> = vec![&t.requester];
        for m in page {
            if !people.iter().any(|p| p.id == m.author.id) {
                people.push(&m.author);
            }
        }
        body["users"] = json!(people.into_iter().map(user).collect::<Vec<_>>());
    }
    Response::json(200, &body)
}
