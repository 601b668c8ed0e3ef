//! # creatorsync (Node.js)
//!
//! The npm package `creatorsync`: CreatorSync's Rust core behind a
//! Promise-based API. Thin by design; every behaviour lives in the core.
//! Files mirror the core's (`error.rs`, `kv.rs`, `post.rs`, ...).
//!
//! * [`client`]: `CreatorSync` (connect, status, health, publish, disconnect).
//! * [`account`]: profile, TikTok compose rules, quotas, key rotation.
//! * [`options`]: the options of `CreatorSync.create` (apps, endpoints, store).
//! * [`report`]: publish options and the report as plain objects.
//! * [`kv`]: host stores: any JS object with async get/put/delete/list
//!   (versions, compare-and-swap) is the core's key-value store.
//! * [`post`]: posts and media (file path, Buffer, URL) from plain objects.
//! * [`probe`]: `probe(media)`, the contract's probe view.
//! * [`error`]: `CreatorSyncError` with a stable `code`.
//! * [`schedule`]: `Scheduler`: schedule, bulk, list, cancel, the worker.
//! * [`runtime`]: core futures as Promises; AbortSignal.
//! * [`testing`]: the core's key-value conformance suite for host stores.
#![allow(unreachable_pub)]
// napi-derive generates `pub` items for the JS surface.
// napi-derive registers exports only outside `cfg(test)`.
#![cfg_attr(test, allow(dead_code))]

mod account;
mod client;
mod convert;
mod error;
mod kv;
mod manage;
mod metrics;
mod oauth1;
mod options;
mod post;
mod probe;
mod report;
mod runtime;
mod schedule;
mod testing;

use napi::Env;
use napi::bindgen_prelude::{JsObjectValue, Object};
use napi_derive::napi;

/// Module init: defines `CreatorSyncError` and exports it.
#[napi(module_exports)]
pub fn init(mut exports: Object<'_>, env: Env) -> napi::Result<()> {
    let class = error::define_class(&env)?;
    exports.set_named_property("CreatorSyncError", class)?;
    Ok(())
}
