//! The agent workspace API (docs/workspace.md), end to end under the runner
//! with Baton's own spin.toml: list filters and sorts with their counts,
//! keyset pagination while Assists arrive, versions and If-Match, per-member
//! read state, drafts, close and reopen, who may do what, and bad input.
//! Assists are created the way chat widgets create them: `POST
//! /v1/escalations` with a bot key (docs/escalation.md).

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use baton_e2e::*;
use serde_json::{Value, json};

const OWNER_NAME: &str = "Olivia Owner";
const OWNER_EMAIL: &str = "olivia@example.com";
const OWNER_PASSWORD: &str = "violet-anchor-47-tundra";
const MEMBER_PASSWORD: &str = "maple-quartz-19-harbor";

const SHOP: &str = "https://shop.example.com";

/// A well-formed id (ULID layout) that no Assist has.
const MISSING_ID: &str = "01ZZZZZZZZZZZZZZZZZZZZZZZZ";

// ---------------------------------------------------------------------------
// HTTP helpers

/// A request with an optional raw body, bearer token and `If-Match` version.
fn send(
    runner: &Runner,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
    if_match: Option<i64>,
) -> Reply {
    let version = if_match.map(|v| format!("\"{v}\""));
    let extra: Vec<(&str, &str)> = version
        .as_deref()
        .map(|v| ("if-match", v))
        .into_iter()
        .collect();
    send_as(runner, method, path, body, token, &extra)
}

/// Asserts a JSON success (200 or 201) and returns the body.
fn expect_ok(r: &Reply) -> Value {
    assert!(matches!(r.status, 200 | 201), "{}", describe(r));
    assert_eq!(r.content_type, "application/json", "{}", describe(r));
    r.json()
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Joins two query strings (either may be empty).
fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}&{b}"),
    }
}

// ---------------------------------------------------------------------------
// Team and bot

struct Member {
    token: String,
    user: Value,
}

impl Member {
    fn id(&self) -> String {
        id_of(&self.user)
    }
}

struct Bot {
    id: String,
    key: String,
}

/// A runner whose escalation rate limit does not interfere.
fn start(tag: &str) -> Runner {
    RunnerOptions::new("spin.toml", tag)
        .variable("escalation_rate_limit_per_minute", "100000")
        .variable("encryption_key", "workspace-tests-key-0123456789abcdef")
        .start()
}

/// The bot's view of a customer, through a customer token its server
/// minted with an API credential (here the owner's session).
fn bot_context(runner: &Runner, owner: &str, bot: &Bot, email: &str) -> Value {
    let r = call(
        runner,
        "POST",
        &format!("/v1/bots/{}/customer-tokens", bot.id),
        Some(&json!({"email": email})),
        Some(owner),
    );
    let token = expect_json(&r, 201)["customer_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = call(
        runner,
        "GET",
        &format!("/v1/customers/context?customer_token={}", enc(&token)),
        None,
        Some(&bot.key),
    );
    expect_json(&r, 200)
}

fn setup_owner(runner: &Runner) -> Member {
    let r = call(
        runner,
        "POST",
        "/v1/setup",
        Some(&json!({"name": OWNER_NAME, "email": OWNER_EMAIL, "password": OWNER_PASSWORD})),
        None,
    );
    let body = expect_json(&r, 201);
    let token = body["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {body}"))
        .to_string();
    assert_eq!(body["user"]["role"], "owner", "{body}");
    Member {
        token,
        user: body["user"].clone(),
    }
}

/// Invites and accepts a member with `role`, returning their session.
fn add_member(runner: &Runner, by: &Member, name: &str, role: &str) -> Member {
    let email = format!(
        "{}@example.com",
        unique(&name.to_lowercase().replace(' ', "."))
    );
    let r = call(
        runner,
        "POST",
        "/v1/team/invitations",
        Some(&json!({"email": email, "name": name, "role": role})),
        Some(&by.token),
    );
    let inv = expect_json(&r, 201);
    let invitation = inv["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no invitation token: {inv}"));
    let r = call(
        runner,
        "POST",
        &format!("/v1/invitations/{invitation}/accept"),
        Some(&json!({"password": MEMBER_PASSWORD})),
        None,
    );
    let body = expect_json(&r, 201);
    assert_eq!(body["user"]["role"], role, "{body}");
    Member {
        token: body["token"].as_str().unwrap().to_string(),
        user: body["user"].clone(),
    }
}

fn create_bot(runner: &Runner, owner: &Member) -> Bot {
    let r = call(
        runner,
        "POST",
        "/v1/bots",
        Some(&json!({"name": "Shop chat", "allowed_origins": [SHOP]})),
        Some(&owner.token),
    );
    let body = expect_json(&r, 201);
    let key = body["public_key"]
        .as_str()
        .unwrap_or_else(|| panic!("no public_key: {body}"))
        .to_string();
    Bot {
        id: body["id"].as_str().unwrap().to_string(),
        key,
    }
}

/// A runner with an owner and a bot.
fn world(tag: &str) -> (Runner, Member, Bot) {
    let runner = start(tag);
    let owner = setup_owner(&runner);
    let bot = create_bot(&runner, &owner);
    (runner, owner, bot)
}

// ---------------------------------------------------------------------------
// Assists through the escalation API

fn customer_says(text: &str) -> Value {
    json!({"role": "customer", "text": text})
}

fn assistant_says(text: &str) -> Value {
    json!({"role": "assistant", "text": text})
}

/// A chat that ends with a request for a person.
fn chat(name: &str, story: &str) -> Vec<Value> {
    vec![
        customer_says(&format!("Hi, I'm {name}. {story}")),
        assistant_says("I'm sorry to hear that. Let me see what I can do for you."),
        customer_says("Can I talk to a real person about this please?"),
    ]
}

fn escalate(
    runner: &Runner,
    bot: &Bot,
    session_id: &str,
    name: &str,
    email: &str,
    channel: &str,
    messages: &[Value],
) -> Reply {
    call(
        runner,
        "POST",
        "/v1/escalations",
        Some(&json!({
            "session_id": session_id,
            "messages": messages,
            "customer": {"name": name, "email": email},
            "confirmed": true,
            "channel": channel,
        })),
        Some(&bot.key),
    )
}

struct Created {
    id: String,
    reference: String,
}

/// Creates an Assist and returns its id and reference.
fn new_assist(
    runner: &Runner,
    bot: &Bot,
    session_id: &str,
    name: &str,
    email: &str,
    channel: &str,
    messages: &[Value],
) -> Created {
    let r = escalate(runner, bot, session_id, name, email, channel, messages);
    let body = expect_json(&r, 201);
    assert_eq!(body["status"], "open", "{body}");
    Created {
        id: body["assist_id"]
            .as_str()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| panic!("no assist_id: {body}"))
            .to_string(),
        reference: body["reference"]
            .as_str()
            .unwrap_or_else(|| panic!("no reference: {body}"))
            .to_string(),
    }
}

/// A simple Assist for a unique customer.
fn simple_assist(runner: &Runner, bot: &Bot, channel: &str) -> String {
    let n = unique("");
    new_assist(
        runner,
        bot,
        &format!("chat-{n}"),
        &format!("Pat Customer{n}"),
        &format!("pat{n}@example.org"),
        channel,
        &chat(
            &format!("Pat Customer{n}"),
            "My order never arrived and the tracking page is blank.",
        ),
    )
    .id
}

// ---------------------------------------------------------------------------
// Workspace helpers

fn assist_path(id: &str) -> String {
    format!("/v1/assists/{id}")
}

fn list_path(query: &str) -> String {
    if query.is_empty() {
        "/v1/assists".to_string()
    } else {
        format!("/v1/assists?{query}")
    }
}

fn counts_path(query: &str) -> String {
    if query.is_empty() {
        "/v1/assists/counts".to_string()
    } else {
        format!("/v1/assists/counts?{query}")
    }
}

fn list(runner: &Runner, token: &str, query: &str) -> Value {
    let r = call(runner, "GET", &list_path(query), None, Some(token));
    let body = expect_json(&r, 200);
    assert!(body["assists"].is_array(), "{body}");
    assert!(
        body["next_cursor"].is_null() || body["next_cursor"].is_string(),
        "{body}"
    );
    body
}

fn ids_of(body: &Value) -> Vec<String> {
    body["assists"]
        .as_array()
        .unwrap_or_else(|| panic!("no assists array: {body}"))
        .iter()
        .map(id_of)
        .collect()
}

fn list_ids(runner: &Runner, token: &str, query: &str) -> Vec<String> {
    ids_of(&list(runner, token, query))
}

fn counts(runner: &Runner, token: &str, query: &str) -> Value {
    let r = call(runner, "GET", &counts_path(query), None, Some(token));
    let body = expect_json(&r, 200);
    body["counts"].clone()
}

