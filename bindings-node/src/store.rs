//! Token stores for the Node API: the built-in ones (memory, encrypted
//! SQLite) and host stores, i.e. any JS object with async
//! `get/put/list/delete` (a Mongoose model wrapper, a Redis client...).
//!
//! Host-store contract (checked by `__test__/store.test.mjs`, a port of the
//! core's conformance suite):
//!
//! * `get(key)` → the token object or `null`/`undefined`;
//! * `list(userId)` → that user's tokens, in any order (the bridge sorts
//!   them by key, as the core's contract wants);
//! * `put(token, expectedVersion | null)` → the new version (1 on insert,
//!   `expectedVersion + 1` on replace), or rejects with an error whose
//!   `code` is `'CONFLICT'` and `currentVersion` the stored version (or
//!   `null` when the record is gone / `null` expected but it exists);
//! * `delete(key)` → whether a record was removed.
//!
//! Calls go through weak thread-safe functions (they never keep the
//! process alive) and are awaited on Tokio workers; the JS methods run on
//! the JS thread, so the event loop is never blocked.

use std::fmt;

use async_trait::async_trait;
use creatorsync_core::{AccountKey, Error, Result, StoredToken, TokenStore};
use napi::bindgen_prelude::{FnArgs, Function, Object, PromiseRaw, Unknown};
use napi::bindgen_prelude::{JsObjectValue, JsValuesTupleIntoVec};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, Status, ValueType};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::convert::{key_to_js, token_from_js, token_to_js};

/// What a JS call settled with, read on the JS thread.
enum Settled {
    Value(Value),
    Failed {
        code: Option<String>,
        message: String,
        current_version: Option<f64>,
    },
}

pub(crate) type Tsfn<A> = ThreadsafeFunction<A, Unknown<'static>, A, Status, false, true>;

/// A TokenStore implemented by a JS object.
pub(crate) struct HostStore {
    get: Tsfn<Value>,
    list: Tsfn<String>,
    put: Tsfn<FnArgs<(Value, Value)>>,
    delete: Tsfn<Value>,
}

impl fmt::Debug for HostStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HostStore { .. }")
    }
}

pub(crate) fn method<'a, A: JsValuesTupleIntoVec + 'static>(
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

impl HostStore {
    /// Wraps `store` (checked for the four methods).
    pub(crate) fn new(store: &Object<'_>) -> napi::Result<Self> {
        Ok(Self {
            get: method(store, "get")?,
            list: method(store, "list")?,
            put: method(store, "put")?,
            delete: method(store, "delete")?,
        })
    }
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
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Calls a JS method and waits for what it settles with; a rejection with
/// `code: 'CONFLICT'` becomes [`Error::Conflict`].
pub(crate) async fn call<A: JsValuesTupleIntoVec + 'static>(
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

#[async_trait]
impl TokenStore for HostStore {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        match call("get", &self.get, key_to_js(key)).await? {
            Value::Null => Ok(None),
            v => token_from_js(v).map(Some),
        }
    }

    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        match call("list", &self.list, user_id.to_owned()).await? {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => {
                // The core's contract orders by key; host stores need not.
                let mut out = items
                    .into_iter()
                    .map(token_from_js)
                    .collect::<Result<Vec<_>>>()?;
                out.sort_by(|a, b| a.key.cmp(&b.key));
                Ok(out)
            }
            _ => Err(Error::store("host store `list` must resolve an array")),
        }
    }

    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        let expected = expected_version.map_or(Value::Null, Value::from);
        let v = call(
            "put",
            &self.put,
            FnArgs::from((token_to_js(token), expected)),
        )
        .await?;
        v.as_f64()
            .filter(|n| *n >= 1.0 && n.fract() == 0.0)
            .map(|n| n as u64)
            .ok_or_else(|| {
                Error::store("host store `put` must resolve the new version (a positive integer)")
            })
    }

    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        Ok(match call("delete", &self.delete, key_to_js(key)).await? {
            Value::Bool(b) => b,
            Value::Number(n) => n.as_f64().unwrap_or(0.0) > 0.0,
            Value::Object(o) => o
                .get("deletedCount")
                .and_then(Value::as_f64)
                .is_some_and(|n| n > 0.0),
            _ => false,
        })
    }
}
