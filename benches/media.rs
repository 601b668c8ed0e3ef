//! Media probing and fit-ups (issue 21). Prints one JSON line per figure.
//! Run (release, the figures in docs/benchmarks.md):
//! `cargo bench --bench media`.
//!
//! - probe of a 1 GiB MP4 with `moov` at the end, from a sparse file:
//!   bytes read (target < 1 MiB), reads, time (target < 5 ms);
//! - faststart of that file: peak resident memory of the process during the
//!   rewrite (VmHWM, reset just before; target < 64 MiB) and time;
//! - fitting a 24-megapixel JPEG (8000×3000) to Instagram (padded into
//!   1.91:1, re-encoded under 8 MiB): time.
#![allow(clippy::print_stdout, missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use creatorsync_core::media::fit::{faststart_media, fit_image_bytes};
use creatorsync_core::media::{FileSource, MediaInfo, MediaSource, probe};
use creatorsync_core::testing::SampleMp4;
use creatorsync_core::{Media, Result};

const GIB: u64 = 1024 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;

/// A source counting what is read from it.
#[derive(Debug)]
struct Counting {
    inner: FileSource,
    bytes: AtomicU64,
    reads: AtomicU64,
}

#[async_trait]
impl MediaSource for Counting {
    async fn describe(&self) -> Result<MediaInfo> {
        self.inner.describe().await
    }
    async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes> {
        let b = self.inner.read_range(offset, len).await?;
        self.bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
        self.reads.fetch_add(1, Ordering::Relaxed);
        Ok(b)
    }
}

/// A `/proc/self/status` field in KiB (Linux).
fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets VmHWM to the current RSS (Linux `clear_refs` value 5).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.mp4");
    // 10 minutes at 30 fps, 1 GiB of media data (a hole), moov at the end.
    let sample = SampleMp4::new(600, 1920, 1080)
        .payload_bytes(GIB)
        .moov_at_end();
    sample
        .write_sparse(&mut std::fs::File::create(&path).expect("create"))
        .expect("write sparse");
    let len = std::fs::metadata(&path).expect("stat").len();

    // Probe: bytes and reads of one probe, median time of 50.
    let src = Counting {
        inner: FileSource::new(&path),
        bytes: AtomicU64::new(0),
        reads: AtomicU64::new(0),
    };
    let p = rt.block_on(probe(&src)).expect("probe");
    assert_eq!(p.faststart(), Some(false));
    let (bytes, reads) = (
        src.bytes.load(Ordering::Relaxed),
        src.reads.load(Ordering::Relaxed),
    );
    let times: Vec<f64> = (0..50)
        .map(|_| {
            let t = Instant::now();
            rt.block_on(probe(&src)).expect("probe");
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "{{\"bench\":\"media_probe\",\"file_bytes\":{len},\"moov_bytes\":{},\"bytes_read\":{bytes},\"reads\":{reads},\"median_ms\":{:.3},\"target_bytes_read\":{},\"target_ms\":5}}",
        p.moov.map_or(0, |m| m.size),
        median(times),
        MIB
    );

    // Faststart: peak RSS during the rewrite (reset first), time.
    let media = rt
        .block_on(Media::new(FileSource::new(&path)))
        .expect("media");
    let before = status_kib("VmRSS:").unwrap_or(0);
    let reset = reset_peak();
    let t = Instant::now();
    let fitted = rt.block_on(faststart_media(&media)).expect("faststart");
    let secs = t.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:").unwrap_or(0);
    assert_eq!(fitted.probe().and_then(|p| p.faststart()), Some(true));
    assert_eq!(fitted.info().len, len);
    println!(
        "{{\"bench\":\"media_faststart\",\"file_bytes\":{len},\"seconds\":{secs:.2},\"mib_per_s\":{:.0},\"rss_before_mib\":{:.1},\"peak_rss_mib\":{:.1},\"peak_reset\":{reset},\"target_peak_mib\":64}}",
        len as f64 / MIB as f64 / secs,
        before as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    drop(fitted);
    drop(media);

    // Fit a 24-megapixel JPEG to Instagram.
    let img = image::RgbImage::from_fn(8000, 3000, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x ^ y) % 256) as u8])
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .expect("encode");
    let jpeg = jpeg.into_inner();
    drop(img);
    let runs = 3;
    let mut out_len = 0;
    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let out = fit_image_bytes(&jpeg, Some((0.8, 1.91)), None, 8 * MIB).expect("fit");
            out_len = out.len();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "{{\"bench\":\"media_fit_jpeg\",\"megapixels\":24,\"from\":\"8000x3000\",\"to_aspect\":1.91,\"in_bytes\":{},\"out_bytes\":{out_len},\"runs\":{runs},\"median_ms\":{:.0}}}",
        jpeg.len(),
        median(times)
    );
}
