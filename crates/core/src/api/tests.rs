//! The API natively, over an in-memory SQLite database: fast checks of the
//! rules; the end-to-end tests run the same code as wasm under the runner.

use super::*;
use crate::db::Db;
use crate::db::testing::SqliteDb;
use crate::env::Settings;
use crate::env::testing::{CountingRandom, MemKv};
use serde_json::{Value as Json, json};

pub(crate) struct Harness {
    db: SqliteDb,
    kv: MemKv,
    random: CountingRandom,
    pub now_ms: std::cell::Cell<i64>,
}

impl Harness {
    pub fn new() -> Harness {
        let db = SqliteDb::memory();
        crate::migrate::ensure_migrated(&db, 0).unwrap();
        Harness {
            db,
            kv: MemKv::default(),
            random: CountingRandom::default(),
            now_ms: std::cell::Cell::new(1_800_000_000_000),
        }
    }

    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Json) -> (u16, Json) {
        self.call_with(handle, method, path, token, body)
    }

    pub fn call_with(
        &self,
        handler: fn(&Ctx, &Request) -> Response,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Json,
    ) -> (u16, Json) {
        self.exchange(handler, method, path, token, body, &[])
    }

    /// One request through `handler` with this harness's database, clock
    /// and stores; extra headers after the bearer token.
    fn exchange(
        &self,
        handler: fn(&Ctx, &Request) -> Response,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Json,
        extra: &[(&str, &str)],
    ) -> (u16, Json) {
        let ctx = Ctx {
            db: &self.db,
            kv: &self.kv,
            random: &self.random,
            now_ms: self.now_ms.get(),
            client_ip: Some("127.0.0.1".into()),
            settings: Settings::default(),
        };
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let mut headers = Vec::new();
        if let Some(t) = token {
            headers.push(("authorization".to_string(), format!("Bearer {t}")));
        }
        headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let req = Request {
            method,
            path,
            query,
            headers,
            body: body.as_bytes(),
        };
        let res = handler(&ctx, &req);
        let json = serde_json::from_slice(&res.body).unwrap_or(Json::Null);
        (res.status, json)
    }

    pub fn setup(&self) -> String {
        let (s, b) = self.call(
            "POST",
            "/v1/setup",
            None,
            json!({"name": "Olive Owner", "email": "olive@example.com", "password": "correct horse battery"}),
        );
        assert_eq!(s, 201, "{b}");
        b["token"].as_str().unwrap().to_string()
    }

    /// Invites and accepts a member; returns (user id, session token).
    pub fn member(&self, owner: &str, email: &str, role: &str) -> (String, String) {
        let (s, inv) = self.call(
            "POST",
            "/v1/team/invitations",
            Some(owner),
            json!({"email": email, "name": email, "role": role}),
        );
        assert_eq!(s, 201, "{inv}");
        let path = format!("/v1/invitations/{}/accept", inv["token"].as_str().unwrap());
        let (s, sess) = self.call(
            "POST",
            &path,
            None,
            json!({"password": "another long secret"}),
        );
        assert_eq!(s, 201, "{sess}");
        (
            sess["user"]["id"].as_str().unwrap().into(),
            sess["token"].as_str().unwrap().into(),
        )
    }
}

#[test]
fn setup_once_then_conflict() {
    let h = Harness::new();
    let token = h.setup();
    let (s, me) = h.call("GET", "/v1/me", Some(&token), Json::Null);
    assert_eq!((s, me["user"]["role"].as_str()), (200, Some("owner")));
    let (s, p) = h.call(
        "POST",
        "/v1/setup",
        None,
        json!({"name": "X", "email": "x@example.com", "password": "correct horse battery"}),
    );
    assert_eq!(s, 409, "{p}");
}

#[test]
fn setup_validation_names_fields_and_stores_nothing() {
    let h = Harness::new();
    let (s, p) = h.call(
        "POST",
        "/v1/setup",
        None,
        json!({"name": "", "email": "nope", "password": "short", "extra": 1}),
    );
    assert_eq!(s, 422);
    assert_eq!(
        p["errors"][0]["field"], "extra",
        "unknown fields are refused first: {p}"
    );
    let (s, p) = h.call(
        "POST",
        "/v1/setup",
        None,
        json!({"name": "", "email": "nope", "password": "short"}),
    );
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "email", "password"]);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("10 to 128 characters")
    );
    h.setup();
}

