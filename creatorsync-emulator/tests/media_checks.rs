//! What the emulator checks inside media, with raw HTTP (issue 21): an
//! Instagram image outside 4:5–1.91:1 is refused at container creation, a
//! reel with `moov` after the media data fails processing, a Facebook
//! photo over 4 MB is refused; conforming media passes and its inspection
//! is recorded.

mod common_meta;

use std::io::Cursor;
use std::time::Duration;

use common_meta::*;
use creatorsync_core::testing::SampleMp4;
use creatorsync_emulator::{Emulator, EmulatorConfig};
use serde_json::Value;

const IG: &str = "17841400000000001";

fn jpeg_of(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 128]));
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&img)
        .unwrap();
    out.into_inner()
}

async fn status_of(
    emu: &creatorsync_emulator::RunningEmulator,
    http: &reqwest::Client,
    token: &str,
    id: &str,
) -> Value {
    for _ in 0..100 {
        let (_, v) = get(
            http,
            &format!("{}/{id}", ig(emu)),
            token,
            &[("fields", "status_code,status")],
        )
        .await;
        if v["status_code"] != "IN_PROGRESS" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("container {id} still in progress");
}

#[tokio::test]
async fn meta_refuses_what_the_platform_would() {
    let emu = Emulator::start(EmulatorConfig {
        processing_delay: Duration::from_millis(10),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let http = client();
    let (_, page, _) = login(&emu, &http).await;
    let big = vec![0x42; 5 * 1024 * 1024];
    let base = media_server(vec![
        ("/wide.jpg", "image/jpeg", jpeg_of(5000, 1000)),
        ("/square.jpg", "image/jpeg", jpeg_of(1080, 1080)),
        (
            "/end.mp4",
            "video/mp4",
            SampleMp4::new(5, 1080, 1920).moov_at_end().to_bytes(),
        ),
        (
            "/first.mp4",
            "video/mp4",
            SampleMp4::new(5, 1080, 1920).to_bytes(),
        ),
        ("/big.jpg", "image/jpeg", [jpeg_of(16, 16), big].concat()),
    ])
    .await;
    let media = format!("{}/{IG}/media", ig(&emu));

    let (s, v) = post(
        &http,
        &media,
        &page,
        &[("image_url", &format!("{base}/wide.jpg"))],
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(
        (
            v["error"]["code"].as_u64(),
            v["error"]["error_subcode"].as_u64()
        ),
        (Some(36_003), Some(2_207_009)),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("5000/1000"),
        "{v}"
    );

    let (s, v) = post(
        &http,
        &media,
        &page,
        &[("image_url", &format!("{base}/square.jpg"))],
    )
    .await;
    assert_eq!(s, 200, "{v}");

    let (s, v) = post(
        &http,
        &media,
        &page,
        &[
            ("media_type", "REELS"),
            ("video_url", &format!("{base}/end.mp4")),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let st = status_of(&emu, &http, &page, v["id"].as_str().unwrap()).await;
    assert_eq!(st["status_code"], "ERROR", "{st}");
    assert!(st["status"].as_str().unwrap().contains("moov"), "{st}");

    let (s, v) = post(
        &http,
        &media,
        &page,
        &[
            ("media_type", "REELS"),
            ("video_url", &format!("{base}/first.mp4")),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let st = status_of(&emu, &http, &page, v["id"].as_str().unwrap()).await;
    assert_eq!(st["status_code"], "FINISHED", "{st}");

    let (s, v) = post(
        &http,
        &format!("{}/1001/photos", fb(&emu)),
        &page,
        &[("url", &format!("{base}/big.jpg"))],
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["error"]["error_subcode"].as_u64(), Some(1_366_046), "{v}");
    assert!(
        emu.record()
            .posts_for(creatorsync_core::Platform::Facebook)
            .is_empty()
    );
}
