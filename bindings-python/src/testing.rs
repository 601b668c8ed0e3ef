//! The core's test support seen from Python.
//!
//! * The core's own conformance suite, run against a store written in
//!   Python. `creatorsync.testing.token_store_conformance` is the Python
//!   port; this runs `creatorsync_core::testing::token_store_conformance`
//!   itself, through [`HostStore`], so the store is exercised exactly as the
//!   core uses it: 50 tokio tasks racing compare-and-swap writes through the
//!   bridge onto the event loop.
//! * Throwaway PostgreSQL databases, so `PostgresStore` tests need no Python
//!   database driver.

use std::sync::Arc;

use creatorsync_core::TokenStore;
use pyo3::exceptions::{PyAssertionError, PyRuntimeError};
use pyo3::prelude::*;

use crate::runtime::{current_locals, runtime, spawn, spawn_py};
use crate::store::HostStore;

/// Runs the core's token store conformance suite against stores made by
/// `make()` (called once per case); raises `AssertionError` naming the
/// broken rule.
#[pyfunction]
pub(crate) fn core_token_store_conformance(
    py: Python<'_>,
    make: Py<PyAny>,
) -> PyResult<Bound<'_, PyAny>> {
    let locals = Arc::new(current_locals(py)?);
    spawn_py(py, async move {
        let suite = runtime().spawn(async move {
            creatorsync_core::testing::token_store_conformance(|| {
                let made = crate::runtime::attach_py(|py| -> PyResult<Arc<dyn TokenStore>> {
                    let obj = make.bind(py).call0()?;
                    Ok(Arc::new(HostStore::with_locals(&obj, locals.clone())?))
                });
                async move {
                    match made {
                        Ok(store) => store,
                        Err(e) => panic!("make() failed: {e}"),
                    }
                }
            })
            .await;
        });
        match suite.await {
            Ok(()) => Ok(()),
            Err(e) if e.is_panic() => {
                let p = e.into_panic();
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "conformance case failed".into());
                Err(PyAssertionError::new_err(msg))
            }
            Err(e) => Err(PyRuntimeError::new_err(e.to_string())),
        }
    })
}

/// Creates the empty database `name` on the PostgreSQL server at
/// `server_url` (whose user may `CREATE DATABASE`); returns the new
/// database's URL. `name`: lowercase letters, digits and `_`.
#[pyfunction]
pub(crate) fn create_postgres_database(
    py: Python<'_>,
    server_url: String,
    name: String,
) -> PyResult<Bound<'_, PyAny>> {
    spawn(py, async move {
        creatorsync_core::testing::create_postgres_database(&server_url, &name).await
    })
}

/// Drops the database `name` if it exists, closing connections still open
/// to it.
#[pyfunction]
pub(crate) fn drop_postgres_database(
    py: Python<'_>,
    server_url: String,
    name: String,
) -> PyResult<Bound<'_, PyAny>> {
    spawn(py, async move {
        creatorsync_core::testing::drop_postgres_database(&server_url, &name).await
    })
}
