//! The one process-wide tokio runtime (pyo3-async-runtimes' own), the
//! bridge from Rust futures to asyncio awaitables, and the rule that keeps
//! tokio threads away from an interpreter that is shutting down. It uses
//! no other module of the crate.
//!
//! * Every coroutine the package returns is a Rust future spawned on that
//!   runtime; it runs without the GIL and takes it only to hand back its
//!   result. Cancelling the asyncio future drops the Rust future, which
//!   cancels its I/O.
//! * Python code the core calls back (host stores) runs on the event loop
//!   captured when the call started, never on a tokio thread.
//! * Threads other than Python's own attach only through [`attach`]. An
//!   `atexit` hook ([`shutdown`]) closes that door when the interpreter
//!   starts finalizing and waits (briefly, without the GIL) for threads
//!   already inside; afterwards results are dropped unseen and the Python
//!   objects they hold are leaked, never freed from another thread while
//!   the main thread tears the interpreter down (that was a SIGSEGV at
//!   exit after a successful publish in about 1 of 20 short-lived
//!   processes).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::FutureExt;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyRuntimeError;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use tokio::sync::oneshot;

/// Set by the `atexit` hook: no thread may attach any more.
static FINALIZING: AtomicBool = AtomicBool::new(false);
/// Threads between "checked FINALIZING" and "detached again".
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
/// How long the exit hook waits for threads already attached or waiting
/// for the GIL.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// The runtime (created on first use, shared by every client).
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// The running event loop's task locals (fails outside async code).
pub(crate) fn current_locals(py: Python<'_>) -> PyResult<TaskLocals> {
    pyo3_async_runtimes::tokio::get_current_locals(py)
}

struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `f` attached to the interpreter, unless it is finalizing: then
/// `f` (and every Python object it holds) is leaked and None returned.
/// Every attach from a thread Python did not start goes through here.
pub(crate) fn attach<F, R>(f: F) -> Option<R>
where
    F: for<'py> FnOnce(Python<'py>) -> R,
{
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    let _in_flight = InFlight;
    if FINALIZING.load(Ordering::SeqCst) {
        std::mem::forget(f);
        return None;
    }
    Some(Python::attach(f))
}

/// [`attach`] for work that returns a Python result: a finalizing
/// interpreter is an error (built lazily, without the interpreter).
pub(crate) fn attach_py<F, R>(f: F) -> PyResult<R>
where
    F: for<'py> FnOnce(Python<'py>) -> PyResult<R>,
{
    attach(f).unwrap_or_else(|| Err(shutting_down()))
}

/// The error of work that would need a finalizing interpreter.
pub(crate) fn shutting_down() -> PyErr {
    PyRuntimeError::new_err("the Python interpreter is shutting down")
}

/// The `atexit` hook: closes [`attach`] and waits, without the GIL, for
/// threads already past the check.
#[pyfunction]
pub(crate) fn shutdown(py: Python<'_>) {
    FINALIZING.store(true, Ordering::SeqCst);
    py.detach(|| {
        let deadline = Instant::now() + EXIT_GRACE;
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Registers [`shutdown`] with `atexit` (module init).
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = pyo3::wrap_pyfunction!(shutdown, m)?;
    m.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}

/// `add_done_callback` of the asyncio future: its cancellation cancels
/// the Rust future.
#[pyclass(module = "creatorsync._native")]
struct CancelOnDone {
    tx: Mutex<Option<oneshot::Sender<()>>>,
}

#[pymethods]
impl CancelOnDone {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()?
            && let Some(tx) = self.tx.lock().ok().and_then(|mut t| t.take())
        {
            let _ = tx.send(());
        }
        Ok(())
    }
}

/// Completes the asyncio future on its loop's thread, unless it is done
/// (cancelled) already.
#[pyfunction]
fn settle(fut: &Bound<'_, PyAny>, ok: bool, value: &Bound<'_, PyAny>) -> PyResult<()> {
    if fut.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    let method = if ok { "set_result" } else { "set_exception" };
    fut.call_method1(method, (value,))?;
    Ok(())
}

/// Wraps a future as an awaitable of the running loop (core errors are
/// mapped by the caller, see `error::to_py`).
///
/// The future runs on the runtime; its outcome (a panic included, as
/// `PanicException`) is handed to the loop with `call_soon_threadsafe`
/// through [`attach`], so nothing touches Python once it is finalizing.
pub(crate) fn spawn_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let locals = current_locals(py)?;
    let event_loop = locals.event_loop(py);
    let py_fut = event_loop.call_method0("create_future")?;
    let (cancel_tx, cancel_rx) = oneshot::channel();
    py_fut.call_method1(
        "add_done_callback",
        (CancelOnDone {
            tx: Mutex::new(Some(cancel_tx)),
        },),
    )?;
    let target = py_fut.clone().unbind();
    let event_loop = event_loop.unbind();
    let fut = pyo3_async_runtimes::tokio::scope(locals, AssertUnwindSafe(fut).catch_unwind());
    runtime().spawn(async move {
        let outcome = tokio::select! {
            outcome = fut => outcome,
            Ok(()) = cancel_rx => return,
        };
        // Taking the GIL may wait: not on a runtime worker.
        runtime().spawn_blocking(move || {
            attach(move |py| {
                let (ok, value) = match outcome {
                    Ok(Ok(v)) => match v.into_py_any(py) {
                        Ok(v) => (true, v),
                        Err(e) => (false, e.into_value(py).into_any()),
                    },
                    Ok(Err(e)) => (false, e.into_value(py).into_any()),
                    Err(panic) => {
                        let msg = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                            .unwrap_or_else(|| "unknown panic".into());
                        let e = PanicException::new_err(format!("rust future panicked: {msg}"));
                        (false, e.into_value(py).into_any())
                    }
                };
                let delivered = pyo3::wrap_pyfunction!(settle, py).and_then(|settle| {
                    event_loop
                        .bind(py)
                        .call_method1("call_soon_threadsafe", (settle, target.bind(py), ok, value))
                });
                // A closed loop cannot take the result; nobody awaits it.
                if let Err(e) = delivered {
                    e.print(py);
                }
            });
        });
    });
    Ok(py_fut)
}

/// Runs a short future to completion from synchronous Python code
/// (constructors), with the GIL released.
pub(crate) fn block_on<F>(py: Python<'_>, fut: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    py.detach(|| runtime().block_on(fut))
}
