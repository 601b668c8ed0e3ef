//! TikTok emulator driven with raw HTTP: OAuth with rotation, user info,
//! creator info, chunk rules, uploads with faults, PULL_FROM_URL, photos,
//! status machine, video list and rate limits.

use std::time::Duration;

use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use reqwest::{Client, redirect::Policy};
use serde_json::{Value, json};

const MIB: usize = 1024 * 1024;

fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

fn base(emu: &RunningEmulator) -> String {
    emu.endpoints()
        .get(Platform::TikTok)
        .api
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

async fn login(emu: &RunningEmulator, http: &Client, scope: &str) -> Value {
    let b = base(emu);
    let app = emu.app(Platform::TikTok);
    let r = http
        .get(format!("{b}/v2/auth/authorize/"))
        .query(&[
            ("client_key", app.client_id.as_str()),
            ("scope", scope),
            ("response_type", "code"),
            ("redirect_uri", "http://127.0.0.1:9/cb"),
            ("state", "st"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st");
    http.post(format!("{b}/v2/oauth/token/"))
        .form(&[
            ("client_key", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("code", q["code"].as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", "http://127.0.0.1:9/cb"),
            (
                "code_verifier",
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            ),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn call(http: &Client, url: String, at: &str, body: Value) -> (u16, Value) {
    let r = http
        .post(url)
        .bearer_auth(at)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn oauth_rotates_and_user_info_works() {
    let emu = Emulator::start(slow()).await.unwrap();
    let http = client();
    let b = base(&emu);
    let tok = login(&emu, &http, "user.info.basic,video.publish").await;
    for k in [
        "open_id",
        "scope",
        "access_token",
        "expires_in",
        "refresh_token",
        "refresh_expires_in",
        "token_type",
    ] {
        assert!(tok.get(k).is_some(), "missing {k} in {tok}");
    }
    assert_eq!(tok["open_id"], "tt-demo-open-id");
    // TikTok's lifetimes since 2026: access 2 h, refresh 180 days.
    assert_eq!(tok["expires_in"], 7200);
    assert_eq!(tok["refresh_expires_in"], 180 * 86400);
    let at = tok["access_token"].as_str().unwrap();
    let r: Value = http
        .get(format!(
            "{b}/v2/user/info/?fields=open_id,username,display_name"
        ))
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], "ok");
    assert_eq!(r["data"]["user"]["username"], "creatorsync.demo");
    assert!(r["data"]["user"].get("avatar_url").is_none());
    let app = emu.app(Platform::TikTok);
    let rt = tok["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |rt: String| {
        http.post(format!("{b}/v2/oauth/token/")).form(&[
            ("client_key", app.client_id.clone()),
            ("client_secret", app.client_secret.clone()),
            ("grant_type", "refresh_token".into()),
            ("refresh_token", rt),
        ])
    };
    let t2: Value = refresh(rt.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(t2["refresh_token"], rt.as_str());
    let r = refresh(rt).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
    assert!(e["log_id"].is_string());
    // Expiry on the clock.
    assert_eq!(t2["expires_in"], 7200);
    assert_eq!(t2["refresh_expires_in"], 180 * 86400);
    let at2 = t2["access_token"].as_str().unwrap();
    emu.clock().advance(Duration::from_secs(7_100));
    let r = http
        .get(format!("{b}/v2/user/info/?fields=open_id"))
        .bearer_auth(at2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "still inside its 2 h");
    emu.clock().advance(Duration::from_secs(101));
    let r = http
        .get(format!("{b}/v2/user/info/?fields=open_id"))
        .bearer_auth(at2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "access_token_invalid"
    );
    // Revoke.
    let t3: Value = refresh(t2["refresh_token"].as_str().unwrap().to_owned())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let at3 = t3["access_token"].as_str().unwrap();
    let r = http
        .post(format!("{b}/v2/oauth/revoke/"))
        .form(&[
            ("client_key", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("token", at3),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(format!("{b}/v2/user/info/?fields=open_id"))
        .bearer_auth(at3)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    emu.shutdown().await;
}

#[tokio::test]
async fn refresh_token_lives_180_days_from_its_rotation() {
    let emu = Emulator::start(slow()).await.unwrap();
    let http = client();
    let b = base(&emu);
    let app = emu.app(Platform::TikTok);
    let refresh = |rt: String| {
        http.post(format!("{b}/v2/oauth/token/")).form(&[
            ("client_key", app.client_id.clone()),
            ("client_secret", app.client_secret.clone()),
            ("grant_type", "refresh_token".into()),
            ("refresh_token", rt),
        ])
    };
    let tok = login(&emu, &http, "user.info.basic,video.publish").await;
    // Day 170: the refresh rotates and the new one gets a fresh 180 days.
    emu.clock().advance(Duration::from_secs(170 * 86400));
    let r = refresh(tok["refresh_token"].as_str().unwrap().to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t2: Value = r.json().await.unwrap();
    // Day 350 + 1 s: past the second one's 180 days.
    emu.clock().advance(Duration::from_secs(180 * 86400 + 1));
    let r = refresh(t2["refresh_token"].as_str().unwrap().to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    emu.shutdown().await;
}

#[tokio::test]
async fn file_upload_chunk_rules_status_and_list() {
    let emu = Emulator::start(slow()).await.unwrap();
    let http = client();
    let b = base(&emu);
    let tok = login(
        &emu,
        &http,
        "user.info.basic,video.publish,video.upload,video.list",
    )
    .await;
    let at = tok["access_token"].as_str().unwrap().to_owned();
    let (s, ci) = call(
        &http,
        format!("{b}/v2/post/publish/creator_info/query/"),
        &at,
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(ci["data"]["max_video_post_duration_sec"], 300);
    let init = |src: Value, privacy: &str| json!({"post_info": {"title": "hello #tag", "privacy_level": privacy}, "source_info": src});
    // Privacy mismatch and chunk-rule violations.
    let (s, e) = call(&http, format!("{b}/v2/post/publish/video/init/"), &at, init(json!({"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1}), "EVERYONE")).await;
    assert_eq!(
        (s, e["error"]["code"].as_str().unwrap()),
        (400, "privacy_level_option_mismatch")
    );
    let size = 12 * MIB + 123;
    for (chunk, count) in [(5 * MIB, 3), (4 * MIB, 3), (65 * MIB, 1), (size, 2)] {
        let (s, e) = call(&http, format!("{b}/v2/post/publish/video/init/"), &at, init(json!({"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": count}), "SELF_ONLY")).await;
        assert_eq!(
            (s, e["error"]["code"].as_str().unwrap()),
            (400, "invalid_params"),
            "{chunk}/{count}"
        );
    }
    // 12 MiB + 123 in 5 MiB chunks: 2 chunks, the last absorbs the remainder.
    let chunk = 5 * MIB;
    let (s, r) = call(&http, format!("{b}/v2/post/publish/video/init/"), &at, init(json!({"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": 2}), "SELF_ONLY")).await;
    assert_eq!(s, 200, "{r}");
    let publish_id = r["data"]["publish_id"].as_str().unwrap().to_owned();
    let upload_url = r["data"]["upload_url"].as_str().unwrap().to_owned();
    assert!(upload_url.starts_with(&b));
    let file: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
    let put = |a: usize, z: usize| {
        http.put(&upload_url)
            .header("content-type", "video/mp4")
            .header("content-range", format!("bytes {a}-{z}/{size}"))
            .body(file[a..=z].to_vec())
            .send()
    };
    let status = || {
        call(
            &http,
            format!("{b}/v2/post/publish/status/fetch/"),
            &at,
            json!({"publish_id": publish_id}),
        )
    };
    assert_eq!(status().await.1["data"]["status"], "PROCESSING_UPLOAD");
    // Out of order: refused.
    assert_eq!(put(chunk, size - 1).await.unwrap().status(), 416);
    // Reset mid-chunk: recorded incomplete, offset unchanged.
    emu.faults().inject(
        Platform::TikTok,
        Fault::once(FaultKind::ResetAfterBytes { bytes: MIB as u64 }).on_method("PUT"),
    );
    assert!(put(0, chunk - 1).await.is_err());
    let r = put(0, chunk - 1).await.unwrap();
    assert_eq!(r.status(), 206);
    // Idempotent re-send of the last accepted chunk.
    assert_eq!(put(0, chunk - 1).await.unwrap().status(), 206);
    let (_, st) = status().await;
    assert_eq!(st["data"]["uploaded_bytes"], chunk);
    assert_eq!(put(chunk, size - 1).await.unwrap().status(), 201);
    let chunks = emu.record().chunks(&publish_id);
    assert!(!chunks[0].complete);
    assert!(chunks[1..].iter().all(|c| c.complete));
    assert_eq!(status().await.1["data"]["status"], "PROCESSING_UPLOAD");
    emu.clock().advance(Duration::from_secs(11));
    let (_, st) = status().await;
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE");
    let post_id = st["data"]["publicaly_available_post_id"][0]
        .as_u64()
        .unwrap()
        .to_string();
    let posts = emu.record().posts_for(Platform::TikTok);
    assert_eq!(posts.len(), 1);
    use sha2::Digest;
    assert_eq!(
        posts[0].media[0].sha256,
        hex::encode(sha2::Sha256::digest(&file))
    );
    assert_eq!(
        posts[0].url,
        format!("https://www.tiktok.com/@creatorsync.demo/video/{post_id}")
    );
    let list: Value = http
        .post(format!(
            "{b}/v2/video/list/?fields=id,title,create_time,share_url"
        ))
        .bearer_auth(&at)
        .json(&json!({"max_count": 10}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"]["videos"][0]["id"], post_id.as_str());
    assert_eq!(list["data"]["videos"][0]["title"], "hello #tag");
    // Listing needs `video.list`, not the publishing scopes.
    let narrow = login(&emu, &http, "user.info.basic,video.publish,video.upload").await;
    let refused = http
        .post(format!("{b}/v2/video/list/?fields=id"))
        .bearer_auth(narrow["access_token"].as_str().unwrap())
        .json(&json!({"max_count": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "scope_not_authorized");

    // Inbox upload with a processing failure; small file = single chunk.
    emu.faults()
        .inject(Platform::TikTok, Fault::once(FaultKind::FailProcessing));
    let (s, r) = call(&http, format!("{b}/v2/post/publish/inbox/video/init/"), &at, json!({"source_info": {"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1}})).await;
    assert_eq!(s, 200, "{r}");
    let pid2 = r["data"]["publish_id"].as_str().unwrap().to_owned();
    let r = http
        .put(r["data"]["upload_url"].as_str().unwrap())
        .header("content-type", "video/mp4")
        .header("content-range", "bytes 0-999/1000")
        .body(vec![1u8; 1000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (_, st) = call(
        &http,
        format!("{b}/v2/post/publish/status/fetch/"),
        &at,
        json!({"publish_id": pid2}),
    )
    .await;
    assert_eq!(st["data"]["status"], "FAILED");
    // Rate limit: 6 inits per minute per token (two already spent above on video/init successes + failures).
    let mut limited = false;
    for _ in 0..8 {
        let (s, e) = call(&http, format!("{b}/v2/post/publish/video/init/"), &at, init(json!({"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1}), "SELF_ONLY")).await;
        if s == 429 {
            assert_eq!(e["error"]["code"], "rate_limit_exceeded");
            limited = true;
            break;
        }
    }
    assert!(limited);
    emu.shutdown().await;
}

async fn serve_files() -> String {
    use axum::routing::get;
    let app = axum::Router::new()
        .route(
            "/v.mp4",
            get(|| async { ([("content-type", "video/mp4")], vec![9u8; 300_000]) }),
        )
        .route(
            "/1.jpg",
            get(|| async { ([("content-type", "image/jpeg")], vec![1u8; 1000]) }),
        )
        .route(
            "/1.png",
            get(|| async { ([("content-type", "image/png")], vec![1u8; 1000]) }),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.ok() });
    format!("http://{addr}")
}

#[tokio::test]
async fn pull_from_url_and_photos() {
    let emu = Emulator::start(slow()).await.unwrap();
    let http = client();
    let b = base(&emu);
    let files = serve_files().await;
    let tok = login(&emu, &http, "video.publish,video.upload").await;
    let at = tok["access_token"].as_str().unwrap().to_owned();
    let status = |id: String| {
        call(
            &http,
            format!("{b}/v2/post/publish/status/fetch/"),
            &at,
            json!({"publish_id": id}),
        )
    };
    let (_, r) = call(&http, format!("{b}/v2/post/publish/video/init/"), &at, json!({"post_info": {"title": "pulled", "privacy_level": "PUBLIC_TO_EVERYONE"}, "source_info": {"source": "PULL_FROM_URL", "video_url": format!("{files}/v.mp4")}})).await;
    let id = r["data"]["publish_id"].as_str().unwrap().to_owned();
    assert!(r["data"].get("upload_url").is_none());
    let mut st = Value::Null;
    for _ in 0..50 {
        st = status(id.clone()).await.1;
        if st["data"]["downloaded_bytes"] == 300_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(st["data"]["status"], "PROCESSING_DOWNLOAD");
    emu.clock().advance(Duration::from_secs(11));
    assert_eq!(status(id).await.1["data"]["status"], "PUBLISH_COMPLETE");
    // Non-loopback host: FAILED video_pull_failed.
    let (_, r) = call(&http, format!("{b}/v2/post/publish/video/init/"), &at, json!({"post_info": {"title": "x", "privacy_level": "SELF_ONLY"}, "source_info": {"source": "PULL_FROM_URL", "video_url": "https://example.com/v.mp4"}})).await;
    let id = r["data"]["publish_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let st = status(id).await.1;
    assert_eq!(
        (
            st["data"]["status"].as_str(),
            st["data"]["fail_reason"].as_str()
        ),
        (Some("FAILED"), Some("video_pull_failed"))
    );
    // Photo post: JPEG ok, PNG refused.
    let photo = |img: &str, mode: &str| json!({"media_type": "PHOTO", "post_mode": mode, "post_info": {"title": "pics", "description": "desc", "privacy_level": "SELF_ONLY"}, "source_info": {"source": "PULL_FROM_URL", "photo_images": [format!("{files}/{img}")], "photo_cover_index": 0}});
    let (s, r) = call(
        &http,
        format!("{b}/v2/post/publish/content/init/"),
        &at,
        photo("1.jpg", "DIRECT_POST"),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let pid = r["data"]["publish_id"].as_str().unwrap().to_owned();
    let (_, r) = call(
        &http,
        format!("{b}/v2/post/publish/content/init/"),
        &at,
        photo("1.png", "MEDIA_UPLOAD"),
    )
    .await;
    let pid_png = r["data"]["publish_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(100)).await;
    emu.clock().advance(Duration::from_secs(11));
    assert_eq!(status(pid).await.1["data"]["status"], "PUBLISH_COMPLETE");
    let st = status(pid_png).await.1;
    assert_eq!(st["data"]["fail_reason"], "file_format_check_failed");
    let posts = emu.record().posts_for(Platform::TikTok);
    assert_eq!(posts.len(), 2);
    assert!(posts[1].url.contains("/photo/"));
    emu.shutdown().await;
}

/// Processing takes 10 s of emulator time, so states only move when a test
/// advances the clock (not with wall time under load).
fn slow() -> EmulatorConfig {
    EmulatorConfig {
        processing_delay: Duration::from_secs(10),
        ..EmulatorConfig::default()
    }
}
