//! The inbox API component: HTTP in, baton-core's API, HTTP out. Routing
//! and rules live in baton-core; this file is glue only.

use baton_core::api;
use baton_core::api::Response as CoreResponse;
use baton_core::health::{self, Checks};
use baton_core::permissions::Permission;
use baton_core::problem::Problem;
use baton_spin_adapter::outbox::{DRAIN_BUDGET, deliver_due};
use baton_spin_adapter::{
    SpinDb, Stores, describe_kv_error, incoming_header, respond, serve, settings,
};
use spin_sdk::http::{IncomingRequest, Method, ResponseOutparam};
use spin_sdk::http_component;
use spin_sdk::key_value::Store;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    let path = req.path_with_query().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default().to_string();
    let method = req.method();
    match path.as_str() {
        "/v1/health" => {
            let res = match method {
                Method::Get => health(),
                m => CoreResponse::problem(&Problem::method_not_allowed(&m.to_string(), &path)),
            };
            respond(out, res).await
        }
        "/v1/outbox/drain" => match method {
            Method::Post => drain(req, out).await,
            m => {
                respond(
                    out,
                    CoreResponse::problem(&Problem::method_not_allowed(&m.to_string(), &path)),
                )
                .await
            }
        },
        _ => serve(req, out, api::handle).await,
    }
}

/// Delivers due email now, for a scheduler (or an Owner/Admin) to call;
/// answers with what happened.
async fn drain(req: IncomingRequest, out: ResponseOutparam) {
    let stores = match Stores::open() {
        Ok(s) => s,
        Err(p) => return respond(out, CoreResponse::problem(&p)).await,
    };
    let authorization = incoming_header(&req, "authorization");
    let ctx = stores.ctx(None, settings());
    let allowed = baton_core::accounts::authenticate(&ctx, authorization.as_deref())
        .and_then(|who| who.require(Permission::ManageIntegrations));
    if let Err(p) = allowed {
        return respond(out, CoreResponse::problem(&p)).await;
    }
    let report = deliver_due(&stores, DRAIN_BUDGET).await;
    let remaining = baton_core::email::outbox::pending_count(&stores.db).unwrap_or(-1);
    respond(out, CoreResponse::json(200, &report.to_json(remaining))).await
}

fn health() -> CoreResponse {
    let database = SpinDb::open_migrated().map(|_| ()).map_err(|e| e.0);
    let key_value = check_key_value();
    let (status, body) = health::report(
        VERSION,
        &Checks {
            database,
            key_value,
        },
    );
    let res = CoreResponse::json(status, &body);
    if status == 200 {
        res
    } else {
        let mut res = res;
        res.headers[0].1 = "application/problem+json".into();
        res
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
