//! Email (docs/email.md), end to end under the runner with Baton's own
//! spin.toml and fake provider APIs on loopback: bot email settings, the
//! new-Assist emails, threaded replies in each provider's format, outbox
//! retries and permanent failures, and survey links.

use std::time::{Duration, Instant};

use baton_e2e::fakes::email::{FakeEmailApi, SentEmail};
use baton_e2e::fakes::http::Answer;
use baton_e2e::*;
use serde_json::{Value, json};

const KEY: &str = "0123456789abcdef0123456789abcdef-e2e";

struct App {
    runner: Runner,
    owner: String,
}

fn start(tag: &str, fakes: &[&FakeEmailApi], extra: &[(&str, &str)]) -> App {
    let mut options = RunnerOptions::new("spin.toml", tag)
        .variable("encryption_key", KEY)
        .variable("escalation_rate_limit_per_minute", "100000")
        .variable("public_url", "https://inbox.acme.test")
        .variable("email_retry_base_seconds", "1")
        .variable("inbound_email_secret", "inbound-secret-e2e");
    for f in fakes {
        options = options.variable(&format!("{}_api_url", f.provider), &f.url());
    }
    for (k, v) in extra {
        options = options.variable(k, v);
    }
    let runner = options.start();
    let owner = owner_session(&runner);
    App { runner, owner }
}

struct Bot {
    id: String,
    key: String,
}

fn bot_with_email(app: &App, fake: &FakeEmailApi, name: &str) -> Bot {
    let r = call(
        &app.runner,
        "POST",
        "/v1/bots",
        Some(&json!({
            "name": name, "support_team_name": "Acme Support",
            "email": {
                "provider": fake.provider, "api_key": fake.api_key,
                "from_email": "support@acme.test", "notify_emails": "team@acme.test, lead@acme.test",
                "inbound_domain": "in.acme.test", "footer_address": "Acme Ltd, 1 Main St"
            }
        })),
        Some(&app.owner),
    );
    let body = expect_json(&r, 201);
    assert_eq!(body["email"]["api_key_set"], true, "{body}");
    assert_eq!(body["email"]["ready"], true, "{body}");
    assert!(
        !body.to_string().contains(&fake.api_key),
        "the API key leaked: {body}"
    );
    Bot {
        id: id_of(&body),
        key: body["public_key"].as_str().unwrap().to_string(),
    }
}

fn escalate(app: &App, bot: &Bot, session: &str, email: &str) -> Value {
    let r = call(
        &app.runner,
        "POST",
        "/v1/escalations",
        Some(&json!({
            "session_id": session,
            "messages": [
                {"role": "customer", "text": "My order 12345 arrived broken and I want a refund"},
                {"role": "assistant", "text": "I'm sorry to hear that. Let me get a person to help."},
                {"role": "customer", "text": "Please, a human. I need this sorted today."}
            ],
            "customer": {"name": "Jo Customer", "email": email},
            "confirmed": true
        })),
        Some(&bot.key),
    );
    expect_json(&r, 201)
}

fn detail(app: &App, id: &str) -> Value {
    assist_detail(&app.runner, &app.owner, id)
}

fn reply(app: &App, id: &str, text: &str) -> Value {
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/assists/{id}/replies"),
        Some(&json!({"text": text})),
        Some(&app.owner),
    );
    expect_json(&r, 201)
}

fn drain(app: &App) -> Value {
    expect_json(
        &call(
            &app.runner,
            "POST",
            "/v1/outbox/drain",
            None,
            Some(&app.owner),
        ),
        200,
    )
}

