//! What a facebook post may hold, as data for validation.

use crate::media::rules::MediaRule;
use crate::platform::{GIB, MIB};
use crate::platforms::module::Check;
use crate::quota::{Bucket, QuotaScope, Window};
use crate::{Capabilities, Post, TextCounting};

/// Facebook Pages: 63,206 characters; up to 10 photos or one video.
pub(crate) static CAPS: Capabilities = Capabilities {
    max_text: 63_206,
    text_counting: TextCounting::Chars,
    text_only: true,
    requires_video: false,
    // UNCONFIRMED: ~10 attached_media per post.
    max_images: 10,
    max_videos: 1,
    max_gifs: 1,
    mixed_media: false,
    image_mimes: &[
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/bmp",
        "image/tiff",
    ],
    video_mimes: &["video/mp4", "video/quicktime"],
    max_image_bytes: 4 * MIB,
    max_gif_bytes: 4 * MIB,
    // Resumable upload: 10 GB.
    max_video_bytes: 10 * GIB,
    max_hashtags: None,
    max_mentions: None,
    gifs_count_as_images: true,
    forbidden_text_chars: &[],
};

/// How soon a scheduled Page post may go live: 10 minutes after the
/// request (Meta Pages API "Posts" guide, `published=false` with
/// `scheduled_publish_time`; read 2026-12-04).
pub(crate) const SCHEDULE_MIN_AHEAD: chrono::Duration = chrono::Duration::minutes(10);
/// How late: 30 days after the request (the same guide's window; older
/// Graph versions allowed 6 months, so the SDK keeps the current, shorter
/// one).
pub(crate) const SCHEDULE_MAX_AHEAD: chrono::Duration = chrono::Duration::days(30);

/// A Page Reel holds exactly one video (its duration and size: [`REEL`]).
/// A natively scheduled post is a feed post (text, link, photos) 10
/// minutes to 30 days ahead.
pub(super) fn check(post: &Post, out: &mut Check) {
    if let Some(at) = post.options.facebook.scheduled_publish_time {
        let ahead = at - out.now;
        if ahead < SCHEDULE_MIN_AHEAD || ahead > SCHEDULE_MAX_AHEAD {
            out.push(
                "facebook.scheduled_publish_time",
                "scheduled_time_out_of_range",
                format!(
                    "Facebook schedules a post 10 minutes to 30 days ahead; {at} is {} minutes from now",
                    ahead.num_minutes()
                ),
            );
        }
        if out.videos > 0 || post.options.facebook.reel {
            out.push(
                "facebook.scheduled_publish_time",
                "scheduled_video_unsupported",
                "the SDK schedules Facebook text, link and photo posts natively, not videos or reels; schedule the post with the SDK's scheduler instead".into(),
            );
        }
    }
    let n = post.media.len();
    if post.options.facebook.reel && (out.videos != 1 || n != 1) {
        out.push(
            "facebook.reel",
            "reel_requires_one_video",
            format!("a Reel needs exactly one video and nothing else; the post has {n} media"),
        );
    }
}

/// Page Reels: 30 API-published reels per Page per rolling 24 hours
/// (developers.facebook.com "Reels Publishing API", read 2026-12-04).
/// Other Graph throttles (`X-App-Usage`, codes 4/17/32/613) are short and
/// handled by the retry policy.
pub(crate) fn quotas() -> Vec<Bucket> {
    vec![
        Bucket::every_post(
            "reels",
            Some(30),
            Window::Rolling(chrono::Duration::hours(24)),
            QuotaScope::Account,
        )
        .only(|post| post.options.facebook.reel),
    ]
}

/// Page Reels: 3 to 90 s, at least 540 px wide, 24–60 fps
/// (developers.facebook.com "Reels Publishing API", video specifications,
/// read 2026-12-04).
pub(crate) static REEL: MediaRule = MediaRule {
    what: "a Facebook Page Reel",
    source: "developers.facebook.com/docs/video-api/guides/reels-publishing, read 2026-12-04",
    duration_secs: Some((3.0, 90.0)),
    min_width: Some(540),
    frame_rate: Some((24.0, 60.0)),
    video_codecs: &["avc1", "avc3", "hvc1", "hev1", "vp09", "av01"],
    ..MediaRule::NONE
};

/// The rule for `media` in `post`: Page Reels have one; photos have only
/// their byte limit (4 MB, in the capabilities).
pub(super) fn media_rule(post: &Post, media: &crate::Media) -> Option<&'static MediaRule> {
    (post.options.facebook.reel && media.kind() == crate::MediaKind::Video).then_some(&REEL)
}