/// GET /v1/assists/{id}, checking the ETag against `version`.
fn detail(runner: &Runner, token: &str, id: &str) -> Value {
    let r = call(runner, "GET", &assist_path(id), None, Some(token));
    let body = expect_json(&r, 200);
    let version = body["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("no numeric version: {body}"));
    let etag = r
        .get_header("etag")
        .unwrap_or_else(|| panic!("detail without ETag: {}", describe(&r)));
    assert_eq!(etag, format!("\"{version}\""), "{}", describe(&r));
    body
}

fn version(d: &Value) -> i64 {
    d["version"].as_i64().unwrap()
}

fn event_kinds(d: &Value) -> Vec<String> {
    d["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no events array: {d}"))
        .iter()
        .map(|e| {
            e["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("event without a kind: {e}"))
                .to_string()
        })
        .collect()
}

/// Asserts an event names its actor (containing `actor_id`) and a time.
fn assert_event(e: &Value, kind: &str, actor_id: &str) {
    assert_eq!(e["kind"], kind, "{e}");
    assert!(
        e["actor"].to_string().contains(actor_id),
        "event actor does not name {actor_id}: {e}"
    );
    let time = ["at", "created_at", "time"]
        .iter()
        .map(|k| &e[*k])
        .find(|v| v.is_string())
        .unwrap_or_else(|| panic!("event without a time: {e}"));
    let t = parse_time(time);
    assert!(
        (now_secs() - t).abs() < 300,
        "event time {t} is not now: {e}"
    );
}

fn patch(runner: &Runner, token: &str, id: &str, body: &Value, if_match: Option<i64>) -> Reply {
    send(
        runner,
        "PATCH",
        &assist_path(id),
        Some(&body.to_string()),
        Some(token),
        if_match,
    )
}

/// PATCH with the current version as `If-Match`; asserts 200.
fn patch_now(runner: &Runner, token: &str, id: &str, body: &Value) {
    let v = version(&detail(runner, token, id));
    let r = patch(runner, token, id, body, Some(v));
    expect_json(&r, 200);
}

/// POST /v1/assists/{id}/{action} with a JSON body.
fn act(runner: &Runner, token: &str, id: &str, action: &str, body: &Value) -> Reply {
    call(
        runner,
        "POST",
        &format!("/v1/assists/{id}/{action}"),
        Some(body),
        Some(token),
    )
}

fn close_with(
    runner: &Runner,
    token: &str,
    id: &str,
    resolution: &str,
    if_match: Option<i64>,
) -> Reply {
    send(
        runner,
        "POST",
        &format!("/v1/assists/{id}/close"),
        Some(&json!({"resolution": resolution}).to_string()),
        Some(token),
        if_match,
    )
}

fn reopen_with(runner: &Runner, token: &str, id: &str, if_match: Option<i64>) -> Reply {
    send(
        runner,
        "POST",
        &format!("/v1/assists/{id}/reopen"),
        None,
        Some(token),
        if_match,
    )
}

fn note(runner: &Runner, token: &str, id: &str, text: &str) -> Reply {
    act(runner, token, id, "notes", &json!({"text": text}))
}

fn unread(runner: &Runner, token: &str, id: &str) -> bool {
    let d = detail(runner, token, id);
    d["unread"]
        .as_bool()
        .unwrap_or_else(|| panic!("unread is not a boolean: {d}"))
}

/// The `unread` of `id` in the caller's list.
fn listed_unread(runner: &Runner, token: &str, id: &str) -> bool {
    let body = list(runner, token, "limit=100");
    let row = body["assists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| id_of(a) == id)
        .unwrap_or_else(|| panic!("{id} not listed: {body}"));
    row["unread"]
        .as_bool()
        .unwrap_or_else(|| panic!("unread is not a boolean: {row}"))
}

fn current_draft(d: &Value) -> String {
    d["ai"]["suggested_reply"]["draft"]
        .as_str()
        .unwrap_or_else(|| panic!("no ai.suggested_reply.draft: {}", d["ai"]))
        .to_string()
}

fn draft(runner: &Runner, token: &str, id: &str, body: &Value) -> String {
    let r = act(runner, token, id, "draft", body);
    let out = expect_json(&r, 200);
    let text = out["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no draft text: {out}"))
        .to_string();
    assert!(!text.trim().is_empty(), "{out}");
    // Stored as the Assist's draft.
    assert_eq!(current_draft(&detail(runner, token, id)), text);
    text
}

/// Waits until the first 100 ms of a wall-clock second.
fn wait_for_second_start() {
    loop {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_millis();
        if ms < 100 {
            return;
        }
        std::thread::sleep(Duration::from_millis(u64::from(1000 - ms) + 5));
    }
}

/// Pages through `query` with `limit=2`, calling `between` after each page;
/// returns the ids in order and the page sizes.
fn page_through(
    runner: &Runner,
    token: &str,
    query: &str,
    mut between: impl FnMut(usize),
) -> (Vec<String>, Vec<usize>) {
    let mut ids = Vec::new();
    let mut sizes = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..60 {
        let mut q = join(query, "limit=2");
        if let Some(c) = &cursor {
            q = join(&q, &format!("cursor={}", enc(c)));
        }
        let body = list(runner, token, &q);
        let got = ids_of(&body);
        assert!(got.len() <= 2, "more than the limit: {body}");
        sizes.push(got.len());
        ids.extend(got);
        match body["next_cursor"].as_str() {
            Some(c) => {
                assert!(!c.is_empty(), "{body}");
                cursor = Some(c.to_string());
            }
            None => return (ids, sizes),
        }
        between(page);
    }
    panic!("pagination of {query:?} did not end after 60 pages");
}

/// A whole detail, to check a refused request changed nothing.
fn snapshot(runner: &Runner, token: &str, id: &str) -> Value {
    detail(runner, token, id)
}

// ---------------------------------------------------------------------------
// 1. Filters, sorts and counts

#[derive(Clone, Copy, PartialEq, Debug)]
enum Who {
    Owner,
    Manager,
    Nobody,
}

struct Spec {
    first: &'static str,
    last: &'static str,
    story: &'static str,
    channel: &'static str,
    priority: &'static str,
    category: &'static str,
    tags: &'static [&'static str],
    brand: Option<&'static str>,
    assignee: Who,
    status: &'static str,
    owner_reads: bool,
}

const SPECS: [Spec; 9] = [
    Spec {
        first: "Ada",
        last: "Quillfeather",
        story: "My invoice shows the wrong company address.",
        channel: "web",
        priority: "low",
        category: "billing",
        tags: &["vip", "promo"],
        brand: Some("Acme"),
        assignee: Who::Manager,
        status: "open",
        owner_reads: true,
    },
    Spec {
        first: "Bruno",
        last: "Marchetti",
        story: "The blender arrived broken and I want my money back.",
        channel: "email",
        priority: "urgent",
        category: "refund",
        tags: &["vip"],
        brand: None,
        assignee: Who::Owner,
        status: "pending",
        owner_reads: false,
    },
    Spec {
        first: "Celia",
        last: "Okonkwo",
        story: "My quokka mug order was billed in the wrong currency.",
        channel: "web",
        priority: "medium",
        category: "billing",
        tags: &[],
        brand: Some("Globex"),
        assignee: Who::Nobody,
        status: "open",
        owner_reads: false,
    },
    Spec {
        first: "Dmitri",
        last: "Volkov",
        story: "The app crashes whenever I open the settings page.",
        channel: "sms",
        priority: "high",
        category: "technical",
        tags: &["promo"],
        brand: Some("Acme"),
        assignee: Who::Owner,
        status: "open",
        owner_reads: true,
    },
    Spec {
        first: "Esme",
        last: "Lindqvist",
        story: "The quokka marzipan bundle was charged twice on my card.",
        channel: "web",
        priority: "urgent",
        category: "billing",
        tags: &["vip"],
        brand: None,
        assignee: Who::Nobody,
        status: "pending",
        owner_reads: false,
    },
    Spec {
        first: "Farah",
        last: "Haddad",
        story: "I have a question about your opening hours.",
        channel: "email",
        priority: "low",
        category: "general",
        tags: &[],
        brand: Some("Globex"),
        assignee: Who::Manager,
        status: "closed",
        owner_reads: false,
    },
    Spec {
        first: "Gustav",
        last: "Brandt",
        story: "I returned the jacket two weeks ago and still have no refund.",
        channel: "whatsapp",
        priority: "medium",
        category: "refund",
        tags: &["legacy"],
        brand: Some("Acme"),
        assignee: Who::Nobody,
        status: "open",
        owner_reads: false,
    },
    Spec {
        first: "Hana",
        last: "Sato",
        story: "The router keeps dropping the connection every hour.",
        channel: "voice",
        priority: "high",
        category: "technical",
        tags: &["vip", "legacy"],
        brand: None,
        assignee: Who::Owner,
        status: "closed",
        owner_reads: false,
    },
    Spec {
        first: "Ivo",
        last: "Petrov",
        story: "We want a quote for fifty seats on the business plan.",
        channel: "web",
        priority: "urgent",
        category: "sales",
        tags: &[],
        brand: None,
        assignee: Who::Nobody,
        status: "open",
        owner_reads: true,
    },
];

fn spec_email(s: &Spec) -> String {
    format!(
        "{}.{}@example.net",
        s.first.to_lowercase(),
        s.last.to_lowercase()
    )
}

