//! The rules for serving the built web inbox: which file answers a path,
//! its content type and caching, precompressed variants, conditional
//! requests, the single-page-app fallback and the security headers. Pure:
//! files come through [`Files`], so every rule is tested natively.

/// The HTML pages' Content-Security-Policy: no inline code, nothing from
/// other origins, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/// Content-hashed build output lives here and is cached for a year.
pub const ASSETS_DIR: &str = "/assets/";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Read access to the built files (`/index.html`, `/assets/app-HASH.js`, …).
pub trait Files {
    /// The file's bytes, or `None` when it is missing or not a file.
    fn read(&self, path: &str) -> Option<Vec<u8>>;
}

pub struct Request<'a> {
    /// The method, upper case.
    pub method: &'a str,
    /// The path without the query, as received (not percent-decoded).
    pub path: &'a str,
    pub accept_encoding: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
}

#[derive(Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The media type for a file name, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// Text formats worth compressing (and worth looking for a `.br`/`.gz` of).
fn compressible(path: &str) -> bool {
    let t = content_type(path);
    t.starts_with("text/") || t == "application/json" || t == "image/svg+xml"
}

/// A path that names a file (its last segment has an extension, or it is
/// under `/assets/`): missing means 404, not the app's index page.
pub fn is_asset_path(path: &str) -> bool {
    path.starts_with(ASSETS_DIR) || path.rsplit('/').next().is_some_and(|s| s.contains('.'))
}

/// Only plain, relative-free paths ever reach the file system: segments of
/// letters, digits, `-`, `_`, `.`, `~`, none of them empty, `.` or `..`.
pub fn safe_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    !rest.is_empty()
        && rest.len() <= 512
        && rest.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
        })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }

    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

/// The encodings the client accepts, best first (brotli, then gzip); an
/// entry with `q=0` refuses that encoding, `*` stands for any not named.
fn accepted(accept_encoding: Option<&str>) -> Vec<Encoding> {
    let Some(header) = accept_encoding else {
        return Vec::new();
    };
    let mut named: Vec<(String, bool)> = Vec::new();
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let name = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let mut ok = true;
        for p in pieces {
            if let Some((k, v)) = p.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                ok = v.trim().parse::<f32>().map(|q| q > 0.0).unwrap_or(false);
            }
        }
        named.push((name, ok));
    }
    let lookup = |n: &str| named.iter().find(|(name, _)| name == n).map(|(_, ok)| *ok);
    let wildcard = lookup("*");
    [Encoding::Brotli, Encoding::Gzip]
        .into_iter()
        .filter(|e| match lookup(e.token()) {
            Some(ok) => ok,
            None if *e == Encoding::Gzip => lookup("x-gzip").or(wildcard).unwrap_or(false),
            None => wildcard.unwrap_or(false),
        })
        .collect()
}

/// A strong validator from the bytes sent (FNV-1a, 64 bits).
fn etag(body: &[u8], encoding: Option<Encoding>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    match encoding {
        Some(e) => format!("\"{h:016x}-{}\"", e.token()),
        None => format!("\"{h:016x}\""),
    }
}

fn matches_etag(if_none_match: &str, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    if_none_match.trim() == "*" || if_none_match.split(',').any(|t| bare(t) == bare(tag))
}

