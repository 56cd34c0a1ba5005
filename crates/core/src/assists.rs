//! The agent workspace over Assists: list with filters, search and keyset
//! pagination, counts, the detail for the three panels, changes with
//! optimistic concurrency, notes, read state, drafts, close and reopen.

use crate::db::{Db, Row, Value};
use crate::env::Ctx;
use crate::problem::Problem;
use crate::time::rfc3339;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value as Json, json};

pub const STATUSES: &[&str] = &["open", "pending", "closed"];
pub const PRIORITIES: &[&str] = &["low", "medium", "high", "urgent"];
/// The customer languages the built-in AI detects and writes in.
pub const LANGUAGES: &[&str] = &["en", "es", "de", "fr", "pt", "it", "nl"];
pub const MAX_LIMIT: i64 = 100;
pub const DEFAULT_LIMIT: i64 = 25;

/// Keeps the full-text index of one Assist in step with its rows.
pub fn reindex(db: &dyn Db, assist_id: &str) -> Result<(), Problem> {
    db.execute(
        "DELETE FROM assist_search WHERE rowid = (SELECT rowid FROM assists WHERE id = ?)",
        &[assist_id.into()],
    )?;
    // The search row shares the Assist's rowid (see migration 0004).
    db.execute(
        "INSERT INTO assist_search (rowid, assist_id, reference, customer, summary, messages) \
         SELECT a.rowid, a.id, a.reference, c.name || ' ' || COALESCE(c.email, '') || ' ' || COALESCE(c.phone, ''), a.summary, \
                COALESCE((SELECT group_concat(m.text, ' ') FROM messages m WHERE m.assist_id = a.id), '') \
         FROM assists a JOIN customers c ON c.id = a.customer_id WHERE a.id = ?",
        &[assist_id.into()],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sort {
    Created,
    Updated,
    Priority,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "created" => Some(Sort::Created),
            "updated" => Some(Sort::Updated),
            "priority" => Some(Sort::Priority),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            Sort::Created => "a.created_at",
            Sort::Updated => "a.updated_at",
            Sort::Priority => "a.priority_rank",
        }
    }
}

/// Filters of the list and the counts, already validated.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub brand_label: Option<String>,
    pub channel: Option<String>,
    /// `me`, `none` or a member id.
    pub assignee: Option<String>,
    /// The customer's language (`en`, `es`, …).
    pub language: Option<String>,
    pub unread: Option<bool>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub q: Option<String>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.priority.is_none()
            && self.category.is_none()
            && self.tag.is_none()
            && self.brand_label.is_none()
            && self.channel.is_none()
            && self.assignee.is_none()
            && self.language.is_none()
            && self.unread.is_none()
            && self.created_from.is_none()
            && self.created_to.is_none()
            && self.q.is_none()
    }
}

