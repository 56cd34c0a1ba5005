//! The importer component: connecting help-desk accounts (with a credential
//! check against the provider) and import runs, which walk the provider's
//! open tickets over outbound HTTP within a time budget. The rules live in
//! baton-core (`imports`) and the wire formats in baton-providers.

use baton_core::api::Response as CoreResponse;
use baton_core::api::importers::{self, authorize, check_failed, parse_create};
use baton_core::imports;
use baton_core::problem::Problem;
use baton_spin_adapter::{Stores, call_api, client_ip, core_request, respond, send_http, settings};
use spin_sdk::http::{IncomingRequest, Request, ResponseOutparam};
use spin_sdk::http_component;
use std::time::Instant;

#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    let Some((request, stores, out)) = baton_spin_adapter::accept(req, out).await else {
        return;
    };
    let segments: Vec<String> = request
        .path()
        .trim_matches('/')
        .split('/')
        .map(String::from)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = request.method().to_string();
    let response = match (method.as_str(), segments.as_slice()) {
        ("POST", ["v1", "integrations", "importers"]) => create(&stores, &request).await,
        ("POST", ["v1", "integrations", "importers", id, "run"]) => {
            run(&stores, &request, id).await
        }
        _ => Ok(call_api(&stores, &request, importers::handle)),
    };
    respond(out, response.unwrap_or_else(|p| CoreResponse::problem(&p))).await
}

/// Connects an account after one cheap call proves its credentials.
async fn create(stores: &Stores, req: &Request) -> Result<CoreResponse, Problem> {
    let ctx = stores.request_ctx(req);
    let core_req = core_request(req, "POST");
    let who = authorize(&ctx, &core_req)?;
    let (creds, brand) = parse_create(&core_req)?;
    // Fail on a missing encryption key before calling anyone.
    ctx.settings.keyring()?;
    let provider = creds.provider();
    let mut client = imports::client(creds.clone(), ctx.settings.helpdesk_proxy_origin.as_deref())?;
    let now = ctx.now();
    let unreachable =
        |e: String| Problem::new(502, format!("Could not reach {}: {e}", provider.as_str()));
    if let Some(token_req) = client.token_request() {
        let resp = send_http(token_req).await.map_err(unreachable)?;
        let token = client
            .parse_token(&resp)
            .map_err(|e| check_failed(provider, &e, now))?;
        client = client.with_access_token(token.token);
    }
    let resp = send_http(client.check_request())
        .await
        .map_err(unreachable)?;
    client
        .check_response(&resp)
        .map_err(|e| check_failed(provider, &e, now))?;
    let ctx = stores.request_ctx(req);
    let body = imports::create(&ctx, &creds, brand.as_deref(), &who.actor())?;
    Ok(CoreResponse::json(201, &body))
}

/// Imports the next batch; answers what it did.
async fn run(stores: &Stores, req: &Request, id: &str) -> Result<CoreResponse, Problem> {
    let started = Instant::now();
    let settings = settings();
    let ctx = stores.ctx(client_ip(req, &settings), settings.clone());
    let who = authorize(&ctx, &core_request(req, "POST"))?;
    let claimed = imports::claim(&ctx, id, &who.actor())?;
    let client = imports::client(
        claimed.credentials.clone(),
        settings.helpdesk_proxy_origin.as_deref(),
    )?;
    let ctx_at = || stores.ctx(None, settings.clone());
    let elapsed = || started.elapsed().as_millis() as i64;
    let report = imports::run(
        &ctx_at,
        &claimed,
        client,
        async |r| send_http(r).await,
        &elapsed,
    )
    .await;
    let mut res = CoreResponse::json(200, &report.to_json(&claimed.run_id));
    if let Some(wait) = report.retry_after {
        res = res.with_header("retry-after", &wait.to_string());
    }
    Ok(res)
}
