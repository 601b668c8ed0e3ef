//! `Post` and `Media`: what to publish.

use std::sync::Arc;

use bytes::Bytes;
use creatorsync_core::http::redact_url;
use creatorsync_core::media::{BytesSource, FileSource, UrlSource};
use creatorsync_core::{Error, MediaSource, PlatformOptions, Result};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{json_to_py, py_to_json};
use crate::error::to_py;

/// One image or video of a post. Build it with `Media.file(path)`,
/// `Media.bytes(data, name=...)` or `Media.url(url)`; the source is read
/// lazily, in ranges, during the upload (memory stays bounded by the chunk
/// size whatever the file size).
#[pyclass(module = "creatorsync", frozen, from_py_object)]
#[derive(Debug, Clone)]
pub(crate) struct Media {
    pub(crate) source: Arc<dyn MediaSource>,
    alt_text: Option<String>,
    label: String,
}

#[pymethods]
impl Media {
    /// A local file.
    #[staticmethod]
    #[pyo3(signature = (path, *, alt_text=None))]
    fn file(path: std::path::PathBuf, alt_text: Option<String>) -> Self {
        let label = format!("Media.file({:?})", path.display().to_string());
        Self {
            source: Arc::new(FileSource::new(path)),
            alt_text,
            label,
        }
    }

    /// Bytes in memory; `name` (e.g. `photo.jpg`) helps type detection.
    #[staticmethod]
    #[pyo3(signature = (data, *, name=None, alt_text=None))]
    fn bytes(data: Vec<u8>, name: Option<String>, alt_text: Option<String>) -> Self {
        let label = format!("Media.bytes(<{} bytes>, name={name:?})", data.len());
        Self {
            source: Arc::new(BytesSource::new(Bytes::from(data), name)),
            alt_text,
            label,
        }
    }

    /// An http(s) URL, streamed. Private, loopback and link-local addresses
    /// are refused unless `allow_private=True` (local tests only).
    #[staticmethod]
    #[pyo3(signature = (url, *, allow_private=false, alt_text=None))]
    fn url(url: String, allow_private: bool, alt_text: Option<String>) -> PyResult<Self> {
        let source = UrlSource::builder(url)
            .allow_loopback(allow_private)
            .build()
            .map_err(to_py)?;
        let label = format!("Media.url({:?})", redact_url(source.url()));
        Ok(Self {
            source: Arc::new(source),
            alt_text,
            label,
        })
    }

    /// The alt text (accessibility description), if any.
    #[getter]
    fn alt_text(&self) -> Option<String> {
        self.alt_text.clone()
    }

    fn __repr__(&self) -> String {
        self.label.clone()
    }
}

impl Media {
    /// Describes the source (length, type) for the core.
    async fn to_core(&self) -> Result<creatorsync_core::Media> {
        let m = creatorsync_core::Media::from_arc(self.source.clone()).await?;
        Ok(match &self.alt_text {
            Some(a) => m.with_alt_text(a.clone()),
            None => m,
        })
    }
}

/// A post: `text` (caption on media platforms, description on YouTube),
/// ordered `media`, and per-platform options as keyword arguments, each a
/// dict: `x={"reply_to": ...}`, `linkedin={"visibility": "CONNECTIONS"}`,
/// `facebook={"link": ...}`, `instagram={"kind": "reel"}`,
/// `youtube={"title": ..., "privacy": "unlisted"}`,
/// `tiktok={"privacy_level": "SELF_ONLY"}`.
#[pyclass(module = "creatorsync", frozen, from_py_object)]
#[derive(Debug, Clone)]
pub(crate) struct Post {
    text: String,
    media: Vec<Media>,
    options: PlatformOptions,
}

const PLATFORM_KEYS: [&str; 6] = [
    "x",
    "linkedin",
    "facebook",
    "instagram",
    "youtube",
    "tiktok",
];

#[pymethods]
impl Post {
    #[new]
    #[pyo3(signature = (text="", media=None, **options))]
    fn new(
        text: &str,
        media: Option<Vec<Media>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let mut given = serde_json::Map::new();
        if let Some(options) = options {
            for (k, v) in options.iter() {
                let k: String = k.extract()?;
                if !PLATFORM_KEYS.contains(&k.as_str()) {
                    return Err(to_py(Error::invalid_input(
                        k,
                        "unknown keyword: platform options are x, linkedin, facebook, instagram, youtube, tiktok",
                    )));
                }
                if !v.is_none() {
                    given.insert(k, py_to_json(&v)?);
                }
            }
        }
        let options = parse_options(serde_json::Value::Object(given)).map_err(to_py)?;
        Ok(Self {
            text: text.to_owned(),
            media: media.unwrap_or_default(),
            options,
        })
    }

    /// The text.
    #[getter]
    fn text(&self) -> String {
        self.text.clone()
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

/// Options dict → `PlatformOptions`, refusing unknown fields by name.
fn parse_options(given: serde_json::Value) -> Result<PlatformOptions> {
    PlatformOptions::from_json(given)
}

impl Post {
    /// The core post (describes every media source first).
    pub(crate) async fn to_core(&self) -> Result<creatorsync_core::Post> {
        let mut post =
            creatorsync_core::Post::text(self.text.clone()).with_options(self.options.clone());
        for m in &self.media {
            post = post.with_media(m.to_core().await?);
        }
        Ok(post)
    }
}
