//! The core's test support seen from Python.
//!
//! * The core's own key-value conformance suite, run against a store
//!   written in Python through [`HostKeyValueStore`] and the core's
//!   `TimeoutStore`, so the store is exercised exactly as the client uses
//!   it: tokio tasks racing compare-and-swap writes through the bridge
//!   onto the event loop.
//! * Throwaway PostgreSQL databases, so `PostgresStore` tests need no Python
//!   database driver.

use std::sync::Arc;

use std::future::Future;

use creatorsync_core::{DEFAULT_STORE_TIMEOUT, KeyValueStore, MemoryTokenStore, TimeoutStore};
use pyo3::exceptions::{PyAssertionError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::error::{spawn, to_py};
use crate::runtime::{current_locals, runtime, spawn_py};
use crate::store::HostKeyValueStore;

/// Runs the core's `key_value_store_conformance` against a key-value store
/// written in Python, through the bridge the client uses: `store` is the
/// store itself (every case on it: it must start empty) or a factory
/// called once per case (a class, a function). Each call must answer
/// within `timeout` seconds (default 30). Raises `AssertionError` naming
/// the broken rule and the error the store caused.
#[pyfunction]
#[pyo3(signature = (store, *, timeout=None))]
pub(crate) fn check_key_value_store<'py>(
    py: Python<'py>,
    store: Bound<'py, PyAny>,
    timeout: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let limit = match timeout {
        Some(t) => {
            TimeoutStore::<MemoryTokenStore>::limit_from_secs("timeout", t).map_err(to_py)?
        }
        None => DEFAULT_STORE_TIMEOUT,
    };
    // The bridge the client uses: the host object inside the core's limit.
    let bounded = move |kv: HostKeyValueStore| -> PyResult<Arc<dyn KeyValueStore>> {
        Ok(Arc::new(TimeoutStore::new(kv, limit).map_err(to_py)?))
    };
    let locals = Arc::new(current_locals(py)?);
    let is_factory = store.is_instance_of::<PyType>() || !store.hasattr("put")?;
    let (shared, make) = if is_factory {
        (None, Some(store.unbind()))
    } else {
        let kv = HostKeyValueStore::new(&store)?;
        kv.set_locals(locals.clone());
        (Some(bounded(kv)?), None)
    };
    run_suite(py, async move {
        creatorsync_core::testing::key_value_store_conformance(|| {
            let made = match (&shared, &make) {
                (Some(s), _) => Ok(s.clone()),
                (None, Some(make)) => {
                    crate::runtime::attach_py(|py| -> PyResult<Arc<dyn KeyValueStore>> {
                        let obj = make.bind(py).call0()?;
                        let kv = HostKeyValueStore::new(&obj)?;
                        kv.set_locals(locals.clone());
                        bounded(kv)
                    })
                }
                (None, None) => unreachable!("either a store or a factory"),
            };
            async move {
                match made {
                    Ok(store) => store,
                    Err(e) => panic!("making the store failed: {e}"),
                }
            }
        })
        .await;
    })
}

/// Runs a conformance suite on the runtime (its cases spawn tokio tasks);
/// a failed case (a panic) becomes `AssertionError` with its message.
fn run_suite<'py>(
    py: Python<'py>,
    suite: impl Future<Output = ()> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>> {
    spawn_py(py, async move {
        match runtime().spawn(suite).await {
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

/// A valid MP4 container (not decodable video) of `duration_secs` seconds,
/// `width`×`height`, `fps` frames per second, with `moov` at the end when
/// asked: test media for `probe` and the media rules.
#[pyfunction]
#[pyo3(signature = (duration_secs, width, height, *, fps=30, moov_at_end=false))]
pub(crate) fn sample_mp4(
    py: Python<'_>,
    duration_secs: u32,
    width: u16,
    height: u16,
    fps: u32,
    moov_at_end: bool,
) -> Bound<'_, pyo3::types::PyBytes> {
    let mut sample =
        creatorsync_core::testing::SampleMp4::new(duration_secs, width, height).fps(fps);
    if moov_at_end {
        sample = sample.moov_at_end();
    }
    pyo3::types::PyBytes::new(py, &sample.to_bytes())
}
