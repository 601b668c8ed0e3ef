//! Facebook video on the documented APIs, with raw HTTP: the Resumable
//! Upload API (`/{app-id}/uploads`, `upload:<id>` with `file_offset`, the
//! handle published with `fbuploader_video_file_chunk`) and Page Reels
//! (`/video_reels` start, rupload with `offset`/`file_size`, finish, the
//! 30-per-24-h limit).

mod common_meta;

use std::time::Duration;

use common_meta::*;
use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use serde_json::{Value, json};

const APP: &str = "cs-test-facebook";

fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// `POST /upload:<id>` with `Authorization: OAuth` and `file_offset`.
async fn send(
    http: &reqwest::Client,
    emu: &RunningEmulator,
    session: &str,
    token: &str,
    offset: u64,
    body: Vec<u8>,
) -> (u16, Value) {
    let r = http
        .post(format!("{}/{session}", fb(emu)))
        .header("authorization", format!("OAuth {token}"))
        .header("file_offset", offset.to_string())
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn offset_of(
    http: &reqwest::Client,
    emu: &RunningEmulator,
    session: &str,
    token: &str,
) -> Value {
    let r = http
        .get(format!("{}/{session}", fb(emu)))
        .header("authorization", format!("OAuth {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn open(
    http: &reqwest::Client,
    emu: &RunningEmulator,
    token: &str,
    len: usize,
) -> (u16, Value) {
    let len = len.to_string();
    let url = format!("{}/{APP}/uploads", fb(emu));
    post(
        http,
        &url,
        token,
        &[
            ("file_name", "clip.mp4"),
            ("file_length", len.as_str()),
            ("file_type", "video/mp4"),
        ],
    )
    .await
}

#[tokio::test]
async fn resumable_upload_api_then_publish_with_the_handle() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let (user, page, _) = login(&emu, &http).await;
    let file = bytes(300_000);

    // A user token is required; the app must be the token's app.
    let (s, v) = open(&http, &emu, &page, file.len()).await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(100)), "{v}");
    let (s, _) = post(
        &http,
        &format!("{}/other-app/uploads", fb(&emu)),
        &user,
        &[
            ("file_name", "a"),
            ("file_length", "1"),
            ("file_type", "video/mp4"),
        ],
    )
    .await;
    assert_eq!(s, 400);
    let (s, v) = open(&http, &emu, &user, file.len()).await;
    assert_eq!(s, 200, "{v}");
    let session = v["id"].as_str().unwrap().to_owned();
    assert!(session.starts_with("upload:"), "{session}");

    // A wrong offset is refused with the server's offset.
    let (s, v) = send(&http, &emu, &session, &user, 5, file[5..].to_vec()).await;
    assert_eq!(s, 400);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("(0)"),
        "{v}"
    );

    // Part of the file: the server says where it stands.
    let (s, v) = send(&http, &emu, &session, &user, 0, file[..100_000].to_vec()).await;
    assert_eq!((s, v["file_offset"].clone()), (200, json!(100_000)), "{v}");
    let v = offset_of(&http, &emu, &session, &user).await;
    assert_eq!(
        (v["id"].as_str(), v["file_offset"].clone()),
        (Some(session.as_str()), json!(100_000))
    );

    // The rest: the answer is the handle.
    let (s, v) = send(
        &http,
        &emu,
        &session,
        &user,
        100_000,
        file[100_000..].to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let handle = v["h"].as_str().unwrap().to_owned();

    // The page token publishes the handle on the Page.
    let url = format!("{}/1001/videos", fb(&emu));
    let (s, v) = post(
        &http,
        &url,
        &page,
        &[
            ("fbuploader_video_file_chunk", "4:bogus"),
            ("description", "x"),
        ],
    )
    .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = post(
        &http,
        &url,
        &page,
        &[
            ("fbuploader_video_file_chunk", handle.as_str()),
            ("title", "Clip"),
            ("description", "a page video"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let video = v["id"].as_str().unwrap();
    let rec = emu.record().posts_for(Platform::Facebook);
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].text, "a page video");
    assert_eq!(rec[0].title.as_deref(), Some("Clip"));
    assert_eq!(rec[0].media[0].sha256, sha(&file));
    assert_eq!(rec[0].media[0].media_id, video);
    let chunks = emu.record().chunks_for(Platform::Facebook);
    let sent: Vec<(u64, u64)> = chunks
        .iter()
        .filter(|c| c.complete)
        .map(|c| (c.offset, c.len))
        .collect();
    assert_eq!(sent, vec![(0, 100_000), (100_000, 200_000)]);
}

#[tokio::test]
async fn a_cut_body_keeps_what_arrived() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let (user, _, _) = login(&emu, &http).await;
    let file = bytes(2 << 20);
    let (_, v) = open(&http, &emu, &user, file.len()).await;
    let session = v["id"].as_str().unwrap().to_owned();
    emu.faults().inject(
        Platform::Facebook,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 600_000 }).on_path("upload:"),
    );
    let r = http
        .post(format!("{}/{session}", fb(&emu)))
        .header("authorization", format!("OAuth {user}"))
        .header("file_offset", "0")
        .body(file.clone())
        .send()
        .await;
    assert!(r.is_err() || !r.unwrap().status().is_success());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let held = offset_of(&http, &emu, &session, &user).await["file_offset"]
        .as_u64()
        .unwrap();
    assert!(held > 0 && held <= 600_000, "{held}");
    let (s, v) = send(
        &http,
        &emu,
        &session,
        &user,
        held,
        file[held as usize..].to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["h"].is_string(), "{v}");
}