#[test]
fn every_filter_and_sort_returns_exactly_the_expected_assists() {
    let (runner, owner, bot) = world("ws-filters");
    let manager = add_member(&runner, &owner, "Max Manager", "manager");

    // Three groups of three, each group in a later second than the last.
    let mut created: Vec<Created> = Vec::new();
    for (i, s) in SPECS.iter().enumerate() {
        if i == 3 || i == 6 {
            std::thread::sleep(Duration::from_millis(1100));
        }
        let name = format!("{} {}", s.first, s.last);
        created.push(new_assist(
            &runner,
            &bot,
            &format!("filters-{i}"),
            &name,
            &spec_email(s),
            s.channel,
            &chat(&name, s.story),
        ));
    }
    let ids: Vec<String> = created.iter().map(|c| c.id.clone()).collect();
    let member_of = |w: Who| -> Option<&Member> {
        match w {
            Who::Owner => Some(&owner),
            Who::Manager => Some(&manager),
            Who::Nobody => None,
        }
    };

    // Shape every Assist as the specs say.
    for (s, id) in SPECS.iter().zip(&ids) {
        patch_now(
            &runner,
            &owner.token,
            id,
            &json!({
                "priority": s.priority,
                "category": s.category,
                "tags": s.tags,
                "brand_label": s.brand,
                "assignee_id": member_of(s.assignee).map(Member::id),
            }),
        );
        match s.status {
            "pending" => patch_now(&runner, &owner.token, id, &json!({"status": "pending"})),
            "closed" => {
                let v = version(&detail(&runner, &owner.token, id));
                let r = close_with(&runner, &owner.token, id, "Answered by email.", Some(v));
                expect_json(&r, 200);
            }
            _ => {}
        }
        if s.owner_reads {
            expect_json(&act(&runner, &owner.token, id, "read", &json!({})), 200);
        }
    }
    // The last changes, a second apart: a note on #3, then on #7.
    std::thread::sleep(Duration::from_millis(1100));
    expect_ok(&note(
        &runner,
        &owner.token,
        &ids[2],
        "Checked the currency.",
    ));
    std::thread::sleep(Duration::from_millis(1100));
    expect_ok(&note(
        &runner,
        &owner.token,
        &ids[6],
        "Asked the warehouse.",
    ));

    // Rows carry what was set.
    let body = list(&runner, &owner.token, "");
    let rows = body["assists"].as_array().unwrap();
    assert_eq!(rows.len(), 9, "{body}");
    assert!(body["next_cursor"].is_null(), "{body}");
    for row in rows {
        let i = ids
            .iter()
            .position(|id| *id == id_of(row))
            .unwrap_or_else(|| panic!("unknown row {row}"));
        let s = &SPECS[i];
        assert_eq!(row["reference"], created[i].reference.as_str(), "{row}");
        assert_eq!(
            row["customer"],
            json!({"name": format!("{} {}", s.first, s.last), "email": spec_email(s)}),
            "{row}"
        );
        let summary = row["summary"]
            .as_str()
            .unwrap_or_else(|| panic!("no summary: {row}"));
        assert!(
            !summary.trim().is_empty() && !summary.contains('\n'),
            "summary is not one line: {row}"
        );
        assert_eq!(row["priority"], s.priority, "{row}");
        assert_eq!(row["category"], s.category, "{row}");
        assert_eq!(row["status"], s.status, "{row}");
        assert_eq!(row["channel"], s.channel, "{row}");
        assert_eq!(row["brand_label"], json!(s.brand), "{row}");
        assert_eq!(row["tags"], json!(s.tags), "{row}");
        match member_of(s.assignee) {
            Some(m) => assert_eq!(
                row["assignee"],
                json!({"id": m.id(), "name": m.user["name"]}),
                "{row}"
            ),
            None => assert!(row["assignee"].is_null(), "{row}"),
        }
        assert_eq!(row["unread"], !s.owner_reads, "{row}");
        parse_time(&row["created_at"]);
        parse_time(&row["updated_at"]);
    }

    let created_at: Vec<i64> = rows
        .iter()
        .rev()
        .map(|r| parse_time(&r["created_at"]))
        .collect();
    assert!(
        created_at[2] < created_at[3] && created_at[5] < created_at[6],
        "groups are not in later seconds: {created_at:?}"
    );
    let (t4, t7) = (created_at[3], created_at[6]);

    // Case: a query without status, and the Assists (1-based, in the
    // default order: newest first) it must return.
    let all = [9, 8, 7, 6, 5, 4, 3, 2, 1];
    let cases: Vec<(String, Vec<usize>)> = vec![
        (String::new(), all.to_vec()),
        ("priority=urgent".into(), vec![9, 5, 2]),
        ("priority=low".into(), vec![6, 1]),
        ("category=billing".into(), vec![5, 3, 1]),
        ("category=refund".into(), vec![7, 2]),
        ("category=cancellation".into(), vec![]),
        ("tag=vip".into(), vec![8, 5, 2, 1]),
        ("tag=legacy".into(), vec![8, 7]),
        ("tag=promo".into(), vec![4, 1]),
        ("tag=nothing-like-this".into(), vec![]),
        ("brand_label=Acme".into(), vec![7, 4, 1]),
        ("brand_label=Globex".into(), vec![6, 3]),
        ("channel=web".into(), vec![9, 5, 3, 1]),
        ("channel=email".into(), vec![6, 2]),
        ("channel=messenger".into(), vec![]),
        ("assignee=me".into(), vec![8, 4, 2]),
        ("assignee=none".into(), vec![9, 7, 5, 3]),
        (format!("assignee={}", enc(&manager.id())), vec![6, 1]),
        (format!("assignee={}", enc(&owner.id())), vec![8, 4, 2]),
        ("unread=true".into(), vec![8, 7, 6, 5, 3, 2]),
        ("unread=false".into(), vec![9, 4, 1]),
        (format!("created_from={t4}"), vec![9, 8, 7, 6, 5, 4]),
        (format!("created_to={t4}"), vec![3, 2, 1]),
        (format!("created_from={t4}&created_to={t7}"), vec![6, 5, 4]),
        (format!("created_from={}", created_at[0]), all.to_vec()),
        (format!("created_to={}", created_at[0]), vec![]),
        ("q=quokka".into(), vec![5, 3]),
        ("q=QUOKKA".into(), vec![5, 3]),
        ("q=quok".into(), vec![5, 3]),
        ("q=marzipan+quokka".into(), vec![5]),
        ("q=quokka%20marz".into(), vec![5]),
        // Only the last word is a prefix.
        ("q=quok+marzipan".into(), vec![]),
        ("q=quokka+zeppelin".into(), vec![]),
        ("q=haddad".into(), vec![6]),
        ("q=gustav+brandt".into(), vec![7]),
        (format!("q={}", enc(&spec_email(&SPECS[3]))), vec![4]),
        (format!("q={}", enc(&created[7].reference)), vec![8]),
        ("tag=vip&assignee=me".into(), vec![8, 2]),
        (
            "category=billing&channel=web&unread=true".into(),
            vec![5, 3],
        ),
        ("brand_label=Acme&priority=high".into(), vec![4]),
        ("q=quokka&priority=medium".into(), vec![3]),
    ];
    let want = |n: &[usize]| -> Vec<String> { n.iter().map(|i| ids[i - 1].clone()).collect() };
    let tally = |n: &[usize]| -> Value {
        let of = |st: &str| n.iter().filter(|i| SPECS[**i - 1].status == st).count();
        json!({"open": of("open"), "pending": of("pending"), "closed": of("closed")})
    };
    for (query, expected) in &cases {
        assert_eq!(
            list_ids(&runner, &owner.token, query),
            want(expected),
            "GET /v1/assists?{query}"
        );
        let c = counts(&runner, &owner.token, query);
        assert_eq!(c, tally(expected), "GET /v1/assists/counts?{query}");
        for status in ["open", "pending", "closed"] {
            let q = join(query, &format!("status={status}"));
            let subset: Vec<usize> = expected
                .iter()
                .copied()
                .filter(|i| SPECS[i - 1].status == status)
                .collect();
            let got = list_ids(&runner, &owner.token, &q);
            assert_eq!(got, want(&subset), "GET /v1/assists?{q}");
            assert_eq!(
                counts(&runner, &owner.token, &q),
                c,
                "counts ignore status: /v1/assists/counts?{q}"
            );
            assert_eq!(
                c[status].as_u64(),
                Some(got.len() as u64),
                "counts[{status}] vs the list for {q}"
            );
        }
    }

    // `me` and `unread` are the caller's.
    assert_eq!(
        list_ids(&runner, &manager.token, "assignee=me"),
        want(&[6, 1])
    );
    assert_eq!(list_ids(&runner, &manager.token, "unread=true"), want(&all));
    assert_eq!(
        list_ids(&runner, &manager.token, "unread=false"),
        Vec::<String>::new()
    );
    assert_eq!(
        counts(&runner, &manager.token, "unread=false"),
        json!({"open": 0, "pending": 0, "closed": 0})
    );

    // Sorts: always descending, ties by id.
    assert_eq!(list_ids(&runner, &owner.token, "sort=created"), want(&all));
    assert_eq!(
        list_ids(&runner, &owner.token, "sort=priority"),
        want(&[9, 5, 2, 8, 4, 7, 3, 6, 1])
    );
    assert_eq!(
        list_ids(&runner, &owner.token, "sort=priority&status=open"),
        want(&[9, 4, 7, 3, 1])
    );
    assert_eq!(
        list_ids(&runner, &owner.token, "sort=priority&category=billing"),
        want(&[5, 3, 1])
    );
    let updated: Vec<(i64, String)> = ids
        .iter()
        .map(|id| {
            let d = detail(&runner, &owner.token, id);
            (parse_time(&d["updated_at"]), id.clone())
        })
        .collect();
    let by_updated = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        let mut v: Vec<(i64, String)> = updated
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, u)| u.clone())
            .collect();
        v.sort_by(|a, b| b.cmp(a));
        v.into_iter().map(|(_, id)| id).collect()
    };
    let got = list_ids(&runner, &owner.token, "sort=updated");
    assert_eq!(got[..2], want(&[7, 3])[..], "the last changed come first");
    assert_eq!(got, by_updated(&|_| true), "sort=updated");
    assert_eq!(
        list_ids(&runner, &owner.token, "sort=updated&tag=vip"),
        by_updated(&|i| SPECS[i].tags.contains(&"vip")),
        "sort=updated&tag=vip"
    );
    assert_eq!(
        list_ids(&runner, &owner.token, "sort=updated&status=open&limit=3"),
        by_updated(&|i| SPECS[i].status == "open")[..3].to_vec(),
    );
}

