//! In-memory media.

use async_trait::async_trait;
use bytes::Bytes;

use super::sniff::{SNIFF_LEN, detect_mime, kind_of};
use super::{MediaInfo, MediaSource, invalid};
use crate::Result;

/// Media held in memory. Cloning is cheap (the bytes are shared).
///
/// ```
/// # tokio_test_block(async {
/// use creatorsync_core::media::{BytesSource, MediaSource};
/// use creatorsync_core::MediaKind;
/// let gif = bytes::Bytes::from_static(b"GIF89a\x01\0\x01\0\0\0\0;");
/// let src = BytesSource::new(gif, Some("wave.gif".into()));
/// let info = src.describe().await?;
/// assert_eq!(info.kind, MediaKind::Gif);
/// assert_eq!(&src.read_range(0, 3).await?[..], b"GIF");
/// # Ok::<(), creatorsync_core::Error>(())
/// # });
/// # fn tokio_test_block<F: std::future::Future<Output = creatorsync_core::Result<()>>>(f: F) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f).unwrap()
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct BytesSource {
    bytes: Bytes,
    name: Option<String>,
}

impl BytesSource {
    /// Wraps `bytes`; `name` (e.g. `photo.jpg`) is shown in errors and used
    /// as a type hint when the magic bytes are not recognised.
    pub fn new(bytes: Bytes, name: Option<String>) -> Self {
        Self { bytes, name }
    }

    fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| "<bytes>".to_owned())
    }
}

#[async_trait]
impl MediaSource for BytesSource {
    async fn describe(&self) -> Result<MediaInfo> {
        if self.bytes.is_empty() {
            return Err(invalid(self.display_name(), "it is empty (0 bytes)"));
        }
        let head = &self.bytes[..self.bytes.len().min(SNIFF_LEN)];
        let mime = detect_mime(head, self.name.as_deref())
            .ok_or_else(|| invalid(self.display_name(), super::UNKNOWN_TYPE))?;
        let kind =
            kind_of(&mime).ok_or_else(|| invalid(self.display_name(), super::UNKNOWN_TYPE))?;
        Ok(MediaInfo {
            len: self.bytes.len() as u64,
            mime,
            name: self.name.clone(),
            kind,
        })
    }

    async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes> {
        let total = self.bytes.len() as u64;
        let start = offset.min(total);
        let end = offset.saturating_add(len).min(total);
        // Both bounds are <= the slice length, so the casts are lossless.
        Ok(self.bytes.slice(start as usize..end as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ranges_and_errors() {
        let src = BytesSource::new(Bytes::from_static(b"\xFF\xD8\xFF\xE0rest"), None);
        assert_eq!(src.describe().await.unwrap().mime, "image/jpeg");
        assert_eq!(&src.read_range(4, 2).await.unwrap()[..], b"re");
        assert_eq!(&src.read_range(6, 100).await.unwrap()[..], b"st");
        assert!(src.read_range(100, 5).await.unwrap().is_empty());
        assert!(src.read_range(u64::MAX, u64::MAX).await.unwrap().is_empty());

        let empty = BytesSource::new(Bytes::new(), Some("e.png".into()));
        let err = empty.describe().await.unwrap_err();
        assert!(matches!(err, crate::Error::InvalidMedia { .. }), "{err}");
        let text = BytesSource::new(Bytes::from_static(b"hello"), Some("a.txt".into()));
        assert!(
            text.describe()
                .await
                .unwrap_err()
                .to_string()
                .contains("a.txt")
        );
    }
}
