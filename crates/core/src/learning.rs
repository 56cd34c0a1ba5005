//! The workspace teaches the built-in AI: when an agent sets a category or
//! priority other than the AI's, the correction is logged and moves this
//! workspace's adjustment weights; closing an Assist confirms its final
//! labels the same way (`ai_adjustments`, see
//! `crates/ai/src/learn.rs`); every analysis here (chats, email, voicemail,
//! imports, calls) runs with them. The table stays bounded: tiny weights are
//! dropped, and past [`MAX_ROWS`] the smallest go first.

use crate::db::Value;
use crate::env::Ctx;
use crate::problem::Problem;
use baton_ai::learn::Adjustments;
use baton_ai::{Analysis, Input, Message};
use serde_json::json;

pub const MAX_ROWS: i64 = 200_000;
const NEGLIGIBLE: f64 = 0.005;

/// This workspace's adjustments for the slots of `features`.
pub fn adjustments_for(
    ctx: &Ctx,
    features: &baton_ai::features::Features,
) -> Result<Adjustments, Problem> {
    let slots: Vec<u32> = features.0.iter().map(|(s, _)| *s).collect();
    let rows = ctx.db.execute(
        "SELECT slot, class, weight FROM ai_adjustments WHERE slot IN (SELECT value FROM json_each(?))",
        &[json!(slots).to_string().into()],
    )?;
    Ok(Adjustments::new(
        rows.iter()
            .map(|r| {
                (
                    r.int("slot") as u32,
                    r.int("class") as u16,
                    r.real("weight") as f32,
                )
            })
            .collect(),
    ))
}

/// The built-in analysis with this workspace's corrections applied (the
/// model alone if they cannot be read: they refine, they never block).
pub fn analyse(ctx: &Ctx, input: &Input) -> Analysis {
    let features = baton_ai::learning_features_of(input.messages);
    let adjustments = adjustments_for(ctx, &features).unwrap_or_default();
    baton_ai::analyse_with(input, &adjustments)
}

/// The conversation as the AI reads it: customer and assistant messages.
fn conversation(ctx: &Ctx, assist_id: &str) -> Result<Vec<Message>, Problem> {
    let rows = ctx.db.execute(
        "SELECT role, text FROM messages WHERE assist_id = ? AND role IN ('customer', 'assistant') ORDER BY seq",
        &[assist_id.into()],
    )?;
    Ok(rows
        .iter()
        .map(|r| crate::escalation::ai_message(&r))
        .collect())
}

/// Logs an agent's correction of `field` and learns from it (inside the
/// caller's transaction).
pub fn record_correction(
    ctx: &Ctx,
    assist_id: &str,
    field: &str,
    predicted: &str,
    corrected: &str,
    actor: &str,
) -> Result<(), Problem> {
    let head = match field {
        "category" => baton_ai::model::Head::Category,
        "priority" => baton_ai::model::Head::Priority,
        _ => return Ok(()),
    };
    ctx.db.execute(
        "INSERT INTO ai_corrections (id, assist_id, field, predicted, corrected, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[crate::ids::new_id(ctx).into(), assist_id.into(), field.into(), predicted.into(), corrected.into(), actor.into(), ctx.now().into()],
    )?;
    learn(ctx, assist_id, head, corrected)
}

/// A closed Assist confirms its final category and priority: where the
/// model was unsure of them, this workspace's weights move toward them
/// (nothing moves where it was already sure). Nothing is logged as a
/// correction.
pub fn learn_from_close(ctx: &Ctx, assist_id: &str) -> Result<(), Problem> {
    use baton_ai::model::Head;
    let rows = ctx.db.execute(
        "SELECT category, priority FROM assists WHERE id = ?",
        &[assist_id.into()],
    )?;
    let Some(row) = rows.first() else {
        return Ok(());
    };
    for (head, column) in [(Head::Category, "category"), (Head::Priority, "priority")] {
        if let Some(class) = row.opt_text(column) {
            learn(ctx, assist_id, head, &class)?;
        }
    }
    Ok(())
}

/// Moves this workspace's weights so `class` becomes the answer of `head`
/// for the Assist's conversation.
fn learn(
    ctx: &Ctx,
    assist_id: &str,
    head: baton_ai::model::Head,
    class: &str,
) -> Result<(), Problem> {
    let messages = conversation(ctx, assist_id)?;
    if messages.is_empty() {
        return Ok(());
    }
    let features = baton_ai::learning_features_of(&messages);
    let adjustments = adjustments_for(ctx, &features)?;
    let scores = baton_ai::scores(&messages, &adjustments);
    let deltas = baton_ai::learn::correction(&features, &scores, head, class);
    if deltas.is_empty() {
        return Ok(());
    }
    let rows: Vec<serde_json::Value> = deltas.iter().map(|(s, c, d)| json!([s, c, d])).collect();
    let max = f64::from(baton_ai::learn::MAX_WEIGHT);
    ctx.db.execute(
        "INSERT INTO ai_adjustments (slot, class, weight) \
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), max(-?1, min(?1, json_extract(value, '$[2]'))) FROM json_each(?2) WHERE true \
         ON CONFLICT (slot, class) DO UPDATE SET weight = max(-?1, min(?1, ai_adjustments.weight + excluded.weight))",
        &[max.into(), json!(rows).to_string().into()],
    )?;
    prune(ctx)
}

/// Drops negligible weights, then the smallest past the cap.
fn prune(ctx: &Ctx) -> Result<(), Problem> {
    ctx.db.execute(
        "DELETE FROM ai_adjustments WHERE abs(weight) < ?",
        &[NEGLIGIBLE.into()],
    )?;
    let count = ctx
        .db
        .execute("SELECT COUNT(*) FROM ai_adjustments", &[])?
        .scalar()
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if count > MAX_ROWS {
        ctx.db.execute(
            "DELETE FROM ai_adjustments WHERE (slot, class) IN \
             (SELECT slot, class FROM ai_adjustments ORDER BY abs(weight) LIMIT ?)",
            &[(count - MAX_ROWS).into()],
        )?;
    }
    Ok(())
}