fn security_headers(headers: &mut Vec<(&'static str, String)>, html: bool) {
    headers.push(("x-content-type-options", "nosniff".into()));
    headers.push(("referrer-policy", "no-referrer".into()));
    if html {
        headers.push(("content-security-policy", CSP.into()));
    }
}

fn plain(status: u16, text: &str, head: bool) -> Response {
    let mut headers = vec![
        ("content-type", "text/plain; charset=utf-8".to_string()),
        ("cache-control", REVALIDATE.to_string()),
    ];
    if status == 405 {
        headers.push(("allow", "GET, HEAD".into()));
    }
    security_headers(&mut headers, false);
    Response {
        status,
        headers,
        body: if head {
            Vec::new()
        } else {
            text.as_bytes().to_vec()
        },
    }
}

/// Answers one request.
pub fn serve(req: &Request, files: &dyn Files) -> Response {
    let head = req.method == "HEAD";
    if req.method != "GET" && !head {
        return plain(
            405,
            "Method not allowed: the web inbox answers GET and HEAD.\n",
            false,
        );
    }
    let path = if req.path.is_empty() || req.path == "/" {
        "/index.html"
    } else {
        req.path
    };
    let found = if safe_path(path) {
        files.read(path).map(|bytes| (path, bytes))
    } else {
        None
    };
    let (path, identity) = match found {
        Some(f) => f,
        None if is_asset_path(path) => return plain(404, "Not found.\n", head),
        // A route of the app (e.g. /assists/01M8…): the app decides.
        None => match files.read("/index.html") {
            Some(bytes) => ("/index.html", bytes),
            None => {
                return plain(
                    404,
                    "The web inbox is not built: run `npm --prefix web run build`.\n",
                    head,
                );
            }
        },
    };
    let media = content_type(path);
    let html = media.starts_with("text/html");
    let mut headers = vec![
        ("content-type", media.to_string()),
        (
            "cache-control",
            if path.starts_with(ASSETS_DIR) {
                IMMUTABLE
            } else {
                REVALIDATE
            }
            .to_string(),
        ),
    ];
    let (body, encoding) = if compressible(path) {
        headers.push(("vary", "Accept-Encoding".into()));
        accepted(req.accept_encoding)
            .into_iter()
            .find_map(|e| {
                files
                    .read(&format!("{path}{}", e.suffix()))
                    .map(|b| (b, Some(e)))
            })
            .unwrap_or((identity, None))
    } else {
        (identity, None)
    };
    if let Some(e) = encoding {
        headers.push(("content-encoding", e.token().into()));
    }
    let tag = etag(&body, encoding);
    headers.push(("etag", tag.clone()));
    security_headers(&mut headers, html);
    if req.if_none_match.is_some_and(|inm| matches_etag(inm, &tag)) {
        headers.retain(|(k, _)| *k != "content-type" && *k != "content-encoding");
        return Response {
            status: 304,
            headers,
            body: Vec::new(),
        };
    }
    if !head {
        headers.push(("content-length", body.len().to_string()));
    }
    Response {
        status: 200,
        headers,
        body: if head { Vec::new() } else { body },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Mem(HashMap<&'static str, &'static [u8]>);

    impl Files for Mem {
        fn read(&self, path: &str) -> Option<Vec<u8>> {
            self.0.get(path).map(|b| b.to_vec())
        }
    }

    fn site() -> Mem {
        Mem(HashMap::from([
            (
                "/index.html",
                b"<!doctype html><title>Baton</title>" as &[u8],
            ),
            ("/index.html.gz", b"GZ-INDEX"),
            ("/assets/app-ABCD1234.js", b"console.log(1)"),
            ("/assets/app-ABCD1234.js.gz", b"GZ-JS"),
            ("/assets/app-ABCD1234.js.br", b"BR-JS"),
            ("/assets/app-ABCD1234.css", b"body{}"),
            ("/favicon.svg", b"<svg/>"),
            ("/logo.png", b"\x89PNG"),
        ]))
    }

    fn get(path: &str) -> Response {
        serve(
            &Request {
                method: "GET",
                path,
                accept_encoding: None,
                if_none_match: None,
            },
            &site(),
        )
    }

    fn get_with(path: &str, accept_encoding: &str) -> Response {
        serve(
            &Request {
                method: "GET",
                path,
                accept_encoding: Some(accept_encoding),
                if_none_match: None,
            },
            &site(),
        )
    }

    #[test]
    fn root_is_the_index_with_csp_and_no_cache() {
        let r = get("/");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(r.header("content-security-policy"), Some(CSP));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert!(r.body.starts_with(b"<!doctype html>"));
        assert_eq!(get("/index.html").body, r.body);
    }

    #[test]
    fn hashed_assets_are_immutable_with_their_type() {
        let js = get("/assets/app-ABCD1234.js");
        assert_eq!(js.status, 200);
        assert_eq!(
            js.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(js.header("cache-control"), Some(IMMUTABLE));
        assert_eq!(js.header("content-security-policy"), None);
        assert_eq!(js.header("content-length"), Some("14"));
        let css = get("/assets/app-ABCD1234.css");
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
        assert_eq!(
            get("/favicon.svg").header("content-type"),
            Some("image/svg+xml")
        );
        assert_eq!(
            get("/favicon.svg").header("cache-control"),
            Some("no-cache")
        );
        assert_eq!(get("/logo.png").header("content-type"), Some("image/png"));
        assert_eq!(get("/logo.png").header("vary"), None);
    }

    #[test]
    fn app_routes_fall_back_to_the_index() {
        for path in [
            "/assists/01M80BWD6EA5S3KS8XCZK00ED8",
            "/settings/team",
            "/accept-invitation",
            "/weird%20path",
            "/a//b",
        ] {
            let r = get(path);
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
            assert_eq!(r.header("cache-control"), Some("no-cache"));
            assert_eq!(r.header("content-security-policy"), Some(CSP));
        }
    }

    #[test]
    fn missing_assets_are_404() {
        for path in [
            "/assets/app-OLDHASH1.js",
            "/assets/gone",
            "/robots.txt",
            "/favicon.ico",
            "/../etc/passwd.txt",
        ] {
            let r = get(path);
            assert_eq!(r.status, 404, "{path}");
            assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
        }
    }

    #[test]
    fn traversal_never_reaches_the_files() {
        struct Spy;
        impl Files for Spy {
            fn read(&self, path: &str) -> Option<Vec<u8>> {
                assert!(safe_path(path), "read {path}");
                assert!(!path.contains(".."), "read {path}");
                None
            }
        }
        for path in ["/../secret", "/assets/../../x.js", "/./index.html", "/a\\b"] {
            let r = serve(
                &Request {
                    method: "GET",
                    path,
                    accept_encoding: None,
                    if_none_match: None,
                },
                &Spy,
            );
            assert_eq!(r.status, 404, "{path}");
        }
        assert!(safe_path("/assets/app-ABCD1234.js"));
        assert!(!safe_path("/"));
        assert!(!safe_path("relative"));
        assert!(!safe_path("/a/../b"));
        assert!(!safe_path("/a%2e%2e/b"));
    }

    #[test]
    fn precompressed_files_follow_accept_encoding() {
        let br = get_with("/assets/app-ABCD1234.js", "gzip, deflate, br");
        assert_eq!(br.body, b"BR-JS");
        assert_eq!(br.header("content-encoding"), Some("br"));
        assert_eq!(br.header("vary"), Some("Accept-Encoding"));
        assert_eq!(br.header("content-length"), Some("5"));
        let gz = get_with("/assets/app-ABCD1234.js", "gzip");
        assert_eq!(gz.body, b"GZ-JS");
        assert_eq!(gz.header("content-encoding"), Some("gzip"));
        let refused = get_with("/assets/app-ABCD1234.js", "br;q=0, gzip;q=0.5");
        assert_eq!(refused.body, b"GZ-JS");
        let none = get_with("/assets/app-ABCD1234.js", "identity");
        assert_eq!(none.body, b"console.log(1)");
        assert_eq!(none.header("content-encoding"), None);
        let any = get_with("/assets/app-ABCD1234.js", "*");
        assert_eq!(any.body, b"BR-JS");
        // No .gz of the CSS: the identity bytes.
        let css = get_with("/assets/app-ABCD1234.css", "gzip");
        assert_eq!(css.body, b"body{}");
        assert_eq!(css.header("content-encoding"), None);
        assert_eq!(css.header("vary"), Some("Accept-Encoding"));
        // The SPA fallback is compressed too.
        let page = get_with("/assists/x", "gzip");
        assert_eq!(page.body, b"GZ-INDEX");
    }

    #[test]
    fn head_has_the_headers_and_no_body() {
        let r = serve(
            &Request {
                method: "HEAD",
                path: "/assets/app-ABCD1234.js",
                accept_encoding: None,
                if_none_match: None,
            },
            &site(),
        );
        assert_eq!(r.status, 200);
        assert!(r.body.is_empty());
        assert_eq!(
            r.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(
            r.header("etag"),
            get("/assets/app-ABCD1234.js").header("etag")
        );
        let missing = serve(
            &Request {
                method: "HEAD",
                path: "/nope.js",
                accept_encoding: None,
                if_none_match: None,
            },
            &site(),
        );
        assert_eq!(missing.status, 404);
        assert!(missing.body.is_empty());
    }

    #[test]
    fn other_methods_are_405() {
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let r = serve(
                &Request {
                    method,
                    path: "/",
                    accept_encoding: None,
                    if_none_match: None,
                },
                &site(),
            );
            assert_eq!(r.status, 405);
            assert_eq!(r.header("allow"), Some("GET, HEAD"));
        }
    }

    #[test]
    fn a_matching_etag_is_304() {
        let first = get("/");
        let tag = first.header("etag").unwrap_or_default().to_string();
        assert!(tag.starts_with('"'));
        let again = serve(
            &Request {
                method: "GET",
                path: "/",
                accept_encoding: None,
                if_none_match: Some(&format!("\"x\", W/{tag}")),
            },
            &site(),
        );
        assert_eq!(again.status, 304);
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(tag.as_str()));
        assert_eq!(again.header("cache-control"), Some("no-cache"));
        // The gzip variant has its own tag.
        let gz = get_with("/", "gzip");
        assert_ne!(gz.header("etag"), Some(tag.as_str()));
    }

    #[test]
    fn accept_encoding_parsing() {
        assert_eq!(accepted(None), vec![]);
        assert_eq!(accepted(Some("")), vec![]);
        assert_eq!(
            accepted(Some("gzip, br")),
            vec![Encoding::Brotli, Encoding::Gzip]
        );
        assert_eq!(accepted(Some("GZIP;q=1.0")), vec![Encoding::Gzip]);
        assert_eq!(accepted(Some("x-gzip")), vec![Encoding::Gzip]);
        assert_eq!(accepted(Some("*;q=0")), vec![]);
        assert_eq!(accepted(Some("*, br;q=0")), vec![Encoding::Gzip]);
        assert_eq!(accepted(Some("br;q=garbage")), vec![]);
    }

    #[test]
    fn is_an_asset_when_named_like_a_file() {
        assert!(is_asset_path("/assets/whatever"));
        assert!(is_asset_path("/manifest.webmanifest"));
        assert!(!is_asset_path("/assists/01M8"));
        assert!(!is_asset_path("/"));
        assert!(is_asset_path("/v1.2/x.y"));
    }
}
