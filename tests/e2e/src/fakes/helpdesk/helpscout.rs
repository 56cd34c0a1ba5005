//! Fake Help Scout Inbox API 2.0: `POST /v2/oauth2/token` (client
//! credentials, form or JSON), `/v2/users/me`, `/v2/conversations`
//! (`status`, `embed=threads`, `sortField`, `sortOrder`, HAL pages of 25
//! with `_links.next`), `/v2/conversations/{id}/threads` (HAL pages of 25,
//! newest first). Bearer tokens are the ones this fake issued.

use serde_json::{Value, json};

use super::{
    FakeKind, FakeMessage, FakePerson, FakeTicket, Request, Response, State, creds, percent_decode,
    rfc3339, segments, shown_time,
};

const PAGE_SIZE: usize = 25;

fn vnd_error(status: u16, message: &str) -> Response {
    Response::json(
        status,
        &json!({"logRef": format!("fake-{status}"), "message": message, "_embedded": {"errors": []}}),
    )
    .content_type("application/vnd.error+json")
}

fn hal(v: &Value) -> Response {
    Response::json(200, v).content_type("application/hal+json")
}

pub(super) fn handle(s: &mut State, req: &Request) -> Response {
    let path = segments(&req.path);
    if req.method == "POST" && path == ["v2", "oauth2", "token"] {
        return token(s, req);
    }
    let bearer = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| s.tokens.iter().any(|issued| issued == t)) {
        return vnd_error(401, "Invalid or expired access token");
    }
    if s.forbidden {
        return vnd_error(
            403,
            "The user does not have permission to access this resource",
        );
    }
    match (req.method.as_str(), path.as_slice()) {
        ("GET", ["v2", "users", "me"]) => hal(&json!({
            "id": 4, "firstName": "Importer", "lastName": "Bot", "email": "importer@acme.test",
            "role": "owner", "timezone": "UTC", "type": "user",
        })),
        ("GET", ["v2", "conversations"]) => list(s, req),
        ("GET", ["v2", "conversations", id, "threads"]) => {
            match id.parse::<u64>().ok().and_then(|i| s.tickets.get(&i)) {
                Some(t) => thread_page(s, req, t),
                None => vnd_error(404, "Resource not found"),
            }
        }
        _ => vnd_error(404, "Resource not found"),
    }
}

