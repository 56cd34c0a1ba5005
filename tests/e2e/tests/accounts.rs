//! Accounts, roles, API tokens and bots (docs/accounts.md), end to end
//! through the inbox API under the runner with Baton's own spin.toml.

use std::time::{Duration, Instant};

use baton_e2e::*;
use serde_json::{Value, json};

const OWNER_NAME: &str = "Olivia Owner";
const OWNER_EMAIL: &str = "olivia@example.com";
const OWNER_PASSWORD: &str = "violet-anchor-47-tundra";
const MEMBER_PASSWORD: &str = "maple-quartz-19-harbor";

const USER_FIELDS: [&str; 7] = [
    "id",
    "name",
    "email",
    "role",
    "availability",
    "can_set_own_availability",
    "created_at",
];

const DEFAULT_TRIGGERS: [&str; 7] = [
    "live agent",
    "talk to a person",
    "customer service",
    "real person",
    "human",
    "speak to someone",
    "representative",
];

// ---------------------------------------------------------------------------
// HTTP helpers

// ---------------------------------------------------------------------------
// Shape checks

fn assert_secret(value: &Value, prefix: &str) -> String {
    let s = value
        .as_str()
        .unwrap_or_else(|| panic!("expected a {prefix} string, got {value}"));
    let rest = s
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{s:?} does not start with {prefix:?}"));
    assert_eq!(rest.len(), 43, "{s:?}: {prefix} + 43 chars");
    assert!(
        rest.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{s:?} is not base64url"
    );
    s.to_string()
}

/// A listed prefix identifies a secret without revealing it: its start
/// (optionally followed by an ellipsis), at most 20 characters of it.
fn assert_display_prefix(prefix: &str, secret: &str) {
    let start = prefix
        .strip_suffix('\u{2026}')
        .or_else(|| prefix.strip_suffix("..."))
        .unwrap_or(prefix);
    assert!(
        start.len() > 4 && start.len() <= 20 && secret.starts_with(start),
        "prefix {prefix:?} of {secret:?}"
    );
}

fn assert_user(user: &Value) {
    for field in USER_FIELDS {
        assert!(user.get(field).is_some(), "user without {field}: {user}");
    }
    assert!(user["id"].is_string() || user["id"].is_number(), "{user}");
    assert!(user["can_set_own_availability"].is_boolean(), "{user}");
    parse_time(&user["created_at"]);
    let obj = user.as_object().unwrap();
    assert!(
        !obj.keys()
            .any(|k| k.contains("password") || k.contains("hash")),
        "user exposes a secret: {user}"
    );
    assert!(!user.to_string().contains("$argon2"), "{user}");
}

fn same_id(a: &Value, id: &str) -> bool {
    match a {
        Value::String(s) => s == id,
        Value::Number(n) => n.to_string() == id,
        _ => false,
    }
}

/// Asserts `{token, expires_at, user}` with a session token expiring about
/// `ttl` seconds from now; returns (token, user).
fn assert_session(body: &Value, ttl: i64) -> (String, Value) {
    let token = assert_secret(&body["token"], "bts_");
    let expires = parse_time(&body["expires_at"]);
    let delta = expires - now_secs();
    assert!(
        (ttl - 5..=ttl + 2).contains(&delta),
        "expires_at is {delta} s from now, expected about {ttl}: {body}"
    );
    assert_user(&body["user"]);
    (token, body["user"].clone())
}

// ---------------------------------------------------------------------------
// Scenario helpers

struct Member {
    token: String,
    user: Value,
}

impl Member {
    fn id(&self) -> String {
        id_of(&self.user)
    }
}

fn start(tag: &str) -> Runner {
    RunnerOptions::new("spin.toml", tag).start()
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
    let (token, user) = assert_session(&body, 43_200);
    assert_eq!(user["role"], "owner", "{body}");
    Member { token, user }
}

fn login(runner: &Runner, email: &str, password: &str) -> Reply {
    call(
        runner,
        "POST",
        "/v1/auth/login",
        Some(&json!({"email": email, "password": password})),
        None,
    )
}

fn invite(runner: &Runner, by: &str, email: &str, name: &str, role: &str) -> Reply {
    call(
        runner,
        "POST",
        "/v1/team/invitations",
        Some(&json!({"email": email, "name": name, "role": role})),
        Some(by),
    )
}

fn accept(runner: &Runner, invitation_token: &str, password: &str) -> Reply {
    call(
        runner,
        "POST",
        &format!("/v1/invitations/{invitation_token}/accept"),
        Some(&json!({"password": password})),
        None,
    )
}

/// Invites and accepts a member with `role`, returning their session.
fn add_member(runner: &Runner, by: &str, name: &str, role: &str) -> Member {
    let email = format!(
        "{}@example.com",
        unique(&name.to_lowercase().replace(' ', "."))
    );
    let inv = expect_json(&invite(runner, by, &email, name, role), 201);
    let token = assert_secret(&inv["token"], "inv_");
    let body = expect_json(&accept(runner, &token, MEMBER_PASSWORD), 201);
    let (token, user) = assert_session(&body, 43_200);
    assert_eq!(user["role"], role, "{body}");
    assert_eq!(user["email"], email.as_str(), "{body}");
    Member { token, user }
}

fn me(runner: &Runner, token: &str) -> Reply {
    call(runner, "GET", "/v1/me", None, Some(token))
}

fn patch_member(runner: &Runner, by: &str, id: &str, body: Value) -> Reply {
    call(
        runner,
        "PATCH",
        &format!("/v1/team/{id}"),
        Some(&body),
        Some(by),
    )
}

/// The member `id` as listed by GET /v1/team.
fn team_member(runner: &Runner, by: &str, id: &str) -> Option<Value> {
    let team = expect_json(&call(runner, "GET", "/v1/team", None, Some(by)), 200);
    let members = team["members"]
        .as_array()
        .unwrap_or_else(|| panic!("no members array: {team}"));
    members.iter().find(|m| same_id(&m["id"], id)).cloned()
}

// ---------------------------------------------------------------------------
// 1. First run

