//! YouTube emulator driven with raw HTTP: Google OAuth, resumable upload
//! rules, processing states, read back, delete, quota and fault interplay.

use std::time::Duration;

use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::{Value, json};

const Q: usize = 262_144;

fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

fn base(emu: &RunningEmulator) -> String {
    emu.endpoints()
        .get(Platform::YouTube)
        .api
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// Full consent → token exchange; returns (access, refresh).
async fn login(emu: &RunningEmulator, http: &Client) -> (String, Option<String>) {
    let b = base(emu);
    let app = emu.app(Platform::YouTube);
    let r = http
        .get(format!("{b}/o/oauth2/v2/auth"))
        .query(&[
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", "http://127.0.0.1:9/cb"),
            ("response_type", "code"),
            ("scope", "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube"),
            ("access_type", "offline"),
            ("prompt", "consent"),
            ("state", "s1"),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let q = query_of(r.headers()["location"].to_str().unwrap());
    assert_eq!(q["state"], "s1");
    let code = q["code"].clone();
    let form = |verifier: &str| {
        vec![
            ("code", code.clone()),
            ("client_id", app.client_id.clone()),
            ("client_secret", app.client_secret.clone()),
            ("redirect_uri", "http://127.0.0.1:9/cb".to_owned()),
            ("grant_type", "authorization_code".to_owned()),
            ("code_verifier", verifier.to_owned()),
        ]
    };
    // Wrong verifier: invalid_grant (and the code is spent).
    let bad = http
        .post(format!("{b}/token"))
        .form(&form("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"], "invalid_grant");
    // Fresh code for the real exchange.
    let r = http
        .get(format!("{b}/o/oauth2/v2/auth"))
        .query(&[
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", "http://127.0.0.1:9/cb"),
            ("response_type", "code"),
            ("scope", "https://www.googleapis.com/auth/youtube.upload"),
            ("access_type", "offline"),
            ("state", "s2"),
        ])
        .send()
        .await
        .unwrap();
    let code = query_of(r.headers()["location"].to_str().unwrap())["code"].clone();
    let mut f = form("");
    f[0].1 = code;
    f.pop();
    let tok: Value = http
        .post(format!("{b}/token"))
        .form(&f)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tok["expires_in"], 3599);
    assert_eq!(tok["token_type"], "Bearer");
    (
        tok["access_token"].as_str().unwrap().to_owned(),
        tok["refresh_token"].as_str().map(str::to_owned),
    )
}

async fn start_session(
    http: &Client,
    b: &str,
    at: &str,
    meta: Value,
    total: usize,
) -> reqwest::Response {
    http.post(format!(
        "{b}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status,contentDetails"
    ))
    .bearer_auth(at)
    .header("x-upload-content-length", total.to_string())
    .header("x-upload-content-type", "video/mp4")
    .json(&meta)
    .send()
    .await
    .unwrap()
}

async fn put(http: &Client, url: &str, range: &str, body: Vec<u8>) -> reqwest::Response {
    http.put(url)
        .header("content-range", range)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn oauth_refresh_does_not_rotate_and_revoke_works() {
    let emu = Emulator::start(slow()).await.unwrap();
    let http = client();
    let b = base(&emu);
    let (at, rt) = login(&emu, &http).await;
    let rt = rt.expect("offline consent issues a refresh token");
    let app = emu.app(Platform::YouTube);
    let refresh = || {
        http.post(format!("{b}/token")).form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("refresh_token", rt.as_str()),
            ("grant_type", "refresh_token"),
        ])
    };
    for _ in 0..2 {
        let t: Value = refresh().send().await.unwrap().json().await.unwrap();
        assert!(
            t.get("refresh_token").is_none(),
            "Google does not return a refresh token: {t}"
        );
        assert!(t["access_token"].as_str().unwrap().starts_with("ya29."));
    }
    assert_eq!(emu.tokens().refresh_count(Platform::YouTube), 2);
    // Wrong secret: invalid_client 401.
    let r = http
        .post(format!("{b}/token"))
        .form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", "x"),
            ("refresh_token", rt.as_str()),
            ("grant_type", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Channel identity, then expiry on the emulator clock.
    let ch: Value = http
        .get(format!(
            "{b}/youtube/v3/channels?part=snippet,contentDetails&mine=true"
        ))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ch["items"][0]["id"], "UCdemo0000000000000000001");
    assert_eq!(ch["items"][0]["snippet"]["customUrl"], "@creatorsync-demo");
    assert_eq!(
        ch["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"],
        "UUdemo0000000000000000001"
    );
    emu.clock().advance(Duration::from_secs(3600));
    let r = http
        .get(format!("{b}/youtube/v3/channels?part=snippet&mine=true"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    // Revoke the refresh token: refresh fails with Google's invalid_grant.
    let r = http
        .post(format!("{b}/revoke?token={rt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = refresh().send().await.unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
    assert_eq!(e["error_description"], "Token has been expired or revoked.");
    let r = http
        .post(format!("{b}/revoke?token=bogus"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Consent denied.
    emu.logins().set(Platform::YouTube, None, true);
    let r = http.get(format!("{b}/o/oauth2/v2/auth?client_id={}&redirect_uri=http://127.0.0.1:9/cb&response_type=code&scope=x&state=z", app.client_id)).send().await.unwrap();
    let q = query_of(r.headers()["location"].to_str().unwrap());
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "z");
    emu.shutdown().await;
}

#[tokio::test]
async fn resumable_upload_chunks_processing_and_readback() {
    let emu = Emulator::start(slow()).await.unwrap();
    let http = client();
    let b = base(&emu);
    let (at, _) = login(&emu, &http).await;
    // Metadata validation.
    let r = start_session(&http, &b, &at, json!({"snippet": {"title": "a<b"}}), 10).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["errors"][0]["reason"],
        "invalidTitle"
    );
    let r = start_session(&http, &b, &at, json!({"snippet": {"title": "t"}, "status": {"privacyStatus": "public", "publishAt": "2026-12-01T10:00:00Z"}}), 10).await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["errors"][0]["reason"],
        "invalidPublishAt"
    );

    let total = 2 * Q + 1000;
    let file: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
    let r = start_session(&http, &b, &at, json!({"snippet": {"title": "Hello", "description": "desc", "tags": ["a b", "c"]}, "status": {"privacyStatus": "unlisted"}}), total).await;
    assert_eq!(r.status(), 200);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(loc.starts_with(&b) && loc.contains("upload_id="));
    // Nothing received yet: 308 without Range.
    let r = put(&http, &loc, &format!("bytes */{total}"), vec![]).await;
    assert_eq!(r.status(), 308);
    assert!(r.headers().get("range").is_none());
    // A non-final chunk that is not a multiple of 256 KiB: 400.
    let r = put(
        &http,
        &loc,
        &format!("bytes 0-999/{total}"),
        file[..1000].to_vec(),
    )
    .await;
    assert_eq!(r.status(), 400);
    // First chunk.
    let r = put(
        &http,
        &loc,
        &format!("bytes 0-{}/{total}", Q - 1),
        file[..Q].to_vec(),
    )
    .await;
    assert_eq!(r.status(), 308);
    assert_eq!(r.headers()["range"], format!("bytes=0-{}", Q - 1));
    // Wrong offset: 308 with the server's range, nothing consumed.
    let r = put(
        &http,
        &loc,
        &format!("bytes 0-{}/{total}", Q - 1),
        file[..Q].to_vec(),
    )
    .await;
    assert_eq!(r.status(), 308);
    assert_eq!(r.headers()["range"], format!("bytes=0-{}", Q - 1));
    // Connection reset mid-chunk: server keeps the received bytes rounded down to 256 KiB.
    emu.faults().inject(
        Platform::YouTube,
        Fault::once(FaultKind::ResetAfterBytes {
            bytes: (Q + 500) as u64,
        })
        .on_method("PUT"),
    );
    let rest = file[Q..].to_vec();
    let cut = http
        .put(&loc)
        .header("content-range", format!("bytes {Q}-{}/{total}", total - 1))
        .body(rest)
        .send()
        .await;
    assert!(cut.is_err());
    let r = put(&http, &loc, &format!("bytes */{total}"), vec![]).await;
    assert_eq!(r.status(), 308);
    let kept: usize = r.headers()["range"]
        .to_str()
        .unwrap()
        .rsplit('-')
        .next()
        .unwrap()
        .parse::<usize>()
        .unwrap()
        + 1;
    assert_eq!(kept % Q, 0);
    assert!(kept >= Q && kept < total);
    let chunks = emu.record().chunks_for(Platform::YouTube);
    assert!(chunks.iter().any(|c| !c.complete && c.offset == Q as u64));
    // Resume from the server's offset to the end: 201 + resource.
    let r = put(
        &http,
        &loc,
        &format!("bytes {kept}-{}/{total}", total - 1),
        file[kept..].to_vec(),
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["snippet"]["title"], "Hello");
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    // A status query after completion answers the resource again.
    let r = put(&http, &loc, &format!("bytes */{total}"), vec![]).await;
    assert_eq!(r.status(), 201);
    let posts = emu.record().posts_for(Platform::YouTube);
    assert_eq!(posts.len(), 1);
    use sha2::Digest;
    assert_eq!(
        posts[0].media[0].sha256,
        hex::encode(sha2::Sha256::digest(&file))
    );
    assert_eq!(posts[0].media[0].len, total as u64);
    assert_eq!(
        posts[0].url,
        format!("https://www.youtube.com/watch?v={id}")
    );
    assert_eq!(posts[0].text, "desc");

    // Processing on the clock.
    let status = |id: String| {
        let http = http.clone();
        let (b, at) = (b.clone(), at.clone());
        async move {
            http.get(format!(
                "{b}/youtube/v3/videos?part=status,processingDetails&id={id}"
            ))
            .bearer_auth(&at)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
        }
    };
    let s = status(id.clone()).await;
    assert_eq!(
        s["items"][0]["processingDetails"]["processingStatus"],
        "processing"
    );
    emu.clock().advance(Duration::from_secs(11));
    let s = status(id.clone()).await;
    assert_eq!(s["items"][0]["status"]["uploadStatus"], "processed");
    assert_eq!(
        s["items"][0]["processingDetails"]["processingStatus"],
        "succeeded"
    );

    // Whole-file single PUT with a processing failure.
    emu.faults()
        .inject(Platform::YouTube, Fault::once(FaultKind::FailProcessing));
    let r = start_session(
        &http,
        &b,
        &at,
        json!({"snippet": {"title": "Second"}}),
        5000,
    )
    .await;
    let loc2 = r.headers()["location"].to_str().unwrap().to_owned();
    let r = http.put(&loc2).body(vec![7u8; 5000]).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let id2 = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    emu.clock().advance(Duration::from_secs(11));
    let s = status(id2.clone()).await;
    assert_eq!(s["items"][0]["status"]["uploadStatus"], "failed");
    assert_eq!(s["items"][0]["status"]["failureReason"], "codec");

    // Uploads playlist, newest first.
    let pl: Value = http.get(format!("{b}/youtube/v3/playlistItems?part=snippet&playlistId=UUdemo0000000000000000001&maxResults=10")).bearer_auth(&at).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        pl["items"][0]["snippet"]["resourceId"]["videoId"],
        id2.as_str()
    );
    assert_eq!(
        pl["items"][1]["snippet"]["resourceId"]["videoId"],
        id.as_str()
    );

    // Thumbnail.
    let r = http
        .post(format!("{b}/upload/youtube/v3/thumbnails/set?videoId={id}"))
        .bearer_auth(&at)
        .header("content-type", "image/png")
        .body(vec![1u8; 1000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.unwrap()["items"][0]["default"]["url"].is_string());
    let r = http
        .post(format!("{b}/upload/youtube/v3/thumbnails/set?videoId={id}"))
        .bearer_auth(&at)
        .header("content-type", "image/png")
        .body(vec![1u8; 3 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Delete.
    let r = http
        .delete(format!("{b}/youtube/v3/videos?id={id}"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(emu.record().posts_for(Platform::YouTube).len(), 1);
    let r = http
        .delete(format!("{b}/youtube/v3/videos?id={id}"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Unknown session.
    let r = put(
        &http,
        &format!("{b}/upload/youtube/v3/videos?uploadType=resumable&upload_id=nope"),
        "bytes */10",
        vec![],
    )
    .await;
    assert_eq!(r.status(), 404);
    emu.shutdown().await;
}

#[tokio::test]
async fn lost_response_on_final_chunk_publishes_once_and_quota_runs_out() {
    let cfg = EmulatorConfig {
        youtube_quota_units: 1600 + 3,
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();
    let b = base(&emu);
    let (at, _) = login(&emu, &http).await;
    let r = start_session(&http, &b, &at, json!({"snippet": {"title": "Once"}}), 100).await;
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    emu.faults().inject(
        Platform::YouTube,
        Fault::once(FaultKind::LoseResponse).on_method("PUT"),
    );
    assert!(
        http.put(&loc)
            .header("content-range", "bytes 0-99/100")
            .body(vec![0u8; 100])
            .send()
            .await
            .is_err()
    );
    let r = put(&http, &loc, "bytes */100", vec![]).await;
    assert_eq!(r.status(), 201);
    assert_eq!(emu.record().posts_for(Platform::YouTube).len(), 1);
    // 1600 + 3 units: the insert cost 1600; three list calls fit, the fourth does not.
    for _ in 0..3 {
        let r = http
            .get(format!("{b}/youtube/v3/channels?part=snippet&mine=true"))
            .bearer_auth(&at)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = http
        .get(format!("{b}/youtube/v3/channels?part=snippet&mine=true"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["errors"][0]["reason"],
        "quotaExceeded"
    );
    // The next quota day.
    emu.clock().advance(Duration::from_secs(86_400));
    let r = http
        .get(format!("{b}/youtube/v3/channels?part=snippet&mine=true"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "the token expired meanwhile (not a quota error)"
    );
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

/// A multipart/related body: the JSON resource, then the video.
fn related(boundary: &str, meta: &Value, mime: &str, video: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{meta}\r\n--{boundary}\r\nContent-Type: {mime}\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(video);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

#[tokio::test]
async fn one_shot_multipart_and_media_uploads() {
    use sha2::Digest;
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let (at, _) = login(&emu, &http).await;
    let url = format!("{}/upload/youtube/v3/videos", base(&emu));
    let video: Vec<u8> = (0..300_000u32).map(|i| (i % 211) as u8).collect();
    let sha = hex::encode(sha2::Sha256::digest(&video));

    // uploadType=multipart: metadata part + media part.
    let meta = json!({"snippet": {"title": "one shot", "description": "multipart"}, "status": {"privacyStatus": "unlisted"}});
    let r = http
        .post(&url)
        .query(&[("uploadType", "multipart"), ("part", "snippet,status")])
        .bearer_auth(&at)
        .header("content-type", "multipart/related; boundary=\"b0und4ry\"")
        .body(related("b0und4ry", &meta, "video/mp4", &video))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["snippet"]["title"], "one shot");
    assert_eq!(v["status"]["privacyStatus"], "unlisted");
    let post = emu
        .record()
        .post(Platform::YouTube, v["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(post.media[0].sha256, sha);
    assert_eq!(post.media[0].mime.as_deref(), Some("video/mp4"));
    assert_eq!(post.text, "multipart");

    // uploadType=media: raw bytes, default metadata.
    let r = http
        .post(&url)
        .query(&[("uploadType", "media"), ("part", "snippet,status")])
        .bearer_auth(&at)
        .header("content-type", "video/mp4")
        .body(video.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert!(!v["snippet"]["title"].as_str().unwrap().is_empty());
    let post = emu
        .record()
        .post(Platform::YouTube, v["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(post.media[0].sha256, sha);

    // Refusals: bad metadata, a non-video part, no media, unknown type.
    let bad_meta = json!({"snippet": {"title": ""}});
    let r = http
        .post(&url)
        .query(&[("uploadType", "multipart")])
        .bearer_auth(&at)
        .header("content-type", "multipart/related; boundary=xx")
        .body(related("xx", &bad_meta, "video/mp4", &video))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = http
        .post(&url)
        .query(&[("uploadType", "multipart")])
        .bearer_auth(&at)
        .header("content-type", "multipart/related; boundary=xx")
        .body(related("xx", &meta, "text/plain", b"hello"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = http
        .post(&url)
        .query(&[("uploadType", "media")])
        .bearer_auth(&at)
        .header("content-type", "video/mp4")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = http
        .post(&url)
        .query(&[("uploadType", "chunky")])
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(emu.record().posts_for(Platform::YouTube).len(), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn video_uploads_have_their_own_daily_bucket() {
    let emu = Emulator::start(EmulatorConfig {
        youtube_uploads_per_day: 2,
        youtube_quota_units: 1_000_000,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let http = client();
    let (at, _) = login(&emu, &http).await;
    let url = format!("{}/upload/youtube/v3/videos", base(&emu));
    let insert = |kind: &'static str| {
        http.post(&url)
            .query(&[("uploadType", kind), ("part", "snippet,status")])
            .bearer_auth(&at)
            .header("content-type", "video/mp4")
            .body(vec![1u8; 1000])
    };
    for _ in 0..2 {
        assert_eq!(
            insert("media").send().await.unwrap().status(),
            StatusCode::CREATED
        );
    }
    // The third insert of the day, in either form.
    for kind in ["media", "resumable"] {
        let r = insert(kind).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], 429);
        assert_eq!(v["error"]["errors"][0]["reason"], "rateLimitExceeded");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Video Uploads per day"),
            "{v}"
        );
    }
    assert_eq!(emu.record().posts_for(Platform::YouTube).len(), 2);
    // Other methods still answer (units are a separate budget).
    let r = http
        .get(format!(
            "{}/youtube/v3/channels?part=snippet&mine=true",
            base(&emu)
        ))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // After the next midnight in Los Angeles the bucket is full again.
    emu.clock().advance(Duration::from_secs(86_400));
    let (at, _) = login(&emu, &http).await;
    let r = http
        .post(&url)
        .query(&[("uploadType", "media")])
        .bearer_auth(&at)
        .header("content-type", "video/mp4")
        .body(vec![2u8; 1000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    emu.shutdown().await;
}
