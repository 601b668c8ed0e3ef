//! Posts and media from plain JS objects.
//!
//! ```js
//! { text: 'Hello', media: [{ path: './clip.mp4' }, { buffer, name: 'a.png', altText: '...' },
//!   { url: 'https://cdn.example/x.jpg' }], options: { tiktok: { privacyLevel: 'SELF_ONLY' } } }
//! ```
//!
//! The JS side is read on the JS thread (Buffers are copied once into
//! `Bytes`); media are described (size, type) inside the publish future.

use bytes::Bytes;
use creatorsync_core::{
    BytesSource, Error, FileSource, Media, PlatformOptions, Post, Result, UrlSource,
};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::Value;

use crate::convert;

#[allow(missing_debug_implementations)] // holds a JS Buffer
/// One media item: exactly one of `path`, `buffer` or `url`.
#[napi(object, object_to_js = false)]
pub struct MediaInput {
    /// A local file, read in chunks (never loaded whole).
    pub path: Option<String>,
    /// Bytes in memory.
    pub buffer: Option<Buffer>,
    /// An http(s) URL, streamed; private and loopback addresses are refused
    /// unless `allowLoopback` is set (tests only).
    pub url: Option<String>,
    /// A file name for type detection (buffers).
    pub name: Option<String>,
    /// MIME type, when it cannot be sniffed.
    pub mime: Option<String>,
    /// Accessibility description.
    pub alt_text: Option<String>,
    /// Allow a loopback / private URL (the emulator in tests).
    pub allow_loopback: Option<bool>,
}

/// What to publish.
#[allow(missing_debug_implementations)] // holds a JS Buffer
#[napi(object, object_to_js = false)]
pub struct PostInput {
    /// The text (caption on media platforms, description on YouTube).
    pub text: Option<String>,
    /// Media, in display order.
    pub media: Option<Vec<MediaInput>>,
    /// Per-platform options (`x`, `linkedin`, `facebook`, `instagram`,
    /// `youtube`, `tiktok`), camelCase as in the core's docs.
    #[napi(ts_type = "PlatformOptions")]
    pub options: Option<Value>,
}

/// A media source read off the JS thread.
enum Source {
    File(String),
    Bytes(Bytes, Option<String>),
    Url(String, bool),
}

/// A post read off the JS thread, ready to become a core [`Post`].
pub(crate) struct PostSpec {
    text: String,
    media: Vec<(Source, Option<String>)>,
    options: PlatformOptions,
}

impl PostSpec {
    /// Reads `input` (JS thread; copies buffers).
    pub(crate) fn read(input: PostInput) -> Result<Self> {
        let mut media = Vec::new();
        for (i, m) in input.media.unwrap_or_default().into_iter().enumerate() {
            let field = format!("media[{i}]");
            let given = [m.path.is_some(), m.buffer.is_some(), m.url.is_some()]
                .iter()
                .filter(|x| **x)
                .count();
            if given != 1 {
                return Err(Error::invalid_input(
                    field,
                    "give exactly one of `path`, `buffer` or `url`",
                ));
            }
            let name = m.name.clone().or_else(|| {
                m.mime
                    .as_deref()
                    .and_then(|mime| mime.split('/').nth(1))
                    .map(|ext| format!("media.{ext}"))
            });
            let source = if let Some(p) = m.path {
                Source::File(p)
            } else if let Some(b) = m.buffer {
                Source::Bytes(Bytes::from(b.to_vec()), name)
            } else if let Some(u) = m.url {
                Source::Url(u, m.allow_loopback.unwrap_or(false))
            } else {
                return Err(Error::invalid_input(field, "no media source"));
            };
            media.push((source, m.alt_text));
        }
        let options = match input.options {
            None | Some(Value::Null) => PlatformOptions::default(),
            Some(v) => PlatformOptions::from_json(convert::integral(convert::snake(v)))?,
        };
        Ok(Self {
            text: input.text.unwrap_or_default(),
            media,
            options,
        })
    }

    /// Describes every media source and builds the post.
    pub(crate) async fn build(self) -> Result<Post> {
        let mut post = Post::text(self.text).with_options(self.options);
        for (source, alt) in self.media {
            let media = match source {
                Source::File(p) => Media::new(FileSource::new(p)).await?,
                Source::Bytes(b, name) => Media::new(BytesSource::new(b, name)).await?,
                Source::Url(u, loopback) => {
                    Media::new(UrlSource::builder(u).allow_loopback(loopback).build()?).await?
                }
            };
            post = post.with_media(match alt {
                Some(a) => media.with_alt_text(a),
                None => media,
            });
        }
        Ok(post)
    }
}
