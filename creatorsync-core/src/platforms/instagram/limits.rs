//! What a instagram post may hold, as data for validation.

use crate::media::rules::{MediaRule, Ratio};
use crate::platform::{GIB, MIB};
use crate::platforms::Check;
use crate::quota::{Bucket, QuotaScope, Window};
use crate::{Capabilities, InstagramKind, Post, TextCounting};

/// Instagram: 2200 characters, 30 hashtags, 20 mentions; media required.
pub(crate) static CAPS: Capabilities = Capabilities {
    max_text: 2200,
    text_counting: TextCounting::Chars,
    text_only: false,
    requires_video: false,
    max_images: 10,
    max_videos: 10,
    max_gifs: 0,
    mixed_media: true,
    image_mimes: &["image/jpeg"],
    video_mimes: &["video/mp4", "video/quicktime"],
    max_image_bytes: 8 * MIB,
    max_gif_bytes: 0,
    // Reels: 300 MB (EN page) / 1 GB (newer translated pages); we take 1 GB.
    max_video_bytes: GIB,
    max_hashtags: Some(30),
    // UNCONFIRMED: 20 @mentions.
    max_mentions: Some(20),
    gifs_count_as_images: true,
    forbidden_text_chars: &[],
};

/// An Instagram post's kind against its media.
pub(super) fn check(post: &Post, out: &mut Check) {
    let (images, videos) = (out.images + out.gifs, out.videos);
    let n = images + videos;
    let rule = match post.options.instagram.kind {
        InstagramKind::Reel if videos != 1 || images != 0 => Some((
            "reel_requires_one_video",
            "a Reel needs exactly one video and no images",
        )),
        InstagramKind::Carousel if !(2..=10).contains(&n) => {
            Some(("carousel_item_count", "a carousel needs 2 to 10 items"))
        }
        InstagramKind::Story if n != 1 => Some((
            "story_requires_one_item",
            "a Story needs exactly one image or video",
        )),
        InstagramKind::Feed if images != 1 || videos != 0 => Some((
            "feed_requires_one_image",
            "a feed post needs exactly one image",
        )),
        InstagramKind::Auto if n > 10 => {
            Some(("too_many_media", "at most 10 items (a carousel) per post"))
        }
        _ => None,
    };
    if let Some((code, msg)) = rule {
        out.push("instagram.kind", code, format!("{msg}; the post has {n}"));
    }
    let reel = match post.options.instagram.kind {
        InstagramKind::Reel => true,
        InstagramKind::Auto => videos == 1 && images == 0,
        _ => false,
    };
    if post.options.instagram.trial_graduation.is_some() && !reel {
        out.push(
            "instagram.trial_graduation",
            "trial_requires_reel",
            format!("a trial reel is one video published as a reel; the post has {n} item(s) and is not a reel"),
        );
    }
}

/// 100 API-published posts per account per rolling 24 hours, a carousel
/// counting once (developers.facebook.com "Content Publishing", read
/// 2026-12-04; `/{ig-user-id}/content_publishing_limit` reports it and the
/// client reads it before creating anything).
pub(crate) fn quotas() -> Vec<Bucket> {
    vec![Bucket::every_post(
        "posts",
        Some(100),
        Window::Rolling(chrono::Duration::hours(24)),
        QuotaScope::Account,
    )]
}

/// Instagram Reels (every API video is a reel): 3 s to 15 min, 23–60 fps,
/// H.264 or HEVC, AAC, `moov` at the front.
pub(crate) static REEL: MediaRule = MediaRule {
    what: "an Instagram Reel",
    source: "ayrshare.com/docs/media-guidelines/instagram (mirrors developers.facebook.com \"IG User Media\" reels and image specifications), read 2026-12-04",
    duration_secs: Some((3.0, 900.0)),
    aspect: Some((Ratio(1, 10), Ratio(10, 1))),
    frame_rate: Some((23.0, 60.0)),
    video_codecs: &["avc1", "avc3", "hvc1", "hev1"],
    audio_codecs: &["mp4a"],
    faststart: true,
    ..MediaRule::NONE
};

/// Instagram Stories video: 3 to 60 s, otherwise like a reel.
pub(crate) static STORY_VIDEO: MediaRule = MediaRule {
    what: "an Instagram Story video",
    duration_secs: Some((3.0, 60.0)),
    ..REEL
};

/// Instagram feed and carousel images: 4:5 to 1.91:1, at least 320 px wide.
pub(crate) static IMAGE: MediaRule = MediaRule {
    what: "an Instagram image",
    source: "ayrshare.com/docs/media-guidelines/instagram (mirrors developers.facebook.com \"IG User Media\" reels and image specifications), read 2026-12-04",
    aspect: Some((Ratio(4, 5), Ratio(191, 100))),
    min_width: Some(320),
    ..MediaRule::NONE
};

/// The rule for `media` in `post` (a Story image takes any shape).
pub(super) fn media_rule(post: &Post, media: &crate::Media) -> Option<&'static MediaRule> {
    let story = post.options.instagram.kind == InstagramKind::Story;
    match (media.kind(), story) {
        (crate::MediaKind::Video, true) => Some(&STORY_VIDEO),
        (crate::MediaKind::Video, false) => Some(&REEL),
        (_, true) => None,
        (_, false) => Some(&IMAGE),
    }
}
