//! TikTok's per-token rate limits follow `EmulatorConfig::tiktok_rate_limits`:
//! the documented values by default, raised or lowered by a test.

use std::time::Duration;

use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, RunningEmulator, TikTokRateLimits};
use reqwest::Client;
use serde_json::{Value, json};

/// An access token for the seeded creator, issued without the OAuth dance.
fn token(emu: &RunningEmulator) -> String {
    let app = emu.app(Platform::TikTok);
    emu.tokens()
        .issue(
            Platform::TikTok,
            "tt-demo-open-id",
            &app.client_id,
            &[
                "video.publish".to_owned(),
                "video.upload".to_owned(),
                "video.list".to_owned(),
            ],
            emu.clock().now(),
            Some(Duration::from_secs(3600)),
            None,
        )
        .access_token
}

async fn post(emu: &RunningEmulator, path: &str, token: &str, body: Value) -> (u16, Value) {
    let url = format!(
        "{}{path}",
        emu.endpoints()
            .get(Platform::TikTok)
            .api
            .as_str()
            .trim_end_matches('/')
    );
    let r = Client::new()
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Calls `video/init` until the first 429; returns how many were accepted.
async fn inits_until_limited(emu: &RunningEmulator, token: &str, at_most: usize) -> usize {
    let body = json!({
        "post_info": {"title": "limit", "privacy_level": "SELF_ONLY"},
        "source_info": {"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1},
    });
    for n in 0..at_most {
        let (status, v) = post(emu, "/v2/post/publish/video/init/", token, body.clone()).await;
        if status == 429 {
            assert_eq!(v["error"]["code"], "rate_limit_exceeded");
            return n;
        }
        assert_eq!(status, 200, "{v}");
    }
    at_most
}

#[test]
fn defaults_are_tiktoks_documented_limits() {
    let limits = EmulatorConfig::default().tiktok_rate_limits;
    assert_eq!(limits, TikTokRateLimits::default());
    assert_eq!(
        (
            limits.creator_info,
            limits.init,
            limits.status,
            limits.video_list
        ),
        (20, 6, 30, 600)
    );
}

#[tokio::test]
async fn default_allows_six_inits_per_token_per_minute() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let t = token(&emu);
    assert_eq!(inits_until_limited(&emu, &t, 20).await, 6);
    // Another token has its own budget; the first one's returns after a minute.
    assert_eq!(inits_until_limited(&emu, &token(&emu), 1).await, 1);
    emu.clock().advance(Duration::from_secs(61));
    assert_eq!(inits_until_limited(&emu, &t, 1).await, 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_knob_sets_each_limit() {
    let emu = Emulator::start(EmulatorConfig {
        tiktok_rate_limits: TikTokRateLimits {
            init: 25,
            status: 2,
            ..TikTokRateLimits::default()
        },
        // Not the daily post cap under test here.
        tiktok_direct_posts_per_day: 1000,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let t = token(&emu);
    assert_eq!(inits_until_limited(&emu, &t, 40).await, 25);
    let status = |t: String| {
        let emu = &emu;
        async move {
            post(
                emu,
                "/v2/post/publish/status/fetch/",
                &t,
                json!({"publish_id": "unknown"}),
            )
            .await
            .0
        }
    };
    assert_eq!(
        status(t.clone()).await,
        400,
        "counted, then refused as unknown"
    );
    assert_eq!(status(t.clone()).await, 400);
    assert_eq!(status(t).await, 429);
    emu.shutdown().await;
}
