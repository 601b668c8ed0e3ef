//! # creatorsync (Node.js)
//!
//! The npm package `creatorsync`: CreatorSync's Rust core behind a
//! Promise-based API. Thin by design; every behaviour lives in the core.
//! Files mirror the core's (`error.rs`, `store.rs`, `post.rs`, ...).
//!
//! * [`client`]: `CreatorSync` (connect, status, health, publish, disconnect).
//! * [`options`]: the options of `CreatorSync.create` (apps, endpoints, store).
//! * [`report`]: publish options and the report as plain objects.
//! * [`store`]: host token stores (any JS object with async get/put/list/delete).
//! * [`kv`]: host key-value stores (async get/put/delete/list with versions).
//! * [`post`]: posts and media (file path, Buffer, URL) from plain objects.
//! * [`error`]: `CreatorSyncError` with a stable `code`.
//! * [`runtime`]: core futures as Promises; AbortSignal.
//! * [`testing`]: the core's conformance suites for host stores.
#![allow(unreachable_pub)]
// napi-derive generates `pub` items for the JS surface.
// napi-derive registers exports only outside `cfg(test)`.
#![cfg_attr(test, allow(dead_code))]

mod client;
mod convert;
mod error;
mod kv;
mod oauth1;
mod options;
mod post;
mod report;
mod runtime;
mod store;
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
