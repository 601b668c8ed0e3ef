//! What a tiktok post may hold, as data for validation.

use crate::media::rules::MediaRule;
use crate::platform::{GIB, MIB};
use crate::platforms::Check;
use crate::platforms::common::first_line;
use crate::quota::{Bucket, QuotaScope, Window};
use crate::text::utf16_length;
use crate::{Capabilities, MediaKind, Platform, Post, TextCounting};

/// TikTok photo title limit (UTF-16 units).
pub const TIKTOK_PHOTO_TITLE_MAX: usize = 90;

/// The caption limit of a photo post (UTF-16 units).
pub(super) const PHOTO_TEXT_MAX: usize = 4000;

/// TikTok: one video or up to 35 photos (JPEG/WEBP); caption 2200 UTF-16 units.
pub(crate) static CAPS: Capabilities = Capabilities {
    max_text: 2200,
    text_counting: TextCounting::Utf16,
    text_only: false,
    requires_video: false,
    max_images: 35,
    max_videos: 1,
    max_gifs: 0,
    mixed_media: false,
    image_mimes: &["image/jpeg", "image/webp"],
    video_mimes: &["video/mp4", "video/quicktime", "video/webm"],
    max_image_bytes: 20 * MIB,
    max_gif_bytes: 0,
    // 4 GB per the reference (10 GB is UNCONFIRMED).
    max_video_bytes: 4 * GIB,
    max_hashtags: None,
    max_mentions: None,
    gifs_count_as_images: true,
    forbidden_text_chars: &[],
};

/// Whether `post` is a photo post (media, no video).
pub(super) fn is_photo_post(post: &Post) -> bool {
    !post.media.is_empty()
        && post
            .media
            .iter()
            .all(|m| m.kind() != crate::MediaKind::Video)
}

/// The privacy level the user must choose, and a photo post's title.
pub(super) fn check(post: &Post, out: &mut Check) {
    // A draft's privacy is chosen by the creator in the app.
    if post.options.tiktok.privacy_level.is_none() && !post.draft {
        out.push(
            "tiktok.privacy_level",
            "privacy_level_required",
            "TikTok requires the user to choose a privacy level; set tiktok.privacy_level".into(),
        );
    }
    if is_photo_post(post) {
        let title = match &post.options.tiktok.photo_title {
            Some(t) => t.clone(),
            None => first_line(post.text_for(Platform::TikTok), usize::MAX),
        };
        let n = utf16_length(&title);
        if n > TIKTOK_PHOTO_TITLE_MAX {
            out.push("tiktok.photo_title", "title_too_long", format!("the photo title is {n} long, at most {TIKTOK_PHOTO_TITLE_MAX}; set a shorter tiktok.photo_title"));
        }
    }
}

/// TikTok's posting caps (developers.tiktok.com "Content Posting API — rate
/// limits" and "Direct Post" guidelines, read 2026-12-04): 6 video inits
/// per minute per user token; about 15 direct posts per creator per day,
/// shared across apps and not readable, counted here as a rolling 24 h for
/// this app's posts and otherwise learned from `spam_risk_too_many_posts`;
/// the app's daily active-creator cap (`reached_active_user_cap`).
pub(crate) fn quotas() -> Vec<Bucket> {
    vec![
        Bucket::every_post(
            "video_init",
            Some(6),
            Window::Rolling(chrono::Duration::minutes(1)),
            QuotaScope::Account,
        )
        .only(|post| post.media.iter().any(|m| m.kind() == MediaKind::Video)),
        Bucket::every_post(
            "posts",
            Some(15),
            Window::Rolling(chrono::Duration::hours(24)),
            QuotaScope::Account,
        )
        .only(|post| !post.draft),
        // Inbox uploads (drafts) waiting for the creator: 5 per 24 hours
        // (see `manage.rs`).
        Bucket::every_post(
            "inbox",
            Some(super::manage::INBOX_PENDING_MAX),
            Window::Rolling(chrono::Duration::hours(24)),
            QuotaScope::Account,
        )
        .only(|post| post.draft),
        Bucket::every_post(
            "active_creators",
            None,
            Window::Day(chrono_tz::UTC),
            QuotaScope::App,
        ),
    ]
}

/// TikTok video: 23–60 fps, at least 360 px, H.264, H.265, VP8 or VP9; the
/// longest duration is the creator's (`max_video_post_duration_sec`,
/// checked by the client once `creator_info` says it: 60 s to 60 min)
/// (developers.tiktok.com "Content Posting API — media transfer guide",
/// read 2026-12-04).
pub(crate) static VIDEO: MediaRule = MediaRule {
    what: "a TikTok video",
    source: "developers.tiktok.com/doc/content-posting-api-media-transfer-guide, read 2026-12-04",
    min_width: Some(360),
    frame_rate: Some((23.0, 60.0)),
    video_codecs: &["avc1", "avc3", "hvc1", "hev1", "vp08", "vp09"],
    ..MediaRule::NONE
};

/// The rule for `media` (videos only).
pub(super) fn media_rule(media: &crate::Media) -> Option<&'static MediaRule> {
    (media.kind() == MediaKind::Video).then_some(&VIDEO)
}
