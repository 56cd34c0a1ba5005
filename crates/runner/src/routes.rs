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
    /// Precedence weight of one position. `/` and `.` weigh the same: Spin's matcher lines
    /// routes up token by token, not segment by segment.
    fn weight(&self) -> u8 {
        match self {
            Token::Literal(_) => 3,
            Token::Param(_) => 2,
            Token::Wildcard => 1,
            Token::Slash | Token::Dot => 0,
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
    /// In declaration order, which breaks ties: of equally specific routes the first wins.
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
        Ok((Router { routes: parsed }, warnings))
    }

    /// Match a raw request path (still percent-encoded, no query string).
    pub fn route(&self, path: &str) -> Option<RouteMatch<'_, T>> {
        let trimmed = path.trim_matches('/');
        // A scan rather than a pre-sorted table: the precedence relation is only guaranteed
        // to be consistent among routes that match the same path.
        let mut best: Option<(&Route<T>, Captures<'_>)> = None;
        for route in &self.routes {
            let Some(captures) = match_tokens(&route.tokens, trimmed) else {
                continue;
            };
            let better = best.as_ref().is_none_or(|(current, _)| {
                precedence(&route.tokens, &current.tokens) == Ordering::Greater
            });
            if better {
                best = Some((route, captures));
            }
        }
        let (route, captures) = best?;
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
    }
}