#[test]
fn setup_rejects_bad_input_without_creating_anything() {
    let runner = start("acct-setup-bad");
    let setup = |body: &str| send_raw("POST", &runner.url("/v1/setup"), Some(body), &[]);

    // Malformed JSON and non-object bodies: 400.
    expect_problem(&setup("{not json"), 400);
    expect_problem(&setup("[1, 2]"), 400);
    expect_problem(&setup("\"hello\""), 400);

    let valid = json!({"name": OWNER_NAME, "email": OWNER_EMAIL, "password": OWNER_PASSWORD});
    let with = |key: &str, value: Value| {
        let mut b = valid.clone();
        b[key] = value;
        b.to_string()
    };
    let without = |key: &str| {
        let mut b = valid.clone();
        b.as_object_mut().unwrap().remove(key);
        b.to_string()
    };

    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("missing password", without("password"), vec!["password"]),
        ("missing email", without("email"), vec!["email"]),
        ("missing name", without("name"), vec!["name"]),
        (
            "bad email",
            with("email", json!("not-an-email")),
            vec!["email"],
        ),
        (
            "weak password (short)",
            with("password", json!("short")),
            vec!["password"],
        ),
        (
            "weak password (one repeated character)",
            with("password", json!("aaaaaaaaaaaaaaaa")),
            vec!["password"],
        ),
        (
            "weak password (the email)",
            with("password", json!(OWNER_EMAIL)),
            vec!["password"],
        ),
        (
            "weak password (the email's local part)",
            json!({"name": OWNER_NAME, "email": "olivia.longname@example.com",
                   "password": "olivia.longname"})
            .to_string(),
            vec!["password"],
        ),
        (
            "weak password (well known)",
            with("password", json!("password123")),
            vec!["password"],
        ),
        (
            "overlong password",
            with("password", json!("x1".repeat(65))),
            vec!["password"],
        ),
        ("wrong type", with("name", json!(42)), vec!["name"]),
        (
            "unknown field",
            with("nickname", json!("Liv")),
            vec!["nickname"],
        ),
        (
            "several invalid fields",
            json!({"name": OWNER_NAME, "email": "nope", "password": "short"}).to_string(),
            vec!["email", "password"],
        ),
    ];
    for (what, body, fields) in &cases {
        let r = setup(body);
        assert_eq!(r.status, 422, "{what}: {body} -> {}", describe(&r));
        expect_invalid(&r, fields);
    }

    // Nothing was created: no login works and setup is still open.
    expect_problem(&login(&runner, OWNER_EMAIL, OWNER_PASSWORD), 401);
    let owner = setup_owner(&runner);
    assert_eq!(owner.user["email"], OWNER_EMAIL);
    assert_eq!(owner.user["name"], OWNER_NAME);
}

#[test]
fn setup_creates_the_owner_once() {
    let runner = start("acct-setup");
    // Before setup: no credentials work.
    expect_unauthorized(&call(&runner, "GET", "/v1/me", None, None));

    let owner = setup_owner(&runner);
    let body = expect_json(&me(&runner, &owner.token), 200);
    assert_user(&body["user"]);
    assert_eq!(body["user"]["role"], "owner", "{body}");
    assert_eq!(body["user"]["email"], OWNER_EMAIL, "{body}");
    assert_eq!(body["user"]["name"], OWNER_NAME, "{body}");
    assert_eq!(body["user"]["id"], owner.user["id"], "{body}");

    // A second setup conflicts and changes nothing.
    let second = json!({"name": "Mallory", "email": "mallory@example.com",
                        "password": "orchid-lantern-88-basalt"});
    expect_problem(
        &call(&runner, "POST", "/v1/setup", Some(&second), None),
        409,
    );
    expect_problem(
        &login(&runner, "mallory@example.com", "orchid-lantern-88-basalt"),
        401,
    );

    // The first owner is intact and still the only member.
    let team = expect_json(
        &call(&runner, "GET", "/v1/team", None, Some(&owner.token)),
        200,
    );
    let members = team["members"].as_array().unwrap();
    assert_eq!(members.len(), 1, "{team}");
    assert_eq!(members[0]["email"], OWNER_EMAIL, "{team}");
    assert_eq!(members[0]["role"], "owner", "{team}");
    let body = expect_json(&login(&runner, OWNER_EMAIL, OWNER_PASSWORD), 200);
    assert_session(&body, 43_200);
}

// ---------------------------------------------------------------------------
// 2. Login, logout, expiry

