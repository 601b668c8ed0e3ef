//! [`HostObject`]: the one bridge from the core to a Python object it
//! awaits (the key-value store of `host_kv.rs`).
//!
//! The core calls the store's methods from tokio tasks. Each call builds
//! the coroutine and schedules it on the asyncio loop captured from the
//! caller (`into_future_with_locals`), so the store's own I/O (Motor, an
//! async ORM, ...) runs on the loop it belongs to and the event loop is never
//! blocked by the core. Methods may also be plain functions returning the
//! value directly; those run under the GIL on the calling thread.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use creatorsync_core::{Error, Result};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3_async_runtimes::TaskLocals;

use crate::error::from_py;
use crate::runtime::attach_py;

/// A Python object the core awaits: the loop it runs on and the one way
/// to call it ([`super::HostKeyValueStore`]).
pub(crate) struct HostObject {
    obj: Py<PyAny>,
    locals: Mutex<Option<Arc<TaskLocals>>>,
}

impl fmt::Debug for HostObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostObject").finish_non_exhaustive()
    }
}

impl HostObject {
    /// Wraps `obj`, checking it has `methods`; `what` describes the
    /// expected object in the `TypeError`.
    pub(crate) fn new(obj: &Bound<'_, PyAny>, methods: &[&str], what: &str) -> PyResult<Self> {
        for m in methods {
            if !obj.hasattr(*m)? {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "store must be {what}; {} has no {m}()",
                    obj.get_type().name()?
                )));
            }
        }
        let locals = crate::runtime::current_locals(obj.py()).ok().map(Arc::new);
        Ok(Self {
            obj: obj.clone().unbind(),
            locals: Mutex::new(locals),
        })
    }

    /// Binds the object to the loop of `locals`.
    pub(crate) fn set_locals(&self, locals: Arc<TaskLocals>) {
        *self.locals.lock().unwrap_or_else(PoisonError::into_inner) = Some(locals);
    }

    /// Points the object at the event loop of the current caller.
    pub(crate) fn follow_loop(&self, py: Python<'_>) {
        if let Ok(l) = crate::runtime::current_locals(py) {
            self.set_locals(Arc::new(l));
        }
    }

    fn locals(&self) -> Result<Arc<TaskLocals>> {
        self.locals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                Error::Config(
                    "a store written in Python needs a running asyncio event loop: use the client from async code (or creatorsync.blocking)"
                        .into(),
                )
            })
    }

    /// Calls `method(*args)`, awaits the result on the captured loop when
    /// it is awaitable, and converts it with `convert` (under the GIL).
    /// An exception raised by the method becomes the core's error
    /// ([`from_py`]: `Conflict` keeps its version).
    pub(crate) async fn call<F, C, T>(&self, method: &'static str, args: F, convert: C) -> Result<T>
    where
        F: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyTuple>> + Send,
        C: for<'py> FnOnce(&Bound<'py, PyAny>) -> Result<T> + Send,
    {
        let locals = self.locals()?;
        let pending = attach_py(|py| -> PyResult<Pending> {
            let args = args(py)?;
            let out = self.obj.bind(py).call_method1(method, args)?;
            if out.hasattr("__await__")? {
                let fut = pyo3_async_runtimes::into_future_with_locals(&locals, out)?;
                Ok(Pending::Awaiting(Box::pin(fut)))
            } else {
                Ok(Pending::Ready(out.unbind()))
            }
        })
        .map_err(|e| from_py(&e))?;
        let obj = match pending {
            Pending::Ready(obj) => obj,
            Pending::Awaiting(fut) => fut.await.map_err(|e| from_py(&e))?,
        };
        attach_py(|py| Ok(convert(obj.bind(py)))).map_err(|e| from_py(&e))?
    }
}

type PyFuture = std::pin::Pin<Box<dyn std::future::Future<Output = PyResult<Py<PyAny>>> + Send>>;

/// A method's answer: a value, or a coroutine still to await on the loop.
enum Pending {
    Ready(Py<PyAny>),
    Awaiting(PyFuture),
}
