//! The one process-wide tokio runtime (pyo3-async-runtimes' own) and the
//! bridge from Rust futures to asyncio awaitables.
//!
//! * Every coroutine the package returns is a Rust future spawned on that
//!   runtime; it runs without the GIL and takes it only to hand back its
//!   result. Cancelling the asyncio task drops the Rust future
//!   (pyo3-async-runtimes' `Cancellable`), which cancels its I/O.
//! * Python code the core calls back (host stores) runs on the event loop
//!   captured when the call started, never on a tokio thread.

use std::future::Future;

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;

use crate::error::to_py;

/// The runtime (created on first use, shared by every client).
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// The running event loop's task locals (fails outside async code).
pub(crate) fn current_locals(py: Python<'_>) -> PyResult<TaskLocals> {
    pyo3_async_runtimes::tokio::get_current_locals(py)
}

/// Wraps a core future as an awaitable of the running loop; core errors
/// become the package's exceptions.
pub(crate) fn spawn<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = creatorsync_core::Result<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move { fut.await.map_err(to_py) })
}

/// Like [`spawn`] for futures that already produce Python errors.
pub(crate) fn spawn_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, fut)
}

/// Runs a short core future to completion from synchronous Python code
/// (constructors), with the GIL released.
pub(crate) fn block_on<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = creatorsync_core::Result<T>> + Send,
    T: Send,
{
    py.detach(|| runtime().block_on(fut)).map_err(to_py)
}
