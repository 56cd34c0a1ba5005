//! One-click satisfaction: each survey link carries the Assist, a score and
//! an HMAC over both and the survey's nonce. A click opens a page with the
//! choice; its button records the score (a later one changes it); low
//! scores (1, 2) flag the Assist as a training signal.

use crate::env::Ctx;
use crate::escalation::event;
use crate::sealed::Keyring;
use serde_json::json;

pub fn token(keyring: &Keyring, assist_id: &str, score: i64, nonce: &str) -> String {
    let sig = keyring.sign(&format!("csat:{assist_id}:{score}:{nonce}"));
    format!("{assist_id}.{score}.{sig}")
}

fn parse(token: &str) -> Option<(&str, i64, &str)> {
    let mut parts = token.splitn(3, '.');
    let assist_id = parts.next().filter(|a| {
        !a.is_empty() && a.len() <= 40 && a.chars().all(|c| c.is_ascii_alphanumeric())
    })?;
    let score = parts
        .next()?
        .parse::<i64>()
        .ok()
        .filter(|s| (1..=5).contains(s))?;
    Some((assist_id, score, parts.next()?))
}

/// A valid survey link, for its page.
pub struct Answer {
    pub score: i64,
    pub reference: String,
    /// The score stored now, if the customer has answered.
    pub recorded: Option<i64>,
    /// Whether this request recorded `score` (a POST from the page).
    pub saved: bool,
    /// Links to the other choices, score 1 to 5.
    pub links: Vec<String>,
}

/// Reads a survey link; with `save`, records its score. Mail scanners open
/// every link in a message, so only the page's POST records (a GET or HEAD
/// shows the choice with a button). None when the link is not (or no
/// longer) valid.
pub fn answer(
    ctx: &Ctx,
    token_text: &str,
    save: bool,
) -> Result<Option<Answer>, crate::problem::Problem> {
    let Some((assist_id, score, _)) = parse(token_text) else {
        return Ok(None);
    };
    let Ok(keyring) = ctx.settings.keyring() else {
        return Ok(None);
    };
    let rows = ctx.db.execute(
        "SELECT s.nonce, s.score, a.reference FROM csat s JOIN assists a ON a.id = s.assist_id WHERE s.assist_id = ?",
        &[assist_id.into()],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let nonce = row.text("nonce");
    let expected = token(&keyring, assist_id, score, &nonce);
    if !constant_time_eq(expected.as_bytes(), token_text.as_bytes()) {
        return Ok(None);
    }
    let previous = row.opt_int("score");
    let mut recorded = previous;
    if save {
        if previous != Some(score) {
            crate::db::transaction(ctx.db, || {
                ctx.db.execute(
                    "UPDATE csat SET score = ?, answered_at = ? WHERE assist_id = ?",
                    &[score.into(), ctx.now().into(), assist_id.into()],
                )?;
                ctx.db.execute(
                    "UPDATE assists SET version = version + 1, updated_at = ? WHERE id = ?",
                    &[ctx.now().into(), assist_id.into()],
                )?;
                event(
                    ctx,
                    assist_id,
                    "csat_recorded",
                    "customer",
                    json!({"score": score, "previous": previous}),
                )
            })?;
        }
        recorded = Some(score);
    }
    let base = ctx.settings.public_url.trim_end_matches('/').to_string();
    Ok(Some(Answer {
        score,
        reference: row.text("reference"),
        recorded,
        saved: save,
        links: (1..=5)
            .map(|s| format!("{base}/csat/{}", token(&keyring, assist_id, s, &nonce)))
            .collect(),
    }))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// The Assist's score for the detail view.
pub fn score_json(
    ctx: &Ctx,
    assist_id: &str,
) -> Result<serde_json::Value, crate::problem::Problem> {
    let rows = ctx.db.execute(
        "SELECT score, sent_at, answered_at FROM csat WHERE assist_id = ?",
        &[assist_id.into()],
    )?;
    Ok(match rows.first() {
        None => serde_json::Value::Null,
        Some(r) => {
            let score = r.opt_int("score");
            json!({
                "score": score,
                "sent_at": crate::time::rfc3339(r.int("sent_at")),
                "answered_at": r.opt_int("answered_at").map(crate::time::rfc3339),
                "training_signal": score.is_some_and(|s| s <= 2),
            })
        }
    })
}

/// The page a link lands on (no script): the choice with a button that
/// records it, or the thank-you after recording, with the other choices.
pub fn page(answer: Option<&Answer>) -> String {
    let body = match answer {
        Some(a) => {
            let choices: String = a
                .links
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let n = i + 1;
                    let current = if n as i64 == a.score { " aria-current=\"true\"" } else { "" };
                    format!("<li><a href=\"{}\"{current}>{n}</a></li>", crate::email::escape_html(l))
                })
                .collect();
            let reference = crate::email::escape_html(&a.reference);
            if a.saved {
                format!(
                    "<h1>Thank you!</h1><p>We recorded your rating of <strong>{}</strong> out of 5 for request {reference}.</p>\
                     <p>Clicked the wrong one? Choose again:</p><ol class=\"scores\">{choices}</ol>",
                    a.score
                )
            } else {
                let already = match a.recorded {
                    Some(r) => format!("<p>Your rating now is {r} out of 5.</p>"),
                    None => String::new(),
                };
                format!(
                    "<h1>How did we do?</h1><p>You chose <strong>{}</strong> out of 5 for request {reference}.</p>{already}\
                     <form method=\"post\"><button type=\"submit\">Send my rating</button></form>\
                     <p>Or choose another:</p><ol class=\"scores\">{choices}</ol>",
                    a.score
                )
            }
        }
        None => "<h1>This link is not valid</h1><p>The survey link is incomplete or has been replaced by a newer survey. Please use the link in the latest email.</p>".to_string(),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Thanks for your feedback</title></head><body>{body}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_and_bind_their_score() {
        let k = Keyring::from_setting(Some("0123456789abcdef0123456789abcdef")).unwrap();
        let t = token(&k, "01ABC", 4, "nonce");
        let (a, s, _) = parse(&t).unwrap();
        assert_eq!((a, s), ("01ABC", 4));
        assert!(parse("01ABC.6.sig").is_none());
        assert!(parse("01ABC.x.sig").is_none());
        assert!(parse("a'b.1.sig").is_none());
        assert_ne!(
            token(&k, "01ABC", 4, "nonce"),
            token(&k, "01ABC", 4, "other")
        );
    }
}
