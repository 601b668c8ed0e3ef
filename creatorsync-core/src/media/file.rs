//! Media read from a local file, range by range.

use std::fs::{File, Metadata};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;

use super::sniff::{SNIFF_LEN, detect_mime, kind_of};
use super::{MediaInfo, MediaSource, invalid};
use crate::Result;

/// Media in a local file. Each [`MediaSource::read_range`] opens the file
/// and reads exactly that range with a positional read on Tokio's blocking
/// pool, into one buffer of the range's size, so memory stays bounded by
/// the piece size whatever the file size.
///
/// Only regular files are read (a symbolic link to one is followed): a
/// FIFO, socket, device or directory is refused with
/// [`crate::Error::InvalidMedia`] before anything blocks on it, and a file
/// whose size changes after `describe` fails the read instead of sending a
/// short or endless body.
///
/// ```no_run
/// # async fn demo() -> creatorsync_core::Result<()> {
/// use creatorsync_core::media::{FileSource, MediaSource};
/// let src = FileSource::new("holiday.mp4");
/// let info = src.describe().await?; // fails early if missing, empty or not a file
/// let first_chunk = src.read_range(0, 5 * 1024 * 1024).await?;
/// # let _ = (info, first_chunk); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct FileSource {
    path: PathBuf,
    /// The length `describe` saw ([`UNKNOWN_LEN`] before), shared by clones.
    described_len: Arc<AtomicU64>,
}

/// `described_len` before `describe` ran.
const UNKNOWN_LEN: u64 = u64::MAX;

/// Why a file cannot be read.
#[derive(Debug)]
enum OpenError {
    Io(std::io::Error),
    /// Not a regular file: what it is instead.
    NotRegular(&'static str),
    /// The size changed since `describe`: (then, now).
    Changed(u64, u64),
}

impl From<std::io::Error> for OpenError {
    fn from(e: std::io::Error) -> Self {
        OpenError::Io(e)
    }
}

impl FileSource {
    /// A source for the file at `path` (checked by `describe`, not here).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            described_len: Arc::new(AtomicU64::new(UNKNOWN_LEN)),
        }
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

    fn error(&self, e: OpenError) -> crate::Error {
        let reason = match &e {
            OpenError::Io(e) => match e.kind() {
                ErrorKind::NotFound => "the file does not exist; check the path".to_owned(),
                ErrorKind::PermissionDenied => {
                    "permission denied; make the file readable by this process".to_owned()
                }
                _ => format!("cannot read the file: {e}"),
            },
            OpenError::NotRegular(what) => {
                format!("it is {what}, not a regular file; pass the path of a file")
            }
            OpenError::Changed(then, now) => format!(
                "the file changed while it was being published ({then} bytes, now {now}); publish it again once it is complete"
            ),
        };
        match e {
            OpenError::Io(io) => crate::Error::InvalidMedia {
                source_name: self.display_name(),
                reason,
                source: Some(Box::new(io)),
            },
            _ => invalid(self.display_name(), reason),
        }
    }

    /// Runs `f` on the blocking pool; a failed task is an error, not a panic.
    async fn blocking<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Path) -> Result<T, OpenError> + Send + 'static,
        T: Send + 'static,
    {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || f(&path))
            .await
            .map_err(|e| invalid(self.display_name(), format!("the read task failed: {e}")))?
            .map_err(|e| self.error(e))
    }
}

#[async_trait]
impl MediaSource for FileSource {
    fn local_path(&self) -> Option<&Path> {
        Some(&self.path)
    }

    async fn describe(&self) -> Result<MediaInfo> {
        let (len, head) = self
            .blocking(|path| {
                let (file, meta) = open_regular(path)?;
                let mut head = Vec::with_capacity(SNIFF_LEN);
                file.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
                Ok((meta.len(), head))
            })
            .await?;
        if len == 0 {
            return Err(invalid(self.display_name(), "the file is empty (0 bytes)"));
        }
        let name = self.file_name();
        let mime = detect_mime(&head, name.as_deref())
            .ok_or_else(|| invalid(self.display_name(), super::UNKNOWN_TYPE))?;
        let kind =
            kind_of(&mime).ok_or_else(|| invalid(self.display_name(), super::UNKNOWN_TYPE))?;
        self.described_len.store(len, Ordering::Relaxed);
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
        let described = self.described_len.load(Ordering::Relaxed);
        self.blocking(move |path| read_at(path, offset, len, buf, described))
            .await
    }
}

/// Largest buffer allocated before the file's length is known; a range
/// request cannot reserve absurd memory up front.
const MAX_UP_FRONT: u64 = 64 << 20;

