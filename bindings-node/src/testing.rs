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

use std::sync::Arc;

use creatorsync_core::TokenStore;
use napi::bindgen_prelude::{Function, PromiseRaw, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, Status};
use napi_derive::napi;
use tokio::sync::oneshot;

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
                Err(e) if e.is_panic() => {
                    let p = e.into_panic();
                    Ok(Err(p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "conformance case failed".into())))
                }
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
