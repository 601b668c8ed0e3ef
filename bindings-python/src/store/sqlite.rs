//! `SqliteStore`: the embedded encrypted SQLite store (tokens + publish log).

use std::path::PathBuf;
use std::sync::Arc;

use creatorsync_core::{SqliteTokenStore, TokenStore};
use pyo3::prelude::*;

use crate::runtime::block_on;

/// Tokens in an SQLite file, credentials encrypted with AES-256-GCM under
/// `key` (32 raw bytes, or their base64), identified by `key_id` so keys can
/// rotate. `key=None` reads `CREATORSYNC_KEY`. The same file holds the
/// publish log, so retries with an idempotency key survive restarts. Its
/// async `get/put/list/delete` follow the `TokenStore` protocol.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct SqliteStore {
    pub(crate) inner: Arc<SqliteTokenStore>,
    path: PathBuf,
}

#[pymethods]
impl SqliteStore {
    #[new]
    #[pyo3(signature = (path, key=None, key_id="k1"))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        key: Option<&Bound<'_, PyAny>>,
        key_id: &str,
    ) -> PyResult<Self> {
        let keys = super::key_ring(key, key_id)?;
        let store = block_on(py, SqliteTokenStore::open(path.clone(), keys))?;
        Ok(Self {
            inner: Arc::new(store),
            path,
        })
    }

    /// Reads one token dict (None: not stored).
    fn get<'py>(&self, py: Python<'py>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        super::py_get(py, self.dyn_store(), key)
    }

    /// Lists a user's token dicts, ordered by key.
    fn list<'py>(&self, py: Python<'py>, user_id: String) -> PyResult<Bound<'py, PyAny>> {
        super::py_list(py, self.dyn_store(), user_id)
    }

    /// Compare-and-swap write; returns the new version or raises `Conflict`.
    #[pyo3(signature = (token, expected_version=None))]
    fn put<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        expected_version: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        super::py_put(py, self.dyn_store(), token, expected_version)
    }

    /// Removes a token; returns whether one was removed.
    fn delete<'py>(&self, py: Python<'py>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        super::py_delete(py, self.dyn_store(), key)
    }

    /// Makes `new_key` (32 raw bytes) under the id `new_key_id` the active
    /// key and re-encrypts every row under it in one transaction (all rows
    /// or none); returns how many rows moved. The previous keys stay
    /// readable by this store. Other workers keep writing with *their*
    /// active key until restarted: deploy the new key everywhere first,
    /// rotate, check `key_ids_in_use()`, then retire the old key.
    fn rotate_key<'py>(
        &self,
        py: Python<'py>,
        new_key: Vec<u8>,
        new_key_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let store = self.inner.clone();
        crate::runtime::spawn(
            py,
            async move { store.rotate_key(&new_key_id, &new_key).await },
        )
    }

    /// The distinct key ids the stored rows are encrypted with (a full
    /// scan): shows when an old key may be retired.
    fn key_ids_in_use<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let store = self.inner.clone();
        crate::runtime::spawn(py, async move { store.key_ids_in_use().await })
    }

    /// The id of the key new writes are encrypted with.
    #[getter]
    fn active_key_id(&self) -> String {
        self.inner.active_key_id()
    }

    /// The database file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    fn __repr__(&self) -> String {
        format!("SqliteStore({:?})", self.path.display().to_string())
    }
}

impl SqliteStore {
    fn dyn_store(&self) -> Arc<dyn TokenStore> {
        self.inner.clone()
    }
}