/// What a non-regular file is, for the error message.
fn kind_name(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    "not a regular file"
}

/// Opens `path` only if it is a regular file (symbolic links followed).
///
/// The type is checked before opening, so a FIFO never blocks `open`, and
/// again on the opened handle, which is what is read: on Unix the open is
/// non-blocking, so a path swapped for a FIFO between the two checks is
/// refused too instead of hanging.
fn open_regular(path: &Path) -> Result<(File, Metadata), OpenError> {
    let before = std::fs::metadata(path)?;
    if !before.is_file() {
        return Err(OpenError::NotRegular(kind_name(&before)));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // No effect on regular files; keeps a swapped-in FIFO from blocking.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(OpenError::NotRegular(kind_name(&meta)));
    }
    Ok((file, meta))
}

/// Reads `[offset, offset + len)` of the regular file at `path`, clipped to
/// its end, into `buf` (resized to what is read). `described` is the length
/// `describe` saw ([`UNKNOWN_LEN`]: not described); a different length now
/// is an error.
fn read_at(
    path: &Path,
    offset: u64,
    len: u64,
    mut buf: Vec<u8>,
    described: u64,
) -> Result<Bytes, OpenError> {
    let (file, meta) = open_regular(path)?;
    let file_len = meta.len();
    if described != UNKNOWN_LEN && described != file_len {
        return Err(OpenError::Changed(described, file_len));
    }
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
        use std::io::{Seek, SeekFrom};
        let mut file = file;
        file.seek(SeekFrom::Start(offset))?;
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
    async fn the_io_error_is_the_source() {
        use std::error::Error as _;
        let dir = tempfile::tempdir().unwrap();
        let err = FileSource::new(dir.path().join("missing.mp4"))
            .describe()
            .await
            .unwrap_err();
        let io = err
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("the io::Error is kept");
        assert_eq!(io.kind(), ErrorKind::NotFound);
    }

    /// Runs `f` with a deadline: a hang is a test failure, not a stuck run.
    async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(std::time::Duration::from_secs(10), f)
            .await
            .unwrap_or_else(|_| panic!("{what}: hung"))
    }

    fn expect_invalid(what: &str, r: Result<impl std::fmt::Debug>, needle: &str) {
        match r {
            Err(Error::InvalidMedia { reason, .. }) => {
                assert!(reason.contains(needle), "{what}: {reason}")
            }
            other => panic!("{what}: expected InvalidMedia ({needle}), got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn special_files_are_refused_before_open() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("clip.mp4");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo failed");
        // A symlink to a FIFO is as bad as the FIFO.
        let link = dir.path().join("link.mp4");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        let sock_path = dir.path().join("s.sock");
        let _sock = std::os::unix::net::UnixListener::bind(&sock_path).unwrap();
        let cases = [
            (fifo.clone(), "FIFO"),
            (link, "FIFO"),
            (sock_path, "socket"),
            (PathBuf::from("/dev/zero"), "character device"),
            (PathBuf::from("/dev/null"), "character device"),
            (dir.path().to_path_buf(), "directory"),
        ];
        for (path, needle) in cases {
            let what = path.display().to_string();
            let src = FileSource::new(&path);
            expect_invalid(&what, within(&what, src.describe()).await, needle);
            expect_invalid(&what, within(&what, src.read_range(0, 16)).await, needle);
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn symlinks_to_regular_files_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = write(&dir, "a.gif", b"GIF89a\x01\0\x01\0\0\0;");
        let link = dir.path().join("link.gif");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let src = FileSource::new(link);
        assert_eq!(src.describe().await.unwrap().len, 13);
        assert_eq!(&src.read_range(0, 6).await.unwrap()[..], b"GIF89a");
    }

    #[tokio::test]
    async fn a_file_that_vanishes_or_changes_after_describe_fails_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let data = b"GIF89a\x01\0\x01\0\0\0;".repeat(100);
        let path = write(&dir, "a.gif", &data);
        let src = FileSource::new(&path);
        src.describe().await.unwrap();
        // A clone (what an upload holds) shares what describe saw.
        let upload = src.clone();

        std::fs::write(&path, &data[..100]).unwrap();
        expect_invalid("shrunk", upload.read_range(0, 200).await, "changed");
        std::fs::write(&path, [&data[..], b"more"].concat()).unwrap();
        expect_invalid("grown", upload.read_range(0, 200).await, "changed");

        std::fs::remove_file(&path).unwrap();
        expect_invalid(
            "vanished",
            upload.read_range(0, 200).await,
            "does not exist",
        );
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
