//! The emulator's own upload benchmark: spawns the emulator binary, drives
//! one 1 GiB YouTube resumable upload in 64 MiB chunks over loopback and
//! reports throughput and the emulator process's peak RSS (VmHWM).
//!
//! Targets: ≥ 1 GB/s on one chunked stream, peak RSS < 64 MiB.
//! Run: `cargo bench -p creatorsync-emulator --bench emulator`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use bytes::Bytes;
use serde_json::{Value, json};

/// Total upload size.
const TOTAL: u64 = 1 << 30;
/// Chunk size (a multiple of 256 KiB).
const CHUNK: u64 = 64 << 20;
/// Size of the repeated buffer a chunk body is made of.
const PIECE: usize = 1 << 20;

fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn run(youtube: &str) -> Result<f64, Box<dyn std::error::Error>> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let auth = http
        .get(format!("{youtube}/o/oauth2/v2/auth"))
        .query(&[
            ("client_id", "cs-test-youtube"),
            ("redirect_uri", "http://127.0.0.1:9/cb"),
            ("response_type", "code"),
            ("scope", "https://www.googleapis.com/auth/youtube.upload"),
            ("state", "bench"),
        ])
        .send()
        .await?;
    let location = auth
        .headers()
        .get("location")
        .ok_or("no redirect")?
        .to_str()?;
    let code = url::Url::parse(location)?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or("no code")?;
    let token: Value = http
        .post(format!("{youtube}/token"))
        .form(&[
            ("code", code.as_str()),
            ("client_id", "cs-test-youtube"),
            ("client_secret", "cs-test-youtube-secret"),
            ("redirect_uri", "http://127.0.0.1:9/cb"),
            ("grant_type", "authorization_code"),
        ])
        .send()
        .await?
        .json()
        .await?;
    let at = token["access_token"].as_str().ok_or("no token")?.to_owned();
    let start = http
        .post(format!(
            "{youtube}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status"
        ))
        .bearer_auth(&at)
        .header("x-upload-content-length", TOTAL.to_string())
        .header("x-upload-content-type", "video/mp4")
        .json(&json!({"snippet": {"title": "bench"}, "status": {"privacyStatus": "private"}}))
        .send()
        .await?;
    let session = start
        .headers()
        .get("location")
        .ok_or("no session")?
        .to_str()?
        .to_owned();
    let piece = Bytes::from((0..PIECE).map(|i| (i % 251) as u8).collect::<Vec<u8>>());
    let began = Instant::now();
    let mut offset = 0u64;
    while offset < TOTAL {
        let len = CHUNK.min(TOTAL - offset);
        let pieces = usize::try_from(len / PIECE as u64)?;
        let p = piece.clone();
        let body =
            futures::stream::iter((0..pieces).map(move |_| Ok::<_, std::io::Error>(p.clone())));
        let r = http
            .put(&session)
            .header("content-length", len.to_string())
            .header(
                "content-range",
                format!("bytes {offset}-{}/{TOTAL}", offset + len - 1),
            )
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await?;
        let status = r.status().as_u16();
        let _ = r.bytes().await?;
        offset += len;
        let expected = if offset == TOTAL { 201 } else { 308 };
        if status != expected {
            return Err(format!("chunk ending at {offset}: status {status}").into());
        }
    }
    Ok(began.elapsed().as_secs_f64())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_creatorsync-emulator"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let ann: Value = serde_json::from_str(&line)?;
    let youtube = ann["youtube"]["api"]
        .as_str()
        .ok_or("no youtube endpoint")?
        .trim_end_matches('/')
        .to_owned();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(run(&youtube));
    let rss = peak_rss_mib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let secs = result?;
    let mib_per_s = TOTAL as f64 / (1024.0 * 1024.0) / secs;
    let out = json!({
        "bench": "emulator_upload",
        "bytes": TOTAL,
        "seconds": secs,
        "mib_per_s": (mib_per_s * 10.0).round() / 10.0,
        "emulator_peak_rss_mib": rss.map(|r| (r * 10.0).round() / 10.0),
    });
    writeln!(std::io::stdout(), "{out}")?;
    Ok(())
}
