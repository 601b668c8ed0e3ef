//! Media rules and fit-ups end to end (issue 21): what a platform would
//! refuse is refused before any upload, with the rule and the figures;
//! with `fit` the image cases and a moov-at-end reel publish, and the
//! emulator — which refuses like the platform (wrong aspect ratio, photo
//! over 4 MB, moov after the media data) — records what it received.
//! All media is generated here.

// The publisher suite's environment; this file uses part of it.
#[allow(dead_code)]
#[path = "publisher/support.rs"]
mod support;

use std::io::Cursor;

use creatorsync::media::FitMode;
use creatorsync::testing::SampleMp4;
use creatorsync::{Error, InstagramKind, Platform, Post, PublishReport, TikTokPrivacy};
use creatorsync_emulator::{EmulatorConfig, Inspected, RecordedPost};
use support::{Env, USER};

/// A `w`×`h` JPEG of a soft gradient.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out.into_inner()
}

/// A PNG of noise (which does not compress) of at least `bytes` bytes.
fn noisy_png(bytes: usize) -> Vec<u8> {
    let side = ((bytes / 3) as f64).sqrt().ceil() as u32 + 16;
    let mut state = 0x2545_f491_u32;
    let img = image::RgbImage::from_fn(side, side, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = Cursor::new(Vec::new());
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::NoFilter,
        ),
        img.as_raw(),
        side,
        side,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    let png = out.into_inner();
    assert!(png.len() >= bytes, "{} bytes", png.len());
    png
}

/// The one violation with `code`, from an `InvalidPost` error.
fn violation(err: &Error, code: &str) -> String {
    let Error::InvalidPost { violations } = err else {
        panic!("not an InvalidPost: {err}");
    };
    violations
        .iter()
        .find(|v| v.code == code)
        .unwrap_or_else(|| panic!("no {code} in {violations:?}"))
        .message
        .clone()
}

/// No request that uploads or creates anything reached `platform`.
fn nothing_sent(env: &Env, mark: u64, platform: Platform) {
    let sent: Vec<_> = env
        .emu
        .record()
        .requests_since(mark)
        .into_iter()
        .filter(|r| r.platform == platform && r.method != "GET")
        .map(|r| r.route)
        .collect();
    assert!(sent.is_empty(), "{platform}: {sent:?}");
}

/// What the emulator saw in the one published post's first media item.
fn seen(env: &Env, platform: Platform, report: &PublishReport) -> (RecordedPost, Inspected) {
    assert!(report.all_ok(), "{report:#?}");
    let posts = env.emu.record().posts_for(platform);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let seen = posts[0].media[0].seen.clone().expect("inspected");
    (posts[0].clone(), seen)
}

#[tokio::test]
async fn two_second_reel_is_refused_before_upload() {
    let env = Env::new().await;
    let clip = SampleMp4::new(2, 1080, 1920).to_bytes();
    let mut post = Post::text("short").with_media(env.file_media("short.mp4", &clip).await);
    post.options.instagram.kind = InstagramKind::Reel;
    let mark = env.emu.record().mark();
    let err = env
        .sync
        .publish(USER, &post)
        .targets([Platform::Instagram])
        .await
        .unwrap_err();
    let msg = violation(&err, "video_too_short");
    assert!(
        msg.contains("2.0 s") && msg.contains("an Instagram Reel must last at least 3 s"),
        "{msg}"
    );
    nothing_sent(&env, mark, Platform::Instagram);
}

#[tokio::test]
async fn twelve_minutes_to_a_ten_minute_tiktok_creator_is_refused_before_upload() {
    let env = Env::with_config(EmulatorConfig {
        tiktok_max_video_post_duration_sec: 600,
        ..EmulatorConfig::default()
    })
    .await;
    let clip = SampleMp4::new(720, 720, 1280).to_bytes();
    let mut post = Post::text("long").with_media(env.file_media("long.mp4", &clip).await);
    post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
    post.options.tiktok.disable_stitch = true;
    let mark = env.emu.record().mark();
    let report = env
        .sync
        .publish(USER, &post)
        .targets([Platform::TikTok])
        .await
        .expect("publish runs");
    let failed: Vec<_> = report.failed().collect();
    assert_eq!(failed.len(), 1, "{report:#?}");
    let msg = violation(failed[0].1, "video_too_long");
    assert!(
        msg.contains("720.0 s") && msg.contains("at most 600 s"),
        "{msg}"
    );
    let routes: Vec<_> = env
        .emu
        .record()
        .requests_since(mark)
        .into_iter()
        .map(|r| r.route)
        .collect();
    assert!(
        routes.iter().any(|r| r.contains("creator_info")),
        "{routes:?}"
    );
    assert!(
        !routes.iter().any(|r| r.contains("init")),
        "no upload: {routes:?}"
    );
    assert!(env.emu.record().posts_for(Platform::TikTok).is_empty());
}

