//! Every documented upload request form real clients send, with raw HTTP:
//! v1.1 simple upload (`media` or `media_data`), v1.1 INIT/APPEND/FINALIZE
//! all as multipart, v2 APPEND as JSON, and the v2 APPEND reply body.

use reqwest::multipart::{Form, Part};

use super::*;

const V1: &str = "/1.1/media/upload.json";

/// A fake JPEG (the magic bytes, then a pattern).
fn jpeg(n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
    v[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    v
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

async fn v1(emu: &RunningEmulator, http: &Client, at: &str, form: Form) -> (u16, Value) {
    let r = http
        .post(url(emu, V1))
        .bearer_auth(at)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Posts a tweet with `media_id`; returns the recorded media's sha256.
async fn tweet_sha(emu: &RunningEmulator, http: &Client, at: &str, media_id: &str) -> String {
    let r = http
        .post(url(emu, "/2/tweets"))
        .bearer_auth(at)
        .json(&json!({"text": format!("with {media_id}"), "media": {"media_ids": [media_id]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    emu.record().post(Platform::X, &id).unwrap().media[0]
        .sha256
        .clone()
}

#[tokio::test]
async fn v1_simple_upload_with_media_or_media_data() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let img = jpeg(70_000);

    // Only a binary `media` part: the whole image, no INIT.
    let (status, v) = v1(
        &emu,
        &http,
        &at,
        Form::new().part("media", Part::bytes(img.clone())),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["size"], 70_000);
    assert_eq!(v["image"]["image_type"], "image/jpeg");
    assert!(v["media_key"].as_str().unwrap().starts_with("3_"));
    let id = v["media_id_string"].as_str().unwrap().to_owned();
    assert_eq!(v["media_id"].as_u64().unwrap().to_string(), id);
    assert_eq!(tweet_sha(&emu, &http, &at, &id).await, sha(&img));

    // Only `media_data`: the image as base64 text.
    let img2 = jpeg(40_001);
    let (status, v) = v1(
        &emu,
        &http,
        &at,
        Form::new().text("media_data", STANDARD.encode(&img2)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["size"], 40_001);
    let id = v["media_id_string"].as_str().unwrap().to_owned();
    assert_eq!(tweet_sha(&emu, &http, &at, &id).await, sha(&img2));

    // Neither: the v1.1 error shape, nothing uploaded.
    let (status, v) = v1(
        &emu,
        &http,
        &at,
        Form::new().text("media_category", "tweet_image"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(v["request"], V1);
    let (status, _) = v1(
        &emu,
        &http,
        &at,
        Form::new().text("media_data", "%%not base64"),
    )
    .await;
    assert_eq!(status, 400);
    emu.shutdown().await;
}

#[tokio::test]
async fn v1_init_append_finalize_all_as_multipart() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let file: Vec<u8> = (0..900_000u32).map(|i| (i % 239) as u8).collect();

    let (status, v) = v1(
        &emu,
        &http,
        &at,
        Form::new()
            .text("command", "INIT")
            .text("total_bytes", file.len().to_string())
            .text("media_type", "video/mp4")
            .text("media_category", "tweet_video"),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    let id = v["media_id_string"].as_str().unwrap().to_owned();
    for (i, chunk) in file.chunks(400_000).enumerate() {
        let mut form = Form::new()
            .text("command", "APPEND")
            .text("media_id", id.clone())
            .text("segment_index", i.to_string());
        // One segment as base64 `media_data`, the others binary.
        form = if i == 1 {
            form.text("media_data", STANDARD.encode(chunk))
        } else {
            form.part("media", Part::bytes(chunk.to_vec()))
        };
        let (status, v) = v1(&emu, &http, &at, form).await;
        assert_eq!(status, 204, "{v}");
    }
    let (status, v) = v1(
        &emu,
        &http,
        &at,
        Form::new()
            .text("command", "FINALIZE")
            .text("media_id", id.clone()),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["size"], 900_000);
    assert_eq!(v["processing_info"]["state"], "pending");
    emu.clock().advance(Duration::from_secs(1));
    assert_eq!(tweet_sha(&emu, &http, &at, &id).await, sha(&file));
    emu.shutdown().await;
}

#[tokio::test]
async fn v2_append_as_json_and_its_reply_body() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let file: Vec<u8> = (0..600_000u32).map(|i| (i % 233) as u8).collect();
    let r = http
        .post(url(&emu, "/2/media/upload/initialize"))
        .bearer_auth(&at)
        .json(&json!({"media_type": "video/mp4", "total_bytes": file.len(), "media_category": "tweet_video"}))
        .send()
        .await
        .unwrap();
    let id = r.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let append = format!("/2/media/upload/{id}/append");
    let now = emu.clock().unix();

    // Segment 0 as JSON with base64 media.
    let r = http
        .post(url(&emu, &append))
        .bearer_auth(&at)
        .json(&json!({"media": STANDARD.encode(&file[..300_000]), "segment_index": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let expires_at = v["data"]["expires_at"].as_i64().expect("data.expires_at");
    assert!(expires_at > now, "{v}");
    // Segment 1 as multipart: the same reply body.
    let r = http
        .post(url(&emu, &append))
        .bearer_auth(&at)
        .multipart(
            Form::new()
                .text("segment_index", "1")
                .part("media", Part::bytes(file[300_000..].to_vec())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["data"]["expires_at"],
        expires_at
    );
    // Bad JSON forms are refused with X's 400.
    for bad in [
        json!({"segment_index": 2}),
        json!({"media": "@@", "segment_index": 2}),
        json!({"media": "AAAA", "segment_index": 1000}),
    ] {
        let r = http
            .post(url(&emu, &append))
            .bearer_auth(&at)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
    let v: Value = http
        .post(url(&emu, &format!("/2/media/upload/{id}/finalize")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"]["size"], 600_000, "{v}");
    emu.clock().advance(Duration::from_secs(1));
    assert_eq!(tweet_sha(&emu, &http, &at, &id).await, sha(&file));
    emu.shutdown().await;
}