#[test]
fn login_errors_are_identical_and_throttled() {
    let h = Harness::new();
    h.setup();
    let (s1, wrong_pw) = h.call(
        "POST",
        "/v1/auth/login",
        None,
        json!({"email": "olive@example.com", "password": "wrong password!"}),
    );
    let (s2, no_user) = h.call(
        "POST",
        "/v1/auth/login",
        None,
        json!({"email": "nobody@example.com", "password": "wrong password!"}),
    );
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(wrong_pw["detail"], no_user["detail"]);
    for _ in 0..4 {
        h.call(
            "POST",
            "/v1/auth/login",
            None,
            json!({"email": "olive@example.com", "password": "wrong password!"}),
        );
    }
    let (s, p) = h.call(
        "POST",
        "/v1/auth/login",
        None,
        json!({"email": "olive@example.com", "password": "correct horse battery"}),
    );
    assert_eq!(s, 429, "{p}");
    h.now_ms.set(h.now_ms.get() + 31_000);
    let (s, _) = h.call(
        "POST",
        "/v1/auth/login",
        None,
        json!({"email": "OLIVE@example.com", "password": "correct horse battery"}),
    );
    assert_eq!(s, 200, "the lock expires and emails are case-insensitive");
}

#[test]
fn sessions_expire_and_log_out() {
    let h = Harness::new();
    let token = h.setup();
    assert_eq!(
        h.call("POST", "/v1/auth/logout", Some(&token), Json::Null)
            .0,
        204
    );
    let (s, p) = h.call("GET", "/v1/me", Some(&token), Json::Null);
    assert_eq!(s, 401);
    assert!(p["detail"].as_str().unwrap().contains("signed out"));
    let (_, b) = h.call(
        "POST",
        "/v1/auth/login",
        None,
        json!({"email": "olive@example.com", "password": "correct horse battery"}),
    );
    let token = b["token"].as_str().unwrap().to_string();
    h.now_ms
        .set(h.now_ms.get() + Settings::default().session_ttl_seconds * 1000);
    let (s, p) = h.call("GET", "/v1/me", Some(&token), Json::Null);
    assert_eq!(s, 401);
    assert!(p["detail"].as_str().unwrap().contains("expired"));
}

#[test]
fn last_owner_is_protected() {
    let h = Harness::new();
    let owner = h.setup();
    let (_, me) = h.call("GET", "/v1/me", Some(&owner), Json::Null);
    let id = me["user"]["id"].as_str().unwrap();
    let path = format!("/v1/team/{id}");
    assert_eq!(
        h.call("PATCH", &path, Some(&owner), json!({"role": "admin"}))
            .0,
        409
    );
    assert_eq!(h.call("DELETE", &path, Some(&owner), Json::Null).0, 409);
    let (admin_id, admin) = h.member(&owner, "ada@example.com", "admin");
    assert_eq!(
        h.call("PATCH", &path, Some(&admin), json!({"role": "admin"}))
            .0,
        403
    );
    let admin_path = format!("/v1/team/{admin_id}");
    assert_eq!(
        h.call("PATCH", &admin_path, Some(&owner), json!({"role": "owner"}))
            .0,
        200
    );
    assert_eq!(
        h.call("PATCH", &path, Some(&owner), json!({"role": "admin"}))
            .0,
        200
    );
}

#[test]
fn tokens_cannot_outrank_their_creator() {
    let h = Harness::new();
    let owner = h.setup();
    let (_, admin) = h.member(&owner, "ada@example.com", "admin");
    assert_eq!(
        h.call(
            "POST",
            "/v1/tokens",
            Some(&admin),
            json!({"name": "ci", "role": "owner"})
        )
        .0,
        403
    );
    let (s, t) = h.call(
        "POST",
        "/v1/tokens",
        Some(&admin),
        json!({"name": "ci", "role": "manager"}),
    );
    assert_eq!(s, 201);
    let token = t["token"].as_str().unwrap();
    assert_eq!(h.call("GET", "/v1/team", Some(token), Json::Null).0, 200);
    assert_eq!(h.call("GET", "/v1/bots", Some(token), Json::Null).0, 403);
    let (_, list) = h.call("GET", "/v1/tokens", Some(&owner), Json::Null);
    assert!(list["tokens"][0].get("token").is_none(), "shown once only");
}

#[test]
fn bot_validation_changes_nothing() {
    let h = Harness::new();
    let owner = h.setup();
    let (s, bot) = h.call(
        "POST",
        "/v1/bots",
        Some(&owner),
        json!({"name": "Shop bot", "allowed_origins": ["https://shop.example.com"]}),
    );
    assert_eq!(s, 201, "{bot}");
    assert_eq!(bot["confidence_threshold"], 0.6);
    let path = format!("/v1/bots/{}", bot["id"].as_str().unwrap());
    let (s, p) = h.call(
        "PATCH",
        &path,
        Some(&owner),
        json!({"name": "Renamed", "confidence_threshold": 1.5}),
    );
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "confidence_threshold");
    let (_, after) = h.call("GET", &path, Some(&owner), Json::Null);
    assert_eq!(after["name"], "Shop bot");
}

