//! Schema migrations, applied by the app itself on first use under any host
//! (`spin up`, baton-runner, SpinKube with libSQL): no manual step.
//!
//! Cost per request once migrated: one `SELECT MAX(version)` over a table of
//! a few rows (a primary-key lookup, microseconds). Only when that shows
//! pending work does a request take the write lock: each migration runs in
//! its own `BEGIN IMMEDIATE` transaction and re-checks the table inside it,
//! so concurrent first requests apply every migration exactly once.
//! Versions live in a table, not `PRAGMA user_version` (read-only on Turso).
//! The first run also switches a local database file to WAL journaling.

use crate::db::{Db, DbError, Value};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    UpToDate,
    Applied(Vec<i64>),
}

/// Makes sure every embedded migration is applied. `now` is the UTC time in
/// seconds recorded with each applied migration.
pub fn ensure_migrated(db: &dyn Db, now: i64) -> Result<Outcome, DbError> {
    ensure(db, MIGRATIONS, now)
}

fn ensure(db: &dyn Db, migrations: &[Migration], now: i64) -> Result<Outcome, DbError> {
    let latest = migrations.last().map_or(0, |m| m.version);
    // A newer deployment may already have gone further; that is fine too.
    if let Ok(rows) = db.execute("SELECT MAX(version) FROM baton_migrations", &[])
        && rows.scalar().and_then(Value::as_i64).unwrap_or(0) >= latest
    {
        return Ok(Outcome::UpToDate);
    }
    // Write-ahead logging lets readers run beside a writer and commits with
    // one sync instead of a rollback journal's several. It is a property of
    // the database file, so setting it once here holds under any host; hosts
    // that manage journaling themselves (libSQL, Turso) may refuse, which is
    // fine.
    let _ = db.execute("PRAGMA journal_mode = WAL", &[]);
    db.execute(
        "CREATE TABLE IF NOT EXISTS baton_migrations (
           version INTEGER PRIMARY KEY,
           name TEXT NOT NULL,
           applied_at INTEGER NOT NULL)",
        &[],
    )?;
    let mut applied = Vec::new();
    for m in migrations {
        if apply_one(db, m, now)? {
            applied.push(m.version);
        }
    }
    Ok(Outcome::Applied(applied))
}

/// Applies one migration in its own transaction; false if another request
/// already had. Foreign keys are off while it runs (SQLite's procedure for
/// rebuilding a table: a `DROP TABLE` of a referenced table would fail
/// otherwise, and the pragma cannot change inside a transaction), and
/// `foreign_key_check` must come back clean before it commits.
fn apply_one(db: &dyn Db, m: &Migration, now: i64) -> Result<bool, DbError> {
    let enforced = db
        .execute("PRAGMA foreign_keys", &[])
        .ok()
        .and_then(|r| r.scalar().and_then(Value::as_i64))
        == Some(1);
    if enforced {
        db.execute("PRAGMA foreign_keys = OFF", &[])?;
    }
    let result = apply_in_transaction(db, m, now);
    if enforced {
        let _ = db.execute("PRAGMA foreign_keys = ON", &[]);
    }
    result
}

fn apply_in_transaction(db: &dyn Db, m: &Migration, now: i64) -> Result<bool, DbError> {
    db.execute("BEGIN IMMEDIATE", &[])?;
    let result = (|| {
        let done = db.execute(
            "SELECT 1 FROM baton_migrations WHERE version = ?",
            &[Value::Integer(m.version)],
        )?;
        if !done.rows.is_empty() {
            return Ok(false);
        }
        for statement in split_statements(m.sql) {
            db.execute(statement, &[]).map_err(|e| {
                DbError(format!(
                    "migration {:04}_{} failed: {e} in: {}",
                    m.version,
                    m.name,
                    statement.chars().take(120).collect::<String>()
                ))
            })?;
        }
        let broken = db.execute("PRAGMA foreign_key_check", &[])?;
        if !broken.rows.is_empty() {
            return Err(DbError(format!(
                "migration {:04}_{} would leave {} rows pointing at missing rows",
                m.version,
                m.name,
                broken.rows.len()
            )));
        }
        db.execute(
            "INSERT INTO baton_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            &[
                Value::Integer(m.version),
                m.name.into(),
                Value::Integer(now),
            ],
        )?;
        Ok(true)
    })();
    match result {
        Ok(applied) => {
            db.execute("COMMIT", &[])?;
            Ok(applied)
        }
        Err(e) => {
            let _ = db.execute("ROLLBACK", &[]);
            Err(e)
        }
    }
}

