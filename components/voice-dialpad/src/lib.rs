//! The Dialpad webhook component: `/hooks/voice/dialpad/<line id>`. Glue only:
//! verification, deduplication and the Assist rules are in baton-core.

use baton_providers::voice::Provider;
use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    baton_spin_adapter::voice::serve_webhook(req, out, Provider::Dialpad).await
}
