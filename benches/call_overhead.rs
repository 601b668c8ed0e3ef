//! The Rust side of the bindings' fixed cost per call (issue 17), printed
//! as JSON lines; `benches/node/call_overhead.mjs` and
//! `benches/python/bench_call_overhead.py` time the same calls from Node
//! and Python, and the difference is what a binding adds.
//!
//! 1. `status` of a user with no accounts (memory store): the call and
//!    nothing else.
//! 2. A text post to six targets (X, LinkedIn member + 2 organizations,
//!    2 Facebook Pages) on the in-process emulator.
//!
//! `cargo bench --bench call_overhead`

use std::sync::Arc;
use std::time::{Duration, Instant};

use creatorsync::auth::Apps;
use creatorsync::publish_log::MemoryPublishLog;
use creatorsync::{CreatorSync, MemoryTokenStore, Platform, Post};
use creatorsync_emulator::{Emulator, EmulatorConfig};

const USER: &str = "bench-user";

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() {
    let emu = Emulator::start(EmulatorConfig {
        x_tweets_per_window: u64::MAX,
        linkedin_member_daily_posts: u64::MAX,
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
        .quota_limit(Platform::X, "posts", u32::MAX)
        .build()
        .await
        .expect("client");

    let n = 20_000;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let s = sync.tokens().status("nobody").await.expect("status");
        times.push(t.elapsed());
        assert!(s.is_empty());
    }
    println!(
        "{}",
        serde_json::json!({"bench": "call_overhead", "lang": "rust", "call": "status, no accounts", "calls": n, "median_us": median(times)})
    );

    for p in [Platform::X, Platform::LinkedIn, Platform::Facebook] {
        let req = sync
            .connector()
            .begin(USER, p, "http://127.0.0.1:9/callback")
            .await
            .expect("begin");
        let cb = emu.approve(req.url.as_str()).await.expect("approve");
        sync.connector()
            .complete_from_url(USER, p, &cb)
            .await
            .expect("connect");
    }
    let n = 300;
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let post = Post::text(format!("bench text post {i}"));
        let t = Instant::now();
        let report = sync
            .publish(USER, &post)
            .targets([Platform::X, Platform::LinkedIn, Platform::Facebook])
            .await
            .expect("publish");
        times.push(t.elapsed());
        assert_eq!(report.published().count(), 6, "{report:?}");
    }
    println!(
        "{}",
        serde_json::json!({"bench": "call_overhead", "lang": "rust", "call": "text publish, 6 targets", "calls": n, "median_us": median(times)})
    );
    emu.shutdown().await;
}
