//! Request builders and parsers of every help desk, against sample answers
//! written from each provider's documented format.

use base64::Engine as _;

use super::*;

fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn resp_h(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The `user:password` of a Basic authorization header.
fn basic_pair(req: &HttpRequest) -> String {
    let auth = header(req, "authorization").expect("authorization header");
    let b64 = auth.strip_prefix("Basic ").expect("Basic scheme");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    String::from_utf8(raw).expect("utf-8")
}

fn zendesk() -> Client {
    Client::new(Credentials::Zendesk {
        subdomain: "acme".into(),
        email: "agent@acme.test".into(),
        api_token: "zd-token".into(),
    })
    .unwrap()
}

fn intercom() -> Client {
    Client::new(Credentials::Intercom {
        access_token: "ic-token".into(),
    })
    .unwrap()
}

fn freshdesk() -> Client {
    Client::new(Credentials::Freshdesk {
        domain: "acme.freshdesk.com".into(),
        api_key: "fd-key".into(),
    })
    .unwrap()
}

fn happyfox() -> Client {
    Client::new(Credentials::Happyfox {
        subdomain: "acme".into(),
        api_key: "hf-key".into(),
        auth_code: "hf-code".into(),
    })
    .unwrap()
}

fn helpscout() -> Client {
    Client::new(Credentials::Helpscout {
        client_id: "hs-id".into(),
        client_secret: "hs-secret".into(),
    })
    .unwrap()
}

fn ticket_of(provider: HelpdeskProvider, id: &str, requester_id: Option<&str>) -> Ticket {
    Ticket {
        provider,
        provider_id: id.into(),
        subject: String::new(),
        status: "open".into(),
        created_at_unix: 0,
        updated_at_unix: 0,
        requester: Person {
            id: requester_id.map(str::to_string),
            ..Person::default()
        },
        messages: Vec::new(),
        tags: Vec::new(),
        history_complete: false,
    }
}

fn kinds(messages: &[TicketMessage]) -> Vec<MessageKind> {
    messages.iter().map(|m| m.kind).collect()
}

use MessageKind::{Customer, PrivateNote, PublicReply};

// ---- common ---------------------------------------------------------------

#[test]
fn provider_names() {
    for p in HelpdeskProvider::ALL {
        assert_eq!(HelpdeskProvider::parse(p.as_str()), Some(p));
        assert_eq!(p.to_string(), p.as_str());
    }
    assert_eq!(
        HelpdeskProvider::parse("Help Scout"),
        Some(HelpdeskProvider::Helpscout)
    );
    assert_eq!(
        HelpdeskProvider::parse(" help-scout "),
        Some(HelpdeskProvider::Helpscout)
    );
    assert_eq!(
        HelpdeskProvider::parse("HappyFox"),
        Some(HelpdeskProvider::Happyfox)
    );
    assert_eq!(HelpdeskProvider::parse("zendesk2"), None);
    assert_eq!(HelpdeskProvider::parse(""), None);
    assert_eq!(HelpdeskProvider::Freshdesk.batch_size(), 300);
    assert_eq!(HelpdeskProvider::Zendesk.batch_size(), 200);
}

#[test]
fn origins_from_account_names_and_hosts() {
    assert_eq!(zendesk().origin(), "https://acme.zendesk.com");
    assert_eq!(intercom().origin(), "https://api.intercom.io");
    assert_eq!(freshdesk().origin(), "https://acme.freshdesk.com");
    assert_eq!(happyfox().origin(), "https://acme.happyfox.com");
    assert_eq!(helpscout().origin(), "https://api.helpscout.net");
    let fd = Credentials::Freshdesk {
        domain: "Acme".into(),
        api_key: "k".into(),
    };
    assert_eq!(fd.origin().unwrap(), "https://acme.freshdesk.com");
    let hf = Credentials::Happyfox {
        subdomain: "acme.happyfox.net".into(),
        api_key: "k".into(),
        auth_code: "c".into(),
    };
    assert_eq!(hf.origin().unwrap(), "https://acme.happyfox.net");
    let zd = Credentials::Zendesk {
        subdomain: "support.acme.com.".into(),
        email: "a@b".into(),
        api_token: "t".into(),
    };
    assert_eq!(zd.origin().unwrap(), "https://support.acme.com");
}

#[test]
fn hosts_that_are_not_host_names_are_refused() {
    for bad in [
        "",
        "https://acme.zendesk.com",
        "acme.zendesk.com/api",
        "acme:8080",
        "user@acme",
        "a..b",
        "-acme",
        "acme .com",
        "acme#x",
        "ac/me",
    ] {
        let c = Credentials::Zendesk {
            subdomain: bad.into(),
            email: "a@b".into(),
            api_token: "t".into(),
        };
        let errors = c.validate().unwrap_err();
        assert_eq!(errors.len(), 1, "{bad:?}: {errors:?}");
        assert_eq!(errors[0].field, "subdomain", "{bad:?}");
    }
}

#[test]
fn credential_fields_are_named() {
    let c = Credentials::Zendesk {
        subdomain: "acme".into(),
        email: "not-an-email".into(),
        api_token: " ".into(),
    };
    let fields: Vec<_> = c.validate().unwrap_err().iter().map(|e| e.field).collect();
    assert_eq!(fields, ["email", "api_token"]);
    let c = Credentials::Happyfox {
        subdomain: "acme".into(),
        api_key: "has space".into(),
        auth_code: "".into(),
    };
    let fields: Vec<_> = c.validate().unwrap_err().iter().map(|e| e.field).collect();
    assert_eq!(fields, ["api_key", "auth_code"]);
    let c = Credentials::Helpscout {
        client_id: "x".into(),
        client_secret: "y".repeat(600),
    };
    assert_eq!(c.validate().unwrap_err()[0].field, "client_secret");
    assert!(
        Client::new(Credentials::Intercom {
            access_token: String::new()
        })
        .is_err()
    );
}

#[test]
fn debug_never_shows_secrets() {
    let all = [
        format!("{:?}", zendesk()),
        format!("{:?}", intercom()),
        format!("{:?}", freshdesk()),
        format!("{:?}", happyfox()),
        format!("{:?}", helpscout().with_access_token("bearer-secret")),
    ];
    for (d, secret) in all
        .iter()
        .zip(["zd-token", "ic-token", "fd-key", "hf-code", "hs-secret"])
    {
        assert!(!d.contains(secret), "{d}");
    }
    assert!(!all[4].contains("bearer-secret") || all[4].contains("access_token"));
    let token = AccessToken {
        token: "t0ken".into(),
        expires_in_secs: Some(1),
    };
    assert!(!format!("{token:?}").contains("t0ken"));
}

#[test]
fn with_origin_points_at_a_fake() {
    let c = zendesk().with_origin("http://127.0.0.1:4000/");
    assert_eq!(c.origin(), "http://127.0.0.1:4000");
    assert_eq!(
        c.check_request().url,
        "http://127.0.0.1:4000/api/v2/users/me.json"
    );
}

#[test]
fn errors_from_status_codes() {
    let c = zendesk();
    let err = |r: HttpResponse| c.check_response(&r).unwrap_err();
    assert_eq!(
        err(resp(401, r#"{"error":"Couldn't authenticate you"}"#)),
        ProviderError::BadCredentials("Couldn't authenticate you".into())
    );
    assert!(matches!(
        err(resp(403, r#"{"error":"Forbidden","description":"You do not have access to this page."}"#)),
        ProviderError::MissingPermission(m) if m == "Forbidden; You do not have access to this page."
    ));
    assert!(matches!(err(resp(404, "{}")), ProviderError::NotFound(_)));
    assert_eq!(
        err(resp(503, "upstream down")),
        ProviderError::Server {
            status: 503,
            message: "upstream down".into()
        }
    );
    assert!(matches!(err(resp(422, "{}")), ProviderError::Other(m) if m.contains("422")));
    assert!(matches!(
        err(resp(200, "not json")),
        ProviderError::Malformed(_)
    ));
}

#[test]
fn rate_limits_and_their_waits() {
    let limited = |provider: HelpdeskProvider, headers: &[(&str, &str)]| {
        error_for(provider, &resp_h(429, headers, ""))
    };
    let z = limited(HelpdeskProvider::Zendesk, &[("retry-after", "93")]);
    assert_eq!(
        z,
        ProviderError::RateLimited {
            retry_after_secs: Some(93),
            reset_at_unix: None
        }
    );
    assert_eq!(z.wait_secs(0), Some(93));
    let dated = limited(
        HelpdeskProvider::Freshdesk,
        &[("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")],
    );
    assert_eq!(dated.wait_secs(784_111_770), Some(7));
    assert_eq!(dated.wait_secs(784_111_800), Some(0));
    let ic = limited(
        HelpdeskProvider::Intercom,
        &[("x-ratelimit-reset", "1700000010")],
    );
    assert_eq!(ic.wait_secs(1_700_000_000), Some(10));
    let hs = limited(
        HelpdeskProvider::Helpscout,
        &[("x-ratelimit-retry-after", "12")],
    );
    assert_eq!(hs.wait_secs(0), Some(12));
    // HappyFox blocks for ten minutes and says nothing.
    assert_eq!(
        limited(HelpdeskProvider::Happyfox, &[]).wait_secs(0),
        Some(600)
    );
    let unknown = limited(HelpdeskProvider::Zendesk, &[]);
    assert_eq!(unknown.wait_secs(0), None);
    assert_eq!(unknown.to_string(), "rate limited");
    assert!(!z.is_retryable());
    assert!(
        ProviderError::Server {
            status: 502,
            message: String::new()
        }
        .is_retryable()
    );
    assert_eq!(z.to_string(), "rate limited: retry after 93 s");
}

#[test]
fn rate_limit_headers_per_provider() {
    let r = resp_h(
        200,
        &[
            ("ratelimit-limit", "700"),
            ("ratelimit-remaining", "699"),
            ("ratelimit-reset", "41"),
            ("x-ratelimit-limit", "1000"),
            ("x-ratelimit-remaining", "990"),
            ("x-ratelimit-reset", "1700000000"),
            ("x-ratelimit-total", "200"),
            ("x-ratelimit-limit-minute", "400"),
            ("x-ratelimit-remaining-minute", "398"),
        ],
        "",
    );
    assert_eq!(
        zendesk().rate_limit(&r),
        RateLimit {
            limit: Some(700),
            remaining: Some(699),
            reset_after_secs: Some(41),
            reset_at_unix: None
        }
    );
    assert_eq!(intercom().rate_limit(&r).reset_at_unix, Some(1_700_000_000));
    assert_eq!(freshdesk().rate_limit(&r).limit, Some(200));
    assert_eq!(freshdesk().rate_limit(&r).remaining, Some(990));
    assert_eq!(happyfox().rate_limit(&r), RateLimit::default());
    assert_eq!(helpscout().rate_limit(&r).remaining, Some(398));
    let legacy = resp_h(
        200,
        &[("x-rate-limit", "400"), ("x-rate-limit-remaining", "3")],
        "",
    );
    assert_eq!(zendesk().rate_limit(&legacy).limit, Some(400));
    assert_eq!(zendesk().rate_limit(&legacy).remaining, Some(3));
}

#[test]
fn cursors_survive_as_strings() {
    let cursors = [
        Cursor(CursorState::After {
            after: "eyJvIjoi".into(),
        }),
        Cursor(CursorState::Page { page: 7 }),
        Cursor(CursorState::Status {
            status: 1,
            page: 3,
            done: 40,
        }),
    ];
    for c in cursors {
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }
    assert_eq!(Cursor::decode("garbage"), None);
    assert_eq!(Cursor::decode(r#"{"k":"page"}"#), None);
}

#[test]
fn absorbing_history_orders_and_fills_the_requester() {
    let mut t = ticket_of(HelpdeskProvider::Zendesk, "1", Some("77"));
    let msg = |at: i64, kind, text: &str| TicketMessage {
        provider_id: None,
        kind,
        author_name: Some("Jo".into()),
        author_email: Some("jo@example.org".into()),
        text: text.into(),
        created_at_unix: at,
    };
    let next = t.absorb(HistoryPage {
        messages: vec![msg(20, PublicReply, "b"), msg(10, Customer, "a")],
        requester: Some(Person {
            id: None,
            name: Some("Jo".into()),
            email: Some("jo@example.org".into()),
            phone: None,
        }),
        next: Some(Cursor(CursorState::Page { page: 2 })),
    });
    assert!(next.is_some());
    assert!(!t.history_complete);
    assert_eq!(t.requester.id.as_deref(), Some("77"));
    assert_eq!(t.requester.name.as_deref(), Some("Jo"));
    assert!(
        t.absorb(HistoryPage {
            messages: vec![msg(15, PrivateNote, "n")],
            requester: None,
            next: None,
        })
        .is_none()
    );
    assert!(t.history_complete);
    let texts: Vec<_> = t.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["a", "n", "b"]);

    // Without any requester data, the first customer message names them.
    let mut bare = ticket_of(HelpdeskProvider::Intercom, "2", None);
    bare.absorb(HistoryPage {
        messages: vec![msg(5, Customer, "hi")],
        requester: None,
        next: None,
    });
    assert_eq!(bare.requester.email.as_deref(), Some("jo@example.org"));
}

// ---- Zendesk ---------------------------------------------------------------

#[test]
fn zendesk_check() {
    let c = zendesk();
    let req = c.check_request();
    assert_eq!(req.method, "GET");
    assert_eq!(req.url, "https://acme.zendesk.com/api/v2/users/me.json");
    assert_eq!(basic_pair(&req), "agent@acme.test/token:zd-token");
    assert_eq!(header(&req, "accept"), Some("application/json"));
    assert_eq!(
        c.check_response(&resp(
            200,
            r#"{"user":{"id":9001,"name":"Ann","email":"agent@acme.test","role":"admin"}}"#
        )),
        Ok(())
    );
    assert!(matches!(
        c.check_response(&resp(
            200,
            r#"{"user":{"id":null,"name":"Anonymous user","role":"end-user"}}"#
        )),
        Err(ProviderError::BadCredentials(_))
    ));
    assert!(matches!(
        c.check_response(&resp(200, r#"{"user":{"id":5,"role":"end-user"}}"#)),
        Err(ProviderError::MissingPermission(_))
    ));
    assert!(matches!(
        c.check_response(&resp(200, r#"{"users":[]}"#)),
        Err(ProviderError::Malformed(_))
    ));
}

#[test]
fn zendesk_list_requests() {
    let c = zendesk();
    let first = c.list_request(None);
    assert_eq!(
        first.url,
        "https://acme.zendesk.com/api/v2/search/export?query=status%3Csolved&filter%5Btype%5D=ticket&page%5Bsize%5D=100"
    );
    assert_eq!(basic_pair(&first), "agent@acme.test/token:zd-token");
    let next = c.list_request(Some(&Cursor(CursorState::After {
        after: "eyJv+/=".into(),
    })));
    assert!(
        next.url
            .ends_with("&page%5Bsize%5D=100&page%5Bafter%5D=eyJv%2B%2F%3D"),
        "{}",
        next.url
    );
    let count = c.count_request().unwrap();
    assert_eq!(
        count.url,
        "https://acme.zendesk.com/api/v2/search/count?query=type%3Aticket%20status%3Csolved"
    );
    assert_eq!(c.parse_count(&resp(200, r#"{"count":1234}"#)), Ok(1234));
    assert!(intercom().count_request().is_none());
}

const ZENDESK_EXPORT: &str = r#"{
  "results": [
    {"id": 35436, "result_type": "ticket", "subject": "Order 1142 late", "raw_subject": "Order 1142 late",
     "status": "open", "requester_id": 77, "tags": ["shipping", "vip"],
     "created_at": "2026-03-01T09:00:00Z", "updated_at": "2026-03-02T11:00:00Z", "via": {"channel": "email"}},
    {"id": 35437, "result_type": "ticket", "subject": "Done", "status": "solved",
     "created_at": "2026-03-01T09:00:00Z", "updated_at": "2026-03-01T09:00:00Z"},
    {"id": 35438, "result_type": "ticket", "subject": null, "status": "hold", "requester_id": 78,
     "created_at": "2026-03-03T10:00:00Z"},
    {"id": 35439, "result_type": "ticket", "subject": "Broken", "status": "pending",
     "created_at": "last tuesday"},
    {"result_type": "ticket", "subject": "No id", "status": "new", "created_at": "2026-03-01T09:00:00Z"},
    {"id": 12, "result_type": "user", "name": "Not a ticket"}
  ],
  "facets": null,
  "meta": {"has_more": true, "after_cursor": "xXaftercursor", "before_cursor": "xXbefore"},
  "links": {"next": "https://acme.zendesk.com/api/v2/search/export?page[after]=xXaftercursor", "prev": null}
}"#;

#[test]
fn zendesk_list_parses_filters_and_skips() {
    let page = zendesk()
        .parse_list(None, &resp(200, ZENDESK_EXPORT))
        .unwrap();
    let ids: Vec<_> = page
        .tickets
        .iter()
        .map(|t| t.provider_id.as_str())
        .collect();
    assert_eq!(ids, ["35436", "35438"]);
    let t = &page.tickets[0];
    assert_eq!(t.provider, HelpdeskProvider::Zendesk);
    assert_eq!(t.subject, "Order 1142 late");
    assert_eq!(t.status, "open");
    assert_eq!(t.created_at_unix, 1_772_355_600);
    assert_eq!(t.updated_at_unix, 1_772_355_600 + 86_400 + 7200);
    assert_eq!(t.requester.id.as_deref(), Some("77"));
    assert_eq!(t.tags, ["shipping", "vip"]);
    assert!(!t.history_complete);
    assert_eq!(page.tickets[1].subject, "");
    assert_eq!(
        page.tickets[1].updated_at_unix,
        page.tickets[1].created_at_unix
    );
    assert_eq!(page.skipped.len(), 2);
    assert_eq!(page.skipped[0].id, "35439");
    assert!(
        page.skipped[0].reason.contains("created_at"),
        "{:?}",
        page.skipped
    );
    assert_eq!(page.skipped[1].id, "#4");
    assert_eq!(
        page.next,
        Some(Cursor(CursorState::After {
            after: "xXaftercursor".into()
        }))
    );
    assert_eq!(page.total_estimate, None);

    let last = zendesk()
        .parse_list(
            None,
            &resp(
                200,
                r#"{"results":[],"meta":{"has_more":false,"after_cursor":null}}"#,
            ),
        )
        .unwrap();
    assert_eq!(last.next, None);
    assert!(matches!(
        zendesk().parse_list(None, &resp(200, r#"{"tickets":[]}"#)),
        Err(ProviderError::Malformed(_))
    ));
}

const ZENDESK_COMMENTS: &str = r#"{
  "comments": [
    {"id": 501, "type": "Comment", "author_id": 77, "body": "Where is my order?",
     "html_body": "<p>Where is my order?</p>", "plain_body": "Where is my order?", "public": true,
     "attachments": [], "via": {"channel": "email", "source": {"from": {"address": "jo@example.org", "name": "Jo"}}},
     "created_at": "2026-03-01T09:00:00Z"},
    {"id": 502, "type": "Comment", "author_id": 9001, "html_body": "<p>Checking with the <b>warehouse</b> &amp; carrier.</p>",
     "public": false, "created_at": "2026-03-01T09:05:00Z"},
    {"id": 503, "type": "Comment", "author_id": 9001, "body": "It ships today.", "public": true,
     "created_at": "2026-03-01T09:10:00Z"},
    {"id": 504, "type": "VoiceComment", "author_id": 80, "body": "Thanks!", "public": true,
     "created_at": "2026-03-01T09:20:00Z"},
    {"id": 505, "type": "Comment", "author_id": 9001, "body": "   ", "public": true,
     "created_at": "2026-03-01T09:30:00Z"}
  ],
  "users": [
    {"id": 77, "name": "Jo Customer", "email": "jo@example.org", "phone": "+15550100", "role": "end-user"},
    {"id": 80, "name": "Cc Person", "email": "cc@example.org", "role": "end-user"},
    {"id": 9001, "name": "Ann Agent", "email": "ann@acme.test", "role": "agent"}
  ],
  "meta": {"has_more": true, "after_cursor": "c2"},
  "links": {"next": "https://acme.zendesk.com/api/v2/tickets/35436/comments.json?page[after]=c2"}
}"#;

#[test]
fn zendesk_history() {
    let c = zendesk();
    let t = ticket_of(HelpdeskProvider::Zendesk, "35436", Some("77"));
    let req = c.history_request(&t, None);
    assert_eq!(
        req.url,
        "https://acme.zendesk.com/api/v2/tickets/35436/comments.json?page%5Bsize%5D=100&include=users"
    );
    let cursor = Cursor(CursorState::After { after: "c2".into() });
    assert!(
        c.history_request(&t, Some(&cursor))
            .url
            .ends_with("&include=users&page%5Bafter%5D=c2")
    );
    let h = c
        .parse_history(&t, None, &resp(200, ZENDESK_COMMENTS))
        .unwrap();
    assert_eq!(
        kinds(&h.messages),
        [Customer, PrivateNote, PublicReply, Customer]
    );
    assert_eq!(h.messages[1].text, "Checking with the warehouse & carrier.");
    assert_eq!(h.messages[1].author_name.as_deref(), Some("Ann Agent"));
    assert_eq!(
        h.messages[0].author_email.as_deref(),
        Some("jo@example.org")
    );
    assert_eq!(h.messages[3].author_name.as_deref(), Some("Cc Person"));
    assert_eq!(h.messages[0].provider_id.as_deref(), Some("501"));
    let r = h.requester.unwrap();
    assert_eq!(r.name.as_deref(), Some("Jo Customer"));
    assert_eq!(r.phone.as_deref(), Some("+15550100"));
    assert_eq!(h.next, Some(cursor));

    // Without sideloaded users the requester's id and the email source
    // still tell who wrote.
    let bare = r#"{"comments":[{"id":1,"author_id":77,"body":"hi","public":true,
        "via":{"source":{"from":{"address":"jo@example.org"}}},"created_at":"2026-03-01T09:00:00Z"}],
        "meta":{"has_more":false}}"#;
    let h = c.parse_history(&t, None, &resp(200, bare)).unwrap();
    assert_eq!(kinds(&h.messages), [Customer]);
    assert_eq!(
        h.messages[0].author_email.as_deref(),
        Some("jo@example.org")
    );
    assert_eq!(h.next, None);

    let broken = r#"{"comments":[{"id":1,"author_id":77,"body":"hi","created_at":"soon"}]}"#;
    assert!(matches!(
        c.parse_history(&t, None, &resp(200, broken)),
        Err(ProviderError::Malformed(m)) if m.contains("comment 0")
    ));
}

// ---- Intercom --------------------------------------------------------------

#[test]
fn intercom_requests() {
    let c = intercom();
    let check = c.check_request();
    assert_eq!(check.url, "https://api.intercom.io/me");
    assert_eq!(header(&check, "authorization"), Some("Bearer ic-token"));
    assert_eq!(header(&check, "intercom-version"), Some("2.14"));
    assert_eq!(
        c.check_response(&resp(
            200,
            r#"{"type":"admin","id":"991","email":"ann@acme.test"}"#
        )),
        Ok(())
    );
    let list = c.list_request(None);
    assert_eq!(list.method, "POST");
    assert_eq!(list.url, "https://api.intercom.io/conversations/search");
    assert_eq!(header(&list, "content-type"), Some("application/json"));
    assert_eq!(header(&list, "intercom-version"), Some("2.14"));
    let body: serde_json::Value = serde_json::from_slice(&list.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "query": {"field": "state", "operator": "IN", "value": ["open", "snoozed"]},
            "pagination": {"per_page": 50}
        })
    );
    let next = c.list_request(Some(&Cursor(CursorState::After {
        after: "WzE3MDAwMDAwMDAsMTIzXQ==".into(),
    })));
    let body: serde_json::Value = serde_json::from_slice(&next.body).unwrap();
    assert_eq!(
        body["pagination"],
        serde_json::json!({"per_page": 50, "starting_after": "WzE3MDAwMDAwMDAsMTIzXQ=="})
    );
    let t = ticket_of(HelpdeskProvider::Intercom, "1911149811", None);
    let h = c.history_request(&t, None);
    assert_eq!(h.url, "https://api.intercom.io/conversations/1911149811");
    assert_eq!(h.method, "GET");
}

const INTERCOM_SEARCH: &str = r#"{
  "type": "conversation.list",
  "conversations": [
    {"type": "conversation", "id": "1911149811", "title": null, "created_at": 1772355600, "updated_at": 1772442000,
     "state": "open", "open": true,
     "source": {"type": "conversation", "id": "269650473", "delivered_as": "customer_initiated", "subject": "",
                "body": "<p>Hi</p>", "author": {"type": "user", "id": "5bc8f7", "name": "Jo", "email": "jo@example.org"}},
     "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "5bc8f7"}]},
     "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "1", "name": "billing"}]}},
    {"type": "conversation", "id": "1911149812", "title": "Refund &amp; return", "created_at": 1772355700,
     "updated_at": 1772355700, "state": "snoozed", "open": true,
     "source": {"type": "conversation", "body": "<p>x</p>", "author": {"type": "admin", "id": "99", "name": "Ann"}}},
    {"type": "conversation", "id": "1911149813", "created_at": 1772355800, "state": "closed", "open": false},
    {"type": "conversation", "id": "1911149814", "created_at": "2026-03-01", "state": "open"}
  ],
  "total_count": 212,
  "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 5,
            "next": {"per_page": 50, "starting_after": "WzE3NzIzNTU4MDAsMTkxMTE0OTgxNF0="}}
}"#;

#[test]
fn intercom_list() {
    let page = intercom()
        .parse_list(None, &resp(200, INTERCOM_SEARCH))
        .unwrap();
    let ids: Vec<_> = page
        .tickets
        .iter()
        .map(|t| t.provider_id.as_str())
        .collect();
    assert_eq!(ids, ["1911149811", "1911149812"]);
    assert_eq!(
        page.tickets[0].requester.email.as_deref(),
        Some("jo@example.org")
    );
    assert_eq!(page.tickets[0].tags, ["billing"]);
    assert_eq!(page.tickets[0].updated_at_unix, 1_772_442_000);
    assert_eq!(page.tickets[1].subject, "Refund & return");
    assert_eq!(page.tickets[1].status, "snoozed");
    // An admin-started conversation has no customer author to name yet.
    assert_eq!(page.tickets[1].requester, Person::default());
    assert_eq!(page.skipped.len(), 1);
    assert_eq!(page.skipped[0].id, "1911149814");
    assert_eq!(page.total_estimate, Some(212));
    assert_eq!(
        page.next,
        Some(Cursor(CursorState::After {
            after: "WzE3NzIzNTU4MDAsMTkxMTE0OTgxNF0=".into()
        }))
    );
    let last = intercom()
        .parse_list(
            None,
            &resp(
                200,
                r#"{"type":"conversation.list","conversations":[],"total_count":0,"pages":{"type":"pages","page":1}}"#,
            ),
        )
        .unwrap();
    assert_eq!(last.next, None);
}

const INTERCOM_CONVERSATION: &str = r#"{
  "type": "conversation", "id": "1911149811", "created_at": 1772355600, "updated_at": 1772442000, "state": "open",
  "source": {"type": "conversation", "id": "269650473", "subject": "", "body": "<p>Where is my <b>order</b>?</p>",
             "author": {"type": "user", "id": "5bc8f7", "name": "Jo", "email": "jo@example.org"}, "attachments": []},
  "conversation_parts": {"type": "conversation_part.list", "total_count": 5, "conversation_parts": [
    {"type": "conversation_part", "id": "1", "part_type": "assignment", "body": null, "created_at": 1772355660,
     "author": {"type": "admin", "id": "99", "name": "Ann", "email": "ann@acme.test"}},
    {"type": "conversation_part", "id": "2", "part_type": "note", "body": "<p>VIP, be quick</p>", "created_at": 1772355700,
     "author": {"type": "admin", "id": "99", "name": "Ann", "email": "ann@acme.test"}},
    {"type": "conversation_part", "id": "3", "part_type": "comment", "body": "<p>It ships today.</p>", "created_at": 1772355800,
     "author": {"type": "admin", "id": "99", "name": "Ann", "email": "ann@acme.test"}},
    {"type": "conversation_part", "id": "4", "part_type": "comment", "body": "<p>Thanks!</p>", "created_at": 1772355900,
     "author": {"type": "user", "id": "5bc8f7", "name": "Jo", "email": "jo@example.org"}},
    {"type": "conversation_part", "id": "5", "part_type": "comment", "body": "", "redacted": true, "created_at": 1772356000,
     "author": {"type": "user", "id": "5bc8f7"}},
    {"type": "conversation_part", "id": "6", "part_type": "comment", "body": "<p>Bot here</p>", "created_at": 1772356100,
     "author": {"type": "bot", "id": "7", "name": "Fin"}}
  ]}
}"#;

#[test]
fn intercom_history() {
    let c = intercom();
    let t = ticket_of(HelpdeskProvider::Intercom, "1911149811", None);
    let h = c
        .parse_history(&t, None, &resp(200, INTERCOM_CONVERSATION))
        .unwrap();
    assert_eq!(
        kinds(&h.messages),
        [Customer, PrivateNote, PublicReply, Customer, PublicReply]
    );
    assert_eq!(h.messages[0].text, "Where is my order?");
    assert_eq!(h.messages[0].created_at_unix, 1_772_355_600);
    assert_eq!(h.messages[2].author_email.as_deref(), Some("ann@acme.test"));
    assert_eq!(h.requester.unwrap().name.as_deref(), Some("Jo"));
    assert_eq!(h.next, None);
    let broken = r#"{"created_at":1,"conversation_parts":{"conversation_parts":[
        {"part_type":"comment","body":"<p>x</p>","created_at":"later","author":{"type":"user"}}]}}"#;
    assert!(matches!(
        c.parse_history(&t, None, &resp(200, broken)),
        Err(ProviderError::Malformed(m)) if m.contains("part 0")
    ));
    assert_eq!(
        c.parse_history(
            &t,
            None,
            &resp(
                401,
                r#"{"type":"error.list","request_id":"r1","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}"#
            )
        ),
        Err(ProviderError::BadCredentials(
            "unauthorized: Access Token Invalid".into()
        ))
    );
}

// ---- Freshdesk -------------------------------------------------------------

#[test]
fn freshdesk_requests() {
    let c = freshdesk();
    let check = c.check_request();
    assert_eq!(check.url, "https://acme.freshdesk.com/api/v2/agents/me");
    assert_eq!(basic_pair(&check), "fd-key:X");
    assert_eq!(
        c.check_response(&resp(
            200,
            r#"{"id":43,"contact":{"email":"ann@acme.test"}}"#
        )),
        Ok(())
    );
    let list = c.list_request(None);
    assert_eq!(
        list.url,
        "https://acme.freshdesk.com/api/v2/search/tickets?query=%22status%3A2%20OR%20status%3A3%22&page=1"
    );
    assert_eq!(basic_pair(&list), "fd-key:X");
    let t = ticket_of(HelpdeskProvider::Freshdesk, "4412", Some("9001"));
    assert_eq!(
        c.history_request(&t, None).url,
        "https://acme.freshdesk.com/api/v2/tickets/4412?include=requester"
    );
    assert_eq!(
        c.history_request(&t, Some(&Cursor(CursorState::Page { page: 2 })))
            .url,
        "https://acme.freshdesk.com/api/v2/tickets/4412/conversations?per_page=100&page=2"
    );
}

fn freshdesk_results(n: usize, total: u64, status: i64) -> String {
    let results: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id":{},"subject":"S{i}","status":{status},"priority":2,"requester_id":9001,
                "created_at":"2026-03-01T09:00:00Z","updated_at":"2026-03-02T11:00:00Z","tags":["t"]}}"#,
                4400 + i
            )
        })
        .collect();
    format!(r#"{{"results":[{}],"total":{total}}}"#, results.join(","))
}