// ---------------------------------------------------------------------------
// 2. Keyset pagination

#[test]
fn pagination_returns_every_assist_once_even_while_new_ones_arrive() {
    let (runner, owner, bot) = world("ws-pages");
    let priorities = [
        "urgent", "low", "high", "urgent", "low", "high", "urgent", "low", "high",
    ];
    let mut ids = Vec::new();
    for (i, p) in priorities.iter().enumerate() {
        let channel = if i % 2 == 0 { "web" } else { "email" };
        let id = simple_assist(&runner, &bot, channel);
        patch_now(&runner, &owner.token, &id, &json!({"priority": p}));
        ids.push(id);
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(list_ids(&runner, &owner.token, ""), newest_first);

    // Every sort, two at a time: the same order as one page, each id once.
    for sort in ["created", "updated", "priority"] {
        let query = format!("sort={sort}");
        let whole = list_ids(&runner, &owner.token, &join(&query, "limit=100"));
        assert_eq!(whole.len(), 9, "{sort}");
        let (paged, sizes) = page_through(&runner, &owner.token, &query, |_| {});
        assert_eq!(paged, whole, "paging {query}");
        assert_eq!(sizes, [2, 2, 2, 2, 1], "page sizes for {query}");
    }
    // With a filter: five on the web.
    let web: Vec<String> = newest_first
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, id)| id.clone())
        .collect();
    let (paged, sizes) = page_through(&runner, &owner.token, "channel=web", |_| {});
    assert_eq!(paged, web);
    assert_eq!(sizes, [2, 2, 1]);
    // Four: the last page is full and has no next cursor.
    let (paged, sizes) = page_through(&runner, &owner.token, "channel=email", |_| {});
    assert_eq!(paged.len(), 4);
    assert_eq!(sizes, [2, 2], "no empty page after a full last page");

    // New Assists between page requests sort before the cursor: no gaps or
    // repeats among the original nine.
    let mut added = Vec::new();
    let (paged, _) = page_through(&runner, &owner.token, "", |_| {
        added.push(simple_assist(&runner, &bot, "web"));
    });
    assert!(added.len() >= 4, "{added:?}");
    assert_eq!(paged, newest_first, "created order while Assists arrive");
    for id in &added {
        assert!(
            !paged.contains(id),
            "a new Assist appeared after the cursor"
        );
    }

    // By priority, with new urgent and low Assists arriving: the originals
    // each exactly once and in order; nothing repeated.
    let before = list_ids(&runner, &owner.token, "sort=priority&limit=100");
    let mut more = Vec::new();
    let (paged, _) = page_through(&runner, &owner.token, "sort=priority", |page| {
        let id = simple_assist(&runner, &bot, "sms");
        let p = if page % 2 == 0 { "urgent" } else { "low" };
        patch_now(&runner, &owner.token, &id, &json!({"priority": p}));
        more.push(id);
    });
    let unique_ids: HashSet<&String> = paged.iter().collect();
    assert_eq!(unique_ids.len(), paged.len(), "repeats: {paged:?}");
    let originals: Vec<String> = paged
        .iter()
        .filter(|id| before.contains(id))
        .cloned()
        .collect();
    assert_eq!(originals, before, "sort=priority while Assists arrive");
}

// ---------------------------------------------------------------------------
// 3. Versions

#[test]
fn patch_needs_the_current_version_and_records_events() {
    let (runner, owner, bot) = world("ws-patch");
    let manager = add_member(&runner, &owner, "Max Manager", "manager");
    let id = simple_assist(&runner, &bot, "web");

    let d0 = detail(&runner, &owner.token, &id);
    let v0 = version(&d0);
    assert_eq!(event_kinds(&d0), ["created"], "{d0}");
    let target = if d0["priority"] == "low" {
        "urgent"
    } else {
        "low"
    };

    // Stale: 412, nothing changes.
    for stale in [v0 - 1, v0 + 1] {
        let r = patch(
            &runner,
            &owner.token,
            &id,
            &json!({"priority": target}),
            Some(stale),
        );
        expect_problem(&r, 412);
        assert_eq!(snapshot(&runner, &owner.token, &id), d0, "after a 412");
    }

    // Current: 200, version + 1, one event.
    let r = patch(
        &runner,
        &owner.token,
        &id,
        &json!({"priority": target}),
        Some(v0),
    );
    expect_json(&r, 200);
    let d1 = detail(&runner, &owner.token, &id);
    assert_eq!(version(&d1), v0 + 1, "{d1}");
    assert_eq!(d1["priority"], target, "{d1}");
    let events = d1["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{d1}");
    assert_event(&events[1], "priority_changed", &owner.id());

    // The old ETag is now stale.
    let r = patch(
        &runner,
        &owner.token,
        &id,
        &json!({"status": "pending"}),
        Some(v0),
    );
    expect_problem(&r, 412);
    assert_eq!(snapshot(&runner, &owner.token, &id), d1);

    let r = patch(
        &runner,
        &owner.token,
        &id,
        &json!({"status": "pending"}),
        Some(v0 + 1),
    );
    expect_json(&r, 200);
    let d2 = detail(&runner, &owner.token, &id);
    assert_eq!(version(&d2), v0 + 2);
    assert_eq!(d2["status"], "pending");
    assert_event(
        d2["events"].as_array().unwrap().last().unwrap(),
        "status_changed",
        &owner.id(),
    );

    // The fields that need manage_workload, each with its event.
    let r = patch(
        &runner,
        &manager.token,
        &id,
        &json!({
            "category": "refund",
            "tags": ["vip", "second-contact"],
            "brand_label": "Acme",
            "assignee_id": manager.id(),
        }),
        Some(v0 + 2),
    );
    expect_json(&r, 200);
    let d3 = detail(&runner, &manager.token, &id);
    assert!(version(&d3) > v0 + 2, "{d3}");
    assert_eq!(d3["category"], "refund");
    assert_eq!(d3["tags"], json!(["vip", "second-contact"]));
    assert_eq!(d3["brand_label"], "Acme");
    assert_eq!(
        d3["assignee"],
        json!({"id": manager.id(), "name": "Max Manager"})
    );
    let new_events: Vec<&Value> = d3["events"].as_array().unwrap()[3..].iter().collect();
    let mut kinds: Vec<&str> = new_events
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "assigned",
            "brand_label_changed",
            "category_changed",
            "tags_changed"
        ],
        "{d3}"
    );
    for e in new_events {
        assert_event(e, e["kind"].as_str().unwrap(), &manager.id());
    }

    // null clears.
    let r = patch(
        &runner,
        &owner.token,
        &id,
        &json!({"brand_label": null, "assignee_id": null}),
        Some(version(&d3)),
    );
    expect_json(&r, 200);
    let d4 = detail(&runner, &owner.token, &id);
    assert!(d4["brand_label"].is_null(), "{d4}");
    assert!(d4["assignee"].is_null(), "{d4}");
    assert!(version(&d4) > version(&d3), "{d4}");

    // Closing through PATCH is refused and changes nothing.
    let r = patch(
        &runner,
        &owner.token,
        &id,
        &json!({"status": "closed"}),
        Some(version(&d4)),
    );
    expect_invalid(&r, &["status"]);
    assert_eq!(snapshot(&runner, &owner.token, &id), d4);

    // Close and reopen check the version too.
    let r = close_with(&runner, &owner.token, &id, "Done.", Some(version(&d4) - 1));
    expect_problem(&r, 412);
    assert_eq!(snapshot(&runner, &owner.token, &id), d4);
    let r = close_with(&runner, &owner.token, &id, "Done.", Some(version(&d4)));
    expect_json(&r, 200);
    let d5 = detail(&runner, &owner.token, &id);
    assert_eq!(version(&d5), version(&d4) + 1);
    let r = reopen_with(&runner, &owner.token, &id, Some(version(&d4)));
    expect_problem(&r, 412);
    assert_eq!(snapshot(&runner, &owner.token, &id), d5);
    let r = reopen_with(&runner, &owner.token, &id, Some(version(&d5)));
    expect_json(&r, 200);
    assert_eq!(
        version(&detail(&runner, &owner.token, &id)),
        version(&d5) + 1
    );
}

// ---------------------------------------------------------------------------
// 4. Read state

