//! The runner's conformance with `spin up`, end to end through the fixture
//! component (tests/fixture): routing and Spin headers, each host interface,
//! grants, restarts, traps and shutdown.

use baton_e2e::*;
use serde_json::{Value, json};

const FIXTURE: &str = "tests/fixture/spin.toml";

fn fixture(tag: &str) -> RunnerOptions {
    RunnerOptions::new(FIXTURE, tag).variable("required_token", "t0ken")
}

fn header<'a>(reply: &'a Value, name: &str) -> Vec<&'a str> {
    reply["headers"][name]
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn routes_and_spin_headers() {
    let runner = fixture("routes").start();
    let r = get(&runner.url("/fixture/headers/a/b?x=1")).json();
    assert_eq!(header(&r, "spin-path-info"), ["/headers/a/b"]);
    assert_eq!(header(&r, "spin-matched-route"), ["/fixture/..."]);
    assert_eq!(header(&r, "spin-raw-component-route"), ["/fixture/..."]);
    assert_eq!(header(&r, "spin-component-route"), ["/fixture"]);
    assert_eq!(header(&r, "spin-base-path"), ["/"]);
    assert_eq!(
        header(&r, "spin-full-url"),
        [format!("http://127.0.0.1:{}/fixture/headers/a/b?x=1", runner.port).as_str()]
    );
    let client = header(&r, "spin-client-addr");
    assert!(client[0].starts_with("127.0.0.1:"), "{client:?}");
    assert!(
        r["headers"].get("host").is_none(),
        "the guest never sees host"
    );
    assert_eq!(
        r["uri"],
        format!("http://127.0.0.1:{}/fixture/headers/a/b?x=1", runner.port)
    );

    // A parameter route, and a literal route beating it.
    let r = get(&runner.url("/users/42")).json();
    assert_eq!(header(&r, "spin-path-match-user-id"), ["42"]);
    assert_eq!(header(&r, "spin-matched-route"), ["/users/:user_id"]);
    assert_eq!(header(&r, "spin-path-info"), [""]);
    let r = get(&runner.url("/users/me")).json();
    assert_eq!(header(&r, "spin-matched-route"), ["/users/me"]);

    // A client-sent spin-* header never wins: the host's value comes after
    // it, and spin-sdk keeps the last value per name.
    let agent = ureq::agent();
    let r: Value = agent
        .get(&runner.url("/fixture/headers"))
        .set("spin-path-info", "/forged")
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(header(&r, "spin-path-info"), ["/headers"]);

    let none = get(&runner.url("/nowhere"));
    assert_eq!(none.status, 404);
    assert_eq!(none.body, "");

    let st = get(&runner.url("/static"));
    assert_eq!((st.status, st.body.as_str()), (201, "static body"));

    let health = get(&runner.url("/.well-known/spin/health"));
    assert_eq!((health.status, health.body.as_str()), (200, "OK"));
    let info = get(&runner.url("/.well-known/spin/info")).json();
    assert_eq!(info["name"], "baton-fixture");
    assert_eq!(get(&runner.url("/.well-known/spin/other")).status, 404);

    // Bodies reach the component whole.
    let big = "x".repeat(3 * 1024 * 1024);
    let echo = request("POST", &runner.url("/fixture/echo"), Some(&big));
    assert_eq!(echo.body.len(), big.len());

    assert_eq!(
        get(&runner.url("/fixture/env/FIXTURE_ENV")).json()["value"],
        "set"
    );
    let log = runner.output();
    assert!(
        log.contains("GET /users/:user_id -> fixture 200"),
        "one log line per request:\n{log}"
    );
}

