//! Host key-value stores: any JS object with four async methods becomes the
//! core's [`KeyValueStore`], from which the core builds everything it keeps
//! (tokens, pending connects, the publish log, upload sessions). A MongoDB
//! collection, a Redis client or a host ORM is wired once, as:
//!
//! * `get(key)` → `{ value, version }` or `null`/`undefined`;
//! * `put(key, value, expectedVersion | null)` → the new version (1 for an
//!   insert, `expectedVersion + 1` for a replace), or rejects with an
//!   error whose `code` is `'CONFLICT'` and `currentVersion` the stored
//!   version (`null` when the key is missing);
//! * `delete(key, expectedVersion | null)` → whether it removed the key
//!   (only at `expectedVersion` when one is given);
//! * `list(prefix)` → `[{ key, value, version }]` for every key starting
//!   with `prefix`, in any order (the bridge sorts by key).
//!
//! Keys are printable strings and values opaque text the core builds
//! (secrets already sealed by the core): the store never sees a token in
//! clear. Every answer is checked against the contract: a version that is
//! not the one the contract names, a missing field, a value of the wrong
//! type, a throw or a rejection becomes a typed `STORE_ERROR`; a call that
//! never settles ends with `STORE_ERROR` after the store time limit
//! ([`TimeoutStore`]). Calls go through weak thread-safe functions awaited
//! on Tokio workers while the JS methods run on the JS thread: the event
//! loop is never blocked and the process is never kept alive.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use creatorsync_core::{Error, KeyValueStore, Result, TimeoutStore, Versioned};
use napi::bindgen_prelude::{FnArgs, Function, JsObjectValue, JsValuesTupleIntoVec, Object};
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, Status, ValueType};
use serde_json::Value;
use tokio::sync::oneshot;

/// What a JS call settled with, read on the JS thread.
enum Settled {
    Value(Value),
    Failed {
        code: Option<String>,
        message: String,
        current_version: Option<f64>,
    },
}

type Tsfn<A> = ThreadsafeFunction<A, Unknown<'static>, A, Status, false, true>;

fn method<'a, A: JsValuesTupleIntoVec + 'static>(
    store: &Object<'a>,
    name: &str,
) -> napi::Result<Tsfn<A>> {
    let f: Unknown<'_> = store.get_named_property_unchecked(name)?;
    if f.get_type()? != ValueType::Function {
        return Err(napi::Error::new(
            Status::InvalidArg,
            format!("a store needs an async `{name}` method"),
        ));
    }
    let f: Function<'_, A, Unknown<'static>> = unsafe { f.cast()? };
    let bound = f.bind(store)?;
    bound
        .build_threadsafe_function::<A>()
        .callee_handled::<false>()
        .weak::<true>()
        .build()
}

fn read_string(obj: &Object<'_>, name: &str) -> Option<String> {
    let v: Unknown<'_> = obj.get_named_property_unchecked(name).ok()?;
    match v.get_type().ok()? {
        ValueType::String => unsafe { v.cast::<String>() }.ok(),
        ValueType::Number => unsafe { v.cast::<f64>() }.ok().map(|n| n.to_string()),
        _ => None,
    }
}

/// Reads `code`, `message` and `currentVersion` of a thrown / rejected value.
fn failure(value: Unknown<'_>) -> Settled {
    let (code, message, current_version) = match value.get_type() {
        Ok(ValueType::Object | ValueType::Function) => match value.coerce_to_object() {
            Ok(obj) => {
                let cv: Option<f64> = obj
                    .get_named_property_unchecked::<Unknown<'_>>("currentVersion")
                    .ok()
                    .filter(|v| v.get_type().ok() == Some(ValueType::Number))
                    .and_then(|v| unsafe { v.cast::<f64>() }.ok());
                (
                    read_string(&obj, "code"),
                    read_string(&obj, "message").unwrap_or_default(),
                    cv,
                )
            }
            Err(_) => (None, String::new(), None),
        },
        _ => (
            None,
            value
                .coerce_to_string()
                .and_then(|s| s.into_utf8())
                .and_then(|s| s.into_owned())
                .unwrap_or_default(),
            None,
        ),
    };
    Settled::Failed {
        code,
        message,
        current_version,
    }
}

