//! The inbox API, independent of the host: a request in, a response out.
//! Components only translate HTTP to [`Request`] and [`Response`] back.

mod assists;
mod bots;
pub(crate) mod escalations;
pub mod importers;
pub mod inbound_email;
mod session;
mod team;
mod tokens;

use crate::env::Ctx;
use crate::problem::Problem;
use serde_json::Value as Json;

pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    /// Header names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

impl Request<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn authorization(&self) -> Option<&str> {
        self.header("authorization")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: &Json) -> Response {
        Response {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("cache-control".into(), "no-store".into()),
            ],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn no_content() -> Response {
        Response {
            status: 204,
            headers: vec![("cache-control".into(), "no-store".into())],
            body: Vec::new(),
        }
    }

    pub fn problem(p: &Problem) -> Response {
        let mut headers = vec![
            ("content-type".into(), "application/problem+json".into()),
            ("cache-control".into(), "no-store".into()),
        ];
        if let Some(secs) = p.retry_after {
            headers.push(("retry-after".into(), secs.to_string()));
        }
        if p.status == 401 {
            headers.push(("www-authenticate".into(), "Bearer realm=\"baton\"".into()));
        }
        Response {
            status: p.status,
            headers,
            body: serde_json::to_vec(p).unwrap_or_default(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handled = Result<Response, Problem>;

/// The escalation component's routes (bot-key API for chat widgets and AIs).
pub fn handle_escalation(ctx: &Ctx, req: &Request) -> Response {
    let result = match (req.method, req.path.trim_end_matches('/')) {
        ("OPTIONS", "/v1/escalations" | "/v1/escalations/check" | "/v1/customers/context") => {
            bots::preflight(ctx, req)
        }
        ("POST", "/v1/escalations/check") => escalations::check(ctx, req),
        ("POST", "/v1/escalations") => escalations::create(ctx, req),
        ("GET", "/v1/customers/context") => escalations::context(ctx, req),
        (m, p @ ("/v1/escalations" | "/v1/escalations/check" | "/v1/customers/context")) => {
            Err(Problem::method_not_allowed(m, p))
        }
        _ => Err(Problem::not_found(req.path)),
    };
    let response = result.unwrap_or_else(|p| Response::problem(&p));
    bots::cors_on_errors(ctx, req, response)
}

/// Routes one API request. Unknown paths are 404, known paths with another
/// method 405, both as problem documents.
pub fn handle(ctx: &Ctx, req: &Request) -> Response {
    match route(ctx, req) {
        Ok(r) => r,
        Err(p) => Response::problem(&p),
    }
}

fn route(ctx: &Ctx, req: &Request) -> Handled {
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let m = req.method;
    if let ["csat", token] = segments.as_slice() {
        return match m {
            "GET" | "HEAD" => Ok(csat_page(ctx, token, false)?),
            "POST" => Ok(csat_page(ctx, token, true)?),
            _ => Err(Problem::method_not_allowed(m, req.path)),
        };
    }
    let rest = match segments.split_first() {
        Some((&"v1", rest)) => rest,
        _ => return Err(Problem::not_found(req.path)),
    };
    let not_allowed = || Err(Problem::method_not_allowed(m, req.path));
    match rest {
        ["setup"] => match m {
            "GET" => session::setup_status(ctx),
            "POST" => session::setup(ctx, req),
            _ => not_allowed(),
        },
        ["auth", "login"] => match m {
            "POST" => session::login(ctx, req),
            _ => not_allowed(),
        },
        ["auth", "logout"] => match m {
            "POST" => session::logout(ctx, req),
            _ => not_allowed(),
        },
        ["auth", "password-reset"] => match m {
            "POST" => session::request_reset(ctx, req),
            _ => not_allowed(),
        },
        ["auth", "password-reset", token] => match m {
            "POST" => session::complete_reset(ctx, req, token),
            _ => not_allowed(),
        },
        ["team", id, "password-reset"] => match m {
            "POST" => team::reset_member_password(ctx, req, id),
            _ => not_allowed(),
        },
        ["me"] => match m {
            "GET" => session::me(ctx, req),
            _ => not_allowed(),
        },
        ["me", "password"] => match m {
            "POST" => session::change_password(ctx, req),
            _ => not_allowed(),
        },
        ["tokens"] => match m {
            "GET" => tokens::list(ctx, req),
            "POST" => tokens::create(ctx, req),
            _ => not_allowed(),
        },
        ["tokens", id] => match m {
            "DELETE" => tokens::revoke(ctx, req, id),
            _ => not_allowed(),
        },
        ["team"] => match m {
            "GET" => team::list(ctx, req),
            _ => not_allowed(),
        },
        ["team", "invitations"] => match m {
            "GET" => team::list_invitations(ctx, req),
            "POST" => team::invite(ctx, req),
            _ => not_allowed(),
        },
        ["team", "invitations", id] => match m {
            "DELETE" => team::revoke_invitation(ctx, req, id),
            _ => not_allowed(),
        },
        ["team", id] => match m {
            "PATCH" => team::update(ctx, req, id),
            "DELETE" => team::remove(ctx, req, id),
            _ => not_allowed(),
        },
        ["invitations", token, "accept"] => match m {
            "POST" => team::accept(ctx, req, token),
            _ => not_allowed(),
        },
        ["assists"] => match m {
            "GET" => assists::list(ctx, req),
            _ => not_allowed(),
        },
        ["assists", "counts"] => match m {
            "GET" => assists::counts(ctx, req),
            _ => not_allowed(),
        },
        ["assists", id] => match m {
            "GET" => assists::detail(ctx, req, id),
            "PATCH" => assists::patch(ctx, req, id),
            _ => not_allowed(),
        },
        ["assists", id, "notes"] => match m {
            "POST" => assists::note(ctx, req, id),
            _ => not_allowed(),
        },
        ["assists", id, "presence"] => match m {
            "POST" => assists::presence(ctx, req, id),
            _ => not_allowed(),
        },
        ["assists", id, "read"] => match m {
            "POST" => assists::read(ctx, req, id),
            _ => not_allowed(),
        },
        ["assists", id, "draft"] => match m {
            "POST" => assists::draft(ctx, req, id),
            _ => not_allowed(),
        },
        ["assists", id, "replies"] => match m {
            "POST" => assists::reply(ctx, req, id),
            _ => not_allowed(),
        },
        ["assists", id, "close"] => match m {
            "POST" => assists::close(ctx, req, id),
            _ => not_allowed(),
        },
        ["assists", id, "reopen"] => match m {
            "POST" => assists::reopen(ctx, req, id),
            _ => not_allowed(),
        },
        ["bots"] => match m {
            "GET" => bots::list(ctx, req),
            "POST" => bots::create(ctx, req),
            _ => not_allowed(),
        },
        ["bots", id] => match m {
            "GET" => bots::get(ctx, req, id),
            "PATCH" => bots::update(ctx, req, id),
            "DELETE" => bots::delete(ctx, req, id),
            _ => not_allowed(),
        },
        ["bots", id, "customer-tokens"] => match m {
            "POST" => bots::customer_token(ctx, req, id),
            _ => not_allowed(),
        },
        ["bots", id, "rotate-key"] => match m {
            "POST" => bots::rotate_key(ctx, req, id),
            _ => not_allowed(),
        },
        ["widget", "config"] => match m {
            "GET" => bots::widget_config(ctx, req),
            "OPTIONS" => bots::preflight(ctx, req),
            _ => not_allowed(),
        },
        _ => Err(Problem::not_found(req.path)),
    }
}

/// A survey link: GET shows the choice, the page's POST records it.
fn csat_page(ctx: &Ctx, token: &str, save: bool) -> Handled {
    let answer = crate::csat::answer(ctx, token, save)?;
    Ok(Response {
        status: if answer.is_some() { 200 } else { 404 },
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("cache-control".into(), "no-store".into()),
            (
                "content-security-policy".into(),
                "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
                    .into(),
            ),
            ("referrer-policy".into(), "no-referrer".into()),
            ("x-content-type-options".into(), "nosniff".into()),
        ],
        body: crate::csat::page(answer.as_ref()).into_bytes(),
    })
}

#[cfg(test)]
pub(crate) mod tests;
