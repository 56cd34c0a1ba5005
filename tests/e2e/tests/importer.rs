//! Help-desk imports (docs/imports.md), end to end: the importer component
//! under the runner talks to a fake of each help desk (its documented API,
//! auth, paging and rate limits) through the `helpdesk_proxy_origin`
//! variable. Batches to completion with exact counts, reruns that import
//! nothing, a ticket changing between runs, bad credentials, a 429 mid-run
//! then resuming, a malformed ticket skipped and reported.

use baton_e2e::fakes::helpdesk::{FakeHelpdesk, FakeKind, Provider};
use baton_e2e::*;
use serde_json::{Map, Value, json};

const KEY: &str = "0123456789abcdef0123456789abcdef-e2e";

struct App {
    runner: Runner,
    owner: String,
}

fn start(tag: &str, fake: &FakeHelpdesk) -> App {
    let runner = RunnerOptions::new("spin.toml", tag)
        .variable("encryption_key", KEY)
        .variable("helpdesk_proxy_origin", &fake.origin())
        .start();
    let owner = owner_session(&runner);
    App { runner, owner }
}

fn credentials(fake: &FakeHelpdesk) -> Value {
    let mut m = Map::new();
    for (k, v) in fake.credentials() {
        m.insert(k.into(), json!(v));
    }
    Value::Object(m)
}

fn connect(app: &App, fake: &FakeHelpdesk) -> String {
    let r = call(
        &app.runner,
        "POST",
        "/v1/integrations/importers",
        Some(
            &json!({"provider": fake.provider().as_str(), "credentials": credentials(fake), "brand_label": "Legacy desk"}),
        ),
        Some(&app.owner),
    );
    let body = expect_json(&r, 201);
    for (_, secret) in fake.credentials().iter().filter(|(k, _)| {
        [
            "api_token",
            "access_token",
            "api_key",
            "auth_code",
            "client_secret",
        ]
        .contains(k)
    }) {
        assert!(
            !body.to_string().contains(secret),
            "a secret leaked: {body}"
        );
    }
    id_of(&body)
}

fn run(app: &App, id: &str) -> Value {
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/integrations/importers/{id}/run"),
        None,
        Some(&app.owner),
    );
    expect_json(&r, 200)
}

/// Runs until done; returns every run's report.
fn run_to_end(app: &App, id: &str) -> Vec<Value> {
    let mut reports = Vec::new();
    loop {
        let r = run(app, id);
        assert_eq!(r["error"], Value::Null, "{r}");
        reports.push(r.clone());
        if r["done"] == true {
            return reports;
        }
        assert!(reports.len() < 20, "no end in sight: {reports:#?}");
    }
}

fn sum(reports: &[Value], key: &str) -> u64 {
    reports.iter().map(|r| r[key].as_u64().unwrap()).sum()
}

fn imported_assists(app: &App) -> Vec<Value> {
    let r = call(
        &app.runner,
        "GET",
        "/v1/assists?channel=import&status=open&limit=100",
        None,
        Some(&app.owner),
    );
    let page = expect_json(&r, 200);
    page["assists"].as_array().cloned().unwrap_or_default()
}

