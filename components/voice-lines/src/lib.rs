//! The telephony lines API component (`/v1/integrations/voice/...`): glue
//! over baton-core's voice rules and the providers' registration calls.

use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    baton_spin_adapter::voice::serve_lines(req, out).await
}
