//! Telephony (docs/voice.md), end to end: each provider's webhook component
//! under the runner, with signed sample events in the provider's format and
//! fake provider APIs (registration, transcripts, renewals) reached through
//! the `voice_api_url` variable. Per provider: voicemail to Assist, the
//! transcript (in the event, a later callback or fetched), a duplicate
//! delivery, a bad signature, an unknown line.

use baton_e2e::fakes::voice::{
    self as samples, FakeAircall, FakeDialpad, FakeQuo, FakeRingCentral, FakeVonage, RenewalMode,
    SampleCall, SignedRequest,
};
use baton_e2e::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const KEY: &str = "0123456789abcdef0123456789abcdef-e2e";
const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";

struct App {
    runner: Runner,
    owner: String,
    base: String,
}

fn start(tag: &str, api: Option<&str>) -> App {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut options = RunnerOptions::new("spin.toml", tag)
        .port(port)
        .variable("encryption_key", KEY)
        .variable("public_url", &base);
    if let Some(api) = api {
        options = options.variable("voice_api_url", api);
    }
    let runner = options.start();
    let owner = owner_session(&runner);
    App {
        runner,
        owner,
        base,
    }
}

fn connect(app: &App, provider: &str, credentials: Value) -> Value {
    let r = call(
        &app.runner,
        "POST",
        "/v1/integrations/voice/lines",
        Some(
            &json!({"provider": provider, "credentials": credentials, "phone_number": "+1 (415) 555-0100", "brand_label": "Acme Phone"}),
        ),
        Some(&app.owner),
    );
    let line = expect_json(&r, 201);
    assert_eq!(line["phone_number"], "+14155550100", "{line}");
    assert_eq!(line["status"], "active", "{line}");
    line
}

/// Sends a signed sample to the runner at the path it was signed for.
fn deliver(app: &App, s: &SignedRequest) -> (u16, Value) {
    let path = s
        .url
        .strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("signed for another origin: {}", s.url));
    let (status, _, body) = s.send_to(&app.runner.url(path));
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn detail(app: &App, id: &str) -> Value {
    assist_detail(&app.runner, &app.owner, id)
}

