//! baton-providers' help-desk request builders and parsers driven against
//! the fake help desks over real HTTP, without the wasm component: every
//! page walked to the end with exact counts, a rerun importing nothing, a
//! ticket changing between runs, bad credentials, missing permission, a
//! 429 mid-run then resuming, a 5xx retried, a malformed ticket skipped
//! and reported without stopping the batch.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

use baton_e2e::fakes::helpdesk::{FakeHelpdesk, FakeKind, FakeTicket, Provider, creds};
use baton_e2e::now_secs;
use baton_providers::helpdesk::{Client, Credentials, Cursor, MessageKind, ProviderError, Ticket};
use baton_providers::http::{HttpRequest, HttpResponse};

/// Sends a request the way a component's outbound HTTP would; any status
/// comes back as a response.
fn send(req: &HttpRequest) -> HttpResponse {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    let agent = AGENT.get_or_init(|| {
        ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(30))
            .redirects(0)
            .build()
    });
    let mut r = agent.request(req.method, &req.url);
    for (k, v) in &req.headers {
        r = r.set(k, v);
    }
    let result = if req.body.is_empty() && req.method == "GET" {
        r.call()
    } else {
        r.send_bytes(&req.body)
    };
    let resp = match result {
        Ok(resp) => resp,
        Err(ureq::Error::Status(_, resp)) => resp,
        Err(e) => panic!("{} {}: {e}", req.method, req.url),
    };
    let headers = resp
        .headers_names()
        .into_iter()
        .filter_map(|n| {
            resp.header(&n)
                .map(|v| (n.to_ascii_lowercase(), v.to_string()))
        })
        .collect();
    let status = resp.status();
    let mut body = Vec::new();
    resp.into_reader()
        .read_to_end(&mut body)
        .expect("read the body");
    HttpResponse {
        status,
        headers,
        body,
    }
}

fn credentials(provider: Provider, good: bool) -> Credentials {
    let wrong = |s: &str| {
        if good {
            s.to_string()
        } else {
            format!("{s}-wrong")
        }
    };
    match provider {
        Provider::Zendesk => Credentials::Zendesk {
            subdomain: creds::ZENDESK_SUBDOMAIN.into(),
            email: creds::ZENDESK_EMAIL.into(),
            api_token: wrong(creds::ZENDESK_API_TOKEN),
        },
        Provider::Intercom => Credentials::Intercom {
            access_token: wrong(creds::INTERCOM_ACCESS_TOKEN),
        },
        Provider::Freshdesk => Credentials::Freshdesk {
            domain: creds::FRESHDESK_DOMAIN.into(),
            api_key: wrong(creds::FRESHDESK_API_KEY),
        },
        Provider::Happyfox => Credentials::Happyfox {
            subdomain: creds::HAPPYFOX_SUBDOMAIN.into(),
            api_key: creds::HAPPYFOX_API_KEY.into(),
            auth_code: wrong(creds::HAPPYFOX_AUTH_CODE),
        },
        Provider::Helpscout => Credentials::Helpscout {
            client_id: creds::HELPSCOUT_CLIENT_ID.into(),
            client_secret: wrong(creds::HELPSCOUT_CLIENT_SECRET),
        },
    }
}

/// A client pointed at the fake, with a token where the provider needs one.
fn connect(fake: &FakeHelpdesk, good: bool) -> Result<Client, ProviderError> {
    let c = Client::new(credentials(fake.provider(), good))
        .expect("valid credentials")
        .with_origin(&fake.origin());
    if !c.needs_token() {
        return Ok(c);
    }
    let req = c.token_request().expect("a token request");
    let token = c.parse_token(&send(&req))?;
    Ok(c.with_access_token(token.token))
}

/// What an import run did, as the importer keeps it: tickets by provider
/// id (already imported ones are skipped), skipped tickets with reasons.
#[derive(Default)]
struct Import {
    tickets: BTreeMap<String, Ticket>,
    skipped: BTreeMap<String, String>,
    /// Listed tickets that were already imported.
    duplicates: usize,
    list_requests: usize,
    history_requests: usize,
    last_total: Option<u64>,
}

#[derive(Debug)]
struct Stopped {
    error: ProviderError,
    /// The list cursor to resume from (the page that was not finished).
    resume: Option<Cursor>,
}

