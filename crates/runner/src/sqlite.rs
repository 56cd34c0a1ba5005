//! SQLite databases, as Spin's in-process backend serves them: `default` is
//! `<state dir>/sqlite_db.db` (a fresh in-memory database per open without a
//! state dir); every `open` is an independent connection that rolls back
//! anything uncommitted when dropped; `execute` runs the first statement only.
//! Both `fermyon:spin/sqlite@2.0.0` and `spin:sqlite/sqlite@3.0.0` are served.
//!
//! **The write queue.** SQLite lets one connection write at a time; the
//! others used to wait in SQLite's busy handler, which sleeps in growing
//! steps (up to 100 ms) and retries in no order, so under concurrent writes
//! a few requests waited seconds and some failed `database is locked`. Here
//! a connection instead takes a turn from one process-wide FIFO queue per
//! database file before it writes: at `BEGIN IMMEDIATE`/`EXCLUSIVE`, or at
//! its first writing statement (outside a transaction, or inside a deferred
//! one). It keeps the turn until it is back in autocommit (`COMMIT`,
//! `ROLLBACK`, or the end of an autocommit write) or until it is dropped,
//! after its uncommitted work has rolled back. Reads never queue (the app
//! runs the file in WAL mode, where readers do not wait for the writer).
//! A connection that cannot get its turn within [`WRITE_QUEUE_WAIT`] gets
//! the error [`busy_message`] ("database is busy: ..."), which the app
//! answers with 503 and `Retry-After`. SQLite's own 5 s busy timeout still
//! covers writers outside this process. Waiting is async (`execute` is an
//! async host function), so a queued writer holds no tokio worker.

use crate::bindings::{sqlite2, sqlite3};
use crate::key_value::MAX_RESULT_BYTES;
use crate::state::HostState;
use rusqlite::types::Value as SqlValue;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wasmtime::component::Resource;

/// Spin's per-instance cap on open connections.
const MAX_CONNECTIONS_PER_INSTANCE: usize = 256;

/// How long a writer waits for its turn: Spin's busy timeout.
pub const WRITE_QUEUE_WAIT: Duration = Duration::from_secs(5);

/// The error a writer gets when its turn did not come in time.
pub fn busy_message(waited: Duration) -> String {
    format!(
        "database is busy: no turn to write within {} ms; retry later",
        waited.as_millis()
    )
}

pub struct Databases {
    /// `None`: in memory, one new database per connection.
    default_path: Option<PathBuf>,
    /// The write queue of the default file (none in memory: every
    /// connection there is its own database).
    write_queue: Option<WriteQueue>,
}

/// One turn at a time, handed out in arrival order.
#[derive(Clone)]
pub struct WriteQueue {
    turns: Arc<Semaphore>,
    wait: Duration,
}

impl WriteQueue {
    pub fn new(wait: Duration) -> Self {
        Self {
            turns: Arc::new(Semaphore::new(1)),
            wait,
        }
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, String> {
        match tokio::time::timeout(self.wait, self.turns.clone().acquire_owned()).await {
            Ok(Ok(turn)) => Ok(turn),
            Ok(Err(_)) => Err("database write queue closed".into()),
            Err(_) => Err(busy_message(self.wait)),
        }
    }
}

pub struct Connection {
    // Field order matters: the connection closes (rolling back anything
    // uncommitted) before the turn is handed on.
    conn: rusqlite::Connection,
    queue: Option<WriteQueue>,
    turn: Option<OwnedSemaphorePermit>,
}

/// Whether a statement needs the write turn before it runs.
fn begins_write_transaction(statement: &str) -> bool {
    let mut words = leading_words(statement);
    words
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("begin"))
        && words.next().is_some_and(|w| {
            w.eq_ignore_ascii_case("immediate") || w.eq_ignore_ascii_case("exclusive")
        })
}

/// The statement's leading keywords, past whitespace and comments.
fn leading_words(statement: &str) -> impl Iterator<Item = &str> {
    let mut rest = statement;
    loop {
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = trimmed.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            rest = trimmed;
            break;
        }
    }
    rest.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .take(2)
}

/// The outcome of one `execute`, independent of the interface version.
#[derive(Debug)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

pub enum OpenError {
    AccessDenied,
    NoSuchDatabase,
    InvalidConnection,
    Io(String),
}

