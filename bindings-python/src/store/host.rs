//! Stores written in Python, awaited by the core: [`HostObject`] (the one
//! bridge) and [`HostStore`], the token-shaped store (see `host_kv.rs` for
//! the key-value one).
//!
//! The core calls the store's methods from tokio tasks. Each call builds
//! the coroutine and schedules it on the asyncio loop captured from the
//! caller (`into_future_with_locals`), so the store's own I/O (Motor, an
//! async ORM, ...) runs on the loop it belongs to and the event loop is never
//! blocked by the core. Methods may also be plain functions returning the
//! value directly; those run under the GIL on the calling thread.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use creatorsync_core::{AccountKey, Error, Result, StoredToken, TokenStore};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3_async_runtimes::TaskLocals;

use crate::convert::{json_to_py, key_to_py, py_to_json, token_from_json, token_to_json};
use crate::error::from_py;
use crate::runtime::attach_py;

/// A Python object the core awaits: the loop it runs on and the one way
/// to call it. Shared by the token store ([`HostStore`]) and the key-value
/// store ([`super::HostKeyValueStore`]).
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

/// A Python object used as the token store.
pub(crate) struct HostStore {
    host: HostObject,
}

impl fmt::Debug for HostStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostStore").finish_non_exhaustive()
    }
}

impl HostStore {
    /// Wraps `obj`, checking it has the four methods.
    pub(crate) fn new(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            host: HostObject::new(
                obj,
                &["get", "list", "put", "delete"],
                "a MemoryStore, a SqliteStore or an object with async get/list/put/delete",
            )?,
        })
    }

    /// Wraps `obj`, bound to the loop of `locals`.
    pub(crate) fn with_locals(obj: &Bound<'_, PyAny>, locals: Arc<TaskLocals>) -> PyResult<Self> {
        let store = Self::new(obj)?;
        store.host.set_locals(locals);
        Ok(store)
    }

    /// Points the store at the event loop of the current caller; called by
    /// every client method, so the store follows the loop in use.
    pub(crate) fn follow_loop(&self, py: Python<'_>) {
        self.host.follow_loop(py);
    }

    /// Calls `method(*args)` on the store; returns the result as JSON.
    async fn call<F>(&self, method: &'static str, args: F) -> Result<serde_json::Value>
    where
        F: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyTuple>> + Send,
    {
        self.host
            .call(method, args, |out| py_to_json(out).map_err(|e| from_py(&e)))
            .await
    }
}

type PyFuture = std::pin::Pin<Box<dyn std::future::Future<Output = PyResult<Py<PyAny>>> + Send>>;

enum Pending {
    Ready(Py<PyAny>),
    Awaiting(PyFuture),
}

fn store_shape(method: &str, what: &str) -> Error {
    Error::store(format!("host store {method}() must return {what}"))
}

#[async_trait]
impl TokenStore for HostStore {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        let v = self
            .call("get", |py| PyTuple::new(py, [key_to_py(py, key)?]))
            .await?;
        if v.is_null() {
            return Ok(None);
        }
        token_from_json(v)
            .map(Some)
            .map_err(|e| Error::store(format!("host store get() returned a bad token: {e}")))
    }

    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        let v = self.call("list", |py| PyTuple::new(py, [user_id])).await?;
        let serde_json::Value::Array(items) = v else {
            return Err(store_shape("list", "a list of token dicts"));
        };
        let mut out = items
            .into_iter()
            .map(|t| {
                token_from_json(t).map_err(|e| {
                    Error::store(format!("host store list() returned a bad token: {e}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        let json = token_to_json(token);
        let v = self
            .call("put", |py| {
                PyTuple::new(
                    py,
                    [
                        json_to_py(py, &json)?,
                        expected_version.into_pyobject(py)?.into_any(),
                    ],
                )
            })
            .await?;
        v.as_u64()
            .ok_or_else(|| store_shape("put", "the new version (an int)"))
    }

    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        let v = self
            .call("delete", |py| PyTuple::new(py, [key_to_py(py, key)?]))
            .await?;
        Ok(v.as_bool().unwrap_or(!v.is_null()))
    }
}
