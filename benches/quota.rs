//! A publish to a target whose quota is used up (issue 18), printed as
//! JSON lines: it must cost no upload (0 bytes reach the platform) and
//! return in under a millisecond of SDK time.
//!
//! YouTube's upload quota is lowered to 1 on both sides; after one video
//! the bench publishes a 64 MiB video again and again and reports the
//! median and worst SDK time per publish and the bytes the emulator saw.
//!
//! `cargo bench --bench quota`

use std::sync::Arc;
use std::time::Instant;

use creatorsync::auth::Apps;
use creatorsync::publish_log::MemoryPublishLog;
use creatorsync::{
    BytesSource, CreatorSync, Error, Media, MemoryKeyValueStore, MemoryTokenStore, Platform, Post,
};
use creatorsync_emulator::{Emulator, EmulatorConfig};

const USER: &str = "bench-user";
const RUNS: usize = 200;

fn mp4(len: usize) -> Vec<u8> {
    let mut v = vec![
        0, 0, 0, 0x20, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0,
    ];
    v.extend_from_slice(b"isomiso2avc1mp41");
    v.resize(len, 0x42);
    v
}

#[tokio::main]
async fn main() {
    let emu = Emulator::start(EmulatorConfig {
        youtube_uploads_per_day: 1,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let sync = CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(emu.endpoints().clone())
        .state_secret(*b"bench-state-secret-0123456789abcdef")
        .store(Arc::new(MemoryTokenStore::new()))
        .publish_log(Arc::new(MemoryPublishLog::new()))
        .quota_store(Arc::new(MemoryKeyValueStore::new()))
        .quota_limit(Platform::YouTube, "uploads", 1)
        .build()
        .await
        .expect("client");
    let req = sync
        .connector()
        .begin(USER, Platform::YouTube, "http://127.0.0.1:9/callback")
        .await
        .expect("begin");
    let callback = emu.approve(req.url.as_str()).await.expect("approve");
    sync.connector()
        .complete_from_url(USER, Platform::YouTube, &callback)
        .await
        .expect("connect");
    let video = bytes::Bytes::from(mp4(64 * 1024 * 1024));
    let post = |n: usize, video: bytes::Bytes| async move {
        let mut p = Post::text(format!("bench {n}")).with_media(
            Media::new(BytesSource::new(video, None))
                .await
                .expect("media"),
        );
        p.options.youtube.title = Some(format!("bench {n}"));
        p
    };
    let first = post(0, video.clone()).await;
    let report = sync
        .publish(USER, &first)
        .targets([Platform::YouTube])
        .await
        .expect("first publish");
    assert!(report.failed().next().is_none(), "{report:?}");
    let mark = emu.record().mark();
    let chunk_bytes = || -> u64 {
        emu.record()
            .chunks_for(Platform::YouTube)
            .iter()
            .map(|c| c.len)
            .sum()
    };
    let bytes_before = chunk_bytes();
    let mut times = Vec::with_capacity(RUNS);
    for n in 1..=RUNS {
        let p = post(n, video.clone()).await;
        let t = Instant::now();
        let report = sync
            .publish(USER, &p)
            .targets([Platform::YouTube])
            .await
            .expect("publish call");
        times.push(t.elapsed());
        let (_, e) = report.failed().next().expect("refused");
        assert!(matches!(e, Error::QuotaExhausted { .. }), "{e}");
    }
    let sent = emu.record().requests_since(mark);
    let bytes = chunk_bytes() - bytes_before;
    times.sort();
    let us = |d: std::time::Duration| d.as_secs_f64() * 1e6;
    println!(
        "{}",
        serde_json::json!({
            "bench": "quota_exhausted_publish",
            "video_mib": 64,
            "runs": RUNS,
            "median_us": us(times[RUNS / 2]),
            "p99_us": us(times[RUNS * 99 / 100]),
            "max_us": us(times[RUNS - 1]),
            "requests_to_platform": sent.len(),
            "bytes_to_platform": bytes,
        })
    );
    emu.shutdown().await;
}
