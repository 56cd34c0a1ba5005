//! Fills a state dir with realistic data: N Assists (default 100,000) over a
//! few thousand customers, created through the same escalation code the app
//! runs, with messages, events and search rows; then a realistic mix of
//! statuses, assignees and read state. Also creates the Owner
//! (`owner@example.com` / `correct horse battery staple`) and one bot.
//!
//!     cargo run --profile host -p baton-e2e --bin baton-seed -- --state-dir DIR [--assists N] [--customers M]

use baton_core::api::{self, Request};
use baton_core::db::testing::SqliteDb;
use baton_core::env::testing::{CountingRandom, MemKv};
use baton_core::env::{Ctx, Settings};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;

pub const OWNER_EMAIL: &str = "owner@example.com";
pub const OWNER_PASSWORD: &str = "correct horse battery staple";

const FIRST: &[&str] = &[
    "Ana", "Tom", "Priya", "Lukas", "Chloé", "Sam", "Maria", "Kenji", "Fatima", "Olivia", "Noah",
    "Aisha", "Diego", "Mei", "Jonas", "Sofia", "Liam", "Zara", "Ivan", "Grace",
];
const LAST: &[&str] = &[
    "Souza", "Baker", "Sharma", "Becker", "Martin", "Turner", "Garcia", "Tanaka", "Al-Sayed",
    "Brown", "Okafor", "Khan", "Rossi", "Chen", "Weber", "Silva", "Murphy", "Novak", "Ivanova",
    "Lee",
];

/// (customer opening, assistant reply, customer follow-up); `{o}` is an order number.
const CHATS: &[(&str, &str, &str)] = &[
    (
        "I was charged twice for my subscription this month",
        "I'm sorry about that! Let me look at your billing.",
        "it's still showing two payments, can I talk to a person?",
    ),
    (
        "where is my order #{o}? it was supposed to arrive last week",
        "It shows as in transit with the courier.",
        "it's been stuck there for 6 days, I need a real person",
    ),
    (
        "the app crashes every time I open the dashboard",
        "Have you tried reinstalling the app?",
        "yes, twice. still crashing. this is ridiculous",
    ),
    (
        "I can't log in, the reset password link never arrives",
        "Please check your spam folder.",
        "nothing there. I'm locked out and need access today",
    ),
    (
        "I'd like a refund for order {o}, the jacket doesn't fit",
        "You can start a return from your account page.",
        "I did but it won't let me, can someone help?",
    ),
    (
        "please cancel my subscription, I no longer need it",
        "I can offer you 50% off for three months.",
        "no thanks, just cancel it please",
    ),
    (
        "can I get a quote for 40 seats on the enterprise plan?",
        "Our enterprise plans are tailored to each team.",
        "ok, can a representative email me the quote?",
    ),
    (
        "just wanted to say your support team is amazing",
        "Thank you so much for the kind words!",
        "you're welcome, keep it up",
    ),
    (
        "what are your opening hours on bank holidays?",
        "Most stores open 10am to 4pm on bank holidays.",
        "and the one in croydon? I need a human answer",
    ),
    (
        "someone logged into my account from another country",
        "Please change your password right away.",
        "done, but they already changed my email. I need help now",
    ),
    (
        "my package arrived damaged, order {o}, the box was crushed",
        "I'm sorry! Could you send a photo?",
        "sent it. I want a replacement, talk to an agent please",
    ),
    (
        "the invoice for order {o} shows the wrong VAT number",
        "I can help you update your billing details.",
        "it needs a corrected invoice, please connect me to billing",
    ),
];

