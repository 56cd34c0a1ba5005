//! Escalation (docs/escalation.md), end to end under the runner with
//! Baton's own spin.toml: the check, creating Assists idempotently per
//! session, the details a hand-off needs, bot-key auth, CORS, the rate
//! limit, size limits, customer context and the stored analysis.

use std::time::Duration;

use baton_e2e::*;
use serde_json::{Value, json};

const OWNER_NAME: &str = "Olivia Owner";
const OWNER_EMAIL: &str = "olivia@example.com";
const OWNER_PASSWORD: &str = "violet-anchor-47-tundra";

const SHOP: &str = "https://shop.example.com";
const EVIL: &str = "https://evil.example";
const TEAM: &str = "Shop Helpers";

const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];
const CATEGORIES: [&str; 9] = [
    "billing",
    "refund",
    "technical",
    "account_login",
    "order_shipping",
    "sales",
    "cancellation",
    "feedback",
    "general",
];
const SENTIMENTS: [&str; 4] = ["positive", "neutral", "negative", "frustrated"];

// ---------------------------------------------------------------------------
// HTTP helpers

/// A request to `path` with an optional raw body, bearer token and Origin.
fn send(
    runner: &Runner,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
    origin: Option<&str>,
) -> Reply {
    let origin: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
    send_as(runner, method, path, body, token, &origin)
}

fn check(runner: &Runner, key: &str, body: &Value) -> Reply {
    call(
        runner,
        "POST",
        "/v1/escalations/check",
        Some(body),
        Some(key),
    )
}

fn create(runner: &Runner, key: &str, body: &Value) -> Reply {
    call(runner, "POST", "/v1/escalations", Some(body), Some(key))
}

fn context(runner: &Runner, key: &str, query: &str) -> Reply {
    call(
        runner,
        "GET",
        &format!("/v1/customers/context{query}"),
        None,
        Some(key),
    )
}

// ---------------------------------------------------------------------------
// Scenario helpers

/// A runner whose escalation rate limit is high enough not to interfere.
fn start(tag: &str) -> Runner {
    start_with_limit(tag, 100_000)
}

fn start_with_limit(tag: &str, per_minute: u32) -> Runner {
    RunnerOptions::new("spin.toml", tag)
        .variable("escalation_rate_limit_per_minute", &per_minute.to_string())
        .variable("encryption_key", "escalation-tests-key-0123456789abcdef")
        .start()
}

