//! Token stores seen from Python: the built-in [`MemoryStore`],
//! [`SqliteStore`] and [`PostgresStore`], and [`HostStore`], which lets any
//! Python object with
//! async `get/put/list/delete` (a MongoDB collection through Motor, ...) be
//! the store the core reads and writes.
//!
//! [`HostKeyValueStore`] is the smaller contract a host implements once:
//! the core's `KeyValueStore` (get, compare-and-swap put, conditional
//! delete, prefix list) over plain strings.
//!
//! Every token store, built-in or host, speaks the same dict shapes (see the
//! `TokenStore` protocol in the stubs), so the conformance suite in
//! `creatorsync.testing` runs unchanged against all of them.

mod host;
mod host_kv;
mod memory;
mod postgres;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use creatorsync_core::{Error, KeyRing, TimeoutStore, TokenStore};
use pyo3::prelude::*;

pub(crate) use host::HostStore;
pub(crate) use host_kv::HostKeyValueStore;
pub(crate) use memory::MemoryStore;
pub(crate) use postgres::PostgresStore;
pub(crate) use sqlite::SqliteStore;

use crate::convert::{json_to_py, key_from_py, token_from_py, token_to_json};
use crate::error::to_py;
use crate::runtime::{spawn, spawn_py};

/// What a client was given as its store.
#[derive(Debug, Clone)]
pub(crate) struct StoreChoice {
    /// What the builder gets.
    pub(crate) store: Chosen,
    /// Set for host stores, whose event loop follows the caller.
    pub(crate) host: Option<Arc<HostStore>>,
}

/// The store handed to the core builder, which wires the rest.
#[derive(Debug, Clone)]
pub(crate) enum Chosen {
    /// A token store alone.
    Tokens(Arc<dyn TokenStore>),
    /// SQLite: tokens, publish log and pending connects.
    Sqlite(Arc<creatorsync_core::SqliteTokenStore>),
    /// PostgreSQL: tokens, publish log and pending connects.
    Postgres(Arc<creatorsync_core::PostgresTokenStore>),
}

impl Chosen {
    /// Hands the store to `builder`.
    pub(crate) fn apply(
        self,
        builder: creatorsync_core::CreatorSyncBuilder,
    ) -> creatorsync_core::CreatorSyncBuilder {
        match self {
            Chosen::Tokens(t) => builder.store(t),
            Chosen::Sqlite(s) => builder.sqlite_store(s),
            Chosen::Postgres(s) => builder.postgres_store(s),
        }
    }
}

/// Resolves the `store=` argument of `CreatorSync`; a host store's calls
/// are bounded by `timeout` (the core's `TimeoutStore`).
pub(crate) fn choose(obj: &Bound<'_, PyAny>, timeout: Duration) -> PyResult<StoreChoice> {
    if let Ok(m) = obj.cast::<MemoryStore>() {
        return Ok(StoreChoice {
            store: Chosen::Tokens(m.get().inner.clone()),
            host: None,
        });
    }
    if let Ok(s) = obj.cast::<SqliteStore>() {
        return Ok(StoreChoice {
            store: Chosen::Sqlite(s.get().inner.clone()),
            host: None,
        });
    }
    if let Ok(s) = obj.cast::<PostgresStore>() {
        return Ok(StoreChoice {
            store: Chosen::Postgres(s.get().inner.clone()),
            host: None,
        });
    }
    let host = Arc::new(HostStore::new(obj)?);
    Ok(StoreChoice {
        store: Chosen::Tokens(Arc::new(
            TimeoutStore::new(host.clone(), timeout).map_err(to_py)?,
        )),
        host: Some(host),
    })
}

/// The key ring of a built-in encrypted store: `key` is 32 raw bytes or
/// their base64 under the id `key_id`; None reads `CREATORSYNC_KEY` (and
/// `CREATORSYNC_KEY_ID`). Errors never quote the key.
pub(crate) fn key_ring(key: Option<&Bound<'_, PyAny>>, key_id: &str) -> PyResult<KeyRing> {
    match key {
        None => KeyRing::from_env(),
        Some(k) => {
            if let Ok(s) = k.extract::<String>() {
                KeyRing::from_base64(key_id, &s)
            } else if let Ok(b) = k.extract::<Vec<u8>>() {
                KeyRing::new(key_id, &b)
            } else {
                Err(Error::invalid_input(
                    "key",
                    "must be 32 bytes or their base64 string",
                ))
            }
        }
    }
    .map_err(to_py)
}

/// A JSON value as a Python object (takes the GIL briefly).
pub(crate) fn json_out(v: &serde_json::Value) -> PyResult<Py<PyAny>> {
    crate::runtime::attach_py(|py| json_to_py(py, v).map(Bound::unbind))
}

/// `await store.get(key)` for a built-in store.
pub(crate) fn py_get<'py>(
    py: Python<'py>,
    store: Arc<dyn TokenStore>,
    key: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let key = key_from_py(key)?;
    spawn_py(py, async move {
        match store.get(&key).await.map_err(to_py)? {
            Some(t) => json_out(&token_to_json(&t)),
            None => crate::runtime::attach_py(|py| Ok(py.None())),
        }
    })
}

/// `await store.list(user_id)` for a built-in store.
pub(crate) fn py_list<'py>(
    py: Python<'py>,
    store: Arc<dyn TokenStore>,
    user_id: String,
) -> PyResult<Bound<'py, PyAny>> {
    spawn_py(py, async move {
        let all = store.list(&user_id).await.map_err(to_py)?;
        json_out(&serde_json::Value::Array(
            all.iter().map(token_to_json).collect(),
        ))
    })
}

/// `await store.put(token, expected_version)` for a built-in store.
pub(crate) fn py_put<'py>(
    py: Python<'py>,
    store: Arc<dyn TokenStore>,
    token: &Bound<'py, PyAny>,
    expected_version: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let token = token_from_py(token)?;
    spawn(py, async move { store.put(&token, expected_version).await })
}

/// `await store.delete(key)` for a built-in store.
pub(crate) fn py_delete<'py>(
    py: Python<'py>,
    store: Arc<dyn TokenStore>,
    key: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let key = key_from_py(key)?;
    spawn(py, async move { store.delete(&key).await })
}