#[test]
fn read_state_is_per_member_and_new_messages_make_it_unread() {
    let (runner, owner, bot) = world("ws-unread");
    let support = add_member(&runner, &owner, "Sam Support", "support");
    let manager = add_member(&runner, &owner, "Max Manager", "manager");
    let messages = chat(
        "Nora Lind",
        "My parcel is stuck in customs and the tracking stopped.",
    );
    let a = new_assist(
        &runner,
        &bot,
        "unread-1",
        "Nora Lind",
        "nora@example.org",
        "web",
        &messages,
    );
    let other = simple_assist(&runner, &bot, "web");
    let id = a.id;

    // New: unread for everyone.
    for m in [&owner, &support, &manager] {
        assert!(unread(&runner, &m.token, &id), "{}", m.user["name"]);
        assert!(listed_unread(&runner, &m.token, &id), "{}", m.user["name"]);
    }
    let v = version(&detail(&runner, &owner.token, &id));

    // Support reads it: read for support only.
    let r = act(&runner, &support.token, &id, "read", &json!({}));
    expect_json(&r, 200);
    assert!(!unread(&runner, &support.token, &id));
    assert!(!listed_unread(&runner, &support.token, &id));
    assert!(unread(&runner, &owner.token, &id));
    assert!(unread(&runner, &manager.token, &id));
    assert!(listed_unread(&runner, &owner.token, &id));
    assert_eq!(
        list_ids(&runner, &support.token, "unread=true"),
        [other.as_str()]
    );
    assert_eq!(
        list_ids(&runner, &support.token, "unread=false"),
        [id.as_str()]
    );
    assert_eq!(
        list_ids(&runner, &owner.token, "unread=true"),
        [other.as_str(), id.as_str()]
    );
    assert_eq!(
        counts(&runner, &support.token, "unread=true")["open"],
        1,
        "support's unread count"
    );
    assert_eq!(counts(&runner, &owner.token, "unread=true")["open"], 2);
    // The other Assist is untouched.
    assert!(unread(&runner, &support.token, &other));

    // {read: true} explicitly, and {read: false} makes it unread again.
    expect_json(
        &act(&runner, &owner.token, &id, "read", &json!({"read": true})),
        200,
    );
    assert!(!unread(&runner, &owner.token, &id));
    expect_json(
        &act(&runner, &owner.token, &id, "read", &json!({"read": false})),
        200,
    );
    assert!(unread(&runner, &owner.token, &id));
    assert!(listed_unread(&runner, &owner.token, &id));
    assert!(
        !unread(&runner, &support.token, &id),
        "support's read stays"
    );
    expect_json(&act(&runner, &owner.token, &id, "read", &json!({})), 200);
    assert!(!unread(&runner, &owner.token, &id));
    assert_eq!(
        version(&detail(&runner, &owner.token, &id)),
        v,
        "reading is not a change to the Assist"
    );

    // A new customer message (same session, one more message) makes it
    // unread again for those who had read it.
    std::thread::sleep(Duration::from_millis(1100));
    let mut longer = messages.clone();
    longer.push(customer_says(
        "Any news? The customs office says they are waiting for your paperwork.",
    ));
    assert_eq!(
        list_ids(&runner, &owner.token, "q=paperwork"),
        Vec::<String>::new()
    );
    let r = escalate(
        &runner,
        &bot,
        "unread-1",
        "Nora Lind",
        "nora@example.org",
        "web",
        &longer,
    );
    let body = expect_json(&r, 200);
    assert_eq!(body["assist_id"], id.as_str(), "{body}");
    assert_eq!(body["appended_messages"], 1, "{body}");
    for m in [&owner, &support, &manager] {
        assert!(unread(&runner, &m.token, &id), "{}", m.user["name"]);
        assert!(listed_unread(&runner, &m.token, &id), "{}", m.user["name"]);
    }
    assert!(
        event_kinds(&detail(&runner, &owner.token, &id)).contains(&"messages_appended".to_string())
    );
    // The new message is searchable.
    assert_eq!(
        list_ids(&runner, &owner.token, "q=paperwork"),
        [id.as_str()]
    );
    // Resending the same transcript appends nothing and keeps it read.
    expect_json(&act(&runner, &owner.token, &id, "read", &json!({})), 200);
    std::thread::sleep(Duration::from_millis(1100));
    let r = escalate(
        &runner,
        &bot,
        "unread-1",
        "Nora Lind",
        "nora@example.org",
        "web",
        &longer,
    );
    assert_eq!(expect_json(&r, 200)["appended_messages"], 0);
    assert!(!unread(&runner, &owner.token, &id));
}

#[test]
fn a_message_in_the_same_second_as_reading_is_unread() {
    let (runner, owner, bot) = world("ws-unread-race");
    let messages = chat("Otto Weiss", "The checkout page rejects my coupon code.");
    let a = new_assist(
        &runner,
        &bot,
        "race-1",
        "Otto Weiss",
        "otto@example.org",
        "web",
        &messages,
    );
    std::thread::sleep(Duration::from_millis(1100));
    // The agent reads it; a few milliseconds later the customer writes.
    wait_for_second_start();
    expect_json(&act(&runner, &owner.token, &a.id, "read", &json!({})), 200);
    let mut longer = messages;
    longer.push(customer_says("Hello? The coupon is SPRING25."));
    let r = escalate(
        &runner,
        &bot,
        "race-1",
        "Otto Weiss",
        "otto@example.org",
        "web",
        &longer,
    );
    assert_eq!(expect_json(&r, 200)["appended_messages"], 1);
    assert!(
        unread(&runner, &owner.token, &a.id),
        "a customer message sent after the agent read the Assist must make it unread"
    );
}

// ---------------------------------------------------------------------------
// 5. Drafts

#[test]
fn drafts_regenerate_and_refine() {
    let (runner, owner, bot) = world("ws-drafts");
    let id = new_assist(
        &runner,
        &bot,
        "draft-1",
        "Ana Souza",
        "ana@example.com",
        "web",
        &[
            customer_says(
                "Hi, I was charged twice for my subscription: two payments of $49.00 on March 3.",
            ),
            assistant_says("I'm sorry about that. Could you tell me the last four digits?"),
            customer_says("It ends in 4417. Can I talk to a real person?"),
        ],
    )
    .id;
    let d = detail(&runner, &owner.token, &id);
    let suggestion = d["ai"]["suggested_reply"]["draft"]
        .as_str()
        .or_else(|| d["ai"]["suggested_reply"]["text"].as_str())
        .unwrap_or_else(|| panic!("no suggested reply: {}", d["ai"]))
        .to_string();

    // Regenerate always differs from the last draft.
    let r1 = draft(&runner, &owner.token, &id, &json!({"mode": "regenerate"}));
    assert_ne!(r1, suggestion);
    let r2 = draft(&runner, &owner.token, &id, &json!({"mode": "regenerate"}));
    assert_ne!(r2, r1);
    let r3 = draft(&runner, &owner.token, &id, &json!({"mode": "regenerate"}));
    assert_ne!(r3, r2);

    // Shorter, of the current draft.
    let s = draft(&runner, &owner.token, &id, &json!({"mode": "shorter"}));
    assert!(
        s.chars().count() < r3.chars().count(),
        "shorter is not shorter:\n{s}\nvs\n{r3}"
    );

    // Formal, of the given text (not the stored draft).
    let given = "Hi Ana,\n\nI'm sorry, we can't see the refund yet and I don't know why. \
                 I'll check it today and we'll write again.\n\nThanks,\nSam";
    let f = draft(
        &runner,
        &owner.token,
        &id,
        &json!({"mode": "formal", "text": given}),
    );
    for expanded in [
        "I am sorry",
        "cannot",
        "do not know",
        "I will check",
        "we will write",
    ] {
        assert!(f.contains(expanded), "formal lacks {expanded:?}: {f}");
    }
    for contraction in ["I'm", "can't", "don't", "I'll", "we'll"] {
        assert!(
            !f.contains(contraction),
            "formal keeps {contraction:?}: {f}"
        );
    }
    assert!(f.contains("see the refund yet"), "not the given text: {f}");

    // Casual, of the current draft (the formal one).
    let c = draft(&runner, &owner.token, &id, &json!({"mode": "casual"}));
    assert!(
        c.contains("see the refund yet"),
        "not the current draft: {c}"
    );
    for contraction in ["I'm sorry", "can't", "don't know"] {
        assert!(c.contains(contraction), "casual lacks {contraction:?}: {c}");
    }
    assert!(!c.contains("do not"), "{c}");

    // Casual and shorter of given text.
    let given = "I am sure we will fix this today, and you are right that we do not charge twice.";
    let c = draft(
        &runner,
        &owner.token,
        &id,
        &json!({"mode": "casual", "text": given}),
    );
    for contraction in ["I'm sure", "we'll fix", "you're right", "don't charge"] {
        assert!(c.contains(contraction), "casual lacks {contraction:?}: {c}");
    }
    let long = "Thanks for your patience with the order. I checked the warehouse records this \
                morning. The parcel left on Monday and should arrive on Thursday. I will keep \
                an eye on the tracking and write again if anything changes.";
    let s = draft(
        &runner,
        &owner.token,
        &id,
        &json!({"mode": "shorter", "text": long}),
    );
    assert!(s.chars().count() < long.chars().count(), "{s}");
    assert!(s.starts_with("Thanks for your patience"), "{s}");

    // Regenerate after a refinement still differs from it.
    let r4 = draft(&runner, &owner.token, &id, &json!({"mode": "regenerate"}));
    assert_ne!(r4, s);

    // A bad or missing mode is 422 and keeps the draft.
    let before = snapshot(&runner, &owner.token, &id);
    for body in [
        json!({"mode": "louder"}),
        json!({"mode": "louder", "text": "Hello"}),
        json!({}),
        json!({"text": "Hello"}),
        json!({"mode": 3}),
    ] {
        let r = act(&runner, &owner.token, &id, "draft", &body);
        expect_invalid(&r, &["mode"]);
    }
    assert_eq!(snapshot(&runner, &owner.token, &id), before);
    assert_eq!(current_draft(&before), r4);
}

// ---------------------------------------------------------------------------
// 6. Close and reopen