fn now_secs_at_start() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn main() {
    let mut state_dir = None;
    let mut assists = 100_000usize;
    let mut customers = 3_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--state-dir" => state_dir = args.next().map(PathBuf::from),
            "--assists" => {
                assists = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--assists N")
            }
            "--customers" => {
                customers = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--customers M")
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let state_dir = state_dir.expect("--state-dir DIR");
    std::fs::create_dir_all(&state_dir).expect("state dir");
    let path = state_dir.join("sqlite_db.db");
    if path.exists() {
        panic!(
            "{} already exists; seed into a fresh state dir",
            path.display()
        );
    }
    let started = Instant::now();
    let conn = rusqlite::Connection::open(&path).expect("open database");
    // Seeding only: nothing is lost if the machine crashes mid-seed.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .expect("pragmas");
    let db = SqliteDb(conn);
    baton_core::migrate::ensure_migrated(&db, now_secs_at_start()).expect("migrations");
    let kv = MemKv::default();
    let random = CountingRandom::default();
    let day_ms = 86_400_000i64;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let start_ms = now_ms - 90 * day_ms;
    let settings = Settings {
        escalation_rate_limit: u32::MAX,
        ..Settings::default()
    };
    let ctx_at = |ms: i64| Ctx {
        db: &db,
        kv: &kv,
        random: &random,
        now_ms: ms,
        client_ip: None,
        settings: settings.clone(),
    };
    let call = |ctx: &Ctx,
                handler: fn(&Ctx, &Request) -> api::Response,
                method: &str,
                path: &str,
                token: &str,
                body: &Value| {
        let body = body.to_string();
        let headers = vec![("authorization".to_string(), format!("Bearer {token}"))];
        let res = handler(
            ctx,
            &Request {
                method,
                path,
                query: "",
                headers,
                body: body.as_bytes(),
            },
        );
        let json: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
        assert!(res.status < 300, "{method} {path}: {} {json}", res.status);
        json
    };
    let ctx = ctx_at(start_ms);
    let owner = call(
        &ctx,
        api::handle,
        "POST",
        "/v1/setup",
        "",
        &json!({"name": "Olive Owner", "email": OWNER_EMAIL, "password": OWNER_PASSWORD}),
    );
    let token = owner["token"].as_str().unwrap_or_default().to_string();
    let bot = call(
        &ctx,
        api::handle,
        "POST",
        "/v1/bots",
        &token,
        &json!({"name": "Shop chat", "support_team_name": "Support"}),
    );
    let key = bot["public_key"].as_str().unwrap_or_default().to_string();
    for i in 0..assists {
        let (first, second, third) = CHATS[i % CHATS.len()];
        let c = (i * 7919) % customers;
        let name = format!(
            "{} {}",
            FIRST[c % FIRST.len()],
            LAST[(c / FIRST.len()) % LAST.len()]
        );
        let email = format!("customer{c}@example.com");
        let order = format!("{}", 10_000 + (i * 37) % 90_000);
        let ctx = ctx_at(start_ms + (i as i64) * 90 * day_ms / assists.max(1) as i64);
        let body = json!({
            "session_id": format!("seed-{i}"),
            "messages": [
                {"role": "customer", "text": format!("Hi, I'm {}. {}", name.split(' ').next().unwrap_or(""), first.replace("{o}", &order))},
                {"role": "assistant", "text": second},
                {"role": "customer", "text": third.replace("{o}", &order)},
            ],
            "customer": {"name": name, "email": email},
            "confirmed": true,
            "channel": if i % 5 == 0 { "mobile" } else { "web" },
        });
        call(
            &ctx,
            api::handle_escalation,
            "POST",
            "/v1/escalations",
            &key,
            &body,
        );
        if (i + 1) % 10_000 == 0 {
            eprintln!(
                "{} Assists in {:.1} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    // A realistic mix: most closed, some pending, some assigned, with resolutions.
    let owner_id = owner["user"]["id"].as_str().unwrap_or_default().to_string();
    for sql in [
        "UPDATE assists SET status = 'closed', closed_at = created_at + 7200, resolution = 'Answered and resolved by the team.' WHERE rowid % 100 < 60",
        "UPDATE assists SET status = 'pending' WHERE rowid % 100 BETWEEN 60 AND 74",
        "UPDATE assists SET brand_label = 'Acme Outlet' WHERE rowid % 9 = 0",
    ] {
        db.0.execute(sql, []).expect("mix");
    }
    db.0.execute(
        "UPDATE assists SET assignee_id = ?1 WHERE rowid % 7 = 0",
        [&owner_id],
    )
    .expect("assign");
    db.0.execute("PRAGMA wal_checkpoint(TRUNCATE)", []).ok();
    let n: i64 =
        db.0.query_row("SELECT COUNT(*) FROM assists", [], |r| r.get(0))
            .unwrap_or(0);
    let m: i64 =
        db.0.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
            .unwrap_or(0);
    let cust: i64 =
        db.0.query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
            .unwrap_or(0);
    println!(
        "seeded {} with {n} Assists, {cust} customers, {m} messages in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
}
