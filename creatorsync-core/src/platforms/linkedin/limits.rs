//! What a linkedin post may hold, as data for validation.

use crate::media::rules::{MediaRule, Ratio};
use crate::platform::MIB;
use crate::quota::{Bucket, QuotaScope, Window};
use crate::{Capabilities, TextCounting};

/// LinkedIn: 3000 characters; up to 20 images or one video.
pub(crate) static CAPS: Capabilities = Capabilities {
    max_text: 3000,
    text_counting: TextCounting::Chars,
    text_only: true,
    requires_video: false,
    max_images: 20,
    max_videos: 1,
    max_gifs: 1,
    mixed_media: false,
    image_mimes: &["image/jpeg", "image/png", "image/gif"],
    video_mimes: &["video/mp4"],
    // Practical limit (platforms.md, secondary source).
    max_image_bytes: 5 * MIB,
    max_gif_bytes: 5 * MIB,
    // 500 MB member videos (5 GB for organizations is UNCONFIRMED).
    max_video_bytes: 500 * 1000 * 1000,
    max_hashtags: None,
    max_mentions: None,
    gifs_count_as_images: true,
    forbidden_text_chars: &[],
};

/// LinkedIn's daily limits per member and per app reset at midnight UTC
/// and are neither documented as figures nor reported in headers
/// (learn.microsoft.com "API rate limiting", read 2026-12-04: the limits
/// of an app are shown in its developer portal). The SDK learns the
/// member's day is used up from the 429; it holds for every account the
/// member posts as (their organizations use the member's token).
pub(crate) fn quotas() -> Vec<Bucket> {
    vec![Bucket::every_post(
        "posts_day",
        None,
        Window::Day(chrono_tz::UTC),
        QuotaScope::User,
    )]
}

/// LinkedIn video: 3 s to 30 min, 1:2.4 to 2.4:1 (learn.microsoft.com
/// "Videos API", read 2026-12-04).
pub(crate) static VIDEO: MediaRule = MediaRule {
    what: "a LinkedIn video",
    source: "learn.microsoft.com/linkedin/marketing/community-management/shares/videos-api, read 2026-12-04",
    duration_secs: Some((3.0, 1800.0)),
    aspect: Some((Ratio(5, 12), Ratio(12, 5))),
    ..MediaRule::NONE
};

/// The rule for `media` (videos only).
pub(super) fn media_rule(media: &crate::Media) -> Option<&'static MediaRule> {
    (media.kind() == crate::MediaKind::Video).then_some(&VIDEO)
}