#[test]
fn every_openapi_operation_is_routed() {
    let spec = include_str!("../../../../docs/openapi.yaml");
    let h = Harness::new();
    let mut path = None;
    let mut checked = 0;
    for line in spec.lines() {
        if let Some(p) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
            path = Some(
                format!("/{p}")
                    .replace("{id}", "x")
                    .replace("{token}", "x")
                    .replace("{format}", "postmark")
                    .replace("{secret}", "x"),
            );
            continue;
        }
        if !line.starts_with("    ") || line.starts_with("     ") {
            if !line.starts_with(' ') {
                path = None;
            }
            continue;
        }
        let method = line.trim().trim_end_matches(':').to_ascii_uppercase();
        // The health check, the outbox drain, connecting an importer and
        // import runs are answered by their components (they use the
        // host's stores and outbound HTTP).
        let by_component = |p: &str| {
            p == "/v1/health"
                || p == "/v1/outbox/drain"
                || p.starts_with("/v1/integrations/voice")
                || p.starts_with("/hooks/voice/")
                || (method == "POST"
                    && p.starts_with("/v1/integrations/importers")
                    && !p.ends_with("/runs"))
        };
        if let Some(p) = path.as_ref().filter(|p| !by_component(p))
            && ["GET", "POST", "PATCH", "DELETE", "OPTIONS"].contains(&method.as_str())
        {
            let (mut status, mut body) = if p.starts_with("/hooks/email/") {
                h.call_with(super::inbound_email::handle, &method, p, None, Json::Null)
            } else if p.starts_with("/v1/integrations/importers") {
                h.call_with(super::importers::handle, &method, p, None, Json::Null)
            } else {
                h.call(&method, p, None, Json::Null)
            };
            if status == 404 && !p.starts_with("/csat/") {
                (status, body) = h.call_with(handle_escalation, &method, p, None, Json::Null);
            }
            let routed = status != 405
                && !(status == 404
                    && body["detail"]
                        .as_str()
                        .is_some_and(|d| d.starts_with("No resource")));
            assert!(
                routed,
                "{method} {p} is in docs/openapi.yaml but not routed ({status} {body})"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} operations found in the spec");
}

fn bot_key(h: &Harness, owner: &str) -> String {
    let (s, bot) = h.call(
        "POST",
        "/v1/bots",
        Some(owner),
        json!({"name": "Shop", "support_team_name": "Care"}),
    );
    assert_eq!(s, 201);
    bot["public_key"].as_str().unwrap().to_string()
}

fn escalation_body(session: &str) -> Json {
    json!({
        "session_id": session,
        "messages": [
            {"role": "customer", "text": "Hi, my order #48213 never arrived"},
            {"role": "assistant", "text": "Sorry to hear that! It shows as shipped."},
            {"role": "customer", "text": "I want to talk to a person"}
        ],
        "customer": {"name": "Ana Souza", "email": "Ana@Example.com"},
        "confirmed": true
    })
}

#[test]
fn escalations_create_once_and_append() {
    let h = Harness::new();
    let owner = h.setup();
    let key = bot_key(&h, &owner);
    let (s, first) = h.call_with(
        handle_escalation,
        "POST",
        "/v1/escalations",
        Some(&key),
        escalation_body("s-1"),
    );
    assert_eq!(s, 201, "{first}");
    assert!(first["reference"].as_str().unwrap().starts_with("AS-"));
    assert_eq!(first["category"], "order_shipping");
    let (s, again) = h.call_with(
        handle_escalation,
        "POST",
        "/v1/escalations",
        Some(&key),
        escalation_body("s-1"),
    );
    assert_eq!(s, 200);
    assert_eq!(again["assist_id"], first["assist_id"]);
    assert_eq!(again["appended_messages"], 0);
    let mut more = escalation_body("s-1");
    more["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "customer", "text": "hello??"}));
    let (_, appended) = h.call_with(
        handle_escalation,
        "POST",
        "/v1/escalations",
        Some(&key),
        more,
    );
    assert_eq!(appended["appended_messages"], 1);
    let count = h.db.execute("SELECT COUNT(*) FROM messages", &[]).unwrap();
    assert_eq!(count.scalar(), Some(&crate::db::Value::Integer(4)));
    let (s, _) = h.call_with(
        handle_escalation,
        "GET",
        "/v1/customers/context?email=ana%40example.com",
        Some(&key),
        Json::Null,
    );
    assert_eq!(s, 403, "a public key is no read credential by email");
    let (s, ctx) = h.call_with(
        handle_escalation,
        "GET",
        "/v1/customers/context?session_id=s-1",
        Some(&key),
        Json::Null,
    );
    assert_eq!(s, 200);
    assert_eq!(ctx["assists"][0]["reference"], first["reference"]);
    assert!(ctx["assists"][0].get("summary").is_none(), "{ctx}");
}

fn escalate_as(
    h: &Harness,
    key: &str,
    session: &str,
    name: &str,
    email: &str,
    phone: Option<&str>,
    text: &str,
) -> (u16, Json) {
    h.call_with(
        handle_escalation,
        "POST",
        "/v1/escalations",
        Some(key),
        json!({"session_id": session, "messages": [{"role": "customer", "text": text}],
               "customer": {"name": name, "email": email, "phone": phone}, "confirmed": true}),
    )
}

#[test]
fn sessions_belong_to_their_customer_and_closed_ones_reopen() {
    let h = Harness::new();
    let owner = h.setup();
    let key = bot_key(&h, &owner);
    let (s, first) = escalate_as(
        &h,
        &key,
        "s-9",
        "Ana Souza",
        "ana@example.com",
        None,
        "my order is late, a human please",
    );
    assert_eq!(s, 201, "{first}");
    // Someone else who knows the session id cannot write into it.
    let (s, p) = escalate_as(
        &h,
        &key,
        "s-9",
        "Eve",
        "eve@example.com",
        None,
        "refund to my card instead",
    );
    assert_eq!(s, 409, "{p}");
    let count = h.db.execute("SELECT COUNT(*) FROM messages", &[]).unwrap();
    assert_eq!(count.scalar(), Some(&crate::db::Value::Integer(1)));
    // Closed, then the customer writes again in the same session: reopened.
    let id = first["assist_id"].as_str().unwrap();
    let (s, _) = h.call(
        "POST",
        &format!("/v1/assists/{id}/close"),
        Some(&owner),
        json!({"resolution": "Shipped."}),
    );
    assert_eq!(s, 200);
    let (s, again) = escalate_as(
        &h,
        &key,
        "s-9",
        "Ana Souza",
        "ANA@example.com",
        None,
        "it still has not come",
    );
    assert_eq!(
        (s, again["appended_messages"].as_i64()),
        (200, Some(1)),
        "{again}"
    );
    let (_, d) = h.call(
        "GET",
        &format!("/v1/assists/{id}"),
        Some(&owner),
        Json::Null,
    );
    assert_eq!(d["status"], "open", "{d}");
}

#[test]
fn a_bot_key_cannot_rewrite_a_customer() {
    let h = Harness::new();
    let owner = h.setup();
    let key = bot_key(&h, &owner);
    let (s, _) = escalate_as(
        &h,
        &key,
        "a-1",
        "Ana Souza",
        "ana@example.com",
        Some("+1 415 555 0100"),
        "help with my invoice, human please",
    );
    assert_eq!(s, 201);
    let (s, _) = escalate_as(
        &h,
        &key,
        "a-2",
        "Mallory",
        "ana@example.com",
        Some("+44 20 7946 0000"),
        "another question, human please",
    );
    assert_eq!(s, 201);
    let rows =
        h.db.execute("SELECT name, phone FROM customers", &[])
            .unwrap();
    let row = rows.first().unwrap();
    assert_eq!(
        (row.text("name"), row.text("phone")),
        ("Ana Souza".to_string(), "+1 415 555 0100".to_string())
    );
    // Names with control characters and phones that are not phones: 422, nothing stored.
    let (s, p) = escalate_as(
        &h,
        &key,
        "a-3",
        "Ana\u{1b}[31m",
        "x@example.com",
        None,
        "hi, human please",
    );
    assert_eq!(s, 422, "{p}");
    let long_phone = "1".repeat(200_000);
    let (s, p) = escalate_as(
        &h,
        &key,
        "a-4",
        "Bo",
        "bo@example.com",
        Some(&long_phone),
        "hi, human please",
    );
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "customer.phone", "{p}");
    let (s, _) = escalate_as(
        &h,
        &key,
        "a-5",
        "Bo",
        "bo@example.com",
        Some("call me maybe"),
        "hi, human please",
    );
    assert_eq!(s, 422);
    let n = h.db.execute("SELECT COUNT(*) FROM assists", &[]).unwrap();
    assert_eq!(n.scalar(), Some(&crate::db::Value::Integer(2)));
}

#[test]
fn escalation_rate_limit_counts_every_request_exactly() {
    let h = Harness::new();
    let owner = h.setup();
    let key = bot_key(&h, &owner);
    let body = json!({"messages": [{"role": "customer", "text": "hello"}]});
    let limit = crate::env::Settings::default().escalation_rate_limit as usize;
    let statuses: Vec<u16> = (0..limit + 5)
        .map(|_| {
            h.call_with(
                handle_escalation,
                "POST",
                "/v1/escalations/check",
                Some(&key),
                body.clone(),
            )
            .0
        })
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), limit);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5);
    // A new minute opens a new window, and the stale one is swept.
    h.now_ms.set(h.now_ms.get() + 61_000);
    assert_eq!(
        h.call_with(
            handle_escalation,
            "POST",
            "/v1/escalations/check",
            Some(&key),
            body
        )
        .0,
        200
    );
    let n =
        h.db.execute(
            "SELECT COUNT(*) FROM counters WHERE key LIKE 'escalation:%'",
            &[],
        )
        .unwrap();
    assert_eq!(n.scalar(), Some(&crate::db::Value::Integer(1)));
}