/// Header name for a path parameter: ":user_id" -> "spin-path-match-user-id".
pub fn param_header_name(param: &str) -> String {
    let name = param.strip_prefix(':').unwrap_or(param);
    format!(
        "spin-path-match-{}",
        name.replace('_', "-").to_ascii_lowercase()
    )
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

/// `Greater` means `a` wins. The first position whose weights differ decides (literal >
/// parameter > wildcard). If one route is a prefix of the other, the one with more `.`
/// separators wins (`/:name.json` over `/:name`), then the shorter (`/a` over `/a/...`).
/// Literal text and parameter names never count: routes differing only there cannot match
/// the same path, or are equivalent and left to declaration order.
fn precedence(a: &[Token], b: &[Token]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = x.weight().cmp(&y.weight());
        if order != Ordering::Equal {
            return order;
        }
    }
    let dots = |tokens: &[Token]| tokens.iter().filter(|t| **t == Token::Dot).count();
    dots(a).cmp(&dots(b)).then_with(|| b.len().cmp(&a.len()))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A router whose values are the declaration indexes.
    fn router(routes: &[&str]) -> Router<usize> {
        let (router, _) = Router::build(
            routes
                .iter()
                .enumerate()
                .map(|(i, r)| (r.to_string(), i))
                .collect(),
        )
        .unwrap();
        router
    }

    fn warnings(routes: &[&str]) -> Vec<String> {
        Router::build(routes.iter().map(|r| (r.to_string(), ())).collect())
            .unwrap()
            .1
    }

    /// Index of the winning route, or None.
    fn pick(routes: &[&str], path: &str) -> Option<usize> {
        router(routes).route(path).map(|m| *m.value)
    }

    /// Raw route string of the winner.
    fn winner(routes: &[&str], path: &str) -> Option<String> {
        pick(routes, path).map(|i| routes[i].to_string())
    }

    /// The winner must not depend on declaration order.
    fn assert_wins(routes: &[&str], path: &str, expected: &str) {
        assert_eq!(
            winner(routes, path).as_deref(),
            Some(expected),
            "{routes:?} {path}"
        );
        let reversed: Vec<&str> = routes.iter().rev().copied().collect();
        assert_eq!(
            winner(&reversed, path).as_deref(),
            Some(expected),
            "{reversed:?} {path}"
        );
    }

    /// An owned copy of a match, so tests can build a router inline.
    #[derive(Debug)]
    struct Owned {
        matched_route: String,
        component_route: String,
        path_info: String,
        params: Vec<(String, String)>,
    }

    fn matched(routes: &[&str], path: &str) -> Option<Owned> {
        router(routes).route(path).map(|m| Owned {
            matched_route: m.matched_route,
            component_route: m.component_route,
            path_info: m.path_info,
            params: m.params,
        })
    }

    fn params(routes: &[&str], path: &str) -> Vec<(String, String)> {
        matched(routes, path).unwrap().params
    }

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn path_info(route: &str, path: &str) -> String {
        matched(&[route], path).unwrap().path_info
    }

    // --- exact routes ---

    #[test]
    fn exact_route_matches_only_itself() {
        let r = router(&["/foo", "/foo/bar"]);
        assert_eq!(r.route("/foo").map(|m| *m.value), Some(0));
        assert_eq!(r.route("/foo/bar").map(|m| *m.value), Some(1));
        assert!(r.route("/fo").is_none());
        assert!(r.route("/foox").is_none());
        assert!(r.route("/foo/baz").is_none());
        assert!(r.route("/foo/bar/baz").is_none());
        assert!(r.route("/").is_none());
    }

    #[test]
    fn matching_is_case_sensitive() {
        assert_eq!(pick(&["/Foo"], "/Foo"), Some(0));
        assert_eq!(pick(&["/Foo"], "/foo"), None);
    }

    #[test]
    fn root_route() {
        for raw in ["/", ""] {
            let r = router(&[raw]);
            assert!(r.route("/").is_some(), "{raw:?}");
            assert!(r.route("").is_some(), "{raw:?}");
            assert!(r.route("//").is_some(), "{raw:?}");
            assert!(r.route("/a").is_none(), "{raw:?}");
        }
    }

    #[test]
    fn no_routes_no_match() {
        assert!(router(&[]).route("/").is_none());
    }

    // --- normalization ---

    #[test]
    fn route_gets_leading_slash_and_loses_one_trailing_slash() {
        let r = router(&["foo", "bar/", "/baz/"]);
        let m = r.route("/foo").unwrap();
        assert_eq!((m.raw_route, m.matched_route.as_str()), ("foo", "/foo"));
        let m = r.route("/bar").unwrap();
        assert_eq!((m.raw_route, m.matched_route.as_str()), ("bar/", "/bar"));
        let m = r.route("/baz").unwrap();
        assert_eq!((m.raw_route, m.matched_route.as_str()), ("/baz/", "/baz"));
    }

    #[test]
    fn only_one_trailing_slash_is_removed_from_the_route() {
        let m = matched(&["/foo//"], "/foo").unwrap();
        assert_eq!(m.matched_route, "/foo/");
    }

    #[test]
    fn request_path_slashes_at_either_end_are_ignored() {
        for path in ["/foo", "/foo/", "//foo", "foo", "///foo///", "/foo//"] {
            assert_eq!(pick(&["/foo"], path), Some(0), "{path}");
        }
    }

    #[test]
    fn inner_empty_path_segments_are_not_collapsed() {
        assert_eq!(pick(&["/foo/bar"], "/foo//bar"), None);
    }

    #[test]
    fn query_string_is_not_expected_in_the_path() {
        // The caller strips it; a `?` is just a character here.
        assert_eq!(pick(&["/foo"], "/foo?x=1"), None);
        assert_eq!(pick(&["/..."], "/foo?x=1"), Some(0));
    }

    // --- wildcards ---

    #[test]
    fn trailing_wildcard_matches_prefix_and_below() {
        let r = router(&["/users/..."]);
        for path in [
            "/users",
            "/users/",
            "/users/1",
            "/users/1/2/3",
            "//users//1",
        ] {
            assert!(r.route(path).is_some(), "{path}");
        }
        assert!(r.route("/usersx").is_none());
        assert!(r.route("/users.x").is_none());
        assert!(r.route("/").is_none());
    }

    #[test]
    fn internal_star_form_is_a_trailing_wildcard() {
        let r = router(&["/x/*"]);
        assert!(r.route("/x").is_some());
        assert!(r.route("/x/a/b").is_some());
        assert!(r.route("/y").is_none());
        // Both spellings are the same pattern, so the first declared wins.
        assert_eq!(pick(&["/x/*", "/x/..."], "/x/a"), Some(0));
        assert_eq!(pick(&["/x/...", "/x/*"], "/x/a"), Some(0));
    }

    #[test]
    fn root_wildcard_matches_everything() {
        let r = router(&["/..."]);
        for path in ["/", "", "/a", "/a/b/c", "//a", "/a.b"] {
            assert!(r.route(path).is_some(), "{path}");
        }
    }

    #[test]
    fn wildcard_after_a_trailing_slash_in_the_manifest() {
        let m = matched(&["/api/.../"], "/api/x").unwrap();
        assert_eq!(m.matched_route, "/api/...");
        assert_eq!(m.path_info, "/x");
        // Spin strips `/...` from the raw string only when it is the suffix.
        assert_eq!(m.component_route, "/api/.../");
    }

    #[test]
    fn dot_star_is_a_wildcard_too() {
        let m = matched(&["/files/:name.*"], "/files/a.tar.gz").unwrap();
        assert_eq!(m.params, p(&[("name", "a")]));
        assert_eq!(m.path_info, "/tar.gz");
        assert!(router(&["/files/:name.*"]).route("/files/a").is_none());
    }

    #[test]
    fn invalid_routes_are_errors() {
        for raw in [
            "/a/.../b",
            "/.../b",
            "/*/b",
            "/a/*/b",
            "/a.*/b",
            "/a/:",
            "/a/:/b",
            "/a/*rest",
            "/a/.../...",
        ] {
            let result = Router::build(vec![(raw.to_string(), ())]);
            let err = result.err().unwrap_or_else(|| panic!("{raw} should fail"));
            assert!(err.contains(raw), "{err}");
        }
    }

    #[test]
    fn odd_but_valid_routes() {
        // Spin accepts these as literals.
        assert_eq!(pick(&["/a*"], "/a*"), Some(0));
        assert_eq!(pick(&["/a:b"], "/a:b"), Some(0));
        assert_eq!(pick(&["/a..."], "/a..."), Some(0));
        assert_eq!(pick(&["/a..."], "/a/x"), None);
    }

    // --- parameters ---

    #[test]
    fn param_matches_exactly_one_segment() {
        let r = router(&["/users/:id"]);
        assert_eq!(r.route("/users/42").unwrap().params, p(&[("id", "42")]));
        assert_eq!(r.route("/users/42/").unwrap().params, p(&[("id", "42")]));
        assert!(r.route("/users").is_none());
        assert!(r.route("/users/").is_none());
        assert!(r.route("/users/42/x").is_none());
    }

    #[test]
    fn param_without_a_following_dot_keeps_dots() {
        assert_eq!(params(&["/:name"], "/a.json"), p(&[("name", "a.json")]));
        assert_eq!(params(&["/:n/x"], "/a.b/x"), p(&[("n", "a.b")]));
    }

    #[test]
    fn param_may_be_empty_unless_it_is_at_the_end_of_the_path() {
        assert_eq!(params(&["/a/:x/b"], "/a//b"), p(&[("x", "")]));
        assert_eq!(params(&["/:a.:b"], "/.y"), p(&[("a", ""), ("b", "y")]));
        assert_eq!(pick(&["/:a.:b"], "/x."), None);
        assert_eq!(pick(&["/:x"], "/"), None);
    }

    #[test]
    fn several_params_in_route_order() {
        let m = matched(&["/:org/repos/:repo/..."], "/acme/repos/web/issues/1").unwrap();
        assert_eq!(m.params, p(&[("org", "acme"), ("repo", "web")]));
        assert_eq!(m.path_info, "/issues/1");
    }

    #[test]
    fn repeated_param_name_keeps_the_last_value() {
        assert_eq!(params(&["/:a/:a"], "/x/y"), p(&[("a", "y")]));
    }

    #[test]
    fn dot_separates_params_inside_a_segment() {
        let r = router(&["/static/:name.json"]);
        assert_eq!(
            r.route("/static/a.json").unwrap().params,
            p(&[("name", "a")])
        );
        assert_eq!(
            r.route("/static/a.json/").unwrap().params,
            p(&[("name", "a")])
        );
        assert_eq!(r.route("/static/.json").unwrap().params, p(&[("name", "")]));
        assert!(r.route("/static/a.txt").is_none());
        assert!(r.route("/static/a").is_none());
        // The parameter stops at the first dot; there is no backtracking.
        assert!(r.route("/static/a.b.json").is_none());
        assert!(r.route("/static/a.json.json").is_none());
    }

    #[test]
    fn param_followed_by_dot_stops_at_a_slash() {
        assert_eq!(pick(&["/:a.:b"], "/x/y.z"), None);
    }

    #[test]
    fn last_param_after_dots_takes_the_rest_of_the_segment() {
        let m = matched(&["/a/:x.:y.:z"], "/a/1.2.3.4").unwrap();
        assert_eq!(m.params, p(&[("x", "1"), ("y", "2"), ("z", "3.4")]));
        assert!(router(&["/a/:x.:y.:z"]).route("/a/1.2").is_none());
    }

    #[test]
    fn literal_with_dots() {
        let r = router(&["/robots.txt", "/v1.0/..."]);
        assert_eq!(r.route("/robots.txt").map(|m| *m.value), Some(0));
        assert!(r.route("/robots").is_none());
        assert!(r.route("/robots.txt.bak").is_none());
        assert!(r.route("/robotsxtxt").is_none());
        assert_eq!(r.route("/v1.0/x").map(|m| *m.value), Some(1));
        assert!(r.route("/v1x0/x").is_none());
    }

    #[test]
    fn captures_are_not_percent_decoded() {
        assert_eq!(params(&["/:a/x"], "/a%20b/x"), p(&[("a", "a%20b")]));
        assert_eq!(path_info("/f/...", "/f/a%2Fb"), "/a%2Fb");
        assert_eq!(pick(&["/a b"], "/a%20b"), None);
    }

    // --- header values ---

    #[test]
    fn path_info_for_trailing_wildcard() {
        assert_eq!(path_info("/api/...", "/api"), "");
        assert_eq!(path_info("/api/...", "/api/"), "/");
        assert_eq!(path_info("/api/...", "/api/v1/x"), "/v1/x");
        assert_eq!(path_info("/api/...", "/api/v1/x/"), "/v1/x/");
        assert_eq!(path_info("/api/...", "/api/v1/x//"), "/v1/x/");
        assert_eq!(path_info("/api/...", "/api//v1"), "//v1");
        assert_eq!(path_info("/api/...", "//api/v1"), "/v1");
        assert_eq!(path_info("/api/*", "/api/v1"), "/v1");
        assert_eq!(path_info("/...", "/a/b"), "/a/b");
        assert_eq!(path_info("/...", "/a/b/"), "/a/b/");
        assert_eq!(path_info("/...", "/"), "/");
        assert_eq!(path_info("/...", ""), "");
        assert_eq!(path_info("/:x/...", "/a/b.c"), "/b.c");
    }

    #[test]
    fn path_info_is_empty_for_exact_and_param_routes() {
        assert_eq!(path_info("/api", "/api/"), "");
        assert_eq!(path_info("/api/:id", "/api/1/"), "");
        assert_eq!(path_info("/", "/"), "");
    }

    #[test]
    fn route_header_values() {
        // (raw route, request path, matched, component)
        let cases = [
            ("/foo/...", "/foo/bar", "/foo/...", "/foo"),
            ("/...", "/x", "/...", ""),
            ("...", "/x", "/...", "..."),
            ("/users/:id", "/users/1", "/users/:id", "/users/:id"),
            ("users/:id/", "/users/1", "/users/:id", "users/:id/"),
            ("/x/*", "/x/y", "/x/*", "/x/*"),
            ("/", "/", "", "/"),
            ("", "/", "", ""),
            (
                "/foo/:userid/...",
                "/foo/42/bar",
                "/foo/:userid/...",
                "/foo/:userid",
            ),
        ];
        for (raw, path, matched, component) in cases {
            let r = router(&[raw]);
            let m = r.route(path).unwrap_or_else(|| panic!("{raw} {path}"));
            assert_eq!(m.raw_route, raw);
            assert_eq!(m.matched_route, matched, "{raw}");
            assert_eq!(m.component_route, component, "{raw}");
        }
    }

    #[test]
    fn full_header_set_for_a_wildcard_param_route() {
        let r = router(&["/foo/:user_id/..."]);
        let m = r.route("/foo/42/bar/").unwrap();
        assert_eq!(m.raw_route, "/foo/:user_id/...");
        assert_eq!(m.matched_route, "/foo/:user_id/...");
        assert_eq!(m.component_route, "/foo/:user_id");
        assert_eq!(m.path_info, "/bar/");
        assert_eq!(m.params, p(&[("user_id", "42")]));
        let headers: Vec<String> = m.params.iter().map(|(n, _)| param_header_name(n)).collect();
        assert_eq!(headers, ["spin-path-match-user-id"]);
    }

    #[test]
    fn param_header_names() {
        assert_eq!(param_header_name(":user_id"), "spin-path-match-user-id");
        assert_eq!(param_header_name("user_id"), "spin-path-match-user-id");
        assert_eq!(param_header_name("id"), "spin-path-match-id");
        assert_eq!(param_header_name("userId"), "spin-path-match-userid");
        assert_eq!(param_header_name("a_b_c"), "spin-path-match-a-b-c");
        assert_eq!(param_header_name("x-y"), "spin-path-match-x-y");
    }

    // --- precedence ---

    #[test]
    fn literal_beats_param_beats_wildcard() {
        let routes = ["/...", "/:p", "/hello"];
        assert_wins(&routes, "/hello", "/hello");
        assert_wins(&routes, "/hey", "/:p");
        assert_wins(&routes, "/hey/there", "/...");
        assert_wins(&["/a/...", "/a/:b", "/a/b"], "/a/b", "/a/b");
        assert_wins(&["/a/...", "/a/:b"], "/a/c", "/a/:b");
    }

    #[test]
    fn exact_beats_wildcard_covering_it() {
        assert_wins(&["/one", "/..."], "/one", "/one");
        assert_wins(&["/one", "/one/..."], "/one", "/one");
        assert_wins(&["/one", "/one/..."], "/one/", "/one");
        assert_wins(&["/one", "/one/..."], "/one/x", "/one/...");
        assert_wins(&["/", "/..."], "/", "/");
        assert_wins(&["/", "/..."], "/x", "/...");
        assert_wins(&["/a/:x", "/a/:x/..."], "/a/1", "/a/:x");
        assert_wins(&["/a/:x", "/a/:x/..."], "/a/1/2", "/a/:x/...");
    }

    #[test]
    fn deeper_wildcard_beats_shallower() {
        let routes = ["/one/...", "/one/two/...", "/one/two/three/..."];
        assert_wins(&routes, "/one/two/three/four", "/one/two/three/...");
        assert_wins(&routes, "/one/two/three", "/one/two/three/...");
        assert_wins(&routes, "/one/two/x", "/one/two/...");
        assert_wins(&routes, "/one/x", "/one/...");
        assert_wins(&routes, "/one", "/one/...");
        assert_wins(&["/...", "/a/..."], "/a/b", "/a/...");
        assert_wins(&["/...", "/a/..."], "/b", "/...");
        assert_wins(&["/a/...", "/a/:x/..."], "/a/b/c", "/a/:x/...");
        assert_wins(&["/a/...", "/a/:x/..."], "/a", "/a/...");
    }

    #[test]
    fn leftmost_difference_decides() {
        assert_wins(&["/x/:b", "/:a/x"], "/x/x", "/x/:b");
        assert_wins(&["/a/...", "/:x/b/c"], "/a/b/c", "/a/...");
        assert_wins(&["/:a/b/c/d", "/x/..."], "/x/b/c/d", "/x/...");
    }

    #[test]
    fn dotted_literal_segments_compare_piece_by_piece() {
        let routes = [
            "/static/...",
            "/static/:name",
            "/static/:name/...",
            "/static/:name.:ext",
            "/static/:name.json",
            "/static/a.json",
        ];
        assert_wins(&routes, "/static/a.json", "/static/a.json");
        assert_wins(&routes, "/static/b.json", "/static/:name.json");
        assert_wins(&routes, "/static/b.txt", "/static/:name.:ext");
        assert_wins(&routes, "/static/b", "/static/:name");
        assert_wins(&routes, "/static/b/c", "/static/:name/...");
        assert_wins(&routes, "/static", "/static/...");
        // A literal beats a parameter followed by the same extension.
        assert_wins(&["/a.:ext", "/:n.json"], "/a.json", "/a.:ext");
        assert_wins(&["/:n.json", "/:n/..."], "/x.json", "/:n.json");
        assert_wins(&["/:n.json", "/:n/..."], "/x.json/y", "/:n/...");
    }

    #[test]
    fn more_dots_win_when_one_route_extends_the_other() {
        assert_wins(&["/:a", "/:a.:b"], "/x.y", "/:a.:b");
        assert_wins(&["/:a", "/:a.:b"], "/x", "/:a");
        assert_wins(&["/:a", "/:a.json"], "/x.json", "/:a.json");
        assert_wins(&["/:a/...", "/:a.json/..."], "/x.json/q", "/:a.json/...");
        assert_wins(&["/:a/...", "/:a.json/..."], "/x.json", "/:a.json/...");
        assert_wins(&["/:x/...", "/:x.:y"], "/a.b", "/:x.:y");
    }

    #[test]
    fn dot_and_slash_weigh_the_same() {
        // Spin lines routes up token by token: the `:y` of the second route sits opposite
        // the wildcard of the first.
        assert_wins(&["/:x.:y/...", "/:x/:x/:y"], "/a.c/b/c", "/:x/:x/:y");
        assert_wins(&["/:x.*", "/:x/:y"], "/b.a/a", "/:x/:y");
    }

    #[test]
    fn literal_with_dot_beats_param_and_wildcard() {
        assert_wins(
            &["/:file", "/robots.txt", "/..."],
            "/robots.txt",
            "/robots.txt",
        );
        assert_wins(&["/:file", "/robots.txt", "/..."], "/humans.txt", "/:file");
        assert_wins(
            &["/.well-known/...", "/..."],
            "/.well-known/x",
            "/.well-known/...",
        );
    }

    // --- duplicates ---

    #[test]
    fn identical_routes_last_declaration_wins_with_warning() {
        let routes = ["/", "/foo", "/foo", "/whee/..."];
        assert_eq!(pick(&routes, "/foo"), Some(2));
        let w = warnings(&routes);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("\"/foo\""), "{}", w[0]);
        assert!(w[0].contains("position 2"), "{}", w[0]);
        assert!(w[0].contains("position 3"), "{}", w[0]);
        assert!(w[0].contains("unreachable"), "{}", w[0]);
    }

    #[test]
    fn every_replaced_duplicate_is_reported() {
        let routes = ["/a", "/a", "/b", "/a", "/b"];
        assert_eq!(pick(&routes, "/a"), Some(3));
        assert_eq!(pick(&routes, "/b"), Some(4));
        let w = warnings(&routes);
        assert_eq!(w.len(), 3);
        assert!(w.iter().all(|w| w.contains("unreachable")));
        assert!(
            w[0].contains("position 1") && w[0].contains("position 4"),
            "{}",
            w[0]
        );
        assert!(
            w[1].contains("position 2") && w[1].contains("position 4"),
            "{}",
            w[1]
        );
        assert!(
            w[2].contains("position 3") && w[2].contains("position 5"),
            "{}",
            w[2]
        );
    }

    #[test]
    fn equivalent_routes_written_differently_first_wins_silently() {
        for routes in [
            ["/a/:x", "/a/:y"],
            ["/a/:y", "/a/:x"],
            ["dup/", "/dup"],
            ["/dup", "dup/"],
            ["/", ""],
            ["", "/"],
            ["/x/...", "/x/*"],
        ] {
            let path = if routes[0].contains('a') {
                "/a/1"
            } else if routes[0].contains('x') {
                "/x/1"
            } else if routes[0].contains("dup") {
                "/dup"
            } else {
                "/"
            };
            assert_eq!(pick(&routes, path), Some(0), "{routes:?}");
            assert!(warnings(&routes).is_empty(), "{routes:?}");
        }
    }

    #[test]
    fn replaced_duplicate_keeps_the_first_position() {
        // The third entry replaces the first and so comes before `/a/:y`.
        let routes = ["/a/:x", "/a/:y", "/a/:x"];
        assert_eq!(pick(&routes, "/a/1"), Some(2));
        assert_eq!(warnings(&routes).len(), 1);
    }

    #[test]
    fn values_and_raw_routes_are_kept() {
        let (r, w) = Router::build(vec![
            ("/a".to_string(), "first"),
            ("b/".to_string(), "second"),
        ])
        .unwrap();
        assert!(w.is_empty());
        let m = r.route("/b").unwrap();
        assert_eq!((*m.value, m.raw_route), ("second", "b/"));
    }
}