impl Databases {
    pub fn new(state_dir: Option<&std::path::Path>) -> Self {
        Self {
            default_path: state_dir.map(|d| d.join("sqlite_db.db")),
            write_queue: state_dir.map(|_| WriteQueue::new(WRITE_QUEUE_WAIT)),
        }
    }

    pub fn is_defined(label: &str) -> bool {
        label == "default"
    }

    fn connect(&self) -> Result<rusqlite::Connection, OpenError> {
        match &self.default_path {
            Some(path) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|_| OpenError::InvalidConnection)?;
                }
                rusqlite::Connection::open(path).map_err(|_| OpenError::InvalidConnection)
            }
            None => {
                rusqlite::Connection::open_in_memory().map_err(|_| OpenError::InvalidConnection)
            }
        }
    }
}

impl HostState {
    fn open_database(&mut self, label: &str) -> Result<Connection, OpenError> {
        if !self.component.sqlite_databases.contains(label) {
            return Err(OpenError::AccessDenied);
        }
        if !Databases::is_defined(label) {
            return Err(OpenError::NoSuchDatabase);
        }
        if self.sqlite_connections >= MAX_CONNECTIONS_PER_INSTANCE {
            return Err(OpenError::Io("too many connections opened".into()));
        }
        let conn = self.app.sqlite.connect()?;
        self.sqlite_connections += 1;
        Ok(Connection::new(conn, self.app.sqlite.write_queue.clone()))
    }
}

impl Connection {
    pub fn new(conn: rusqlite::Connection, queue: Option<WriteQueue>) -> Self {
        Self {
            conn,
            queue,
            turn: None,
        }
    }

    /// Runs one statement, first waiting for the write turn if it writes
    /// and the connection does not hold the turn yet.
    pub async fn execute(
        &mut self,
        statement: &str,
        params: Vec<SqlValue>,
    ) -> Result<Rows, String> {
        // With the turn held, nothing waits on another connection: the
        // statement runs inline (a transaction's many short statements
        // would otherwise each pay a worker hand-off while every other
        // writer queues). Without it, a statement may read for long or
        // wait on SQLite's busy handler, so it leaves the worker first.
        let ran = if self.turn.is_some() {
            self.execute_blocking(statement, &params).map(Some)
        } else {
            let must_queue = self.queue.is_some();
            tokio::task::block_in_place(|| {
                if must_queue && self.writes(statement)? {
                    return Ok(None);
                }
                self.execute_blocking(statement, &params).map(Some)
            })
        };
        let result = match ran {
            Ok(Some(rows)) => Ok(rows),
            Err(e) => Err(e),
            Ok(None) => match &self.queue {
                Some(queue) => {
                    self.turn = Some(queue.turn().await?);
                    self.execute_blocking(statement, &params)
                }
                None => tokio::task::block_in_place(|| self.execute_blocking(statement, &params)),
            },
        };
        // Back in autocommit (committed, rolled back, or a single write
        // done): the next writer's turn.
        if self.turn.is_some() && self.conn.is_autocommit() {
            self.turn = None;
        }
        result
    }

    /// Whether the statement writes (or opens a write transaction). A
    /// statement that does not prepare is left to run and report its error.
    fn writes(&self, statement: &str) -> Result<bool, String> {
        if begins_write_transaction(statement) {
            return Ok(true);
        }
        match self.conn.prepare_cached(statement) {
            Ok(stmt) => Ok(!stmt.readonly()),
            Err(_) => Ok(false),
        }
    }

    fn execute_blocking(&self, statement: &str, params: &[SqlValue]) -> Result<Rows, String> {
        let mut stmt = self
            .conn
            .prepare_cached(statement)
            .map_err(|e| e.to_string())?;
        let expected = stmt.parameter_count();
        if expected != params.len() {
            return Err(format!(
                "Wrong number of parameters passed to query. Got {}, needed {expected}",
                params.len()
            ));
        }
        for (i, p) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, p)
                .map_err(|e| e.to_string())?;
        }
        let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let width = columns.len();
        let mut rows = Vec::new();
        let mut buffered = 0usize;
        let mut raw = stmt.raw_query();
        while let Some(row) = raw.next().map_err(|e| e.to_string())? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                let v: SqlValue = row.get(i).map_err(|e| e.to_string())?;
                buffered += match &v {
                    SqlValue::Text(s) => s.len(),
                    SqlValue::Blob(b) => b.len(),
                    _ => 8,
                };
                values.push(v);
            }
            if buffered > MAX_RESULT_BYTES {
                return Err(format!(
                    "query result exceeds limit of {MAX_RESULT_BYTES} bytes"
                ));
            }
            rows.push(values);
        }
        Ok(Rows { columns, rows })
    }
}

