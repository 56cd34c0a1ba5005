//! Spin HTTP routes: parses `[[trigger.http]] route` strings, picks the route `spin up` would
//! pick for a request path, and computes the values of the `spin-*` routing headers.

use std::cmp::Ordering;
use std::collections::HashMap;

/// One element of a parsed route. A route alternates pieces (literal, parameter, wildcard)
/// and separators (`/`, `.`); dots inside a path segment separate pieces too.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Param(String),
    Wildcard,
    Slash,
    Dot,
}

impl Token {
    /// Precedence weight; the first position where two routes differ decides. The end of a
    /// route ranks between `.` and `/`, so `/:a.json` beats `/:a` and `/a` beats `/a/...`.
    fn rank(token: Option<&Token>) -> u8 {
        match token {
            Some(Token::Literal(_)) => 6,
            Some(Token::Param(_)) => 5,
            Some(Token::Dot) => 4,
            None => 3,
            Some(Token::Wildcard) => 2,
            Some(Token::Slash) => 1,
        }
    }
}

struct Route<T> {
    raw: String,
    normalized: String,
    tokens: Vec<Token>,
    value: T,
}

/// The route table of an app's HTTP triggers.
pub struct Router<T> {
    /// Best route first; routes of equal precedence keep declaration order, so the first
    /// declared one wins.
    routes: Vec<Route<T>>,
}

/// The route chosen for a request, with the values of Spin's routing headers.
#[derive(Debug)]
pub struct RouteMatch<'a, T> {
    pub value: &'a T,
    /// The route exactly as written in the manifest (`spin-raw-component-route`).
    pub raw_route: &'a str,
    /// The normalized route including any trailing `/...` (`spin-matched-route`).
    pub matched_route: String,
    /// The raw route without a trailing `/...` (`spin-component-route`).
    pub component_route: String,
    /// The part of the path captured by a trailing wildcard (`spin-path-info`).
    pub path_info: String,
    /// Captured `:name` values, not percent-decoded, in route order.
    pub params: Vec<(String, String)>,
}

impl<T> Router<T> {
    /// Build from (raw route string, value) in manifest order. Returns the router and
    /// human-readable warnings (e.g. duplicate routes made unreachable). Err for an invalid route
    /// (e.g. wildcard not in last segment).
    ///
    /// Positions in warnings are 1-based indexes into `routes`.
    pub fn build(routes: Vec<(String, T)>) -> Result<(Router<T>, Vec<String>), String> {
        // Like Spin: an identical route string replaces the earlier declaration but keeps
        // its place in the order.
        let mut deduped: Vec<(String, T, usize)> = Vec::with_capacity(routes.len());
        let mut by_raw: HashMap<String, usize> = HashMap::new();
        let mut replaced: Vec<(usize, usize)> = Vec::new();
        for (position, (raw, value)) in routes.into_iter().enumerate() {
            match by_raw.get(&raw) {
                Some(&slot) => {
                    replaced.push((deduped[slot].2, slot));
                    deduped[slot].1 = value;
                    deduped[slot].2 = position;
                }
                None => {
                    by_raw.insert(raw.clone(), deduped.len());
                    deduped.push((raw, value, position));
                }
            }
        }
        let warnings = replaced
            .into_iter()
            .map(|(lost, slot)| {
                let (raw, _, kept) = &deduped[slot];
                format!(
                    "route {raw:?} is declared more than once: the declaration at position {} \
                     is unreachable (the one at position {} is used)",
                    lost + 1,
                    kept + 1
                )
            })
            .collect();

        let mut parsed = Vec::with_capacity(deduped.len());
        for (raw, value, _) in deduped {
            let normalized = normalize(&raw);
            let tokens =
                parse(&normalized).map_err(|e| format!("invalid HTTP route {raw:?}: {e}"))?;
            parsed.push(Route {
                raw,
                normalized,
                tokens,
                value,
            });
        }
        // A stable sort keeps equal-precedence routes (`/a/:x` vs `/a/:y`) in declaration order.
        parsed.sort_by(|a, b| precedence(&a.tokens, &b.tokens));
        Ok((Router { routes: parsed }, warnings))
    }

    /// Match a raw request path (still percent-encoded, no query string).
    pub fn route(&self, path: &str) -> Option<RouteMatch<'_, T>> {
        let trimmed = path.trim_matches('/');
        self.routes.iter().find_map(|route| {
            let captures = match_tokens(&route.tokens, trimmed)?;
            Some(RouteMatch {
                value: &route.value,
                raw_route: &route.raw,
                matched_route: route.normalized.clone(),
                component_route: route
                    .raw
                    .strip_suffix("/...")
                    .unwrap_or(&route.raw)
                    .to_string(),
                path_info: path_info(captures.wildcard, path.ends_with('/')),
                params: dedup_params(captures.params),
            })
        })
    }
}

/// Header name for a path parameter: ":user_id" -> "spin-path-match-user-id".
pub fn param_header_name(param: &str) -> String {
    let name = param.strip_prefix(':').unwrap_or(param);
    format!("spin-path-match-{}", name.replace('_', "-").to_ascii_lowercase())
}

