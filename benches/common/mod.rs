//! Shared pieces of the upload benchmarks: a generated test file, a
//! positional-read file source, peak RSS, child processes (so each client's
//! peak RSS is its own), and the raw streaming PUT that gives the loopback
//! ceiling.
#![allow(dead_code, unreachable_pub)]

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use creatorsync::{MediaInfo, MediaKind, MediaSource};
use futures::StreamExt;
use serde_json::Value;

/// Environment variable that turns the bench binary into a child running one role.
pub const CHILD_ENV: &str = "CS_BENCH_CHILD";

/// Bytes in a MiB.
pub const MIB: u64 = 1024 * 1024;

/// Creates a sparse file of `len` bytes (reads as zeros, costs no disk).
pub fn sparse_file(dir: &Path, len: u64) -> PathBuf {
    let path = dir.join("bench-video.mp4");
    let f = File::create(&path).expect("create bench file");
    f.set_len(len).expect("size bench file");
    path
}

/// A file read with positional reads on the blocking pool.
#[derive(Debug, Clone)]
pub struct FileSource {
    file: Arc<File>,
    len: u64,
}

impl FileSource {
    /// Opens `path`.
    pub fn open(path: &Path) -> Self {
        let file = File::open(path).expect("open bench file");
        let len = file.metadata().expect("stat").len();
        Self {
            file: Arc::new(file),
            len,
        }
    }
}

#[async_trait]
impl MediaSource for FileSource {
    async fn describe(&self) -> creatorsync::Result<MediaInfo> {
        Ok(MediaInfo {
            len: self.len,
            mime: "video/mp4".into(),
            name: Some("bench-video.mp4".into()),
            kind: MediaKind::Video,
        })
    }

    async fn read_range(&self, offset: u64, len: u64) -> creatorsync::Result<Bytes> {
        let file = self.file.clone();
        let n = len.min(self.len.saturating_sub(offset));
        tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; usize::try_from(n).unwrap_or(0)];
            file.read_exact_at(&mut buf, offset)
                .map(|()| Bytes::from(buf))
        })
        .await
        .map_err(|e| creatorsync::Error::store(e.to_string()))?
        .map_err(|e| creatorsync::Error::store(e.to_string()))
    }
}

/// A streaming body of `[offset, offset + len)` of `path`, read in 1 MiB
/// pieces (what `curl -T` does, without any SDK logic).
pub fn raw_body(path: &Path, offset: u64, len: u64) -> reqwest::Body {
    let file = Arc::new(File::open(path).expect("open bench file"));
    let piece = MIB;
    let starts = (0..len.div_ceil(piece)).map(move |i| offset + i * piece);
    let end = offset + len;
    let stream = futures::stream::iter(starts)
        .map(move |start| {
            let file = file.clone();
            let n = piece.min(end - start);
            async move {
                tokio::task::spawn_blocking(move || {
                    let mut buf = vec![0u8; usize::try_from(n).unwrap_or(0)];
                    file.read_exact_at(&mut buf, start)
                        .map(|()| Bytes::from(buf))
                })
                .await
                .map_err(std::io::Error::other)?
            }
        })
        .buffered(2);
    reqwest::Body::wrap_stream(stream)
}

/// Peak resident set of this process in MiB (VmHWM).
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Runs this bench binary again as a child with `role` and `env`; returns
/// the JSON object it prints last.
pub fn run_child(role: &str, env: &[(&str, String)]) -> Value {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = Command::new(exe);
    cmd.env(CHILD_ENV, role);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run child");
    assert!(
        out.status.success(),
        "child {role} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .expect("child printed a JSON line")
}

/// MiB/s of `bytes` in `started.elapsed()`.
pub fn mib_s(bytes: u64, started: Instant) -> f64 {
    bytes as f64 / MIB as f64 / started.elapsed().as_secs_f64()
}

/// Prints one JSON line.
pub fn emit(v: &Value) {
    #[allow(clippy::print_stdout)]
    {
        println!("{v}");
    }
}

/// A tokio runtime for a bench process.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
