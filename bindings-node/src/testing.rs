//! `testing.checkKeyValueStore(store)`: the core's own key-value store
//! conformance suite (`creatorsync_core::testing::key_value_store_conformance`)
//! run against a store written in JS through the same bridge the client
//! uses (`kv.rs`), so the store is exercised exactly as the core drives it:
//! 50 Tokio tasks racing compare-and-swap writes onto the event loop.
//!
//! ```js
//! import { testing } from 'creatorsync'
//! await testing.checkKeyValueStore(new MongoKeyValueStore(freshCollection()))
//! ```

use std::any::Any;
use std::sync::Arc;

use creatorsync_core::{
    DEFAULT_STORE_TIMEOUT, Error, KeyValueStore, MemoryTokenStore, TimeoutStore,
};
use napi::Env;
use napi::bindgen_prelude::{JsObjectValue, Object, PromiseRaw};
use napi_derive::napi;

use crate::error;
use crate::kv::HostKeyValueStore;

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

/// A valid MP4 container (not decodable video) of `durationSecs` seconds,
/// `width`×`height`, `fps` frames per second (default 30), `moov` at the
/// end when `moovAtEnd`: test media for `probe` and the media rules.
#[napi(
    namespace = "testing",
    ts_args_type = "durationSecs: number, width: number, height: number, options?: { fps?: number; moovAtEnd?: boolean }"
)]
pub fn sample_mp4(
    duration_secs: u32,
    width: u32,
    height: u32,
    options: Option<Object<'_>>,
) -> napi::Result<napi::bindgen_prelude::Buffer> {
    let dim = |n: u32, what: &str| {
        u16::try_from(n)
            .map_err(|_| napi::Error::from_reason(format!("{what} must be at most 65535")))
    };
    let fps = match &options {
        Some(o) => o.get_named_property::<Option<u32>>("fps")?.unwrap_or(30),
        None => 30,
    };
    let at_end = match &options {
        Some(o) => o
            .get_named_property::<Option<bool>>("moovAtEnd")?
            .unwrap_or(false),
        None => false,
    };
    let mut sample = creatorsync_core::testing::SampleMp4::new(
        duration_secs,
        dim(width, "width")?,
        dim(height, "height")?,
    )
    .fps(fps);
    if at_end {
        sample = sample.moov_at_end();
    }
    Ok(sample.to_bytes().into())
}