fn settle(
    env: &Env,
    ret: napi::Result<Unknown<'_>>,
    tx: oneshot::Sender<Settled>,
) -> napi::Result<()> {
    let value = match ret {
        Ok(v) => v,
        Err(e) => {
            // A synchronous throw: napi keeps the thrown value by reference.
            let thrown = napi::JsError::from(e).into_unknown(*env);
            let _ = tx.send(failure(thrown));
            return Ok(());
        }
    };
    if !value.is_promise()? {
        let v = match value.get_type()? {
            ValueType::Undefined | ValueType::Null => Value::Null,
            _ => unsafe { value.cast::<Value>()? },
        };
        let _ = tx.send(Settled::Value(v));
        return Ok(());
    }
    let promise: PromiseRaw<'_, Unknown<'_>> = unsafe { value.cast()? };
    let tx = std::rc::Rc::new(std::cell::Cell::new(Some(tx)));
    let tx_err = tx.clone();
    promise
        .then(move |ctx| {
            let v = match ctx.value.get_type()? {
                ValueType::Undefined | ValueType::Null => Value::Null,
                _ => unsafe { ctx.value.cast::<Value>()? },
            };
            if let Some(tx) = tx.take() {
                let _ = tx.send(Settled::Value(v));
            }
            Ok(())
        })?
        .catch(
            move |ctx: napi::bindgen_prelude::CallbackContext<Unknown<'_>>| {
                if let Some(tx) = tx_err.take() {
                    let _ = tx.send(failure(ctx.value));
                }
                Ok(())
            },
        )?;
    Ok(())
}

/// The largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Calls a JS method and waits for what it settles with; a rejection with
/// `code: 'CONFLICT'` becomes [`Error::Conflict`].
async fn call<A: JsValuesTupleIntoVec + 'static>(
    name: &str,
    f: &Tsfn<A>,
    args: A,
) -> Result<Value> {
    let (tx, rx) = oneshot::channel();
    let status = f.call_with_return_value(
        args,
        ThreadsafeFunctionCallMode::NonBlocking,
        move |ret, env| settle(&env, ret, tx),
    );
    if status != Status::Ok {
        return Err(Error::store(format!(
            "host store `{name}` could not be called ({status}); is the process exiting?"
        )));
    }
    match rx.await {
        Ok(Settled::Value(v)) => Ok(v),
        Ok(Settled::Failed {
            code: Some(code),
            current_version,
            ..
        }) if code == "CONFLICT" => match current_version {
            None => Err(Error::Conflict {
                current_version: None,
            }),
            Some(v) if v >= 1.0 && v.fract() == 0.0 && v <= MAX_SAFE_INTEGER => {
                Err(Error::Conflict {
                    current_version: Some(v as u64),
                })
            }
            Some(v) => Err(Error::store(format!(
                "host store `{name}` rejected with CONFLICT and currentVersion {v}; \
                 a version is a positive integer (or null when the key is missing)"
            ))),
        },
        Ok(Settled::Failed { code, message, .. }) => Err(Error::store(format!(
            "host store `{name}` failed{}: {message}",
            code.map(|c| format!(" ({c})")).unwrap_or_default()
        ))),
        Err(_) => Err(Error::store(format!(
            "host store `{name}` did not answer (its value could not be read)"
        ))),
    }
}

/// A [`KeyValueStore`] implemented by a JS object.
pub(crate) struct HostKeyValueStore {
    get: Tsfn<String>,
    put: Tsfn<FnArgs<(String, String, Value)>>,
    delete: Tsfn<FnArgs<(String, Value)>>,
    list: Tsfn<String>,
}

impl fmt::Debug for HostKeyValueStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HostKeyValueStore { .. }")
    }
}

impl HostKeyValueStore {
    /// Wraps `store` (checked for the four methods; JS thread).
    pub(crate) fn new(store: &Object<'_>) -> napi::Result<Self> {
        Ok(Self {
            get: method(store, "get")?,
            put: method(store, "put")?,
            delete: method(store, "delete")?,
            list: method(store, "list")?,
        })
    }