/// Polls the Assist until `pred` holds for it.
fn wait_detail(app: &App, id: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let d = detail(app, id);
        if pred(&d) {
            return d;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}: {d:#}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn by_to<'a>(sent: &'a [SentEmail], to: &str) -> &'a SentEmail {
    sent.iter()
        .find(|e| e.to.iter().any(|t| t == to))
        .unwrap_or_else(|| panic!("no email to {to}: {sent:#?}"))
}

fn last_agent_message(d: &Value) -> Value {
    d["activity"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["role"] == "agent")
        .cloned()
        .unwrap_or_else(|| panic!("no agent message: {d:#}"))
}

#[test]
fn a_new_assist_emails_the_team_and_the_customer_and_replies_thread() {
    let fake = FakeEmailApi::start("postmark", "pm-server-token-1");
    let app = start("email-thread", &[&fake], &[]);
    let bot = bot_with_email(&app, &fake, "Shop chat");
    let created = escalate(&app, &bot, "s-1", "jo@example.org");
    let assist_id = created["assist_id"].as_str().unwrap().to_string();
    let reference = created["reference"].as_str().unwrap().to_string();

    // Both emails leave after the escalation's answer, without a drain call.
    let sent = fake.wait_for(2);
    let team = by_to(&sent, "team@acme.test");
    assert!(team.to.contains(&"lead@acme.test".to_string()), "{team:#?}");
    assert!(team.subject.contains(&reference), "{team:#?}");
    assert!(
        team.text
            .contains(&format!("https://inbox.acme.test/assists/{assist_id}")),
        "{}",
        team.text
    );
    assert!(
        team.text.contains("Priority:") && team.text.contains("Summary:"),
        "{}",
        team.text
    );
    let confirmation = by_to(&sent, "jo@example.org");
    assert!(
        confirmation.from.contains("support@acme.test"),
        "{confirmation:#?}"
    );
    assert!(
        confirmation.subject.contains(&reference),
        "{confirmation:#?}"
    );
    assert!(
        confirmation.text.contains(&reference) && confirmation.text.contains("Acme Ltd, 1 Main St"),
        "{}",
        confirmation.text
    );
    let reply_to = confirmation
        .reply_to
        .clone()
        .expect("a per-Assist reply address");
    assert!(
        reply_to.starts_with("reply+") && reply_to.ends_with("@in.acme.test"),
        "{reply_to}"
    );
    let root_id = confirmation.message_id.clone().expect("Message-ID");
    assert!(
        root_id.starts_with('<') && root_id.ends_with("@acme.test>"),
        "{root_id}"
    );
    let html = confirmation.html.clone().expect("an HTML part");
    assert!(html.contains("Jo"), "{html}");

    // The agent sends the AI draft as is: it threads under the confirmation.
    let d = detail(&app, &assist_id);
    let draft = d["ai"]["suggested_reply"]["text"]
        .as_str()
        .or(d["ai"]["suggested_reply"].as_str())
        .map(String::from);
    let draft = draft.unwrap_or_else(|| panic!("no suggested reply: {:#}", d["ai"]));
    let r = reply(&app, &assist_id, &draft);
    assert_eq!(r["draft_origin"], "ai_draft", "{r}");
    assert_eq!(r["email"]["delivery"], "queued", "{r}");
    let sent = fake.wait_for(3);
    let first_reply = &sent[2];
    assert_eq!(first_reply.to, vec!["jo@example.org".to_string()]);
    // Replies carry a clean subject with the reference, not the
    // confirmation's "We received…", and the draft's own sign-off once.
    assert_eq!(
        first_reply.subject,
        format!("Re: Your request [{reference}]")
    );
    assert!(
        !first_reply.text.contains("— "),
        "the draft signs off, so no second signature: {}",
        first_reply.text
    );
    assert_eq!(first_reply.in_reply_to.as_deref(), Some(root_id.as_str()));
    assert!(
        first_reply
            .references
            .as_deref()
            .unwrap_or_default()
            .contains(&root_id),
        "{first_reply:#?}"
    );
    assert_eq!(first_reply.reply_to.as_deref(), Some(reply_to.as_str()));
    assert!(
        first_reply.text.starts_with(draft.trim()),
        "{}",
        first_reply.text
    );
    // The draft signs off itself, so Baton adds no second sign-off.
    assert!(
        !first_reply.text.contains("Olivia Owner"),
        "{}",
        first_reply.text
    );

    let d = wait_detail(&app, &assist_id, "the reply delivered", |d| {
        last_agent_message(d)["email"]["delivery"] == "sent"
    });
    assert_eq!(d["status"], "pending");
    let m = last_agent_message(&d);
    assert_eq!(m["channel"], "email");
    assert_eq!(m["draft_origin"], "ai_draft");

    // An edited draft and a reply from scratch are told apart; the second
    // reply references both earlier emails.
    let edited = format!("{draft} Also, the courier will collect the broken item.");
    assert_eq!(reply(&app, &assist_id, &edited)["draft_origin"], "edited");
    assert_eq!(
        reply(&app, &assist_id, "Totally different words here.")["draft_origin"],
        "scratch"
    );
    let sent = fake.wait_for(5);
    // Queued back to back, the two may leave in either order.
    let second = sent
        .iter()
        .find(|e| e.text.contains("courier will collect"))
        .expect("the edited reply");
    let refs = second.references.clone().unwrap_or_default();
    assert!(
        refs.contains(&root_id) && refs.contains(first_reply.message_id.as_deref().unwrap()),
        "{refs}"
    );
    assert_eq!(second.in_reply_to, first_reply.message_id);
    // A reply without a sign-off of its own is signed with the agent's name.
    let scratch = sent
        .iter()
        .find(|e| e.text.contains("Totally different words here."))
        .expect("the reply from scratch");
    assert!(scratch.text.contains("— Olivia Owner"), "{}", scratch.text);
    // Every email has its own Message-ID.
    let mut ids: Vec<_> = sent.iter().map(|e| e.message_id.clone().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
}

#[test]
fn each_provider_gets_its_own_wire_format() {
    let fakes = [
        FakeEmailApi::start("brevo", "xkeysib-brevo-1"),
        FakeEmailApi::start("sendgrid", "SG.sendgrid-1"),
        FakeEmailApi::start("postmark", "pm-token-1"),
        FakeEmailApi::start("resend", "re_resend_1"),
    ];
    let refs: Vec<&FakeEmailApi> = fakes.iter().collect();
    let app = start("email-providers", &refs, &[]);
    for fake in &fakes {
        let bot = bot_with_email(&app, fake, &format!("{} bot", fake.provider));
        let created = escalate(
            &app,
            &bot,
            &format!("s-{}", fake.provider),
            &format!("jo+{}@example.org", fake.provider),
        );
        let id = created["assist_id"].as_str().unwrap();
        reply(&app, id, "Your replacement ships today.");
        let sent = fake.wait_for(3);
        for r in fake.requests() {
            assert_eq!(
                r.header("content-type")
                    .map(|c| c.starts_with("application/json")),
                Some(true),
                "{}",
                fake.provider
            );
        }
        let customer: Vec<&SentEmail> = sent
            .iter()
            .filter(|e| e.to.contains(&format!("jo+{}@example.org", fake.provider)))
            .collect();
        assert_eq!(customer.len(), 2, "{}: {sent:#?}", fake.provider);
        // Both were queued before either was sent: either may leave first.
        let (confirmation, answer) = if customer[0].subject.starts_with("We received") {
            (customer[0], customer[1])
        } else {
            (customer[1], customer[0])
        };
        assert!(
            answer.text.contains("Your replacement ships today."),
            "{}: {answer:#?}",
            fake.provider
        );
        assert!(
            answer
                .reply_to
                .as_deref()
                .is_some_and(|r| r.starts_with("reply+")),
            "{}: {answer:#?}",
            fake.provider
        );
        assert_eq!(
            answer.in_reply_to, confirmation.message_id,
            "{}: threading headers: {answer:#?}",
            fake.provider
        );
        let d = wait_detail(&app, id, "delivery", |d| {
            last_agent_message(d)["email"]["delivery"] == "sent"
        });
        assert_eq!(d["status"], "pending");
    }
    // Providers that take an idempotency key get the outbox row's.
    let brevo = fakes[0].requests();
    assert!(
        brevo.iter().all(|r| r.json()["headers"]["idempotencyKey"]
            .as_str()
            .is_some_and(|k| k.len() == 36)),
        "{:?}",
        brevo[0].json()
    );
    let resend = fakes[3].requests();
    assert!(resend.iter().all(|r| r.header("idempotency-key").is_some()));
}

#[test]
fn failed_sends_retry_with_backoff_and_permanent_failures_show_on_the_assist() {
    let fake = FakeEmailApi::start("sendgrid", "SG.retry-1");
    let app = start("email-retry", &[&fake], &[]);
    let bot = bot_with_email(&app, &fake, "Shop chat");
    let id = escalate(&app, &bot, "s-retry", "jo@example.org")["assist_id"]
        .as_str()
        .unwrap()
        .to_string();
    fake.wait_for(2);

    // 429 with Retry-After, then a 503: the third try succeeds, once.
    fake.then_answer(
        Answer::new(429, r#"{"errors":[{"message":"too many requests"}]}"#)
            .header("retry-after", "1"),
    );
    fake.then_answer(Answer::new(
        503,
        r#"{"errors":[{"message":"unavailable"}]}"#,
    ));
    reply(&app, &id, "First answer.");
    fake.wait_for(3);
    let d = detail(&app, &id);
    assert_eq!(
        last_agent_message(&d)["email"]["delivery"],
        "queued",
        "{d:#}"
    );
    // Not sent again before Retry-After has passed.
    assert_eq!(drain(&app)["sent"], 0);
    assert_eq!(fake.requests().len(), 3);
    let start = Instant::now();
    while fake.requests().len() < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "retries did not come: {}",
            fake.requests().len()
        );
        std::thread::sleep(Duration::from_millis(300));
        drain(&app);
    }
    let d = wait_detail(&app, &id, "delivery after retries", |d| {
        last_agent_message(d)["email"]["delivery"] == "sent"
    });
    let tries: Vec<_> = fake.sent()[2..].to_vec();
    assert_eq!(tries.len(), 3, "{tries:#?}");
    assert!(
        tries.iter().all(|t| t.message_id == tries[0].message_id),
        "one row, one Message-ID"
    );
    std::thread::sleep(Duration::from_millis(1500));
    drain(&app);
    assert_eq!(fake.requests().len(), 5, "a sent row is never sent again");
    assert_eq!(last_agent_message(&d)["email"]["error"], Value::Null);

    // A 400 is permanent: no retry, and the Assist shows why.
    fake.then_answer(Answer::new(400, r#"{"errors":[{"message":"The from address does not match a verified Sender Identity.","field":"from.email"}]}"#));
    reply(&app, &id, "Second answer.");
    let d = wait_detail(&app, &id, "the permanent failure", |d| {
        last_agent_message(d)["email"]["delivery"] == "failed"
    });
    let error = last_agent_message(&d)["email"]["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.contains("verified Sender Identity"), "{error}");
    assert!(
        d["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "email_failed"),
        "{:#}",
        d["events"]
    );
    std::thread::sleep(Duration::from_millis(1500));
    drain(&app);
    assert_eq!(fake.requests().len(), 6);
}

#[test]
fn surveys_record_one_click_scores_and_flag_low_ones() {
    let fake = FakeEmailApi::start("resend", "re_survey_1");
    let app = start("email-survey", &[&fake], &[]);
    let bot = bot_with_email(&app, &fake, "Shop chat");
    let id = escalate(&app, &bot, "s-survey", "jo@example.org")["assist_id"]
        .as_str()
        .unwrap()
        .to_string();
    fake.wait_for(2);
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/assists/{id}/close"),
        Some(&json!({"resolution": "Refunded", "send_survey": true})),
        Some(&app.owner),
    );
    expect_json(&r, 200);
    let survey = fake.wait_for(3)[2].clone();
    assert!(survey.subject.starts_with("How did we do?"), "{survey:#?}");
    let links: Vec<String> = survey
        .text
        .split_whitespace()
        .filter(|w| w.starts_with("https://inbox.acme.test/csat/"))
        .map(String::from)
        .collect();
    assert_eq!(links.len(), 5, "{}", survey.text);
    let path = |link: &str| {
        link.trim_start_matches("https://inbox.acme.test")
            .to_string()
    };

    // Mail scanners open every link: a GET or HEAD shows the choice and
    // records nothing; the page's button (a POST) records it.
    let page = send_raw("GET", &app.runner.url(&path(&links[1])), None, &[]);
    assert_eq!(page.status, 200, "{}", describe(&page));
    assert!(
        page.body.contains("<strong>2</strong>") && page.body.contains("<form method=\"post\">"),
        "{}",
        page.body
    );
    assert_eq!(
        send_raw("HEAD", &app.runner.url(&path(&links[0])), None, &[]).status,
        200
    );
    assert_eq!(
        detail(&app, &id)["csat"]["score"],
        Value::Null,
        "a GET or HEAD records nothing"
    );
    let page = send_raw("POST", &app.runner.url(&path(&links[1])), None, &[]);
    assert_eq!(page.status, 200, "{}", describe(&page));
    assert!(
        page.body.contains("Thank you") && page.body.contains("<strong>2</strong>"),
        "{}",
        page.body
    );
    assert!(
        page.get_header("content-security-policy")
            .is_some_and(|c| c.contains("default-src 'none'") && c.contains("form-action 'self'"))
    );
    let d = detail(&app, &id);
    assert_eq!(d["csat"]["score"], 2, "{:#}", d["csat"]);
    assert_eq!(d["csat"]["training_signal"], true);

    // A second answer changes the score.
    assert_eq!(
        send_raw("POST", &app.runner.url(&path(&links[4])), None, &[]).status,
        200
    );
    let d = detail(&app, &id);
    assert_eq!(d["csat"]["score"], 5);
    assert_eq!(d["csat"]["training_signal"], false);

    // A forged score or signature records nothing.
    let forged = path(&links[4]).replacen(".5.", ".1.", 1);
    let r = send_raw("POST", &app.runner.url(&forged), None, &[]);
    assert_eq!(r.status, 404, "{}", describe(&r));
    let mut broken = path(&links[0]);
    broken.push('x');
    assert_eq!(
        send_raw("POST", &app.runner.url(&broken), None, &[]).status,
        404
    );
    assert_eq!(detail(&app, &id)["csat"]["score"], 5);
}

#[test]
fn email_settings_are_validated_and_replies_need_them() {
    let fake = FakeEmailApi::start("postmark", "pm-settings-1");
    let app = start("email-settings", &[&fake], &[]);
    // A bot without email: its Assists cannot be answered by email.
    let r = call(
        &app.runner,
        "POST",
        "/v1/bots",
        Some(&json!({"name": "Plain"})),
        Some(&app.owner),
    );
    let plain = expect_json(&r, 201);
    assert_eq!(plain["email"]["ready"], false);
    let key = plain["public_key"].as_str().unwrap().to_string();
    let bot = Bot {
        id: id_of(&plain),
        key,
    };
    let id = escalate(&app, &bot, "s-plain", "jo@example.org")["assist_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/assists/{id}/replies"),
        Some(&json!({"text": "Hello"})),
        Some(&app.owner),
    );
    let p = expect_problem(&r, 409);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("Email is not set up"),
        "{p}"
    );
    let before = detail(&app, &id);
    assert!(
        before["activity"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["role"] != "agent"),
        "nothing was recorded"
    );
    assert!(fake.requests().is_empty());

    // Bad values: every field named, nothing changed.
    let r = call(
        &app.runner,
        "PATCH",
        &format!("/v1/bots/{}", bot.id),
        Some(
            &json!({"email": {"provider": "mailchimp", "from_email": "not-an-address", "notify_emails": "ok@acme.test, nope", "inbound_domain": "no_domain"}}),
        ),
        Some(&app.owner),
    );
    expect_invalid(
        &r,
        &[
            "email.provider",
            "email.from_email",
            "email.notify_emails",
            "email.inbound_domain",
        ],
    );
    let got = expect_json(
        &call(
            &app.runner,
            "GET",
            &format!("/v1/bots/{}", bot.id),
            None,
            Some(&app.owner),
        ),
        200,
    );
    assert_eq!(got["email"]["provider"], Value::Null);
    let r = call(
        &app.runner,
        "PATCH",
        &format!("/v1/bots/{}", bot.id),
        Some(&json!({"email": {"smtp_host": "x"}})),
        Some(&app.owner),
    );
    expect_invalid(&r, &["smtp_host"]);

    // Good values; the key is write-only.
    let r = call(
        &app.runner,
        "PATCH",
        &format!("/v1/bots/{}", bot.id),
        Some(
            &json!({"email": {"provider": "postmark", "api_key": "pm-settings-1", "from_email": "Help@Acme.test", "notify_emails": ["team@acme.test"]}}),
        ),
        Some(&app.owner),
    );
    let body = expect_json(&r, 200);
    assert_eq!(body["email"]["from_email"], "help@acme.test");
    assert_eq!(body["email"]["api_key_set"], true);
    assert_eq!(body["email"]["ready"], true);
    assert!(!body.to_string().contains("pm-settings-1"));
    let listed = expect_json(
        &call(&app.runner, "GET", "/v1/bots", None, Some(&app.owner)),
        200,
    );
    assert!(!listed.to_string().contains("pm-settings-1"));
    // Now the reply goes out (without a reply address: no inbound domain).
    reply(&app, &id, "Hello from Acme");
    let sent = fake.wait_for(1);
    assert_eq!(sent[0].reply_to, None);
    assert_eq!(sent[0].to, vec!["jo@example.org".to_string()]);
    // Clearing the key makes the bot not ready again.
    let r = call(
        &app.runner,
        "PATCH",
        &format!("/v1/bots/{}", bot.id),
        Some(&json!({"email": {"api_key": null}})),
        Some(&app.owner),
    );
    assert_eq!(expect_json(&r, 200)["email"]["ready"], false);
}

#[test]
fn api_keys_need_the_encryption_key_and_drain_needs_an_admin() {
    let fake = FakeEmailApi::start("postmark", "pm-nokey-1");
    let runner = RunnerOptions::new("spin.toml", "email-nokey")
        .variable("postmark_api_url", &fake.url())
        .start();
    let owner = owner_session(&runner);
    let r = call(
        &runner,
        "POST",
        "/v1/bots",
        Some(
            &json!({"name": "Shop", "email": {"provider": "postmark", "api_key": "pm-nokey-1", "from_email": "support@acme.test"}}),
        ),
        Some(&owner),
    );
    let p = expect_problem(&r, 503);
    assert!(
        p["detail"].as_str().unwrap().contains("encryption_key"),
        "{p}"
    );
    let bots = expect_json(&call(&runner, "GET", "/v1/bots", None, Some(&owner)), 200);
    assert_eq!(
        bots["bots"].as_array().unwrap().len(),
        0,
        "nothing half-created: {bots}"
    );
    expect_unauthorized(&call(&runner, "POST", "/v1/outbox/drain", None, None));
    let r = call(&runner, "GET", "/v1/outbox/drain", None, Some(&owner));
    expect_problem(&r, 405);
    let report = expect_json(
        &call(&runner, "POST", "/v1/outbox/drain", None, Some(&owner)),
        200,
    );
    assert_eq!(
        report,
        json!({"sent": 0, "retrying": 0, "failed": 0, "remaining": 0})
    );
}

/// A public bot key must not make Baton an open relay: confirmations to one
/// address are capped per hour (the Assists are still created and the team
/// still told), and a "name" that is not a name is never echoed.
#[test]
fn confirmations_are_capped_per_address_and_never_echo_odd_names() {
    let fake = FakeEmailApi::start("postmark", "pm-relay-1");
    let app = start("email-relay", &[&fake], &[]);
    let bot = bot_with_email(&app, &fake, "Relay");
    for i in 0..5 {
        escalate(&app, &bot, &format!("relay-{i}"), "victim@example.org");
    }
    // Two emails to the team per Assist, confirmations only for the first three.
    fake.wait_for(5 + 3);
    // Anything more would have been queued with them: give it time to show.
    std::thread::sleep(Duration::from_millis(1500));
    drain(&app);
    let sent = fake.sent().len();
    let to_victim = fake
        .sent()
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("victim@example.org")))
        .count();
    assert_eq!(
        to_victim, 3,
        "confirmations to one address ({sent} emails in all)"
    );
    let team = fake
        .sent()
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("team@acme.test")))
        .count();
    assert_eq!(team, 5, "the team hears of every Assist");

    // A link or spam text typed as the name: the greeting says "there".
    let r = call(
        &app.runner,
        "POST",
        "/v1/escalations",
        Some(&json!({
            "session_id": "relay-name",
            "messages": [{"role": "customer", "text": "I need a human about my refund"}],
            "customer": {"name": "http://win-a-prize.example claim now", "email": "other@example.org"},
            "confirmed": true
        })),
        Some(&bot.key),
    );
    expect_json(&r, 201);
    let started = Instant::now();
    let confirmation = loop {
        if let Some(m) = fake
            .sent()
            .into_iter()
            .find(|m| m.to.iter().any(|t| t.contains("other@example.org")))
        {
            break m;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no confirmation"
        );
        drain(&app);
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        confirmation.text.starts_with("Hi there,"),
        "{}",
        confirmation.text
    );
    assert!(
        !confirmation.text.contains("win-a-prize"),
        "{}",
        confirmation.text
    );
}