#[test]
fn key_value_grants_and_operations() {
    let runner = fixture("kv").start();
    let put = request(
        "PUT",
        &runner.url("/fixture/kv/default/greeting"),
        Some("hello"),
    );
    assert_eq!(put.json()["ok"], Value::Null);
    assert_eq!(
        get(&runner.url("/fixture/kv/default/greeting")).json()["ok"],
        "hello"
    );
    assert_eq!(
        get(&runner.url("/fixture/kv/default/greeting/exists")).json()["ok"],
        true
    );
    assert_eq!(
        get(&runner.url("/fixture/kv/default/missing")).json()["ok"],
        Value::Null
    );
    assert_eq!(
        get(&runner.url("/fixture/kv/default/keys")).json()["ok"],
        json!(["greeting"])
    );
    request("DELETE", &runner.url("/fixture/kv/default/greeting"), None);
    assert_eq!(
        get(&runner.url("/fixture/kv/default/greeting/exists")).json()["ok"],
        false
    );

    // Not granted: access-denied, whether or not the store exists.
    assert!(
        get(&runner.url("/restricted/kv/default/x")).json()["error"]
            .as_str()
            .unwrap()
            .contains("AccessDenied")
    );
    assert!(
        get(&runner.url("/fixture/kv/other/x")).json()["error"]
            .as_str()
            .unwrap()
            .contains("AccessDenied")
    );
}

fn sql(runner: &Runner, path: &str, statements: Value) -> Value {
    request(
        "POST",
        &runner.url(path),
        Some(&json!({"statements": statements}).to_string()),
    )
    .json()
}

#[test]
fn sqlite_both_interfaces_and_grants() {
    let runner = fixture("sqlite").start();
    let r = sql(
        &runner,
        "/fixture/sql/v3/default",
        json!([
            {"sql": "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, extra BLOB)"},
            {"sql": "INSERT INTO t (name, score) VALUES (?, ?)", "params": ["ada", 1.5]},
            {"sql": "INSERT INTO t (name, score) VALUES (?, ?)", "params": ["bob", null]},
            {"sql": "SELECT id, name, score FROM t ORDER BY id"}
        ]),
    );
    let results = r["results"].as_array().unwrap_or_else(|| panic!("{r}"));
    assert_eq!(results[2]["last_insert_rowid"], 2);
    assert_eq!(results[2]["changes"], 1);
    assert_eq!(results[3]["columns"], json!(["id", "name", "score"]));
    assert_eq!(
        results[3]["rows"],
        json!([[1, "ada", 1.5], [2, "bob", null]])
    );

    // The 2.0.0 interface sees the same database.
    let r = sql(
        &runner,
        "/fixture/sql/v2/default",
        json!([{"sql": "SELECT COUNT(*) AS n FROM t"}]),
    );
    assert_eq!(r["results"][0]["rows"], json!([[2]]));
    assert_eq!(r["results"][0]["columns"], json!(["n"]));

    // Only the first statement of a string runs, as in Spin.
    sql(
        &runner,
        "/fixture/sql/v3/default",
        json!([{"sql": "CREATE TABLE a (x); CREATE TABLE b (y)"}]),
    );
    let r = sql(
        &runner,
        "/fixture/sql/v3/default",
        json!([{"sql": "SELECT * FROM b"}]),
    );
    assert!(
        r["error"].as_str().unwrap().contains("no such table: b"),
        "{r}"
    );

    // Errors are values: io(message), and a parameter count mismatch.
    let r = sql(
        &runner,
        "/fixture/sql/v3/default",
        json!([{"sql": "SELECT ?", "params": []}]),
    );
    assert!(r["error"].as_str().unwrap().contains("Io("), "{r}");

    // Foreign keys are on by default, as in Spin.
    let r = sql(
        &runner,
        "/fixture/sql/v3/default",
        json!([{"sql": "PRAGMA foreign_keys"}]),
    );
    assert_eq!(r["results"][0]["rows"], json!([[1]]));

    let denied = sql(&runner, "/restricted/sql/v3/default", json!([]));
    assert!(
        denied["error"].as_str().unwrap().contains("AccessDenied"),
        "{denied}"
    );
    let denied = sql(&runner, "/restricted/sql/v2/default", json!([]));
    assert!(
        denied["error"].as_str().unwrap().contains("AccessDenied"),
        "{denied}"
    );
}