    /// Wraps `store` with a time limit on every call.
    pub(crate) fn bounded(store: &Object<'_>, limit: Duration) -> Result<Arc<dyn KeyValueStore>> {
        let host = Self::new(store).map_err(|e| Error::invalid_input("store", e.reason.clone()))?;
        Ok(Arc::new(TimeoutStore::new(host, limit)?))
    }
}

fn broken(method: &str, rule: &str, got: &Value) -> Error {
    // The answer is described by its shape, never echoed: values are the
    // core's sealed records and must not end up in logs.
    let shape = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    Error::store(format!(
        "host store `{method}` broke the key-value contract: {rule} (got {shape})"
    ))
}

/// A version as JS sends it: a positive integer number.
fn version(v: &Value) -> Option<u64> {
    let n = v.as_f64()?;
    (n >= 1.0 && n.fract() == 0.0 && n <= MAX_SAFE_INTEGER).then_some(n as u64)
}

/// `{ value, version }` (the `key` field of a listed entry is read apart).
fn versioned(method: &str, v: &Value) -> Result<Versioned> {
    const RULE: &str = "an entry is { value: string, version: positive integer }";
    let value = v
        .get("value")
        .and_then(Value::as_str)
        .ok_or_else(|| broken(method, RULE, v))?;
    let version = v
        .get("version")
        .and_then(version)
        .ok_or_else(|| broken(method, RULE, v))?;
    Ok(Versioned {
        value: value.to_owned(),
        version,
    })
}

/// A conflict is an answer of `put` only.
fn no_conflict<T>(method: &str, r: Result<T>) -> Result<T> {
    match r {
        Err(Error::Conflict { .. }) => Err(Error::store(format!(
            "host store `{method}` rejected with CONFLICT; only `put` may"
        ))),
        other => other,
    }
}

#[async_trait]
impl KeyValueStore for HostKeyValueStore {
    async fn get(&self, key: &str) -> Result<Option<Versioned>> {
        match no_conflict("get", call("get", &self.get, key.to_owned()).await)? {
            Value::Null => Ok(None),
            v => versioned("get", &v).map(Some),
        }
    }

    async fn put(&self, key: &str, value: &str, expected_version: Option<u64>) -> Result<u64> {
        let expected = expected_version.map_or(Value::Null, Value::from);
        let args = FnArgs::from((key.to_owned(), value.to_owned(), expected));
        let got = call("put", &self.put, args).await?;
        let want = match expected_version {
            None => 1,
            Some(v) => v
                .checked_add(1)
                .ok_or_else(|| Error::invalid_input("version", "too large"))?,
        };
        match version(&got) {
            Some(v) if v == want => Ok(v),
            _ => Err(broken(
                "put",
                &format!("it must resolve the new version, {want} here"),
                &got,
            )),
        }
    }

    async fn delete(&self, key: &str, expected_version: Option<u64>) -> Result<bool> {
        let expected = expected_version.map_or(Value::Null, Value::from);
        let args = FnArgs::from((key.to_owned(), expected));
        match no_conflict("delete", call("delete", &self.delete, args).await)? {
            Value::Bool(b) => Ok(b),
            other => Err(broken("delete", "it must resolve a boolean", &other)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, Versioned)>> {
        const RULE: &str =
            "it must resolve [{ key, value, version }] with keys under the prefix, each once";
        let items = match no_conflict("list", call("list", &self.list, prefix.to_owned()).await)? {
            Value::Null => return Ok(Vec::new()),
            Value::Array(items) => items,
            other => return Err(broken("list", RULE, &other)),
        };
        let mut out = Vec::with_capacity(items.len());
        for item in &items {
            let key = item
                .get("key")
                .and_then(Value::as_str)
                .filter(|k| k.starts_with(prefix))
                .ok_or_else(|| broken("list", RULE, item))?;
            out.push((key.to_owned(), versioned("list", item)?));
        }
        // The contract orders by key; host stores need not.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        if out.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(Error::store(format!(
                "host store `list` broke the key-value contract: {RULE} (a key came twice)"
            )));
        }
        Ok(out)
    }
}
