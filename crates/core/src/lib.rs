//! Baton's domain: types, rules and queries over the [`db::Db`] trait.
//! Plain Rust with no I/O of its own, so it is tested natively and runs the
//! same inside any Spin component.

pub mod db;
pub mod health;
pub mod migrate;
pub mod problem;
