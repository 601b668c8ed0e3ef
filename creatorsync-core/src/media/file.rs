//! Media read from a local file, range by range.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::AsyncReadExt;

use super::sniff::{SNIFF_LEN, detect_mime, kind_of};
use super::{MediaInfo, MediaSource, invalid};
use crate::Result;

/// Media in a local file. Each [`MediaSource::read_range`] opens the file
/// and reads exactly that range with a positional read on Tokio's blocking
/// pool, into one buffer of the range's size, so memory stays bounded by
/// the piece size whatever the file size.
///
/// ```no_run
/// # async fn demo() -> creatorsync_core::Result<()> {
/// use creatorsync_core::media::{FileSource, MediaSource};
/// let src = FileSource::new("holiday.mp4");
/// let info = src.describe().await?; // fails early if missing or empty
/// let first_chunk = src.read_range(0, 5 * 1024 * 1024).await?;
/// # let _ = (info, first_chunk); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct FileSource {
    path: PathBuf,
}

impl FileSource {
    /// A source for the file at `path` (checked by `describe`, not here).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn display_name(&self) -> String {
        self.path.display().to_string()
    }

    fn file_name(&self) -> Option<String> {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    }

    fn io_error(&self, e: &std::io::Error) -> crate::Error {
        let reason = match e.kind() {
            ErrorKind::NotFound => "the file does not exist; check the path".to_owned(),
            ErrorKind::PermissionDenied => {
                "permission denied; make the file readable by this process".to_owned()
            }
            _ => format!("cannot read the file: {e}"),
        };
        invalid(self.display_name(), reason)
    }

    async fn open_checked(&self) -> Result<(tokio::fs::File, u64)> {
        let meta = tokio::fs::metadata(&self.path)
            .await
            .map_err(|e| self.io_error(&e))?;
        if meta.is_dir() {
            return Err(invalid(
                self.display_name(),
                "it is a directory; pass the path of a file",
            ));
        }
        let file = tokio::fs::File::open(&self.path)
            .await
            .map_err(|e| self.io_error(&e))?;
        Ok((file, meta.len()))
    }
}

#[async_trait]
impl MediaSource for FileSource {
    async fn describe(&self) -> Result<MediaInfo> {
        let (file, len) = self.open_checked().await?;
        if len == 0 {
            return Err(invalid(self.display_name(), "the file is empty (0 bytes)"));
        }
        let mut head = Vec::with_capacity(SNIFF_LEN);
        file.take(SNIFF_LEN as u64)
            .read_to_end(&mut head)
            .await
            .map_err(|e| self.io_error(&e))?;
        let name = self.file_name();
        let mime = detect_mime(&head, name.as_deref())
            .ok_or_else(|| invalid(self.display_name(), super::UNKNOWN_TYPE))?;
        let kind =
            kind_of(&mime).ok_or_else(|| invalid(self.display_name(), super::UNKNOWN_TYPE))?;
        Ok(MediaInfo {
            len,
            mime,
            name,
            kind,
        })
    }

    async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes> {
        // The buffer is allocated here, on the async worker, and filled by
        // one positional read on the blocking pool (one copy, no seek, no
        // intermediate buffer): blocking threads then never grow malloc
        // arenas of their own, which kept peak memory up during uploads.
        let buf = vec![0u8; usize::try_from(len.min(MAX_UP_FRONT)).unwrap_or(0)];
        let path = self.path.clone();
        let read = tokio::task::spawn_blocking(move || read_at(&path, offset, len, buf))
            .await
            .map_err(|e| invalid(self.display_name(), format!("the read task failed: {e}")))?;
        read.map_err(|e| self.io_error(&e))
    }
}

/// Largest buffer allocated before the file's length is known; a range
/// request cannot reserve absurd memory up front.
const MAX_UP_FRONT: u64 = 64 << 20;

/// Reads `[offset, offset + len)` of the file at `path`, clipped to its
/// end, into `buf` (resized to what is read).
fn read_at(path: &Path, offset: u64, len: u64, mut buf: Vec<u8>) -> std::io::Result<Bytes> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::other(
            "it is a directory; pass the path of a file",
        ));
    }
    let file_len = meta.len();
    if offset >= file_len || len == 0 {
        return Ok(Bytes::new());
    }
    let want = usize::try_from(len.min(file_len - offset))
        .map_err(|_| std::io::Error::other("range too large for this platform"))?;
    buf.resize(want, 0);
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(&file, &mut buf, offset)?;
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut file = file;
        file.seek(std::io::SeekFrom::Start(offset))?;
        file.read_exact(&mut buf)?;
    }
    Ok(Bytes::from(buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, MediaKind};

    fn write(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        p
    }

    #[tokio::test]
    async fn range_reads_at_offsets_and_past_end() {
        let dir = tempfile::tempdir().unwrap();
        let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        data.extend((0..10_000u32).map(|i| (i % 251) as u8));
        let src = FileSource::new(write(&dir, "a.png", &data));
        let info = src.describe().await.unwrap();
        assert_eq!(info.len, data.len() as u64);
        assert_eq!(info.kind, MediaKind::Image);
        assert_eq!(info.name.as_deref(), Some("a.png"));
        for (off, len) in [(0u64, 16u64), (5000, 1234), (9_990, 100), (0, 0)] {
            let got = src.read_range(off, len).await.unwrap();
            let end = (off + len).min(data.len() as u64) as usize;
            assert_eq!(&got[..], &data[off as usize..end], "{off}+{len}");
        }
        assert!(
            src.read_range(data.len() as u64, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(src.read_range(u64::MAX, u64::MAX).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn bad_files_are_invalid_media() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                FileSource::new(dir.path().join("missing.mp4")),
                "does not exist",
            ),
            (FileSource::new(dir.path()), "directory"),
            (FileSource::new(write(&dir, "e.jpg", b"")), "empty"),
            (FileSource::new(write(&dir, "t.txt", b"hello")), "type"),
        ];
        for (src, needle) in cases {
            match src.describe().await {
                Err(Error::InvalidMedia { reason, .. }) => {
                    assert!(reason.contains(needle), "{reason}")
                }
                other => panic!("expected InvalidMedia, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn magic_bytes_beat_misleading_extension() {
        let dir = tempfile::tempdir().unwrap();
        let src = FileSource::new(write(&dir, "really-a-gif.mp4", b"GIF89a\x01\0\x01\0\0\0;"));
        let info = src.describe().await.unwrap();
        assert_eq!(
            (info.mime.as_str(), info.kind),
            ("image/gif", MediaKind::Gif)
        );
    }
}
