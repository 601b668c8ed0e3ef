//! X's documented limits on the emulator clock: `POST /2/tweets` per user
//! per 15 min and per app per 24 h, media endpoints per user per 15 min.

use super::*;

fn h(r: &reqwest::Response, name: &str) -> Option<i64> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

async fn tweet(emu: &RunningEmulator, http: &Client, at: &str, text: &str) -> reqwest::Response {
    http.post(url(emu, "/2/tweets"))
        .bearer_auth(at)
        .json(&json!({"text": text}))
        .send()
        .await
        .unwrap()
}

async fn initialize(emu: &RunningEmulator, http: &Client, at: &str) -> reqwest::Response {
    http.post(url(emu, "/2/media/upload/initialize"))
        .bearer_auth(at)
        .json(&json!({"media_type": "image/jpeg", "total_bytes": 10}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn defaults_are_xs_documented_limits() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let r = tweet(&emu, &http, &at, "limits").await;
    assert_eq!(r.status(), 201);
    assert_eq!(h(&r, "x-rate-limit-limit"), Some(100));
    assert_eq!(h(&r, "x-rate-limit-remaining"), Some(99));
    assert_eq!(h(&r, "x-app-limit-24hour-limit"), Some(10_000));
    assert_eq!(h(&r, "x-app-limit-24hour-remaining"), Some(9_999));
    let r = initialize(&emu, &http, &at).await;
    assert_eq!(r.status(), 200);
    assert_eq!(h(&r, "x-rate-limit-limit"), Some(1_875));
    assert_eq!(h(&r, "x-rate-limit-remaining"), Some(1_874));
    emu.shutdown().await;
}

#[tokio::test]
async fn the_apps_daily_tweet_budget_runs_out_and_resets() {
    let emu = Emulator::start(EmulatorConfig {
        x_tweets_per_day_app: 2,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    for (i, left) in [(0, 1), (1, 0)] {
        let r = tweet(&emu, &http, &at, &format!("day {i}")).await;
        assert_eq!(r.status(), 201);
        assert_eq!(h(&r, "x-app-limit-24hour-remaining"), Some(left));
    }
    let r = tweet(&emu, &http, &at, "day 2").await;
    assert_eq!(r.status(), 429);
    assert_eq!(h(&r, "x-app-limit-24hour-remaining"), Some(0));
    let reset = h(&r, "x-app-limit-24hour-reset").unwrap();
    assert!(reset > emu.clock().unix() + 86_000, "a day away: {reset}");
    // The user's own 15-minute window was not the one that ran out (the
    // refused call still counts in it).
    assert_eq!(h(&r, "x-rate-limit-remaining"), Some(97));
    assert_eq!(emu.record().posts_for(Platform::X).len(), 2);
    emu.clock().advance(Duration::from_secs(86_400));
    let at = token(&emu, &http).await;
    assert_eq!(tweet(&emu, &http, &at, "next day").await.status(), 201);
    emu.shutdown().await;
}

#[tokio::test]
async fn media_endpoints_have_a_15_minute_window_per_user() {
    let emu = Emulator::start(EmulatorConfig {
        x_media_per_window: 2,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    assert_eq!(initialize(&emu, &http, &at).await.status(), 200);
    let r = initialize(&emu, &http, &at).await;
    let id = r.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = initialize(&emu, &http, &at).await;
    assert_eq!(r.status(), 429);
    assert_eq!(h(&r, "x-rate-limit-remaining"), Some(0));
    // Each endpoint has its own window: append still answers.
    let r = http
        .post(url(&emu, &format!("/2/media/upload/{id}/append")))
        .bearer_auth(&at)
        .json(&json!({"media": STANDARD.encode([7u8; 10]), "segment_index": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(h(&r, "x-rate-limit-remaining"), Some(1));
    emu.clock().advance(Duration::from_secs(900));
    assert_eq!(initialize(&emu, &http, &at).await.status(), 200);
    emu.shutdown().await;
}
