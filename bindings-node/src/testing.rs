//! `coreTokenStoreConformance(make)`: the core's own token store
//! conformance suite (`creatorsync_core::testing`), run against a store
//! written in JS through the same bridge the client uses, so the store is
//! exercised exactly as the core drives it: 50 Tokio tasks racing
//! compare-and-swap writes onto the event loop.
//!
//! ```js
//! import { coreTokenStoreConformance } from 'creatorsync'
//! await coreTokenStoreConformance(() => new MongoTokenStore(freshCollection()))
//! ```
//!
//! `testing.checkKeyValueStore(store)` does the same for a host key-value
//! store (`kv.rs`) with `creatorsync_core::testing::key_value_store_conformance`.

use std::any::Any;
use std::sync::Arc;

use creatorsync_core::{
    DEFAULT_STORE_TIMEOUT, Error, KeyValueStore, MemoryTokenStore, TimeoutStore, TokenStore,
};
use napi::bindgen_prelude::{Function, JsObjectValue, Object, PromiseRaw, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, Status};
use napi_derive::napi;
use tokio::sync::oneshot;

use crate::error;
use crate::kv::HostKeyValueStore;
use crate::store::HostStore;

type MakeTsfn = ThreadsafeFunction<(), Unknown<'static>, (), Status, false>;

/// Asks JS for a fresh store (JS thread) and wraps it.
async fn fresh(make: &MakeTsfn) -> Arc<dyn TokenStore> {
    let (tx, rx) = oneshot::channel::<std::result::Result<HostStore, String>>();
    let status = make.call_with_return_value(
        (),
        ThreadsafeFunctionCallMode::NonBlocking,
        move |ret, _env| {
            let made = ret
                .and_then(|v| v.coerce_to_object())
                .and_then(|o| HostStore::new(&o))
                .map_err(|e| e.reason.clone());
            let _ = tx.send(made);
            Ok(())
        },
    );
    assert_eq!(status, Status::Ok, "make() could not be called");
    match rx.await {
        Ok(Ok(store)) => Arc::new(store),
        Ok(Err(e)) => panic!("make() did not return a token store: {e}"),
        Err(_) => panic!("make() did not return"),
    }
}

/// Runs the core's token store conformance suite on stores from `make()`
/// (called once per case, synchronously returning a fresh, empty store).
/// Rejects with an `Error` naming the broken rule.
#[napi(
    ts_args_type = "make: () => TokenStore",
    ts_return_type = "Promise<void>"
)]
pub fn core_token_store_conformance<'env>(
    env: &'env Env,
    make: Function<'env, (), Unknown<'static>>,
) -> napi::Result<PromiseRaw<'env, ()>> {
    // Strong (not weak): the suite keeps the process alive until it ends.
    let make = Arc::new(
        make.build_threadsafe_function::<()>()
            .callee_handled::<false>()
            .build()?,
    );
    env.spawn_future_with_callback(
        async move {
            let suite = tokio::spawn(async move {
                creatorsync_core::testing::token_store_conformance(|| {
                    let make = make.clone();
                    async move { fresh(&make).await }
                })
                .await;
            });
            match suite.await {
                Ok(()) => Ok(Ok(())),
                Err(e) if e.is_panic() => Ok(Err(panic_message(&*e.into_panic()))),
                Err(e) => Ok(Err(e.to_string())),
            }
        },
        |_env, outcome| {
            outcome.map_err(|m| {
                napi::Error::new(
                    Status::GenericFailure,
                    format!("token store conformance: {m}"),
                )
            })
        },
    )
}

/// The message a failed conformance case panicked with.
fn panic_message(p: &(dyn Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "conformance case failed".into())
}

/// Runs the core's key-value store conformance suite
/// (`key_value_store_conformance`: round trip, compare-and-swap conflicts,
/// conditional delete, prefix listing, 50 racing writers) on `store`, a JS
/// object with async `get/put/delete/list`, through the bridge the client
/// uses. The cases use their own keys (`rt/`, `cas/`, `del/`, `ls/`,
/// `lt/`, `race/`), so give a store where those are free. Each call is
/// limited to `timeoutMs` (default 30 000). Resolves when every case
/// passes; rejects with a `CreatorSyncError` (`STORE_ERROR`) naming the
/// broken rule, or `INVALID_INPUT` for a store without the four methods.
#[napi(
    namespace = "testing",
    ts_args_type = "store: KeyValueStore, options?: { timeoutMs?: number }",
    ts_return_type = "Promise<void>"
)]
pub fn check_key_value_store<'env>(
    env: &'env Env,
    store: Object<'env>,
    options: Option<Object<'env>>,
) -> napi::Result<PromiseRaw<'env, ()>> {
    let limit = match options
        .map(|o| o.get_named_property::<Option<f64>>("timeoutMs"))
        .transpose()
        .map_err(|e| Error::invalid_input("timeoutMs", e.reason.clone()))
        .map(Option::flatten)
    {
        Ok(None) => Ok(DEFAULT_STORE_TIMEOUT),
        Ok(Some(ms)) => TimeoutStore::<MemoryTokenStore>::limit_from_secs("timeoutMs", ms / 1000.0),
        Err(e) => Err(e),
    };
    let store = limit.and_then(|limit| HostKeyValueStore::bounded(&store, limit));
    env.spawn_future_with_callback(
        async move {
            let store = match store {
                Ok(s) => s,
                Err(e) => return Ok(Err(e)),
            };
            let suite = tokio::spawn(async move {
                creatorsync_core::testing::key_value_store_conformance(|| {
                    let store = store.clone();
                    async move { store as Arc<dyn KeyValueStore> }
                })
                .await;
            });
            Ok(match suite.await {
                Ok(()) => Ok(()),
                Err(e) if e.is_panic() => Err(Error::store(format!(
                    "key-value store conformance: {}",
                    panic_message(&*e.into_panic())
                ))),
                Err(e) => Err(Error::store(format!("key-value store conformance: {e}"))),
            })
        },
        |env, outcome| outcome.map_err(|e| error::to_js(env, &e)),
    )
}
