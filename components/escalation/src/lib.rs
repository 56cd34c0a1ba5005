//! The escalation component: `/v1/escalations`, `/v1/escalations/check` and
//! `/v1/customers/context` for chat widgets and chat AIs (bot key, CORS,
//! rate limits). Glue only; the rules are in baton-core and baton-ai.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    baton_spin_adapter::serve_api(&req, baton_core::api::handle_escalation)
}