#[test]
fn escalations_need_confirmed_valid_details() {
    let h = Harness::new();
    let owner = h.setup();
    let key = bot_key(&h, &owner);
    let mut body = escalation_body("s-2");
    body["customer"] = json!({"name": "Ana", "email": "ana@gmail"});
    body["confirmed"] = json!(false);
    let (s, p) = h.call_with(
        handle_escalation,
        "POST",
        "/v1/escalations",
        Some(&key),
        body,
    );
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["missing"], json!(["email"]));
    assert!(p["prompt"].as_str().unwrap().contains("ana@gmail"));
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["customer.email", "confirmed"]);
    let count = h.db.execute("SELECT COUNT(*) FROM assists", &[]).unwrap();
    assert_eq!(count.scalar(), Some(&crate::db::Value::Integer(0)));
    let (s, _) = h.call_with(
        handle_escalation,
        "POST",
        "/v1/escalations",
        Some("pk_nope"),
        escalation_body("s-3"),
    );
    assert_eq!(s, 401);
}

#[test]
fn escalation_check_says_why_and_what_is_missing() {
    let h = Harness::new();
    let owner = h.setup();
    let key = bot_key(&h, &owner);
    let body = json!({"messages": [{"role": "customer", "text": "can i speak to someone"}], "ai_confidence": 0.9});
    let (s, r) = h.call_with(
        handle_escalation,
        "POST",
        "/v1/escalations/check",
        Some(&key),
        body,
    );
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["escalate"], true);
    assert_eq!(r["trigger"]["kind"], "phrase");
    assert_eq!(r["missing"], json!(["name", "email"]));
    assert!(r["prompt"].as_str().unwrap().contains("Care team"));
}

