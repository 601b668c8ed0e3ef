//! The emulator framework itself: listeners, control API, faults, resets.

use std::time::Duration;

use creatorsync_core::Platform;
use creatorsync_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, RequestRecord, RunningEmulator,
};
use serde_json::{Value, json};

#[tokio::test]
async fn control_api_and_faults_work() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let ann = serde_json::to_value(emu.announcement()).unwrap();
    for key in [
        "x",
        "linkedin",
        "facebook",
        "instagram",
        "youtube",
        "tiktok",
        "control",
        "apps",
    ] {
        assert!(ann.get(key).is_some(), "missing {key}");
    }
    // Unknown route: the platform's own error shape.
    let base = emu.endpoints().get(Platform::TikTok).api.clone();
    let r = http.get(base.join("/nope").unwrap()).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_params");

    // Rate limit fault through the control API.
    let control = emu.control_url().clone();
    let r = http
        .post(control.join("/faults/x").unwrap())
        .json(&serde_json::json!({"kind": "rate_limit", "retry_after_secs": 3, "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = http
        .get(
            emu.endpoints()
                .get(Platform::X)
                .api
                .join("/2/users/me")
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3");
    assert!(r.headers().contains_key("x-rate-limit-reset"));

    // Connection reset after some body bytes: the client sees a transport error.
    emu.faults().inject(
        Platform::YouTube,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 1024 }),
    );
    let err = http
        .put(
            emu.endpoints()
                .get(Platform::YouTube)
                .api
                .join("/upload")
                .unwrap(),
        )
        .body(vec![0u8; 4 << 20])
        .send()
        .await;
    assert!(
        err.is_err(),
        "expected a reset, got {:?}",
        err.map(|r| r.status())
    );

    // Lost response.
    emu.faults()
        .inject(Platform::LinkedIn, Fault::once(FaultKind::LoseResponse));
    assert!(
        http.get(
            emu.endpoints()
                .get(Platform::LinkedIn)
                .api
                .join("/rest/no-such-route")
                .unwrap()
        )
        .send()
        .await
        .is_err()
    );
    // Next request is fine again.
    let r = http
        .get(
            emu.endpoints()
                .get(Platform::LinkedIn)
                .api
                .join("/rest/no-such-route")
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    let stats: serde_json::Value = http
        .get(control.join("/stats").unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["refreshes"]["tiktok"], 0);
    emu.shutdown().await;
}

/// An X user access token with every scope, issued directly.
fn x_token(emu: &RunningEmulator) -> String {
    let scopes: Vec<String> = ["tweet.read", "tweet.write", "users.read", "media.write"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    emu.tokens()
        .issue(
            Platform::X,
            "2244994945",
            "cs-test-x",
            &scopes,
            emu.clock().now(),
            Some(Duration::from_secs(7200)),
            None,
        )
        .access_token
}

fn x_url(emu: &RunningEmulator, path: &str) -> String {
    format!(
        "{}{path}",
        emu.endpoints()
            .get(Platform::X)
            .api
            .as_str()
            .trim_end_matches('/')
    )
}

/// Uploads 100 bytes of `mime` media in `category` (initialize, append,
/// finalize); returns the media id.
async fn x_upload(
    emu: &RunningEmulator,
    http: &reqwest::Client,
    at: &str,
    category: &str,
    mime: &str,
) -> String {
    let bytes = vec![7u8; 100];
    let v: Value = http
        .post(x_url(emu, "/2/media/upload/initialize"))
        .bearer_auth(at)
        .json(&json!({"media_type": mime, "total_bytes": bytes.len(), "media_category": category}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let media = v["data"]["id"].as_str().unwrap().to_owned();
    let form = reqwest::multipart::Form::new()
        .text("segment_index", "0")
        .part("media", reqwest::multipart::Part::bytes(bytes));
    let r = http
        .post(x_url(emu, &format!("/2/media/upload/{media}/append")))
        .bearer_auth(at)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let r = http
        .post(x_url(emu, &format!("/2/media/upload/{media}/finalize")))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    media
}

/// Publishes an image tweet with `text` through raw HTTP (initialize,
/// append, finalize, create, read back); returns the tweet id.
async fn x_image_publish(
    emu: &RunningEmulator,
    http: &reqwest::Client,
    at: &str,
    text: &str,
) -> String {
    let media = x_upload(emu, http, at, "tweet_image", "image/png").await;
    let v: Value = http
        .post(x_url(emu, "/2/tweets"))
        .bearer_auth(at)
        .json(&json!({"text": text, "media": {"media_ids": [media]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    let r = http
        .get(x_url(emu, &format!("/2/tweets/{id}")))
        .query(&[("tweet.fields", "created_at")])
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    id
}

fn steps(reqs: &[RequestRecord]) -> Vec<(String, String, u16)> {
    reqs.iter()
        .map(|r| (r.method.clone(), r.route.clone(), r.status))
        .collect()
}

#[tokio::test]
async fn request_log_lists_a_publish_in_order_with_routes() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let at = x_token(&emu);
    // Requests before the mark are not part of the publish.
    http.get(x_url(&emu, "/2/users/me"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    let mark = emu.record().mark();
    assert_eq!(mark, 1);
    let id = x_image_publish(&emu, &http, &at, "log test #m1").await;
    let reqs = emu.record().requests_since(mark);
    let s = |m: &str, r: &str, st: u16| (m.to_owned(), r.to_owned(), st);
    assert_eq!(
        steps(&reqs),
        vec![
            s("POST", "/2/media/upload/initialize", 200),
            s("POST", "/2/media/upload/{id}/append", 200),
            s("POST", "/2/media/upload/{id}/finalize", 200),
            s("POST", "/2/tweets", 201),
            s("GET", "/2/tweets/{id}", 200),
        ]
    );
    assert_eq!(
        reqs.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (mark..mark + 5).collect::<Vec<_>>()
    );
    assert!(reqs.iter().all(|r| r.platform == Platform::X));
    // The path keeps the ids, never the query string.
    assert_eq!(reqs[4].path, format!("/2/tweets/{id}"));
    assert!(reqs.iter().all(|r| !r.path.contains('?')));
    assert!(reqs.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(emu.record().posts_with_text(Platform::X, "#m1").len(), 1);
    assert!(emu.record().posts_with_text(Platform::X, "#m2").is_empty());
    assert!(
        emu.record()
            .posts_with_text(Platform::LinkedIn, "#m1")
            .is_empty()
    );

    // Graph paths (no route template) and unknown paths get id-free labels;
    // the token in the query string is not logged.
    let fb = emu
        .endpoints()
        .get(Platform::Facebook)
        .api
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    http.get(format!("{fb}/v21.0/1001/feed?access_token=EAAsecret"))
        .send()
        .await
        .unwrap();
    http.post(format!("{fb}/v21.0/17841400000000001/media_publish"))
        .send()
        .await
        .unwrap();
    let tt = emu
        .endpoints()
        .get(Platform::TikTok)
        .api
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let r = http.get(format!("{tt}/nope/123456")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let fb_reqs = emu.record().requests_for(Platform::Facebook);
    assert_eq!(fb_reqs.len(), 2);
    assert_eq!(fb_reqs[0].route, "/v21.0/{id}/feed");
    assert_eq!(fb_reqs[0].path, "/v21.0/1001/feed");
    assert_eq!(fb_reqs[1].route, "/v21.0/{id}/media_publish");
    assert!(fb_reqs.iter().all(|r| r.status >= 400));
    let tt_reqs = emu.record().requests_for(Platform::TikTok);
    assert_eq!(steps(&tt_reqs), vec![s("GET", "/nope/{id}", 404)]);
    let log = serde_json::to_string(&emu.record().requests()).unwrap();
    assert!(!log.contains("EAAsecret"), "{log}");

    // Requests a fault answered are logged too; a lost answer logs 0.
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::RateLimit {
            retry_after_secs: 9,
        }),
    );
    emu.faults()
        .inject(Platform::X, Fault::once(FaultKind::LoseResponse).after(1));
    let m2 = emu.record().mark();
    let r = http.get(x_url(&emu, "/2/users/me")).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(http.get(x_url(&emu, "/2/users/me")).send().await.is_err());
    assert_eq!(
        steps(&emu.record().requests_since(m2)),
        vec![s("GET", "/2/users/me", 429), s("GET", "/2/users/me", 0)]
    );

    // The same log over the control API.
    let control = emu.control_url().clone();
    let v: Value = http
        .get(control.join("/requests/mark").unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["mark"], emu.record().mark());
    let v: Vec<RequestRecord> = http
        .get(
            control
                .join(&format!("/requests?since={mark}&platform=x"))
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v.len(), 7);
    assert_eq!(v[..5], reqs[..]);
    let v: Vec<RequestRecord> = http
        .get(control.join("/requests").unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v, emu.record().requests());
    emu.shutdown().await;
}

#[tokio::test]
async fn after_hits_the_nth_matching_request_of_its_route() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    // Through the control API, as the bindings' suites inject it: skip=2
    // hits the 3rd GET to /2/tweets/{id}, and only that one.
    let r = http
        .post(emu.control_url().join("/faults/x").unwrap())
        .json(&json!({"kind": "fail", "status": 503, "method": "GET", "route": "/2/tweets/{id}", "skip": 2, "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let get = |path: String| {
        let http = http.clone();
        async move { http.get(path).send().await.unwrap().status().as_u16() }
    };
    // Other routes and methods do not count, even where the path contains
    // the route's prefix.
    // (`GET /2/tweets?ids=` is the lookup: unauthenticated here.)
    assert_eq!(get(x_url(&emu, "/2/tweets")).await, 401);
    assert_eq!(get(x_url(&emu, "/2/users/me")).await, 401);
    let del = http
        .delete(x_url(&emu, "/2/tweets/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 401);
    let mut seen = Vec::new();
    for id in ["11", "22", "33", "44"] {
        seen.push(get(x_url(&emu, &format!("/2/tweets/{id}"))).await);
    }
    assert_eq!(seen, vec![401, 401, 503, 401]);

    // The builder; a route label matches exactly, not as a prefix.
    let fb = emu
        .endpoints()
        .get(Platform::Facebook)
        .api
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    emu.faults().inject(
        Platform::Facebook,
        Fault::once(FaultKind::Fail { status: 502 })
            .on_route("/v21.0/{id}/feed")
            .after(1),
    );
    let mut seen = Vec::new();
    for path in [
        "/v21.0/1001/feed/x",
        "/v21.0/1001/photos",
        "/v21.0/1001/feed",
        "/v21.0/1002/feed",
        "/v21.0/1002/feed",
    ] {
        seen.push(get(format!("{fb}{path}")).await);
    }
    assert_eq!(seen[..3].iter().filter(|s| **s == 502).count(), 0);
    assert_eq!(seen[3], 502);
    assert_ne!(seen[4], 502);
    emu.shutdown().await;
}

#[tokio::test]
async fn hang_commits_the_effect_and_keeps_the_connection_open() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let at = x_token(&emu);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::Hang).on_route("/2/tweets"),
    );
    let mark = emu.record().mark();
    let err = http
        .post(x_url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "hang #h1"}))
        .send()
        .await
        .unwrap_err();
    // A timeout, not a reset: the connection stayed open.
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(emu.record().posts_with_text(Platform::X, "#h1").len(), 1);
    assert_eq!(
        steps(&emu.record().requests_since(mark)),
        vec![("POST".to_owned(), "/2/tweets".to_owned(), 0)]
    );

    // LoseResponse, by contrast, resets at once.
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::LoseResponse).on_route("/2/tweets"),
    );
    let err = http
        .post(x_url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "lose #h2"}))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(emu.record().posts_with_text(Platform::X, "#h2").len(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn latency_delays_before_handling() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let at = x_token(&emu);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::Latency { millis: 1000 }).on_route("/2/tweets"),
    );
    let err = http
        .post(x_url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "late #l1"}))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // Past the delay: the client gave up during it, so nothing was done.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(emu.record().posts_with_text(Platform::X, "#l1").is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn fail_processing_after_counts_processings() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let at = x_token(&emu);
    emu.faults()
        .inject(Platform::X, Fault::once(FaultKind::FailProcessing).after(1));
    let first = x_upload(&emu, &http, &at, "tweet_video", "video/mp4").await;
    // An image does not process: it neither counts nor fails.
    let image = x_upload(&emu, &http, &at, "tweet_image", "image/png").await;
    let second = x_upload(&emu, &http, &at, "tweet_video", "video/mp4").await;
    let third = x_upload(&emu, &http, &at, "tweet_video", "video/mp4").await;
    emu.clock().advance(Duration::from_secs(60));
    let mut states = Vec::new();
    for id in [&first, &image, &second, &third] {
        let v: Value = http
            .get(x_url(&emu, "/2/media/upload"))
            .query(&[("command", "STATUS"), ("media_id", id)])
            .bearer_auth(&at)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        states.push(
            v["data"]["processing_info"]["state"]
                .as_str()
                .map(str::to_owned),
        );
    }
    let st = |s: &str| Some(s.to_owned());
    assert_eq!(
        states,
        vec![
            st("succeeded"),
            st("succeeded"),
            st("failed"),
            st("succeeded")
        ]
    );
    emu.shutdown().await;
}