#[test]
fn close_needs_a_resolution_and_reopen_only_a_closed_assist() {
    let (runner, owner, bot) = world("ws-close");
    let support = add_member(&runner, &owner, "Sam Support", "support");
    let email = "rui.costa@example.org";
    let a = new_assist(
        &runner,
        &bot,
        "close-1",
        "Rui Costa",
        email,
        "web",
        &chat(
            "Rui Costa",
            "I was charged twice for order 55120 and want one refunded.",
        ),
    );
    let id = a.id;
    let before = snapshot(&runner, &owner.token, &id);

    // Without a resolution: 422 naming it, nothing changes.
    for body in [
        json!({}),
        json!({"resolution": ""}),
        json!({"resolution": "   "}),
        json!({"resolution": null}),
        json!({"resolution": 42}),
    ] {
        let r = act(&runner, &support.token, &id, "close", &body);
        expect_invalid(&r, &["resolution"]);
    }
    assert_eq!(snapshot(&runner, &owner.token, &id), before);
    // Reopening an open Assist is a conflict.
    expect_problem(&reopen_with(&runner, &support.token, &id, None), 409);
    assert_eq!(snapshot(&runner, &owner.token, &id), before);

    let resolution = "Refunded the duplicate charge for order 55120.";
    let r = close_with(
        &runner,
        &support.token,
        &id,
        resolution,
        Some(version(&before)),
    );
    expect_json(&r, 200);
    let closed = detail(&runner, &owner.token, &id);
    assert_eq!(closed["status"], "closed", "{closed}");
    assert_eq!(closed["resolution"], resolution, "{closed}");
    let closed_at = parse_time(&closed["closed_at"]);
    assert!((now_secs() - closed_at).abs() < 60, "{closed}");
    assert_eq!(version(&closed), version(&before) + 1);
    assert_event(
        closed["events"].as_array().unwrap().last().unwrap(),
        "closed",
        &support.id(),
    );
    assert_eq!(
        list_ids(&runner, &owner.token, "status=closed"),
        [id.as_str()]
    );
    assert_eq!(
        counts(&runner, &owner.token, ""),
        json!({"open": 0, "pending": 0, "closed": 1})
    );

    // The bot sees the resolution for this customer.
    let ctx = bot_context(&runner, &owner.token, &bot, email);
    let assists = ctx["assists"].as_array().unwrap();
    assert_eq!(assists.len(), 1, "{ctx}");
    assert_eq!(assists[0]["reference"], a.reference.as_str(), "{ctx}");
    assert_eq!(assists[0]["status"], "closed", "{ctx}");
    assert_eq!(assists[0]["resolution"], resolution, "{ctx}");

    // Closing again: 409, nothing changes.
    let r = close_with(&runner, &owner.token, &id, "Again.", None);
    expect_problem(&r, 409);
    assert_eq!(snapshot(&runner, &owner.token, &id), closed);

    // Reopen: open again; a second reopen is 409.
    let r = reopen_with(&runner, &support.token, &id, Some(version(&closed)));
    expect_json(&r, 200);
    let reopened = detail(&runner, &owner.token, &id);
    assert_eq!(reopened["status"], "open", "{reopened}");
    assert!(reopened["closed_at"].is_null(), "{reopened}");
    assert_eq!(version(&reopened), version(&closed) + 1);
    assert_event(
        reopened["events"].as_array().unwrap().last().unwrap(),
        "reopened",
        &support.id(),
    );
    expect_problem(&reopen_with(&runner, &owner.token, &id, None), 409);
    assert_eq!(snapshot(&runner, &owner.token, &id), reopened);
    let ctx = bot_context(&runner, &owner.token, &bot, email);
    assert_eq!(ctx["assists"][0]["status"], "open", "{ctx}");

    // A pending Assist closes too, and can be closed again after reopening.
    patch_now(&runner, &owner.token, &id, &json!({"status": "pending"}));
    let r = close_with(&runner, &owner.token, &id, "Customer confirmed.", None);
    expect_json(&r, 200);
    let d = detail(&runner, &owner.token, &id);
    assert_eq!(d["status"], "closed");
    assert_eq!(d["resolution"], "Customer confirmed.");
}

// ---------------------------------------------------------------------------
// 7. Who may do what

/// Every workspace route on `id` with a valid body.
fn routes(id: &str) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", "/v1/assists".into(), None),
        ("GET", "/v1/assists/counts".into(), None),
        ("GET", assist_path(id), None),
        ("PATCH", assist_path(id), Some(json!({"priority": "high"}))),
        (
            "POST",
            format!("{}/notes", assist_path(id)),
            Some(json!({"text": "Checked."})),
        ),
        ("POST", format!("{}/read", assist_path(id)), Some(json!({}))),
        (
            "POST",
            format!("{}/draft", assist_path(id)),
            Some(json!({"mode": "regenerate"})),
        ),
        (
            "POST",
            format!("{}/close", assist_path(id)),
            Some(json!({"resolution": "Done."})),
        ),
        ("POST", format!("{}/reopen", assist_path(id)), None),
    ]
}

#[test]
fn authorization_matrix() {
    let (runner, owner, bot) = world("ws-authz");
    let admin = add_member(&runner, &owner, "Ada Admin", "admin");
    let manager = add_member(&runner, &owner, "Max Manager", "manager");
    let support = add_member(&runner, &owner, "Sam Support", "support");
    let id = simple_assist(&runner, &bot, "web");

    // Anonymous and unknown credentials: 401, nothing changes.
    let before = snapshot(&runner, &owner.token, &id);
    for (method, path, body) in routes(&id) {
        for token in [None, Some("bts_nope"), Some("pk_nope")] {
            let r = call(&runner, method, &path, body.as_ref(), token);
            expect_unauthorized(&r);
        }
    }
    // A bot key is not an agent credential.
    let r = call(&runner, "GET", "/v1/assists", None, Some(&bot.key));
    expect_unauthorized(&r);
    assert_eq!(snapshot(&runner, &owner.token, &id), before);

    for (who, may_manage) in [
        (&support, false),
        (&manager, true),
        (&admin, true),
        (&owner, true),
    ] {
        let name = who.user["role"].as_str().unwrap().to_string();
        let t = who.token.as_str();
        let id = simple_assist(&runner, &bot, "web");
        assert!(
            list_ids(&runner, t, "").contains(&id),
            "{name}: list without {id}"
        );
        assert!(counts(&runner, t, "")["open"].as_u64().is_some(), "{name}");
        detail(&runner, t, &id);
        expect_ok(&note(&runner, t, &id, &format!("Note by {name}.")));
        expect_json(&act(&runner, t, &id, "read", &json!({})), 200);
        assert!(!unread(&runner, t, &id), "{name}");
        draft(&runner, t, &id, &json!({"mode": "regenerate"}));
        let v = version(&detail(&runner, t, &id));
        expect_json(
            &patch(&runner, t, &id, &json!({"status": "pending"}), Some(v)),
            200,
        );
        expect_json(
            &patch(&runner, t, &id, &json!({"priority": "urgent"}), Some(v + 1)),
            200,
        );
        let d = detail(&runner, t, &id);
        assert_eq!(
            (d["status"].as_str(), d["priority"].as_str()),
            (Some("pending"), Some("urgent")),
            "{name}"
        );

        let manage_bodies = [
            json!({"category": "refund"}),
            json!({"tags": ["vip"]}),
            json!({"brand_label": "Acme"}),
            json!({"brand_label": null}),
            json!({"assignee_id": who.id()}),
            json!({"assignee_id": null}),
            // Mixed with an allowed field: all or nothing.
            json!({"priority": "low", "category": "billing"}),
        ];
        for body in manage_bodies {
            let before = snapshot(&runner, &owner.token, &id);
            let r = patch(&runner, t, &id, &body, Some(version(&before)));
            if may_manage {
                expect_json(&r, 200);
                assert!(
                    version(&detail(&runner, t, &id)) > version(&before),
                    "{name} {body}: no new version"
                );
            } else {
                expect_problem(&r, 403);
                assert_eq!(
                    snapshot(&runner, &owner.token, &id),
                    before,
                    "{name} {body}: a 403 changed something"
                );
            }
        }
        if may_manage {
            let d = detail(&runner, t, &id);
            assert_eq!(d["category"], "billing", "{name}");
            assert_eq!(d["priority"], "low", "{name}");
            assert_eq!(d["tags"], json!(["vip"]), "{name}");
            patch_now(&runner, t, &id, &json!({"assignee_id": who.id()}));
            assert_eq!(list_ids(&runner, t, "assignee=me"), [id.as_str()], "{name}");
        }

        let v = version(&detail(&runner, t, &id));
        expect_json(&close_with(&runner, t, &id, "Sorted.", Some(v)), 200);
        assert_eq!(detail(&runner, t, &id)["status"], "closed", "{name}");
        expect_json(&reopen_with(&runner, t, &id, Some(v + 1)), 200);
        assert_eq!(detail(&runner, t, &id)["status"], "open", "{name}");
    }

    // An API token works per its role, but has no read state.
    let r = call(
        &runner,
        "POST",
        "/v1/tokens",
        Some(&json!({"name": "Helpdesk sync", "role": "support"})),
        Some(&owner.token),
    );
    let api = expect_json(&r, 201)["token"].as_str().unwrap().to_string();
    assert!(list_ids(&runner, &api, "").contains(&id));
    let v = version(&detail(&runner, &api, &id));
    expect_json(
        &patch(&runner, &api, &id, &json!({"priority": "medium"}), Some(v)),
        200,
    );
    let before = snapshot(&runner, &owner.token, &id);
    expect_problem(
        &patch(
            &runner,
            &api,
            &id,
            &json!({"category": "sales"}),
            Some(v + 1),
        ),
        403,
    );
    let r = act(&runner, &api, &id, "read", &json!({}));
    assert!(
        matches!(r.status, 400 | 403),
        "an API token marked an Assist read: {}",
        describe(&r)
    );
    expect_problem(&r, r.status);
    assert_eq!(snapshot(&runner, &owner.token, &id), before);
}

