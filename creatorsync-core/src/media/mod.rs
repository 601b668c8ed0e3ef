//! Media sources: where the bytes of an image or video come from.
//!
//! Uploads read a source in ranges ([`MediaSource::read_range`]), so memory
//! stays bounded by the chunk size whatever the file size, and a failed chunk
//! can be re-read from its offset.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::{MediaKind, Result};

/// What a source holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// Length in bytes (never 0: empty sources are refused).
    pub len: u64,
    /// MIME type, detected from magic bytes, else from the name's extension.
    pub mime: String,
    /// A display name (file name, last URL segment).
    pub name: Option<String>,
    /// Image, GIF or video, derived from the MIME type.
    pub kind: MediaKind,
}

/// A readable piece of media. Object safe; share it as `Arc<dyn MediaSource>`.
#[async_trait]
pub trait MediaSource: Send + Sync + Debug {
    /// Length, type and name. Fails with [`crate::Error::InvalidMedia`] for a
    /// missing, empty or unrecognised source.
    async fn describe(&self) -> Result<MediaInfo>;

    /// Reads `len` bytes starting at `offset` (fewer only at the end).
    async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes>;

    /// A public URL the platform can fetch the media from itself, if any.
    fn public_url(&self) -> Option<&Url> {
        None
    }

    /// The local file it reads, if any: what a scheduled post keeps to
    /// open the media again when it is due.
    fn local_path(&self) -> Option<&std::path::Path> {
        None
    }
}

#[async_trait]
impl<T: MediaSource + ?Sized> MediaSource for Arc<T> {
    async fn describe(&self) -> Result<MediaInfo> {
        (**self).describe().await
    }
    async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes> {
        (**self).read_range(offset, len).await
    }
    fn public_url(&self) -> Option<&Url> {
        (**self).public_url()
    }
    fn local_path(&self) -> Option<&std::path::Path> {
        (**self).local_path()
    }
}

#[async_trait]
impl<T: MediaSource + ?Sized> MediaSource for Box<T> {
    async fn describe(&self) -> Result<MediaInfo> {
        (**self).describe().await
    }
    async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes> {
        (**self).read_range(offset, len).await
    }
    fn public_url(&self) -> Option<&Url> {
        (**self).public_url()
    }
    fn local_path(&self) -> Option<&std::path::Path> {
        (**self).local_path()
    }
}

#[path = "bytes.rs"]
mod bytes_source;
mod file;
pub mod fit;
pub mod guard;
pub mod probe;
pub(crate) mod rules;
// Public through `testing` (feature); a plain unit-test build uses only part of it.
#[cfg(any(test, feature = "testing"))]
#[cfg_attr(not(feature = "testing"), allow(dead_code, unreachable_pub))]
pub(crate) mod sample;
pub mod sniff;
#[path = "url.rs"]
mod url_source;

pub use bytes_source::BytesSource;
pub use file::FileSource;
pub use fit::FitMode;
pub use probe::{BoxPosition, Probe, probe};
pub use url_source::{DEFAULT_MAX_BYTES, MAX_REDIRECTS, UrlSource, UrlSourceBuilder};

const UNKNOWN_TYPE: &str = "unknown or unsupported media type; use an image (JPEG, PNG, GIF, WEBP) or a video (MP4, MOV, WEBM)";

/// Shorthand for [`crate::Error::InvalidMedia`].
pub(crate) fn invalid(source_name: impl Into<String>, reason: impl Into<String>) -> crate::Error {
    crate::Error::invalid_media(source_name, reason)
}