/// Walks the list from `from` to the end, completing every new ticket's
/// history; stops at the first provider error, like an import run.
fn walk(c: &Client, from: Option<Cursor>, import: &mut Import) -> Result<(), Stopped> {
    let mut cursor = from;
    loop {
        let resp = send(&c.list_request(cursor.as_ref()));
        import.list_requests += 1;
        let page = c
            .parse_list(cursor.as_ref(), &resp)
            .map_err(|error| Stopped {
                error,
                resume: cursor.clone(),
            })?;
        if page.total_estimate.is_some() {
            import.last_total = page.total_estimate;
        }
        assert_eq!(page.unreachable, 0);
        for s in page.skipped {
            import.skipped.insert(s.id, s.reason);
        }
        'tickets: for mut t in page.tickets {
            if import.tickets.contains_key(&t.provider_id) {
                import.duplicates += 1;
                continue;
            }
            let mut h: Option<Cursor> = None;
            while !t.history_complete {
                let resp = send(&c.history_request(&t, h.as_ref()));
                import.history_requests += 1;
                match c.parse_history(&t, h.as_ref(), &resp) {
                    Ok(page) => h = t.absorb(page),
                    Err(ProviderError::Malformed(why)) => {
                        import.skipped.insert(t.provider_id.clone(), why);
                        continue 'tickets;
                    }
                    Err(error) => {
                        return Err(Stopped {
                            error,
                            resume: cursor.clone(),
                        });
                    }
                }
            }
            import.tickets.insert(t.provider_id.clone(), t);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}

fn kind(k: FakeKind) -> MessageKind {
    match k {
        FakeKind::Customer => MessageKind::Customer,
        FakeKind::PublicReply => MessageKind::PublicReply,
        FakeKind::PrivateNote => MessageKind::PrivateNote,
    }
}

/// The imported ticket says exactly what the help desk holds.
fn assert_same(want: &FakeTicket, got: &Ticket) {
    let id = want.id;
    assert_eq!(got.subject, want.subject, "ticket {id}");
    assert_eq!(got.created_at_unix, want.created_at, "ticket {id}");
    assert_eq!(got.updated_at_unix, want.updated_at, "ticket {id}");
    assert_eq!(got.tags, want.tags, "ticket {id}");
    assert!(got.history_complete, "ticket {id}");
    let requester = &want.requester;
    assert_eq!(
        got.requester.email.as_deref(),
        Some(requester.email.as_str()),
        "ticket {id}"
    );
    assert_eq!(
        got.requester.name.as_deref(),
        Some(requester.name().as_str()),
        "ticket {id}"
    );
    let got_messages: Vec<(MessageKind, &str, i64)> = got
        .messages
        .iter()
        .map(|m| (m.kind, m.text.as_str(), m.created_at_unix))
        .collect();
    let want_messages: Vec<(MessageKind, &str, i64)> = want
        .messages
        .iter()
        .map(|m| (kind(m.kind), m.text.as_str(), m.created_at))
        .collect();
    assert_eq!(got_messages, want_messages, "ticket {id}");
    for m in got
        .messages
        .iter()
        .filter(|m| m.kind == MessageKind::Customer)
    {
        assert_eq!(
            m.author_email.as_deref(),
            Some(requester.email.as_str()),
            "ticket {id}"
        );
    }
}

fn open_by_id(fake: &FakeHelpdesk) -> BTreeMap<String, FakeTicket> {
    fake.open_tickets()
        .into_iter()
        .map(|t| (t.id.to_string(), t))
        .collect()
}

fn exercise(provider: Provider, seeded: usize) {
    let fake = FakeHelpdesk::start(provider, seeded);
    let open = open_by_id(&fake);
    assert!(open.len() > 100 && open.len() < seeded, "{}", open.len());

    // Credentials: the one cheap check, then wrong ones, then no permission.
    let c = connect(&fake, true).expect("token");
    assert_eq!(c.check_response(&send(&c.check_request())), Ok(()));
    match connect(&fake, false) {
        Err(e) => {
            assert_eq!(provider, Provider::Helpscout);
            assert!(matches!(e, ProviderError::BadCredentials(_)), "{e:?}");
            let forged = c.clone().with_access_token("forged");
            let e = forged
                .check_response(&send(&forged.check_request()))
                .unwrap_err();
            assert!(matches!(e, ProviderError::BadCredentials(_)), "{e:?}");
        }
        Ok(bad) => {
            let e = bad.check_response(&send(&bad.check_request())).unwrap_err();
            assert!(
                matches!(e, ProviderError::BadCredentials(ref m) if !m.is_empty()),
                "{e:?}"
            );
            let e = bad
                .parse_list(None, &send(&bad.list_request(None)))
                .unwrap_err();
            assert!(matches!(e, ProviderError::BadCredentials(_)), "{e:?}");
        }
    }
    fake.forbid(true);
    let e = c.check_response(&send(&c.check_request())).unwrap_err();
    assert!(matches!(e, ProviderError::MissingPermission(_)), "{e:?}");
    fake.forbid(false);

    // A whole import: every open ticket once, exactly as the help desk has it.
    fake.clear_requests();
    let mut first = Import::default();
    walk(&c, None, &mut first).unwrap_or_else(|s| panic!("{provider:?}: {s:?}"));
    assert_eq!(
        first.duplicates, 0,
        "{provider:?}: a ticket was listed twice"
    );
    assert!(first.skipped.is_empty(), "{:?}", first.skipped);
    assert_eq!(
        first.tickets.keys().collect::<Vec<_>>(),
        open.keys().collect::<Vec<_>>()
    );
    for (id, t) in &first.tickets {
        assert_same(&open[id], t);
    }
    assert!(
        first.list_requests >= 2,
        "{provider:?} walked several pages"
    );
    // Histories: separate calls (and pages of them) where the API needs them.
    let n = first.tickets.len();
    match provider {
        Provider::Zendesk => assert!(first.history_requests > n),
        Provider::Intercom => assert_eq!(first.history_requests, n),
        Provider::Freshdesk => assert!(first.history_requests > 2 * n),
        Provider::Happyfox | Provider::Helpscout => assert_eq!(first.history_requests, 0),
    }
    let requests = fake.requests();
    assert!(
        requests.iter().all(|r| r.status == 200),
        "{:?}",
        requests
            .iter()
            .filter(|r| r.status != 200)
            .map(|r| (&r.request.target, r.status))
            .collect::<Vec<_>>()
    );
    assert_eq!(requests.len(), first.list_requests + first.history_requests);
    if provider == Provider::Freshdesk {
        assert!(open.len() > 300, "past one search's reach");
        assert!(requests.iter().any(|r| {
            r.request
                .param("query")
                .is_some_and(|q| q.contains("created_at:<"))
        }));
    }
    match c.count_request() {
        Some(req) => assert_eq!(c.parse_count(&send(&req)), Ok(open.len() as u64)),
        None => assert_eq!(first.last_total, Some(open.len() as u64)),
    }

    // Running again imports nothing and reads no history.
    let mut rerun = Import {
        tickets: first.tickets.clone(),
        ..Import::default()
    };
    walk(&c, None, &mut rerun).unwrap_or_else(|s| panic!("{s:?}"));
    assert_eq!(rerun.duplicates, open.len());
    assert_eq!(rerun.history_requests, 0);
    assert_eq!(rerun.tickets.len(), open.len());

    // A ticket that changes between runs comes with its new message.
    let changed = open.keys().nth(10).expect("an open ticket").clone();
    let text = fake
        .add_message(changed.parse().expect("numeric id"), FakeKind::Customer)
        .expect("the ticket exists");
    let mut after_change = Import::default();
    walk(&c, None, &mut after_change).unwrap_or_else(|s| panic!("{s:?}"));
    assert_eq!(after_change.tickets.len(), open.len());
    let before = &first.tickets[&changed];
    let now = &after_change.tickets[&changed];
    assert_eq!(now.messages.len(), before.messages.len() + 1);
    assert_eq!(
        now.messages.last().map(|m| m.text.as_str()),
        Some(text.as_str())
    );
    assert!(now.updated_at_unix > before.updated_at_unix);

    // 429 in the middle of a run: stop, report the wait, resume later.
    fake.rate_limit_nth(3, 7);
    let mut limited = Import::default();
    let stopped = walk(&c, None, &mut limited).expect_err("a 429");
    assert!(
        matches!(stopped.error, ProviderError::RateLimited { .. }),
        "{stopped:?}"
    );
    let wait = stopped.error.wait_secs(now_secs()).expect("a wait");
    if provider == Provider::Happyfox {
        assert_eq!(wait, 600, "HappyFox locks out for ten minutes");
    } else {
        assert!((5..=8).contains(&wait), "{provider:?} wait {wait}");
    }
    assert!(limited.tickets.len() < open.len());
    walk(&c, stopped.resume, &mut limited).unwrap_or_else(|s| panic!("{s:?}"));
    assert_eq!(limited.tickets.len(), open.len());
    assert!(limited.tickets.keys().eq(open.keys()));

    // A 5xx once: retryable, and a retry carries on.
    fake.fail_nth(3, 503);
    let mut flaky = Import::default();
    let stopped = walk(&c, None, &mut flaky).expect_err("a 503");
    assert!(stopped.error.is_retryable(), "{stopped:?}");
    assert!(matches!(
        stopped.error,
        ProviderError::Server { status: 503, .. }
    ));
    walk(&c, stopped.resume, &mut flaky).unwrap_or_else(|s| panic!("{s:?}"));
    assert!(flaky.tickets.keys().eq(open.keys()));

    // One malformed ticket is skipped and reported; the rest still import.
    let broken = open.keys().nth(3).expect("an open ticket").clone();
    fake.malform(broken.parse().expect("numeric id"));
    let mut partial = Import::default();
    walk(&c, None, &mut partial).unwrap_or_else(|s| panic!("{s:?}"));
    assert_eq!(partial.skipped.keys().collect::<Vec<_>>(), [&broken]);
    assert!(
        partial.skipped[&broken].contains("created"),
        "{:?}",
        partial.skipped
    );
    assert_eq!(partial.tickets.len(), open.len() - 1);
    assert!(!partial.tickets.contains_key(&broken));

    // A closed ticket is never imported; reopening it brings it in.
    let closed = fake
        .tickets()
        .into_iter()
        .find(|t| !t.open)
        .expect("a closed ticket");
    fake.set_open(closed.id, true);
    let mut reopened = Import {
        tickets: partial.tickets.clone(),
        ..Import::default()
    };
    walk(&c, None, &mut reopened).unwrap_or_else(|s| panic!("{s:?}"));
    assert!(reopened.tickets.contains_key(&closed.id.to_string()));
}

#[test]
fn zendesk_end_to_end() {
    exercise(Provider::Zendesk, 240);
}

#[test]
fn intercom_end_to_end() {
    exercise(Provider::Intercom, 240);
}

#[test]
fn freshdesk_end_to_end_past_the_search_cap() {
    // More than 300 open tickets: the walk must split the search by date.
    exercise(Provider::Freshdesk, 520);
}

#[test]
fn happyfox_end_to_end() {
    exercise(Provider::Happyfox, 240);
}

#[test]
fn helpscout_end_to_end() {
    exercise(Provider::Helpscout, 240);
}

#[test]
fn helpscout_expired_token_is_bad_credentials_until_exchanged_again() {
    let fake = FakeHelpdesk::start(Provider::Helpscout, 30);
    let c = connect(&fake, true).expect("token");
    fake.expire_tokens();
    let e = c
        .parse_list(None, &send(&c.list_request(None)))
        .unwrap_err();
    assert!(matches!(e, ProviderError::BadCredentials(_)), "{e:?}");
    let c = connect(&fake, true).expect("a new token");
    assert!(c.parse_list(None, &send(&c.list_request(None))).is_ok());
}

#[test]
fn fakes_refuse_page_sizes_past_the_documented_caps() {
    let cases: [(Provider, &str); 4] = [
        (
            Provider::Zendesk,
            "/api/v2/search/export?query=status%3Csolved&filter%5Btype%5D=ticket&page%5Bsize%5D=1001",
        ),
        (
            Provider::Freshdesk,
            "/api/v2/search/tickets?query=%22status%3A2%22&page=11",
        ),
        (Provider::Happyfox, "/api/1.1/json/tickets/?size=51"),
        (
            Provider::Zendesk,
            "/api/v2/search/export?query=status%3Csolved",
        ),
    ];
    for (provider, path) in cases {
        let fake = FakeHelpdesk::start(provider, 20);
        let c = connect(&fake, true).expect("client");
        // Borrow the client's auth on a hand-made URL.
        let mut req = c.check_request();
        req.url = format!("{}{path}", fake.origin());
        assert_eq!(send(&req).status, 400, "{provider:?} {path}");
    }
    // Intercom: per_page over 150.
    let fake = FakeHelpdesk::start(Provider::Intercom, 20);
    let c = connect(&fake, true).expect("client");
    let mut req = c.list_request(None);
    req.body = br#"{"query":{"field":"state","operator":"=","value":"open"},"pagination":{"per_page":151}}"#.to_vec();
    assert_eq!(send(&req).status, 400);
}

#[test]
fn fake_server_speaks_http_1_1() {
    use std::io::Write;
    use std::net::TcpStream;
    let fake = FakeHelpdesk::start(Provider::Intercom, 5);
    let mut s = TcpStream::connect(("127.0.0.1", fake.port())).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    // A chunked POST and a second request on the same connection.
    let body = br#"{"query":{"field":"state","operator":"IN","value":["open","snoozed"]}}"#;
    let (a, b) = body.split_at(20);
    let mut raw = format!(
        "POST /conversations/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        creds::INTERCOM_ACCESS_TOKEN
    )
    .into_bytes();
    raw.extend_from_slice(format!("{:x}\r\n", a.len()).as_bytes());
    raw.extend_from_slice(a);
    raw.extend_from_slice(format!("\r\n{:x};ext=1\r\n", b.len()).as_bytes());
    raw.extend_from_slice(b);
    raw.extend_from_slice(b"\r\n0\r\n\r\n");
    raw.extend_from_slice(
        format!(
            "GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            creds::INTERCOM_ACCESS_TOKEN
        )
        .as_bytes(),
    );
    s.write_all(&raw).expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read until close");
    let statuses: Vec<&str> = out
        .match_indices("HTTP/1.1 ")
        .map(|(i, _)| &out[i + 9..i + 12])
        .collect();
    assert_eq!(statuses, ["200", "200"], "{out}");
    assert!(out.contains("\"conversation.list\""));
    assert!(out.contains("\"type\":\"admin\""));
    let recorded = fake.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].request.body, body.to_vec());
}
