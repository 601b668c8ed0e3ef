//! `HostKeyValueStore`: the core's [`KeyValueStore`] contract implemented
//! by a Python object, so a host stores everything the SDK keeps in its own
//! database by writing four methods (see the `KeyValueStore` protocol in
//! the stubs):
//!
//! ```text
//! get(key: str) -> (value: str, version: int) | None
//! put(key: str, value: str, expected_version: int | None) -> int   # new version
//!     raises creatorsync.Conflict(message, current_version) on a version mismatch
//! delete(key: str, expected_version: int | None) -> bool
//! list(prefix: str) -> iterable of (key: str, value: str, version: int)
//! ```
//!
//! Methods may be `async def` (awaited on the caller's event loop, never
//! blocking it) or plain functions. The core bounds every call by its
//! time limit, and every answer is checked against the contract before the core sees
//! it: a store that raises, hangs, returns garbage or the wrong version
//! fails with a typed [`Error`] (`StoreError`, or `Conflict`), never a
//! crash.

use std::fmt;

use async_trait::async_trait;
use creatorsync_core::{Error, KeyValueStore, Result, Versioned};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PyString, PyTuple};

use super::host::HostObject;

/// A Python object used as the core's key-value store. Calls are not
/// bounded here: the core wraps every store it is given in its
/// `TimeoutStore` (`store_timeout_ms`).
pub(crate) struct HostKeyValueStore {
    host: HostObject,
}

impl fmt::Debug for HostKeyValueStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostKeyValueStore").finish_non_exhaustive()
    }
}

impl HostKeyValueStore {
    /// Wraps `obj` (checking it has the four methods).
    pub(crate) fn new(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            host: HostObject::new(
                obj,
                &["get", "put", "delete", "list"],
                "an object with (async) get/put/delete/list implementing the KeyValueStore protocol",
            )?,
        })
    }

    /// Binds the store to the loop of `locals`.
    pub(crate) fn set_locals(&self, locals: std::sync::Arc<pyo3_async_runtimes::TaskLocals>) {
        self.host.set_locals(locals);
    }

    /// Points the store at the event loop of the current caller.
    pub(crate) fn follow_loop(&self, py: Python<'_>) {
        self.host.follow_loop(py);
    }

    async fn call<F, C, T>(&self, method: &'static str, args: F, convert: C) -> Result<T>
    where
        F: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyTuple>> + Send,
        C: for<'py> FnOnce(&Bound<'py, PyAny>) -> Result<T> + Send,
    {
        self.host.call(method, args, convert).await
    }
}

/// The error of an answer outside the contract.
fn shape(method: &str, what: &str, got: &Bound<'_, PyAny>) -> Error {
    let ty = got
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    Error::store(format!(
        "key-value store {method}() must return {what}, not {ty}"
    ))
}

/// A version: an `int` (not a `bool`) ≥ 1.
fn version(method: &str, v: &Bound<'_, PyAny>) -> Result<u64> {
    if v.is_instance_of::<PyBool>() {
        return Err(shape(method, "a version (an int ≥ 1)", v));
    }
    match v.extract::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(shape(method, "a version (an int ≥ 1)", v)),
    }
}

/// A `str`.
fn text(method: &str, v: &Bound<'_, PyAny>) -> Result<String> {
    v.cast::<PyString>()
        .ok()
        .and_then(|s| s.extract::<String>().ok())
        .ok_or_else(|| shape(method, "str keys and values", v))
}

/// The items of a tuple or list of exactly `n` items.
fn items<'py>(v: &Bound<'py, PyAny>, n: usize) -> Option<Vec<Bound<'py, PyAny>>> {
    let all: Vec<_> = if let Ok(t) = v.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = v.cast::<PyList>() {
        l.iter().collect()
    } else {
        return None;
    };
    (all.len() == n).then_some(all)
}

fn get_answer(v: &Bound<'_, PyAny>) -> Result<Option<Versioned>> {
    const WHAT: &str = "None or a (value: str, version: int) tuple";
    if v.is_none() {
        return Ok(None);
    }
    let [value, ver] = <[_; 2]>::try_from(items(v, 2).ok_or_else(|| shape("get", WHAT, v))?)
        .map_err(|_| shape("get", WHAT, v))?;
    Ok(Some(Versioned {
        value: text("get", &value)?,
        version: version("get", &ver)?,
    }))
}

fn list_answer(prefix: &str, v: &Bound<'_, PyAny>) -> Result<Vec<(String, Versioned)>> {
    const WHAT: &str = "an iterable of (key: str, value: str, version: int) tuples";
    let iter = v.try_iter().map_err(|_| shape("list", WHAT, v))?;
    let mut out = Vec::new();
    for item in iter {
        let item = item.map_err(|e| crate::error::from_py(&e))?;
        let [key, value, ver] =
            <[_; 3]>::try_from(items(&item, 3).ok_or_else(|| shape("list", WHAT, &item))?)
                .map_err(|_| shape("list", WHAT, &item))?;
        let key = text("list", &key)?;
        if !key.starts_with(prefix) {
            return Err(Error::store(format!(
                "key-value store list({prefix:?}) returned a key outside the prefix"
            )));
        }
        out.push((
            key,
            Versioned {
                value: text("list", &value)?,
                version: version("list", &ver)?,
            },
        ));
    }
    // The contract orders by key; a store may return any order.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    if out.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Error::store(
            "key-value store list() returned the same key twice",
        ));
    }
    Ok(out)
}

#[async_trait]
impl KeyValueStore for HostKeyValueStore {
    async fn get(&self, key: &str) -> Result<Option<Versioned>> {
        self.call("get", |py| PyTuple::new(py, [key]), get_answer)
            .await
    }

    async fn put(&self, key: &str, value: &str, expected_version: Option<u64>) -> Result<u64> {
        let new = self
            .call(
                "put",
                |py| {
                    PyTuple::new(
                        py,
                        [
                            key.into_pyobject(py)?.into_any(),
                            value.into_pyobject(py)?.into_any(),
                            expected_version.into_pyobject(py)?.into_any(),
                        ],
                    )
                },
                |v| version("put", v),
            )
            .await?;
        let want = expected_version.map_or(Some(1), |v| v.checked_add(1));
        if Some(new) != want {
            return Err(Error::store(format!(
                "key-value store put() returned version {new}, the contract says {}",
                want.map_or_else(|| "none (version overflow)".into(), |w| w.to_string())
            )));
        }
        Ok(new)
    }

    async fn delete(&self, key: &str, expected_version: Option<u64>) -> Result<bool> {
        self.call(
            "delete",
            |py| {
                PyTuple::new(
                    py,
                    [
                        key.into_pyobject(py)?.into_any(),
                        expected_version.into_pyobject(py)?.into_any(),
                    ],
                )
            },
            |v| {
                v.cast::<PyBool>()
                    .map(|b| b.is_true())
                    .map_err(|_| shape("delete", "a bool", v))
            },
        )
        .await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, Versioned)>> {
        self.call(
            "list",
            |py| PyTuple::new(py, [prefix]),
            |v| list_answer(prefix, v),
        )
        .await
    }
}