/// A customer token for `email` on `bot`, minted as a chat AI's server
/// would (here with the owner's session).
fn customer_token(runner: &Runner, session: &str, bot: &Bot, email: &str) -> String {
    let r = call(
        runner,
        "POST",
        &format!("/v1/bots/{}/customer-tokens", bot.id),
        Some(&json!({"email": email})),
        Some(session),
    );
    expect_json(&r, 201)["customer_token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn by_token(token: &str) -> String {
    format!("?customer_token={}", token.replace('=', "%3D"))
}

/// Creates the owner and returns their session token.
fn setup_owner(runner: &Runner) -> String {
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
    assert!(token.starts_with("bts_"), "{token}");
    token
}

struct Bot {
    id: String,
    key: String,
}

/// Creates a bot allowed on the shop's origin; returns its id and key.
fn create_bot(runner: &Runner, session: &str, name: &str, team: &str) -> Bot {
    let r = call(
        runner,
        "POST",
        "/v1/bots",
        Some(&json!({"name": name, "allowed_origins": [SHOP], "support_team_name": team})),
        Some(session),
    );
    let body = expect_json(&r, 201);
    let key = body["public_key"]
        .as_str()
        .unwrap_or_else(|| panic!("no public_key: {body}"))
        .to_string();
    assert!(key.starts_with("pk_"), "{key}");
    let id = match &body["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("no bot id ({other}): {body}"),
    };
    Bot { id, key }
}

/// A runner with an owner and one bot.
fn with_bot(tag: &str) -> (Runner, String, Bot) {
    let runner = start(tag);
    let session = setup_owner(&runner);
    let bot = create_bot(&runner, &session, "Shop chat", TEAM);
    (runner, session, bot)
}

fn customer(text: &str) -> Value {
    json!({"role": "customer", "text": text})
}

fn assistant(text: &str) -> Value {
    json!({"role": "assistant", "text": text})
}

/// A realistic double-charge chat that ends with a request for a person.
fn double_charge_chat() -> Vec<Value> {
    vec![
        customer(
            "Hi, I was charged twice for my monthly subscription. There are two identical \
             payments of $49.00 on my credit card statement from March 3.",
        ),
        assistant(
            "I'm sorry about the double charge. I can see one subscription on your account. \
             Could you tell me the last four digits of the card?",
        ),
        customer("It ends in 4417. Can I talk to a real person about getting this fixed?"),
    ]
}

fn ana() -> Value {
    json!({"name": "Ana Souza", "email": "ana@example.com", "phone": "+1 415 555 0132"})
}

fn create_body(session_id: &str, messages: &[Value], customer: Value) -> Value {
    json!({
        "session_id": session_id,
        "messages": messages,
        "customer": customer,
        "confirmed": true,
        "channel": "web",
        "metadata": {"page": "/checkout"},
    })
}

/// Asserts a create answer's shape; returns (assist_id, reference).
fn assert_created(body: &Value) -> (String, String) {
    let id = body["assist_id"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| panic!("no assist_id: {body}"))
        .to_string();
    let reference = body["reference"]
        .as_str()
        .unwrap_or_else(|| panic!("no reference: {body}"))
        .to_string();
    assert_reference(&reference);
    assert_eq!(body["status"], "open", "{body}");
    assert!(
        body["priority"]
            .as_str()
            .is_some_and(|p| PRIORITIES.contains(&p)),
        "priority: {body}"
    );
    assert!(
        body["category"]
            .as_str()
            .is_some_and(|c| CATEGORIES.contains(&c)),
        "category: {body}"
    );
    assert!(body["appended_messages"].is_u64(), "{body}");
    (id, reference)
}

/// `^AS-[0-9A-HJKMNP-TV-Z]{6}$`: Crockford base32 without I, L, O, U.
fn assert_reference(r: &str) {
    let code = r
        .strip_prefix("AS-")
        .unwrap_or_else(|| panic!("reference {r:?} does not start with AS-"));
    assert_eq!(code.len(), 6, "reference {r:?}");
    assert!(
        code.bytes()
            .all(|b| (b.is_ascii_digit() || b.is_ascii_uppercase()) && !b"ILOU".contains(&b)),
        "reference {r:?} is not Crockford base32"
    );
}

// ---------------------------------------------------------------------------
// SQLite

fn db(runner: &Runner) -> rusqlite::Connection {
    let path = runner.state_dir.join("sqlite_db.db");
    assert!(path.exists(), "no database at {}", path.display());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}

fn count(runner: &Runner, sql: &str, params: &[&dyn rusqlite::ToSql]) -> i64 {
    db(runner)
        .query_row(sql, params, |row| row.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn assists_count(runner: &Runner) -> i64 {
    count(runner, "SELECT COUNT(*) FROM assists", &[])
}

fn messages_of(runner: &Runner, assist_id: &str) -> i64 {
    count(
        runner,
        "SELECT COUNT(*) FROM messages WHERE assist_id = ?1",
        &[&assist_id],
    )
}

// ---------------------------------------------------------------------------
// 1. The check

/// Asserts an escalating check with this trigger kind; returns the body.
fn expect_escalation(r: &Reply, kind: &str) -> Value {
    let body = expect_json(r, 200);
    assert_eq!(body["escalate"], true, "{body}");
    assert_eq!(body["trigger"]["kind"], kind, "{body}");
    assert!(
        body["confidence"]
            .as_f64()
            .is_some_and(|c| (0.0..=1.0).contains(&c)),
        "confidence: {body}"
    );
    assert!(
        body["reason"]
            .as_str()
            .is_some_and(|s| !s.trim().is_empty()),
        "reason: {body}"
    );
    assert_prompt(&body);
    body
}

fn assert_prompt(body: &Value) {
    let prompt = body["prompt"]
        .as_str()
        .unwrap_or_else(|| panic!("no prompt: {body}"));
    assert!(!prompt.trim().is_empty(), "empty prompt: {body}");
    assert!(
        prompt.contains(TEAM),
        "the prompt does not name the support team {TEAM:?}: {body}"
    );
}

#[test]
fn check_decides_whether_to_hand_off_and_what_is_missing() {
    let (runner, _, bot) = with_bot("esc-check");
    let key = &bot.key;

    // A request for a person, no customer details: both are missing.
    let body = expect_escalation(
        &check(
            &runner,
            key,
            &json!({"messages": [
                customer("My parcel still hasn't arrived."),
                assistant("I'm sorry! It shows as in transit."),
                customer("can I talk to a real person"),
            ]}),
        ),
        "phrase",
    );
    assert_eq!(body["missing"], json!(["name", "email"]), "{body}");
    assert!(
        body["trigger"]["phrase"]
            .as_str()
            .is_some_and(|p| !p.is_empty()),
        "a phrase trigger names its phrase: {body}"
    );

    // A typo still counts as asking for a person.
    let body = expect_escalation(
        &check(
            &runner,
            key,
            &json!({"messages": [customer("can I talk to a real persn please")]}),
        ),
        "phrase",
    );
    assert_eq!(body["missing"], json!(["name", "email"]), "{body}");

    // Sensitive topics win over everything, and name their topic.
    let with_ana = json!({"name": "Ana Souza", "email": "ana@example.com"});
    for text in [
        "This is the third time you've billed me wrongly. My lawyer will be in touch.",
        "Someone hacked my account and changed my password, I can't get in.",
    ] {
        let body = expect_escalation(
            &check(
                &runner,
                key,
                &json!({"messages": [customer(text)], "ai_confidence": 0.9, "customer": with_ana}),
            ),
            "sensitive",
        );
        assert!(
            body["trigger"]["topic"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "a sensitive trigger names its topic: {body}"
        );
        assert_eq!(body["missing"], json!([]), "{text}: {body}");
        let prompt = body["prompt"].as_str().unwrap();
        assert!(
            prompt.contains("ana@example.com"),
            "the prompt confirms the email: {body}"
        );
    }

    // A lawyer outranks an explicit request for a person.
    expect_escalation(
        &check(
            &runner,
            key,
            &json!({"messages": [customer(
                "I want to speak to a real person now or my lawyer will hear about this."
            )]}),
        ),
        "sensitive",
    );

    // Low confidence on a neutral question.
    let body = expect_escalation(
        &check(
            &runner,
            key,
            &json!({"messages": [customer("Does the blue rain jacket come in a size for kids?")],
                    "ai_confidence": 0.2}),
        ),
        "low_confidence",
    );
    assert_eq!(body["missing"], json!(["name", "email"]), "{body}");

    // A confident answer to a simple question: no hand-off.
    let r = check(
        &runner,
        key,
        &json!({"messages": [customer("What time do you open on Saturdays?")],
                "ai_confidence": 0.95, "customer": with_ana}),
    );
    let body = expect_json(&r, 200);
    assert_eq!(body["escalate"], false, "{body}");
    assert_eq!(body["trigger"], Value::Null, "{body}");
    assert_eq!(body["missing"], json!([]), "{body}");
    assert!(body["reason"].is_string(), "{body}");
    assert_prompt(&body);

    // Details found in the messages count; an invalid email is missing.
    let body = expect_escalation(
        &check(
            &runner,
            key,
            &json!({"messages": [customer("can I talk to a real person")],
                    "customer": {"name": "Ana Souza", "email": "ana@gmail"}}),
        ),
        "phrase",
    );
    assert_eq!(body["missing"], json!(["email"]), "{body}");
    let body = expect_escalation(
        &check(
            &runner,
            key,
            &json!({"messages": [customer(
                "I need a human. I'm Ana Souza, my email is ana@example.com"
            )]}),
        ),
        "phrase",
    );
    assert_eq!(body["missing"], json!([]), "{body}");

    // The check stores nothing.
    assert_eq!(assists_count(&runner), 0);
}

// ---------------------------------------------------------------------------
// 2. Creating an Assist

#[test]
fn create_is_idempotent_per_session_and_finds_the_customer() {
    let (runner, _, bot) = with_bot("esc-create");
    let key = &bot.key;
    let chat = double_charge_chat();

    let r = create(&runner, key, &create_body("chat-7f3a", &chat, ana()));
    let first = expect_json(&r, 201);
    let (assist_id, reference) = assert_created(&first);
    assert_eq!(first["appended_messages"], 3, "{first}");
    assert_eq!(first["category"], "billing", "{first}");
    assert_eq!(messages_of(&runner, &assist_id), 3);

    // A retry: the same Assist, nothing appended.
    let again = expect_json(
        &create(&runner, key, &create_body("chat-7f3a", &chat, ana())),
        200,
    );
    assert_eq!(again["assist_id"], assist_id.as_str(), "{again}");
    assert_eq!(again["reference"], reference.as_str(), "{again}");
    assert_eq!(again["appended_messages"], 0, "{again}");
    for field in ["status", "priority", "category"] {
        assert_eq!(again[field], first[field], "{field}: {again} vs {first}");
    }
    assert_eq!(messages_of(&runner, &assist_id), 3);

    // The whole transcript plus one more message: one appended.
    let mut longer = chat.clone();
    longer.push(assistant("Of course, I'm passing you to the team now."));
    let body = expect_json(
        &create(&runner, key, &create_body("chat-7f3a", &longer, ana())),
        200,
    );
    assert_eq!(body["assist_id"], assist_id.as_str(), "{body}");
    assert_eq!(body["appended_messages"], 1, "{body}");
    assert_eq!(messages_of(&runner, &assist_id), 4);

    // Just the newest message: one appended.
    let newest = [customer(
        "Thanks. The second charge is still pending on my card.",
    )];
    let body = expect_json(
        &create(&runner, key, &create_body("chat-7f3a", &newest, ana())),
        200,
    );
    assert_eq!(body["assist_id"], assist_id.as_str(), "{body}");
    assert_eq!(body["appended_messages"], 1, "{body}");
    assert_eq!(messages_of(&runner, &assist_id), 5);

    // Resending everything seen so far appends nothing.
    let mut all = longer.clone();
    all.extend(newest.iter().cloned());
    let body = expect_json(
        &create(&runner, key, &create_body("chat-7f3a", &all, ana())),
        200,
    );
    assert_eq!(body["appended_messages"], 0, "{body}");
    assert_eq!(messages_of(&runner, &assist_id), 5);

    // The stored transcript keeps the order it was received in.
    let conn = db(&runner);
    let mut stmt = conn
        .prepare("SELECT role, text FROM messages WHERE assist_id = ?1 ORDER BY seq")
        .unwrap();
    let stored: Vec<(String, String)> = stmt
        .query_map([&assist_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected: Vec<(String, String)> = all
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_string(),
                m["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(stored, expected);
    drop(stmt);
    drop(conn);

    // Another chat of the same customer (email in another case, a newer
    // name): a new Assist, the same customer.
    let second_chat = [
        customer("Hello again, my order #48213 hasn't arrived and it's been two weeks."),
        customer("Please let me talk to a person."),
    ];
    let r = create(
        &runner,
        key,
        &create_body(
            "chat-8b2c",
            &second_chat,
            json!({"name": "Ana S. Souza", "email": "Ana@Example.com"}),
        ),
    );
    let second = expect_json(&r, 201);
    let (second_id, second_ref) = assert_created(&second);
    assert_ne!(second_id, assist_id, "{second}");
    assert_ne!(second_ref, reference, "{second}");
    assert_eq!(second["appended_messages"], 2, "{second}");

    assert_eq!(assists_count(&runner), 2);
    assert_eq!(messages_of(&runner, &assist_id), 5);
    assert_eq!(messages_of(&runner, &second_id), 2);
    assert_eq!(
        count(
            &runner,
            "SELECT COUNT(*) FROM customers WHERE lower(email) = 'ana@example.com'",
            &[]
        ),
        1,
        "one customer row for one email"
    );
    assert_eq!(count(&runner, "SELECT COUNT(*) FROM customers", &[]), 1);
    let (name, phone): (String, Option<String>) = db(&runner)
        .query_row(
            "SELECT name, phone FROM customers WHERE email = 'ana@example.com'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        name, "Ana Souza",
        "a bot key (public) cannot rename an existing customer"
    );
    assert_eq!(
        phone.as_deref(),
        Some("+1 415 555 0132"),
        "the phone is kept"
    );
    let same_customer = count(
        &runner,
        "SELECT COUNT(DISTINCT customer_id) FROM assists",
        &[],
    );
    assert_eq!(same_customer, 1);

    // Each Assist has exactly one `created` event.
    for id in [&assist_id, &second_id] {
        assert_eq!(
            count(
                &runner,
                "SELECT COUNT(*) FROM assist_events WHERE assist_id = ?1 AND kind = 'created'",
                &[id]
            ),
            1,
            "created events of {id}"
        );
    }
}

#[test]
fn concurrent_retries_of_one_session_create_one_assist() {
    let (runner, _, bot) = with_bot("esc-race");
    let body = create_body("chat-race", &double_charge_chat(), ana()).to_string();
    let url = runner.url("/v1/escalations");
    let auth = format!("Bearer {}", bot.key);
    let replies: Vec<Reply> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    send_raw(
                        "POST",
                        &url,
                        Some(&body),
                        &[("authorization", auth.as_str())],
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "exactly one creates: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        7,
        "the others find it: {statuses:?}"
    );
    let ids: Vec<Value> = replies
        .iter()
        .map(|r| r.json()["assist_id"].clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let appended: u64 = replies
        .iter()
        .map(|r| r.json()["appended_messages"].as_u64().unwrap())
        .sum();
    assert_eq!(appended, 3, "the transcript is stored once");
    assert_eq!(assists_count(&runner), 1);
    assert_eq!(count(&runner, "SELECT COUNT(*) FROM messages", &[]), 3);
    assert_eq!(count(&runner, "SELECT COUNT(*) FROM customers", &[]), 1);
}

// ---------------------------------------------------------------------------
// 3. Details the hand-off needs

#[test]
fn create_without_confirmed_details_is_422_and_stores_nothing() {
    let (runner, _, bot) = with_bot("esc-422");
    let key = &bot.key;
    let chat = double_charge_chat();
    let body_with = |customer: Value, confirmed: Option<bool>| {
        let mut b = create_body("chat-422", &chat, customer);
        match confirmed {
            Some(c) => b["confirmed"] = json!(c),
            None => {
                b.as_object_mut().unwrap().remove("confirmed");
            }
        }
        b
    };

    type Case = (&'static str, Value, Vec<&'static str>, Value);
    let cases: Vec<Case> = vec![
        (
            "missing customer.name",
            body_with(json!({"email": "ana@example.com"}), Some(true)),
            vec!["customer.name"],
            json!(["name"]),
        ),
        (
            "blank customer.name",
            body_with(
                json!({"name": "  ", "email": "ana@example.com"}),
                Some(true),
            ),
            vec!["customer.name"],
            json!(["name"]),
        ),
        (
            "invalid email",
            body_with(
                json!({"name": "Ana Souza", "email": "ana@gmail"}),
                Some(true),
            ),
            vec!["customer.email"],
            json!(["email"]),
        ),
        (
            "missing customer",
            {
                let mut b = body_with(json!({}), Some(true));
                b.as_object_mut().unwrap().remove("customer");
                b
            },
            vec!["customer.name", "customer.email"],
            json!(["name", "email"]),
        ),
        (
            "confirmed false",
            body_with(ana(), Some(false)),
            vec!["confirmed"],
            json!([]),
        ),
        (
            "confirmed missing",
            body_with(ana(), None),
            vec!["confirmed"],
            json!([]),
        ),
        (
            "nothing confirmed and no email",
            body_with(json!({"name": "Ana Souza"}), None),
            vec!["customer.email", "confirmed"],
            json!(["email"]),
        ),
    ];
    for (what, body, fields, missing) in &cases {
        let r = create(&runner, key, body);
        assert_eq!(r.status, 422, "{what}: {}", describe(&r));
        let p = expect_invalid_exact(&r, fields);
        assert_eq!(&p["missing"], missing, "{what}: {p}");
        let prompt = p["prompt"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no prompt: {p}"));
        assert!(!prompt.trim().is_empty(), "{what}: {p}");
        assert!(prompt.contains(TEAM), "{what}: {p}");
    }

    // Other invalid fields are 422 too, naming each.
    let bad: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "bad session_id",
            {
                let mut b = create_body("chat 7f3a!", &chat, ana());
                b["channel"] = json!("fax");
                b
            },
            vec!["session_id", "channel"],
        ),
        (
            "missing session_id",
            {
                let mut b = create_body("x", &chat, ana());
                b.as_object_mut().unwrap().remove("session_id");
                b
            },
            vec!["session_id"],
        ),
        (
            "overlong session_id",
            create_body(&"s".repeat(201), &chat, ana()),
            vec!["session_id"],
        ),
        (
            "metadata not an object",
            {
                let mut b = create_body("chat-422", &chat, ana());
                b["metadata"] = json!(["page"]);
                b
            },
            vec!["metadata"],
        ),
        (
            "metadata over 8 KiB",
            {
                let mut b = create_body("chat-422", &chat, ana());
                b["metadata"] = json!({"blob": "x".repeat(9000)});
                b
            },
            vec!["metadata"],
        ),
    ];
    for (what, body, fields) in &bad {
        let r = create(&runner, key, body);
        assert_eq!(r.status, 422, "{what}: {}", describe(&r));
        expect_invalid_exact(&r, fields);
    }

    // Nothing at all was stored.
    assert_eq!(assists_count(&runner), 0);
    assert_eq!(count(&runner, "SELECT COUNT(*) FROM customers", &[]), 0);
    assert_eq!(count(&runner, "SELECT COUNT(*) FROM messages", &[]), 0);
    assert_eq!(count(&runner, "SELECT COUNT(*) FROM assist_events", &[]), 0);

    // Once confirmed, the same session creates its Assist.
    let r = create(&runner, key, &body_with(ana(), Some(true)));
    let body = expect_json(&r, 201);
    assert_created(&body);
    assert_eq!(assists_count(&runner), 1);
}

// ---------------------------------------------------------------------------
// 4. Bot keys

#[test]
fn escalation_routes_need_a_current_bot_key() {
    let (runner, session, bot) = with_bot("esc-auth");
    let check_body = json!({"messages": [customer("can I talk to a real person")]});
    let create_b = create_body("chat-auth", &double_charge_chat(), ana());

    // An API token is not a bot key either.
    let r = call(
        &runner,
        "POST",
        "/v1/tokens",
        Some(&json!({"name": "CRM sync", "role": "support"})),
        Some(&session),
    );
    let api_token = expect_json(&r, 201)["token"].as_str().unwrap().to_string();

    let bogus = format!("pk_{}", "A".repeat(43));
    for (what, token) in [
        ("no key", None),
        ("bogus key", Some(bogus.as_str())),
        ("garbage", Some("garbage")),
        ("session token", Some(session.as_str())),
        ("API token", Some(api_token.as_str())),
    ] {
        for (method, path, body) in [
            ("POST", "/v1/escalations/check", Some(&check_body)),
            ("POST", "/v1/escalations", Some(&create_b)),
            ("GET", "/v1/customers/context?email=ana%40example.com", None),
        ] {
            let r = call(&runner, method, path, body, token);
            assert_eq!(r.status, 401, "{what} {method} {path}: {}", describe(&r));
            expect_unauthorized(&r);
        }
    }
    // A key sent another way than Bearer.
    let basic = format!("Basic {}", bot.key);
    let r = send_raw(
        "POST",
        &runner.url("/v1/escalations/check"),
        Some(&check_body.to_string()),
        &[("authorization", &basic)],
    );
    expect_unauthorized(&r);
    assert_eq!(assists_count(&runner), 0);

    // The key works; after a rotation only the new one does.
    expect_json(&check(&runner, &bot.key, &check_body), 200);
    let r = call(
        &runner,
        "POST",
        &format!("/v1/bots/{}/rotate-key", bot.id),
        None,
        Some(&session),
    );
    let rotated = expect_json(&r, 200);
    let new_key = rotated["public_key"]
        .as_str()
        .unwrap_or_else(|| panic!("no public_key: {rotated}"))
        .to_string();
    assert!(new_key.starts_with("pk_"), "{rotated}");
    assert_ne!(new_key, bot.key);

    expect_unauthorized(&check(&runner, &bot.key, &check_body));
    expect_unauthorized(&create(&runner, &bot.key, &create_b));
    expect_unauthorized(&context(&runner, &bot.key, "?email=ana%40example.com"));
    assert_eq!(assists_count(&runner), 0);

    expect_json(&check(&runner, &new_key, &check_body), 200);
    assert_created(&expect_json(&create(&runner, &new_key, &create_b), 201));
    expect_json(&context(&runner, &new_key, "?session_id=chat-auth"), 200);
    assert_eq!(assists_count(&runner), 1);
}

// ---------------------------------------------------------------------------
// 5. CORS

#[test]
fn cors_allows_only_the_bots_origins() {
    let (runner, _, bot) = with_bot("esc-cors");
    let key = bot.key.as_str();
    let check_body = json!({"messages": [customer("can I talk to a real person")]}).to_string();
    let create_b = create_body("chat-cors", &double_charge_chat(), ana()).to_string();

    // Allowed origin: the answer echoes it.
    let r = send(
        &runner,
        "POST",
        "/v1/escalations/check",
        Some(&check_body),
        Some(key),
        Some(SHOP),
    );
    expect_json(&r, 200);
    assert_eq!(
        r.get_header("access-control-allow-origin"),
        Some(SHOP),
        "{}",
        describe(&r)
    );

    // Other origins, including look-alikes, are refused and store nothing.
    for origin in [
        EVIL,
        "http://shop.example.com",
        "https://shop.example.com.evil.example",
        "https://evil.shop.example.com",
        "null",
    ] {
        for (method, path, body) in [
            ("POST", "/v1/escalations/check", Some(check_body.as_str())),
            ("POST", "/v1/escalations", Some(create_b.as_str())),
            ("GET", "/v1/customers/context?email=ana%40example.com", None),
        ] {
            let r = send(&runner, method, path, body, Some(key), Some(origin));
            assert_eq!(r.status, 403, "{origin} {method} {path}: {}", describe(&r));
            expect_problem(&r, 403);
            assert_ne!(
                r.get_header("access-control-allow-origin"),
                Some(origin),
                "{}",
                describe(&r)
            );
        }
    }
    assert_eq!(assists_count(&runner), 0);

    // Create and context from the allowed origin.
    let r = send(
        &runner,
        "POST",
        "/v1/escalations",
        Some(&create_b),
        Some(key),
        Some(SHOP),
    );
    assert_created(&expect_json(&r, 201));
    assert_eq!(r.get_header("access-control-allow-origin"), Some(SHOP));
    let r = send(
        &runner,
        "GET",
        "/v1/customers/context?session_id=chat-cors",
        None,
        Some(key),
        Some(SHOP),
    );
    expect_json(&r, 200);
    assert_eq!(r.get_header("access-control-allow-origin"), Some(SHOP));

    // Preflights (no key) for each path.
    for path in [
        "/v1/escalations",
        "/v1/escalations/check",
        "/v1/customers/context",
    ] {
        let url = runner.url(path);
        let r = send_raw(
            "OPTIONS",
            &url,
            None,
            &[
                ("origin", SHOP),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization, content-type",
                ),
            ],
        );
        assert_eq!(r.status, 204, "preflight {path}: {}", describe(&r));
        assert_eq!(
            r.get_header("access-control-allow-origin"),
            Some(SHOP),
            "{}",
            describe(&r)
        );
        let methods = r
            .get_header("access-control-allow-methods")
            .unwrap_or_else(|| panic!("no allow-methods: {}", describe(&r)))
            .to_ascii_uppercase();
        assert!(methods.contains("POST"), "{methods}");
        assert!(methods.contains("GET"), "{methods}");
        let allowed = r
            .get_header("access-control-allow-headers")
            .unwrap_or_else(|| panic!("no allow-headers: {}", describe(&r)))
            .to_ascii_lowercase();
        assert!(allowed.contains("authorization"), "{allowed}");
        assert!(allowed.contains("content-type"), "{allowed}");

        let r = send_raw(
            "OPTIONS",
            &url,
            None,
            &[("origin", EVIL), ("access-control-request-method", "POST")],
        );
        assert_eq!(
            r.status,
            403,
            "preflight {path} from evil: {}",
            describe(&r)
        );
        assert!(
            r.get_header("access-control-allow-origin").is_none(),
            "{}",
            describe(&r)
        );
    }
}

// ---------------------------------------------------------------------------
// 6. Rate limit

#[test]
fn the_sixth_request_in_a_minute_is_429() {
    let runner = start_with_limit("esc-rate", 5);
    let session = setup_owner(&runner);
    let bot = create_bot(&runner, &session, "Shop chat", TEAM);
    let other = create_bot(&runner, &session, "Other chat", TEAM);
    let body = json!({"messages": [customer("What time do you open?")], "ai_confidence": 0.9});

    let wait_for_fresh_minute = || {
        let into = now_secs().rem_euclid(60);
        if into > 50 {
            std::thread::sleep(Duration::from_secs((61 - into) as u64));
        }
    };
    let mut attempts = 0;
    loop {
        attempts += 1;
        wait_for_fresh_minute();
        let minute = now_secs().div_euclid(60);
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(check(&runner, &bot.key, &body).status);
        }
        let sixth = check(&runner, &bot.key, &body);
        let at = now_secs();
        if at.div_euclid(60) != minute {
            assert!(attempts < 2, "the minute flipped twice during the test");
            // Start again in a minute of its own.
            std::thread::sleep(Duration::from_secs((61 - at.rem_euclid(60)) as u64));
            continue;
        }
        assert_eq!(statuses, vec![200; 5], "the first five pass");
        expect_problem(&sixth, 429);
        let retry: i64 = sixth
            .get_header("retry-after")
            .unwrap_or_else(|| panic!("429 without Retry-After: {}", describe(&sixth)))
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("Retry-After not a number ({e}): {}", describe(&sixth)));
        assert!(
            (1..=60).contains(&retry),
            "Retry-After {retry}: {}",
            describe(&sixth)
        );
        let expected = 60 - at.rem_euclid(60);
        assert!(
            (retry - expected).abs() <= 2,
            "Retry-After {retry}, expected about {expected} (to the next minute)"
        );

        // The limit covers every escalation route, and a limited create
        // stores nothing.
        expect_problem(
            &create(
                &runner,
                &bot.key,
                &create_body("chat-rate", &double_charge_chat(), ana()),
            ),
            429,
        );
        expect_problem(&context(&runner, &bot.key, "?email=ana%40example.com"), 429);
        assert_eq!(assists_count(&runner), 0);

        // Another bot has its own budget.
        let r = check(&runner, &other.key, &body);
        if now_secs().div_euclid(60) == minute {
            expect_json(&r, 200);
        }
        break;
    }
}

// ---------------------------------------------------------------------------
// 7. Sizes and malformed bodies

#[test]
fn oversized_and_malformed_bodies_are_refused() {
    let (runner, _, bot) = with_bot("esc-limits");
    let key = bot.key.as_str();
    let raw = |path: &str, body: &str| send(&runner, "POST", path, Some(body), Some(key), None);

    // A body of the right shape for each route.
    let shaped = |path: &str, messages: &[Value]| -> Value {
        if path == "/v1/escalations" {
            create_body("chat-limits", messages, ana())
        } else {
            json!({"messages": messages, "customer": ana()})
        }
    };
    for path in ["/v1/escalations/check", "/v1/escalations"] {
        // A body over 256 KiB (valid JSON, padded).
        let padded = format!(
            "{{\"messages\": [{{\"role\": \"customer\", \"text\": \"hi\"}}]{}}}",
            " ".repeat(256 * 1024)
        );
        expect_problem(&raw(path, &padded), 413);
        // Over 256 KiB of real messages, each under the per-message limit.
        let many_big: Vec<Value> = (0..30).map(|_| customer(&"a".repeat(9_500))).collect();
        let big = shaped(path, &many_big).to_string();
        assert!(big.len() > 256 * 1024);
        expect_problem(&raw(path, &big), 413);

        // 501 messages, a 10,001-character message.
        let m501: Vec<Value> = (0..501)
            .map(|i| customer(&format!("message {i}")))
            .collect();
        expect_problem(&raw(path, &shaped(path, &m501).to_string()), 413);
        let long = [customer(&"b".repeat(10_001))];
        expect_problem(&raw(path, &shaped(path, &long).to_string()), 413);

        // Malformed JSON and non-object bodies: 400.
        expect_problem(&raw(path, "{not json"), 400);
        expect_problem(&raw(path, "{\"messages\": ["), 400);
        expect_problem(&raw(path, "\"hello\""), 400);
        expect_problem(&raw(path, "[1, 2]"), 400);

        // Invalid fields: 422 naming them.
        let mut unknown = shaped(path, &double_charge_chat());
        unknown["colour"] = json!("blue");
        expect_invalid_exact(&raw(path, &unknown.to_string()), &["colour"]);
        let bot_role = shaped(
            path,
            &[json!({"role": "bot", "text": "Hello! How can I help?"})],
        );
        expect_invalid_exact(&raw(path, &bot_role.to_string()), &["messages[0].role"]);
        let mut no_messages = shaped(path, &[]);
        no_messages.as_object_mut().unwrap().remove("messages");
        expect_invalid_exact(&raw(path, &no_messages.to_string()), &["messages"]);
        expect_invalid_exact(&raw(path, &shaped(path, &[]).to_string()), &["messages"]);
        let blank_text = shaped(
            path,
            &[
                customer("Hello"),
                json!({"role": "assistant", "text": "  "}),
            ],
        );
        expect_invalid_exact(&raw(path, &blank_text.to_string()), &["messages[1].text"]);
    }
    let (check_path, create_path) = ("/v1/escalations/check", "/v1/escalations");
    // Check-only fields.
    let r = raw(
        check_path,
        &json!({"messages": [customer("hi")], "ai_confidence": 1.5}).to_string(),
    );
    expect_invalid_exact(&r, &["ai_confidence"]);
    let r = raw(
        check_path,
        &json!({"messages": [customer("hi")], "ai_confidence": "high"}).to_string(),
    );
    expect_invalid_exact(&r, &["ai_confidence"]);
    let r = raw(
        check_path,
        &json!({"messages": [customer("hi")], "session_id": "chat-1"}).to_string(),
    );
    expect_invalid_exact(&r, &["session_id"]);
    assert_eq!(assists_count(&runner), 0);

    // The limits themselves are accepted: 500 messages, 10,000 characters
    // (counted as characters, not bytes).
    let m500: Vec<Value> = (0..500)
        .map(|i| customer(&format!("message {i}")))
        .collect();
    let r = raw(
        check_path,
        &json!({"messages": m500, "ai_confidence": 0.9}).to_string(),
    );
    expect_json(&r, 200);
    let r = raw(
        check_path,
        &json!({"messages": [customer(&"b".repeat(10_000))]}).to_string(),
    );
    expect_json(&r, 200);
    let r = raw(
        check_path,
        &json!({"messages": [customer(&"é".repeat(10_000))]}).to_string(),
    );
    expect_json(&r, 200);
    let r = raw(
        create_path,
        &create_body("chat-500", &m500, ana()).to_string(),
    );
    let body = expect_json(&r, 201);
    assert_eq!(body["appended_messages"], 500, "{body}");
    assert_eq!(assists_count(&runner), 1);
}

// ---------------------------------------------------------------------------
// 8. Customer context

#[test]
fn customer_context_shows_this_bots_earlier_assists() {
    let runner = start("esc-context");
    let session = setup_owner(&runner);
    let bot = create_bot(&runner, &session, "Shop chat", TEAM);
    let other = create_bot(&runner, &session, "Docs chat", "Docs Team");

    let r = create(
        &runner,
        &bot.key,
        &create_body("chat-ctx-1", &double_charge_chat(), ana()),
    );
    let (_, first_ref) = assert_created(&expect_json(&r, 201));

    // The public key alone reads nobody's history by email.
    let p = expect_problem(&context(&runner, &bot.key, "?email=ana%40example.com"), 403);
    assert!(
        p["detail"].as_str().unwrap().contains("customer_token"),
        "{p}"
    );

    // With the session id only: that session's Assist, no text.
    let body = expect_json(&context(&runner, &bot.key, "?session_id=chat-ctx-1"), 200);
    assert_eq!(
        body["assists"][0]["reference"],
        first_ref.as_str(),
        "{body}"
    );
    assert!(body["assists"][0].get("summary").is_none(), "{body}");
    assert_eq!(body["customer"], Value::Null, "{body}");
    let body = expect_json(&context(&runner, &bot.key, "?session_id=someone-else"), 200);
    assert_eq!(body["assists"], json!([]), "{body}");

    let token = customer_token(&runner, &session, &bot, "Ana@Example.COM");
    let body = expect_json(&context(&runner, &bot.key, &by_token(&token)), 200);
    assert_eq!(body["customer"]["name"], "Ana Souza", "{body}");
    assert_eq!(body["customer"]["email"], "ana@example.com", "{body}");
    let assists = body["assists"]
        .as_array()
        .unwrap_or_else(|| panic!("no assists array: {body}"));
    assert_eq!(assists.len(), 1, "{body}");
    assert_eq!(assists[0]["reference"], first_ref.as_str(), "{body}");
    assert_eq!(assists[0]["status"], "open", "{body}");
    assert!(
        assists[0]["summary"]
            .as_str()
            .is_some_and(|s| !s.trim().is_empty()),
        "{body}"
    );
    assert!(
        assists[0]["category"]
            .as_str()
            .is_some_and(|c| CATEGORIES.contains(&c)),
        "{body}"
    );
    assert!(
        assists[0]["priority"]
            .as_str()
            .is_some_and(|p| PRIORITIES.contains(&p)),
        "{body}"
    );

    // A later Assist comes first.
    std::thread::sleep(Duration::from_millis(1100));
    let r = create(
        &runner,
        &bot.key,
        &create_body(
            "chat-ctx-2",
            &[customer(
                "My order #48213 never arrived. Can I talk to a real person?",
            )],
            ana(),
        ),
    );
    let (_, second_ref) = assert_created(&expect_json(&r, 201));
    let body = expect_json(&context(&runner, &bot.key, &by_token(&token)), 200);
    let refs: Vec<&str> = body["assists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [second_ref.as_str(), first_ref.as_str()], "{body}");

    // The token is this bot's: another bot's key cannot use it, and that
    // bot's own token for the customer shows none of these Assists.
    expect_problem(&context(&runner, &other.key, &by_token(&token)), 401);
    let other_token = customer_token(&runner, &session, &other, "ana@example.com");
    let body = expect_json(&context(&runner, &other.key, &by_token(&other_token)), 200);
    assert_eq!(body, json!({"customer": null, "assists": []}));

    // A token with another email under the same signature is refused.
    let forged = {
        let mut parts: Vec<&str> = token.splitn(3, '.').collect();
        parts[1] = "Ym9iQGV4YW1wbGUuY29t"; // bob@example.com
        parts.join(".")
    };
    expect_problem(&context(&runner, &bot.key, &by_token(&forged)), 401);

    // Unknown customer; nothing to go on.
    let nobody = customer_token(&runner, &session, &bot, "nobody@example.com");
    let body = expect_json(&context(&runner, &bot.key, &by_token(&nobody)), 200);
    assert_eq!(body, json!({"customer": null, "assists": []}));
    expect_invalid_exact(&context(&runner, &bot.key, ""), &["customer_token"]);
    // Minting needs a member or API token, and a valid email.
    let r = call(
        &runner,
        "POST",
        &format!("/v1/bots/{}/customer-tokens", bot.id),
        Some(&json!({"email": "ana@example.com"})),
        Some(&bot.key),
    );
    expect_unauthorized(&r);
    let r = call(
        &runner,
        "POST",
        &format!("/v1/bots/{}/customer-tokens", bot.id),
        Some(&json!({"email": "not-an-email", "ttl_seconds": 5})),
        Some(&session),
    );
    expect_invalid_exact(&r, &["email", "ttl_seconds"]);
}

// ---------------------------------------------------------------------------
// 9. The stored analysis

#[test]
fn the_stored_analysis_is_complete_and_personal() {
    let (runner, _, bot) = with_bot("esc-analysis");
    let chat = [
        customer("Hi, my order #48213 was supposed to arrive last Friday and it still isn't here."),
        assistant(
            "I'm sorry to hear that! The tracking shows the parcel left our warehouse on Monday.",
        ),
        customer(
            "That doesn't help, I need it for my daughter's birthday on Saturday. \
             Can I talk to a real person please?",
        ),
    ];
    let mut body = create_body(
        "chat-analysis",
        &chat,
        json!({"name": "Maria Lopez", "email": "maria.lopez@example.com", "phone": "+1 415 555 0199"}),
    );
    body["channel"] = json!("mobile");
    let r = create(&runner, &bot.key, &body);
    let created = expect_json(&r, 201);
    let (assist_id, reference) = assert_created(&created);
    assert_eq!(created["category"], "order_shipping", "{created}");

    let conn = db(&runner);
    let row: (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    ) = conn
        .query_row(
            "SELECT reference, status, channel, category, priority, summary, suggested_reply, \
             analysis, metadata FROM assists WHERE id = ?1",
            [&assist_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            },
        )
        .unwrap();
    let (db_ref, status, channel, category, priority, summary, reply, analysis, metadata) = row;
    assert_eq!(db_ref, reference);
    assert_eq!(status, "open");
    assert_eq!(channel, "mobile");
    assert_eq!(category, created["category"].as_str().unwrap());
    assert_eq!(priority, created["priority"].as_str().unwrap());
    let metadata: Value = serde_json::from_str(&metadata).unwrap();
    assert_eq!(metadata, json!({"page": "/checkout"}));
    let a: Value = serde_json::from_str(&analysis)
        .unwrap_or_else(|e| panic!("analysis is not JSON ({e}): {analysis}"));

    // Summary.
    let s = a["summary"]
        .as_str()
        .unwrap_or_else(|| panic!("no summary: {a}"));
    assert!(!s.trim().is_empty(), "{a}");
    assert_eq!(s, summary, "the summary column matches the analysis");
    assert!(s.contains("48213"), "the summary names the order: {s}");

    // Scored fields: value, confidence, factors, source.
    for field in ["category", "priority", "sentiment"] {
        let f = &a[field];
        assert!(
            f["confidence"]
                .as_f64()
                .is_some_and(|c| (0.0..=1.0).contains(&c)),
            "{field}.confidence: {f}"
        );
        assert!(f["factors"].is_array(), "{field}.factors: {f}");
        assert_eq!(f["source"], "built-in", "{field}: {f}");
    }
    assert_eq!(a["category"]["value"], category.as_str(), "{a}");
    assert!(
        a["category"]["factors"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "category.factors is empty: {a}"
    );
    assert_eq!(a["priority"]["value"], priority.as_str(), "{a}");
    assert!(
        a["priority"]["factors"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "priority.factors is empty: {a}"
    );
    assert!(
        a["sentiment"]["value"]
            .as_str()
            .is_some_and(|v| SENTIMENTS.contains(&v)),
        "sentiment.value: {a}"
    );

    // The escalation decision.
    assert_eq!(a["escalation"]["escalate"], true, "{a}");
    assert_eq!(a["escalation"]["trigger"]["kind"], "phrase", "{a}");
    assert!(
        a["escalation"]["reason"]
            .as_str()
            .is_some_and(|r| !r.trim().is_empty()),
        "escalation.reason: {a}"
    );

    // The suggested reply: personal and specific.
    let text = a["suggested_reply"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no suggested_reply.text: {a}"));
    assert!(text.starts_with("Hi Maria,"), "suggested reply: {text:?}");
    assert!(
        text.contains("48213"),
        "the reply names the order: {text:?}"
    );
    assert_eq!(text, reply, "the suggested_reply column matches");

    // Details.
    assert_eq!(a["details"]["order_numbers"], json!(["48213"]), "{a}");
    assert_eq!(a["details"]["email"], "maria.lopez@example.com", "{a}");
    assert_eq!(a["details"]["name"], "Maria Lopez", "{a}");

    // The order number is kept on the customer.
    let identifiers: String = conn
        .query_row(
            "SELECT identifiers FROM customers WHERE email = 'maria.lopez@example.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let identifiers: Value = serde_json::from_str(&identifiers).unwrap();
    assert!(
        identifiers
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "order", "value": "48213"})),
        "{identifiers}"
    );
}

// ---------------------------------------------------------------------------
// Known problems (see the report); un-ignore once fixed.

/// A widget in the browser can only read an error answer (the 422's
/// `missing` and `prompt`, the 429's `Retry-After`) if it carries
/// `Access-Control-Allow-Origin` for the allowed origin.
#[test]
fn error_answers_to_an_allowed_origin_carry_cors() {
    let (runner, _, bot) = with_bot("esc-cors-errors");
    let body = json!({
        "session_id": "chat-cors-422",
        "messages": [customer("can I talk to a real person")],
        "customer": {"name": "Ana Souza"},
    })
    .to_string();
    let r = send(
        &runner,
        "POST",
        "/v1/escalations",
        Some(&body),
        Some(&bot.key),
        Some(SHOP),
    );
    let p = expect_invalid_exact(&r, &["customer.email", "confirmed"]);
    assert!(p["prompt"].is_string(), "{p}");
    assert_eq!(
        r.get_header("access-control-allow-origin"),
        Some(SHOP),
        "{}",
        describe(&r)
    );
}

/// A public key should not reveal who a customer of another bot is.
#[test]
fn another_bots_key_learns_nothing_about_the_customer() {
    let runner = start("esc-context-leak");
    let session = setup_owner(&runner);
    let bot = create_bot(&runner, &session, "Shop chat", TEAM);
    let other = create_bot(&runner, &session, "Docs chat", "Docs Team");
    let r = create(
        &runner,
        &bot.key,
        &create_body("chat-leak", &double_charge_chat(), ana()),
    );
    assert_created(&expect_json(&r, 201));
    expect_problem(
        &context(&runner, &other.key, "?email=ana%40example.com"),
        403,
    );
    let token = customer_token(&runner, &session, &other, "ana@example.com");
    let body = expect_json(&context(&runner, &other.key, &by_token(&token)), 200);
    assert_eq!(body, json!({"customer": null, "assists": []}));
}

/// Behind a trusted proxy the limit keys on the client the proxy saw (the
/// rightmost X-Forwarded-For entry), not on the proxy's one address; what
/// a client prepends to the header changes nothing.
#[test]
fn rate_limits_key_on_the_client_behind_a_trusted_proxy() {
    let runner = RunnerOptions::new("spin.toml", "esc-proxy")
        .variable("escalation_rate_limit_per_minute", "3")
        .variable("trusted_proxy_header", "X-Forwarded-For")
        .start();
    let session = setup_owner(&runner);
    let bot = create_bot(&runner, &session, "Shop chat", TEAM);
    let body = json!({"messages": [customer("hello")]}).to_string();
    let from = |xff: &str| {
        send_raw(
            "POST",
            &runner.url("/v1/escalations/check"),
            Some(&body),
            &[
                ("authorization", &format!("Bearer {}", bot.key)),
                ("content-type", "application/json"),
                ("x-forwarded-for", xff),
            ],
        )
        .status
    };
    // Counts are per minute window: a run that straddles a boundary is
    // repeated with fresh addresses.
    for attempt in 0..3 {
        let minute = now_secs().div_euclid(60);
        let a: Vec<u16> = (0..4)
            .map(|i| from(&format!("10.9.9.{i}, 203.0.113.{attempt}")))
            .collect();
        let b: Vec<u16> = (0..3)
            .map(|_| from(&format!("198.51.100.{attempt}")))
            .collect();
        if now_secs().div_euclid(60) != minute {
            continue;
        }
        assert_eq!(a, [200, 200, 200, 429], "spoofed entries do not buy budget");
        assert_eq!(b, [200, 200, 200], "another client has its own budget");
        return;
    }
    panic!("three runs straddled a minute boundary");
}
