//! Native tests of the email module, one file per area.

mod html;
mod inbound;
mod mime;
mod outbound;
mod reply;
mod stress;