fn token(s: &mut State, req: &Request) -> Response {
    let json_body = req
        .header("content-type")
        .is_some_and(|c| c.contains("json"));
    let field = |name: &str| -> Option<String> {
        if json_body {
            serde_json::from_slice::<Value>(&req.body)
                .ok()?
                .get(name)?
                .as_str()
                .map(str::to_string)
        } else {
            let body = String::from_utf8_lossy(&req.body).into_owned();
            body.split('&').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (percent_decode(k, true) == name).then(|| percent_decode(v, true))
            })
        }
    };
    if field("grant_type").as_deref() != Some("client_credentials") {
        return Response::json(
            400,
            &json!({"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}),
        );
    }
    if field("client_id").as_deref() != Some(creds::HELPSCOUT_CLIENT_ID)
        || field("client_secret").as_deref() != Some(creds::HELPSCOUT_CLIENT_SECRET)
    {
        return Response::json(
            401,
            &json!({"error_description": "Invalid client authentication", "error": "invalid_client"}),
        );
    }
    s.token_serial += 1;
    let token = format!("hsTok{:04}x{}", s.token_serial, super::now_unix() % 10_000);
    s.tokens.push(token.clone());
    Response::json(
        200,
        &json!({"token_type": "bearer", "access_token": token, "expires_in": 172_800}),
    )
}

fn person(p: &FakePerson) -> Value {
    json!({
        "id": p.id,
        "type": if p.agent { "user" } else { "customer" },
        "first": p.first,
        "last": p.last,
        "email": p.email,
    })
}

fn thread(t: &FakeTicket, m: &FakeMessage) -> Value {
    let (kind, via) = match m.kind {
        FakeKind::Customer => ("customer", "customer"),
        FakeKind::PublicReply => ("message", "user"),
        FakeKind::PrivateNote => ("note", "user"),
    };
    json!({
        "id": m.id,
        "type": kind,
        "status": "active",
        "state": "published",
        "action": null,
        "body": super::html(&m.text),
        "source": {"type": "email", "via": via},
        "customer": person(&t.requester),
        "createdBy": person(&m.author),
        "assignedTo": null,
        "savedReplyId": 0,
        "to": [],
        "cc": [],
        "bcc": [],
        "createdAt": rfc3339(m.created_at),
        "openedAt": null,
        "_embedded": {"attachments": []},
    })
}

/// Every thread of a conversation, newest first, with the activity line
/// items and unsent drafts Help Scout also lists.
fn threads(t: &FakeTicket) -> Vec<Value> {
    let mut all: Vec<(i64, Value)> = t
        .messages
        .iter()
        .map(|m| (m.created_at, thread(t, m)))
        .collect();
    if let Some(first) = t.messages.first() {
        all.push((
            first.created_at + 30,
            json!({
                "id": first.id * 10,
                "type": "lineitem",
                "status": "active",
                "state": "published",
                "action": {"type": "assigned", "text": "Ann Agent assigned this conversation", "associatedEntities": {}},
                "source": {"type": "api", "via": "user"},
                "createdBy": {"id": 9001, "type": "user", "first": "Ann", "last": "Agent", "email": "ann@acme.test"},
                "createdAt": rfc3339(first.created_at + 30),
            }),
        ));
    }
    if t.id.is_multiple_of(11)
        && let Some(last) = t.messages.last()
    {
        all.push((
            last.created_at + 60,
            json!({
                "id": last.id * 10 + 1,
                "type": "message",
                "status": "active",
                "state": "draft",
                "body": "<p>Draft reply, never sent</p>",
                "source": {"type": "email", "via": "user"},
                "createdBy": {"id": 9002, "type": "user", "first": "Bo", "last": "Support"},
                "createdAt": rfc3339(last.created_at + 60),
            }),
        ));
    }
    all.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    all.into_iter().map(|(_, v)| v).collect()
}

fn conversation(s: &State, t: &FakeTicket, embed_threads: bool) -> Value {
    let mut v = json!({
        "id": t.id,
        "number": t.id - 1_800_000,
        "threads": t.messages.len(),
        "type": "email",
        "folderId": 1,
        "status": t.status,
        "state": "published",
        "subject": t.subject,
        "preview": t.messages.last().map(|m| m.text.chars().take(60).collect::<String>()),
        "mailboxId": 1,
        "assignee": {"id": 9001, "type": "user", "first": "Ann", "last": "Agent", "email": "ann@acme.test"},
        "createdBy": person(&t.requester),
        "createdAt": shown_time(t, t.created_at),
        "closedBy": 0,
        "closedAt": null,
        "userUpdatedAt": rfc3339(t.updated_at),
        "customerWaitingSince": {"time": rfc3339(t.updated_at), "friendly": "a while ago"},
        "source": {"type": "email", "via": "customer"},
        "tags": t.tags.iter().enumerate()
            .map(|(i, tag)| json!({"id": i + 1, "color": "#929499", "tag": tag}))
            .collect::<Vec<_>>(),
        "cc": [],
        "bcc": [],
        "primaryCustomer": person(&t.requester),
        "customFields": [],
        "_links": {
            "self": {"href": format!("{}/v2/conversations/{}", s.origin, t.id)},
            "threads": {"href": format!("{}/v2/conversations/{}/threads", s.origin, t.id)},
        },
    });
    if embed_threads {
        v["_embedded"] = json!({ "threads": threads(t) });
    }
    v
}

fn page_param(req: &Request) -> Result<usize, Response> {
    match req.param("page").map(str::parse::<usize>) {
        None => Ok(1),
        Some(Ok(p)) if p >= 1 => Ok(p),
        _ => Err(vnd_error(400, "page must be a positive number")),
    }
}

/// HAL `_links` and `page` for a listing at `base` (with its query, sans
/// page).
fn paging(base: &str, page: usize, total: usize) -> (Value, Value) {
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let sep = if base.contains('?') { '&' } else { '?' };
    let href = |p: usize| json!({ "href": format!("{base}{sep}page={p}") });
    let mut links = json!({
        "self": href(page),
        "first": href(1),
        "last": href(pages),
        "page": {"href": format!("{base}{sep}page={{page}}"), "templated": true},
    });
    if page < pages {
        links["next"] = href(page + 1);
    }
    if page > 1 {
        links["prev"] = href(page - 1);
    }
    let info =
        json!({"size": PAGE_SIZE, "totalElements": total, "totalPages": pages, "number": page});
    (links, info)
}

fn list(s: &State, req: &Request) -> Response {
    let status = req.param("status").unwrap_or("active");
    let allowed: &[&str] = match status {
        "active" => &["active"],
        "pending" => &["pending"],
        "closed" => &["closed"],
        "spam" => &["spam"],
        "open" => &["active", "pending"],
        "all" => &["active", "pending", "closed"],
        _ => {
            return vnd_error(
                400,
                "status: must be one of active, pending, closed, spam, open, all",
            );
        }
    };
    let embed = match req.param("embed") {
        None | Some("") => false,
        Some("threads") => true,
        Some(_) => return vnd_error(400, "embed: only threads can be embedded"),
    };
    let page = match page_param(req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let by_modified = match req.param("sortField") {
        None | Some("createdAt") => false,
        Some("modifiedAt") => true,
        Some(_) => return vnd_error(400, "sortField: unsupported by this fake"),
    };
    let descending = match req.param("sortOrder") {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return vnd_error(400, "sortOrder: asc or desc"),
    };
    let mut matching: Vec<&FakeTicket> = s
        .tickets
        .values()
        .filter(|t| allowed.contains(&t.status.as_str()))
        .collect();
    matching.sort_by_key(|t| {
        let at = if by_modified {
            t.updated_at
        } else {
            t.created_at
        };
        (at, t.id)
    });
    if descending {
        matching.reverse();
    }
    let total = matching.len();
    let start = ((page - 1) * PAGE_SIZE).min(total);
    let end = (start + PAGE_SIZE).min(total);
    let base = format!(
        "{}/v2/conversations?status={status}{}",
        s.origin,
        if embed { "&embed=threads" } else { "" }
    );
    let (links, info) = paging(&base, page, total);
    hal(&json!({
        "_embedded": {"conversations": matching[start..end].iter()
            .map(|t| conversation(s, t, embed)).collect::<Vec<_>>()},
        "_links": links,
        "page": info,
    }))
}

fn thread_page(s: &State, req: &Request, t: &FakeTicket) -> Response {
    let page = match page_param(req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let all = threads(t);
    let start = ((page - 1) * PAGE_SIZE).min(all.len());
    let end = (start + PAGE_SIZE).min(all.len());
    let base = format!("{}/v2/conversations/{}/threads", s.origin, t.id);
    let (links, info) = paging(&base, page, all.len());
    hal(&json!({
        "_embedded": {"threads": all[start..end].to_vec()},
        "_links": links,
        "page": info,
    }))
}
