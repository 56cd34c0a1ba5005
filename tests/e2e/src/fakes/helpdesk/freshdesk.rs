//! Fake Freshdesk API v2: `/agents/me`, `/search/tickets` (the query in
//! double quotes, at most 512 characters, `AND`/`OR`/parentheses over
//! `status`, `priority`, `tag`, `created_at` and `updated_at` with `:>`
//! and `:<` inclusive by day; 30 results a page, pages 1 to 10; newest
//! first), `/tickets/{id}` (`include=requester`), `/tickets/{id}/
//! conversations` (`per_page` ≤ 100, `Link: <..>; rel="next"`). Basic auth
//! `{api_key}:X`.

use serde_json::{Value, json};

use super::{
    FakeKind, FakeMessage, FakeTicket, Request, Response, State, basic, creds, html, rfc3339,
    segments, shown_time,
};

const PER_PAGE: usize = 30;
const MAX_PAGE: usize = 10;

fn validation(field: &str, message: &str) -> Response {
    Response::json(
        400,
        &json!({"description": "Validation failed",
                "errors": [{"field": field, "message": message, "code": "invalid_value"}]}),
    )
}

pub(super) fn handle(s: &mut State, req: &Request) -> Response {
    if req.header("authorization") != Some(basic(creds::FRESHDESK_API_KEY, "X").as_str()) {
        return Response::json(
            401,
            &json!({"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}),
        );
    }
    if s.forbidden {
        return Response::json(
            403,
            &json!({"code": "access_denied", "message": "You are not authorized to perform this action."}),
        );
    }
    let path = segments(&req.path);
    let ticket = |id: &str| id.parse::<u64>().ok().and_then(|i| s.tickets.get(&i));
    match (req.method.as_str(), path.as_slice()) {
        ("GET", ["api", "v2", "agents", "me"]) => Response::json(
            200,
            &json!({"id": 43, "available": true, "occasional": false, "type": "support_agent",
                    "contact": {"name": "Importer", "email": "importer@acme.test", "active": true}}),
        ),
        ("GET", ["api", "v2", "search", "tickets"]) => search(s, req),
        ("GET", ["api", "v2", "tickets", id]) => match ticket(id) {
            Some(t) => Response::json(200, &view(t, req.param("include"))),
            None => not_found(),
        },
        ("GET", ["api", "v2", "tickets", id, "conversations"]) => match ticket(id) {
            Some(t) => conversations(s, req, t),
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn not_found() -> Response {
    Response {
        status: 404,
        headers: vec![("content-type".into(), "application/json".into())],
        body: Vec::new(),
    }
}

// ---- the search query language --------------------------------------------

#[derive(Debug)]
enum Val {
    Int(i64),
    Str(String),
    Null,
}

#[derive(Debug)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `field:value`, `field:>value` (≥), `field:<value` (≤).
    Cond {
        field: String,
        op: char,
        value: Val,
    },
}

#[derive(Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Cond(String),
}

fn tokenize(q: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = q.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            c if c.is_whitespace() => i += 1,
            '(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            ')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            _ => {
                let mut word = String::new();
                let mut quoted = false;
                while i < chars.len() {
                    let c = chars[i];
                    if c == '\'' {
                        quoted = !quoted;
                    } else if !quoted && (c.is_whitespace() || c == '(' || c == ')') {
                        break;
                    }
                    word.push(c);
                    i += 1;
                }
                if quoted {
                    return Err("unterminated quote".into());
                }
                toks.push(match word.as_str() {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    _ => Tok::Cond(word),
                });
            }
        }
    }
    Ok(toks)
}

fn condition(word: &str) -> Result<Expr, String> {
    let (field, rest) = word
        .split_once(':')
        .ok_or_else(|| format!("{word:?} is not field:value"))?;
    let (op, raw) = match rest.chars().next() {
        Some('>') => ('>', &rest[1..]),
        Some('<') => ('<', &rest[1..]),
        _ => ('=', rest),
    };
    let value = if raw == "null" {
        Val::Null
    } else if let Some(s) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        Val::Str(s.to_string())
    } else if let Ok(n) = raw.parse() {
        Val::Int(n)
    } else {
        return Err(format!("{raw:?} is not a value"));
    };
    Ok(Expr::Cond {
        field: field.to_string(),
        op,
        value,
    })
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.toks.get(self.at) == Some(&Tok::Or) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.atom()?;
        while self.toks.get(self.at) == Some(&Tok::And) {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.atom()?));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let tok = self.toks.get(self.at).ok_or("query ends too soon")?;
        self.at += 1;
        match tok {
            Tok::Open => {
                let e = self.or()?;
                if self.toks.get(self.at) != Some(&Tok::Close) {
                    return Err("missing )".into());
                }
                self.at += 1;
                Ok(e)
            }
            Tok::Cond(w) => condition(w),
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

fn parse(q: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: tokenize(q)?,
        at: 0,
    };
    let e = p.or()?;
    if p.at != p.toks.len() {
        return Err("unexpected text after the query".into());
    }
    Ok(e)
}

fn eval(e: &Expr, t: &FakeTicket) -> Result<bool, String> {
    match e {
        Expr::And(a, b) => Ok(eval(a, t)? && eval(b, t)?),
        Expr::Or(a, b) => Ok(eval(a, t)? || eval(b, t)?),
        Expr::Cond { field, op, value } => {
            let compare = |actual: i64, wanted: i64| match op {
                '>' => actual >= wanted,
                '<' => actual <= wanted,
                _ => actual == wanted,
            };
            match (field.as_str(), value) {
                ("status", Val::Int(n)) => Ok(compare(t.status.parse().unwrap_or(0), *n)),
                ("priority", Val::Int(n)) => Ok(compare(1, *n)),
                ("tag", Val::Str(tag)) => Ok(t.tags.contains(tag)),
                ("tag", Val::Null) => Ok(t.tags.is_empty()),
                ("created_at" | "updated_at", Val::Str(date)) => {
                    let day = super::parse_day(date)
                        .ok_or_else(|| format!("{date:?} is not a date (YYYY-MM-DD)"))?;
                    let at = if field == "created_at" {
                        t.created_at
                    } else {
                        t.updated_at
                    };
                    Ok(compare(at.div_euclid(86_400), day))
                }
                (f, v) => Err(format!("cannot search {f} for {v:?}")),
            }
        }
    }
}

