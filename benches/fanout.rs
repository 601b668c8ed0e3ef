//! Publisher fan-out (issue 7), printed as JSON lines.
//!
//! 1. With 50 ms of latency injected on every emulator response: time to
//!    publish one post to all six platforms vs each platform alone (target:
//!    all six ≤ 1.05 × the slowest single platform).
//! 2. 1,000 concurrent text publishes: throughput and the process's peak RSS
//!    (the in-process emulator included, so the figure is an upper bound).
//!
//! `cargo bench --bench fanout`

use std::sync::Arc;
use std::time::{Duration, Instant};

use creatorsync::auth::Apps;
use creatorsync::media_host::ObjectStoreMediaHost;
use creatorsync::publish_log::MemoryPublishLog;
use creatorsync::upload::PollConfig;
use creatorsync::{
    BytesSource, CreatorSync, Media, MemoryTokenStore, Platform, Post, PublishLog, Target,
    TikTokPrivacy,
};
use creatorsync_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, MediaServer, RunningEmulator,
};

const USER: &str = "bench-user";

fn targets() -> Vec<Target> {
    vec![
        Target::Platform(Platform::X),
        Target::Account {
            platform: Platform::LinkedIn,
            account_id: "li-demo-person".into(),
        },
        Target::Account {
            platform: Platform::Facebook,
            account_id: "1001".into(),
        },
        Target::Platform(Platform::Instagram),
        Target::Platform(Platform::YouTube),
        Target::Platform(Platform::TikTok),
    ]
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn mp4(len: usize) -> Vec<u8> {
    let mut v = vec![
        0, 0, 0, 0x20, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0,
    ];
    v.extend_from_slice(b"isomiso2avc1mp41");
    v.resize(len, 0x42);
    v
}

async fn client(
    emu: &RunningEmulator,
    public: &std::path::Path,
    media: &MediaServer,
) -> CreatorSync {
    let host = ObjectStoreMediaHost::local(public, media.url().clone()).expect("media host");
    let sync = CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(emu.endpoints().clone())
        .state_secret(*b"bench-state-secret-0123456789abcdef")
        .store(Arc::new(MemoryTokenStore::new()))
        .publish_log(Arc::new(MemoryPublishLog::new()) as Arc<dyn PublishLog>)
        .media_host(Arc::new(host))
        .concurrency(8, 1024)
        .poll(PollConfig {
            initial: Duration::from_millis(10),
            max_interval: Duration::from_millis(50),
            deadline: Duration::from_secs(120),
        })
        .build()
        .await
        .expect("client");
    for p in Platform::ALL {
        let req = sync
            .connector()
            .begin(USER, p, "http://127.0.0.1:9/cb")
            .await
            .expect("begin");
        let cb = emu.approve(req.url.as_str()).await.expect("approve");
        sync.connector()
            .complete_from_url(USER, p, &cb)
            .await
            .expect("connect");
    }
    sync
}

#[tokio::main]
async fn main() {
    let config = EmulatorConfig {
        processing_delay: Duration::from_millis(10),
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(config).await.expect("emulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let media = MediaServer::start(dir.path()).await.expect("media server");
    let sync = client(&emu, dir.path(), &media).await;

    // 1. Fan-out with 50 ms per response.
    for p in Platform::ALL {
        emu.faults()
            .inject(p, Fault::once(FaultKind::Latency { millis: 50 }).always());
    }
    let video = Media::new(BytesSource::new(
        mp4(512 * 1024).into(),
        Some("clip.mp4".into()),
    ))
    .await
    .expect("media");
    let mut post = Post::text("fan-out bench").with_media(video);
    post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
    post.options.tiktok.disable_stitch = true;
    post.options.youtube.title = Some("bench".into());
    let mut slowest = Duration::ZERO;
    for (i, t) in targets().into_iter().enumerate() {
        let mut p = post.clone();
        p.text = format!("single {i}");
        let started = Instant::now();
        let report = sync
            .publish(USER, &p)
            .targets([t.clone()])
            .await
            .expect("publish");
        let took = started.elapsed();
        assert!(report.all_ok(), "{report:#?}");
        println!(
            "{{\"bench\":\"fanout_single\",\"target\":\"{t}\",\"ms\":{:.1}}}",
            took.as_secs_f64() * 1e3
        );
        slowest = slowest.max(took);
    }
    let mut all = Vec::new();
    for round in 0..3 {
        let mut p = post.clone();
        p.text = format!("all six, round {round}");
        let started = Instant::now();
        let report = sync
            .publish(USER, &p)
            .targets(targets())
            .await
            .expect("publish");
        assert!(report.all_ok(), "{report:#?}");
        all.push(started.elapsed());
    }
    all.sort();
    let median = all[1];
    println!(
        "{{\"bench\":\"fanout_six\",\"latency_ms\":50,\"all_six_ms\":{:.1},\"slowest_single_ms\":{:.1},\"ratio\":{:.3}}}",
        median.as_secs_f64() * 1e3,
        slowest.as_secs_f64() * 1e3,
        median.as_secs_f64() / slowest.as_secs_f64()
    );
    for p in Platform::ALL {
        emu.faults().clear(p);
    }

    // 2. 1,000 concurrent text publishes to a Facebook page.
    let n = 1000;
    let started = Instant::now();
    let runs = (0..n).map(|i| {
        let sync = sync.clone();
        tokio::spawn(async move {
            let post = Post::text(format!("concurrent post {i}"));
            sync.publish(USER, &post)
                .targets([Target::Account {
                    platform: Platform::Facebook,
                    account_id: "1001".into(),
                }])
                .await
                .map(|r| r.all_ok())
        })
    });
    let results = futures::future::join_all(runs).await;
    let took = started.elapsed();
    let ok = results.iter().filter(|r| matches!(r, Ok(Ok(true)))).count();
    println!(
        "{{\"bench\":\"concurrent_publishes\",\"publishes\":{n},\"ok\":{ok},\"seconds\":{:.2},\"per_second\":{:.0},\"peak_rss_mib\":{:.1}}}",
        took.as_secs_f64(),
        f64::from(n) / took.as_secs_f64(),
        peak_rss_mib()
    );
    drop(media);
    emu.shutdown().await;
}