#[test]
fn data_survives_restart_and_shutdown_is_clean() {
    let mut runner = fixture("restart").start();
    request("PUT", &runner.url("/fixture/kv/default/k"), Some("kept"));
    sql(
        &runner,
        "/fixture/sql/v3/default",
        json!([{"sql": "CREATE TABLE kept (v TEXT)"}, {"sql": "INSERT INTO kept VALUES ('row')"}]),
    );
    let state_dir = runner.state_dir.clone();
    assert_eq!(
        runner.stop(),
        Some(0),
        "Ctrl-C exits cleanly:\n{}",
        runner.output()
    );
    assert!(
        state_dir.join("sqlite_db.db").exists(),
        "Spin's SQLite file name"
    );
    assert!(
        state_dir.join("sqlite_key_value.db").exists(),
        "Spin's key-value file name"
    );
    for file in ["sqlite_db.db", "sqlite_key_value.db"] {
        let conn = rusqlite::Connection::open(state_dir.join(file)).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "{file}");
    }

    let mut opts = fixture("restart-2");
    opts.state_dir = state_dir;
    let runner = opts.start();
    assert_eq!(
        get(&runner.url("/fixture/kv/default/k")).json()["ok"],
        "kept"
    );
    let r = sql(
        &runner,
        "/fixture/sql/v3/default",
        json!([{"sql": "SELECT v FROM kept"}]),
    );
    assert_eq!(r["results"][0]["rows"], json!([["row"]]));
}

#[test]
fn shutdown_waits_for_in_flight_requests() {
    let mut runner = fixture("drain").start();
    let url = runner.url("/fixture/echo");
    let body = "y".repeat(8 * 1024 * 1024);
    let in_flight = std::thread::spawn(move || request("POST", &url, Some(&body)).body.len());
    std::thread::sleep(std::time::Duration::from_millis(30));
    assert_eq!(runner.stop(), Some(0));
    assert_eq!(in_flight.join().unwrap(), 8 * 1024 * 1024);
}

#[test]
fn variables_from_defaults_cli_and_environment() {
    let runner = fixture("vars").start();
    assert_eq!(
        get(&runner.url("/fixture/var/greeting")).json()["value"],
        "hello world"
    );
    assert_eq!(
        get(&runner.url("/fixture/var/token")).json()["value"],
        "t0ken"
    );
    let undefined = get(&runner.url("/fixture/var/who")).json();
    assert!(
        undefined["error"].as_str().unwrap().contains("Undefined"),
        "app variables are not readable directly: {undefined}"
    );
    let invalid = get(&runner.url("/fixture/var/Bad-Name")).json();
    assert!(
        invalid["error"].as_str().unwrap().contains("InvalidName"),
        "{invalid}"
    );
    drop(runner);

    let runner = fixture("vars-env").env("SPIN_VARIABLE_WHO", "env").start();
    assert_eq!(
        get(&runner.url("/fixture/var/greeting")).json()["value"],
        "hello env"
    );
    drop(runner);

    let runner = fixture("vars-cli")
        .env("SPIN_VARIABLE_WHO", "env")
        .variable("who", "cli")
        .start();
    assert_eq!(
        get(&runner.url("/fixture/var/greeting")).json()["value"],
        "hello cli"
    );
    drop(runner);

    let err = RunnerOptions::new(FIXTURE, "vars-missing")
        .try_start()
        .err()
        .expect("must not start");
    assert!(err.contains("required_token"), "{err}");
}