/// FTS5 query: each word quoted (no operators from users), all required,
/// the last one as a prefix.
fn fts_query(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || "@.-_+".contains(*c))
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    let n = words.len();
    Some(
        words
            .into_iter()
            .enumerate()
            .map(|(i, w)| if i + 1 == n { format!("{w}*") } else { w })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// WHERE clause and parameters for a filter (unread needs the caller).
fn where_clause(f: &Filter, user_id: Option<&str>, skip_status: bool) -> (String, Vec<Value>) {
    where_clause_with(f, user_id, skip_status, false)
}

fn where_clause_with(
    f: &Filter,
    user_id: Option<&str>,
    skip_status: bool,
    skip_q: bool,
) -> (String, Vec<Value>) {
    let mut sql = vec!["1 = 1".to_string()];
    let mut params: Vec<Value> = Vec::new();
    let mut eq = |col: &str, v: &Option<String>, sql: &mut Vec<String>| {
        if let Some(v) = v {
            sql.push(format!("{col} = ?"));
            params.push(v.clone().into());
        }
    };
    if !skip_status {
        eq("a.status", &f.status, &mut sql);
    }
    eq("a.priority", &f.priority, &mut sql);
    eq("a.category", &f.category, &mut sql);
    eq("a.brand_label", &f.brand_label, &mut sql);
    eq("a.channel", &f.channel, &mut sql);
    eq("a.language", &f.language, &mut sql);
    if let Some(tag) = &f.tag {
        sql.push("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE json_each.value = ?)".into());
        params.push(tag.clone().into());
    }
    match f.assignee.as_deref() {
        Some("none") => sql.push("a.assignee_id IS NULL".into()),
        Some("me") => {
            sql.push("a.assignee_id = ?".into());
            params.push(user_id.unwrap_or("-").into());
        }
        Some(id) => {
            sql.push("a.assignee_id = ?".into());
            params.push(id.into());
        }
        None => {}
    }
    if let Some(from) = f.created_from {
        sql.push("a.created_at >= ?".into());
        params.push(from.into());
    }
    if let Some(to) = f.created_to {
        sql.push("a.created_at < ?".into());
        params.push(to.into());
    }
    if let Some(unread) = f.unread {
        let cond = "COALESCE(a.last_customer_message_at, 0) > COALESCE((SELECT r.read_at FROM assist_reads r WHERE r.assist_id = a.id AND r.user_id = ?), 0)";
        sql.push(if unread {
            cond.to_string()
        } else {
            format!("NOT ({cond})")
        });
        params.push(user_id.unwrap_or("-").into());
    }
    if let Some(q) = f.q.as_deref().and_then(fts_query).filter(|_| !skip_q) {
        sql.push(
            "a.id IN (SELECT assist_id FROM assist_search WHERE assist_search MATCH ?)".into(),
        );
        params.push(q.into());
    }
    (sql.join(" AND "), params)
}

/// Cursor: the last row's sort key and id, opaque to clients.
pub fn encode_cursor(key: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{key}:{id}"))
}

pub fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (key, id) = raw.split_once(':')?;
    let key = key.parse().ok()?;
    (!id.is_empty() && id.len() <= 40 && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| (key, id.to_string()))
}

pub fn list(
    ctx: &Ctx,
    f: &Filter,
    sort: Sort,
    limit: i64,
    cursor: Option<(i64, String)>,
    user_id: Option<&str>,
) -> Result<Json, Problem> {
    // A search sorted by creation walks the full-text index newest first
    // (search rows share the Assist's rowid, which grows with creation) and
    // stops at the page, instead of collecting every match.
    let search =
        f.q.as_deref()
            .and_then(fts_query)
            .filter(|_| sort == Sort::Created);
    let (mut clause, mut params) = where_clause_with(f, user_id, false, search.is_some());
    let col = sort.column();
    if let Some(q) = &search {
        clause = format!("assist_search MATCH ? AND {clause}");
        params.insert(0, q.clone().into());
        if let Some((key, _)) = &cursor {
            clause.push_str(" AND s.rowid < ?");
            params.push((*key).into());
        }
    } else if let Some((key, id)) = &cursor {
        // Newest (or highest priority) first; ties broken by id, descending.
        clause.push_str(&format!(" AND ({col} < ? OR ({col} = ? AND a.id < ?))"));
        params.push((*key).into());
        params.push((*key).into());
        params.push(id.clone().into());
    }
    params.push(user_id.unwrap_or("-").into());
    params.push((limit + 1).into());
    let sql = format!(
        "SELECT a.id, a.reference, a.summary, a.priority, a.category, a.status, a.channel, a.language, a.brand_label, a.tags, \
                a.assignee_id, a.created_at, a.updated_at, a.priority_rank, a.last_customer_message_at, a.rowid AS row_key, \
                c.name AS customer_name, c.email AS customer_email, u.name AS assignee_name, \
                (SELECT r.read_at FROM assist_reads r WHERE r.assist_id = a.id AND r.user_id = ?9999) AS read_at \
         FROM {from} JOIN customers c ON c.id = a.customer_id LEFT JOIN users u ON u.id = a.assignee_id \
         WHERE {clause} ORDER BY {order} LIMIT ?",
        from = if search.is_some() {
            "assist_search s JOIN assists a ON a.rowid = s.rowid"
        } else {
            "assists a"
        },
        order = if search.is_some() {
            "s.rowid DESC".to_string()
        } else {
            format!("{col} DESC, a.id DESC")
        },
    );
    // Positional parameters: the read_at subquery takes the user id, placed
    // before the limit; rewrite its placeholder to the right position.
    let position = params.len() - 1;
    let sql = sql.replace("?9999", &format!("?{position}"));
    let sql = number_placeholders(&sql, position);
    let rows = ctx.db.execute(&sql, &params)?;
    let mut items: Vec<Json> = Vec::new();
    let mut next = None;
    for (i, r) in rows.iter().enumerate() {
        if i as i64 == limit {
            break;
        }
        if i as i64 == limit - 1 && rows.rows.len() as i64 > limit {
            let key = match sort {
                Sort::Created if search.is_some() => r.int("row_key"),
                Sort::Created => r.int("created_at"),
                Sort::Updated => r.int("updated_at"),
                Sort::Priority => r.int("priority_rank"),
            };
            next = Some(encode_cursor(key, &r.text("id")));
        }
        items.push(row_json(&r));
    }
    Ok(json!({"assists": items, "next_cursor": next}))
}

