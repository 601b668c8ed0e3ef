//! Time per `validate` call for a 2,000-character post, per platform.
//! Prints one JSON line per platform. Run: `cargo bench --bench validate`.
#![allow(clippy::print_stdout, missing_docs)]

use std::time::Instant;

use bytes::Bytes;
use creatorsync_core::media::BytesSource;
use creatorsync_core::{Media, Platform, Post, TikTokPrivacy, validate};

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let image = rt
        .block_on(Media::new(BytesSource::new(
            Bytes::from_static(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"),
            None,
        )))
        .expect("image");
    let video = rt
        .block_on(Media::new(BytesSource::new(
            Bytes::from_static(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"),
            None,
        )))
        .expect("video");
    let unit = "Hello world, see https://example.com/path and 日本語 😀 #tag @who. ";
    let text: String = unit.chars().cycle().take(2000).collect();
    for p in Platform::ALL {
        let mut post = Post::text(text.clone());
        post.media
            .push(if matches!(p, Platform::YouTube | Platform::TikTok) {
                video.clone()
            } else {
                image.clone()
            });
        post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
        let runs = 2000;
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            std::hint::black_box(validate(std::hint::black_box(&post), p));
            samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
        samples.sort_by(f64::total_cmp);
        println!(
            "{{\"bench\":\"validate\",\"platform\":\"{p}\",\"text_chars\":2000,\"runs\":{runs},\"median_us\":{:.2},\"p90_us\":{:.2}}}",
            samples[runs / 2],
            samples[runs * 9 / 10]
        );
    }
}