impl Harness {
    fn call_h(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Json,
        headers: &[(&str, &str)],
    ) -> (u16, Json) {
        self.exchange(handle, method, path, Some(token), body, headers)
    }
}

fn seeded() -> (Harness, String, Vec<String>) {
    let h = Harness::new();
    let owner = h.setup();
    let key = bot_key(&h, &owner);
    let mut ids = Vec::new();
    for (i, text) in [
        "I was charged twice, talk to a human",
        "my package never arrived, order #4521",
        "how much is the enterprise plan? real person please",
    ]
    .iter()
    .enumerate()
    {
        h.now_ms.set(h.now_ms.get() + 1000);
        let body = json!({
            "session_id": format!("s{i}"),
            "messages": [{"role": "customer", "text": text}],
            "customer": {"name": format!("Customer {i}"), "email": format!("c{i}@example.com")},
            "confirmed": true
        });
        let (s, r) = h.call_with(
            handle_escalation,
            "POST",
            "/v1/escalations",
            Some(&key),
            body,
        );
        assert_eq!(s, 201, "{r}");
        ids.push(r["assist_id"].as_str().unwrap().to_string());
    }
    (h, owner, ids)
}

#[test]
fn workspace_list_filters_pages_and_counts() {
    let (h, owner, ids) = seeded();
    let (s, list) = h.call_h("GET", "/v1/assists?limit=2", &owner, Json::Null, &[]);
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["assists"].as_array().unwrap().len(), 2);
    assert_eq!(list["assists"][0]["id"], ids[2], "newest first");
    assert_eq!(list["assists"][0]["unread"], true);
    let cursor = list["next_cursor"].as_str().unwrap();
    let (_, page2) = h.call_h(
        "GET",
        &format!("/v1/assists?limit=2&cursor={cursor}"),
        &owner,
        Json::Null,
        &[],
    );
    assert_eq!(page2["assists"].as_array().unwrap().len(), 1);
    assert_eq!(page2["assists"][0]["id"], ids[0]);
    assert!(page2["next_cursor"].is_null());
    let (_, found) = h.call_h("GET", "/v1/assists?q=package", &owner, Json::Null, &[]);
    assert_eq!(found["assists"].as_array().unwrap().len(), 1);
    assert_eq!(found["assists"][0]["id"], ids[1]);
    let (_, billing) = h.call_h(
        "GET",
        "/v1/assists?category=billing",
        &owner,
        Json::Null,
        &[],
    );
    assert!(
        billing["assists"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["category"] == "billing")
    );
    let (_, counts) = h.call_h("GET", "/v1/assists/counts", &owner, Json::Null, &[]);
    assert_eq!(
        counts["counts"],
        json!({"open": 3, "pending": 0, "closed": 0})
    );
    let (s, p) = h.call_h(
        "GET",
        "/v1/assists?status=nope&cursor=zzz",
        &owner,
        Json::Null,
        &[],
    );
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["status", "cursor"]);
}

