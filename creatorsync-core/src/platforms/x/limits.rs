//! What a x post may hold, as data for validation.

use crate::platform::MIB;
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