fn search(s: &State, req: &Request) -> Response {
    let Some(raw) = req.param("query") else {
        return validation("query", "It should be a/an String");
    };
    let Some(inner) = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| raw.len() >= 2)
    else {
        return validation("query", "The query should be enclosed in double quotes");
    };
    if inner.chars().count() > 512 {
        return validation(
            "query",
            "Has 513 characters, it can have maximum of 512 characters",
        );
    }
    let expr = match parse(inner) {
        Ok(e) => e,
        Err(why) => return validation("query", &why),
    };
    let page = match req.param("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(p @ 1..=MAX_PAGE)) => p,
        _ => return validation("page", "Value must be between 1 and 10"),
    };
    let mut matching = Vec::new();
    for t in s.tickets.values() {
        match eval(&expr, t) {
            Ok(true) => matching.push(t),
            Ok(false) => {}
            Err(why) => return validation("query", &why),
        }
    }
    matching.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.id)));
    let start = ((page - 1) * PER_PAGE).min(matching.len());
    let end = (start + PER_PAGE).min(matching.len());
    Response::json(
        200,
        &json!({
            "results": matching[start..end].iter().map(|t| ticket(t)).collect::<Vec<_>>(),
            "total": matching.len(),
        }),
    )
}

// ---- tickets and conversations --------------------------------------------

fn ticket(t: &FakeTicket) -> Value {
    json!({
        "id": t.id,
        "subject": t.subject,
        "status": t.status.parse::<i64>().unwrap_or(2),
        "priority": 1,
        "source": 1,
        "type": "Question",
        "requester_id": t.requester.id,
        "responder_id": 9001,
        "group_id": null,
        "company_id": null,
        "spam": false,
        "is_escalated": false,
        "fr_escalated": false,
        "tags": t.tags,
        "cc_emails": [],
        "fwd_emails": [],
        "reply_cc_emails": [],
        "due_by": rfc3339(t.created_at + 3 * 86_400),
        "fr_due_by": rfc3339(t.created_at + 86_400),
        "created_at": shown_time(t, t.created_at),
        "updated_at": rfc3339(t.updated_at),
        "custom_fields": {},
    })
}

fn view(t: &FakeTicket, include: Option<&str>) -> Value {
    let mut v = ticket(t);
    if let Some(first) = t.messages.first() {
        v["description"] = json!(html(&first.text));
        v["description_text"] = json!(first.text);
    }
    v["attachments"] = json!([]);
    if include.is_some_and(|i| i.split(',').any(|x| x.trim() == "requester")) {
        v["requester"] = json!({
            "id": t.requester.id,
            "name": t.requester.name(),
            "email": t.requester.email,
            "mobile": t.requester.phone,
            "phone": null,
        });
    }
    v
}

fn conversation(t: &FakeTicket, m: &FakeMessage) -> Value {
    let support = "support@acme.test";
    let (from, to): (Value, Vec<&str>) = match m.kind {
        FakeKind::Customer => (json!(m.author.email), vec![support]),
        FakeKind::PublicReply => (json!(support), vec![t.requester.email.as_str()]),
        FakeKind::PrivateNote => (Value::Null, Vec::new()),
    };
    json!({
        "id": m.id,
        "body": html(&m.text),
        "body_text": m.text,
        "incoming": m.kind == FakeKind::Customer,
        "private": m.kind == FakeKind::PrivateNote,
        "user_id": m.author.id,
        "support_email": if m.kind == FakeKind::PublicReply { json!(support) } else { Value::Null },
        "source": if m.kind == FakeKind::PrivateNote { 2 } else { 0 },
        "category": if m.kind == FakeKind::PrivateNote { 2 } else { 3 },
        "ticket_id": t.id,
        "to_emails": to,
        "from_email": from,
        "cc_emails": [],
        "bcc_emails": [],
        "email_failure_count": null,
        "outgoing_failures": null,
        "created_at": rfc3339(m.created_at),
        "updated_at": rfc3339(m.created_at),
        "attachments": [],
        "source_additional_info": null,
    })
}

fn conversations(s: &State, req: &Request, t: &FakeTicket) -> Response {
    let per_page = match req.param("per_page").map(str::parse::<usize>) {
        None => 30,
        Some(Ok(n @ 1..=100)) => n,
        _ => {
            return validation(
                "per_page",
                "It should be a Positive Integer less than or equal to 100",
            );
        }
    };
    let page = match req.param("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        _ => return validation("page", "It should be a Positive Integer"),
    };
    // The description is the first message; conversations are the rest.
    let all = t.messages.get(1..).unwrap_or_default();
    let start = ((page - 1) * per_page).min(all.len());
    let end = (start + per_page).min(all.len());
    let mut resp = Response::json(
        200,
        &json!(
            all[start..end]
                .iter()
                .map(|m| conversation(t, m))
                .collect::<Vec<_>>()
        ),
    );
    if end < all.len() {
        resp = resp.header(
            "link",
            format!(
                "<{}/api/v2/tickets/{}/conversations?per_page={per_page}&page={}>; rel=\"next\"",
                s.origin,
                t.id,
                page + 1
            ),
        );
    }
    resp
}
