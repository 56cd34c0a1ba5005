//! The inbox API component under the runner, with Baton's own spin.toml.

use baton_e2e::*;

#[test]
fn health_touches_sqlite_and_key_value() {
    let runner = RunnerOptions::new("spin.toml", "health").start();
    let r = get(&runner.url("/v1/health"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header(), "application/json");
    let body = r.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["key_value"], "ok");
    assert!(body["version"].as_str().is_some_and(|v| !v.is_empty()));
}

#[test]
fn unknown_routes_are_problem_json_404() {
    let runner = RunnerOptions::new("spin.toml", "notfound").start();
    let r = get(&runner.url("/v1/nope"));
    assert_eq!(r.status, 404);
    assert_eq!(r.header(), "application/problem+json");
    let p = r.json();
    assert_eq!(p["status"], 404);
    assert!(p["detail"].as_str().unwrap().contains("/v1/nope"));
    let r = request("POST", &runner.url("/v1/health"), Some("{}"));
    assert_eq!(r.status, 405);
    assert_eq!(r.header(), "application/problem+json");
}

#[test]
fn concurrent_first_requests_migrate_once() {
    let runner = RunnerOptions::new("spin.toml", "migrate").start();
    let url = runner.url("/v1/health");
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || get(&url).status)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
    let conn = rusqlite::Connection::open(runner.state_dir.join("sqlite_db.db")).unwrap();
    let (count, distinct): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT version) FROM baton_migrations",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(count, distinct);
    let files = std::fs::read_dir(workspace_root().join("migrations"))
        .unwrap()
        .count() as i64;
    assert_eq!(count, files, "every migration file applied exactly once");
    let meta: i64 = conn
        .query_row("SELECT COUNT(*) FROM app_meta", [], |r| r.get(0))
        .unwrap();
    assert_eq!(meta, 1);
}

#[test]
fn broken_database_gives_503_with_the_reason() {
    let opts = RunnerOptions::new("spin.toml", "broken-db");
    // A directory where the database file should be: SQLite cannot open it.
    std::fs::create_dir_all(opts.state_dir.join("sqlite_db.db")).unwrap();
    let runner = opts.start();
    let r = get(&runner.url("/v1/health"));
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header(), "application/problem+json");
    let body = r.json();
    assert_eq!(body["key_value"], "ok");
    assert!(
        body["database"].as_str().unwrap().starts_with("error"),
        "{body}"
    );
    assert!(
        body["detail"].as_str().unwrap().contains("database"),
        "{body}"
    );
}