#[test]
fn workspace_patch_versions_notes_read_draft_close() {
    let (h, owner, ids) = seeded();
    let path = format!("/v1/assists/{}", ids[0]);
    let (_, detail) = h.call_h("GET", &path, &owner, Json::Null, &[]);
    let version = detail["version"].as_i64().unwrap();
    assert_eq!(detail["transcript"].as_array().unwrap().len(), 1);
    assert!(detail["ai"]["summary"].as_str().is_some());
    let v = version.to_string();
    let (s, after) = h.call_h(
        "PATCH",
        &path,
        &owner,
        json!({"priority": "urgent", "status": "pending"}),
        &[("if-match", &v)],
    );
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["priority"], "urgent");
    assert_eq!(after["version"], version + 1);
    let (s, _) = h.call_h(
        "PATCH",
        &path,
        &owner,
        json!({"priority": "low"}),
        &[("if-match", &v)],
    );
    assert_eq!(s, 412, "stale version");
    let (_, unchanged) = h.call_h("GET", &path, &owner, Json::Null, &[]);
    assert_eq!(unchanged["priority"], "urgent");
    assert!(
        unchanged["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "priority_changed")
    );

    let (s, _) = h.call_h(
        "POST",
        &format!("{path}/notes"),
        &owner,
        json!({"text": "Checked Stripe: two charges."}),
        &[],
    );
    assert_eq!(s, 201);
    let (s, _) = h.call_h(
        "POST",
        &format!("{path}/notes"),
        &owner,
        json!({"text": "x".repeat(10_001)}),
        &[],
    );
    assert_eq!(s, 422);

    let (_, r) = h.call_h("POST", &format!("{path}/read"), &owner, Json::Null, &[]);
    assert_eq!(r["unread"], false);
    let (_, unread) = h.call_h("GET", "/v1/assists?unread=true", &owner, Json::Null, &[]);
    assert!(
        unread["assists"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != json!(ids[0]))
    );

    let (_, d1) = h.call_h(
        "POST",
        &format!("{path}/draft"),
        &owner,
        json!({"mode": "regenerate"}),
        &[],
    );
    let (_, d2) = h.call_h(
        "POST",
        &format!("{path}/draft"),
        &owner,
        json!({"mode": "regenerate"}),
        &[],
    );
    assert_ne!(
        d1["text"], d2["text"],
        "regenerate differs from the last draft"
    );
    let (_, formal) = h.call_h(
        "POST",
        &format!("{path}/draft"),
        &owner,
        json!({"mode": "formal", "text": "Hi Ana, I'm on it!"}),
        &[],
    );
    assert_eq!(formal["text"], "Dear Ana, I am on it.");

    let (s, _) = h.call_h("POST", &format!("{path}/close"), &owner, json!({}), &[]);
    assert_eq!(s, 422, "a resolution is required");
    let (s, closed) = h.call_h(
        "POST",
        &format!("{path}/close"),
        &owner,
        json!({"resolution": "Refunded the duplicate charge."}),
        &[],
    );
    assert_eq!(s, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert_eq!(
        h.call_h(
            "POST",
            &format!("{path}/close"),
            &owner,
            json!({"resolution": "again"}),
            &[]
        )
        .0,
        409
    );
    let (s, reopened) = h.call_h("POST", &format!("{path}/reopen"), &owner, Json::Null, &[]);
    assert_eq!((s, reopened["status"].as_str()), (200, Some("open")));
    assert_eq!(
        h.call_h("GET", "/v1/assists/nope", &owner, Json::Null, &[])
            .0,
        404
    );
}

#[test]
fn support_changes_status_and_priority_only() {
    let (h, owner, ids) = seeded();
    let (_, support) = h.member(&owner, "sam@example.com", "support");
    let path = format!("/v1/assists/{}", ids[1]);
    assert_eq!(
        h.call_h("PATCH", &path, &support, json!({"priority": "high"}), &[])
            .0,
        200
    );
    assert_eq!(
        h.call_h("PATCH", &path, &support, json!({"category": "refund"}), &[])
            .0,
        403
    );
    assert_eq!(
        h.call_h("PATCH", &path, &support, json!({"assignee_id": null}), &[])
            .0,
        403
    );
    assert_eq!(
        h.call_h("GET", "/v1/assists", &support, Json::Null, &[]).0,
        200
    );
}

#[test]
fn closing_an_assist_confirms_its_labels_to_the_workspace_model() {
    let (h, owner, ids) = seeded();
    let count = |table: &str| {
        h.db.execute(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .unwrap()
            .scalar()
            .and_then(crate::db::Value::as_i64)
            .unwrap()
    };
    assert_eq!(count("ai_adjustments"), 0);
    // A final label the model would not give (set behind the API's back,
    // so no correction was logged): closing teaches it.
    h.db.execute(
        "UPDATE assists SET category = 'feedback' WHERE id = ?",
        &[ids[1].as_str().into()],
    )
    .unwrap();
    let (s, r) = h.call_h(
        "POST",
        &format!("/v1/assists/{}/close", ids[1]),
        &owner,
        json!({"resolution": "Passed the praise on."}),
        &[],
    );
    assert_eq!(s, 200, "{r}");
    assert!(count("ai_adjustments") > 0, "the close moved weights");
    assert_eq!(count("ai_corrections"), 0, "a close is not a correction");
}

#[test]
fn setting_a_field_to_its_current_value_changes_nothing() {
    let (h, owner, ids) = seeded();
    let (_, me) = h.call("GET", "/v1/me", Some(&owner), Json::Null);
    let me_id = me["user"]["id"]
        .as_str()
        .or(me["id"].as_str())
        .unwrap()
        .to_string();
    let path = format!("/v1/assists/{}", ids[0]);
    let (s, first) = h.call_h("PATCH", &path, &owner, json!({"assignee_id": me_id}), &[]);
    assert_eq!(s, 200, "{first}");
    let events = |d: &Json| d["events"].as_array().map_or(0, Vec::len);
    for body in [
        json!({"assignee_id": me_id}),
        json!({"status": first["status"]}),
        json!({"priority": first["priority"], "category": first["category"]}),
    ] {
        let (s, again) = h.call_h("PATCH", &path, &owner, body.clone(), &[]);
        assert_eq!(s, 200, "{again}");
        assert_eq!(again["version"], first["version"], "{body}: no new version");
        assert_eq!(events(&again), events(&first), "{body}: no new event");
    }
    let (s, moved) = h.call_h("PATCH", &path, &owner, json!({"assignee_id": null}), &[]);
    assert_eq!(s, 200, "{moved}");
    assert_ne!(
        moved["version"], first["version"],
        "a real change is versioned"
    );
}

#[test]
fn a_member_changes_their_password_and_other_sessions_end() {
    let h = Harness::new();
    let token = h.setup();
    let (_, other) = h.call(
        "POST",
        "/v1/auth/login",
        None,
        json!({"email": "olive@example.com", "password": "correct horse battery"}),
    );
    let other = other["token"].as_str().unwrap().to_string();
    let change = |current: &str, new: &str| {
        h.call(
            "POST",
            "/v1/me/password",
            Some(&token),
            json!({"current_password": current, "new_password": new}),
        )
    };
    let (s, p) = change("not it at all", "a brand new passphrase 7");
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "current_password");
    let (s, p) = change("correct horse battery", "short");
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "new_password");
    // Nothing changed so far: both sessions still work.
    assert_eq!(h.call("GET", "/v1/me", Some(&other), Json::Null).0, 200);
    let (s, fresh) = change("correct horse battery", "a brand new passphrase 7");
    assert_eq!(s, 200, "{fresh}");
    let fresh = fresh["token"].as_str().unwrap().to_string();
    assert_eq!(h.call("GET", "/v1/me", Some(&fresh), Json::Null).0, 200);
    assert_eq!(h.call("GET", "/v1/me", Some(&other), Json::Null).0, 401);
    assert_eq!(h.call("GET", "/v1/me", Some(&token), Json::Null).0, 401);
    let login = |password: &str| {
        h.call(
            "POST",
            "/v1/auth/login",
            None,
            json!({"email": "olive@example.com", "password": password}),
        )
        .0
    };
    assert_eq!(login("correct horse battery"), 401);
    assert_eq!(login("a brand new passphrase 7"), 200);
}