#[test]
fn outbound_http_allow_list_self_and_chaining() {
    let allowed = FakeServer::start("pong");
    let other = FakeServer::start("secret");
    let runner = fixture("outbound")
        .variable("allowed_port", &allowed.port.to_string())
        .start();

    let ok = get(&runner.url(&format!(
        "/fixture/outbound?url=http://127.0.0.1:{}/ping",
        allowed.port
    )))
    .json();
    assert_eq!(ok["status"], 200, "{ok}");
    assert_eq!(ok["body"], "pong");

    let denied = get(&runner.url(&format!(
        "/fixture/outbound?url=http://127.0.0.1:{}/",
        other.port
    )))
    .json();
    assert!(
        denied["error"]
            .as_str()
            .unwrap()
            .contains("HttpRequestDenied"),
        "{denied}"
    );
    assert_eq!(
        *other.hits.lock().unwrap(),
        0,
        "a denied request never leaves"
    );
    let by_name = get(&runner.url(&format!(
        "/fixture/outbound?url=http://localhost:{}/",
        allowed.port
    )))
    .json();
    assert!(
        by_name["error"]
            .as_str()
            .unwrap()
            .contains("HttpRequestDenied"),
        "localhost != 127.0.0.1: {by_name}"
    );
    assert!(
        runner.output().contains("allowed_outbound_hosts"),
        "a denial says how to allow it"
    );

    // Relative URL: back through the runner's own listener.
    let own = get(&runner.url("/fixture/outbound?url=/fixture/json")).json();
    assert_eq!(own["status"], 200, "{own}");
    assert_eq!(own["body"], "{\"ok\":true}");

    // Service chaining reaches a private component in-process.
    let chained =
        get(&runner
            .url("/fixture/outbound?url=http://fixture-private.spin.internal/fixture/headers/x"))
        .json();
    assert_eq!(chained["status"], 200, "{chained}");
    let inner: Value = serde_json::from_str(chained["body"].as_str().unwrap()).unwrap();
    assert_eq!(header(&inner, "spin-client-addr"), ["0.0.0.0:0"]);
    assert_eq!(header(&inner, "spin-path-info"), ["/fixture/headers/x"]);
    assert_eq!(header(&inner, "spin-matched-route"), ["/..."]);

    // No grants at all: everything denied.
    let r = get(&runner.url(&format!(
        "/restricted/outbound?url=http://127.0.0.1:{}/",
        allowed.port
    )))
    .json();
    assert!(
        r["error"].as_str().unwrap().contains("HttpRequestDenied"),
        "{r}"
    );
    let r = get(&runner.url("/restricted/outbound?url=/fixture/json")).json();
    assert!(
        r["error"].as_str().unwrap().contains("HttpRequestDenied"),
        "{r}"
    );
    assert_eq!(*allowed.hits.lock().unwrap(), 1);
}

#[test]
fn a_trapping_component_does_not_take_the_runner_down() {
    let runner = fixture("trap").start();
    for _ in 0..3 {
        let r = get(&runner.url("/fixture/trap"));
        assert_eq!(r.status, 500);
        assert_eq!(r.body, "");
    }
    assert_eq!(get(&runner.url("/fixture/json")).status, 200);
    assert!(runner.output().contains("trap"), "{}", runner.output());
}

#[test]
fn bad_manifests_fail_at_start_with_a_reason() {
    let dir = temp_dir("bad-manifest");
    let wasm = workspace_root().join("target/wasm32-wasip2/release/baton_fixture.wasm");
    let cases = [
        (
            "key_value_stores = [\"cache\"]",
            "unknown key_value_stores label",
        ),
        ("sqlite_databases = [\"other\"]", "not defined"),
        (
            "allowed_outbound_hosts = [\"insecure:allow-all\"]",
            "insecure:allow-all",
        ),
        (
            "allowed_outbound_hosts = [\"ftp://example.com\"]",
            "ftp://example.com",
        ),
        ("variables = { x = \"{{ nope }}\" }", "unknown variable"),
    ];
    for (i, (line, expected)) in cases.iter().enumerate() {
        let manifest = dir.join(format!("spin-{i}.toml"));
        std::fs::write(
            &manifest,
            format!(
                "spin_manifest_version = 2\n[application]\nname = \"bad\"\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"c\"\n[component.c]\nsource = {:?}\n{line}\n",
                wasm.display().to_string()
            ),
        )
        .unwrap();
        let mut opts = RunnerOptions::new("spin.toml", "bad");
        opts.manifest = manifest;
        let err = opts
            .try_start()
            .err()
            .unwrap_or_else(|| panic!("{line} must fail"));
        assert!(
            err.contains(expected),
            "{line}: expected {expected:?} in:\n{err}"
        );
    }
}