async fn reel(
    http: &reqwest::Client,
    emu: &RunningEmulator,
    page: &str,
    file: &[u8],
) -> (u16, Value, String) {
    let url = format!("{}/1001/video_reels", fb(emu));
    let (s, v) = post(http, &url, page, &[("upload_phase", "start")]).await;
    assert_eq!(s, 200, "{v}");
    let id = v["video_id"].as_str().unwrap().to_owned();
    let upload = v["upload_url"].as_str().unwrap().to_owned();
    assert!(
        upload.ends_with(&format!("/video-upload/v21.0/{id}")),
        "{upload}"
    );
    let half = file.len() / 2;
    for (offset, part) in [(0, &file[..half]), (half, &file[half..])] {
        let r = http
            .post(&upload)
            .header("authorization", format!("OAuth {page}"))
            .header("offset", offset.to_string())
            .header("file_size", file.len().to_string())
            .body(part.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let (s, v) = get(
        http,
        &format!("{}/{id}", fb(emu)),
        page,
        &[("fields", "status")],
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        v["status"]["uploading_phase"]["bytes_transferred"],
        json!(file.len())
    );
    let (s, v) = post(
        http,
        &url,
        page,
        &[
            ("upload_phase", "finish"),
            ("video_id", id.as_str()),
            ("video_state", "PUBLISHED"),
            ("description", "a reel"),
        ],
    )
    .await;
    (s, v, id)
}

#[tokio::test]
async fn page_reels_upload_finish_and_daily_limit() {
    let emu = Emulator::start(EmulatorConfig {
        facebook_reels_per_day: 2,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let http = client();
    let (_, page, other_page) = login(&emu, &http).await;
    let file = bytes(50_000);

    // Another page's token may not upload this page's reel.
    let url = format!("{}/1001/video_reels", fb(&emu));
    let (_, v) = post(&http, &url, &page, &[("upload_phase", "start")]).await;
    let r = http
        .post(v["upload_url"].as_str().unwrap())
        .header("authorization", format!("OAuth {other_page}"))
        .header("offset", "0")
        .header("file_size", "10")
        .body(vec![0u8; 10])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Finish before the bytes: incomplete.
    let id = v["video_id"].as_str().unwrap();
    let (s, _) = post(
        &http,
        &url,
        &page,
        &[
            ("upload_phase", "finish"),
            ("video_id", id),
            ("video_state", "PUBLISHED"),
        ],
    )
    .await;
    assert_eq!(s, 400);

    for _ in 0..2 {
        let (s, v, id) = reel(&http, &emu, &page, &file).await;
        assert_eq!((s, v["success"].clone()), (200, json!(true)), "{v}");
        let (_, v) = get(
            &http,
            &format!("{}/{id}", fb(&emu)),
            &page,
            &[("fields", "permalink_url")],
        )
        .await;
        assert_eq!(
            v["permalink_url"],
            format!("https://www.facebook.com/reel/{id}")
        );
    }
    let (s, v, _) = reel(&http, &emu, &page, &file).await;
    assert_eq!((s, v["error"]["code"].clone()), (400, json!(4)), "{v}");
    let posts = emu.record().posts_for(Platform::Facebook);
    assert_eq!(posts.len(), 2);
    assert!(
        posts
            .iter()
            .all(|p| p.extra.get("reel").map(String::as_str) == Some("true"))
    );
    assert_eq!(posts[0].media[0].sha256, sha(&file));

    // The window rolls.
    emu.clock().advance(Duration::from_secs(24 * 3600 + 1));
    let (s, v, _) = reel(&http, &emu, &page, &file).await;
    assert_eq!(s, 200, "{v}");
}