#[test]
fn presence_shows_who_else_is_viewing_or_typing_and_fades() {
    let (h, owner, ids) = seeded();
    let (_, sam) = h.member(&owner, "sam@example.com", "support");
    let path = format!("/v1/assists/{}/presence", ids[0]);
    let (s, r) = h.call("POST", &path, Some(&owner), json!({}));
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["presence"], json!([]), "alone at first");
    let (s, r) = h.call("POST", &path, Some(&sam), json!({"typing": true}));
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["presence"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["presence"][0]["typing"], false, "the owner only views");
    // The owner's detail shows Sam typing; Sam's own heartbeat is not listed to Sam.
    let (_, d) = h.call(
        "GET",
        &format!("/v1/assists/{}", ids[0]),
        Some(&owner),
        Json::Null,
    );
    assert_eq!(d["presence"][0]["typing"], true, "{}", d["presence"]);
    assert_eq!(d["presence"][0]["user"]["name"], "sam@example.com");
    // Thirty seconds without a heartbeat: gone.
    h.now_ms
        .set(h.now_ms.get() + crate::presence::WINDOW_MS + 1);
    let (_, d) = h.call(
        "GET",
        &format!("/v1/assists/{}", ids[0]),
        Some(&owner),
        Json::Null,
    );
    assert_eq!(d["presence"], json!([]));
    assert_eq!(
        h.call("POST", "/v1/assists/nope/presence", Some(&owner), json!({}))
            .0,
        404
    );
}

