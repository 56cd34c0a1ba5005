//! The database seam: components implement [`Db`] over Spin's SQLite
//! interface, native tests implement it over rusqlite. SQL stays within what
//! SQLite and libSQL both accept.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

impl Value {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    /// The first column of the first row, if any.
    pub fn scalar(&self) -> Option<&Value> {
        self.rows.first().and_then(|r| r.first())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DbError(pub String);

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

/// One statement per call, positional `?` parameters (Spin runs only the
/// first statement of a string).
pub trait Db {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError>;
}

/// Runs `f` inside `BEGIN IMMEDIATE` … `COMMIT`; any error rolls back, so a
/// failed change leaves nothing half-written.
pub fn transaction<T, E: From<DbError>>(
    db: &dyn Db,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    db.execute("BEGIN IMMEDIATE", &[])?;
    match f() {
        Ok(v) => {
            if let Err(e) = db.execute("COMMIT", &[]) {
                let _ = db.execute("ROLLBACK", &[]);
                return Err(e.into());
            }
            Ok(v)
        }
        Err(e) => {
            let _ = db.execute("ROLLBACK", &[]);
            Err(e)
        }
    }
}

/// Column accessors by name for one row of a result.
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

impl Rows {
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row {
            columns: &self.columns,
            values,
        })
    }

    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }
}

impl Row<'_> {
    pub fn value(&self, column: &str) -> &Value {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .unwrap_or(&Value::Null)
    }

    pub fn text(&self, column: &str) -> String {
        match self.value(column) {
            Value::Text(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            _ => String::new(),
        }
    }

    pub fn opt_text(&self, column: &str) -> Option<String> {
        self.value(column).as_str().map(String::from)
    }

    pub fn int(&self, column: &str) -> i64 {
        match self.value(column) {
            Value::Integer(i) => *i,
            Value::Real(f) => *f as i64,
            _ => 0,
        }
    }

    pub fn opt_int(&self, column: &str) -> Option<i64> {
        self.value(column).as_i64()
    }

    pub fn real(&self, column: &str) -> f64 {
        match self.value(column) {
            Value::Real(f) => *f,
            Value::Integer(i) => *i as f64,
            _ => 0.0,
        }
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Integer(i64::from(v))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(any(test, feature = "native"))]
pub mod testing {
    //! A [`Db`] over an in-memory or file rusqlite connection, for native
    //! tests, seeding and benchmarks.
    use super::*;

    pub struct SqliteDb(pub rusqlite::Connection);

    impl SqliteDb {
        pub fn memory() -> Self {
            SqliteDb(rusqlite::Connection::open_in_memory().unwrap())
        }
    }

    impl Db for SqliteDb {
        fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
            use rusqlite::types::Value as V;
            let err = |e: rusqlite::Error| DbError(e.to_string());
            let mut stmt = self.0.prepare(sql).map_err(err)?;
            let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
            let params: Vec<V> = params
                .iter()
                .map(|p| match p.clone() {
                    Value::Integer(i) => V::Integer(i),
                    Value::Real(f) => V::Real(f),
                    Value::Text(s) => V::Text(s),
                    Value::Blob(b) => V::Blob(b),
                    Value::Null => V::Null,
                })
                .collect();
            let width = columns.len();
            let mut out = Vec::new();
            let mut rows = stmt
                .query(rusqlite::params_from_iter(params))
                .map_err(err)?;
            while let Some(row) = rows.next().map_err(err)? {
                let mut values = Vec::with_capacity(width);
                for i in 0..width {
                    values.push(match row.get::<_, V>(i).map_err(err)? {
                        V::Integer(i) => Value::Integer(i),
                        V::Real(f) => Value::Real(f),
                        V::Text(s) => Value::Text(s),
                        V::Blob(b) => Value::Blob(b),
                        V::Null => Value::Null,
                    });
                }
                out.push(values);
            }
            Ok(Rows { columns, rows: out })
        }
    }
}
