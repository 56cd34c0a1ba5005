//! A component's `allowed_outbound_hosts`, read the way Spin reads it: parses the entries and
//! decides whether an outbound request, or a relative ("self") request, may be made.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr};
use std::ops::Range;

/// The parsed `allowed_outbound_hosts` of one component instance.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    scheme: SchemePattern,
    host: HostPattern,
    port: PortPattern,
}

#[derive(Debug, Clone)]
enum SchemePattern {
    Any,
    Exact(String),
}

#[derive(Debug, Clone)]
enum HostPattern {
    Any,
    /// Stored with its leading dot, e.g. `.example.com`, so the bare domain never matches.
    Subdomains(String),
    /// `self` / `self.alt`: only relative requests, see [`AllowedHosts::allows_self`].
    App,
    Domain(String),
    Ip(IpAddr),
    Cidr(IpNet),
}

#[derive(Debug, Clone)]
enum PortPattern {
    Any,
    One(u16),
    /// End excluded, as in Spin.
    Range(Range<u16>),
}

/// A request host, normalized for comparison.
enum RequestHost {
    Domain(String),
    Ip(IpAddr),
}

impl AllowedHosts {
    /// Parse already-template-resolved entries. Err(message naming the bad entry) for invalid ones.
    ///
    /// Like current Spin, entries that are empty, `http://` or `https://` are skipped: that is
    /// what an optional endpoint looks like once an empty variable has been substituted.
    pub fn parse(entries: &[String]) -> Result<AllowedHosts, String> {
        let mut parsed = Vec::with_capacity(entries.len());
        for entry in entries {
            if matches!(entry.as_str(), "" | "http://" | "https://") {
                continue;
            }
            parsed.push(parse_entry(entry)?);
        }
        Ok(AllowedHosts { entries: parsed })
    }

    /// Is an absolute request to scheme://host:port allowed? port None = scheme default.
    pub fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        // Request URLs reach us normalized (lowercase scheme); entries are compared as written.
        let scheme = scheme.to_ascii_lowercase();
        let Some(host) = parse_request_host(host) else {
            return false;
        };
        let port = port.or_else(|| default_port(&scheme));
        self.entries.iter().any(|entry| {
            entry.scheme.allows(&scheme) && entry.host.allows(&host) && entry.port.allows(port)
        })
    }

    /// Are relative ("self") requests to the app itself allowed?
    pub fn allows_self(&self) -> bool {
        // Spin checks a relative request against both http and https and ignores the port.
        self.entries.iter().any(|entry| {
            matches!(entry.host, HostPattern::Any | HostPattern::App)
                && (entry.scheme.allows("http") || entry.scheme.allows("https"))
        })
    }

    /// A suggestion like "https://api.example.com:8443" (default port omitted) for a denied request's warning.
    pub fn suggestion(scheme: &str, host: &str, port: Option<u16>) -> String {
        let scheme = scheme.to_ascii_lowercase();
        let host = host.trim().to_lowercase();
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host
        };
        match port {
            Some(port) if Some(port) != default_port(&scheme) => {
                format!("{scheme}://{host}:{port}")
            }
            _ => format!("{scheme}://{host}"),
        }
    }
}

/// The well-known port Spin assumes for a scheme when an entry or a URL has none.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        "redis" => Some(6379),
        "postgres" => Some(5432),
        "mysql" => Some(3306),
        "mqtt" => Some(1883),
        _ => None,
    }
}

const FORMAT_HELP: &str = "entries must look like <scheme>://<host>[:<port>], with '*' wildcards \
     allowed for each part; '*://*:*' allows all outbound networking";

fn parse_entry(original: &str) -> Result<Entry, String> {
    let bad =
        |reason: String| format!("invalid allowed_outbound_hosts entry {original:?}: {reason}");
    let entry = original.trim();
    if entry == "insecure:allow-all" {
        return Err(bad(
            "'insecure:allow-all' is not supported; use '*://*:*' if you really want to allow \
             all outbound networking"
                .into(),
        ));
    }
    let Some((scheme, rest)) = entry.split_once("://") else {
        return Err(bad(match entry {
            "*" | ":" | "?" | "" => FORMAT_HELP.into(),
            _ => format!("it has no scheme (such as 'https://' or '*://'); {FORMAT_HELP}"),
        }));
    };
    let (host, port) = split_host_port(rest).map_err(bad)?;
    let port = parse_port(port, scheme).map_err(bad)?;
    let scheme = parse_scheme(scheme).map_err(bad)?;
    let host = parse_host(host).map_err(bad)?;
    Ok(Entry { scheme, host, port })
}