#[test]
fn password_reset_links_work_once_within_the_hour() {
    let h = Harness::new();
    let owner = h.setup();
    let (sam_id, sam) = h.member(&owner, "sam@example.com", "support");
    let count = || {
        h.db.execute("SELECT COUNT(*) FROM password_resets", &[])
            .unwrap()
            .scalar()
            .and_then(crate::db::Value::as_i64)
            .unwrap()
    };
    // "Forgot password": the same 202 for members and strangers.
    for email in ["sam@example.com", "nobody@example.com"] {
        let (s, r) = h.call(
            "POST",
            "/v1/auth/password-reset",
            None,
            json!({"email": email}),
        );
        assert_eq!(s, 202, "{r}");
    }
    assert_eq!(count(), 1, "a link only for the member");
    for _ in 0..5 {
        h.call(
            "POST",
            "/v1/auth/password-reset",
            None,
            json!({"email": "sam@example.com"}),
        );
    }
    assert_eq!(count(), 3, "at most 3 an hour per address");
    // An Owner resets Sam's password: a link to hand over (no bot can email).
    let (s, r) = h.call(
        "POST",
        &format!("/v1/team/{sam_id}/password-reset"),
        Some(&owner),
        Json::Null,
    );
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["emailed"], false);
    let url = r["reset_url"].as_str().unwrap().to_string();
    let token = url.split("token=").nth(1).unwrap().to_string();
    // Sam cannot reset the Owner.
    let (_, me) = h.call("GET", "/v1/me", Some(&owner), Json::Null);
    let owner_id = me["user"]["id"].as_str().unwrap();
    assert_eq!(
        h.call(
            "POST",
            &format!("/v1/team/{owner_id}/password-reset"),
            Some(&sam),
            Json::Null
        )
        .0,
        403
    );
    let path = format!("/v1/auth/password-reset/{token}");
    let (s, p) = h.call("POST", &path, None, json!({"password": "short"}));
    assert_eq!(s, 422, "{p}");
    let (s, session) = h.call(
        "POST",
        &path,
        None,
        json!({"password": "a fresh passphrase 11"}),
    );
    assert_eq!(s, 200, "{session}");
    assert_eq!(
        h.call("GET", "/v1/me", Some(&sam), Json::Null).0,
        401,
        "old sessions end"
    );
    let fresh = session["token"].as_str().unwrap();
    assert_eq!(h.call("GET", "/v1/me", Some(fresh), Json::Null).0, 200);
    assert_eq!(
        h.call(
            "POST",
            &path,
            None,
            json!({"password": "yet another passphrase 12"})
        )
        .0,
        410
    );
    assert_eq!(
        h.call(
            "POST",
            "/v1/auth/password-reset/bpr_nope",
            None,
            json!({"password": "a fresh passphrase 11"})
        )
        .0,
        410
    );
    // A link older than an hour is refused.
    let (_, r) = h.call(
        "POST",
        &format!("/v1/team/{sam_id}/password-reset"),
        Some(&owner),
        Json::Null,
    );
    let late = r["reset_url"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_string();
    h.now_ms.set(h.now_ms.get() + 3601 * 1000);
    assert_eq!(
        h.call(
            "POST",
            &format!("/v1/auth/password-reset/{late}"),
            None,
            json!({"password": "a fresh passphrase 13"})
        )
        .0,
        410
    );
}
