//! Posts from plain JS objects: the current shape
//!
//! ```js
//! { text: 'Hello', media: [{ path: './clip.mp4' }, { buffer, name: 'a.png', altText: '...' },
//!   { url: 'https://cdn.example/x.jpg' }], options: { tiktok: { privacyLevel: 'SELF_ONLY' } } }
//! ```
//!
//! or the old backend's body (`caption`, `hashtags`, `mediaUrl`, ...). The
//! core's contract reads both ([`PostSpec`]); this file only takes each
//! media item's `buffer` out (copied once into `Bytes`, on the JS thread)
//! and hands the rest over as JSON.

use std::collections::BTreeMap;

use bytes::Bytes;
use creatorsync_core::contract::PostSpec;
use creatorsync_core::{BytesSource, Error, Result};
use napi::bindgen_prelude::{Buffer, JsObjectValue, Object, Uint8Array, Unknown};
use napi::{JsValue, ValueType};
use serde_json::{Map, Value};

use crate::options::{entries, json};

/// A media item's bytes (`Buffer` or `Uint8Array`).
fn bytes_of(v: Unknown<'_>, field: &str) -> Result<Bytes> {
    let bad = || Error::invalid_input(field, "must be a Buffer or Uint8Array");
    if v.is_buffer().map_err(|_| bad())? {
        let b = unsafe { v.cast::<Buffer>() }.map_err(|_| bad())?;
        return Ok(Bytes::from(b.to_vec()));
    }
    if v.is_typedarray().map_err(|_| bad())? {
        let a = unsafe { v.cast::<Uint8Array>() }.map_err(|_| bad())?;
        return Ok(Bytes::from(a.to_vec()));
    }
    Err(bad())
}

/// One media item: its JSON (without `buffer`) and its bytes.
fn media_item(item: Unknown<'_>, field: &str) -> Result<(Value, Option<Bytes>)> {
    let field = field.to_owned();
    if item.get_type().ok() != Some(ValueType::Object) || item.is_array().unwrap_or(false) {
        return json(item, &field).map(|v| (v, None));
    }
    let obj: Object<'_> =
        unsafe { item.cast() }.map_err(|e| Error::invalid_input(&field, e.reason))?;
    let mut map = Map::new();
    let mut bytes = None;
    for (k, v) in entries(&obj).map_err(|e| Error::invalid_input(&field, e.reason))? {
        if k == "buffer" {
            bytes = Some(bytes_of(v, &format!("{field}.buffer"))?);
        } else {
            let f = format!("{field}.{k}");
            map.insert(k, json(v, &f)?);
        }
    }
    Ok((Value::Object(map), bytes))
}

/// Reads one media item given alone (`probe`): its JSON and its bytes,
/// named for type detection.
pub(crate) fn read_media(item: Unknown<'_>) -> Result<(Value, Option<BytesSource>)> {
    let (v, bytes) = media_item(item, "media")?;
    let name = PostSpec::buffer_name(
        v.get("name").and_then(Value::as_str).map(str::to_owned),
        v.get("mime").and_then(Value::as_str),
    );
    Ok((v, bytes.map(|b| BytesSource::new(b, name))))
}

/// Reads a post (JS thread; copies buffers) into the contract's spec.
pub(crate) fn read(post: Unknown<'_>) -> Result<PostSpec> {
    if post.get_type().ok() != Some(ValueType::Object) || post.is_array().unwrap_or(false) {
        return Err(Error::invalid_input(
            "post",
            "must be an object such as { text, media, options }",
        ));
    }
    let obj: Object<'_> =
        unsafe { post.cast() }.map_err(|e| Error::invalid_input("post", e.reason))?;
    let mut map = Map::new();
    let mut buffers = BTreeMap::new();
    for (k, v) in entries(&obj).map_err(|e| Error::invalid_input("post", e.reason))? {
        if k == "media" && v.is_array().unwrap_or(false) {
            let list: Object<'_> =
                unsafe { v.cast() }.map_err(|e| Error::invalid_input("media", e.reason))?;
            let n = list
                .get_array_length()
                .map_err(|e| Error::invalid_input("media", e.reason))?;
            let mut items = Vec::with_capacity(n as usize);
            for i in 0..n {
                let item: Unknown<'_> = list
                    .get_element(i)
                    .map_err(|e| Error::invalid_input(format!("media[{i}]"), e.reason))?;
                let (v, b) = media_item(item, &format!("media[{i}]"))?;
                if let Some(b) = b {
                    let name = PostSpec::buffer_name(
                        v.get("name").and_then(Value::as_str).map(str::to_owned),
                        v.get("mime").and_then(Value::as_str),
                    );
                    buffers.insert(i as usize, BytesSource::new(b, name));
                }
                items.push(v);
            }
            map.insert(k, Value::Array(items));
        } else {
            let f = k.clone();
            map.insert(k, json(v, &f)?);
        }
    }
    PostSpec::from_json(Value::Object(map), buffers)
}
