//! What a x post may hold, as data for validation.

use crate::media::rules::{MediaRule, Ratio};
use crate::platform::MIB;
use chrono::Duration;

use crate::quota::{Bucket, QuotaScope, Window};
use crate::{Capabilities, TextCounting};

/// X: 280 weighted characters; 4 images or 1 GIF or 1 video.
pub(crate) static CAPS: Capabilities = Capabilities {
    max_text: 280,
    text_counting: TextCounting::XWeighted,
    text_only: true,
    requires_video: false,
    max_images: 4,
    max_videos: 1,
    max_gifs: 1,
    mixed_media: false,
    image_mimes: &["image/jpeg", "image/png", "image/webp", "image/gif"],
    video_mimes: &["video/mp4", "video/quicktime"],
    max_image_bytes: 5 * MIB,
    max_gif_bytes: 15 * MIB,
    // docs.x.com media best practices (read 2026-12-04): videos up to
    // 512 MB and 0.5–140 s; longer and larger uploads need an account
    // allowed them (raise it with `CreatorSyncBuilder::capabilities`).
    max_video_bytes: 512 * 1000 * 1000,
    max_hashtags: None,
    max_mentions: None,
    gifs_count_as_images: false,
    forbidden_text_chars: &[],
};

/// X's posting quotas (docs.x.com "Rate limits", read 2026-12-04:
/// `POST /2/tweets` 100 requests per 15 minutes per user and 10,000 per
/// 24 hours per app). The 15-minute window is counted here; the app's and
/// a user's 24-hour budgets are learned from the `x-app-limit-24hour-*` /
/// `x-user-limit-24hour-*` headers of a 429.
pub(crate) fn quotas() -> Vec<Bucket> {
    vec![
        Bucket::every_post(
            "posts",
            Some(100),
            Window::Rolling(Duration::minutes(15)),
            QuotaScope::Account,
        ),
        Bucket::every_post(
            "posts_user_day",
            None,
            Window::Rolling(Duration::hours(24)),
            QuotaScope::Account,
        ),
        Bucket::every_post(
            "posts_app_day",
            None,
            Window::Rolling(Duration::hours(24)),
            QuotaScope::App,
        ),
    ]
}

/// X video: 0.5 to 140 s, 1:3 to 3:1, at most 60 fps, H.264 + AAC
/// (docs.x.com "Media best practices", read 2026-12-04; longer videos need
/// a Premium account, which the SDK cannot see).
pub(crate) static VIDEO: MediaRule = MediaRule {
    what: "an X video",
    source: "docs.x.com/x-api/media/quickstart/best-practices, read 2026-12-04",
    duration_secs: Some((0.5, 140.0)),
    aspect: Some((Ratio(1, 3), Ratio(3, 1))),
    frame_rate: Some((1.0, 60.0)),
    video_codecs: &["avc1", "avc3"],
    audio_codecs: &["mp4a"],
    ..MediaRule::NONE
};

/// The rule for `media` (videos only).
pub(super) fn media_rule(media: &crate::Media) -> Option<&'static MediaRule> {
    (media.kind() == crate::MediaKind::Video).then_some(&VIDEO)
}
