//! Key-value stores, as Spin's `spin` backend keeps them: the `default` label
//! lives in `<state dir>/sqlite_key_value.db` (in memory without a state dir),
//! one table keyed by (store, key), one shared connection, autocommit.

use crate::bindings::kv2::{self, Error};
use crate::state::HostState;
use anyhow::{Context, Result};
use rusqlite::OptionalExtension;
use std::path::Path;
use std::sync::Mutex;
use wasmtime::component::Resource;

/// Spin caps a single host-buffered result at 128 MiB.
pub const MAX_RESULT_BYTES: usize = 128 * 1024 * 1024;

pub struct KeyValueStores {
    conn: Mutex<rusqlite::Connection>,
}

/// The guest's handle: which label it opened.
pub struct StoreHandle {
    label: String,
}

impl KeyValueStores {
    pub fn open(state_dir: Option<&Path>) -> Result<Self> {
        let conn = match state_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create state dir {}", dir.display()))?;
                rusqlite::Connection::open(dir.join("sqlite_key_value.db"))?
            }
            None => rusqlite::Connection::open_in_memory()?,
        };
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS spin_key_value (
               store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
               PRIMARY KEY (store, key))",
        )?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// Labels that exist without any runtime configuration.
    pub fn is_defined(label: &str) -> bool {
        label == "default"
    }

    fn with_conn<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<T, Error> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| Error::Other("key-value store lock poisoned".into()))?;
        tokio::task::block_in_place(|| f(&conn)).map_err(|e| Error::Other(format!("{e:?}")))
    }

    pub fn get(&self, label: &str, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let value = self.with_conn(|c| {
            c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .query_row((label, key), |row| row.get::<_, Vec<u8>>(0))
                .optional()
        })?;
        match value {
            Some(v) if v.len() > MAX_RESULT_BYTES => Err(over_limit()),
            other => Ok(other),
        }
    }

    pub fn set(&self, label: &str, key: &str, value: &[u8]) -> Result<(), Error> {
        self.with_conn(|c| {
            c.prepare_cached(
                "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
            )?
            .execute((label, key, value))
            .map(|_| ())
        })
    }

    pub fn delete(&self, label: &str, key: &str) -> Result<(), Error> {
        self.with_conn(|c| {
            c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .execute((label, key))
                .map(|_| ())
        })
    }

    pub fn keys(&self, label: &str) -> Result<Vec<String>, Error> {
        let keys = self.with_conn(|c| {
            c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1")?
                .query_map([label], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        if keys.iter().map(String::len).sum::<usize>() > MAX_RESULT_BYTES {
            return Err(over_limit());
        }
        Ok(keys)
    }
}

fn over_limit() -> Error {
    Error::Other(format!(
        "query result exceeds limit of {MAX_RESULT_BYTES} bytes"
    ))
}

impl kv2::Host for HostState {}

impl kv2::HostStore for HostState {
    fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<StoreHandle>, Error>> {
        // Spin checks the component's grant before whether the store exists.
        if !self.component.key_value_stores.contains(&label) {
            return Ok(Err(Error::AccessDenied));
        }
        if !KeyValueStores::is_defined(&label) {
            return Ok(Err(Error::NoSuchStore));
        }
        match self.table.push(StoreHandle { label }) {
            Ok(handle) => Ok(Ok(handle)),
            Err(_) => Ok(Err(Error::StoreTableFull)),
        }
    }

    fn get(
        &mut self,
        store: Resource<StoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let label = &self.table.get(&store)?.label;
        Ok(self.app.key_value.get(label, &key))
    }

    fn set(
        &mut self,
        store: Resource<StoreHandle>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let label = &self.table.get(&store)?.label;
        Ok(self.app.key_value.set(label, &key, &value))
    }

    fn delete(
        &mut self,
        store: Resource<StoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let label = &self.table.get(&store)?.label;
        Ok(self.app.key_value.delete(label, &key))
    }

    fn exists(
        &mut self,
        store: Resource<StoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        let label = &self.table.get(&store)?.label;
        Ok(self.app.key_value.get(label, &key).map(|v| v.is_some()))
    }

    fn get_keys(
        &mut self,
        store: Resource<StoreHandle>,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        let label = &self.table.get(&store)?.label;
        Ok(self.app.key_value.keys(label))
    }

    fn drop(&mut self, store: Resource<StoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}
