//! `MemoryStore`: tokens in process memory (tests, demos, one-process apps).

use std::sync::Arc;

use creatorsync_core::{MemoryTokenStore, TokenStore};
use pyo3::prelude::*;

/// Tokens kept in process memory; lost when the process exits. Shares the
/// core's compare-and-swap semantics. Its async `get/put/list/delete`
/// follow the `TokenStore` protocol.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct MemoryStore {
    pub(crate) inner: Arc<MemoryTokenStore>,
}

#[pymethods]
impl MemoryStore {
    #[new]
    fn new() -> Self {
        Self {
            inner: Arc::new(MemoryTokenStore::new()),
        }
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

    fn __repr__(&self) -> String {
        "MemoryStore()".into()
    }
}

impl MemoryStore {
    fn dyn_store(&self) -> Arc<dyn TokenStore> {
        self.inner.clone()
    }
}
