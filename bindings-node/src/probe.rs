//! `probe(media)`: what is inside one media item, as the contract's probe
//! view, camelCased (the same fields as Python's dict and `creatorsync
//! probe --json`).

use creatorsync_core::contract::{camel_keys, probe_input};
use napi::Env;
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::runtime::spawn;

/// What is inside `media` (`{ path }`, `{ url }` or `{ buffer, name }`):
/// a video's duration, size, rotation, frame rate, codecs, bitrate and
/// `moov` position, an image's format, pixel size and frame count. Reads a
/// few small ranges, never the whole file. Rejects with `INVALID_MEDIA`
/// for media it cannot read, `INVALID_INPUT` for a bad item.
#[napi(
    ts_args_type = "media: MediaInput",
    ts_return_type = "Promise<ProbeView>"
)]
pub fn probe<'env>(env: &'env Env, media: Unknown<'env>) -> napi::Result<PromiseRaw<'env, Value>> {
    let read = crate::post::read_media(media);
    spawn(
        env,
        async move {
            let (item, bytes) = read?;
            probe_input(item, bytes).await
        },
        camel_keys,
    )
}