/// Numbers every bare `?` as `?1`, `?2`, … skipping an explicit `?N` already
/// present (the read_at subquery), so both kinds can mix.
fn number_placeholders(sql: &str, explicit: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '?' {
            if chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                out.push('?');
                i += 1;
                continue;
            }
            n += 1;
            if n == explicit {
                n += 1;
            }
            out.push_str(&format!("?{n}"));
        } else {
            out.push(chars[i]);
        }
        i += 1;
    }
    out
}

fn one_line(summary: &str) -> String {
    let first = summary
        .split(". ")
        .next()
        .unwrap_or(summary)
        .trim_end_matches('.');
    let mut s: String = first.chars().take(140).collect();
    if first.chars().count() > 140 {
        s.push('…');
    }
    s
}

fn row_json(r: &Row) -> Json {
    let read_at = r.opt_int("read_at").unwrap_or(0);
    json!({
        "id": r.text("id"),
        "reference": r.text("reference"),
        "customer": {"name": r.text("customer_name"), "email": r.opt_text("customer_email")},
        "summary": one_line(&r.text("summary")),
        "priority": r.text("priority"),
        "category": r.text("category"),
        "status": r.text("status"),
        "channel": r.text("channel"),
        "language": r.text("language"),
        "brand_label": r.opt_text("brand_label"),
        "tags": serde_json::from_str::<Json>(&r.text("tags")).unwrap_or(json!([])),
        "assignee": r.opt_text("assignee_id").map(|id| json!({"id": id, "name": r.text("assignee_name")})),
        "created_at": rfc3339(r.int("created_at")),
        "updated_at": rfc3339(r.int("updated_at")),
        "unread": r.opt_int("last_customer_message_at").unwrap_or(0) > read_at,
    })
}

pub fn counts(ctx: &Ctx, f: &Filter, user_id: Option<&str>) -> Result<Json, Problem> {
    let unfiltered = Filter {
        status: None,
        ..f.clone()
    };
    if unfiltered.is_empty() {
        // Kept by triggers (migration 0005): constant time at any size.
        let rows = ctx.db.execute("SELECT status, n FROM assist_counts", &[])?;
        let mut out = json!({"open": 0, "pending": 0, "closed": 0});
        for r in rows.iter() {
            out[r.text("status")] = json!(r.int("n"));
        }
        return Ok(json!({"counts": out}));
    }
    let (clause, params) = where_clause(f, user_id, true);
    let sql = number_placeholders(
        &format!("SELECT a.status, COUNT(*) AS n FROM assists a WHERE {clause} GROUP BY a.status"),
        usize::MAX,
    );
    let rows = ctx.db.execute(&sql, &params)?;
    let mut out = json!({"open": 0, "pending": 0, "closed": 0});
    for r in rows.iter() {
        out[r.text("status")] = json!(r.int("n"));
    }
    Ok(json!({"counts": out}))
}

pub struct Loaded {
    pub id: String,
    pub status: String,
    pub version: i64,
    pub customer_id: String,
    pub bot_id: Option<String>,
    pub analysis: Json,
    pub draft: Option<String>,
    pub draft_variant: i64,
    pub suggested_reply: String,
}

pub fn load(db: &dyn Db, id: &str) -> Result<Loaded, Problem> {
    let rows = db.execute(
        "SELECT id, status, version, customer_id, bot_id, analysis, draft, draft_variant, suggested_reply FROM assists WHERE id = ?",
        &[id.into()],
    )?;
    let r = rows
        .first()
        .ok_or_else(|| Problem::missing("That Assist"))?;
    Ok(Loaded {
        id: r.text("id"),
        status: r.text("status"),
        version: r.int("version"),
        customer_id: r.text("customer_id"),
        bot_id: r.opt_text("bot_id"),
        analysis: serde_json::from_str(&r.text("analysis")).unwrap_or(json!({})),
        draft: r.opt_text("draft"),
        draft_variant: r.int("draft_variant"),
        suggested_reply: r.text("suggested_reply"),
    })
}

