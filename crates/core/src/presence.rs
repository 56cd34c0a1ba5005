//! Who else has an Assist open, and who is typing a reply: a heartbeat per
//! member, kept in key-value (it may be lost; nothing depends on it). Each
//! Assist has one key holding `{user_id: {name, typing, at}}`; entries older
//! than [`WINDOW_MS`] are dropped on every write and ignored on read.
//! Presence only informs: a failure to read or write it never fails a
//! request.

use crate::env::Ctx;
use serde_json::{Map, Value as Json, json};

/// A member counts as present this long after their last heartbeat.
pub const WINDOW_MS: i64 = 30_000;

fn key(assist_id: &str) -> String {
    format!("presence:{assist_id}")
}

fn read(ctx: &Ctx, assist_id: &str) -> Map<String, Json> {
    ctx.kv
        .get(&key(assist_id))
        .ok()
        .flatten()
        .and_then(|b| serde_json::from_slice::<Json>(&b).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}

fn fresh(ctx: &Ctx, entry: &Json) -> bool {
    entry["at"]
        .as_i64()
        .is_some_and(|at| ctx.now_ms - at <= WINDOW_MS)
}

/// The other members present on the Assist, typing first.
pub fn others(ctx: &Ctx, assist_id: &str, me: Option<&str>) -> Vec<Json> {
    let mut out: Vec<Json> = read(ctx, assist_id)
        .into_iter()
        .filter(|(id, e)| Some(id.as_str()) != me && fresh(ctx, e))
        .map(|(id, e)| json!({"user": {"id": id, "name": e["name"]}, "typing": e["typing"].as_bool() == Some(true)}))
        .collect();
    out.sort_by_key(|e| (e["typing"] != json!(true), e["user"]["name"].to_string()));
    out
}

/// Records this member's heartbeat and answers who else is there.
pub fn beat(ctx: &Ctx, assist_id: &str, user_id: &str, name: &str, typing: bool) -> Vec<Json> {
    let mut all = read(ctx, assist_id);
    all.retain(|_, e| fresh(ctx, e));
    all.insert(
        user_id.to_string(),
        json!({"name": name, "typing": typing, "at": ctx.now_ms}),
    );
    let _ = ctx
        .kv
        .set(&key(assist_id), Json::Object(all).to_string().as_bytes());
    others(ctx, assist_id, Some(user_id))
}
