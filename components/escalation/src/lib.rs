//! The escalation component: `/v1/escalations`, `/v1/escalations/check` and
//! `/v1/customers/context` for chat widgets and chat AIs (bot key, CORS,
//! rate limits). Glue only; the rules are in baton-core and baton-ai. After
//! answering, it delivers the emails a new Assist queued.

use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    baton_spin_adapter::serve(req, out, baton_core::api::handle_escalation).await
}