/// Splits at the last `:`, unless the whole text is already a host (a bare IPv6 address or
/// an IPv6 CIDR block contains colons of its own). A trailing `/` after the port is allowed.
fn split_host_port(rest: &str) -> Result<(&str, &str), String> {
    let Some((host, tail)) = rest.rsplit_once(':') else {
        return Ok((rest, ""));
    };
    if tail.is_empty() {
        return Ok((host, ""));
    }
    if parse_host(rest).is_ok() {
        return Ok((rest, ""));
    }
    match tail.split_once('/') {
        Some((_, path)) if !path.is_empty() => Err("a path is not allowed".into()),
        Some((port, _)) => Ok((host, port)),
        None => Ok((host, tail)),
    }
}

fn parse_scheme(scheme: &str) -> Result<SchemePattern, String> {
    if scheme == "*" {
        return Ok(SchemePattern::Any);
    }
    if scheme.starts_with('{') {
        return Err("scheme lists are not supported".into());
    }
    if !scheme.chars().all(char::is_alphabetic) {
        return Err(format!(
            "scheme {scheme:?} may contain only letters (or be '*')"
        ));
    }
    Ok(SchemePattern::Exact(scheme.to_string()))
}

fn parse_port(port: &str, scheme: &str) -> Result<PortPattern, String> {
    if port.is_empty() {
        return default_port(scheme).map(PortPattern::One).ok_or_else(|| {
            format!(
                "no port was given and scheme {scheme:?} has no default port; add one, e.g. \
                 {scheme}://host:1234 or {scheme}://host:*"
            )
        });
    }
    if port == "*" {
        return Ok(PortPattern::Any);
    }
    if port.starts_with('{') {
        return Err("port lists are not supported".into());
    }
    let number = |text: &str| {
        text.parse::<u16>()
            .map_err(|_| format!("port {port:?} is not a number, '*' or a range like 8000..8010"))
    };
    match port.split_once("..") {
        Some((start, end)) => Ok(PortPattern::Range(number(start)?..number(end)?)),
        None => Ok(PortPattern::One(number(port)?)),
    }
}

fn parse_host(host: &str) -> Result<HostPattern, String> {
    let host = host.trim();
    match host {
        "*" => return Ok(HostPattern::Any),
        "self" | "self.alt" => return Ok(HostPattern::App),
        _ => {}
    }
    if host.starts_with('{') {
        return Err("host lists are not supported".into());
    }
    // Before the path check: a CIDR block has a `/` of its own.
    if let Ok(net) = host.parse::<IpNet>() {
        return Ok(HostPattern::Cidr(net.trunc()));
    }
    let host = host.strip_suffix('/').unwrap_or(host);
    if host.contains('/') {
        return Err("a path is not allowed".into());
    }
    if let Some(domain) = host.strip_prefix("*.") {
        if domain.contains('*') {
            return Err("'*' is allowed only as the whole host or as a '*.' prefix".into());
        }
        return match parse_request_host(domain) {
            Some(RequestHost::Domain(domain)) => Ok(HostPattern::Subdomains(format!(".{domain}"))),
            Some(RequestHost::Ip(_)) => Err("a '*.' wildcard must be followed by a domain".into()),
            None => Err(format!("{domain:?} is not a valid domain")),
        };
    }
    if host.contains('*') {
        return Err("'*' is allowed only as the whole host or as a '*.' prefix".into());
    }
    match parse_request_host(host) {
        Some(RequestHost::Domain(domain)) => Ok(HostPattern::Domain(domain)),
        Some(RequestHost::Ip(ip)) => Ok(HostPattern::Ip(ip)),
        None => Err(format!("{host:?} is not a valid host")),
    }
}

/// A host as it appears in a URL: a domain (compared case-insensitively), an IPv4 address or
/// a bracketed IPv6 address. No DNS: `localhost` stays a name.
fn parse_request_host(host: &str) -> Option<RequestHost> {
    let host = host.trim();
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| RequestHost::Ip(ip.into()));
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(RequestHost::Ip(ip));
    }
    // The characters a URL host can never contain.
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "#%/:<>?@[\\]^|*".contains(c);
    if host.is_empty() || host.contains(forbidden) {
        return None;
    }
    Some(RequestHost::Domain(host.to_lowercase()))
}

