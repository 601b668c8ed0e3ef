//! Shared pieces of the upload benchmarks: a generated test file, peak RSS, child processes (so each client's
//! peak RSS is its own), and the raw streaming PUT that gives the loopback
//! ceiling.
#![allow(dead_code, unreachable_pub)]

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures::StreamExt;
use serde_json::Value;

/// Environment variable that turns the bench binary into a child running one role.
pub const CHILD_ENV: &str = "CS_BENCH_CHILD";

/// Bytes in a MiB.
pub const MIB: u64 = 1024 * 1024;

/// Creates a sparse file of `len` bytes (reads as zeros, costs no disk).
pub fn sparse_file(dir: &Path, len: u64) -> PathBuf {
    let path = dir.join(format!("bench-video-{len}.mp4"));
    let f = File::create(&path).expect("create bench file");
    f.set_len(len).expect("size bench file");
    path
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

/// One benchmark case: a label, the child role, and its file.
#[derive(Debug, Clone)]
pub struct Case {
    /// Label in the output.
    pub label: &'static str,
    /// Child role.
    pub role: &'static str,
    /// The file to upload.
    pub file: PathBuf,
}

/// Runs every case `repeat` times, round-robin (so machine noise spreads
/// over all cases), each in a fresh child with `env(case) + CS_BENCH_FILE`;
/// prints every run and returns per case
/// `{label, runs, median_mib_s, peak_rss_mib_max}`.
pub fn run_cases(
    cases: &[Case],
    repeat: usize,
    mut env: impl FnMut(&Case) -> Vec<(&'static str, String)>,
) -> Vec<Value> {
    let mut speeds: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let mut rss: Vec<f64> = vec![0.0; cases.len()];
    for _ in 0..repeat.max(1) {
        for (i, case) in cases.iter().enumerate() {
            let mut e = env(case);
            e.push(("CS_BENCH_FILE", case.file.display().to_string()));
            let mut r = run_child(case.role, &e);
            r["case"] = Value::from(case.label);
            emit(&r);
            speeds[i].push(r["mib_s"].as_f64().unwrap_or(f64::NAN));
            rss[i] = rss[i].max(r["peak_rss_mib"].as_f64().unwrap_or(0.0));
        }
    }
    cases
        .iter()
        .zip(speeds)
        .zip(rss)
        .map(|((case, mut v), rss)| {
            v.sort_by(f64::total_cmp);
            serde_json::json!({
                "label": case.label,
                "runs": v.len(),
                "median_mib_s": v[v.len() / 2],
                "peak_rss_mib_max": rss,
            })
        })
        .collect()
}

/// Repeats per case (`CS_BENCH_REPEAT`, default 3) and file size in MiB
/// (`CS_BENCH_MIB`, default 1024).
pub fn settings() -> (usize, u64) {
    let get = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    (
        usize::try_from(get("CS_BENCH_REPEAT", 3)).unwrap_or(3),
        get("CS_BENCH_MIB", 1024),
    )
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