/// Everything for the three panels.
pub fn detail(ctx: &Ctx, id: &str, user_id: Option<&str>) -> Result<Json, Problem> {
    let rows = ctx.db.execute(
        "SELECT a.*, c.name AS customer_name, c.email AS customer_email, c.phone AS customer_phone, c.identifiers AS customer_identifiers, \
                u.name AS assignee_name, \
                (SELECT r.read_at FROM assist_reads r WHERE r.assist_id = a.id AND r.user_id = ?) AS read_at \
         FROM assists a JOIN customers c ON c.id = a.customer_id LEFT JOIN users u ON u.id = a.assignee_id WHERE a.id = ?",
        &[user_id.unwrap_or("-").into(), id.into()],
    )?;
    let r = rows
        .first()
        .ok_or_else(|| Problem::missing("That Assist"))?;
    let messages = ctx.db.execute(
        "SELECT m.id, m.seq, m.role, m.text, m.author_id, m.created_at, m.channel, m.meta, u.name AS author_name, \
                o.state AS delivery, o.last_error AS delivery_error FROM messages m \
         LEFT JOIN users u ON u.id = m.author_id LEFT JOIN outbox o ON o.message_id = m.id WHERE m.assist_id = ? ORDER BY m.seq",
        &[id.into()],
    )?;
    // The first `transcript_length` messages came with the hand-off; the
    // rest (notes, replies, later customer messages) are activity.
    let handed_off = r.int("transcript_length");
    let (mut transcript, mut activity) = (Vec::new(), Vec::new());
    for m in messages.iter() {
        let mut item = json!({
            "id": m.text("id"), "role": m.text("role"), "text": m.text("text"),
            "author": m.opt_text("author_id").map(|aid| json!({"id": aid, "name": m.text("author_name")})),
            "created_at": rfc3339(m.int("created_at")),
        });
        if let Some(channel) = m.opt_text("channel") {
            item["channel"] = json!(channel);
        }
        let meta: Json = m
            .opt_text("meta")
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Json::Null);
        for key in ["draft_origin", "html", "attachments", "subject", "from"] {
            if let Some(v) = meta.get(key).filter(|v| !v.is_null()) {
                item[key] = v.clone();
            }
        }
        if let Some(state) = m.opt_text("delivery") {
            // "sending" is an internal step of "queued".
            let delivery = if state == "pending" || state == "sending" {
                "queued"
            } else {
                state.as_str()
            };
            item["email"] = json!({"delivery": delivery, "error": m.opt_text("delivery_error")});
        }
        if m.int("seq") <= handed_off {
            transcript.push(item)
        } else {
            activity.push(item)
        }
    }
    let events = ctx.db.execute(
        "SELECT e.kind, e.actor, e.data, e.created_at, u.name AS actor_name FROM (SELECT kind, actor, data, created_at, id FROM assist_events \
         WHERE assist_id = ? ORDER BY created_at DESC, id DESC LIMIT 200) e LEFT JOIN users u ON e.actor = 'user:' || u.id ORDER BY e.created_at, e.id",
        &[id.into()],
    )?;
    let events: Vec<Json> = events
        .iter()
        .map(|e| json!({"kind": e.text("kind"), "actor": e.text("actor"), "actor_name": e.opt_text("actor_name"), "data": serde_json::from_str::<Json>(&e.text("data")).unwrap_or(json!({})), "at": rfc3339(e.int("created_at"))}))
        .collect();
    let mut analysis: Json = serde_json::from_str(&r.text("analysis")).unwrap_or(json!({}));
    if let Some(draft) = r.opt_text("draft") {
        analysis["suggested_reply"]["draft"] = json!(draft);
    }
    let previous: Vec<Json> = crate::escalation::previous_assists(ctx.db, &r.text("customer_id"))?
        .into_iter()
        .filter(|p| p["assist_id"] != json!(id))
        .collect();
    let read_at = r.opt_int("read_at").unwrap_or(0);
    Ok(json!({
        "id": r.text("id"),
        "reference": r.text("reference"),
        "version": r.int("version"),
        "status": r.text("status"),
        "priority": r.text("priority"),
        "category": r.text("category"),
        "channel": r.text("channel"),
        "language": r.text("language"),
        "brand_label": r.opt_text("brand_label"),
        "tags": serde_json::from_str::<Json>(&r.text("tags")).unwrap_or(json!([])),
        "assignee": r.opt_text("assignee_id").map(|aid| json!({"id": aid, "name": r.text("assignee_name")})),
        "resolution": r.opt_text("resolution"),
        "unread": r.opt_int("last_customer_message_at").unwrap_or(0) > read_at,
        "metadata": serde_json::from_str::<Json>(&r.text("metadata")).unwrap_or(json!({})),
        "created_at": rfc3339(r.int("created_at")),
        "updated_at": rfc3339(r.int("updated_at")),
        "closed_at": r.opt_int("closed_at").map(rfc3339),
        "transcript": transcript,
        "activity": activity,
        "ai": analysis,
        "customer": {
            "name": r.text("customer_name"), "email": r.opt_text("customer_email"), "phone": r.opt_text("customer_phone"),
            "identifiers": serde_json::from_str::<Json>(&r.text("customer_identifiers")).unwrap_or(json!([])),
            "previous_assists": previous,
        },
        "events": events,
        "csat": crate::csat::score_json(ctx, id)?,
    }))
}