impl SchemePattern {
    fn allows(&self, scheme: &str) -> bool {
        match self {
            SchemePattern::Any => true,
            SchemePattern::Exact(s) => s == scheme,
        }
    }
}

impl HostPattern {
    fn allows(&self, host: &RequestHost) -> bool {
        match (self, host) {
            (HostPattern::Any, _) => true,
            (HostPattern::Subdomains(suffix), RequestHost::Domain(d)) => {
                d.ends_with(suffix.as_str())
            }
            (HostPattern::Domain(expected), RequestHost::Domain(d)) => d == expected,
            (HostPattern::Ip(expected), RequestHost::Ip(ip)) => ip == expected,
            (HostPattern::Cidr(net), RequestHost::Ip(ip)) => net.contains(ip),
            // `self` entries cover relative requests only.
            _ => false,
        }
    }
}

impl PortPattern {
    fn allows(&self, port: Option<u16>) -> bool {
        match (self, port) {
            (PortPattern::Any, _) => true,
            (PortPattern::One(p), Some(port)) => *p == port,
            (PortPattern::Range(range), Some(port)) => range.contains(&port),
            // A scheme without a default port and no explicit port cannot be matched.
            (_, None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(entries: &[&str]) -> AllowedHosts {
        AllowedHosts::parse(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn parse_err(entry: &str) -> String {
        AllowedHosts::parse(&[entry.to_string()])
            .err()
            .unwrap_or_else(|| panic!("{entry:?} should be rejected"))
    }

    fn allows(entries: &[&str], scheme: &str, host: &str, port: Option<u16>) -> bool {
        hosts(entries).allows(scheme, host, port)
    }

    // --- grammar ---

    #[test]
    fn accepts_valid_entries() {
        for entry in [
            "http://example.com",
            "https://example.com/",
            "https://example.com:8443",
            "https://example.com:8443/",
            "http://example.com:",
            "*://example.com:443",
            "http://*",
            "http://*:*",
            "*://*:*",
            "http://*.example.com",
            "http://*.example.com:8080",
            "http://localhost:3000",
            "http://127.0.0.1",
            "http://[::1]",
            "http://[::1]:8001",
            "*://10.0.0.0/8:*",
            "*://127.0.0.1/24:63551",
            "http://192.168.0.0/16",
            "*://ff00::/8:80",
            "http://self",
            "https://self",
            "*://self:*",
            "http://self.alt",
            "http://self:3000",
            "redis://cache",
            "postgres://db",
            "mysql://db",
            "mqtt://broker",
            "tcp://svc:9000",
            "http://api.example.com:8000..8010",
            "http://*.spin.internal",
            "http://my-comp.spin.internal",
            "  https://padded.example.com  ",
        ] {
            assert!(
                AllowedHosts::parse(&[entry.to_string()]).is_ok(),
                "{entry:?}: {:?}",
                AllowedHosts::parse(&[entry.to_string()]).err()
            );
        }
    }

    #[test]
    fn rejects_invalid_entries_naming_them() {
        for entry in [
            "example.com",
            "example.com:80",
            "localhost:3001",
            "*",
            ":",
            "?",
            "http://example.com/path",
            "http://example.com:8080/path",
            "http://*.example.com/a",
            "tcp://svc",
            "*://example.com",
            "*://127.0.0.0/24",
            "ftp+ssh://x:21",
            "h2c://x:80",
            "{http,https}://x",
            "http://{a,b}",
            "http://x:{80,443}",
            "http://x:port",
            "http://x:70000",
            "http://x:80..y",
            "http://x:..90",
            "http://foo.*.com",
            "http://*.*.com",
            "http://a*b.com",
            "http://*.127.0.0.1",
            // The CIDR check comes first, so its trailing slash reads as a path (as in Spin).
            "http://192.168.0.0/16/",
            // `*` has no default port, even for `self`.
            "*://self",
            "http://exa mple.com",
            "http://user@example.com",
            "http://",
        ] {
            if entry == "http://" {
                // Skipped rather than rejected, see `skips_entries_left_empty_by_variables`.
                continue;
            }
            let err = parse_err(entry);
            assert!(err.contains(&format!("{entry:?}")), "{entry}: {err}");
        }
    }

    #[test]
    fn insecure_allow_all_is_rejected_with_a_hint() {
        let err = parse_err("insecure:allow-all");
        assert!(err.contains("'*://*:*'"), "{err}");
        let both = AllowedHosts::parse(&["https://ok.example".into(), "insecure:allow-all".into()]);
        assert!(both.is_err());
    }

    #[test]
    fn missing_default_port_error_suggests_a_port() {
        let err = parse_err("tcp://svc");
        assert!(err.contains("default port"), "{err}");
    }

    #[test]
    fn skips_entries_left_empty_by_variables() {
        let h = hosts(&["", "http://", "https://", "https://three.example"]);
        assert!(h.allows("https", "three.example", None));
        assert!(!h.allows("http", "", None));
        assert!(!h.allows_self());
    }

    #[test]
    fn empty_list_allows_nothing() {
        let h = hosts(&[]);
        assert!(!h.allows("https", "example.com", None));
        assert!(!h.allows_self());
    }

    #[test]
    fn scheme_must_be_letters_and_is_case_sensitive_in_entries() {
        assert!(parse_err("HTTP://example.com").contains("default port"));
        // Accepted as in Spin, but it never matches a (lowercase) request scheme.
        assert!(!allows(
            &["HTTP://example.com:80"],
            "http",
            "example.com",
            None
        ));
    }

    // --- schemes and ports ---

    #[test]
    fn default_ports() {
        assert_eq!(default_port("http"), Some(80));
        assert_eq!(default_port("https"), Some(443));
        assert_eq!(default_port("redis"), Some(6379));
        assert_eq!(default_port("postgres"), Some(5432));
        assert_eq!(default_port("mysql"), Some(3306));
        assert_eq!(default_port("mqtt"), Some(1883));
        assert_eq!(default_port("tcp"), None);
        assert_eq!(default_port("*"), None);
    }

    #[test]
    fn omitted_port_means_scheme_default() {
        let e = ["https://api.example.com"];
        assert!(allows(&e, "https", "api.example.com", None));
        assert!(allows(&e, "https", "api.example.com", Some(443)));
        assert!(!allows(&e, "https", "api.example.com", Some(8443)));
        assert!(!allows(&e, "http", "api.example.com", None));
        assert!(!allows(&e, "http", "api.example.com", Some(443)));
        assert!(allows(&["redis://cache"], "redis", "cache", Some(6379)));
        assert!(allows(&["mqtt://broker"], "mqtt", "broker", None));
        assert!(!allows(&["mqtt://broker"], "mqtt", "broker", Some(8883)));
    }

    #[test]
    fn explicit_port() {
        let e = ["http://localhost:3000"];
        assert!(allows(&e, "http", "localhost", Some(3000)));
        assert!(!allows(&e, "http", "localhost", None));
        assert!(!allows(&e, "http", "localhost", Some(3001)));
        assert!(allows(
            &["http://example.com:80"],
            "http",
            "example.com",
            None
        ));
    }

    #[test]
    fn any_port() {
        let e = ["http://example.com:*"];
        assert!(allows(&e, "http", "example.com", None));
        assert!(allows(&e, "http", "example.com", Some(1)));
        assert!(allows(&e, "http", "example.com", Some(65535)));
        // Even for a scheme without a default port.
        assert!(allows(&["*://example.com:*"], "tcp", "example.com", None));
    }

    #[test]
    fn port_range_excludes_its_end() {
        let e = ["http://example.com:8000..8010"];
        assert!(!allows(&e, "http", "example.com", Some(7999)));
        assert!(allows(&e, "http", "example.com", Some(8000)));
        assert!(allows(&e, "http", "example.com", Some(8009)));
        assert!(!allows(&e, "http", "example.com", Some(8010)));
        assert!(!allows(&e, "http", "example.com", None));
        assert!(!allows(&["http://x:90..80"], "http", "x", Some(85)));
    }

    #[test]
    fn any_scheme() {
        let e = ["*://example.com:443"];
        assert!(allows(&e, "https", "example.com", None));
        assert!(allows(&e, "http", "example.com", Some(443)));
        assert!(!allows(&e, "http", "example.com", None));
        assert!(allows(&e, "wss", "example.com", Some(443)));
    }

    #[test]
    fn no_port_and_no_default_is_denied_unless_any_port() {
        assert!(!allows(
            &["*://example.com:443"],
            "tcp",
            "example.com",
            None
        ));
    }

    #[test]
    fn request_scheme_is_case_insensitive() {
        assert!(allows(
            &["https://example.com"],
            "HTTPS",
            "example.com",
            None
        ));
    }

    // --- hosts ---

    #[test]
    fn literal_domain_is_exact_and_case_insensitive() {
        let e = ["https://api.example.com"];
        assert!(allows(&e, "https", "api.example.com", None));
        assert!(allows(&e, "https", "API.Example.COM", None));
        assert!(allows(
            &["https://API.example.com"],
            "https",
            "api.example.com",
            None
        ));
        assert!(!allows(&e, "https", "example.com", None));
        assert!(!allows(&e, "https", "x.api.example.com", None));
        assert!(!allows(&e, "https", "api.example.com.evil", None));
    }

    #[test]
    fn subdomain_wildcard_excludes_the_bare_domain() {
        let e = ["http://*.example.com", "http://*.example2.com:8383"];
        assert!(allows(&e, "http", "a.example.com", None));
        assert!(allows(&e, "http", "a.b.example.com", None));
        assert!(allows(&e, "http", "A.Example.com", None));
        assert!(!allows(&e, "http", "example.com", None));
        assert!(!allows(&e, "http", "myexample.com", None));
        assert!(allows(&e, "http", "a.example2.com", Some(8383)));
        assert!(!allows(&e, "http", "a.example2.com", None));
        assert!(!allows(&e, "http", "127.0.0.1", None));
    }

    #[test]
    fn any_host() {
        let e = ["https://*"];
        assert!(allows(&e, "https", "example.com", None));
        assert!(allows(&e, "https", "10.1.2.3", None));
        assert!(allows(&e, "https", "[::1]", None));
        assert!(!allows(&e, "https", "example.com", Some(8443)));
        assert!(!allows(&e, "http", "example.com", None));
    }

    #[test]
    fn localhost_is_not_an_ip() {
        assert!(!allows(&["http://localhost"], "http", "127.0.0.1", None));
        assert!(!allows(&["http://127.0.0.1"], "http", "localhost", None));
        assert!(allows(&["http://127.0.0.1"], "http", "127.0.0.1", None));
        assert!(!allows(&["http://127.0.0.1"], "http", "127.0.0.2", None));
    }

    #[test]
    fn ipv6_literals() {
        let e = ["http://[::1]:8001"];
        assert!(allows(&e, "http", "[::1]", Some(8001)));
        assert!(allows(&e, "http", "[0:0::1]", Some(8001)));
        assert!(allows(&e, "http", "::1", Some(8001)));
        assert!(!allows(&e, "http", "[::2]", Some(8001)));
        assert!(!allows(&e, "http", "[::1]", None));
        assert!(allows(&["http://[::1]"], "http", "[::1]", None));
    }

    #[test]
    fn cidr_blocks_match_ip_hosts() {
        let e = ["*://10.0.0.0/8:*"];
        assert!(allows(&e, "http", "10.0.0.1", None));
        assert!(allows(&e, "https", "10.255.255.255", Some(8443)));
        assert!(!allows(&e, "http", "11.0.0.1", None));
        assert!(!allows(&e, "http", "ten.example", None));
        assert!(allows(
            &["http://192.168.0.0/16"],
            "http",
            "192.168.3.4",
            None
        ));
        assert!(!allows(
            &["http://192.168.0.0/16"],
            "http",
            "192.168.3.4",
            Some(81)
        ));
    }

    #[test]
    fn cidr_host_bits_are_truncated() {
        let e = ["*://127.0.0.1/24:63551"];
        assert!(allows(&e, "tcp", "127.0.0.200", Some(63551)));
        assert!(!allows(&e, "tcp", "127.0.1.1", Some(63551)));
    }

    #[test]
    fn ipv6_cidr_matches_bracketed_hosts() {
        let e = ["*://ff00::/8:80"];
        assert!(allows(&e, "http", "[ff02::1]", None));
        assert!(allows(&e, "http", "ff02::1", None));
        assert!(!allows(&e, "http", "[fe80::1]", None));
        assert!(!allows(&e, "http", "10.0.0.1", None));
    }

    #[test]
    fn invalid_request_host_is_denied() {
        assert!(!allows(&["*://*:*"], "http", "", None));
        assert!(!allows(&["*://*:*"], "http", "a b", None));
        assert!(!allows(&["*://*:*"], "http", "[not-ipv6]", None));
    }

    // --- everything, self and service chaining ---

    #[test]
    fn star_star_star_allows_everything_including_self() {
        let h = hosts(&["*://*:*"]);
        assert!(h.allows("http", "example.com", None));
        assert!(h.allows("tcp", "10.0.0.1", Some(1)));
        assert!(h.allows("https", "[::1]", Some(65535)));
        assert!(h.allows("http", "comp.spin.internal", Some(3000)));
        assert!(h.allows_self());
    }

    #[test]
    fn self_entries_allow_relative_requests_only() {
        for entry in [
            "http://self",
            "https://self",
            "*://self:*",
            "http://self.alt",
            "https://self.alt:8443",
            "http://self:*",
        ] {
            let h = hosts(&[entry]);
            assert!(h.allows_self(), "{entry}");
            assert!(!h.allows("http", "self", None), "{entry}");
            assert!(!h.allows("http", "localhost", None), "{entry}");
        }
    }

    #[test]
    fn host_star_allows_self() {
        assert!(hosts(&["http://*"]).allows_self());
        assert!(hosts(&["https://*:8443"]).allows_self());
        assert!(hosts(&["*://*:443"]).allows_self());
    }

    #[test]
    fn self_needs_http_or_https_scheme() {
        assert!(!hosts(&["redis://self"]).allows_self());
        assert!(!hosts(&["tcp://*:*"]).allows_self());
        assert!(!hosts(&["https://example.com"]).allows_self());
        assert!(!hosts(&["https://*.example.com"]).allows_self());
        assert!(!hosts(&["*://10.0.0.0/8:*"]).allows_self());
    }

    #[test]
    fn service_chaining_hosts_are_ordinary_hosts() {
        let all = hosts(&["http://*.spin.internal"]);
        assert!(all.allows("http", "users.spin.internal", None));
        assert!(all.allows("http", "orders.spin.internal", None));
        assert!(!all.allows("http", "spin.internal", None));
        assert!(!all.allows("http", "users.spin.internal", Some(3000)));
        assert!(!all.allows("https", "users.spin.internal", None));

        let one = hosts(&["http://users.spin.internal"]);
        assert!(one.allows("http", "users.spin.internal", None));
        assert!(!one.allows("http", "orders.spin.internal", None));
        assert!(!hosts(&["https://example.com"]).allows("http", "users.spin.internal", None));
    }

    #[test]
    fn any_matching_entry_is_enough() {
        let h = hosts(&["*://spin.fermyon.dev:443", "http://example.com:8383"]);
        assert!(h.allows("http", "example.com", Some(8383)));
        assert!(h.allows("https", "spin.fermyon.dev", None));
        assert!(!h.allows("http", "example.com", None));
        assert!(!h.allows("http", "google.com", None));
    }

    // --- suggestion ---

    #[test]
    fn suggestions() {
        assert_eq!(
            AllowedHosts::suggestion("https", "api.example.com", Some(8443)),
            "https://api.example.com:8443"
        );
        assert_eq!(
            AllowedHosts::suggestion("https", "api.example.com", Some(443)),
            "https://api.example.com"
        );
        assert_eq!(
            AllowedHosts::suggestion("https", "api.example.com", None),
            "https://api.example.com"
        );
        assert_eq!(
            AllowedHosts::suggestion("HTTP", "API.Example.com", Some(80)),
            "http://api.example.com"
        );
        assert_eq!(
            AllowedHosts::suggestion("redis", "cache", Some(6379)),
            "redis://cache"
        );
        assert_eq!(
            AllowedHosts::suggestion("tcp", "svc", Some(9000)),
            "tcp://svc:9000"
        );
        assert_eq!(
            AllowedHosts::suggestion("http", "[::1]", Some(3000)),
            "http://[::1]:3000"
        );
        assert_eq!(
            AllowedHosts::suggestion("http", "::1", None),
            "http://[::1]"
        );
    }

    #[test]
    fn suggestion_round_trips_into_an_allowing_entry() {
        for (scheme, host, port) in [
            ("https", "api.example.com", Some(8443)),
            ("https", "api.example.com", None),
            ("http", "10.0.0.1", Some(80)),
            ("http", "[::1]", Some(3000)),
            ("redis", "cache", None),
            ("mqtt", "broker", Some(8883)),
        ] {
            let entry = AllowedHosts::suggestion(scheme, host, port);
            assert!(allows(&[&entry], scheme, host, port), "{entry}");
        }
    }
}
