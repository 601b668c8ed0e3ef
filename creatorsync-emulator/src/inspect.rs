//! What is inside received media, checked the way the platforms check it:
//! the core's [`probe`] run over the first bytes the emulator keeps while
//! streaming ([`HEAD_KEEP`]), never over a whole upload held in memory.
//!
//! A video's `moov` box counts as first only if the probe finds it within
//! those bytes before any media data: a progressive reader (and Instagram's
//! "moov atom at the front" rule) needs it there. A file the probe cannot
//! read for another reason (not media, a broken box) is not judged.

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use creatorsync_core::media::{MediaInfo, MediaSource, probe};
use creatorsync_core::{Error, MediaKind, Result};

use crate::body::HEAD_KEEP;
use crate::record::Inspected;

/// A file of `len` bytes of which only `head` is known.
#[derive(Debug)]
struct Head<'a> {
    head: &'a [u8],
    len: u64,
    /// Whether the probe asked for bytes past the head.
    past_head: AtomicBool,
}

#[async_trait]
impl MediaSource for Head<'_> {
    async fn describe(&self) -> Result<MediaInfo> {
        Ok(MediaInfo {
            len: self.len,
            mime: "application/octet-stream".to_owned(),
            name: Some("received".to_owned()),
            kind: MediaKind::Image,
        })
    }

    async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes> {
        let end = offset.saturating_add(len).min(self.len);
        match (usize::try_from(offset), usize::try_from(end)) {
            (Ok(from), Ok(to)) if from <= to && to <= self.head.len() => {
                Ok(Bytes::copy_from_slice(&self.head[from..to]))
            }
            _ => {
                self.past_head.store(true, Ordering::Relaxed);
                Err(Error::invalid_media(
                    "received",
                    format!("bytes past the first {HEAD_KEEP} are not kept"),
                ))
            }
        }
    }
}

/// What `head` (the first bytes of a `len`-byte file) shows.
pub(crate) async fn inspect(head: &[u8], len: u64) -> Inspected {
    let source = Head {
        head,
        len,
        past_head: AtomicBool::new(false),
    };
    match probe(&source).await {
        Ok(p) => {
            let (width, height) = p.display_size().unzip();
            Inspected {
                duration_ms: p.duration_secs.map(|d| (d * 1000.0).round() as u64),
                moov_first: p.faststart(),
                format: p.format,
                width,
                height,
            }
        }
        // An MP4 whose moov is not within the head: not first.
        Err(_)
            if head.get(4..8) == Some(b"ftyp".as_slice())
                && source.past_head.load(Ordering::Relaxed) =>
        {
            Inspected {
                format: "mp4".to_owned(),
                moov_first: Some(false),
                ..Inspected::default()
            }
        }
        Err(_) => Inspected::default(),
    }
}

impl Inspected {
    /// Displayed width / height, when both are known.
    pub fn aspect(&self) -> Option<f64> {
        match (self.width, self.height) {
            (Some(w), Some(h)) if h > 0 => Some(f64::from(w) / f64::from(h)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use creatorsync_core::testing::SampleMp4;

    use super::*;

    #[tokio::test]
    async fn moov_position_and_image_size_from_the_head() {
        let first = SampleMp4::new(2, 1080, 1920).to_bytes();
        let seen = inspect(&first, first.len() as u64).await;
        assert_eq!(seen.moov_first, Some(true));
        assert_eq!((seen.width, seen.height), (Some(1080), Some(1920)));
        assert_eq!(seen.duration_ms, Some(2000));

        // moov after 2 MiB of media data: only the head is kept.
        let end = SampleMp4::new(10, 1080, 1920)
            .payload_bytes(2 * 1024 * 1024)
            .moov_at_end()
            .to_bytes();
        let head = &end[..HEAD_KEEP];
        let seen = inspect(head, end.len() as u64).await;
        assert_eq!(
            (seen.format.as_str(), seen.moov_first),
            ("mp4", Some(false))
        );
        // Small enough to be kept whole, moov at the end is still seen.
        let small = SampleMp4::new(2, 640, 360).moov_at_end().to_bytes();
        let seen = inspect(&small, small.len() as u64).await;
        assert_eq!(seen.moov_first, Some(false));

        let mut png = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(500, 100)
            .write_to(&mut png, image::ImageFormat::Png)
            .unwrap();
        let png = png.into_inner();
        let seen = inspect(&png, png.len() as u64).await;
        assert_eq!(
            (seen.format.as_str(), seen.width, seen.height),
            ("png", Some(500), Some(100))
        );
        assert!((seen.aspect().unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(inspect(b"not media", 9).await, Inspected::default());
        // An ftyp followed by filler (no real boxes) is not judged.
        let mut fake = first[..32].to_vec();
        fake.resize(4096, 0x42);
        assert_eq!(inspect(&fake, 4096).await.moov_first, None);
    }
}