#[test]
fn freshdesk_pages_within_one_query() {
    let c = freshdesk();
    let first = c
        .parse_list(None, &resp(200, &freshdesk_results(30, 45, 2)))
        .unwrap();
    assert_eq!(first.tickets.len(), 30);
    assert_eq!(first.total_estimate, Some(45));
    assert_eq!(first.tickets[0].status, "open");
    assert_eq!(first.tickets[0].requester.id.as_deref(), Some("9001"));
    let next = first.next.unwrap();
    assert!(c.list_request(Some(&next)).url.ends_with("&page=2"));
    let second = c
        .parse_list(Some(&next), &resp(200, &freshdesk_results(15, 45, 3)))
        .unwrap();
    assert_eq!(second.tickets.len(), 15);
    assert_eq!(second.tickets[0].status, "pending");
    assert_eq!(second.total_estimate, Some(45));
    assert_eq!(second.next, None);
    // Resolved and closed tickets are never open work.
    let closed = c
        .parse_list(None, &resp(200, &freshdesk_results(3, 3, 4)))
        .unwrap();
    assert!(closed.tickets.is_empty() && closed.skipped.is_empty());
    let broken = r#"{"results":[{"id":1,"status":2,"created_at":"x"},{"status":2}],"total":2}"#;
    let page = c.parse_list(None, &resp(200, broken)).unwrap();
    let ids: Vec<_> = page.skipped.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["1", "#1"]);
}

