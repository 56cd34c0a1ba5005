//! Inbound email webhooks at `/hooks/email/...`: glue only; authentication,
//! parsing and threading live in baton-core and baton-providers. After
//! answering, it delivers the notifications the email queued.

use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    baton_spin_adapter::serve(req, out, baton_core::api::inbound_email::handle).await
}