/// Two agents on one Assist: the one who answers against a view older than
/// the conversation gets 409 with what changed, sends nothing, and can send
/// once they have seen it. The customer gets one email per send.
#[test]
fn a_reply_against_a_stale_view_is_refused_with_what_changed() {
    let fake = FakeEmailApi::start("postmark", "pm-stale-1");
    let app = start("email-stale", &[&fake], &[]);
    let bot = bot_with_email(&app, &fake, "Stale");
    let id = escalate(&app, &bot, "s-stale", "jo@example.org")["assist_id"]
        .as_str()
        .unwrap()
        .to_string();
    let seen = detail(&app, &id)["transcript"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let send = |seen: &str, text: &str| {
        call(
            &app.runner,
            "POST",
            &format!("/v1/assists/{id}/replies"),
            Some(&json!({"text": text, "seen_message_id": seen})),
            Some(&app.owner),
        )
    };
    expect_json(&send(&seen, "First answer from Sam."), 201);
    let r = send(&seen, "Second answer from Kim.");
    let p = expect_problem(&r, 409);
    assert_eq!(p["code"], "stale_view", "{p}");
    assert_eq!(p["changed"][0]["role"], "agent", "{p}");
    assert!(
        p["changed"][0]["text"]
            .as_str()
            .unwrap()
            .contains("First answer"),
        "{p}"
    );
    let replies = |d: &Value| {
        d["activity"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["role"] == "agent")
            .count()
    };
    assert_eq!(
        replies(&detail(&app, &id)),
        1,
        "the refused reply was not stored"
    );
    let latest = p["latest_message_id"].as_str().unwrap().to_string();
    expect_json(
        &send(&latest, "Second answer from Kim, after reading Sam's."),
        201,
    );
    assert_eq!(replies(&detail(&app, &id)), 2);
    let r = send("01NOTAMESSAGE", "x");
    let p = expect_problem(&r, 422);
    assert!(p.to_string().contains("seen_message_id"), "{p}");
}

/// Invitations are emailed through the first bot that can send; the link in
/// the email works once.
#[test]
fn an_invitation_is_emailed_and_its_link_works_once() {
    let fake = FakeEmailApi::start("postmark", "pm-invite-1");
    let app = start("email-invite", &[&fake], &[]);
    // No bot can send yet: the invitation is made, not emailed.
    let r = call(
        &app.runner,
        "POST",
        "/v1/team/invitations",
        Some(&json!({"email": "kim@example.org", "name": "Kim Lee", "role": "manager"})),
        Some(&app.owner),
    );
    assert_eq!(expect_json(&r, 201)["emailed"], false);
    bot_with_email(&app, &fake, "Chat");
    let r = call(
        &app.runner,
        "POST",
        "/v1/team/invitations",
        Some(&json!({"email": "sam@example.org", "name": "Sam Hill", "role": "support"})),
        Some(&app.owner),
    );
    let inv = expect_json(&r, 201);
    assert_eq!(inv["emailed"], true, "{inv}");
    let sent = fake.wait_for(1);
    let mail = sent
        .iter()
        .find(|e| e.to.contains(&"sam@example.org".to_string()))
        .unwrap_or_else(|| panic!("no invitation email: {sent:#?}"));
    assert!(mail.subject.contains("invited you"), "{mail:#?}");
    let url = inv["accept_url"].as_str().unwrap();
    assert!(
        mail.text.contains(url),
        "the email carries the link: {}",
        mail.text
    );
    let token = url.split("token=").nth(1).unwrap();
    let accept = |password: &str| {
        call(
            &app.runner,
            "POST",
            &format!("/v1/invitations/{token}/accept"),
            Some(&json!({"password": password})),
            None,
        )
    };
    expect_json(&accept("a long enough passphrase 1"), 201);
    assert!(
        accept("another long passphrase 2").status >= 400,
        "the link works once"
    );
}