/// The two interface versions differ only in their generated types and in
/// v3's two extra methods; this keeps them from drifting apart.
macro_rules! sqlite_host {
    ($m:ident) => {
        impl From<OpenError> for $m::Error {
            fn from(e: OpenError) -> Self {
                match e {
                    OpenError::AccessDenied => $m::Error::AccessDenied,
                    OpenError::NoSuchDatabase => $m::Error::NoSuchDatabase,
                    OpenError::InvalidConnection => $m::Error::InvalidConnection,
                    OpenError::Io(s) => $m::Error::Io(s),
                }
            }
        }

        impl From<$m::Value> for SqlValue {
            fn from(v: $m::Value) -> Self {
                match v {
                    $m::Value::Integer(i) => SqlValue::Integer(i),
                    $m::Value::Real(f) => SqlValue::Real(f),
                    $m::Value::Text(s) => SqlValue::Text(s),
                    $m::Value::Blob(b) => SqlValue::Blob(b),
                    $m::Value::Null => SqlValue::Null,
                }
            }
        }

        impl From<SqlValue> for $m::Value {
            fn from(v: SqlValue) -> Self {
                match v {
                    SqlValue::Integer(i) => $m::Value::Integer(i),
                    SqlValue::Real(f) => $m::Value::Real(f),
                    SqlValue::Text(s) => $m::Value::Text(s),
                    SqlValue::Blob(b) => $m::Value::Blob(b),
                    SqlValue::Null => $m::Value::Null,
                }
            }
        }

        impl $m::Host for HostState {}

        impl $m::HostConnection for HostState {
            fn open(
                &mut self,
                database: String,
            ) -> wasmtime::Result<Result<Resource<Connection>, $m::Error>> {
                match self.open_database(&database) {
                    Ok(conn) => Ok(Ok(self.table.push(conn)?)),
                    Err(e) => Ok(Err(e.into())),
                }
            }

            async fn execute(
                &mut self,
                conn: Resource<Connection>,
                statement: String,
                parameters: Vec<$m::Value>,
            ) -> wasmtime::Result<Result<$m::QueryResult, $m::Error>> {
                let conn = self.table.get_mut(&conn)?;
                let params = parameters.into_iter().map(SqlValue::from).collect();
                Ok(conn
                    .execute(&statement, params)
                    .await
                    .map(|r| $m::QueryResult {
                        columns: r.columns,
                        rows: r
                            .rows
                            .into_iter()
                            .map(|values| $m::RowResult {
                                values: values.into_iter().map(Into::into).collect(),
                            })
                            .collect(),
                    })
                    .map_err($m::Error::Io))
            }

            sqlite_host!(@extra $m);

            fn drop(&mut self, conn: Resource<Connection>) -> wasmtime::Result<()> {
                self.table.delete(conn)?;
                self.sqlite_connections = self.sqlite_connections.saturating_sub(1);
                Ok(())
            }
        }
    };
    (@extra sqlite2) => {};
    (@extra sqlite3) => {
        fn last_insert_rowid(&mut self, conn: Resource<Connection>) -> wasmtime::Result<i64> {
            Ok(self.table.get(&conn)?.conn.last_insert_rowid())
        }

        fn changes(&mut self, conn: Resource<Connection>) -> wasmtime::Result<u64> {
            Ok(self.table.get(&conn)?.conn.changes())
        }
    };
}