// ---------------------------------------------------------------------------
// 8. Bad input changes nothing

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let (runner, owner, bot) = world("ws-bad");
    let id = simple_assist(&runner, &bot, "web");
    let _second = simple_assist(&runner, &bot, "email");
    let t = owner.token.as_str();

    // List and counts: 422 naming the parameter.
    let bad_queries = [
        ("status=archived", "status"),
        ("status=OPEN", "status"),
        ("priority=critical", "priority"),
        ("category=complaints", "category"),
        ("unread=maybe", "unread"),
        ("created_from=yesterday", "created_from"),
        ("created_to=1.5", "created_to"),
    ];
    for (query, field) in bad_queries {
        let r = call(&runner, "GET", &list_path(query), None, Some(t));
        expect_invalid(&r, &[field]);
        let r = call(&runner, "GET", &counts_path(query), None, Some(t));
        expect_invalid(&r, &[field]);
    }
    for (query, field) in [
        ("sort=oldest", "sort"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor%21", "cursor"),
        ("cursor=%27%20OR%201%3D1", "cursor"),
        ("cursor=AAAA", "cursor"),
    ] {
        let r = call(&runner, "GET", &list_path(query), None, Some(t));
        expect_invalid(&r, &[field]);
    }
    // The bounds themselves are fine.
    assert_eq!(list_ids(&runner, t, "limit=1").len(), 1);
    assert_eq!(list_ids(&runner, t, "limit=100").len(), 2);

    // Notes: 1 to 10,000 characters.
    let before = snapshot(&runner, t, &id);
    for text in ["x".repeat(10_001), "é".repeat(10_001), String::new()] {
        let r = note(&runner, t, &id, &text);
        expect_invalid(&r, &["text"]);
    }
    for body in [
        json!({}),
        json!({"text": 5}),
        json!({"text": "ok", "pin": true}),
    ] {
        let r = act(&runner, t, &id, "notes", &body);
        expect_problem(&r, 422);
    }
    assert_eq!(
        snapshot(&runner, t, &id),
        before,
        "a refused note changed it"
    );
    let long = "é".repeat(10_000);
    expect_ok(&note(&runner, t, &id, &long));
    let d = detail(&runner, t, &id);
    let last = d["activity"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["role"], "note", "{last}");
    assert_eq!(last["text"], long.as_str());
    assert_eq!(last["author"]["id"], owner.id().as_str(), "{last}");

    // PATCH: unknown fields and bad values are 422 and change nothing.
    let before = snapshot(&runner, t, &id);
    let v = version(&before);
    for (body, field) in [
        (json!({"colour": "red"}), "colour"),
        (json!({"priority": "high", "colour": "red"}), "colour"),
        (json!({"status": "archived"}), "status"),
        (json!({"priority": "critical"}), "priority"),
        (json!({"category": "complaints"}), "category"),
        (json!({"priority": 3}), "priority"),
        (json!({"tags": "vip"}), "tags"),
    ] {
        let r = patch(&runner, t, &id, &body, Some(v));
        expect_invalid(&r, &[field]);
    }
    // Assigning to someone who is not a team member is refused.
    let r = patch(
        &runner,
        t,
        &id,
        &json!({"assignee_id": MISSING_ID}),
        Some(v),
    );
    assert!(matches!(r.status, 404 | 422), "{}", describe(&r));
    expect_problem(&r, r.status);
    assert_eq!(
        snapshot(&runner, t, &id),
        before,
        "a refused PATCH changed it"
    );

    // Malformed JSON and non-object bodies: 400.
    for (path, method) in [
        (assist_path(&id), "PATCH"),
        (format!("{}/notes", assist_path(&id)), "POST"),
        (format!("{}/read", assist_path(&id)), "POST"),
        (format!("{}/draft", assist_path(&id)), "POST"),
        (format!("{}/close", assist_path(&id)), "POST"),
    ] {
        for raw in ["{\"priority\": ", "{text: 1}", "[]", "\"hello\""] {
            let r = send(&runner, method, &path, Some(raw), Some(t), Some(v));
            expect_problem(&r, 400);
        }
    }
    assert_eq!(snapshot(&runner, t, &id), before, "a 400 changed it");

    // A non-existent id: 404 on every route.
    for (method, path, body) in routes(MISSING_ID).into_iter().skip(2) {
        let r = call(&runner, method, &path, body.as_ref(), Some(t));
        expect_problem(&r, 404);
        let r = call(
            &runner,
            method,
            &path.replace(MISSING_ID, "no-such-assist"),
            body.as_ref(),
            Some(t),
        );
        expect_problem(&r, 404);
    }
    assert_eq!(snapshot(&runner, t, &id), before);
    assert_eq!(list_ids(&runner, t, "").len(), 2);
}

// ---------------------------------------------------------------------------
// Contract details beyond the basics