/// Bumps the version and time (the caller records the event); fails with
/// 412 when the caller's version is stale.
pub fn touch(ctx: &Ctx, id: &str, expected_version: Option<i64>) -> Result<(), Problem> {
    let rows = match expected_version {
        Some(v) => ctx.db.execute(
            "UPDATE assists SET version = version + 1, updated_at = ? WHERE id = ? AND version = ? RETURNING version",
            &[ctx.now().into(), id.into(), v.into()],
        )?,
        None => ctx.db.execute(
            "UPDATE assists SET version = version + 1, updated_at = ? WHERE id = ? RETURNING version",
            &[ctx.now().into(), id.into()],
        )?,
    };
    if rows.rows.is_empty() {
        return Err(Problem::new(
            412,
            "The Assist changed since you loaded it; reload it and try again.",
        ));
    }
    Ok(())
}

/// The sequence number the Assist's next message gets.
pub fn next_seq(db: &dyn Db, assist_id: &str) -> Result<i64, Problem> {
    let rows = db.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE assist_id = ?",
        &[assist_id.into()],
    )?;
    Ok(rows.scalar().and_then(Value::as_i64).unwrap_or(1))
}

pub fn mark_read(ctx: &Ctx, id: &str, user_id: &str, read: bool) -> Result<(), Problem> {
    if read {
        ctx.db.execute(
            "INSERT INTO assist_reads (assist_id, user_id, read_at) VALUES (?, ?, ?) \
             ON CONFLICT (assist_id, user_id) DO UPDATE SET read_at = excluded.read_at",
            &[id.into(), user_id.into(), ctx.now_ms.into()],
        )?;
    } else {
        ctx.db.execute(
            "DELETE FROM assist_reads WHERE assist_id = ? AND user_id = ?",
            &[id.into(), user_id.into()],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = encode_cursor(1_800_000_000, "01M8078ZW1J56M8G966VZDDNNW");
        assert_eq!(
            decode_cursor(&c),
            Some((1_800_000_000, "01M8078ZW1J56M8G966VZDDNNW".into()))
        );
        assert_eq!(decode_cursor("not-a-cursor!"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("x:y")), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("1:a'b")), None);
    }

    #[test]
    fn fts_queries_are_quoted() {
        assert_eq!(
            fts_query("ana refund").as_deref(),
            Some("\"ana\" \"refund\"*")
        );
        assert_eq!(
            fts_query("a\" OR 1").as_deref(),
            Some("\"a\" \"OR\" \"1\"*")
        );
        assert_eq!(fts_query("   "), None);
    }

    #[test]
    fn placeholders_are_numbered_around_an_explicit_one() {
        assert_eq!(
            number_placeholders("a = ? AND b = ?2 AND c = ? LIMIT ?", 2),
            "a = ?1 AND b = ?2 AND c = ?3 LIMIT ?4"
        );
    }
}