#[test]
fn freshdesk_splits_past_three_hundred() {
    let c = freshdesk();
    let big = c
        .parse_list(None, &resp(200, &freshdesk_results(30, 450, 2)))
        .unwrap();
    assert!(big.tickets.is_empty(), "results come again in a window");
    assert_eq!(big.total_estimate, Some(450));
    let older = big.next.unwrap();
    let url = c.list_request(Some(&older)).url;
    // The first half: everything up to 2035-01-01 (day 23741).
    assert!(
        url.contains(&wire::encode(
            "\"(status:2 OR status:3) AND created_at:<'2035-01-01'\""
        )),
        "{url}"
    );
    assert!(url.ends_with("&page=1"));
    // Still more than 300 in that half: it splits again.
    let again = c
        .parse_list(Some(&older), &resp(200, &freshdesk_results(30, 301, 2)))
        .unwrap();
    let oldest = again.next.unwrap();
    assert!(
        c.list_request(Some(&oldest))
            .url
            .contains(&wire::encode("created_at:<'2002-07-02'"))
    );
    // 120 fit: walk its 4 pages, then the next window.
    let mut cursor = oldest;
    for page in 1..=4 {
        assert!(
            c.list_request(Some(&cursor))
                .url
                .ends_with(&format!("&page={page}"))
        );
        let p = c
            .parse_list(Some(&cursor), &resp(200, &freshdesk_results(30, 120, 2)))
            .unwrap();
        assert_eq!(p.tickets.len(), 30);
        assert_eq!(p.total_estimate, Some(450), "the first total is kept");
        cursor = p.next.unwrap();
    }
    let url = c.list_request(Some(&cursor)).url;
    assert!(
        url.contains(&wire::encode(
            "\"(status:2 OR status:3) AND created_at:>'2002-07-03' AND created_at:<'2035-01-01'\""
        )),
        "{url}"
    );
    assert!(url.ends_with("&page=1"));
    let p = c
        .parse_list(Some(&cursor), &resp(200, &freshdesk_results(0, 0, 2)))
        .unwrap();
    let newest = p.next.unwrap();
    assert!(
        c.list_request(Some(&newest))
            .url
            .contains(&wire::encode("AND created_at:>'2035-01-02'\""))
    );
    let p = c
        .parse_list(Some(&newest), &resp(200, &freshdesk_results(3, 3, 2)))
        .unwrap();
    assert_eq!(p.tickets.len(), 3);
    assert_eq!(p.next, None);
    // The cursor survives as a string between runs.
    assert_eq!(Cursor::decode(&newest.encode()), Some(newest));
}

