//! `Post` and `Media`, and plain dict posts: what to publish, handed to
//! the core's contract ([`PostSpec`]) as JSON plus the bytes taken out of
//! it. The contract reads the current shape and the old backend's body
//! (`caption`, `mediaUrl`, `hashtags`, ...) and decides everything else.

use std::collections::BTreeMap;

use bytes::Bytes;
use creatorsync_core::contract::PostSpec;
use creatorsync_core::http::redact_url;
use creatorsync_core::media::{BytesSource, UrlSource};
use creatorsync_core::{Error, PlatformOptions, Result};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use serde_json::{Map, Value};

use crate::convert::{json_to_py, py_to_json};
use crate::error::to_py;

/// One image or video of a post. Build it with `Media.file(path)`,
/// `Media.bytes(data, name=...)` or `Media.url(url)`; the source is read
/// lazily, in ranges, during the upload (memory stays bounded by the chunk
/// size whatever the file size).
#[pyclass(module = "creatorsync", frozen, from_py_object)]
#[derive(Debug, Clone)]
pub(crate) struct Media {
    /// The contract's media item (`path` or `url`, `name`, `alt_text`...).
    item: Map<String, Value>,
    /// The bytes of `Media.bytes`.
    bytes: Option<Bytes>,
    label: String,
}

#[pymethods]
impl Media {
    /// A local file.
    #[staticmethod]
    #[pyo3(signature = (path, *, alt_text=None))]
    fn file(path: std::path::PathBuf, alt_text: Option<String>) -> Self {
        let label = format!("Media.file({:?})", path.display().to_string());
        let mut item = Map::new();
        item.insert("path".into(), path.to_string_lossy().into_owned().into());
        Self::new(item, None, alt_text, label)
    }

    /// Bytes in memory; `name` (e.g. `photo.jpg`) helps type detection.
    #[staticmethod]
    #[pyo3(signature = (data, *, name=None, alt_text=None))]
    fn bytes(data: Vec<u8>, name: Option<String>, alt_text: Option<String>) -> Self {
        let label = format!("Media.bytes(<{} bytes>, name={name:?})", data.len());
        let mut item = Map::new();
        if let Some(n) = name {
            item.insert("name".into(), n.into());
        }
        Self::new(item, Some(Bytes::from(data)), alt_text, label)
    }

    /// An http(s) URL, streamed. Private, loopback and link-local addresses
    /// are refused unless `allow_private=True` (local tests only).
    #[staticmethod]
    #[pyo3(signature = (url, *, allow_private=false, alt_text=None))]
    fn url(url: String, allow_private: bool, alt_text: Option<String>) -> PyResult<Self> {
        // The core's check, now rather than at publish time.
        let source = UrlSource::builder(url.clone())
            .allow_loopback(allow_private)
            .build()
            .map_err(to_py)?;
        let label = format!("Media.url({:?})", redact_url(source.url()));
        let mut item = Map::new();
        item.insert("url".into(), url.into());
        if allow_private {
            item.insert("allow_loopback".into(), true.into());
        }
        Ok(Self::new(item, None, alt_text, label))
    }

    /// The alt text (accessibility description), if any.
    #[getter]
    fn alt_text(&self) -> Option<String> {
        self.item
            .get("alt_text")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn __repr__(&self) -> String {
        self.label.clone()
    }
}

impl Media {
    fn new(
        mut item: Map<String, Value>,
        bytes: Option<Bytes>,
        alt_text: Option<String>,
        label: String,
    ) -> Self {
        if let Some(a) = alt_text {
            item.insert("alt_text".into(), a.into());
        }
        Self { item, bytes, label }
    }
}

/// A post: `text` (caption on media platforms, description on YouTube),
/// ordered `media`, and per-platform options as keyword arguments, each a
/// dict: `x={"reply_to": ...}`, `linkedin={"visibility": "CONNECTIONS"}`,
/// `facebook={"link": ...}`, `instagram={"kind": "reel"}`,
/// `youtube={"title": ..., "privacy": "unlisted"}`,
/// `tiktok={"privacy_level": "SELF_ONLY"}`; `texts={"x": "short"}` replaces
/// `text` on the platforms it names; `draft=True` publishes each platform's
/// closest meaning of a draft (see the report's `draft`). `publish` also takes a plain
/// dict (`{"text", "media", "options"}`, or the old backend's body).
#[pyclass(module = "creatorsync", frozen, from_py_object)]
#[derive(Debug, Clone)]
pub(crate) struct Post {
    text: String,
    /// Per-platform text as given (the contract reads it).
    texts: Map<String, Value>,
    media: Vec<Media>,
    /// The options as given (the contract reads them).
    given: Map<String, Value>,
    /// The same, read by the core (for the `options` getter).
    options: PlatformOptions,
    /// Publish as a draft.
    draft: bool,
}

#[pymethods]
impl Post {
    #[new]
    #[pyo3(signature = (text="", media=None, texts=None, *, draft=false, **options))]
    fn new(
        text: &str,
        media: Option<Vec<Media>>,
        texts: Option<&Bound<'_, PyAny>>,
        draft: bool,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let texts = match texts {
            Some(t) if !t.is_none() => match py_to_json(t, "texts").map_err(to_py)? {
                Value::Object(m) => m,
                _ => return Err(to_py(Error::invalid_input("texts", "must be a dict"))),
            },
            _ => Map::new(),
        };
        let mut given = Map::new();
        if let Some(options) = options {
            for (k, v) in options.iter() {
                let k: String = k.extract()?;
                if !v.is_none() {
                    let field = format!("options.{k}");
                    given.insert(k, py_to_json(&v, &field).map_err(to_py)?);
                }
            }
        }
        // The core names an unknown platform or option.
        let options = PlatformOptions::from_json(Value::Object(given.clone())).map_err(to_py)?;
        // ... and an unknown platform in `texts`.
        let mut shape = Map::new();
        shape.insert("texts".into(), Value::Object(texts.clone()));
        PostSpec::from_json(Value::Object(shape), BTreeMap::new()).map_err(to_py)?;
        Ok(Self {
            text: text.to_owned(),
            texts,
            media: media.unwrap_or_default(),
            given,
            options,
            draft,
        })
    }