/// Spin's route normalization: add a leading `/`, drop one trailing `/`. The root route thus
/// becomes "" (Spin sends an empty `spin-matched-route` for it).
fn normalize(raw: &str) -> String {
    let absolute = if raw.starts_with('/') {
        raw.to_string()
    } else {
        format!("/{raw}")
    };
    match absolute.strip_suffix('/') {
        Some(stripped) => stripped.to_string(),
        None => absolute,
    }
}

fn parse(normalized: &str) -> Result<Vec<Token>, String> {
    let (body, trailing_wildcard) = match normalized
        .strip_suffix("/...")
        .or_else(|| normalized.strip_suffix("/*"))
    {
        Some(body) => (body, true),
        None => (normalized, false),
    };
    let segments: Vec<&str> = body.split('/').filter(|s| !s.is_empty()).collect();
    let mut tokens = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "..." {
            return Err("the wildcard `/...` is only allowed at the end".into());
        }
        if i > 0 {
            tokens.push(Token::Slash);
        }
        for (j, piece) in segment.split('.').enumerate() {
            if j > 0 {
                tokens.push(Token::Dot);
            }
            tokens.push(parse_piece(piece)?);
        }
    }
    if trailing_wildcard {
        // The root wildcard has nothing to separate from.
        if !tokens.is_empty() {
            tokens.push(Token::Slash);
        }
        tokens.push(Token::Wildcard);
    }
    // `.*` is a wildcard too (the route matcher accepts it), but only at the very end.
    let last = tokens.len().saturating_sub(1);
    if tokens
        .iter()
        .enumerate()
        .any(|(i, t)| *t == Token::Wildcard && i != last)
    {
        return Err("a wildcard is only allowed in the last segment".into());
    }
    Ok(tokens)
}

fn parse_piece(piece: &str) -> Result<Token, String> {
    if let Some(name) = piece.strip_prefix(':') {
        if name.is_empty() {
            return Err("a `:` parameter needs a name".into());
        }
        return Ok(Token::Param(name.to_string()));
    }
    if piece == "*" {
        return Ok(Token::Wildcard);
    }
    if piece.starts_with('*') {
        return Err(format!(
            "wildcards cannot be named: replace {piece:?} with `...`"
        ));
    }
    Ok(Token::Literal(piece.to_string()))
}

/// Greater means the route wins. Literal text and parameter names do not count: routes that
/// differ only there either cannot match the same path or are equivalent.
fn precedence(a: &[Token], b: &[Token]) -> Ordering {
    let len = a.len().max(b.len());
    for i in 0..=len {
        let (ra, rb) = (Token::rank(a.get(i)), Token::rank(b.get(i)));
        if ra != rb {
            // Best first when sorting ascending.
            return rb.cmp(&ra);
        }
    }
    Ordering::Equal
}

struct Captures<'p> {
    wildcard: Option<&'p str>,
    params: Vec<(String, &'p str)>,
}

/// Matches `path` (leading and trailing `/` already trimmed) greedily, without backtracking,
/// the way Spin's matcher does: a parameter stops at the first `/`, or at the first `.` when
/// the route has a `.` after it, and a parameter never matches an exhausted path.
fn match_tokens<'p>(tokens: &[Token], path: &'p str) -> Option<Captures<'p>> {
    let mut pos = 0;
    let mut captures = Captures {
        wildcard: None,
        params: Vec::new(),
    };
    for (i, token) in tokens.iter().enumerate() {
        let rest = &path[pos..];
        match token {
            Token::Literal(text) => {
                if !rest.starts_with(text.as_str()) {
                    return None;
                }
                pos += text.len();
            }
            Token::Param(name) => {
                if rest.is_empty() {
                    return None;
                }
                let stop_at_dot = tokens.get(i + 1) == Some(&Token::Dot);
                let end = rest
                    .find(|c| c == '/' || (stop_at_dot && c == '.'))
                    .unwrap_or(rest.len());
                captures.params.push((name.clone(), &rest[..end]));
                pos += end;
            }
            Token::Slash => {
                // `/users/...` also matches `/users`.
                let wildcard_next = tokens.get(i + 1) == Some(&Token::Wildcard);
                if wildcard_next && rest.is_empty() {
                    continue;
                }
                if !rest.starts_with('/') {
                    return None;
                }
                pos += 1;
            }
            Token::Dot => {
                if !rest.starts_with('.') {
                    return None;
                }
                pos += 1;
            }
            Token::Wildcard => {
                captures.wildcard = Some(rest);
                pos = path.len();
            }
        }
    }
    (pos == path.len()).then_some(captures)
}

/// Spin keeps the request's trailing slash in `spin-path-info` although matching ignores it.
fn path_info(wildcard: Option<&str>, trailing_slash: bool) -> String {
    match (wildcard, trailing_slash) {
        (None, _) | (Some(""), false) => String::new(),
        (Some(""), true) => "/".to_string(),
        (Some(rest), false) => format!("/{rest}"),
        (Some(rest), true) => format!("/{rest}/"),
    }
}

/// Spin collects captures into a map, so a repeated name keeps only its last value.
fn dedup_params(params: Vec<(String, &str)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(params.len());
    for (name, value) in params {
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some(existing) => existing.1 = value.to_string(),
            None => out.push((name, value.to_string())),
        }
    }
    out
}