#[test]
fn freshdesk_single_day_over_the_cap_reports_the_rest() {
    let c = freshdesk();
    let day = wire::days_from_civil(2026, 3, 1);
    let cursor = Cursor(CursorState::Windows {
        windows: vec![freshdesk::Window::day_for_tests(day)],
        page: 1,
        total: Some(900),
    });
    let url = c.list_request(Some(&cursor)).url;
    assert!(url.contains(&wire::encode(
        "created_at:>'2026-03-01' AND created_at:<'2026-03-01'"
    )));
    let p = c
        .parse_list(Some(&cursor), &resp(200, &freshdesk_results(30, 350, 2)))
        .unwrap();
    assert_eq!(p.tickets.len(), 30);
    assert_eq!(p.unreachable, 50);
    let mut next = p.next;
    let mut pages = 1;
    while let Some(cur) = next {
        let p = c
            .parse_list(Some(&cur), &resp(200, &freshdesk_results(30, 350, 2)))
            .unwrap();
        assert_eq!(p.unreachable, 0);
        pages += 1;
        next = p.next;
    }
    assert_eq!(pages, 10, "page 10 is the last the API serves");
}

const FRESHDESK_TICKET: &str = r#"{
  "id": 4412, "subject": "Order 1142 late", "status": 2, "priority": 2, "source": 1, "requester_id": 9001,
  "description": "<div>Where is my order?</div>", "description_text": "Where is my order?",
  "created_at": "2026-03-01T09:00:00Z", "updated_at": "2026-03-02T11:00:00Z",
  "requester": {"id": 9001, "name": "Jo Customer", "email": "jo@example.org", "mobile": "+15550101", "phone": null}
}"#;