#[test]
fn zendesk_imports_in_batches_reruns_safely_and_picks_up_changes() {
    let fake = FakeHelpdesk::start(Provider::Zendesk, 320);
    let open = fake.open_tickets();
    assert!(
        open.len() > 200,
        "the seed must need two batches: {}",
        open.len()
    );
    let app = start("import-zendesk", &fake);

    // Bad credentials: a clear 422, nothing stored.
    let mut bad = credentials(&fake);
    bad["api_token"] = json!("wrong-token");
    let r = call(
        &app.runner,
        "POST",
        "/v1/integrations/importers",
        Some(&json!({"provider": "zendesk", "credentials": bad})),
        Some(&app.owner),
    );
    let p = expect_invalid(&r, &["credentials"]);
    assert!(
        p["detail"].as_str().unwrap().contains("zendesk refused"),
        "{p}"
    );
    let r = call(
        &app.runner,
        "POST",
        "/v1/integrations/importers",
        Some(&json!({"provider": "zendesk", "credentials": {"subdomain": "acme"}})),
        Some(&app.owner),
    );
    expect_invalid(&r, &["credentials.email", "credentials.api_token"]);
    let listed = expect_json(
        &call(
            &app.runner,
            "GET",
            "/v1/integrations/importers",
            None,
            Some(&app.owner),
        ),
        200,
    );
    assert_eq!(listed["importers"].as_array().unwrap().len(), 0);

    let id = connect(&app, &fake);
    let reports = run_to_end(&app, &id);
    assert_eq!(reports.len(), 2, "{reports:#?}");
    assert_eq!(reports[0]["imported"], 200, "{}", reports[0]);
    assert_eq!(reports[0]["done"], false);
    assert!(
        reports[0]["remaining_estimate"]
            .as_u64()
            .is_some_and(|r| r == open.len() as u64 - 200),
        "{}",
        reports[0]
    );
    assert_eq!(sum(&reports, "imported"), open.len() as u64);
    assert_eq!(reports[1]["remaining_estimate"], 0);

    // One imported ticket, in full: roles kept apart, brand label, requester.
    let sample = open
        .iter()
        .find(|t| t.messages.iter().any(|m| m.kind == FakeKind::PrivateNote))
        .expect("a ticket with a note");
    let r = call(
        &app.runner,
        "GET",
        &format!(
            "/v1/assists?q={}&limit=5",
            sample.requester.email.replace('@', "%40")
        ),
        None,
        Some(&app.owner),
    );
    let found = expect_json(&r, 200);
    let d = found["assists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            expect_json(
                &call(
                    &app.runner,
                    "GET",
                    &format!("/v1/assists/{}", id_of(a)),
                    None,
                    Some(&app.owner),
                ),
                200,
            )
        })
        .find(|d| d["metadata"]["ticket_id"] == json!(sample.id.to_string()))
        .unwrap_or_else(|| panic!("ticket {} not found: {found:#}", sample.id));
    assert_eq!(d["channel"], "import");
    assert_eq!(d["brand_label"], "Legacy desk");
    let transcript = d["transcript"].as_array().unwrap();
    assert_eq!(transcript.len(), sample.messages.len());
    for (got, want) in transcript.iter().zip(&sample.messages) {
        let role = match want.kind {
            FakeKind::Customer => "customer",
            FakeKind::PublicReply => "agent",
            FakeKind::PrivateNote => "note",
        };
        assert_eq!(got["role"], role, "{got}");
        assert_eq!(got["text"], json!(want.text));
    }
    assert!(d["ai"]["summary"].as_str().is_some_and(|s| !s.is_empty()));

    // A rerun imports nothing; a changed ticket gets its new message.
    let again = run_to_end(&app, &id);
    assert_eq!(sum(&again, "imported"), 0, "{again:#?}");
    assert_eq!(sum(&again, "skipped"), open.len() as u64);
    let changed = &open[3];
    fake.add_message(changed.id, FakeKind::Customer)
        .expect("a new message");
    let third = run_to_end(&app, &id);
    assert_eq!(sum(&third, "imported"), 0);
    assert_eq!(sum(&third, "updated"), 1, "{third:#?}");

    // The history lists every run.
    let runs = expect_json(
        &call(
            &app.runner,
            "GET",
            &format!("/v1/integrations/importers/{id}/runs"),
            None,
            Some(&app.owner),
        ),
        200,
    );
    assert_eq!(
        runs["runs"].as_array().unwrap().len(),
        reports.len() + again.len() + third.len()
    );
    assert!(
        runs["runs"][0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("user:")
    );

    // Disconnecting removes the account and its runs; the Assists stay.
    let before = imported_assists(&app).len();
    let r = call(
        &app.runner,
        "DELETE",
        &format!("/v1/integrations/importers/{id}"),
        None,
        Some(&app.owner),
    );
    assert_eq!(r.status, 204, "{}", describe(&r));
    let listed = expect_json(
        &call(
            &app.runner,
            "GET",
            "/v1/integrations/importers",
            None,
            Some(&app.owner),
        ),
        200,
    );
    assert_eq!(listed["importers"].as_array().unwrap().len(), 0);
    expect_problem(
        &call(
            &app.runner,
            "POST",
            &format!("/v1/integrations/importers/{id}/run"),
            None,
            Some(&app.owner),
        ),
        404,
    );
    assert_eq!(imported_assists(&app).len(), before);
}

