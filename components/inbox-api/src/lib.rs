//! The inbox API component: HTTP in, baton-core's API, HTTP out. Routing
//! and rules live in baton-core; this file is glue only.

use baton_core::api;
use baton_core::health::{self, Checks};
use baton_core::problem::Problem;
use baton_spin_adapter::{
    SpinDb, describe_kv_error, json_response, problem_json_response, problem_response, serve_api,
};
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;
use spin_sdk::key_value::Store;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[http_component]
fn handle(req: Request) -> Response {
    let path = req.path().to_string();
    if path == "/v1/health" {
        return match req.method() {
            Method::Get => health(),
            m => problem_response(&Problem::method_not_allowed(&m.to_string(), &path)),
        };
    }
    serve_api(&req, api::handle)
}

fn health() -> Response {
    let database = SpinDb::open_migrated().map(|_| ()).map_err(|e| e.0);
    let key_value = check_key_value();
    let (status, body) = health::report(
        VERSION,
        &Checks {
            database,
            key_value,
        },
    );
    if status == 200 {
        json_response(status, &body)
    } else {
        problem_json_response(status, &body)
    }
}

/// Writes and reads a probe key, so a read-only or missing store shows.
/// (Concurrent probes may overwrite each other's value; any value will do.)
fn check_key_value() -> Result<(), String> {
    let store = Store::open_default().map_err(|e| describe_kv_error(&e))?;
    let probe = baton_spin_adapter::now_unix().to_string();
    store
        .set("baton:health:probe", probe.as_bytes())
        .map_err(|e| describe_kv_error(&e))?;
    match store
        .get("baton:health:probe")
        .map_err(|e| describe_kv_error(&e))?
    {
        Some(_) => Ok(()),
        None => Err("key-value probe was written but reads back as missing".into()),
    }
}