const FRESHDESK_CONVERSATIONS: &str = r#"[
  {"id": 1, "body": "<div>Checking with the warehouse.</div>", "body_text": "Checking with the warehouse.",
   "incoming": false, "private": true, "user_id": 43, "source": 2, "created_at": "2026-03-01T09:05:00Z"},
  {"id": 2, "body": "<div>It ships <b>today</b>.</div>", "incoming": false, "private": false, "user_id": 43,
   "source": 0, "from_email": "support@acme.test", "created_at": "2026-03-01T09:10:00Z"},
  {"id": 3, "body_text": "Thanks!", "incoming": true, "private": false, "user_id": 9001,
   "from_email": "jo@example.org", "created_at": "2026-03-01T09:20:00Z"},
  {"id": 4, "body_text": "Me too", "incoming": true, "private": false, "user_id": 9002,
   "from_email": "cc@example.org", "created_at": "2026-03-01T09:30:00Z"}
]"#;

#[test]
fn freshdesk_history() {
    let c = freshdesk();
    let mut t = ticket_of(HelpdeskProvider::Freshdesk, "4412", Some("9001"));
    t.created_at_unix = 1_772_355_600;
    let view = c
        .parse_history(&t, None, &resp(200, FRESHDESK_TICKET))
        .unwrap();
    assert_eq!(kinds(&view.messages), [Customer]);
    assert_eq!(view.messages[0].text, "Where is my order?");
    assert_eq!(view.messages[0].author_name.as_deref(), Some("Jo Customer"));
    let r = view.requester.clone().unwrap();
    assert_eq!(r.phone.as_deref(), Some("+15550101"));
    let next = t.absorb(view);
    assert_eq!(next, Some(Cursor(CursorState::Page { page: 1 })));
    let with_more = resp_h(
        200,
        &[(
            "link",
            "<https://acme.freshdesk.com/api/v2/tickets/4412/conversations?per_page=100&page=2>; rel=\"next\"",
        )],
        FRESHDESK_CONVERSATIONS,
    );
    let h = c.parse_history(&t, next.as_ref(), &with_more).unwrap();
    assert_eq!(
        kinds(&h.messages),
        [PrivateNote, PublicReply, Customer, Customer]
    );
    assert_eq!(h.messages[1].text, "It ships today.");
    assert_eq!(h.messages[1].author_email, None);
    assert_eq!(h.messages[2].author_name.as_deref(), Some("Jo Customer"));
    assert_eq!(
        h.messages[3].author_email.as_deref(),
        Some("cc@example.org")
    );
    assert_eq!(h.next, Some(Cursor(CursorState::Page { page: 2 })));
    let last = c
        .parse_history(&t, h.next.as_ref(), &resp(200, "[]"))
        .unwrap();
    assert_eq!(last.next, None);
    // An outbound email's description is the agent's.
    let outbound = FRESHDESK_TICKET.replace("\"source\": 1", "\"source\": 10");
    let view = c.parse_history(&t, None, &resp(200, &outbound)).unwrap();
    assert_eq!(kinds(&view.messages), [PublicReply]);
    assert!(matches!(
        c.parse_history(&t, h.next.as_ref(), &resp(200, r#"{"not":"a list"}"#)),
        Err(ProviderError::Malformed(_))
    ));
}

#[test]
fn link_header_next() {
    let with = |v: &str| resp_h(200, &[("Link", v)], "[]");
    assert!(freshdesk::has_next_link(&with(
        "<https://x/y?page=2>; rel=\"next\""
    )));
    assert!(freshdesk::has_next_link(&with(
        "<https://x/y?page=1>; rel=\"prev\", <https://x/y?page=3>; rel=next"
    )));
    assert!(!freshdesk::has_next_link(&with(
        "<https://x/y?page=1>; rel=\"prev\""
    )));
    assert!(!freshdesk::has_next_link(&resp(200, "[]")));
}

// ---- HappyFox --------------------------------------------------------------

#[test]
fn happyfox_requests() {
    let c = happyfox();
    let check = c.check_request();
    assert_eq!(
        check.url,
        "https://acme.happyfox.com/api/1.1/json/statuses/"
    );
    assert_eq!(basic_pair(&check), "hf-key:hf-code");
    assert_eq!(
        c.check_response(&resp(
            200,
            r#"[{"id":1,"name":"New","behavior":"pending"}]"#
        )),
        Ok(())
    );
    assert!(matches!(
        c.check_response(&resp(200, r#"{"error":"x"}"#)),
        Err(ProviderError::Malformed(_))
    ));
    assert_eq!(
        c.list_request(None).url,
        "https://acme.happyfox.com/api/1.1/json/tickets/?size=50&page=1&status=_pending"
    );
    assert_eq!(
        c.list_request(Some(&Cursor(CursorState::Page { page: 3 })))
            .url,
        "https://acme.happyfox.com/api/1.1/json/tickets/?size=50&page=3&status=_pending"
    );
    let t = ticket_of(HelpdeskProvider::Happyfox, "88", None);
    assert_eq!(
        c.history_request(&t, None).url,
        "https://acme.happyfox.com/api/1.1/json/ticket/88/"
    );
}

const HAPPYFOX_TICKETS: &str = r##"{
  "page_info": {"count": 120, "page_count": 3, "start_index": 1, "end_index": 50, "last_index": 3},
  "data": [
    {"id": 88, "display_id": "#TK00000088", "subject": "Order 1142 late",
     "status": {"id": 2, "name": "In Progress", "behavior": "pending"},
     "user": {"id": 94, "name": "Jo Customer", "email": "jo@example.org",
              "phones": [{"number": "+15550102", "type": "mo", "is_primary": true}]},
     "created_at": "2026-03-01 09:00:00", "last_updated_at": "2026-03-02 11:00:00", "tags": "vip, shipping",
     "updates": [
       {"update_id": 1, "timestamp": "2026-03-01 09:00:00", "by": {"type": "user", "id": 94},
        "message": {"text": "Where is my order?", "html": "<p>Where is my order?</p>", "attachments": []}},
       {"update_id": 2, "timestamp": "2026-03-01 09:02:00", "by": {"type": "staff", "id": 3, "name": "Ann"},
        "message": null, "status_change": {"old": {"name": "New"}, "new": {"name": "In Progress"}}},
       {"update_id": 3, "timestamp": "2026-03-01 09:05:00", "by": {"type": "staff", "id": 3, "name": "Ann", "email": "ann@acme.test"},
        "message": {"html": "<p>VIP &ndash; hurry</p>", "message_type": "p"}},
       {"update_id": 4, "timestamp": "2026-03-01 09:10:00", "by": {"type": "staff", "id": 3, "name": "Ann"},
        "message": {"text": "It ships today.", "message_type": "r"}},
       {"update_id": 5, "timestamp": "2026-03-01 09:20:00", "by": null, "message": {"text": "Auto reminder"}}
     ]},
    {"id": 89, "subject": "Done", "status": {"id": 5, "name": "Closed", "behavior": "completed"},
     "created_at": "2026-03-01 09:00:00", "updates": []},
    {"id": 90, "subject": "No history here", "status": {"id": 1, "name": "New", "behavior": "pending"},
     "user": {"id": 95, "name": "Max"}, "created_at": "2026-03-03 10:00:00", "tags": ["a", "b"]},
    {"id": 91, "subject": "Bad time", "status": {"id": 1, "name": "New", "behavior": "pending"},
     "created_at": "03/01/2026"},
    {"id": 92, "subject": "Bad update", "status": {"id": 1, "name": "New", "behavior": "pending"},
     "created_at": "2026-03-01 09:00:00", "updates": [{"timestamp": "?", "by": {"type": "user"}, "message": {"text": "x"}}]}
  ]
}"##;

#[test]
fn happyfox_list_with_embedded_updates() {
    let c = happyfox();
    let page = c.parse_list(None, &resp(200, HAPPYFOX_TICKETS)).unwrap();
    let ids: Vec<_> = page
        .tickets
        .iter()
        .map(|t| t.provider_id.as_str())
        .collect();
    assert_eq!(ids, ["88", "90"]);
    let t = &page.tickets[0];
    assert!(t.history_complete);
    assert_eq!(t.status, "In Progress");
    assert_eq!(t.tags, ["vip", "shipping"]);
    assert_eq!(t.requester.phone.as_deref(), Some("+15550102"));
    assert_eq!(t.created_at_unix, 1_772_355_600);
    assert_eq!(t.updated_at_unix, 1_772_355_600 + 86_400 + 7200);
    assert_eq!(
        kinds(&t.messages),
        [Customer, PrivateNote, PublicReply, PublicReply]
    );
    assert_eq!(t.messages[0].author_name.as_deref(), Some("Jo Customer"));
    assert_eq!(t.messages[1].text, "VIP – hurry");
    assert_eq!(t.messages[1].author_email.as_deref(), Some("ann@acme.test"));
    let bare = &page.tickets[1];
    assert!(!bare.history_complete);
    assert_eq!(bare.tags, ["a", "b"]);
    let skipped: Vec<_> = page.skipped.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(skipped, ["91", "92"]);
    assert!(page.skipped[1].reason.contains("update 0"));
    assert_eq!(page.total_estimate, Some(120));
    assert_eq!(page.next, Some(Cursor(CursorState::Page { page: 2 })));
    let last = c
        .parse_list(
            Some(&Cursor(CursorState::Page { page: 3 })),
            &resp(
                200,
                r#"{"page_info":{"count":120,"page_count":3},"data":[]}"#,
            ),
        )
        .unwrap();
    assert_eq!(last.next, None);
}

#[test]
fn happyfox_history_from_the_detail() {
    let c = happyfox();
    let t = ticket_of(HelpdeskProvider::Happyfox, "90", None);
    let detail = r#"{"id": 90, "subject": "No history here", "status": {"id": 1, "name": "New", "behavior": "pending"},
        "user": {"id": 95, "name": "Max", "email": "max@example.org"}, "created_at": "2026-03-03 10:00:00",
        "updates": [{"timestamp": "2026-03-03 10:00:00", "by": {"type": "user", "id": 95},
                     "message": {"html": "<p>Hello</p>"}}]}"#;
    let h = c.parse_history(&t, None, &resp(200, detail)).unwrap();
    assert_eq!(kinds(&h.messages), [Customer]);
    assert_eq!(
        h.messages[0].author_email.as_deref(),
        Some("max@example.org")
    );
    assert_eq!(
        h.requester.unwrap().email.as_deref(),
        Some("max@example.org")
    );
    assert_eq!(h.next, None);
    assert!(matches!(
        c.parse_history(
            &t,
            None,
            &resp(
                200,
                r#"{"id": 90, "status": {}, "created_at": "2026-03-03 10:00:00"}"#
            )
        ),
        Err(ProviderError::Malformed(_))
    ));
    assert_eq!(
        c.parse_history(&t, None, &resp(429, "")),
        Err(ProviderError::RateLimited {
            retry_after_secs: Some(600),
            reset_at_unix: None
        })
    );
}

// ---- Help Scout ------------------------------------------------------------

#[test]
fn helpscout_token_exchange() {
    let c = helpscout();
    assert!(c.needs_token());
    assert!(zendesk().token_request().is_none());
    let req = c.token_request().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.url, "https://api.helpscout.net/v2/oauth2/token");
    assert_eq!(
        header(&req, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header(&req, "authorization"), None);
    assert_eq!(
        String::from_utf8(req.body).unwrap(),
        "grant_type=client_credentials&client_id=hs-id&client_secret=hs-secret"
    );
    let token = c
        .parse_token(&resp(
            200,
            r#"{"token_type":"bearer","access_token":"2C9KDIKjc4","expires_in":172800}"#,
        ))
        .unwrap();
    assert_eq!(token.token, "2C9KDIKjc4");
    assert_eq!(token.expires_in_secs, Some(172_800));
    assert_eq!(
        c.parse_token(&resp(
            401,
            r#"{"error_description":"Invalid client authentication","error":"invalid_client"}"#
        )),
        Err(ProviderError::BadCredentials(
            "invalid_client; Invalid client authentication".into()
        ))
    );
    assert!(matches!(
        c.parse_token(&resp(503, "")),
        Err(ProviderError::Server { status: 503, .. })
    ));
    assert!(matches!(
        c.parse_token(&resp(200, r#"{"token_type":"bearer"}"#)),
        Err(ProviderError::Malformed(_))
    ));
    let c = c.with_access_token(token.token);
    assert!(!c.needs_token());
    let check = c.check_request();
    assert_eq!(check.url, "https://api.helpscout.net/v2/users/me");
    assert_eq!(header(&check, "authorization"), Some("Bearer 2C9KDIKjc4"));
    assert_eq!(
        c.check_response(&resp(
            200,
            r#"{"id":4,"firstName":"Ann","email":"ann@acme.test"}"#
        )),
        Ok(())
    );
}

#[test]
fn helpscout_list_requests() {
    let c = helpscout().with_access_token("tok");
    let first = c.list_request(None);
    assert_eq!(
        first.url,
        "https://api.helpscout.net/v2/conversations?status=active&embed=threads&page=1&sortField=createdAt&sortOrder=asc"
    );
    assert_eq!(header(&first, "authorization"), Some("Bearer tok"));
    let pending = c.list_request(Some(&Cursor(CursorState::Status {
        status: 1,
        page: 2,
        done: 30,
    })));
    assert!(pending.url.contains("status=pending&embed=threads&page=2&"));
    let t = ticket_of(HelpdeskProvider::Helpscout, "55", None);
    assert_eq!(
        c.history_request(&t, None).url,
        "https://api.helpscout.net/v2/conversations/55/threads?page=1"
    );
}

const HELPSCOUT_PAGE: &str = r##"{
  "_embedded": {"conversations": [
    {"id": 55, "number": 349, "threads": 5, "type": "email", "status": "active", "state": "published",
     "subject": "Order 1142 late", "mailboxId": 1, "createdAt": "2026-03-01T09:00:00Z", "userUpdatedAt": "2026-03-02T11:00:00Z",
     "primaryCustomer": {"id": 29418, "type": "customer", "first": "Jo", "last": "Customer", "email": "jo@example.org"},
     "tags": [{"id": 1, "color": "#929499", "tag": "vip"}],
     "_embedded": {"threads": [
       {"id": 6, "type": "message", "state": "draft", "body": "<p>Unsent</p>", "createdAt": "2026-03-01T09:40:00Z",
        "createdBy": {"id": 4, "type": "user", "first": "Ann", "last": "Agent", "email": "ann@acme.test"}},
       {"id": 5, "type": "lineitem", "state": "published", "action": {"text": "Assigned to Ann"},
        "createdAt": "2026-03-01T09:30:00Z", "createdBy": {"id": 4, "type": "user"}},
       {"id": 4, "type": "customer", "state": "published", "body": "Thanks!", "createdAt": "2026-03-01T09:20:00Z",
        "createdBy": {"id": 29418, "type": "customer", "first": "Jo", "last": "Customer", "email": "jo@example.org"}},
       {"id": 3, "type": "message", "state": "published", "body": "<p>It ships today.</p>", "createdAt": "2026-03-01T09:10:00Z",
        "createdBy": {"id": 4, "type": "user", "first": "Ann", "last": "Agent", "email": "ann@acme.test"}},
       {"id": 2, "type": "note", "state": "published", "body": "<p>VIP</p>", "createdAt": "2026-03-01T09:05:00Z",
        "createdBy": {"id": 4, "type": "user", "first": "Ann", "last": "Agent"}},
       {"id": 1, "type": "customer", "state": "published", "body": "<div>Where is my order?</div>",
        "source": {"type": "email", "via": "customer"}, "createdAt": "2026-03-01T09:00:00Z",
        "createdBy": {"id": 29418, "type": "customer", "email": "jo@example.org"}}
     ]}},
    {"id": 56, "status": "closed", "createdAt": "2026-03-01T09:00:00Z", "_embedded": {"threads": []}},
    {"id": 57, "status": "active", "subject": "Chat", "createdAt": "2026-03-02T09:00:00Z",
     "primaryCustomer": {"id": 1, "email": "max@example.org"}},
    {"id": 58, "status": "active", "createdAt": "2026-03-02T09:00:00Z",
     "_embedded": {"threads": [{"id": 9, "type": "customer", "body": "x", "createdAt": "never"}]}}
  ]},
  "_links": {"self": {"href": "https://api.helpscout.net/v2/conversations?page=1"},
             "next": {"href": "https://api.helpscout.net/v2/conversations?page=2"},
             "last": {"href": "https://api.helpscout.net/v2/conversations?page=2"}},
  "page": {"size": 25, "totalElements": 30, "totalPages": 2, "number": 1}
}"##;

#[test]
fn helpscout_list_with_embedded_threads() {
    let c = helpscout().with_access_token("tok");
    let page = c.parse_list(None, &resp(200, HELPSCOUT_PAGE)).unwrap();
    let ids: Vec<_> = page
        .tickets
        .iter()
        .map(|t| t.provider_id.as_str())
        .collect();
    assert_eq!(ids, ["55", "57"]);
    let t = &page.tickets[0];
    assert!(t.history_complete);
    assert_eq!(t.requester.name.as_deref(), Some("Jo Customer"));
    assert_eq!(t.tags, ["vip"]);
    assert_eq!(t.updated_at_unix, 1_772_355_600 + 86_400 + 7200);
    // Threads come newest first; a ticket keeps its messages oldest first.
    assert_eq!(
        kinds(&t.messages),
        [Customer, PrivateNote, PublicReply, Customer]
    );
    assert_eq!(t.messages[0].text, "Where is my order?");
    assert_eq!(t.messages[2].author_name.as_deref(), Some("Ann Agent"));
    assert!(!page.tickets[1].history_complete);
    assert_eq!(page.skipped.len(), 1);
    assert_eq!(page.skipped[0].id, "58");
    assert!(page.skipped[0].reason.contains("thread 0"));
    assert_eq!(page.total_estimate, Some(30));
    let next = page.next.unwrap();
    assert_eq!(
        next,
        Cursor(CursorState::Status {
            status: 0,
            page: 2,
            done: 0
        })
    );
    // The last active page moves on to pending, counting what it walked.
    let last_active = r#"{"_embedded":{"conversations":[]},"_links":{"self":{"href":"x"}},
        "page":{"size":25,"totalElements":30,"totalPages":2,"number":2}}"#;
    let p = c.parse_list(Some(&next), &resp(200, last_active)).unwrap();
    let pending = p.next.unwrap();
    assert_eq!(
        pending,
        Cursor(CursorState::Status {
            status: 1,
            page: 1,
            done: 30
        })
    );
    let empty_pending = r#"{"_links":{"self":{"href":"x"}},"page":{"size":25,"totalElements":4,"totalPages":1,"number":1}}"#;
    let p = c
        .parse_list(Some(&pending), &resp(200, empty_pending))
        .unwrap();
    assert_eq!(p.next, None);
    assert_eq!(p.total_estimate, Some(34));
}

#[test]
fn helpscout_thread_pages() {
    let c = helpscout().with_access_token("tok");
    let t = ticket_of(HelpdeskProvider::Helpscout, "57", None);
    let body = r#"{"_embedded":{"threads":[
        {"id": 2, "type": "chat", "state": "published", "body": "<p>Hi from support</p>", "createdAt": "2026-03-02T09:01:00Z",
         "createdBy": {"id": 4, "type": "user", "first": "Ann"}},
        {"id": 1, "type": "chat", "state": "published", "body": "<p>Hello?</p>", "createdAt": "2026-03-02T09:00:00Z",
         "createdBy": {"id": 1, "type": "customer", "email": "max@example.org"}},
        {"id": 0, "type": "forwardparent", "body": "<p>Forwarded to billing</p>", "createdAt": "2026-03-02T09:02:00Z",
         "createdBy": {"id": 4, "type": "user"}}]},
      "_links":{"next":{"href":"https://api.helpscout.net/v2/conversations/57/threads?page=2"}},
      "page":{"size":25,"totalElements":30,"totalPages":2,"number":1}}"#;
    let h = c.parse_history(&t, None, &resp(200, body)).unwrap();
    assert_eq!(kinds(&h.messages), [PublicReply, Customer, PrivateNote]);
    assert_eq!(h.next, Some(Cursor(CursorState::Page { page: 2 })));
    assert!(
        c.history_request(&t, h.next.as_ref())
            .url
            .ends_with("/threads?page=2")
    );
    let h = c
        .parse_history(
            &t,
            Some(&Cursor(CursorState::Page { page: 2 })),
            &resp(200, r#"{"_embedded":{"threads":[]},"page":{"number":2}}"#),
        )
        .unwrap();
    assert_eq!(h.next, None);
    assert!(matches!(
        c.parse_history(&t, None, &resp(200, r#"{"threads":[]}"#)),
        Err(ProviderError::Malformed(_))
    ));
}

#[test]
fn stored_cursors_with_extreme_values_do_not_panic() {
    let stored = [
        r#"{"k":"page","page":4294967295}"#,
        r#"{"k":"page","page":0}"#,
        r#"{"k":"status","status":255,"page":4294967295,"done":18446744073709551615}"#,
        r#"{"k":"windows","windows":[{"lo":-9223372036854775808,"hi":9223372036854775807}],"page":4294967295,"total":null}"#,
        r#"{"k":"windows","windows":[],"page":1,"total":1}"#,
        r#"{"k":"after","after":""}"#,
    ];
    let full_page = resp_h(
        200,
        &[("link", "<x>; rel=\"next\"")],
        r#"{"results":[],"total":999,"data":[{"id":1}],"page_info":{"page_count":4294967295},
            "_embedded":{"conversations":[{"id":1}],"threads":[]},"_links":{"next":{"href":"x"}},
            "page":{"totalElements":18446744073709551615}}"#,
    );
    for s in stored {
        let cursor = Cursor::decode(s).unwrap_or_else(|| panic!("{s}"));
        for c in [
            zendesk(),
            intercom(),
            freshdesk(),
            happyfox(),
            helpscout().with_access_token("t"),
        ] {
            let _ = c.list_request(Some(&cursor));
            let _ = c.parse_list(Some(&cursor), &full_page);
            let t = ticket_of(c.provider(), "1", None);
            let _ = c.history_request(&t, Some(&cursor));
            let _ = c.parse_history(&t, Some(&cursor), &full_page);
        }
    }
}