#[test]
fn a_rate_limit_stops_the_run_and_the_next_run_resumes() {
    let fake = FakeHelpdesk::start(Provider::Freshdesk, 150);
    let open = fake.open_tickets();
    let app = start("import-ratelimit", &fake);
    let id = connect(&app, &fake);
    let malformed = open[5].id;
    fake.malform(malformed);
    fake.rate_limit_nth(12, 7);
    let first = run(&app, &id);
    assert_eq!(first["done"], false, "{first}");
    assert!(
        first["error"]
            .as_str()
            .unwrap_or_default()
            .contains("rate limit"),
        "{first}"
    );
    assert_eq!(first["retry_after"], 7, "{first}");
    let rest = run_to_end(&app, &id);
    let all: Vec<Value> = std::iter::once(first).chain(rest).collect();
    let failed: Vec<&Value> = all
        .iter()
        .flat_map(|r| r["failures"].as_array().unwrap().iter())
        .collect();
    assert!(
        failed
            .iter()
            .any(|f| f["ticket_id"] == json!(malformed.to_string())),
        "{failed:?}"
    );
    // Every readable open ticket arrived exactly once.
    let imported = sum(&all, "imported");
    assert_eq!(imported, open.len() as u64 - 1, "{all:#?}");
    let runs = expect_json(
        &call(
            &app.runner,
            "GET",
            &format!("/v1/integrations/importers/{id}/runs"),
            None,
            Some(&app.owner),
        ),
        200,
    );
    assert!(runs["runs"].as_array().unwrap().iter().any(|r| {
        r["error"]
            .as_str()
            .is_some_and(|e| e.contains("rate limit"))
    }));
}

#[test]
fn every_other_help_desk_imports_to_completion() {
    for provider in [Provider::Intercom, Provider::Happyfox, Provider::Helpscout] {
        let fake = FakeHelpdesk::start(provider, 90);
        let open = fake.open_tickets();
        let app = start(&format!("import-{}", provider.as_str()), &fake);
        let id = connect(&app, &fake);
        let reports = run_to_end(&app, &id);
        assert_eq!(
            sum(&reports, "imported"),
            open.len() as u64,
            "{}: {reports:#?}",
            provider.as_str()
        );
        let again = run_to_end(&app, &id);
        assert_eq!(sum(&again, "imported"), 0, "{}", provider.as_str());
        assert!(
            imported_assists(&app).len() >= open.len().min(100),
            "{}",
            provider.as_str()
        );
        // Only Owners and Admins manage importers.
        expect_unauthorized(&call(
            &app.runner,
            "GET",
            "/v1/integrations/importers",
            None,
            None,
        ));
    }
}

/// An imported ticket belongs to no bot: the first bot whose email is
/// ready answers it, through that bot's provider, to the requester.
#[test]
fn an_imported_ticket_is_answered_by_email() {
    use baton_e2e::fakes::email::FakeEmailApi;
    let fake = FakeHelpdesk::start(Provider::Zendesk, 12);
    let mail = FakeEmailApi::start("postmark", "pm-import-1");
    let runner = RunnerOptions::new("spin.toml", "import-answered")
        .variable("encryption_key", KEY)
        .variable("helpdesk_proxy_origin", &fake.origin())
        .variable("postmark_api_url", &mail.url())
        .variable("public_url", "https://inbox.acme.test")
        .start();
    let owner = owner_session(&runner);
    let app = App { runner, owner };
    let id = connect(&app, &fake);
    run_to_end(&app, &id);
    let assist = imported_assists(&app)
        .into_iter()
        .next()
        .expect("an imported ticket");
    let assist_id = id_of(&assist);
    let reply = |text: &str| {
        call(
            &app.runner,
            "POST",
            &format!("/v1/assists/{assist_id}/replies"),
            Some(&json!({"text": text})),
            Some(&app.owner),
        )
    };
    // No bot has email yet: a clear 409, nothing sent.
    let p = expect_problem(&reply("Hello from Acme."), 409);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("no bot has email set up"),
        "{p}"
    );
    let bot = call(
        &app.runner,
        "POST",
        "/v1/bots",
        Some(&json!({
            "name": "Website chat", "support_team_name": "Acme Support",
            "email": {"provider": "postmark", "api_key": mail.api_key, "from_email": "support@acme.test",
                      "inbound_domain": "in.acme.test"}
        })),
        Some(&app.owner),
    );
    assert_eq!(expect_json(&bot, 201)["email"]["ready"], true);
    expect_json(
        &reply("We are on it: your ticket moved to our new inbox."),
        201,
    );
    let sent = mail.wait_for(1);
    let answer = sent
        .iter()
        .find(|e| e.text.contains("moved to our new inbox"))
        .expect("the reply went out");
    assert_eq!(answer.from, "support@acme.test", "{answer:#?}");
    assert!(!answer.to.is_empty(), "{answer:#?}");
}
