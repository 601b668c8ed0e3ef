//! A process killed mid-upload (SIGKILL, no cleanup) and started again
//! resumes from the platform's offset with the same idempotency key: one
//! post, one upload session, at most one chunk sent twice.
//!
//! The child is this test binary re-executed with `CREATORSYNC_RESUME_CHILD`
//! set, running the ignored `child_publishes` test: it publishes an X video
//! in 256 KiB segments (the emulator delays each APPEND) with the SQLite
//! store at a temp file and prints a line per accepted segment; the parent
//! kills it after two segments, then publishes the same request itself.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use creatorsync::auth::Apps;
use creatorsync::upload::UploadConfig;
use creatorsync::{
    CreatorSync, EndpointSet, FileSource, KeyRing, Media, Platform, Post, ProgressEvent,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

const CHILD_ENV: &str = "CREATORSYNC_RESUME_CHILD";
const CHUNK: u64 = 256 * 1024;
const SEGMENTS: u64 = 8;
const REQUEST: &str = "resume-after-sigkill";
const USER: &str = "u1";

async fn client(endpoints: EndpointSet, db: &Path) -> CreatorSync {
    CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(endpoints)
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .sqlite(db, Some(KeyRing::new("k1", &[4u8; 32]).unwrap()))
        .upload(UploadConfig {
            chunk_size: CHUNK,
            concurrency: 1,
            retry_backoff: Duration::from_millis(10),
            ..UploadConfig::default()
        })
        // A killed worker's lease runs out quickly.
        .lease_ttl(Duration::from_millis(500))
        .build()
        .await
        .expect("client")
}

/// An MP4-typed file of `SEGMENTS` segments.
fn write_video(path: &Path) {
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    bytes.extend(
        (0..)
            .map(|i: u64| (i % 251) as u8)
            .take((SEGMENTS * CHUNK) as usize - bytes.len()),
    );
    std::fs::write(path, bytes).unwrap();
}

async fn post(file: &Path) -> Post {
    Post::text("a video that survives a SIGKILL")
        .with_media(Media::new(FileSource::new(file)).await.expect("media"))
}

/// The child role: publish and report every accepted segment on stderr.
#[tokio::test]
#[ignore = "run by resume_after_sigkill as a child process"]
async fn child_publishes() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = Path::new(&dir);
    let endpoints: EndpointSet =
        serde_json::from_str(&std::fs::read_to_string(dir.join("endpoints.json")).unwrap())
            .unwrap();
    let sync = client(endpoints, &dir.join("cs.db")).await;
    let post = post(&dir.join("video.mp4")).await;
    let report = sync
        .publish(USER, &post)
        .idempotency_key(REQUEST)
        .on_progress(|e| {
            if let ProgressEvent::Uploading { sent, total, .. } = e {
                eprintln!("PROGRESS {sent} {total}");
            }
        })
        .await;
    eprintln!("DONE {:?}", report.map(|r| r.published().count()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_sigkill() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cs.db");
    write_video(&dir.path().join("video.mp4"));
    std::fs::write(
        dir.path().join("endpoints.json"),
        serde_json::to_string(emu.endpoints()).unwrap(),
    )
    .unwrap();
    {
        let sync = client(emu.endpoints().clone(), &db).await;
        let req = sync
            .connector()
            .begin(USER, Platform::X, "http://127.0.0.1:9/callback")
            .await
            .unwrap();
        let callback = emu.approve(req.url.as_str()).await.unwrap();
        sync.connector()
            .complete_from_url(USER, Platform::X, &callback)
            .await
            .unwrap();
    }
    // Each APPEND waits before it is handled: the child is slow enough to
    // be killed mid-upload.
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::Latency { millis: 300 })
            .always()
            .on_path("/append"),
    );

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_publishes", "--ignored", "--nocapture"])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("child");
    let stderr = child.stderr.take().unwrap();
    let killed_at = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            lines.push(line.clone());
            if let Some(rest) = line.strip_prefix("PROGRESS ") {
                let sent: u64 = rest.split(' ').next().unwrap().parse().unwrap();
                if sent >= 2 * CHUNK {
                    // SIGKILL: no destructor, no flush, no goodbye.
                    child.kill().unwrap();
                    child.wait().unwrap();
                    return sent;
                }
            }
        }
        child.wait().unwrap();
        panic!("the child ended before two segments: {lines:#?}");
    })
    .await
    .unwrap();
    assert!(killed_at < SEGMENTS * CHUNK, "killed before the end");
    let before_restart = emu.record().chunks_for(Platform::X);
    assert!(
        emu.record().posts_for(Platform::X).is_empty(),
        "no post yet"
    );

    // Restart: the same request on the same file, after the dead lease.
    emu.faults().clear(Platform::X);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let sync = client(emu.endpoints().clone(), &db).await;
    let post = post(&dir.path().join("video.mp4")).await;
    let report = sync
        .publish(USER, &post)
        .idempotency_key(REQUEST)
        .await
        .expect("publish");
    assert_eq!(report.published().count(), 1, "{report:#?}");

    assert_eq!(emu.record().posts_for(Platform::X).len(), 1, "one post");
    let chunks = emu.record().chunks_for(Platform::X);
    let ids: std::collections::BTreeSet<_> = chunks.iter().map(|c| &c.upload_id).collect();
    assert_eq!(ids.len(), 1, "one upload session, resumed: {chunks:#?}");
    let after = &chunks[before_restart.len()..];
    let first_resumed = after.first().expect("the restart sent the rest");
    let acked_before = before_restart.iter().filter(|c| c.complete).count() as u64;
    assert!(acked_before >= 2, "{before_restart:#?}");
    assert!(
        first_resumed.offset + CHUNK >= acked_before * CHUNK,
        "resumed from the platform's offset, not byte 0: {chunks:#?}"
    );
    let complete: Vec<u64> = chunks
        .iter()
        .filter(|c| c.complete)
        .map(|c| c.offset)
        .collect();
    let distinct: std::collections::BTreeSet<_> = complete.iter().collect();
    assert_eq!(
        distinct.len() as u64,
        SEGMENTS,
        "every segment arrived: {chunks:#?}"
    );
    eprintln!(
        "resume: {acked_before} of {SEGMENTS} segments acknowledged before the kill, \
         resumed at offset {}, {} sent twice",
        first_resumed.offset,
        complete.len() - distinct.len()
    );
    assert!(
        complete.len() - distinct.len() <= 1,
        "at most one segment sent twice: {chunks:#?}"
    );
}
