//! Re-hosting media at a public URL for platforms that only pull media from
//! a URL (Instagram images, TikTok photos) when the source has none.
//!
//! A [`MediaHost`] copies a [`MediaSource`] somewhere the platform can fetch
//! it and returns that URL. [`ObjectStoreMediaHost`] does it over the
//! [`object_store`] crate: the local filesystem always (served by your own
//! web server under a public base URL), and S3, GCS and Azure with the
//! `object-store-cloud` feature (time-limited signed URLs).
//!
//! ```no_run
//! # fn demo() -> creatorsync_core::Result<()> {
//! use std::sync::Arc;
//! use creatorsync_core::media_host::ObjectStoreMediaHost;
//! // Files land in /srv/media and are served by nginx at https://cdn.example.com/media/.
//! let host = ObjectStoreMediaHost::local("/srv/media", "https://cdn.example.com/media/".parse().unwrap())?;
//! # let _ = Arc::new(host);
//! # Ok(()) }
//! ```

use std::fmt::Debug;
use std::sync::Arc;
#[cfg(feature = "object-store-cloud")]
use std::time::Duration;

use async_trait::async_trait;
use object_store::path::Path as ObjectPath;
#[cfg(feature = "object-store-cloud")]
use object_store::signer::Signer;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use tracing::{Instrument, info, info_span};
use url::Url;

use crate::media::{MediaInfo, MediaSource};
use crate::{Error, Result};

/// Puts media where a platform can fetch it, returning the public URL.
#[async_trait]
pub trait MediaHost: Send + Sync + Debug {
    /// Copies `source` (described by `info`) to the host and returns a URL
    /// the platform can fetch it from for at least the next hour.
    async fn host(&self, source: &dyn MediaSource, info: &MediaInfo) -> Result<Url>;
}

#[async_trait]
impl<T: MediaHost + ?Sized> MediaHost for Arc<T> {
    async fn host(&self, source: &dyn MediaSource, info: &MediaInfo) -> Result<Url> {
        (**self).host(source, info).await
    }
}

/// How an [`ObjectStoreMediaHost`] turns a stored object into a URL.
#[derive(Clone, Debug)]
enum UrlMode {
    /// `base` joined with the object path (the objects are served publicly,
    /// under unguessable names).
    PublicBase(Url),
    /// A signed GET URL valid for `expires_in` (S3, GCS, Azure).
    #[cfg(feature = "object-store-cloud")]
    Signed {
        signer: Arc<dyn Signer>,
        expires_in: Duration,
    },
}

/// Part size of streamed multipart puts (8 MiB: above S3's 5 MiB minimum).
pub const DEFAULT_PART_SIZE: u64 = 8 * 1024 * 1024;

/// A [`MediaHost`] over any [`ObjectStore`].
///
/// Each media item is uploaded as a multipart put, one part at a time read
/// from the source (memory: one part), under `{prefix}/{uuid}.{ext}`, and
/// handed out as a signed URL or under a public base URL.
#[derive(Clone, Debug)]
pub struct ObjectStoreMediaHost {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    urls: UrlMode,
    part_size: u64,
}

impl ObjectStoreMediaHost {
    /// Objects in the directory `root` (which must exist), served by your
    /// web server so that `{public_base}{name}` returns the file `root/{name}`.
    pub fn local(root: impl AsRef<std::path::Path>, public_base: Url) -> Result<Self> {
        let store = object_store::local::LocalFileSystem::new_with_prefix(root)
            .map_err(|e| Error::Config(format!("media host directory: {e}")))?;
        Ok(Self::with_public_base(Arc::new(store), public_base))
    }

    /// Objects in `store`, publicly readable at `{public_base}{object path}`.
    pub fn with_public_base(store: Arc<dyn ObjectStore>, public_base: Url) -> Self {
        let mut base = public_base;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Self {
            store,
            prefix: "creatorsync".to_owned(),
            urls: UrlMode::PublicBase(base),
            part_size: DEFAULT_PART_SIZE,
        }
    }

    /// Objects in a cloud store (S3, GCS, Azure: build it with the
    /// `object-store-cloud` feature), handed out as signed GET URLs valid for
    /// `expires_in` (an hour or more: platforms fetch asynchronously).
    #[cfg(feature = "object-store-cloud")]
    pub fn signed<S: ObjectStore + Signer>(store: Arc<S>, expires_in: Duration) -> Self {
        Self {
            store: store.clone(),
            prefix: "creatorsync".to_owned(),
            urls: UrlMode::Signed {
                signer: store,
                expires_in,
            },
            part_size: DEFAULT_PART_SIZE,
        }
    }