    /// The text.
    #[getter]
    fn text(&self) -> String {
        self.text.clone()
    }

    /// Per-platform text replacing `text` there.
    #[getter]
    fn texts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &Value::Object(self.texts.clone()))
    }

    /// Whether the post is published as a draft.
    #[getter]
    fn draft(&self) -> bool {
        self.draft
    }

    /// The media, in order.
    #[getter]
    fn media(&self) -> Vec<Media> {
        self.media.clone()
    }

    /// Every platform's options, defaults filled in.
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &serde_json::to_value(&self.options).unwrap_or_default())
    }

    fn __repr__(&self) -> String {
        let mut text: String = self.text.chars().take(40).collect();
        if text.len() < self.text.len() {
            text.push('…');
        }
        format!("Post({text:?}, media={})", self.media.len())
    }
}

impl Post {
    /// The contract's post.
    fn to_spec(&self) -> Result<PostSpec> {
        let mut buffers = BTreeMap::new();
        let mut items = Vec::with_capacity(self.media.len());
        for (i, m) in self.media.iter().enumerate() {
            if let Some(b) = &m.bytes {
                let name = m
                    .item
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                buffers.insert(i, BytesSource::new(b.clone(), name));
            }
            items.push(Value::Object(m.item.clone()));
        }
        let mut post = Map::new();
        post.insert("text".into(), self.text.clone().into());
        post.insert("texts".into(), Value::Object(self.texts.clone()));
        post.insert("media".into(), Value::Array(items));
        post.insert("options".into(), Value::Object(self.given.clone()));
        post.insert("draft".into(), self.draft.into());
        PostSpec::from_json(Value::Object(post), buffers)
    }
}

/// Reads the `post` argument of `publish`: a [`Post`], or a dict in the
/// current shape (`media` items with `bytes` under `buffer`) or the old
/// backend's body. Bytes are copied once, here, under the GIL.
pub(crate) fn read(post: &Bound<'_, PyAny>) -> Result<PostSpec> {
    if let Ok(p) = post.cast::<Post>() {
        return p.get().to_spec();
    }
    let Ok(dict) = post.cast::<PyDict>() else {
        return Err(Error::invalid_input(
            "post",
            "must be a Post or a dict such as {\"text\": ..., \"media\": [...]}",
        ));
    };
    let mut map = Map::new();
    let mut buffers = BTreeMap::new();
    for (k, v) in dict.iter() {
        let k: String = k
            .extract()
            .map_err(|_| Error::invalid_input("post", "keys must be str"))?;
        let list = v
            .cast::<PyList>()
            .map(|l| l.iter().collect::<Vec<_>>())
            .or_else(|_| v.cast::<PyTuple>().map(|t| t.iter().collect()));
        match list {
            Ok(items) if k == "media" => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let (v, b) = media_item(item, &format!("media[{i}]"))?;
                    if let Some(b) = b {
                        let name = PostSpec::buffer_name(
                            v.get("name").and_then(Value::as_str).map(str::to_owned),
                            v.get("mime").and_then(Value::as_str),
                        );
                        buffers.insert(i, BytesSource::new(b, name));
                    }
                    out.push(v);
                }
                map.insert(k, Value::Array(out));
            }
            _ => {
                let v = py_to_json(&v, &k)?;
                map.insert(k, v);
            }
        }
    }
    PostSpec::from_json(Value::Object(map), buffers)
}

/// One media item given alone (`probe`): a [`Media`], or a dict like a
/// dict post's media items. Its JSON and its bytes, named for type
/// detection.
pub(crate) fn read_media(m: &Bound<'_, PyAny>) -> Result<(Value, Option<BytesSource>)> {
    let (v, bytes) = match m.cast::<Media>() {
        Ok(m) => {
            let m = m.get();
            (Value::Object(m.item.clone()), m.bytes.clone())
        }
        Err(_) => media_item(m, "media")?,
    };
    let name = PostSpec::buffer_name(
        v.get("name").and_then(Value::as_str).map(str::to_owned),
        v.get("mime").and_then(Value::as_str),
    );
    Ok((v, bytes.map(|b| BytesSource::new(b, name))))
}

/// One media item of a dict post: its JSON (without `buffer`) and its
/// bytes (`bytes`, or a sequence of byte values such as `bytearray`).
fn media_item(item: &Bound<'_, PyAny>, field: &str) -> Result<(Value, Option<Bytes>)> {
    let field = field.to_owned();
    let Ok(d) = item.cast::<PyDict>() else {
        return py_to_json(item, &field).map(|v| (v, None));
    };
    let mut map = Map::new();
    let mut bytes = None;
    for (k, v) in d.iter() {
        let k: String = k
            .extract()
            .map_err(|_| Error::invalid_input(&field, "keys must be str"))?;
        let f = format!("{field}.{k}");
        if k == "buffer" && !v.is_none() {
            let data = if let Ok(b) = v.cast::<PyBytes>() {
                b.as_bytes().to_vec()
            } else {
                v.extract::<Vec<u8>>()
                    .map_err(|_| Error::invalid_input(&f, "must be bytes"))?
            };
            bytes = Some(Bytes::from(data));
        } else {
            map.insert(k, py_to_json(&v, &f)?);
        }
    }
    Ok((Value::Object(map), bytes))
}