/// Splits a SQL script into statements (Spin's `execute` runs only the first
/// statement of a string). Understands quotes, comments and the
/// `BEGIN ... END;` body of `CREATE TRIGGER`.
pub fn split_statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut in_trigger = false;
    let mut last_word = String::new();
    let mut words_seen = 0usize;
    let mut first_words = String::new();
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' | b'`' => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == c {
                        if bytes.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                last_word.clear();
            }
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b';' => {
                if !in_trigger || last_word.eq_ignore_ascii_case("end") {
                    push_statement(&mut statements, &sql[start..i]);
                    start = i + 1;
                    in_trigger = false;
                    words_seen = 0;
                    first_words.clear();
                }
                last_word.clear();
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let word_start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                last_word.clear();
                last_word.push_str(&sql[word_start..i]);
                if words_seen < 3 {
                    words_seen += 1;
                    first_words.push_str(&last_word.to_ascii_lowercase());
                    first_words.push(' ');
                    if first_words.starts_with("create ")
                        && (first_words.contains("trigger ") && words_seen >= 2)
                    {
                        in_trigger = true;
                    }
                }
            }
            _ => i += 1,
        }
    }
    push_statement(&mut statements, &sql[start.min(sql.len())..]);
    statements
}

fn push_statement<'a>(out: &mut Vec<&'a str>, text: &'a str) {
    let trimmed = text.trim();
    if !strip_comments(trimmed).trim().is_empty() {
        out.push(trimmed);
    }
}

/// True content of a fragment without comments (to drop comment-only pieces).
fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.split("--").next().unwrap_or("");
        out.push_str(line);
    }
    let mut result = String::new();
    let mut rest = out.as_str();
    while let Some(start) = rest.find("/*") {
        result.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    result.push_str(rest);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::SqliteDb;

    #[test]
    fn splits_plain_statements_and_skips_comments() {
        let sql = "-- header\nCREATE TABLE a (x TEXT DEFAULT 'a;b');\n/* c; */\nCREATE INDEX i ON a (x);\n\n";
        assert_eq!(
            split_statements(sql),
            vec![
                "-- header\nCREATE TABLE a (x TEXT DEFAULT 'a;b')",
                "/* c; */\nCREATE INDEX i ON a (x)"
            ]
        );
    }

    #[test]
    fn splits_triggers_at_end() {
        let sql = "CREATE TABLE t (x);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1; DELETE FROM t WHERE x = 'end;'; END;\nCREATE TEMP TRIGGER t2 AFTER DELETE ON t BEGIN SELECT 1; END;\nSELECT 2";
        let parts = split_statements(sql);
        assert_eq!(parts.len(), 4, "{parts:#?}");
        assert!(parts[1].ends_with("END"));
        assert!(parts[2].starts_with("CREATE TEMP TRIGGER"));
        assert_eq!(parts[3], "SELECT 2");
    }

    #[test]
    fn quoted_identifiers_and_doubled_quotes() {
        let sql = r#"INSERT INTO "we;ird" VALUES ('it''s; fine'); SELECT [a;b] FROM x"#;
        assert_eq!(split_statements(sql).len(), 2);
    }

    #[test]
    fn embedded_migrations_are_ordered_and_apply_cleanly() {
        assert!(!MIGRATIONS.is_empty());
        assert!(MIGRATIONS.windows(2).all(|w| w[0].version < w[1].version));
        let db = SqliteDb::memory();
        let outcome = ensure_migrated(&db, 1).unwrap();
        let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(outcome, Outcome::Applied(all));
        assert_eq!(ensure_migrated(&db, 2).unwrap(), Outcome::UpToDate);
    }

    /// A database with data, made before the customers table was rebuilt
    /// (0007), migrates with foreign keys enforced, and keeps every row.
    #[test]
    fn later_migrations_apply_over_existing_data_with_foreign_keys_on() {
        let db = SqliteDb::memory();
        db.execute("PRAGMA foreign_keys = ON", &[]).unwrap();
        let upto6: Vec<Migration> = MIGRATIONS
            .iter()
            .copied()
            .filter(|m| m.version <= 6)
            .collect();
        ensure(&db, &upto6, 1).unwrap();
        db.execute("INSERT INTO customers (id, email, name, created_at, updated_at) VALUES ('c1', 'jo@example.org', 'Jo', 0, 0)", &[]).unwrap();
        db.execute(
            "INSERT INTO assists (id, reference, customer_id, priority, category, sentiment, summary, reason, suggested_reply, analysis, created_at, updated_at) \
             VALUES ('a1', 'AS-1', 'c1', 'low', 'general', 'neutral', 's', 'r', 'x', '{}', 0, 0)",
            &[],
        )
        .unwrap();
        let outcome = ensure_migrated(&db, 2).unwrap();
        assert!(
            matches!(outcome, Outcome::Applied(ref v) if v.contains(&7)),
            "{outcome:?}"
        );
        let rows = db
            .execute(
                "SELECT c.email FROM assists a JOIN customers c ON c.id = a.customer_id",
                &[],
            )
            .unwrap();
        assert_eq!(rows.scalar(), Some(&Value::Text("jo@example.org".into())));
        db.execute("INSERT INTO customers (id, name, phone, created_at, updated_at) VALUES ('c2', 'Caller', '+1415', 0, 0)", &[]).unwrap();
        let fk = db.execute("PRAGMA foreign_keys", &[]).unwrap();
        assert_eq!(
            fk.scalar(),
            Some(&Value::Integer(1)),
            "enforcement is back on"
        );
        assert!(db.execute("INSERT INTO assists (id, reference, customer_id, priority, category, sentiment, summary, reason, suggested_reply, analysis, created_at, updated_at) \
             VALUES ('a2', 'AS-2', 'nope', 'low', 'general', 'neutral', 's', 'r', 'x', '{}', 0, 0)", &[]).is_err());
    }

    const TEST_MIGRATIONS: &[Migration] = &[
        Migration {
            version: 1,
            name: "one",
            sql: "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);",
        },
        Migration {
            version: 2,
            name: "two",
            sql: "INSERT INTO a VALUES (2);",
        },
    ];

    #[test]
    fn a_failing_migration_changes_nothing() {
        let db = SqliteDb::memory();
        let bad = [
            TEST_MIGRATIONS[0],
            Migration {
                version: 2,
                name: "bad",
                sql: "INSERT INTO a VALUES (2); INSERT INTO nope VALUES (1);",
            },
        ];
        let err = ensure(&db, &bad, 0).unwrap_err();
        assert!(err.0.contains("0002_bad"), "{err}");
        let rows = db.execute("SELECT COUNT(*) FROM a", &[]).unwrap();
        assert_eq!(
            rows.scalar(),
            Some(&Value::Integer(1)),
            "migration 2 rolled back"
        );
        let versions = db
            .execute("SELECT version FROM baton_migrations", &[])
            .unwrap();
        assert_eq!(versions.rows.len(), 1);
    }

    #[test]
    fn concurrent_first_requests_apply_each_migration_once() {
        let path = std::env::temp_dir().join(format!("baton-migrate-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let db = SqliteDb(rusqlite::Connection::open(&path).unwrap());
                    ensure(&db, TEST_MIGRATIONS, 0).unwrap()
                })
            })
            .collect();
        let outcomes: Vec<Outcome> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let applied: usize = outcomes
            .iter()
            .map(|o| match o {
                Outcome::Applied(v) => v.len(),
                Outcome::UpToDate => 0,
            })
            .sum();
        assert_eq!(applied, 2, "{outcomes:?}");
        let db = SqliteDb(rusqlite::Connection::open(&path).unwrap());
        let rows = db.execute("SELECT x FROM a ORDER BY x", &[]).unwrap();
        assert_eq!(
            rows.rows,
            vec![vec![Value::Integer(1)], vec![Value::Integer(2)]]
        );
        let _ = std::fs::remove_file(&path);
    }
}
