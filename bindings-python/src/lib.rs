//! # creatorsync (Python)
//!
//! The `creatorsync._native` extension module: a thin PyO3 layer over
//! `creatorsync-core`. Each file mirrors a core concern:
//!
//! * `error.rs` — the exception hierarchy and the one mapping from the
//!   core's `Error`.
//! * `runtime.rs` — the process-wide tokio runtime and the asyncio bridge.
//! * `store/` — `MemoryStore`, `SqliteStore`, `PostgresStore` (the
//!   contract's store options) and host key-value stores written in Python.
//! * `post.rs` — `Post`, `Media` and dict posts, read by the contract.
//! * `probe.rs` — `probe(media)`: the contract's probe view.
//! * `client.rs` — `CreatorSync`: options, connect, status, health,
//!   quota, publish; answers are the contract's views.
//! * `schedule.rs` — `Scheduler`: schedule, bulk, list, cancel, the worker.
//! * `progress.rs` — progress events.
//! * `oauth1.rs` — OAuth 1.0a request signing (`sign_oauth1`, `OAuth1Signer`).
//! * `convert.rs` — plain-value conversions (dicts, lists).
//!
//! Module order, no cycles: `runtime` → `convert` → `error` → the rest.
//! * `testing.rs` — the core's key-value conformance suite for host stores,
//!   throwaway PostgreSQL databases for tests.
//!
//! The Python package (`python/creatorsync`) re-exports these names, adds
//! typing (`.pyi`, `py.typed`), the blocking facade and the store
//! conformance suite.

mod client;
mod convert;
mod error;
mod oauth1;
mod post;
mod probe;
mod progress;
mod runtime;
mod schedule;
mod store;
mod testing;

use pyo3::prelude::*;

/// The native part of the `creatorsync` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    runtime::register(m)?;
    m.add_class::<store::MemoryStore>()?;
    m.add_class::<store::SqliteStore>()?;
    m.add_class::<store::PostgresStore>()?;
    m.add_class::<post::Media>()?;
    m.add_class::<post::Post>()?;
    m.add_class::<client::CreatorSync>()?;
    m.add_class::<schedule::Scheduler>()?;
    m.add_class::<oauth1::OAuth1Signer>()?;
    m.add_function(pyo3::wrap_pyfunction!(oauth1::sign_oauth1, m)?)?;
    m.add_function(pyo3::wrap_pyfunction!(probe::probe, m)?)?;
    m.add_function(pyo3::wrap_pyfunction!(testing::sample_mp4, m)?)?;
    m.add_function(pyo3::wrap_pyfunction!(testing::check_key_value_store, m)?)?;
    m.add_function(pyo3::wrap_pyfunction!(
        testing::create_postgres_database,
        m
    )?)?;
    m.add_function(pyo3::wrap_pyfunction!(testing::drop_postgres_database, m)?)?;
    Ok(())
}
