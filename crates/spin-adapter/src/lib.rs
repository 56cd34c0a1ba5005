//! spin-sdk glue shared by Baton's components: [`SpinDb`] (the core's `Db`
//! over Spin's SQLite), opening the migrated database, key-value, and JSON /
//! problem+json responses. Nothing here knows which host runs it.

use baton_core::db::{Db, DbError, Rows, Value};
use baton_core::problem::Problem;
use spin_sdk::http::Response;
use spin_sdk::sqlite3::{self, Connection};

/// The core's [`Db`] over a Spin SQLite connection.
pub struct SpinDb {
    conn: Connection,
}

impl SpinDb {
    /// Opens the `default` database and applies pending migrations (one
    /// cheap query when there are none).
    pub fn open_migrated() -> Result<SpinDb, DbError> {
        let conn = Connection::open_default().map_err(|e| DbError(describe_sqlite_error(&e)))?;
        let db = SpinDb { conn };
        baton_core::migrate::ensure_migrated(&db, now_unix())?;
        Ok(db)
    }
}

impl Db for SpinDb {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        let params: Vec<sqlite3::Value> = params.iter().cloned().map(to_spin).collect();
        let result = self
            .conn
            .execute(sql, &params)
            .map_err(|e| DbError(describe_sqlite_error(&e)))?;
        Ok(Rows {
            columns: result.columns,
            rows: result
                .rows
                .into_iter()
                .map(|r| r.values.into_iter().map(from_spin).collect())
                .collect(),
        })
    }
}

fn to_spin(v: Value) -> sqlite3::Value {
    match v {
        Value::Integer(i) => sqlite3::Value::Integer(i),
        Value::Real(f) => sqlite3::Value::Real(f),
        Value::Text(s) => sqlite3::Value::Text(s),
        Value::Blob(b) => sqlite3::Value::Blob(b),
        Value::Null => sqlite3::Value::Null,
    }
}

fn from_spin(v: sqlite3::Value) -> Value {
    match v {
        sqlite3::Value::Integer(i) => Value::Integer(i),
        sqlite3::Value::Real(f) => Value::Real(f),
        sqlite3::Value::Text(s) => Value::Text(s),
        sqlite3::Value::Blob(b) => Value::Blob(b),
        sqlite3::Value::Null => Value::Null,
    }
}

fn describe_sqlite_error(e: &sqlite3::Error) -> String {
    match e {
        sqlite3::Error::NoSuchDatabase => "no such database".into(),
        sqlite3::Error::AccessDenied => "access to the database denied".into(),
        sqlite3::Error::InvalidConnection => "invalid database connection".into(),
        sqlite3::Error::DatabaseFull => "database full".into(),
        sqlite3::Error::Io(msg) => msg.clone(),
    }
}

pub fn describe_kv_error(e: &spin_sdk::key_value::Error) -> String {
    use spin_sdk::key_value::Error;
    match e {
        Error::StoreTableFull => "too many stores open".into(),
        Error::NoSuchStore => "no such key-value store".into(),
        Error::AccessDenied => "access to the key-value store denied".into(),
        Error::Other(msg) => msg.clone(),
    }
}

/// Seconds since the Unix epoch, UTC.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub fn json_response(status: u16, body: &serde_json::Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(body.to_string())
        .build()
}

pub fn problem_response(problem: &Problem) -> Response {
    Response::builder()
        .status(problem.status)
        .header("content-type", "application/problem+json")
        .header("cache-control", "no-store")
        .body(serde_json::to_string(problem).unwrap_or_default())
        .build()
}

/// A problem document with extra members (e.g. the health checks).
pub fn problem_json_response(status: u16, body: &serde_json::Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/problem+json")
        .header("cache-control", "no-store")
        .body(body.to_string())
        .build()
}
