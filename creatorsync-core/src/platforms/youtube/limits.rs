//! What a youtube post may hold, as data for validation.

use crate::platform::GIB;
use crate::platforms::Check;
use crate::platforms::common::first_line;
use crate::quota::{Bucket, QuotaScope, Window};
use crate::{Capabilities, Platform, Post, TextCounting, YouTubePrivacy};

/// YouTube title limit (characters).
pub const YOUTUBE_TITLE_MAX: usize = 100;
/// YouTube tags limit (total characters, spaced tags counted with quotes).
pub const YOUTUBE_TAGS_MAX: usize = 500;

/// YouTube: one video; the post text becomes the description (5000 bytes).
pub(crate) static CAPS: Capabilities = Capabilities {
    max_text: 5000,
    text_counting: TextCounting::Utf8Bytes,
    text_only: false,
    requires_video: true,
    max_images: 0,
    max_videos: 1,
    max_gifs: 0,
    mixed_media: false,
    image_mimes: &[],
    video_mimes: &[
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "video/x-msvideo",
        "video/x-matroska",
        "video/mpeg",
        "application/octet-stream",
    ],
    max_image_bytes: 0,
    max_gif_bytes: 0,
    max_video_bytes: 256 * 1000 * GIB / 1024,
    max_hashtags: None,
    max_mentions: None,
    gifs_count_as_images: true,
    forbidden_text_chars: &['<', '>'],
};

/// A YouTube post's title, tags and schedule. `status.publishAt` can be
/// set only on a private video (YouTube Data API `videos` resource, read
/// 2026-12-04) and must lie in the future, checked on the SDK's clock.
pub(super) fn check(post: &Post, out: &mut Check) {
    let o = &post.options.youtube;
    let derived;
    let title = match o.title.as_deref() {
        Some(t) => t,
        None => {
            derived = first_line(post.text_for(Platform::YouTube), usize::MAX);
            &derived
        }
    };
    let n = title.chars().count();
    if title.trim().is_empty() {
        out.push(
            "youtube.title",
            "title_required",
            "YouTube needs a title; set youtube.title or start the text with one".into(),
        );
    } else if n > YOUTUBE_TITLE_MAX {
        out.push(
            "youtube.title",
            "title_too_long",
            format!("the title is {n} characters, at most {YOUTUBE_TITLE_MAX}; shorten it"),
        );
    }
    if title.contains(['<', '>']) {
        out.push(
            "youtube.title",
            "invalid_character",
            "YouTube titles cannot contain '<' or '>'; remove them".into(),
        );
    }
    let tags: usize = o
        .tags
        .iter()
        .map(|t| t.chars().count() + if t.contains(' ') { 2 } else { 0 })
        .sum();
    if tags > YOUTUBE_TAGS_MAX {
        out.push(
            "youtube.tags",
            "tags_too_long",
            format!("tags total {tags} characters, at most {YOUTUBE_TAGS_MAX}; remove some"),
        );
    }
    if let Some(at) = o.publish_at {
        if o.privacy != YouTubePrivacy::Private {
            out.push(
                "youtube.publish_at",
                "publish_at_requires_private",
                "a scheduled video must be uploaded as private; set youtube.privacy to private"
                    .into(),
            );
        }
        if at <= out.now {
            out.push(
                "youtube.publish_at",
                "publish_at_in_past",
                "publish_at is in the past; pick a future time or remove it".into(),
            );
        }
    }
}

/// YouTube's daily quotas, per Google Cloud project, reset at midnight
/// Pacific time (developers.google.com "YouTube Data API quota and
/// compliance", read 2026-12-04): `videos.insert` has its own bucket of 100
/// uploads a day since 2026-06-01 (counted here); the 10,000 units for the
/// other calls and a channel's own upload limit (`uploadLimitExceeded`)
/// are learned from Google's answer.
pub(crate) fn quotas() -> Vec<Bucket> {
    let day = Window::Day(chrono_tz::America::Los_Angeles);
    vec![
        Bucket::every_post("uploads", Some(100), day, QuotaScope::App),
        Bucket::every_post("units", None, day, QuotaScope::App),
        Bucket::every_post(
            "channel_uploads",
            None,
            Window::Day(chrono_tz::UTC),
            QuotaScope::Account,
        ),
    ]
}