fn voicemails(app: &App) -> Vec<Value> {
    let r = call(
        &app.runner,
        "GET",
        "/v1/assists?channel=voicemail&limit=50",
        None,
        Some(&app.owner),
    );
    expect_json(&r, 200)["assists"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The checks every provider shares once its voicemail arrived.
fn check_voicemail(
    app: &App,
    stored: &(u16, Value),
    c: &SampleCall,
    with_transcript: bool,
) -> String {
    assert_eq!(stored.0, 200, "{}", stored.1);
    let id = stored.1["assist_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no Assist: {}", stored.1))
        .to_string();
    let d = detail(app, &id);
    assert_eq!(d["channel"], "voicemail");
    assert_eq!(d["brand_label"], "Acme Phone");
    assert_eq!(d["customer"]["phone"], json!(c.caller));
    assert_eq!(d["customer"]["email"], Value::Null);
    if with_transcript {
        assert_eq!(
            d["transcript"][0]["text"],
            json!(c.transcript),
            "{:#}",
            d["transcript"]
        );
    }
    id
}

fn wait_transcript(app: &App, id: &str, c: &SampleCall) -> Value {
    let start = Instant::now();
    loop {
        let d = detail(app, id);
        if d["transcript"][0]["text"] == json!(c.transcript) {
            assert_eq!(d["metadata"]["transcript"], "ready");
            assert!(
                d["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["kind"] == "transcript_added")
            );
            // The AI read the transcript: the order number is on the customer.
            assert!(
                d["customer"]["identifiers"].to_string().contains("1142"),
                "{:#}",
                d["customer"]
            );
            return d;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no transcript: {:#}",
            d["transcript"]
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Duplicate, forged and unknown-line deliveries change nothing. `forged`
/// is the sample with a bad signature (or token, where the provider signs
/// with a token rather than over the body).
fn check_refusals(app: &App, sample: &SignedRequest, line_id: &str) {
    check_refusals_with(app, sample, &sample.tampered(), line_id)
}

fn check_refusals_with(app: &App, sample: &SignedRequest, forged: &SignedRequest, line_id: &str) {
    let before = voicemails(app).len();
    let (status, body) = deliver(app, sample);
    assert_eq!(status, 200);
    assert_eq!(body["result"], "duplicate", "{body}");
    let (status, body) = deliver(app, forged);
    assert_eq!(status, 401, "{body}");
    let other = SignedRequest {
        url: sample.url.replace(line_id, "01NOSUCHLINE000000000000000"),
        ..sample.clone()
    };
    let (status, _) = deliver(app, &other);
    assert_eq!(status, 404);
    assert_eq!(voicemails(app).len(), before);
}

#[test]
fn twilio_voicemail_then_transcript_callback() {
    let app = start("voice-twilio", None);
    let line = connect(
        &app,
        "twilio",
        json!({"account_sid": TWILIO_SID, "auth_token": "tw-auth-1"}),
    );
    let url = line["webhook_url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        format!("{}/hooks/voice/twilio/{}", app.base, id_of(&line))
    );
    assert_eq!(
        line["webhook_registered"], false,
        "Twilio's URL is pasted by hand"
    );
    let c = SampleCall::new("CA0001");
    // The ringing call is answered with a recording TwiML.
    let s = samples::twilio::incoming_call(&url, "tw-auth-1", &c);
    let (status, _, body) = s.send_to(&app.runner.url(s.url.strip_prefix(&app.base).unwrap()));
    assert_eq!(status, 200);
    assert!(
        body.contains("<Record") && body.contains("transcribeCallback"),
        "{body}"
    );
    let recording = samples::twilio::recording(&url, "tw-auth-1", &c);
    let id = check_voicemail(&app, &deliver(&app, &recording), &c, false);
    let d = detail(&app, &id);
    assert_eq!(d["metadata"]["recording_url"], json!(c.recording_url));
    assert_eq!(d["metadata"]["transcript"], "pending");
    check_refusals(&app, &recording, &id_of(&line));
    // The transcript arrives later and updates the same Assist.
    let (status, body) = deliver(&app, &samples::twilio::transcription(&url, "tw-auth-1", &c));
    assert_eq!(
        (status, body["assist_id"].clone()),
        (200, json!(id)),
        "{body}"
    );
    wait_transcript(&app, &id, &c);
    // The line's label and number can change; a bad number changes nothing.
    let path = format!("/v1/integrations/voice/lines/{}", id_of(&line));
    let r = call(
        &app.runner,
        "PATCH",
        &path,
        Some(&json!({"phone_number": "call me"})),
        Some(&app.owner),
    );
    expect_invalid(&r, &["phone_number"]);
    let r = call(
        &app.runner,
        "PATCH",
        &path,
        Some(&json!({"brand_label": "Acme Sales"})),
        Some(&app.owner),
    );
    let patched = expect_json(&r, 200);
    assert_eq!(patched["brand_label"], "Acme Sales");
    assert_eq!(patched["phone_number"], "+14155550100");
    // The call completing adds a call log entry (no transcript on it).
    let (status, _) = deliver(
        &app,
        &samples::twilio::call_completed(&url, "tw-auth-1", &c),
    );
    assert_eq!(status, 200);
    let d = detail(&app, &id);
    let log = d["activity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "system")
        .cloned()
        .unwrap_or_else(|| panic!("no call log: {:#}", d["activity"]));
    assert!(log["text"].as_str().unwrap().contains("21 s"), "{log}");
    assert_eq!(voicemails(&app).len(), 1);
    // Disconnected, the line's webhook is unknown.
    let r = call(&app.runner, "DELETE", &path, None, Some(&app.owner));
    let gone = expect_json(&r, 200);
    assert_eq!(gone["webhook"], "set_in_console", "{gone}");
    assert!(gone["note"].as_str().unwrap().contains("twilio"), "{gone}");
    let (status, _) = deliver(
        &app,
        &samples::twilio::recording(&url, "tw-auth-1", &SampleCall::new("CA0002")),
    );
    assert_eq!(status, 404);
}

#[test]
fn aircall_registers_its_webhook_and_fetches_nothing_it_was_given() {
    let fake = FakeAircall::start("ac-id", "ac-token");
    let app = start("voice-aircall", Some(&fake.server.base()));
    // Bad credentials: refused, nothing stored.
    let r = call(
        &app.runner,
        "POST",
        "/v1/integrations/voice/lines",
        Some(
            &json!({"provider": "aircall", "credentials": {"api_id": "ac-id", "api_token": "wrong"}, "phone_number": "+14155550100"}),
        ),
        Some(&app.owner),
    );
    expect_invalid(&r, &["credentials"]);
    let line = connect(
        &app,
        "aircall",
        json!({"api_id": "ac-id", "api_token": "ac-token"}),
    );
    assert_eq!(line["webhook_registered"], true, "{line}");
    let url = line["webhook_url"].as_str().unwrap().to_string();
    let reg = fake.server.requests_to("POST", "/v1/webhooks");
    assert_eq!(reg.len(), 2, "one refused, one accepted");
    assert_eq!(reg[1].json()["url"], json!(url));
    let c = SampleCall::new("9001");
    let vm = samples::aircall::voicemail_left(&url, &fake.token, now_secs(), &c);
    let id = check_voicemail(&app, &deliver(&app, &vm), &c, false);
    let forged = samples::aircall::voicemail_left(&url, "not-the-token", now_secs(), &c);
    check_refusals_with(&app, &vm, &forged, &id_of(&line));
    let (status, _) = deliver(
        &app,
        &samples::aircall::transcription_created(&url, &fake.token, now_secs(), &c),
    );
    assert_eq!(status, 200);
    wait_transcript(&app, &id, &c);
    // Disconnecting removes the webhook at Aircall too.
    let path = format!("/v1/integrations/voice/lines/{}", id_of(&line));
    let gone = expect_json(
        &call(&app.runner, "DELETE", &path, None, Some(&app.owner)),
        200,
    );
    assert_eq!(gone["webhook"], "removed", "{gone}");
    let deleted: Vec<_> = fake
        .server
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path().starts_with("/v1/webhooks/"))
        .collect();
    assert_eq!(deleted.len(), 1, "one webhook deleted at the provider");
    assert_eq!(
        call(&app.runner, "GET", &path, None, Some(&app.owner)).status,
        404
    );
}

#[test]
fn dialpad_signed_events_with_the_secret_baton_set() {
    let fake = FakeDialpad::start("dp-key");
    let app = start("voice-dialpad", Some(&fake.server.base()));
    let line = connect(
        &app,
        "dialpad",
        json!({"api_key": "dp-key", "target_type": "user", "target_id": "5550001"}),
    );
    let url = line["webhook_url"].as_str().unwrap().to_string();
    let hook = &fake.server.requests_to("POST", "/api/v2/webhooks")[0];
    let secret = hook.json()["secret"].as_str().unwrap().to_string();
    assert_eq!(hook.json()["hook_url"], json!(url));
    assert_eq!(
        fake.server
            .requests_to("POST", "/api/v2/subscriptions/call")
            .len(),
        1
    );
    let c = SampleCall::new("6001");
    let vm = samples::dialpad::voicemail(&url, &secret, &c, false);
    let id = check_voicemail(&app, &deliver(&app, &vm), &c, false);
    check_refusals(&app, &vm, &id_of(&line));
    let (status, _) = deliver(&app, &samples::dialpad::transcription(&url, &secret, &c));
    assert_eq!(status, 200);
    wait_transcript(&app, &id, &c);
}

#[test]
fn quo_voicemail_with_its_transcript_and_an_ai_summary() {
    let fake = FakeQuo::start("quo-key");
    let app = start("voice-quo", Some(&fake.server.base()));
    let line = connect(&app, "quo", json!({"api_key": "quo-key"}));
    let url = line["webhook_url"].as_str().unwrap().to_string();
    assert_eq!(fake.server.requests_to("POST", "/webhooks").len(), 1);
    let c = SampleCall::new("AC-quo-1");
    let vm = samples::quo::voicemail(&url, &fake.whsec, now_secs(), &c, true);
    let id = check_voicemail(&app, &deliver(&app, &vm), &c, true);
    check_refusals(&app, &vm, &id_of(&line));
    let d = detail(&app, &id);
    assert!(d["ai"]["summary"].as_str().unwrap().len() > 10);
}

#[test]
fn vonage_recording_then_a_fetched_transcript() {
    let fake = FakeVonage::start("vonage-app-1");
    let app = start("voice-vonage", Some(&fake.server.base()));
    let key = include_str!("../fixtures/vonage_test_key.pem");
    let line = connect(
        &app,
        "vonage",
        json!({"application_id": "vonage-app-1", "signature_secret": "vonage-sig-secret-1", "private_key": key}),
    );
    let url = line["webhook_url"].as_str().unwrap().to_string();
    let c = SampleCall::new("CON-vonage-1");
    let rec =
        samples::vonage::recording(&url, "vonage-sig-secret-1", "vonage-app-1", now_secs(), &c);
    let id = check_voicemail(&app, &deliver(&app, &rec), &c, false);
    check_refusals(&app, &rec, &id_of(&line));
    let file = fake.set_file("tr-1", samples::vonage::transcript_document(&c));
    let (status, _) = deliver(
        &app,
        &samples::vonage::transcription(
            &url,
            "vonage-sig-secret-1",
            "vonage-app-1",
            now_secs(),
            &c,
            &file,
        ),
    );
    assert_eq!(status, 200);
    wait_transcript(&app, &id, &c);
}

#[test]
fn ringcentral_handshake_voicemail_fetch_and_renewals() {
    let fake = FakeRingCentral::start("rc-client", "rc-secret", "rc-user-jwt");
    fake.set_now(now_secs());
    let app = start("voice-ringcentral", Some(&fake.server.base()));
    let line = connect(
        &app,
        "ringcentral",
        json!({"client_id": "rc-client", "client_secret": "rc-secret", "jwt": "rc-user-jwt", "extension_id": "101"}),
    );
    let url = line["webhook_url"].as_str().unwrap().to_string();
    assert!(line["subscription_expires_at"].is_string(), "{line}");
    let sub = &fake
        .server
        .requests_to("POST", "/restapi/v1.0/subscription")[0];
    let verification = sub.json()["deliveryMode"]["verificationToken"]
        .as_str()
        .unwrap()
        .to_string();
    let c = SampleCall::new("vm-rc-1");
    fake.set_message(
        &c.call_id,
        samples::ringcentral::message(&fake.server.base(), &c, "Completed"),
    );
    fake.set_transcript(&c.call_id, &c.transcript);
    let vm =
        samples::ringcentral::voicemail(&url, &verification, &fake.server.base(), &c, "InProgress");
    let id = check_voicemail(&app, &deliver(&app, &vm), &c, false);
    check_refusals_with(
        &app,
        &vm,
        &vm.with_header("Verification-Token", "not-the-token"),
        &id_of(&line),
    );
    wait_transcript(&app, &id, &c);

    // Renewal: a failure shows as a warning on the line, a manual renew clears it.
    fake.set_now(now_secs() + 6 * 86_400);
    fake.set_renewal(RenewalMode::NotFound);
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/integrations/voice/lines/{}/renew", id_of(&line)),
        None,
        Some(&app.owner),
    );
    let warned = expect_json(&r, 200);
    assert_eq!(warned["status"], "warning", "{warned}");
    assert!(
        warned["last_error"]
            .as_str()
            .unwrap()
            .contains("could not be renewed"),
        "{warned}"
    );
    fake.set_renewal(RenewalMode::Succeed);
    let r = call(
        &app.runner,
        "POST",
        &format!("/v1/integrations/voice/lines/{}/renew", id_of(&line)),
        None,
        Some(&app.owner),
    );
    let fixed = expect_json(&r, 200);
    assert_eq!(fixed["status"], "active", "{fixed}");
    assert_eq!(fixed["last_error"], Value::Null);
    let r = call(
        &app.runner,
        "POST",
        "/v1/integrations/voice/renewals",
        None,
        Some(&app.owner),
    );
    expect_json(&r, 200);
}