    /// Key prefix of uploaded objects (default `creatorsync`).
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().trim_matches('/').to_owned();
        self
    }

    /// Part size of the multipart put (default [`DEFAULT_PART_SIZE`]; at
    /// least 5 MiB for S3).
    #[must_use]
    pub fn with_part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes.max(1);
        self
    }

    fn object_path(&self, info: &MediaInfo) -> ObjectPath {
        let ext = extension(&info.mime);
        let name = format!("{}.{ext}", uuid::Uuid::new_v4().simple());
        if self.prefix.is_empty() {
            ObjectPath::from(name)
        } else {
            ObjectPath::from(format!("{}/{name}", self.prefix))
        }
    }

    /// Starts the multipart put, with the object's `Content-Type` where the
    /// store keeps attributes (cloud stores; the local filesystem does not,
    /// and its web server derives the type from the extension).
    async fn start_upload(
        &self,
        path: &ObjectPath,
        mime: &str,
    ) -> Result<Box<dyn object_store::MultipartUpload>> {
        let mut attributes = object_store::Attributes::new();
        attributes.insert(object_store::Attribute::ContentType, mime.to_owned().into());
        let opts = object_store::PutMultipartOptions {
            attributes,
            ..Default::default()
        };
        match self.store.put_multipart_opts(path, opts).await {
            Err(object_store::Error::NotImplemented { .. }) => {
                self.store.put_multipart(path).await.map_err(store_error)
            }
            other => other.map_err(store_error),
        }
    }

    async fn upload(
        &self,
        path: &ObjectPath,
        source: &dyn MediaSource,
        info: &MediaInfo,
    ) -> Result<()> {
        let len = info.len;
        let mut upload = self.start_upload(path, &info.mime).await?;
        let mut offset = 0;
        while offset < len {
            let n = self.part_size.min(len - offset);
            let bytes = match source.read_range(offset, n).await {
                Ok(b) if !b.is_empty() => b,
                Ok(_) => {
                    let _ = upload.abort().await;
                    return Err(Error::invalid_media(
                        path.to_string(),
                        format!("source ended at byte {offset} of {len}"),
                    ));
                }
                Err(e) => {
                    let _ = upload.abort().await;
                    return Err(e);
                }
            };
            offset += bytes.len() as u64;
            if let Err(e) = upload.put_part(PutPayload::from(bytes)).await {
                let _ = upload.abort().await;
                return Err(store_error(e));
            }
        }
        upload.complete().await.map_err(store_error)?;
        Ok(())
    }
}

#[async_trait]
impl MediaHost for ObjectStoreMediaHost {
    async fn host(&self, source: &dyn MediaSource, info: &MediaInfo) -> Result<Url> {
        let path = self.object_path(info);
        let span = info_span!("media_host", object = %path, bytes = info.len);
        async {
            self.upload(&path, source, info).await?;
            let url = match &self.urls {
                UrlMode::PublicBase(base) => base.join(path.as_ref()).map_err(|e| {
                    Error::Config(format!("media host public base URL + {path}: {e}"))
                })?,
                #[cfg(feature = "object-store-cloud")]
                UrlMode::Signed { signer, expires_in } => signer
                    .signed_url(object_store::signer::Method::GET, &path, *expires_in)
                    .await
                    .map_err(store_error)?,
            };
            info!("media re-hosted");
            Ok(url)
        }
        .instrument(span)
        .await
    }
}

fn store_error(e: object_store::Error) -> Error {
    Error::Transport {
        platform: None,
        message: format!("media host: {e}"),
        maybe_sent: false,
        timeout: false,
        source: Some(Box::new(e)),
    }
}

/// A file extension for `mime` (platforms check the URL's extension less
/// than the content, but a sensible one helps).
fn extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/webm" => "webm",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaKind;
    use bytes::Bytes;

    #[derive(Debug)]
    struct Mem(Vec<u8>);

    #[async_trait]
    impl MediaSource for Mem {
        async fn describe(&self) -> Result<MediaInfo> {
            Ok(MediaInfo {
                len: self.0.len() as u64,
                mime: "image/jpeg".into(),
                name: None,
                kind: MediaKind::Image,
            })
        }
        async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes> {
            let s = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(self.0.len());
            let e = s
                .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
                .min(self.0.len());
            Ok(Bytes::copy_from_slice(&self.0[s..e]))
        }
    }

    #[tokio::test]
    async fn local_host_writes_in_parts_and_builds_public_url() {
        let dir = tempfile::tempdir().unwrap();
        let host =
            ObjectStoreMediaHost::local(dir.path(), "http://127.0.0.1:9/files".parse().unwrap())
                .unwrap()
                .with_part_size(7);
        let data: Vec<u8> = (0..100u8).collect();
        let src = Mem(data.clone());
        let info = src.describe().await.unwrap();
        let url = host.host(&src, &info).await.unwrap();
        assert!(
            url.as_str()
                .starts_with("http://127.0.0.1:9/files/creatorsync/")
        );
        assert!(url.as_str().ends_with(".jpg"));
        let rel = url.path().trim_start_matches("/files/");
        let stored = std::fs::read(dir.path().join(rel)).unwrap();
        assert_eq!(stored, data);
    }
}