#[tokio::test]
async fn wide_image_to_instagram_refused_then_fitted() {
    let env = Env::new().await;
    let post =
        Post::text("panorama").with_media(env.file_media("wide.jpg", &jpeg(5000, 1000)).await);
    let mark = env.emu.record().mark();
    let err = env
        .sync
        .publish(USER, &post)
        .targets([Platform::Instagram])
        .await
        .unwrap_err();
    let msg = violation(&err, "aspect_ratio_out_of_range");
    assert!(
        msg.contains("5000×1000")
            && msg.contains("5.00")
            && msg.contains("4:5 (0.80) to 191:100 (1.91)"),
        "{msg}"
    );
    nothing_sent(&env, mark, Platform::Instagram);

    for (mode, want) in [(FitMode::Pad, 1.91), (FitMode::Crop, 1.91)] {
        let report = env
            .sync
            .publish(USER, &post)
            .targets([Platform::Instagram])
            .idempotency_key(format!("wide-{mode:?}"))
            .fit(mode)
            .await
            .expect("fitted publish");
        let posts = env.emu.record().posts_for(Platform::Instagram);
        let last = posts.last().expect("published");
        assert!(report.all_ok(), "{report:#?}");
        let seen = last.media[0].seen.clone().expect("inspected");
        assert_eq!(seen.format, "jpeg", "{mode:?}");
        let aspect = seen.aspect().unwrap();
        assert!((aspect - want).abs() < 0.02, "{mode:?}: {seen:?}");
        if mode == FitMode::Crop {
            assert_eq!(seen.height, Some(1000), "cropped, not scaled: {seen:?}");
        }
    }
}

#[tokio::test]
async fn six_megabyte_png_to_facebook_refused_then_fitted() {
    let env = Env::new().await;
    let png = noisy_png(6 * 1024 * 1024);
    let len = png.len();
    let post = Post::text("big photo").with_media(env.file_media("big.png", &png).await);
    let page = creatorsync::Target::Account {
        platform: Platform::Facebook,
        account_id: "1001".into(),
    };
    let mark = env.emu.record().mark();
    let err = env
        .sync
        .publish(USER, &post)
        .targets([page.clone()])
        .await
        .unwrap_err();
    let msg = violation(&err, "media_too_large");
    assert!(
        msg.contains(&format!("{len} bytes")) && msg.contains("at most 4194304 bytes"),
        "{msg}"
    );
    nothing_sent(&env, mark, Platform::Facebook);

    let report = env
        .sync
        .publish(USER, &post)
        .targets([page])
        .idempotency_key("fit")
        .fit(FitMode::Pad)
        .await
        .expect("fitted publish");
    let (post, seen) = seen(&env, Platform::Facebook, &report);
    assert!(post.media[0].len <= 4 * 1024 * 1024, "{:?}", post.media[0]);
    assert_eq!(seen.format, "jpeg");
}

#[tokio::test]
async fn moov_at_end_reel_publishes_with_faststart_fit() {
    let env = Env::new().await;
    let clip = SampleMp4::new(5, 1080, 1920).moov_at_end().to_bytes();
    let mut post = Post::text("reel").with_media(env.file_media("reel.mp4", &clip).await);
    post.options.instagram.kind = InstagramKind::Reel;
    let mark = env.emu.record().mark();
    let err = env
        .sync
        .publish(USER, &post)
        .targets([Platform::Instagram])
        .await
        .unwrap_err();
    violation(&err, "moov_not_first");
    nothing_sent(&env, mark, Platform::Instagram);

    let report = env
        .sync
        .publish(USER, &post)
        .targets([Platform::Instagram])
        .idempotency_key("fit")
        .fit(FitMode::Pad)
        .await
        .expect("fitted publish");
    let (post, seen) = seen(&env, Platform::Instagram, &report);
    assert_eq!(seen.moov_first, Some(true), "{seen:?}");
    assert_eq!(seen.duration_ms, Some(5000));
    assert_eq!(post.media[0].len, clip.len() as u64, "same bytes, moved");
}