sqlite_host!(sqlite2);
sqlite_host!(sqlite3);

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    struct TempDb(PathBuf);

    impl Drop for TempDb {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn temp_db(tag: &str) -> (TempDb, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("baton-runner-sqlite-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.sqlite");
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER)")
            .unwrap();
        (TempDb(dir), path)
    }

    fn open(path: &std::path::Path, queue: &WriteQueue) -> Connection {
        Connection::new(
            rusqlite::Connection::open(path).unwrap(),
            Some(queue.clone()),
        )
    }

    async fn exec(c: &mut Connection, sql: &str) -> Result<Rows, String> {
        c.execute(sql, Vec::new()).await
    }

    #[test]
    fn write_transactions_are_recognised() {
        assert!(begins_write_transaction("BEGIN IMMEDIATE"));
        assert!(begins_write_transaction("  begin exclusive transaction;"));
        assert!(begins_write_transaction(
            "-- migrate\n/* x */ BEGIN IMMEDIATE"
        ));
        assert!(!begins_write_transaction("BEGIN"));
        assert!(!begins_write_transaction("BEGIN DEFERRED"));
        assert!(!begins_write_transaction("SELECT 'BEGIN IMMEDIATE'"));
        assert!(!begins_write_transaction(""));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_take_turns_in_arrival_order() {
        let (_dir, path) = temp_db("fifo");
        let queue = WriteQueue::new(Duration::from_secs(5));
        let mut holder = open(&path, &queue);
        exec(&mut holder, "BEGIN IMMEDIATE").await.unwrap();
        let mut tasks = Vec::new();
        for n in 0..8i64 {
            let mut c = open(&path, &queue);
            tasks.push(tokio::spawn(async move {
                exec(&mut c, "BEGIN IMMEDIATE").await?;
                c.execute("INSERT INTO t (n) VALUES (?1)", vec![SqlValue::Integer(n)])
                    .await?;
                // The transaction stays open across an await, as it does
                // across the wasm boundary.
                tokio::time::sleep(Duration::from_millis(5)).await;
                exec(&mut c, "COMMIT").await
            }));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        exec(&mut holder, "COMMIT").await.unwrap();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let c = rusqlite::Connection::open(&path).unwrap();
        let order: Vec<i64> = c
            .prepare("SELECT n FROM t ORDER BY rowid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(order, (0..8).collect::<Vec<_>>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_that_waits_too_long_is_told_the_database_is_busy() {
        let (_dir, path) = temp_db("busy");
        let queue = WriteQueue::new(Duration::from_millis(200));
        let mut holder = open(&path, &queue);
        exec(&mut holder, "BEGIN IMMEDIATE").await.unwrap();
        let mut other = open(&path, &queue);
        let started = Instant::now();
        let err = exec(&mut other, "INSERT INTO t (n) VALUES (1)")
            .await
            .unwrap_err();
        assert_eq!(
            err,
            "database is busy: no turn to write within 200 ms; retry later"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        // Reads never queue, even while the turn is taken.
        let started = Instant::now();
        let rows = exec(&mut other, "SELECT COUNT(*) FROM t").await.unwrap();
        assert_eq!(rows.rows, vec![vec![SqlValue::Integer(0)]]);
        assert!(started.elapsed() < Duration::from_millis(100));
        exec(&mut holder, "COMMIT").await.unwrap();
        exec(&mut other, "INSERT INTO t (n) VALUES (1)")
            .await
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_turn_passes_on_at_commit_rollback_and_drop() {
        let (_dir, path) = temp_db("turns");
        let queue = WriteQueue::new(Duration::from_millis(300));
        let mut a = open(&path, &queue);
        let mut b = open(&path, &queue);
        // An autocommit write holds the turn only while it runs.
        exec(&mut a, "INSERT INTO t (n) VALUES (1)").await.unwrap();
        exec(&mut b, "INSERT INTO t (n) VALUES (2)").await.unwrap();
        // ROLLBACK hands it on.
        exec(&mut a, "BEGIN IMMEDIATE").await.unwrap();
        exec(&mut a, "ROLLBACK").await.unwrap();
        exec(&mut b, "INSERT INTO t (n) VALUES (3)").await.unwrap();
        // A deferred transaction queues at its first write.
        exec(&mut a, "BEGIN").await.unwrap();
        exec(&mut a, "SELECT COUNT(*) FROM t").await.unwrap();
        assert!(a.turn.is_none());
        exec(&mut a, "INSERT INTO t (n) VALUES (4)").await.unwrap();
        assert!(a.turn.is_some());
        // Dropping the connection rolls back and hands the turn on.
        drop(a);
        exec(&mut b, "INSERT INTO t (n) VALUES (5)").await.unwrap();
        let rows = exec(&mut b, "SELECT n FROM t ORDER BY n").await.unwrap();
        let ns: Vec<SqlValue> = rows.rows.into_iter().flatten().collect();
        assert_eq!(
            ns,
            [1, 2, 3, 5].map(SqlValue::Integer).to_vec(),
            "the dropped transaction's row is gone"
        );
    }
}
