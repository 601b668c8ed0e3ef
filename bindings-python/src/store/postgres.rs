//! `PostgresStore`: the encrypted PostgreSQL store (tokens + publish log),
//! for several worker processes or machines sharing one database.

use std::sync::Arc;

use std::time::Duration;

use creatorsync_core::{Error, PostgresOptions, PostgresTokenStore, TokenStore};
use pyo3::prelude::*;

use crate::runtime::block_on;

/// Pool settings from the constructor's arguments (checked before connecting).
fn pool_options(
    max_connections: u32,
    acquire_timeout: f64,
) -> creatorsync_core::Result<PostgresOptions> {
    if max_connections == 0 {
        return Err(Error::invalid_input(
            "max_connections",
            "must be at least 1",
        ));
    }
    if !acquire_timeout.is_finite() || acquire_timeout <= 0.0 {
        return Err(Error::invalid_input(
            "acquire_timeout",
            "must be a positive number of seconds",
        ));
    }
    Ok(PostgresOptions::default()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs_f64(acquire_timeout)))
}

/// Tokens in a PostgreSQL database (`postgres://user:password@host:port/db`,
/// `?sslmode=require` for TLS), credentials encrypted with AES-256-GCM under
/// `key` (32 raw bytes, or their base64), identified by `key_id` so keys can
/// rotate. `key=None` reads `CREATORSYNC_KEY`. The same database holds the
/// publish log, so retries with an idempotency key survive restarts and are
/// shared by every worker. Compare-and-swap writes keep token refresh
/// race-free across processes. Connects and applies the schema when
/// created. `max_connections` (per process) and `acquire_timeout` (seconds
/// a call waits for a free connection) size the pool. The password never appears in `repr`, errors or logs. Its async
/// `get/put/list/delete` follow the `TokenStore` protocol.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct PostgresStore {
    pub(crate) inner: Arc<PostgresTokenStore>,
}

#[pymethods]
impl PostgresStore {
    #[new]
    #[pyo3(signature = (url, key=None, key_id="k1", max_connections=10, acquire_timeout=30.0))]
    fn new(
        py: Python<'_>,
        url: &str,
        key: Option<&Bound<'_, PyAny>>,
        key_id: &str,
        max_connections: u32,
        acquire_timeout: f64,
    ) -> PyResult<Self> {
        let keys = super::key_ring(key, key_id)?;
        let options =
            pool_options(max_connections, acquire_timeout).map_err(crate::error::to_py)?;
        let store = block_on(py, PostgresTokenStore::connect_with(url, keys, options))?;
        Ok(Self {
            inner: Arc::new(store),
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

    /// The connection URL with its password replaced by `[redacted]`.
    #[getter]
    fn url(&self) -> String {
        self.inner.redacted_url().to_owned()
    }

    fn __repr__(&self) -> String {
        format!("PostgresStore({:?})", self.inner.redacted_url())
    }
}

impl PostgresStore {
    fn dyn_store(&self) -> Arc<dyn TokenStore> {
        self.inner.clone()
    }
}
