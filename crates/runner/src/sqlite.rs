//! SQLite databases, as Spin's in-process backend serves them: `default` is
//! `<state dir>/sqlite_db.db` (a fresh in-memory database per open without a
//! state dir); every `open` is an independent connection that rolls back
//! anything uncommitted when dropped; `execute` runs the first statement only.
//! Both `fermyon:spin/sqlite@2.0.0` and `spin:sqlite/sqlite@3.0.0` are served.

use crate::bindings::{sqlite2, sqlite3};
use crate::key_value::MAX_RESULT_BYTES;
use crate::state::HostState;
use rusqlite::types::Value as SqlValue;
use std::path::PathBuf;
use wasmtime::component::Resource;

/// Spin's per-instance cap on open connections.
const MAX_CONNECTIONS_PER_INSTANCE: usize = 256;

pub struct Databases {
    /// `None`: in memory, one new database per connection.
    default_path: Option<PathBuf>,
}

pub struct Connection {
    conn: rusqlite::Connection,
}

/// The outcome of one `execute`, independent of the interface version.
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
        Ok(Connection { conn })
    }
}

impl Connection {
    pub fn execute(&self, statement: &str, params: Vec<SqlValue>) -> Result<Rows, String> {
        tokio::task::block_in_place(|| self.execute_blocking(statement, params))
    }

    fn execute_blocking(&self, statement: &str, params: Vec<SqlValue>) -> Result<Rows, String> {
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
        for (i, p) in params.into_iter().enumerate() {
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

            fn execute(
                &mut self,
                conn: Resource<Connection>,
                statement: String,
                parameters: Vec<$m::Value>,
            ) -> wasmtime::Result<Result<$m::QueryResult, $m::Error>> {
                let conn = self.table.get(&conn)?;
                let params = parameters.into_iter().map(SqlValue::from).collect();
                Ok(conn
                    .execute(&statement, params)
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