#[test]
fn every_unknown_filter_value_and_malformed_cursor_is_422() {
    let (runner, owner, bot) = world("ws-strict");
    simple_assist(&runner, &bot, "web");
    simple_assist(&runner, &bot, "web");
    simple_assist(&runner, &bot, "web");
    let t = owner.token.as_str();
    let page = list(&runner, t, "limit=1");
    let real = page["next_cursor"].as_str().unwrap().to_string();

    check_real_cursor(&runner, t, &real);

    let mut failures = Vec::new();
    let cases = [
        ("channel=fax".to_string(), "channel"),
        ("assignee=someone-else".to_string(), "assignee"),
        // Cursors are not signed (docs/workspace.md): only malformed ones are 422.
        ("cursor=bm90LWEtY3Vyc29y".to_string(), "cursor"),
    ];
    for (query, field) in &cases {
        let r = call(&runner, "GET", &list_path(query), None, Some(t));
        let named = r.status == 422
            && r.content_type == "application/problem+json"
            && r.json()["errors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|x| x["field"] == *field));
        if !named {
            failures.push(format!("GET /v1/assists?{query}: {}", describe(&r)));
        }
    }
    assert!(
        failures.is_empty(),
        "expected 422 naming the parameter:\n{}",
        failures.join("\n")
    );
}

/// The real cursor is accepted (a sanity check for the forged one).
fn check_real_cursor(runner: &Runner, token: &str, real: &str) {
    let body = list(runner, token, &format!("limit=1&cursor={}", enc(real)));
    assert_eq!(ids_of(&body).len(), 1, "{body}");
}

#[test]
fn messages_appended_after_the_hand_off_are_activity() {
    let (runner, owner, bot) = world("ws-activity");
    let handed_off = vec![
        customer_says("My smart lock will not pair with the hub after the update."),
        assistant_says("Have you tried holding the reset button for ten seconds?"),
        customer_says("Yes, twice. I want to talk to a human."),
    ];
    let a = new_assist(
        &runner,
        &bot,
        "activity-1",
        "Lea Brun",
        "lea@example.org",
        "web",
        &handed_off,
    );
    let d = detail(&runner, &owner.token, &a.id);
    let texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap_or_else(|| panic!("not an array: {v}"))
            .iter()
            .map(|m| m["text"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let original: Vec<String> = handed_off
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts(&d["transcript"]), original, "{d}");
    assert_eq!(d["activity"], json!([]), "{d}");

    // The customer writes again, then an agent adds a note, then the
    // customer writes once more.
    let mut more = handed_off.clone();
    more.push(customer_says("It still blinks red."));
    expect_json(
        &escalate(
            &runner,
            &bot,
            "activity-1",
            "Lea Brun",
            "lea@example.org",
            "web",
            &more,
        ),
        200,
    );
    expect_ok(&note(&runner, &owner.token, &a.id, "Known firmware bug."));
    more.push(customer_says("Now it blinks green."));
    expect_json(
        &escalate(
            &runner,
            &bot,
            "activity-1",
            "Lea Brun",
            "lea@example.org",
            "web",
            &more,
        ),
        200,
    );
    let d = detail(&runner, &owner.token, &a.id);
    assert_eq!(
        texts(&d["transcript"]),
        original,
        "the transcript is the chat as handed off"
    );
    let activity = d["activity"].as_array().unwrap();
    let roles: Vec<&str> = activity
        .iter()
        .map(|m| m["role"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        (roles, texts(&d["activity"])),
        (
            vec!["customer", "note", "customer"],
            vec![
                "It still blinks red.".to_string(),
                "Known firmware bug.".to_string(),
                "Now it blinks green.".to_string()
            ]
        ),
        "activity: the later messages and notes in time order"
    );
}

#[test]
fn formal_and_casual_handle_sentence_initial_contractions() {
    let (runner, owner, bot) = world("ws-draft-caps");
    let id = simple_assist(&runner, &bot, "web");
    let f = draft(
        &runner,
        &owner.token,
        &id,
        &json!({"mode": "formal", "text": "It's on its way. We'll call you. Don't worry. You're next."}),
    );
    let c = draft(
        &runner,
        &owner.token,
        &id,
        &json!({"mode": "casual", "text": "It is on its way. We will call you. Do not worry. You are next."}),
    );
    let kept: Vec<&str> = ["It's", "We'll", "Don't", "You're"]
        .into_iter()
        .filter(|k| f.contains(k))
        .collect();
    let missed: Vec<&str> = ["It is", "We will", "Do not", "You are"]
        .into_iter()
        .filter(|k| c.contains(k))
        .collect();
    assert!(
        kept.is_empty() && missed.is_empty(),
        "formal kept {kept:?} in {f:?}; casual left {missed:?} in {c:?}"
    );
}

/// One change to an Assist, given its current version.
type Step<'a> = Box<dyn Fn(i64) -> Reply + 'a>;

#[test]
fn every_version_bump_records_an_event() {
    let (runner, owner, bot) = world("ws-version-events");
    let messages = chat(
        "Kai Moreau",
        "The invoice PDF download link returns an error.",
    );
    let a = new_assist(
        &runner,
        &bot,
        "versions-1",
        "Kai Moreau",
        "kai@example.org",
        "web",
        &messages,
    );
    let id = a.id;
    let t = owner.token.as_str();
    let mut longer = messages.clone();
    longer.push(customer_says("It says error 500 every time."));
    let steps: Vec<(&str, Step<'_>)> = vec![
        (
            "PATCH {}",
            Box::new(|v| patch(&runner, t, &id, &json!({}), Some(v))),
        ),
        (
            "PATCH priority",
            Box::new(|v| patch(&runner, t, &id, &json!({"priority": "urgent"}), Some(v))),
        ),
        (
            "note",
            Box::new(|_| note(&runner, t, &id, "Asked billing.")),
        ),
        (
            "close",
            Box::new(|v| close_with(&runner, t, &id, "Sent the PDF by email.", Some(v))),
        ),
        (
            "reopen",
            Box::new(|v| reopen_with(&runner, t, &id, Some(v))),
        ),
        (
            "appended message",
            Box::new(|_| {
                escalate(
                    &runner,
                    &bot,
                    "versions-1",
                    "Kai Moreau",
                    "kai@example.org",
                    "web",
                    &longer,
                )
            }),
        ),
    ];
    let mut failures = Vec::new();
    for (name, step) in &steps {
        let before = detail(&runner, t, &id);
        let r = step(version(&before));
        assert!(r.status < 500, "{name}: {}", describe(&r));
        let after = detail(&runner, t, &id);
        let (v0, v1) = (version(&before), version(&after));
        let (e0, e1) = (event_kinds(&before).len(), event_kinds(&after).len());
        if v1 != v0 && e1 == e0 {
            failures.push(format!(
                "{name}: {} and version {v0} -> {v1} without an event",
                r.status
            ));
        }
        if e1 != e0 && v1 == v0 {
            failures.push(format!("{name}: an event without a new version"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// The built-in AI across languages, safety and the team's corrections

fn created_id(r: &Reply) -> String {
    expect_json(r, 201)["assist_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A Spanish chat: detected as Spanish, listed and filtered by language,
/// with the summary and the suggested reply in Spanish and the summary also
/// in English for the team; "shorter" keeps the agent's facts.
#[test]
fn a_spanish_chat_gets_a_spanish_reply() {
    let (runner, owner, bot) = world("ws-ai-spanish");
    let messages = [
        customer_says(
            "Hola, me cobraron dos veces el pedido 48213 y necesito que me devuelvan el dinero.",
        ),
        assistant_says("Lo siento mucho. ¿Podría indicarme la fecha del cargo?"),
        customer_says("Fue ayer. Quiero hablar con una persona, por favor."),
    ];
    let id = created_id(&escalate(
        &runner,
        &bot,
        "es-1",
        "Lucía Gómez",
        "lucia@example.es",
        "web",
        &messages,
    ));
    let d = detail(&runner, &owner.token, &id);
    assert_eq!(d["language"], "es", "{}", d["ai"]);
    assert_eq!(d["ai"]["language"]["value"], "es");
    let reply = d["ai"]["suggested_reply"]["text"].as_str().unwrap();
    assert!(
        reply.starts_with("Hola Lucía") || reply.contains("Lucía"),
        "{reply}"
    );
    assert!(
        !reply.contains("Hi ") && !reply.contains("Best regards"),
        "{reply}"
    );
    assert!(
        d["ai"]["summary_team"]
            .as_str()
            .is_some_and(|s| s.contains("order 48213")),
        "{}",
        d["ai"]
    );
    assert!(
        d["ai"]["escalation"]["escalate"].as_bool().unwrap(),
        "{}",
        d["ai"]
    );
    assert_eq!(
        list_ids(&runner, &owner.token, "language=es"),
        [id.as_str()]
    );
    assert!(list_ids(&runner, &owner.token, "language=de").is_empty());
    let r = call(
        &runner,
        "GET",
        &list_path("language=xx"),
        None,
        Some(&owner.token),
    );
    expect_invalid(&r, &["language"]);
    let shorter = draft(
        &runner,
        &owner.token,
        &id,
        &json!({"mode": "shorter", "text": "Hola Lucía,\n\nHe devuelto 49,90 EUR del pedido 48213. Llegará en 5 días. Gracias por escribirnos.\n\nUn saludo"}),
    );
    for fact in ["49,90", "48213", "5 días"] {
        assert!(shorter.contains(fact), "{fact} dropped: {shorter}");
    }
}

/// A charger that sparked: a safety hand-off, Urgent, tagged, and a reply
/// that says what to do now, whatever the bot's own confidence.
#[test]
fn a_safety_chat_is_urgent_with_a_hand_off() {
    let (runner, owner, bot) = world("ws-ai-safety");
    let messages = [
        customer_says(
            "The charger I bought sparked and left a burn mark on my desk, there is still a burning smell.",
        ),
        assistant_says("Thanks for your patience with your order! Is there anything else?"),
    ];
    let id = created_id(&escalate(
        &runner,
        &bot,
        "safe-1",
        "Sam Lee",
        "sam@example.com",
        "web",
        &messages,
    ));
    let d = detail(&runner, &owner.token, &id);
    assert_eq!(d["priority"], "urgent", "{}", d["ai"]);
    assert!(
        d["tags"].as_array().unwrap().iter().any(|t| t == "safety"),
        "{}",
        d["tags"]
    );
    let esc = &d["ai"]["escalation"];
    assert_eq!(esc["escalate"], true, "{esc}");
    assert_eq!(esc["trigger"]["kind"], "sensitive", "{esc}");
    let reply = d["ai"]["suggested_reply"]["text"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(
        reply.contains("stop using") || reply.contains("unplug"),
        "{reply}"
    );
    assert!(!reply.contains("patience"), "{reply}");
}

/// A correction teaches the workspace: after an agent files a kind of
/// message under another category, the next similar one follows.
#[test]
fn a_correction_changes_the_next_similar_prediction() {
    let (runner, owner, bot) = world("ws-ai-learn");
    let story =
        "The Zorblax gadget blinks purple and the Zorblax hub keeps flashing purple lights.";
    let first = created_id(&escalate(
        &runner,
        &bot,
        "zb-1",
        "Ana Silva",
        "ana@example.com",
        "web",
        &[customer_says(story), customer_says("a person please")],
    ));
    let predicted = detail(&runner, &owner.token, &first)["category"]
        .as_str()
        .unwrap()
        .to_string();
    let target = if predicted == "feedback" {
        "sales"
    } else {
        "feedback"
    };
    patch_now(&runner, &owner.token, &first, &json!({"category": target}));
    let second = created_id(&escalate(
        &runner,
        &bot,
        "zb-2",
        "Bo Chen",
        "bo@example.com",
        "web",
        &[
            customer_says(
                "My Zorblax hub is flashing purple lights and the Zorblax gadget blinks.",
            ),
            customer_says("a person please"),
        ],
    ));
    let d = detail(&runner, &owner.token, &second);
    assert_eq!(d["category"], target, "{}", d["ai"]["category"]);
    assert_eq!(
        d["ai"]["category"]["source"], "built-in+team",
        "{}",
        d["ai"]["category"]
    );
    assert!(
        d["ai"]["team_adjusted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "category")
    );
    // An unrelated conversation is not pulled along.
    let third = created_id(&escalate(
        &runner,
        &bot,
        "zb-3",
        "Cy Diaz",
        "cy@example.com",
        "web",
        &[customer_says(
            "I cannot log in, the password reset email never arrives. I need a human.",
        )],
    ));
    assert_eq!(
        detail(&runner, &owner.token, &third)["category"],
        "account_login"
    );
}

/// The bot handed off though nothing in the chat asks for a person: the
/// reason says so truthfully, or gives the bot's own reason.
#[test]
fn a_handed_off_assist_says_why() {
    let (runner, owner, bot) = world("ws-ai-reason");
    let quiet = [customer_says("What are your opening hours on Sunday?")];
    let id = created_id(&escalate(
        &runner,
        &bot,
        "why-1",
        "Di Ross",
        "di@example.com",
        "web",
        &quiet,
    ));
    let reason = detail(&runner, &owner.token, &id)["ai"]["escalation"]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !reason.contains("nothing calls for a person yet"),
        "{reason}"
    );
    assert!(reason.contains("handed"), "{reason}");
    let r = call(
        &runner,
        "POST",
        "/v1/escalations",
        Some(&json!({
            "session_id": "why-2", "messages": quiet, "confirmed": true,
            "customer": {"name": "Di Ross", "email": "di@example.com"},
            "reason": "the customer asked about a store we do not list",
        })),
        Some(&bot.key),
    );
    let id = created_id(&r);
    let reason = detail(&runner, &owner.token, &id)["ai"]["escalation"]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("a store we do not list"), "{reason}");
}