#[test]
fn login_logout_and_credentials() {
    let runner = start("acct-login");
    let owner = setup_owner(&runner);

    let body = expect_json(&login(&runner, OWNER_EMAIL, OWNER_PASSWORD), 200);
    let (token, user) = assert_session(&body, 43_200);
    assert_ne!(token, owner.token, "a new session per login");
    assert_eq!(user["id"], owner.user["id"]);
    assert_eq!(user["role"], "owner");

    // Wrong password and unknown email are indistinguishable.
    let wrong = login(&runner, OWNER_EMAIL, "definitely-not-it-123");
    let unknown = login(&runner, "nobody@example.com", OWNER_PASSWORD);
    let p1 = expect_problem(&wrong, 401);
    let p2 = expect_problem(&unknown, 401);
    assert_eq!(p1["detail"], p2["detail"], "{p1} vs {p2}");
    assert_eq!(p1["title"], p2["title"], "{p1} vs {p2}");
    assert_eq!(wrong.body, unknown.body);
    // Malformed login bodies.
    expect_problem(
        &send_raw("POST", &runner.url("/v1/auth/login"), Some("{"), &[]),
        400,
    );

    // Credentials on /v1/me.
    expect_unauthorized(&call(&runner, "GET", "/v1/me", None, None));
    expect_unauthorized(&me(
        &runner,
        "bts_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ));
    expect_unauthorized(&me(&runner, "garbage"));
    expect_unauthorized(&send_raw(
        "GET",
        &runner.url("/v1/me"),
        None,
        &[("authorization", &format!("Basic {token}"))],
    ));
    expect_json(&me(&runner, &token), 200);

    // Logout ends that session only.
    let r = call(&runner, "POST", "/v1/auth/logout", None, Some(&token));
    assert_eq!(r.status, 204, "{}", describe(&r));
    assert!(r.body.is_empty(), "{}", describe(&r));
    expect_unauthorized(&me(&runner, &token));
    expect_unauthorized(&call(
        &runner,
        "POST",
        "/v1/auth/logout",
        None,
        Some(&token),
    ));
    expect_unauthorized(&call(&runner, "POST", "/v1/auth/logout", None, None));
    let body = expect_json(&me(&runner, &owner.token), 200);
    assert_eq!(body["user"]["id"], owner.user["id"]);
}

#[test]
fn sessions_expire_after_the_ttl() {
    let runner = RunnerOptions::new("spin.toml", "acct-ttl")
        .variable("session_ttl_seconds", "2")
        .start();
    let r = call(
        &runner,
        "POST",
        "/v1/setup",
        Some(&json!({"name": OWNER_NAME, "email": OWNER_EMAIL, "password": OWNER_PASSWORD})),
        None,
    );
    let (setup_token, _) = assert_session(&expect_json(&r, 201), 2);
    let body = expect_json(&login(&runner, OWNER_EMAIL, OWNER_PASSWORD), 200);
    let (login_token, _) = assert_session(&body, 2);
    let issued = Instant::now();
    expect_json(&me(&runner, &login_token), 200);

    std::thread::sleep(Duration::from_millis(3200).saturating_sub(issued.elapsed()));
    expect_unauthorized(&me(&runner, &setup_token));
    expect_unauthorized(&me(&runner, &login_token));
    // Logging in again gives a fresh, working session.
    let body = expect_json(&login(&runner, OWNER_EMAIL, OWNER_PASSWORD), 200);
    let (fresh, _) = assert_session(&body, 2);
    expect_json(&me(&runner, &fresh), 200);
}

// ---------------------------------------------------------------------------
// 3. Rate limiting

#[test]
fn failed_logins_are_rate_limited_per_email() {
    let runner = start("acct-ratelimit");
    let owner = setup_owner(&runner);
    for i in 0..5 {
        let r = login(&runner, OWNER_EMAIL, &format!("wrong-password-{i:02}"));
        expect_problem(&r, 401);
    }
    // Even the right password is refused now, without being checked.
    let r = login(&runner, OWNER_EMAIL, OWNER_PASSWORD);
    expect_problem(&r, 429);
    let retry = r
        .get_header("retry-after")
        .unwrap_or_else(|| panic!("429 without Retry-After: {:?}", r.headers));
    let secs: u64 = retry
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After is not a number of seconds: {retry:?}"));
    assert!((1..=900).contains(&secs), "Retry-After: {secs}");

    // Still limited on the next attempt.
    let r = login(&runner, OWNER_EMAIL, OWNER_PASSWORD);
    expect_problem(&r, 429);
    assert!(r.get_header("retry-after").is_some(), "{:?}", r.headers);

    // Another email from the same address is not locked out (7 < 20).
    expect_problem(
        &login(&runner, "someone-else@example.com", "whatever-pass-1"),
        401,
    );
    // Existing sessions are unaffected.
    expect_json(&me(&runner, &owner.token), 200);
}

// ---------------------------------------------------------------------------
// 4. Invitations

#[test]
fn invitations_create_members_once() {
    let runner = start("acct-invite");
    let owner = setup_owner(&runner);

    let email = "sam.support@example.com";
    let r = invite(&runner, &owner.token, email, "Sam Support", "support");
    let inv = expect_json(&r, 201);
    let inv_token = assert_secret(&inv["token"], "inv_");
    let inv_id = id_of(&inv);
    assert_eq!(inv["email"], email, "{inv}");
    assert_eq!(inv["name"], "Sam Support", "{inv}");
    assert_eq!(inv["role"], "support", "{inv}");
    let accept_url = inv["accept_url"]
        .as_str()
        .unwrap_or_else(|| panic!("{inv}"));
    assert!(accept_url.contains(&inv_token), "{inv}");
    let expires = parse_time(&inv["expires_at"]) - now_secs();
    assert!(
        (7 * 86_400 - 120..=7 * 86_400 + 2).contains(&expires),
        "invitation expires in {expires} s, expected 7 days: {inv}"
    );

    // Pending list shows it, without the secret.
    let r = call(
        &runner,
        "GET",
        "/v1/team/invitations",
        None,
        Some(&owner.token),
    );
    let list = expect_json(&r, 200);
    let pending = list["invitations"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"));
    assert!(pending.iter().any(|i| same_id(&i["id"], &inv_id)), "{list}");
    assert!(!r.body.contains(&inv_token), "token listed: {list}");

    // A weak password fails and does not use up the invitation.
    let r = accept(&runner, &inv_token, "short");
    expect_invalid(&r, &["password"]);
    let r = accept(&runner, &inv_token, email);
    expect_invalid(&r, &["password"]);
    expect_problem(
        &send_raw(
            "POST",
            &runner.url(&format!("/v1/invitations/{inv_token}/accept")),
            Some("nope"),
            &[],
        ),
        400,
    );

    let body = expect_json(&accept(&runner, &inv_token, MEMBER_PASSWORD), 201);
    let (support_token, user) = assert_session(&body, 43_200);
    assert_eq!(user["role"], "support", "{body}");
    assert_eq!(user["email"], email, "{body}");
    assert_eq!(user["name"], "Sam Support", "{body}");
    let me_body = expect_json(&me(&runner, &support_token), 200);
    assert_eq!(me_body["user"]["role"], "support", "{me_body}");
    let listed = team_member(&runner, &owner.token, &id_of(&user))
        .unwrap_or_else(|| panic!("new member not in GET /v1/team"));
    assert_eq!(listed["role"], "support", "{listed}");
    assert_eq!(listed["email"], email, "{listed}");
    assert_user(&listed);

    // Used once only; unknown tokens are 404 too.
    expect_problem(&accept(&runner, &inv_token, MEMBER_PASSWORD), 404);
    expect_problem(
        &accept(
            &runner,
            "inv_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            MEMBER_PASSWORD,
        ),
        404,
    );
    let list = expect_json(
        &call(
            &runner,
            "GET",
            "/v1/team/invitations",
            None,
            Some(&owner.token),
        ),
        200,
    );
    let pending = list["invitations"].as_array().unwrap();
    assert!(
        !pending
            .iter()
            .any(|i| same_id(&i["id"], &inv_id) || i["email"] == email),
        "accepted invitation still pending: {list}"
    );

    // A deleted invitation cannot be accepted.
    let inv = expect_json(
        &invite(&runner, &owner.token, "gone@example.com", "Gone", "support"),
        201,
    );
    let r = call(
        &runner,
        "DELETE",
        &format!("/v1/team/invitations/{}", id_of(&inv)),
        None,
        Some(&owner.token),
    );
    assert_eq!(r.status, 204, "{}", describe(&r));
    expect_problem(
        &accept(&runner, inv["token"].as_str().unwrap(), MEMBER_PASSWORD),
        404,
    );

    // Invalid invitations.
    expect_invalid(
        &invite(&runner, &owner.token, "not-an-email", "X", "support"),
        &["email"],
    );
    expect_invalid(
        &invite(&runner, &owner.token, "x@example.com", "X", "superuser"),
        &["role"],
    );

    // Admins cannot invite owners or admins; they can invite support.
    let admin = add_member(&runner, &owner.token, "Ada Admin", "admin");
    expect_problem(
        &invite(&runner, &admin.token, "o2@example.com", "O2", "owner"),
        403,
    );
    expect_problem(
        &invite(&runner, &admin.token, "a2@example.com", "A2", "admin"),
        403,
    );
    expect_json(
        &invite(&runner, &admin.token, "s2@example.com", "S2", "support"),
        201,
    );
    let list = expect_json(
        &call(
            &runner,
            "GET",
            "/v1/team/invitations",
            None,
            Some(&owner.token),
        ),
        200,
    );
    let emails: Vec<&str> = list["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["email"].as_str())
        .collect();
    assert!(emails.contains(&"s2@example.com"), "{list}");
    assert!(!emails.contains(&"o2@example.com"), "{list}");
    assert!(!emails.contains(&"a2@example.com"), "{list}");
}

// ---------------------------------------------------------------------------
// 5. Authorization matrix

type Prepare<'a> = Box<dyn Fn() -> (&'static str, String, Option<Value>) + 'a>;
type Restore<'a> = Box<dyn Fn() + 'a>;

struct Row<'a> {
    label: &'static str,
    /// [anonymous, support, manager, admin, owner]
    expected: [u16; 5],
    /// (method, path, body), built afresh for each cell.
    prepare: Prepare<'a>,
    /// Runs after each cell, undoing what it may have changed.
    restore: Option<Restore<'a>>,
}

#[test]
fn authorization_matrix() {
    let runner = start("acct-matrix");
    let owner = setup_owner(&runner);
    let admin = add_member(&runner, &owner.token, "Ada Admin", "admin");
    let manager = add_member(&runner, &owner.token, "Max Manager", "manager");
    let support = add_member(&runner, &owner.token, "Sam Support", "support");
    // A separate manager whose role the matrix changes, so that the actors'
    // own roles never move.
    let target = add_member(&runner, &owner.token, "Tia Target", "manager");

    let r = call(
        &runner,
        "POST",
        "/v1/bots",
        Some(&json!({"name": "Matrix bot"})),
        Some(&owner.token),
    );
    let bot_id = id_of(&expect_json(&r, 201));

    let owner_token = owner.token.clone();
    let support_id = support.id();
    let target_id = target.id();
    let runner_ref = &runner;
    let fresh_token = || -> String {
        let r = call(
            runner_ref,
            "POST",
            "/v1/tokens",
            Some(&json!({"name": unique("matrix-token-"), "role": "support"})),
            Some(&owner_token),
        );
        id_of(&expect_json(&r, 201))
    };
    let fresh_invitation = || -> String {
        let email = format!("{}@example.com", unique("fresh-invite-"));
        id_of(&expect_json(
            &invite(runner_ref, &owner_token, &email, "Fresh", "support"),
            201,
        ))
    };
    let fresh_bot = || -> String {
        let r = call(
            runner_ref,
            "POST",
            "/v1/bots",
            Some(&json!({"name": unique("fresh-bot-")})),
            Some(&owner_token),
        );
        id_of(&expect_json(&r, 201))
    };

    const A: u16 = 401;
    const F: u16 = 403;
    let rows: Vec<Row> = vec![
        Row {
            label: "GET /v1/me",
            expected: [A, 200, 200, 200, 200],
            prepare: Box::new(|| ("GET", "/v1/me".into(), None)),
            restore: None,
        },
        Row {
            label: "GET /v1/team",
            expected: [A, F, 200, 200, 200],
            prepare: Box::new(|| ("GET", "/v1/team".into(), None)),
            restore: None,
        },
        Row {
            label: "GET /v1/tokens",
            expected: [A, F, F, 200, 200],
            prepare: Box::new(|| ("GET", "/v1/tokens".into(), None)),
            restore: None,
        },
        Row {
            label: "POST /v1/tokens {role: support}",
            expected: [A, F, F, 201, 201],
            prepare: Box::new(|| {
                let body = json!({"name": unique("token-"), "role": "support"});
                ("POST", "/v1/tokens".into(), Some(body))
            }),
            restore: None,
        },
        Row {
            label: "DELETE /v1/tokens/{fresh}",
            expected: [A, F, F, 204, 204],
            prepare: Box::new(|| ("DELETE", format!("/v1/tokens/{}", fresh_token()), None)),
            restore: None,
        },
        Row {
            label: "POST /v1/team/invitations {role: support}",
            expected: [A, F, F, 201, 201],
            prepare: Box::new(|| {
                let email = format!("{}@example.com", unique("invitee-"));
                let body = json!({"email": email, "name": "Invitee", "role": "support"});
                ("POST", "/v1/team/invitations".into(), Some(body))
            }),
            restore: None,
        },
        Row {
            label: "POST /v1/team/invitations {role: admin}",
            expected: [A, F, F, F, 201],
            prepare: Box::new(|| {
                let email = format!("{}@example.com", unique("admin-invitee-"));
                let body = json!({"email": email, "name": "Invitee", "role": "admin"});
                ("POST", "/v1/team/invitations".into(), Some(body))
            }),
            restore: None,
        },
        Row {
            label: "GET /v1/team/invitations",
            expected: [A, F, F, 200, 200],
            prepare: Box::new(|| ("GET", "/v1/team/invitations".into(), None)),
            restore: None,
        },
        Row {
            label: "DELETE /v1/team/invitations/{fresh}",
            expected: [A, F, F, 204, 204],
            prepare: Box::new(|| {
                let path = format!("/v1/team/invitations/{}", fresh_invitation());
                ("DELETE", path, None)
            }),
            restore: None,
        },
        Row {
            label: "GET /v1/bots",
            expected: [A, F, F, 200, 200],
            prepare: Box::new(|| ("GET", "/v1/bots".into(), None)),
            restore: None,
        },
        Row {
            label: "POST /v1/bots",
            expected: [A, F, F, 201, 201],
            prepare: Box::new(|| {
                let body = json!({"name": unique("bot-")});
                ("POST", "/v1/bots".into(), Some(body))
            }),
            restore: None,
        },
        Row {
            label: "GET /v1/bots/{bot}",
            expected: [A, F, F, 200, 200],
            prepare: Box::new(|| ("GET", format!("/v1/bots/{bot_id}"), None)),
            restore: None,
        },
        Row {
            label: "PATCH /v1/bots/{bot} {support_team_name}",
            expected: [A, F, F, 200, 200],
            prepare: Box::new(|| {
                let body = json!({"support_team_name": "Helpers"});
                ("PATCH", format!("/v1/bots/{bot_id}"), Some(body))
            }),
            restore: None,
        },
        Row {
            label: "POST /v1/bots/{bot}/rotate-key",
            expected: [A, F, F, 200, 200],
            prepare: Box::new(|| ("POST", format!("/v1/bots/{bot_id}/rotate-key"), None)),
            restore: None,
        },
        Row {
            label: "DELETE /v1/bots/{fresh}",
            expected: [A, F, F, 204, 204],
            prepare: Box::new(|| ("DELETE", format!("/v1/bots/{}", fresh_bot()), None)),
            restore: None,
        },
        Row {
            label: "PATCH /v1/team/{support} {availability: offline}",
            expected: [A, 200, 200, 200, 200],
            prepare: Box::new(|| {
                let body = json!({"availability": "offline"});
                ("PATCH", format!("/v1/team/{support_id}"), Some(body))
            }),
            restore: None,
        },
        Row {
            label: "PATCH /v1/team/{support} {can_set_own_availability: true}",
            expected: [A, F, F, 200, 200],
            prepare: Box::new(|| {
                let body = json!({"can_set_own_availability": true});
                ("PATCH", format!("/v1/team/{support_id}"), Some(body))
            }),
            restore: None,
        },
        Row {
            label: "PATCH /v1/team/{manager} {role: support}",
            expected: [A, F, F, 200, 200],
            prepare: Box::new(|| {
                let body = json!({"role": "support"});
                ("PATCH", format!("/v1/team/{target_id}"), Some(body))
            }),
            restore: Some(Box::new(|| {
                let r = patch_member(
                    runner_ref,
                    &owner_token,
                    &target_id,
                    json!({"role": "manager"}),
                );
                let body = expect_json(&r, 200);
                assert_eq!(body["user"]["role"], "manager", "{body}");
            })),
        },
    ];

    let actors: [(&str, Option<&str>); 5] = [
        ("anonymous", None),
        ("support", Some(&support.token)),
        ("manager", Some(&manager.token)),
        ("admin", Some(&admin.token)),
        ("owner", Some(&owner.token)),
    ];

    let mut report = String::new();
    let mut failures = Vec::new();
    for row in &rows {
        let mut actual = [0u16; 5];
        for (i, (who, token)) in actors.iter().enumerate() {
            let (method, path, body) = (row.prepare)();
            let r = call(&runner, method, &path, body.as_ref(), *token);
            actual[i] = r.status;
            let expected = row.expected[i];
            let kind_ok = if expected >= 400 {
                r.content_type == "application/problem+json"
            } else {
                expected == 204 || r.content_type == "application/json"
            };
            if r.status != expected || !kind_ok {
                failures.push(format!(
                    "{} as {who}: expected {expected}, got {}",
                    row.label,
                    describe(&r)
                ));
            }
            if let Some(restore) = &row.restore {
                restore();
            }
        }
        let mark = if actual == row.expected {
            ""
        } else {
            "   <-- MISMATCH"
        };
        report.push_str(&format!(
            "{:<62} expected {:?} got {:?}{mark}\n",
            row.label, row.expected, actual
        ));
    }
    assert!(
        failures.is_empty(),
        "authorization matrix [anonymous, support, manager, admin, owner]:\n{report}\n{}",
        failures.join("\n")
    );

    // The actors' roles never changed.
    for (member, role) in [
        (&support, "support"),
        (&manager, "manager"),
        (&admin, "admin"),
        (&owner, "owner"),
    ] {
        let body = expect_json(&me(&runner, &member.token), 200);
        assert_eq!(body["user"]["role"], role, "{body}");
    }
}

// ---------------------------------------------------------------------------
// 6. Last-Owner protection

#[test]
fn the_last_owner_cannot_be_demoted_or_removed() {
    let runner = start("acct-last-owner");
    let owner = setup_owner(&runner);
    let owner_id = owner.id();

    let p = expect_problem(
        &patch_member(&runner, &owner.token, &owner_id, json!({"role": "admin"})),
        409,
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("owner"),
        "{p}"
    );
    expect_problem(
        &call(
            &runner,
            "DELETE",
            &format!("/v1/team/{owner_id}"),
            None,
            Some(&owner.token),
        ),
        409,
    );
    let body = expect_json(&me(&runner, &owner.token), 200);
    assert_eq!(body["user"]["role"], "owner", "{body}");

    // Only an owner can make owners; admins cannot touch owners either.
    let admin = add_member(&runner, &owner.token, "Ada Admin", "admin");
    let admin_id = admin.id();
    expect_problem(
        &patch_member(&runner, &admin.token, &admin_id, json!({"role": "owner"})),
        403,
    );
    expect_problem(
        &patch_member(&runner, &admin.token, &owner_id, json!({"role": "admin"})),
        403,
    );
    expect_problem(
        &call(
            &runner,
            "DELETE",
            &format!("/v1/team/{owner_id}"),
            None,
            Some(&admin.token),
        ),
        403,
    );
    let body = expect_json(&me(&runner, &admin.token), 200);
    assert_eq!(body["user"]["role"], "admin", "{body}");

    let body = expect_json(
        &patch_member(&runner, &owner.token, &admin_id, json!({"role": "owner"})),
        200,
    );
    assert_eq!(body["user"]["role"], "owner", "{body}");
    let second = admin;

    // With two owners, the first can step down.
    let body = expect_json(
        &patch_member(&runner, &owner.token, &owner_id, json!({"role": "admin"})),
        200,
    );
    assert_eq!(body["user"]["role"], "admin", "{body}");
    let body = expect_json(&me(&runner, &owner.token), 200);
    assert_eq!(body["user"]["role"], "admin", "{body}");

    // Now the second is the last owner.
    expect_problem(
        &patch_member(
            &runner,
            &second.token,
            &admin_id,
            json!({"role": "manager"}),
        ),
        409,
    );
    expect_problem(
        &call(
            &runner,
            "DELETE",
            &format!("/v1/team/{admin_id}"),
            None,
            Some(&second.token),
        ),
        409,
    );
    // And the former owner, now an admin, cannot demote them.
    expect_problem(
        &patch_member(&runner, &owner.token, &admin_id, json!({"role": "admin"})),
        403,
    );

    // The remaining owner removes the former one, whose session ends.
    let r = call(
        &runner,
        "DELETE",
        &format!("/v1/team/{owner_id}"),
        None,
        Some(&second.token),
    );
    assert_eq!(r.status, 204, "{}", describe(&r));
    expect_unauthorized(&me(&runner, &owner.token));
    assert!(team_member(&runner, &second.token, &owner_id).is_none());
    let team = expect_json(
        &call(&runner, "GET", "/v1/team", None, Some(&second.token)),
        200,
    );
    let owners = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "owner")
        .count();
    assert_eq!(owners, 1, "{team}");
}

// ---------------------------------------------------------------------------
// 7. Availability

#[test]
fn availability_rules() {
    let runner = start("acct-availability");
    let owner = setup_owner(&runner);
    let support = add_member(&runner, &owner.token, "Sam Support", "support");
    let manager = add_member(&runner, &owner.token, "Max Manager", "manager");
    let support_id = support.id();
    let initial = support.user["availability"].clone();
    assert!(initial.is_string(), "{}", support.user);
    assert_eq!(support.user["can_set_own_availability"], true);

    // Own availability, both ways.
    let body = expect_json(
        &patch_member(
            &runner,
            &support.token,
            &support_id,
            json!({"availability": "offline"}),
        ),
        200,
    );
    assert_eq!(body["user"]["availability"], "offline", "{body}");
    if initial != "offline" {
        let body = expect_json(
            &patch_member(
                &runner,
                &support.token,
                &support_id,
                json!({"availability": initial}),
            ),
            200,
        );
        assert_eq!(body["user"]["availability"], initial, "{body}");
    }
    expect_invalid(
        &patch_member(
            &runner,
            &support.token,
            &support_id,
            json!({"availability": "on the moon"}),
        ),
        &["availability"],
    );

    // Support cannot change others, nor the switch for themselves.
    expect_problem(
        &patch_member(
            &runner,
            &support.token,
            &manager.id(),
            json!({"availability": "offline"}),
        ),
        403,
    );
    expect_problem(
        &patch_member(
            &runner,
            &support.token,
            &support_id,
            json!({"can_set_own_availability": false}),
        ),
        403,
    );
    // A manager (manage_workload, not manage_team) cannot flip the switch.
    expect_problem(
        &patch_member(
            &runner,
            &manager.token,
            &support_id,
            json!({"can_set_own_availability": false}),
        ),
        403,
    );

    let body = expect_json(
        &patch_member(
            &runner,
            &owner.token,
            &support_id,
            json!({"can_set_own_availability": false}),
        ),
        200,
    );
    assert_eq!(body["user"]["can_set_own_availability"], false, "{body}");

    let p = expect_problem(
        &patch_member(
            &runner,
            &support.token,
            &support_id,
            json!({"availability": "offline"}),
        ),
        403,
    );
    assert!(p["detail"].is_string());
    let listed = team_member(&runner, &manager.token, &support_id).unwrap();
    assert_eq!(listed["availability"], initial, "unchanged: {listed}");
    assert_eq!(listed["can_set_own_availability"], false, "{listed}");

    // Their own name is still theirs to change.
    let body = expect_json(
        &patch_member(
            &runner,
            &support.token,
            &support_id,
            json!({"name": "Samantha Support"}),
        ),
        200,
    );
    assert_eq!(body["user"]["name"], "Samantha Support", "{body}");

    // A manager sets anyone's availability.
    let body = expect_json(
        &patch_member(
            &runner,
            &manager.token,
            &support_id,
            json!({"availability": "offline"}),
        ),
        200,
    );
    assert_eq!(body["user"]["availability"], "offline", "{body}");
    let body = expect_json(&me(&runner, &support.token), 200);
    assert_eq!(body["user"]["availability"], "offline", "{body}");
    assert_eq!(body["user"]["can_set_own_availability"], false, "{body}");
}

// ---------------------------------------------------------------------------
// 8. API tokens

#[test]
fn api_tokens() {
    let runner = start("acct-tokens");
    let owner = setup_owner(&runner);

    let r = call(
        &runner,
        "POST",
        "/v1/tokens",
        Some(&json!({"name": "CRM sync", "role": "manager"})),
        Some(&owner.token),
    );
    let created = expect_json(&r, 201);
    let secret = assert_secret(&created["token"], "bta_");
    let token_id = id_of(&created);
    assert_eq!(created["name"], "CRM sync", "{created}");
    assert_eq!(created["role"], "manager", "{created}");

    // Listed, but never with the secret.
    let r = call(&runner, "GET", "/v1/tokens", None, Some(&owner.token));
    let list = expect_json(&r, 200);
    assert!(!r.body.contains(&secret), "secret listed: {}", r.body);
    let tokens = list["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"));
    let entry = tokens
        .iter()
        .find(|t| same_id(&t["id"], &token_id))
        .unwrap_or_else(|| panic!("token not listed: {list}"));
    for field in ["id", "name", "role", "prefix", "created_at", "last_used_at"] {
        assert!(entry.get(field).is_some(), "no {field}: {entry}");
    }
    assert!(entry.get("token").is_none(), "{entry}");
    assert_eq!(entry["name"], "CRM sync", "{entry}");
    assert_eq!(entry["role"], "manager", "{entry}");
    let prefix = entry["prefix"]
        .as_str()
        .unwrap_or_else(|| panic!("{entry}"));
    assert_display_prefix(prefix, &secret);
    parse_time(&entry["created_at"]);

    // It authenticates as a manager.
    let body = expect_json(&me(&runner, &secret), 200);
    assert!(same_id(&body["token"]["id"], &token_id), "{body}");
    assert!(!body.to_string().contains(&secret), "{body}");
    expect_json(&call(&runner, "GET", "/v1/team", None, Some(&secret)), 200);
    expect_problem(&call(&runner, "GET", "/v1/bots", None, Some(&secret)), 403);
    expect_problem(
        &call(&runner, "GET", "/v1/tokens", None, Some(&secret)),
        403,
    );

    // Invalid requests.
    expect_invalid(
        &call(
            &runner,
            "POST",
            "/v1/tokens",
            Some(&json!({"name": "x", "role": "root"})),
            Some(&owner.token),
        ),
        &["role"],
    );
    expect_invalid(
        &call(
            &runner,
            "POST",
            "/v1/tokens",
            Some(&json!({"role": "support"})),
            Some(&owner.token),
        ),
        &["name"],
    );

    // No token above its creator's role.
    let admin = add_member(&runner, &owner.token, "Ada Admin", "admin");
    expect_problem(
        &call(
            &runner,
            "POST",
            "/v1/tokens",
            Some(&json!({"name": "Too strong", "role": "owner"})),
            Some(&admin.token),
        ),
        403,
    );
    let body = expect_json(
        &call(
            &runner,
            "POST",
            "/v1/tokens",
            Some(&json!({"name": "Admin's own", "role": "admin"})),
            Some(&admin.token),
        ),
        201,
    );
    assert_eq!(body["role"], "admin", "{body}");
    let list = expect_json(
        &call(&runner, "GET", "/v1/tokens", None, Some(&owner.token)),
        200,
    );
    assert!(
        !list["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Too strong"),
        "{list}"
    );

    // Revocation.
    let r = call(
        &runner,
        "DELETE",
        &format!("/v1/tokens/{token_id}"),
        None,
        Some(&owner.token),
    );
    assert_eq!(r.status, 204, "{}", describe(&r));
    expect_unauthorized(&me(&runner, &secret));
    expect_unauthorized(&call(&runner, "GET", "/v1/team", None, Some(&secret)));
    let list = expect_json(
        &call(&runner, "GET", "/v1/tokens", None, Some(&owner.token)),
        200,
    );
    assert!(
        !list["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| same_id(&t["id"], &token_id)),
        "revoked token still listed: {list}"
    );
}

// ---------------------------------------------------------------------------
// 9. Bots

fn widget_config(runner: &Runner, key: &str, origin: Option<&str>) -> Reply {
    let auth = format!("Bearer {key}");
    let mut headers = vec![("authorization", auth.as_str())];
    if let Some(o) = origin {
        headers.push(("origin", o));
    }
    send_raw("GET", &runner.url("/v1/widget/config"), None, &headers)
}

#[test]
fn bots_and_widget_keys() {
    let runner = start("acct-bots");
    let owner = setup_owner(&runner);
    let t = Some(owner.token.as_str());
    let origin = "https://shop.example.com";

    let r = call(
        &runner,
        "POST",
        "/v1/bots",
        Some(&json!({"name": "Helpdesk", "allowed_origins": [origin]})),
        t,
    );
    let bot = expect_json(&r, 201);
    let key = assert_secret(&bot["public_key"], "pk_");
    let bot_id = id_of(&bot);
    assert_eq!(bot["name"], "Helpdesk", "{bot}");
    assert_eq!(bot["allowed_origins"], json!([origin]), "{bot}");
    assert_eq!(bot["confidence_threshold"].as_f64(), Some(0.6), "{bot}");
    assert_eq!(bot["support_team_name"], "Support", "{bot}");
    let phrases: Vec<&str> = bot["trigger_phrases"]
        .as_array()
        .unwrap_or_else(|| panic!("{bot}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for p in DEFAULT_TRIGGERS {
        assert!(phrases.contains(&p), "default trigger {p:?} missing: {bot}");
    }
    assert_eq!(phrases.len(), DEFAULT_TRIGGERS.len(), "{bot}");
    let key_prefix = bot["key_prefix"]
        .as_str()
        .unwrap_or_else(|| panic!("{bot}"));
    assert_display_prefix(key_prefix, &key);
    parse_time(&bot["created_at"]);
    parse_time(&bot["updated_at"]);

    // Listed and readable, without the key.
    let r = call(&runner, "GET", "/v1/bots", None, t);
    let list = expect_json(&r, 200);
    assert!(!r.body.contains(&key), "key listed: {}", r.body);
    assert!(
        list["bots"]
            .as_array()
            .unwrap_or_else(|| panic!("{list}"))
            .iter()
            .any(|b| same_id(&b["id"], &bot_id)),
        "{list}"
    );
    let r = call(&runner, "GET", &format!("/v1/bots/{bot_id}"), None, t);
    let got = expect_json(&r, 200);
    assert!(!r.body.contains(&key), "{}", r.body);
    let got = if got.get("bot").is_some() {
        got["bot"].clone()
    } else {
        got
    };
    assert_eq!(got["name"], "Helpdesk", "{got}");

    // The widget config, with CORS for the bot's origin only.
    let r = widget_config(&runner, &key, Some(origin));
    let config = expect_json(&r, 200);
    assert!(same_id(&config["bot_id"], &bot_id), "{config}");
    assert_eq!(config["name"], "Helpdesk", "{config}");
    assert_eq!(
        config["confidence_threshold"].as_f64(),
        Some(0.6),
        "{config}"
    );
    assert_eq!(config["support_team_name"], "Support", "{config}");
    assert_eq!(
        config["trigger_phrases"], bot["trigger_phrases"],
        "{config}"
    );
    assert_eq!(
        r.get_header("access-control-allow-origin"),
        Some(origin),
        "{:?}",
        r.headers
    );
    let r = widget_config(&runner, &key, Some("https://evil.example.net"));
    let acao = r.get_header("access-control-allow-origin");
    assert!(
        acao != Some("https://evil.example.net") && acao != Some("*"),
        "CORS for a foreign origin: {:?}",
        r.headers
    );
    expect_unauthorized(&send_raw(
        "GET",
        &runner.url("/v1/widget/config"),
        None,
        &[],
    ));
    expect_unauthorized(&widget_config(
        &runner,
        "pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        None,
    ));

    // Rotation: the new key works, the old one stops at once.
    let r = call(
        &runner,
        "POST",
        &format!("/v1/bots/{bot_id}/rotate-key"),
        None,
        t,
    );
    let rotated = expect_json(&r, 200);
    let new_key = assert_secret(&rotated["public_key"], "pk_");
    assert_ne!(new_key, key);
    assert!(same_id(&rotated["id"], &bot_id), "{rotated}");
    expect_unauthorized(&widget_config(&runner, &key, None));
    let config = expect_json(&widget_config(&runner, &new_key, None), 200);
    assert_eq!(config["name"], "Helpdesk", "{config}");

    // Invalid updates change nothing.
    let bot_path = format!("/v1/bots/{bot_id}");
    let before = expect_json(&call(&runner, "GET", &bot_path, None, t), 200);
    expect_invalid(
        &call(
            &runner,
            "PATCH",
            &bot_path,
            Some(&json!({"confidence_threshold": 1.5, "name": "Renamed"})),
            t,
        ),
        &["confidence_threshold"],
    );
    expect_invalid(
        &call(
            &runner,
            "PATCH",
            &bot_path,
            Some(&json!({"allowed_origins": ["not a url"]})),
            t,
        ),
        &["allowed_origins"],
    );
    expect_invalid(
        &call(
            &runner,
            "PATCH",
            &bot_path,
            Some(&json!({"allowed_origins": ["https://shop.example.com/path"]})),
            t,
        ),
        &["allowed_origins"],
    );
    expect_invalid(
        &call(
            &runner,
            "PATCH",
            &bot_path,
            Some(&json!({"colour": "blue"})),
            t,
        ),
        &["colour"],
    );
    let after = expect_json(&call(&runner, "GET", &bot_path, None, t), 200);
    assert_eq!(before, after, "a failed PATCH changed the bot");
    let config = expect_json(&widget_config(&runner, &new_key, None), 200);
    assert_eq!(
        config["confidence_threshold"].as_f64(),
        Some(0.6),
        "{config}"
    );
    assert_eq!(config["name"], "Helpdesk", "{config}");

    // Invalid creation creates nothing.
    let count = |runner: &Runner| {
        expect_json(&call(runner, "GET", "/v1/bots", None, t), 200)["bots"]
            .as_array()
            .unwrap()
            .len()
    };
    let n = count(&runner);
    expect_invalid(
        &call(
            &runner,
            "POST",
            "/v1/bots",
            Some(&json!({"name": "Bad", "allowed_origins": ["not a url"]})),
            t,
        ),
        &["allowed_origins"],
    );
    expect_invalid(
        &call(
            &runner,
            "POST",
            "/v1/bots",
            Some(&json!({"name": "Bad", "confidence_threshold": -0.1})),
            t,
        ),
        &["confidence_threshold"],
    );
    assert_eq!(count(&runner), n);

    // A valid update shows in the widget config.
    let body = expect_json(
        &call(
            &runner,
            "PATCH",
            &bot_path,
            Some(&json!({"confidence_threshold": 0.8, "name": "Helpdesk 2",
                         "trigger_phrases": ["agent please"]})),
            t,
        ),
        200,
    );
    let updated = if body.get("bot").is_some() {
        body["bot"].clone()
    } else {
        body
    };
    assert_eq!(
        updated["confidence_threshold"].as_f64(),
        Some(0.8),
        "{updated}"
    );
    let config = expect_json(&widget_config(&runner, &new_key, None), 200);
    assert_eq!(config["name"], "Helpdesk 2", "{config}");
    assert_eq!(
        config["confidence_threshold"].as_f64(),
        Some(0.8),
        "{config}"
    );
    assert_eq!(
        config["trigger_phrases"],
        json!(["agent please"]),
        "{config}"
    );

    // Deletion ends the key.
    let r = call(&runner, "DELETE", &bot_path, None, t);
    assert_eq!(r.status, 204, "{}", describe(&r));
    expect_unauthorized(&widget_config(&runner, &new_key, None));
    expect_problem(&call(&runner, "GET", &bot_path, None, t), 404);
}

// ---------------------------------------------------------------------------
// Hardening: rights that end with their holder's

/// An Admin mints an Admin token; demoted, the token acts as Support; removed,
/// it stops working. A token minted by that token is bound to the same Admin.
#[test]
fn api_tokens_die_with_their_creators_rights() {
    let runner = start("acc-token-creator");
    let owner = setup_owner(&runner);
    let admin = add_member(&runner, &owner.token, "Ada Admin", "admin");
    let mint = |by: &str, name: &str| {
        let r = call(
            &runner,
            "POST",
            "/v1/tokens",
            Some(&json!({"name": name, "role": "admin"})),
            Some(by),
        );
        expect_json(&r, 201)["token"].as_str().unwrap().to_string()
    };
    let token = mint(&admin.token, "ci");
    let child = mint(&token, "ci-child");
    for t in [&token, &child] {
        let r = invite(&runner, t, "m1@example.com", "M One", "manager");
        expect_json(&r, 201);
    }

    expect_json(
        &patch_member(
            &runner,
            &owner.token,
            &admin.id(),
            json!({"role": "support"}),
        ),
        200,
    );
    for t in [&token, &child] {
        let me = expect_json(&me(&runner, t), 200);
        assert_eq!(me["token"]["role"], "support", "{me}");
        expect_problem(
            &invite(&runner, t, "m2@example.com", "M Two", "manager"),
            403,
        );
    }

    let r = call(
        &runner,
        "DELETE",
        &format!("/v1/team/{}", admin.id()),
        None,
        Some(&owner.token),
    );
    assert_eq!(r.status, 204, "{}", describe(&r));
    for t in [&token, &child] {
        expect_unauthorized(&me(&runner, t));
        expect_unauthorized(&invite(&runner, t, "m3@example.com", "M Three", "manager"));
    }
}

/// Invitations sent by someone who has since been removed or demoted below
/// the right to invite stop working.
#[test]
fn invitations_die_with_their_senders_rights() {
    let runner = start("acc-invite-sender");
    let owner = setup_owner(&runner);
    let admin = add_member(&runner, &owner.token, "Ada Admin", "admin");
    let manager_inv = expect_json(
        &invite(&runner, &admin.token, "mia@example.com", "Mia", "manager"),
        201,
    );
    let support_inv = expect_json(
        &invite(&runner, &admin.token, "sam@example.com", "Sam", "support"),
        201,
    );
    // Demoted to Manager: no longer allowed to invite anyone.
    expect_json(
        &patch_member(
            &runner,
            &owner.token,
            &admin.id(),
            json!({"role": "manager"}),
        ),
        200,
    );
    let r = accept(
        &runner,
        manager_inv["token"].as_str().unwrap(),
        MEMBER_PASSWORD,
    );
    expect_problem(&r, 410);
    // Removed: the other invitation is dead too.
    let r = call(
        &runner,
        "DELETE",
        &format!("/v1/team/{}", admin.id()),
        None,
        Some(&owner.token),
    );
    assert_eq!(r.status, 204);
    let r = accept(
        &runner,
        support_inv["token"].as_str().unwrap(),
        MEMBER_PASSWORD,
    );
    expect_problem(&r, 410);
    let team = expect_json(
        &call(&runner, "GET", "/v1/team", None, Some(&owner.token)),
        200,
    );
    assert_eq!(team["members"].as_array().unwrap().len(), 1, "{team}");
}

/// An Admin may not rename an Owner nor revoke a token that outranks them.
#[test]
fn admins_cannot_touch_owners() {
    let runner = start("acc-admin-owner");
    let owner = setup_owner(&runner);
    let admin = add_member(&runner, &owner.token, "Ada Admin", "admin");
    let r = patch_member(&runner, &admin.token, &owner.id(), json!({"name": "Pwned"}));
    expect_problem(&r, 403);
    assert_eq!(
        team_member(&runner, &owner.token, &owner.id()).unwrap()["name"],
        OWNER_NAME
    );
    let r = call(
        &runner,
        "POST",
        "/v1/tokens",
        Some(&json!({"name": "owner-ci", "role": "owner"})),
        Some(&owner.token),
    );
    let owner_token = expect_json(&r, 201);
    let r = call(
        &runner,
        "DELETE",
        &format!("/v1/tokens/{}", id_of(&owner_token)),
        None,
        Some(&admin.token),
    );
    expect_problem(&r, 403);
    let t = owner_token["token"].as_str().unwrap();
    expect_json(&me(&runner, t), 200);
    // The Owner still can.
    let r = call(
        &runner,
        "DELETE",
        &format!("/v1/tokens/{}", id_of(&owner_token)),
        None,
        Some(&owner.token),
    );
    assert_eq!(r.status, 204);
}
