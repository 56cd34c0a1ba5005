//! Baton's domain: types, rules and queries over the [`db::Db`] trait.
//! Plain Rust with no I/O of its own, so it is tested natively and runs the
//! same inside any Spin component.

pub mod accounts;
pub mod api;
pub mod assists;
pub mod bots;
pub mod csat;
pub mod db;
pub mod email;
pub mod env;
pub mod escalation;
pub mod health;
pub mod ids;
pub mod imports;
pub mod learning;
pub mod migrate;
pub mod permissions;
pub mod presence;
pub mod problem;
pub mod ratelimit;
pub mod sealed;
pub mod secrets;
pub mod time;
pub mod validate;
pub mod voice;
